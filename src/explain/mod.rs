//! What a node does with its cassandra.yaml at start-up, as Cassandra 4.0, 4.1 or 5.0 does it:
//! accepted or refused (with the stage and the reason), each section's port policy, client auth
//! and endpoint verification, its stores, and the protocols and cipher suites of the SSLEngine it
//! ends up with, by TLS provider.
//!
//! This is Java's verdict, not rustls': [`crate::doctor`] says what fails at handshake time.
//! Where rustls cannot do what Java would (TLSv1.1, CBC suites), each section lists the
//! divergence and what this crate does instead.
//!
//! ```
//! use cassandra_tls::explain::{explain, Provider};
//! use cassandra_tls::options::CassandraVersion;
//!
//! let e = explain("fixtures/conf/cassandra.yaml", CassandraVersion::V4_0, Provider::OpenSsl);
//! assert!(e.accepted);
//! let internode = e.server_encryption_options.as_ref().unwrap();
//! assert_eq!(internode.policy, "ENCRYPTED");
//! assert_eq!(internode.protocols.as_deref().unwrap()[0], "SSLv2Hello");
//! ```

mod engine;
pub mod scylla;

use std::path::Path;

use serde::Serialize;

pub use engine::{Engine, EngineError, JDK, Provider, engine};

use crate::error::Error;
use crate::keystore::{KeyAlgorithm, KeyStore};
use crate::options::{
    CassandraVersion, CassandraYaml, ClientAuth, InternodeEncryption, ManagerFactory, Policy,
    ResolvedNode, ResolvedSection, Section, SslContextFactoryKind, accepted_protocols,
    check_algorithm,
};
use crate::tls::{Node, Role, TlsSettings, missing_key_store};

/// The start-up verdict on one cassandra.yaml. Serialises to the JSON of
/// `cassandra-tls explain --json` (documented in the README).
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    /// The yaml.
    pub path: String,
    /// The Cassandra version it was read as.
    pub version: &'static str,
    /// The TLS provider the verdict is for.
    pub provider: Provider,
    /// The JDK whose JSSE tables the engine model was written from (17); the verdict is the
    /// same on every JDK of [`jdks`](Self::jdks).
    pub jdk: &'static str,
    /// The Java majors this verdict was measured on ([`CassandraVersion::jdks`]): the line's
    /// own option classes, run on each, agree with this crate on the differential grid (every
    /// difference is listed in FIDELITY.md). Java 8 (4.0, 4.1) is not among them: it cannot be
    /// run where the oracle runs.
    pub jdks: &'static [u8],
    /// Whether the node starts with these options.
    pub accepted: bool,
    /// Why it does not.
    pub error: Option<StartupError>,
    /// `server_encryption_options` as applied (when accepted).
    pub server_encryption_options: Option<SectionExplanation>,
    /// `client_encryption_options` as applied (when accepted).
    pub client_encryption_options: Option<SectionExplanation>,
    /// 6.0's `jmx_encryption_options` as applied (when accepted and the yaml has it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jmx_encryption_options: Option<SectionExplanation>,
    /// The authenticators as the node makes them (when accepted): classes, validators, how a
    /// client certificate logs in, and the identities the internode authenticator trusts.
    pub auth: Option<crate::tls::AuthSetup>,
}

/// Where start-up stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// The yaml loader (YamlConfigurationLoader): syntax, types, unknown or empty keys.
    Load,
    /// Applying the options (EncryptionOptions.applyConfig, the factory's constructor, the port
    /// checks of DatabaseDescriptor).
    Apply,
    /// Building the SSL contexts (SSLFactory.validateSslContext): stores, passwords, protocols,
    /// cipher suites. Cassandra says "Failed to initialize SSL".
    Ssl,
    /// Making the authenticators (AuthConfig.applyAuth): their classes, the mTLS
    /// authenticators' validators and prerequisites, the internode authenticator's identities.
    Auth,
}

/// The error Cassandra stops with, in this crate's words.
#[derive(Clone, Debug, Serialize)]
pub struct StartupError {
    /// Where start-up stops.
    pub stage: Stage,
    /// The section concerned, when one is.
    pub section: Option<String>,
    /// The option concerned, when one is.
    pub key: Option<String>,
    /// What is wrong and what Cassandra says (never a password).
    pub message: String,
}

