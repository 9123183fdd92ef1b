//! `cassandra-tls explain` and `doctor --cassandra-version` on the committed fixtures, and 6.0's
//! `jmx_encryption_options` through options, explain and doctor. What Cassandra itself does with
//! each version is checked by tests/cassandra_oracle.rs; the facts asserted here (4.0 refuses
//! `ssl_context_factory`, 4.0 and 4.1 refuse `outbound_keystore`) are what its loader said there.
#![cfg(feature = "diagnostics")]
#![cfg(feature = "cli")]

mod common;

use std::process::Command;

use cassandra_tls::doctor::{self, JMX, Severity};
use cassandra_tls::explain::{Provider, explain_loaded};
use cassandra_tls::options::{CassandraVersion, CassandraYaml};
use rustls::pki_types::UnixTime;
use serde_json::Value;

fn cli(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(args)
        .current_dir(common::root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let (code, out) = cli(args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    (code, v)
}

#[test]
fn explain_prints_text_and_json_for_every_version() {
    for version in ["4.0", "4.1", "5.0"] {
        let (code, text) = cli(&["explain", "--cassandra-version", version]);
        assert_eq!(code, 0, "{version}: {text}");
        assert!(text.contains("accepted: the node starts"), "{text}");
        assert!(text.contains("policy ENCRYPTED"), "{text}");
        for provider in ["openssl", "jdk"] {
            let (code, v) = json(&[
                "explain",
                "--cassandra-version",
                version,
                "--provider",
                provider,
                "--json",
            ]);
            assert_eq!(code, 0);
            assert_eq!(v["version"], version);
            assert_eq!(v["provider"], provider);
            assert_eq!(v["accepted"], true);
            for section in ["server_encryption_options", "client_encryption_options"] {
                let s = &v[section];
                for key in [
                    "policy",
                    "enabled",
                    "optional",
                    "client_auth",
                    "endpoint_verification",
                    "store_type",
                    "factory",
                    "keystore",
                    "truststore",
                    "stores",
                    "protocols",
                    "cipher_suites",
                    "divergences",
                ] {
                    assert!(s.get(key).is_some(), "{version} {section}: no {key}");
                }
            }
            // netty-tcnative always lists SSLv2Hello; the JDK never does by default.
            let protocols = v["server_encryption_options"]["protocols"].to_string();
            assert_eq!(protocols.contains("SSLv2Hello"), provider == "openssl");
        }
    }
}

#[test]
fn explain_and_doctor_refuse_keys_newer_than_the_version() {
    // 4.0 has no ssl_context_factory: the PEM node does not start.
    let (code, v) = json(&[
        "explain",
        "fixtures/conf/cassandra-pem-files.yaml",
        "--cassandra-version",
        "4.0",
        "--json",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["accepted"], false);
    assert_eq!(v["error"]["stage"], "load");
    assert_eq!(v["error"]["key"], "ssl_context_factory");
    let (code, text) = cli(&[
        "explain",
        "fixtures/conf/cassandra-pem-files.yaml",
        "--cassandra-version",
        "4.1",
    ]);
    assert_eq!(code, 0, "{text}");
    // outbound_keystore is 5.0's.
    for version in ["4.0", "4.1"] {
        let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
            .args(["doctor", "fixtures/conf/cassandra-outbound.yaml"])
            .args(["--cassandra-version", version, "--json"])
            .current_dir(common::root())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{version}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("outbound_keystore is new in Cassandra 5.0"),
            "{version}: {text}"
        );
    }
    // 5.0 reads it and starts (the fixture's outbound certificate fails endpoint verification,
    // which is a handshake error, not a start-up one).
    let (_, v) = json(&[
        "doctor",
        "fixtures/conf/cassandra-outbound.yaml",
        "--cassandra-version",
        "5.0",
        "--json",
    ]);
    let findings = v["findings"].as_array().unwrap();
    assert!(!findings.is_empty());
    assert!(
        findings
            .iter()
            .all(|f| f["check"] != "startup" && f["check"] != "file" || f["severity"] != "error"),
        "{v}"
    );
    let (code, _) = cli(&["explain", "--cassandra-version", "3.11"]);
    assert_eq!(code, 2, "an unknown version is a usage error");
}

/// A 6.0 yaml with a JMX section over the committed stores.
fn jmx_yaml(extra: &str) -> CassandraYaml {
    let stores = common::fixtures().join("stores");
    let text = format!(
        "jmx_server_options:\n  jmx_encryption_options:\n    enabled: true\n    keystore: {s}/node1.jks\n    keystore_password: cassandra\n    truststore: {s}/TRUST\n    truststore_password: cassandra\n    require_client_auth: true\n{extra}",
        s = stores.display()
    );
    CassandraYaml::from_str_for(
        &text.replace("TRUST", "truststore.jks"),
        CassandraVersion::V6_0,
    )
    .unwrap()
}

#[test]
fn jmx_encryption_options_are_6_0_only_and_under_jmx_server_options() {
    let text = "jmx_server_options:\n  jmx_encryption_options:\n    enabled: true\n";
    let e = CassandraYaml::from_str_for(text, CassandraVersion::V5_0).unwrap_err();
    assert!(e.to_string().contains("jmx_server_options"), "{e}");
    assert!(e.to_string().contains("CASSANDRA-18508"), "{e}");
    // At the top level it is no key of any version's Config (6.0-alpha2 refuses it too).
    for version in CassandraVersion::ALL {
        let e = CassandraYaml::from_str_for("jmx_encryption_options:\n  enabled: true\n", version)
            .unwrap_err();
        assert_eq!(e.kind(), "config", "{version}: {e}");
        assert!(
            e.to_string()
                .contains("Please remove properties [jmx_encryption_options]"),
            "{e}"
        );
    }
    let y = jmx_yaml("");
    let jmx = y.jmx_encryption_options().unwrap();
    assert_eq!(jmx.enabled, Some(true));
    // Unknown keys in it are refused as in client_encryption_options.
    let e = CassandraYaml::from_str_for(
        "jmx_server_options:\n  jmx_encryption_options:\n    internode_encryption: all\n",
        CassandraVersion::V6_0,
    )
    .unwrap_err();
    assert!(e.to_string().contains("internode_encryption"), "{e}");
}

#[test]
fn explain_validates_the_jmx_transport_like_the_native_one() {
    let y = jmx_yaml("");
    let e = explain_loaded("jmx".into(), &y, Provider::Jdk);
    assert!(e.accepted, "{:?}", e.error);
    let jmx = e.jmx_encryption_options.as_ref().unwrap();
    assert_eq!(jmx.policy, "ENCRYPTED");
    assert_eq!(jmx.client_auth, "required");
    // A JMX key store that does not exist stops the node, and the error names the section.
    let stores = common::fixtures().join("stores");
    let text = format!(
        "jmx_server_options:\n  jmx_encryption_options:\n    enabled: true\n    keystore: {}/absent.jks\n    keystore_password: cassandra\n",
        stores.display()
    );
    let y = CassandraYaml::from_str_for(&text, CassandraVersion::V6_0).unwrap();
    let e = explain_loaded("jmx".into(), &y, Provider::Jdk);
    assert!(!e.accepted);
    let error = e.error.unwrap();
    assert_eq!(error.section.as_deref(), Some("jmx_encryption_options"));
    // Without the section, the JSON has no jmx key.
    let plain = CassandraYaml::from_str_for("cluster_name: x\n", CassandraVersion::V6_0).unwrap();
    let v = serde_json::to_value(explain_loaded("p".into(), &plain, Provider::Jdk)).unwrap();
    assert!(v.get("jmx_encryption_options").is_none());
}

#[test]
fn doctor_checks_nodetool_against_the_jmx_section() {
    let at = UnixTime::now();
    let report = doctor::check(&jmx_yaml(""), None, at);
    let jmx: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.section == JMX)
        .collect();
    assert!(
        jmx.iter()
            .any(|f| f.check == "self_handshake" && f.severity == Severity::Ok),
        "{jmx:#?}"
    );
    assert!(
        jmx.iter().all(|f| f.severity != Severity::Error),
        "{jmx:#?}"
    );
    // A truststore without the node's CA: nodetool cannot talk to the JMX server.
    let stores = common::fixtures().join("stores");
    let text = format!(
        "jmx_server_options:\n  jmx_encryption_options:\n    enabled: true\n    keystore: {s}/node1.jks\n    keystore_password: cassandra\n    truststore: {s}/expired-truststore.jks\n    truststore_password: cassandra\n",
        s = stores.display()
    );
    let y = CassandraYaml::from_str_for(&text, CassandraVersion::V6_0).unwrap();
    let report = doctor::check(&y, None, at);
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.section == JMX && f.severity == Severity::Error),
        "{:#?}",
        report.findings
    );
}

