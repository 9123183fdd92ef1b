//! `cassandra-tls pki`: what `pki init` writes starts three real Cassandra 5.0 nodes unchanged
//! and they form a TLS cluster; keytool lists every written store; cqlsh from PyPI connects with
//! the written cqlshrc; `doctor` finds no error; `add-node` and `rotate` sign with the right CA
//! (OpenSSL's `verify` says so).
#![cfg(all(feature = "cli", feature = "test-pki"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::cluster::{self, IPS, Ports};

fn ours(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

fn passwords(dir: &Path) -> (String, String) {
    let text = std::fs::read_to_string(dir.join("passwords")).unwrap();
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{k}=")))
            .unwrap()
            .to_owned()
    };
    (get("keystore_password"), get("truststore_password"))
}

/// keytool -list on a written store: (entry kinds, the leaf's SHA-256 of the first entry).
fn keytool_kinds(file: &Path, password: &str) -> Vec<String> {
    let out = Command::new("keytool")
        .args(["-list", "-v", "-keystore"])
        .arg(file)
        .args(["-storepass", password])
        .output()
        .unwrap();
    let text = ok(&out);
    common::tools::parse_keytool_list(&text)
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

/// The first certificate of a key store entry as PEM (keytool -exportcert), checked with
/// `openssl verify` against a CA file.
fn openssl_verifies(store: &Path, password: &str, ca: &Path) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("leaf.pem");
    ok(&Command::new("keytool")
        .args(["-exportcert", "-rfc", "-alias", "node", "-keystore"])
        .arg(store)
        .args(["-storepass", password, "-file"])
        .arg(&cert)
        .output()
        .unwrap());
    Command::new("openssl")
        .arg("verify")
        .arg("-CAfile")
        .arg(ca)
        .arg(&cert)
        .output()
        .unwrap()
        .status
        .success()
}

/// `pki init` for three nodes on 127.0.0.1-3 with free ports, and `extra` arguments: the
/// directory it wrote, the ports and the nodes' addresses. One host: connections between the
/// nodes leave from 127.0.0.1 (FIDELITY.md), hence `--shared-ip`.
fn init_three(tmp: &Path, extra: &[&str]) -> (PathBuf, Ports, Vec<String>) {
    let out = tmp.join("pki");
    let ports = Ports::pick();
    let nodes: Vec<String> = IPS.iter().map(|i| i.to_string()).collect();
    let (storage, native) = (ports.storage.to_string(), ports.native.to_string());
    let mut args = vec![
        "pki",
        "init",
        "--out",
        out.to_str().unwrap(),
        "--shared-ip",
        "127.0.0.1",
        "--storage-port",
        &storage,
        "--native-port",
        &native,
    ];
    let joined = nodes.join(",");
    args.extend(["--nodes", &joined]);
    args.extend(extra);
    ok(&ours(&args));
    (out, ports, nodes)
}

/// The node yamls `pki init` wrote, and doctor's prediction across them.
fn predict(
    out: &Path,
    nodes: &[String],
) -> (
    Vec<cassandra_tls::options::CassandraYaml>,
    cassandra_tls::doctor::ClusterReport,
) {
    let yamls: Vec<_> = nodes
        .iter()
        .map(|ip| {
            cassandra_tls::options::CassandraYaml::load_file(
                out.join("nodes").join(ip).join("cassandra.yaml"),
            )
            .unwrap()
        })
        .collect();
    let r = cassandra_tls::doctor::check_cluster(&yamls, rustls::pki_types::UnixTime::now());
    (yamls, r)
}

fn tools_present() -> bool {
    common::tools_present(&["keytool", "openssl"])
}

