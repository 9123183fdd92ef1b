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
        assert_eq!(
            auth.trusted_identities_from.map(|f| f.as_str()),
            Some(trusted_from)
        );
    }
}

/// A self-signed certificate with a SPIFFE URI valid from `start` to `end`
/// (`YYYYMMDDHHMMSSZ`), made by `openssl ca` (which takes exact dates).
fn openssl_cert_between(
    dir: &std::path::Path,
    name: &str,
    start: &str,
    end: &str,
) -> std::path::PathBuf {
    let db = dir.join(format!("{name}.index"));
    std::fs::write(&db, "").unwrap();
    std::fs::write(dir.join(format!("{name}.serial")), "01\n").unwrap();
    let cnf = dir.join(format!("{name}.cnf"));
    std::fs::write(
        &cnf,
        format!(
            "[ca]\ndefault_ca=d\n[d]\ndatabase={db}\nserial={serial}\nnew_certs_dir={dir}\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\nunique_subject=no\n[p]\ncommonName=supplied\n",
            db = db.display(),
            serial = dir.join(format!("{name}.serial")).display(),
            dir = dir.display()
        ),
    )
    .unwrap();
    let key = dir.join(format!("{name}.key"));
    let csr = dir.join(format!("{name}.csr"));
    common::run_ok(
        Command::new("openssl")
            .args([
                "req",
                "-new",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ])
            .args(["-nodes", "-subj", &format!("/CN={name}"), "-addext"])
            .arg(format!("subjectAltName=URI:spiffe://validity.test/{name}"))
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&csr),
    );
    let pem = dir.join(format!("{name}.pem"));
    common::run_ok(
        Command::new("openssl")
            .args(["ca", "-batch", "-notext", "-selfsign", "-config"])
            .arg(&cnf)
            .arg("-keyfile")
            .arg(&key)
            .args(["-startdate", start, "-enddate", end, "-in"])
            .arg(&csr)
            .arg("-out")
            .arg(&pem),
    );
    pem
}

