//! Keystore loading, with the bare hashing each file demands timed beside it (the floor).
//!
//! Run: `cargo bench --bench keystore`. `benches/compare.sh` runs this, the JDK
//! (benches/peers/KeyStoreBench.java) and pyjks on the same files, and prints one table.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use cassandra_tls::keystore::KeyStore;
use criterion::{Criterion, criterion_group, criterion_main};
use sha1::Sha1;
use sha2::{Digest, Sha256};

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/stores")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn utf16be(pw: &str) -> Vec<u8> {
    pw.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
}

/// `n` SHA-1 compressions, each on the previous output: the cost of `n` iterations of the
/// PKCS#12 KDF (a 20-byte input is one block).
fn sha1_chain(n: u32) -> [u32; 5] {
    let mut state = [7u32; 5];
    let mut block = [0u8; 64];
    for _ in 0..n {
        for (c, w) in block.chunks_mut(4).zip(state) {
            c.copy_from_slice(&w.to_be_bytes());
        }
        sha1::block_api::compress(&mut state, &[block]);
    }
    state
}

/// `n` SHA-256 compressions, chained.
fn sha256_chain(n: u32) -> [u32; 8] {
    let mut state = [7u32; 8];
    let mut block = [0u8; 64];
    for _ in 0..n {
        for (c, w) in block.chunks_mut(4).zip(state) {
            c.copy_from_slice(&w.to_be_bytes());
        }
        sha2::block_api::compress256(&mut state, &[block]);
    }
    state
}

/// `n` MD5 compressions, chained (one JCEKS round each).
fn md5_chain(n: u32) -> [u32; 4] {
    let mut state = [7u32; 4];
    let mut block = [0u8; 64];
    for _ in 0..n {
        for (c, w) in block.chunks_mut(4).zip(state) {
            c.copy_from_slice(&w.to_le_bytes());
        }
        md5::block_api::compress(&mut state, &[block]);
    }
    state
}

