//! Several nodes checked together: who can talk to whom, internode (with endpoint verification
//! as each side configures it) and client-to-node, whether a rotation's next CA is staged on
//! every node, and certificates staged on a node whose encryption is still off.
//!
//! Each ordered pair (A, B) of the internode matrix is A's outbound connection to B's storage
//! port, as Cassandra makes it: A encrypts when its `internode_encryption` is not `none`, and
//! B's port accepts what its policy says. When both speak TLS, the link is what the handshake
//! says: A's real outbound client config runs against B's real internode server config in
//! memory, at the doctor's time, A naming B's address and B seeing the connection come from A's
//! address (each checks the other's certificate against it with
//! `require_endpoint_verification`); then B's `MutualTlsInternodeAuthenticator` judges the
//! chain B received. The client-to-node matrix does the same for a client set up with node A's
//! `client_encryption_options` stores connecting to B's native port.

mod link;
mod rotation;

use rustls::pki_types::UnixTime;
use serde::Serialize;

use super::{Check, Finding, Report, Severity};
use crate::error::Error;
use crate::keystore::{Certificate, KeyAlgorithm, KeyStore};
use crate::options::{CassandraYaml, Policy, TlsVersion};
use crate::tls::{self, ClientTls, ServerTls, TlsSettings};

pub use link::{Channel, Link, Refusal, RefusalReason};
use rotation::rotation;

const CLUSTER: &str = "cluster";

/// Who can talk to whom: `links[a][b]` is node `a` connecting to node `b` (`None` on the
/// diagonal).
#[derive(Clone, Debug, Serialize)]
pub struct Matrix {
    /// The nodes, by address (or file when the yaml names none).
    pub nodes: Vec<String>,
    /// The links, row = from, column = to.
    pub links: Vec<Vec<Option<Link>>>,
}

impl Matrix {
    /// Whether every link succeeds.
    pub fn all_ok(&self) -> bool {
        self.links.iter().flatten().flatten().all(Link::is_ok)
    }
}

/// Several nodes' reports and what holds between them.
#[derive(Clone, Debug)]
pub struct ClusterReport {
    /// Each node's own report, in the order given, with its name.
    pub nodes: Vec<(String, Report)>,
    /// Internode: node A's outbound connection to node B's storage port.
    pub internode: Matrix,
    /// Client-to-node: a client with node A's client_encryption_options stores, to B's native
    /// port.
    pub client_to_node: Matrix,
    /// Findings across nodes (section `cluster`).
    pub findings: Vec<Finding>,
}

impl ClusterReport {
    /// How many findings of this severity, in every node's report and across nodes.
    pub fn count(&self, severity: Severity) -> usize {
        self.nodes
            .iter()
            .map(|(_, r)| r.count(severity))
            .sum::<usize>()
            + self
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .count()
    }
}

/// One side (internode or client-to-node) of one node.
struct Side {
    /// The node encrypts its outbound connections (internode), or its clients do (native).
    encrypts: bool,
    /// The port's policy.
    policy: Policy,
    server_chain: Option<Vec<Certificate>>,
    client_chain: Option<Vec<Certificate>>,
    anchors: Option<Vec<Certificate>>,
    /// The versions the section's configs enable (`accepted_protocols` with a suite).
    versions: Vec<TlsVersion>,
    /// The algorithm of the server key store's first key.
    key: Option<KeyAlgorithm>,
    /// The key store's type, as detected from its bytes.
    store_type: Option<crate::keystore::StoreType>,
    staged: bool,
    /// The node's real client config for this channel (what the matrix runs).
    client: Result<ClientTls, Error>,
    /// The node's real server config for this channel.
    server: Result<ServerTls, Error>,
}

struct Node {
    name: String,
    address: Option<String>,
    internode: Side,
    native: Side,
    /// The node's authenticators (`None` when it would not start): its
    /// `MutualTlsInternodeAuthenticator` checks every inbound internode connection's
    /// certificate.
    auth: Option<tls::AuthSetup>,
}

impl Node {
    fn side(&self, channel: Channel) -> &Side {
        match channel {
            Channel::Internode => &self.internode,
            Channel::ClientToNode => &self.native,
        }
    }
}

type Chosen = (
    Option<Vec<Certificate>>,
    Option<KeyAlgorithm>,
    Option<crate::keystore::StoreType>,
);

