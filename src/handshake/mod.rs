//! A sans-IO TLS handshake and session: no socket, no clock, no thread. The caller moves
//! bytes; the machine says what it needs.
//!
//! ```no_run
//! use std::io::{Read, Write};
//! use cassandra_tls::handshake::{Handshake, State};
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{self, Role, TlsSettings};
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let client = tls::client_config(&yaml, Role::InternodeClient, &TlsSettings::default())?;
//! let mut socket = std::net::TcpStream::connect("127.0.0.1:7000").unwrap();
//! let mut hs = Handshake::client(&client, "127.0.0.1")?;
//! let mut buf = [0u8; 16 * 1024];
//! loop {
//!     while let Some(out) = hs.pending_output() {
//!         let n = socket.write(out).unwrap();
//!         hs.consume_output(n)?;
//!     }
//!     match hs.state() {
//!         State::NeedInput => {
//!             let n = socket.read(&mut buf).unwrap();
//!             if n == 0 { hs.end_of_input(); } else { hs.feed(&buf[..n])?; }
//!         }
//!         State::Established => break,
//!         State::Failed(e) => return Err(e.into()),
//!     }
//! }
//! let (mut session, peer) = hs.finish()?;
//! println!("peer {:?} over {}", peer.subject(), session.protocol());
//! session.seal(b"hello")?;
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

pub mod blocking;
mod detect;
mod failure;
mod identity;

use std::io::{Read, Write};
use std::net::IpAddr;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, Connection, ServerConnection};

pub use detect::{Detected, detect};
pub use failure::HandshakeFailure;
pub use identity::PeerIdentity;

use crate::error::{Error, Result};
use crate::keystore::Certificate;
use crate::tls::{ClientTls, ServerTls};

/// Where a handshake stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum State {
    /// Send what [`Handshake::pending_output`] holds, then feed what the peer sends.
    NeedInput,
    /// Done: send what is pending, then call [`Handshake::finish`].
    Established,
    /// Failed: send what is pending (the alert telling the peer why), then close.
    Failed(HandshakeFailure),
}

/// Bytes produced for the transport, not yet taken by the caller.
#[derive(Default)]
struct Output {
    buf: Vec<u8>,
    pos: usize,
}

impl Output {
    fn pending(&self) -> Option<&[u8]> {
        (self.pos < self.buf.len()).then(|| &self.buf[self.pos..])
    }

    fn consume(&mut self, n: usize) -> Result<(), HandshakeFailure> {
        let left = self.buf.len() - self.pos;
        if n > left {
            return Err(HandshakeFailure::Misuse(format!(
                "consume_output({n}) with only {left} bytes pending"
            )));
        }
        self.pos += n;
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        Ok(())
    }

    /// Moves whatever rustls has to send into the buffer.
    fn drain(&mut self, conn: &mut Connection) {
        while conn.wants_write() {
            // Writing into a Vec cannot fail.
            if conn.write_tls(&mut self.buf).is_err() {
                break;
            }
        }
    }
}

/// Feeds transport bytes to rustls. Returns how many were taken: fewer than offered only when
/// rustls holds as much unread plaintext as it buffers (read it, then feed the rest).
fn feed_conn(
    conn: &mut Connection,
    out: &mut Output,
    mut input: &[u8],
) -> Result<usize, HandshakeFailure> {
    let total = input.len();
    while !input.is_empty() {
        match conn.read_tls(&mut input) {
            Ok(0) => break,
            Ok(_) => {}
            // rustls refuses more while its plaintext buffer is full.
            Err(_) => break,
        }
        let processed = conn.process_new_packets();
        out.drain(conn);
        processed.map_err(HandshakeFailure::from)?;
    }
    Ok(total - input.len())
}

/// A client or server handshake in progress.
pub struct Handshake {
    conn: Connection,
    out: Output,
    failed: Option<HandshakeFailure>,
    /// For servers with `require_endpoint_verification`: the client's address, checked against
    /// its certificate once the handshake completes.
    check_client_address: Option<IpAddr>,
    address_checked: bool,
}

