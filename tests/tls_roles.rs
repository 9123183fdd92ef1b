//! The four roles built from the fixture cassandra.yaml files, handshaking in memory: client
//! config against server config, including the failures that must fail.

mod common;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ExpiredPeer, Role, ServerRole, TlsSettings};
use common::mem::{Failure, handshake};
use common::{conf_yaml as yaml, expected_fingerprints as fingerprints, inline_yaml as inline};
use rustls::pki_types::UnixTime;
use rustls::{CertificateError, Error};

fn sha256_hex(der: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(der))
}

fn settings() -> TlsSettings {
    TlsSettings::default()
}

/// Both role pairs handshake for every healthy configuration, and each side sees the other's
/// certificate as keytool/OpenSSL list it.
#[test]
fn every_role_pair_handshakes_for_every_healthy_file() {
    for file in [
        "cassandra.yaml",
        "cassandra-pkcs12.yaml",
        "cassandra-pem-files.yaml",
        "cassandra-pem-inline.yaml",
        "cassandra-outbound.yaml",
        "cassandra-multikey.yaml",
        "cassandra-dc.yaml",
    ] {
        let y = yaml(file);
        for (server_role, client_role) in [
            (ServerRole::Internode, ClientRole::Internode),
            (ServerRole::Native, ClientRole::Native),
        ] {
            let server = tls::server_config(&y, server_role, &settings())
                .unwrap_or_else(|e| panic!("{file} {server_role:?}: {e}"));
            let client = tls::client_config(&y, client_role, &settings())
                .unwrap_or_else(|e| panic!("{file} {client_role:?}: {e}"));
            let (c, s) = handshake(
                client.config().clone(),
                "127.0.0.1",
                server.config_without_client_address_check().clone(),
            )
            .unwrap_or_else(|f| panic!("{file} {server_role:?}/{client_role:?}: {f:?}"));
            let server_leaf = sha256_hex(c.peer_certificates().unwrap()[0].as_ref());
            let node1 = &fingerprints("node1.chain.pem.openssl.txt")[0];
            let node_ec = &fingerprints("node-ec.chain.pem.openssl.txt")[0];
            assert!(
                server_leaf == *node1 || (file.contains("multikey") && server_leaf == *node_ec),
                "{file}: server presented {server_leaf}"
            );
            if client.has_client_certificate()
                && server.client_auth() != cassandra_tls::options::ClientAuth::NotRequired
            {
                let client_leaf =
                    sha256_hex(s.peer_certificates().expect("client certificate")[0].as_ref());
                if file == "cassandra-outbound.yaml" && client_role == ClientRole::Internode {
                    assert_eq!(
                        client_leaf,
                        fingerprints("client1.chain.pem.openssl.txt")[0],
                        "{file}: outbound_keystore serves the internode client"
                    );
                } else {
                    assert!(client_leaf == *node1 || file.contains("multikey"), "{file}");
                }
            }
        }
    }
}

#[test]
fn internode_server_always_requires_a_client_certificate() {
    let y = yaml("cassandra.yaml");
    let server = tls::server_config(&y, ServerRole::Internode, &settings()).unwrap();
    // A client that trusts the node but has no certificate of its own.
    let mut client = (**tls::client_config(&y, ClientRole::Internode, &settings())
        .unwrap()
        .config())
    .clone();
    client.client_auth_cert_resolver = std::sync::Arc::new(NoCert);
    let err = handshake(
        std::sync::Arc::new(client),
        "127.0.0.1",
        server.config_without_client_address_check().clone(),
    )
    .unwrap_err();
    assert!(
        matches!(err, Failure::Server(Error::NoCertificatesPresented)),
        "{err:?}"
    );
}

#[derive(Debug)]
struct NoCert;
impl rustls::client::ResolvesClientCert for NoCert {
    fn resolve(
        &self,
        _: &[&[u8]],
        _: &[rustls::SignatureScheme],
    ) -> Option<std::sync::Arc<rustls::sign::CertifiedKey>> {
        None
    }
    fn has_certs(&self) -> bool {
        false
    }
}

