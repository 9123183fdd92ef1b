//! `doctor --client-cert` on a Scylla node with `CertificateAuthenticator`: the role a
//! certificate maps to, or why none, and the start-up refusals of the authenticator and its
//! queries (`auth/service.cc` `make_authenticator_factory`, `auth/certificate_authenticator.cc`).
//! Certificates are made by OpenSSL with the subjects written here; the role expected is the CN
//! written into them, and the DN order (`C=..,O=..,CN=..`) is GnuTLS' (checked against libgnutls
//! in tests/scylla_auth.rs).
#![cfg(feature = "cli")]

mod common;

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_cassandra-tls");

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, a node certificate (IP SAN 127.0.0.1) and client certificates with these subjects.
fn pki(dir: &Path, clients: &[(&str, &str)]) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=Login Test CA",
            "-addext",
            "basicConstraints=critical,CA:true",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n",
    )
    .unwrap();
    let mut all = vec![("node", "/CN=node")];
    all.extend_from_slice(clients);
    for (name, subject) in all {
        let (key, csr, crt) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
        );
        openssl(
            dir,
            &[
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
                subject,
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &crt,
                "-days",
                "3650",
                "-extfile",
                "ext",
            ],
        );
    }
}

fn yaml(dir: &Path, authenticator: &str, queries: &str, client_auth: &str) {
    std::fs::write(
        dir.join("scylla.yaml"),
        format!(
            "rpc_address: 127.0.0.1\nauthenticator: {authenticator}\n{queries}client_encryption_options:\n  enabled: true\n  certificate: node.crt\n  keyfile: node.key\n  truststore: ca.pem\n  require_client_auth: {client_auth}\n"
        ),
    )
    .unwrap();
}

fn doctor(dir: &Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(["doctor", "--scylla", "scylla.yaml"])
        .args(extra)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_role_a_certificate_maps_to_or_why_none() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(
        d,
        &[
            ("alice", "/C=US/O=Acme/OU=Eng/CN=alice"),
            ("bob", "/CN=bob/O=Acme"),
        ],
    );
    // The default query, CN=([^,]+) on SUBJECT, unanchored.
    yaml(d, "com.scylladb.auth.CertificateAuthenticator", "", "true");
    let (code, out) = doctor(
        d,
        &["--client-cert", "alice.crt", "--client-cert", "bob.crt"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("alice.crt logs in as role `alice`"), "{out}");
    assert!(out.contains("bob.crt logs in as role `bob`"), "{out}");

    // Cassandra's habit, `^CN=`: GnuTLS puts C first, so no role (and the DN shown).
    yaml(
        d,
        "CertificateAuthenticator",
        "auth_certificate_role_queries:\n  - source: SUBJECT\n    query: ^CN=([^,]+)\n",
        "true",
    );
    let (code, out) = doctor(
        d,
        &["--client-cert", "alice.crt", "--client-cert", "bob.crt"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("alice.crt: no role: Subject 'C=US,O=Acme,OU=Eng,CN=alice'"),
        "{out}"
    );
    assert!(out.contains("certificate order"), "{out}");
    assert!(out.contains("bob.crt logs in as role `bob`"), "{out}");

    // A query without a capturing group stops the node: Scylla's own message.
    yaml(
        d,
        "CertificateAuthenticator",
        "auth_certificate_role_queries:\n  - source: SUBJECT\n    query: CN=[^,]+\n",
        "true",
    );
    let (code, out) = doctor(d, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Scylla does not start: Role query must have exactly one mark expression"),
        "{out}"
    );

    // A source Scylla does not know.
    yaml(
        d,
        "CertificateAuthenticator",
        "auth_certificate_role_queries:\n  - source: ISSUER\n    query: CN=([^,]+)\n",
        "true",
    );
    let (code, out) = doctor(d, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("Invalid source: ISSUER"), "{out}");

    // The node never asks for a certificate: every certificate login fails.
    yaml(d, "CertificateAuthenticator", "", "false");
    let (code, out) = doctor(d, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("No valid certificate found"), "{out}");

    // An authenticator Scylla does not know stops it; CertificateOrPasswordAuthenticator is
    // master's only.
    yaml(d, "MutualTlsAuthenticator", "", "true");
    let (code, out) = doctor(d, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Unknown authenticator: MutualTlsAuthenticator"),
        "{out}"
    );
    yaml(d, "CertificateOrPasswordAuthenticator", "", "true");
    let (code, _) = doctor(d, &[]);
    assert_eq!(code, 1);
    let out = Command::new(BIN)
        .args([
            "doctor",
            "--scylla=master",
            "scylla.yaml",
            "--client-cert",
            "alice.crt",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("logs in as role `alice`"), "{text}");
}

#[test]
fn a_certificate_of_another_ca_is_refused_before_login() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    pki(dir.path(), &[]);
    pki(other.path(), &[("mallory", "/CN=mallory")]);
    yaml(dir.path(), "CertificateAuthenticator", "", "true");
    let foreign = other.path().join("mallory.crt");
    let (code, out) = doctor(dir.path(), &["--client-cert", foreign.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("logs in as role `mallory`"), "{out}");
    assert!(
        out.contains("the CQL truststore ca.pem does not accept it"),
        "{out}"
    );
}

/// A --client-cert that does not load is a finding of its own; the node's checks still run.
#[test]
fn a_client_certificate_that_does_not_load_leaves_the_node_checked() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path(), &[]);
    yaml(dir.path(), "CertificateAuthenticator", "", "true");
    let (code, out) = doctor(dir.path(), &["--client-cert", "missing.pem"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("--client-cert:"), "{out}");
    assert!(out.contains("no certificate was checked"), "{out}");
    assert!(out.contains("the key belongs to its certificate"), "{out}");
}
