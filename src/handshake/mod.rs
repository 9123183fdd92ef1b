//! A sans-IO TLS handshake and session: no socket, no clock, no thread. The caller moves
//! bytes; the machine says what it needs.
//!
//! ```
//! use std::io::{Read, Write};
//! use cassandra_tls::handshake::{Handshake, State};
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{self, ClientRole, TlsSettings};
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let client = tls::client_config(&yaml, ClientRole::Internode, &TlsSettings::default())?;
//! # // A node for the example: this crate's internode server, on a port of its own.
//! # let server = tls::server_config(&yaml, tls::ServerRole::Internode, &TlsSettings::default())?;
//! # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
//! # let port = listener.local_addr().unwrap().port();
//! # let node = std::thread::spawn(move || {
//! #     let (mut sock, addr) = listener.accept().unwrap();
//! #     let hs = Handshake::server(&server, addr.ip()).unwrap();
//! #     let (mut session, _) = cassandra_tls::handshake::blocking::handshake(hs, &mut sock).unwrap();
//! #     session.receive(&mut sock).unwrap()
//! # });
//! let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
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
//!             // A failure is kept (Handshake::failure); its alert is sent on the next turn.
//!             if n == 0 { hs.end_of_input(); } else { hs.feed(&buf[..n]); }
//!         }
//!         // finish() gives the session, or the failure once its alert is out.
//!         State::Established | State::Failed => break,
//!     }
//! }
//! let (mut session, peer) = hs.finish()?;
//! println!("peer {:?} over {}", peer.subject(), session.protocol());
//! // seal() takes what the send buffer allows and says how much (backpressure).
//! let taken = session.seal(b"hello")?;
//! assert_eq!(taken, 5);
//! # while let Some(out) = session.pending_output() {
//! #     let n = socket.write(out).unwrap();
//! #     session.consume_output(n)?;
//! # }
//! # assert_eq!(node.join().unwrap(), b"hello");
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

pub mod blocking;
mod detect;
mod identity;

use std::io::{Read, Write};
use std::net::IpAddr;
use std::sync::Arc;

use rustls::pki_types::ServerName;
use rustls::{ClientConnection, Connection, ServerConnection};

pub use crate::failure::HandshakeFailure;
pub use detect::{Detected, detect_tls};
pub use identity::PeerIdentity;

use crate::error::{Error, Result};
use crate::keystore::Certificate;
use crate::tls::{ClientTls, ServerTls};

/// Where a handshake stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Send what [`Handshake::pending_output`] holds, then feed what the peer sends.
    NeedInput,
    /// Done: send what is pending, then call [`Handshake::finish`].
    Established,
    /// Failed ([`Handshake::failure`] says why): send what is pending (the alert telling the
    /// peer why), then close.
    Failed,
}

/// What [`Session::open`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Opened {
    /// This many bytes of application data were written to the buffer.
    Data(usize),
    /// Nothing is waiting: feed more of the peer's records.
    NeedInput,
    /// The peer sent close_notify: its data is complete, nothing more will come.
    Closed,
}

/// The most bytes [`Session::seal`] lets wait in [`Session::pending_output`] before it takes no
/// more plaintext (rustls' own default send-buffer limit).
pub const SEND_BUFFER_LIMIT: usize = 64 * 1024;

/// Bytes produced for the transport, not yet taken by the caller.
#[derive(Default)]
struct Output {
    buf: Vec<u8>,
    pos: usize,
}

impl Output {
    fn len(&self) -> usize {
        self.buf.len() - self.pos
    }

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
        crate::failure::clear_unknown_issuer();
        let processed = conn.process_new_packets();
        out.drain(conn);
        processed.map_err(|e| HandshakeFailure::from(e).with_unknown_issuer())?;
    }
    Ok(total - input.len())
}

