//! rustls configs for Cassandra's four TLS roles, built from a node's `cassandra.yaml`.
//!
//! | role | section | key | peer certificate |
//! |---|---|---|---|
//! | [`Role::InternodeServer`] | `server_encryption_options` | `keystore` | always required (Cassandra builds inbound internode contexts with client auth REQUIRED) |
//! | [`Role::InternodeClient`] | `server_encryption_options` | `outbound_keystore`, else `keystore` | the server's, checked against the truststore |
//! | [`Role::NativeServer`] | `client_encryption_options` | `keystore` | by `require_client_auth`: none, optional or required |
//! | [`Role::NativeClient`] | `client_encryption_options` | `keystore` when present (mTLS) | the server's |
//!
//! ```no_run
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{self, Role, TlsSettings};
//!
//! let yaml = CassandraYaml::load_file("conf/cassandra.yaml")?;
//! let client = tls::client_config(&yaml, Role::NativeClient, &TlsSettings::default())?;
//! for w in &client.warnings {
//!     eprintln!("warning: {w}");
//! }
//! // client.config is an Arc<rustls::ClientConfig>, for a driver or a Handshake.
//! # Ok::<(), cassandra_tls::Error>(())
//! ```
//!
//! [`reload`] builds the same configs with material that can be replaced while they are in use
//! (Cassandra's hot reload); [`cqlsh_client_config`] and [`nodetool_client_config`] build the
//! clients of Cassandra's command-line tools.

#[cfg(feature = "bundle")]
mod bundle;
mod driver;
mod identity;
mod material;
pub mod reload;
mod resolve;
mod tools;
pub(crate) mod verify;

use std::fmt;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::UnixTime;
use rustls::server::danger::ClientCertVerifier;
use rustls::{ClientConfig, ServerConfig, SupportedProtocolVersion};

#[cfg(feature = "bundle")]
pub use bundle::{ProxyMetadata, SecureConnectBundle};
pub use driver::DriverTls;
pub use identity::{IdentityMismatch, NodeIdentity, NodeVerifier};
pub(crate) use tools::nodetool_client_and_keystore;
pub use tools::{cqlsh_client_config, jmx_client_config, nodetool_client_config};
pub use verify::{ExpiredButTrusted, ExpiredPeer, UnknownIssuer, Usage, verify_chain};

use crate::error::{Error, Origin, Result};
use crate::keystore::{self, KeyStore};
use crate::options::{
    CassandraYaml, ClientAuth, EncryptionOptions, OptionWarning, TlsVersion, select_cipher_suites,
    select_protocols,
};
use material::{KeySource, Which};

/// One of Cassandra's four TLS roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A node accepting internode connections on the storage port.
    InternodeServer,
    /// A node connecting to a peer's storage port.
    InternodeClient,
    /// A node accepting clients on the native transport port.
    NativeServer,
    /// A client (driver, tool) connecting to the native transport port.
    NativeClient,
}

impl Role {
    /// The cassandra.yaml section the role reads.
    pub fn section(self) -> &'static str {
        match self {
            Role::InternodeServer | Role::InternodeClient => "server_encryption_options",
            Role::NativeServer | Role::NativeClient => "client_encryption_options",
        }
    }
}

/// Choices a caller makes that cassandra.yaml does not express.
#[derive(Clone, Debug, Default)]
pub struct TlsSettings {
    /// Validate certificates at this time instead of now (tests, expired corpora).
    pub now: Option<UnixTime>,
    /// What to do with expired peers.
    pub expired_peer: ExpiredPeer,
    /// Serve only the key with this alias. By default every usable key of the key store is
    /// offered and the first one that fits the peer's signature schemes is used, as JSSE's key
    /// manager does.
    pub key_alias: Option<String>,
    /// A key password different from the store password, for stores made with keytool's
    /// `-keypass` (an extension: Cassandra unlocks keys with the store password). A wrong one
    /// is reported as `wrong_key_password`, a wrong store password as
    /// `wrong_password_or_tampered`.
    pub key_password: Option<crate::password::Password>,
    /// The crypto provider to build with (key loading, signatures, cipher suites). `None`: the
    /// process default when the application installed one, else the provider this crate was
    /// compiled with (see [`crate::provider`]).
    pub provider: Option<Arc<CryptoProvider>>,
}

