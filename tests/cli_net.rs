//! `cassandra-tls serve` and `connect`: the JSON contracts, one against the other.
#![cfg(feature = "cli")]

mod common;

use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"));
    c.current_dir(common::root());
    c
}

fn serve(args: &[&str]) -> common::peer::Peer {
    let mut cmd = bin();
    cmd.arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0", "--once", "--json"]);
    common::peer::start(cmd, "listening on ")
}

fn connect(args: &[&str], port: u16) -> (i32, Value) {
    let out = bin()
        .arg("connect")
        .args(args)
        .arg("--json")
        .arg(format!("127.0.0.1:{port}"))
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

/// The server's JSON line (stdout of `serve`).
fn served(peer: &common::peer::Peer) -> Value {
    loop {
        let line = peer
            .lines
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("serve printed nothing");
        if line.starts_with('{') {
            return serde_json::from_str(&line).unwrap();
        }
    }
}

#[test]
fn connect_and_serve_agree() {
    let node1 = common::tools::parse_openssl_fingerprints(
        &std::fs::read_to_string(common::fixtures().join("expected/node1.chain.pem.openssl.txt"))
            .unwrap(),
    )[0]
    .clone();
    for role in ["internode", "client-to-node"] {
        let server = serve(&[
            "--config",
            "fixtures/conf/cassandra.yaml",
            "--role",
            role,
            "--echo",
        ]);
        let (code, c) = connect(
            &[
                "--config",
                "fixtures/conf/cassandra.yaml",
                "--role",
                role,
                "--send",
                "hello node",
            ],
            server.port,
        );
        assert_eq!(code, 0, "{c}");
        assert_eq!(c["ok"], true);
        assert_eq!(c["protocol"], "TLSv1.3");
        assert!(c["cipher_suite"].as_str().unwrap().starts_with("TLS_AES_"));
        assert_eq!(c["peer"]["sha256"], node1.as_str());
        assert_eq!(c["peer"]["subject"], "CN=node1, O=cassandra-tls test");
        assert_eq!(c["received"], "hello node");
        let s = served(&server);
        assert_eq!(s["ok"], true);
        assert_eq!(s["received"], "hello node");
        assert_eq!(
            s["peer"]["sha256"],
            node1.as_str(),
            "the node saw our client certificate"
        );
    }
}

#[test]
fn cqlshrc_client_and_failures() {
    let server = serve(&[
        "--config",
        "fixtures/conf/cassandra.yaml",
        "--role",
        "client-to-node",
        "--echo",
    ]);
    let (code, c) = connect(
        &[
            "--config",
            "fixtures/conf/cassandra.yaml",
            "--role",
            "client-to-node",
            "--cqlshrc",
            "fixtures/conf/cqlshrc",
            "--send",
            "x",
        ],
        server.port,
    );
    assert_eq!(code, 0, "{c}");
    assert_eq!(c["received"], "x");
    assert_eq!(
        served(&server)["peer"]["subject"],
        "CN=client1, O=cassandra-tls test"
    );

    // A client without a certificate against the internode port.
    let dir = tempfile::tempdir().unwrap();
    let y = dir.path().join("client.yaml");
    std::fs::write(
        &y,
        format!(
            "client_encryption_options:\n  enabled: true\n  truststore: {}\n",
            common::fixtures().join("stores/truststore.jks").display()
        ),
    )
    .unwrap();
    let server = serve(&[
        "--config",
        "fixtures/conf/cassandra.yaml",
        "--role",
        "internode",
    ]);
    let (code, c) = connect(
        &[
            "--config",
            y.to_str().unwrap(),
            "--role",
            "client-to-node",
            "--send",
            "x",
        ],
        server.port,
    );
    assert_eq!(code, 1);
    assert_eq!(c["ok"], false);
    assert!(
        ["no_client_certificate", "peer_alert"].contains(&c["error"]["kind"].as_str().unwrap()),
        "{c}"
    );
    let s = served(&server);
    assert_eq!(s["ok"], false);
    assert_eq!(s["error"]["kind"], "no_client_certificate");
}

/// A JSSE server (what Cassandra runs on) that needs a client certificate over TLS 1.3, with
/// the truststore given.
fn jsse_needing_a_client(
    classes: &std::path::Path,
    truststore: &str,
    count: usize,
) -> common::peer::Peer {
    common::peer::start(
        common::java::tls_peer(
            classes,
            "server",
            &[
                format!("keystore={}", common::store_path("node1.jks")),
                "storepass=cassandra".into(),
                format!("truststore={truststore}"),
                "trustpass=cassandra".into(),
                "clientauth=need".into(),
                "protocols=TLSv1.3".into(),
                format!("count={count}"),
            ],
        ),
        "LISTENING ",
    )
}

/// In TLS 1.3 the server reads the client's certificate after the client's side of the
/// handshake is done, so a refusal comes after it: `connect` (without `--send`) waits for the
/// server's answer and exits 1 when the node requires a certificate that was not offered, or
/// refuses the one that was; a certificate the node trusts is still ok.
#[test]
fn connect_waits_for_the_servers_answer_in_mutual_tls() {
    if !common::tools_present(&["java", "javac", "keytool", "openssl"]) {
        return;
    }
    let Some(classes) = common::java::classes() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // A truststore with another CA only (keytool writes it): the node trusts no client here.
    let other_ca = common::openssl_other_ca(dir.path());
    let other_trust = dir.path().join("other-trust.p12");
    let made = Command::new("keytool")
        .args([
            "-importcert",
            "-noprompt",
            "-alias",
            "other",
            "-storetype",
            "PKCS12",
        ])
        .args(["-storepass", "cassandra", "-file"])
        .arg(&other_ca)
        .arg("-keystore")
        .arg(&other_trust)
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    // A client without a certificate.
    let no_cert = dir.path().join("no-cert.yaml");
    std::fs::write(
        &no_cert,
        format!(
            "client_encryption_options:\n  enabled: true\n  truststore: {}\n  truststore_password: cassandra\n",
            common::store_path("truststore.jks")
        ),
    )
    .unwrap();
    let client = |yaml: &str, port| connect(&["--config", yaml, "--role", "client-to-node"], port);

    let trusted = jsse_needing_a_client(&classes, &common::store_path("truststore.jks"), 2);
    let (code, c) = client(no_cert.to_str().unwrap(), trusted.port);
    assert_eq!(code, 1, "no certificate offered, yet: {c}");
    assert_eq!(c["ok"], false, "{c}");
    // What the node asked for: the CAs of its truststore, as OpenSSL prints their subjects.
    let asked = &c["error"]["certificate_request"];
    assert_eq!(asked["asked"], true, "{c}");
    assert!(asked["offered"].is_null(), "{c}");
    let root_ca = openssl_subject(&common::store_path("ca.pem"));
    assert!(authorities(asked).contains(&root_ca), "{root_ca}: {c}");
    // The committed client configuration presents client1, whose CA the node trusts.
    let (code, c) = client("fixtures/conf/cassandra.yaml", trusted.port);
    assert_eq!(code, 0, "{c}");
    assert_eq!(c["protocol"], "TLSv1.3");
    drop(trusted);

    let stranger = jsse_needing_a_client(&classes, other_trust.to_str().unwrap(), 1);
    let (code, c) = client("fixtures/conf/cassandra.yaml", stranger.port);
    assert_eq!(code, 1, "a certificate the node does not trust, yet: {c}");
    assert_eq!(c["ok"], false, "{c}");
    // The node names the one CA it trusts; the client offered node1's certificate.
    let asked = &c["error"]["certificate_request"];
    assert_eq!(
        authorities(asked),
        vec![openssl_subject(other_ca.to_str().unwrap())],
        "{c}"
    );
    assert_eq!(
        normalized(asked["offered"]["subject"].as_str().unwrap_or("")),
        openssl_subject(&common::store_path("node1.chain.pem")),
        "{c}"
    );
    eprintln!("{c}");
}

/// A certificate's subject as OpenSSL prints it (RFC 2253: most specific first, `,` between).
fn openssl_subject(pem: &str) -> String {
    let out = Command::new("openssl")
        .args([
            "x509", "-noout", "-subject", "-nameopt", "RFC2253", "-in", pem,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim().trim_start_matches("subject=").to_owned()
}

/// A DN as Java prints it (`CN=a, O=b`) in RFC 2253's spacing (`CN=a,O=b`).
fn normalized(dn: &str) -> String {
    dn.replace(", ", ",")
}

/// The CA names of a refusal's CertificateRequest, normalized.
fn authorities(asked: &Value) -> Vec<String> {
    asked["authorities"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|n| n.as_str())
                .map(normalized)
                .collect()
        })
        .unwrap_or_default()
}
