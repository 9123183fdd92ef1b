//! The crate's error type.
//!
//! One variant per thing a user must act on differently. Every variant names the file (or
//! `<bytes>`), alias or option it concerns, and none ever carries a password or key material.

use std::fmt;
use std::path::{Path, PathBuf};

pub use crate::error_kind::ErrorKind;

/// Where the bytes being read came from: a file, or bytes handed in by the caller.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Bytes read from this file.
    File(PathBuf),
    /// Bytes handed in by the caller, with a label of the caller's choice (`<bytes>` by default).
    Bytes(String),
}

impl Origin {
    /// An origin for caller-provided bytes with no name.
    pub fn bytes() -> Self {
        Origin::Bytes("<bytes>".to_owned())
    }

    /// An origin for a file.
    pub fn file(path: impl AsRef<Path>) -> Self {
        Origin::File(path.as_ref().to_path_buf())
    }
}

/// A path as given and, when relative, where it resolved (against the working directory): what
/// a refusal names, so that a path typed from another directory can be told apart.
pub(crate) fn given_and_resolved(path: &Path) -> String {
    match std::path::absolute(path) {
        Ok(abs) if !path.is_absolute() => {
            format!("{} (resolved: {})", path.display(), abs.display())
        }
        _ => path.display().to_string(),
    }
}

impl Default for Origin {
    fn default() -> Self {
        Origin::bytes()
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File(p) => write!(f, "{}", p.display()),
            Origin::Bytes(label) => f.write_str(label),
        }
    }
}