impl std::fmt::Debug for Handshake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handshake")
            .field(
                "side",
                &match self.conn {
                    Connection::Client(_) => "client",
                    Connection::Server(_) => "server",
                },
            )
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl Handshake {
    /// A client handshake to `server_name` (an IP address or a DNS name). With
    /// `require_endpoint_verification` the server's certificate must name it.
    pub fn client(tls: &ClientTls, server_name: &str) -> Result<Self> {
        Self::client_with_config(tls.config.clone(), server_name)
    }

    /// A client handshake from a bare rustls config.
    pub fn client_with_config(
        config: Arc<rustls::ClientConfig>,
        server_name: &str,
    ) -> Result<Self> {
        let name = ServerName::try_from(server_name.to_owned()).map_err(|_| {
            Error::Handshake(HandshakeFailure::Misuse(format!(
                "'{server_name}' is neither an IP address nor a DNS name"
            )))
        })?;
        let mut conn = Connection::Client(
            ClientConnection::new(config, name).map_err(|e| Error::Handshake(e.into()))?,
        );
        let mut out = Output::default();
        out.drain(&mut conn);
        Ok(Handshake {
            conn,
            out,
            failed: None,
            check_client_address: None,
            address_checked: false,
        })
    }

    /// A server handshake for a client at `peer_addr`. When the config asks for endpoint
    /// verification (`ServerTls::verify_client_address`), the client's certificate must name
    /// that address, as Cassandra checks inbound internode (and, from 5.0, native) clients.
    pub fn server(tls: &ServerTls, peer_addr: Option<IpAddr>) -> Result<Self> {
        let check = if tls.verify_client_address {
            Some(peer_addr.ok_or_else(|| {
                Error::Handshake(HandshakeFailure::Misuse(
                    "require_endpoint_verification needs the client's address".into(),
                ))
            })?)
        } else {
            None
        };
        let mut hs = Self::server_with_config(tls.config.clone())?;
        hs.check_client_address = check;
        Ok(hs)
    }

    /// A server handshake from a bare rustls config.
    pub fn server_with_config(config: Arc<rustls::ServerConfig>) -> Result<Self> {
        let conn = Connection::Server(
            ServerConnection::new(config).map_err(|e| Error::Handshake(e.into()))?,
        );
        Ok(Handshake {
            conn,
            out: Output::default(),
            failed: None,
            check_client_address: None,
            address_checked: false,
        })
    }

    /// Bytes to send to the peer, if any.
    pub fn pending_output(&self) -> Option<&[u8]> {
        self.out.pending()
    }

    /// Marks `n` bytes of [`Handshake::pending_output`] as sent.
    pub fn consume_output(&mut self, n: usize) -> Result<()> {
        self.out.consume(n).map_err(Error::Handshake)
    }

    /// Feeds bytes from the peer; returns how many were taken (all of them during a handshake).
    pub fn feed(&mut self, input: &[u8]) -> Result<usize> {
        if let Some(f) = &self.failed {
            return Err(Error::Handshake(f.clone()));
        }
        match feed_conn(&mut self.conn, &mut self.out, input) {
            Ok(n) => {
                self.after_progress();
                match &self.failed {
                    Some(f) => Err(Error::Handshake(f.clone())),
                    None => Ok(n),
                }
            }
            Err(f) => {
                self.failed = Some(f.clone());
                Err(Error::Handshake(f))
            }
        }
    }

    /// Tells the machine the peer closed the connection.
    pub fn end_of_input(&mut self) {
        let _ = self.conn.read_tls(&mut &[][..]);
        if self.failed.is_none() && self.conn.is_handshaking() {
            self.failed = Some(HandshakeFailure::Protocol(
                "the peer closed the connection during the handshake".into(),
            ));
        }
    }

    fn after_progress(&mut self) {
        if self.conn.is_handshaking() || self.address_checked {
            return;
        }
        self.address_checked = true;
        let Some(addr) = self.check_client_address else {
            return;
        };
        let Some(leaf) = self.conn.peer_certificates().and_then(|c| c.first()) else {
            // Optional client auth and no certificate: nothing to check against.
            return;
        };
        let name = ServerName::IpAddress(addr.into());
        let check = rustls::server::ParsedCertificate::try_from(leaf)
            .and_then(|parsed| rustls::client::verify_server_name(&parsed, &name))
            .map_err(|e| crate::tls::verify::typed_name_error(e, leaf));
        if let Err(e) = check {
            // The client's certificate does not name the address it connects from. rustls has
            // finished the handshake, so close it.
            self.conn.send_close_notify();
            self.out.drain(&mut self.conn);
            self.failed = Some(e.into());
        }
    }

    /// Where the handshake stands.
    pub fn state(&self) -> State {
        if let Some(f) = &self.failed {
            State::Failed(f.clone())
        } else if self.conn.is_handshaking() {
            State::NeedInput
        } else {
            State::Established
        }
    }

    /// The established session and who the peer is. Pending output moves into the session.
    pub fn finish(self) -> Result<(Session, PeerIdentity)> {
        match self.state() {
            State::Established => {}
            State::Failed(f) => return Err(Error::Handshake(f)),
            State::NeedInput => {
                return Err(Error::Handshake(HandshakeFailure::Misuse(
                    "finish() before the handshake is established".into(),
                )));
            }
        }
        let chain = self
            .conn
            .peer_certificates()
            .unwrap_or(&[])
            .iter()
            .map(|c| Certificate::from_verified(c.clone().into_owned()))
            .collect();
        Ok((
            Session {
                conn: self.conn,
                out: self.out,
                peer_closed: false,
            },
            PeerIdentity::from_chain(chain),
        ))
    }
}

