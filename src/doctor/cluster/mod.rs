//! Several nodes checked together: who can talk to whom, internode (with endpoint verification
//! as each side configures it) and client-to-node, whether a rotation's next CA is staged on
//! every node, and certificates staged on a node whose encryption is still off.
//!
//! Each ordered pair (A, B) of the internode matrix is A's outbound connection to B's storage
//! port, as Cassandra makes it: A encrypts when its `internode_encryption` is not `none`; B's
//! port accepts what its policy says; the versions and suites of both must meet, with a suite
//! B's key can sign; B's chain must pass A's truststore (naming B's address when A has
//! `require_endpoint_verification`); and, as inbound internode always asks for a client
//! certificate, A's outbound chain must pass B's truststore (naming A's address when B has
//! `require_endpoint_verification`). The client-to-node matrix does the same for a client set
//! up with node A's `client_encryption_options` stores connecting to B's native port.

mod rotation;

use std::fmt;
use std::net::IpAddr;

use rustls::pki_types::UnixTime;
use serde::Serialize;

use super::{Check, Finding, Report, Severity};
use crate::keystore::{Certificate, KeyAlgorithm, KeyStore};
use crate::options::{CassandraYaml, ClientAuth, Policy, TlsVersion};
use crate::tls::{self, ExpiredPeer, Role, TlsSettings, Usage};

use rotation::rotation;

const CLUSTER: &str = "cluster";

/// Whether one node can reach another, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// Whether the connection succeeds.
    pub ok: bool,
    /// `tls` or `plaintext` when it succeeds.
    pub how: Option<&'static str>,
    /// Why not, when it fails.
    pub reason: Option<String>,
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.ok, self.how, &self.reason) {
            (true, Some(how), _) => f.pad(how),
            (true, None, _) => f.pad("ok"),
            (false, _, _) => f.pad("REFUSED"),
        }
    }
}

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
        self.links.iter().flatten().flatten().all(|l| l.ok)
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
    requires_client_cert: bool,
    endpoint_verification: bool,
    versions: Vec<TlsVersion>,
    /// IANA codes; None = the defaults.
    suites: Option<Vec<(u16, TlsVersion)>>,
    key: Option<KeyAlgorithm>,
    /// The key store's type, as detected from its bytes.
    store_type: Option<crate::keystore::StoreType>,
    staged: bool,
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

fn side(node: &tls::Node, internode: bool, settings: &TlsSettings) -> Side {
    let (server_role, client_role) = if internode {
        (Role::InternodeServer, Role::InternodeClient)
    } else {
        (Role::NativeServer, Role::NativeClient)
    };
    let section = server_role.options(node.resolved());
    let policy = section.policy;
    let encrypts = if internode {
        section.enabled
    } else {
        policy != Policy::Unencrypted
    };
    let (server_chain, key, store_type) =
        first_chain(node.key_store(server_role, settings).ok().flatten());
    let (client_chain, _, _) = first_chain(node.key_store(client_role, settings).ok().flatten());
    let anchors = node.trust_anchors(server_role).ok();
    let (versions, suites) = match (section.protocols(), section.cipher_suites()) {
        (Ok(_), Ok(c)) => (
            c.versions.clone(),
            c.suites
                .as_ref()
                .map(|s| s.iter().map(|s| (s.iana, s.version)).collect()),
        ),
        (Ok(p), Err(_)) => (p.versions.clone(), Some(Vec::new())),
        (Err(_), _) => (Vec::new(), None),
    };
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
        requires_client_cert: section.server_client_auth() == ClientAuth::Required,
        endpoint_verification: section.endpoint_verification,
        versions,
        suites,
        key,
        store_type,
        staged,
    }
}

/// Whether a TLSv1.2 suite can be used with a server key of this algorithm.
fn suite_fits_key(iana: u16, key: Option<&KeyAlgorithm>) -> bool {
    let ecdsa = matches!(iana, 0xc02b | 0xc02c | 0xcca9);
    match key {
        Some(KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss) => !ecdsa,
        Some(KeyAlgorithm::Ec(_) | KeyAlgorithm::Ed25519) => ecdsa,
        _ => true,
    }
}

