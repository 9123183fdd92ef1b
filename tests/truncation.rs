//! A stream that ends without close_notify is an error (`truncated`), told apart from a clean
//! close, against OpenSSL's s_server, JSSE and in memory; and `seal` passes rustls' send-buffer
//! backpressure on.

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use cassandra_tls::handshake::{
    Handshake, HandshakeFailure, Opened, SEND_BUFFER_LIMIT, Session, blocking,
};
use cassandra_tls::tls::{self, ClientRole, ClientTls, DriverTls, ServerRole, TlsSettings};

fn client() -> ClientTls {
    DriverTls::new()
        .truststore_path(common::store_path("ca-bundle.pem"))
        .build()
        .unwrap()
}

fn connect(port: u16) -> (Session, TcpStream) {
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let hs = Handshake::client(&client(), "127.0.0.1").unwrap();
    let (session, _) = blocking::handshake(hs, &mut sock).unwrap();
    (session, sock)
}

/// Reads until `want` bytes have arrived.
fn receive_exactly(session: &mut Session, sock: &mut TcpStream, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    while got.len() < want {
        let part = session.receive(sock).unwrap();
        assert!(!part.is_empty(), "the stream ended early");
        got.extend(part);
    }
    got
}

fn is_truncated(r: &Result<Vec<u8>, cassandra_tls::Error>) -> bool {
    matches!(
        r,
        Err(cassandra_tls::Error::Handshake(HandshakeFailure::Truncated))
    )
}

fn s_server(extra: &[&str]) -> common::peer::Peer {
    let mut args = vec!["-naccept", "1"];
    args.extend_from_slice(extra);
    common::peer::openssl_node1_server(&args)
}

/// s_server -www closes with close_notify after its page; s_server without it sends what its
/// stdin gets, and killing it ends the TCP stream without close_notify.
#[test]
fn openssl_clean_close_and_cut_stream() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    // Clean: s_server -www answers a request with a page and closes with close_notify.
    let peer = s_server(&["-www"]);
    let (mut session, mut sock) = connect(peer.port);
    session.send(b"GET / HTTP/1.0\r\n\r\n", &mut sock).unwrap();
    let mut page = Vec::new();
    let end = loop {
        match session.receive(&mut sock) {
            Ok(part) if part.is_empty() => break Ok(()),
            Ok(part) => page.extend(part),
            Err(e) => break Err(e),
        }
    };
    assert!(
        page.starts_with(b"HTTP/1.0 200"),
        "{}",
        String::from_utf8_lossy(&page)
    );
    assert!(end.is_ok(), "{end:?}");
    assert!(session.peer_closed());
    drop(peer);

    // Cut: s_server killed after sending; the kernel closes the socket.
    let mut peer = s_server(&[]);
    let (mut session, mut sock) = connect(peer.port);
    let stdin = peer.child.stdin.as_mut().unwrap();
    stdin.write_all(b"partial\n").unwrap();
    stdin.flush().unwrap();
    assert_eq!(receive_exactly(&mut session, &mut sock, 8), b"partial\n");
    peer.child.kill().unwrap();
    peer.child.wait().unwrap();
    let end = session.receive(&mut sock);
    assert!(is_truncated(&end), "{end:?}");
    assert!(!session.peer_closed());
    let Err(e) = end else { unreachable!() };
    assert_eq!(e.kind(), "truncated");
}

/// TlsPeer answers a line and closes its SSLSocket (close_notify), or with `end=cut` halts the
/// JVM after answering, so the stream ends without close_notify.
#[test]
fn jsse_clean_close_and_cut_stream() {
    let Some(classes) = common::java::classes() else {
        common::skip_or_fail("no JDK");
        return;
    };
    for (end, clean) in [("", true), ("cut", false)] {
        let opts = [
            format!("keystore={}", common::store_path("node1.jks")),
            "storepass=cassandra".into(),
            format!("end={end}"),
        ];
        let peer = common::peer::start(
            common::java::tls_peer(&classes, "server", &opts),
            "LISTENING ",
        );
        let (mut session, mut sock) = connect(peer.port);
        session.send(b"ping\n", &mut sock).unwrap();
        assert_eq!(receive_exactly(&mut session, &mut sock, 5), b"PING\n");
        let after = session.receive(&mut sock);
        if clean {
            assert!(matches!(&after, Ok(v) if v.is_empty()), "{after:?}");
            assert!(session.peer_closed());
        } else {
            assert!(is_truncated(&after), "{after:?}");
        }
        drop(peer);
    }
}

#[test]
fn in_memory_truncation_close_and_backpressure() {
    let yaml = cassandra_tls::options::CassandraYaml::load_file(
        common::fixtures().join("conf/cassandra.yaml"),
    )
    .unwrap()
    .with_base_dir(common::root());
    let settings = TlsSettings::default();
    let server = tls::server_config(&yaml, ServerRole::Native, &settings).unwrap();
    let client = tls::client_config(&yaml, ClientRole::Native, &settings).unwrap();
    let pair = || {
        let c = Handshake::client(&client, "127.0.0.1").unwrap();
        let s = Handshake::server(&server, "127.0.0.1".parse().unwrap()).unwrap();
        let ((c, _), (s, _)) = cassandra_tls::handshake::in_memory(c, s).both().unwrap();
        (c, s)
    };
    let carry = |from: &mut Session, to: &mut Session| {
        let mut plain = Vec::new();
        while let Some(out) = from.pending_output() {
            let n = out.len();
            let mut rest = out;
            while !rest.is_empty() {
                let taken = to.feed(rest).unwrap();
                rest = &rest[taken..];
                plain.extend(to.open_all().unwrap());
            }
            from.consume_output(n).unwrap();
        }
        plain
    };

    // Backpressure: nothing is taken once the send buffer is full, until it is sent.
    let (mut c, mut s) = pair();
    let big = vec![7u8; 1 << 20];
    let first = c.seal(&big).unwrap();
    assert!(first > 0 && first <= SEND_BUFFER_LIMIT, "{first}");
    assert_eq!(
        c.seal(&big[first..]).unwrap(),
        0,
        "a full buffer takes nothing"
    );
    let pending = c.pending_output().unwrap().len();
    assert!(pending >= first, "the records hold what was taken");
    let got = carry(&mut c, &mut s);
    assert_eq!(got.len(), first);
    assert!(c.seal(&big[first..]).unwrap() > 0, "room again once sent");

    // A clean close, then the end of the stream.
    let (mut c, mut s) = pair();
    c.close();
    assert!(c.seal(b"after close").is_err());
    assert!(carry(&mut c, &mut s).is_empty());
    s.end_of_input();
    let mut buf = [0u8; 16];
    assert_eq!(s.open(&mut buf).unwrap(), Opened::Closed);
    assert!(s.peer_closed());

    // The end of the stream without close_notify: data first, then Truncated.
    let (mut c, mut s) = pair();
    assert_eq!(s.seal(b"half").unwrap(), 4);
    assert_eq!(carry(&mut s, &mut c), b"half");
    assert_eq!(c.open(&mut buf).unwrap(), Opened::NeedInput);
    c.end_of_input();
    let e = c.open(&mut buf).unwrap_err();
    assert_eq!(e.kind(), "truncated", "{e}");
    assert!(!c.peer_closed());
}
