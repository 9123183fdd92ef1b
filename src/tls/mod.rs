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
//! use cassandra_tls::tls::{self, ClientRole, TlsSettings};
//!
//! let yaml = CassandraYaml::load_file("conf/cassandra.yaml")?;
//! let client = tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default())?;
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

pub use crate::failure::{ExpiredButTrusted, IdentityMismatch, UnknownIssuer};
#[cfg(feature = "bundle")]
pub use bundle::{ProxyMetadata, SecureConnectBundle};
pub use driver::DriverTls;
pub use identity::{NodeIdentity, NodeVerifier};
pub(crate) use tools::nodetool_client_and_keystore;
pub use tools::{cqlsh_client_config, jmx_client_config, nodetool_client_config};
pub use verify::{ExpiredPeer, Usage, verify_chain};

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

/// The roles a node listens in: what [`server_config`] builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerRole {
    /// Accepting internode connections on the storage port ([`Role::InternodeServer`]).
    Internode,
    /// Accepting clients on the native transport port ([`Role::NativeServer`]).
    Native,
}

/// The roles that connect: what [`client_config`] builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientRole {
    /// A node connecting to a peer's storage port ([`Role::InternodeClient`]).
    Internode,
    /// A driver or tool connecting to the native transport port ([`Role::NativeClient`]).
    Native,
}

impl From<ServerRole> for Role {
    fn from(r: ServerRole) -> Role {
        match r {
            ServerRole::Internode => Role::InternodeServer,
            ServerRole::Native => Role::NativeServer,
        }
    }
}

impl From<ClientRole> for Role {
    fn from(r: ClientRole) -> Role {
        match r {
            ClientRole::Internode => Role::InternodeClient,
            ClientRole::Native => Role::NativeClient,
        }
    }
}

impl ServerRole {
    /// The cassandra.yaml section the role reads.
    pub fn section(self) -> &'static str {
        Role::from(self).section()
    }

    /// The client role that connects to this one.
    pub fn peer(self) -> ClientRole {
        match self {
            ServerRole::Internode => ClientRole::Internode,
            ServerRole::Native => ClientRole::Native,
        }
    }
}

impl ClientRole {
    /// The cassandra.yaml section the role reads.
    pub fn section(self) -> &'static str {
        Role::from(self).section()
    }
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

/// A server config, and for `require_endpoint_verification` the per-connection check of the
/// client's address.
///
/// With endpoint verification the client's certificate must name the address the client
/// connects from, which only the connection knows: [`ServerTls::config_for`] gives a config
/// for one connection whose verifier checks it during the handshake (a client that fails it
/// gets a `bad_certificate` alert). [`ServerTls::config_without_client_address_check`] is the
/// shared config, which checks the chain only.
#[derive(Debug, Clone)]
pub struct ServerTls {
    config: Arc<ServerConfig>,
    /// What a per-connection config is built from (endpoint verification only).
    per_connection: Option<Arc<PerConnection>>,
    /// How client certificates are asked for.
    pub client_auth: ClientAuth,
    /// `require_endpoint_verification`: the client's certificate must name the client's
    /// address, which only the handshake knows.
    pub verify_client_address: bool,
    /// Warnings gathered while building.
    pub warnings: Vec<TlsWarning>,
}

/// The parts of a server config, to build one per connection with the address check.
#[derive(Debug)]
struct PerConnection {
    provider: Arc<CryptoProvider>,
    time: Arc<dyn rustls::time_provider::TimeProvider>,
    versions: Vec<&'static SupportedProtocolVersion>,
    keys: Arc<dyn rustls::server::ResolvesServerCert>,
    verifier: Arc<dyn ClientCertVerifier>,
}

impl ServerTls {
    /// The rustls config for a connection from `peer`: with endpoint verification its client
    /// verifier also checks that the client's certificate names `peer` (refused in the
    /// handshake, with an alert); otherwise the shared config. Sessions are shared with the
    /// shared config.
    pub fn config_for(&self, peer: std::net::IpAddr) -> Arc<ServerConfig> {
        let Some(parts) = &self.per_connection else {
            return self.config.clone();
        };
        let verifier = Arc::new(verify::AddressBound {
            inner: parts.verifier.clone(),
            address: peer,
        });
        match ServerConfig::builder_with_details(parts.provider.clone(), parts.time.clone())
            .with_protocol_versions(&parts.versions)
        {
            Ok(builder) => {
                let mut config = builder
                    .with_client_cert_verifier(verifier)
                    .with_cert_resolver(parts.keys.clone());
                config.session_storage = self.config.session_storage.clone();
                config.alpn_protocols = self.config.alpn_protocols.clone();
                Arc::new(config)
            }
            // The same parts built the shared config, so this cannot fail; if it did, refuse
            // every client rather than skip the check.
            Err(_) => Arc::new(
                ServerConfig::builder_with_provider(parts.provider.clone())
                    .with_safe_default_protocol_versions()
                    .map(|b| {
                        b.with_client_cert_verifier(Arc::new(verify::RefuseAll(
                            parts.verifier.clone(),
                        )))
                        .with_cert_resolver(parts.keys.clone())
                    })
                    .unwrap_or_else(|_| (*self.config).clone()),
            ),
        }
    }

