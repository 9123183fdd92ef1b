//! Load (issue 7): 10,000 handshakes, each session then carrying 1 MiB each way, through the
//! sans-IO machine in memory, with no failure. Prints the peak memory of the process (recorded in
//! RELIABILITY.md) and checks that resident memory does not grow with the number of sessions.
//! In a binary of its own so that the process's peak is this test's.

mod common;

use std::net::IpAddr;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};
use common::sansio::{established, transfer};
use common::status_kib;

const HANDSHAKES: usize = 10_000;
const BYTES_EACH_WAY: usize = 1 << 20;

/// A `VmHWM` / `VmRSS` line of /proc/self/status, in KiB.
/// Data that differs per session and per direction, so that a mix-up would show.
fn pattern(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn ten_thousand_handshakes_with_a_mebibyte_each_way() {
    let root = common::root();
    let load = |name: &str| {
        CassandraYaml::load_file(common::fixtures().join("conf").join(name))
            .unwrap()
            .with_base_dir(&root)
    };
    // Mutual TLS on the native port, from a JKS, a PKCS#12 and a PEM fixture configuration in turn.
    let pairs: Vec<(tls::ClientTls, tls::ServerTls)> = [
        "cassandra.yaml",
        "cassandra-pkcs12.yaml",
        "cassandra-pem-files.yaml",
    ]
    .iter()
    .map(|name| {
        let y = load(name);
        let s = TlsSettings::default();
        (
            tls::client_config(&y, ClientRole::Native, &s).unwrap(),
            tls::server_config(&y, ServerRole::Native, &s).unwrap(),
        )
    })
    .collect();
    let addr: IpAddr = "127.0.0.1".parse().unwrap();
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 4);
    let rss_after_warmup = std::sync::Mutex::new(None);
    std::thread::scope(|scope| {
        for t in 0..threads {
            let pairs = &pairs;
            let rss_after_warmup = &rss_after_warmup;
            scope.spawn(move || {
                for i in (t..HANDSHAKES).step_by(threads) {
                    let (client, server) = &pairs[i % pairs.len()];
                    let ((mut c, _), (mut s, peer)) =
                        established(client, "127.0.0.1", server, addr);
                    assert!(
                        peer.is_authenticated(),
                        "session {i}: no client certificate"
                    );
                    let up = pattern(2 * i as u64, BYTES_EACH_WAY);
                    let down = pattern(2 * i as u64 + 1, BYTES_EACH_WAY);
                    assert!(
                        transfer(&mut c, &mut s, &up) == up,
                        "session {i}: upstream differs"
                    );
                    assert!(
                        transfer(&mut s, &mut c, &down) == down,
                        "session {i}: downstream differs"
                    );
                    if i == 1_000 {
                        *rss_after_warmup.lock().unwrap() = status_kib("VmRSS:");
                    }
                }
            });
        }
    });
    let peak = status_kib("VmHWM:");
    let rss_end = status_kib("VmRSS:");
    let warm = *rss_after_warmup.lock().unwrap();
    println!(
        "{HANDSHAKES} handshakes, {} MiB each way, {threads} threads: peak RSS (VmHWM) {} KiB, RSS after 1,000 sessions {} KiB, at the end {} KiB",
        (HANDSHAKES * BYTES_EACH_WAY) >> 20,
        peak.map_or("?".into(), |v| v.to_string()),
        warm.map_or("?".into(), |v| v.to_string()),
        rss_end.map_or("?".into(), |v| v.to_string()),
    );
    // Nothing is kept per session: 9,000 more sessions may not add more than 64 MiB (a leak of
    // even 8 KiB per session would). Memory, not time: this does not depend on the machine's load.
    if let (Some(warm), Some(end)) = (warm, rss_end) {
        assert!(
            end.saturating_sub(warm) < 64 << 10,
            "resident memory grew from {warm} KiB to {end} KiB over 9,000 sessions"
        );
    }
}