#[test]
fn optional_client_auth_accepts_clients_without_certificates() {
    let y = common::pem_files_optional_client_auth();
    let server = tls::server_config(&y, ServerRole::Native, &settings()).unwrap();
    assert_eq!(
        server.client_auth(),
        cassandra_tls::options::ClientAuth::Optional
    );
    let mut client = (**tls::client_config(&y, ClientRole::Native, &settings())
        .unwrap()
        .config())
    .clone();
    client.client_auth_cert_resolver = std::sync::Arc::new(NoCert);
    let (_, s) = handshake(
        std::sync::Arc::new(client),
        "127.0.0.1",
        server.config_without_client_address_check().clone(),
    )
    .unwrap();
    assert!(s.peer_certificates().is_none());
}

#[test]
fn endpoint_verification_checks_the_ip_san_and_its_absence_does_not_skip_the_chain() {
    let y = yaml("cassandra.yaml"); // server_encryption_options: require_endpoint_verification: true
    let server = tls::server_config(&y, ServerRole::Internode, &settings()).unwrap();
    let client = tls::client_config(&y, ClientRole::Internode, &settings()).unwrap();
    assert!(client.verifies_server_name());
    let err = handshake(
        client.config().clone(),
        "10.0.0.9",
        server.config_without_client_address_check().clone(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err.error(),
            Error::InvalidCertificate(CertificateError::NotValidForNameContext { .. })
        ),
        "{err:?}"
    );
    // client_encryption_options of cassandra-outbound.yaml turns it off: any name passes,
    // but an untrusted chain still fails.
    let y2 = yaml("cassandra-outbound.yaml");
    let client2 = tls::client_config(&y2, ClientRole::Native, &settings()).unwrap();
    assert!(!client2.verifies_server_name());
    let server2 = tls::server_config(&y2, ServerRole::Native, &settings()).unwrap();
    handshake(
        client2.config().clone(),
        "10.0.0.9",
        server2.config_without_client_address_check().clone(),
    )
    .unwrap();
    let expired_server = tls::server_config(
        &yaml("cassandra-expired.yaml"),
        ServerRole::Native,
        &TlsSettings {
            now: Some(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
                1_041_379_200,
            ))), // 2003-01-01
            ..Default::default()
        },
    )
    .unwrap();
    let then = TlsSettings {
        now: Some(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            1_041_379_200,
        ))),
        ..Default::default()
    };
    let client_then = tls::client_config(&y2, ClientRole::Native, &then).unwrap();
    let err = handshake(
        client_then.config().clone(),
        "10.0.0.9",
        expired_server.config_without_client_address_check().clone(),
    )
    .unwrap_err();
    assert!(matches!(&err, Failure::Client(_)), "{err:?}");
    let named = cassandra_tls::handshake::HandshakeFailure::from(err.error().clone());
    assert_eq!(named.kind(), "unknown_issuer", "{named}");
}

#[test]
fn expired_peers_are_refused_unless_javas_rule_is_asked_for() {
    let y = yaml("cassandra-expired.yaml");
    let server = tls::server_config(&y, ServerRole::Native, &settings()).unwrap();
    let client = tls::client_config(&y, ClientRole::Native, &settings()).unwrap();
    let err = handshake(
        client.config().clone(),
        "127.0.0.1",
        server.config_without_client_address_check().clone(),
    )
    .unwrap_err();
    // The leaf is itself trusted (a key entry of expired.jks): the error says Java would accept it.
    let Error::InvalidCertificate(CertificateError::Other(other)) = err.error() else {
        panic!("{err:?}");
    };
    assert!(
        other
            .0
            .to_string()
            .contains("Java, and so Cassandra, would still accept it"),
        "{other}"
    );
    // An expired peer that is not itself trusted is plainly expired.
    let strict = inline(
        "client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/expired-truststore.jks\n  truststore_password: cassandra\n",
    );
    let strict_client = tls::client_config(&strict, ClientRole::Native, &settings()).unwrap();
    let server_plain = tls::server_config(
        &inline("client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/expired.jks\n  keystore_password: cassandra\n"),
        ServerRole::Native,
        &settings(),
    )
    .unwrap();
    let err = handshake(
        strict_client.config().clone(),
        "127.0.0.1",
        server_plain.config_without_client_address_check().clone(),
    )
    .unwrap_err();
    assert!(
        matches!(
            err.error(),
            Error::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. }
            )
        ),
        "{err:?}"
    );
    // Java's rule: the expired leaf is itself in the truststore (a key entry of expired.jks).
    let java = TlsSettings {
        expired_peer: ExpiredPeer::AcceptWhenPeerIsTrusted,
        ..Default::default()
    };
    let server = tls::server_config(&y, ServerRole::Native, &java).unwrap();
    let client = tls::client_config(&y, ClientRole::Native, &java).unwrap();
    handshake(
        client.config().clone(),
        "127.0.0.1",
        server.config_without_client_address_check().clone(),
    )
    .unwrap();
    // At a time inside the certificates' validity, they are simply valid.
    let then = TlsSettings {
        now: Some(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
            1_041_379_200,
        ))),
        ..Default::default()
    };
    let server = tls::server_config(&y, ServerRole::Native, &then).unwrap();
    let client = tls::client_config(&y, ClientRole::Native, &then).unwrap();
    handshake(
        client.config().clone(),
        "127.0.0.1",
        server.config_without_client_address_check().clone(),
    )
    .unwrap();
}

