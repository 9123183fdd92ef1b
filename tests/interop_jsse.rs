//! Interop with Java's JSSE (what Cassandra runs on), the peer building its SSLContext as
//! Cassandra's DefaultSslContextFactory does. Peers start on loopback, port 0, and print their
//! port and outcome; the test reads both.

mod common;

use std::net::TcpStream;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ClientTls, ServerRole, TlsSettings};
use common::peer::Peer;
use common::{conf_yaml as yaml, inline_yaml as inline};

fn classes() -> Option<std::path::PathBuf> {
    let dir = common::java::classes();
    if dir.is_none() {
        common::skip_or_fail("a JDK (java and javac) is not on the PATH");
    }
    dir
}

fn opts(pairs: &[(&str, &str)]) -> Vec<String> {
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

fn java_server(dir: &std::path::Path, pairs: &[(&str, &str)]) -> Peer {
    common::peer::start(
        common::java::tls_peer(dir, "server", &opts(pairs)),
        "LISTENING ",
    )
}

/// A JSSE server with node1.jks that needs a client certificate from truststore.jks's CA,
/// with `extra` options.
fn node1_server_needing_a_client(dir: &std::path::Path, extra: &[(&str, &str)]) -> Peer {
    let keystore = common::store_path("node1.jks");
    let truststore = common::store_path("truststore.jks");
    let mut pairs = vec![
        ("keystore", keystore.as_str()),
        ("storepass", "cassandra"),
        ("truststore", truststore.as_str()),
        ("trustpass", "cassandra"),
        ("clientauth", "need"),
    ];
    pairs.extend_from_slice(extra);
    java_server(dir, &pairs)
}

/// The line a peer prints about the outcome (SERVED/RECEIVED/ERROR).
fn outcome(peer: &Peer) -> String {
    loop {
        let line = peer
            .lines
            .recv_timeout(Duration::from_secs(60))
            .expect("the Java peer said nothing");
        if line.starts_with("SERVED") || line.starts_with("RECEIVED") || line.starts_with("ERROR") {
            return line;
        }
    }
}

/// Our client: handshake, send "hello", read the answer.
fn talk(client: &ClientTls, port: u16) -> Result<(String, String), cassandra_tls::Error> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let (mut session, _) = blocking::handshake(Handshake::client(client, "127.0.0.1")?, &mut sock)?;
    session.send(b"hello\n", &mut sock)?;
    let mut got = Vec::new();
    while !got.ends_with(b"\n") {
        let part = session.receive(&mut sock)?;
        if part.is_empty() {
            break;
        }
        got.extend(part);
    }
    session.close();
    let _ = session.flush_to(&mut sock);
    Ok((
        String::from_utf8_lossy(&got).into_owned(),
        session.protocol().to_owned(),
    ))
}

#[test]
fn our_client_against_jsse_servers() {
    let Some(dir) = classes() else { return };
    let client = tls::client_config(
        &yaml("cassandra.yaml"),
        ClientRole::Internode,
        &TlsSettings::default(),
    )
    .unwrap();
    for (keystore, storetype) in [
        ("node1.jks", "JKS"),
        ("node1.p12", "PKCS12"),
        ("node-ec.jks", "JKS"),
    ] {
        for protocol in ["TLSv1.3", "TLSv1.2"] {
            let peer = java_server(
                &dir,
                &[
                    ("keystore", &common::store_path(keystore)),
                    ("storetype", storetype),
                    ("storepass", "cassandra"),
                    ("truststore", &common::store_path("truststore.jks")),
                    ("trustpass", "cassandra"),
                    ("clientauth", "need"),
                    ("verify", "true"),
                    ("protocols", protocol),
                ],
            );
            let (answer, negotiated) =
                talk(&client, peer.port).unwrap_or_else(|e| panic!("{keystore} {protocol}: {e}"));
            assert_eq!(answer, "HELLO\n");
            assert_eq!(negotiated, protocol);
            let served = outcome(&peer);
            assert!(
                served.starts_with(&format!("SERVED {protocol}")),
                "{served}"
            );
            assert!(
                served.contains("CN=node1"),
                "Java saw our client certificate: {served}"
            );
        }
    }
}

/// Runs our server for one connection; returns the port and the outcome.
fn our_server(
    server: tls::ServerTls,
) -> (
    u16,
    std::thread::JoinHandle<Result<String, cassandra_tls::Error>>,
) {
    common::peer::our_server_once(server, |mut session, peer, mut sock| {
        let mut line = Vec::new();
        while !line.ends_with(b"\n") {
            let part = session.receive(&mut sock)?;
            if part.is_empty() {
                break;
            }
            line.extend(part);
        }
        session.send(&line.to_ascii_uppercase(), &mut sock)?;
        session.close();
        session.flush_to(&mut sock)?;
        Ok(format!(
            "{} {}",
            session.protocol(),
            peer.subject().unwrap_or("-")
        ))
    })
}

