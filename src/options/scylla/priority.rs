//! GnuTLS priority strings: Scylla's `priority_string` (default `SECURE128:-VERS-TLS1.0`), read
//! as GnuTLS 3.7.9's `gnutls_priority_init` reads it (`lib/priority.c`), and what rustls can
//! honour of it.
//!
//! Scylla hands the string to Seastar, which calls `gnutls_priority_init` when the node's
//! credentials are built and refuses to start with `Could not set priority: <rest>`, where
//! `<rest>` is the string from the token GnuTLS stopped at (the whole string when the
//! grammar was fine but nothing usable was left). [`Priority::parse`] gives the same verdict
//! and, for a string GnuTLS accepts, the lists GnuTLS derives from it, in its preference
//! order: what `gnutls-cli --priority S --list` prints.
//!
//! ```
//! use cassandra_tls::options::scylla::{Priority, SCYLLA_DEFAULT_PRIORITY};
//!
//! let p = Priority::parse(SCYLLA_DEFAULT_PRIORITY)?;
//! assert_eq!(p.suites[0].gnutls_name, "TLS_AES_256_GCM_SHA384");
//! let usable = p.rustls_subset()?;
//! assert_eq!(usable.suites.len(), 9);
//! assert!(p.unsupported().iter().any(|u| u.item == "VERS-TLS1.1"));
//!
//! let refused = Priority::parse("SECURE128:+BOGUS").unwrap_err();
//! assert_eq!(refused.to_string(), "Could not set priority: +BOGUS");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod derive;
mod grammar;
mod rustls_subset;
mod suites;
mod tables;

use std::fmt;

use grammar::Lists;
pub use rustls_subset::{RustlsSubset, Unsupported, Unusable};
use suites::SuiteEntry;
use tables::{GROUPS_NORMAL, PROTOCOLS_DEFAULT, SEM_PRE_TLS12, SEM_TLS13, SIGN_DEFAULT};

/// Scylla's default `priority_string` (`db::config::default_tls_priority`, since 3.1).
pub const SCYLLA_DEFAULT_PRIORITY: &str = "SECURE128:-VERS-TLS1.0";

/// `MAX_ELEMENTS` of `lib/priority.c`: GnuTLS reads at most this many tokens.
const MAX_ELEMENTS: usize = 128;

/// A protocol version GnuTLS knows, in GnuTLS's numbering order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Protocol {
    /// SSL 3.0 (known to the grammar; Debian's GnuTLS does not implement it).
    Ssl3,
    /// TLS 1.0.
    Tls10,
    /// TLS 1.1.
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
    /// DTLS 0.9 (Cisco AnyConnect).
    Dtls09,
    /// DTLS 1.0.
    Dtls10,
    /// DTLS 1.2.
    Dtls12,
}

impl Protocol {
    const ALL: [Protocol; 8] = [
        Protocol::Ssl3,
        Protocol::Tls10,
        Protocol::Tls11,
        Protocol::Tls12,
        Protocol::Tls13,
        Protocol::Dtls09,
        Protocol::Dtls10,
        Protocol::Dtls12,
    ];

    /// GnuTLS's name: `TLS1.2`; `VERS-` plus this is the token.
    pub fn gnutls_name(self) -> &'static str {
        match self {
            Protocol::Ssl3 => "SSL3.0",
            Protocol::Tls10 => "TLS1.0",
            Protocol::Tls11 => "TLS1.1",
            Protocol::Tls12 => "TLS1.2",
            Protocol::Tls13 => "TLS1.3",
            Protocol::Dtls09 => "DTLS0.9",
            Protocol::Dtls10 => "DTLS1.0",
            Protocol::Dtls12 => "DTLS1.2",
        }
    }

    fn from_name(name: &str) -> Option<Protocol> {
        Protocol::ALL
            .into_iter()
            .find(|p| p.gnutls_name().eq_ignore_ascii_case(name))
    }

    /// TLS over a stream (not DTLS).
    pub fn is_stream(self) -> bool {
        self <= Protocol::Tls13
    }

    fn sig_sem(self) -> u8 {
        if self == Protocol::Tls13 {
            SEM_TLS13
        } else {
            SEM_PRE_TLS12
        }
    }
}

/// A cipher suite GnuTLS enables, as `gnutls-cli --list` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Suite {
    /// GnuTLS's name (`TLS_ECDHE_RSA_AES_128_GCM_SHA256`).
    pub gnutls_name: &'static str,
    /// The IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub iana_name: &'static str,
    /// The IANA code point.
    pub code: u16,
    /// The key exchange (`None` for TLS 1.3 suites).
    pub key_exchange: Option<&'static str>,
    /// The cipher (`AES-128-GCM`).
    pub cipher: &'static str,
    /// The MAC (`AEAD` for AEAD ciphers).
    pub mac: &'static str,
    /// The oldest TLS version it serves (`None`: DTLS only).
    pub min_version: Option<Protocol>,
}

impl Suite {
    fn from_entry(e: &SuiteEntry) -> Suite {
        Suite {
            gnutls_name: e.gnutls_name,
            iana_name: e.iana_name,
            code: e.code,
            key_exchange: e.kx,
            cipher: e.cipher,
            mac: e.mac,
            min_version: e.min_tls,
        }
    }
}

/// A key exchange group: GnuTLS's name and the TLS `NamedGroup` code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Group {
    /// GnuTLS's name (`SECP256R1`, `X25519`, `FFDHE2048`); `GROUP-` plus this is the token.
    pub name: &'static str,
    /// The TLS `NamedGroup` code.
    pub code: u16,
}

