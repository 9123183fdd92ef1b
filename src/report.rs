//! What the diagnostics report, shared by `doctor` and `probe`: a finding's [`Severity`], its
//! [`Check`] (a stable id) and the [`Finding`] itself, each serialized by serde from its enum as
//! the JSON outputs spell it; and, inside the crate, where a certificate stands in time
//! (`Validity`).

use std::fmt;
use std::time::Duration;

use rustls::pki_types::UnixTime;
use serde::{Serialize, Serializer};

use crate::keystore::CertificateInfo;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Checked and fine.
    Ok,
    /// Works, but should be fixed.
    Warning,
    /// Cassandra would fail, or the setup is broken.
    Error,
}

impl Severity {
    /// `ok`, `warning` or `error`, as the JSON outputs spell it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// What a finding is about: a stable id, serialised as [`Check::name`] (the JSON's `check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// `file`: a file is missing or unreadable.
    File,
    /// `store_type`: the store type against the file.
    StoreType,
    /// `password`: the store password.
    Password,
    /// `key_password`: the key password.
    KeyPassword,
    /// `key_matches_cert`: the key against its certificate.
    KeyMatchesCert,
    /// `key_algorithm`: the key type rustls and peers can use.
    KeyAlgorithm,
    /// `chain`: the chain against the truststore.
    Chain,
    /// `expiry`: validity dates.
    Expiry,
    /// `san`: names for endpoint verification.
    San,
    /// `eku`: extended key usage.
    Eku,
    /// `protocols`: the protocol versions.
    Protocols,
    /// `ciphers`: the cipher suites.
    Ciphers,
    /// `policy`: the port and encryption policy.
    Policy,
    /// `self_handshake`: a handshake with the node's own material.
    SelfHandshake,
    /// `startup`: what would stop Cassandra from starting.
    Startup,
    /// `link`: one node to another (several nodes).
    Link,
    /// `rotation`: a CA rotation staged on some nodes only.
    Rotation,
    /// `staged`: certificates staged while encryption is off.
    Staged,
    /// `stores`: store and key types across nodes.
    Stores,
    /// `connect`: whether the node could be reached (probe).
    Connect,
    /// `tls`: whether TLS is spoken (probe).
    Tls,
    /// `name`: the certificate against the address dialled (probe).
    Name,
    /// `trust`: the chain against the truststore (probe).
    Trust,
    /// `forward_secrecy`: TLSv1.2 suites without forward secrecy (probe).
    ForwardSecrecy,
    /// `client_auth`: whether a client certificate is asked for (probe).
    ClientAuth,
    /// `plaintext`: CQL in the clear (probe).
    Plaintext,
    /// `auth`: the authenticators (CEP-34's certificate login).
    Auth,
    /// `identity`: who a certificate logs in as.
    Identity,
}

impl Check {
    /// The stable id, as the JSON output spells it.
    pub fn name(self) -> &'static str {
        match self {
            Check::File => "file",
            Check::StoreType => "store_type",
            Check::Password => "password",
            Check::KeyPassword => "key_password",
            Check::KeyMatchesCert => "key_matches_cert",
            Check::KeyAlgorithm => "key_algorithm",
            Check::Chain => "chain",
            Check::Expiry => "expiry",
            Check::San => "san",
            Check::Eku => "eku",
            Check::Protocols => "protocols",
            Check::Ciphers => "ciphers",
            Check::Policy => "policy",
            Check::SelfHandshake => "self_handshake",
            Check::Startup => "startup",
            Check::Link => "link",
            Check::Rotation => "rotation",
            Check::Staged => "staged",
            Check::Stores => "stores",
            Check::Connect => "connect",
            Check::Tls => "tls",
            Check::Name => "name",
            Check::Trust => "trust",
            Check::ForwardSecrecy => "forward_secrecy",
            Check::ClientAuth => "client_auth",
            Check::Plaintext => "plaintext",
            Check::Auth => "auth",
            Check::Identity => "identity",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl PartialEq<&str> for Check {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// What the finding is about (its stable id is [`Check::name`]).
    pub check: Check,
    /// `server_encryption_options`, `client_encryption_options`, `jmx_encryption_options`,
    /// `cqlshrc` or `nodetool-ssl.properties`.
    pub section: &'static str,
    /// What was found.
    pub message: String,
    /// What to do about it (warnings and errors).
    pub fix: Option<String>,
}

impl Serialize for Severity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl PartialEq<&str> for Severity {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

impl Serialize for Check {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Where a certificate stands at one time against a warning window: the one classification
/// `doctor` (node certificates, trusted CAs) and `probe` (served chains) both use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Validity {
    /// Past its end.
    Expired,
    /// Before its start (a clock, or a certificate issued for later).
    NotYetValid,
    /// Valid, ending within the window: this many seconds are left.
    EndsWithin(i64),
    /// Valid beyond the window: this many seconds are left.
    Valid(i64),
}

impl Validity {
    /// `info`'s dates at `now`, with `window` as the warning window.
    pub(crate) fn of(info: &CertificateInfo, now: UnixTime, window: Duration) -> Validity {
        let now = now.as_secs() as i64;
        let left = info.not_after.unix_timestamp() - now;
        if left < 0 {
            Validity::Expired
        } else if info.not_before.unix_timestamp() > now {
            Validity::NotYetValid
        } else if left < window.as_secs() as i64 {
            Validity::EndsWithin(left)
        } else {
            Validity::Valid(left)
        }
    }
}

/// An RFC 3339 date.
pub(crate) fn rfc(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Whole days in `secs`.
pub(crate) fn days(secs: i64) -> i64 {
    secs / 86_400
}
