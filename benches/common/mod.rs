//! Shared by the benches: one full handshake through the sans-IO machine, both ends in memory.

use cassandra_tls::handshake::{self, Handshake, Session};
use std::sync::Arc;

use cassandra_tls::tls::ServerTls;

/// One handshake through the machine ([`handshake::in_memory`]); returns the client's and the
/// server's sessions.
pub fn pair(server: &ServerTls, client: &Arc<rustls::ClientConfig>) -> (Session, Session) {
    let c = Handshake::client_with_config(client.clone(), "127.0.0.1").unwrap();
    let s = Handshake::server(server, "127.0.0.1".parse().unwrap()).unwrap();
    let ((c, _), (s, _)) = handshake::in_memory(c, s).both().unwrap();
    (c, s)
}