/// A signature algorithm: GnuTLS's name and the TLS `SignatureScheme` code (0: none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Signature {
    /// GnuTLS's name (`RSA-PSS-RSAE-SHA256`); `SIGN-` plus this is the token.
    pub name: &'static str,
    /// The TLS `SignatureScheme` code, 0 when the algorithm has none.
    pub code: u16,
}

/// What a priority string GnuTLS accepts enables, in GnuTLS's preference order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Priority {
    /// The protocol versions, DTLS included (`Protocols:` of `gnutls-cli --list`).
    pub protocols: Vec<Protocol>,
    /// The cipher suites, in the order GnuTLS prefers them.
    pub suites: Vec<Suite>,
    /// The bulk ciphers (`Ciphers:`).
    pub ciphers: Vec<&'static str>,
    /// The MACs (`MACs:`).
    pub macs: Vec<&'static str>,
    /// The key exchanges (`Key Exchange Algorithms:`; empty when only TLS 1.3 is left).
    pub key_exchanges: Vec<&'static str>,
    /// The groups as configured (`Groups:`).
    pub groups: Vec<Group>,
    /// The groups GnuTLS offers: those of `groups` an enabled suite or TLS 1.3 can use,
    /// elliptic curves and finite-field groups each in a block where first needed.
    pub offered_groups: Vec<Group>,
    /// The signature algorithms as configured (`PK-signatures:`).
    pub signatures: Vec<Signature>,
    /// The signature algorithms GnuTLS offers: those of `signatures` the enabled
    /// protocols can use.
    pub offered_signatures: Vec<Signature>,
    /// The `%` options given (`SERVER_PRECEDENCE`, `NO_TICKETS`, ...), in order.
    pub options: Vec<&'static str>,
}

/// Why GnuTLS refuses a priority string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalKind {
    /// A token GnuTLS does not know (`GNUTLS_E_INVALID_REQUEST`, -50); `gnutls-cli` says
    /// `Syntax error at: <rest>`.
    Syntax,
    /// Well-formed, but no protocol or no cipher suite is left
    /// (`GNUTLS_E_NO_PRIORITIES_WERE_SET`, -326).
    NothingLeft,
}

/// A priority string GnuTLS refuses, so Scylla does not start. Displays as Scylla's
/// message: `Could not set priority: <rest>`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PriorityRefusal {
    /// Syntax, or nothing left.
    pub kind: RefusalKind,
    /// The string from the token GnuTLS stopped at, as GnuTLS reports it (the whole
    /// string when nothing was left, or when it started with white space or `@`).
    pub at: String,
}

impl PriorityRefusal {
    /// GnuTLS's error code and message, which Scylla's log nests under the refusal.
    pub fn gnutls_error(&self) -> (i32, &'static str) {
        match self.kind {
            RefusalKind::Syntax => (-50, "The request is invalid."),
            RefusalKind::NothingLeft => (-326, "No or insufficient priorities were set."),
        }
    }
}

impl fmt::Display for PriorityRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Could not set priority: {}", self.at)
    }
}

impl std::error::Error for PriorityRefusal {}

/// `c_isspace`.
fn c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

/// `break_list`: split at `:`, skipping spaces after each colon. GnuTLS keeps the first
/// [`MAX_ELEMENTS`] tokens and silently drops the rest of the string.
fn break_list(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = Some(s);
    while let Some(r) = rest
        && out.len() < MAX_ELEMENTS
    {
        match r.find(':') {
            Some(i) => {
                out.push(&r[..i]);
                rest = Some(r[i + 1..].trim_start_matches(' '));
            }
            None => {
                out.push(r);
                rest = None;
            }
        }
    }
    out
}

impl Priority {
    /// Reads a priority string as GnuTLS 3.7.9 does; a refusal is Scylla's start-up error.
    pub fn parse(string: &str) -> Result<Priority, PriorityRefusal> {
        // Seastar passes a C string: it ends at the first NUL.
        let string = string.split('\0').next().unwrap_or_default();
        let trimmed = string.trim_start_matches(c_space);
        let whole = |kind| PriorityRefusal {
            kind,
            at: string.to_owned(),
        };
        // `@KEYWORD` names an entry of the system priority file, which Debian does not have.
        if trimmed.starts_with('@') {
            return Err(whole(RefusalKind::Syntax));
        }
        let tokens = break_list(trimmed);
        let mut lists = Lists::default();
        let mut keyword_set = false;
        let first = if tokens[0].eq_ignore_ascii_case("NONE") {
            keyword_set = true;
            1
        } else {
            lists.protocols = PROTOCOLS_DEFAULT.to_vec();
            lists.signs = SIGN_DEFAULT.to_vec();
            lists.groups = GROUPS_NORMAL.to_vec();
            0
        };
        for (i, token) in tokens.iter().enumerate().skip(first) {
            match lists.token(token, keyword_set) {
                Ok(keyword) => keyword_set |= keyword,
                Err(()) if trimmed.len() != string.len() => {
                    return Err(whole(RefusalKind::Syntax));
                }
                Err(()) => {
                    // GnuTLS counts each earlier token plus one colon, not the spaces it
                    // skipped, so after `: ` the position lags (as Scylla reports it).
                    let offset: usize = tokens[..i].iter().map(|t| t.len() + 1).sum();
                    let bytes = string.as_bytes();
                    let at = String::from_utf8_lossy(&bytes[offset.min(bytes.len())..]);
                    return Err(PriorityRefusal {
                        kind: RefusalKind::Syntax,
                        at: at.into_owned(),
                    });
                }
            }
        }
        lists
            .finish()
            .ok_or_else(|| whole(RefusalKind::NothingLeft))
    }
}
