//! Certificate login (CEP-34) through `explain` and `doctor`: the configurations a real 5.0.9
//! node refused to start with (issue 26: client auth off, no validator, password fallback with
//! client auth off, internode encryption none, a `node_identity` not in the outbound key store,
//! an outbound key store without SPIFFE) are start-up errors, version by version; client
//! certificates' identities are the ones OpenSSL lists; the untrimmed `trusted_peer_identities`
//! and the swapped example are named. Cassandra's own classes check the same rules on the
//! oracle's grid (tests/cassandra_oracle.rs, cases `auth/*`).
#![cfg(feature = "diagnostics")]

mod common;

use std::process::Command;

use cassandra_tls::doctor::{self, Check, ClientCertificate, Severity};
use cassandra_tls::explain::{Provider, Stage, explain_loaded};
use cassandra_tls::options::{CassandraVersion, CassandraYaml};
use cassandra_tls::tls::Node;
use rustls::pki_types::UnixTime;

const SPIFFE: &str = "org.apache.cassandra.auth.SpiffeCertificateValidator";

fn yaml(text: &str, version: CassandraVersion) -> cassandra_tls::Result<CassandraYaml> {
    let stores = common::fixtures().join("stores");
    CassandraYaml::from_str_for(&text.replace("{S}", &stores.to_string_lossy()), version)
}

fn client(auth: &str) -> String {
    format!(
        "client_encryption_options:\n  enabled: true\n  keystore: {{S}}/node1.jks\n  keystore_password: cassandra\n  truststore: {{S}}/truststore.jks\n  truststore_password: cassandra\n  require_client_auth: {auth}\n"
    )
}

fn server(encryption: &str, extra: &str) -> String {
    format!(
        "server_encryption_options:\n  internode_encryption: {encryption}\n  keystore: {{S}}/node1.jks\n  keystore_password: cassandra\n  truststore: {{S}}/truststore.jks\n  truststore_password: cassandra\n  require_client_auth: true\n{extra}"
    )
}

fn authenticator(class: &str, validator: Option<&str>) -> String {
    match validator {
        Some(v) => format!(
            "authenticator:\n  class_name: {class}\n  parameters:\n    validator_class_name: {v}\n"
        ),
        None => format!("authenticator:\n  class_name: {class}\n"),
    }
}

fn internode(params: &str) -> String {
    format!(
        "internode_authenticator:\n  class_name: MutualTlsInternodeAuthenticator\n  parameters:\n    validator_class_name: {SPIFFE}\n{params}"
    )
}

const OUTBOUND_CLIENT1: &str =
    "  outbound_keystore: {S}/client1.jks\n  outbound_keystore_password: cassandra\n";

fn startup_errors(y: &CassandraYaml) -> Vec<String> {
    doctor::check(y, None, UnixTime::now())
        .findings
        .into_iter()
        .filter(|f| f.severity == Severity::Error && f.check == Check::Startup)
        .map(|f| f.message)
        .collect()
}

#[test]
fn the_six_refusals_are_startup_errors_on_5_0_and_6_0() {
    let cases = [
        (
            "client auth off",
            format!(
                "{}{}",
                authenticator("MutualTlsAuthenticator", Some(SPIFFE)),
                client("false")
            ),
            "MutualTlsAuthenticator requires client_encryption_options.enabled",
        ),
        (
            "no validator",
            format!(
                "{}{}",
                authenticator("MutualTlsAuthenticator", None),
                client("true")
            ),
            "authenticator.parameters.validator_class_name is not set",
        ),
        (
            "fallback with client auth off",
            format!(
                "{}{}",
                authenticator("MutualTlsWithPasswordFallbackAuthenticator", Some(SPIFFE)),
                client("false")
            ),
            "requires client_encryption_options",
        ),
        (
            "internode encryption none",
            format!(
                "{}{}",
                internode("    trusted_peer_identities: spiffe://a/b\n"),
                server("none", "")
            ),
            "MutualTlsInternodeAuthenticator requires server_encryption_options.internode_encryption",
        ),
        (
            "node_identity not in the outbound key store",
            format!(
                "{}{}",
                internode("    node_identity: spiffe://cassandra.test/not/there\n"),
                server("all", OUTBOUND_CLIENT1)
            ),
            "Configured node identity is not matching identity",
        ),
        (
            "outbound key store without SPIFFE",
            format!(
                "{}{}",
                internode(""),
                server(
                    "all",
                    "  outbound_keystore: {S}/node1.jks\n  outbound_keystore_password: cassandra\n"
                )
            ),
            "No identity was extracted from the outbound keystore",
        ),
    ];
    for version in [CassandraVersion::V5_0, CassandraVersion::V6_0] {
        for (what, text, said) in &cases {
            let y = yaml(text, version).unwrap();
            let e = explain_loaded("t".into(), &y, Provider::Jdk);
            assert!(!e.accepted, "{version} {what}: accepted");
            let error = e.error.unwrap();
            assert_eq!(error.stage, Stage::Auth, "{version} {what}");
            assert!(
                error.message.contains(said),
                "{version} {what}: {}",
                error.message
            );
            let errors = startup_errors(&y);
            assert!(
                errors.iter().any(|m| m.contains(said)),
                "{version} {what}: doctor said {errors:?}"
            );
        }
    }
    // 6.0's tri-state: the fallback takes `optional`, MutualTlsAuthenticator does not.
    let fallback = format!(
        "{}{}",
        authenticator("MutualTlsWithPasswordFallbackAuthenticator", Some(SPIFFE)),
        client("optional")
    );
    assert!(startup_errors(&yaml(&fallback, CassandraVersion::V6_0).unwrap()).is_empty());
    let strict = format!(
        "{}{}",
        authenticator("MutualTlsAuthenticator", Some(SPIFFE)),
        client("optional")
    );
    assert!(!startup_errors(&yaml(&strict, CassandraVersion::V6_0).unwrap()).is_empty());
}

