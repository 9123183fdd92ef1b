//! Handshakes and bulk data through the sans-IO machine, against raw rustls with identical
//! configs, both ends in memory.
//!
//! Run: `cargo bench --bench handshake`. JSSE's figure comes from
//! `java benches/peers/HandshakeBench.java` (see BENCHMARKS.md).

mod common;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use cassandra_tls::handshake::Opened;
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ClientTls, ServerRole, ServerTls, TlsSettings};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rustls::pki_types::ServerName;
use rustls::{ClientConnection, ServerConnection};

/// Mutual TLS 1.3 on the native port with a fixture key store.
fn yaml(keystore: &str) -> CassandraYaml {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = format!(
        "client_encryption_options:\n  enabled: true\n  keystore: {root}/fixtures/stores/{keystore}\n  keystore_password: cassandra\n  truststore: {root}/fixtures/stores/truststore.jks\n  truststore_password: cassandra\n  require_client_auth: true\n  accepted_protocols: [TLSv1.3]\n"
    );
    CassandraYaml::from_str(&text).unwrap()
}

/// The same client config without resumption, so every handshake is full.
fn no_resume(c: ClientTls) -> Arc<rustls::ClientConfig> {
    let mut config = (**c.config()).clone();
    config.resumption = rustls::client::Resumption::disabled();
    Arc::new(config)
}

fn configs(keystore: &str) -> (ServerTls, ClientTls) {
    let yaml = yaml(keystore);
    let settings = TlsSettings::default();
    (
        tls::server_config(&yaml, ServerRole::Native, &settings).unwrap(),
        tls::client_config(&yaml, ClientRole::Native, &settings).unwrap(),
    )
}

/// The same handshake on raw rustls connections with the same configs.
fn raw(
    server: &Arc<rustls::ServerConfig>,
    client: &Arc<rustls::ClientConfig>,
) -> (ClientConnection, ServerConnection) {
    let mut c =
        ClientConnection::new(client.clone(), ServerName::try_from("127.0.0.1").unwrap()).unwrap();
    let mut s = ServerConnection::new(server.clone()).unwrap();
    let mut buf = Vec::with_capacity(16 * 1024);
    loop {
        let mut moved = false;
        while c.wants_write() {
            buf.clear();
            c.write_tls(&mut buf).unwrap();
            let mut rest = &buf[..];
            while !rest.is_empty() {
                s.read_tls(&mut rest).unwrap();
                s.process_new_packets().unwrap();
            }
            moved = true;
        }
        while s.wants_write() {
            buf.clear();
            s.write_tls(&mut buf).unwrap();
            let mut rest = &buf[..];
            while !rest.is_empty() {
                c.read_tls(&mut rest).unwrap();
                c.process_new_packets().unwrap();
            }
            moved = true;
        }
        if !moved {
            break;
        }
    }
    assert!(!c.is_handshaking() && !s.is_handshaking());
    (c, s)
}

fn handshakes(c: &mut Criterion) {
    for (group, keystore) in [
        ("handshake/tls13-mtls-p256", "node-ec.jks"),
        ("handshake/tls13-mtls-rsa2048", "node1.jks"),
    ] {
        let (server, client) = configs(keystore);
        let client = no_resume(client);
        let mut g = c.benchmark_group(group);
        g.measurement_time(Duration::from_secs(5)).sample_size(30);
        g.bench_function("cassandra-tls", |b| {
            b.iter(|| black_box(common::pair(&server, &client)))
        });
        g.bench_function("rustls", |b| {
            b.iter(|| {
                black_box(raw(
                    &server.config_without_client_address_check().clone(),
                    &client,
                ))
            })
        });
        g.finish();
    }
    // Resumption: the client's session cache is kept across iterations.
    let (server, client) = configs("node-ec.jks");
    let client = client.into_config();
    common::pair(&server, &client);
    let mut g = c.benchmark_group("handshake/tls13-resume");
    g.measurement_time(Duration::from_secs(5)).sample_size(30);
    g.bench_function("cassandra-tls", |b| {
        b.iter(|| black_box(common::pair(&server, &client)))
    });
    g.bench_function("rustls", |b| {
        b.iter(|| {
            black_box(raw(
                &server.config_without_client_address_check().clone(),
                &client,
            ))
        })
    });
    g.finish();
    // Hot reload: the same P-256 handshake with reloadable configs (the key resolver, the
    // verifier and the session caches behind locks) against fixed ones.
    let yaml = yaml("node-ec.jks");
    let settings = TlsSettings::default();
    let (server_r, _reload_s) =
        tls::reload::reloading_server_config(&yaml, ServerRole::Native, &settings).unwrap();
    let (client_r, _reload_c) =
        tls::reload::reloading_client_config(&yaml, ClientRole::Native, &settings).unwrap();
    let (server, client) = configs("node-ec.jks");
    let (client, client_r) = (no_resume(client), no_resume(client_r));
    let mut g = c.benchmark_group("handshake/tls13-mtls-p256-reloadable");
    g.measurement_time(Duration::from_secs(5)).sample_size(30);
    g.bench_function("reloadable", |b| {
        b.iter(|| black_box(common::pair(&server_r, &client_r)))
    });
    g.bench_function("fixed", |b| {
        b.iter(|| black_box(common::pair(&server, &client)))
    });
    g.finish();
}

