//! One connection each: a rustls handshake with chosen versions and suites (recording what the
//! server sent and whether it asked for a client certificate), a raw ClientHello for what rustls
//! does not speak, and a CQL OPTIONS frame in the clear. Every read and write has the probe's
//! deadline; nothing here waits longer.

use crate::tls::verify::delegate_signatures;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustls::client::ResolvesClientCert;
use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{
    ClientConfig, ClientConnection, SignatureScheme, SupportedCipherSuite, SupportedProtocolVersion,
};

use super::report::Protocol;
use super::wire;
use crate::tls::verify::NoCertificateCheck;

/// Why a connection attempt ended without the answer wanted.
#[derive(Debug)]
pub(crate) enum Failure {
    /// TCP connect failed (refused, unreachable, timed out).
    Connect(std::io::Error),
    /// The deadline passed while waiting for the peer.
    Timeout,
    /// The peer closed the connection.
    Closed,
    /// The peer sent a TLS alert.
    Alert(rustls::AlertDescription),
    /// Another TLS error (the bytes are not TLS, or break the protocol).
    Tls(rustls::Error),
    /// Another I/O error.
    Io(std::io::Error),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Connect(e) => write!(f, "cannot connect: {e}"),
            Failure::Timeout => f.write_str("no answer before the timeout"),
            Failure::Closed => f.write_str("the peer closed the connection"),
            Failure::Alert(a) => write!(f, "the peer sent the alert {a:?}"),
            Failure::Tls(e) => write!(f, "{e}"),
            Failure::Io(e) => write!(f, "{e}"),
        }
    }
}

fn left(deadline: Instant) -> Option<Duration> {
    let d = deadline.saturating_duration_since(Instant::now());
    (d > Duration::from_millis(1)).then_some(d)
}

/// A TCP connection with the deadline on connect, reads and writes.
pub(crate) fn connect(addr: SocketAddr, deadline: Instant) -> Result<TcpStream, Failure> {
    let t = left(deadline).ok_or(Failure::Timeout)?;
    let sock = TcpStream::connect_timeout(&addr, t).map_err(|e| match e.kind() {
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Failure::Timeout,
        _ => Failure::Connect(e),
    })?;
    let _ = sock.set_nodelay(true);
    arm(&sock, deadline)?;
    Ok(sock)
}

fn arm(sock: &TcpStream, deadline: Instant) -> Result<(), Failure> {
    let t = left(deadline).ok_or(Failure::Timeout)?;
    sock.set_read_timeout(Some(t)).map_err(Failure::Io)?;
    sock.set_write_timeout(Some(t)).map_err(Failure::Io)?;
    Ok(())
}

fn io_failure(e: std::io::Error) -> Failure {
    match e.kind() {
        ErrorKind::TimedOut | ErrorKind::WouldBlock => Failure::Timeout,
        ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::BrokenPipe => {
            Failure::Closed
        }
        _ => Failure::Io(e),
    }
}

/// Records the chain the server sent and checks only the handshake signature (as cqlsh's
/// `validate = false` does): the probe reports on chains, it does not trust them.
#[derive(Debug)]
struct Recorder {
    signatures: NoCertificateCheck,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = vec![end_entity.clone().into_owned()];
        chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        *self.chain.lock().unwrap_or_else(|e| e.into_inner()) = chain;
        Ok(ServerCertVerified::assertion())
    }

    delegate_signatures!(self => self.signatures);
}

/// Notes whether the server asked for a client certificate, and answers with the caller's
/// certificate or none.
#[derive(Debug)]
struct AskedFor {
    asked: AtomicBool,
    offer: Option<Arc<dyn ResolvesClientCert>>,
    offered: Mutex<Option<CertificateDer<'static>>>,
}

impl ResolvesClientCert for AskedFor {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.asked.store(true, Ordering::SeqCst);
        let key = self
            .offer
            .as_ref()
            .and_then(|o| o.resolve(root_hint_subjects, sigschemes));
        *self.offered.lock().unwrap_or_else(|e| e.into_inner()) =
            key.as_ref().and_then(|k| k.cert.first().cloned());
        key
    }

    fn has_certs(&self) -> bool {
        true
    }
}

/// How far a handshake is driven.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Until {
    /// Until the ServerHello (the version and suite chosen); then the connection is dropped.
    ServerHello,
    /// Until the handshake completes.
    Handshake,
    /// Until the handshake completes, then `data` is sent and the first answer (data, an
    /// alert, the close) awaited: a TLSv1.3 server refuses a missing client certificate only
    /// after the client's Finished.
    Answer,
}

/// What a rustls handshake saw.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) version: Option<Protocol>,
    pub(crate) suite: Option<&'static str>,
    pub(crate) asked_for_certificate: bool,
    /// The leaf of the client certificate offered, when one was.
    pub(crate) offered: Option<CertificateDer<'static>>,
}

/// A rustls client for the probe: `versions` and `suites` as given, the chain recorded (never
/// trusted), the caller's client certificate offered when given.
pub(crate) struct Client {
    provider: Arc<CryptoProvider>,
    versions: Vec<&'static SupportedProtocolVersion>,
}