/// One section as the node applies it.
#[derive(Clone, Debug, Serialize)]
pub struct SectionExplanation {
    /// UNENCRYPTED, OPTIONAL or ENCRYPTED (`TlsEncryptionPolicy`).
    pub policy: Policy,
    /// `isEnabled` after applyConfig.
    pub enabled: bool,
    /// `isOptional` after applyConfig.
    pub optional: bool,
    /// `internode_encryption` (server section only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internode_encryption: Option<InternodeEncryption>,
    /// `none`, `optional` or `required`.
    pub client_auth: ClientAuth,
    /// `require_endpoint_verification`.
    pub endpoint_verification: bool,
    /// `store_type` (JKS by default; the PEM factory ignores it).
    pub store_type: String,
    /// The factory: `default` or `pem`.
    #[serde(serialize_with = "factory_name")]
    pub factory: SslContextFactoryKind,
    /// `keystore`.
    pub keystore: String,
    /// Whether a key store password applies (given, or 4.0's default).
    pub keystore_password_set: bool,
    /// `truststore`.
    pub truststore: String,
    /// Whether a truststore password applies.
    pub truststore_password_set: bool,
    /// `outbound_keystore` (server section, 5.0 on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outbound_keystore: Option<Option<String>>,
    /// The stores the contexts read, summarised.
    pub stores: Vec<StoreSummary>,
    /// The server SSLEngine's enabled protocols, in the provider's order (`null` when the
    /// section is UNENCRYPTED and no engine is built).
    pub protocols: Option<Vec<String>>,
    /// The server SSLEngine's enabled cipher suites, in the provider's order.
    pub cipher_suites: Option<Vec<String>>,
    /// Where this crate cannot do what Java does, and what it does instead.
    pub divergences: Vec<String>,
}

/// A store a section reads, in brief.
#[derive(Clone, Debug, Serialize)]
pub struct StoreSummary {
    /// `keystore`, `outbound_keystore` or `truststore`.
    pub role: &'static str,
    /// Where it comes from.
    pub origin: String,
    /// The detected format.
    pub format: String,
    /// Private-key entries.
    pub keys: usize,
    /// Certificates to trust (trusted entries, and key-entry leaves).
    pub trusted: usize,
}

/// Explains the yaml at `path` as `version` reads it, for `provider`. Relative store paths
/// resolve against the working directory, as Cassandra resolves them.
pub fn explain(
    path: impl AsRef<Path>,
    version: CassandraVersion,
    provider: Provider,
) -> Explanation {
    let path = path.as_ref();
    let loaded = CassandraYaml::load_file_for(path, version);
    explain_yaml(path.display().to_string(), loaded, version, provider)
}

/// [`explain`] for yaml already read (or the error reading it gave).
pub fn explain_yaml(
    path: String,
    loaded: crate::Result<CassandraYaml>,
    version: CassandraVersion,
    provider: Provider,
) -> Explanation {
    match loaded {
        Ok(yaml) => explain_loaded(path, &yaml, provider),
        Err(e) => {
            // The factory is made (and its class and parameters checked) by applyConfig, in
            // versions that have one; 6.0's require_client_auth is a String the factory's
            // constructor parses (ClientAuth.from). Every other error is the loader's.
            let stage = match &e {
                Error::Config { key: Some(k), .. }
                    if k == "ssl_context_factory" && version.has_ssl_context_factory() =>
                {
                    Stage::Apply
                }
                Error::Config { key: Some(k), .. }
                    if k == "require_client_auth" && version.client_auth_is_tri_state() =>
                {
                    Stage::Apply
                }
                _ => Stage::Load,
            };
            let mut out = Explanation::new(path, version, provider);
            out.error = Some(startup_error(stage, &e));
            out
        }
    }
}

/// [`explain`] for a yaml read without error, as the version it was read as.
pub fn explain_loaded(path: String, yaml: &CassandraYaml, provider: Provider) -> Explanation {
    explain_node(path, &Node::new(yaml), provider)
}

/// [`explain`] for a node already resolved, reading its stores through it (each once).
pub fn explain_node(path: String, node: &Node, provider: Provider) -> Explanation {
    let yaml = node.resolved().yaml();
    let mut out = Explanation::new(path, yaml.version(), provider);
    if let Err(e) = apply(node.resolved()) {
        out.error = Some(startup_error(Stage::Apply, &e));
        return out;
    }
    // validateSslContext: "Internode messaging", "Native transport", then 6.0's "JMX
    // transport", which is validated as the native transport is (its section in the client's
    // place).
    let jmx = node.jmx_view();
    let mut sections = Vec::new();
    for (view, server, name) in [
        (Some(node), true, Section::Server),
        (Some(node), false, Section::Client),
        (jmx.as_ref(), false, Section::Jmx),
    ] {
        let Some(view) = view else { continue };
        match section(view, server, name, provider) {
            Ok(s) => sections.push(Some(s)),
            Err(e) => {
                let mut error = startup_error(Stage::Ssl, &e);
                error.section = Some(name.as_str().to_owned());
                out.error = Some(error);
                return out;
            }
        }
    }
    // AuthConfig.applyAuth, after the SSL contexts (daemonInitialization).
    match crate::tls::check_authenticators(node) {
        Ok(auth) => out.auth = Some(auth),
        Err(e) => {
            out.error = Some(startup_error(Stage::Auth, &e));
            return out;
        }
    }
    let mut sections = sections.into_iter();
    out.accepted = true;
    out.server_encryption_options = sections.next().flatten();
    out.client_encryption_options = sections.next().flatten();
    out.jmx_encryption_options = sections.next().flatten();
    out
}

