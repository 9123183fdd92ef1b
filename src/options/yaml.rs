//! Reading `cassandra.yaml`: the two encryption sections and the node facts a check needs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use super::OptionWarning;
use super::auth::{AuthOptions, ParameterizedClass};
use super::raw::{CLIENT, JMX, RawSection, SERVER};
use super::section::{
    EncryptionOptions, InternodeEncryption, ServerEncryptionOptions, SslContextFactoryKind,
};
use super::version::CassandraVersion;
use crate::error::{Error, Origin, Result};

/// Addresses and ports of the node, as far as TLS cares.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeFacts {
    /// `listen_address`.
    pub listen_address: Option<String>,
    /// `broadcast_address`.
    pub broadcast_address: Option<String>,
    /// `rpc_address`.
    pub rpc_address: Option<String>,
    /// `broadcast_rpc_address`.
    pub broadcast_rpc_address: Option<String>,
    /// `storage_port` (default 7000).
    pub storage_port: u16,
    /// `ssl_storage_port` (default 7001).
    pub ssl_storage_port: u16,
    /// `native_transport_port` (default 9042).
    pub native_transport_port: u16,
    /// `native_transport_port_ssl` (4.0 to 5.0): a second, encrypted native port.
    pub native_transport_port_ssl: Option<u16>,
}

/// A parsed `cassandra.yaml`, or just its encryption sections.
#[derive(Clone, Debug)]
pub struct CassandraYaml {
    origin: Origin,
    version: CassandraVersion,
    base_dir: PathBuf,
    server: ServerEncryptionOptions,
    client: EncryptionOptions,
    jmx: Option<EncryptionOptions>,
    node: NodeFacts,
    auth: AuthOptions,
    /// The mounted Secret the sections were made from, when they were.
    secret: Option<super::SecretSource>,
}

#[derive(Deserialize)]
struct RawYaml {
    server_encryption_options: Option<RawSection>,
    client_encryption_options: Option<RawSection>,
    jmx_server_options: Option<RawJmxServer>,
    listen_address: Option<String>,
    broadcast_address: Option<String>,
    rpc_address: Option<String>,
    broadcast_rpc_address: Option<String>,
    storage_port: Option<u16>,
    ssl_storage_port: Option<u16>,
    native_transport_port: Option<u16>,
    native_transport_port_ssl: Option<u16>,
    authenticator: Option<RawClass>,
    internode_authenticator: Option<RawClass>,
    role_manager: Option<RawClass>,
    authorizer: Option<RawClass>,
    network_authorizer: Option<RawClass>,
    cidr_authorizer: Option<RawClass>,
}

/// The auth keys as written.
struct RawAuth {
    authenticator: Option<RawClass>,
    internode_authenticator: Option<RawClass>,
    role_manager: Option<RawClass>,
    authorizer: Option<RawClass>,
    network_authorizer: Option<RawClass>,
    cidr_authorizer: Option<RawClass>,
}

/// An auth key: a class name, or (5.0 on) `class_name` and `parameters`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawClass {
    Name(String),
    Map(RawClassMap),
}

#[derive(Deserialize)]
struct RawClassMap {
    class_name: Option<String>,
    parameters: Option<BTreeMap<String, Option<AuthScalar>>>,
    #[serde(flatten)]
    other: BTreeMap<String, IgnoredAny>,
}

/// A parameter value: yaml may write it as a string, number or boolean.
#[derive(Deserialize)]
#[serde(untagged)]
enum AuthScalar {
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
}

impl AuthScalar {
    fn into_string(self) -> String {
        match self {
            AuthScalar::Str(s) => s,
            AuthScalar::Bool(b) => b.to_string(),
            AuthScalar::Int(i) => i.to_string(),
            AuthScalar::Float(f) => f.to_string(),
        }
    }
}

