//! Edge cases of the formats: JKS version 1, trailing bytes, lengths that lie, odd PEM files,
//! and secrets that must never show.

mod common;

use std::process::Command;

use cassandra_tls::keystore::{Entry, KeyStore};
use common::tools;
use sha1::{Digest, Sha1};

fn fixture(name: &str) -> Vec<u8> {
    common::read(&common::fixtures().join("stores").join(name))
}

fn keytool_listing(name: &str) -> Vec<tools::KeytoolEntry> {
    tools::parse_keytool_list(
        &std::fs::read_to_string(
            common::fixtures()
                .join("expected")
                .join(format!("{name}.keytool.txt")),
        )
        .unwrap(),
    )
}

/// The JKS digest as OpenJDK's JavaKeyStore.getPreKeyedHash computes it (for building test files).
fn jks_digest(password: &str, body: &[u8]) -> [u8; 20] {
    let mut h = Sha1::new();
    for unit in password.encode_utf16() {
        h.update(unit.to_be_bytes());
    }
    h.update(b"Mighty Aphrodite");
    h.update(body);
    h.finalize().into()
}

/// Rewrites a version-2 JKS holding one private-key entry as version 1: no certificate-type strings.
fn to_version_1(v2: &[u8]) -> Vec<u8> {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let mut out = Vec::new();
    out.extend_from_slice(&v2[..4]);
    out.extend_from_slice(&1u32.to_be_bytes());
    out.extend_from_slice(&v2[8..12]);
    let mut p = 12;
    assert_eq!(be(&v2[..4]), 0xfeedfeed);
    assert_eq!(be(&v2[12..]), 1, "tag 1");
    let alias_len = u16::from_be_bytes([v2[16], v2[17]]) as usize;
    let key_len_at = 18 + alias_len + 8;
    let key_len = be(&v2[key_len_at..]);
    let chain_at = key_len_at + 4 + key_len;
    out.extend_from_slice(&v2[p..chain_at + 4]);
    let chain = be(&v2[chain_at..]);
    p = chain_at + 4;
    for _ in 0..chain {
        let type_len = u16::from_be_bytes([v2[p], v2[p + 1]]) as usize;
        p += 2 + type_len; // drop "X.509"
        let cert_len = be(&v2[p..]);
        out.extend_from_slice(&v2[p..p + 4 + cert_len]);
        p += 4 + cert_len;
    }
    let digest = jks_digest("cassandra", &out);
    out.extend_from_slice(&digest);
    out
}

#[test]
fn jks_version_1_loads() {
    let v1 = to_version_1(&fixture("node1.jks"));
    let want = keytool_listing("node1.jks");
    // The JDK itself must accept the rewritten file, so the rewrite is a real version-1 store.
    if common::which("keytool").is_some() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.jks");
        std::fs::write(&path, &v1).unwrap();
        let out = Command::new("keytool")
            .args([
                "-list",
                "-v",
                "-storetype",
                "JKS",
                "-storepass",
                "cassandra",
                "-keystore",
            ])
            .arg(&path)
            .env("TZ", "UTC")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let listed = tools::parse_keytool_list(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(
            listed, want,
            "keytool reads the version-1 file as the original"
        );
    } else {
        common::skip_or_fail("keytool missing: cannot confirm the version-1 rewrite with the JDK");
    }
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load(&v1)
        .unwrap();
    let [Entry::PrivateKey(k)] = store.entries() else {
        panic!()
    };
    assert!(k.key().is_some());
    let got: Vec<String> = k.chain().iter().map(|c| c.sha256_hex()).collect();
    assert_eq!(got, want[0].sha256);
}

#[test]
fn bytes_after_the_jks_digest_are_ignored_as_java_does() {
    let mut bytes = fixture("node1.jks");
    bytes.extend_from_slice(b"trailing garbage");
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load(&bytes)
        .unwrap();
    assert_eq!(store.entries().len(), 1);
}

fn jks_header(count: u32) -> Vec<u8> {
    let mut v = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2];
    v.extend_from_slice(&count.to_be_bytes());
    v
}