impl Explanation {
    /// A refusal with no reason yet, to be filled in.
    fn new(path: String, version: CassandraVersion, provider: Provider) -> Self {
        Explanation {
            path,
            version: version.as_str(),
            provider,
            jdk: JDK,
            jdks: version.jdks(),
            accepted: false,
            error: None,
            server_encryption_options: None,
            client_encryption_options: None,
            jmx_encryption_options: None,
            auth: None,
        }
    }
}

fn factory_name<S: serde::Serializer>(
    factory: &SslContextFactoryKind,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(factory.name())
}

fn startup_error(stage: Stage, e: &Error) -> StartupError {
    let (section, key) = match e {
        Error::Config { section, key, .. } => (section.clone(), key.clone()),
        _ => (None, None),
    };
    StartupError {
        stage,
        section,
        key,
        message: e.to_string(),
    }
}

/// DatabaseDescriptor.applySimpleConfig's encryption part, in its order: the client section
/// (its factory, then the native_transport_port_ssl check), then the server section (its
/// factory, then the legacy SSL storage port check).
fn apply(node: &ResolvedNode) -> crate::Result<()> {
    let yaml = node.yaml();
    let origin = yaml.origin();
    let server = yaml.server_encryption_options();
    let version = yaml.version();
    factory_rules(node, Section::Client)?;
    let facts = yaml.node();
    if let Some(ssl_port) = facts.native_transport_port_ssl
        && version < CassandraVersion::V6_0
        && ssl_port != facts.native_transport_port
        && node.client().policy == Policy::Unencrypted
    {
        return Err(Error::config(
            origin,
            None,
            Some("native_transport_port_ssl"),
            "Encryption must be enabled in client_encryption_options for native_transport_port_ssl",
        ));
    }
    // 6.0 applies jmx_server_options.jmx_encryption_options between the two (applySimpleConfig).
    factory_rules(node, Section::Jmx)?;
    factory_rules(node, Section::Server)?;
    if server.legacy_ssl_storage_port_enabled && node.server().policy == Policy::Unencrypted {
        let key = version.legacy_port_key();
        return Err(Error::config(
            origin,
            Some(Section::Server.as_str()),
            Some(key),
            format!(
                "{key} is true (enabled) with internode encryption disabled (none). Enable encryption or disable the legacy ssl storage port."
            ),
        ));
    }
    Ok(())
}

/// What a section's SSL context factory refuses when applyConfig makes it (6.0's password
/// files, the PEM factory's constructor): the resolved section's sources say.
fn factory_rules(node: &ResolvedNode, section: Section) -> crate::Result<()> {
    match node.section(section) {
        Some(s) => crate::tls::factory::constructed(node.origin(), s).map(|_| ()),
        None => Ok(()),
    }
}

