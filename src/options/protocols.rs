//! `protocol`, `accepted_protocols` and `cipher_suites`, with Cassandra's combination rules,
//! in neutral terms ([`TlsVersion`], IANA suite codes): [`crate::tls`] maps them to rustls.

use super::OptionWarning;
use crate::error::{Error, Origin, Result};

/// A TLS version this crate can offer (rustls has no others).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl TlsVersion {
    /// The JSSE name: `TLSv1.2`, `TLSv1.3`.
    pub fn jsse_name(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "TLSv1.2",
            TlsVersion::Tls13 => "TLSv1.3",
        }
    }
}

/// The protocols JDK 17's `SSLContext.getInstance("TLS")` enables by default: what
/// `protocol: TLS` expands to (`TLS_PROTOCOL_SUBSTITUTION`).
pub const JDK_DEFAULT_PROTOCOLS: &[&str] = &["TLSv1.3", "TLSv1.2"];

/// `getAcceptedProtocols()` (`AbstractSslContextFactory`, the same in 4.0's `EncryptionOptions`):
/// `None` means the provider's defaults.
pub fn accepted_protocols(
    protocol: Option<&str>,
    accepted: Option<&[String]>,
) -> Option<Vec<String>> {
    match accepted {
        None => match protocol {
            None => None,
            Some(p) if p.eq_ignore_ascii_case("TLS") => Some(
                JDK_DEFAULT_PROTOCOLS
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
            ),
            Some(p) => Some(vec![p.to_owned()]),
        },
        Some(list) => {
            let mut out = list.to_vec();
            if let Some(p) = protocol
                && !p.eq_ignore_ascii_case("TLS")
                && !list.iter().any(|a| a.eq_ignore_ascii_case(p))
            {
                out.push(p.to_owned());
            }
            Some(out)
        }
    }
}

/// The protocol versions to offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolChoice {
    /// In preference order; never empty.
    pub versions: Vec<TlsVersion>,
    /// Names dropped because rustls does not offer them.
    pub warnings: Vec<OptionWarning>,
}

/// Protocols Java knows that rustls will never offer.
const OBSOLETE: &[&str] = &["TLSv1.1", "TLSv1", "SSLv3", "SSLv2Hello", "SSLv2"];

/// Turns `protocol` + `accepted_protocols` into versions. Obsolete versions are dropped with
/// a warning; a name Java does not know is an error (Cassandra refuses to start); nothing left
/// is an error that says what is available.
pub fn select_protocols(
    origin: &Origin,
    section: &'static str,
    protocol: Option<&str>,
    accepted: Option<&[String]>,
) -> Result<ProtocolChoice> {
    let Some(names) = accepted_protocols(protocol, accepted) else {
        return Ok(ProtocolChoice {
            versions: vec![TlsVersion::Tls13, TlsVersion::Tls12],
            warnings: Vec::new(),
        });
    };
    // The option the names came from: accepted_protocols, or else the single `protocol`.
    let key = if accepted.is_some() {
        "accepted_protocols"
    } else {
        "protocol"
    };
    let mut versions = Vec::new();
    let mut warnings = Vec::new();
    for name in &names {
        let n = name.trim();
        let v = if n.eq_ignore_ascii_case("TLSv1.3") {
            Some(TlsVersion::Tls13)
        } else if n.eq_ignore_ascii_case("TLSv1.2") {
            Some(TlsVersion::Tls12)
        } else if OBSOLETE.iter().any(|o| o.eq_ignore_ascii_case(n)) {
            warnings.push(OptionWarning::DroppedProtocol {
                section,
                name: n.to_owned(),
            });
            None
        } else {
            return Err(Error::config(
                origin,
                Some(section),
                Some(key),
                format!(
                    "unknown protocol '{n}' (Cassandra does not start with it); available: TLSv1.2, TLSv1.3"
                ),
            ));
        };
        if let Some(v) = v
            && !versions.contains(&v)
        {
            versions.push(v);
        }
    }
    if versions.is_empty() {
        return Err(Error::config(
            origin,
            Some(section),
            Some(key),
            format!(
                "none of {} is available: only TLSv1.2 and TLSv1.3 are (TLS 1.0 and 1.1 are insecure and not implemented by rustls)",
                names.join(", ")
            ),
        ));
    }
    // Prefer the newest, whatever the configured order: the order of a protocol list does not
    // decide the negotiated version in JSSE either.
    versions.sort_by_key(|v| std::cmp::Reverse(*v == TlsVersion::Tls13));
    Ok(ProtocolChoice { versions, warnings })
}