#[test]
fn lengths_claiming_gigabytes_are_errors_not_allocations() {
    // An entry count of 4 billion.
    let e = KeyStore::loader().load(&jks_header(u32::MAX)).unwrap_err();
    assert_eq!(e.kind(), "malformed", "{e}");
    // A private key claiming 4 GiB.
    let mut v = jks_header(1);
    v.extend_from_slice(&1u32.to_be_bytes());
    v.extend_from_slice(&[0, 1, b'a']);
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&0xffff_fff0u32.to_be_bytes());
    v.extend_from_slice(&[0; 64]);
    let e = KeyStore::loader().load(&v).unwrap_err();
    assert_eq!(e.kind(), "malformed");
    assert!(e.to_string().contains("claims"), "{e}");
    // A chain of 4 billion certificates.
    let mut v = jks_header(1);
    v.extend_from_slice(&1u32.to_be_bytes());
    v.extend_from_slice(&[0, 1, b'a']);
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&2u32.to_be_bytes());
    v.extend_from_slice(&[0x30, 0x00]);
    v.extend_from_slice(&u32::MAX.to_be_bytes());
    let e = KeyStore::loader().load(&v).unwrap_err();
    assert_eq!(e.kind(), "malformed");
    // A PKCS#12 PFX whose outer length claims 4 GiB.
    let e = KeyStore::loader()
        .load(&[
            0x30, 0x84, 0xff, 0xff, 0xff, 0xf0, 0x02, 0x01, 0x03, 0x30, 0x00,
        ])
        .unwrap_err();
    assert_eq!(e.kind(), "malformed");
}

#[test]
fn unknown_versions_and_tags_are_named() {
    let mut v = jks_header(0);
    v[7] = 3;
    let e = KeyStore::loader().load(&v).unwrap_err();
    assert_eq!(e.kind(), "unsupported");
    assert!(e.to_string().contains("version 3"), "{e}");
    let mut v = jks_header(1);
    v.extend_from_slice(&9u32.to_be_bytes());
    v.extend_from_slice(&[0, 1, b'a']);
    v.extend_from_slice(&[0; 8]);
    v.extend_from_slice(&[0; 20]);
    let e = KeyStore::loader().load(&v).unwrap_err();
    assert_eq!(e.kind(), "malformed");
    assert!(e.to_string().contains("unknown tag 9"), "{e}");
}

#[test]
fn empty_files_directories_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jks");
    std::fs::write(&empty, b"").unwrap();
    assert_eq!(
        KeyStore::loader().load_file(&empty).unwrap_err().kind(),
        "malformed"
    );
    assert_eq!(
        KeyStore::loader().load_file(dir.path()).unwrap_err().kind(),
        "io"
    );
    assert_eq!(
        KeyStore::loader()
            .load_file(dir.path().join("missing"))
            .unwrap_err()
            .kind(),
        "io"
    );
}

