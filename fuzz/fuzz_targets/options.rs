//! Any text as cassandra.yaml and as cqlshrc.
#![no_main]

use cassandra_tls::options::{CassandraYaml, Cqlshrc};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(yaml) = CassandraYaml::from_str(text) {
        let _ = yaml.warnings();
        let s = yaml.server_encryption_options();
        let _ = s.policy(false);
        let _ = cassandra_tls::options::select_protocols(
            yaml.origin(),
            "server_encryption_options",
            s.common.protocol.as_deref(),
            s.common.accepted_protocols.as_deref(),
        );
    }
    if let Ok(rc) = Cqlshrc::parse(text, cassandra_tls::Origin::bytes()) {
        let _ = rc.ssl_settings("127.0.0.1", &|_| None, None);
    }
});
