//! Arbitrary server flights fed, in pieces, to a client handshake built from the fixture cassandra.yaml
//! (client-to-node role, the truststore and client keystore of the fixtures).
#![no_main]

use std::sync::OnceLock;

use cassandra_tls::handshake::{Handshake, State};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientTls, Role, TlsSettings};
use libfuzzer_sys::fuzz_target;

fn client() -> &'static ClientTls {
    static CLIENT: OnceLock<ClientTls> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let yaml = CassandraYaml::load_file(format!("{root}/fixtures/conf/cassandra.yaml"))
            .unwrap()
            .with_base_dir(root);
        tls::client_config(&yaml, Role::NativeClient, &TlsSettings::default()).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut hs) = Handshake::client(client(), "127.0.0.1") else {
        return;
    };
    while let Some(out) = hs.pending_output() {
        let n = out.len();
        let _ = hs.consume_output(n);
    }
    for piece in data.chunks(311) {
        if hs.feed(piece) == State::Failed {
            break;
        }
        while let Some(out) = hs.pending_output() {
            let n = out.len();
            let _ = hs.consume_output(n);
        }
    }
    hs.end_of_input();
    let _ = hs.state();
});
