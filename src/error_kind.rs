//! [`ErrorKind`]: a stable, machine-readable name for every error and handshake failure (a leaf
//! module, so that both [`crate::error`] and [`crate::failure`] can use it).

use std::fmt;

/// The kind of an [`Error`](crate::Error) or
/// [`HandshakeFailure`](crate::handshake::HandshakeFailure). [`ErrorKind::as_str`] gives the
/// stable string used by the `cassandra-tls` command's JSON output; an `ErrorKind` compares
/// equal to that string, and serialises as it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `io`: a file could not be read.
    Io,
    /// `wrong_password_or_tampered`: a store's integrity check failed.
    WrongPasswordOrTampered,
    /// `wrong_key_password`: a private key could not be decrypted.
    WrongKeyPassword,
    /// `malformed`: the bytes are not a well-formed store.
    Malformed,
    /// `unsupported`: something this crate does not implement.
    Unsupported,
    /// `key_cert_mismatch`: a key that is not its certificate's.
    KeyCertMismatch,
    /// `config`: an option is wrong or cannot be honoured.
    Config,
    /// `scylla_startup`: a scylla.yaml's TLS settings that stop a Scylla node at start-up.
    ScyllaStartup,
    /// `transport`: the transport under a handshake or session failed.
    Transport,
    /// `no_client_certificate`: the server requires a client certificate and none was sent.
    NoClientCertificate,
    /// `unknown_issuer`: the peer's chain leads to no trusted certificate.
    UnknownIssuer,
    /// `name_mismatch`: the peer's certificate does not name the peer.
    NameMismatch,
    /// `expired`: the peer's certificate expired.
    Expired,
    /// `not_yet_valid`: the peer's certificate is not valid yet.
    NotYetValid,
    /// `bad_certificate`: the peer's certificate is unusable for another reason.
    BadCertificate,
    /// `no_shared_protocol`: no protocol version in common.
    NoSharedProtocol,
    /// `no_shared_cipher`: no cipher suite in common.
    NoSharedCipher,
    /// `peer_alert`: the peer refused the handshake.
    PeerAlert,
    /// `protocol`: the bytes received are not TLS, or break the protocol.
    Protocol,
    /// `truncated`: the stream ended without close_notify.
    Truncated,
    /// `misuse`: the API was misused.
    Misuse,
    /// `tls`: anything else rustls reported.
    Tls,
}

impl ErrorKind {
    /// The stable name, as the command's JSON output prints it.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Io => "io",
            ErrorKind::WrongPasswordOrTampered => "wrong_password_or_tampered",
            ErrorKind::WrongKeyPassword => "wrong_key_password",
            ErrorKind::Malformed => "malformed",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::KeyCertMismatch => "key_cert_mismatch",
            ErrorKind::Config => "config",
            ErrorKind::ScyllaStartup => "scylla_startup",
            ErrorKind::Transport => "transport",
            ErrorKind::NoClientCertificate => "no_client_certificate",
            ErrorKind::UnknownIssuer => "unknown_issuer",
            ErrorKind::NameMismatch => "name_mismatch",
            ErrorKind::Expired => "expired",
            ErrorKind::NotYetValid => "not_yet_valid",
            ErrorKind::BadCertificate => "bad_certificate",
            ErrorKind::NoSharedProtocol => "no_shared_protocol",
            ErrorKind::NoSharedCipher => "no_shared_cipher",
            ErrorKind::PeerAlert => "peer_alert",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Truncated => "truncated",
            ErrorKind::Misuse => "misuse",
            ErrorKind::Tls => "tls",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for ErrorKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for ErrorKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