/// Every error this crate returns.
///
/// [`Error::kind`] gives a stable, machine-readable name for each variant, used by the
/// `cassandra-tls` command's JSON output.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {}: {source}", given_and_resolved(.path))]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// The store's integrity check (JKS/JCEKS digest, PKCS#12 MAC) failed, or the store could
    /// not be decrypted. The two causes cannot be told apart: the password is wrong or the file
    /// was changed.
    #[error("{origin}: the store password is wrong or the file was tampered with ({detail})")]
    WrongPasswordOrTampered {
        /// The store.
        origin: Origin,
        /// Which check failed.
        detail: String,
    },

    /// A private key could not be decrypted with the key password.
    #[error("{origin}: {} cannot be decrypted: the key password is wrong{}", alias_phrase(.alias), hint_phrase(.hint))]
    WrongKeyPassword {
        /// The store or PEM file.
        origin: Origin,
        /// The entry, when the store has aliases.
        alias: Option<String>,
        /// A hint for the user (for example that no password was given at all).
        hint: Option<String>,
    },

    /// The bytes are not a well-formed store of the kind being read.
    #[error("{origin}: malformed: {what}")]
    Malformed {
        /// The store.
        origin: Origin,
        /// What is wrong, and where.
        what: String,
    },

    /// The store uses something this crate does not implement.
    #[error("{origin}: unsupported: {what} (supported: {supported})")]
    Unsupported {
        /// The store.
        origin: Origin,
        /// What was found.
        what: String,
        /// What is supported instead.
        supported: String,
    },

    /// An option in cassandra.yaml, cqlshrc or given by the caller is wrong or cannot be
    /// honoured.
    #[error("{origin}: {}{message}", config_place(.section, .key))]
    Config {
        /// The configuration file (or `<bytes>`).
        origin: Origin,
        /// The section, such as `server_encryption_options`.
        section: Option<String>,
        /// The option, such as `cipher_suites`.
        key: Option<String>,
        /// What is wrong and what would be right.
        message: String,
    },

    /// A scylla.yaml's TLS settings that Scylla refuses at start-up (a file it cannot read, a
    /// key pair or priority string GnuTLS refuses), in Scylla's words.
    #[error("{origin}: {section}.{key}: {failure}")]
    ScyllaStartup {
        /// The scylla.yaml.
        origin: Origin,
        /// The encryption option, such as `server_encryption_options`.
        section: String,
        /// The key of the map, such as `keyfile`.
        key: String,
        /// What Scylla (Seastar, GnuTLS) says.
        failure: Box<ScyllaStartupFailure>,
    },

    /// A TLS handshake or session failed.
    #[error("{0}")]
    Handshake(#[from] crate::failure::HandshakeFailure),

    /// The transport under a handshake or session failed (a socket's read or write).
    #[error("transport error while {during}: {source}")]
    Transport {
        /// What was being done: `sending`, `receiving`.
        during: &'static str,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A private key does not belong to the first certificate of its chain.
    #[error("{origin}: {} does not match its certificate ({subject})", alias_phrase(.alias))]
    KeyCertMismatch {
        /// The store or PEM file.
        origin: Origin,
        /// The entry, when the store has aliases.
        alias: Option<String>,
        /// Subject of the certificate that does not match.
        subject: String,
    },
}

fn alias_phrase(alias: &Option<String>) -> String {
    match alias {
        Some(a) => format!("the key of entry '{a}'"),
        None => "the private key".to_owned(),
    }
}

fn config_place(section: &Option<String>, key: &Option<String>) -> String {
    match (section, key) {
        (Some(s), Some(k)) => format!("{s}.{k}: "),
        (Some(s), None) => format!("{s}: "),
        (None, Some(k)) => format!("{k}: "),
        (None, None) => String::new(),
    }
}

fn hint_phrase(hint: &Option<String>) -> String {
    match hint {
        Some(h) => format!(" ({h})"),
        None => String::new(),
    }
}

impl Error {
    /// A stable name for the kind of error: `io`, `wrong_password_or_tampered`,
    /// `wrong_key_password`, `malformed`, `unsupported`, `key_cert_mismatch`, `config`, or for
    /// handshakes the [`crate::failure::HandshakeFailure::kind`].
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Io { .. } => ErrorKind::Io,
            Error::WrongPasswordOrTampered { .. } => ErrorKind::WrongPasswordOrTampered,
            Error::WrongKeyPassword { .. } => ErrorKind::WrongKeyPassword,
            Error::Malformed { .. } => ErrorKind::Malformed,
            Error::Unsupported { .. } => ErrorKind::Unsupported,
            Error::KeyCertMismatch { .. } => ErrorKind::KeyCertMismatch,
            Error::Config { .. } => ErrorKind::Config,
            Error::ScyllaStartup { .. } => ErrorKind::ScyllaStartup,
            Error::Handshake(f) => f.kind(),
            Error::Transport { .. } => ErrorKind::Transport,
        }
    }

    /// An equal error, for results that are computed once and handed out more than once (a
    /// store loaded once per node). An I/O error keeps its kind and message.
    pub(crate) fn duplicate(&self) -> Error {
        let io = |e: &std::io::Error| std::io::Error::new(e.kind(), e.to_string());
        match self {
            Error::Io { path, source } => Error::Io {
                path: path.clone(),
                source: io(source),
            },
            Error::WrongPasswordOrTampered { origin, detail } => Error::WrongPasswordOrTampered {
                origin: origin.clone(),
                detail: detail.clone(),
            },
            Error::WrongKeyPassword {
                origin,
                alias,
                hint,
            } => Error::WrongKeyPassword {
                origin: origin.clone(),
                alias: alias.clone(),
                hint: hint.clone(),
            },
            Error::Malformed { origin, what } => Error::malformed(origin, what.clone()),
            Error::Unsupported {
                origin,
                what,
                supported,
            } => Error::unsupported(origin, what.clone(), supported.clone()),
            Error::Config {
                origin,
                section,
                key,
                message,
            } => Error::Config {
                origin: origin.clone(),
                section: section.clone(),
                key: key.clone(),
                message: message.clone(),
            },
            Error::ScyllaStartup {
                origin,
                section,
                key,
                failure,
            } => Error::ScyllaStartup {
                origin: origin.clone(),
                section: section.clone(),
                key: key.clone(),
                failure: failure.clone(),
            },
            Error::Handshake(f) => Error::Handshake(f.clone()),
            Error::Transport { during, source } => Error::Transport {
                during,
                source: io(source),
            },
            Error::KeyCertMismatch {
                origin,
                alias,
                subject,
            } => Error::KeyCertMismatch {
                origin: origin.clone(),
                alias: alias.clone(),
                subject: subject.clone(),
            },
        }
    }

    /// The same error said of `to` where it was said of `from` (bytes handed in under a
    /// placeholder name, named after the files they came from).
    pub(crate) fn relabel(mut self, from: &Origin, to: &Origin) -> Self {
        match &mut self {
            Error::WrongPasswordOrTampered { origin, .. }
            | Error::WrongKeyPassword { origin, .. }
            | Error::Malformed { origin, .. }
            | Error::Unsupported { origin, .. }
            | Error::Config { origin, .. }
            | Error::ScyllaStartup { origin, .. }
            | Error::KeyCertMismatch { origin, .. }
                if origin == from =>
            {
                *origin = to.clone();
            }
            _ => {}
        }
        self
    }

    pub(crate) fn malformed(origin: &Origin, what: impl Into<String>) -> Self {
        Error::Malformed {
            origin: origin.clone(),
            what: what.into(),
        }
    }

    pub(crate) fn unsupported(
        origin: &Origin,
        what: impl Into<String>,
        supported: impl Into<String>,
    ) -> Self {
        Error::Unsupported {
            origin: origin.clone(),
            what: what.into(),
            supported: supported.into(),
        }
    }

    pub(crate) fn config(
        origin: &Origin,
        section: Option<&str>,
        key: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::Config {
            origin: origin.clone(),
            section: section.map(str::to_owned),
            key: key.map(str::to_owned),
            message: message.into(),
        }
    }

    pub(crate) fn tampered(origin: &Origin, detail: impl Into<String>) -> Self {
        Error::WrongPasswordOrTampered {
            origin: origin.clone(),
            detail: detail.into(),
        }
    }

    pub(crate) fn wrong_key_password(origin: &Origin, alias: Option<&str>) -> Self {
        Error::WrongKeyPassword {
            origin: origin.clone(),
            alias: alias.map(str::to_owned),
            hint: None,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why Scylla stops at start-up over a TLS setting, with the words it logs.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScyllaStartupFailure {
    /// Seastar's `read_fully` could not read a file: `Could not read <what> <path>`.
    Unreadable {
        /// `certificate file`, `key file`, `trust file` or `crl file`.
        what: &'static str,
        /// The file as opened.
        path: PathBuf,
        /// What the operating system said.
        reason: String,
    },
    /// GnuTLS refused what a file holds (`Exception loading <files>: error GnuTLS:<code>,
    /// <text>`): -24 an encrypted key, -60 a key that is not the certificate's, -34 a file that
    /// is not PEM, -56 no key where one is needed.
    Gnutls {
        /// The files loaded together (the certificate and key, or the CRL).
        files: String,
        /// GnuTLS's error code.
        code: i32,
        /// GnuTLS's message for it.
        text: &'static str,
        /// What this crate found.
        detail: String,
    },
    /// `gnutls_priority_init` refused `priority_string`: `Could not set priority: <rest>`
    /// (`options::scylla::PriorityRefusal` says why).
    Priority {
        /// The string from the token GnuTLS stopped at.
        rest: String,
        /// GnuTLS's error code (-50 a syntax error, -326 nothing left).
        code: i32,
        /// GnuTLS's message for it.
        text: &'static str,
    },
}

impl fmt::Display for ScyllaStartupFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScyllaStartupFailure::Unreadable { what, path, reason } => {
                write!(f, "Could not read {what} {}: {reason}", path.display())
            }
            ScyllaStartupFailure::Gnutls {
                files,
                code,
                text,
                detail,
            } => write!(
                f,
                "Exception loading {files}: error GnuTLS:{code}, {text} ({detail})"
            ),
            ScyllaStartupFailure::Priority { rest, code, text } => {
                write!(f, "Could not set priority: {rest} (GnuTLS:{code}, {text})")
            }
        }
    }
}

impl std::error::Error for ScyllaStartupFailure {}
