//! The memory of one established session: the growth of the resident set while 1,000 client
//! and 1,000 server sessions are held, divided by 1,000 (Linux /proc/self/statm).
//!
//! Run: `cargo bench --bench session_memory`

mod common;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};

fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // cargo bench --list
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let yaml = CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  keystore: {root}/fixtures/stores/node-ec.jks\n  keystore_password: cassandra\n  truststore: {root}/fixtures/stores/truststore.jks\n  truststore_password: cassandra\n  require_client_auth: true\n"
    ))
    .unwrap();
    let server = tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default()).unwrap();
    let client = tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default())
        .unwrap()
        .into_config();
    // Warm up allocator pools and lazy statics.
    let warm: Vec<_> = (0..100).map(|_| common::pair(&server, &client)).collect();
    drop(warm);
    let before = rss_bytes().expect("/proc/self/statm");
    let held: Vec<_> = (0..1000).map(|_| common::pair(&server, &client)).collect();
    let after = rss_bytes().unwrap();
    println!(
        "session_memory: {} bytes per established session (client and server averaged; {} pairs held, RSS grew {} KiB)",
        (after - before) / 2000,
        held.len(),
        (after - before) / 1024
    );
}
