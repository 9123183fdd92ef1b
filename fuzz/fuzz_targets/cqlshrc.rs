//! Any text as a cqlshrc, then cqlsh's SSL settings drawn from it (with and without a host section).
#![no_main]

use cassandra_tls::options::Cqlshrc;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rc) = Cqlshrc::parse(text, cassandra_tls::Origin::bytes()) {
        let _ = rc.ssl_settings("127.0.0.1", &|_| None, None);
        let _ = rc.ssl_settings(
            "node1",
            &|name| (name == "SSL_VALIDATE").then(|| "false".into()),
            Some(std::path::Path::new("/home/fuzz")),
        );
    }
});
