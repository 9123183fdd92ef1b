//! Shared by the benches: one full handshake through the sans-IO machine, both ends in memory.

use cassandra_tls::handshake::{self, Handshake, Session};
use cassandra_tls::tls::{ClientTls, ServerTls};

/// One handshake through the machine ([`handshake::in_memory`]); returns the client's and the
/// server's sessions.
pub fn pair(server: &ServerTls, client: &ClientTls) -> (Session, Session) {
    let c = Handshake::client(client, "127.0.0.1").unwrap();
    let s = Handshake::server(server, "127.0.0.1".parse().unwrap()).unwrap();
    let ((c, _), (s, _)) = handshake::in_memory(c, s).both().unwrap();
    (c, s)
}
