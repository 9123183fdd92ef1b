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

mod auth;
mod chain;
mod cluster;
mod expiry;
mod handshake;
mod report;
mod scylla;
mod section;
mod terms;
mod tools;

use rustls::pki_types::UnixTime;

use crate::options::{CassandraYaml, Cqlshrc, InternodeEncryption, OptionWarning, Policy};
use crate::tls::{Node, Role, TlsSettings};

pub use crate::report::{Check, Finding, Severity};
pub(crate) use crate::report::{Validity, days, rfc};
pub use auth::ClientCertificate;
pub use cluster::{
    Channel, ClusterReport, Link, Matrix, Refusal, RefusalReason, check_cluster, check_cluster_with,
};
pub(crate) use expiry::expiry;
pub use expiry::{DEFAULT_WARN_WITHIN, ExpiryPolicy, PROPAGATION};
pub(crate) use handshake::in_memory;
pub use report::Report;
pub use scylla::{check_scylla, check_scylla_with_clients};
pub(crate) use section::file_check;
use section::section;
pub use tools::{JMX, NODETOOL, check_jmx_encryption_options, check_nodetool_ssl};

const SERVER: &str = crate::options::Section::Server.as_str();
const CLIENT: &str = crate::options::Section::Client.as_str();
const CQLSH: &str = "cqlshrc";

/// Checks both encryption sections of `yaml` (and a cqlshrc when given) at time `at`.
pub fn check(yaml: &CassandraYaml, cqlshrc: Option<&Cqlshrc>, at: UnixTime) -> Report {
    check_node(&Node::new(yaml), cqlshrc, at)
}

/// [`check`] on a node already resolved: every check reads its verdicts and stores from it, so
/// each store file is read and decrypted once.
pub fn check_node(node: &Node, cqlshrc: Option<&Cqlshrc>, at: UnixTime) -> Report {
    check_node_with(node, cqlshrc, at, &ExpiryPolicy::default())
}

/// [`check_node`], warning of expiry by `expiry` (how far ahead; cert-manager's renewal window).
pub fn check_node_with(
    node: &Node,
    cqlshrc: Option<&Cqlshrc>,
    at: UnixTime,
    expiry: &ExpiryPolicy,
) -> Report {
    check_node_with_clients(node, cqlshrc, at, expiry, &[])
}

/// [`check_node_with`], and who each client certificate (and the cqlshrc's `usercert`) logs in
/// as with the node's authenticator (certificate login, CEP-34), with the `ADD IDENTITY`
/// statements that map them as fixes.
pub fn check_node_with_clients(
    node: &Node,
    cqlshrc: Option<&Cqlshrc>,
    at: UnixTime,
    expiry: &ExpiryPolicy,
    clients: &[ClientCertificate],
) -> Report {
    // A node made from a scylla.yaml is checked as Scylla runs it (a cqlshrc has no Scylla
    // reading here and is not checked).
    if let Some(scylla) = node.scylla() {
        return check_scylla_with_clients(scylla, at, expiry, clients);
    }
    let mut report = Report::default();
    let settings = TlsSettings {
        now: Some(at),
        ..Default::default()
    };
    let resolved = node.resolved();
    let yaml = resolved.yaml();
    let server = resolved.server();
    let client = resolved.client();

    // What the node does at start-up, as its version and the default provider do it.
    let startup = crate::explain::explain_node(
        yaml.origin().to_string(),
        node,
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
            Some(terms::Terms::of(node).startup_fix()),
        );
    }

    // server_encryption_options
    let internode = server.internode_encryption.unwrap_or_default();
    let mut policy_note = format!("internode port policy {}", server.policy);
    if server.policy == Policy::Optional
        && internode == InternodeEncryption::All
        && !server.options.is_explicitly_optional()
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
    if resolved
        .warnings()
        .contains(&OptionWarning::ClientAuthBypassableWithDcOrRack)
    {
        report.push(
            Severity::Warning,
            Check::Policy,
            SERVER,
            "require_client_auth with internode_encryption dc/rack: a peer claiming the local dc or rack connects in plaintext and skips mutual TLS",
            Some("use internode_encryption: all where mutual TLS matters"),
        );
    }
    if server.enabled {
        let addresses = addresses(&[
            yaml.node().listen_address.as_deref(),
            yaml.node().broadcast_address.as_deref(),
        ]);
        section(
            &mut report,
            node,
            &[Role::InternodeServer, Role::InternodeClient],
            &addresses,
            &settings,
            at,
            expiry,
        );
    }

    // client_encryption_options
    report.push(
        Severity::Ok,
        Check::Policy,
        CLIENT,
        format!("native transport port policy {}", client.policy),
        None,
    );
    if client.policy != Policy::Unencrypted {
        let addresses = addresses(&[
            yaml.node().rpc_address.as_deref(),
            yaml.node().broadcast_rpc_address.as_deref(),
        ]);
        section(
            &mut report,
            node,
            &[Role::NativeServer],
            &addresses,
            &settings,
            at,
            expiry,
        );
    }

    // jmx_encryption_options (6.0)
    tools::jmx_encryption_options(&mut report, node, at);

    if let Some(rc) = cqlshrc {
        tools::cqlsh(&mut report, node, rc, &settings);
    }

    // The authenticators (AuthConfig.applyAuth) and client certificates' identities; the
    // node's own outbound chain, as a peer configured alike receives it.
    let outbound = node
        .key_store(crate::tls::Role::InternodeClient, &settings)
        .ok()
        .flatten()
        .and_then(|store| store.private_keys().next().map(|k| k.chain().to_vec()));
    auth::check(
        &mut report,
        &startup,
        at,
        outbound.as_deref(),
        clients,
        cqlshrc
            .and_then(|rc| rc.get("ssl", "usercert"))
            .map(std::path::PathBuf::from),
    );
    report
}

/// The addresses given, without repeats next to each other.
fn addresses<'a>(given: &[Option<&'a str>]) -> Vec<&'a str> {
    let mut out: Vec<&str> = given.iter().copied().flatten().collect();
    out.dedup();
    out
}
