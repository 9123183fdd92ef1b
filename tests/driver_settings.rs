//! `tls::DriverTls`: the Java driver's `advanced.ssl-engine-factory` settings and the Python
//! driver's `ssl_options`, without a cassandra.yaml, against a JSSE server that needs a client
//! certificate (what Cassandra runs on). The real node's side is in tests/cassandra_node.rs.

mod common;

use std::net::TcpStream;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, HandshakeFailure, blocking};
use cassandra_tls::tls::{ClientTls, DriverTls, TlsWarning};
use cassandra_tls::{Error, StoreType};
use common::peer::Peer;

fn server(dir: &std::path::Path, keystore: &str, count: usize) -> Peer {
    let opts = vec![
        format!("keystore={}", common::store_path(keystore)),
        "storepass=cassandra".to_owned(),
        format!("truststore={}", common::store_path("truststore.jks")),
        "trustpass=cassandra".to_owned(),
        "clientauth=need".to_owned(),
        format!("count={count}"),
    ];
    common::peer::start(common::java::tls_peer(dir, "server", &opts), "LISTENING ")
}

fn connect(client: &ClientTls, port: u16) -> Result<(), Error> {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let (mut session, _) = blocking::handshake(Handshake::client(client, "127.0.0.1")?, &mut sock)?;
    // The JSSE peer answers a line upper-cased once it has our certificate.
    session.send(b"ping\n", &mut sock)?;
    let got = session.receive(&mut sock)?;
    assert_eq!(got, b"PING\n");
    Ok(())
}

#[test]
fn java_driver_settings_connect_with_mutual_tls() {
    let Some(dir) = common::java::classes() else {
        return;
    };
    let peer = server(&dir, "node1.jks", 20);
    let settings = [
        ("class", "DefaultSslEngineFactory"),
        (
            "truststore-path",
            common::store_path("truststore.jks").leak() as &str,
        ),
        ("truststore-password", "cassandra"),
        ("keystore-path", common::store_path("client1.p12").leak()),
        ("keystore-password", "cassandra"),
        ("hostname-validation", "true"),
        (
            "cipher-suites",
            "[TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]",
        ),
    ];
    let client = DriverTls::from_java_driver(settings)
        .unwrap()
        .build()
        .unwrap();
    assert!(client.has_client_certificate() && client.verifies_server_name());
    connect(&client, peer.port).unwrap();

    // The same from bytes, and with the type given.
    let client = DriverTls::new()
        .truststore_bytes(common::read(
            &common::fixtures().join("stores/truststore.p12"),
        ))
        .truststore_password("cassandra")
        .keystore_bytes(common::read(&common::fixtures().join("stores/client1.jks")))
        .keystore_password("cassandra")
        .store_type(StoreType::Jks)
        .protocols(["TLSv1.2"])
        .build();
    // JKS key store, PKCS#12 truststore under one store_type: the JDK reads both (compat).
    let client = client.unwrap();
    connect(&client, peer.port).unwrap();
    drop(peer);

    // Hostname validation against a node certificate without an IP SAN.
    let peer = server(&dir, "node-nosan.jks", 4);
    let strict = DriverTls::new()
        .truststore_path(common::store_path("truststore.jks"))
        .truststore_password("cassandra")
        .keystore_path(common::store_path("client1.p12"))
        .keystore_password("cassandra");
    match connect(&strict.clone().build().unwrap(), peer.port) {
        Err(Error::Handshake(HandshakeFailure::NameMismatch { expected, .. })) => {
            assert!(expected.contains("127.0.0.1"), "{expected}")
        }
        other => panic!("hostname validation let it through: {other:?}"),
    }
    connect(
        &strict.hostname_validation(false).build().unwrap(),
        peer.port,
    )
    .unwrap();
}

