//! Checks a node's SSL setup end to end, finding what Cassandra would report as "Failed to
//! initialize SSL" (and what it would accept but should not), with the fix for each.
//!
//! ```
//! use cassandra_tls::doctor;
//! use cassandra_tls::options::CassandraYaml;
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let report = doctor::check(&yaml, None, rustls::pki_types::UnixTime::now());
//! for f in &report.findings {
//!     println!("{} {} {}: {}", f.severity, f.section, f.check, f.message);
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

mod chain;
mod cluster;
mod handshake;
mod report;
mod section;
mod tools;

use rustls::pki_types::UnixTime;

use crate::options::{CassandraYaml, ClientAuth, Cqlshrc, InternodeEncryption, Policy};
use crate::tls::{Role, TlsSettings};

pub(crate) use chain::expiry;
pub use cluster::{ClusterReport, Link, Matrix, check_cluster};
pub(crate) use handshake::in_memory;
pub use report::{Check, Finding, Report, Severity};
pub(crate) use section::file_check;
use section::section;
pub use tools::{JMX, NODETOOL, check_jmx_encryption_options, check_nodetool_ssl};

const SERVER: &str = "server_encryption_options";
const CLIENT: &str = "client_encryption_options";
const CQLSH: &str = "cqlshrc";

/// Checks both encryption sections of `yaml` (and a cqlshrc when given) at time `at`.
pub fn check(yaml: &CassandraYaml, cqlshrc: Option<&Cqlshrc>, at: UnixTime) -> Report {
    let mut report = Report::default();
    let settings = TlsSettings {
        now: Some(at),
        ..Default::default()
    };
    let base = yaml.base_dir();
    let server = yaml.server_encryption_options();
    let client = yaml.client_encryption_options();

    // What the node does at start-up, as its version and the default provider do it.
    let startup = crate::explain::explain_loaded(
        yaml.origin().to_string(),
        yaml,
        crate::explain::Provider::default(),
    );
    if let Some(e) = &startup.error {
        let section = match e.section.as_deref() {
            Some(CLIENT) => CLIENT,
            _ => SERVER,
        };
        report.push(
            Severity::Error,
            Check::Startup,
            section,
            format!("Cassandra {} does not start: {}", yaml.version(), e.message),
            Some("fix the option named; `cassandra-tls explain` shows what the node does at start-up"),
        );
    }

    // server_encryption_options
    let policy = server.policy(server.common.has_keystore(base));
    let mut policy_note = format!("internode port policy {policy}");
    if policy == Policy::Optional
        && server.internode_encryption == InternodeEncryption::All
        && !server.common.is_explicitly_optional()
    {
        policy_note.push_str(
            " (Cassandra's quirk: internode_encryption all with a key store and neither enabled nor optional set lets the port accept plaintext; unencrypted peers are refused only after their handshake message)",
        );
        report.push(
            Severity::Warning,
            Check::Policy,
            SERVER,
            policy_note,
            Some("set enabled: true in server_encryption_options so the port is ENCRYPTED"),
        );
    } else {
        report.push(Severity::Ok, Check::Policy, SERVER, policy_note, None);
    }
    if server.common.require_client_auth != ClientAuth::NotRequired
        && matches!(
            server.internode_encryption,
            InternodeEncryption::Dc | InternodeEncryption::Rack
        )
    {
        report.push(
            Severity::Warning,
            Check::Policy,
            SERVER,
            "require_client_auth with internode_encryption dc/rack: a peer claiming the local dc or rack connects in plaintext and skips mutual TLS",
            Some("use internode_encryption: all where mutual TLS matters"),
        );
    }
    if server.internode_encryption != InternodeEncryption::None {
        let mut addresses: Vec<&str> = [
            yaml.node().listen_address.as_deref(),
            yaml.node().broadcast_address.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        addresses.dedup();
        section(
            &mut report,
            yaml,
            SERVER,
            &server.common,
            &[Role::InternodeServer, Role::InternodeClient],
            &addresses,
            true,
            &settings,
            at,
        );
    }

    // client_encryption_options
    let policy = client.policy(client.has_keystore(base));
    report.push(
        Severity::Ok,
        Check::Policy,
        CLIENT,
        format!("native transport port policy {policy}"),
        None,
    );
    if policy != Policy::Unencrypted {
        let mut addresses: Vec<&str> = [
            yaml.node().rpc_address.as_deref(),
            yaml.node().broadcast_rpc_address.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        addresses.dedup();
        section(
            &mut report,
            yaml,
            CLIENT,
            client,
            &[Role::NativeServer],
            &addresses,
            false,
            &settings,
            at,
        );
    }

    // jmx_encryption_options (trunk)
    tools::check_jmx_encryption_options(&mut report, yaml, at);

    if let Some(rc) = cqlshrc {
        tools::cqlsh(&mut report, yaml, rc, &settings);
    }
    report
}
