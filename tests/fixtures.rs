//! Every committed fixture, checked against what keytool and OpenSSL said about it when
//! fixtures/generate.sh made it (fixtures/expected/), with the passwords of fixtures/README.md.

mod common;

use std::path::PathBuf;

use cassandra_tls::keystore::{Entry, KeyStore, Loader, StoreType};
use common::tools::{self, FixtureRow};

fn table() -> Vec<FixtureRow> {
    let readme = String::from_utf8(common::read(&common::fixtures().join("README.md"))).unwrap();
    let rows = tools::fixture_table(&readme);
    assert!(rows.len() > 30, "fixture table too short: {}", rows.len());
    rows
}

fn store(name: &str) -> PathBuf {
    common::fixtures().join("stores").join(name)
}

fn expected(name: &str, tool: &str) -> Option<String> {
    std::fs::read_to_string(
        common::fixtures()
            .join("expected")
            .join(format!("{name}.{tool}.txt")),
    )
    .ok()
}

/// The certificate file that goes with a PEM key file without certificates, by the naming
/// convention of generate.sh (`X.key*.pem` goes with `X.chain.pem`).
fn companion_certs(row: &FixtureRow) -> Option<PathBuf> {
    let base = row.file.split(".key").next()?;
    if !row.file.contains(".key") {
        return None;
    }
    let chain = store(&format!("{base}.chain.pem"));
    chain.exists().then_some(chain)
}

fn loader(row: &FixtureRow) -> Loader {
    let mut l = KeyStore::loader().store_type(StoreType::from_name(&row.store_type));
    if let Some(p) = &row.storepass {
        l = l.store_password(p.as_str());
    }
    if let Some(p) = &row.keypass {
        l = l.key_password(p.as_str());
    }
    l
}

fn summary(store: &KeyStore) -> Vec<(Option<String>, String, Vec<String>)> {
    store
        .entries()
        .iter()
        .map(|e| {
            (
                e.alias().map(str::to_owned),
                e.kind().name().to_owned(),
                e.certificates().iter().map(|c| c.sha256_hex()).collect(),
            )
        })
        .collect()
}

