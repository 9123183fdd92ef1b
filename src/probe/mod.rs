//! Live nodes, looked at from the network: the chain a port serves and whether a client's
//! truststore accepts it for that address, the TLS versions and cipher suites it accepts,
//! whether it asks for a client certificate, and whether it also accepts plaintext, with
//! findings in the doctor's terms. [`probe_all`] probes many targets in parallel with a bounded
//! worker count and a deadline per target; [`discover`] finds a cluster's nodes from one of them.
//!
//! ```no_run
//! use std::time::Duration;
//! use cassandra_tls::probe::{self, ProbeOptions, Target};
//!
//! let targets: Vec<Target> = vec!["10.0.0.1:9042".parse()?, "10.0.0.2:9042".parse()?];
//! let options = ProbeOptions { timeout: Duration::from_secs(5), ..ProbeOptions::default() };
//! for report in probe::probe_all(&targets, &options) {
//!     println!("{}: {:?}", report.target, report.protocols);
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

mod attempt;
mod cluster;
mod findings;
mod login;
mod report;
mod stages;
mod wire;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use stages::Clients;
pub(crate) use stages::resolve;

pub use crate::report::{Check, Severity};
pub use cluster::{ClusterNode, discover};
pub use login::{Login, LoginMethod, LoginOutcome};
pub use report::{
    ClientAuthMode, PortKind, ProbeFinding, ProbeOptions, ProbeReport, Protocol, ProtocolSupport,
    ServedCertificate, Target, Validation,
};

/// Probes one target.
pub fn probe(target: &Target, options: &ProbeOptions) -> ProbeReport {
    probe_with(&Clients::new(), target, options)
}

/// Probes every target, `options.workers` at a time, each within `options.timeout`; one dead
/// target never holds up the others. The reports come back in the order of `targets`.
pub fn probe_all(targets: &[Target], options: &ProbeOptions) -> Vec<ProbeReport> {
    let clients = Clients::new();
    let next = AtomicUsize::new(0);
    let workers = options.workers.clamp(1, 256).min(targets.len().max(1));
    let mut results: Vec<Option<ProbeReport>> = vec![None; targets.len()];
    let slots: Vec<std::sync::Mutex<Option<ProbeReport>>> = targets
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(target) = targets.get(i) else { break };
                    let report = probe_with(&clients, target, options);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
                }
            });
        }
    });
    for (r, slot) in results.iter_mut().zip(slots) {
        *r = slot.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    results.into_iter().flatten().collect()
}

/// The stages fill a typed report; then one pass turns it into findings.
fn probe_with(clients: &Clients, target: &Target, options: &ProbeOptions) -> ProbeReport {
    let started = Instant::now();
    let seen = stages::observe(clients, target, options, started + options.timeout);
    let findings = findings::findings(&seen, &target.host, options);
    let mut report = seen.report;
    report.findings = findings;
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    report
}