fn java_client(dir: &std::path::Path, port: u16, pairs: &[(&str, &str)]) -> String {
    let port = port.to_string();
    let mut all = vec![("port", port.as_str())];
    all.extend_from_slice(pairs);
    let out = common::java::tls_peer(dir, "client", &opts(&all))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .to_owned()
}

#[test]
fn jsse_clients_against_our_servers() {
    let Some(dir) = classes() else { return };
    for (file, role) in [
        ("cassandra.yaml", ServerRole::Native),
        ("cassandra.yaml", ServerRole::Internode),
        ("cassandra-pkcs12.yaml", ServerRole::Native),
        ("cassandra-pem-files.yaml", ServerRole::Internode),
    ] {
        for protocol in ["TLSv1.3", "TLSv1.2"] {
            let server = tls::server_config(&yaml(file), role, &TlsSettings::default()).unwrap();
            let (port, handle) = our_server(server);
            let received = java_client(
                &dir,
                port,
                &[
                    ("keystore", &common::store_path("node1.p12")),
                    ("storetype", "PKCS12"),
                    ("storepass", "cassandra"),
                    ("truststore", &common::store_path("truststore.p12")),
                    ("trustpass", "cassandra"),
                    ("verify", "true"),
                    ("protocols", protocol),
                ],
            );
            assert!(
                received.starts_with(&format!("RECEIVED PING {protocol}")),
                "{file} {role:?}: {received}"
            );
            let summary = handle.join().unwrap().unwrap();
            assert!(
                summary.starts_with(protocol) && summary.contains("CN=node1"),
                "{summary}"
            );
        }
    }
}

