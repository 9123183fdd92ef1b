//! What a probe is asked ([`Target`], [`ProbeOptions`]) and what it reports ([`ProbeReport`]).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use rustls::pki_types::UnixTime;
use serde::Serialize;

use crate::error::{Error, Origin};
use crate::options::TlsVersion;
use crate::report::{Check, Severity};
use crate::tls::ClientTls;

/// What a port is, which decides what is tried on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PortKind {
    /// A native (CQL) port: plaintext is tried with a CQL OPTIONS frame.
    Native,
    /// A storage (internode) port: no CQL is sent to it.
    Storage,
    /// Not known: treated as a native port.
    #[default]
    Unknown,
}

impl fmt::Display for PortKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            PortKind::Native => "native",
            PortKind::Storage => "storage",
            PortKind::Unknown => "unknown",
        })
    }
}

/// One host and port to probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// An IP address or a DNS name.
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// What the port is.
    pub kind: PortKind,
}

impl Target {
    /// A target of a known kind.
    pub fn new(host: impl Into<String>, port: u16, kind: PortKind) -> Target {
        Target {
            host: host.into(),
            port,
            kind,
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl FromStr for Target {
    type Err = Error;

    /// `HOST:PORT`, `[IPV6]:PORT`.
    fn from_str(s: &str) -> Result<Target, Error> {
        let bad = |why: &str| {
            Error::config(
                &Origin::Bytes("<target>".into()),
                None,
                None,
                format!("'{s}' is not HOST:PORT: {why}"),
            )
        };
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (h, p) = rest.split_once("]:").ok_or_else(|| bad("no ']:'"))?;
            (h, p)
        } else {
            s.rsplit_once(':').ok_or_else(|| bad("no port"))?
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(bad("no host"));
        }
        let port: u16 = port.parse().map_err(|_| bad("the port is not a number"))?;
        if port == 0 {
            return Err(bad("port 0"));
        }
        Ok(Target::new(host, port, PortKind::Unknown))
    }
}

/// How to probe.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// The client config whose truststore judges native ports (and offers its client
    /// certificate): from a cassandra.yaml's client role or a cqlshrc. Without it the chain is
    /// reported but not judged.
    pub native_client: Option<ClientTls>,
    /// The same for storage ports (the internode client role).
    pub internode_client: Option<ClientTls>,
    /// The most one target may take, all attempts together.
    pub timeout: Duration,
    /// How many targets are probed at once.
    pub workers: usize,
    /// The time certificates are judged at (default: now).
    pub at: Option<UnixTime>,
    /// Warn when a served certificate (the leaf, or a CA the chain carries) expires within
    /// this (default 30 days).
    pub expiry_warning: Duration,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        ProbeOptions {
            native_client: None,
            internode_client: None,
            timeout: Duration::from_secs(10),
            workers: 16,
            at: None,
            expiry_warning: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// A certificate a port served.
#[derive(Clone, Debug, Serialize)]
pub struct ServedCertificate {
    /// Subject, as Java prints it.
    pub subject: String,
    /// Issuer.
    pub issuer: String,
    /// DNS subject alternative names.
    pub dns_names: Vec<String>,
    /// IP address subject alternative names.
    pub ip_addresses: Vec<IpAddr>,
    /// SHA-256 of the DER, lowercase hex.
    pub sha256: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Whole days left until the end of validity (negative once expired).
    pub expires_in_days: i64,
}

/// A TLS protocol version, as the probe tries them: the two rustls speaks, and the two before
/// them that it tries with a raw ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Protocol {
    /// TLSv1 (deprecated by RFC 8996).
    Tls10,
    /// TLSv1.1 (deprecated by RFC 8996).
    Tls11,
    /// TLSv1.2.
    Tls12,
    /// TLSv1.3.
    Tls13,
}

impl Protocol {
    /// Every version, oldest first.
    pub const ALL: [Protocol; 4] = [
        Protocol::Tls10,
        Protocol::Tls11,
        Protocol::Tls12,
        Protocol::Tls13,
    ];

    /// The JSSE name: `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`.
    pub fn jsse_name(self) -> &'static str {
        match self {
            Protocol::Tls10 => "TLSv1",
            Protocol::Tls11 => "TLSv1.1",
            Protocol::Tls12 => TlsVersion::Tls12.jsse_name(),
            Protocol::Tls13 => TlsVersion::Tls13.jsse_name(),
        }
    }

    /// Whether RFC 8996 deprecates it (TLSv1, TLSv1.1).
    pub fn deprecated(self) -> bool {
        matches!(self, Protocol::Tls10 | Protocol::Tls11)
    }

    /// The version rustls negotiated, when it is one of these.
    pub(crate) fn of_rustls(v: rustls::ProtocolVersion) -> Option<Protocol> {
        match v {
            rustls::ProtocolVersion::TLSv1_0 => Some(Protocol::Tls10),
            rustls::ProtocolVersion::TLSv1_1 => Some(Protocol::Tls11),
            rustls::ProtocolVersion::TLSv1_2 => Some(Protocol::Tls12),
            rustls::ProtocolVersion::TLSv1_3 => Some(Protocol::Tls13),
            _ => None,
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.jsse_name())
    }
}

impl Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.jsse_name())
    }
}

