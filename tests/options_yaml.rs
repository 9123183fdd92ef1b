//! cassandra.yaml reading: every key, defaults, unknown keys, wrong values, the PEM factory.

use cassandra_tls::options::{
    CassandraYaml, ClientAuth, InternodeEncryption, Policy, SslContextFactoryKind,
};

#[test]
fn every_key_of_both_sections() {
    // 6.0: the union of every key (validity periods and password files are 6.0's).
    let y = CassandraYaml::from_str_for(
        r#"
cluster_name: Test
listen_address: 127.0.0.1
broadcast_address: 10.0.0.1
rpc_address: 0.0.0.0
broadcast_rpc_address: 10.0.0.2
storage_port: 7010
ssl_storage_port: 7011
native_transport_port: 9142
server_encryption_options:
  internode_encryption: rack
  legacy_ssl_storage_port_enabled: true
  enabled: true
  optional: false
  keystore: conf/node.jks
  keystore_password: ks
  keystore_password_file: conf/ks.txt
  outbound_keystore: conf/out.jks
  outbound_keystore_password: ""
  truststore: conf/trust.jks
  truststore_password: ts
  truststore_password_file: conf/ts.txt
  cipher_suites: [TLS_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
  protocol: TLS
  accepted_protocols: [TLSv1.2, TLSv1.3]
  algorithm: SunX509
  store_type: PKCS12
  require_client_auth: true
  require_endpoint_verification: true
  max_certificate_validity_period: 365d
  certificate_validity_warn_threshold: 10d
client_encryption_options:
  enabled: true
  optional: true
  require_client_auth: optional
  ssl_context_factory:
    class_name: PEMBasedSslContextFactory
    parameters:
      private_key: "x"
      private_key_password: "pw"
"#,
        cassandra_tls::options::CassandraVersion::V6_0,
    )
    .unwrap();
    let s = y.server_encryption_options();
    assert_eq!(s.internode_encryption, InternodeEncryption::Rack);
    assert!(s.legacy_ssl_storage_port_enabled);
    assert_eq!(s.common.keystore.as_deref(), Some("conf/node.jks"));
    assert_eq!(s.common.keystore_password.as_ref().unwrap().expose(), "ks");
    // "" is kept, not replaced by keystore_password.
    assert_eq!(s.outbound_keystore_password().unwrap().expose(), "");
    assert_eq!(s.outbound_keystore_path(), "conf/out.jks");
    assert_eq!(s.common.require_client_auth, ClientAuth::Required);
    assert!(s.common.require_endpoint_verification);
    assert_eq!(s.common.cipher_suites.as_ref().unwrap().len(), 2);
    assert_eq!(
        s.common.max_certificate_validity_period.unwrap().0,
        365 * 24 * 60
    );
    assert_eq!(s.common.store_type.as_deref(), Some("PKCS12"));
    let c = y.client_encryption_options();
    assert_eq!(c.require_client_auth, ClientAuth::Optional);
    assert_eq!(c.ssl_context_factory.kind(), SslContextFactoryKind::Pem);
    assert_eq!(
        c.ssl_context_factory.parameter("PRIVATE_KEY_PASSWORD"),
        Some("pw")
    );
    let n = y.node();
    assert_eq!(n.listen_address.as_deref(), Some("127.0.0.1"));
    assert_eq!(n.broadcast_address.as_deref(), Some("10.0.0.1"));
    assert_eq!(n.broadcast_rpc_address.as_deref(), Some("10.0.0.2"));
    assert_eq!(
        (n.storage_port, n.ssl_storage_port, n.native_transport_port),
        (7010, 7011, 9142)
    );
    // dc/rack with client auth: Cassandra's warning.
    assert!(
        y.warnings()
            .iter()
            .any(|w| w.to_string().contains("skip mutual TLS"))
    );
    // Both policies: the client has an inline key (PEM factory) and says optional.
    assert_eq!(c.policy(c.has_keystore(y.base_dir())), Policy::Optional);
}

#[test]
fn defaults_when_sections_are_absent() {
    let y = CassandraYaml::from_str("cluster_name: x\n").unwrap();
    let s = y.server_encryption_options();
    assert_eq!(s.internode_encryption, InternodeEncryption::None);
    assert_eq!(s.common.keystore_path(), "conf/.keystore");
    assert_eq!(s.common.truststore_path(), "conf/.truststore");
    assert_eq!(s.common.require_client_auth, ClientAuth::NotRequired);
    assert_eq!(y.node().native_transport_port, 9042);
    assert_eq!(s.policy(false), Policy::Unencrypted);
}

#[test]
fn unknown_keys_are_errors_naming_the_key() {
    for (yaml, key) in [
        (
            "server_encryption_options:\n  isEnabled: true\n",
            "isEnabled",
        ),
        (
            "client_encryption_options:\n  isOptional: true\n",
            "isOptional",
        ),
        (
            "client_encryption_options:\n  ssl_context_factory:\n    clas_name: X\n",
            "clas_name",
        ),
    ] {
        let e = CassandraYaml::from_str(yaml).unwrap_err();
        assert_eq!(e.kind(), "config");
        assert!(e.to_string().contains(key), "{e}");
    }
    let e = CassandraYaml::from_str("x: 1\nserver_encryption_options:\n  isEnabled: true\n")
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("server_encryption_options.isEnabled"),
        "{e}"
    );
    // A server-only key in the client section.
    let e = CassandraYaml::from_str("client_encryption_options:\n  internode_encryption: all\n")
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("client_encryption_options.internode_encryption"),
        "{e}"
    );
}