/// The auth keys as `version` reads them: 4.x has class names only, and its loader refuses the
/// keys of the mapping form as unknown properties.
fn auth_options(origin: &Origin, version: CassandraVersion, raw: RawAuth) -> Result<AuthOptions> {
    // cidr_authorizer is 5.0's (CEP-33): 4.x's loader refuses it as an unknown property.
    if version < CassandraVersion::V5_0 && raw.cidr_authorizer.is_some() {
        return Err(Error::config(
            origin,
            None,
            Some("cidr_authorizer"),
            format!(
                "Invalid yaml. Please remove properties [cidr_authorizer] from your cassandra.yaml (Cassandra {version} has no CIDR authorizer; it is 5.0's)"
            ),
        ));
    }
    let one = |key: &str, raw: Option<RawClass>| -> Result<Option<ParameterizedClass>> {
        let Some(raw) = raw else { return Ok(None) };
        match raw {
            RawClass::Name(name) => Ok(Some(ParameterizedClass {
                class_name: Some(name),
                ..Default::default()
            })),
            RawClass::Map(map) => {
                let mut written: Vec<String> = Vec::new();
                if map.class_name.is_some() {
                    written.push("class_name".into());
                }
                if map.parameters.is_some() {
                    written.push("parameters".into());
                }
                let unknown: Vec<String> = map.other.keys().cloned().collect();
                let refused = if version < CassandraVersion::V5_0 {
                    written.extend(unknown);
                    written
                } else {
                    unknown
                };
                if !refused.is_empty() {
                    return Err(Error::config(
                        origin,
                        None,
                        Some(key),
                        format!(
                            "Invalid yaml. Please remove properties [{}] from your cassandra.yaml{}",
                            refused.join(", "),
                            if version < CassandraVersion::V5_0 {
                                format!(
                                    " (Cassandra {version} takes {key} as a class name; class_name and parameters are 5.0's)"
                                )
                            } else {
                                String::new()
                            }
                        ),
                    ));
                }
                Ok(Some(ParameterizedClass {
                    class_name: map.class_name,
                    parameters: map
                        .parameters
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| (k, v.map(AuthScalar::into_string).unwrap_or_default()))
                        .collect(),
                    mapping_form: true,
                }))
            }
        }
    };
    Ok(AuthOptions {
        authenticator: one("authenticator", raw.authenticator)?,
        internode_authenticator: one("internode_authenticator", raw.internode_authenticator)?,
        role_manager: one("role_manager", raw.role_manager)?,
        authorizer: one("authorizer", raw.authorizer)?,
        network_authorizer: one("network_authorizer", raw.network_authorizer)?,
        cidr_authorizer: one("cidr_authorizer", raw.cidr_authorizer)?,
    })
}

/// 6.0's `jmx_server_options` (JMXServerOptions): only its TLS section is read here.
#[derive(Deserialize)]
struct RawJmxServer {
    jmx_encryption_options: Option<RawSection>,
}

/// The keys of one section: `None` is an absent section, `Some(None)` a section written with
/// no value.
type Keys = Option<Option<BTreeMap<String, Option<IgnoredAny>>>>;

/// The first pass over the yaml: which keys each encryption section has, and which are null.
#[derive(Deserialize)]
struct SectionKeys {
    #[serde(default, deserialize_with = "present")]
    server_encryption_options: Keys,
    #[serde(default, deserialize_with = "present")]
    client_encryption_options: Keys,
    /// Never a key of Config: the JMX section lives under `jmx_server_options` (6.0).
    #[serde(default, deserialize_with = "present")]
    jmx_encryption_options: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "present")]
    jmx_server_options: Option<Option<JmxServerKeys>>,
    /// Removed in 6.0 (Config has no such field there).
    #[serde(default, deserialize_with = "present")]
    native_transport_port_ssl: Option<IgnoredAny>,
}

/// The keys of `jmx_server_options` read here.
#[derive(Deserialize)]
struct JmxServerKeys {
    #[serde(default, deserialize_with = "present")]
    jmx_encryption_options: Keys,
}

/// A key that is written: `Some(value)`, where the value itself may be null.
fn present<'de, D, T>(d: D) -> std::result::Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// SnakeYAML's rules as Cassandra's loader applies them: a repeated key keeps its last value.
fn yaml_options() -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.duplicate_keys = serde_saphyr::DuplicateKeyPolicy::LastWins;
    // YAML 1.2's booleans only: SnakeYAML's own spellings (yes, on, off, ...) are read by the
    // fields that take booleans, and `y`/`n` stay strings as in SnakeYAML.
    options.strict_booleans = true;
    options
}

impl CassandraYaml {
    /// Parses cassandra.yaml text as Cassandra 5.0 reads it. Relative paths resolve against the
    /// process's working directory, as Cassandra resolves them; see
    /// [`CassandraYaml::with_base_dir`].
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Self> {
        Self::parse(text, Origin::bytes(), CassandraVersion::default())
    }

    /// Parses cassandra.yaml text as the given Cassandra version reads it: a key that version
    /// does not know is refused, and its defaults apply.
    pub fn from_str_for(text: &str, version: CassandraVersion) -> Result<Self> {
        Self::parse(text, Origin::bytes(), version)
    }

