//! Both ends of an internode connection in one process: the sans-IO machine needs nothing but
//! buffers. `handshake::in_memory` pumps the handshake; the session's records are moved by
//! hand, with backpressure, a clean close and a cut stream told apart.
//!
//! Run from the repository root: `cargo run --example in_memory`

use cassandra_tls::handshake::{self, Handshake, HandshakeFailure, Opened, Session};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};

/// Moves everything `from` has to send into `to`, and returns what `to` decrypted. `feed`
/// takes less than offered while `to`'s plaintext buffer is full: reading makes room.
fn carry(from: &mut Session, to: &mut Session) -> Result<Vec<u8>, cassandra_tls::Error> {
    let mut plain = Vec::new();
    while let Some(out) = from.pending_output() {
        let n = out.len();
        let mut rest = out;
        while !rest.is_empty() {
            let taken = to.feed(rest)?;
            rest = &rest[taken..];
            plain.extend(to.open_all()?);
        }
        from.consume_output(n)?;
    }
    Ok(plain)
}

fn main() -> Result<(), cassandra_tls::Error> {
    let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
    let settings = TlsSettings::default();
    let server = tls::server_config(&yaml, ServerRole::Internode, &settings)?;
    let client = tls::client_config(&yaml, ClientRole::Internode, &settings)?;

    let c = Handshake::client(&client, "127.0.0.1")?;
    let s = Handshake::server(&server, "127.0.0.1".parse().unwrap())?;
    let ((mut client_session, server_id), (mut server_session, client_id)) =
        handshake::in_memory(c, s).both()?;
    println!(
        "established {} {}: server {:?}, client {:?}",
        client_session.protocol(),
        client_session.cipher_suite(),
        server_id.subject(),
        client_id.subject()
    );

    // seal() takes what the send buffer holds and says how much: the rest waits until the
    // pending records are sent.
    let message = vec![b'g'; 200 * 1024];
    let mut rest = &message[..];
    let mut received = Vec::new();
    while !rest.is_empty() {
        let n = client_session.seal(rest)?;
        rest = &rest[n..];
        received.extend(carry(&mut client_session, &mut server_session)?);
    }
    assert_eq!(received, message);
    println!("server received {} bytes", received.len());

    // A clean close: close_notify, then the end of the stream.
    client_session.close();
    assert!(carry(&mut client_session, &mut server_session)?.is_empty());
    server_session.end_of_input();
    let mut buf = [0u8; 64];
    assert_eq!(server_session.open(&mut buf)?, Opened::Closed);
    println!("client closed cleanly");

    // A cut stream: the end of the stream without close_notify is an error.
    server_session.seal(b"partial answer")?;
    assert_eq!(
        carry(&mut server_session, &mut client_session)?,
        b"partial answer"
    );
    client_session.end_of_input();
    match client_session.open(&mut buf) {
        Err(cassandra_tls::Error::Handshake(HandshakeFailure::Truncated)) => {
            println!("server's stream cut without close_notify: reported as truncated")
        }
        other => panic!("truncation not reported: {other:?}"),
    }
    Ok(())
}