/// `CertificateValidityPeriod` computes what Cassandra 6.0's own
/// `MutualTlsCertificateValidityPeriodValidator` and `MutualTlsUtil` compute
/// (tests/peers/ValidityPeriod.java on cassandra-all 6.0's classes), on certificates made by
/// OpenSSL with exact dates: periods just under and over a limit, odd minutes and seconds,
/// an expired certificate, and periods past Java's `int` of minutes (which wrap, in Java).
#[test]
fn validity_periods_are_the_ones_cassandra_6_0_computes() {
    use cassandra_tls::keystore::Certificate;
    use cassandra_tls::options::DurationMinutes;
    use cassandra_tls::tls::{CertificateValidityPeriod, human_readable_minutes};
    use std::io::Write;
    if !common::tools_present(&["openssl", "java", "javac"]) {
        return;
    }
    let Some(home) = common::cassandra::resolve_line("6.0") else {
        common::skip_or_fail("cassandra-all 6.0 does not resolve");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let classes = dir.path().join("classes");
    common::run_ok(
        Command::new("javac")
            .args(["-nowarn", "--release", "11", "-d"])
            .arg(&classes)
            .arg("-cp")
            .arg(format!("{}/lib/*", home.display()))
            .arg(common::root().join("tests/peers/ValidityPeriod.java")),
    );
    let certs = [
        ("thirty", "20261101000000Z", "20261201000000Z"),
        ("odd", "20261101000000Z", "20261102020359Z"),
        ("expired", "20200101000000Z", "20200301123000Z"),
        ("long", "20000101000000Z", "20991231235959Z"),
        ("just-fits-int", "20260101000000Z", "60800101000000Z"),
        ("wraps", "20000101000000Z", "99991231235959Z"),
    ];
    let limits = ["none", "30d", "43199m", "1d", "26h", "720h", "36500d"];
    let mut requests = String::new();
    let mut ours = Vec::new();
    let now = UnixTime::now();
    for (name, start, end) in certs {
        let pem = openssl_cert_between(dir.path(), name, start, end);
        let chain: Vec<Certificate> = cassandra_tls::keystore::KeyStore::loader()
            .load_file(&pem)
            .unwrap()
            .entries()
            .iter()
            .flat_map(|e| e.certificates().to_vec())
            .collect();
        for max in limits {
            requests += &format!("cert {} {max}\n", pem.display());
            let v = CertificateValidityPeriod::new(
                (max != "none").then(|| DurationMinutes::parse(max).unwrap()),
                None,
            );
            ours.push((format!("{name} {max}"), v.validate(&chain, now)));
        }
    }
    let minutes = [
        0,
        1,
        2,
        59,
        60,
        61,
        119,
        120,
        1439,
        1440,
        1441,
        1500,
        2880,
        2941,
        43_200,
        52_560_000,
        -1,
        -5,
        -1440,
        i32::MAX,
        i32::MIN,
    ];
    for m in minutes {
        requests += &format!("human {m}\n");
    }
    let mut child = Command::new("java")
        .arg("-cp")
        .arg(format!("{}:{}/lib/*", classes.display(), home.display()))
        .arg("ValidityPeriod")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(requests.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let java: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("VALIDITY ") || l.starts_with("HUMAN "))
        .collect();
    assert_eq!(java.len(), ours.len() + minutes.len(), "{text}");
    let mut refused = 0;
    for ((case, result), java) in ours.iter().zip(&java) {
        match (result, java.strip_prefix("VALIDITY ")) {
            (Err(e), Some(j)) => {
                refused += 1;
                assert_eq!(format!("refused {e}"), j, "{case}");
            }
            (Ok(Some(checked)), Some(j)) => {
                let java_minutes: i64 = j
                    .strip_prefix("ok ")
                    .unwrap_or_else(|| panic!("{case}: Java said {j}"))
                    .parse()
                    .unwrap();
                // Java reads its own clock a moment later: the same minute, or the next one.
                let d = java_minutes - i64::from(checked.minutes_to_expiration);
                assert!(
                    (-1..=0).contains(&d),
                    "{case}: Java {java_minutes}, ours {checked:?}"
                );
            }
            (other, j) => panic!("{case}: ours {other:?}, Java {j:?}"),
        }
    }
    assert!(
        refused >= 6,
        "the limits refuse some certificates: {refused}"
    );
    for (m, java) in minutes.iter().zip(&java[ours.len()..]) {
        assert_eq!(
            java.strip_prefix("HUMAN "),
            Some(human_readable_minutes(*m).as_str()),
            "{m} minutes"
        );
    }
}

/// 6.0's `server_encryption_options.max_certificate_validity_period` in the cluster matrix: a
/// node whose `MutualTlsInternodeAuthenticator` trusts a peer's identity still refuses the
/// peer's connections when the peer's outbound certificate is valid for longer (client1's 100
/// years against 365 days); the link the other way has no limit and is accepted.
#[test]
fn the_cluster_matrix_applies_6_0_validity_limits_to_peers() {
    let node = |address: &str, limit: &str| {
        yaml(
            &format!(
                "listen_address: {address}\n{}{}{limit}",
                internode("    trusted_peer_identities: spiffe://cassandra.test/client/app1\n"),
                server("all", OUTBOUND_CLIENT1)
            ),
            CassandraVersion::V6_0,
        )
        .unwrap()
    };
    let limited = "  max_certificate_validity_period: 365d\n";
    let r = doctor::check_cluster(
        &[node("127.0.0.1", ""), node("127.0.0.2", limited)],
        UnixTime::now(),
    );
    let into_limited = r.internode.links[0][1].as_ref().unwrap();
    assert!(!into_limited.is_ok(), "{into_limited:?}");
    let reason = into_limited
        .refusal()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        reason.contains("refuses 127.0.0.1's identity 'spiffe://cassandra.test/client/app1'")
            && reason.contains("exceeds the maximum allowed validity period of 365 days"),
        "{reason}"
    );
    assert!(
        r.internode.links[1][0].as_ref().unwrap().is_ok(),
        "{:#?}",
        r.internode
    );
    // explain shows the limit as the authenticator holds it.
    let e = explain_loaded("t".into(), &node("127.0.0.2", limited), Provider::Jdk);
    let limits = e
        .auth
        .expect("accepted")
        .internode_certificate_validity
        .expect("6.0's limits");
    assert_eq!(
        limits.max_certificate_validity_period_minutes,
        Some(365 * 24 * 60)
    );
    // 5.0 has no such option: the same yaml is refused as an unknown key.
    assert!(
        yaml(
            &format!("{}{limited}", server("all", OUTBOUND_CLIENT1)),
            CassandraVersion::V5_0
        )
        .is_err()
    );
}