/// Whether a protocol version is accepted.
#[derive(Clone, Debug, Serialize)]
pub struct ProtocolSupport {
    /// The version (serialized as its JSSE name, `TLSv1` ... `TLSv1.3`).
    pub name: Protocol,
    /// Accepted, refused, or not known (the port did not answer in time).
    pub accepted: Option<bool>,
}

/// How a port treats client certificates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClientAuthMode {
    /// It asks for one and refuses a client without (`require_client_auth: true`, and every
    /// internode port).
    Required,
    /// It asks for one and accepts a client without (`optional`).
    Optional,
    /// It does not ask.
    NotRequested,
}

impl fmt::Display for ClientAuthMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            ClientAuthMode::Required => "required",
            ClientAuthMode::Optional => "optional",
            ClientAuthMode::NotRequested => "not requested",
        })
    }
}

/// The verdict of the caller's truststore on the served chain.
#[derive(Clone, Debug, Serialize)]
pub struct Validation {
    /// Whether the client config accepted the chain for this address.
    pub trusted: bool,
    /// Whether the client config checks the name (`require_endpoint_verification`).
    pub name_checked: bool,
    /// Why not, when refused; or how the server refused the client afterwards.
    pub message: Option<String>,
}

/// A finding, in the doctor's terms (without a section: the target is the probe's section).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProbeFinding {
    /// How bad.
    pub severity: Severity,
    /// What the finding is about: `connect`, `tls`, `expiry`, `name`, `trust`, `protocols`,
    /// `forward_secrecy`, `client_auth`, `auth`, `plaintext`.
    pub check: Check,
    /// What was found.
    pub message: String,
    /// What to do about it.
    pub fix: Option<String>,
}

/// What one target showed.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct ProbeReport {
    /// `HOST:PORT`.
    pub target: String,
    /// The kind of port.
    pub kind: PortKind,
    /// The address connected to.
    pub address: Option<SocketAddr>,
    /// Whether a TCP connection was made.
    pub reachable: bool,
    /// Whether the port speaks TLS.
    pub tls: bool,
    /// The version and suite a default client negotiated.
    pub negotiated: Option<(String, String)>,
    /// The chain served, leaf first.
    pub chain: Vec<ServedCertificate>,
    /// Whether the leaf names the host probed (an IP address needs an IP SAN), as Cassandra's
    /// endpoint verification checks it.
    pub name_matches: Option<bool>,
    /// The caller's truststore's verdict.
    pub validation: Option<Validation>,
    /// Each protocol version.
    pub protocols: Vec<ProtocolSupport>,
    /// The cipher suites accepted among those rustls has (IANA names, as JSSE names them).
    pub cipher_suites: Vec<String>,
    /// Whether TLSv1.2 with RSA key exchange (no forward secrecy) is accepted.
    pub accepts_no_forward_secrecy: Option<bool>,
    /// How client certificates are treated.
    pub client_auth: Option<ClientAuthMode>,
    /// Whether the port also answers CQL in the clear (native ports only).
    pub plaintext: Option<bool>,
    /// On a native port, with a client certificate, or without one where the node lets such a
    /// client through TLS and its chain is trusted: the CQL start-up past TLS (the
    /// authenticator the node announced, whether the client logs in, and which way).
    pub login: Option<super::login::Login>,
    /// What was found, with fixes.
    pub findings: Vec<ProbeFinding>,
    /// How long the probe took, in milliseconds.
    pub elapsed_ms: u64,
}

impl ProbeReport {
    /// The worst severity among the findings ([`Severity::Ok`] when there are none).
    pub fn worst(&self) -> Severity {
        self.findings
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Ok)
    }

    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }
}