fn first_chain(store: Option<KeyStore>) -> Chosen {
    let store_type = store.as_ref().map(KeyStore::store_type);
    match store.as_ref().and_then(|s| s.private_keys().next()) {
        Some(k) if !k.chain().is_empty() => {
            (Some(k.chain().to_vec()), k.key_algorithm(), store_type)
        }
        _ => (None, None, store_type),
    }
}

fn side(node: &tls::Node, channel: Channel, settings: &TlsSettings) -> Side {
    let (server_role, client_role) = (channel.server_role(), channel.client_role());
    let section = tls::Role::from(server_role).options(node.resolved());
    let policy = section.policy;
    let encrypts = match channel {
        Channel::Internode => section.enabled,
        Channel::ClientToNode => policy != Policy::Unencrypted,
    };
    let (server_chain, key, store_type) =
        first_chain(node.key_store(server_role.into(), settings).ok().flatten());
    let (client_chain, _, _) =
        first_chain(node.key_store(client_role.into(), settings).ok().flatten());
    let anchors = node.trust_anchors(server_role.into()).ok();
    // The versions the configs are built with (those a configured suite serves).
    let versions = section
        .cipher_suites()
        .map(|c| c.versions.clone())
        .unwrap_or_default();
    // Certificates in place while the node does not use them: internode_encryption none, or
    // client_encryption_options not enabled (the port may still accept TLS, by Cassandra's
    // optional-by-default rule, but nothing requires it).
    let staged = server_chain.is_some() && !section.enabled;
    Side {
        encrypts,
        policy,
        server_chain,
        client_chain,
        anchors,
        versions,
        key,
        store_type,
        staged,
        client: node.client_config(client_role, settings),
        server: node.server_config(server_role, settings),
    }
}

fn matrix(nodes: &[Node], channel: Channel, at: UnixTime) -> Matrix {
    Matrix {
        nodes: nodes.iter().map(|n| n.name.clone()).collect(),
        links: nodes
            .iter()
            .enumerate()
            .map(|(i, a)| {
                nodes
                    .iter()
                    .enumerate()
                    .map(|(j, b)| (i != j).then(|| link::link(a, b, channel, at)))
                    .collect()
            })
            .collect(),
    }
}

fn node(tls_node: &tls::Node, settings: &TlsSettings) -> Node {
    let yaml = tls_node.resolved().yaml();
    let facts = yaml.node();
    let address = facts
        .broadcast_address
        .clone()
        .or_else(|| facts.listen_address.clone())
        .filter(|a| !a.trim().is_empty());
    let name = address.clone().unwrap_or_else(|| yaml.origin().to_string());
    Node {
        name,
        address: address.map(|a| {
            a.parse::<std::net::IpAddr>()
                .map(|ip| ip.to_string())
                .unwrap_or(a)
        }),
        internode: side(tls_node, Channel::Internode, settings),
        native: side(tls_node, Channel::ClientToNode, settings),
        auth: tls::check_authenticators(tls_node).ok(),
    }
}

/// Checks every node alone ([`super::check`]), then across nodes at time `at`.
pub fn check_cluster(yamls: &[CassandraYaml], at: UnixTime) -> ClusterReport {
    check_cluster_with(yamls, at, &super::ExpiryPolicy::default())
}

/// [`check_cluster`], warning of expiry by `expiry`.
pub fn check_cluster_with(
    yamls: &[CassandraYaml],
    at: UnixTime,
    expiry: &super::ExpiryPolicy,
) -> ClusterReport {
    let settings = TlsSettings {
        now: Some(at),
        ..Default::default()
    };
    // One resolved node each: its stores are read once for its own checks and the matrix.
    let resolved: Vec<tls::Node> = yamls.iter().map(tls::Node::new).collect();
    let reports: Vec<Report> = resolved
        .iter()
        .map(|n| super::check_node_with(n, None, at, expiry))
        .collect();
    let mut nodes: Vec<Node> = resolved.iter().map(|n| node(n, &settings)).collect();
    // Two yamls without addresses would share a name: keep names apart.
    for i in 0..nodes.len() {
        if nodes[..i].iter().any(|n| n.name == nodes[i].name) {
            nodes[i].name = format!("{}#{}", nodes[i].name, i + 1);
        }
    }
    let mut findings = staged(&nodes);
    if nodes.len() > 1 {
        findings.push(holdings(&nodes));
    }
    let internode = matrix(&nodes, Channel::Internode, at);
    let client_to_node = matrix(&nodes, Channel::ClientToNode, at);
    for (m, channel) in [
        (&internode, Channel::Internode),
        (&client_to_node, Channel::ClientToNode),
    ] {
        link_findings(m, channel, &mut findings);
    }
    rotation(&nodes, Channel::Internode, at, &mut findings);
    rotation(&nodes, Channel::ClientToNode, at, &mut findings);
    ClusterReport {
        nodes: nodes.iter().map(|n| n.name.clone()).zip(reports).collect(),
        internode,
        client_to_node,
        findings,
    }
}