/// doctor on one node: its own outbound certificate as a peer with the same yaml receives it.
/// An identity missing from `trusted_peer_identities`, or (6.0) a validity period beyond
/// `server_encryption_options.max_certificate_validity_period`, is a warning; a trusted identity
/// within the limit is none.
#[test]
fn doctor_checks_the_nodes_own_outbound_certificate_as_peers_alike_see_it() {
    let warnings = |params: &str, limit: &str| -> Vec<String> {
        let y = yaml(
            &format!(
                "{}{}{limit}",
                internode(params),
                server("all", OUTBOUND_CLIENT1)
            ),
            CassandraVersion::V6_0,
        )
        .unwrap();
        doctor::check(&y, None, UnixTime::now())
            .findings
            .into_iter()
            .filter(|f| {
                f.check == Check::Identity && f.message.starts_with("a peer configured like")
            })
            .map(|f| f.message)
            .collect()
    };
    let app1 = "    trusted_peer_identities: spiffe://cassandra.test/client/app1\n";
    assert_eq!(warnings(app1, ""), Vec::<String>::new());
    let other = warnings(
        "    trusted_peer_identities: spiffe://cassandra.test/other\n",
        "",
    );
    assert!(
        other.len() == 1
            && other[0].contains(
                "its outbound identity 'spiffe://cassandra.test/client/app1' is not among"
            ),
        "{other:#?}"
    );
    let limited = warnings(app1, "  max_certificate_validity_period: 365d\n");
    assert!(
        limited.len() == 1
            && limited[0].contains("exceeds the maximum allowed validity period of 365 days"),
        "{limited:#?}"
    );
}

/// An authorizer that requires authorization beside an authenticator that gives none stops the
/// node (`AuthConfig.applyAuth`; the oracle's `auth/authorizer-*`, `network-authorizer-*` and
/// `cidr-authorizer-*` cases run Cassandra's own classes on the same yamls); with
/// `PasswordAuthenticator` the same authorizers start.
#[test]
fn authorizers_need_an_authenticator_that_authenticates() {
    for (version, key, class) in [
        (CassandraVersion::V4_0, "authorizer", "CassandraAuthorizer"),
        (CassandraVersion::V5_0, "authorizer", "CassandraAuthorizer"),
        (
            CassandraVersion::V6_0,
            "network_authorizer",
            "CassandraNetworkAuthorizer",
        ),
        (
            CassandraVersion::V5_0,
            "cidr_authorizer",
            "CassandraCIDRAuthorizer",
        ),
    ] {
        let refused = startup_errors(
            &yaml(
                &format!("authenticator: AllowAllAuthenticator\n{key}: {class}\n"),
                version,
            )
            .unwrap(),
        );
        assert!(
            refused.len() == 1 && refused[0].contains("can't be used with"),
            "{version} {key}: {refused:#?}"
        );
        let accepted = startup_errors(
            &yaml(
                &format!("authenticator: PasswordAuthenticator\n{key}: {class}\n"),
                version,
            )
            .unwrap(),
        );
        assert_eq!(accepted, Vec::<String>::new(), "{version} {key}");
    }
    // 4.x has no CIDR authorizer: its loader refuses the key.
    assert!(
        yaml(
            "cidr_authorizer: AllowAllCIDRAuthorizer\n",
            CassandraVersion::V4_1
        )
        .is_err()
    );
}

/// `AuthConfig.applyAuth` (cassandra-all 5.0.9 and 6.0-alpha2, read with javap): "if
/// (authenticator instanceof PasswordAuthenticator && !(roleManager instanceof
/// CassandraRoleManager)) throw new ConfigurationException(authenticator.getClass().getName() +
/// \" requires \" + CassandraRoleManager.class.getName())", and
/// `MutualTlsWithPasswordFallbackAuthenticator extends PasswordAuthenticator`: the password
/// fallback needs Cassandra's role manager as `PasswordAuthenticator` does. (The oracle cannot
/// run this case: Cassandra has no other role manager, and a plugin one is not on its classpath.)
#[test]
fn the_password_fallback_needs_cassandras_role_manager() {
    let fallback = "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator";
    for version in [CassandraVersion::V5_0, CassandraVersion::V6_0] {
        let text = format!(
            "{}{}role_manager: com.example.auth.Roles\n",
            authenticator(fallback, Some(SPIFFE)),
            client("true")
        );
        let refused = startup_errors(&yaml(&text, version).unwrap());
        assert!(
            refused.len() == 1
                && refused[0].contains(&format!(
                    "{fallback} requires org.apache.cassandra.auth.CassandraRoleManager"
                )),
            "{version}: {refused:#?}"
        );
        let text = text.replace("com.example.auth.Roles", "CassandraRoleManager");
        assert_eq!(
            startup_errors(&yaml(&text, version).unwrap()),
            Vec::<String>::new(),
            "{version}"
        );
    }
}
