//! A driver's client settings without a cassandra.yaml: the settings Java driver users already
//! have (`advanced.ssl-engine-factory` of DefaultSslEngineFactory) and Python driver users
//! already have (`ssl_options`), to the same [`ClientTls`] as the yaml path, with the same
//! store loading and checks.
//!
//! ```
//! use cassandra_tls::tls::DriverTls;
//!
//! // datastax-java-driver.advanced.ssl-engine-factory { truststore-path, truststore-password,
//! // keystore-path, keystore-password, hostname-validation = true }
//! let client = DriverTls::new()
//!     .truststore_path("fixtures/stores/truststore.p12")
//!     .truststore_password("cassandra")
//!     .keystore_path("fixtures/stores/client1.p12")
//!     .keystore_password("cassandra")
//!     .build()?;
//! // client.config(): an Arc<rustls::ClientConfig> for the driver.
//! # Ok::<(), cassandra_tls::Error>(())
//! ```
//!
//! Where the drivers differ from what is built here: without a truststore the Java driver uses
//! the JVM's `cacerts` and the Python driver the system's CAs; this crate refuses instead,
//! unless [`DriverTls::system_roots`] (feature `system-roots`) asks for the system's CAs. The Python driver's 3.29 and 3.30 releases ignore `cert_reqs` (they set
//! `SSLContext.options` where they mean `verify_mode`); here `cert_reqs` means what it says.

use std::path::{Path, PathBuf};
use std::sync::Arc;

mod import;

use super::{ClientTls, NodeIdentity, NodeVerifier, Plan, Role, TlsSettings};
use crate::error::{Error, Origin, Result};
use crate::keystore::StoreType;
use crate::options::{CassandraYaml, EncryptionOptions, SslContextFactory};
use crate::password::Password;

/// A key store or truststore: a file, or bytes the caller holds.
#[derive(Clone)]
enum Source {
    Path(PathBuf),
    /// Wiped when dropped: a PEM key store holds the key in clear.
    Bytes(zeroize::Zeroizing<Vec<u8>>),
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => write!(f, "Path({})", p.display()),
            Source::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
        }
    }
}

/// Client TLS settings as a driver holds them (see the module documentation), built with
/// [`DriverTls::build`] (a fixed config) or [`DriverTls::build_reloading`] (one that follows its
/// files as they rotate).
///
/// ```
/// use cassandra_tls::tls::DriverTls;
///
/// // The Python driver's ssl_options, as a cqlsh or a Python service has them.
/// let client = DriverTls::from_python_driver([
///     ("ca_certs", "fixtures/stores/ca.pem"),
///     ("certfile", "fixtures/stores/client1.chain.pem"),
///     ("keyfile", "fixtures/stores/client1.key.pem"),
///     ("cert_reqs", "CERT_REQUIRED"),
///     ("check_hostname", "True"),
/// ])?
/// .build()?;
/// assert!(client.has_client_certificate() && client.verifies_server_name());
///
/// // A reloading client for a driver that keeps its config: every new connection presents
/// // the key store in use after a reload.
/// let (client, reloader) = DriverTls::new()
///     .truststore_path("fixtures/stores/truststore.p12")
///     .truststore_password("cassandra")
///     .keystore_path("fixtures/stores/client1.p12")
///     .keystore_password("cassandra")
///     .build_reloading()?;
/// let for_the_driver = client.config().clone();
/// assert!(matches!(reloader.check(), cassandra_tls::tls::reload::Outcome::Unchanged));
/// # drop(for_the_driver);
/// # Ok::<(), cassandra_tls::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct DriverTls {
    truststore: Option<Source>,
    truststore_password: Option<Password>,
    keystore: Option<Source>,
    keystore_password: Option<Password>,
    key_password: Option<Password>,
    store_type: Option<StoreType>,
    hostname_validation: bool,
    verify: bool,
    cipher_suites: Option<Vec<String>>,
    protocols: Option<Vec<String>>,
    identity: Option<NodeIdentity>,
    system_roots: bool,
    settings: TlsSettings,
    /// [`DriverTls::dangerous_no_server_verification`]: no check of the server, asked for by name.
    no_server_verification: bool,
    /// From a Secret with `tls.key` and `tls.crt` (no combined PEM): the two files a reloading
    /// client follows as one key store.
    key_pair: Option<super::reload::KeyPair>,
    /// The Secret the stores come from, to name it when a reload finds a file gone.
    secret: Option<PathBuf>,
}