/// A warning from building a config: nothing failed, but the operator should know.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsWarning {
    /// About the options.
    Option(OptionWarning),
    /// About a store.
    Store {
        /// The store.
        origin: Origin,
        /// What the load noticed.
        warning: keystore::Warning,
    },
    /// cqlshrc `validate = false`: the server's certificate is not checked at all.
    NoServerVerification,
    /// cqlshrc `version`: ignored, the protocol is negotiated (cqlsh 4.1+ says the same).
    CqlshVersionIgnored(String),
    /// A private key rustls cannot use (DSA, for one); it is not offered.
    UnusableKey {
        /// The store.
        origin: Origin,
        /// The entry.
        alias: Option<String>,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for TlsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsWarning::Option(w) => w.fmt(f),
            TlsWarning::Store { origin, warning } => write!(f, "{origin}: {warning}"),
            TlsWarning::NoServerVerification => f.write_str(
                "cqlshrc: validate = false: the server's certificate is not verified (anyone can impersonate the node)",
            ),
            TlsWarning::CqlshVersionIgnored(v) => write!(
                f,
                "cqlshrc: version {v} is ignored; the protocol is auto-negotiated (TLSv1.2 or TLSv1.3)"
            ),
            TlsWarning::UnusableKey {
                origin,
                alias,
                reason,
            } => write!(
                f,
                "{origin}: key {} is not offered: {reason}",
                alias.as_deref().unwrap_or("(PEM)")
            ),
        }
    }
}

/// A server config and what the handshake must still apply.
#[derive(Debug, Clone)]
pub struct ServerTls {
    /// The rustls config.
    pub config: Arc<ServerConfig>,
    /// How client certificates are asked for.
    pub client_auth: ClientAuth,
    /// `require_endpoint_verification`: the client's certificate must name the client's
    /// address, which only the handshake knows.
    pub verify_client_address: bool,
    /// Warnings gathered while building.
    pub warnings: Vec<TlsWarning>,
}

/// A client config.
#[derive(Debug, Clone)]
pub struct ClientTls {
    /// The rustls config, for a driver or a handshake.
    pub config: Arc<ClientConfig>,
    /// `require_endpoint_verification`: the server's certificate is checked against the name or
    /// address connected to. Without it the chain is still checked.
    pub verify_server_name: bool,
    /// Whether a client certificate will be offered.
    pub has_client_certificate: bool,
    /// Warnings gathered while building.
    pub warnings: Vec<TlsWarning>,
}

#[derive(Debug)]
struct FixedTime(UnixTime);

impl rustls::time_provider::TimeProvider for FixedTime {
    fn current_time(&self) -> Option<UnixTime> {
        Some(self.0)
    }
}

fn time_provider(settings: &TlsSettings) -> Arc<dyn rustls::time_provider::TimeProvider> {
    match settings.now {
        Some(t) => Arc::new(FixedTime(t)),
        None => Arc::new(rustls::time_provider::DefaultTimeProvider),
    }
}

/// Protocols, cipher suites and the provider restricted to them, for one section.
struct Negotiable {
    provider: Arc<CryptoProvider>,
    versions: Vec<&'static SupportedProtocolVersion>,
}

