//! The resolved node: cassandra.yaml read once into what Cassandra decides for each encryption
//! section (port policy, client auth, endpoint verification, factory, the algorithm check, the
//! protocols and suites). Every reader above this layer (configs, reload, `explain`, `doctor`,
//! `probe`) takes its answers from here, so each rule is written once.
//!
//! ```
//! use cassandra_tls::options::{CassandraYaml, Policy, Section};
//!
//! let yaml = CassandraYaml::from_str(
//!     "client_encryption_options:\n  enabled: true\n  keystore: /nonexistent\n",
//! )?;
//! let node = yaml.resolve();
//! let client = node.section(Section::Client).unwrap();
//! assert_eq!(client.policy, Policy::Encrypted);
//! assert_eq!(client.section.as_str(), "client_encryption_options");
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use super::source::{SectionSources, SourceInput};
use super::{
    CassandraVersion, CassandraYaml, CipherSuiteChoice, ClientAuth, EncryptionOptions,
    InternodeEncryption, OptionWarning, Policy, ProtocolChoice, ServerEncryptionOptions,
    SslContextFactoryKind, select_cipher_suites, select_protocols,
};
use crate::error::{Error, Origin, Result};

/// An encryption section of cassandra.yaml.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Section {
    /// `server_encryption_options`: internode.
    Server,
    /// `client_encryption_options`: the native transport (client-to-node).
    Client,
    /// `jmx_encryption_options` (6.0): the JMX server, built as the native transport is.
    Jmx,
}

impl Section {
    /// The section's key in cassandra.yaml.
    pub const fn as_str(self) -> &'static str {
        match self {
            Section::Server => "server_encryption_options",
            Section::Client => "client_encryption_options",
            Section::Jmx => "jmx_encryption_options",
        }
    }

    /// The section named by its yaml key.
    pub fn from_name(name: &str) -> Option<Section> {
        [Section::Server, Section::Client, Section::Jmx]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Section {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The JSSE factory that `algorithm` names: Cassandra passes the one option to both
/// `KeyManagerFactory.getInstance` and `TrustManagerFactory.getInstance`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ManagerFactory {
    /// `KeyManagerFactory`, built whenever a key store is read.
    Key,
    /// `TrustManagerFactory`, built when peers are verified.
    Trust,
}

impl ManagerFactory {
    /// The algorithms the JDK's providers register for this factory (the same on JDK 11 and
    /// 17; JCA compares names ignoring case, and does not trim them).
    pub const fn algorithms(self) -> &'static [&'static str] {
        match self {
            ManagerFactory::Key => &["SunX509", "NewSunX509", "PKIX"],
            ManagerFactory::Trust => &["PKIX", "SunPKIX", "X509", "X.509", "SunX509"],
        }
    }

    fn class(self) -> &'static str {
        match self {
            ManagerFactory::Key => "KeyManagerFactory",
            ManagerFactory::Trust => "TrustManagerFactory",
        }
    }
}