#[test]
fn pki_init_starts_a_real_cluster_and_cqlsh_connects() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (out, ports, nodes) = init_three(tmp.path(), &["--clients", "cqlsh,app"]);
    let (kp, tp) = passwords(&out);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for secret in [
            "passwords",
            "ca/ca.key.pem",
            "nodes/127.0.0.1/keystore.p12",
            "clients/cqlsh/cqlsh.key.pem",
        ] {
            let mode = std::fs::metadata(out.join(secret))
                .unwrap()
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{secret}");
        }
    }
    // keytool lists every written store.
    for ip in &nodes {
        let ks = out.join("nodes").join(ip).join("keystore.p12");
        assert_eq!(keytool_kinds(&ks, &kp), ["private_key"]);
        assert!(openssl_verifies(&ks, &kp, &out.join("ca/ca.crt.pem")));
    }
    assert_eq!(
        keytool_kinds(&out.join("truststore.p12"), &tp),
        ["trusted_cert"]
    );
    assert_eq!(
        keytool_kinds(&out.join("truststore-nodetool.p12"), &tp),
        ["trusted_cert"]
    );
    assert_eq!(
        keytool_kinds(&out.join("clients/cqlsh/cqlsh.p12"), &kp),
        ["private_key"]
    );
    // doctor: no error on any node yaml, alone or together.
    let v: serde_json::Value = serde_json::from_slice(
        &ours(&["doctor", "--json", out.join("nodes").to_str().unwrap()]).stdout,
    )
    .unwrap();
    assert_eq!(v["summary"]["errors"], 0, "{v:#}");
    assert_eq!(v["nodes"].as_array().unwrap().len(), 3);
    // And nodetool's and cqlsh's files against a node.
    let v: serde_json::Value = serde_json::from_slice(
        &ours(&[
            "doctor",
            "--json",
            out.join("nodes/127.0.0.1/cassandra.yaml").to_str().unwrap(),
            "--nodetool-ssl",
            out.join("nodetool-ssl.properties").to_str().unwrap(),
            "--cqlshrc",
            out.join("clients/cqlsh/cqlshrc").to_str().unwrap(),
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(v["summary"]["errors"], 0, "{v:#}");
    for section in ["nodetool-ssl.properties", "cqlshrc"] {
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["section"] == section
                    && f["check"] == "self_handshake"
                    && f["severity"] == "ok"),
            "{section}: {v:#}"
        );
    }

    // The yamls as written start three nodes that form a TLS cluster.
    let dirs: [PathBuf; 3] = std::array::from_fn(|i| out.join("nodes").join(&nodes[i]));
    let Some(started) = cluster::start(&dirs, ports) else {
        return;
    };
    let cluster = started.unwrap_or_else(|said| panic!("the pki cluster did not form: {said:#?}"));
    let (ok_status, status) = cluster.nodes[0].nodetool(&["status"]);
    assert!(
        ok_status && status.lines().filter(|l| l.starts_with("UN")).count() == 3,
        "{status}"
    );

    // cqlsh from PyPI with the written cqlshrc (client certificate, validation on).
    if common::which("cqlsh").is_none() {
        common::skip_or_fail("cqlsh (pip install cqlsh) is not on the PATH");
        return;
    }
    let rc = out.join("clients/cqlsh/cqlshrc");
    let said = Command::new("cqlsh")
        .arg("--cqlshrc")
        .arg(&rc)
        .args(["-e", "SELECT release_version FROM system.local"])
        .output()
        .unwrap();
    let text = ok(&said);
    assert!(text.contains(&cluster.version), "{text}");
}