    /// Reads and parses a cassandra.yaml file as Cassandra 5.0 reads it.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Self> {
        Self::load_file_for(path, CassandraVersion::default())
    }

    /// Reads and parses a cassandra.yaml file as the given Cassandra version reads it.
    pub fn load_file_for(path: impl AsRef<Path>, version: CassandraVersion) -> Result<Self> {
        let path = path.as_ref();
        let bytes = super::read_config_file(path, "cassandra.yaml")?;
        let text = String::from_utf8(bytes).map_err(|e| Error::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })?;
        Self::parse(&text, Origin::file(path), version)
    }

    /// A yaml holding only a client section built in code (the driver settings of
    /// [`crate::tls::DriverTls`]): Cassandra 5.0's rules, relative paths against `base_dir`.
    pub(crate) fn from_client_section(
        origin: Origin,
        client: EncryptionOptions,
        base_dir: PathBuf,
    ) -> Self {
        Self::from_sections(origin, ServerEncryptionOptions::default(), client, base_dir)
    }

    /// A yaml holding both encryption sections built in code (a mounted Secret's,
    /// [`super::MountedSecret::node_yaml`]): the default version's rules, relative paths
    /// against `base_dir`.
    pub(crate) fn from_sections(
        origin: Origin,
        server: ServerEncryptionOptions,
        client: EncryptionOptions,
        base_dir: PathBuf,
    ) -> Self {
        CassandraYaml {
            origin,
            version: CassandraVersion::default(),
            base_dir,
            server,
            client,
            jmx: None,
            node: NodeFacts::default(),
            auth: AuthOptions::default(),
            secret: None,
        }
    }

    /// Parses one section given on its own (the mapping under `server_encryption_options:` or
    /// `client_encryption_options:`), as Cassandra 5.0 reads it.
    pub fn section_from_str(section: &str, text: &str) -> Result<Self> {
        let wrapped: String = std::iter::once(format!("{section}:\n"))
            .chain(text.lines().map(|l| format!("  {l}\n")))
            .collect();
        if section != SERVER && section != CLIENT {
            return Err(Error::config(
                &Origin::bytes(),
                Some(section),
                None,
                "not an encryption section (server_encryption_options or client_encryption_options)",
            ));
        }
        Self::parse(&wrapped, Origin::bytes(), CassandraVersion::default())
    }

    fn parse(text: &str, origin: Origin, version: CassandraVersion) -> Result<Self> {
        let keys: SectionKeys = serde_saphyr::from_str_with_options(text, yaml_options())
            .map_err(|e| yaml_error(&origin, text, &e.to_string()))?;
        check_keys(&origin, version, &keys)?;
        let raw: RawYaml = serde_saphyr::from_str_with_options(text, yaml_options())
            .map_err(|e| yaml_error(&origin, text, &e.to_string()))?;
        let server = raw
            .server_encryption_options
            .unwrap_or_default()
            .into_server(&origin, version)?;
        let client = raw
            .client_encryption_options
            .unwrap_or_default()
            .into_client(&origin, CLIENT, version)?;
        let jmx = raw
            .jmx_server_options
            .and_then(|j| j.jmx_encryption_options)
            .map(|s| s.into_client(&origin, JMX, version))
            .transpose()?;
        for (section, opts) in [(SERVER, &server.common), (CLIENT, &client)]
            .into_iter()
            .chain(jmx.as_ref().map(|j| (JMX, j)))
        {
            if let SslContextFactoryKind::Custom(class) = opts.ssl_context_factory.kind() {
                return Err(Error::config(
                    &origin,
                    Some(section),
                    Some("ssl_context_factory"),
                    format!(
                        "{class} is a custom Java factory; it cannot run here (supported: DefaultSslContextFactory, PEMBasedSslContextFactory)"
                    ),
                ));
            }
        }
        let auth = auth_options(
            &origin,
            version,
            RawAuth {
                authenticator: raw.authenticator,
                internode_authenticator: raw.internode_authenticator,
                role_manager: raw.role_manager,
                authorizer: raw.authorizer,
                network_authorizer: raw.network_authorizer,
                cidr_authorizer: raw.cidr_authorizer,
            },
        )?;
        Ok(CassandraYaml {
            auth,
            origin,
            version,
            base_dir: PathBuf::from("."),
            server,
            client,
            jmx,
            node: NodeFacts {
                listen_address: raw.listen_address,
                broadcast_address: raw.broadcast_address,
                rpc_address: raw.rpc_address,
                broadcast_rpc_address: raw.broadcast_rpc_address,
                storage_port: raw.storage_port.unwrap_or(7000),
                ssl_storage_port: raw.ssl_storage_port.unwrap_or(7001),
                native_transport_port: raw.native_transport_port.unwrap_or(9042),
                native_transport_port_ssl: raw.native_transport_port_ssl,
            },
            secret: None,
        })
    }

    /// The same sections, read with `version`'s defaults and rules (for sections built in
    /// code, which no loader checked).
    pub(crate) fn with_version(mut self, version: CassandraVersion) -> Self {
        self.version = version;
        self
    }

    /// The same sections, made from the mounted Secret `source` describes.
    pub(crate) fn with_secret(mut self, source: super::SecretSource) -> Self {
        self.secret = Some(source);
        self
    }

    /// The mounted Secret the sections were made from ([`super::MountedSecret::node_yaml`]):
    /// its directory, layout and the keys each store came from, so that what is said about
    /// the stores names the Secret's keys rather than options nobody wrote. `None` for a
    /// cassandra.yaml.
    pub fn secret(&self) -> Option<&super::SecretSource> {
        self.secret.as_ref()
    }

    /// Resolves relative paths against `dir` instead of the working directory (Cassandra's
    /// working directory is normally its home, where `conf/` lives).
    pub fn with_base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = dir.into();
        self
    }

    /// The directory relative paths resolve against.
    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    /// The Cassandra version the yaml was read as.
    pub fn version(&self) -> CassandraVersion {
        self.version
    }

    /// Where the yaml came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// `server_encryption_options`, with defaults for what is absent.
    pub fn server_encryption_options(&self) -> &ServerEncryptionOptions {
        &self.server
    }

    /// `client_encryption_options`, with defaults for what is absent.
    pub fn client_encryption_options(&self) -> &EncryptionOptions {
        &self.client
    }

    /// The auth keys (`authenticator`, `internode_authenticator`, `role_manager`, the authorizers)
    /// as this version reads them.
    pub fn auth_options(&self) -> &AuthOptions {
        &self.auth
    }

    /// `jmx_server_options.jmx_encryption_options` (6.0, CASSANDRA-18508): the JMX server's
    /// TLS, when the yaml
    /// has the section.
    pub fn jmx_encryption_options(&self) -> Option<&EncryptionOptions> {
        self.jmx.as_ref()
    }

    #[cfg(feature = "diagnostics")]
    /// The yaml with `jmx_encryption_options` in the place of `client_encryption_options`: the
    /// JMX server is built and validated as the native transport is (DatabaseDescriptor's
    /// "JMX transport"), so the native roles of [`crate::tls`] serve it.
    pub(crate) fn jmx_view(&self) -> Option<CassandraYaml> {
        let jmx = self.jmx.clone()?;
        Some(CassandraYaml {
            client: jmx,
            jmx: None,
            ..self.clone()
        })
    }

    /// The node's addresses and ports.
    pub fn node(&self) -> &NodeFacts {
        &self.node
    }

    /// What Cassandra would warn about in these options (it still starts).
    pub fn warnings(&self) -> Vec<OptionWarning> {
        let mut out = Vec::new();
        let s = &self.server;
        if s.common.require_client_auth != super::ClientAuth::NotRequired
            && matches!(
                s.internode_encryption,
                InternodeEncryption::Dc | InternodeEncryption::Rack
            )
        {
            out.push(OptionWarning::ClientAuthBypassableWithDcOrRack);
        }
        if s.common.enabled == Some(true) && s.internode_encryption == InternodeEncryption::None {
            out.push(OptionWarning::EnabledIgnoredForInternode);
        }
        for (section, opts) in [(SERVER, &s.common), (CLIENT, &self.client)] {
            if opts.ssl_context_factory.kind() == SslContextFactoryKind::Pem
                && opts
                    .truststore_password
                    .as_ref()
                    .is_some_and(|p| !p.is_empty())
            {
                out.push(OptionWarning::PemTruststorePasswordIgnored { section });
            }
        }
        out
    }
}

