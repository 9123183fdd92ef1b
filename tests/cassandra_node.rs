//! Against a real Cassandra node (cassandra-all from Maven Central, started by the test):
//! CQL over our sessions, mTLS, internode, optional TLS, and cqlsh.
#![cfg(feature = "diagnostics")]

mod common;

use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use cassandra_tls::handshake::{Detected, Handshake, Session, blocking, detect_tls};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ClientTls, TlsSettings};
use common::cassandra::{self, Node};
use common::cql::{cql_over_tls, options, response};

fn client(yaml: &str, role: ClientRole) -> ClientTls {
    let y = CassandraYaml::from_str(&yaml.replace(
        "{stores}",
        &common::fixtures().join("stores").to_string_lossy(),
    ))
    .unwrap();
    tls::client_config(&y, role, &TlsSettings::default()).unwrap()
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

fn tls_to(client: &ClientTls, port: u16) -> Result<(Session, TcpStream), cassandra_tls::Error> {
    let mut sock = connect(port);
    let (session, _) = blocking::handshake(Handshake::client(client, "127.0.0.1")?, &mut sock)?;
    Ok((session, sock))
}

/// The native port: the one of the node's ports where our TLS handshake completes (the storage
/// port of these nodes is unencrypted and refuses TLS).
fn native_port(node: &Node, client: &ClientTls) -> u16 {
    for port in &node.ports {
        if tls_to(client, *port).is_ok() {
            return *port;
        }
    }
    panic!("no TLS port among {:?}", node.ports);
}

const NATIVE_MTLS: &str = "client_encryption_options:
  enabled: true
  keystore: {stores}/KEYSTORE
  keystore_password: cassandra
  truststore: {stores}/TRUSTSTORE
  truststore_password: cassandra
  require_client_auth: true
STORE_TYPE";

const OUR_CLIENT: &str = "client_encryption_options:
  enabled: true
  keystore: {stores}/node1.jks
  keystore_password: cassandra
  truststore: {stores}/truststore.jks
  truststore_password: cassandra
";

#[test]
fn client_to_node_with_mtls_for_every_store_type() {
    let ours = client(OUR_CLIENT, ClientRole::Native);
    let no_cert = client(
        "client_encryption_options:\n  enabled: true\n  truststore: {stores}/truststore.jks\n",
        ClientRole::Native,
    );
    let untrusted = client(
        "client_encryption_options:\n  enabled: true\n  keystore: {stores}/ed25519.p12\n  keystore_password: cassandra\n  truststore: {stores}/truststore.jks\n",
        ClientRole::Native,
    );
    for (keystore, truststore, store_type) in [
        ("node1.jks", "truststore.jks", ""),
        ("node1.p12", "truststore.p12", "  store_type: PKCS12\n"),
        (
            "node1-keystore.pem",
            "ca-bundle.pem",
            "  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n",
        ),
    ] {
        let section = NATIVE_MTLS
            .replace("KEYSTORE", keystore)
            .replace("TRUSTSTORE", truststore)
            .replace("STORE_TYPE", store_type)
            .replace(
                "  truststore_password: cassandra\n",
                if store_type.contains("PEM") {
                    ""
                } else {
                    "  truststore_password: cassandra\n"
                },
            );
        let Some(node) = cassandra::start(&section, true) else {
            return;
        };
        let port = native_port(&node, &ours);
        let (mut session, mut sock) = tls_to(&ours, port).unwrap();
        let version = cql_over_tls(&mut session, &mut sock);
        assert_eq!(
            version, node.version,
            "{keystore}: release_version is the cassandra-all version Maven resolved"
        );

        // mTLS: no client certificate, and an untrusted one, are refused by the node.
        for (what, c) in [
            ("no certificate", &no_cert),
            ("untrusted certificate", &untrusted),
        ] {
            let refused = match tls_to(c, port) {
                Err(_) => true,
                // TLS 1.3: the client finishes first and learns of the refusal on its first read.
                Ok((mut s, mut sock)) => {
                    let _ = s.send(&options(), &mut sock);
                    s.receive(&mut sock).map(|b| b.is_empty()).unwrap_or(true)
                }
            };
            assert!(
                refused,
                "{keystore}: the node accepted a client with {what}"
            );
        }
    }
}

#[test]
fn internode_with_mutual_auth_and_endpoint_verification() {
    let section = "server_encryption_options:
  internode_encryption: all
  enabled: true
  keystore: {stores}/NODE_KEYSTORE
  keystore_password: cassandra
  truststore: {stores}/truststore.jks
  truststore_password: cassandra
  require_client_auth: true
  require_endpoint_verification: true
STORE_TYPE";
    // Our side: node1 as the outbound key, checking the node's IP SAN.
    let ours = client(
        "server_encryption_options:\n  internode_encryption: all\n  keystore: {stores}/node1.jks\n  keystore_password: cassandra\n  truststore: TRUST\n  truststore_password: cassandra\n  require_endpoint_verification: true\n"
            .replace("TRUST", "{stores}/truststore.jks")
            .as_str(),
        ClientRole::Internode,
    );
    let Some(node) = cassandra::start(
        &section
            .replace("NODE_KEYSTORE", "node1.jks")
            .replace("STORE_TYPE", ""),
        false,
    ) else {
        return;
    };
    let port = node.ports[0];
    let mut sock = connect(port);
    let (session, peer) =
        blocking::handshake(Handshake::client(&ours, "127.0.0.1").unwrap(), &mut sock)
            .expect("internode handshake with the node");
    assert!(peer.ip_addresses().contains(&"127.0.0.1".parse().unwrap()));
    assert!(session.protocol().starts_with("TLSv1."));
    drop(node);

    // A node whose certificate has no IP SAN fails endpoint verification.
    let no_san = section
        .replace("NODE_KEYSTORE", "node-nosan.jks")
        .replace("STORE_TYPE", "");
    let Some(node) = cassandra::start(&no_san, false) else {
        return;
    };
    let mut sock = connect(node.ports[0]);
    let err =
        blocking::handshake(Handshake::client(&ours, "127.0.0.1").unwrap(), &mut sock).unwrap_err();
    assert_eq!(err.kind(), "name_mismatch", "{err}");
}

#[test]
fn optional_tls_on_the_native_port() {
    let section = "client_encryption_options:
  enabled: true
  optional: true
  keystore: {stores}/node1.jks
  keystore_password: cassandra
";
    let Some(node) = cassandra::start(section, true) else {
        return;
    };
    let ours = client(
        "client_encryption_options:\n  enabled: true\n  truststore: {stores}/truststore.jks\n",
        ClientRole::Native,
    );
    let port = native_port(&node, &ours);
    // TLS works...
    let (mut session, mut sock) = tls_to(&ours, port).unwrap();
    assert_eq!(cql_over_tls(&mut session, &mut sock), node.version);
    // ...and so does plaintext CQL on the same port.
    let mut plain = connect(port);
    use std::io::{Read, Write};
    plain.write_all(&options()).unwrap();
    let (op, _) = response(&mut || {
        let mut b = vec![0u8; 4096];
        let n = plain.read(&mut b).unwrap();
        b.truncate(n);
        b
    });
    assert_eq!(op, 0x06, "SUPPORTED over plaintext");
    // Our detect_tls() classifies both first flights as the node did.
    let hello = Handshake::client(&ours, "127.0.0.1")
        .unwrap()
        .pending_output()
        .unwrap()
        .to_vec();
    assert_eq!(detect_tls(&hello), Detected::Tls);
    assert_eq!(detect_tls(&options()), Detected::Plaintext);
    // probe sees both on the OPTIONAL port, and says so.
    let r = cassandra_tls::probe::probe(
        &cassandra_tls::probe::Target::new(
            "127.0.0.1",
            port,
            cassandra_tls::probe::PortKind::Native,
        ),
        &cassandra_tls::probe::ProbeOptions {
            native_client: Some(ours.clone()),
            ..Default::default()
        },
    );
    assert!(r.tls, "{r:#?}");
    assert_eq!(r.plaintext, Some(true), "{r:#?}");
    assert!(
        r.findings
            .iter()
            .any(|f| f.check == "plaintext" && f.severity == "warning"),
        "{:#?}",
        r.findings
    );
}

#[test]
fn cqlsh_from_pypi_connects_over_ssl() {
    let has_cqlsh = common::which("cqlsh").is_some();
    if !has_cqlsh {
        common::skip_or_fail("cqlsh (pip install cqlsh) is not on the PATH");
        return;
    }
    let section = NATIVE_MTLS
        .replace("KEYSTORE", "node1.jks")
        .replace("TRUSTSTORE", "truststore.jks")
        .replace("STORE_TYPE", "");
    let Some(node) = cassandra::start(&section, true) else {
        return;
    };
    let ours = client(OUR_CLIENT, ClientRole::Native);
    let port = native_port(&node, &ours);
    // The fixture cqlshrc (client1, validating against the CA bundle); our parsing of it
    // connects too.
    let rc = common::fixtures().join("conf/cqlshrc");
    let out = Command::new("cqlsh")
        .args(["--ssl", "--cqlshrc"])
        .arg(&rc)
        .args([
            "-e",
            "SELECT release_version FROM system.local",
            "127.0.0.1",
            &port.to_string(),
        ])
        .current_dir(common::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(&node.version),
        "cqlsh: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let file = cassandra_tls::options::Cqlshrc::load_file(&rc).unwrap();
    let ssl = file.ssl_settings("127.0.0.1", &|_| None, None).unwrap();
    let ssl = cassandra_tls::options::CqlshSsl {
        certfile: ssl.certfile.map(|p| common::root().join(p)),
        userkey: ssl.userkey.map(|p| common::root().join(p)),
        usercert: ssl.usercert.map(|p| common::root().join(p)),
        ..ssl
    };
    let cqlsh_like = tls::cqlsh_client_config(&ssl, &TlsSettings::default()).unwrap();
    let (mut session, mut sock) = tls_to(&cqlsh_like, port).unwrap();
    assert_eq!(cql_over_tls(&mut session, &mut sock), node.version);
}

#[test]
fn scylla_driver_example_runs_a_query() {
    let section = NATIVE_MTLS
        .replace("KEYSTORE", "node1.jks")
        .replace("TRUSTSTORE", "truststore.jks")
        .replace("STORE_TYPE", "");
    let Some(node) = cassandra::start(&section, true) else {
        return;
    };
    let ours = client(OUR_CLIENT, ClientRole::Native);
    let port = native_port(&node, &ours);
    // cargo test builds the examples next to the test binaries' directory.
    let exe = std::env::current_exe().unwrap();
    let example = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples/scylla_driver");
    assert!(example.exists(), "{} was not built", example.display());
    let out = Command::new(&example)
        .arg("fixtures/conf/cassandra.yaml")
        .arg(format!("127.0.0.1:{port}"))
        .current_dir(common::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), format!("release_version {}", node.version));

    // The other entry point: the Java driver's settings, no yaml.
    let out = Command::new(&example)
        .args([
            "--driver",
            "fixtures/stores/truststore.jks",
            "cassandra",
            "fixtures/stores/client1.p12",
            "cassandra",
            &format!("127.0.0.1:{port}"),
        ])
        .current_dir(common::root())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), format!("release_version {}", node.version));

    // And our own session from the Python driver's ssl_options.
    let stores = common::fixtures().join("stores");
    let python = cassandra_tls::tls::DriverTls::from_python_driver([
        ("ca_certs", stores.join("ca-bundle.pem").to_str().unwrap()),
        (
            "certfile",
            stores.join("client1.chain.pem").to_str().unwrap(),
        ),
        ("keyfile", stores.join("client1.key.pem").to_str().unwrap()),
        ("cert_reqs", "CERT_REQUIRED"),
        ("check_hostname", "True"),
    ])
    .unwrap()
    .build()
    .unwrap();
    let (mut session, mut sock) = tls_to(&python, port).unwrap();
    assert_eq!(cql_over_tls(&mut session, &mut sock), node.version);
}

