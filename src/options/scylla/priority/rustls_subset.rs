//! What rustls can honour of a [`Priority`], and what it cannot, in neutral terms (TLS
//! versions, IANA codes): [`crate::tls::restrict_to_priority`] applies it to a provider.

use std::fmt;

use super::{Group, Priority, Protocol, Signature};
use crate::options::{CipherSuite, SUPPORTED_SUITES, TlsVersion};

/// The key exchange groups rustls' providers implement (aws-lc-rs and ring: X25519,
/// secp256r1, secp384r1), by `NamedGroup` code. GnuTLS 3.7.9 knows no post-quantum group.
const RUSTLS_GROUPS: &[u16] = &[29, 23, 24];

/// The signature schemes rustls verifies (PKCS#1 and RSA-PSS with an RSA key, ECDSA, Ed25519),
/// by `SignatureScheme` code.
const RUSTLS_SIGNATURES: &[u16] = &[
    0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806, 0x0403, 0x0503, 0x0603, 0x0807,
];

/// What rustls can use of a priority string, in GnuTLS's preference order.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RustlsSubset {
    /// TLS 1.3 and/or 1.2, each only when a suite serves it.
    pub versions: Vec<TlsVersion>,
    /// The suites both allow, in GnuTLS's order.
    pub suites: Vec<CipherSuite>,
    /// The key exchange groups both allow, in GnuTLS's order.
    pub groups: Vec<Group>,
    /// The signature schemes both allow, in GnuTLS's order (one per code).
    pub signatures: Vec<Signature>,
}

/// Something a priority string enables that rustls cannot do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unsupported {
    /// As GnuTLS names it: `VERS-TLS1.1`, a suite (`TLS_RSA_AES_128_CBC_SHA1`),
    /// `GROUP-FFDHE2048`, `SIGN-RSA-SHA1`.
    pub item: String,
    /// Why rustls cannot.
    pub reason: &'static str,
}

/// A priority string leaves rustls nothing to negotiate with: the crate refuses up front,
/// where a GnuTLS peer would fail every handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unusable {
    /// No TLS 1.2 or 1.3.
    NoVersion {
        /// The protocols the string enables, as GnuTLS names them.
        protocols: Vec<String>,
    },
    /// No suite rustls has, for a version both allow.
    NoSuite {
        /// The suites the string enables, as GnuTLS names them.
        suites: Vec<String>,
    },
    /// No key exchange group rustls (or the provider at hand) has.
    NoGroup {
        /// The groups GnuTLS would offer.
        groups: Vec<String>,
    },
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| {
            if v.is_empty() {
                "none".to_owned()
            } else {
                v.join(", ")
            }
        };
        match self {
            Unusable::NoVersion { protocols } => write!(
                f,
                "the priority string enables no TLS version rustls has (TLS 1.2, TLS 1.3); it enables: {}",
                list(protocols)
            ),
            Unusable::NoSuite { suites } => write!(
                f,
                "the priority string enables no cipher suite rustls has (ECDHE with AES-GCM or CHACHA20-POLY1305, TLS 1.3's AES-GCM and CHACHA20-POLY1305); it enables: {}",
                list(suites)
            ),
            Unusable::NoGroup { groups } => write!(
                f,
                "the priority string enables no key exchange group rustls has (X25519, SECP256R1, SECP384R1); it offers: {}",
                list(groups)
            ),
        }
    }
}

impl std::error::Error for Unusable {}

fn tls_version(p: Protocol) -> Option<TlsVersion> {
    match p {
        Protocol::Tls12 => Some(TlsVersion::Tls12),
        Protocol::Tls13 => Some(TlsVersion::Tls13),
        _ => None,
    }
}