/// Certificates in place on a node whose encryption of that channel is still off.
fn staged(nodes: &[Node]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for n in nodes {
        for (channel, key) in [
            (
                Channel::Internode,
                "server_encryption_options.internode_encryption",
            ),
            (Channel::ClientToNode, "client_encryption_options.enabled"),
        ] {
            if n.side(channel).staged {
                findings.push(Finding {
                    severity: Severity::Warning,
                    check: Check::Staged,
                    section: CLUSTER,
                    message: format!(
                        "{}: certificates are staged for {} encryption, which is still off",
                        n.name,
                        channel.name()
                    ),
                    fix: Some(format!(
                        "when every node has its certificates, turn {key} on (with optional: true first for a rolling change)"
                    )),
                });
            }
        }
    }
    findings
}

/// Store types never meet on the wire (each node reads its own), but key types do: what each
/// node holds, next to the matrix that judges the key types against the suites.
fn holdings(nodes: &[Node]) -> Finding {
    let holdings: Vec<String> = nodes
        .iter()
        .map(|n| {
            let side = &n.internode;
            format!(
                "{} {} {}",
                n.name,
                side.store_type.map(|t| t.name()).unwrap_or("no key store"),
                side.key.as_ref().map(|k| k.name()).unwrap_or_default()
            )
            .trim_end()
            .to_owned()
        })
        .collect();
    Finding {
        severity: Severity::Ok,
        check: Check::Stores,
        section: CLUSTER,
        message: format!(
            "internode key stores: {} (each node reads only its own store; the key types are checked against the cipher suites of every pair)",
            holdings.join(", ")
        ),
        fix: None,
    }
}

/// An error for each refused link (or one ok when every link succeeds), and a warning for each
/// link whose client address could not be checked.
fn link_findings(m: &Matrix, channel: Channel, findings: &mut Vec<Finding>) {
    let what = channel.name();
    let mut bad = 0;
    for (i, row) in m.links.iter().enumerate() {
        for (j, l) in row.iter().enumerate() {
            match l {
                Some(Link::Refused(refusal)) => {
                    bad += 1;
                    findings.push(Finding {
                        severity: Severity::Error,
                        check: Check::Link,
                        section: CLUSTER,
                        message: format!(
                            "{what}: {} cannot connect to {}: {refusal}",
                            m.nodes[i], m.nodes[j]
                        ),
                        fix: Some("give every node a certificate from a CA that every truststore holds, naming its address, and compatible protocols and cipher suites".into()),
                    });
                }
                Some(Link::Tls {
                    client_address_checked: false,
                    ..
                }) => findings.push(Finding {
                    severity: Severity::Warning,
                    check: Check::Link,
                    section: CLUSTER,
                    message: format!(
                        "{what}: {to} checks that {from}'s certificate names the IP address {from} connects from (require_endpoint_verification), and {from}'s yaml gives no IP address (listen_address, broadcast_address): that check was not made",
                        from = m.nodes[i],
                        to = m.nodes[j]
                    ),
                    fix: Some(format!(
                        "give {}'s broadcast_address (or listen_address) as an IP address its certificate names",
                        m.nodes[i]
                    )),
                }),
                _ => {}
            }
        }
    }
    if bad == 0 && m.nodes.len() > 1 {
        findings.push(Finding {
            severity: Severity::Ok,
            check: Check::Link,
            section: CLUSTER,
            message: format!("{what}: every node can connect to every other"),
            fix: None,
        });
    }
}