/// One node's encryption: client-to-node and internode both mTLS, each section with its own
/// store type (`{stores}` is fixtures/stores).
fn both_sections(client: (&str, &str, &str), server: (&str, &str, &str)) -> String {
    let section = |(keystore, truststore, kind): (&str, &str, &str)| {
        let typed = match kind {
            "PKCS12" => "  store_type: PKCS12\n".to_owned(),
            "PEM" => "  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n".to_owned(),
            _ => String::new(),
        };
        let truststore_password = if kind == "PEM" {
            ""
        } else {
            "  truststore_password: cassandra\n"
        };
        format!(
            "  keystore: {{stores}}/{keystore}\n  keystore_password: cassandra\n  truststore: {{stores}}/{truststore}\n{truststore_password}  require_client_auth: true\n{typed}"
        )
    };
    format!(
        "client_encryption_options:\n  enabled: true\n{}server_encryption_options:\n  internode_encryption: all\n  require_endpoint_verification: true\n{}",
        section(client),
        section(server)
    )
}

/// Whether a TLS client is refused by the node (at the handshake, or, in TLS 1.3, on its first
/// read).
fn refused(client: &ClientTls, port: u16) -> bool {
    match tls_to(client, port) {
        Err(_) => true,
        Ok((mut s, mut sock)) => {
            let _ = s.send(&options(), &mut sock);
            s.receive(&mut sock).map(|b| b.is_empty()).unwrap_or(true)
        }
    }
}

