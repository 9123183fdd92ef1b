//! Unit-testing certificate chains without a handshake: validate a keystore's chain against a
//! truststore at a chosen time, for a chosen peer address, and print why it fails.
//!
//! Run from the repository root: `cargo run --example chain_unit_test`

use std::time::Duration;

use cassandra_tls::keystore::{Certificate, KeyStore};
use cassandra_tls::tls::{ExpiredPeer, Usage, verify_chain};
use rustls::pki_types::UnixTime;

fn chain_of(path: &str) -> Result<Vec<Certificate>, cassandra_tls::Error> {
    let store = KeyStore::loader()
        .store_password("cassandra")
        .load_file(path)?;
    Ok(store
        .private_keys()
        .next()
        .map(|k| k.chain().to_vec())
        .unwrap_or_default())
}

fn anchors_of(path: &str) -> Result<Vec<Certificate>, cassandra_tls::Error> {
    Ok(KeyStore::loader()
        .store_password("cassandra")
        .load_file(path)?
        .trust_anchors())
}

fn main() -> Result<(), cassandra_tls::Error> {
    let node1 = chain_of("fixtures/stores/node1.jks")?;
    let trust = anchors_of("fixtures/stores/truststore.jks")?;
    let expired = chain_of("fixtures/stores/expired.jks")?;
    let expired_ca = anchors_of("fixtures/stores/expired-truststore.jks")?;
    let now = UnixTime::now();
    let in_2003 = UnixTime::since_unix_epoch(Duration::from_secs(1_041_379_200));

    let cases = [
        (
            "node1 as a server for 127.0.0.1, now",
            &node1,
            &trust,
            Usage::Server,
            Some("127.0.0.1"),
            now,
        ),
        (
            "node1 as an internode client from 127.0.0.1",
            &node1,
            &trust,
            Usage::Client,
            Some("127.0.0.1"),
            now,
        ),
        (
            "node1 as a server for 10.0.0.9",
            &node1,
            &trust,
            Usage::Server,
            Some("10.0.0.9"),
            now,
        ),
        (
            "node1 against the wrong truststore",
            &node1,
            &expired_ca,
            Usage::Server,
            None,
            now,
        ),
        (
            "expired-node, now",
            &expired,
            &expired_ca,
            Usage::Server,
            Some("127.0.0.1"),
            now,
        ),
        (
            "expired-node in 2003",
            &expired,
            &expired_ca,
            Usage::Server,
            Some("127.0.0.1"),
            in_2003,
        ),
    ];
    for (what, chain, anchors, usage, name, at) in cases {
        match verify_chain(chain, anchors, usage, name, at, ExpiredPeer::Refuse) {
            Ok(()) => println!("{what}: valid"),
            Err(e) => println!("{what}: INVALID ({}): {e}", e.kind()),
        }
    }
    Ok(())
}