    /// The shared rustls config, for a caller that hands it to another TLS stack (a proxy
    /// with tokio-rustls, say). When [`ServerTls::verify_client_address`] is set, this config
    /// does **not** check that the client's certificate names its address (Cassandra's
    /// `require_endpoint_verification`); use [`ServerTls::config_for`] per connection for that.
    pub fn config_without_client_address_check(&self) -> &Arc<ServerConfig> {
        &self.config
    }
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
}

/// A server role's key and trust material, validated: what a reload replaces.
pub(crate) struct ServerMaterial {
    /// The keys to present.
    pub(crate) keys: resolve::KeyChoice,
    /// The check of client certificates, when they are asked for.
    pub(crate) verifier: Option<verify::ClientVerifier>,
    pub(crate) warnings: Vec<TlsWarning>,
}

/// A client role's key and trust material, validated: what a reload replaces.
pub(crate) struct ClientMaterial {
    /// The keys to present, when the client has a key store.
    pub(crate) keys: Option<resolve::KeyChoice>,
    /// The check of the server's certificate (absent only for a driver's `CERT_NONE`).
    pub(crate) verifier: Option<verify::ServerVerifier>,
    pub(crate) warnings: Vec<TlsWarning>,
}

/// Key store and truststore bytes handed in by the caller in place of the section's files.
#[derive(Clone, Copy, Default)]
pub(crate) struct Installed<'a> {
    pub(crate) keystore: Option<&'a [u8]>,
    pub(crate) truststore: Option<&'a [u8]>,
}

fn section_options(yaml: &CassandraYaml, role: Role) -> &EncryptionOptions {
    match role {
        Role::InternodeServer | Role::InternodeClient => &yaml.server_encryption_options().common,
        Role::NativeServer | Role::NativeClient => yaml.client_encryption_options(),
    }
}

fn trust_anchors_of(
    yaml: &CassandraYaml,
    plan: &Plan,
    installed: Installed<'_>,
) -> Result<Vec<keystore::Certificate>> {
    material::load_trust_anchors(
        yaml.origin(),
        yaml.base_dir(),
        plan.section,
        section_options(yaml, plan.role),
        installed.truststore,
        yaml.version().empty_truststore_password_is_checked(),
    )
}

/// Loads and validates a server role's material by the section's rules (files or inline PEM,
/// or the bytes `installed` in their place). The key store first, as Cassandra builds it.
pub(crate) fn load_server_material(
    yaml: &CassandraYaml,
    plan: &Plan,
    settings: &TlsSettings,
    installed: Installed<'_>,
) -> Result<ServerMaterial> {
    let Some(store) = checked_key_store(yaml, plan.role, settings, installed.keystore)? else {
        return Err(Error::config(
            yaml.origin(),
            Some(plan.section),
            Some("keystore"),
            format!(
                "{} does not exist: failed to build key manager store for secure connections",
                section_options(yaml, plan.role).keystore_path()
            ),
        ));
    };
    let anchors = if plan.client_auth != ClientAuth::NotRequired {
        Some(trust_anchors_of(yaml, plan, installed)?)
    } else {
        None
    };
    build_server_material(yaml.origin(), plan, settings, &store, anchors.as_deref())
}

/// Loads and validates a client role's material (the truststore first, as Cassandra does).
pub(crate) fn load_client_material(
    yaml: &CassandraYaml,
    plan: &Plan,
    settings: &TlsSettings,
    installed: Installed<'_>,
) -> Result<ClientMaterial> {
    let anchors = trust_anchors_of(yaml, plan, installed)?;
    let store = checked_key_store(yaml, plan.role, settings, installed.keystore)?;
    if store.is_none() && plan.role == Role::InternodeClient {
        // Every inbound internode context requires a client certificate.
        return Err(Error::config(
            yaml.origin(),
            Some(plan.section),
            Some("outbound_keystore"),
            "no key store for the internode client: peers require a client certificate",
        ));
    }
    build_client_material(
        yaml.origin(),
        plan,
        settings,
        store.as_ref(),
        Some(&anchors),
    )
}

