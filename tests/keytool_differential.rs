//! Differential test against the JDK: fresh stores made by keytool right now (JKS, JCEKS,
//! PKCS#12; RSA, EC and Ed25519 keys; random passwords, a key password different from the store
//! password where the format allows it; mixed-case aliases), compared with `keytool -list -v`.

mod common;

use std::path::Path;
use std::process::Command;

use cassandra_tls::keystore::{Entry, KeyStore};
use common::tools;

/// A small PRNG seeded from the OS's hash randomness; the seed is printed for reproduction.
struct Rng(u64);

impl Rng {
    fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        let seed = std::env::var("KEYTOOL_DIFF_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                let mut h = std::collections::hash_map::RandomState::new().build_hasher();
                h.write_u64(0x5eed);
                h.finish()
            });
        println!("KEYTOOL_DIFF_SEED={seed}");
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn word(&mut self, len: usize, alphabet: &[char]) -> String {
        (0..len)
            .map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize])
            .collect()
    }
}

fn keytool(args: &[&str]) -> String {
    let out = Command::new("keytool")
        .arg("-noprompt")
        .args(args)
        .env("TZ", "UTC")
        .env("LC_ALL", "C.UTF-8")
        .output()
        .expect("run keytool");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "keytool {args:?} failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn make_store(
    dir: &Path,
    storetype: &str,
    storepass: &str,
    keypass: &str,
    rng: &mut Rng,
) -> std::path::PathBuf {
    let file = dir.join(format!("diff.{}", storetype.to_lowercase()));
    let f = file.to_str().unwrap();
    let alpha: Vec<char> = ('a'..='z').chain('A'..='Z').collect();
    for (keyalg, size) in [("RSA", "2048"), ("EC", "256"), ("Ed25519", "")] {
        let alias = format!("{}-{}", keyalg, rng.word(6, &alpha));
        let mut args = vec![
            "-genkeypair",
            "-alias",
            &alias,
            "-keyalg",
            keyalg,
            "-dname",
            "CN=diff, O=cassandra-tls",
            "-validity",
            "3650",
            "-keystore",
            f,
            "-storetype",
            storetype,
            "-storepass",
            storepass,
            "-keypass",
            keypass,
            "-ext",
            "san=ip:127.0.0.1",
        ];
        if !size.is_empty() {
            args.extend(["-keysize", size]);
        }
        keytool(&args);
    }
    // One trusted certificate: a fresh key exported from a scratch store and imported.
    let scratch = dir.join(format!("scratch-{storetype}.p12"));
    let s = scratch.to_str().unwrap();
    keytool(&[
        "-genkeypair",
        "-alias",
        "peer",
        "-keyalg",
        "EC",
        "-dname",
        "CN=peer",
        "-keystore",
        s,
        "-storetype",
        "PKCS12",
        "-storepass",
        "scratchpw",
    ]);
    let cert = dir.join(format!("peer-{storetype}.pem"));
    keytool(&[
        "-exportcert",
        "-rfc",
        "-alias",
        "peer",
        "-keystore",
        s,
        "-storepass",
        "scratchpw",
        "-file",
        cert.to_str().unwrap(),
    ]);
    let trusted_alias = format!("Trusted-{}", rng.word(5, &alpha));
    keytool(&[
        "-importcert",
        "-alias",
        &trusted_alias,
        "-file",
        cert.to_str().unwrap(),
        "-keystore",
        f,
        "-storetype",
        storetype,
        "-storepass",
        storepass,
    ]);
    file
}

#[test]
fn fresh_keytool_stores_load_as_keytool_lists_them() {
    if common::which("keytool").is_none() {
        common::skip_or_fail("keytool (a JDK) is not on the PATH");
        return;
    }
    let mut rng = Rng::new();
    let dir = tempfile::tempdir().unwrap();
    let ascii: Vec<char> = ('a'..='z')
        .chain('0'..='9')
        .chain("!#%+-_".chars())
        .collect();
    let wide: Vec<char> = ascii.iter().copied().chain("äöüßéლಠ益".chars()).collect();
    for storetype in ["JKS", "JCEKS", "PKCS12"] {
        // JKS takes any password (UTF-16BE); JCEKS keys and JDK 17 PKCS#12 need ASCII; PKCS#12
        // has one password for everything.
        let storepass = match storetype {
            "JKS" => rng.word(12, &wide),
            _ => rng.word(12, &ascii),
        };
        let keypass = match storetype {
            "PKCS12" => storepass.clone(),
            "JKS" => rng.word(10, &wide),
            _ => rng.word(10, &ascii),
        };
        let file = make_store(dir.path(), storetype, &storepass, &keypass, &mut rng);
        let listing = keytool(&[
            "-list",
            "-v",
            "-keystore",
            file.to_str().unwrap(),
            "-storepass",
            &storepass,
        ]);
        let want = tools::parse_keytool_list(&listing);
        assert_eq!(want.len(), 4, "{storetype}: {listing}");

        let store = KeyStore::loader()
            .store_password(storepass.as_str())
            .key_password(keypass.as_str())
            .load_file(&file)
            .unwrap_or_else(|e| panic!("{storetype}: {e}"));
        assert_eq!(store.store_type().name(), storetype.to_lowercase());
        assert_eq!(store.entries().len(), want.len(), "{storetype}");
        for w in &want {
            let entry = store
                .entry(&w.alias)
                .unwrap_or_else(|| panic!("{storetype}: no entry {}", w.alias));
            assert_eq!(
                entry.alias(),
                Some(w.alias.as_str()),
                "{storetype}: alias as keytool shows it"
            );
            assert_eq!(entry.kind().name(), w.kind, "{storetype} {}", w.alias);
            let got: Vec<String> = entry
                .certificates()
                .iter()
                .map(|c| c.sha256_hex())
                .collect();
            assert_eq!(got, w.sha256, "{storetype} {}", w.alias);
            if let Entry::PrivateKey(k) = entry {
                let key = k.key().expect("decrypted");
                let kt_algo = w.key_algorithm.as_deref().unwrap();
                assert!(
                    kt_algo.contains(key.algorithm().name()),
                    "{storetype}: keytool {kt_algo} vs {}",
                    key.algorithm()
                );
            }
        }
        // The wrong key password is caught and named (where keys have their own password).
        if storetype != "PKCS12" {
            let err = KeyStore::loader()
                .store_password(storepass.as_str())
                .key_password(format!("{keypass}x"))
                .load_file(&file)
                .unwrap_err();
            assert_eq!(err.kind(), "wrong_key_password", "{storetype}");
        }
        let err = KeyStore::loader()
            .store_password(format!("{storepass}x"))
            .load_file(&file)
            .unwrap_err();
        assert_eq!(err.kind(), "wrong_password_or_tampered", "{storetype}");
    }
}
