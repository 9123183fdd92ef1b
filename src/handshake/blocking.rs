//! Driving the machine over a blocking `Read + Write` transport (a `TcpStream`, a pipe). The
//! machine itself does no I/O; this is the loop every blocking caller would write.

use std::io::{ErrorKind, Read, Write};

use super::{Handshake, HandshakeFailure, PeerIdentity, Session, State};
use crate::error::{Error, Result};

fn io_failure(what: &str, e: std::io::Error) -> Error {
    Error::Handshake(HandshakeFailure::Protocol(format!("{what}: {e}")))
}

/// Runs a handshake to completion over `io`. On failure the alert is sent before returning.
pub fn handshake<T: Read + Write>(
    mut hs: Handshake,
    io: &mut T,
) -> Result<(Session, PeerIdentity)> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(out) = hs.pending_output() {
            let out = out.to_vec();
            if let Err(e) = io.write_all(&out) {
                // The peer may have closed after its alert: report the TLS failure if there is one.
                return match hs.state() {
                    State::Failed(f) => Err(Error::Handshake(f)),
                    _ => Err(io_failure("send", e)),
                };
            }
            hs.consume_output(out.len())?;
        }
        let _ = io.flush();
        match hs.state() {
            State::Established => return hs.finish(),
            State::Failed(f) => return Err(Error::Handshake(f)),
            State::NeedInput => {}
        }
        let n = match io.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_failure("receive", e)),
        };
        if n == 0 {
            hs.end_of_input();
        } else {
            // A failure is reported through the state on the next turn, after its alert is sent.
            let _ = hs.feed(&buf[..n]);
        }
    }
}

impl Session {
    /// Seals `data` and writes the records to `io`.
    pub fn send<T: Write>(&mut self, data: &[u8], io: &mut T) -> Result<()> {
        self.seal(data)?;
        self.flush_to(io)
    }

    /// Writes whatever is pending (records, close_notify) to `io`.
    pub fn flush_to<T: Write>(&mut self, io: &mut T) -> Result<()> {
        let mut consumed = 0usize;
        let pending = self.pending_output().map(<[u8]>::to_vec);
        if let Some(out) = pending {
            io.write_all(&out).map_err(|e| io_failure("send", e))?;
            consumed = out.len();
        }
        if consumed > 0 {
            self.consume_output(consumed)?;
        }
        io.flush().map_err(|e| io_failure("send", e))
    }

    /// Reads from `io` until some plaintext arrives, returning it; empty at the peer's
    /// close_notify or end of stream.
    pub fn receive<T: Read + Write>(&mut self, io: &mut T) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; 16 * 1024];
        let mut got = self.open_all()?;
        while got.is_empty() && !self.peer_closed() {
            let n = match io.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(io_failure("receive", e)),
            };
            if n == 0 {
                break;
            }
            let mut rest = &buf[..n];
            while !rest.is_empty() {
                let taken = self.feed(rest)?;
                rest = &rest[taken..];
                // Make room: rustls takes no more while its plaintext buffer is full.
                let plain = self.open_all()?;
                if taken == 0 && plain.is_empty() {
                    // Nothing more can be taken (the peer closed): the rest is discarded.
                    break;
                }
                got.extend(plain);
            }
            self.flush_to(io)?;
        }
        Ok(got)
    }
}