impl Default for DriverTls {
    fn default() -> Self {
        DriverTls::new()
    }
}

/// Where a driver's settings are said to come from in errors and warnings.
pub(crate) const DRIVER_SETTINGS: &str = "<driver settings>";

fn bad(key: &str, message: impl Into<String>) -> Error {
    Error::config(
        &Origin::Bytes(DRIVER_SETTINGS.into()),
        None,
        Some(key),
        message.into(),
    )
}

impl DriverTls {
    /// No stores yet; hostname validation on (the Java driver's default).
    pub fn new() -> Self {
        DriverTls {
            truststore: None,
            truststore_password: None,
            keystore: None,
            keystore_password: None,
            key_password: None,
            store_type: None,
            hostname_validation: true,
            verify: true,
            cipher_suites: None,
            protocols: None,
            identity: None,
            system_roots: false,
            settings: TlsSettings::default(),
            no_server_verification: false,
            key_pair: None,
            secret: None,
        }
    }

    /// No check of the node's certificate at all: any certificate, from anyone, is accepted
    /// (the Python driver's `cert_reqs=CERT_NONE`). Dangerous as rustls' `dangerous()` is:
    /// anyone on the path can impersonate the node. [`DriverTls::from_python_driver`] reads
    /// `CERT_NONE` but [`DriverTls::build`] refuses it until this is called.
    pub fn dangerous_no_server_verification(mut self) -> Self {
        self.verify = false;
        self.no_server_verification = true;
        self
    }

