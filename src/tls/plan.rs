//! What a role's config is made of apart from its material: the section, protocols and
//! suites, the provider restricted to them, and how peers are checked ([`Plan`]).

use std::sync::Arc;

use rustls::SupportedProtocolVersion;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::UnixTime;

use super::{Role, TlsSettings, TlsWarning};
use crate::error::{Error, Origin, Result};
use crate::options::{
    CassandraYaml, ClientAuth, EncryptionOptions, TlsVersion, select_cipher_suites,
    select_protocols,
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

pub(crate) fn negotiable(
    origin: &Origin,
    section: &'static str,
    opts: &EncryptionOptions,
    chosen: Option<&Arc<CryptoProvider>>,
    warnings: &mut Vec<TlsWarning>,
) -> Result<Negotiable> {
    check_algorithm(origin, section, opts)?;
    let protocols = select_protocols(
        origin,
        section,
        opts.protocol.as_deref(),
        opts.accepted_protocols.as_deref(),
    )?;
    warnings.extend(protocols.warnings.into_iter().map(TlsWarning::Option));
    let suites = select_cipher_suites(
        origin,
        section,
        opts.cipher_suites.as_deref(),
        &protocols.versions,
    )?;
    warnings.extend(suites.warnings.into_iter().map(TlsWarning::Option));
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
    Ok(Negotiable {
        provider: Arc::new(provider),
        versions,
    })
}

/// `algorithm` names the JSSE key and trust manager factories; only the JDK's own are
/// meaningful here.
pub(crate) fn check_algorithm(
    origin: &Origin,
    section: &'static str,
    opts: &EncryptionOptions,
) -> Result<()> {
    match opts.algorithm.as_deref() {
        None => Ok(()),
        Some(a)
            if ["SunX509", "NewSunX509", "PKIX"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(a.trim())) =>
        {
            Ok(())
        }
        Some(a) => Err(Error::config(
            origin,
            Some(section),
            Some("algorithm"),
            format!(
                "'{a}' is not a key/trust manager algorithm this crate implements (SunX509, NewSunX509, PKIX, or unset)"
            ),
        )),
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
    pub(crate) fn new(yaml: &CassandraYaml, role: Role, settings: &TlsSettings) -> Result<Plan> {
        let origin = yaml.origin();
        let section = role.section();
        let (opts, client_auth) = match role {
            // Inbound internode contexts are always built with client auth REQUIRED.
            Role::InternodeServer => (
                &yaml.server_encryption_options().common,
                ClientAuth::Required,
            ),
            Role::NativeServer => {
                let c = yaml.client_encryption_options();
                (c, c.require_client_auth)
            }
            Role::InternodeClient => (
                &yaml.server_encryption_options().common,
                ClientAuth::NotRequired,
            ),
            Role::NativeClient => (yaml.client_encryption_options(), ClientAuth::NotRequired),
        };
        let mut warnings: Vec<TlsWarning> = yaml
            .warnings()
            .into_iter()
            .map(TlsWarning::Option)
            .collect();
        let n = negotiable(
            origin,
            section,
            opts,
            settings.provider.as_ref(),
            &mut warnings,
        )?;
        Ok(Plan {
            role,
            section,
            provider: n.provider,
            versions: n.versions,
            client_auth,
            require_endpoint_verification: opts.require_endpoint_verification,
            warnings,
        })
    }
}

pub(crate) fn section_options(yaml: &CassandraYaml, role: Role) -> &EncryptionOptions {
    match role {
        Role::InternodeServer | Role::InternodeClient => &yaml.server_encryption_options().common,
        Role::NativeServer | Role::NativeClient => yaml.client_encryption_options(),
    }
}
