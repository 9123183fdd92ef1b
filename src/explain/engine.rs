//! The SSLEngine a node ends up with: the protocols and cipher suites that Netty's `SslContext`
//! enables for a section, by TLS provider and Cassandra version.
//!
//! Cassandra (4.0 to 5.0) builds its contexts with Netty's `SslContextBuilder`, on netty-tcnative's
//! BoringSSL when it loads (Linux x86_64 and aarch64) unless `-Dcassandra.disable_tcactive_openssl=true`,
//! else on the JDK's JSSE. The tables below are what those engines report on OpenJDK 17 with the
//! Netty of each line (4.0 and 4.1: Netty 4.1.58 and tcnative 2.0.36; 5.0: Netty 4.1.130 and
//! tcnative 2.0.70), read from the engines themselves by tests/peers/CassandraOracle.java; the
//! differential test (tests/cassandra_oracle.rs) checks every rule here against them.

use serde::Serialize;

use crate::options::CassandraVersion;

/// Which TLS implementation Netty runs under Cassandra.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// netty-tcnative's BoringSSL: what a node on Linux x86_64 uses by default.
    #[default]
    OpenSsl,
    /// The JDK's JSSE (`-Dcassandra.disable_tcactive_openssl=true`, or no tcnative).
    Jdk,
}

impl Provider {
    /// `openssl` or `jdk`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::OpenSsl => "openssl",
            Provider::Jdk => "jdk",
        }
    }
}

impl std::str::FromStr for Provider {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openssl" | "tcnative" | "boringssl" => Ok(Provider::OpenSsl),
            "jdk" | "jsse" => Ok(Provider::Jdk),
            _ => Err(crate::Error::config(
                &crate::Origin::bytes(),
                None,
                None,
                format!("unknown TLS provider '{s}' (openssl or jdk)"),
            )),
        }
    }
}

/// The JDK whose JSSE the tables describe.
pub const JDK: &str = "17";

/// JDK 17's `SSLEngine.getSupportedProtocols()`.
const JDK_PROTOCOLS: &[&str] = &[
    "TLSv1.3",
    "TLSv1.2",
    "TLSv1.1",
    "TLSv1",
    "SSLv3",
    "SSLv2Hello",
];

/// The protocols netty-tcnative's BoringSSL engine knows, in the order it reports them.
const OPENSSL_PROTOCOLS: &[&str] = &["SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];

/// JDK 17's `SSLEngine.getSupportedCipherSuites()`.
const JDK_SUITES: &[&str] = &[
    "TLS_AES_256_GCM_SHA384",
    "TLS_AES_128_GCM_SHA256",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_DHE_DSS_WITH_AES_256_GCM_SHA384",
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
    "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA256",
    "TLS_RSA_WITH_AES_128_CBC_SHA256",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
];

/// The suites netty-tcnative 2.0.70's BoringSSL offers by Java name (`OpenSsl.availableJavaCipherSuites()`,
/// each also under an `SSL_` alias, which is left out here).
const BORINGSSL_SUITES: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_ECDHE_PSK_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_PSK_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
    "TLS_PSK_WITH_AES_256_CBC_SHA",
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

/// What tcnative 2.0.36 (Cassandra 4.0 and 4.1) offers beyond 2.0.70's list.
const BORINGSSL_4X_EXTRA: &[&str] = &["TLS_RSA_WITH_3DES_EDE_CBC_SHA"];

/// Netty's default suites (`SslUtils.DEFAULT_CIPHER_SUITES`) for TLS 1.2, in Netty's order; each
/// provider keeps those it supports, then adds its TLS 1.3 defaults.
const NETTY_DEFAULT_TLS12: &[&str] = &[
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    "TLS_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_RSA_WITH_AES_128_CBC_SHA",
    "TLS_RSA_WITH_AES_256_CBC_SHA",
];

/// TLS 1.3's suites in the order the JDK provider's default list ends with.
const JDK_DEFAULT_TLS13: &[&str] = &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"];

/// TLS 1.3's suites in the order BoringSSL adds them.
const OPENSSL_TLS13: &[&str] = &[
    "TLS_AES_128_GCM_SHA256",
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
];

/// Why an engine cannot be built: Cassandra does not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
    /// A protocol name the provider does not know (`SSLEngine.setEnabledProtocols` refuses it).
    UnknownProtocol(String),
    /// No configured cipher suite is supported: "No ciphers left after filtering supported
    /// cipher suite" (SSLFactory.LoggingCipherSuiteFilter).
    NoCiphersLeft,
}

/// The enabled protocols and suites of an engine, as the provider reports them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Engine {
    /// `SSLEngine.getEnabledProtocols()`.
    pub protocols: Vec<String>,
    /// `SSLEngine.getEnabledCipherSuites()`.
    pub cipher_suites: Vec<String>,
}

fn supported_suite(provider: Provider, version: CassandraVersion, name: &str) -> bool {
    match provider {
        Provider::Jdk => JDK_SUITES.contains(&name),
        Provider::OpenSsl => {
            let name = name
                .strip_prefix("SSL_")
                .map_or(name.to_owned(), |r| format!("TLS_{r}"));
            BORINGSSL_SUITES.contains(&name.as_str())
                || (version < CassandraVersion::V5_0 && BORINGSSL_4X_EXTRA.contains(&name.as_str()))
        }
    }
}

