//! Driving the machine over a blocking `Read + Write` transport (a `TcpStream`, a pipe). The
//! machine itself does no I/O; this is the loop every blocking caller would write.

use std::io::{ErrorKind, Read, Write};

use super::{Handshake, PeerIdentity, Session, State};
use crate::error::{Error, Result};

fn transport(during: &'static str, source: std::io::Error) -> Error {
    Error::Transport { during, source }
}

/// Runs a handshake to completion over `io`. On failure the alert is sent before returning.
pub fn handshake<T: Read + Write>(
    mut hs: Handshake,
    io: &mut T,
) -> Result<(Session, PeerIdentity)> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        while let Some(out) = hs.pending_output() {
            let n = out.len();
            if let Err(e) = io.write_all(out) {
                // The peer may have closed after its alert: report the TLS failure if there is one.
                return match hs.failure() {
                    Some(f) => Err(Error::Handshake(f.clone())),
                    None => Err(transport("sending", e)),
                };
            }
            hs.consume_output(n)?;
        }
        let _ = io.flush();
        match hs.state() {
            State::Established | State::Failed => return hs.finish(),
            State::NeedInput => {}
        }
        let n = match io.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(transport("receiving", e)),
        };
        if n == 0 {
            hs.end_of_input();
        } else {
            // A failure is returned by finish() on the next turn, after its alert is sent.
            hs.feed(&buf[..n]);
        }
    }
}

impl Session {
    /// Seals all of `data` and writes the records to `io`, a send buffer at a time.
    pub fn send<T: Write>(&mut self, data: &[u8], io: &mut T) -> Result<()> {
        let mut rest = data;
        while !rest.is_empty() {
            let n = self.seal(rest)?;
            rest = &rest[n..];
            self.flush_to(io)?;
        }
        Ok(())
    }

    /// Writes whatever is pending (records, close_notify) to `io`.
    pub fn flush_to<T: Write>(&mut self, io: &mut T) -> Result<()> {
        while let Some(out) = self.pending_output() {
            let n = out.len();
            io.write_all(out).map_err(|e| transport("sending", e))?;
            self.consume_output(n)?;
        }
        io.flush().map_err(|e| transport("sending", e))
    }

    /// Reads from `io` until some plaintext arrives, returning it. Empty means the peer sent
    /// close_notify ([`Session::peer_closed`]); a stream that ends without it is an error
    /// ([`super::HandshakeFailure::Truncated`]).
    pub fn receive<T: Read + Write>(&mut self, io: &mut T) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; 16 * 1024];
        let mut got = self.open_all()?;
        while got.is_empty() && !self.peer_closed() {
            let n = match io.read(&mut buf) {
                Ok(n) => n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(transport("receiving", e)),
            };
            if n == 0 {
                // Without close_notify first, this is the Truncated error.
                self.end_of_input();
                got.extend(self.open_all()?);
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
