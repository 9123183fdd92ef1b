//! Any bytes as a PEM key store (key and certificates in one file), with the first byte choosing the
//! password: Cassandra's PEM factory reads exactly this shape (`keystore` or `private_key`).
#![no_main]

use cassandra_tls::keystore::{KeyStore, StoreType};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((choice, bytes)) = data.split_first() else {
        return;
    };
    let mut loader = KeyStore::loader().store_type(Some(StoreType::Pem));
    match choice % 3 {
        0 => {}
        1 => loader = loader.store_password("cassandra"),
        _ => loader = loader.key_password("cassandra"),
    }
    if let Ok(store) = loader.load(bytes) {
        for entry in store.entries() {
            for cert in entry.certificates() {
                let _ = cert.info();
            }
        }
        let _ = store.trust_anchors();
    }
});