/// A client or server handshake in progress.
pub struct Handshake {
    conn: Connection,
    out: Output,
    failed: Option<HandshakeFailure>,
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
    /// `require_endpoint_verification` the server's certificate must name it. A reloading
    /// config's handshake is bound to the material in use when it is created
    /// ([`ClientTls::current_config`]).
    pub fn client(tls: &ClientTls, server_name: &str) -> Result<Self> {
        Self::client_with_config(tls.current_config(), server_name)
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
        })
    }

    /// A server handshake for a client at `peer_addr` (the address the connection comes
    /// from). When the config asks for endpoint verification (`ServerTls::verifies_client_address`),
    /// the client's certificate must name that address, as Cassandra checks inbound internode
    /// (and, from 5.0, native) clients.
    pub fn server(tls: &ServerTls, peer_addr: IpAddr) -> Result<Self> {
        Self::dangerous_server_with_config(tls.config_for(peer_addr))
    }

    /// A server handshake from a bare rustls config. Dangerous as rustls' `dangerous()` is: a
    /// config built elsewhere (or [`ServerTls::config_without_client_address_check`]) does not
    /// check that a client's certificate names the client's address, which Cassandra does with
    /// `require_endpoint_verification`. Use [`Handshake::server`] unless the check is made by
    /// other means.
    pub fn dangerous_server_with_config(config: Arc<rustls::ServerConfig>) -> Result<Self> {
        let conn = Connection::Server(
            ServerConnection::new(config).map_err(|e| Error::Handshake(e.into()))?,
        );
        Ok(Handshake {
            conn,
            out: Output::default(),
            failed: None,
        })
    }

    /// Bytes to send to the peer, if any.
    #[must_use]
    pub fn pending_output(&self) -> Option<&[u8]> {
        self.out.pending()
    }

    /// Marks `n` bytes of [`Handshake::pending_output`] as sent.
    pub fn consume_output(&mut self, n: usize) -> Result<()> {
        self.out.consume(n).map_err(Error::Handshake)
    }

    /// Feeds bytes from the peer (all of them are taken) and returns where the handshake
    /// stands, as [`Handshake::state`] would. A failure has one channel: the state is
    /// [`State::Failed`], [`Handshake::failure`] says why, and [`Handshake::finish`] returns it,
    /// once the pending output (the alert) is sent. A failed handshake takes nothing more.
    pub fn feed(&mut self, input: &[u8]) -> State {
        if self.failed.is_none()
            && let Err(f) = feed_conn(&mut self.conn, &mut self.out, input)
        {
            self.failed = Some(f);
        }
        self.state()
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

    /// Where the handshake stands.
    #[must_use]
    pub fn state(&self) -> State {
        if self.failed.is_some() {
            State::Failed
        } else if self.conn.is_handshaking() {
            State::NeedInput
        } else {
            State::Established
        }
    }

    /// Why the handshake failed, once it has.
    #[must_use]
    pub fn failure(&self) -> Option<&HandshakeFailure> {
        self.failed.as_ref()
    }

    /// The established session and who the peer is. Pending output moves into the session.
    pub fn finish(mut self) -> Result<(Session, PeerIdentity)> {
        match self.state() {
            State::Established => {}
            State::Failed => {
                return Err(Error::Handshake(
                    self.failed
                        .take()
                        .unwrap_or(HandshakeFailure::Tls("the handshake failed".into())),
                ));
            }
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
                closed: false,
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
    closed: bool,
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
    /// Encrypts as much of `plaintext` as the send buffer takes and returns how much that was;
    /// the records appear in [`Session::pending_output`]. Once [`SEND_BUFFER_LIMIT`] bytes wait
    /// there, nothing more is taken (`Ok(0)`): send and consume them, then seal the rest. This
    /// is rustls' backpressure, passed on to the caller.
    pub fn seal(&mut self, plaintext: &[u8]) -> Result<usize> {
        if self.closed {
            return Err(Error::Handshake(HandshakeFailure::Misuse(
                "seal() after close(): the session sent close_notify".into(),
            )));
        }
        let mut taken = 0;
        while taken < plaintext.len() && self.out.len() < SEND_BUFFER_LIMIT {
            let room = SEND_BUFFER_LIMIT - self.out.len();
            let end = plaintext.len().min(taken + room);
            // rustls takes what fits in its own send buffer; moving its records out makes room.
            let n = self
                .conn
                .writer()
                .write(&plaintext[taken..end])
                .map_err(|e| {
                    Error::Handshake(HandshakeFailure::Misuse(format!("cannot send: {e}")))
                })?;
            self.out.drain(&mut self.conn);
            if n == 0 {
                break;
            }
            taken += n;
        }
        Ok(taken)
    }

    /// Bytes to send to the peer, if any.
    #[must_use]
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

    /// Tells the session the peer's stream ended. If close_notify did not come first, the
    /// next [`Session::open`] fails with [`HandshakeFailure::Truncated`]: a peer (or an
    /// attacker) that cuts the stream is told apart from one that finished.
    pub fn end_of_input(&mut self) {
        // rustls records the end of the stream when it reads zero bytes.
        let _ = self.conn.read_tls(&mut &[][..]);
    }

    /// Reads decrypted application data into `buf` (see [`Opened`]). After
    /// [`Session::end_of_input`] without the peer's close_notify, the data that did arrive is
    /// returned first, then `Err` with [`HandshakeFailure::Truncated`].
    pub fn open(&mut self, buf: &mut [u8]) -> Result<Opened> {
        if buf.is_empty() {
            return Ok(Opened::Data(0));
        }
        match self.conn.reader().read(buf) {
            Ok(0) => {
                self.peer_closed = true;
                Ok(Opened::Closed)
            }
            Ok(n) => Ok(Opened::Data(n)),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(Opened::NeedInput),
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(Error::Handshake(HandshakeFailure::Truncated))
            }
            Err(e) => Err(Error::Handshake(HandshakeFailure::Protocol(e.to_string()))),
        }
    }

    /// Reads all decrypted data waiting (empty when none is, or after close_notify; see
    /// [`Session::peer_closed`]). Truncation is an error, as in [`Session::open`], reported
    /// once the data that did arrive has been returned.
    pub fn open_all(&mut self) -> Result<Vec<u8>> {
        let mut all = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            match self.open(&mut buf) {
                Ok(Opened::Data(n)) => all.extend_from_slice(&buf[..n]),
                Ok(Opened::NeedInput | Opened::Closed) => return Ok(all),
                Err(_) if !all.is_empty() => return Ok(all),
                Err(e) => return Err(e),
            }
        }
    }

    /// Whether the peer sent close_notify.
    #[must_use]
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// Sends close_notify; nothing more can be sealed.
    pub fn close(&mut self) {
        self.closed = true;
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

    /// Whether TLS 1.3 was negotiated (a client's certificate is then judged after its side of
    /// the handshake is done).
    pub(crate) fn is_tls13(&self) -> bool {
        self.conn.protocol_version() == Some(rustls::ProtocolVersion::TLSv1_3)
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

    /// Whether the session was resumed from an earlier one: no certificate was sent or checked
    /// in its handshake (the peer's identity is the one of the session it resumed). After a
    /// hot reload, a connection bound to the new material never resumes a session of the old
    /// (see `tls::reload`).
    pub fn resumed(&self) -> bool {
        matches!(
            self.conn.handshake_kind(),
            Some(rustls::HandshakeKind::Resumed)
        )
    }
}

/// What [`in_memory`] ends with: each side's result.
#[derive(Debug)]
#[must_use]
pub struct InMemory {
    /// The client's session and the server's identity, or why the client failed.
    pub client: Result<(Session, PeerIdentity)>,
    /// The server's session and the client's identity, or why the server failed.
    pub server: Result<(Session, PeerIdentity)>,
}

impl InMemory {
    /// Both sessions when both sides succeeded, else the first side's failure (the client's
    /// when both failed).
    pub fn both(self) -> Result<((Session, PeerIdentity), (Session, PeerIdentity))> {
        match (self.client, self.server) {
            (Ok(c), Ok(s)) => Ok((c, s)),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    }
}

/// Moves bytes between two handshakes in memory (each side's output is the other's input)
/// until neither has anything left to say, and returns their states; a side that fails sends
/// its alert first, so the other side sees it. [`in_memory`] also finishes both.
pub fn pump(a: &mut Handshake, b: &mut Handshake) -> (State, State) {
    fn carry(from: &mut Handshake, to: &mut Handshake) -> bool {
        let mut moved = false;
        while let Some(out) = from.pending_output() {
            let n = out.len();
            // A failure stays in `to` ([`Handshake::failure`], and its finish()).
            to.feed(out);
            if from.consume_output(n).is_err() {
                break;
            }
            moved = true;
        }
        moved
    }
    // A TLS 1.2 or 1.3 handshake takes a few flights; a stalled pair stops moving bytes.
    for _ in 0..64 {
        let x = carry(a, b);
        let y = carry(b, a);
        if !x && !y {
            break;
        }
    }
    (a.state(), b.state())
}

/// Runs a client and a server handshake against each other in memory ([`pump`]) and finishes
/// both: for tests, self-checks (the doctor's) and benchmarks. A side left waiting for input
/// sees the end of the stream, as over a closed socket.
pub fn in_memory(mut client: Handshake, mut server: Handshake) -> InMemory {
    let _states = pump(&mut client, &mut server);
    for side in [&mut client, &mut server] {
        if side.state() == State::NeedInput {
            side.end_of_input();
        }
    }
    InMemory {
        client: client.finish(),
        server: server.finish(),
    }
}
