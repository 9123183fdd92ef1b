//! `cassandra-tls doctor`: the healthy default has no error, and each broken variant yields an
//! error finding with the right check id.
#![cfg(feature = "cli")]

mod common;

use std::process::Command;

use serde_json::Value;

fn doctor(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .arg("doctor")
        .args(args)
        .arg("--json")
        .current_dir(common::root())
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), v)
}

fn errors(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["check"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_default_is_healthy() {
    let (code, v) = doctor(&[]);
    assert_eq!(code, 0, "{v}");
    assert!(errors(&v).is_empty(), "{:?}", errors(&v));
    assert_eq!(v["summary"]["errors"], 0);
    for f in v["findings"].as_array().unwrap() {
        for key in ["severity", "check", "section", "message", "fix"] {
            assert!(f.get(key).is_some(), "{f}");
        }
        assert!(
            [
                "server_encryption_options",
                "client_encryption_options",
                "cqlshrc",
                "authenticator"
            ]
            .contains(&f["section"].as_str().unwrap())
        );
    }
    // Every check id of the contract appears for the healthy default.
    for check in [
        "file",
        "store_type",
        "password",
        "key_password",
        "key_matches_cert",
        "key_algorithm",
        "chain",
        "expiry",
        "san",
        "eku",
        "protocols",
        "ciphers",
        "policy",
        "self_handshake",
    ] {
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["check"] == check),
            "no {check} finding"
        );
    }
    // With the cqlshrc.
    let (code, v) = doctor(&[
        "fixtures/conf/cassandra.yaml",
        "--cqlshrc",
        "fixtures/conf/cqlshrc",
    ]);
    assert_eq!(code, 0, "{v}");
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["section"] == "cqlshrc"
                && f["check"] == "self_handshake"
                && f["severity"] == "ok")
    );
}

#[test]
fn each_broken_variant_is_found() {
    for (file, check) in [
        ("expired", "expiry"),
        ("wrong-store-password", "password"),
        ("wrong-key-password", "key_password"),
        ("wrong-store-type", "store_type"),
        ("missing-ip-san", "san"),
        ("ca-as-leaf", "chain"),
        ("key-not-matching", "key_matches_cert"),
        ("tlsv1-only", "protocols"),
        ("no-usable-cipher", "ciphers"),
        ("truststore-without-ca", "chain"),
    ] {
        let path = format!("fixtures/conf/broken/{file}.yaml");
        let (code, v) = doctor(&[&path]);
        assert_eq!(code, 1, "{file}: {v}");
        let errs = errors(&v);
        assert!(
            errs.iter().any(|(c, _)| c == check),
            "{file}: expected a {check} error, got {errs:?}"
        );
        for f in v["findings"].as_array().unwrap() {
            if f["severity"] != "ok" {
                assert!(f["fix"].is_string(), "{file}: no fix for {f}");
            }
            assert!(
                !f["message"].as_str().unwrap().contains("not-the-password"),
                "a password in a message"
            );
        }
    }
}

#[test]
fn at_a_chosen_time_and_usage_errors() {
    // In 2003 the expired set is valid.
    let (_, v) = doctor(&[
        "fixtures/conf/broken/expired.yaml",
        "--at",
        "2003-01-01T00:00:00Z",
    ]);
    assert!(
        !errors(&v).iter().any(|(c, _)| c == "expiry"),
        "{:?}",
        errors(&v)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(["doctor", "--at", "yesterday"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let (code, v) = doctor(&["no/such/cassandra.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(v["summary"]["errors"], 1);
}

#[test]
fn nodetool_ssl_properties_in_both_forms() {
    for file in [
        "fixtures/conf/nodetool-ssl.properties",
        "fixtures/conf/nodetool-ssl-java.properties",
    ] {
        let (code, v) = doctor(&["--nodetool-ssl", file]);
        assert_eq!(code, 0, "{file}: {v}");
        let nodetool: Vec<&Value> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["section"] == "nodetool-ssl.properties")
            .collect();
        assert!(
            nodetool
                .iter()
                .any(|f| f["check"] == "self_handshake" && f["severity"] == "ok"),
            "{file}: {nodetool:?}"
        );
    }
    // A wrong trust store password is found, under the nodetool section, as a password error.
    let tmp = tempfile::tempdir().unwrap();
    let broken = tmp.path().join("nodetool-ssl.properties");
    let text = std::fs::read_to_string(common::fixtures().join("conf/nodetool-ssl.properties"))
        .unwrap()
        .replace(
            "trustStorePassword=cassandra",
            "trustStorePassword=Wr0ng-P4ss-7781",
        );
    std::fs::write(&broken, text).unwrap();
    let (code, v) = doctor(&["--nodetool-ssl", broken.to_str().unwrap()]);
    assert_eq!(code, 1);
    let errs = errors(&v);
    assert!(
        errs.iter().any(|(check, _)| check == "password"),
        "{errs:?}"
    );
    assert!(!v.to_string().contains("Wr0ng-P4ss-7781"));
}

#[test]
fn before_the_certificates_start_the_node_certificate_and_the_trusted_ca_are_not_valid_yet() {
    // One classification for doctor and probe (expired, not yet valid, ending within the
    // window, valid): a truststore's CA not valid yet is flagged as an expired one is.
    let (_, v) = doctor(&[
        "fixtures/conf/cassandra.yaml",
        "--at",
        "1990-01-01T00:00:00Z",
    ]);
    let findings = v["findings"].as_array().unwrap();
    let expiry = |severity: &str, needle: &str| {
        findings.iter().any(|f| {
            f["check"] == "expiry"
                && f["severity"] == severity
                && f["message"].as_str().unwrap().contains(needle)
        })
    };
    assert!(expiry("error", "is not valid before"), "{findings:#?}");
    assert!(
        expiry("warning", "the truststore's CA"),
        "the trusted CA is flagged: {findings:#?}"
    );
}
