//! Interop with OpenSSL's s_server and s_client (started by the test on loopback, port 0),
//! with the same fixture material in PEM.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::Duration;

use cassandra_tls::handshake::{Handshake, blocking};
use cassandra_tls::options::CassandraYaml;
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};

fn have_openssl() -> bool {
    common::tools_present(&["openssl"])
}

fn yaml(name: &str) -> CassandraYaml {
    CassandraYaml::load_file(common::fixtures().join("conf").join(name))
        .unwrap()
        .with_base_dir(common::root())
}

use common::peer::connect;

/// node1 on s_server, one connection, answering each line reversed, trusting the fixtures' CAs.
fn s_server(extra: &[&str]) -> common::peer::Peer {
    let ca = common::store_path("ca-bundle.pem");
    let mut args = vec!["-naccept", "1", "-rev", "-CAfile", &ca];
    args.extend_from_slice(extra);
    common::peer::openssl_node1_server(&args)
}

/// Our internode/native client against s_server demanding a client certificate: both TLS
/// versions, data both ways (s_server -rev answers each line reversed).
#[test]
fn our_client_against_openssl_server() {
    if !have_openssl() {
        return;
    }
    let client = tls::client_config(
        &yaml("cassandra.yaml"),
        ClientRole::Internode,
        &TlsSettings::default(),
    )
    .unwrap();
    for (flag, version) in [("-tls1_3", "TLSv1.3"), ("-tls1_2", "TLSv1.2")] {
        let peer = s_server(&["-Verify", "1", "-verify_return_error", flag]);
        let mut sock = connect(peer.port);
        let hs = Handshake::client(&client, "127.0.0.1").unwrap();
        let (mut session, server) =
            blocking::handshake(hs, &mut sock).unwrap_or_else(|e| panic!("{flag}: {e}"));
        assert_eq!(session.protocol(), version);
        assert_eq!(
            server.sha256_hex().unwrap(),
            common::tools::parse_openssl_fingerprints(
                &std::fs::read_to_string(
                    common::fixtures().join("expected/node1.chain.pem.openssl.txt")
                )
                .unwrap()
            )[0]
        );
        session.send(b"hello cassandra\n", &mut sock).unwrap();
        let mut got = Vec::new();
        while !got.ends_with(b"\n") {
            let part = session.receive(&mut sock).unwrap();
            assert!(!part.is_empty(), "{flag}: connection closed early");
            got.extend(part);
        }
        assert_eq!(got, b"ardnassac olleh\n", "{flag}");
        session.close();
        session.flush_to(&mut sock).unwrap();
    }
}

/// An s_server presenting a chain we do not trust, and a name we did not ask for.
#[test]
fn our_client_refuses_what_it_must() {
    if !have_openssl() {
        return;
    }
    let settings = TlsSettings::default();
    let strict = CassandraYaml::from_str(
        "client_encryption_options:\n  enabled: true\n  truststore: fixtures/stores/expired-truststore.jks\n",
    )
    .unwrap()
    .with_base_dir(common::root());
    let untrusting = tls::client_config(&strict, ClientRole::Native, &settings).unwrap();
    let peer = s_server(&[]);
    let mut sock = connect(peer.port);
    let err = blocking::handshake(
        Handshake::client(&untrusting, "127.0.0.1").unwrap(),
        &mut sock,
    )
    .unwrap_err();
    assert_eq!(err.kind(), "unknown_issuer", "{err}");

    let verifying =
        tls::client_config(&yaml("cassandra.yaml"), ClientRole::Internode, &settings).unwrap();
    let peer = s_server(&[]);
    let mut sock = connect(peer.port);
    let err = blocking::handshake(
        Handshake::client(&verifying, "10.0.0.9").unwrap(),
        &mut sock,
    )
    .unwrap_err();
    assert_eq!(err.kind(), "name_mismatch", "{err}");
}

/// Runs our native server for one connection on a thread: it answers one line upper-cased.
fn our_server(
    yaml_file: &str,
) -> (
    u16,
    std::thread::JoinHandle<Result<String, cassandra_tls::Error>>,
) {
    let server = tls::server_config(
        &yaml(yaml_file),
        ServerRole::Native,
        &TlsSettings::default(),
    )
    .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut sock, addr) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let hs = Handshake::server(&server, addr.ip())?;
        let (mut session, peer) = blocking::handshake(hs, &mut sock)?;
        let mut line = Vec::new();
        while !line.ends_with(b"\n") {
            let part = session.receive(&mut sock)?;
            if part.is_empty() {
                break;
            }
            line.extend(part);
        }
        session.send(&line.to_ascii_uppercase(), &mut sock)?;
        session.close();
        session.flush_to(&mut sock)?;
        Ok(format!(
            "{} {}",
            session.protocol(),
            peer.subject().unwrap_or("-")
        ))
    });
    (port, handle)
}

fn s_client(port: u16, extra: &[&str], input: &[u8]) -> (bool, String) {
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-quiet",
        ])
        .args([
            "-CAfile",
            &common::store_path("ca-bundle.pem"),
            "-verify_return_error",
            "-verify_ip",
            "127.0.0.1",
        ])
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn openssl_client_against_our_server() {
    if !have_openssl() {
        return;
    }
    for flag in ["-tls1_3", "-tls1_2"] {
        let (port, server) = our_server("cassandra.yaml"); // require_client_auth: true
        let (_, out) = s_client(
            port,
            &[
                flag,
                "-cert",
                &common::store_path("client1.chain.pem"),
                "-key",
                &common::store_path("client1.key.pem"),
            ],
            b"ping\n",
        );
        assert_eq!(out, "PING\n", "{flag}");
        let summary = server.join().unwrap().unwrap();
        assert!(summary.contains("CN=client1"), "{summary}");
        assert!(
            summary.starts_with(if flag == "-tls1_3" {
                "TLSv1.3"
            } else {
                "TLSv1.2"
            }),
            "{summary}"
        );
    }
}

#[test]
fn our_server_refuses_what_it_must() {
    if !have_openssl() {
        return;
    }
    // No client certificate where one is required.
    let (port, server) = our_server("cassandra.yaml");
    let (_, out) = s_client(port, &[], b"ping\n");
    assert!(!out.contains("PING"));
    let err = server.join().unwrap().unwrap_err();
    assert_eq!(err.kind(), "no_client_certificate", "{err}");
    // TLS 1.0 only.
    let (port, server) = our_server("cassandra.yaml");
    let (ok, _) = s_client(
        port,
        &["-tls1", "-cipher", "DEFAULT:@SECLEVEL=0"],
        b"ping\n",
    );
    assert!(!ok);
    let err = server.join().unwrap().unwrap_err();
    assert!(
        ["no_shared_protocol", "protocol"].contains(&err.kind().as_str()),
        "{err}"
    );
}