#[test]
fn pem_oddities() {
    let key = String::from_utf8(fixture("node1.key.pem")).unwrap();
    let other = String::from_utf8(fixture("node-ec.key.pem")).unwrap();
    let chain = String::from_utf8(fixture("node1.chain.pem")).unwrap();
    // Two keys in one file.
    let e = KeyStore::loader()
        .load(format!("{key}{other}").as_bytes())
        .unwrap_err();
    assert_eq!(e.kind(), "malformed");
    assert!(e.to_string().contains("2 private keys"), "{e}");
    // A key alone is a key entry without a chain.
    let s = KeyStore::loader().load(key.as_bytes()).unwrap();
    assert!(matches!(s.entries(), [Entry::PrivateKey(k)] if k.chain().is_empty()));
    // Certificates only: trusted entries.
    let s = KeyStore::loader().load(chain.as_bytes()).unwrap();
    assert_eq!(s.entries().len(), 3);
    // An encrypted key with no password says so.
    let enc = fixture("node1.key.pbes2-aes.pem");
    let e = KeyStore::loader().load(&enc).unwrap_err();
    assert_eq!(e.kind(), "wrong_key_password");
    assert!(e.to_string().contains("no key password was given"), "{e}");
    // Text around the sections (as `openssl pkcs12 -nodes` writes "Bag Attributes") is ignored.
    let s = KeyStore::loader()
        .load(
            format!("Bag Attributes\n    friendlyName: node1\n{key}subject=CN = node1\n{chain}")
                .as_bytes(),
        )
        .unwrap();
    assert_eq!(s.entries().len(), 1);
    // A section without its END line is a clear error.
    let cut = &chain[..chain.len() - 30];
    let e = KeyStore::loader().load(cut.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), "malformed");
    // A base64 body that is not base64.
    let e = KeyStore::loader()
        .load(b"-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")
        .unwrap_err();
    assert_eq!(e.kind(), "malformed");
    // PEM with nothing usable in it.
    let e = KeyStore::loader()
        .load(b"-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n")
        .unwrap_err();
    assert_eq!(e.kind(), "malformed");
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let pass = "s3cr3t-Pa55word";
    let loader = KeyStore::loader().store_password(pass).key_password(pass);
    assert!(!format!("{loader:?}").contains(pass));
    let err = loader.load(&fixture("node1.jks")).unwrap_err();
    assert!(!err.to_string().contains(pass));
    assert!(!format!("{err:?}").contains(pass));
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load(&fixture("node1.jks"))
        .unwrap();
    let debug = format!("{store:?}");
    assert!(!debug.contains("cassandra\""), "{debug}");
    // The decrypted key appears nowhere in the Debug output.
    let Entry::PrivateKey(k) = &store.entries()[0] else {
        panic!()
    };
    let key = k.key().unwrap().to_rustls().unwrap();
    let der_hex = hex::encode(&key.secret_der()[..32]);
    assert!(!debug.to_lowercase().contains(&der_hex));
    assert!(format!("{:?}", k.key().unwrap()).starts_with("PrivateKey { algorithm: Rsa"));
}

