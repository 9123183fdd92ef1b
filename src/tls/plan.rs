//! What a role's config is made of apart from its material: the section, protocols and
//! suites, the provider restricted to them, and how peers are checked ([`Plan`]).

use std::sync::Arc;

use rustls::SupportedProtocolVersion;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::UnixTime;

use super::{Role, TlsSettings, TlsWarning};
use crate::error::{Error, Origin, Result};
use crate::options::{
    CipherSuiteChoice, ClientAuth, ManagerFactory, ResolvedNode, TlsVersion, check_algorithm,
};

#[derive(Debug)]
struct FixedTime(UnixTime);

impl rustls::time_provider::TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(self.0)
    }
}

pub(crate) fn time_provider(
    settings: &TlsSettings,
) -> Arc<dyn rustls::time_provider::TimeProvider> {
    match settings.now {
        Some(t) => Arc::new(FixedTime(t)),
        None => Arc::new(rustls::time_provider::DefaultTimeProvider),
    }
}

/// Protocols, cipher suites and the provider restricted to them, for one section.
pub(crate) struct Negotiable {
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) versions: Vec<&'static SupportedProtocolVersion>,
}

/// The provider restricted to the suites the options layer chose, and the versions left.
pub(crate) fn negotiable(
    suites: &CipherSuiteChoice,
    chosen: Option<&Arc<CryptoProvider>>,
) -> Negotiable {
    let mut provider = (*crate::provider::resolve(chosen)).clone();
    if let Some(chosen) = &suites.suites {
        let available = std::mem::take(&mut provider.cipher_suites);
        provider.cipher_suites = chosen
            .iter()
            .filter_map(|c| {
                available
                    .iter()
                    .find(|s| u16::from(s.suite()) == c.iana)
                    .copied()
            })
            .collect();
    }
    let versions = suites
        .versions
        .iter()
        .map(|v| match v {
            TlsVersion::Tls12 => &rustls::version::TLS12,
            TlsVersion::Tls13 => &rustls::version::TLS13,
        })
        .collect();
    Negotiable {
        provider: Arc::new(provider),
        versions,
    }
}

pub(crate) fn rustls_error(origin: &Origin, section: &'static str, e: rustls::Error) -> Error {
    Error::config(
        origin,
        Some(section),
        None,
        format!("cannot build the TLS configuration: {e}"),
    )
}

/// What a role's config is made of apart from its key and trust material: the section, the
/// protocols and suites, and how peers are checked. Fixed for the life of a config; a reload
/// rebuilds only the [`Material`].
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) role: Role,
    pub(crate) section: &'static str,
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) versions: Vec<&'static SupportedProtocolVersion>,
    /// For server roles: how client certificates are asked for.
    pub(crate) client_auth: ClientAuth,
    pub(crate) require_endpoint_verification: bool,
    pub(crate) warnings: Vec<TlsWarning>,
}

impl Plan {
    /// The plan of `role` on a resolved node: its section's verdict, and the provider
    /// restricted to the section's suites.
    pub(crate) fn new(node: &ResolvedNode, role: Role, settings: &TlsSettings) -> Result<Plan> {
        let section = role.options(node);
        let (client_auth, builds_trust) = match role {
            Role::InternodeServer | Role::NativeServer => (
                section.server_client_auth(),
                section.server_verifies_peers(),
            ),
            Role::InternodeClient | Role::NativeClient => (ClientAuth::NotRequired, true),
        };
        let origin = node.origin();
        check_algorithm(
            origin,
            role.section(),
            &section.options,
            ManagerFactory::Key,
        )?;
        if builds_trust {
            check_algorithm(
                origin,
                role.section(),
                &section.options,
                ManagerFactory::Trust,
            )?;
        }
        let mut warnings: Vec<TlsWarning> = node
            .warnings()
            .into_iter()
            .chain(section.negotiation_warnings())
            .map(TlsWarning::Option)
            .collect();
        let suites = section.cipher_suites()?;
        let n = negotiable(suites, settings.provider.as_ref());
        warnings.dedup();
        Ok(Plan {
            role,
            section: role.section(),
            provider: n.provider,
            versions: n.versions,
            client_auth,
            require_endpoint_verification: section.endpoint_verification,
            warnings,
        })
    }
}