/// Why rustls has no such suite (the first reason that applies).
fn suite_reason(kx: Option<&str>, cipher: &str) -> &'static str {
    match kx {
        Some("RSA") => return "RSA key exchange (no forward secrecy): rustls has none",
        Some("DHE-RSA" | "DHE-DSS") => return "finite-field DHE key exchange: rustls has none",
        Some(k) if k.contains("PSK") => return "pre-shared keys (PSK): rustls has no PSK suites",
        Some(k) if k.starts_with("SRP") => return "SRP: rustls has none",
        Some(k) if k.starts_with("ANON") => return "anonymous key exchange: rustls has none",
        Some("VKO-GOST-12") => return "GOST: rustls has none",
        _ => {}
    }
    if cipher.ends_with("-CBC") {
        "CBC mode: rustls has only AEAD ciphers"
    } else if cipher.contains("-CCM") {
        "AES-CCM: rustls has none"
    } else if cipher == "NULL" {
        "no encryption (NULL): rustls has none"
    } else if cipher.starts_with("ARCFOUR") {
        "RC4: rustls has none"
    } else if cipher.starts_with("CAMELLIA") {
        "Camellia: rustls has none"
    } else if cipher.starts_with("GOST") {
        "GOST: rustls has none"
    } else {
        "not a suite rustls has"
    }
}

impl Priority {
    /// What rustls can negotiate of this string, or why it can negotiate nothing.
    pub fn rustls_subset(&self) -> Result<RustlsSubset, Unusable> {
        let mut versions: Vec<TlsVersion> = self
            .protocols
            .iter()
            .filter_map(|p| tls_version(*p))
            .collect();
        if versions.is_empty() {
            return Err(Unusable::NoVersion {
                protocols: self
                    .protocols
                    .iter()
                    .map(|p| format!("VERS-{}", p.gnutls_name()))
                    .collect(),
            });
        }
        let suites: Vec<CipherSuite> = self
            .suites
            .iter()
            .filter_map(|s| SUPPORTED_SUITES.iter().find(|r| r.iana == s.code))
            .filter(|r| versions.contains(&r.version))
            .copied()
            .collect();
        if suites.is_empty() {
            return Err(Unusable::NoSuite {
                suites: self
                    .suites
                    .iter()
                    .map(|s| s.gnutls_name.to_owned())
                    .collect(),
            });
        }
        versions.retain(|v| suites.iter().any(|s| s.version == *v));
        let groups: Vec<Group> = self
            .offered_groups
            .iter()
            .filter(|g| RUSTLS_GROUPS.contains(&g.code))
            .copied()
            .collect();
        if groups.is_empty() {
            return Err(Unusable::NoGroup {
                groups: self
                    .offered_groups
                    .iter()
                    .map(|g| g.name.to_owned())
                    .collect(),
            });
        }
        let mut signatures: Vec<Signature> = Vec::new();
        for s in &self.offered_signatures {
            if RUSTLS_SIGNATURES.contains(&s.code) && !signatures.iter().any(|x| x.code == s.code) {
                signatures.push(*s);
            }
        }
        Ok(RustlsSubset {
            versions,
            suites,
            groups,
            signatures,
        })
    }

    /// What the string enables that rustls cannot do, each with the reason: protocols other
    /// than TLS 1.2 and 1.3, suites rustls lacks, groups and signature schemes it lacks.
    pub fn unsupported(&self) -> Vec<Unsupported> {
        let mut out = Vec::new();
        for p in &self.protocols {
            if tls_version(*p).is_none() {
                let reason = if p.is_stream() {
                    "rustls has only TLS 1.2 and TLS 1.3"
                } else {
                    "DTLS (datagrams): not used by Scylla's TCP ports, nor by rustls"
                };
                out.push(Unsupported {
                    item: format!("VERS-{}", p.gnutls_name()),
                    reason,
                });
            }
        }
        for s in &self.suites {
            if !SUPPORTED_SUITES.iter().any(|r| r.iana == s.code) {
                out.push(Unsupported {
                    item: s.gnutls_name.to_owned(),
                    reason: suite_reason(s.key_exchange, s.cipher),
                });
            }
        }
        for g in &self.offered_groups {
            if !RUSTLS_GROUPS.contains(&g.code) {
                out.push(Unsupported {
                    item: format!("GROUP-{}", g.name),
                    reason: "a key exchange group rustls' providers do not implement",
                });
            }
        }
        for s in &self.offered_signatures {
            if !RUSTLS_SIGNATURES.contains(&s.code) {
                out.push(Unsupported {
                    item: format!("SIGN-{}", s.name),
                    reason: "a signature scheme rustls does not verify",
                });
            }
        }
        out
    }
}
