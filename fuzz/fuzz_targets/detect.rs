//! detect() never panics and never reads past its input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cassandra_tls::handshake::detect(data);
});