/// `algorithm`, checked as `KeyManagerFactory.getInstance` / `TrustManagerFactory.getInstance`
/// check it: unset means the default; any other name must be one the factory knows.
pub fn check_algorithm(
    origin: &Origin,
    section: &str,
    opts: &EncryptionOptions,
    factory: ManagerFactory,
) -> Result<()> {
    match &opts.algorithm {
        Some(a)
            if !factory
                .algorithms()
                .iter()
                .any(|k| k.eq_ignore_ascii_case(a)) =>
        {
            Err(Error::config(
                origin,
                Some(section),
                Some("algorithm"),
                format!(
                    "{a} {} not available (known: {})",
                    factory.class(),
                    factory.algorithms().join(", ")
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// `protocol` + `accepted_protocols`, then `cipher_suites` for those protocols: the one place
/// the two selections are chained (the suites fail as the protocols do when those fail).
pub(crate) fn negotiation(
    origin: &Origin,
    section: &'static str,
    options: &EncryptionOptions,
) -> (Result<ProtocolChoice>, Result<CipherSuiteChoice>) {
    let protocols = select_protocols(
        origin,
        section,
        options.protocol.as_deref(),
        options.accepted_protocols.as_deref(),
    );
    let suites = match &protocols {
        Ok(p) => select_cipher_suites(
            origin,
            section,
            options.cipher_suites.as_deref(),
            &p.versions,
        ),
        Err(e) => Err(e.duplicate()),
    };
    (protocols, suites)
}

/// One encryption section as Cassandra resolves it.
#[derive(Debug)]
#[non_exhaustive]
pub struct ResolvedSection {
    /// Which section.
    pub section: Section,
    /// The options as written, with Cassandra's defaults.
    pub options: EncryptionOptions,
    /// The port policy (`TlsEncryptionPolicy`).
    pub policy: Policy,
    /// `isEnabled` after applyConfig (for internode: `internode_encryption` is not `none`).
    pub enabled: bool,
    /// `isOptional` after applyConfig.
    pub optional: bool,
    /// `internode_encryption` (server section only).
    pub internode_encryption: Option<InternodeEncryption>,
    /// `require_client_auth` as configured.
    pub client_auth: ClientAuth,
    /// `require_endpoint_verification`.
    pub endpoint_verification: bool,
    /// The factory the section asks for.
    pub factory: SslContextFactoryKind,
    /// Cassandra's `hasKeystore()`.
    pub has_keystore: bool,
    sources: SectionSources,
    protocols: Result<ProtocolChoice>,
    suites: Result<CipherSuiteChoice>,
}

impl ResolvedSection {
    fn new(
        yaml: &CassandraYaml,
        section: Section,
        options: &EncryptionOptions,
        server: Option<&ServerEncryptionOptions>,
    ) -> ResolvedSection {
        let origin = yaml.origin();
        let has_keystore = options.has_keystore(yaml.base_dir());
        let (policy, enabled) = match server {
            Some(s) => (
                s.policy(has_keystore),
                s.internode_encryption != InternodeEncryption::None,
            ),
            None => (options.policy(has_keystore), options.enabled == Some(true)),
        };
        let (protocols, suites) = negotiation(origin, section.as_str(), options);
        let sources = super::source::resolve(&SourceInput {
            options,
            server,
            version: yaml.version(),
            base: yaml.base_dir(),
        });
        ResolvedSection {
            section,
            options: options.clone(),
            policy,
            enabled,
            optional: policy == Policy::Optional,
            internode_encryption: server.map(|s| s.internode_encryption),
            client_auth: options.require_client_auth,
            endpoint_verification: options.require_endpoint_verification,
            factory: options.ssl_context_factory.kind(),
            has_keystore,
            sources,
            protocols,
            suites,
        }
    }

    /// The protocols `protocol` and `accepted_protocols` give, with the names rustls drops.
    pub fn protocols(&self) -> Result<&ProtocolChoice> {
        self.protocols.as_ref().map_err(Error::duplicate)
    }

    /// The cipher suites `cipher_suites` gives for those protocols, and the protocol versions
    /// left with a suite: what either side of this section may negotiate.
    pub fn cipher_suites(&self) -> Result<&CipherSuiteChoice> {
        self.suites.as_ref().map_err(Error::duplicate)
    }

    /// Every warning of the protocol and suite selection, in that order.
    pub fn negotiation_warnings(&self) -> Vec<OptionWarning> {
        let mut out = Vec::new();
        if let Ok(p) = &self.protocols {
            out.extend(p.warnings.iter().cloned());
        }
        if let Ok(s) = &self.suites {
            out.extend(s.warnings.iter().cloned());
        }
        out
    }

    /// How the section's server side asks for client certificates: inbound internode contexts
    /// always require one; the native transport (and JMX) by `require_client_auth`.
    pub fn server_client_auth(&self) -> ClientAuth {
        match self.section {
            Section::Server => ClientAuth::Required,
            Section::Client | Section::Jmx => self.client_auth,
        }
    }

    /// Whether the server side builds a trust manager (it verifies peers).
    pub fn server_verifies_peers(&self) -> bool {
        self.server_client_auth() != ClientAuth::NotRequired
    }

    /// Whether the PEM factory is asked for.
    pub fn is_pem(&self) -> bool {
        self.factory == SslContextFactoryKind::Pem
    }

    /// Where the section's keys and trusted certificates come from, and what Cassandra refuses
    /// about them.
    pub fn sources(&self) -> &SectionSources {
        &self.sources
    }
}
/// A node's cassandra.yaml, resolved: each encryption section as Cassandra decides it, for the
/// version the yaml was read as. Made by [`CassandraYaml::resolve`].
#[derive(Debug)]
pub struct ResolvedNode {
    yaml: CassandraYaml,
    server: ResolvedSection,
    client: ResolvedSection,
    jmx: Option<ResolvedSection>,
}

impl ResolvedNode {
    pub(crate) fn new(yaml: &CassandraYaml) -> ResolvedNode {
        let server = yaml.server_encryption_options();
        ResolvedNode {
            server: ResolvedSection::new(yaml, Section::Server, &server.common, Some(server)),
            client: ResolvedSection::new(
                yaml,
                Section::Client,
                yaml.client_encryption_options(),
                None,
            ),
            jmx: yaml
                .jmx_encryption_options()
                .map(|j| ResolvedSection::new(yaml, Section::Jmx, j, None)),
            yaml: yaml.clone(),
        }
    }

    /// A section; `None` only for `jmx_encryption_options` when the yaml has none.
    pub fn section(&self, section: Section) -> Option<&ResolvedSection> {
        match section {
            Section::Server => Some(&self.server),
            Section::Client => Some(&self.client),
            Section::Jmx => self.jmx.as_ref(),
        }
    }

    /// `server_encryption_options`, resolved.
    pub fn server(&self) -> &ResolvedSection {
        &self.server
    }

    /// `client_encryption_options`, resolved.
    pub fn client(&self) -> &ResolvedSection {
        &self.client
    }

    /// The internode options beyond the shared ones (`outbound_keystore`, the legacy port).
    pub fn server_options(&self) -> &ServerEncryptionOptions {
        self.yaml.server_encryption_options()
    }

    /// The yaml this was resolved from.
    pub fn yaml(&self) -> &CassandraYaml {
        &self.yaml
    }

    /// Where the yaml came from.
    pub fn origin(&self) -> &Origin {
        self.yaml.origin()
    }

    /// The directory relative store paths resolve against.
    pub fn base_dir(&self) -> &Path {
        self.yaml.base_dir()
    }

    /// The Cassandra version the yaml was read as.
    pub fn version(&self) -> CassandraVersion {
        self.yaml.version()
    }

    /// A path from the yaml, resolved against [`ResolvedNode::base_dir`].
    pub fn path(&self, path: &str) -> PathBuf {
        super::resolve_path(self.base_dir(), path)
    }

    /// What Cassandra warns about in these options (it still starts).
    pub fn warnings(&self) -> Vec<OptionWarning> {
        self.yaml.warnings()
    }
}

impl CassandraYaml {
    /// Resolves the yaml: each encryption section as Cassandra decides it.
    pub fn resolve(&self) -> ResolvedNode {
        ResolvedNode::new(self)
    }
}
