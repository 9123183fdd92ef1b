//! The handshake machine over blocking std sockets, written out by hand (the loop
//! `handshake::blocking::handshake` packages): a native-transport server thread and a client.
//!
//! Run from the repository root: `cargo run --example std_transport`

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use cassandra_tls::handshake::{Handshake, PeerIdentity, Session, State};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};

/// The loop every transport writes: send what is pending, then read what is needed.
fn drive(
    mut hs: Handshake,
    sock: &mut TcpStream,
) -> Result<(Session, PeerIdentity), cassandra_tls::Error> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        while let Some(out) = hs.pending_output() {
            let n = sock.write(out).expect("send");
            hs.consume_output(n)?;
        }
        match hs.state() {
            State::NeedInput => {
                let n = sock.read(&mut buf).expect("receive");
                if n == 0 {
                    hs.end_of_input();
                } else {
                    // On failure the alert is pending: the next turn sends it, then finish()
                    // says why.
                    hs.feed(&buf[..n]);
                }
            }
            // The session, or the failure once its alert is sent.
            State::Established | State::Failed => return hs.finish(),
        }
    }
}

fn main() -> Result<(), cassandra_tls::Error> {
    let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
    let server = tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default())?;
    let client = tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default())?;

    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    let node = std::thread::spawn(move || -> Result<(), cassandra_tls::Error> {
        let (mut sock, addr) = listener.accept().expect("accept");
        let (mut session, peer) = drive(Handshake::server(&server, addr.ip())?, &mut sock)?;
        println!(
            "node: client {:?} connected over {}",
            peer.subject(),
            session.protocol()
        );
        let mut buf = [0u8; 4096];
        loop {
            let n = sock.read(&mut buf).expect("receive");
            if n == 0 {
                // The stream ended: an error unless close_notify came first.
                session.end_of_input();
                session.open_all()?;
                return Ok(());
            }
            session.feed(&buf[..n])?;
            let got = session.open_all()?;
            if !got.is_empty() {
                // Small enough for one send buffer; seal() says how much it took.
                let answer = got.to_ascii_uppercase();
                assert_eq!(session.seal(&answer)?, answer.len());
                break;
            }
        }
        session.close();
        while let Some(out) = session.pending_output() {
            let n = sock.write(out).expect("send");
            session.consume_output(n)?;
        }
        Ok(())
    });

    let mut sock = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let (mut session, peer) = drive(Handshake::client(&client, "127.0.0.1")?, &mut sock)?;
    println!(
        "client: node {:?}, {}",
        peer.subject(),
        session.cipher_suite()
    );
    let query = b"select release_version from system.local";
    assert_eq!(session.seal(query)?, query.len());
    while let Some(out) = session.pending_output() {
        let n = sock.write(out).expect("send");
        session.consume_output(n)?;
    }
    let mut buf = [0u8; 4096];
    let mut answer = Vec::new();
    while !session.peer_closed() {
        let n = sock.read(&mut buf).expect("receive");
        if n == 0 {
            // The node closed without close_notify: open_all() reports the truncation.
            session.end_of_input();
            answer.extend(session.open_all()?);
            break;
        }
        session.feed(&buf[..n])?;
        answer.extend(session.open_all()?);
    }
    println!("client: received {:?}", String::from_utf8_lossy(&answer));
    node.join().expect("node thread")?;
    Ok(())
}
