//! Shared by the benches: one full handshake through the sans-IO machine, both ends in memory.

use cassandra_tls::handshake::{Handshake, Session};
use cassandra_tls::tls::{ClientTls, ServerTls};

/// One handshake through the machine; returns the client's and the server's sessions.
pub fn pair(server: &ServerTls, client: &ClientTls) -> (Session, Session) {
    let mut c = Handshake::client(client, "127.0.0.1").unwrap();
    let mut s = Handshake::server(server, None).unwrap();
    loop {
        let mut moved = false;
        while let Some(out) = c.pending_output() {
            let n = out.len();
            s.feed(out).unwrap();
            c.consume_output(n).unwrap();
            moved = true;
        }
        while let Some(out) = s.pending_output() {
            let n = out.len();
            c.feed(out).unwrap();
            s.consume_output(n).unwrap();
            moved = true;
        }
        if !moved {
            break;
        }
    }
    (c.finish().unwrap().0, s.finish().unwrap().0)
}
