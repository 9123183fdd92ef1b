//! Drives this crate's sans-IO handshakes and sessions against each other in memory.
#![allow(dead_code)]

use std::net::IpAddr;

use cassandra_tls::handshake::{self, Handshake, PeerIdentity, Session};
use cassandra_tls::tls;

pub fn established(
    client: &tls::ClientTls,
    name: &str,
    server: &tls::ServerTls,
    addr: IpAddr,
) -> ((Session, PeerIdentity), (Session, PeerIdentity)) {
    let c = Handshake::client(client, name).unwrap();
    let s = Handshake::server(server, addr).unwrap();
    let result = handshake::in_memory(c, s);
    match result.both() {
        Ok(both) => both,
        Err(e) => panic!("the in-memory handshake failed: {e}"),
    }
}

/// Seals `data` on one side in uneven pieces and opens it on the other.
pub fn transfer(from: &mut Session, to: &mut Session, data: &[u8]) -> Vec<u8> {
    let mut received = Vec::new();
    for (i, piece) in data.chunks(70_001).enumerate() {
        let mut piece = piece;
        while !piece.is_empty() {
            let n = from.seal(piece).unwrap();
            piece = &piece[n..];
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
    }
    received.extend(to.open_all().unwrap());
    received
}