/// One section: its policy, and when it is not UNENCRYPTED, validateSslContext's work (the
/// server and client contexts, their stores, the engine).
fn section(
    node: &Node,
    server: bool,
    name: Section,
    provider: Provider,
) -> crate::Result<SectionExplanation> {
    let resolved = node.resolved();
    let version = resolved.version();
    let (r, role) = if server {
        (resolved.server(), Role::InternodeServer)
    } else {
        (resolved.client(), Role::NativeServer)
    };
    let opts = &r.options;
    let mut out = SectionExplanation {
        policy: r.policy,
        enabled: r.enabled,
        optional: r.optional,
        internode_encryption: r.internode_encryption,
        client_auth: r.client_auth,
        endpoint_verification: r.endpoint_verification,
        store_type: opts.store_type.clone().unwrap_or_else(|| "JKS".to_owned()),
        factory: r.factory.clone(),
        keystore: opts.keystore_path().to_owned(),
        keystore_password_set: opts.keystore_password.is_some(),
        truststore: opts.truststore_path().to_owned(),
        truststore_password_set: opts.truststore_password.is_some(),
        outbound_keystore: (server && version >= CassandraVersion::V5_0)
            .then(|| resolved.server_options().outbound_keystore.clone()),
        stores: Vec::new(),
        protocols: None,
        cipher_suites: None,
        divergences: Vec::new(),
    };
    if r.policy == Policy::Unencrypted {
        return Ok(out);
    }
    let settings = TlsSettings::default();
    let origin = resolved.origin();
    let section_name = name.as_str();
    // The server context: the key store, the trust store when peers are verified, the engine.
    check_algorithm(origin, section_name, opts, ManagerFactory::Key)?;
    let key_store = node
        .checked_key_store(role, &settings)?
        .ok_or_else(|| missing_key_store(node.resolved(), role))?;
    out.stores.push(summary("keystore", &key_store));
    let unusable_keys = !key_store.private_keys().any(|k| {
        matches!(
            k.key_algorithm(),
            Some(KeyAlgorithm::Rsa | KeyAlgorithm::Ec(_) | KeyAlgorithm::Ed25519)
        )
    });
    if r.server_verifies_peers() {
        check_algorithm(origin, section_name, opts, ManagerFactory::Trust)?;
        let anchors = node.trust_anchors(role)?;
        out.stores.push(StoreSummary {
            role: "truststore",
            origin: resolved.path(opts.truststore_path()).display().to_string(),
            format: if r.is_pem() {
                "PEM".into()
            } else {
                "key store".into()
            },
            keys: 0,
            trusted: anchors.len(),
        });
    }
    let protocols =
        accepted_protocols(opts.protocol.as_deref(), opts.accepted_protocols.as_deref());
    let engine = engine(
        version,
        provider,
        protocols.as_deref(),
        opts.cipher_suites.as_deref(),
    )
    .map_err(|e| {
        let (key, message) = match e {
            EngineError::UnknownProtocol(p) => (
                if opts.accepted_protocols.is_some() {
                    "accepted_protocols"
                } else {
                    "protocol"
                },
                format!(
                    "{p} is not a protocol the {} provider knows: Failed to initialize SSL",
                    provider.as_str()
                ),
            ),
            EngineError::NoCiphersLeft => (
                "cipher_suites",
                "No ciphers left after filtering supported cipher suite".to_owned(),
            ),
        };
        Error::config(origin, Some(section_name), Some(key), message)
    })?;
    // The client context: internode's uses the outbound key store (5.0), the others the same.
    if server && version >= CassandraVersion::V5_0 {
        let outbound = node
            .checked_key_store(Role::InternodeClient, &settings)?
            .ok_or_else(|| missing_key_store(node.resolved(), Role::InternodeClient))?;
        out.stores.push(summary("outbound_keystore", &outbound));
    }
    out.divergences = divergences(r, &engine);
    if unusable_keys {
        out.divergences.push(
            "this crate cannot build this section's config at all: the key store holds no key rustls can use (Java serves DSA keys; rustls signs with RSA, EC and Ed25519 keys only)"
                .to_owned(),
        );
    }
    out.protocols = Some(engine.protocols);
    out.cipher_suites = Some(engine.cipher_suites);
    Ok(out)
}

fn summary(role: &'static str, store: &KeyStore) -> StoreSummary {
    StoreSummary {
        role,
        origin: store.origin().to_string(),
        format: store.store_type().name().to_owned(),
        keys: store.private_keys().count(),
        trusted: store.trust_anchors().len(),
    }
}

/// What rustls (and so this crate) does differently from the engine Java builds.
fn divergences(section: &ResolvedSection, engine: &Engine) -> Vec<String> {
    let mut out = Vec::new();
    let rustls_protocols = ["TLSv1.2", "TLSv1.3"];
    for p in &engine.protocols {
        if p != "SSLv2Hello" && !rustls_protocols.contains(&p.as_str()) {
            out.push(format!("{p}: Java enables it; rustls has only TLSv1.2 and TLSv1.3, so this crate never offers it"));
        }
    }
    let rustls_suites: Vec<&str> = crate::options::SUPPORTED_SUITES
        .iter()
        .map(|s| s.jsse_name)
        .collect();
    let dropped: Vec<&str> = engine
        .cipher_suites
        .iter()
        .map(String::as_str)
        .filter(|s| !rustls_suites.contains(s))
        .collect();
    if !dropped.is_empty() {
        out.push(format!(
            "cipher suites Java enables but rustls lacks (no forward secrecy or not AEAD), never offered here: {}",
            dropped.join(", ")
        ));
    }
    if let Err(e) = section.cipher_suites() {
        out.push(format!(
            "this crate cannot build this section's config at all: {e}"
        ));
    }
    out
}