#[test]
fn versions_before_5_0_know_no_certificate_login() {
    let text = format!(
        "{}{}",
        authenticator("MutualTlsAuthenticator", Some(SPIFFE)),
        client("true")
    );
    for version in [CassandraVersion::V4_0, CassandraVersion::V4_1] {
        // The mapping form is refused by 4.x's loader, as Cassandra words it.
        let e = yaml(&text, version).unwrap_err();
        assert!(
            e.to_string()
                .contains("Please remove properties [class_name, parameters]"),
            "{version}: {e}"
        );
        // A bare name is looked up and not found.
        let y = yaml(
            &format!("authenticator: MutualTlsAuthenticator\n{}", client("true")),
            version,
        )
        .unwrap();
        let e = explain_loaded("t".into(), &y, Provider::Jdk);
        assert!(
            e.error.unwrap().message.contains(
                "Unable to find authenticator class 'org.apache.cassandra.auth.MutualTlsAuthenticator'"
            ),
            "{version}"
        );
    }
}

#[test]
fn untrimmed_identities_and_the_swapped_example_are_named() {
    let untrimmed = format!(
        "{}{}",
        internode("    trusted_peer_identities: \"spiffe://a/x, spiffe://b/y\"\n"),
        server("all", "")
    );
    let report = doctor::check(
        &yaml(&untrimmed, CassandraVersion::V5_0).unwrap(),
        None,
        UnixTime::now(),
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.severity == Severity::Warning
                && f.check == Check::Auth
                && f.message.contains("without trimming")),
        "{:#?}",
        report.findings
    );
    let swapped = format!(
        "authenticator:\n  class_name: MutualTlsInternodeAuthenticator\n  parameters:\n    validator_class_name: {SPIFFE}\n{}",
        client("true")
    );
    let errors = startup_errors(&yaml(&swapped, CassandraVersion::V5_0).unwrap());
    assert!(errors.iter().any(|m| m.contains("swapped?")), "{errors:?}");
}

/// `node_identity` narrows the trusted identities to itself, as 6.0-alpha2's constructor does
/// (`retainAll`); the outbound key store's identity is the URI OpenSSL lists for client1.
#[test]
fn client_identities_are_the_ones_openssl_lists() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let pem = common::fixtures().join("stores/client1.chain.pem");
    let out = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
        .arg(&pem)
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&out.stdout).into_owned();
    let expected = listing
        .split([',', '\n'])
        .map(str::trim)
        .find_map(|n| {
            n.strip_prefix("URI:")
                .filter(|u| u.starts_with("spiffe://"))
        })
        .expect("client1 has a SPIFFE URI")
        .to_owned();
    // doctor, with the certificate as a PEM chain and as a key store.
    let text = format!(
        "{}{}",
        authenticator("MutualTlsAuthenticator", Some("SpiffeCertificateValidator")),
        client("true")
    );
    let y = yaml(&text, CassandraVersion::V5_0).unwrap();
    let clients = [
        ClientCertificate::load(&pem, None).unwrap(),
        ClientCertificate::load(
            &common::fixtures().join("stores/client1.jks"),
            Some("cassandra".into()),
        )
        .unwrap(),
    ];
    let report = doctor::check_node_with_clients(
        &Node::new(&y),
        None,
        UnixTime::now(),
        &doctor::ExpiryPolicy::default(),
        &clients,
    );
    let identities: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.check == Check::Identity && f.severity == Severity::Ok)
        .collect();
    assert_eq!(identities.len(), 2, "{:#?}", report.findings);
    for f in identities {
        assert!(
            f.message.contains(&format!("'{expected}'")),
            "{}",
            f.message
        );
        assert_eq!(
            f.fix.as_deref(),
            Some(format!("ADD IDENTITY IF NOT EXISTS '{expected}' TO ROLE 'ROLE';").as_str())
        );
    }
    // The internode authenticator trusts the outbound key store's identity, or only
    // node_identity when it is given and matches.
    for (params, trusted_from) in [
        ("", "outbound_keystore"),
        (
            &*format!("    node_identity: {expected}\n"),
            "node_identity",
        ),
    ] {
        let text = format!("{}{}", internode(params), server("all", OUTBOUND_CLIENT1));
        let e = explain_loaded(
            "t".into(),
            &yaml(&text, CassandraVersion::V6_0).unwrap(),
            Provider::Jdk,
        );
        let auth = e.auth.expect("accepted");
        assert_eq!(auth.trusted_peer_identities, Some(vec![expected.clone()]));
        assert_eq!(auth.trusted_identities_from, Some(trusted_from));
    }
}