/// `explain` names the JDKs its verdict was measured on: the supported JDKs of each line in
/// Cassandra's own support matrix (4.x: 8 and 11; 5.0: 11 and 17; 6.0: 11, 17 and 21, its
/// jar built by JDK 11), less Java 8, which cannot be run here. tests/cassandra_oracle.rs runs
/// the oracle on exactly these pairs, so the claim is what was measured.
#[test]
fn explain_names_the_jdks_its_verdict_was_measured_on() {
    for (version, jdks) in [
        ("4.0", vec![11]),
        ("4.1", vec![11]),
        ("5.0", vec![11, 17]),
        ("6.0", vec![11, 17, 21]),
        ("trunk", vec![11, 17, 21]),
        ("6.0-alpha2", vec![11, 17, 21]),
    ] {
        let (code, out) = cli(&[
            "explain",
            "fixtures/conf/cassandra.yaml",
            "--cassandra-version",
            version,
            "--json",
        ]);
        assert_eq!(code, 0, "{version}: {out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["jdks"], serde_json::json!(jdks), "{version}");
        assert!(!v["jdks"].as_array().unwrap().contains(&8.into()));
        let (_, text) = cli(&[
            "explain",
            "fixtures/conf/cassandra.yaml",
            "--cassandra-version",
            version,
        ]);
        let listed: Vec<String> = jdks.iter().map(|j: &i32| j.to_string()).collect();
        assert!(
            text.contains(&format!("own classes on Java {}", listed.join(", "))),
            "{version}: {text}"
        );
        assert_eq!(
            text.contains("Java 8"),
            version.starts_with('4'),
            "{version}: Java 8 is said to be unmeasured for 4.x only: {text}"
        );
    }
    // doctor reads 6.0 on the committed fixtures too.
    let (code, out) = cli(&["doctor", "--cassandra-version", "6.0"]);
    assert_eq!(code, 0, "{out}");
}
