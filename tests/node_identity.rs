//! Node identity strategies (`tls::NodeVerifier`) against a JSSE server (what Cassandra runs
//! on) serving a key store written by the test PKI: each strategy accepts the node that carries
//! the identity and refuses, with a precise error, the one that does not.
#![cfg(feature = "test-pki")]

mod common;

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, HandshakeFailure, blocking};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::test_pki::Ca;
use cassandra_tls::test_pki::write::{self, StoreEntry};
use cassandra_tls::tls::{self, ClientRole, ClientTls, NodeIdentity, NodeVerifier, TlsSettings};
use cassandra_tls::{Error, Origin};
use common::peer::Peer;

const PASS: &str = "identity-pass";

fn base_client() -> ClientTls {
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  truststore: {}\n  truststore_password: cassandra\n",
        common::store_path("truststore.jks")
    ))
    .unwrap();
    tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap()
}

fn client(ca: &Ca, identity: NodeIdentity) -> ClientTls {
    let v = NodeVerifier::new(
        &[ca.certificate().clone()],
        identity,
        &TlsSettings::default(),
    )
    .unwrap();
    base_client().with_verifier(Arc::new(v))
}

fn connect(client: &ClientTls, port: u16) -> Result<(), Error> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    blocking::handshake(Handshake::client(client, "127.0.0.1")?, &mut sock).map(|_| ())
}

/// The error a driver gets from rustls for a handshake over a socket.
fn driver_error(client: &ClientTls, port: u16) -> std::io::Error {
    use cassandra_tls::rustls::{ClientConnection, pki_types::ServerName};
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let mut conn = ClientConnection::new(client.config().clone(), name).unwrap();
    conn.complete_io(&mut sock)
        .expect_err("the handshake with the wrong identity completed")
}

fn name_mismatch(r: Result<(), Error>) -> (String, Vec<String>) {
    match r {
        Err(Error::Handshake(HandshakeFailure::NameMismatch {
            expected,
            presented,
        })) => (expected, presented),
        other => panic!("expected a name mismatch, got {other:?}"),
    }
}

fn server(dir: &std::path::Path, store: &std::path::Path, count: usize) -> Peer {
    let opts = vec![
        format!("keystore={}", store.display()),
        format!("storepass={PASS}"),
        "clientauth=none".to_owned(),
        format!("count={count}"),
    ];
    common::peer::start(common::java::tls_peer(dir, "server", &opts), "LISTENING ")
}

