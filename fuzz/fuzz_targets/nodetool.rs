//! Any text as nodetool-ssl.properties (both forms) and as Java properties.
#![no_main]

use cassandra_tls::Origin;
use cassandra_tls::options::{NodetoolSsl, parse_java_properties};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = parse_java_properties(text, &Origin::bytes());
    if let Ok(ssl) = NodetoolSsl::parse(text, Origin::bytes()) {
        for w in ssl.warnings() {
            let _ = w.to_string();
        }
    }
});