#[test]
fn tls_1_0_only_is_an_error_naming_what_is_available() {
    let y = yaml("cassandra-tlsv1.yaml");
    for role in [ServerRole::Internode, ServerRole::Native] {
        let e = tls::server_config(&y, role, &settings()).unwrap_err();
        assert_eq!(e.kind(), "config");
        assert!(e.to_string().contains("TLSv1.2 and TLSv1.3"), "{e}");
    }
}

#[test]
fn cipher_suites_are_filtered_in_order_and_none_left_is_an_error() {
    let y = yaml("cassandra-ciphers.yaml");
    let server = tls::server_config(&y, ServerRole::Internode, &settings()).unwrap();
    let client = tls::client_config(&y, ClientRole::Internode, &settings()).unwrap();
    assert!(
        server
            .warnings
            .iter()
            .any(|w| w.to_string().contains("TLS_RSA_WITH_AES_128_CBC_SHA"))
    );
    let (c, _) = handshake(
        client.config().clone(),
        "127.0.0.1",
        server.config_without_client_address_check().clone(),
    )
    .unwrap();
    assert_eq!(
        c.negotiated_cipher_suite().map(|s| u16::from(s.suite())),
        Some(0xc030), // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
    );
    assert_eq!(c.protocol_version(), Some(rustls::ProtocolVersion::TLSv1_2));
    let e = tls::server_config(&y, ServerRole::Native, &settings()).unwrap_err();
    assert!(
        e.to_string()
            .contains("No ciphers left after filtering supported cipher suite"),
        "{e}"
    );
}

/// Accepts any server certificate and advertises only some signature schemes: a client that
/// tells the server which key types it takes (this test is about key choice, not trust).
#[derive(Debug)]
struct SchemesOnly(Vec<rustls::SignatureScheme>);

impl rustls::client::danger::ServerCertVerifier for SchemesOnly {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.clone()
    }
}

#[test]
fn the_key_that_fits_the_peer_is_served_or_the_one_named() {
    use rustls::SignatureScheme as S;
    let y = yaml("cassandra-multikey.yaml");
    let server = tls::server_config(&y, ServerRole::Native, &settings()).unwrap();
    let client = tls::client_config(&y, ClientRole::Native, &settings()).unwrap();
    let node1 = fingerprints("node1.chain.pem.openssl.txt")[0].clone();
    let node_ec = fingerprints("node-ec.chain.pem.openssl.txt")[0].clone();
    for (schemes, want) in [
        (vec![S::RSA_PSS_SHA256, S::RSA_PKCS1_SHA256], &node1),
        (vec![S::ECDSA_NISTP256_SHA256], &node_ec),
    ] {
        let mut c = (**client.config()).clone();
        c.dangerous()
            .set_certificate_verifier(std::sync::Arc::new(SchemesOnly(schemes.clone())));
        let (conn, _) = handshake(
            std::sync::Arc::new(c),
            "127.0.0.1",
            server.config_without_client_address_check().clone(),
        )
        .unwrap_or_else(|f| panic!("{schemes:?}: {f:?}"));
        assert_eq!(
            &sha256_hex(conn.peer_certificates().unwrap()[0].as_ref()),
            want,
            "{schemes:?}"
        );
    }
    // By alias, whatever the peer prefers.
    for (alias, want) in [("node-ec", &node_ec), ("NODE1", &node1)] {
        let named = TlsSettings {
            key_alias: Some(alias.into()),
            ..Default::default()
        };
        let s = tls::server_config(&y, ServerRole::Native, &named).unwrap();
        let (c, _) = handshake(
            client.config().clone(),
            "127.0.0.1",
            s.config_without_client_address_check().clone(),
        )
        .unwrap();
        assert_eq!(
            &sha256_hex(c.peer_certificates().unwrap()[0].as_ref()),
            want
        );
    }
    let missing = TlsSettings {
        key_alias: Some("nope".into()),
        ..Default::default()
    };
    assert_eq!(
        tls::server_config(&y, ServerRole::Native, &missing)
            .unwrap_err()
            .kind(),
        "config"
    );
}