/// A cipher suite this crate can offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CipherSuite {
    /// The IANA code point.
    pub iana: u16,
    /// The JSSE (and IANA) name.
    pub jsse_name: &'static str,
    /// The version it belongs to.
    pub version: TlsVersion,
}

/// Every suite rustls offers, by JSSE name.
pub const SUPPORTED_SUITES: &[CipherSuite] = &[
    CipherSuite {
        iana: 0x1302,
        jsse_name: "TLS_AES_256_GCM_SHA384",
        version: TlsVersion::Tls13,
    },
    CipherSuite {
        iana: 0x1301,
        jsse_name: "TLS_AES_128_GCM_SHA256",
        version: TlsVersion::Tls13,
    },
    CipherSuite {
        iana: 0x1303,
        jsse_name: "TLS_CHACHA20_POLY1305_SHA256",
        version: TlsVersion::Tls13,
    },
    CipherSuite {
        iana: 0xc02c,
        jsse_name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        version: TlsVersion::Tls12,
    },
    CipherSuite {
        iana: 0xc02b,
        jsse_name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        version: TlsVersion::Tls12,
    },
    CipherSuite {
        iana: 0xcca9,
        jsse_name: "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        version: TlsVersion::Tls12,
    },
    CipherSuite {
        iana: 0xc030,
        jsse_name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        version: TlsVersion::Tls12,
    },
    CipherSuite {
        iana: 0xc02f,
        jsse_name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        version: TlsVersion::Tls12,
    },
    CipherSuite {
        iana: 0xcca8,
        jsse_name: "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
        version: TlsVersion::Tls12,
    },
];

/// The JSSE name of a suite by IANA code, for reporting what was negotiated.
pub fn jsse_name(iana: u16) -> Option<&'static str> {
    SUPPORTED_SUITES
        .iter()
        .find(|s| s.iana == iana)
        .map(|s| s.jsse_name)
}

/// The cipher suites to offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CipherSuiteChoice {
    /// In the configured order; `None` means the provider's defaults.
    pub suites: Option<Vec<CipherSuite>>,
    /// The versions left after dropping those no suite serves.
    pub versions: Vec<TlsVersion>,
    /// Dropped names, and versions left without a suite.
    pub warnings: Vec<OptionWarning>,
}