/// The engine of a section: `protocols` is `getAcceptedProtocols()` (`None`: the provider's
/// defaults), `cipher_suites` the configured list (`None` or empty: the provider's defaults).
pub fn engine(
    version: CassandraVersion,
    provider: Provider,
    protocols: Option<&[String]>,
    cipher_suites: Option<&[String]>,
) -> Result<Engine, EngineError> {
    let protocols = enabled_protocols(version, provider, protocols)?;
    let tls13 = protocols.iter().any(|p| p == "TLSv1.3");
    let cipher_suites = match cipher_suites.filter(|c| !c.is_empty()) {
        None => default_suites(provider, tls13),
        Some(names) => {
            let mut kept: Vec<String> = Vec::new();
            for name in names {
                let canonical = match provider {
                    Provider::OpenSsl => name
                        .strip_prefix("SSL_")
                        .map_or(name.clone(), |r| format!("TLS_{r}")),
                    Provider::Jdk => name.clone(),
                };
                // JSSE supports TLS 1.3's suites only on an engine with TLSv1.3 enabled.
                let usable = supported_suite(provider, version, name)
                    && (provider == Provider::OpenSsl || tls13 || !is_tls13_suite(name));
                // JSSE keeps a repeated name; Netty's OpenSSL context lists each suite once.
                if usable && (provider == Provider::Jdk || !kept.contains(&canonical)) {
                    kept.push(canonical);
                }
            }
            if kept.is_empty() {
                return Err(EngineError::NoCiphersLeft);
            }
            // Netty 4.1.58's OpenSSL context adds TLS 1.3's suites to any configured list.
            if provider == Provider::OpenSsl && version < CassandraVersion::V5_0 && tls13 {
                for s in OPENSSL_TLS13 {
                    if !kept.iter().any(|k| k == s) {
                        kept.push((*s).to_owned());
                    }
                }
            }
            kept
        }
    };
    Ok(Engine {
        protocols,
        cipher_suites,
    })
}

fn is_tls13_suite(name: &str) -> bool {
    OPENSSL_TLS13.contains(&name)
}

/// Netty's defaults; TLS 1.3's suites only when TLSv1.3 is enabled.
fn default_suites(provider: Provider, tls13: bool) -> Vec<String> {
    let tls13_suites = match (provider, tls13) {
        (_, false) => &[][..],
        (Provider::Jdk, true) => JDK_DEFAULT_TLS13,
        (Provider::OpenSsl, true) => OPENSSL_TLS13,
    };
    NETTY_DEFAULT_TLS12
        .iter()
        .chain(tls13_suites)
        .map(|s| (*s).to_owned())
        .collect()
}

fn enabled_protocols(
    version: CassandraVersion,
    provider: Provider,
    protocols: Option<&[String]>,
) -> Result<Vec<String>, EngineError> {
    let known = match provider {
        Provider::Jdk => JDK_PROTOCOLS,
        Provider::OpenSsl => OPENSSL_PROTOCOLS,
    };
    // An empty list enables nothing (the OpenSSL engine still reports SSLv2Hello).
    if protocols.is_some_and(|l| l.is_empty()) {
        return Ok(match provider {
            Provider::Jdk => Vec::new(),
            Provider::OpenSsl => vec!["SSLv2Hello".to_owned()],
        });
    }
    let Some(list) = protocols else {
        return Ok(match (provider, version >= CassandraVersion::V5_0) {
            (Provider::Jdk, _) => vec!["TLSv1.3".into(), "TLSv1.2".into()],
            (Provider::OpenSsl, false) => ["SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
                .map(String::from)
                .to_vec(),
            (Provider::OpenSsl, true) => ["SSLv2Hello", "TLSv1.3", "TLSv1.2"]
                .map(String::from)
                .to_vec(),
        });
    };
    if let Some(bad) = list.iter().find(|p| !known.contains(&p.as_str())) {
        return Err(EngineError::UnknownProtocol(bad.clone()));
    }
    let mut configured: Vec<String> = Vec::new();
    for p in list {
        if !configured.contains(p) {
            configured.push(p.clone());
        }
    }
    Ok(match (provider, version >= CassandraVersion::V5_0) {
        (Provider::Jdk, _) => configured,
        // Netty 4.1.130 keeps the configured order, after SSLv2Hello.
        (Provider::OpenSsl, true) => std::iter::once("SSLv2Hello".to_owned())
            .chain(configured.into_iter().filter(|p| p != "SSLv2Hello"))
            .collect(),
        // Netty 4.1.58 sets BoringSSL's lowest and highest version: everything between the
        // two is enabled, reported in ascending order after SSLv2Hello.
        (Provider::OpenSsl, false) => {
            let rank = |p: &str| OPENSSL_PROTOCOLS.iter().position(|k| *k == p);
            let ranks: Vec<usize> = configured
                .iter()
                .filter(|p| *p != "SSLv2Hello")
                .filter_map(|p| rank(p))
                .collect();
            let (lo, hi) = (
                ranks.iter().copied().min().unwrap_or(usize::MAX),
                ranks.iter().copied().max().unwrap_or(0),
            );
            OPENSSL_PROTOCOLS
                .iter()
                .enumerate()
                .filter(|(i, p)| **p == "SSLv2Hello" || (*i >= lo && *i <= hi))
                .map(|(_, p)| (*p).to_owned())
                .collect()
        }
    })
}