/// 6.0's reading: the password files (CASSANDRA-13428) are 6.0's.
fn inline_6_0(text: &str) -> CassandraYaml {
    CassandraYaml::from_str_for(text, cassandra_tls::options::CassandraVersion::V6_0)
        .unwrap()
        .with_base_dir(common::root())
}

#[test]
fn factory_and_store_errors_are_cassandras() {
    let key_pem =
        std::fs::read_to_string(common::fixtures().join("stores/node1-keystore.pem")).unwrap();
    let indented: String = key_pem.lines().map(|l| format!("        {l}\n")).collect();
    let cases: Vec<(String, Role, &str)> = vec![
        // keystore file and inline key at once
        (
            format!(
                "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1-keystore.pem\n  truststore: fixtures/stores/ca-bundle.pem\n  ssl_context_factory:\n    class_name: PEMBasedSslContextFactory\n    parameters:\n      private_key: |\n{indented}      private_key_password: cassandra\n"
            ),
            Role::NativeServer,
            "either keystore or private_key, not both",
        ),
        // the two passwords disagree
        (
            format!(
                "client_encryption_options:\n  enabled: true\n  keystore: conf/none.pem\n  keystore_password: other\n  ssl_context_factory:\n    class_name: PEMBasedSslContextFactory\n    parameters:\n      private_key: |\n{indented}      private_key_password: cassandra\n"
            ),
            Role::NativeServer,
            "do not match",
        ),
        // PEM without any trust source
        (
            "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1-keystore.pem\n  keystore_password: cassandra\n  truststore: conf/none.pem\n  ssl_context_factory:\n    class_name: PEMBasedSslContextFactory\n".into(),
            Role::NativeClient,
            "Must provide truststore or trusted_certificates",
        ),
        // no keystore_password (4.1.2+)
        (
            "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n".into(),
            Role::NativeServer,
            "'keystore_password' must be specified",
        ),
        // the key store file is missing
        (
            "client_encryption_options:\n  enabled: true\n  keystore: conf/missing.jks\n  keystore_password: x\n".into(),
            Role::NativeServer,
            "failed to build key manager store",
        ),
        // the trust store file is missing
        (
            "client_encryption_options:\n  enabled: true\n  truststore: conf/missing.jks\n".into(),
            Role::NativeClient,
            "failed to build trust manager store",
        ),
        // an algorithm this crate does not implement
        (
            "client_encryption_options:\n  enabled: true\n  algorithm: IbmX509\n  keystore: fixtures/stores/node1.jks\n  keystore_password: cassandra\n".into(),
            Role::NativeServer,
            "IbmX509",
        ),
    ];
    for (text, role, needle) in cases {
        let y = inline(&text);
        let e = match role {
            Role::NativeServer => {
                tls::server_config(&y, ServerRole::Native, &settings()).map(|_| ())
            }
            Role::InternodeServer => {
                tls::server_config(&y, ServerRole::Internode, &settings()).map(|_| ())
            }
            Role::NativeClient => {
                tls::client_config(&y, ClientRole::Native, &settings()).map(|_| ())
            }
            Role::InternodeClient => {
                tls::client_config(&y, ClientRole::Internode, &settings()).map(|_| ())
            }
        }
        .expect_err(needle);
        assert_eq!(e.kind(), "config", "{needle}: {e}");
        assert!(e.to_string().contains(needle), "{needle}: {e}");
    }
    // A wrong store password keeps its own kind.
    let y = inline(
        "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n  keystore_password: nope\n",
    );
    assert_eq!(
        tls::server_config(&y, ServerRole::Native, &settings())
            .unwrap_err()
            .kind(),
        "wrong_password_or_tampered"
    );
}