/// `cipher_suites` filtered as Cassandra's `LoggingCipherSuiteFilter` does: kept in the
/// configured order when supported, dropped with a warning otherwise, and an error when none
/// is left ("No ciphers left after filtering supported cipher suite").
pub fn select_cipher_suites(
    origin: &Origin,
    section: &'static str,
    names: Option<&[String]>,
    versions: &[TlsVersion],
) -> Result<CipherSuiteChoice> {
    let Some(names) = names.filter(|n| !n.is_empty()) else {
        return Ok(CipherSuiteChoice {
            suites: None,
            versions: versions.to_vec(),
            warnings: Vec::new(),
        });
    };
    let mut suites: Vec<CipherSuite> = Vec::new();
    let mut warnings = Vec::new();
    for name in names {
        // JSSE names compare exactly, as Cassandra's cipher suite filter compares them with
        // the engine's supported names: `tls_aes_128_gcm_sha256` is no suite to Java.
        let n = name.as_str();
        match SUPPORTED_SUITES.iter().find(|s| s.jsse_name == n) {
            Some(s) if versions.contains(&s.version) => {
                if !suites.contains(s) {
                    suites.push(*s);
                }
            }
            _ => warnings.push(OptionWarning::DroppedCipherSuite {
                section,
                name: n.to_owned(),
            }),
        }
    }
    if suites.is_empty() {
        return Err(Error::config(
            origin,
            Some(section),
            Some("cipher_suites"),
            format!(
                "No ciphers left after filtering supported cipher suite: none of {} is available for {}; available: {}",
                names.join(", "),
                versions
                    .iter()
                    .map(|v| v.jsse_name())
                    .collect::<Vec<_>>()
                    .join(", "),
                SUPPORTED_SUITES
                    .iter()
                    .filter(|s| versions.contains(&s.version))
                    .map(|s| s.jsse_name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let mut kept = Vec::new();
    for v in versions {
        if suites.iter().any(|s| s.version == *v) {
            kept.push(*v);
        } else {
            warnings.push(OptionWarning::ProtocolWithoutCipherSuite {
                section,
                protocol: v.jsse_name(),
            });
        }
    }
    Ok(CipherSuiteChoice {
        suites: Some(suites),
        versions: kept,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    /// AbstractSslContextFactory.getAcceptedProtocols, case by case.
    #[test]
    fn accepted_protocols_combination() {
        assert_eq!(accepted_protocols(None, None), None);
        assert_eq!(
            accepted_protocols(Some("TLS"), None),
            Some(s(&["TLSv1.3", "TLSv1.2"]))
        );
        assert_eq!(
            accepted_protocols(Some("tls"), None),
            Some(s(&["TLSv1.3", "TLSv1.2"]))
        );
        assert_eq!(
            accepted_protocols(Some("TLSv1.2"), None),
            Some(s(&["TLSv1.2"]))
        );
        let list = s(&["TLSv1.3"]);
        assert_eq!(
            accepted_protocols(Some("TLSv1.2"), Some(&list)),
            Some(s(&["TLSv1.3", "TLSv1.2"]))
        );
        assert_eq!(
            accepted_protocols(Some("tlsv1.3"), Some(&list)),
            Some(s(&["TLSv1.3"]))
        );
        assert_eq!(
            accepted_protocols(Some("TLS"), Some(&list)),
            Some(s(&["TLSv1.3"]))
        );
    }

    #[test]
    fn obsolete_protocols_are_dropped_and_alone_are_an_error() {
        let o = Origin::bytes();
        let list = s(&["TLSv1.1", "TLSv1.2"]);
        let c = select_protocols(&o, "s", None, Some(&list)).unwrap();
        assert_eq!(c.versions, vec![TlsVersion::Tls12]);
        assert_eq!(c.warnings.len(), 1);
        let e = select_protocols(&o, "s", Some("TLSv1"), None).unwrap_err();
        assert_eq!(e.kind(), "config");
        assert!(e.to_string().contains("TLSv1.2 and TLSv1.3"), "{e}");
        let bad = s(&["TLSv9"]);
        assert!(select_protocols(&o, "s", None, Some(&bad)).is_err());
    }

    #[test]
    fn cipher_filter_keeps_order_and_drops_unsupported() {
        let o = Origin::bytes();
        let both = [TlsVersion::Tls13, TlsVersion::Tls12];
        let names = s(&[
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
        ]);
        let c = select_cipher_suites(&o, "s", Some(&names), &both).unwrap();
        let got: Vec<_> = c.suites.unwrap().iter().map(|s| s.jsse_name).collect();
        assert_eq!(
            got,
            [
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384"
            ]
        );
        assert_eq!(c.warnings.len(), 1);
        let cbc = s(&["TLS_RSA_WITH_AES_128_CBC_SHA", "nonsense"]);
        let e = select_cipher_suites(&o, "s", Some(&cbc), &both).unwrap_err();
        assert!(
            e.to_string()
                .contains("No ciphers left after filtering supported cipher suite")
        );
        // TLS 1.3 suites only, with TLS 1.2 only: nothing usable.
        let tls13 = s(&["TLS_AES_128_GCM_SHA256"]);
        assert!(select_cipher_suites(&o, "s", Some(&tls13), &[TlsVersion::Tls12]).is_err());
        // TLS 1.2 suites only: TLS 1.3 is dropped with a warning.
        let tls12 = s(&["TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"]);
        let c = select_cipher_suites(&o, "s", Some(&tls12), &both).unwrap();
        assert_eq!(c.versions, vec![TlsVersion::Tls12]);
    }
}
