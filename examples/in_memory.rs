//! Both ends of an internode connection in one process, bytes moved by hand: the sans-IO
//! machine needs nothing but buffers.
//!
//! Run from the repository root: `cargo run --example in_memory`

use cassandra_tls::handshake::{Handshake, State};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, Role, TlsSettings};

fn main() -> Result<(), cassandra_tls::Error> {
    let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
    let settings = TlsSettings::default();
    let server = tls::server_config(&yaml, Role::InternodeServer, &settings)?;
    let client = tls::client_config(&yaml, Role::InternodeClient, &settings)?;

    let mut c = Handshake::client(&client, "127.0.0.1")?;
    let mut s = Handshake::server(&server, Some("127.0.0.1".parse().unwrap()))?;
    // Move bytes until neither side has anything to say.
    loop {
        let mut moved = false;
        while let Some(out) = c.pending_output().map(<[u8]>::to_vec) {
            c.consume_output(out.len())?;
            s.feed(&out)?;
            moved = true;
        }
        while let Some(out) = s.pending_output().map(<[u8]>::to_vec) {
            s.consume_output(out.len())?;
            c.feed(&out)?;
            moved = true;
        }
        if !moved {
            break;
        }
    }
    assert_eq!(
        (c.state(), s.state()),
        (State::Established, State::Established)
    );
    let (mut client_session, server_id) = c.finish()?;
    let (mut server_session, client_id) = s.finish()?;
    println!(
        "established {} {}: server {:?}, client {:?}",
        client_session.protocol(),
        client_session.cipher_suite(),
        server_id.subject(),
        client_id.subject()
    );

    client_session.seal(b"GOSSIP SYN")?;
    let records = client_session.pending_output().unwrap_or_default().to_vec();
    client_session.consume_output(records.len())?;
    server_session.feed(&records)?;
    let got = server_session.open_all()?;
    println!("server received {:?}", String::from_utf8_lossy(&got));
    assert_eq!(got, b"GOSSIP SYN");
    Ok(())
}
