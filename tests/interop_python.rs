//! Python's ssl configured as cqlsh configures it (cqlshlib from PyPI reads the cqlshrc),
//! against our native-transport server.

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ServerRole, TlsSettings};

fn ready() -> bool {
    let ok = common::which("python3").is_some()
        && Command::new("python3")
            .args(["-c", "import cqlshlib.sslhandling"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !ok {
        common::skip_or_fail("python3 with the cqlsh package (pip install cqlsh) is not available");
    }
    ok
}

fn serve_once(
    yaml: &str,
) -> (
    u16,
    std::thread::JoinHandle<Result<String, cassandra_tls::Error>>,
) {
    let y = CassandraYaml::load_file(common::fixtures().join("conf").join(yaml))
        .unwrap()
        .with_base_dir(common::root());
    let server = tls::server_config(&y, ServerRole::Native, &TlsSettings::default()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut sock, addr) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let (mut session, peer) =
            blocking::handshake(Handshake::server(&server, addr.ip())?, &mut sock)?;
        let line = session.receive(&mut sock)?;
        session.send(&line.to_ascii_uppercase(), &mut sock)?;
        session.close();
        session.flush_to(&mut sock)?;
        Ok(peer.subject().unwrap_or("-").to_owned())
    });
    (port, handle)
}

fn cqlsh_client(rc: &str, port: u16) -> String {
    let out = Command::new("python3")
        .arg(common::root().join("tests/peers/cqlsh_tls_client.py"))
        .arg(common::fixtures().join("conf").join(rc))
        .arg("127.0.0.1")
        .arg(port.to_string())
        .current_dir(common::root()) // cqlshrc paths are relative to the repository root
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn cqlsh_configured_python_client_against_our_server() {
    if !ready() {
        return;
    }
    for rc in ["cqlshrc", "cqlshrc-novalidate"] {
        let (port, server) = serve_once("cassandra.yaml"); // require_client_auth: true
        let got = cqlsh_client(rc, port);
        assert!(got.starts_with("RECEIVED PING TLSv1.3"), "{rc}: {got}");
        assert!(server.join().unwrap().unwrap().contains("CN=client1"));
    }
}

#[test]
fn cqlsh_refuses_a_node_its_certfile_does_not_trust() {
    if !ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rc = dir.path().join("cqlshrc");
    // A CA that did not sign node1: a fresh OpenSSL root.
    let other_ca = dir.path().join("other-ca.pem");
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(dir.path().join("k.pem"))
        .arg("-out")
        .arg(&other_ca)
        .args(["-days", "1", "-subj", "/CN=Other CA"])
        .output()
        .unwrap();
    assert!(status.status.success());
    std::fs::write(
        &rc,
        format!(
            "[ssl]\ncertfile = {}\nvalidate = true\n",
            other_ca.display()
        ),
    )
    .unwrap();
    let (port, server) = serve_once("cassandra-pem-files.yaml");
    let out = Command::new("python3")
        .arg(common::root().join("tests/peers/cqlsh_tls_client.py"))
        .arg(&rc)
        .arg("127.0.0.1")
        .arg(port.to_string())
        .output()
        .unwrap();
    let got = String::from_utf8_lossy(&out.stdout);
    assert!(got.contains("ERROR SSLCertVerificationError"), "{got}");
    assert_eq!(server.join().unwrap().unwrap_err().kind(), "peer_alert");
}
