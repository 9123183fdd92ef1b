//! Past TLS into the CQL start-up, with the caller's own client config (its certificate, or
//! none): which authenticator the node announces, whether the certificate logs in, and which
//! way the node authenticates this client. Measured on real nodes
//! (tests/certificate_login_node.rs): 5.0 answers STARTUP with AUTHENTICATE and takes any
//! AUTH_RESPONSE for its mTLS authenticators; 6.0 decides at STARTUP (early authentication),
//! and its password fallback answers a client without a certificate with AUTHENTICATE. Once in,
//! the node's own `system_views.clients` row for the connection (6.0's `authentication_mode`)
//! says which way it was.

use std::net::{SocketAddr, TcpStream};
use std::time::Instant;

use serde::Serialize;

use super::wire::{self, op};
use crate::handshake::{Handshake, Session, blocking};
use crate::options::{AuthClass, AuthKey, CertificateLogin};
use crate::tls::ClientTls;

/// AUTH_RESPONSE's opcode.
const AUTH_RESPONSE: u8 = 0x0F;
/// AUTH_SUCCESS's opcode.
const AUTH_SUCCESS: u8 = 0x10;

/// What the CQL start-up gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Login {
    /// The authenticator the node announced in AUTHENTICATE; `None` when it answered STARTUP
    /// itself (no authentication, or 6.0's early certificate authentication).
    pub authenticator: Option<String>,
    /// Whether the client got in.
    pub outcome: LoginOutcome,
    /// The node's ERROR message when refused.
    pub message: Option<String>,
    /// Which way the node authenticates this client; `None` when it cannot be told (a 5.0 node
    /// answering READY to a client with a certificate reports no `authentication_mode`).
    pub method: Option<LoginMethod>,
}

impl Login {
    /// How the authenticator the node announced logs clients in: `None` when it announced
    /// none, or a class this crate does not model (a plugin, whatever its name says).
    pub fn certificate_login(&self) -> Option<CertificateLogin> {
        announced(self.authenticator.as_deref()?)
    }
}

/// The certificate login of a class AUTHENTICATE names (`authenticator.getClass().getName()`,
/// StartupMessage.execute): Cassandra's own authenticators only.
fn announced(class: &str) -> Option<CertificateLogin> {
    AuthClass::from_name(class)
        .filter(|c| c.key() == AuthKey::Authenticator)
        .map(AuthClass::certificate_login)
}

/// Whether the client got in (serialised `logged_in`, `password_needed`, `refused`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LoginOutcome {
    /// READY, or AUTH_SUCCESS after a certificate-only exchange.
    LoggedIn,
    /// The node wants a password (a password authenticator, or the mTLS password fallback for
    /// a client without a certificate); the probe sends none.
    PasswordNeeded,
    /// The node refused the login (its ERROR message is kept).
    Refused,
}

impl LoginOutcome {
    /// The serialised name.
    pub const fn as_str(self) -> &'static str {
        match self {
            LoginOutcome::LoggedIn => "logged_in",
            LoginOutcome::PasswordNeeded => "password_needed",
            LoginOutcome::Refused => "refused",
        }
    }
}

/// Which way the node authenticates the client (serialised `certificate`, `password`, `none`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum LoginMethod {
    /// An mTLS authenticator decided on the certificate.
    Certificate,
    /// By password: a password authenticator, or the mTLS fallback for a client without a
    /// certificate.
    Password,
    /// No authentication.
    None,
}

