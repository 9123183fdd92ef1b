//! The caller's crypto provider (TlsSettings::provider, DriverTls::provider) and the key checks
//! under whichever provider the crate is compiled with (CI runs this file under aws-lc-rs and
//! under `--no-default-features --features ring`).

mod common;

use std::sync::Arc;
use std::time::Duration;

use cassandra_tls::doctor::{self, Check, Severity};
use cassandra_tls::handshake::{self, Handshake, blocking};
use cassandra_tls::keystore::{KeyStore, StoreType};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::pki::Identity;
use cassandra_tls::pki::write::{PemEncryption, pem_certificates, pem_key};
use cassandra_tls::provider;
use cassandra_tls::tls::DriverTls;
use cassandra_tls::tls::{self, ServerRole, TlsSettings};
use rustls::CipherSuite;
use rustls::crypto::CryptoProvider;

/// The compiled provider restricted to one TLS 1.3 suite.
fn only(suite: CipherSuite) -> Arc<CryptoProvider> {
    let mut p = (*provider::crate_provider()).clone();
    p.cipher_suites.retain(|s| s.suite() == suite);
    assert_eq!(
        p.cipher_suites.len(),
        1,
        "{suite:?} is in the compiled provider"
    );
    Arc::new(p)
}

/// The compiled provider is the one the features choose, told apart by what rustls' providers
/// themselves differ in: FIPS mode and no ChaCha20 (rustls' FIPS provider), the X25519MLKEM768
/// hybrid group (aws-lc-rs has it, ring does not).
#[test]
fn the_compiled_provider_is_the_one_the_features_name() {
    let compiled = provider::crate_provider();
    let chacha = compiled
        .cipher_suites
        .iter()
        .any(|s| s.suite() == CipherSuite::TLS13_CHACHA20_POLY1305_SHA256);
    let mlkem = compiled
        .kx_groups
        .iter()
        .any(|g| g.name() == rustls::NamedGroup::X25519MLKEM768);
    let (fips, aws_lc_rs, ring) = (
        cfg!(feature = "fips"),
        cfg!(feature = "aws-lc-rs"),
        cfg!(feature = "ring"),
    );
    match provider::crate_provider_name() {
        "fips" => {
            assert!(fips);
            assert!(compiled.fips());
            assert!(!chacha, "FIPS mode has no ChaCha20");
        }
        "aws-lc-rs" => {
            assert!(aws_lc_rs && !fips);
            assert!(!compiled.fips());
            assert!(
                chacha && mlkem,
                "aws-lc-rs offers ChaCha20 and X25519MLKEM768"
            );
        }
        "ring" => {
            assert!(ring && !aws_lc_rs);
            assert!(!compiled.fips());
            assert!(chacha && !mlkem, "ring offers ChaCha20 and no ML-KEM");
        }
        other => panic!("unknown provider name {other}"),
    }
    // No process default is installed in this test binary: the crate's own is used.
    assert!(CryptoProvider::get_default().is_none());
    assert_eq!(
        provider::default_provider().cipher_suites.len(),
        compiled.cipher_suites.len()
    );
}

