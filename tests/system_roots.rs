//! DriverTls::system_roots: the operating system's CAs as trust anchors (what Amazon Keyspaces
//! needs), read by rustls-native-certs, here pointed at a test CA through SSL_CERT_FILE. Its
//! own binary: the variable is process-wide.
#![cfg(all(feature = "system-roots", feature = "test-pki"))]

mod common;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::pki::Ca;
use cassandra_tls::pki::write::{PemEncryption, pem_certificates, pem_key};
use cassandra_tls::tls::DriverTls;

#[test]
fn system_roots_trust_a_public_style_service_without_a_truststore() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let public_ca = Ca::root("Public-style root CA").unwrap();
    let server = public_ca
        .leaf("cassandra.us-east-1.test")
        .dns("cassandra.us-east-1.test")
        .ip("127.0.0.1".parse().unwrap())
        .issue()
        .unwrap();
    let roots = dir.path().join("system-roots.pem");
    std::fs::write(&roots, pem_certificates(&[public_ca.certificate()])).unwrap();
    std::fs::write(
        dir.path().join("server.pem"),
        pem_certificates(&server.chain().iter().collect::<Vec<_>>()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("server.key"),
        &*pem_key(server.private_key_pkcs8(), None, PemEncryption::Pbes2Aes256).unwrap(),
    )
    .unwrap();
    // SAFETY of the test: one test in this binary, set before any thread reads it.
    unsafe {
        std::env::set_var("SSL_CERT_FILE", &roots);
        std::env::remove_var("SSL_CERT_DIR");
    }

    // Without a truststore and without system roots: refused, naming the way out.
    let err = DriverTls::new().build().unwrap_err();
    assert!(err.to_string().contains("system_roots"), "{err}");

    let client = DriverTls::new().system_roots(true).build().unwrap();
    assert!(client.verifies_server_name());
    for (name, ok) in [
        ("cassandra.us-east-1.test", true),
        ("127.0.0.1", true),
        ("other.us-east-1.test", false),
    ] {
        let peer = common::peer::openssl_server(
            dir.path().join("server.pem"),
            dir.path().join("server.key"),
            &["-naccept", "1", "-rev"],
        );
        let mut sock = common::peer::connect(peer.port);
        let hs = Handshake::client(&client, name).unwrap();
        let result = blocking::handshake(hs, &mut sock);
        assert_eq!(result.is_ok(), ok, "{name}: {:?}", result.err());
    }

    // A service whose CA is not among the system's: refused.
    let other = Ca::root("Some other CA").unwrap();
    let stranger = other
        .leaf("x")
        .ip("127.0.0.1".parse().unwrap())
        .issue()
        .unwrap();
    std::fs::write(
        dir.path().join("server.pem"),
        pem_certificates(&stranger.chain().iter().collect::<Vec<_>>()),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("server.key"),
        &*pem_key(
            stranger.private_key_pkcs8(),
            None,
            PemEncryption::Pbes2Aes256,
        )
        .unwrap(),
    )
    .unwrap();
    let peer = common::peer::openssl_server(
        dir.path().join("server.pem"),
        dir.path().join("server.key"),
        &["-naccept", "1", "-rev"],
    );
    let mut sock = common::peer::connect(peer.port);
    let hs = Handshake::client(&client, "127.0.0.1").unwrap();
    let err = blocking::handshake(hs, &mut sock).unwrap_err();
    assert_eq!(err.kind(), "unknown_issuer", "{err}");
}
