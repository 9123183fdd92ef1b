//! Drives this crate's sans-IO handshakes and sessions against each other in memory.
#![allow(dead_code)]

use std::net::IpAddr;

use cassandra_tls::handshake::{Handshake, PeerIdentity, Session, State};
use cassandra_tls::tls;

/// Moves bytes both ways until neither side has output; returns the final states.
pub fn pump(c: &mut Handshake, s: &mut Handshake) -> (State, State) {
    for _ in 0..64 {
        let mut moved = false;
        while let Some(out) = c.pending_output() {
            let out = out.to_vec();
            c.consume_output(out.len()).unwrap();
            moved = true;
            if !matches!(s.state(), State::Failed(_)) {
                let _ = s.feed(&out);
            }
        }
        while let Some(out) = s.pending_output() {
            let out = out.to_vec();
            s.consume_output(out.len()).unwrap();
            moved = true;
            if !matches!(c.state(), State::Failed(_)) {
                let _ = c.feed(&out);
            }
        }
        if !moved {
            return (c.state(), s.state());
        }
    }
    panic!("no progress after 64 rounds");
}

pub fn established(
    client: &tls::ClientTls,
    name: &str,
    server: &tls::ServerTls,
    addr: IpAddr,
) -> ((Session, PeerIdentity), (Session, PeerIdentity)) {
    let mut c = Handshake::client(client, name).unwrap();
    let mut s = Handshake::server(server, Some(addr)).unwrap();
    let (cs, ss) = pump(&mut c, &mut s);
    assert_eq!(
        (&cs, &ss),
        (&State::Established, &State::Established),
        "client {cs:?}, server {ss:?}"
    );
    (c.finish().unwrap(), s.finish().unwrap())
}

/// Seals `data` on one side in uneven pieces and opens it on the other.
pub fn transfer(from: &mut Session, to: &mut Session, data: &[u8]) -> Vec<u8> {
    let mut received = Vec::new();
    for (i, piece) in data.chunks(70_001).enumerate() {
        from.seal(piece).unwrap();
        while let Some(out) = from.pending_output() {
            let out = out.to_vec();
            from.consume_output(out.len()).unwrap();
            let mut rest = &out[..];
            while !rest.is_empty() {
                let n = to
                    .feed(rest)
                    .unwrap_or_else(|e| panic!("feed of {} at piece {i}: {e}", rest.len()));
                rest = &rest[n..];
                received.extend(to.open_all().unwrap());
            }
        }
    }
    received.extend(to.open_all().unwrap());
    received
}
