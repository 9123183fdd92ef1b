//! Which PEM keys Cassandra's PEMBasedSslContextFactory can read, replayed on the JDK
//! (tests/peers/KeyCheck.java --pem-key follows PEMReader: its regex, EncryptedPrivateKeyInfo
//! with the JDK's SecretKeyFactory when a password is given, PKCS#8 otherwise, then RSA, DSA or
//! EC), against this crate's `Warning::NotReadByCassandra` for every PEM key fixture. This crate
//! reads them all; it must warn exactly where Cassandra would fail.

mod common;

use std::process::Command;

use cassandra_tls::keystore::{KeyStore, Warning};

#[test]
fn not_read_by_cassandra_exactly_where_the_jdk_fails() {
    if common::which("java").is_none() {
        common::skip_or_fail("java is not on the PATH");
        return;
    }
    let readme = std::fs::read_to_string(common::fixtures().join("README.md")).unwrap();
    let mut cases: Vec<(String, String)> = common::tools::fixture_table(&readme)
        .into_iter()
        .filter(|r| r.store_type == "PEM" && r.file.contains(".key."))
        .map(|r| (r.file, r.keypass.unwrap_or_default()))
        .collect();
    // An unencrypted key given with a password.
    cases.push(("node1.key.pem".into(), "cassandra".into()));
    assert!(cases.len() >= 10, "{cases:?}");
    let mut wrong = Vec::new();
    for (file, password) in &cases {
        let path = common::fixtures().join("stores").join(file);
        let out = Command::new("java")
            .arg(common::root().join("tests/peers/KeyCheck.java"))
            .arg("--pem-key")
            .arg(&path)
            .arg(password)
            .output()
            .unwrap();
        let jdk = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let jdk_reads = jdk.starts_with("PEMKEY");
        let mut loader = KeyStore::loader();
        if !password.is_empty() {
            loader = loader.key_password(password.as_str());
        }
        // Key-only files: the certificate check needs no chain here.
        let store = loader
            .load_file(&path)
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let warned = store
            .warnings()
            .iter()
            .find(|w| matches!(w, Warning::NotReadByCassandra { .. }));
        println!(
            "{file:<32} password {:<9} JDK: {jdk:<60} ours: {}",
            if password.is_empty() { "-" } else { "yes" },
            warned.map_or("readable".into(), |w| w.to_string())
        );
        if jdk_reads == warned.is_some() {
            wrong.push(format!("{file}: JDK says {jdk}, we say {warned:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
