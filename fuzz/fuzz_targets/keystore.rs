//! Any bytes as a key store of any format, with the first byte choosing the passwords.
#![no_main]

use cassandra_tls::keystore::KeyStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((choice, bytes)) = data.split_first() else {
        return;
    };
    let mut loader = KeyStore::loader();
    match choice % 4 {
        0 => {}
        1 => loader = loader.store_password("cassandra"),
        2 => {
            loader = loader
                .store_password("cassandra")
                .key_password("keypass-differs")
        }
        _ => loader = loader.store_password(""),
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