#[test]
fn key_is_usable_by_rustls() {
    // Every fixture key of an algorithm rustls supports loads into the crypto provider.
    let provider = cassandra_tls::provider::default_provider();
    for (name, key_pass) in [
        ("node1.jks", None),
        ("node-ec.jks", None),
        ("ed25519.p12", None),
        ("node1.key.trad-aes.pem", Some("cassandra")),
        ("node-ec.key.sec1.pem", None),
    ] {
        let mut l = KeyStore::loader().store_password("cassandra");
        if let Some(k) = key_pass {
            l = l.key_password(k);
        }
        let store = l.load(&fixture(name)).unwrap();
        let k = store.private_keys().next().unwrap().key().unwrap();
        provider
            .key_provider
            .load_private_key(k.to_rustls().unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

/// Rewrites every certificate type of a version-2 JKS (key and trusted entries) as `cert_type`,
/// and re-signs the file with `password`: keystore-go, and so cert-manager, writes "X509".
fn with_cert_type(v2: &[u8], cert_type: &str, password: &str) -> Vec<u8> {
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let u16_at = |b: &[u8]| u16::from_be_bytes([b[0], b[1]]) as usize;
    assert_eq!(be(&v2[..4]), 0xfeedfeed);
    assert_eq!(be(&v2[4..]), 2, "version 2");
    let count = be(&v2[8..]);
    let mut out = v2[..12].to_vec();
    let mut p = 12;
    let cert = |out: &mut Vec<u8>, p: &mut usize| {
        let type_len = u16_at(&v2[*p..]);
        *p += 2 + type_len;
        out.extend_from_slice(&(cert_type.len() as u16).to_be_bytes());
        out.extend_from_slice(cert_type.as_bytes());
        let cert_len = be(&v2[*p..]);
        out.extend_from_slice(&v2[*p..*p + 4 + cert_len]);
        *p += 4 + cert_len;
    };
    for _ in 0..count {
        let tag = be(&v2[p..]);
        let alias_len = u16_at(&v2[p + 4..]);
        let head = 4 + 2 + alias_len + 8;
        out.extend_from_slice(&v2[p..p + head]);
        p += head;
        if tag == 1 {
            let key_len = be(&v2[p..]);
            let chain = be(&v2[p + 4 + key_len..]);
            out.extend_from_slice(&v2[p..p + 8 + key_len]);
            p += 8 + key_len;
            for _ in 0..chain {
                cert(&mut out, &mut p);
            }
        } else {
            assert_eq!(tag, 2, "key and trusted entries only");
            cert(&mut out, &mut p);
        }
    }
    let digest = jks_digest(password, &out);
    out.extend_from_slice(&digest);
    out
}

/// keytool's verdict on a file: its listing, or None when it refuses the file.
fn keytool_lists(bytes: &[u8], password: &str) -> Option<Vec<tools::KeytoolEntry>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.jks");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("keytool")
        .args(["-list", "-v", "-storetype", "JKS", "-storepass", password])
        .arg("-keystore")
        .arg(&path)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| tools::parse_keytool_list(&String::from_utf8_lossy(&out.stdout)))
}

/// JavaKeyStore asks `CertificateFactory.getInstance` for each stored type: the SUN provider's
/// "X.509" and its alias "X509", looked up without regard to case. keystore-go (cert-manager's
/// JKS encoder) writes "X509"; such files were refused before.
#[test]
fn jks_certificate_type_names_as_the_jdk_certificate_factory_reads_them() {
    if !common::tools_present(&["keytool"]) {
        return;
    }
    for (store, password) in [("node1.jks", "cassandra"), ("truststore.jks", "cassandra")] {
        let original = fixture(store);
        let want = keytool_listing(store);
        for name in ["X509", "x509", "x.509"] {
            let bytes = with_cert_type(&original, name, password);
            let listed = keytool_lists(&bytes, password)
                .unwrap_or_else(|| panic!("keytool refuses {store} with type {name}"));
            assert_eq!(
                listed, want,
                "keytool reads {store} with type {name} unchanged"
            );
            let loaded = KeyStore::loader()
                .store_password(password)
                .load(&bytes)
                .unwrap_or_else(|e| panic!("{store} with type {name}: {e}"));
            let got: Vec<Vec<String>> = loaded
                .entries()
                .iter()
                .map(|e| match e {
                    Entry::PrivateKey(k) => k.chain().iter().map(|c| c.sha256_hex()).collect(),
                    Entry::TrustedCert(t) => vec![t.certificate().sha256_hex()],
                    Entry::SecretKey(_) => panic!("no secret keys in a JKS"),
                })
                .collect();
            let want_fp: Vec<Vec<String>> = want.iter().map(|e| e.sha256.clone()).collect();
            assert_eq!(got, want_fp, "{store} with type {name}");
            // The wrong password is named as such, not hidden behind the type.
            let e = KeyStore::loader()
                .store_password("not-the-password")
                .load(&bytes)
                .unwrap_err();
            assert_eq!(e.kind(), "wrong_password_or_tampered", "{e}");
        }
        // A type no CertificateFactory of the JDK knows: keytool refuses the file, and so do we,
        // naming the type, but only once the password is known to be right.
        let bytes = with_cert_type(&original, "PGP", password);
        assert!(
            keytool_lists(&bytes, password).is_none(),
            "keytool refuses PGP"
        );
        let e = KeyStore::loader()
            .store_password(password)
            .load(&bytes)
            .unwrap_err();
        assert_eq!(e.kind(), "unsupported", "{e}");
        assert!(e.to_string().contains("'PGP'"), "{e}");
        let e = KeyStore::loader()
            .store_password("not-the-password")
            .load(&bytes)
            .unwrap_err();
        assert_eq!(e.kind(), "wrong_password_or_tampered", "{e}");
    }
}

/// A PKCS#12 store whose content is encrypted (keytool's default: PBES2 for the certificates
/// and the key), opened without a password: no MAC was checked (Java skips it too), so the
/// error says the content needs the store password, not that the MAC matched.
#[test]
fn an_encrypted_pkcs12_opened_without_its_password_says_it_needs_one() {
    let e = KeyStore::loader()
        .load_file(common::fixtures().join("stores/node1.p12"))
        .unwrap_err();
    let text = e.to_string();
    assert_eq!(e.kind(), "wrong_password_or_tampered", "{text}");
    assert!(
        text.contains("needs the store password, which was not given"),
        "{text}"
    );
    assert!(!text.contains("MAC matches"), "{text}");
    // With the password it loads (keytool lists the same store).
    assert!(
        KeyStore::loader()
            .store_password("cassandra")
            .load_file(common::fixtures().join("stores/node1.p12"))
            .is_ok()
    );
}
