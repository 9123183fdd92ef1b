//! The sans-IO machine driven from both ends in memory: roles, sessions, and every failure in
//! Cassandra's terms.

mod common;

use cassandra_tls::handshake::pump;
use common::sansio::{established, transfer};
use common::{conf_yaml as yaml, inline_yaml as inline};

use std::net::IpAddr;

use cassandra_tls::handshake::{Detected, Handshake, HandshakeFailure, State, detect_tls};
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};

fn loopback() -> IpAddr {
    "127.0.0.1".parse().unwrap()
}

#[test]
fn sessions_carry_data_both_ways_and_close() {
    let y = yaml("cassandra.yaml");
    let server = tls::server_config(&y, ServerRole::Internode, &TlsSettings::default()).unwrap();
    let client = tls::client_config(&y, ClientRole::Internode, &TlsSettings::default()).unwrap();
    let ((mut cs, server_id), (mut ss, client_id)) =
        established(&client, "127.0.0.1", &server, loopback());
    assert_eq!(cs.protocol(), "TLSv1.3");
    assert!(
        cs.cipher_suite().starts_with("TLS_"),
        "{}",
        cs.cipher_suite()
    );
    assert_eq!(
        server_id.sha256_hex().unwrap(),
        common::expected_fingerprints("node1.chain.pem.openssl.txt")[0]
    );
    assert_eq!(
        client_id.sha256_hex().unwrap(),
        common::expected_fingerprints("node1.chain.pem.openssl.txt")[0]
    );
    assert!(server_id.ip_addresses().contains(&loopback()));

    // 1 MiB each way, in uneven pieces.
    let data: Vec<u8> = (0..(1 << 20)).map(|i| (i * 7 % 251) as u8).collect();
    assert!(
        transfer(&mut cs, &mut ss, &data) == data,
        "client to server corrupted"
    );
    assert!(
        transfer(&mut ss, &mut cs, &data) == data,
        "server to client corrupted"
    );

    // A key update, then more data.
    cs.key_update().unwrap();
    cs.seal(b"after key update").unwrap();
    let out = cs.pending_output().unwrap().to_vec();
    cs.consume_output(out.len()).unwrap();
    ss.feed(&out).unwrap();
    assert_eq!(ss.open_all().unwrap(), b"after key update");

    // close_notify.
    cs.close();
    let out = cs.pending_output().unwrap().to_vec();
    ss.feed(&out).unwrap();
    assert!(ss.open_all().unwrap().is_empty());
    assert!(ss.peer_closed());
}

#[test]
fn spiffe_identity_of_a_client() {
    let file = cassandra_tls::options::Cqlshrc::load_file(common::fixtures().join("conf/cqlshrc"))
        .unwrap();
    let ssl = file.ssl_settings("127.0.0.1", &|_| None, None).unwrap();
    let ssl = cassandra_tls::options::CqlshSsl {
        certfile: ssl.certfile.map(|p| common::root().join(p)),
        userkey: ssl.userkey.map(|p| common::root().join(p)),
        usercert: ssl.usercert.map(|p| common::root().join(p)),
        ..ssl
    };
    let client = tls::cqlsh_client_config(&ssl, &TlsSettings::default()).unwrap();
    let server = tls::server_config(
        &yaml("cassandra.yaml"),
        ServerRole::Native,
        &TlsSettings::default(),
    )
    .unwrap();
    let (_, (_, peer)) = established(&client, "127.0.0.1", &server, loopback());
    // generate.sh: subjectAltName = URI:spiffe://cassandra.test/client/app1
    assert_eq!(
        peer.spiffe_id(),
        Some("spiffe://cassandra.test/client/app1")
    );
    assert_eq!(
        peer.sha256_hex().unwrap(),
        common::expected_fingerprints("client1.chain.pem.openssl.txt")[0]
    );
}

