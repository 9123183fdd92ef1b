//! `doctor` over several nodes: the who-can-talk-to-whom matrices, a rotation's staged CAs,
//! and certificates staged while encryption is off, on clusters written by the test PKI. The
//! expected links follow from the configurations given, as Cassandra's rules decide them
//! (inbound internode always asks for a client certificate; each side checks the other's
//! address when it has require_endpoint_verification).
#![cfg(all(feature = "test-pki", feature = "diagnostics"))]

mod common;

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use cassandra_tls::doctor::{self, Severity};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::test_pki::write::{self, StoreEntry};
use cassandra_tls::test_pki::{Ca, Identity, KeyType};
use rustls::pki_types::UnixTime;

const PASS: &str = "cluster-pass";

struct NodeSpec<'a> {
    ip: &'a str,
    identity: Identity,
    trusted: Vec<&'a Ca>,
    /// Extra lines for server_encryption_options.
    server_extra: &'a str,
    internode: &'a str,
}

fn node<'a>(ca: &Ca, ip: &'a str, trusted: Vec<&'a Ca>) -> NodeSpec<'a> {
    NodeSpec {
        ip,
        identity: ca
            .leaf(ip)
            .ip(ip.parse::<IpAddr>().unwrap())
            .issue()
            .unwrap(),
        trusted,
        server_extra: "",
        internode: "all",
    }
}

/// Writes each node's JKS stores and cassandra.yaml under `root`; returns the yaml paths.
fn write_cluster(root: &Path, nodes: &[NodeSpec<'_>]) -> Vec<PathBuf> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let dir = root.join(format!("node{}", i + 1));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(
                dir.join("keystore.jks"),
                write::jks(&[StoreEntry::key("node", &n.identity)], PASS, PASS).unwrap(),
            )
            .unwrap();
            let aliases: Vec<String> = (0..n.trusted.len()).map(|k| format!("ca{k}")).collect();
            let entries: Vec<StoreEntry<'_>> = n
                .trusted
                .iter()
                .zip(&aliases)
                .map(|(ca, a)| StoreEntry::trusted(a, ca.certificate()))
                .collect();
            std::fs::write(dir.join("truststore.jks"), write::jks(&entries, PASS, PASS).unwrap())
                .unwrap();
            let stores = format!(
                "  keystore: {d}/keystore.jks\n  keystore_password: {PASS}\n  truststore: {d}/truststore.jks\n  truststore_password: {PASS}\n",
                d = dir.display()
            );
            let yaml = format!(
                "listen_address: {ip}\nrpc_address: {ip}\nserver_encryption_options:\n  internode_encryption: {}\n  require_client_auth: true\n  require_endpoint_verification: true\n{stores}{}client_encryption_options:\n  enabled: true\n  require_client_auth: true\n{stores}",
                n.internode,
                n.server_extra,
                ip = n.ip,
            );
            let path = dir.join("cassandra.yaml");
            std::fs::write(&path, yaml).unwrap();
            path
        })
        .collect()
}

fn check(paths: &[PathBuf]) -> doctor::ClusterReport {
    let yamls: Vec<CassandraYaml> = paths
        .iter()
        .map(|p| CassandraYaml::load_file(p).unwrap())
        .collect();
    doctor::check_cluster(&yamls, UnixTime::now())
}