/// Handshakes under continuous rotation (issue 31): a thread reloads both sides every 20 ms
/// (`Reloader::force`, a full load and validation each time) while handshakes run without
/// pause. `reloading-live` hands both sides the configs taken once (a driver's, an
/// acceptor's), `reloading-bound` takes a config per connection (`Handshake::client` /
/// `Handshake::server`), `fixed-resuming` is a fixed config pair that resumes (what a process
/// without reload does). Only public API that 0.3.0 (5ad0409) already had, so the same group
/// measures the code before the change.
fn rotation(c: &mut Criterion) {
    use cassandra_tls::handshake::{self, Handshake};
    use std::sync::atomic::{AtomicBool, Ordering};
    let yaml = yaml("node-ec.jks");
    let settings = TlsSettings::default();
    let (server_r, reload_s) =
        tls::reload::reloading_server_config(&yaml, ServerRole::Native, &settings).unwrap();
    let (client_r, reload_c) =
        tls::reload::reloading_client_config(&yaml, ClientRole::Native, &settings).unwrap();
    let (server, client) = configs("node-ec.jks");
    let client = client.into_config();
    let live_server = server_r.config_without_client_address_check().clone();
    let live_client = client_r.config().clone();
    let stop = Arc::new(AtomicBool::new(false));
    let reloading = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut reloads = 0u64;
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
                let _ = reload_s.force();
                let _ = reload_c.force();
                reloads += 1;
            }
            reloads
        })
    };
    let addr: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    let mut g = c.benchmark_group("handshake/under-rotation");
    g.measurement_time(Duration::from_secs(5)).sample_size(30);
    g.bench_function("fixed-resuming", |b| {
        b.iter(|| black_box(common::pair(&server, &client)))
    });
    g.bench_function("reloading-live", |b| {
        b.iter(|| {
            let c = Handshake::client_with_config(live_client.clone(), "127.0.0.1").unwrap();
            let s = Handshake::dangerous_server_with_config(live_server.clone()).unwrap();
            black_box(handshake::in_memory(c, s).both().unwrap())
        })
    });
    g.bench_function("reloading-bound", |b| {
        b.iter(|| {
            let c = Handshake::client(&client_r, "127.0.0.1").unwrap();
            let s = Handshake::server(&server_r, addr).unwrap();
            black_box(handshake::in_memory(c, s).both().unwrap())
        })
    });
    g.finish();
    stop.store(true, Ordering::SeqCst);
    let reloads = reloading.join().unwrap();
    eprintln!("handshake/under-rotation: {reloads} reloads of each side during the group");
}

fn bulk(c: &mut Criterion) {
    let (server, client) = configs("node-ec.jks");
    let record = vec![0x5au8; 16 * 1024];
    let mut g = c.benchmark_group("bulk/16k");
    g.throughput(Throughput::Bytes(record.len() as u64));
    g.measurement_time(Duration::from_secs(5));
    let (mut cs, mut ss) = common::pair(&server, client.config());
    let mut plain = vec![0u8; 32 * 1024];
    g.bench_function("cassandra-tls", |b| {
        b.iter(|| {
            assert_eq!(cs.seal(&record).unwrap(), record.len());
            while let Some(out) = cs.pending_output() {
                let n = out.len();
                ss.feed(out).unwrap();
                cs.consume_output(n).unwrap();
            }
            let mut got = 0;
            while got < record.len() {
                match ss.open(&mut plain).unwrap() {
                    Opened::Data(n) => got += n,
                    other => panic!("{other:?}"),
                }
            }
            black_box(got)
        })
    });
    let (mut rc, mut rs) = raw(
        &server.config_without_client_address_check().clone(),
        client.config(),
    );
    let mut buf = Vec::with_capacity(32 * 1024);
    g.bench_function("rustls", |b| {
        b.iter(|| {
            use std::io::{Read, Write};
            rc.writer().write_all(&record).unwrap();
            while rc.wants_write() {
                buf.clear();
                rc.write_tls(&mut buf).unwrap();
                let mut rest = &buf[..];
                while !rest.is_empty() {
                    rs.read_tls(&mut rest).unwrap();
                    rs.process_new_packets().unwrap();
                }
            }
            let mut got = 0;
            while got < record.len() {
                got += rs.reader().read(&mut plain).unwrap();
            }
            black_box(got)
        })
    });
    g.finish();
}

criterion_group!(benches, handshakes, rotation, bulk);
criterion_main!(benches);
