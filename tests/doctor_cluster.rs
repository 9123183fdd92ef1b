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
    assert_eq!(r.internode.links[0][1].as_ref().unwrap().how, Some("tls"));
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
    let ok = |a: usize, b: usize| r.internode.links[a][b].as_ref().unwrap().ok;
    assert!(ok(0, 1) && ok(1, 0));
    // 1 and 2 refuse 3's server certificate; 3 reaches them, but they refuse its client
    // certificate (inbound internode asks for one).
    for (a, b) in [(0, 2), (1, 2), (2, 0), (2, 1)] {
        assert!(!ok(a, b), "{a}->{b}: {:#?}", r.internode.links[a][b]);
    }
    let reason = r.internode.links[2][0]
        .as_ref()
        .unwrap()
        .reason
        .clone()
        .unwrap();
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
        !l01.ok && l01.reason.as_deref().unwrap().contains("10.0.0.2"),
        "{l01:?}"
    );
    assert!(
        !l10.ok,
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
        assert!(!l.ok, "{a}->{b}");
        l.reason.clone().unwrap()
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
        r.internode.links[0][1].as_ref().unwrap().ok,
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
        !l10.ok && l10.reason.as_deref().unwrap().contains("plaintext"),
        "{l10:?}"
    );
    assert_eq!(r.internode.links[0][1].as_ref().unwrap().how, Some("tls"));
}
