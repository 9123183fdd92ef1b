//! `cassandra-tls inspect`: the JSON contract, checked against keytool's listing of the same file.
#![cfg(feature = "cli")]

mod common;

use std::process::Command;

use common::tools;
use serde_json::Value;

fn inspect(args: &[&str]) -> (i32, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .arg("inspect")
        .args(args)
        .output()
        .expect("run cassandra-tls");
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), json)
}

#[test]
fn json_matches_keytool_for_every_field() {
    for name in [
        "node1.jks",
        "client1.p12",
        "node1.jceks",
        "truststore.jks",
        "expired.jks",
        "node-ec.jks",
    ] {
        let listing = std::fs::read_to_string(
            common::fixtures()
                .join("expected")
                .join(format!("{name}.keytool.txt")),
        )
        .unwrap();
        let kt_entries = tools::parse_keytool_list(&listing);
        let kt_certs = tools::parse_keytool_certs(&listing);
        let (code, json) = inspect(&[
            "--json",
            "--storepass",
            "cassandra",
            &common::store_path(name),
        ]);
        assert_eq!(code, 0, "{name}: {json}");
        assert_eq!(
            json["store_type"],
            name.rsplit('.').next().unwrap().replace("p12", "pkcs12")
        );
        let entries = json["entries"].as_array().unwrap();
        let mut aliases: Vec<&str> = entries
            .iter()
            .map(|e| e["alias"].as_str().unwrap())
            .collect();
        let sorted = {
            let mut a = aliases.clone();
            a.sort();
            a
        };
        assert_eq!(aliases, sorted, "{name}: entries sorted by alias");
        aliases.sort();
        let mut kt_aliases: Vec<&str> = kt_entries.iter().map(|e| e.alias.as_str()).collect();
        kt_aliases.sort();
        assert_eq!(aliases, kt_aliases, "{name}");
        for entry in entries {
            let kt = kt_entries
                .iter()
                .find(|k| k.alias == entry["alias"].as_str().unwrap())
                .unwrap();
            assert_eq!(entry["kind"], kt.kind.as_str());
            if kt.kind == "private_key" {
                let algo = entry["key_algorithm"].as_str().unwrap();
                assert!(
                    kt.key_algorithm.as_deref().unwrap().contains(algo),
                    "{name}: {algo}"
                );
            } else {
                assert!(entry.get("key_algorithm").is_none());
            }
            for cert in entry["chain"].as_array().unwrap() {
                let sha = cert["sha256"].as_str().unwrap();
                let k = kt_certs
                    .iter()
                    .find(|c| c.sha256 == sha)
                    .unwrap_or_else(|| panic!("{name}: {sha} not in keytool"));
                assert_eq!(cert["subject"], k.owner.as_str(), "{name}");
                assert_eq!(cert["issuer"], k.issuer.as_str(), "{name}");
                assert_eq!(
                    cert["not_before"],
                    tools::java_date_to_rfc3339(&k.valid_from),
                    "{name}"
                );
                assert_eq!(
                    cert["not_after"],
                    tools::java_date_to_rfc3339(&k.valid_until),
                    "{name}"
                );
                let strs = |v: &Value| -> Vec<String> {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_owned())
                        .collect()
                };
                let sorted = |mut v: Vec<String>| {
                    v.sort();
                    v
                };
                assert_eq!(
                    sorted(strs(&cert["dns_names"])),
                    sorted(k.dns.clone()),
                    "{name}"
                );
                assert_eq!(
                    sorted(strs(&cert["ip_addresses"])),
                    sorted(k.ips.clone()),
                    "{name}"
                );
                assert_eq!(
                    sorted(strs(&cert["uris"])),
                    sorted(k.uris.clone()),
                    "{name}"
                );
            }
        }
    }
}