    /// `truststore-path`: a JKS, PKCS#12 or PEM truststore file.
    pub fn truststore_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.truststore = Some(Source::Path(path.into()));
        self
    }

    /// The truststore's bytes.
    pub fn truststore_bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.truststore = Some(Source::Bytes(zeroize::Zeroizing::new(bytes.into())));
        self
    }

    /// `truststore-password`.
    pub fn truststore_password(mut self, password: impl Into<Password>) -> Self {
        self.truststore_password = Some(password.into());
        self
    }

    /// `keystore-path`: the client certificate's key store.
    pub fn keystore_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.keystore = Some(Source::Path(path.into()));
        self.key_pair = None;
        self
    }

    /// The key store's bytes.
    pub fn keystore_bytes(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.keystore = Some(Source::Bytes(zeroize::Zeroizing::new(bytes.into())));
        self.key_pair = None;
        self
    }

    /// `keystore-password`: the store password, and the key password unless
    /// [`DriverTls::key_password`] is given (the Java driver uses one password for both).
    pub fn keystore_password(mut self, password: impl Into<Password>) -> Self {
        self.keystore_password = Some(password.into());
        self
    }

    /// A key password other than the store password.
    pub fn key_password(mut self, password: impl Into<Password>) -> Self {
        self.key_password = Some(password.into());
        self
    }

    /// The stores' type; by default it is detected from the bytes (the JDK's default type,
    /// PKCS#12, reads JKS too).
    pub fn store_type(mut self, store_type: StoreType) -> Self {
        self.store_type = Some(store_type);
        self
    }

    /// `hostname-validation`: the node's certificate must name the server name the driver
    /// gives for the connection (default on): the scylla driver gives the node's IP address,
    /// even when a host name was dialled, so the certificate needs an IP SAN. Off, the chain is
    /// still checked.
    pub fn hostname_validation(mut self, on: bool) -> Self {
        self.hostname_validation = on;
        self
    }

    /// `cipher-suites`, by JSSE name.
    pub fn cipher_suites<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.cipher_suites = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// The protocols, by JSSE name (`TLSv1.3`, `TLSv1.2`).
    pub fn protocols<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.protocols = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// How each node's identity is checked, in place of hostname validation.
    pub fn node_identity(mut self, identity: NodeIdentity) -> Self {
        self.identity = Some(identity);
        self
    }

    /// Trust the operating system's CA certificates as well as (or without) the truststore
    /// (feature `system-roots`): what the Java driver does with the JVM's `cacerts` and the
    /// Python driver with the system's CAs when no truststore is given. Managed services whose
    /// certificates come from a public CA need it (Amazon Keyspaces). Read with
    /// rustls-native-certs, which honours `SSL_CERT_FILE` and `SSL_CERT_DIR`.
    #[cfg(feature = "system-roots")]
    pub fn system_roots(mut self, on: bool) -> Self {
        self.system_roots = on;
        self
    }

    /// The crypto provider to build with (the same as [`TlsSettings::provider`]; set it after
    /// [`DriverTls::settings`], which replaces all settings).
    pub fn provider(mut self, provider: std::sync::Arc<rustls::crypto::CryptoProvider>) -> Self {
        self.settings.provider = Some(provider);
        self
    }

    /// Validation time, expired peers, a key alias and the provider (see [`TlsSettings`]). A
    /// provider already chosen with [`DriverTls::provider`] is kept when `settings` names none;
    /// one named in `settings` replaces it.
    pub fn settings(mut self, settings: TlsSettings) -> Self {
        let chosen = self.settings.provider.take();
        self.settings = settings;
        if self.settings.provider.is_none() {
            self.settings.provider = chosen;
        }
        self
    }

    /// The settings as the cassandra.yaml client section they amount to, with the caller's
    /// settings (and the key password) to build it with.
    fn as_yaml(
        &self,
        store_type: Option<StoreType>,
        keystore_path: Option<&Path>,
        keystore_bytes: Option<&[u8]>,
        truststore_path: Option<&Path>,
        truststore_bytes: Option<&[u8]>,
    ) -> (CassandraYaml, TlsSettings) {
        let placeholder = |given: bool| given.then(|| "<bytes>".to_owned());
        let mut opts = EncryptionOptions {
            enabled: Some(true),
            keystore: keystore_path
                .map(|p| p.display().to_string())
                .or(placeholder(keystore_bytes.is_some())),
            keystore_password: self.keystore_password.clone(),
            truststore: truststore_path
                .map(|p| p.display().to_string())
                .or(placeholder(truststore_bytes.is_some())),
            truststore_password: self.truststore_password.clone(),
            cipher_suites: self.cipher_suites.clone(),
            accepted_protocols: self.protocols.clone(),
            require_endpoint_verification: self.hostname_validation,
            ..EncryptionOptions::default()
        };
        match store_type {
            Some(StoreType::Pem) => {
                opts.ssl_context_factory = SslContextFactory {
                    class_name: Some(
                        "org.apache.cassandra.security.PEMBasedSslContextFactory".into(),
                    ),
                    parameters: Default::default(),
                };
            }
            Some(t) => opts.store_type = Some(t.name().to_ascii_uppercase()),
            None => {}
        }
        let yaml = CassandraYaml::from_client_section(
            Origin::Bytes(DRIVER_SETTINGS.into()),
            opts,
            PathBuf::from("."),
        );
        let mut settings = self.settings.clone();
        if settings.key_password.is_none() {
            settings.key_password = self.key_password.clone();
        }
        (yaml, settings)
    }

    /// A client config whose key store and truststore are read again when their files change
    /// ([`super::reload::Reloader`]; the Java driver's `keystore-reload-interval`): for a
    /// long-lived client whose certificates rotate, as a Kubernetes Secret's do. The stores must
    /// be files (not bytes), and the server's certificate is checked (no `CERT_NONE`, node
    /// identity or system roots, which are fixed at build). From a cert-manager Secret
    /// ([`DriverTls::from_secret`]), `tls.key` and `tls.crt` are followed as one key store: a
    /// new pair is used only once the key matches the certificate and neither file changed
    /// while they were read.
    ///
    /// Give [`ClientTls::config`] to a driver that keeps it: every new connection presents the
    /// key store in use, and no session is resumed (each connection is a full handshake).
    /// [`ClientTls::current_config`], taken for each connection, resumes within one key store.
    pub fn build_reloading(&self) -> Result<(ClientTls, super::reload::Reloader)> {
        let (mut client, reloader) = self.reloading().map_err(in_driver_terms)?;
        driver_warnings(&mut client);
        Ok((client, reloader))
    }

    fn reloading(&self) -> Result<(ClientTls, super::reload::Reloader)> {
        let (truststore_path, truststore_bytes) = split(self.truststore.as_ref());
        let (keystore_path, keystore_bytes) = split(self.keystore.as_ref());
        // A Secret's tls.key and tls.crt were read into bytes for build(); a reload reads them
        // again from their files.
        let keystore_bytes = keystore_bytes.filter(|_| self.key_pair.is_none());
        if truststore_bytes.is_some() || keystore_bytes.is_some() {
            return Err(bad(
                "keystore",
                "a reloading client reads its stores from files: give paths, not bytes (or call Reloader::install_bytes with new bytes)",
            ));
        }
        // A reloading client checks the server with its truststore file, which it follows.
        let fixed_check = [
            (self.identity.is_some(), "node_identity", "a node identity"),
            (self.system_roots, "system_roots", "the system's CAs"),
            (
                !self.verify,
                "cert_reqs",
                "no check of the server (CERT_NONE)",
            ),
        ];
        if let Some((_, setting, what)) = fixed_check.iter().find(|(set, _, _)| *set) {
            return Err(bad(
                setting,
                format!(
                    "a reloading client checks the server with its truststore file, which it follows as it rotates; {what} cannot be reloaded: build() a fixed client for it"
                ),
            ));
        }
        if truststore_path.is_none() {
            return Err(bad(
                "truststore",
                "a reloading client needs a truststore file to check the server with (a path, not bytes)",
            ));
        }
        let store_type = match self.store_type {
            Some(t) => Some(t),
            None => {
                let sniff = |p: Option<&Path>| -> Result<Option<StoreType>> {
                    Ok(match p {
                        Some(p) => crate::keystore::StoreType::sniff(&read(p)?),
                        None => None,
                    })
                };
                sniff(keystore_path)?.or(sniff(truststore_path)?)
            }
        };
        let placeholder: Option<&[u8]> = self.key_pair.as_ref().map(|_| &b""[..]);
        let (yaml, settings) = self.as_yaml(
            store_type,
            keystore_path,
            placeholder,
            truststore_path,
            None,
        );
        let sources = super::reload::Sources {
            key_pair: self.key_pair.clone(),
            secret: self.secret.clone(),
        };
        let (mut client, reloader) =
            super::reload::reloading_client(&yaml, super::ClientRole::Native, &settings, sources)?;
        client.warnings.retain(|w| !not_read_by_cassandra(w));
        Ok((client, reloader))
    }

    /// The client config, as [`super::client_config`] builds it from a yaml.
    pub fn build(&self) -> Result<ClientTls> {
        let mut client = self.fixed().map_err(in_driver_terms)?;
        driver_warnings(&mut client);
        Ok(client)
    }

    fn fixed(&self) -> Result<ClientTls> {
        let (truststore_path, truststore_bytes) = split(self.truststore.as_ref());
        let (keystore_path, keystore_bytes) = split(self.keystore.as_ref());
        let has_truststore = truststore_path.is_some() || truststore_bytes.is_some();
        if !has_truststore && self.verify && !self.system_roots {
            return Err(bad(
                "truststore",
                "no truststore: give the CA that signed the nodes, or ask for the system's CAs with system_roots(true) (feature system-roots), which the Java driver (the JVM's cacerts) and the Python driver use without one",
            ));
        }
        let detected = |bytes: Option<&[u8]>, path: Option<&Path>| -> Result<Option<StoreType>> {
            Ok(match (bytes, path) {
                (Some(b), _) => crate::keystore::StoreType::sniff(b),
                (None, Some(p)) => crate::keystore::StoreType::sniff(&read(p)?),
                _ => None,
            })
        };
        let store_type = match self.store_type {
            Some(t) => Some(t),
            None => detected(keystore_bytes, keystore_path)?
                .or(detected(truststore_bytes, truststore_path)?),
        };
        let (yaml, settings) = self.as_yaml(
            store_type,
            keystore_path,
            keystore_bytes,
            truststore_path,
            truststore_bytes,
        );
        let installed = super::Installed {
            keystore: keystore_bytes,
            truststore: truststore_bytes,
        };
        let node = super::Node::uncached(&yaml);
        let plan = Plan::new(node.resolved(), Role::NativeClient, &settings)?;
        let material = if has_truststore {
            super::load_client_material(node.stores(), &plan, &settings, installed)
        } else {
            // CERT_NONE without CAs (or system roots alone): only the client certificate.
            super::material::checked_key_store(
                node.stores(),
                Role::NativeClient,
                &settings,
                installed.keystore,
            )
            .and_then(|store| {
                super::build_client_material(yaml.origin(), &plan, &settings, store.as_ref(), None)
            })
        };
        // A Secret's tls.key and tls.crt: errors name the two files.
        let material = material.map_err(|e| match &self.key_pair {
            Some(pair) => pair.name_files(plan.section, e),
            None => e,
        })?;
        let keys = material
            .keys
            .map(|k| Arc::new(k) as Arc<dyn rustls::client::ResolvesClientCert>);
        // The check of the server, decided here once: the truststore's (the usual case), a node
        // identity or the system's CAs, or none at all only when asked for by name.
        let system_roots = self.system_roots && self.verify;
        let node_verifier = if self.verify && (self.identity.is_some() || system_roots) {
            let mut anchors = if has_truststore {
                crate::tls::factory::load_trust_anchors(
                    yaml.origin(),
                    yaml.base_dir(),
                    node.resolved().client(),
                    truststore_bytes,
                    None,
                )?
            } else {
                Vec::new()
            };
            if system_roots {
                anchors.extend(system_anchors()?);
            }
            let identity = self
                .identity
                .clone()
                .unwrap_or(if self.hostname_validation {
                    NodeIdentity::DialledAddress
                } else {
                    NodeIdentity::ChainOnly
                });
            Some(Arc::new(NodeVerifier::new(&anchors, identity, &settings)?))
        } else {
            None
        };
        let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> = match (
            &node_verifier,
            self.verify,
        ) {
            (Some(v), _) => v.clone(),
            (None, true) => super::server_check(material.verifier, yaml.origin(), &plan)?,
            (None, false) if self.no_server_verification => {
                Arc::new(super::verify::NoCertificateCheck(plan.provider.clone()))
            }
            (None, false) => {
                return Err(bad(
                    "cert_reqs",
                    "CERT_NONE turns off every check of the node's certificate (anyone on the path can impersonate the node): ask for it by name with DriverTls::dangerous_no_server_verification(), or give the CA that signed the nodes",
                ));
            }
        };
        let mut client = super::assemble_client(
            yaml.origin(),
            plan,
            &settings,
            material.warnings,
            keys,
            verifier,
            super::Sessions::Kept,
        )?;
        // Cassandra's PEM factory reading the key is a node's concern, not a driver's (a
        // cert-manager Secret's SEC1 or PKCS#1 key is fine here).
        client.warnings.retain(|w| !not_read_by_cassandra(w));
        if !self.verify {
            // Nothing is checked at all: that says more than "no name is checked".
            client
                .warnings
                .retain(|w| !matches!(w, super::TlsWarning::NoServerNameCheck { .. }));
            client
                .warnings
                .push(super::TlsWarning::NoServerVerification);
        }
        if let Some(v) = node_verifier {
            // The same verifier; with_verifier says whether a name is checked.
            client = client.with_verifier(v);
        }
        Ok(client)
    }
}

