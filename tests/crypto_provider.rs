//! The caller's crypto provider (TlsSettings::provider, DriverTls::provider) and the key checks
//! under whichever provider the crate is compiled with (CI runs this file under aws-lc-rs and
//! under `--no-default-features --features ring`).

mod common;

use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::keystore::{KeyStore, StoreType};
use cassandra_tls::pki::write::{PemEncryption, pem_certificates, pem_key};
use cassandra_tls::pki::{Ca, Identity, KeyType};
use cassandra_tls::provider;
use cassandra_tls::tls::DriverTls;
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

#[test]
fn the_compiled_provider_is_the_one_the_features_name() {
    let expected = if cfg!(feature = "fips") {
        "fips"
    } else if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "ring"
    };
    assert_eq!(provider::crate_provider_name(), expected);
    assert_eq!(provider::crate_provider().fips(), cfg!(feature = "fips"));
    // No process default is installed in this test binary: the crate's own is used.
    assert!(CryptoProvider::get_default().is_none());
    assert_eq!(
        provider::default_provider().cipher_suites.len(),
        provider::crate_provider().cipher_suites.len()
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
            .config
            .crypto_provider()
            .cipher_suites
            .iter()
            .map(|s| s.suite())
            .collect();
        assert_eq!(suites, vec![suite]);

        let mut cmd = Command::new("openssl");
        cmd.args([
            "s_server",
            "-accept",
            "127.0.0.1:0",
            "-naccept",
            "1",
            "-rev",
        ])
        .args(["-cert", &common::store_path("node1.chain.pem")])
        .args(["-key", &common::store_path("node1.key.pem")])
        .args([
            "-tls1_3",
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
        ]);
        let peer = common::peer::start(cmd, "ACCEPT ");
        let mut sock = TcpStream::connect(("127.0.0.1", peer.port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
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

/// A key written by the JDK holds no EC public point (keytool's PKCS#8 is version 1 without
/// it), and ring refuses such keys. The key is completed with the certificate's point, and the
/// provider's own consistency check still reports a key that is not the certificate's.
#[test]
fn jdk_ec_keys_load_and_are_checked_under_the_compiled_provider() {
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load_file(common::store_path("node-ec.jks"))
        .unwrap();
    assert_eq!(store.store_type(), StoreType::Jks);
    let entry = store.private_keys().next().unwrap();
    let key = entry.key().unwrap().to_pkcs8().unwrap();
    let own_chain = entry.chain().to_vec();

    // Its own certificate: accepted.
    Identity::from_parts(own_chain.clone(), key.clone()).unwrap();
    let own_pem = format!(
        "{}{}",
        pem_certificates(&own_chain.iter().collect::<Vec<_>>()),
        *pem_key(&key, None, PemEncryption::Pbes2Aes256)
    );
    KeyStore::loader()
        .load(own_pem.as_bytes())
        .expect("the JDK key with its own certificate");

    // Another P-256 certificate (same curve, another key pair): refused in both places.
    let ca = Ca::root_with("other", KeyType::EcdsaP256, Default::default()).unwrap();
    let other = ca
        .leaf("other node")
        .key_type(KeyType::EcdsaP256)
        .issue()
        .unwrap();
    assert!(Identity::from_parts(other.chain().to_vec(), key.clone()).is_err());
    let mixed_pem = format!(
        "{}{}",
        pem_certificates(&other.chain().iter().collect::<Vec<_>>()),
        *pem_key(&key, None, PemEncryption::Pbes2Aes256)
    );
    let err = KeyStore::loader().load(mixed_pem.as_bytes()).unwrap_err();
    assert_eq!(err.kind(), "key_cert_mismatch", "{err}");
}