/// The suites of a side for one version: configured, or rustls' defaults.
fn suites(s: &Side, version: TlsVersion) -> Vec<u16> {
    match &s.suites {
        Some(list) => list
            .iter()
            .filter(|(_, v)| *v == version)
            .map(|(i, _)| *i)
            .collect(),
        None => crate::options::SUPPORTED_SUITES
            .iter()
            .filter(|s| s.version == version)
            .map(|s| s.iana)
            .collect(),
    }
}

/// Whether the two sides agree on a version and a suite the server's key can use.
fn negotiate(from: &Side, to: &Side) -> Result<(), String> {
    let common: Vec<TlsVersion> = from
        .versions
        .iter()
        .filter(|v| to.versions.contains(v))
        .copied()
        .collect();
    if common.is_empty() {
        return Err("no protocol version in common (accepted_protocols)".into());
    }
    let meet =
        |a: Vec<u16>, b: Vec<u16>| a.into_iter().filter(|s| b.contains(s)).collect::<Vec<_>>();
    if common.contains(&TlsVersion::Tls13)
        && !meet(
            suites(from, TlsVersion::Tls13),
            suites(to, TlsVersion::Tls13),
        )
        .is_empty()
    {
        return Ok(());
    }
    if common.contains(&TlsVersion::Tls12) {
        let both = meet(
            suites(from, TlsVersion::Tls12),
            suites(to, TlsVersion::Tls12),
        );
        if both.iter().any(|s| suite_fits_key(*s, to.key.as_ref())) {
            return Ok(());
        }
        if !both.is_empty() {
            return Err(format!(
                "the TLSv1.2 suites in common need another key type than the server's {}",
                to.key
                    .as_ref()
                    .map(|k| format!("{k:?}"))
                    .unwrap_or_default()
            ));
        }
    }
    Err("no cipher suite in common (cipher_suites)".into())
}

fn refused(reason: String) -> Option<Link> {
    Some(Link {
        ok: false,
        how: None,
        reason: Some(reason),
    })
}

fn link(from: &Node, to: &Node, internode: bool, at: UnixTime) -> Option<Link> {
    let (a, b) = if internode {
        (&from.internode, &to.internode)
    } else {
        (&from.native, &to.native)
    };
    let port = if internode {
        "storage port"
    } else {
        "native port"
    };
    match (a.encrypts, b.policy) {
        (true, Policy::Unencrypted) => {
            return refused(format!(
                "{} encrypts; {}'s {port} does not speak TLS",
                from.name, to.name
            ));
        }
        (false, Policy::Encrypted) => {
            return refused(format!(
                "{} connects in plaintext; {}'s {port} accepts only TLS",
                from.name, to.name
            ));
        }
        (false, _) => {
            return Some(Link {
                ok: true,
                how: Some("plaintext"),
                reason: None,
            });
        }
        (true, _) => {}
    }
    if let Err(e) = negotiate(a, b) {
        return refused(e);
    }
    let Some(chain) = &b.server_chain else {
        return refused(format!(
            "{} has no usable key store for its {port}",
            to.name
        ));
    };
    let Some(anchors) = &a.anchors else {
        return refused(format!("{}'s truststore cannot be read", from.name));
    };
    let name = (a.endpoint_verification)
        .then_some(to.address.as_deref())
        .flatten();
    if a.endpoint_verification && name.is_none() {
        return refused(format!("{} has no address to verify", to.name));
    }
    if let Err(e) = tls::verify_chain(chain, anchors, Usage::Server, name, at, ExpiredPeer::Refuse)
    {
        return refused(format!(
            "{} refuses {}'s certificate: {e}",
            from.name, to.name
        ));
    }
    if b.requires_client_cert {
        let Some(client_chain) = &a.client_chain else {
            return refused(format!(
                "{} requires a client certificate and {} has none to send",
                to.name, from.name
            ));
        };
        let Some(b_anchors) = &b.anchors else {
            return refused(format!("{}'s truststore cannot be read", to.name));
        };
        let name = b
            .endpoint_verification
            .then_some(from.address.as_deref())
            .flatten();
        if let Err(e) = tls::verify_chain(
            client_chain,
            b_anchors,
            Usage::Client,
            name,
            at,
            ExpiredPeer::Refuse,
        ) {
            return refused(format!(
                "{} refuses {}'s client certificate: {e}",
                to.name, from.name
            ));
        }
        // Certificate login between nodes: the inbound side's MutualTlsInternodeAuthenticator.
        if internode
            && let Some(Err(refusal)) = to
                .auth
                .as_ref()
                .and_then(|a| a.authenticate_peer(client_chain, at))
        {
            let by = format!("{}'s MutualTlsInternodeAuthenticator", to.name);
            return refused(match refusal {
                tls::PeerRefusal::NoIdentity(e) => format!("{by} refuses {}: {e}", from.name),
                tls::PeerRefusal::Untrusted(identity) => format!(
                    "{by} does not trust {}'s identity '{identity}' (it trusts {:?})",
                    from.name,
                    to.auth
                        .as_ref()
                        .and_then(|a| a.trusted_peer_identities.as_deref())
                        .unwrap_or_default()
                ),
                tls::PeerRefusal::ValidityPeriod { identity, exceeded } => format!(
                    "{by} refuses {}'s identity '{identity}': {exceeded}",
                    from.name
                ),
            });
        }
    }
    Some(Link {
        ok: true,
        how: Some("tls"),
        reason: None,
    })
}

