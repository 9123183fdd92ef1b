//! Driving the machine over a blocking `Read + Write` transport (a `TcpStream`, a pipe). The
//! machine itself does no I/O; this is the loop every blocking caller would write.

use std::io::{ErrorKind, Read, Write};
use std::time::Duration;

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
    /// After a client's handshake over `sock`, waits up to `wait` for the server's first word
    /// and takes it in: `Err` when it is a refusal. In TLS 1.3 the client's side of the
    /// handshake ends before the server has read the client's certificate, so a server that
    /// refuses it (or requires one that was not sent) says so only now, with an alert: a tool
    /// calls the connection ok only after this. A server that accepted the client answers with
    /// its session tickets (JSSE, OpenSSL and rustls send them once they have read the client's
    /// Finished), data (the answer to a request sent before this call, such as CQL `OPTIONS`),
    /// its close_notify or the end of the stream; one that says nothing within `wait` did not
    /// refuse. TLS 1.2 checks the client within the handshake: this returns at once. The
    /// socket's read timeout is restored afterwards. Application data that arrives here is
    /// taken in and dropped: call this before a request whose answer you need, or read that
    /// answer with [`Session::receive`] instead (its refusal is the same error).
    pub fn server_answer(&mut self, sock: &mut std::net::TcpStream, wait: Duration) -> Result<()> {
        if !self.is_tls13() {
            return Ok(());
        }
        let before = sock.read_timeout().map_err(|e| transport("receiving", e))?;
        sock.set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .map_err(|e| transport("receiving", e))?;
        let mut buf = [0u8; 16 * 1024];
        let read = loop {
            match sock.read(&mut buf) {
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                other => break other,
            }
        };
        let _ = sock.set_read_timeout(before);
        let n = match read {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Ok(());
            }
            Err(e) => return Err(transport("receiving the server's answer", e)),
        };
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            // A fatal alert (the refusal) is the error here.
            let taken = self.feed(rest)?;
            if taken == 0 {
                break;
            }
            rest = &rest[taken..];
        }
        self.open_all()?;
        Ok(())
    }

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