/// An established TLS session: seal and open application data, close.
pub struct Session {
    conn: Connection,
    out: Output,
    peer_closed: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("protocol", &self.protocol())
            .field("cipher_suite", &self.cipher_suite())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Encrypts application data; the records appear in [`Session::pending_output`].
    pub fn seal(&mut self, plaintext: &[u8]) -> Result<()> {
        let mut rest = plaintext;
        while !rest.is_empty() {
            // rustls takes what fits in its send buffer; moving its records out makes room.
            let n = self.conn.writer().write(rest).map_err(|e| {
                Error::Handshake(HandshakeFailure::Misuse(format!("cannot send: {e}")))
            })?;
            self.out.drain(&mut self.conn);
            if n == 0 {
                return Err(Error::Handshake(HandshakeFailure::Misuse(
                    "cannot send: the session is closed".into(),
                )));
            }
            rest = &rest[n..];
        }
        self.out.drain(&mut self.conn);
        Ok(())
    }

    /// Bytes to send to the peer, if any.
    pub fn pending_output(&self) -> Option<&[u8]> {
        self.out.pending()
    }

    /// Marks `n` bytes of [`Session::pending_output`] as sent.
    pub fn consume_output(&mut self, n: usize) -> Result<()> {
        self.out.consume(n).map_err(Error::Handshake)
    }

    /// Feeds records from the peer; returns how many bytes were taken. Fewer than offered means
    /// the decrypted data waiting in [`Session::open`] must be read first.
    pub fn feed(&mut self, input: &[u8]) -> Result<usize> {
        feed_conn(&mut self.conn, &mut self.out, input).map_err(Error::Handshake)
    }

    /// Reads decrypted application data into `buf`; 0 when none is waiting.
    pub fn open(&mut self, buf: &mut [u8]) -> Result<usize> {
        match self.conn.reader().read(buf) {
            Ok(0) if !buf.is_empty() => {
                self.peer_closed = true;
                Ok(0)
            }
            Ok(n) => Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(0),
            Err(e) => Err(Error::Handshake(HandshakeFailure::Protocol(e.to_string()))),
        }
    }

    /// Reads all decrypted data waiting.
    pub fn open_all(&mut self) -> Result<Vec<u8>> {
        let mut all = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            let n = self.open(&mut buf)?;
            if n == 0 {
                return Ok(all);
            }
            all.extend_from_slice(&buf[..n]);
        }
    }

    /// Whether the peer sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// Sends close_notify; nothing more can be sealed.
    pub fn close(&mut self) {
        self.conn.send_close_notify();
        self.out.drain(&mut self.conn);
    }

    /// Asks for new traffic keys (TLS 1.3 KeyUpdate).
    pub fn key_update(&mut self) -> Result<()> {
        self.conn
            .refresh_traffic_keys()
            .map_err(|e| Error::Handshake(HandshakeFailure::Misuse(format!("key update: {e}"))))?;
        self.out.drain(&mut self.conn);
        Ok(())
    }

    /// The negotiated version as JSSE names it: `TLSv1.3` or `TLSv1.2`.
    pub fn protocol(&self) -> &'static str {
        match self.conn.protocol_version() {
            Some(rustls::ProtocolVersion::TLSv1_3) => "TLSv1.3",
            Some(rustls::ProtocolVersion::TLSv1_2) => "TLSv1.2",
            _ => "unknown",
        }
    }

    /// The negotiated cipher suite by its JSSE name, such as `TLS_AES_256_GCM_SHA384`.
    pub fn cipher_suite(&self) -> &'static str {
        self.conn
            .negotiated_cipher_suite()
            .and_then(|s| crate::options::jsse_name(u16::from(s.suite())))
            .unwrap_or("unknown")
    }

    /// The ALPN protocol, if one was agreed.
    pub fn alpn(&self) -> Option<&[u8]> {
        self.conn.alpn_protocol()
    }
}