fn matrix(nodes: &[Node], internode: bool, at: UnixTime) -> Matrix {
    Matrix {
        nodes: nodes.iter().map(|n| n.name.clone()).collect(),
        links: nodes
            .iter()
            .enumerate()
            .map(|(i, a)| {
                nodes
                    .iter()
                    .enumerate()
                    .map(|(j, b)| {
                        if i == j {
                            None
                        } else {
                            link(a, b, internode, at)
                        }
                    })
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
        address: address.map(|a| a.parse::<IpAddr>().map(|ip| ip.to_string()).unwrap_or(a)),
        internode: side(tls_node, true, settings),
        native: side(tls_node, false, settings),
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
    let mut findings = Vec::new();
    for n in &nodes {
        for (side, what, key) in [
            (
                &n.internode,
                "internode",
                "server_encryption_options.internode_encryption",
            ),
            (
                &n.native,
                "client-to-node",
                "client_encryption_options.enabled",
            ),
        ] {
            if side.staged {
                findings.push(Finding {
                    severity: Severity::Warning,
                    check: Check::Staged,
                    section: CLUSTER,
                    message: format!(
                        "{}: certificates are staged for {what} encryption, which is still off",
                        n.name
                    ),
                    fix: Some(format!(
                        "when every node has its certificates, turn {key} on (with optional: true first for a rolling change)"
                    )),
                });
            }
        }
    }
    // Store types never meet on the wire (each node reads its own), but key types do: say what
    // each node holds, next to the matrix that judges the key types against the suites.
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
    if nodes.len() > 1 {
        findings.push(Finding {
            severity: Severity::Ok,
            check: Check::Stores,
            section: CLUSTER,
            message: format!(
                "internode key stores: {} (each node reads only its own store; the key types are checked against the cipher suites of every pair)",
                holdings.join(", ")
            ),
            fix: None,
        });
    }
    let internode = matrix(&nodes, true, at);
    let client_to_node = matrix(&nodes, false, at);
    for (m, what) in [
        (&internode, "internode"),
        (&client_to_node, "client-to-node"),
    ] {
        let mut bad = 0;
        for (i, row) in m.links.iter().enumerate() {
            for (j, l) in row.iter().enumerate() {
                if let Some(l) = l.as_ref().filter(|l| !l.ok) {
                    bad += 1;
                    findings.push(Finding {
                        severity: Severity::Error,
                        check: Check::Link,
                        section: CLUSTER,
                        message: format!(
                            "{what}: {} cannot connect to {}: {}",
                            m.nodes[i],
                            m.nodes[j],
                            l.reason.as_deref().unwrap_or("refused")
                        ),
                        fix: Some("give every node a certificate from a CA that every truststore holds, naming its address, and compatible protocols and cipher suites".into()),
                    });
                }
            }
        }
        if bad == 0 && nodes.len() > 1 {
            findings.push(Finding {
                severity: Severity::Ok,
                check: Check::Link,
                section: CLUSTER,
                message: format!("{what}: every node can connect to every other"),
                fix: None,
            });
        }
    }
    rotation(&nodes, true, at, &mut findings);
    rotation(&nodes, false, at, &mut findings);
    ClusterReport {
        nodes: nodes.iter().map(|n| n.name.clone()).zip(reports).collect(),
        internode,
        client_to_node,
        findings,
    }
}