/// A caller's provider with one cipher suite: the config carries only it, and OpenSSL, which
/// offers all of TLS 1.3's, reports that suite negotiated.
#[test]
fn the_callers_provider_decides_what_is_negotiated() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let compiled = provider::crate_provider();
    // ChaCha20 where the provider has it (rustls' FIPS provider does not), and AES-256.
    let candidates = [
        (
            CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
            "TLS_CHACHA20_POLY1305_SHA256",
        ),
        (
            CipherSuite::TLS13_AES_256_GCM_SHA384,
            "TLS_AES_256_GCM_SHA384",
        ),
    ];
    for (suite, openssl_name) in candidates
        .into_iter()
        .filter(|(s, _)| compiled.cipher_suites.iter().any(|c| c.suite() == *s))
    {
        let client = DriverTls::new()
            .truststore_path(common::store_path("ca-bundle.pem"))
            .provider(only(suite))
            .build()
            .unwrap();
        let suites: Vec<CipherSuite> = client
            .config()
            .crypto_provider()
            .cipher_suites
            .iter()
            .map(|s| s.suite())
            .collect();
        assert_eq!(suites, vec![suite]);

        let peer = common::peer::openssl_node1_server(&[
            "-naccept",
            "1",
            "-rev",
            "-tls1_3",
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
        ]);
        let mut sock = common::peer::connect(peer.port);
        let hs = Handshake::client(&client, "127.0.0.1").unwrap();
        let (mut session, _) = blocking::handshake(hs, &mut sock).unwrap();
        assert_eq!(session.cipher_suite(), openssl_name);
        session.send(b"ping\n", &mut sock).unwrap();
        let back = session.receive(&mut sock).unwrap();
        assert_eq!(back, b"gnip\n");
        // s_server's output is block-buffered into the pipe: close so that it exits and flushes.
        session.close();
        let _ = session.flush_to(&mut sock);
        drop(sock);
        // What OpenSSL itself saw: the suites the client offered, and the one chosen.
        let mut offered = None;
        let chosen = loop {
            match peer.lines.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    let line = line.strip_prefix("stderr: ").unwrap_or(&line);
                    if let Some(list) = line.strip_prefix("Client cipher list: ") {
                        offered = Some(list.to_owned());
                    }
                    if let Some(c) = line.strip_prefix("Ciphersuite: ") {
                        break c.trim().to_owned();
                    }
                }
                Err(e) => panic!("s_server never reported the suite: {e}"),
            }
        };
        assert_eq!(chosen, openssl_name);
        let offered: Vec<String> = offered
            .expect("s_server lists the client's suites")
            .split(':')
            .filter(|s| *s != "TLS_EMPTY_RENEGOTIATION_INFO_SCSV")
            .map(str::to_owned)
            .collect();
        assert_eq!(offered, vec![openssl_name.to_owned()]);
    }
}

/// A PEM key store: these certificates, then this (unencrypted) key.
fn mixed_store_text(chain: &[&cassandra_tls::keystore::Certificate], pkcs8: &[u8]) -> String {
    format!(
        "{}{}",
        pem_certificates(chain),
        *pem_key(pkcs8, None, PemEncryption::Pbes2Aes256).unwrap()
    )
}