#[test]
fn pem_bundle_gives_one_trusted_entry_per_certificate_in_file_order() {
    let want = tools::parse_openssl_fingerprints(
        &std::fs::read_to_string(common::fixtures().join("expected/node1.chain.pem.openssl.txt"))
            .unwrap(),
    );
    let (code, json) = inspect(&["--json", &common::store_path("node1.chain.pem")]);
    assert_eq!(code, 0);
    assert_eq!(json["store_type"], "pem");
    let got: Vec<&str> = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["kind"], "trusted_cert");
            assert!(e["alias"].is_null());
            e["chain"][0]["sha256"].as_str().unwrap()
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn pem_key_with_separate_certificates_and_password_files() {
    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw.txt");
    std::fs::write(&pw, "cassandra\n").unwrap();
    let (code, json) = inspect(&[
        "--json",
        "--keypass-file",
        pw.to_str().unwrap(),
        "--certs",
        &common::store_path("node1.chain.pem"),
        &common::store_path("node1.key.pbes2-aes.pem"),
    ]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["entries"][0]["kind"], "private_key");
    assert_eq!(json["entries"][0]["key_algorithm"], "RSA");
    assert_eq!(json["entries"][0]["chain"].as_array().unwrap().len(), 3);
}

#[test]
fn failures_are_json_with_a_kind_and_exit_1() {
    let cases = [
        (
            vec!["--storepass", "nope", "node1.jks"],
            "wrong_password_or_tampered",
        ),
        (
            vec![
                "--storepass",
                "cassandra",
                "--keypass",
                "nope",
                "node1-keypass.jks",
            ],
            "wrong_key_password",
        ),
        (vec!["does-not-exist.jks"], "io"),
        (
            vec!["--keypass", "x", "mismatch-keystore.pem"],
            "key_cert_mismatch",
        ),
    ];
    for (args, kind) in cases {
        let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let last = args.pop().unwrap();
        args.push(common::store_path(&last));
        args.insert(0, "--json".into());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, json) = inspect(&refs);
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(json["error"]["kind"], kind, "{json}");
        let msg = json["error"]["message"].as_str().unwrap();
        assert!(
            !msg.contains("nope"),
            "a password leaked into the message: {msg}"
        );
    }
    // A file that is no store at all.
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.bin");
    std::fs::write(&junk, b"this is not a keystore").unwrap();
    let (code, json) = inspect(&["--json", junk.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], "unsupported");
}

#[test]
fn text_output_reads_like_keytool() {
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args([
            "inspect",
            "--storepass",
            "cassandra",
            &common::store_path("node1.jks"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let listing =
        std::fs::read_to_string(common::fixtures().join("expected/node1.jks.keytool.txt")).unwrap();
    for kt in tools::parse_keytool_certs(&listing) {
        assert!(text.contains(&format!("Owner: {}", kt.owner)), "{text}");
    }
    assert!(text.contains("Alias name: node1"));
    assert!(text.contains("Entry type: PrivateKeyEntry"));
    assert!(text.contains("Certificate chain length: 3"));
}

#[test]
fn usage_errors_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(["inspect", "--storepass", "a", "--storepass-file", "b", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A store its password does not open is refused with the flags that give the password (not
/// a cassandra.yaml option), and a relative path missing is named as given and as resolved.
#[test]
fn refusals_name_the_flags_and_the_resolved_path() {
    for args in [
        vec!["fixtures/stores/node1.p12", "--json"],
        vec![
            "fixtures/stores/node1.jks",
            "--storepass",
            "not-the-password",
            "--json",
        ],
    ] {
        let (code, v) = inspect(&args);
        assert_eq!(code, 1, "{v}");
        assert_eq!(v["error"]["kind"], "wrong_password_or_tampered", "{v}");
        assert!(
            v["error"]["fix"].as_str().unwrap().contains("--storepass"),
            "{v}"
        );
        assert!(!v.to_string().contains("keystore_password"), "{v}");
    }
    let (code, v) = inspect(&["fixtures/stores/no-such.jks", "--json"]);
    assert_eq!(code, 1, "{v}");
    let resolved = common::root().join("fixtures/stores/no-such.jks");
    assert!(
        v["error"]["message"].as_str().unwrap().contains(&format!(
            "fixtures/stores/no-such.jks (resolved: {})",
            resolved.display()
        )),
        "{v}"
    );
}