/// JKS: SHA-1 over password ‖ whitener ‖ file, the key protector's keystream (one SHA-1 per 20
/// bytes of key) and its check hash over the plaintext.
fn jks_floor(file: &[u8], key_len: usize) -> [u8; 20] {
    let pw = utf16be("cassandra");
    let body = &file[..file.len() - 20];
    let d: [u8; 20] = Sha1::new()
        .chain_update(&pw)
        .chain_update(b"Mighty Aphrodite")
        .chain_update(body)
        .finalize()
        .into();
    let mut k = d;
    for _ in 0..key_len.div_ceil(20) {
        k = Sha1::new()
            .chain_update(&pw)
            .chain_update(k)
            .finalize()
            .into();
    }
    let check: [u8; 20] = Sha1::new()
        .chain_update(&pw)
        .chain_update(&body[..key_len.min(body.len())])
        .finalize()
        .into();
    [d[0] ^ k[0] ^ check[0]; 20]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("keystore");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20);

    let cases: [(&str, &str); 7] = [
        ("jks_rsa2048_chain3", "node1.jks"),
        ("jks_truststore_40", "truststore40.jks"),
        ("jceks_rsa2048_chain3", "node1.jceks"),
        ("pkcs12_jdk_default", "node1.p12"),
        ("pkcs12_legacy", "node1-legacy.p12"),
        ("pem_encrypted_pkcs12_3des_chain3", "node1-keystore.pem"),
        ("pem_encrypted_pbes2_aes256", "node1.key.pbes2-aes.pem"),
    ];
    for (name, file) in cases {
        let bytes = fixture(file);
        let loader = KeyStore::loader().store_password("cassandra");
        loader.load(&bytes).expect(file);
        g.bench_function(format!("{name}/load"), |b| {
            b.iter(|| loader.load(black_box(&bytes)).unwrap())
        });
    }

    // The floors: the hashing each file demands, nothing else.
    let jks = fixture("node1.jks");
    // The protected key of node1.jks is 1,218 bytes of encrypted PKCS#8 (RSA-2048).
    g.bench_function("jks_rsa2048_chain3/floor", |b| {
        b.iter(|| jks_floor(black_box(&jks), 1218))
    });
    let ts = fixture("truststore40.jks");
    g.bench_function("jks_truststore_40/floor", |b| {
        b.iter(|| jks_floor(black_box(&ts), 0))
    });
    // JCEKS: two halves of 200,000 MD5 rounds, plus the file digest.
    let jceks = fixture("node1.jceks");
    g.bench_function("jceks_rsa2048_chain3/floor", |b| {
        b.iter(|| {
            (
                md5_chain(black_box(400_000)),
                jks_floor(black_box(&jceks), 0),
            )
        })
    });
    // JDK default PKCS#12: the MAC key (PKCS#12 KDF, SHA-256, 10,000 iterations) and two
    // PBKDF2-HMAC-SHA256 derivations of 10,000 iterations (key bag, certificate bag).
    g.bench_function("pkcs12_jdk_default/floor", |b| b.iter(pkcs12_jdk_floor));
    // Legacy PKCS#12: MAC key 100,000 SHA-1; 3DES key (2 blocks) and IV at 50,000 each; RC2-40
    // key and IV at 50,000 each: 350,000 SHA-1 iterations.
    g.bench_function("pkcs12_legacy/floor", |b| {
        b.iter(|| sha1_chain(black_box(350_000)))
    });
    // PEM, pbeWithSHAAnd3-KeyTripleDES-CBC at 2,048 iterations: key (2 blocks) and IV.
    g.bench_function("pem_encrypted_pkcs12_3des_chain3/floor", |b| {
        b.iter(|| sha1_chain(black_box(3 * 2048)))
    });
    // PEM, PBES2 PBKDF2-HMAC-SHA256 at 2,048 iterations, one 32-byte block.
    g.bench_function("pem_encrypted_pbes2_aes256/floor", |b| {
        b.iter(|| {
            let mut k = [0u8; 32];
            pbkdf2::pbkdf2_hmac::<Sha256>(black_box(b"cassandra"), &[1; 8], 2048, &mut k);
            k
        })
    });
    jdk_key_types(&mut g);
    g.finish();
    kdf(c);
    certificate(c);
}

/// Why loading finds a certificate's public key with a walk over the DER instead of
/// x509-parser: loading checks every certificate of a store (40 in jks_truststore_40), and a
/// full parse costs more than the whole load of a small store. x509-parser reads the fields
/// when they are asked for (`Certificate::info`, names, the doctor).
fn certificate(c: &mut Criterion) {
    use cassandra_tls::keystore::Certificate;
    use x509_parser::nom::Parser;
    use x509_parser::prelude::{FromDer, X509Certificate, X509CertificateParser};
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load(&fixture("node1.jks"))
        .unwrap();
    let leaf = store.private_keys().next().unwrap().chain()[0]
        .der()
        .to_vec();
    let mut g = c.benchmark_group("certificate");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20);
    g.bench_function("load_check/walk", |b| {
        b.iter(|| Certificate::from_der_bytes(black_box(leaf.clone())).unwrap())
    });
    g.bench_function("load_check/x509_parser_full", |b| {
        b.iter(|| {
            let copy = black_box(leaf.clone());
            X509Certificate::from_der(&copy)
                .map(|(_, c)| c.public_key().raw.len())
                .unwrap()
        })
    });
    g.bench_function("load_check/x509_parser_shallow", |b| {
        b.iter(|| {
            let copy = black_box(leaf.clone());
            X509CertificateParser::new()
                .with_deep_parse_extensions(false)
                .parse(&copy)
                .map(|(_, c)| c.public_key().raw.len())
                .unwrap()
        })
    });
    g.finish();
}

