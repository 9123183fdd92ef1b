//! Drives a rustls client and server against each other in memory.
#![allow(dead_code)]

use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, ServerConfig, ServerConnection};

/// Which side failed, and how.
#[derive(Debug)]
pub enum Failure {
    Client(rustls::Error),
    Server(rustls::Error),
}

impl Failure {
    pub fn error(&self) -> &rustls::Error {
        match self {
            Failure::Client(e) | Failure::Server(e) => e,
        }
    }
}

/// Feeds all of `buf` to a connection: `read_tls` takes at most one buffer's worth per call.
fn feed<C: std::ops::DerefMut<Target = rustls::ConnectionCommon<D>>, D>(
    conn: &mut C,
    mut buf: &[u8],
) -> Result<(), rustls::Error> {
    while !buf.is_empty() {
        conn.read_tls(&mut buf).unwrap();
        conn.process_new_packets()?;
    }
    Ok(())
}

/// A full handshake in memory. On failure, the side that refused is reported (the other side
/// usually sees the alert afterwards).
pub fn handshake(
    client: Arc<ClientConfig>,
    server_name: &str,
    server: Arc<ServerConfig>,
) -> Result<(ClientConnection, ServerConnection), Failure> {
    let name = ServerName::try_from(server_name.to_owned()).expect("server name");
    let mut c = ClientConnection::new(client, name).map_err(Failure::Client)?;
    let mut s = ServerConnection::new(server).map_err(Failure::Server)?;
    for _ in 0..32 {
        let mut buf = Vec::new();
        while c.wants_write() {
            c.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            feed(&mut s, &buf).map_err(Failure::Server)?;
        }
        let mut buf = Vec::new();
        while s.wants_write() {
            s.write_tls(&mut buf).unwrap();
        }
        if !buf.is_empty() {
            feed(&mut c, &buf).map_err(Failure::Client)?;
        }
        if !c.is_handshaking() && !s.is_handshaking() {
            // Flush the client's last flight (TLS 1.3 Finished) so the server sees it.
            let mut buf = Vec::new();
            while c.wants_write() {
                c.write_tls(&mut buf).unwrap();
            }
            if !buf.is_empty() {
                feed(&mut s, &buf).map_err(Failure::Server)?;
            }
            return Ok((c, s));
        }
    }
    panic!("handshake did not finish in 32 rounds");
}
