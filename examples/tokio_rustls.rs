//! tokio-rustls with the configs this crate builds: a native-transport server that accepts with
//! `TlsAcceptor` and a client that connects with `TlsConnector`, both from the committed
//! fixtures' cassandra.yaml (client certificates required, as `require_client_auth: true`).
//!
//! The server takes `ServerTls::config_for(peer)` for each connection: with
//! `require_endpoint_verification` that config also checks that the client's certificate
//! names the address it connects from, which a shared config cannot know.
//!
//! Run from the repository root: `cargo run --example tokio_rustls`

use std::sync::Arc;

use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
    let settings = TlsSettings::default();
    let server = tls::server_config(&yaml, ServerRole::Native, &settings)?;
    let client = tls::client_config(&yaml, ClientRole::Native, &settings)?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let node = tokio::spawn(async move {
        let (sock, peer) = listener.accept().await?;
        // One config per connection: the client's address is part of the check.
        let acceptor = TlsAcceptor::from(server.config_for(peer.ip()));
        let mut tls = acceptor.accept(sock).await?;
        let subject = tls
            .get_ref()
            .1
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| cassandra_tls::keystore::Certificate::from_der_bytes(c.to_vec()))
            .transpose()?
            .map(|c| c.info().map(|i| i.subject))
            .transpose()?;
        let mut line = vec![0u8; 5];
        tls.read_exact(&mut line).await?;
        tls.write_all(&line.to_ascii_uppercase()).await?;
        tls.shutdown().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(subject)
    });

    let connector = TlsConnector::from(Arc::clone(client.config()));
    let sock = TcpStream::connect(("127.0.0.1", port)).await?;
    // The node's certificate names 127.0.0.1: the address dialled is the name checked.
    let mut tls = connector
        .connect(ServerName::try_from("127.0.0.1")?, sock)
        .await?;
    tls.write_all(b"hello").await?;
    let mut answer = Vec::new();
    tls.read_to_end(&mut answer).await?;
    let subject = node.await?.map_err(|e| e.to_string())?;
    println!(
        "client got {:?} over {:?}; server saw client {}",
        String::from_utf8_lossy(&answer),
        tls.get_ref().1.protocol_version(),
        subject.as_deref().unwrap_or("-")
    );
    assert_eq!(answer, b"HELLO");
    Ok(())
}
