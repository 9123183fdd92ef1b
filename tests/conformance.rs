//! Every case of fixtures/conformance/manifest.json: keystores and PEM files made by
//! Cassandra, its drivers, pyjks and Netty, with the verdicts of the JDK 17 keytool and
//! OpenSSL 3.0. Expected values come from the manifest only.

mod common;

use cassandra_tls::keystore::{Entry, KeyStore, StoreType};
use serde_json::Value;

fn run_case(dir: &std::path::Path, case: &Value) -> Result<(), String> {
    let id = case["id"].as_str().unwrap();
    let mut loader =
        KeyStore::loader().store_type(StoreType::from_name(case["store_type"].as_str().unwrap()));
    if let Some(p) = case["storepass"].as_str() {
        loader = loader.store_password(p);
    }
    if let Some(p) = case["keypass"].as_str() {
        loader = loader.key_password(p);
    }
    if let Some(c) = case["certs"].as_str() {
        loader = loader
            .certificates_file(dir.join(c))
            .map_err(|e| e.to_string())?;
    }
    let result = loader.load_file(dir.join(case["file"].as_str().unwrap()));
    match case["expect"].as_str().unwrap() {
        "error" => {
            let want = case["error"].as_str().unwrap();
            match result {
                Ok(_) => Err(format!("{id}: loaded, expected error {want}")),
                Err(e) if e.kind() == want => Ok(()),
                Err(e) => Err(format!("{id}: got {} ({e}), expected {want}", e.kind())),
            }
        }
        "key_only" => {
            let store = result.map_err(|e| format!("{id}: {} {e}", e.kind()))?;
            let want = case["key_algorithm"].as_str().unwrap();
            match store.entries() {
                [Entry::PrivateKey(k)] if k.chain().is_empty() => {
                    let got = k.key().map(|k| k.algorithm().name().to_owned());
                    if got.as_deref() == Some(want) {
                        Ok(())
                    } else {
                        Err(format!("{id}: key algorithm {got:?}, expected {want}"))
                    }
                }
                other => Err(format!(
                    "{id}: expected one key without chain, got {other:?}"
                )),
            }
        }
        "ok" => {
            let store = result.map_err(|e| format!("{id}: {} {e}", e.kind()))?;
            if store.store_type().name() != case["store_type"].as_str().unwrap() {
                return Err(format!("{id}: detected {}", store.store_type()));
            }
            let got: Vec<(Option<String>, String, Vec<String>)> = store
                .entries()
                .iter()
                .map(|e| {
                    (
                        e.alias().map(str::to_owned),
                        e.kind().name().to_owned(),
                        e.certificates().iter().map(|c| c.sha256_hex()).collect(),
                    )
                })
                .collect();
            let want: Vec<(Option<String>, String, Vec<String>)> = case["entries"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["alias"].as_str().map(str::to_owned),
                        e["kind"].as_str().unwrap().to_owned(),
                        e["chain_sha256"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|h| h.as_str().unwrap().to_owned())
                            .collect(),
                    )
                })
                .collect();
            // Private keys must really be decrypted when a password was given.
            for e in store.entries() {
                if let Entry::PrivateKey(k) = e
                    && k.key().is_none()
                    && (case["storepass"].is_string() || case["keypass"].is_string())
                {
                    return Err(format!("{id}: key of {:?} not decrypted", e.alias()));
                }
            }
            if got == want {
                Ok(())
            } else {
                Err(format!("{id}:\n  got  {got:?}\n  want {want:?}"))
            }
        }
        other => Err(format!("{id}: unknown expectation {other}")),
    }
}

#[test]
fn every_manifest_case() {
    let Some(dir) = common::conformance() else {
        common::skip_or_fail("fixtures/conformance/manifest.json is missing");
        return;
    };
    let manifest: Value =
        serde_json::from_slice(&common::read(&dir.join("manifest.json"))).unwrap();
    let cases = manifest["cases"].as_array().unwrap();
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| run_case(&dir, c).err())
        .collect();
    println!(
        "conformance: {} cases, {} failed",
        cases.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