#[test]
fn failures_fail_on_both_sides() {
    let Some(dir) = classes() else { return };
    let settings = TlsSettings::default();

    // Our server requires a client certificate; the Java client has none.
    let server =
        tls::server_config(&yaml("cassandra.yaml"), ServerRole::Native, &settings).unwrap();
    let (port, handle) = our_server(server);
    let java = java_client(
        &dir,
        port,
        &[
            ("truststore", &common::store_path("truststore.jks")),
            ("trustpass", "cassandra"),
        ],
    );
    assert!(java.starts_with("ERROR"), "{java}");
    assert_eq!(
        handle.join().unwrap().unwrap_err().kind(),
        "no_client_certificate"
    );

    // The Java client does not trust our server's CA.
    let server = tls::server_config(
        &yaml("cassandra-pem-files.yaml"),
        ServerRole::Native,
        &settings,
    )
    .unwrap();
    let (port, handle) = our_server(server);
    let java = java_client(
        &dir,
        port,
        &[
            ("truststore", &common::store_path("expired-truststore.jks")),
            ("trustpass", "cassandra"),
        ],
    );
    assert!(java.contains("SSLHandshakeException"), "{java}");
    assert_eq!(handle.join().unwrap().unwrap_err().kind(), "peer_alert");

    // The Java server requires a certificate; our client has none.
    let peer = node1_server_needing_a_client(&dir, &[]);
    let no_cert = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/truststore.jks\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let err = talk(&no_cert, peer.port).unwrap_err();
    assert!(
        ["no_client_certificate", "peer_alert"].contains(&err.kind().as_str()),
        "{err}"
    );
    assert!(outcome(&peer).starts_with("ERROR"));

    // Java checks our client certificate against our address (Cassandra's inbound endpoint
    // verification): client1 has no IP SAN.
    let peer = node1_server_needing_a_client(&dir, &[("verify", "true")]);
    let client1 = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/client1.p12\n  keystore_password: cassandra\n  truststore: fixtures/stores/truststore.jks\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let err = talk(&client1, peer.port).unwrap_err();
    assert!(
        ["peer_alert", "protocol"].contains(&err.kind().as_str()),
        "{err}"
    );
    let java = outcome(&peer);
    // (JDK 17 words it "Endpoint Identification Algorithm HTTPS is not supported on the server
    // side" when the identity check fails; with node1, whose IP SAN matches, it passes above.)
    assert!(java.starts_with("ERROR"), "{java}");

    // Disjoint cipher suites.
    let peer = java_server(
        &dir,
        &[
            ("keystore", &common::store_path("node1.jks")),
            ("storepass", "cassandra"),
            ("protocols", "TLSv1.2"),
            ("ciphers", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        ],
    );
    let other_cipher = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/truststore.jks\n  accepted_protocols: [TLSv1.2]\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let err = talk(&other_cipher, peer.port).unwrap_err();
    assert!(
        ["peer_alert", "no_shared_cipher"].contains(&err.kind().as_str()),
        "{err}"
    );
    assert!(outcome(&peer).starts_with("ERROR"));
}

#[test]
fn client_auth_modes_expiry_and_names_with_jsse() {
    let Some(dir) = classes() else { return };
    let settings = TlsSettings::default();
    let no_cert = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/truststore.jks\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    // Java server with client auth none and want: our client without a certificate connects.
    for auth in ["none", "want"] {
        let peer = java_server(
            &dir,
            &[
                ("keystore", &common::store_path("node1.jks")),
                ("storepass", "cassandra"),
                ("truststore", &common::store_path("truststore.jks")),
                ("trustpass", "cassandra"),
                ("clientauth", auth),
            ],
        );
        let (answer, _) = talk(&no_cert, peer.port).unwrap_or_else(|e| panic!("{auth}: {e}"));
        assert_eq!(answer, "HELLO\n");
        let served = outcome(&peer);
        assert!(
            served.starts_with("SERVED") && served.ends_with(" -"),
            "{auth}: {served}"
        );
    }
    // Our server with optional client auth: a Java client without a keystore connects.
    let server = tls::server_config(
        &common::pem_files_optional_client_auth(),
        ServerRole::Native,
        &settings,
    )
    .unwrap();
    let (port, handle) = our_server(server);
    let java = java_client(
        &dir,
        port,
        &[
            ("truststore", &common::store_path("truststore.jks")),
            ("trustpass", "cassandra"),
        ],
    );
    assert!(java.starts_with("RECEIVED PING"), "{java}");
    assert!(handle.join().unwrap().unwrap().ends_with(" -"));

    // An expired Java server: our client refuses it with the dates.
    let peer = java_server(
        &dir,
        &[
            ("keystore", &common::store_path("expired.jks")),
            ("storepass", "cassandra"),
        ],
    );
    let strict = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/expired-truststore.jks\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let err = talk(&strict, peer.port).unwrap_err();
    assert_eq!(err.kind(), "expired", "{err}");
    assert!(outcome(&peer).starts_with("ERROR"));
    // Our expired server: the Java client refuses it too (its truststore holds only the CA).
    let expired_server = tls::server_config(
        &inline("client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/expired.jks\n  keystore_password: cassandra\n"),
        ServerRole::Native,
        &settings,
    )
    .unwrap();
    let (port, handle) = our_server(expired_server);
    let java = java_client(
        &dir,
        port,
        &[
            ("truststore", &common::store_path("expired-truststore.jks")),
            ("trustpass", "cassandra"),
        ],
    );
    assert!(java.contains("SSLHandshakeException"), "{java}");
    assert!(handle.join().unwrap().is_err());

    // Endpoint verification on our side, against a Java server whose certificate does not
    // name the address we expect.
    let peer = java_server(
        &dir,
        &[
            ("keystore", &common::store_path("node1.jks")),
            ("storepass", "cassandra"),
        ],
    );
    let verifying = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/truststore.jks\n  require_endpoint_verification: true\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let mut sock = TcpStream::connect(("127.0.0.1", peer.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let err = blocking::handshake(
        Handshake::client(&verifying, "10.0.0.9").unwrap(),
        &mut sock,
    )
    .unwrap_err();
    assert_eq!(err.kind(), "name_mismatch", "{err}");
    // Off: the same name passes, the chain is still checked.
    let peer = java_server(
        &dir,
        &[
            ("keystore", &common::store_path("node1.jks")),
            ("storepass", "cassandra"),
        ],
    );
    let mut sock = TcpStream::connect(("127.0.0.1", peer.port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    blocking::handshake(Handshake::client(&no_cert, "10.0.0.9").unwrap(), &mut sock).unwrap();
}

/// nodetool's client from 6.0's `jmx_encryption_options` (`tls::jmx_client_config`) against a
/// JSSE server that serves the section's key store and needs a client certificate, as the JMX
/// server would: it connects with the section's key, and a truststore without the CA fails.
#[test]
fn jmx_client_from_the_jmx_section_talks_to_jsse() {
    let Some(dir) = classes() else { return };
    let jmx = |truststore: &str| {
        let text = format!(
            "jmx_server_options:\n  jmx_encryption_options:\n    enabled: true\n    keystore: {}\n    keystore_password: cassandra\n    truststore: {}\n    truststore_password: cassandra\n    require_client_auth: true\n",
            common::store_path("node1.jks"),
            common::store_path(truststore)
        );
        let y = CassandraYaml::from_str_for(&text, cassandra_tls::options::CassandraVersion::V6_0)
            .unwrap();
        tls::jmx_client_config(&y, &TlsSettings::default())
            .unwrap()
            .unwrap()
    };
    let server = || node1_server_needing_a_client(&dir, &[]);
    let peer = server();
    let (answer, _) = talk(&jmx("truststore.jks"), peer.port).unwrap();
    assert_eq!(answer, "HELLO\n");
    let served = outcome(&peer);
    assert!(
        served.starts_with("SERVED") && !served.ends_with(" -"),
        "the server saw the JMX section's client certificate: {served}"
    );
    let peer = server();
    let e = talk(&jmx("expired-truststore.jks"), peer.port).unwrap_err();
    assert_eq!(e.kind(), "unknown_issuer", "{e}");
}
