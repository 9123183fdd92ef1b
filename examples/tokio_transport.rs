//! The handshake machine driven by tokio (no tokio-rustls): an internode server task and a
//! client, each moving bytes between a TcpStream and the machine.
//!
//! Run from the repository root: `cargo run --example tokio_transport`

use cassandra_tls::handshake::{Handshake, PeerIdentity, Session, State};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn drive(
    mut hs: Handshake,
    sock: &mut TcpStream,
) -> Result<(Session, PeerIdentity), cassandra_tls::Error> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(out) = hs.pending_output() {
            let n = sock.write(out).await.expect("send");
            hs.consume_output(n)?;
        }
        match hs.state() {
            State::NeedInput => {
                let n = sock.read(&mut buf).await.expect("receive");
                if n == 0 {
                    hs.end_of_input();
                } else {
                    // On failure the alert is pending: the next turn sends it, then finish()
                    // says why.
                    hs.feed(&buf[..n]);
                }
            }
            // finish() returns the session, or the failure once its alert is sent.
            State::Established | State::Failed => return hs.finish(),
        }
    }
}

async fn flush(session: &mut Session, sock: &mut TcpStream) -> Result<(), cassandra_tls::Error> {
    while let Some(out) = session.pending_output() {
        let n = sock.write(out).await.expect("send");
        session.consume_output(n)?;
    }
    Ok(())
}

async fn receive(
    session: &mut Session,
    sock: &mut TcpStream,
) -> Result<Vec<u8>, cassandra_tls::Error> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let got = session.open_all()?;
        if !got.is_empty() || session.peer_closed() {
            return Ok(got);
        }
        let n = sock.read(&mut buf).await.expect("receive");
        if n == 0 {
            // Without close_notify first, open_all() reports the truncation.
            session.end_of_input();
            return session.open_all();
        }
        session.feed(&buf[..n])?;
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), cassandra_tls::Error> {
    let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
    let server = tls::server_config(&yaml, ServerRole::Internode, &TlsSettings::default())?;
    let client = tls::client_config(&yaml, ClientRole::Internode, &TlsSettings::default())?;

    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("address").port();
    let node = tokio::spawn(async move {
        let (mut sock, addr) = listener.accept().await.expect("accept");
        let (mut session, peer) = drive(Handshake::server(&server, addr.ip())?, &mut sock).await?;
        println!(
            "node: peer {:?} (SPIFFE {:?})",
            peer.subject(),
            peer.spiffe_id()
        );
        let msg = receive(&mut session, &mut sock).await?;
        session.seal(&msg)?;
        session.close();
        flush(&mut session, &mut sock).await
    });

    let mut sock = TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect");
    let (mut session, peer) = drive(Handshake::client(&client, "127.0.0.1")?, &mut sock).await?;
    println!(
        "client: node {:?} over {} {}",
        peer.subject(),
        session.protocol(),
        session.cipher_suite()
    );
    session.seal(b"echo me")?;
    flush(&mut session, &mut sock).await?;
    let echoed = receive(&mut session, &mut sock).await?;
    println!("client: echoed {:?}", String::from_utf8_lossy(&echoed));
    assert_eq!(echoed, b"echo me");
    node.await.expect("node task")?;
    Ok(())
}