fn negotiable(
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
fn check_algorithm(origin: &Origin, section: &'static str, opts: &EncryptionOptions) -> Result<()> {
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

fn rustls_error(origin: &Origin, section: &'static str, e: rustls::Error) -> Error {
    Error::config(
        origin,
        Some(section),
        None,
        format!("cannot build the TLS configuration: {e}"),
    )
}

fn store_warnings(store: &KeyStore, warnings: &mut Vec<TlsWarning>) {
    for w in store.warnings() {
        warnings.push(TlsWarning::Store {
            origin: store.origin().clone(),
            warning: w.clone(),
        });
    }
}

/// The key store a role serves from, loaded by the section's factory rules.
pub(crate) fn key_store(
    yaml: &CassandraYaml,
    role: Role,
    settings: &TlsSettings,
) -> Result<Option<KeyStore>> {
    key_store_from(yaml, role, settings, None)
}

/// [`key_store`], from bytes handed in when given (instead of the file or inline PEM).
fn key_store_from(
    yaml: &CassandraYaml,
    role: Role,
    settings: &TlsSettings,
    bytes: Option<&[u8]>,
) -> Result<Option<KeyStore>> {
    let origin = yaml.origin();
    let base = yaml.base_dir();
    let section = role.section();
    let server = yaml.server_encryption_options();
    let opts = match role {
        Role::InternodeServer | Role::InternodeClient => &server.common,
        _ => yaml.client_encryption_options(),
    };
    let inbound_password = material::keystore_password(origin, section, opts, base)?;
    let (path, password, which) = match role {
        Role::InternodeClient => (
            server.outbound_keystore_path(),
            server
                .outbound_keystore_password
                .clone()
                .or(inbound_password),
            Which::Outbound,
        ),
        _ => (opts.keystore_path(), inbound_password, Which::Inbound),
    };
    material::load_keystore(
        origin,
        base,
        &KeySource {
            section,
            opts,
            path,
            password: password.as_ref(),
            key_password: settings.key_password.as_ref(),
            which,
            bytes,
        },
    )
}

/// [`key_store`], refusing a `store_type` the JDK could not read the file with.
fn checked_key_store(
    yaml: &CassandraYaml,
    role: Role,
    settings: &TlsSettings,
    bytes: Option<&[u8]>,
) -> Result<Option<KeyStore>> {
    let store = key_store_from(yaml, role, settings, bytes)?;
    if let Some(store) = &store {
        material::check_store_type(yaml.origin(), role.section(), store)?;
    }
    Ok(store)
}

/// Refuses a key store whose configured `store_type` the JDK could not read it with.
pub(crate) fn check_key_store_type(
    yaml: &CassandraYaml,
    role: Role,
    store: &KeyStore,
) -> Result<()> {
    material::check_store_type(yaml.origin(), role.section(), store)
}

/// The trust anchors of a role's section (for the doctor).
pub(crate) fn material_trust_anchors(
    yaml: &CassandraYaml,
    role: Role,
) -> Result<Vec<crate::keystore::Certificate>> {
    let opts = match role {
        Role::InternodeServer | Role::InternodeClient => &yaml.server_encryption_options().common,
        _ => yaml.client_encryption_options(),
    };
    material::load_trust_anchors(
        yaml.origin(),
        yaml.base_dir(),
        role.section(),
        opts,
        None,
        yaml.version().empty_truststore_password_is_checked(),
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
    versions: Vec<&'static SupportedProtocolVersion>,
    /// For server roles: how client certificates are asked for.
    pub(crate) client_auth: ClientAuth,
    pub(crate) require_endpoint_verification: bool,
    warnings: Vec<TlsWarning>,
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

    fn is_server(&self) -> bool {
        matches!(self.role, Role::InternodeServer | Role::NativeServer)
    }

    fn needs_trust(&self) -> bool {
        !self.is_server() || self.client_auth != ClientAuth::NotRequired
    }
}

/// A role's key and trust material, validated: what a reload replaces.
pub(crate) struct Material {
    /// The keys to present (always for servers; for clients when they have a key store).
    pub(crate) keys: Option<resolve::KeyChoice>,
    /// The peer's certificate check: the server's (client roles) or the client's (server roles
    /// asking for client certificates).
    pub(crate) verifier: Option<PeerVerifier>,
    pub(crate) warnings: Vec<TlsWarning>,
}

/// The check of the peer's certificate, by which side it runs on.
pub(crate) enum PeerVerifier {
    /// A client checking the server.
    Server(verify::ServerVerifier),
    /// A server checking its clients.
    Client(verify::ClientVerifier),
}

/// Key store and truststore bytes handed in by the caller in place of the section's files.
#[derive(Clone, Copy, Default)]
pub(crate) struct Installed<'a> {
    pub(crate) keystore: Option<&'a [u8]>,
    pub(crate) truststore: Option<&'a [u8]>,
}

/// Loads and validates a role's material by the section's rules (files or inline PEM, or the
/// bytes `installed` in their place).
pub(crate) fn load_material(
    yaml: &CassandraYaml,
    plan: &Plan,
    settings: &TlsSettings,
    installed: Installed<'_>,
) -> Result<Material> {
    let origin = yaml.origin();
    let opts = match plan.role {
        Role::InternodeServer | Role::InternodeClient => &yaml.server_encryption_options().common,
        _ => yaml.client_encryption_options(),
    };
    let trust = || {
        material::load_trust_anchors(
            origin,
            yaml.base_dir(),
            plan.section,
            opts,
            installed.truststore,
            yaml.version().empty_truststore_password_is_checked(),
        )
    };
    // Clients read the truststore first, servers the key store, as Cassandra builds them.
    let client_anchors = if plan.is_server() {
        None
    } else {
        Some(trust()?)
    };
    let store = checked_key_store(yaml, plan.role, settings, installed.keystore)?;
    match (&store, plan.role) {
        (None, Role::InternodeServer | Role::NativeServer) => {
            return Err(Error::config(
                origin,
                Some(plan.section),
                Some("keystore"),
                format!(
                    "{} does not exist: failed to build key manager store for secure connections",
                    opts.keystore_path()
                ),
            ));
        }
        (None, Role::InternodeClient) => {
            // Every inbound internode context requires a client certificate.
            return Err(Error::config(
                origin,
                Some(plan.section),
                Some("outbound_keystore"),
                "no key store for the internode client: peers require a client certificate",
            ));
        }
        _ => {}
    }
    let anchors = match client_anchors {
        Some(a) => Some(a),
        None if plan.needs_trust() => Some(trust()?),
        None => None,
    };
    build_material(origin, plan, settings, store.as_ref(), anchors.as_deref())
}

/// Validates material from a key store and trust anchors already loaded.
pub(crate) fn build_material(
    origin: &Origin,
    plan: &Plan,
    settings: &TlsSettings,
    store: Option<&KeyStore>,
    anchors: Option<&[keystore::Certificate]>,
) -> Result<Material> {
    let mut warnings = Vec::new();
    let keys = match store {
        Some(store) => {
            store_warnings(store, &mut warnings);
            Some(resolve::KeyChoice::new(
                store,
                &plan.provider,
                settings.key_alias.as_deref(),
                &mut warnings,
            )?)
        }
        None => None,
    };
    let verifier = match anchors {
        Some(anchors) if plan.is_server() => Some(PeerVerifier::Client(
            verify::ClientVerifier::new(
                anchors,
                plan.provider.clone(),
                plan.client_auth == ClientAuth::Required,
                settings.expired_peer,
            )
            .map_err(|e| rustls_error(origin, plan.section, e))?,
        )),
        Some(anchors) => Some(PeerVerifier::Server(
            verify::ServerVerifier::new(
                anchors,
                plan.provider.clone(),
                plan.require_endpoint_verification,
                settings.expired_peer,
            )
            .map_err(|e| rustls_error(origin, plan.section, e))?,
        )),
        None => None,
    };
    Ok(Material {
        keys,
        verifier,
        warnings,
    })
}

/// Builds the server config for [`Role::InternodeServer`] or [`Role::NativeServer`].
pub fn server_config(
    yaml: &CassandraYaml,
    role: Role,
    settings: &TlsSettings,
) -> Result<ServerTls> {
    if !matches!(role, Role::InternodeServer | Role::NativeServer) {
        return Err(Error::config(
            yaml.origin(),
            Some(role.section()),
            None,
            format!("{role:?} is a client role; use client_config"),
        ));
    }
    let plan = Plan::new(yaml, role, settings)?;
    let material = load_material(yaml, &plan, settings, Installed::default())?;
    let keys: Arc<dyn rustls::server::ResolvesServerCert> =
        Arc::new(material.keys.expect("servers always have keys"));
    let verifier = match material.verifier {
        Some(PeerVerifier::Client(v)) => Some(Arc::new(v) as Arc<dyn ClientCertVerifier>),
        _ => None,
    };
    assemble_server(
        yaml.origin(),
        plan,
        settings,
        material.warnings,
        keys,
        verifier,
        None,
    )
}

/// A server config from a plan and (possibly swappable) material.
pub(crate) fn assemble_server(
    origin: &Origin,
    plan: Plan,
    settings: &TlsSettings,
    material_warnings: Vec<TlsWarning>,
    keys: Arc<dyn rustls::server::ResolvesServerCert>,
    verifier: Option<Arc<dyn ClientCertVerifier>>,
    sessions: Option<Arc<dyn rustls::server::StoresServerSessions>>,
) -> Result<ServerTls> {
    let builder =
        ServerConfig::builder_with_details(plan.provider.clone(), time_provider(settings))
            .with_protocol_versions(&plan.versions)
            .map_err(|e| rustls_error(origin, plan.section, e))?;
    let mut config = match verifier {
        None => builder.with_no_client_auth().with_cert_resolver(keys),
        Some(v) => builder
            .with_client_cert_verifier(v)
            .with_cert_resolver(keys),
    };
    if let Some(sessions) = sessions {
        config.session_storage = sessions;
    }
    let mut warnings = plan.warnings;
    warnings.extend(material_warnings);
    Ok(ServerTls {
        config: Arc::new(config),
        client_auth: plan.client_auth,
        verify_client_address: plan.require_endpoint_verification
            && plan.client_auth != ClientAuth::NotRequired,
        warnings,
    })
}

/// Builds the client config for [`Role::InternodeClient`] or [`Role::NativeClient`].
pub fn client_config(
    yaml: &CassandraYaml,
    role: Role,
    settings: &TlsSettings,
) -> Result<ClientTls> {
    if !matches!(role, Role::InternodeClient | Role::NativeClient) {
        return Err(Error::config(
            yaml.origin(),
            Some(role.section()),
            None,
            format!("{role:?} is a server role; use server_config"),
        ));
    }
    let plan = Plan::new(yaml, role, settings)?;
    let material = load_material(yaml, &plan, settings, Installed::default())?;
    let Some(PeerVerifier::Server(verifier)) = material.verifier else {
        unreachable!("client roles always verify the server");
    };
    let keys = material
        .keys
        .map(|k| Arc::new(k) as Arc<dyn rustls::client::ResolvesClientCert>);
    assemble_client(
        yaml.origin(),
        plan,
        settings,
        material.warnings,
        keys,
        Arc::new(verifier),
        None,
    )
}

/// A client config from a plan and (possibly swappable) material.
pub(crate) fn assemble_client(
    origin: &Origin,
    plan: Plan,
    settings: &TlsSettings,
    material_warnings: Vec<TlsWarning>,
    keys: Option<Arc<dyn rustls::client::ResolvesClientCert>>,
    verifier: Arc<dyn rustls::client::danger::ServerCertVerifier>,
    sessions: Option<Arc<dyn rustls::client::ClientSessionStore>>,
) -> Result<ClientTls> {
    let builder =
        ClientConfig::builder_with_details(plan.provider.clone(), time_provider(settings))
            .with_protocol_versions(&plan.versions)
            .map_err(|e| rustls_error(origin, plan.section, e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
    let has_client_certificate = keys.is_some();
    let mut config = match keys {
        Some(k) => builder.with_client_cert_resolver(k),
        None => builder.with_no_client_auth(),
    };
    if let Some(sessions) = sessions {
        config.resumption = rustls::client::Resumption::store(sessions);
    }
    let mut warnings = plan.warnings;
    warnings.extend(material_warnings);
    Ok(ClientTls {
        config: Arc::new(config),
        verify_server_name: plan.require_endpoint_verification,
        has_client_certificate,
        warnings,
    })
}
