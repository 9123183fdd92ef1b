//! The process default provider, installed by the application, is what the crate builds with
//! when the caller names none (its own binary: the default is process-wide).

mod common;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::provider;
use cassandra_tls::tls::{self, ClientRole, DriverTls, ServerRole, TlsSettings};
use rustls::CipherSuite;
use rustls::crypto::CryptoProvider;

fn suites(p: &CryptoProvider) -> Vec<CipherSuite> {
    p.cipher_suites.iter().map(|s| s.suite()).collect()
}

#[test]
fn an_installed_process_default_is_used_and_an_explicit_provider_still_wins() {
    let mut installed = (*provider::crate_provider()).clone();
    installed
        .cipher_suites
        .retain(|s| s.suite() == CipherSuite::TLS13_AES_256_GCM_SHA384);
    installed.install_default().unwrap();
    assert_eq!(
        suites(&provider::default_provider()),
        [CipherSuite::TLS13_AES_256_GCM_SHA384]
    );

    let yaml = CassandraYaml::load_file(common::fixtures().join("conf").join("cassandra.yaml"))
        .unwrap()
        .with_base_dir(common::root());
    let server = tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default()).unwrap();
    let client = tls::client_config(&yaml, ClientRole::Internode, &TlsSettings::default()).unwrap();
    let driver = DriverTls::new()
        .truststore_path(common::store_path("ca-bundle.pem"))
        .build()
        .unwrap();
    for p in [
        server
            .config_without_client_address_check()
            .clone()
            .crypto_provider(),
        client.config().crypto_provider(),
        driver.config().crypto_provider(),
    ] {
        assert_eq!(suites(p), [CipherSuite::TLS13_AES_256_GCM_SHA384]);
    }

    // The caller's own provider beats the process default.
    let explicit = TlsSettings {
        provider: Some(provider::crate_provider()),
        ..TlsSettings::default()
    };
    let client = tls::client_config(&yaml, ClientRole::Internode, &explicit).unwrap();
    assert_eq!(
        suites(client.config().crypto_provider()),
        suites(&provider::crate_provider())
    );
    assert!(suites(&provider::crate_provider()).len() > 1);
}