#[test]
fn password_files_are_read_by_their_first_line() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("ks.txt");
    std::fs::write(&pw, "cassandra\nsecond line ignored\n").unwrap();
    let y = inline_6_0(&format!(
        "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n  keystore_password_file: {}\n",
        pw.display()
    ));
    tls::server_config(&y, ServerRole::Native, &settings()).unwrap();
}

/// 6.0's `FileBasedStoreContext.resolvePassword` (cassandra-all 6.0-alpha2's bytecode): a
/// given `keystore_password` wins and the file is then never read, even when it does not
/// exist; without one, a missing file stops start-up ("keystore password file ... does not
/// exist"); a file with a wrong first line is the wrong password.
#[test]
fn an_inline_password_wins_over_a_password_file_as_in_6_0() {
    let dir = tempfile::tempdir().unwrap();
    let section = |extra: &str| {
        inline_6_0(&format!(
            "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n{extra}"
        ))
    };
    let missing = dir.path().join("missing.txt");
    let y = section(&format!(
        "  keystore_password: cassandra\n  keystore_password_file: {}\n",
        missing.display()
    ));
    tls::server_config(&y, ServerRole::Native, &settings()).unwrap();
    let wrong = dir.path().join("wrong.txt");
    std::fs::write(&wrong, "not-the-password\n").unwrap();
    let y = section(&format!(
        "  keystore_password: cassandra\n  keystore_password_file: {}\n",
        wrong.display()
    ));
    tls::server_config(&y, ServerRole::Native, &settings()).unwrap();
    let y = section(&format!(
        "  keystore_password_file: {}\n",
        missing.display()
    ));
    let e = tls::server_config(&y, ServerRole::Native, &settings()).unwrap_err();
    assert!(e.to_string().contains("keystore password file"), "{e}");
    assert!(e.to_string().contains("does not exist"), "{e}");
    let y = section(&format!("  keystore_password_file: {}\n", wrong.display()));
    let e = tls::server_config(&y, ServerRole::Native, &settings()).unwrap_err();
    assert_eq!(e.kind(), "wrong_password_or_tampered", "{e}");
}

#[test]
fn cqlsh_settings_handshake_with_the_native_port() {
    let y = yaml("cassandra.yaml"); // require_client_auth: true
    let server = tls::server_config(&y, ServerRole::Native, &settings()).unwrap();
    for (rc, warned) in [("cqlshrc", false), ("cqlshrc-novalidate", true)] {
        let file =
            cassandra_tls::options::Cqlshrc::load_file(common::fixtures().join("conf").join(rc))
                .unwrap();
        let ssl = file.ssl_settings("127.0.0.1", &|_| None, None).unwrap();
        assert!(ssl.enabled);
        let ssl = cassandra_tls::options::CqlshSsl {
            certfile: ssl.certfile.map(|p| common::root().join(p)),
            userkey: ssl.userkey.map(|p| common::root().join(p)),
            usercert: ssl.usercert.map(|p| common::root().join(p)),
            ..ssl
        };
        let client = tls::cqlsh_client_config(&ssl, &settings()).unwrap();
        assert_eq!(
            client
                .warnings
                .iter()
                .any(|w| matches!(w, tls::TlsWarning::NoServerVerification)),
            warned
        );
        // cqlsh never checks the host name: any name connects.
        let (_, s) = handshake(
            client.config().clone(),
            "10.1.2.3",
            server.config_without_client_address_check().clone(),
        )
        .unwrap_or_else(|f| panic!("{rc}: {f:?}"));
        assert_eq!(
            sha256_hex(s.peer_certificates().unwrap()[0].as_ref()),
            fingerprints("client1.chain.pem.openssl.txt")[0],
            "{rc}: the server sees client1"
        );
    }
    // Validating against a CA that did not sign the node fails.
    let other_ca = cassandra_tls::options::CqlshSsl {
        enabled: true,
        validate: true,
        certfile: Some(common::fixtures().join("stores/expired-truststore.jks")),
        userkey: None,
        usercert: None,
        ignored_version: None,
    };
    let client = tls::cqlsh_client_config(&other_ca, &settings()).unwrap();
    let server_no_mtls = tls::server_config(
        &yaml("cassandra-pem-files.yaml"),
        ServerRole::Native,
        &settings(),
    )
    .unwrap();
    let err = handshake(
        client.config().clone(),
        "127.0.0.1",
        server_no_mtls.config_without_client_address_check().clone(),
    )
    .unwrap_err();
    assert!(matches!(&err, Failure::Client(_)), "{err:?}");
    let named = cassandra_tls::handshake::HandshakeFailure::from(err.error().clone());
    assert_eq!(named.kind(), "unknown_issuer", "{named}");
}

