//! `cassandra-tls export` and `convert` (the seed's `keytool -importkeystore` and
//! `openssl pkcs12` steps), checked with the tools themselves: keytool lists every written store
//! with the source's fingerprints, the JDK recovers each key with the given password and signs
//! with it (tests/peers/KeyCheck.java), and OpenSSL reads the PEM files (the key's public half
//! equals the certificate's).
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn tools_present() -> bool {
    common::tools_present(&["keytool", "java", "openssl"])
}

fn ours(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cassandra-tls"))
        .args(args)
        .current_dir(common::root())
        .output()
        .unwrap()
}

fn ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn keytool_fingerprints(file: &Path, storepass: &str) -> Vec<(String, Vec<String>)> {
    let out = Command::new("keytool")
        .args(["-list", "-v", "-keystore"])
        .arg(file)
        .args(["-storepass", storepass])
        .output()
        .unwrap();
    ok(&out);
    let mut entries: Vec<(String, Vec<String>)> =
        common::tools::parse_keytool_list(&String::from_utf8_lossy(&out.stdout))
            .into_iter()
            .map(|e| (e.kind, e.sha256))
            .collect();
    entries.sort();
    entries
}

fn key_check(file: &Path, store_type: &str, storepass: &str, keypass: &str) -> Vec<String> {
    let out = Command::new("java")
        .arg(common::root().join("tests/peers/KeyCheck.java"))
        .arg(file)
        .args([store_type, storepass, keypass])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

fn openssl(args: &[&str], file: &Path) -> String {
    let out = Command::new("openssl")
        .args(args)
        .arg("-in")
        .arg(file)
        .output()
        .unwrap();
    ok(&out);
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The SHA-256 of each certificate of a PEM file, as `openssl x509` computes it.
fn pem_fingerprints(file: &Path) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    for block in text.split_inclusive("-----END CERTIFICATE-----\n") {
        if !block.contains("BEGIN CERTIFICATE") {
            continue;
        }
        let one = dir.path().join("one.pem");
        std::fs::write(&one, block).unwrap();
        out.extend(common::tools::parse_openssl_fingerprints(&openssl(
            &["x509", "-noout", "-fingerprint", "-sha256"],
            &one,
        )));
    }
    out
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn export_gives_cqlsh_and_drivers_their_pem_files() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (key, chain) = (
        dir.path().join("node1.key.pem"),
        dir.path().join("node1.chain.pem"),
    );
    let store = common::store_path("node1.jks");
    ok(&ours(&[
        "export",
        "--storepass",
        "cassandra",
        &store,
        "--key-out",
        key.to_str().unwrap(),
        "--chain-out",
        chain.to_str().unwrap(),
    ]));
    #[cfg(unix)]
    assert_eq!((mode(&key), mode(&chain)), (0o600, 0o600));
    // The key's public half is the certificate's (OpenSSL's word on both).
    assert_eq!(
        openssl(&["pkey", "-pubout"], &key),
        openssl(&["x509", "-pubkey", "-noout"], &chain)
    );
    // The chain's certificates are the store's, in order (keytool's fingerprints).
    let from_openssl = pem_fingerprints(&chain);
    let keytool = keytool_fingerprints(Path::new(&store), "cassandra");
    assert_eq!(vec![("private_key".to_owned(), from_openssl)], keytool);

    // With a password: encrypted PKCS#8 that OpenSSL decrypts with it, and only with it.
    let enc = dir.path().join("enc.key.pem");
    ok(&ours(&[
        "export",
        "--storepass",
        "cassandra",
        &store,
        "--key-out",
        enc.to_str().unwrap(),
        "--chain-out",
        chain.to_str().unwrap(),
        "--out-password",
        "exp0rt-Pass",
    ]));
    assert!(
        std::fs::read_to_string(&enc)
            .unwrap()
            .contains("ENCRYPTED PRIVATE KEY")
    );
    let decrypted = Command::new("openssl")
        .args(["pkey", "-pubout", "-passin", "pass:exp0rt-Pass", "-in"])
        .arg(&enc)
        .output()
        .unwrap();
    ok(&decrypted);
    assert_eq!(
        String::from_utf8_lossy(&decrypted.stdout),
        openssl(&["x509", "-pubkey", "-noout"], &chain)
    );
    let wrong = Command::new("openssl")
        .args(["pkey", "-pubout", "-passin", "pass:wrong", "-in"])
        .arg(&enc)
        .output()
        .unwrap();
    assert!(!wrong.status.success());

    // A store with several keys needs --alias; a wrong password is a clear error.
    let out = ours(&[
        "export",
        "--storepass",
        "cassandra",
        &common::store_path("multi-key.jks"),
        "--key-out",
        key.to_str().unwrap(),
        "--chain-out",
        chain.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--alias"));
    let out = ours(&[
        "export",
        "--storepass",
        "nope",
        &store,
        "--key-out",
        key.to_str().unwrap(),
        "--chain-out",
        chain.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("wrong_password_or_tampered") && !said.contains("nope"),
        "{said}"
    );
}

#[test]
fn convert_round_trips_through_keytool_and_the_jdk() {
    if !tools_present() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let source = common::store_path("node1.jks");
    let expected = keytool_fingerprints(Path::new(&source), "cassandra");
    for (to, file, store_type) in [
        ("pkcs12", "out.p12", "PKCS12"),
        ("pkcs12-legacy", "legacy.p12", "PKCS12"),
        ("jks", "out.jks", "JKS"),
    ] {
        let out = dir.path().join(file);
        let pw = dir.path().join(format!("{file}.password"));
        ok(&ours(&[
            "convert",
            "--storepass",
            "cassandra",
            &source,
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
            "--generate-password",
            "--password-out",
            pw.to_str().unwrap(),
        ]));
        #[cfg(unix)]
        assert_eq!((mode(&out), mode(&pw)), (0o600, 0o600));
        let password = std::fs::read_to_string(&pw).unwrap().trim().to_owned();
        assert_eq!(password.len(), 24);
        assert_eq!(keytool_fingerprints(&out, &password), expected, "{to}");
        let checked = key_check(&out, store_type, &password, &password);
        assert!(
            checked
                .iter()
                .any(|l| l.starts_with("KEY node1 ") && l.ends_with("signs=true")),
            "{to}: {checked:?}"
        );
    }

    // A key password unlike the store password (node1-keypass.jks, fixtures/README.md) comes
    // out under one.
    let out = dir.path().join("keypass.p12");
    ok(&ours(&[
        "convert",
        "--storepass",
        "cassandra",
        "--keypass",
        "keypass-differs",
        &common::store_path("node1-keypass.jks"),
        "--to",
        "pkcs12",
        "--out",
        out.to_str().unwrap(),
        "--out-password",
        "one-Pass",
    ]));
    let checked = key_check(&out, "PKCS12", "one-Pass", "one-Pass");
    assert!(
        checked.iter().any(|l| l.ends_with("signs=true")),
        "{checked:?}"
    );

    // PEM key and certificate files to a key store: keytool's fingerprint is OpenSSL's.
    let jks = dir.path().join("from-pem.jks");
    ok(&ours(&[
        "convert",
        &common::store_path("node1.key.pem"),
        "--certs",
        &common::store_path("node1.chain.pem"),
        "--to",
        "jks",
        "--out",
        jks.to_str().unwrap(),
        "--out-password",
        "pem-Pass1",
    ]));
    let leaf = common::tools::parse_openssl_fingerprints(&openssl(
        &["x509", "-noout", "-fingerprint", "-sha256"],
        &common::fixtures().join("stores/node1.chain.pem"),
    ));
    let listed = keytool_fingerprints(&jks, "pem-Pass1");
    assert_eq!(listed[0].1[0], leaf[0]);
    let checked = key_check(&jks, "JKS", "pem-Pass1", "pem-Pass1");
    assert!(
        checked.iter().any(|l| l.ends_with("signs=true")),
        "{checked:?}"
    );

    // A truststore to a PEM bundle and to PKCS#12: the same trusted certificates.
    let trust = common::store_path("truststore.jks");
    let trusted = keytool_fingerprints(Path::new(&trust), "cassandra");
    let p12 = dir.path().join("trust.p12");
    ok(&ours(&[
        "convert",
        "--storepass",
        "cassandra",
        &trust,
        "--to",
        "pkcs12",
        "--out",
        p12.to_str().unwrap(),
        "--out-password",
        "trust-Pass",
    ]));
    assert_eq!(keytool_fingerprints(&p12, "trust-Pass"), trusted);
    let bundle = dir.path().join("ca.pem");
    ok(&ours(&[
        "convert",
        "--storepass",
        "cassandra",
        &trust,
        "--to",
        "pem",
        "--out",
        bundle.to_str().unwrap(),
    ]));
    let mut from_pem = pem_fingerprints(&bundle);
    from_pem.sort();
    let mut expected_trust: Vec<String> = trusted.iter().flat_map(|(_, f)| f.clone()).collect();
    expected_trust.sort();
    assert_eq!(from_pem, expected_trust);

    // A key store without an output password is refused, and nothing is printed of secrets.
    let out = ours(&[
        "convert",
        "--storepass",
        "cassandra",
        &source,
        "--to",
        "jks",
        "--out",
        dir.path().join("x.jks").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a password"));
}