#[track_caller]
fn failure(hs: &Handshake) -> &HandshakeFailure {
    match (hs.state(), hs.failure()) {
        (State::Failed, Some(f)) => f,
        (other, _) => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn failures_in_cassandras_terms() {
    let settings = TlsSettings::default();
    let y = yaml("cassandra.yaml");
    let server = tls::server_config(&y, ServerRole::Internode, &settings).unwrap();
    let client = tls::client_config(&y, ClientRole::Internode, &settings).unwrap();

    // Name mismatch: endpoint verification against an address the certificate does not name.
    let mut c = Handshake::client(&client, "10.0.0.9").unwrap();
    let mut s = Handshake::server(&server, loopback()).unwrap();
    let _ = pump(&mut c, &mut s);
    let f = failure(&c);
    assert_eq!(f.kind(), "name_mismatch");
    assert!(
        f.to_string().contains("10.0.0.9") && f.to_string().contains("127.0.0.1"),
        "{f}"
    );
    assert_eq!(failure(&s).kind(), "peer_alert", "the server hears why");

    // The server checks the client's certificate against the client's address.
    let mut c = Handshake::client(&client, "127.0.0.1").unwrap();
    let mut s = Handshake::server(&server, "10.1.1.1".parse().unwrap()).unwrap();
    let (_, ss) = pump(&mut c, &mut s);
    assert_eq!(failure(&s).kind(), "name_mismatch", "{ss:?}");

    // No client certificate.
    let no_cert = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/truststore.jks\n  truststore_password: cassandra\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let mut c = Handshake::client(&no_cert, "127.0.0.1").unwrap();
    let mut s = Handshake::server(&server, loopback()).unwrap();
    let (cs, _) = pump(&mut c, &mut s);
    assert_eq!(failure(&s).kind(), "no_client_certificate");
    assert_eq!(failure(&c).kind(), "no_client_certificate", "{cs:?}");

    // Unknown issuer: a client trusting only the expired CA.
    let other = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/expired-truststore.jks\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let mut c = Handshake::client(&other, "127.0.0.1").unwrap();
    let mut s = Handshake::server(&server, loopback()).unwrap();
    let _ = pump(&mut c, &mut s);
    assert_eq!(failure(&c).kind(), "unknown_issuer");
    // The CA the truststore lacks is named: the issuer at the top of the chain the node sent.
    assert!(
        failure(&c).to_string().contains("CN=Test Root CA"),
        "{}",
        failure(&c)
    );

    // Expired, with the dates in the message.
    let ey = yaml("cassandra-expired.yaml");
    let es = tls::server_config(&ey, ServerRole::Native, &settings).unwrap();
    let strict = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/expired-truststore.jks\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let mut c = Handshake::client(&strict, "127.0.0.1").unwrap();
    let mut s = Handshake::server(&es, loopback()).unwrap();
    let _ = pump(&mut c, &mut s);
    let f = failure(&c);
    assert_eq!(f.kind(), "expired");
    assert!(f.to_string().contains("2004-01-01"), "{f}"); // generate.sh: 2002/01/01 + 730 days

    // No shared cipher: TLS 1.2 ECDSA suites against an RSA-only server.
    let ecdsa_only = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/truststore.jks\n  accepted_protocols: [TLSv1.2]\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let rsa_server = tls::server_config(
        &inline("client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n  keystore_password: cassandra\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n  accepted_protocols: [TLSv1.2]\n"),
        ServerRole::Native,
        &settings,
    )
    .unwrap();
    let mut c = Handshake::client(&ecdsa_only, "127.0.0.1").unwrap();
    let mut s = Handshake::server(&rsa_server, loopback()).unwrap();
    let (cs, ss) = pump(&mut c, &mut s);
    assert!(
        ["no_shared_cipher", "tls"].contains(&failure(&s).kind().as_str()),
        "{ss:?}"
    );
    assert_eq!(failure(&c).kind(), "peer_alert", "{cs:?}");

    // No shared protocol: TLS 1.2 only against TLS 1.3 only.
    let tls13_server = tls::server_config(
        &inline("client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n  keystore_password: cassandra\n  accepted_protocols: [TLSv1.3]\n"),
        ServerRole::Native,
        &settings,
    )
    .unwrap();
    let tls12_client = tls::client_config(
        &inline("client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/truststore.jks\n  protocol: TLSv1.2\n"),
        ClientRole::Native,
        &settings,
    )
    .unwrap();
    let mut c = Handshake::client(&tls12_client, "127.0.0.1").unwrap();
    let mut s = Handshake::server(&tls13_server, loopback()).unwrap();
    let (cs, ss) = pump(&mut c, &mut s);
    assert_eq!(failure(&s).kind(), "no_shared_protocol", "{ss:?}");
    assert_eq!(failure(&c).kind(), "no_shared_protocol", "{cs:?}");
}

#[test]
fn garbage_and_misuse_are_errors_not_panics() {
    let y = yaml("cassandra.yaml");
    let server = tls::server_config(&y, ServerRole::Native, &TlsSettings::default()).unwrap();
    // Plaintext CQL on a TLS port.
    let mut s = Handshake::server(&server, loopback()).unwrap();
    let state = s.feed(&[0x05, 0x00, 0x00, 0x01, 0x05, 0, 0, 0, 0]);
    assert_eq!(state, State::Failed);
    let e = s.failure().unwrap();
    assert_eq!(e.kind(), "protocol", "{e}");
    assert_eq!(
        s.feed(b"more"),
        State::Failed,
        "a failed handshake stays failed"
    );
    assert_eq!(
        s.failure().unwrap().kind(),
        "protocol",
        "the first failure is kept"
    );
    // A record claiming more than TLS allows.
    let mut s = Handshake::server(&server, loopback()).unwrap();
    assert!(
        s.feed(&[0x16, 0x03, 0x03, 0xff, 0xff]) == State::Failed
            || s.feed(&[0u8; 70_000]) == State::Failed
    );
    // Misuse.
    let client = tls::client_config(&y, ClientRole::Native, &TlsSettings::default()).unwrap();
    let mut c = Handshake::client(&client, "127.0.0.1").unwrap();
    let pending = c.pending_output().unwrap().len();
    assert_eq!(c.consume_output(pending + 1).unwrap_err().kind(), "misuse");
    assert_eq!(
        Handshake::client(&client, "not a name!")
            .unwrap_err()
            .kind(),
        "misuse"
    );
    let c2 = Handshake::client(&client, "127.0.0.1").unwrap();
    assert_eq!(c2.finish().unwrap_err().kind(), "misuse");
    // The server side always takes the client's address (the type says so); endpoint
    // verification checks it.
    let internode = tls::server_config(&y, ServerRole::Internode, &TlsSettings::default()).unwrap();
    assert!(internode.verifies_client_address());
    // The peer hanging up mid-handshake.
    let mut s = Handshake::server(&server, loopback()).unwrap();
    s.end_of_input();
    assert_eq!(failure(&s).kind(), "protocol");
}

#[test]
fn detect_classifies_a_real_client_hello() {
    let y = yaml("cassandra.yaml");
    let client = tls::client_config(&y, ClientRole::Native, &TlsSettings::default()).unwrap();
    let c = Handshake::client(&client, "127.0.0.1").unwrap();
    let hello = c.pending_output().unwrap();
    assert_eq!(detect_tls(hello), Detected::Tls);
    assert_eq!(detect_tls(&hello[..4]), Detected::NeedMore);
    // CQL v4/v5 OPTIONS frames as drivers send them first, and the internode magic.
    assert_eq!(
        detect_tls(&[0x04, 0x00, 0x00, 0x00, 0x05, 0, 0, 0, 0]),
        Detected::Plaintext
    );
    assert_eq!(
        detect_tls(&[0x05, 0x00, 0x00, 0x00, 0x05, 0, 0, 0, 0]),
        Detected::Plaintext
    );
    assert_eq!(
        detect_tls(
            &0xCA55_2DFAu32
                .to_be_bytes()
                .iter()
                .chain(&[0u8])
                .copied()
                .collect::<Vec<_>>()
        ),
        Detected::Plaintext
    );
}

#[test]
fn verify_chain_without_a_handshake() {
    use cassandra_tls::keystore::KeyStore;
    use cassandra_tls::tls::{ExpiredPeer, Usage, verify_chain};
    use rustls::pki_types::UnixTime;
    let load = |f: &str| {
        KeyStore::loader()
            .store_password("cassandra")
            .load_file(common::fixtures().join("stores").join(f))
            .unwrap()
    };
    let node1 = load("node1.jks")
        .private_keys()
        .next()
        .unwrap()
        .chain()
        .to_vec();
    let trust = load("truststore.jks").trust_anchors();
    let now = UnixTime::now();
    verify_chain(
        &node1,
        &trust,
        Usage::Server,
        Some("127.0.0.1"),
        now,
        ExpiredPeer::Refuse,
    )
    .unwrap();
    verify_chain(
        &node1,
        &trust,
        Usage::Client,
        Some("127.0.0.1"),
        now,
        ExpiredPeer::Refuse,
    )
    .unwrap();
    let e = verify_chain(
        &node1,
        &trust,
        Usage::Server,
        Some("10.0.0.9"),
        now,
        ExpiredPeer::Refuse,
    )
    .unwrap_err();
    assert_eq!(
        e,
        HandshakeFailure::NameMismatch {
            expected: "10.0.0.9".into(),
            presented: vec!["127.0.0.1".into(), "localhost".into()]
        }
    );
    // client1 carries only the clientAuth EKU: refused as a server certificate.
    let client1 = load("client1.jks")
        .private_keys()
        .next()
        .unwrap()
        .chain()
        .to_vec();
    verify_chain(
        &client1,
        &trust,
        Usage::Client,
        None,
        now,
        ExpiredPeer::Refuse,
    )
    .unwrap();
    let e = verify_chain(
        &client1,
        &trust,
        Usage::Server,
        None,
        now,
        ExpiredPeer::Refuse,
    )
    .unwrap_err();
    assert_eq!(e.kind(), "bad_certificate", "{e}");
    let expired = load("expired.jks");
    let chain = expired.private_keys().next().unwrap().chain().to_vec();
    let e = verify_chain(
        &chain,
        &load("expired-truststore.jks").trust_anchors(),
        Usage::Server,
        None,
        now,
        ExpiredPeer::Refuse,
    )
    .unwrap_err();
    assert_eq!(e.kind(), "expired");
    // Java's rule applies only where the leaf itself is trusted.
    verify_chain(
        &chain,
        &expired.trust_anchors(),
        Usage::Server,
        None,
        now,
        ExpiredPeer::AcceptWhenPeerIsTrusted,
    )
    .unwrap();
    assert!(
        verify_chain(
            &chain,
            &load("expired-truststore.jks").trust_anchors(),
            Usage::Server,
            None,
            now,
            ExpiredPeer::AcceptWhenPeerIsTrusted
        )
        .is_err()
    );
}