#[test]
fn wrong_values_are_errors() {
    for (yaml, needle) in [
        (
            "server_encryption_options:\n  internode_encryption: some\n",
            "internode_encryption",
        ),
        (
            "client_encryption_options:\n  require_client_auth: maybe\n",
            "is not a boolean in Cassandra 5.0",
        ),
        (
            "client_encryption_options:\n  enabled: [1]\n",
            "invalid yaml",
        ),
        (
            "client_encryption_options:\n  max_certificate_validity_period: 10s\n",
            "max_certificate_validity_period",
        ),
        (
            "client_encryption_options:\n  ssl_context_factory:\n    class_name: com.example.Vault\n",
            "custom Java factory",
        ),
        (
            "client_encryption_options:\n  ssl_context_factory:\n    class_name: PEMBasedSslContextFactory\n    parameters:\n      keystore_password: x\n",
            "should configure 'keystore_password' as encryption_options",
        ),
    ] {
        let e = CassandraYaml::from_str(yaml).unwrap_err();
        assert_eq!(e.kind(), "config", "{yaml}");
        assert!(e.to_string().contains(needle), "{yaml}: {e}");
    }
}

#[test]
fn legacy_4_0_name_of_the_legacy_port_flag() {
    let y = CassandraYaml::from_str(
        "server_encryption_options:\n  enable_legacy_ssl_storage_port: true\n",
    )
    .unwrap();
    assert!(
        y.server_encryption_options()
            .legacy_ssl_storage_port_enabled
    );
}

#[test]
fn passwords_never_in_debug() {
    let y =
        CassandraYaml::from_str("server_encryption_options:\n  keystore_password: hunter2secret\n")
            .unwrap();
    assert!(!format!("{y:?}").contains("hunter2secret"));
}

#[test]
fn a_section_on_its_own() {
    let y = CassandraYaml::section_from_str(
        "client_encryption_options",
        "enabled: true\nrequire_client_auth: true\n",
    )
    .unwrap();
    assert_eq!(
        y.client_encryption_options().require_client_auth,
        ClientAuth::Required
    );
}

#[test]
fn numeric_passwords_are_strings_and_values_never_show_in_errors() {
    // SnakeYAML gives a String property the scalar's text: a numeric password works in Cassandra.
    let y = CassandraYaml::from_str("server_encryption_options:\n  keystore_password: 123456\n")
        .unwrap();
    assert_eq!(
        y.server_encryption_options()
            .common
            .keystore_password
            .as_ref()
            .unwrap()
            .expose(),
        "123456"
    );
    let e = CassandraYaml::from_str("server_encryption_options:\n  enabled: s3cr3tvalue\n")
        .unwrap_err();
    assert!(!e.to_string().contains("s3cr3tvalue"), "{e}");
    assert!(e.to_string().contains("server_encryption_options"), "{e}");
}