#[test]
fn add_node_and_rotate_sign_with_the_right_ca() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    for store in ["jks", "pkcs12", "pem"] {
        let out = tmp.path().join(store);
        ok(&ours(&[
            "pki",
            "init",
            "--out",
            out.to_str().unwrap(),
            "--nodes",
            "10.0.0.1,10.0.0.2",
            "--dns",
            "10.0.0.1=cass1.example,cass1",
            "--store-type",
            store,
            "--key-type",
            if store == "jks" { "rsa2048" } else { "p384" },
        ]));
        let (kp, tp) = passwords(&out);
        let ext = match store {
            "jks" => "jks",
            "pkcs12" => "p12",
            _ => "pem",
        };
        // A second init into the same directory is refused.
        assert!(
            !ours(&[
                "pki",
                "init",
                "--out",
                out.to_str().unwrap(),
                "--nodes",
                "10.0.0.9"
            ])
            .status
            .success()
        );

        ok(&ours(&[
            "pki",
            "add-node",
            "--out",
            out.to_str().unwrap(),
            "--node",
            "10.0.0.3",
        ]));
        let yaml = out.join("nodes/10.0.0.3/cassandra.yaml");
        assert!(yaml.exists());
        let doctor = ours(&["doctor", "--json", out.join("nodes").to_str().unwrap()]);
        let v: serde_json::Value = serde_json::from_slice(&doctor.stdout).unwrap();
        assert_eq!(v["summary"]["errors"], 0, "{store}: {v:#}");
        assert_eq!(v["nodes"].as_array().unwrap().len(), 3);

        ok(&ours(&["pki", "rotate", "--out", out.to_str().unwrap()]));
        assert!(out.join("ROTATION.txt").exists());
        if store != "pem" {
            assert_eq!(
                keytool_kinds(&out.join(format!("truststore-both.{ext}")), &tp),
                ["trusted_cert", "trusted_cert"]
            );
            for ip in ["10.0.0.1", "10.0.0.2", "10.0.0.3"] {
                let current = out.join(format!("nodes/{ip}/keystore.{ext}"));
                let next = out.join(format!("nodes/{ip}/next/keystore.{ext}"));
                assert!(
                    openssl_verifies(&current, &kp, &out.join("ca/ca.crt.pem")),
                    "{store} {ip}"
                );
                assert!(
                    openssl_verifies(&next, &kp, &out.join("ca-next/ca.crt.pem")),
                    "{store} {ip}"
                );
                assert!(
                    !openssl_verifies(&next, &kp, &out.join("ca/ca.crt.pem")),
                    "{store} {ip}"
                );
            }
        } else {
            // Cassandra's PEM key store: OpenSSL opens the key with the key store password.
            let key = Command::new("openssl")
                .args(["pkey", "-noout", "-passin", &format!("pass:{kp}"), "-in"])
                .arg(out.join("nodes/10.0.0.3/keystore.pem"))
                .output()
                .unwrap();
            ok(&key);
            let bundle = std::fs::read_to_string(out.join("truststore-both.pem")).unwrap();
            assert_eq!(bundle.matches("BEGIN CERTIFICATE").count(), 2);
        }
        // A second rotation while one is staged is refused.
        assert!(
            !ours(&["pki", "rotate", "--out", out.to_str().unwrap()])
                .status
                .success()
        );
    }
}

/// The subject alternative names OpenSSL lists for a PEM certificate, one per entry.
fn openssl_sans(pem: &Path) -> Vec<String> {
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
        .arg(pem)
        .output()
        .unwrap();
    ok(&out)
        .split([',', '\n'])
        .map(str::trim)
        .filter(|s| s.contains(':') && !s.starts_with("X509v3"))
        .map(str::to_owned)
        .collect()
}