fn cluster_findings(r: &doctor::ClusterReport, check: &str, severity: Severity) -> Vec<String> {
    r.findings
        .iter()
        .filter(|f| f.check == check && f.severity == severity)
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn a_healthy_cluster_links_every_pair() {
    let ca = Ca::root("CA").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let paths = write_cluster(
        tmp.path(),
        &[
            node(&ca, "10.0.0.1", vec![&ca]),
            node(&ca, "10.0.0.2", vec![&ca]),
            node(&ca, "10.0.0.3", vec![&ca]),
        ],
    );
    let r = check(&paths);
    assert!(r.internode.all_ok(), "{:#?}", r.internode);
    assert!(r.client_to_node.all_ok(), "{:#?}", r.client_to_node);
    assert_eq!(r.internode.nodes, ["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    assert!(r.internode.links[0][0].is_none());
    assert_eq!(r.internode.links[0][1].as_ref().unwrap().how(), Some("tls"));
    assert!(cluster_findings(&r, "link", Severity::Error).is_empty());

    // The command, on the directory: exit 0, and the matrix in JSON.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(["doctor", "--json"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["nodes"].as_array().unwrap().len(), 3, "{v:#}");
    assert_eq!(v["cluster"]["internode"]["links"][1][2]["ok"], true);
    assert_eq!(v["cluster"]["client_to_node"]["nodes"][2], "10.0.0.3");
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .arg("doctor")
        .args(&paths)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("internode (row connects to column)"),
        "{text}"
    );
}

#[test]
fn a_truststore_without_the_other_ca_breaks_both_directions() {
    let ca = Ca::root("CA one").unwrap();
    let other = Ca::root("CA two").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // Node 3 has a certificate from the other CA, and trusts both; nodes 1 and 2 trust only
    // the first.
    let paths = write_cluster(
        tmp.path(),
        &[
            node(&ca, "10.0.0.1", vec![&ca]),
            node(&ca, "10.0.0.2", vec![&ca]),
            node(&other, "10.0.0.3", vec![&ca, &other]),
        ],
    );
    let r = check(&paths);
    let ok = |a: usize, b: usize| r.internode.links[a][b].as_ref().unwrap().is_ok();
    assert!(ok(0, 1) && ok(1, 0));
    // 1 and 2 refuse 3's server certificate; 3 reaches them, but they refuse its client
    // certificate (inbound internode asks for one).
    for (a, b) in [(0, 2), (1, 2), (2, 0), (2, 1)] {
        assert!(!ok(a, b), "{a}->{b}: {:#?}", r.internode.links[a][b]);
    }
    let reason = r.internode.links[2][0]
        .as_ref()
        .unwrap()
        .refusal()
        .unwrap()
        .to_string();
    assert!(reason.contains("client certificate"), "{reason}");
    assert!(!cluster_findings(&r, "link", Severity::Error).is_empty());
}

#[test]
fn endpoint_verification_needs_each_nodes_address() {
    let ca = Ca::root("CA").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut wrong = node(&ca, "10.0.0.2", vec![&ca]);
    wrong.identity = ca
        .leaf("10.0.0.2")
        .ip("10.9.9.9".parse().unwrap())
        .issue()
        .unwrap();
    let paths = write_cluster(tmp.path(), &[node(&ca, "10.0.0.1", vec![&ca]), wrong]);
    let r = check(&paths);
    let l01 = r.internode.links[0][1].as_ref().unwrap();
    let l10 = r.internode.links[1][0].as_ref().unwrap();
    assert!(
        !l01.is_ok() && l01.refusal().unwrap().to_string().contains("10.0.0.2"),
        "{l01:?}"
    );
    assert!(
        !l10.is_ok(),
        "node 1 checks node 2's client certificate against its address: {l10:?}"
    );
}

#[test]
fn protocols_and_suites_must_meet() {
    let ca = Ca::root("CA").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut old = node(&ca, "10.0.0.1", vec![&ca]);
    old.server_extra = "  accepted_protocols: [TLSv1.2]\n";
    let mut new = node(&ca, "10.0.0.2", vec![&ca]);
    new.server_extra = "  accepted_protocols: [TLSv1.3]\n";
    // An RSA-only suite list against an EC certificate.
    let mut rsa_only = node(&ca, "10.0.0.3", vec![&ca]);
    rsa_only.server_extra = "  accepted_protocols: [TLSv1.2]\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n";
    let paths = write_cluster(tmp.path(), &[old, new, rsa_only]);
    let r = check(&paths);
    let reason = |a: usize, b: usize| {
        let l = r.internode.links[a][b].as_ref().unwrap();
        assert!(!l.is_ok(), "{a}->{b}");
        l.refusal().unwrap().to_string()
    };
    assert!(reason(0, 1).contains("protocol"), "{}", reason(0, 1));
    assert!(reason(2, 0).contains("key type"), "{}", reason(2, 0));
    // An RSA certificate makes that suite list work.
    let mut rsa = node(&ca, "10.0.0.3", vec![&ca]);
    rsa.identity = ca
        .leaf("10.0.0.3")
        .ip("10.0.0.3".parse().unwrap())
        .key_type(KeyType::Rsa2048)
        .issue()
        .unwrap();
    let mut old = node(&ca, "10.0.0.1", vec![&ca]);
    old.server_extra = "  accepted_protocols: [TLSv1.2]\n";
    let tmp2 = tempfile::tempdir().unwrap();
    let paths = write_cluster(tmp2.path(), &[old, rsa]);
    let r = check(&paths);
    assert!(
        r.internode.links[0][1].as_ref().unwrap().is_ok(),
        "{:#?}",
        r.internode
    );
}

#[test]
fn a_rotation_half_staged_is_a_warning_and_encryption_off_with_stores_is_staged() {
    let ca = Ca::root("current CA").unwrap();
    let next = Ca::root("next CA").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let paths = write_cluster(
        tmp.path(),
        &[
            node(&ca, "10.0.0.1", vec![&ca, &next]),
            node(&ca, "10.0.0.2", vec![&ca, &next]),
            node(&ca, "10.0.0.3", vec![&ca]),
        ],
    );
    let r = check(&paths);
    assert!(r.internode.all_ok());
    let warnings = cluster_findings(&r, "rotation", Severity::Warning);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("next CA") && w.contains("10.0.0.3")),
        "{warnings:#?}"
    );
    // Staged everywhere: fine.
    let tmp = tempfile::tempdir().unwrap();
    let paths = write_cluster(
        tmp.path(),
        &[
            node(&ca, "10.0.0.1", vec![&ca, &next]),
            node(&ca, "10.0.0.2", vec![&ca, &next]),
        ],
    );
    let r = check(&paths);
    assert!(cluster_findings(&r, "rotation", Severity::Warning).is_empty());
    assert_eq!(
        cluster_findings(&r, "rotation", Severity::Ok).len(),
        2,
        "{:#?}",
        r.findings
    );

    // Internode encryption off on one node, with its stores in place; node 1's port is
    // explicitly ENCRYPTED (enabled: true).
    let tmp = tempfile::tempdir().unwrap();
    let mut off = node(&ca, "10.0.0.2", vec![&ca]);
    off.internode = "none";
    let mut on = node(&ca, "10.0.0.1", vec![&ca]);
    on.server_extra = "  enabled: true\n";
    let paths = write_cluster(tmp.path(), &[on, off]);
    let r = check(&paths);
    let staged = cluster_findings(&r, "staged", Severity::Warning);
    assert!(
        staged
            .iter()
            .any(|s| s.contains("10.0.0.2") && s.contains("internode")),
        "{staged:#?}"
    );
    // Node 2 connects in plaintext, which node 1's ENCRYPTED port refuses. Node 1 encrypts,
    // and node 2's port, with a key store and neither enabled nor optional set, is OPTIONAL by
    // Cassandra's rule (ServerEncryptionOptions): it accepts TLS.
    let l10 = r.internode.links[1][0].as_ref().unwrap();
    assert!(
        !l10.is_ok() && l10.refusal().unwrap().to_string().contains("plaintext"),
        "{l10:?}"
    );
    assert_eq!(r.internode.links[0][1].as_ref().unwrap().how(), Some("tls"));
}

