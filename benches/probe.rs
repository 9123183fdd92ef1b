//! `probe` at scale: 10, 100 and 1,000 `cassandra-tls serve` processes, each on its own
//! loopback address (127.0.1.x, 127.0.2.x, ...) with the committed node material and client
//! certificates required, probed in full (chain, trust, versions, suites, client-certificate
//! mode, plaintext) by `probe::probe_all` with its default 16 workers. Beside it, what an
//! operator would otherwise run: one `openssl s_client` per target, in a loop (which only
//! fetches the chain and the negotiated version).
//!
//! Run: `cargo bench --bench probe --features cli` (it builds and starts the servers itself).

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::probe::{self, PortKind, ProbeOptions, Target};
use cassandra_tls::tls::{self, ClientRole, TlsSettings};
use criterion::{Criterion, criterion_group, criterion_main};

struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
        }
        for c in &mut self.0 {
            let _ = c.wait();
        }
    }
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn binary() -> PathBuf {
    let status = Command::new("cargo")
        .args([
            "build",
            "--release",
            "--features",
            "cli",
            "--bin",
            "cassandra-tls",
        ])
        .current_dir(root())
        .status()
        .expect("cargo build");
    assert!(status.success());
    root().join("target/release/cassandra-tls")
}

fn address(i: usize) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(
        127,
        0,
        1 + (i / 250) as u8,
        1 + (i % 250) as u8,
    ))
}

/// Starts `n` serve processes; waits for each to print its port.
fn servers(bin: &PathBuf, n: usize) -> (Servers, Vec<Target>) {
    let mut children = Servers(Vec::new());
    let mut targets = Vec::new();
    for i in 0..n {
        let ip = address(i);
        let mut child = Command::new(bin)
            .args(["serve", "--role", "client-to-node", "--json", "--config"])
            .arg("fixtures/conf/cassandra.yaml")
            .arg("--listen")
            .arg(format!("{ip}:0"))
            .current_dir(root())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let port = loop {
            let line = lines.next().expect("serve said nothing").unwrap();
            if let Some(rest) = line.strip_prefix("listening on ") {
                break rest.rsplit(':').next().unwrap().parse::<u16>().unwrap();
            }
        };
        // Keep draining stderr so that serve never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        children.0.push(child);
        targets.push(Target::new(ip.to_string(), port, PortKind::Native));
    }
    (children, targets)
}

fn options() -> ProbeOptions {
    let yaml = CassandraYaml::load_file(root().join("fixtures/conf/cassandra.yaml"))
        .unwrap()
        .with_base_dir(root());
    ProbeOptions {
        native_client: Some(
            tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap(),
        ),
        timeout: Duration::from_secs(30),
        ..ProbeOptions::default()
    }
}

fn s_client(target: &Target) {
    let out = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &target.to_string(),
            "-showcerts",
            "-brief",
        ])
        .stdin(Stdio::null())
        .output()
        .expect("openssl s_client");
    assert!(!out.stderr.is_empty() || !out.stdout.is_empty());
}

fn bench(c: &mut Criterion) {
    let bin = binary();
    let options = options();
    let mut group = c.benchmark_group("probe");
    group.sample_size(10);
    for n in [10usize, 100, 1000] {
        let (_servers, targets) = servers(&bin, n);
        // Every target answers in full before anything is timed.
        let reports = probe::probe_all(&targets, &options);
        assert!(
            reports.iter().all(|r| r.tls && r.client_auth.is_some()),
            "{:#?}",
            reports.iter().find(|r| !r.tls)
        );
        group.measurement_time(Duration::from_secs(if n >= 1000 { 60 } else { 10 }));
        group.bench_function(format!("probe_all {n} targets (16 workers)"), |b| {
            b.iter(|| probe::probe_all(&targets, &options))
        });
        if n <= 100 {
            group.bench_function(format!("openssl s_client loop {n} targets"), |b| {
                b.iter(|| targets.iter().for_each(s_client))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
