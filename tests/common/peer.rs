//! Starting external peers (openssl, java, python) for interop tests: port 0, readiness read
//! from the peer's own output, generous timeouts, always stopped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// A running peer, killed when dropped.
pub struct Peer {
    pub child: Child,
    pub port: u16,
    /// Lines the peer printed after the readiness line.
    pub lines: mpsc::Receiver<String>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `cmd` and waits (up to 60 s) for a stdout line containing `marker` followed by the
/// port, as `ACCEPT 127.0.0.1:45389` or `LISTENING 45389`.
pub fn start(mut cmd: Command, marker: &str) -> Peer {
    cmd.stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx2.send(format!("stderr: {line}")).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(line) => {
                if let Some(rest) = line.split(marker).nth(1) {
                    let digits: String = rest
                        .rsplit(':')
                        .next()
                        .unwrap_or(rest)
                        .chars()
                        .filter(|c| c.is_ascii_digit())
                        .collect();
                    if let Ok(port) = digits.parse() {
                        return Peer {
                            child,
                            port,
                            lines: rx,
                        };
                    }
                }
                seen.push(line);
            }
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("peer {cmd:?} never printed '{marker}'; it said: {seen:#?}");
            }
        }
    }
}

/// `openssl s_server` on 127.0.0.1 port 0 presenting `cert` (a PEM chain) and `key`, with the
/// extra arguments given (`-naccept 1 -rev`, protocols, client-auth flags), ready once it
/// prints its `ACCEPT` line.
pub fn openssl_server(
    cert: impl AsRef<std::ffi::OsStr>,
    key: impl AsRef<std::ffi::OsStr>,
    extra: &[&str],
) -> Peer {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_server", "-accept", "127.0.0.1:0", "-cert"])
        .arg(cert)
        .arg("-key")
        .arg(key)
        .args(extra);
    start(cmd, "ACCEPT ")
}

/// [`openssl_server`] presenting node1's committed chain and key (fixtures/stores).
pub fn openssl_node1_server(extra: &[&str]) -> Peer {
    openssl_server(
        super::store_path("node1.chain.pem"),
        super::store_path("node1.key.pem"),
        extra,
    )
}

/// A TCP connection to a peer on 127.0.0.1, with 60-second read and write timeouts.
pub fn connect(port: u16) -> std::net::TcpStream {
    let s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.set_write_timeout(Some(Duration::from_secs(60))).unwrap();
    s
}

/// Our server for one connection on 127.0.0.1 port 0: accepts, runs the handshake (with the
/// client's address, for endpoint verification), then `after` with the session. Returns the
/// port and the thread's outcome.
pub fn our_server_once<T: Send + 'static>(
    server: cassandra_tls::tls::ServerTls,
    after: impl FnOnce(
        cassandra_tls::handshake::Session,
        cassandra_tls::handshake::PeerIdentity,
        std::net::TcpStream,
    ) -> Result<T, cassandra_tls::Error>
    + Send
    + 'static,
) -> (
    u16,
    std::thread::JoinHandle<Result<T, cassandra_tls::Error>>,
) {
    use cassandra_tls::handshake::{Handshake, blocking};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut sock, addr) = listener.accept().unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let (session, peer) =
            blocking::handshake(Handshake::server(&server, addr.ip())?, &mut sock)?;
        after(session, peer, sock)
    });
    (port, handle)
}