/// The yaml keys the settings become, and the `DriverTls` settings they come from (the Java
/// driver's names where they differ in more than `-`/`_`).
const YAML_TO_DRIVER: [(&str, &str); 6] = [
    ("accepted_protocols", "protocols"),
    ("require_endpoint_verification", "hostname_validation"),
    ("keystore_password", "keystore_password"),
    ("truststore_password", "truststore_password"),
    ("keystore", "keystore_path"),
    ("truststore", "truststore_path"),
];

/// An error of the cassandra.yaml section the settings amount to, in the settings' own terms:
/// no `client_encryption_options.` prefix, the `DriverTls` setting for the yaml key.
fn in_driver_terms(e: Error) -> Error {
    match e {
        Error::Config {
            origin,
            section,
            key,
            message,
        } if matches!(&origin, Origin::Bytes(o) if o == DRIVER_SETTINGS) => {
            let setting = |k: &str| {
                YAML_TO_DRIVER
                    .iter()
                    .find(|(yaml, _)| *yaml == k)
                    .map_or(k.to_owned(), |(_, driver)| (*driver).to_owned())
            };
            let mut message = message.replace(
                "'keystore_password' must be specified",
                "a key store is read with its password: set keystore_password (Java driver: keystore-password)",
            );
            message = message.replace(
                "'truststore_password' must be specified",
                "this truststore is read with its password: set truststore_password (Java driver: truststore-password)",
            );
            for (yaml, driver) in &YAML_TO_DRIVER[..2] {
                message = message.replace(yaml, driver);
            }
            Error::Config {
                origin,
                section: section.filter(|s| s != "client_encryption_options"),
                key: key.as_deref().map(setting),
                message,
            }
        }
        other => other,
    }
}