/// Why the crate keeps its own PKCS#12 KDF: RustCrypto's (the `pkcs12` crate, a full digest per
/// round) against the compression-only rounds this crate runs, for the JDK's MAC (SHA-256,
/// 10,000 rounds) and the legacy MAC (SHA-1, 100,000 rounds). src/keystore/pbe/pkcs12_kdf.rs
/// tests that both give the same keys.
fn kdf(c: &mut Criterion) {
    use pkcs12::kdf::{Pkcs12KeyType, derive_key};
    let mut g = c.benchmark_group("kdf");
    g.warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(20);
    let pass = utf16be("cassandra\0");
    g.bench_function("sha256_10000/rustcrypto", |b| {
        b.iter(|| derive_key::<Sha256>(black_box(&pass), &[1; 20], Pkcs12KeyType::Mac, 10_000, 32))
    });
    g.bench_function("sha256_10000/compression_only", |b| {
        b.iter(|| sha256_chain(black_box(10_000)))
    });
    g.bench_function("sha1_100000/rustcrypto", |b| {
        b.iter(|| derive_key::<Sha1>(black_box(&pass), &[1; 20], Pkcs12KeyType::Mac, 100_000, 20))
    });
    g.bench_function("sha1_100000/compression_only", |b| {
        b.iter(|| sha1_chain(black_box(100_000)))
    });
    g.finish();
}

/// The JDK default PKCS#12 floor: the MAC key (PKCS#12 KDF, SHA-256, 10,000 iterations) and two
/// PBKDF2-HMAC-SHA256 derivations of 10,000 iterations (key bag, certificate bag).
fn pkcs12_jdk_floor() -> ([u32; 8], [u8; 32], [u8; 32]) {
    let mut k = [0u8; 32];
    let mut k2 = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(b"cassandra", &[1; 20], 10_000, &mut k);
    pbkdf2::pbkdf2_hmac::<Sha256>(b"cassandra", &[2; 20], 10_000, &mut k2);
    (sha256_chain(black_box(10_000)), k, k2)
}

/// One-key stores of every key type, as keytool writes them (benches/peers/jdk_stores.sh; EC
/// keys without their public point). `KEYSTORE_BENCH_JDK_STORES` names a directory already made
/// (benches/compare.sh shares it with the Java bench); otherwise keytool makes one here.
fn jdk_key_types(g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>) {
    let made;
    let dir = match std::env::var_os("KEYSTORE_BENCH_JDK_STORES") {
        Some(d) => PathBuf::from(d),
        None => {
            made = tempfile::tempdir().expect("a temporary directory");
            let script =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/peers/jdk_stores.sh");
            let ok = std::process::Command::new("bash")
                .arg(script)
                .arg(made.path())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                eprintln!(
                    "SKIPPED: the key-type stores need keytool (benches/peers/jdk_stores.sh)"
                );
                return;
            }
            made.path().to_path_buf()
        }
    };
    for store_type in ["jks", "jceks", "pkcs12"] {
        for key in ["rsa2048_onekey", "ec_p256", "ec_p384", "ed25519"] {
            let name = format!("{store_type}_{key}");
            let ext = if store_type == "pkcs12" {
                "p12"
            } else {
                store_type
            };
            let path = dir.join(format!("{name}.{ext}"));
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let loader = KeyStore::loader().store_password("cassandra");
            let store = loader.load(&bytes).expect(&name);
            // The key's plaintext length sets the JKS key protector's hashing.
            let key_len = store
                .private_keys()
                .next()
                .and_then(|e| e.key())
                .and_then(|k| k.to_pkcs8())
                .map_or(0, |k| k.len());
            g.bench_function(format!("{name}/load"), |b| {
                b.iter(|| loader.load(black_box(&bytes)).unwrap())
            });
            match store_type {
                "jks" => g.bench_function(format!("{name}/floor"), |b| {
                    b.iter(|| jks_floor(black_box(&bytes), key_len))
                }),
                "jceks" => g.bench_function(format!("{name}/floor"), |b| {
                    b.iter(|| {
                        (
                            md5_chain(black_box(400_000)),
                            jks_floor(black_box(&bytes), 0),
                        )
                    })
                }),
                _ => g.bench_function(format!("{name}/floor"), |b| b.iter(pkcs12_jdk_floor)),
            };
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