/// `pki init --spiffe-trust-domain`: the certificates carry the SPIFFE URIs (as OpenSSL lists
/// them), identities.cql maps each client's, and the node yamls configure certificate login
/// that `explain` accepts, trusting the nodes' shared identity read from the outbound key store.
#[test]
fn pki_writes_certificate_login() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pki");
    ok(&ours(&[
        "pki",
        "init",
        "--out",
        out.to_str().unwrap(),
        "--nodes",
        "127.0.0.1,127.0.0.2",
        "--clients",
        "app1",
        "--spiffe-trust-domain",
        "cassandra.example",
    ]));
    let (keystore_password, _) = passwords(&out);
    // The node's leaf, exported by keytool, and the client's chain: their URIs per OpenSSL.
    let node_pem = dir.path().join("node.pem");
    ok(&Command::new("keytool")
        .args(["-exportcert", "-rfc", "-alias", "node", "-keystore"])
        .arg(out.join("nodes/127.0.0.1/keystore.p12"))
        .args(["-storepass", &keystore_password, "-file"])
        .arg(&node_pem)
        .output()
        .unwrap());
    let node_uri: Vec<String> = openssl_sans(&node_pem)
        .into_iter()
        .filter_map(|s| s.strip_prefix("URI:").map(str::to_owned))
        .collect();
    assert_eq!(node_uri, vec!["spiffe://cassandra.example/cassandra/node"]);
    let client_uri: Vec<String> = openssl_sans(&out.join("clients/app1/app1.chain.pem"))
        .into_iter()
        .filter_map(|s| s.strip_prefix("URI:").map(str::to_owned))
        .collect();
    assert_eq!(client_uri.len(), 1);
    let cql = std::fs::read_to_string(out.join("identities.cql")).unwrap();
    assert!(
        cql.contains(&format!(
            "ADD IDENTITY IF NOT EXISTS '{}' TO ROLE 'app1';",
            client_uri[0]
        )),
        "{cql}"
    );
    assert!(cql.contains("CREATE ROLE IF NOT EXISTS 'app1' WITH LOGIN = true;"));
    // explain: the node starts with certificate login, trusting the node identity.
    let text = ok(&ours(&[
        "explain",
        out.join("nodes/127.0.0.2/cassandra.yaml").to_str().unwrap(),
        "--json",
    ]));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["accepted"], true, "{v}");
    assert_eq!(v["auth"]["client_certificate_login"], "required");
    assert_eq!(
        v["auth"]["trusted_peer_identities"],
        serde_json::json!(node_uri)
    );
    // Across nodes: each node's MutualTlsInternodeAuthenticator trusts the other's identity;
    // with node 2 trusting another identity only, the links into node 2 are refused.
    let load = |ip: &str| {
        cassandra_tls::options::CassandraYaml::load_file(
            out.join(format!("nodes/{ip}/cassandra.yaml")),
        )
        .unwrap()
    };
    let now = rustls::pki_types::UnixTime::now();
    let r = cassandra_tls::doctor::check_cluster(&[load("127.0.0.1"), load("127.0.0.2")], now);
    assert!(r.internode.all_ok(), "{:#?}", r.internode);
    let path = out.join("nodes/127.0.0.2/cassandra.yaml");
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "internode_authenticator:\n  class_name: org.apache.cassandra.auth.MutualTlsInternodeAuthenticator\n  parameters:\n",
        "internode_authenticator:\n  class_name: org.apache.cassandra.auth.MutualTlsInternodeAuthenticator\n  parameters:\n    trusted_peer_identities: spiffe://cassandra.example/someone/else\n",
    );
    std::fs::write(&path, text).unwrap();
    let r = cassandra_tls::doctor::check_cluster(&[load("127.0.0.1"), load("127.0.0.2")], now);
    let into_2 = r.internode.links[0][1].as_ref().unwrap();
    assert!(!into_2.is_ok(), "{into_2:?}");
    assert!(
        into_2
            .refusal()
            .map(ToString::to_string)
            .unwrap_or_default()
            .contains(&format!(
                "does not trust 127.0.0.1's identity '{}'",
                node_uri[0]
            )),
        "{into_2:?}"
    );
    assert!(r.internode.links[1][0].as_ref().unwrap().is_ok());
    // 4.x has no certificate login: pki refuses rather than write yamls that cannot start.
    let old = ours(&[
        "pki",
        "init",
        "--out",
        dir.path().join("old").to_str().unwrap(),
        "--nodes",
        "127.0.0.1",
        "--spiffe-trust-domain",
        "cassandra.example",
        "--cassandra-version",
        "4.1",
    ]);
    assert!(!old.status.success());
}

/// Certificate login between real nodes: the three yamls `pki init --spiffe-trust-domain`
/// writes (MutualTlsAuthenticator, MutualTlsInternodeAuthenticator trusting the identity of
/// the outbound key store) start a 5.0 cluster whose nodes gossip, as doctor's internode matrix
/// predicted before any node ran.
#[test]
fn pki_certificate_login_cluster_gossips() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (out, ports, nodes) = init_three(
        tmp.path(),
        &["--clients", "app", "--spiffe-trust-domain", "cluster.test"],
    );
    // The prediction: every internode link is accepted, identities included.
    let (yamls, r) = predict(&out, &nodes);
    assert!(r.internode.all_ok(), "{:#?}", r.internode);
    assert_eq!(r.count(cassandra_tls::doctor::Severity::Error), 0);
    // The nodes.
    let dirs: [PathBuf; 3] = std::array::from_fn(|i| out.join("nodes").join(&nodes[i]));
    let Some(started) = cluster::start(&dirs, ports) else {
        return;
    };
    let cluster = started.unwrap_or_else(|said| panic!("the cluster did not form: {said:#?}"));
    let (ok_status, status) = cluster.nodes[0].nodetool(&["status"]);
    assert!(
        ok_status && status.lines().filter(|l| l.starts_with("UN")).count() == 3,
        "{status}"
    );
    // Each node's internode authenticator says which identities it trusts: the ones explain
    // predicted from the same yaml.
    for (node, yaml) in cluster.nodes.iter().zip(&yamls) {
        let predicted = cassandra_tls::explain::explain_loaded(
            "node".into(),
            yaml,
            cassandra_tls::explain::Provider::default(),
        )
        .auth
        .and_then(|a| a.trusted_peer_identities)
        .expect("explain accepts the node");
        let said = node
            .said("Initializing internode authenticator with identities")
            .expect("the node logs its internode identities");
        assert!(
            said.contains(&format!("[{}]", predicted.join(", "))),
            "{said} vs {predicted:?}"
        );
    }
}

