//! Stores as cert-manager writes them into a Certificate's Secret: JKS by keystore-go (key entry
//! `certificate`, trusted entry `ca`, certificate type "X509"), PKCS#12 by go-pkcs12 in its three
//! profiles (LegacyRC2, LegacyDES, Modern2023). tests/peers/certmanager writes them from
//! OpenSSL-made certificates; keytool's listing and OpenSSL's fingerprints are the expected
//! values; a wrong password is the wrong-password error.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use cassandra_tls::keystore::{Entry, KeyStore};
use common::tools;

const PASSWORD: &str = "cm-secret-pass";

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("run");
    assert!(
        out.status.success(),
        "{cmd:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The peer program, built into `dir` from tests/peers/certmanager (modules from the proxy).
fn build_peer(dir: &Path) -> PathBuf {
    let bin = dir.join("certmanager-stores");
    run(Command::new("go")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(".")
        .current_dir(common::root().join("tests/peers/certmanager")));
    bin
}

/// An OpenSSL CA and a leaf it signs (`key_args` chooses the leaf's key), as tls.key, tls.crt,
/// ca.crt.
fn openssl_pki(dir: &Path, key_args: &[&str]) {
    run(Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .args(["-subj", "/CN=cert-manager test CA", "-keyout"])
        .arg(dir.join("ca.key"))
        .arg("-out")
        .arg(dir.join("ca.crt"))
        .args(["-addext", "basicConstraints=critical,CA:TRUE"])
        .args(["-addext", "keyUsage=critical,keyCertSign,cRLSign"]));
    run(Command::new("openssl")
        .args(["req", "-new", "-newkey"])
        .args(key_args)
        .args(["-nodes", "-subj", "/CN=node.cassandra.svc", "-keyout"])
        .arg(dir.join("tls.key"))
        .arg("-out")
        .arg(dir.join("tls.csr")));
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:node.cassandra.svc,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    run(Command::new("openssl")
        .args(["x509", "-req", "-days", "20", "-in"])
        .arg(dir.join("tls.csr"))
        .arg("-CA")
        .arg(dir.join("ca.crt"))
        .arg("-CAkey")
        .arg(dir.join("ca.key"))
        .args(["-CAcreateserial", "-extfile"])
        .arg(dir.join("ext.cnf"))
        .arg("-out")
        .arg(dir.join("tls.crt")));
}

fn openssl_sha256(file: &Path) -> String {
    let text = run(Command::new("openssl")
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(file));
    tools::parse_openssl_fingerprints(&text).remove(0)
}

fn keytool_list(file: &Path) -> Vec<tools::KeytoolEntry> {
    let text = run(Command::new("keytool")
        .args(["-list", "-v", "-storepass", PASSWORD, "-keystore"])
        .arg(file)
        .env("TZ", "UTC"));
    tools::parse_keytool_list(&text)
}

fn ours(store: &KeyStore) -> Vec<(String, String, Vec<String>)> {
    store
        .entries()
        .iter()
        .map(|e| {
            (
                e.alias().unwrap_or("").to_owned(),
                e.kind().name().to_owned(),
                e.certificates().iter().map(|c| c.sha256_hex()).collect(),
            )
        })
        .collect()
}

#[test]
fn cert_manager_stores_load_as_keytool_lists_them() {
    if !common::tools_present(&["go", "openssl", "keytool"]) {
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let peer = build_peer(work.path());
    for (name, key_args) in [
        ("rsa", &["rsa:2048"][..]),
        ("p256", &["ec", "-pkeyopt", "ec_paramgen_curve:P-256"][..]),
    ] {
        let dir = work.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        openssl_pki(&dir, key_args);
        let leaf = openssl_sha256(&dir.join("tls.crt"));
        let ca = openssl_sha256(&dir.join("ca.crt"));
        for with_ca in [true, false] {
            let out = dir.join(if with_ca { "with-ca" } else { "no-ca" });
            std::fs::create_dir(&out).unwrap();
            let mut cmd = Command::new(&peer);
            cmd.arg("-key")
                .arg(dir.join("tls.key"))
                .arg("-cert")
                .arg(dir.join("tls.crt"))
                .args(["-password", PASSWORD, "-out"])
                .arg(&out);
            if with_ca {
                cmd.arg("-ca").arg(dir.join("ca.crt"));
            }
            let printed = run(&mut cmd);
            let files: Vec<&str> = printed
                .lines()
                .filter_map(|l| l.strip_prefix("wrote "))
                .collect();
            // keystore.jks and three keystore-*.p12, and with a CA the four truststores.
            assert_eq!(files.len(), if with_ca { 8 } else { 4 }, "{printed}");
            for file in files {
                let path = out.join(file);
                let what = format!("{name} {file} (with CA: {with_ca})");
                let store = KeyStore::loader()
                    .store_password(PASSWORD)
                    .load_file(&path)
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                // keytool is the verdict on entries, aliases and chains.
                let want: Vec<(String, String, Vec<String>)> = keytool_list(&path)
                    .into_iter()
                    .map(|e| (e.alias, e.kind, e.sha256))
                    .collect();
                assert_eq!(ours(&store), want, "{what}");
                // And OpenSSL's fingerprints say which certificates those are.
                if file.starts_with("keystore") {
                    let key = store.private_keys().next().expect("a key entry");
                    assert!(key.key().is_some(), "{what}: the key opens");
                    assert_eq!(key.chain()[0].sha256_hex(), leaf, "{what}");
                    store.check_keys().unwrap_or_else(|e| panic!("{what}: {e}"));
                    if file == "keystore.jks" {
                        assert_eq!(key.alias(), Some("certificate"), "{what}");
                    }
                } else {
                    let anchors: Vec<String> = store
                        .trust_anchors()
                        .iter()
                        .map(|c| c.sha256_hex())
                        .collect();
                    assert_eq!(anchors, vec![ca.clone()], "{what}");
                }
                if with_ca && file == "keystore.jks" {
                    let trusted = store.entry("ca").expect("the ca entry");
                    assert!(matches!(trusted, Entry::TrustedCert(_)), "{what}");
                    assert_eq!(trusted.certificates()[0].sha256_hex(), ca, "{what}");
                }
                // A wrong password is named as such.
                let err = KeyStore::loader()
                    .store_password("not-the-password")
                    .load_file(&path)
                    .unwrap_err();
                assert_eq!(err.kind(), "wrong_password_or_tampered", "{what}: {err}");
            }
        }
    }
}
