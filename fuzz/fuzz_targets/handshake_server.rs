//! Arbitrary bytes fed to a server handshake built from the fixture cassandra.yaml, in pieces.
#![no_main]

use std::sync::OnceLock;

use cassandra_tls::handshake::{Handshake, State};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, Role, ServerTls, TlsSettings};
use libfuzzer_sys::fuzz_target;

fn server() -> &'static ServerTls {
    static SERVER: OnceLock<ServerTls> = OnceLock::new();
    SERVER.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let yaml = CassandraYaml::load_file(format!("{root}/fixtures/conf/cassandra.yaml"))
            .unwrap()
            .with_base_dir(root);
        tls::server_config(&yaml, Role::NativeServer, &TlsSettings::default()).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut hs) = Handshake::server(server(), "127.0.0.1".parse().unwrap()) else {
        return;
    };
    for piece in data.chunks(257) {
        if hs.feed(piece) == State::Failed {
            break;
        }
        while let Some(out) = hs.pending_output() {
            let n = out.len();
            let _ = hs.consume_output(n);
        }
    }
    let _ = hs.state();
});
