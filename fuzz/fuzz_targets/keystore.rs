//! Any bytes as a key store of any format, with arbitrary passwords: the first byte chooses the
//! fixtures' passwords (low values) or says how many of the following bytes are the store
//! password and the key password (high bit set).
#![no_main]

use cassandra_tls::keystore::KeyStore;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, mut bytes)) = data.split_first() else {
        return;
    };
    let mut loader = KeyStore::loader();
    if choice & 0x80 != 0 {
        // Arbitrary passwords taken from the input (lossy UTF-8, as any text).
        let store_len = usize::from(choice & 0x07).min(bytes.len());
        let (store, rest) = bytes.split_at(store_len);
        let key_len = usize::from((choice >> 3) & 0x07).min(rest.len());
        let (key, rest) = rest.split_at(key_len);
        loader = loader.store_password(String::from_utf8_lossy(store).into_owned());
        if choice & 0x40 != 0 {
            loader = loader.key_password(String::from_utf8_lossy(key).into_owned());
        }
        bytes = rest;
    } else {
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
    }
    if let Ok(store) = loader.load(bytes) {
        for entry in store.entries() {
            for cert in entry.certificates() {
                let _ = cert.info();
            }
        }
        let _ = store.trust_anchors();
        let _ = store.java_type_mismatch();
    }
});