/// The same certificate-login cluster with one node's identity missing from the others: node 3
/// sends the client certificate `app` (spiffe://cluster.test/cassandra/client/app) as its
/// outbound certificate, which nodes 1 and 2 do not trust; node 3 still trusts the node
/// identity (endpoint verification off: app's certificate names no address). doctor's internode
/// matrix predicts, before any node runs, that exactly the links
/// out of node 3 are refused, naming the identity; then the real 5.0 nodes: 1 and 2 form a
/// cluster, each logs Cassandra's refusal of that identity, and neither lists node 3 as Up.
#[test]
fn pki_certificate_login_cluster_with_an_untrusted_node() {
    if !tools_present() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (out, ports, nodes) = init_three(
        tmp.path(),
        &["--clients", "app", "--spiffe-trust-domain", "cluster.test"],
    );
    // app's certificate names no address: endpoint verification is turned off on every node
    // so that its TLS handshake succeeds and the identity is what is refused.
    for ip in &nodes {
        let path = out.join("nodes").join(ip).join("cassandra.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("require_endpoint_verification: true"));
        std::fs::write(
            &path,
            text.replace(
                "require_endpoint_verification: true",
                "require_endpoint_verification: false",
            ),
        )
        .unwrap();
    }
    let third = out.join("nodes").join(&nodes[2]).join("cassandra.yaml");
    let app = out.join("clients/app/app.p12");
    let text = std::fs::read_to_string(&third).unwrap();
    let own_outbound = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("outbound_keystore: "))
        .expect("pki writes outbound_keystore")
        .to_owned();
    let text = text
        .replace(
            &format!("outbound_keystore: {own_outbound}"),
            &format!("outbound_keystore: {}", app.display()),
        )
        .replace(
            "    validator_class_name: org.apache.cassandra.auth.SpiffeCertificateValidator\nserver_encryption_options:",
            "    validator_class_name: org.apache.cassandra.auth.SpiffeCertificateValidator\n    trusted_peer_identities: spiffe://cluster.test/cassandra/node\nserver_encryption_options:",
        );
    assert!(text.contains("trusted_peer_identities"), "{text}");
    std::fs::write(&third, text).unwrap();
    // The identity of app's certificate, as OpenSSL lists it.
    let untrusted = openssl_sans(&out.join("clients/app/app.chain.pem"))
        .into_iter()
        .find_map(|s| s.strip_prefix("URI:").map(str::to_owned))
        .expect("app has a SPIFFE URI");
    // The prediction.
    let (_, r) = predict(&out, &nodes);
    for (from, row) in r.internode.links.iter().enumerate() {
        for (to, link) in row.iter().enumerate() {
            let Some(link) = link else { continue };
            if from == 2 {
                assert!(!link.is_ok(), "{from}->{to}: {link:?}");
                let reason = link.refusal().map(ToString::to_string).unwrap_or_default();
                assert!(
                    reason.contains(&format!(
                        "does not trust {}'s identity '{untrusted}'",
                        nodes[2]
                    )),
                    "{reason}"
                );
            } else {
                assert!(link.is_ok(), "{from}->{to}: {link:?}");
            }
        }
    }
    // The nodes: 1 and 2 form a cluster; node 3 starts but is never Up for them.
    let dirs: [PathBuf; 3] = std::array::from_fn(|i| out.join("nodes").join(&nodes[i]));
    let Some(started) = cluster::start_with(&dirs, ports, &[0, 1]) else {
        return;
    };
    let cluster = started.unwrap_or_else(|said| panic!("nodes 1 and 2 did not form: {said:#?}"));
    for node in &cluster.nodes[..2] {
        let refusal = format!("Unable to authenticate user {untrusted}");
        let said = node
            .said(&refusal)
            .or_else(|| node.wait_for(&refusal, std::time::Duration::from_secs(120)));
        assert!(said.is_some(), "{} never refused {untrusted}", node.ip);
        let (ok_status, status) = node.nodetool(&["status"]);
        assert!(ok_status, "{status}");
        assert!(
            !status
                .lines()
                .any(|l| l.starts_with("UN") && l.split_whitespace().nth(1) == Some(&nodes[2])),
            "{}: {status}",
            node.ip
        );
    }
}
