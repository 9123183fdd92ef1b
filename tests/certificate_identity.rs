//! The identity Cassandra's `SpiffeCertificateValidator` extracts, on certificates OpenSSL makes
//! with URI names in several orders. The expected identity is read from OpenSSL's own listing of
//! each leaf's subject alternative names: the first `URI:spiffe://` one, in the order OpenSSL
//! prints them (the certificate's order).

mod common;

use std::path::Path;
use std::process::Command;

use cassandra_tls::keystore::KeyStore;
use cassandra_tls::tls::{CertificateValidator, IdentityError};

fn openssl(args: &[&str], dir: &Path) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A self-signed leaf with `san` as its subjectAltName, as PEM.
fn leaf(dir: &Path, name: &str, san: &str) -> std::path::PathBuf {
    let ext = format!("{name}.cnf");
    std::fs::write(
        dir.join(&ext),
        format!(
            "[req]\ndistinguished_name=dn\nx509_extensions=v3\n[dn]\n[v3]\nsubjectAltName={san}\n"
        ),
    )
    .unwrap();
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-config",
            &ext,
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
        ],
        dir,
    );
    dir.join(format!("{name}.pem"))
}

/// The leaf's URI names in the order OpenSSL prints them.
fn openssl_uris(dir: &Path, pem: &Path) -> Vec<String> {
    let text = openssl(
        &[
            "x509",
            "-noout",
            "-ext",
            "subjectAltName",
            "-in",
            &pem.to_string_lossy(),
        ],
        dir,
    );
    text.lines()
        .skip(1)
        .flat_map(|l| l.split(", "))
        .filter_map(|n| n.trim().strip_prefix("URI:"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn spiffe_identity_is_the_leafs_first_spiffe_uri_in_certificate_order() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let validator = CertificateValidator::from_class_name(
        "org.apache.cassandra.auth.SpiffeCertificateValidator",
    )
    .unwrap();
    for (name, san) in [
        ("one", "URI:spiffe://cassandra.test/app/one"),
        (
            "https-first",
            "URI:https://app.example/x,URI:spiffe://cassandra.test/app/a,DNS:app.example",
        ),
        (
            "two-spiffe",
            "DNS:app.example,URI:spiffe://cassandra.test/app/first,URI:spiffe://cassandra.test/app/second",
        ),
        (
            "two-spiffe-swapped",
            "URI:spiffe://cassandra.test/app/second,URI:spiffe://cassandra.test/app/first",
        ),
        (
            "ip-and-uri",
            "IP:127.0.0.1,URI:urn:uuid:1234,URI:spiffe://td/ip",
        ),
        ("no-spiffe", "URI:https://app.example/x,DNS:spiffe.example"),
        ("upper-case", "URI:SPIFFE://cassandra.test/app/upper"),
    ] {
        let pem = leaf(dir.path(), name, san);
        let uris = openssl_uris(dir.path(), &pem);
        let spiffe: Vec<&String> = uris.iter().filter(|u| u.starts_with("spiffe://")).collect();
        let store = KeyStore::loader()
            .load_file(dir.path().join(format!("{name}.pem")))
            .unwrap();
        let chain = store.trust_anchors();
        match (validator.identity(&chain), spiffe.first()) {
            (Ok(who), Some(first)) => {
                assert_eq!(who.identity(), first.as_str(), "{name}: {uris:?}");
                let rest: Vec<String> = spiffe[1..].iter().map(|s| s.to_string()).collect();
                assert_eq!(who.ignored(), rest.as_slice(), "{name}");
                assert_eq!(who.warnings().len(), rest.len(), "{name}");
            }
            (Err(e), None) => {
                assert_eq!(e, IdentityError::NoSpiffe, "{name}");
                assert_eq!(
                    e.to_string(),
                    "Unable to extract Spiffe from the certificate"
                );
            }
            (got, want) => {
                panic!("{name}: {got:?}, OpenSSL lists {uris:?} (first SPIFFE {want:?})")
            }
        }
    }
    // Only the leaf counts: a SPIFFE URI on the CA of a leaf without one gives nothing.
    let ca = leaf(
        dir.path(),
        "ca-with-spiffe",
        "URI:spiffe://cassandra.test/ca",
    );
    let plain = leaf(dir.path(), "leaf-without", "DNS:app.example");
    let chain: Vec<_> = [plain, ca]
        .iter()
        .flat_map(|p| KeyStore::loader().load_file(p).unwrap().trust_anchors())
        .collect();
    assert_eq!(validator.identity(&chain), Err(IdentityError::NoSpiffe));
    // No certificate at all.
    let e = validator.identity(&[]).unwrap_err();
    assert_eq!(e.to_string(), "No certificate present on connection");
    // A validator this crate does not model is named as such.
    assert!(CertificateValidator::from_class_name("com.example.MyValidator").is_none());
}