#[test]
fn each_strategy_accepts_the_right_node_and_refuses_the_wrong_one() {
    let Some(classes) = common::java::classes() else {
        return;
    };
    let ca = Ca::root("identity CA").unwrap();
    let other_ca = Ca::root("another CA").unwrap();
    // A pod's certificate: the cluster's DNS name and a SPIFFE ID, no IP.
    let pod = ca
        .leaf("cassandra")
        .dns("cassandra.prod.example")
        .uri("spiffe://prod.example/ns/db/sa/cassandra")
        .issue()
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("pod.jks");
    std::fs::write(
        &store,
        write::jks(&[StoreEntry::key("pod", &pod)], PASS, PASS).unwrap(),
    )
    .unwrap();
    let peer = server(&classes, &store, 100);
    let port = peer.port;

    // The dialled address: the pod's certificate names no IP.
    let (expected, presented) =
        name_mismatch(connect(&client(&ca, NodeIdentity::DialledAddress), port));
    assert!(expected.contains("127.0.0.1"), "{expected}");
    assert!(
        presented.contains(&"cassandra.prod.example".to_owned()),
        "{presented:?}"
    );

    // One name for the cluster.
    connect(
        &client(
            &ca,
            NodeIdentity::ClusterName("cassandra.prod.example".into()),
        ),
        port,
    )
    .unwrap();
    let (expected, _) = name_mismatch(connect(
        &client(
            &ca,
            NodeIdentity::ClusterName("cassandra.staging.example".into()),
        ),
        port,
    ));
    assert!(expected.contains("cassandra.staging.example"), "{expected}");
    // What a driver sees: rustls' own error through the socket (tokio-rustls and scylla hand it
    // on as an io::Error), printed with {:?} as a `main` returning Result prints it: the
    // message, not the struct's fields.
    let staging = client(
        &ca,
        NodeIdentity::ClusterName("cassandra.staging.example".into()),
    );
    let debug = format!("{:?}", driver_error(&staging, port));
    assert!(
        debug.contains("IdentityMismatch(\"the node's certificate does not name the DNS name cassandra.staging.example; it presents cassandra.prod.example"),
        "{debug}"
    );

    // A map from address to name.
    let map = HashMap::from([(
        "127.0.0.1".parse().unwrap(),
        "cassandra.prod.example".to_owned(),
    )]);
    connect(&client(&ca, NodeIdentity::AddressMap(map)), port).unwrap();
    let map = HashMap::from([(
        "127.0.0.2".parse().unwrap(),
        "cassandra.prod.example".to_owned(),
    )]);
    let (expected, _) = name_mismatch(connect(&client(&ca, NodeIdentity::AddressMap(map)), port));
    assert!(expected.contains("there is none"), "{expected}");

    // SPIFFE: the trust domain, the exact ID, and a foreign domain.
    connect(
        &client(&ca, NodeIdentity::Spiffe("spiffe://prod.example".into())),
        port,
    )
    .unwrap();
    connect(
        &client(
            &ca,
            NodeIdentity::Spiffe("spiffe://prod.example/ns/db/sa/cassandra".into()),
        ),
        port,
    )
    .unwrap();
    let (expected, presented) = name_mismatch(connect(
        &client(&ca, NodeIdentity::Spiffe("spiffe://dev.example".into())),
        port,
    ));
    assert!(expected.contains("spiffe://dev.example"), "{expected}");
    assert!(
        presented
            .iter()
            .any(|p| p.starts_with("spiffe://prod.example/")),
        "{presented:?}"
    );
    let (expected, _) = name_mismatch(connect(
        &client(
            &ca,
            NodeIdentity::Spiffe("spiffe://prod.example/ns/db/sa/other".into()),
        ),
        port,
    ));
    assert!(expected.contains("the SPIFFE ID"), "{expected}");

    // The chain only: any name, but never another CA.
    connect(&client(&ca, NodeIdentity::ChainOnly), port).unwrap();
    match connect(&client(&other_ca, NodeIdentity::ChainOnly), port) {
        Err(Error::Handshake(HandshakeFailure::UnknownIssuer { .. })) => {}
        other => panic!("another CA's truststore accepted the pod: {other:?}"),
    }
    drop(peer);

    // A node whose certificate names its IP: the dialled address accepts it.
    let node = ca
        .leaf("node1")
        .ip("127.0.0.1".parse().unwrap())
        .issue()
        .unwrap();
    let store = tmp.path().join("node.jks");
    std::fs::write(
        &store,
        write::jks(&[StoreEntry::key("node", &node)], PASS, PASS).unwrap(),
    )
    .unwrap();
    let peer = server(&classes, &store, 2);
    connect(&client(&ca, NodeIdentity::DialledAddress), peer.port).unwrap();
    let (_, _) = name_mismatch(connect(
        &client(&ca, NodeIdentity::Spiffe("spiffe://prod.example".into())),
        peer.port,
    ));
}

#[test]
fn bad_identities_are_refused_when_built() {
    let ca = Ca::root("identity CA").unwrap();
    for bad in [
        NodeIdentity::Spiffe("prod.example".into()),
        NodeIdentity::ClusterName("not a name".into()),
    ] {
        let err = NodeVerifier::new(&[ca.certificate().clone()], bad, &TlsSettings::default())
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Config {
                    origin: Origin::Bytes(_),
                    ..
                }
            ),
            "{err}"
        );
    }
}