/// 6.0's JMX server options, the parent of `jmx_encryption_options`.
const JMX_SERVER: &str = "jmx_server_options";

/// The second native port, 4.0 to 5.0.
const NATIVE_PORT_SSL: &str = "native_transport_port_ssl";

/// Cassandra's loader checks on the encryption sections (YamlConfigurationLoader's
/// PropertiesChecker): a null over a field whose default is not null (a section, a path, a
/// boolean) is "not valid"; a key the version does not have must be removed. Both list every
/// offending key, as Cassandra does.
fn check_keys(origin: &Origin, version: CassandraVersion, keys: &SectionKeys) -> Result<()> {
    let mut null = Vec::new();
    let mut unknown: Vec<(String, &'static str)> = Vec::new();
    // Top-level keys this reader knows that some versions do not have (section "").
    let jmx_server = match &keys.jmx_server_options {
        Some(_) if !version.has_jmx_encryption_options() => {
            unknown.push((JMX_SERVER.to_owned(), ""));
            &None
        }
        Some(Some(j)) => &j.jmx_encryption_options,
        _ => &None,
    };
    if keys.jmx_encryption_options.is_some() {
        unknown.push((JMX.to_owned(), ""));
    }
    if keys.native_transport_port_ssl.is_some() && !version.has_native_transport_port_ssl() {
        unknown.push((NATIVE_PORT_SSL.to_owned(), ""));
    }
    for (section, server, value) in [
        (SERVER, true, &keys.server_encryption_options),
        (CLIENT, false, &keys.client_encryption_options),
        (JMX, false, jmx_server),
    ] {
        match value {
            None => {}
            Some(None) => null.push(section.to_owned()),
            Some(Some(map)) => {
                for (key, value) in map {
                    if !version.knows(key, server) {
                        if !unknown.iter().any(|(k, _)| k == key) {
                            unknown.push((key.clone(), section));
                        }
                    } else if value.is_none() && !version.null_allowed(key) {
                        null.push(key.clone());
                    }
                }
            }
        }
    }
    if !null.is_empty() {
        return Err(Error::Config {
            origin: origin.clone(),
            section: None,
            key: Some(null.join(", ")),
            message: format!(
                "Invalid yaml. Those properties [{}] are not valid: a key needs a value",
                null.join(", ")
            ),
        });
    }
    if let Some((first, section)) = unknown.first() {
        let names: Vec<&str> = unknown.iter().map(|(k, _)| k.as_str()).collect();
        let why: Vec<String> = unknown
            .iter()
            .map(
                |(k, s)| match CassandraVersion::introduced(k, *s == SERVER) {
                    _ if k == JMX_SERVER => {
                        format!("{k} is new in Cassandra 6.0 (CASSANDRA-18508)")
                    }
                    _ if k == JMX => format!(
                        "{k} is not a top-level key: Cassandra 6.0 reads it under {JMX_SERVER}"
                    ),
                    _ if k == NATIVE_PORT_SSL => {
                        format!("{k} was removed in Cassandra 6.0 (the native port serves TLS and, with optional, plain CQL)")
                    }
                    Some(v) => format!("{k} is new in Cassandra {v}"),
                    None if CassandraVersion::introduced(k, true).is_some() => {
                        format!("{k} belongs to server_encryption_options")
                    }
                    None => format!("{k} is not an option of any version"),
                },
            )
            .collect();
        return Err(Error::Config {
            origin: origin.clone(),
            section: (!section.is_empty()).then(|| (*section).to_owned()),
            key: Some(first.clone()),
            message: format!(
                "unknown option: Cassandra {version} refuses it (Invalid yaml. Please remove properties [{}] from your cassandra.yaml): {}",
                names.join(", "),
                why.join("; ")
            ),
        });
    }
    Ok(())
}

/// Turns a YAML error into a config error naming the section and key, without repeating any
/// value from the input (a value could be a password).
fn yaml_error(origin: &Origin, text: &str, message: &str) -> Error {
    let first_line = message.lines().next().unwrap_or(message);
    let line_no = first_line
        .split("line ")
        .nth(1)
        .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<usize>().ok());
    // The top-level key above the error line is the section.
    let section = line_no.and_then(|n| {
        text.lines()
            .take(n)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .find(|l| !l.starts_with([' ', '\t', '#', '-']) && l.contains(':'))
            .and_then(|l| l.split(':').next())
            .map(|s| s.trim().to_owned())
    });
    let at = line_no.map(|n| format!(" (line {n})")).unwrap_or_default();
    if let Some(rest) = first_line.split("unknown field `").nth(1)
        && let Some(key) = rest.split('`').next()
    {
        return Error::Config {
            origin: origin.clone(),
            section,
            key: Some(key.to_owned()),
            message: format!(
                "unknown option{at}: Cassandra refuses it (Invalid yaml. Please remove properties [{key}])"
            ),
        };
    }
    Error::Config {
        origin: origin.clone(),
        section,
        key: None,
        message: format!("invalid yaml{at}: {}", redact(first_line)),
    }
}

/// The message with every quoted or back-quoted part replaced, so no input value shows.
fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quote: Option<char> = None;
    for c in message.chars() {
        match quote {
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quote = None;
            }
            Some(_) => {}
            None if c == '"' || c == '`' => {
                out.push(c);
                quote = Some(c);
            }
            None => out.push(c),
        }
    }
    out.trim_start_matches("error: ").to_owned()
}
