//! Load (issue 7): 1,000 connections over loopback from this crate's client to a JSSE server
//! (tests/peers/TlsPeer.java, built as Cassandra's DefaultSslContextFactory), mutual TLS with
//! endpoint verification, 500 over TLS 1.3 and 500 over TLS 1.2, with no failure. Prints the
//! process's peak memory (recorded in RELIABILITY.md). In a binary of its own for that peak.

mod common;

use common::status_kib;

use std::net::TcpStream;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, TlsSettings};

const PER_PROTOCOL: usize = 500;

#[test]
fn a_thousand_connections_to_a_jsse_server() {
    let Some(dir) = common::java::classes() else {
        common::skip_or_fail("a JDK (java and javac) is not on the PATH");
        return;
    };
    let yaml = CassandraYaml::load_file(common::fixtures().join("conf/cassandra.yaml"))
        .unwrap()
        .with_base_dir(common::root());
    let client = tls::client_config(&yaml, ClientRole::Internode, &TlsSettings::default()).unwrap();
    let mut served = 0;
    for protocol in ["TLSv1.3", "TLSv1.2"] {
        let options: Vec<String> = [
            ("keystore", common::store_path("node1.jks")),
            ("storetype", "JKS".into()),
            ("storepass", "cassandra".into()),
            ("truststore", common::store_path("truststore.jks")),
            ("trustpass", "cassandra".into()),
            ("clientauth", "need".into()),
            ("verify", "true".into()),
            ("protocols", protocol.into()),
            ("count", PER_PROTOCOL.to_string()),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
        let peer = common::peer::start(
            common::java::tls_peer(&dir, "server", &options),
            "LISTENING ",
        );
        for i in 0..PER_PROTOCOL {
            let mut sock = TcpStream::connect(("127.0.0.1", peer.port))
                .unwrap_or_else(|e| panic!("{protocol} connection {i}: {e}"));
            sock.set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            let hs = Handshake::client(&client, "127.0.0.1").unwrap();
            let (mut session, identity) = blocking::handshake(hs, &mut sock)
                .unwrap_or_else(|e| panic!("{protocol} connection {i}: {e}"));
            assert_eq!(session.protocol(), protocol, "connection {i}");
            assert_eq!(
                identity.subject(),
                Some("CN=node1, O=cassandra-tls test"),
                "connection {i}"
            );
            session
                .send(format!("hello-{i}\n").as_bytes(), &mut sock)
                .unwrap();
            let mut got = Vec::new();
            while !got.ends_with(b"\n") {
                let part = session
                    .receive(&mut sock)
                    .unwrap_or_else(|e| panic!("{protocol} connection {i}: {e}"));
                assert!(!part.is_empty(), "{protocol} connection {i}: closed early");
                got.extend(part);
            }
            assert_eq!(got, format!("HELLO-{i}\n").as_bytes(), "connection {i}");
            session.close();
            let _ = session.flush_to(&mut sock);
        }
        // The peer's own account of each connection.
        for i in 0..PER_PROTOCOL {
            let line = loop {
                let line = peer
                    .lines
                    .recv_timeout(Duration::from_secs(60))
                    .unwrap_or_else(|_| panic!("the JSSE peer said nothing about connection {i}"));
                if line.starts_with("SERVED") || line.starts_with("ERROR") {
                    break line;
                }
            };
            assert!(
                line.starts_with(&format!("SERVED {protocol} "))
                    && line.ends_with("CN=node1,O=cassandra-tls test"),
                "connection {i}: {line}"
            );
            served += 1;
        }
    }
    assert_eq!(served, 2 * PER_PROTOCOL);
    println!(
        "{served} connections to JSSE: peak RSS (VmHWM) of this process {} KiB",
        status_kib("VmHWM:").map_or("?".into(), |v| v.to_string())
    );
}
