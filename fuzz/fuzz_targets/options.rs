//! Any text as cassandra.yaml: parsing, warnings, the policy and the protocol selection.
#![no_main]

use cassandra_tls::options::CassandraYaml;
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
});