#[test]
fn java_stores_match_keytool() {
    let mut checked = 0;
    for row in table().iter().filter(|r| r.store_type != "PEM") {
        let Some(listing) = expected(&row.file, "keytool") else {
            continue;
        };
        let want = tools::parse_keytool_list(&listing);
        let store = loader(row)
            .load_file(store(&row.file))
            .unwrap_or_else(|e| panic!("{}: {e}", row.file));
        assert_eq!(
            store.store_type(),
            StoreType::from_name(&row.store_type).unwrap(),
            "{}",
            row.file
        );
        let mut want_summary: Vec<_> = want
            .iter()
            .map(|e| (Some(e.alias.clone()), e.kind.clone(), e.sha256.clone()))
            .collect();
        want_summary.sort();
        let mut got = summary(&store);
        // Certificates Java ignores (no trust attribute, no key) are listed here with a
        // warning; keytool does not show them.
        if let [cassandra_tls::keystore::Warning::CertificatesWithoutJavaTrust { count }] =
            store.warnings()
        {
            let before = got.len();
            got.retain(|g| want_summary.contains(g));
            assert_eq!(before - got.len(), *count, "{}", row.file);
        }
        assert_eq!(got, want_summary, "{}", row.file);
        // Every private key is decrypted, and its algorithm is the one keytool reports.
        for entry in store.entries() {
            if let Entry::PrivateKey(k) = entry {
                let key = k
                    .key()
                    .unwrap_or_else(|| panic!("{}: key not decrypted", row.file));
                let kt = want
                    .iter()
                    .find(|w| Some(w.alias.as_str()) == entry.alias())
                    .unwrap();
                let algo = kt.key_algorithm.as_deref().unwrap();
                assert!(
                    algo.contains(key.algorithm().name()),
                    "{}: keytool says {algo}, we say {}",
                    row.file,
                    key.algorithm()
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} Java stores checked");
}

#[test]
fn secret_key_algorithm_is_the_one_keytool_was_asked_for() {
    // generate.sh: keytool -genseckey -alias datakey -keyalg AES
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load_file(store("secret.jceks"))
        .unwrap();
    match store.entry("datakey") {
        Some(Entry::SecretKey(s)) => assert_eq!(s.algorithm(), Some("AES")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn pem_files_match_openssl() {
    let mut checked = 0;
    for row in table().iter().filter(|r| r.store_type == "PEM") {
        let listing =
            expected(&row.file, "openssl").unwrap_or_else(|| panic!("no record for {}", row.file));
        let fingerprints = tools::parse_openssl_fingerprints(&listing);
        let public_key = tools::parse_openssl_public_key(&listing);
        let mut l = loader(row);
        let certs = companion_certs(row);
        if let Some(c) = &certs {
            l = l.certificates_file(c).unwrap();
        }
        let result = l.load_file(store(&row.file));
        if row.description.contains("key_cert_mismatch") {
            let err = result.expect_err(&row.file);
            assert_eq!(err.kind(), "key_cert_mismatch", "{}: {err}", row.file);
            checked += 1;
            continue;
        }
        let store = result.unwrap_or_else(|e| panic!("{}: {e}", row.file));
        assert_eq!(store.store_type(), StoreType::Pem);
        match public_key {
            None => {
                // A bundle: one trusted entry per certificate, in file order.
                let got: Vec<String> = store
                    .entries()
                    .iter()
                    .map(|e| {
                        assert_eq!(e.kind().name(), "trusted_cert", "{}", row.file);
                        e.certificates()[0].sha256_hex()
                    })
                    .collect();
                assert_eq!(got, fingerprints, "{}", row.file);
            }
            Some(pk) => {
                let [Entry::PrivateKey(k)] = store.entries() else {
                    panic!(
                        "{}: expected one key entry, got {:?}",
                        row.file,
                        store.entries()
                    );
                };
                assert!(k.key().is_some(), "{}", row.file);
                let chain: Vec<String> = k.chain().iter().map(|c| c.sha256_hex()).collect();
                let want_chain = match &certs {
                    Some(c) => tools::parse_openssl_fingerprints(
                        &expected(c.file_name().unwrap().to_str().unwrap(), "openssl").unwrap(),
                    ),
                    None => fingerprints.clone(),
                };
                assert_eq!(chain, want_chain, "{}", row.file);
                // The leaf's public key is the one OpenSSL derives from the private key file.
                if let Some(leaf) = k.chain().first() {
                    let (_, x509) = x509_parser::parse_x509_certificate(leaf.der()).unwrap();
                    let spki = x509.public_key().raw;
                    assert_eq!(hex::encode(sha256(spki)), pk, "{}", row.file);
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} PEM files checked");
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

#[test]
fn nonascii_pkcs12_matches_openssl() {
    let row = table()
        .into_iter()
        .find(|r| r.file == "node1-nonascii.p12")
        .unwrap();
    let want = tools::parse_openssl_fingerprints(&expected(&row.file, "openssl").unwrap());
    let store = loader(&row).load_file(store(&row.file)).unwrap();
    let [Entry::PrivateKey(k)] = store.entries() else {
        panic!()
    };
    let mut got: Vec<String> = k.chain().iter().map(|c| c.sha256_hex()).collect();
    let mut want_sorted = want.clone();
    got.sort();
    want_sorted.sort();
    assert_eq!(got, want_sorted);
}

#[test]
fn wrong_store_password_is_reported_as_such() {
    for row in table()
        .iter()
        .filter(|r| r.store_type != "PEM" && r.storepass.is_some())
    {
        let l = KeyStore::loader()
            .store_password("definitely-not-it")
            .key_password(row.keypass.clone().unwrap_or_default());
        let err = l.load_file(store(&row.file)).expect_err(&row.file);
        assert_eq!(
            err.kind(),
            "wrong_password_or_tampered",
            "{}: {err}",
            row.file
        );
    }
}

#[test]
fn wrong_key_password_names_the_alias() {
    for name in ["node1-keypass.jks", "node1-keypass.jceks"] {
        let err = KeyStore::loader()
            .store_password("cassandra")
            .key_password("cassandra")
            .load_file(store(name))
            .expect_err(name);
        assert_eq!(err.kind(), "wrong_key_password", "{name}");
        assert!(err.to_string().contains("'node1'"), "{err}");
    }
    // Without a key password the store password is tried, as Cassandra does (one password).
    let err = KeyStore::loader()
        .store_password("cassandra")
        .load_file(store("node1-keypass.jks"))
        .unwrap_err();
    assert_eq!(err.kind(), "wrong_key_password");
    for row in table()
        .iter()
        .filter(|r| r.store_type == "PEM" && r.keypass.is_some() && r.file.contains(".key"))
    {
        let mut l = KeyStore::loader().key_password("wrong-password");
        if let Some(c) = companion_certs(row) {
            l = l.certificates_file(c).unwrap();
        }
        let err = l.load_file(store(&row.file)).expect_err(&row.file);
        assert_eq!(err.kind(), "wrong_key_password", "{}: {err}", row.file);
    }
}

#[test]
fn a_truststore_loads_without_a_password_as_java_does() {
    let with = KeyStore::loader()
        .store_password("cassandra")
        .load_file(store("truststore.jks"))
        .unwrap();
    let without = KeyStore::loader()
        .load_file(store("truststore.jks"))
        .unwrap();
    assert_eq!(summary(&with), summary(&without));
    // Keys are listed but stay locked; their leaves still count as trust anchors.
    let locked = KeyStore::loader().load_file(store("node1.jks")).unwrap();
    let [Entry::PrivateKey(k)] = locked.entries() else {
        panic!()
    };
    assert!(k.key().is_none());
    assert_eq!(locked.trust_anchors().len(), 1);
}

#[test]
fn trust_anchors_follow_java() {
    let listing = tools::parse_keytool_list(&expected("expired.jks", "keytool").unwrap());
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load_file(store("expired.jks"))
        .unwrap();
    let mut anchors: Vec<String> = store
        .trust_anchors()
        .iter()
        .map(|c| c.sha256_hex())
        .collect();
    // trusted entries plus the leaf of each key entry
    let mut want: Vec<String> = listing.iter().map(|e| e.sha256[0].clone()).collect();
    anchors.sort();
    want.sort();
    want.dedup();
    assert_eq!(anchors, want);
}

#[test]
fn configured_type_that_differs_is_a_warning_not_a_failure() {
    let store = KeyStore::loader()
        .store_type(Some(StoreType::Jks))
        .store_password("cassandra")
        .load_file(store("node1.p12"))
        .unwrap();
    assert_eq!(store.store_type(), StoreType::Pkcs12);
    assert!(matches!(
        store.warnings(),
        [cassandra_tls::keystore::Warning::StoreTypeMismatch {
            configured: StoreType::Jks,
            detected: StoreType::Pkcs12
        }]
    ));
}

#[test]
fn openssl_truststore_without_trust_attribute_loads_with_a_warning() {
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load_file(store("truststore-openssl.p12"))
        .unwrap();
    let want = tools::parse_openssl_fingerprints(&expected("ca.pem", "openssl").unwrap());
    let got: Vec<_> = summary(&store)
        .into_iter()
        .map(|(_, kind, fp)| (kind, fp))
        .collect();
    assert_eq!(got, vec![("trusted_cert".to_owned(), want)]);
    assert!(matches!(
        store.warnings(),
        [cassandra_tls::keystore::Warning::CertificatesWithoutJavaTrust { count: 1 }]
    ));
}

/// Cutting any fixture short never panics; binary stores always fail, PEM may only lose entries.
#[test]
fn truncation_at_every_offset() {
    for row in table() {
        let bytes = common::read(&store(&row.file));
        let full = loader(&row).load(&bytes);
        for cut in 0..bytes.len() {
            let r = loader(&row).load(&bytes[..cut]);
            match (row.store_type.as_str(), r) {
                ("PEM", Ok(s)) => {
                    // A prefix of a PEM file may itself be valid PEM (the key alone, fewer
                    // certificates); it can only hold kinds of entry the whole file holds.
                    let Ok(full) = full.as_ref().map(summary) else {
                        continue;
                    };
                    for e in summary(&s) {
                        assert!(full.iter().any(|f| f.1 == e.1), "{} cut at {cut}", row.file);
                    }
                }
                (_, Ok(_)) if row.storepass.is_none() || row.file.contains("nopass") => {}
                (_, Ok(_)) => panic!("{} cut at {cut} of {} loaded", row.file, bytes.len()),
                (_, Err(e)) => assert!(
                    [
                        "malformed",
                        "wrong_password_or_tampered",
                        "unsupported",
                        "wrong_key_password",
                        "key_cert_mismatch"
                    ]
                    .contains(&e.kind().as_str()),
                    "{} cut at {cut}: {} {e}",
                    row.file,
                    e.kind()
                ),
            }
        }
    }
}

/// Flipping any byte of a JKS or JCEKS store is caught by its integrity digest or its parser.
#[test]
fn bit_flips_in_java_stores_never_load() {
    for name in [
        "node1.jks",
        "node1.jceks",
        "truststore.jks",
        "secret.jceks",
        "node-ec.jks",
    ] {
        let bytes = common::read(&store(name));
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            let r = KeyStore::loader().store_password("cassandra").load(&b);
            assert!(r.is_err(), "{name}: flip at {i} loaded");
        }
    }
}

/// Flipping bytes of PKCS#12 stores: never a panic, never a silent success with other content.
#[test]
fn bit_flips_in_pkcs12_stores() {
    for name in ["node1.p12", "node1-legacy.p12", "node1-openssl.p12"] {
        let bytes = common::read(&store(name));
        let full = summary(
            &KeyStore::loader()
                .store_password("cassandra")
                .load(&bytes)
                .unwrap(),
        );
        for i in (0..bytes.len()).step_by(3) {
            let mut b = bytes.clone();
            b[i] ^= 0x01;
            if let Ok(s) = KeyStore::loader().store_password("cassandra").load(&b) {
                // Only bytes outside the MAC-protected content can change without detection
                // (such as DER padding of the outer PFX); the entries must then be unchanged.
                assert_eq!(summary(&s), full, "{name}: flip at {i} changed the content");
            }
        }
    }
}
