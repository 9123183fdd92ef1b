//! A rustls provider restricted to a GnuTLS priority string (Scylla's `priority_string`).

use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, ConfigBuilder, ServerConfig, SupportedProtocolVersion, WantsVerifier};

use crate::options::TlsVersion;
use crate::options::scylla::{Priority, Unusable};

/// A provider holding only the cipher suites and key exchange groups a priority string
/// allows (in GnuTLS's preference order), and the TLS versions left.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PriorityProvider {
    /// The restricted provider.
    pub provider: Arc<CryptoProvider>,
    /// TLS 1.3 and/or 1.2.
    pub versions: Vec<&'static SupportedProtocolVersion>,
}

impl PriorityProvider {
    /// A client config builder with this provider and these versions.
    pub fn client_builder(
        &self,
    ) -> Result<ConfigBuilder<ClientConfig, WantsVerifier>, rustls::Error> {
        ClientConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&self.versions)
    }

    /// A server config builder with this provider and these versions.
    pub fn server_builder(
        &self,
    ) -> Result<ConfigBuilder<ServerConfig, WantsVerifier>, rustls::Error> {
        ServerConfig::builder_with_provider(self.provider.clone())
            .with_protocol_versions(&self.versions)
    }
}

/// `chosen` (else the process default provider, else the crate's) restricted to what
/// `priority` allows: its suites and groups that the provider implements, in the string's
/// order. Refused up front when nothing is left to negotiate with.
///
/// ```
/// use cassandra_tls::options::scylla::Priority;
/// use cassandra_tls::tls::restrict_to_priority;
///
/// let p = Priority::parse("SECURE128:-VERS-TLS-ALL:+VERS-TLS1.2")?;
/// let restricted = restrict_to_priority(&p, None)?;
/// assert_eq!(restricted.versions, vec![&rustls::version::TLS12]);
///
/// // TLS 1.2 with CBC suites only: nothing rustls has.
/// let cbc = Priority::parse("NONE:+VERS-TLS1.2:+AES-128-CBC:+SHA1:+ECDHE-RSA:+SIGN-ALL:+GROUP-ALL")?;
/// assert!(restrict_to_priority(&cbc, None).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn restrict_to_priority(
    priority: &Priority,
    chosen: Option<&Arc<CryptoProvider>>,
) -> Result<PriorityProvider, Unusable> {
    let subset = priority.rustls_subset()?;
    let mut provider = (*crate::provider::resolve(chosen)).clone();
    let suites = std::mem::take(&mut provider.cipher_suites);
    provider.cipher_suites = subset
        .suites
        .iter()
        .filter_map(|c| {
            suites
                .iter()
                .find(|s| u16::from(s.suite()) == c.iana)
                .copied()
        })
        .collect();
    if provider.cipher_suites.is_empty() {
        return Err(Unusable::NoSuite {
            suites: priority
                .suites
                .iter()
                .map(|s| s.gnutls_name.to_owned())
                .collect(),
        });
    }
    let groups = std::mem::take(&mut provider.kx_groups);
    provider.kx_groups = subset
        .groups
        .iter()
        .filter_map(|g| {
            groups
                .iter()
                .find(|k| u16::from(k.name()) == g.code)
                .copied()
        })
        .collect();
    if provider.kx_groups.is_empty() {
        return Err(Unusable::NoGroup {
            groups: priority
                .offered_groups
                .iter()
                .map(|g| g.name.to_owned())
                .collect(),
        });
    }
    let versions = subset
        .versions
        .iter()
        .filter(|v| {
            provider.cipher_suites.iter().any(|s| match v {
                TlsVersion::Tls12 => s.tls13().is_none(),
                TlsVersion::Tls13 => s.tls13().is_some(),
            })
        })
        .map(|v| match v {
            TlsVersion::Tls12 => &rustls::version::TLS12,
            TlsVersion::Tls13 => &rustls::version::TLS13,
        })
        .collect();
    Ok(PriorityProvider {
        provider: Arc::new(provider),
        versions,
    })
}