fn key_choice(
    plan: &Plan,
    settings: &TlsSettings,
    store: &KeyStore,
    warnings: &mut Vec<TlsWarning>,
) -> Result<resolve::KeyChoice> {
    store_warnings(store, warnings);
    resolve::KeyChoice::new(
        store,
        &plan.provider,
        settings.key_alias.as_deref(),
        warnings,
    )
}

/// Validates a server's material from a key store and trust anchors already loaded.
pub(crate) fn build_server_material(
    origin: &Origin,
    plan: &Plan,
    settings: &TlsSettings,
    store: &KeyStore,
    anchors: Option<&[keystore::Certificate]>,
) -> Result<ServerMaterial> {
    let mut warnings = Vec::new();
    let keys = key_choice(plan, settings, store, &mut warnings)?;
    let verifier = match anchors {
        Some(anchors) => Some(
            verify::ClientVerifier::new(
                anchors,
                plan.provider.clone(),
                plan.client_auth == ClientAuth::Required,
                settings.expired_peer,
            )
            .map_err(|e| rustls_error(origin, plan.section, e))?,
        ),
        None => None,
    };
    Ok(ServerMaterial {
        keys,
        verifier,
        warnings,
    })
}

/// Validates a client's material from a key store and trust anchors already loaded.
pub(crate) fn build_client_material(
    origin: &Origin,
    plan: &Plan,
    settings: &TlsSettings,
    store: Option<&KeyStore>,
    anchors: Option<&[keystore::Certificate]>,
) -> Result<ClientMaterial> {
    let mut warnings = Vec::new();
    let keys = match store {
        Some(store) => Some(key_choice(plan, settings, store, &mut warnings)?),
        None => None,
    };
    let verifier = match anchors {
        Some(anchors) => Some(
            verify::ServerVerifier::new(
                anchors,
                plan.provider.clone(),
                plan.require_endpoint_verification,
                settings.expired_peer,
            )
            .map_err(|e| rustls_error(origin, plan.section, e))?,
        ),
        None => None,
    };
    Ok(ClientMaterial {
        keys,
        verifier,
        warnings,
    })
}

/// Builds the server config for a [`ServerRole`].
pub fn server_config(
    yaml: &CassandraYaml,
    role: ServerRole,
    settings: &TlsSettings,
) -> Result<ServerTls> {
    let plan = Plan::new(yaml, role.into(), settings)?;
    let material = load_server_material(yaml, &plan, settings, Installed::default())?;
    let verifier = material
        .verifier
        .map(|v| Arc::new(v) as Arc<dyn ClientCertVerifier>);
    assemble_server(
        yaml.origin(),
        plan,
        settings,
        material.warnings,
        Arc::new(material.keys),
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
    let time = time_provider(settings);
    let builder = ServerConfig::builder_with_details(plan.provider.clone(), time.clone())
        .with_protocol_versions(&plan.versions)
        .map_err(|e| rustls_error(origin, plan.section, e))?;
    let verify_client_address =
        plan.require_endpoint_verification && plan.client_auth != ClientAuth::NotRequired;
    let per_connection = match (&verifier, verify_client_address) {
        (Some(v), true) => Some(Arc::new(PerConnection {
            provider: plan.provider.clone(),
            time,
            versions: plan.versions.clone(),
            keys: keys.clone(),
            verifier: v.clone(),
        })),
        _ => None,
    };
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
        per_connection,
        client_auth: plan.client_auth,
        verify_client_address,
        warnings,
    })
}

/// Builds the client config for a [`ClientRole`].
pub fn client_config(
    yaml: &CassandraYaml,
    role: ClientRole,
    settings: &TlsSettings,
) -> Result<ClientTls> {
    let plan = Plan::new(yaml, role.into(), settings)?;
    let material = load_client_material(yaml, &plan, settings, Installed::default())?;
    let keys = material
        .keys
        .map(|k| Arc::new(k) as Arc<dyn rustls::client::ResolvesClientCert>);
    let verifier = verifier_or_refusal(material.verifier, &plan);
    assemble_client(
        yaml.origin(),
        plan,
        settings,
        material.warnings,
        keys,
        verifier,
        None,
    )
}

/// The client's check of the server; without one (a driver's `CERT_NONE`), the handshake
/// signature is still checked but the certificate is not.
pub(crate) fn verifier_or_refusal(
    verifier: Option<verify::ServerVerifier>,
    plan: &Plan,
) -> Arc<dyn rustls::client::danger::ServerCertVerifier> {
    match verifier {
        Some(v) => Arc::new(v),
        None => Arc::new(verify::NoCertificateCheck(plan.provider.clone())),
    }
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