#[test]
fn a_separate_key_password_unlocks_keytool_keypass_stores() {
    let y = inline(
        "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1-keypass.jks\n  keystore_password: cassandra\n",
    );
    // Cassandra's way (one password) fails, and says it is the key password.
    assert_eq!(
        tls::server_config(&y, ServerRole::Native, &settings())
            .unwrap_err()
            .kind(),
        "wrong_key_password"
    );
    let keypass = TlsSettings {
        key_password: Some("keypass-differs".into()),
        ..Default::default()
    };
    tls::server_config(&y, ServerRole::Native, &keypass).unwrap();
}

#[test]
fn policies_of_the_fixture_files() {
    use cassandra_tls::options::Policy::*;
    for (file, server_policy, client_policy) in [
        ("cassandra.yaml", Encrypted, Encrypted),
        ("cassandra-dc.yaml", Optional, Optional),
        ("cassandra-pem-inline.yaml", Encrypted, Encrypted),
    ] {
        let y = yaml(file);
        let s = y.server_encryption_options();
        let c = y.client_encryption_options();
        assert_eq!(
            s.policy(s.common.has_keystore(y.base_dir())),
            server_policy,
            "{file}"
        );
        assert_eq!(
            c.policy(c.has_keystore(y.base_dir())),
            client_policy,
            "{file}"
        );
    }
}

/// A client config that does not check the server's name says so in a warning, and one that
/// does carries no such warning (require_endpoint_verification as the yaml sets it).
#[test]
fn a_client_that_checks_no_server_name_warns() {
    let no_name = |c: &tls::ClientTls| {
        c.warnings
            .iter()
            .any(|w| matches!(w, tls::TlsWarning::NoServerNameCheck { .. }))
    };
    let y = yaml("cassandra.yaml");
    // server_encryption_options has require_endpoint_verification: true; the client section not.
    let internode = tls::client_config(&y, ClientRole::Internode, &settings()).unwrap();
    assert!(internode.verifies_server_name());
    assert!(!no_name(&internode), "{:?}", internode.warnings);
    let native = tls::client_config(&y, ClientRole::Native, &settings()).unwrap();
    assert!(!native.verifies_server_name());
    assert!(no_name(&native), "{:?}", native.warnings);
    let w = native
        .warnings
        .iter()
        .find(|w| matches!(w, tls::TlsWarning::NoServerNameCheck { .. }))
        .unwrap();
    assert!(w.to_string().contains("client_encryption_options"), "{w}");
}

#[test]
fn a_truststore_given_as_the_key_store_is_recognised() {
    // The fixtures' truststore.jks as the key store: keytool lists its trusted certificates.
    let trusted = common::tools::parse_keytool_certs(
        &std::fs::read_to_string(common::fixtures().join("expected/truststore.jks.keytool.txt"))
            .unwrap(),
    )
    .len();
    let e = tls::DriverTls::new()
        .truststore_path(common::fixtures().join("stores/truststore.jks"))
        .truststore_password("cassandra")
        .keystore_path(common::fixtures().join("stores/truststore.jks"))
        .keystore_password("cassandra")
        .build()
        .unwrap_err()
        .to_string();
    assert!(e.contains("is it the truststore?"), "{e}");
    assert!(
        e.contains(&format!("only {trusted} trusted certificate(s)")),
        "{e}"
    );
}