/// A real node of every line on every JDK the line supports that runs here
/// (`CassandraVersion::jdks`: 4.0 and 4.1 on 11, 5.0 on 11, 6.0 on 11, 17 and 21; 5.0 on 17
/// runs in every other test of this file), each with client-to-node and internode mTLS, from JKS
/// and PKCS#12 stores and, from 4.1 on, PEM. Against each: CQL over our mTLS session (the
/// node's release_version is the cassandra-all version Maven resolved), our internode handshake
/// with endpoint verification, clients without a certificate refused on both ports, and
/// `connect`, `probe` and `doctor` agreeing with what the node did. A daemon that does not start
/// fails the test with what it said.
#[test]
fn every_line_on_the_jdks_it_supports() {
    use cassandra_tls::doctor::{self, Severity};
    use cassandra_tls::options::CassandraVersion;
    use cassandra_tls::probe::{ClientAuthMode, PortKind, ProbeOptions, Target, probe};
    for version in CassandraVersion::ALL {
        let line = version.as_str();
        for &jdk in version.jdks() {
            if (line, jdk) == ("5.0", 17) {
                continue;
            }
            let third = if version.has_ssl_context_factory() {
                ("node1-keystore.pem", "ca-bundle.pem", "PEM")
            } else {
                ("node1.p12", "truststore.p12", "PKCS12")
            };
            for (client_stores, server_stores) in [
                (
                    ("node1.jks", "truststore.jks", "JKS"),
                    ("node1.p12", "truststore.p12", "PKCS12"),
                ),
                (third, ("node1.jks", "truststore.jks", "JKS")),
            ] {
                let what = format!(
                    "Cassandra {line} on Java {jdk}, client {} and internode {}",
                    client_stores.2, server_stores.2
                );
                let sections = both_sections(client_stores, server_stores);
                let Some(started) = cassandra::try_start_on(line, Some(jdk), &sections, true)
                else {
                    return;
                };
                let node = started.unwrap_or_else(|said| {
                    panic!("{what}: the daemon did not start; it said: {said:#?}")
                });
                assert!(
                    node.jvm.contains(&format!("/{jdk}.")),
                    "{what}: the daemon runs on {}",
                    node.jvm
                );
                // Our side reads the node's own yaml, as that line reads it.
                let yaml = CassandraYaml::load_file_for(&node.yaml, version).unwrap();
                let native =
                    tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap();
                let internode =
                    tls::client_config(&yaml, ClientRole::Internode, &TlsSettings::default())
                        .unwrap();
                // The native port is the one that answers CQL over our mTLS session.
                let mut native_port = None;
                for &port in &node.ports {
                    if let Ok((mut session, mut sock)) = tls_to(&native, port)
                        && let Ok(release) = common::cql::try_cql_over_tls(&mut session, &mut sock)
                    {
                        assert_eq!(release, node.version, "{what}: release_version");
                        native_port = Some(port);
                    }
                }
                let native_port =
                    native_port.unwrap_or_else(|| panic!("{what}: no port answered CQL"));
                let storage_port = *node
                    .ports
                    .iter()
                    .find(|p| **p != native_port)
                    .unwrap_or_else(|| panic!("{what}: no storage port in {:?}", node.ports));
                // Internode: our outbound side, checking the node's IP SAN.
                let mut sock = connect(storage_port);
                let (session, peer) = blocking::handshake(
                    Handshake::client(&internode, "127.0.0.1").unwrap(),
                    &mut sock,
                )
                .unwrap_or_else(|e| panic!("{what}: internode handshake: {e}"));
                assert!(peer.ip_addresses().contains(&"127.0.0.1".parse().unwrap()));
                assert!(session.protocol().starts_with("TLSv1."), "{what}");
                // mTLS on both ports: no certificate, no connection.
                let no_cert = client(
                    "client_encryption_options:\n  enabled: true\n  truststore: {stores}/truststore.jks\n",
                    ClientRole::Native,
                );
                assert!(
                    refused(&no_cert, native_port),
                    "{what}: native without a certificate"
                );
                assert!(
                    refused(&no_cert, storage_port),
                    "{what}: storage without a certificate"
                );
                // probe sees what the node does on each port.
                for (port, kind, c) in [
                    (native_port, PortKind::Native, &native),
                    (storage_port, PortKind::Storage, &internode),
                ] {
                    let r = probe(
                        &Target::new("127.0.0.1", port, kind),
                        &ProbeOptions {
                            native_client: Some(native.clone()),
                            internode_client: Some(c.clone()),
                            ..Default::default()
                        },
                    );
                    assert!(r.tls, "{what}: probe {kind:?}: {r:#?}");
                    assert_eq!(
                        r.client_auth,
                        Some(ClientAuthMode::Required),
                        "{what}: probe {kind:?}"
                    );
                }
                // doctor, reading the yaml as that line does, finds nothing that stops it.
                let report = doctor::check(&yaml, None, rustls::pki_types::UnixTime::now());
                let errors: Vec<_> = report
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .collect();
                assert!(errors.is_empty(), "{what}: doctor: {errors:#?}");
                // connect, as an operator runs it, completes both handshakes.
                if let Some(bin) = option_env!("CARGO_BIN_EXE_cassandra-tls") {
                    for (role, port) in
                        [("client-to-node", native_port), ("internode", storage_port)]
                    {
                        let out = Command::new(bin)
                            .args(["connect", "--json", "--role", role, "--config"])
                            .arg(&node.yaml)
                            .arg(format!("127.0.0.1:{port}"))
                            .output()
                            .unwrap();
                        assert!(
                            out.status.success(),
                            "{what}: connect --role {role}: {}{}",
                            String::from_utf8_lossy(&out.stdout),
                            String::from_utf8_lossy(&out.stderr)
                        );
                    }
                    // ... and exits 1 where the node requires a certificate not offered (TLS 1.3
                    // refuses it after the client's side of the handshake is done).
                    let dir = tempfile::tempdir().unwrap();
                    let no_cert_yaml = dir.path().join("no-cert.yaml");
                    std::fs::write(
                        &no_cert_yaml,
                        format!(
                            "client_encryption_options:\n  enabled: true\n  truststore: {}\n",
                            common::fixtures().join("stores/truststore.jks").display()
                        ),
                    )
                    .unwrap();
                    let out = Command::new(bin)
                        .args(["connect", "--json", "--role", "client-to-node", "--config"])
                        .arg(&no_cert_yaml)
                        .arg(format!("127.0.0.1:{native_port}"))
                        .output()
                        .unwrap();
                    assert_eq!(
                        out.status.code(),
                        Some(1),
                        "{what}: connect without a certificate: {}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                    // probe, with the same client, says so too: a client_auth error naming
                    // the missing certificate, exit 1.
                    let out = Command::new(bin)
                        .args(["probe", "--json", "--config"])
                        .arg(&no_cert_yaml)
                        .arg(format!("127.0.0.1:{native_port}"))
                        .output()
                        .unwrap();
                    let said = format!(
                        "{}{}",
                        String::from_utf8_lossy(&out.stdout),
                        String::from_utf8_lossy(&out.stderr)
                    );
                    assert_eq!(
                        out.status.code(),
                        Some(1),
                        "{what}: probe without a certificate: {said}"
                    );
                    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                    assert!(
                        v["targets"][0]["findings"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .any(|f| {
                                f["check"] == "client_auth"
                                    && f["severity"] == "error"
                                    && f["message"].as_str().is_some_and(|m| {
                                        m.contains("offered no client certificate")
                                    })
                            }),
                        "{what}: probe without a certificate: {said}"
                    );
                }
            }
        }
    }
}

/// cqlsh from PyPI with `validate = true` and a certfile that did not sign the node: the
/// driver's `_build_ssl_context_from_options` (cassandra-driver 3.29, 3.30) sets
/// `SSLContext.options` where it means `verify_mode`, so the context keeps CERT_NONE and cqlsh
/// connects anyway. Python's own answer decides what cqlsh must do here (a fixed driver
/// refuses); the doctor says which, with the installed versions.
#[test]
fn cqlsh_from_pypi_with_validate_true_and_a_foreign_certfile() {
    if common::which("cqlsh").is_none() || common::which("openssl").is_none() {
        common::skip_or_fail("cqlsh (pip install cqlsh) and openssl are needed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let other = common::openssl_other_ca(tmp.path());
    let rc = tmp.path().join("cqlshrc");
    std::fs::write(
        &rc,
        format!(
            "[connection]\nssl = true\n[ssl]\nvalidate = true\ncertfile = {}\n",
            other.display()
        ),
    )
    .unwrap();
    // Python's answer: does the context the driver builds from cqlsh's settings verify?
    let probe = Command::new("python3")
        .args(["-c", "import ssl, warnings\nwarnings.simplefilter('ignore')\nfrom cassandra.connection import Connection\nc = Connection.__new__(Connection)\nc.ssl_options = dict(ca_certs=None, cert_reqs=ssl.CERT_REQUIRED, ssl_version=ssl.PROTOCOL_TLS)\nprint(int(c._build_ssl_context_from_options().verify_mode))"])
        .output()
        .unwrap();
    let verifies = String::from_utf8_lossy(&probe.stdout).trim() != "0";

    let section = "client_encryption_options:\n  enabled: true\n  keystore: {stores}/node1.jks\n  keystore_password: cassandra\n";
    let Some(node) = cassandra::start(section, true) else {
        return;
    };
    let ours = client(
        "client_encryption_options:\n  enabled: true\n  truststore: {stores}/truststore.jks\n",
        ClientRole::Native,
    );
    let port = native_port(&node, &ours);
    let out = Command::new("cqlsh")
        .args(["--ssl", "--cqlshrc"])
        .arg(&rc)
        .args([
            "-e",
            "SELECT release_version FROM system.local",
            "127.0.0.1",
            &port.to_string(),
        ])
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if verifies {
        assert!(
            !out.status.success(),
            "a verifying cqlsh connected to an untrusted node: {said}"
        );
    } else {
        assert!(
            out.status.success() && said.contains(&node.version),
            "cqlsh 6.2.x with validate = true connects to a node its certfile did not sign: {said}"
        );
    }

    // The doctor on the same settings: an error, and what the installed cqlsh really does.
    let yaml = tmp.path().join("cassandra.yaml");
    std::fs::write(
        &yaml,
        section.replace(
            "{stores}",
            &common::fixtures().join("stores").to_string_lossy(),
        ),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .arg("doctor")
        .arg(&yaml)
        .arg("--cqlshrc")
        .arg(&rc)
        .arg("--json")
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["section"] == "cqlshrc" && f["check"] == "self_handshake")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(f["severity"], "error", "{f}");
    let message = f["message"].as_str().unwrap();
    if verifies {
        assert!(!message.contains("connects anyway"), "{message}");
    } else {
        assert!(
            message.contains("connects anyway") && message.contains("exposure"),
            "{message}"
        );
        assert!(
            message.contains("cassandra-driver 3."),
            "the installed versions are named: {message}"
        );
    }
}