/// Keys the JDK writes carry no public key (keytool's EC PKCS#8 has no point; Ed25519 keys never
/// do), and ring refuses EC keys without it. Loading checks only what needs no derivation
/// (algorithm, curve); the rest is checked where the signing key is built (a TLS config,
/// `check_keys`): the key is completed with the certificate's point and the provider's own
/// consistency check reports a key that is not the certificate's.
#[test]
fn keys_keytool_generates_are_checked_where_the_signing_key_is_built() {
    if !common::tools_present(&["keytool"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "p256.jks",
            &["-keyalg", "EC", "-groupname", "secp256r1"],
            "JKS",
        ),
        (
            "p384.jceks",
            &["-keyalg", "EC", "-groupname", "secp384r1"],
            "JCEKS",
        ),
        (
            "p256.p12",
            &["-keyalg", "EC", "-groupname", "secp256r1"],
            "PKCS12",
        ),
        ("ed25519.p12", &["-keyalg", "Ed25519"], "PKCS12"),
        ("ed25519.jks", &["-keyalg", "Ed25519"], "JKS"),
    ];
    for (name, keyalg, store_type) in cases {
        let own = common::keytool_keypair(dir.path(), name, keyalg, store_type);
        let other =
            common::keytool_keypair(dir.path(), &format!("other-{name}"), keyalg, store_type);
        let load = |path: &std::path::Path| {
            KeyStore::loader()
                .store_password("cassandra")
                .load_file(path)
                .unwrap_or_else(|e| panic!("{name}: {e}"))
        };
        let store = load(&own);
        let entry = store.private_keys().next().unwrap();
        store.check_keys().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(entry.key_matches_certificate(), Some(true), "{name}");

        // The store serves TLS: our client, trusting the keytool certificate, completes a
        // handshake with a server built from the store (the peer checks the signature).
        let yaml = CassandraYaml::from_str(&format!(
            "client_encryption_options:\n  enabled: true\n  keystore: {}\n  keystore_password: cassandra\n  store_type: {store_type}\n",
            own.display()
        ))
        .unwrap();
        let server = tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let client = DriverTls::new()
            .truststore_bytes(pem_certificates(&[&entry.chain()[0]]).into_bytes())
            .store_type(StoreType::Pem)
            .hostname_validation(false)
            .build()
            .unwrap();
        let (client_done, _) = handshake::in_memory(
            Handshake::client(&client, "localhost").unwrap(),
            Handshake::server(&server, "127.0.0.1".parse().unwrap()).unwrap(),
        )
        .both()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        drop(client_done);

        // The key with the other keytool certificate (same algorithm and curve, so loading's
        // cheap checks pass): refused by check_keys and by building a config.
        let other_store = load(&other);
        let key = entry.key().unwrap().to_pkcs8().unwrap();
        let other_chain: Vec<_> = other_store
            .private_keys()
            .next()
            .unwrap()
            .chain()
            .iter()
            .collect();
        let mixed = mixed_store_text(&other_chain, &key);
        let mixed_store = KeyStore::loader()
            .load(mixed.as_bytes())
            .unwrap_or_else(|e| panic!("{name}: loading does not derive the public key: {e}"));
        let err = mixed_store.check_keys().unwrap_err();
        assert_eq!(err.kind(), "key_cert_mismatch", "{name}: {err}");
        assert_eq!(
            mixed_store
                .private_keys()
                .next()
                .unwrap()
                .key_matches_certificate(),
            Some(false),
            "{name}"
        );
        let err = DriverTls::new()
            .keystore_bytes(mixed.into_bytes())
            .truststore_bytes(pem_certificates(&other_chain).into_bytes())
            .store_type(StoreType::Pem)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), "key_cert_mismatch", "{name}: {err}");
        // The doctor reports it for a node whose key store is that file.
        let mixed_path = dir.path().join(format!("mixed-{name}.pem"));
        std::fs::write(&mixed_path, mixed_store_text(&other_chain, &key)).unwrap();
        let yaml = CassandraYaml::from_str(&format!(
            "client_encryption_options:\n  enabled: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n  keystore: {}\n",
            mixed_path.display()
        ))
        .unwrap();
        let report = doctor::check(&yaml, None, rustls::pki_types::UnixTime::now());
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.severity == Severity::Error && f.check == Check::KeyMatchesCert),
            "{name}: {:?}",
            report.findings
        );
        // And the pki module's own check (Identity) refuses the pair too.
        assert!(Identity::from_parts(other_chain.into_iter().cloned().collect(), key).is_err());
    }

    // What needs no derivation is still refused at load: a P-256 key with a P-384 certificate,
    // an Ed25519 key with an EC certificate, an EC key with an RSA certificate.
    let key_of = |name: &str| {
        let store = KeyStore::loader()
            .store_password("cassandra")
            .load_file(dir.path().join(name))
            .unwrap();
        let entry = store.private_keys().next().unwrap();
        (
            entry.key().unwrap().to_pkcs8().unwrap(),
            entry.chain().to_vec(),
        )
    };
    let rsa = KeyStore::loader()
        .store_password("cassandra")
        .load_file(common::store_path("node1.jks"))
        .unwrap();
    let rsa_chain = rsa.private_keys().next().unwrap().chain().to_vec();
    for (key_from, chain) in [
        ("p256.jks", key_of("p384.jceks").1),
        ("ed25519.p12", key_of("p256.p12").1),
        ("p256.jks", rsa_chain),
    ] {
        let (key, _) = key_of(key_from);
        let text = mixed_store_text(&chain.iter().collect::<Vec<_>>(), &key);
        let err = KeyStore::loader().load(text.as_bytes()).unwrap_err();
        assert_eq!(err.kind(), "key_cert_mismatch", "{key_from}: {err}");
    }
}

/// `DriverTls::settings` after `.provider()` keeps the provider (the settings name none); a
/// provider in the settings replaces it.
#[test]
fn driver_settings_keep_an_earlier_provider() {
    let suites = |client: &cassandra_tls::tls::ClientTls| -> Vec<CipherSuite> {
        client
            .config()
            .crypto_provider()
            .cipher_suites
            .iter()
            .map(|s| s.suite())
            .collect()
    };
    let first = CipherSuite::TLS13_AES_128_GCM_SHA256;
    let second = CipherSuite::TLS13_AES_256_GCM_SHA384;
    let client = DriverTls::new()
        .truststore_path(common::store_path("ca-bundle.pem"))
        .provider(only(first))
        .settings(cassandra_tls::tls::TlsSettings::default())
        .build()
        .unwrap();
    assert_eq!(suites(&client), vec![first]);
    let client = DriverTls::new()
        .truststore_path(common::store_path("ca-bundle.pem"))
        .provider(only(first))
        .settings(cassandra_tls::tls::TlsSettings {
            provider: Some(only(second)),
            ..Default::default()
        })
        .build()
        .unwrap();
    assert_eq!(suites(&client), vec![second]);
}