#[test]
fn python_driver_ssl_options_connect() {
    let Some(dir) = common::java::classes() else {
        return;
    };
    let peer = server(&dir, "node1.jks", 10);
    let ca = common::store_path("ca-bundle.pem");
    let cert = common::store_path("client1.chain.pem");
    let key = common::store_path("client1.key.pem");
    let client = DriverTls::from_python_driver([
        ("ca_certs", ca.as_str()),
        ("certfile", cert.as_str()),
        ("keyfile", key.as_str()),
        ("cert_reqs", "ssl.CERT_REQUIRED"),
        ("check_hostname", "True"),
    ])
    .unwrap()
    .build()
    .unwrap();
    assert!(client.verifies_server_name() && client.has_client_certificate());
    connect(&client, peer.port).unwrap();
    // CERT_NONE: no check at all, refused until asked for by name, then said as a warning.
    let none = DriverTls::from_python_driver([
        ("certfile", cert.as_str()),
        ("keyfile", key.as_str()),
        ("cert_reqs", "CERT_NONE"),
    ])
    .unwrap();
    let refused = none.build().unwrap_err().to_string();
    assert!(
        refused.contains("cert_reqs") && refused.contains("dangerous_no_server_verification"),
        "{refused}"
    );
    let client = none.dangerous_no_server_verification().build().unwrap();
    assert!(client.warnings.contains(&TlsWarning::NoServerVerification));
    connect(&client, peer.port).unwrap();
}

#[test]
fn settings_a_driver_does_not_have_are_refused() {
    let err = DriverTls::from_java_driver([("truststore-type", "JKS")]).unwrap_err();
    assert!(err.to_string().contains("truststore-type"), "{err}");
    let err = DriverTls::from_java_driver([("hostname-validation", "yes")]).unwrap_err();
    assert!(err.to_string().contains("yes"), "{err}");
    let err = DriverTls::from_python_driver([("cert_reqs", "MAYBE")]).unwrap_err();
    assert!(err.to_string().contains("MAYBE"), "{err}");
    let err = DriverTls::new().build().unwrap_err();
    assert!(err.to_string().contains("no truststore"), "{err}");
    let err = DriverTls::new()
        .truststore_path(common::store_path("truststore.jks"))
        .truststore_password("wrong")
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), "wrong_password_or_tampered");
    assert!(!err.to_string().contains("wrong\""), "{err}");
}

/// A driver's mistakes are told in the driver's settings (`DriverTls`'s setters, the Java
/// driver's keys), never in the cassandra.yaml section they are built through.
#[test]
fn errors_and_warnings_name_the_driver_settings() {
    let trusted = || {
        DriverTls::new()
            .truststore_path(common::store_path("truststore.p12"))
            .truststore_password("cassandra")
    };
    let err = trusted()
        .keystore_path(common::store_path("client1.p12"))
        .build()
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("keystore_password") && err.contains("keystore-password"),
        "{err}"
    );
    assert!(!err.contains("client_encryption_options"), "{err}");

    let err = trusted()
        .protocols(["SSLv3"])
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("protocols: "), "{err}");
    assert!(!err.contains("accepted_protocols"), "{err}");
    assert!(!err.contains("client_encryption_options"), "{err}");

    let err = trusted()
        .cipher_suites(["TLS_NO_SUCH_SUITE"])
        .build()
        .unwrap_err()
        .to_string();
    assert!(err.contains("cipher_suites: "), "{err}");
    assert!(!err.contains("client_encryption_options"), "{err}");

    for client in [
        trusted().hostname_validation(false).build().unwrap(),
        trusted()
            .hostname_validation(false)
            .build_reloading()
            .unwrap()
            .0,
    ] {
        let said: Vec<String> = client.warnings.iter().map(|w| w.to_string()).collect();
        assert!(
            said.iter()
                .any(|w| w.contains("hostname_validation is off")),
            "{said:?}"
        );
        assert!(
            !said
                .iter()
                .any(|w| w.contains("require_endpoint_verification")
                    || w.contains("client_encryption_options")),
            "{said:?}"
        );
    }
}
