//! Past TLS into the CQL start-up, with the caller's own client config (its certificate):
//! which authenticator the node announces and whether the certificate logs in. Measured on
//! real nodes (tests/certificate_login_node.rs): 5.0 answers STARTUP with AUTHENTICATE and takes
//! any AUTH_RESPONSE for its mTLS authenticators; 6.0 decides at STARTUP (early authentication).

use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use serde::Serialize;

use super::wire::{self, op};
use crate::handshake::{Handshake, blocking};
use crate::tls::ClientTls;

/// AUTH_RESPONSE's opcode.
const AUTH_RESPONSE: u8 = 0x0F;
/// AUTH_SUCCESS's opcode.
const AUTH_SUCCESS: u8 = 0x10;

/// What the CQL start-up gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Login {
    /// The authenticator the node announced in AUTHENTICATE; `None` when it answered STARTUP
    /// itself (no authentication, or 6.0's early certificate authentication).
    pub authenticator: Option<String>,
    /// `logged_in` (READY or AUTH_SUCCESS after a certificate-only exchange), `password_needed`
    /// (a password authenticator asks, or the fallback wants one), or `refused`.
    pub outcome: &'static str,
    /// The node's ERROR message when refused.
    pub message: Option<String>,
}

fn io(e: std::io::Error) -> String {
    e.to_string()
}

/// One frame from the session, bounded by [`wire::MAX_BODY`] and the deadline.
fn frame(
    session: &mut crate::handshake::Session,
    sock: &mut TcpStream,
    deadline: Instant,
) -> Result<(u8, Vec<u8>), String> {
    let mut buf = Vec::new();
    loop {
        if let Some((opcode, body, _)) = wire::response(&buf)? {
            return Ok((opcode, body.to_vec()));
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("no CQL answer in time".into());
        }
        sock.set_read_timeout(Some(left)).map_err(io)?;
        let more = session.receive(sock).map_err(|e| e.to_string())?;
        if more.is_empty() {
            return Err("the node closed the connection".into());
        }
        buf.extend(more);
    }
}

/// The [string] at the start of a body (bounds-checked).
fn string_at(body: &[u8], at: usize) -> String {
    let Some(len) = body.get(at..at + 2) else {
        return String::new();
    };
    let n = u16::from_be_bytes([len[0], len[1]]) as usize;
    body.get(at + 2..at + 2 + n)
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default()
}

/// STARTUP over a session of `client`, then, when a certificate authenticator asks, one empty
/// AUTH_RESPONSE. A password authenticator is not answered (no password is sent).
pub(crate) fn login(
    addr: SocketAddr,
    server_name: &str,
    client: &ClientTls,
    deadline: Instant,
) -> Result<Login, String> {
    let left = deadline.saturating_duration_since(Instant::now());
    let mut sock = TcpStream::connect_timeout(&addr, left).map_err(io)?;
    sock.set_read_timeout(Some(left)).map_err(io)?;
    sock.set_write_timeout(Some(left)).map_err(io)?;
    let hs = Handshake::client(client, server_name).map_err(|e| e.to_string())?;
    let (mut session, _) = blocking::handshake(hs, &mut sock).map_err(|e| e.to_string())?;
    session
        .send(&wire::startup(), &mut sock)
        .map_err(|e| e.to_string())?;
    let error = |body: &[u8]| Some(string_at(body, 4));
    let (opcode, body) = frame(&mut session, &mut sock, deadline)?;
    let login = match opcode {
        op::READY => Login {
            authenticator: None,
            outcome: "logged_in",
            message: None,
        },
        op::ERROR => Login {
            authenticator: None,
            outcome: "refused",
            message: error(&body),
        },
        op::AUTHENTICATE => {
            let class = string_at(&body, 0);
            if !class.contains("MutualTls") {
                return Ok(Login {
                    authenticator: Some(class),
                    outcome: "password_needed",
                    message: None,
                });
            }
            // An empty [bytes] token: the certificate is the credential.
            let response = 0i32.to_be_bytes();
            session
                .send(&wire::frame(2, AUTH_RESPONSE, &response), &mut sock)
                .map_err(|e| e.to_string())?;
            let (opcode, body) = frame(&mut session, &mut sock, deadline)?;
            match opcode {
                AUTH_SUCCESS => Login {
                    authenticator: Some(class),
                    outcome: "logged_in",
                    message: None,
                },
                op::AUTHENTICATE | 0x0E => Login {
                    authenticator: Some(class),
                    outcome: "password_needed",
                    message: None,
                },
                op::ERROR => Login {
                    authenticator: Some(class),
                    outcome: "refused",
                    message: error(&body),
                },
                other => return Err(format!("opcode {other:#04x} after AUTH_RESPONSE")),
            }
        }
        other => return Err(format!("opcode {other:#04x} after STARTUP")),
    };
    Ok(login)
}