fn fixture_cluster(names: &[&str]) -> doctor::ClusterReport {
    let yamls: Vec<CassandraYaml> = names.iter().map(|n| common::conf_yaml(n)).collect();
    doctor::check_cluster(&yamls, UnixTime::now())
}

fn jsse_classes() -> Option<PathBuf> {
    let dir = common::java::classes();
    if dir.is_none() {
        common::skip_or_fail("a JDK (java and javac) is not on the PATH");
    }
    dir
}

fn opts(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

/// A node whose key store holds an EC key first and an RSA key second (multi-key.jks), and a
/// peer whose `cipher_suites` leave only `TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384` (TLSv1.2): the
/// server answers with its RSA key, as JSSE's key manager picks the key the suite needs. The
/// hand-written model judged the first key only and refused the link ("the TLSv1.2 suites in
/// common need another key type"); the handshake accepts it, and so do a JSSE server with the
/// same store and a JSSE client with the same suite.
#[test]
fn a_second_key_that_fits_the_peers_suites_is_used_as_jsse_uses_it() {
    let r = fixture_cluster(&["cassandra-ciphers.yaml", "cassandra-multikey.yaml"]);
    let link = r.internode.links[0][1].as_ref().unwrap();
    match link {
        doctor::Link::Tls {
            protocol,
            cipher_suite,
            ..
        } => {
            assert_eq!(*protocol, "TLSv1.2");
            assert_eq!(*cipher_suite, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
        }
        other => panic!("{other:?}"),
    }
    assert!(r.internode.all_ok(), "{:#?}", r.internode);
    // Java agrees: Cassandra's SSLContext (TlsPeer) with multi-key.jks serves that suite.
    let Some(dir) = jsse_classes() else { return };
    let (multi, node1, trust) = (
        common::store_path("multi-key.jks"),
        common::store_path("node1.jks"),
        common::store_path("truststore.jks"),
    );
    let server = common::peer::start(
        common::java::tls_peer(
            &dir,
            "server",
            &opts(&[
                ("keystore", &multi),
                ("storepass", "cassandra"),
                ("truststore", &trust),
                ("trustpass", "cassandra"),
                ("clientauth", "need"),
                ("verify", "true"),
            ]),
        ),
        "LISTENING ",
    );
    let port = server.port.to_string();
    let out = common::java::tls_peer(
        &dir,
        "client",
        &opts(&[
            ("keystore", &node1),
            ("storepass", "cassandra"),
            ("truststore", &trust),
            ("trustpass", "cassandra"),
            ("verify", "true"),
            ("protocols", "TLSv1.2"),
            ("ciphers", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
            ("port", &port),
        ]),
    )
    .output()
    .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("RECEIVED PING TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A node whose `store_type: JCEKS` names a PKCS12 file builds no TLS config at all (the JDK's
/// JCEKS key store cannot read it: "Invalid keystore format"), so no TLS link to or from it
/// succeeds. The hand-written model sniffed the file's type and linked it; the real configs
/// refuse, as the JDK does.
#[test]
fn a_node_whose_store_the_jdk_cannot_read_has_no_tls_link() {
    let r = fixture_cluster(&["cassandra.yaml", "broken/wrong-store-type.yaml"]);
    for m in [&r.internode, &r.client_to_node] {
        for (a, b) in [(0, 1), (1, 0)] {
            let link = m.links[a][b].as_ref().unwrap();
            let refusal = link.refusal().unwrap_or_else(|| panic!("{link:?}"));
            assert!(
                refusal.to_string().contains("store_type"),
                "{a}->{b}: {refusal}"
            );
        }
    }
    // The JDK: a JCEKS key store cannot load node1.p12, so TlsPeer never listens (count=0
    // would end it at once if it did).
    let Some(dir) = jsse_classes() else { return };
    let p12 = common::store_path("node1.p12");
    let out = common::java::tls_peer(
        &dir,
        "server",
        &opts(&[
            ("keystore", &p12),
            ("storetype", "JCEKS"),
            ("storepass", "cassandra"),
            ("count", "0"),
        ]),
    )
    .output()
    .unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("LISTENING")
            && String::from_utf8_lossy(&out.stderr).contains("Invalid keystore format"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A node whose yaml gives no address (listen_address, broadcast_address): a peer with
/// require_endpoint_verification has nothing to check its server certificate against (refused,
/// as before), and the peer's inbound check of its client certificate against the address it
/// connects from cannot be made: the link is judged without it, and a warning says so (the
/// hand-written model skipped that check silently).
#[test]
fn a_node_without_an_address_is_linked_with_a_warning() {
    let ca = Ca::root("CA").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let paths = write_cluster(
        tmp.path(),
        &[
            node(&ca, "10.0.0.1", vec![&ca]),
            node(&ca, "10.0.0.2", vec![&ca]),
        ],
    );
    let text = std::fs::read_to_string(&paths[1]).unwrap();
    let text = text.replace("listen_address: 10.0.0.2\n", "");
    std::fs::write(&paths[1], text).unwrap();
    let r = check(&paths);
    let unnamed = r.internode.nodes[1].clone();
    assert!(unnamed.ends_with("cassandra.yaml"), "{unnamed}");
    let into = r.internode.links[0][1].as_ref().unwrap();
    assert!(
        into.refusal()
            .is_some_and(|f| f.to_string().contains("has no address to verify")),
        "{into:?}"
    );
    let out = r.internode.links[1][0].as_ref().unwrap();
    assert!(
        matches!(
            out,
            doctor::Link::Tls {
                client_address_checked: false,
                ..
            }
        ),
        "{out:?}"
    );
    let warnings = cluster_findings(&r, "link", Severity::Warning);
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("internode: 10.0.0.1 checks that")
                && w.contains(&format!("{unnamed}'s yaml gives no IP address"))),
        "{warnings:#?}"
    );
}

/// The handshakes run at the doctor's time (`--at`), not the clock's: long after the
/// certificates' end every link is refused as expired, before their start as not yet valid.
#[test]
fn links_are_judged_at_the_doctors_time() {
    let ca = Ca::root("CA").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let paths = write_cluster(
        tmp.path(),
        &[
            node(&ca, "10.0.0.1", vec![&ca]),
            node(&ca, "10.0.0.2", vec![&ca]),
        ],
    );
    let yamls: Vec<CassandraYaml> = paths
        .iter()
        .map(|p| CassandraYaml::load_file(p).unwrap())
        .collect();
    let now = UnixTime::now().as_secs();
    let decades = 30 * 365 * 24 * 3600;
    for (at, words) in [
        (now + decades, "expired"),
        (now - decades, "not valid before"),
    ] {
        let r = doctor::check_cluster(
            &yamls,
            UnixTime::since_unix_epoch(std::time::Duration::from_secs(at)),
        );
        for m in [&r.internode, &r.client_to_node] {
            let link = m.links[0][1].as_ref().unwrap();
            let reason = link.refusal().map(ToString::to_string).unwrap_or_default();
            assert!(reason.contains(words), "{words}: {link:?}");
        }
    }
}