/// The warnings of the yaml section, in the settings' terms.
fn driver_warnings(client: &mut ClientTls) {
    for w in &mut client.warnings {
        if let super::TlsWarning::NoServerNameCheck { section } = w
            && *section == "client_encryption_options"
        {
            *section = DRIVER_SETTINGS;
        }
    }
}

/// A warning that Cassandra's PEM factory could not read a key: a node's concern only.
fn not_read_by_cassandra(w: &super::TlsWarning) -> bool {
    matches!(
        w,
        super::TlsWarning::Store {
            warning: crate::keystore::Warning::NotReadByCassandra { .. },
            ..
        }
    )
}

/// The operating system's CA certificates.
#[cfg(feature = "system-roots")]
fn system_anchors() -> Result<Vec<crate::keystore::Certificate>> {
    let found = rustls_native_certs::load_native_certs();
    let anchors: Vec<_> = found
        .certs
        .into_iter()
        .filter_map(|der| crate::keystore::Certificate::from_der_bytes(der.to_vec()).ok())
        .collect();
    if anchors.is_empty() {
        let why = found
            .errors
            .first()
            .map(|e| e.to_string())
            .unwrap_or_else(|| "none found".into());
        return Err(bad(
            "system_roots",
            format!("no system CA certificates: {why}"),
        ));
    }
    Ok(anchors)
}

#[cfg(not(feature = "system-roots"))]
fn system_anchors() -> Result<Vec<crate::keystore::Certificate>> {
    Ok(Vec::new())
}

fn read(p: &Path) -> Result<Vec<u8>> {
    crate::options::read_bounded(p, crate::options::MAX_MATERIAL).map_err(|source| Error::Io {
        path: p.to_path_buf(),
        source,
    })
}

/// A source as a path or bytes, borrowed.
fn split(s: Option<&Source>) -> (Option<&Path>, Option<&[u8]>) {
    match s {
        Some(Source::Path(p)) => (Some(p.as_path()), None),
        Some(Source::Bytes(b)) => (None, Some(b.as_slice())),
        None => (None, None),
    }
}