/// `authentication_mode` of the node's `system_views.clients` row for this connection
/// (6.0: `Unauthenticated`, `Password`, `MutualTls`), as a [`Login::method`].
fn node_says(
    session: &mut Session,
    sock: &mut TcpStream,
    deadline: Instant,
) -> Option<LoginMethod> {
    let local = sock.local_addr().ok()?;
    let cql = format!(
        "SELECT authentication_mode FROM system_views.clients WHERE address = '{}' AND port = {}",
        local.ip(),
        local.port()
    );
    session.send(&wire::query(3, &cql), sock).ok()?;
    let (opcode, body) = frame(session, sock, deadline).ok()?;
    if opcode != op::RESULT {
        return None;
    }
    let (_, rows) = wire::rows(&body).ok()?;
    match rows.first()?.first()? {
        wire::Cell::Text(mode) => match mode.as_str() {
            "MutualTls" => Some(LoginMethod::Certificate),
            "Password" => Some(LoginMethod::Password),
            "Unauthenticated" => Some(LoginMethod::None),
            _ => None,
        },
        _ => None,
    }
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

/// STARTUP over a session of `client`, then, when a certificate authenticator asks a client
/// that has a certificate, one empty AUTH_RESPONSE. A password is never sent: a node that wants
/// one is reported as `password_needed`.
pub(crate) fn login(
    addr: SocketAddr,
    server_name: &str,
    client: &ClientTls,
    deadline: Instant,
) -> Result<Login, String> {
    let has_certificate = client.has_client_certificate();
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
    let mut login = match opcode {
        op::READY => Login {
            authenticator: None,
            outcome: LoginOutcome::LoggedIn,
            message: None,
            // 6.0's early authentication logs a certificate in here; without one, nothing did.
            method: (!has_certificate).then_some(LoginMethod::None),
        },
        // Only an mTLS authenticator refuses at STARTUP (6.0's early authentication).
        op::ERROR => Login {
            authenticator: None,
            outcome: LoginOutcome::Refused,
            message: error(&body),
            method: Some(LoginMethod::Certificate),
        },
        op::AUTHENTICATE => {
            let class = string_at(&body, 0);
            // A password authenticator, or the mTLS password fallback asking a client that
            // sent no certificate (measured on 6.0-alpha2). A plugin is sent no empty token.
            let by_certificate = announced(&class).is_some_and(|l| l != CertificateLogin::None);
            if !by_certificate || !has_certificate {
                return Ok(Login {
                    authenticator: Some(class),
                    outcome: LoginOutcome::PasswordNeeded,
                    message: None,
                    method: Some(LoginMethod::Password),
                });
            }
            // An empty [bytes] token: the certificate is the credential.
            let response = 0i32.to_be_bytes();
            session
                .send(&wire::frame(2, AUTH_RESPONSE, &response), &mut sock)
                .map_err(|e| e.to_string())?;
            let (opcode, body) = frame(&mut session, &mut sock, deadline)?;
            let (outcome, message) = match opcode {
                AUTH_SUCCESS => (LoginOutcome::LoggedIn, None),
                op::AUTHENTICATE | 0x0E => (LoginOutcome::PasswordNeeded, None),
                op::ERROR => (LoginOutcome::Refused, error(&body)),
                other => return Err(format!("opcode {other:#04x} after AUTH_RESPONSE")),
            };
            Login {
                authenticator: Some(class),
                outcome,
                message,
                method: Some(if outcome == LoginOutcome::PasswordNeeded {
                    LoginMethod::Password
                } else {
                    LoginMethod::Certificate
                }),
            }
        }
        other => return Err(format!("opcode {other:#04x} after STARTUP")),
    };
    if login.outcome == LoginOutcome::LoggedIn
        && let Some(said) = node_says(&mut session, &mut sock, deadline)
    {
        login.method = Some(said);
    }
    Ok(login)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a node announced in AUTHENTICATE and the probe got from it.
    fn asked(class: &str) -> Login {
        Login {
            authenticator: Some(class.to_owned()),
            outcome: LoginOutcome::PasswordNeeded,
            message: None,
            method: Some(LoginMethod::Password),
        }
    }

    fn findings_without_certificate(l: &Login) -> Vec<String> {
        let mut findings = super::super::findings::Findings::default();
        super::super::findings::login_findings(&mut findings, l, false);
        findings.0.into_iter().map(|f| f.message).collect()
    }

    /// StartupMessage.execute announces `authenticator.getClass().getName()`: 6.0-alpha2's
    /// `MutualTlsWithPasswordFallbackAuthenticator` extends `PasswordAuthenticator` and asks a
    /// client without a certificate for a password; `MutualTlsAuthenticator` (5.0.9, 6.0) has
    /// no such fallback, and a plugin whose name contains "MutualTls" is not Cassandra's.
    #[test]
    fn only_the_fallback_authenticator_falls_back_to_a_password() {
        let fallback = "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator";
        let strict = "org.apache.cassandra.auth.MutualTlsAuthenticator";
        let plugin = "com.example.auth.MutualTlsLdapAuthenticator";
        let falls_back = |class: &str| {
            findings_without_certificate(&asked(class))
                .iter()
                .any(|m| m.contains("falls back to a password"))
        };
        assert!(falls_back(fallback));
        assert!(!falls_back(strict), "{strict} has no password fallback");
        assert!(!falls_back(plugin), "{plugin} is a plugin");
        assert!(
            findings_without_certificate(&asked(strict))[0].contains("by certificate only"),
            "{:?}",
            findings_without_certificate(&asked(strict))
        );
    }

    #[test]
    fn the_announced_class_is_read_as_cassandra_names_it() {
        assert_eq!(
            asked("org.apache.cassandra.auth.MutualTlsAuthenticator").certificate_login(),
            Some(CertificateLogin::Required)
        );
        assert_eq!(
            asked("org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator")
                .certificate_login(),
            Some(CertificateLogin::Fallback)
        );
        assert_eq!(
            asked("org.apache.cassandra.auth.PasswordAuthenticator").certificate_login(),
            Some(CertificateLogin::None)
        );
        // A plugin, whatever its name; a class that is not an authenticator.
        assert_eq!(
            asked("com.example.MutualTlsAuthenticator").certificate_login(),
            None
        );
        assert_eq!(
            asked("org.apache.cassandra.auth.MutualTlsInternodeAuthenticator").certificate_login(),
            None
        );
    }
}