impl Client {
    pub(crate) fn new(
        provider: &Arc<CryptoProvider>,
        versions: &[&'static SupportedProtocolVersion],
        suites: &[SupportedCipherSuite],
    ) -> Client {
        let mut p = (**provider).clone();
        p.cipher_suites = suites.to_vec();
        Client {
            provider: Arc::new(p),
            versions: versions.to_vec(),
        }
    }

    /// One handshake to `addr`.
    pub(crate) fn attempt(
        &self,
        addr: SocketAddr,
        name: &ServerName<'static>,
        offer: Option<Arc<dyn ResolvesClientCert>>,
        until: Until,
        data: &[u8],
        deadline: Instant,
    ) -> (Seen, Result<Vec<u8>, Failure>) {
        let recorder = Arc::new(Recorder {
            signatures: NoCertificateCheck(self.provider.clone()),
            chain: Mutex::new(Vec::new()),
        });
        let asked = Arc::new(AskedFor {
            asked: AtomicBool::new(false),
            offer,
            offered: Mutex::new(None),
        });
        let config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&self.versions)
            .map(|b| {
                b.dangerous()
                    .with_custom_certificate_verifier(recorder.clone())
                    .with_client_cert_resolver(asked.clone())
            });
        let mut seen = Seen::default();
        let result = match config {
            Ok(config) => drive(
                Arc::new(config),
                addr,
                name,
                until,
                data,
                deadline,
                &mut seen,
            ),
            Err(e) => Err(Failure::Tls(e)),
        };
        seen.chain = std::mem::take(&mut *recorder.chain.lock().unwrap_or_else(|e| e.into_inner()));
        seen.asked_for_certificate = asked.asked.load(Ordering::SeqCst);
        seen.offered = asked
            .offered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        (seen, result)
    }
}

/// A suite's IANA name as JSSE (and Cassandra's cipher_suites) spells it: rustls calls the
/// TLSv1.3 suites `TLS13_*`.
pub(crate) fn jsse_suite_name(s: SupportedCipherSuite) -> &'static str {
    let suite = s.suite();
    crate::options::jsse_name(u16::from(suite))
        .or_else(|| suite.as_str())
        .unwrap_or("unknown")
}

fn note(conn: &ClientConnection, seen: &mut Seen) {
    if let Some(s) = conn.negotiated_cipher_suite() {
        seen.suite = Some(jsse_suite_name(s));
        seen.version = conn.protocol_version().and_then(Protocol::of_rustls);
    }
}

fn drive(
    config: Arc<ClientConfig>,
    addr: SocketAddr,
    name: &ServerName<'static>,
    until: Until,
    data: &[u8],
    deadline: Instant,
    seen: &mut Seen,
) -> Result<Vec<u8>, Failure> {
    let mut sock = connect(addr, deadline)?;
    let mut conn = ClientConnection::new(config, name.clone()).map_err(Failure::Tls)?;
    let mut sent = false;
    let mut received = Vec::new();
    loop {
        while conn.wants_write() {
            arm(&sock, deadline)?;
            conn.write_tls(&mut sock).map_err(io_failure)?;
        }
        note(&conn, seen);
        if until == Until::ServerHello && seen.suite.is_some() {
            return Ok(Vec::new());
        }
        if !conn.is_handshaking() {
            match until {
                Until::ServerHello | Until::Handshake => return Ok(Vec::new()),
                Until::Answer if !sent => {
                    sent = true;
                    conn.writer().write_all(data).map_err(Failure::Io)?;
                    continue;
                }
                Until::Answer => {
                    let mut buf = [0u8; 4096];
                    loop {
                        match conn.reader().read(&mut buf) {
                            Ok(0) => return Err(Failure::Closed),
                            Ok(n) => received.extend_from_slice(&buf[..n]),
                            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                            Err(_) => return Err(Failure::Closed),
                        }
                    }
                    if !received.is_empty() {
                        return Ok(received);
                    }
                }
            }
        }
        arm(&sock, deadline)?;
        match conn.read_tls(&mut sock) {
            Ok(0) => return Err(Failure::Closed),
            Ok(_) => {}
            Err(e) => return Err(io_failure(e)),
        }
        if let Err(e) = conn.process_new_packets() {
            note(&conn, seen);
            let _ = conn.write_tls(&mut sock);
            return Err(match e {
                rustls::Error::AlertReceived(a) => Failure::Alert(a),
                other => Failure::Tls(other),
            });
        }
    }
}

/// Sends a raw ClientHello and reads the answer.
pub(crate) fn raw_hello(
    addr: SocketAddr,
    hello: &[u8],
    deadline: Instant,
) -> Result<wire::HelloAnswer, Failure> {
    let mut sock = connect(addr, deadline)?;
    sock.write_all(hello).map_err(io_failure)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match wire::hello_answer(&buf) {
            wire::HelloAnswer::Incomplete => {}
            answer => return Ok(answer),
        }
        if buf.len() > 32 * 1024 {
            return Ok(wire::HelloAnswer::NotTls);
        }
        arm(&sock, deadline)?;
        match sock.read(&mut chunk) {
            Ok(0) => return Ok(wire::HelloAnswer::Refused),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => {
                return match io_failure(e) {
                    Failure::Closed => Ok(wire::HelloAnswer::Refused),
                    f => Err(f),
                };
            }
        }
    }
}

/// Sends `frame` in the clear and reads the answer: Some(opcode) when a CQL response frame
/// came back, None when the port closed, refused with TLS or answered with something else.
pub(crate) fn plaintext_cql(
    addr: SocketAddr,
    frame: &[u8],
    deadline: Instant,
) -> Result<Option<u8>, Failure> {
    let mut sock = connect(addr, deadline)?;
    sock.write_all(frame).map_err(io_failure)?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match wire::response(&buf) {
            Ok(Some((op, _, _))) => return Ok(Some(op)),
            Ok(None) => {}
            Err(_) => return Ok(None),
        }
        arm(&sock, deadline)?;
        match sock.read(&mut chunk) {
            Ok(0) => return Ok(None),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => {
                return match io_failure(e) {
                    Failure::Closed => Ok(None),
                    f => Err(f),
                };
            }
        }
    }
}
