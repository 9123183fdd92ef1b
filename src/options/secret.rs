//! Certificates as Kubernetes delivers them: a mounted Secret directory in the layout of the
//! operator or controller that wrote it ([`SecretLayout`]), read into the stores and passwords a
//! node's encryption section or a driver needs ([`MountedSecret`]).
//!
//! | layout | files | passwords |
//! |---|---|---|
//! | [`SecretLayout::K8ssandra`] (k8ssandra-operator's `pkg/encryption`) | `keystore`, `truststore` | `keystore-password`, `truststore-password` files beside them |
//! | [`SecretLayout::CertManager`] | `tls.crt`, `tls.key`, `ca.crt`; optionally `keystore.jks`/`truststore.jks` or `keystore.p12`/`truststore.p12`, and `tls-combined.pem` | the key stores' password lives in another Secret: given by the caller |
//! | [`SecretLayout::CassOperatorLegacy`] (cass-operator) | `node-keystore.jks`, as key store and truststore | the datacenter's name: given by the caller |
//!
//! The files of a mounted Secret are symlinks through `..data`; they are read where they are,
//! so [`crate::tls::reload`] sees a rotation (see its notes on the kubelet's atomic writer).
//!
//! ```
//! use cassandra_tls::options::{MountedSecret, SecretLayout};
//!
//! let dir = tempfile::tempdir().unwrap();
//! std::fs::write(dir.path().join("README"), "not a secret").unwrap();
//! let err = MountedSecret::open(dir.path(), None, None).unwrap_err();
//! // The error lists what was found and what each layout expects.
//! assert!(err.to_string().contains("keystore-password"));
//! assert!(err.to_string().contains("tls.crt"));
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use super::{
    CassandraVersion, CassandraYaml, ClientAuth, EncryptionOptions, InternodeEncryption,
    ServerEncryptionOptions, SslContextFactory,
};
use crate::error::{Error, Origin, Result};
use crate::keystore::StoreType;
use crate::password::Password;

/// Who laid the Secret out, named after its maker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretLayout {
    /// k8ssandra-operator: `keystore`, `keystore-password`, `truststore`,
    /// `truststore-password`.
    K8ssandra,
    /// cert-manager: `tls.crt`, `tls.key`, `ca.crt`, and the optional JKS or PKCS#12 stores
    /// (`keystore.jks`/`truststore.jks`, `keystore.p12`/`truststore.p12`).
    CertManager,
    /// cass-operator's legacy layout: one `node-keystore.jks` as both stores, its password the
    /// datacenter's name.
    CassOperatorLegacy,
}

impl SecretLayout {
    /// Every layout, in the order detection tries them.
    pub const ALL: [SecretLayout; 3] = [
        SecretLayout::K8ssandra,
        SecretLayout::CertManager,
        SecretLayout::CassOperatorLegacy,
    ];

    /// The name used on the command line: `k8ssandra`, `cert-manager`,
    /// `cass-operator-legacy`.
    pub const fn name(self) -> &'static str {
        match self {
            SecretLayout::K8ssandra => "k8ssandra",
            SecretLayout::CertManager => "cert-manager",
            SecretLayout::CassOperatorLegacy => "cass-operator-legacy",
        }
    }

    /// The layout by its [`SecretLayout::name`].
    pub fn from_name(name: &str) -> Option<SecretLayout> {
        Self::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The files the layout needs (beyond them, optional ones are read when present).
    pub const fn expected_files(self) -> &'static [&'static str] {
        match self {
            SecretLayout::K8ssandra => &[
                "keystore",
                "keystore-password",
                "truststore",
                "truststore-password",
            ],
            SecretLayout::CertManager => &["tls.crt", "tls.key", "ca.crt"],
            SecretLayout::CassOperatorLegacy => &["node-keystore.jks"],
        }
    }

    /// The file whose presence says the directory is in this layout.
    fn marker(self) -> &'static str {
        match self {
            SecretLayout::K8ssandra => "keystore",
            SecretLayout::CertManager => "tls.crt",
            SecretLayout::CassOperatorLegacy => "node-keystore.jks",
        }
    }
}

impl fmt::Display for SecretLayout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A mounted Secret, read in its layout: where the key store and truststore are, with their
/// passwords and type. Passwords are zeroized when dropped and never shown.
#[derive(Clone, Debug)]
pub struct MountedSecret {
    dir: PathBuf,
    layout: SecretLayout,
    keystore: Option<PathBuf>,
    keystore_password: Option<Password>,
    truststore: Option<PathBuf>,
    truststore_password: Option<Password>,
    store_type: Option<StoreType>,
    /// cert-manager without Java stores: the key and its chain, and the CA, as PEM files.
    pem: Option<PemFiles>,
    /// The Secret's material that was not read.
    unchecked: Vec<Unchecked>,
}

/// Why a Secret's material was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UncheckedReason {
    /// cert-manager's Java stores, without their password: the PEM files were read instead.
    JavaStoresWithoutPassword,
    /// cert-manager's PEM files beside the Java stores that were read (cert-manager writes
    /// both from one key and certificate).
    PemBesideJavaStores,
}

/// Material a Secret holds that was not read, with why: a check of the Secret says nothing
/// about it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Unchecked {
    /// Which material, and why it was not read.
    pub reason: UncheckedReason,
    /// The files.
    pub files: Vec<PathBuf>,
    /// Why they were not read, and what that means for a node using them.
    pub why: String,
}

/// Where a store's password comes from, for a node made from a mounted Secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretPassword {
    /// None: PEM files.
    None,
    /// A key of the Secret itself (k8ssandra's `keystore-password`, `truststore-password`).
    Key(&'static str),
    /// Given by the caller, as the layout keeps it elsewhere (the command's
    /// `--secret-password-file`): the password Secret of cert-manager's
    /// `keystores.jks.passwordSecretRef` (or `keystores.pkcs12`), cass-operator's datacenter
    /// name.
    Given,
}

/// What a node made from a mounted Secret reads, by the Secret's key names: what the
/// diagnostics name in place of cassandra.yaml options nobody wrote
/// ([`super::CassandraYaml::secret`]). Holds no password.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SecretSource {
    /// The Secret's directory (absolute).
    pub dir: PathBuf,
    /// Its layout.
    pub layout: SecretLayout,
    /// The keys the key store is read from: `keystore`, `keystore.jks`, `keystore.p12`,
    /// `node-keystore.jks`, `tls-combined.pem`, or `tls.key` and `tls.crt`; empty when the
    /// Secret holds no key store (k8ssandra's truststore Secret).
    pub keystore: Vec<&'static str>,
    /// The key store's password.
    pub keystore_password: SecretPassword,
    /// The key the truststore is read from (`truststore`, `truststore.jks`, `truststore.p12`,
    /// `node-keystore.jks`, `ca.crt`); `None` when the Secret holds none.
    pub truststore: Option<&'static str>,
    /// The truststore's password.
    pub truststore_password: SecretPassword,
}

impl SecretSource {
    /// The file of one of the Secret's keys.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir.join(key)
    }
}

/// The keys a store can be read from, in any layout.
const STORE_KEYS: [&str; 9] = [
    "keystore",
    "truststore",
    "node-keystore.jks",
    "keystore.jks",
    "truststore.jks",
    "keystore.p12",
    "truststore.p12",
    "ca.crt",
    "tls-combined.pem",
];

/// The Secret key a store file is.
fn key_of(path: &Path) -> Option<&'static str> {
    STORE_KEYS
        .into_iter()
        .find(|k| path.file_name() == Some(k.as_ref()))
}

/// The PEM files of a cert-manager Secret.
#[derive(Clone, Debug)]
pub struct PemFiles {
    /// `tls.key`.
    pub key: PathBuf,
    /// `tls.crt`: the leaf, then its chain.
    pub cert: PathBuf,
    /// `ca.crt`, when present.
    pub ca: Option<PathBuf>,
    /// `tls-combined.pem` (cert-manager's `additionalOutputFormats: CombinedPEM`): the key and
    /// its chain in one file, which Cassandra's PEM factory and hot reload read as a key store.
    pub combined: Option<PathBuf>,
}

/// A refusal of the Secret at `given` (as the caller named it; its resolved path beside it
/// when relative).
fn refuse(given: &Path, key: &str, message: impl Into<String>) -> Error {
    let origin = Origin::Bytes(crate::error::given_and_resolved(given));
    Error::config(&origin, Some("secret"), Some(key), message)
}

/// A password file's content: its first line (a Secret's value usually has no newline, but one
/// written by hand often has).
fn password_file(path: &Path) -> Result<Password> {
    Password::from_file_first_line(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

impl MountedSecret {
    /// Reads the Secret mounted at `dir` in `layout`, or in the layout its files show when
    /// `None`. A relative `dir` is taken against the working directory. `password` is the store password the layout does not hold itself
    /// (cert-manager's Java stores, cass-operator's datacenter name); k8ssandra's password
    /// files win over it. A directory that fits no layout is an error that lists the files found
    /// and the names each layout expects.
    pub fn open(
        dir: impl AsRef<Path>,
        layout: Option<SecretLayout>,
        password: Option<Password>,
    ) -> Result<MountedSecret> {
        // A relative directory is taken against the working directory once, here: the files'
        // paths and the node's base directory are then the same absolute paths (symlinks such
        // as the kubelet's `..data` are kept, not resolved).
        let given = dir.as_ref();
        let io = |source| Error::Io {
            path: given.to_path_buf(),
            source,
        };
        let dir = &std::path::absolute(given).map_err(io)?;
        let mut found: Vec<String> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            // The kubelet's own entries (`..data`, `..2026_...`) are not the Secret's keys.
            .filter(|n| !n.starts_with(".."))
            .collect();
        found.sort();
        let has = |name: &str| found.iter().any(|f| f == name);
        let layout = match layout {
            Some(l) => l,
            None => match SecretLayout::ALL.into_iter().find(|l| has(l.marker())) {
                Some(l) => l,
                // k8ssandra-operator mounts the truststore as a Secret of its own.
                None if has("truststore") => SecretLayout::K8ssandra,
                None => return Err(Self::no_layout(given, &found)),
            },
        };
        let missing: Vec<&str> = layout
            .expected_files()
            .iter()
            .copied()
            .filter(|f| !has(f))
            // cert-manager's ca.crt is optional when the issuer gives none.
            .filter(|f| !(layout == SecretLayout::CertManager && *f == "ca.crt"))
            // k8ssandra mounts the key store and the truststore as two Secrets: either pair
            // alone is a Secret, read for what it holds.
            .filter(|f| {
                layout != SecretLayout::K8ssandra
                    || !(has("keystore") || has("truststore"))
                    || match *f {
                        "keystore" | "keystore-password" => has("keystore"),
                        _ => has("truststore"),
                    }
            })
            .collect();
        if !missing.is_empty() {
            return Err(refuse(
                given,
                layout.name(),
                format!(
                    "a {layout} secret needs {}; missing: {}; found: {}; mount the missing keys (a volume with items mounts only the keys it lists), or name another layout with --secret-layout",
                    layout.expected_files().join(", "),
                    missing.join(", "),
                    list(&found)
                ),
            ));
        }
        let path = |name: &str| dir.join(name);
        let mut secret = MountedSecret {
            dir: dir.to_path_buf(),
            layout,
            keystore: None,
            keystore_password: None,
            truststore: None,
            truststore_password: None,
            store_type: None,
            pem: None,
            unchecked: Vec::new(),
        };
        match layout {
            SecretLayout::K8ssandra => {
                if has("keystore") {
                    secret.keystore = Some(path("keystore"));
                    secret.keystore_password = Some(password_file(&path("keystore-password"))?);
                }
                if has("truststore") {
                    secret.truststore = Some(path("truststore"));
                    secret.truststore_password = Some(password_file(&path("truststore-password"))?);
                }
            }
            SecretLayout::CassOperatorLegacy => {
                let Some(password) = password else {
                    return Err(refuse(
                        given,
                        "password",
                        "cass-operator's legacy node-keystore.jks is protected by the datacenter's name: give it as the password (the command's --secret-password-file)",
                    ));
                };
                secret.keystore = Some(path("node-keystore.jks"));
                secret.truststore = Some(path("node-keystore.jks"));
                secret.keystore_password = Some(password.clone());
                secret.truststore_password = Some(password);
                secret.store_type = Some(StoreType::Jks);
            }
            SecretLayout::CertManager => secret.cert_manager(&has, &path, password),
        }
        Ok(secret)
    }

    /// cert-manager's files: its Java stores when their password is given, else its PEM files;
    /// what was not read is named.
    fn cert_manager(
        &mut self,
        has: &dyn Fn(&str) -> bool,
        path: &dyn Fn(&str) -> PathBuf,
        password: Option<Password>,
    ) {
        let java = [
            ("keystore.jks", "truststore.jks"),
            ("keystore.p12", "truststore.p12"),
        ]
        .into_iter()
        .find(|(k, _)| has(k));
        match (java, password) {
            (Some((k, t)), Some(password)) => {
                self.keystore = Some(path(k));
                self.truststore = has(t).then(|| path(t));
                self.keystore_password = Some(password.clone());
                self.truststore_password = Some(password);
                self.store_type = Some(if k.ends_with(".jks") {
                    StoreType::Jks
                } else {
                    StoreType::Pkcs12
                });
                self.unchecked.push(Unchecked {
                    reason: UncheckedReason::PemBesideJavaStores,
                    files: ["tls.crt", "tls.key", "tls-combined.pem"]
                        .into_iter()
                        .filter(|f| has(f))
                        .map(path)
                        .collect(),
                    why: format!("the Java stores {k} and {t} were read; a node configured with the PEM files uses material that was not checked"),
                });
            }
            // Without the password of its Java stores, the PEM files serve.
            (java, _) => {
                if let Some((k, t)) = java {
                    self.unchecked.push(Unchecked {
                        reason: UncheckedReason::JavaStoresWithoutPassword,
                        files: [k, t].into_iter().filter(|f| has(f)).map(path).collect(),
                        why: "no password was given for the Secret's Java stores (cert-manager's keystores passwordSecretRef; --secret-password-file), so its PEM files were read instead; a node configured with the Java stores uses material that was not checked".into(),
                    });
                }
                self.pem = Some(PemFiles {
                    key: path("tls.key"),
                    cert: path("tls.crt"),
                    ca: has("ca.crt").then(|| path("ca.crt")),
                    combined: has("tls-combined.pem").then(|| path("tls-combined.pem")),
                });
                self.store_type = Some(StoreType::Pem);
            }
        }
        if let (Some(pem), true) = (&self.pem, self.truststore.is_none()) {
            self.truststore = pem.ca.clone();
        }
    }

    fn no_layout(given: &Path, found: &[String]) -> Error {
        let expected: Vec<String> = SecretLayout::ALL
            .iter()
            .map(|l| format!("{l}: {}", l.expected_files().join(", ")))
            .collect();
        refuse(
            given,
            "layout",
            format!(
                "no known secret layout fits; found: {}; expected one of: {}; give the keys these names with the volume's items (key: <yours>, path: tls.crt), and name the layout with --secret-layout, or check the node's cassandra.yaml, which names its files",
                list(found),
                expected.join("; ")
            ),
        )
    }

    /// The Secret's material that was not read (cert-manager's Java stores without their
    /// password, or its PEM files beside the Java stores that were read).
    pub fn unchecked(&self) -> &[Unchecked] {
        &self.unchecked
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The layout read.
    pub fn layout(&self) -> SecretLayout {
        self.layout
    }

    /// The Java key store (k8ssandra, cass-operator, cert-manager's `keystore.jks`/`.p12`).
    pub fn keystore(&self) -> Option<&Path> {
        self.keystore.as_deref()
    }

    /// The key store's password.
    pub fn keystore_password(&self) -> Option<&Password> {
        self.keystore_password.as_ref()
    }

    /// The truststore (a Java store, or cert-manager's `ca.crt`).
    pub fn truststore(&self) -> Option<&Path> {
        self.truststore.as_deref()
    }

    /// The truststore's password (none for PEM).
    pub fn truststore_password(&self) -> Option<&Password> {
        self.truststore_password.as_ref()
    }

    /// The stores' type.
    pub fn store_type(&self) -> Option<StoreType> {
        self.store_type
    }

    /// cert-manager's PEM files, when they are what is read.
    pub fn pem(&self) -> Option<&PemFiles> {
        self.pem.as_ref()
    }

    /// What a node made from this Secret reads, by the Secret's key names.
    pub fn source(&self) -> SecretSource {
        let (keystore, keystore_password) = match &self.pem {
            Some(pem) if pem.combined.is_some() => (vec!["tls-combined.pem"], SecretPassword::None),
            Some(_) => (vec!["tls.key", "tls.crt"], SecretPassword::None),
            None => (
                self.keystore
                    .as_deref()
                    .and_then(key_of)
                    .into_iter()
                    .collect(),
                match self.layout {
                    SecretLayout::K8ssandra => SecretPassword::Key("keystore-password"),
                    _ => SecretPassword::Given,
                },
            ),
        };
        let truststore = self.truststore.as_deref().and_then(key_of);
        let truststore_password = match (self.layout, truststore) {
            (_, None | Some("ca.crt")) => SecretPassword::None,
            (SecretLayout::K8ssandra, _) => SecretPassword::Key("truststore-password"),
            _ => SecretPassword::Given,
        };
        SecretSource {
            dir: self.dir.clone(),
            layout: self.layout,
            keystore,
            keystore_password,
            truststore,
            truststore_password,
        }
    }

    /// The encryption section a node would have with this Secret mounted: the stores and
    /// passwords, `store_type`, and for cert-manager's PEM files the PEM factory, reading
    /// `tls-combined.pem` when the Certificate asks for it (`additionalOutputFormats:
    /// CombinedPEM`), else the key and chain inline (Cassandra's PEM factory reads the key and
    /// its chain from one file or one parameter; inline material is not hot reloaded). Other
    /// options keep their defaults.
    pub fn encryption_options(&self) -> Result<EncryptionOptions> {
        let mut opts = EncryptionOptions {
            keystore: self.keystore.as_ref().map(|p| p.display().to_string()),
            keystore_password: self.keystore_password.clone(),
            truststore: self.truststore.as_ref().map(|p| p.display().to_string()),
            truststore_password: self.truststore_password.clone(),
            ..EncryptionOptions::default()
        };
        let pem_factory = || SslContextFactory {
            class_name: Some("org.apache.cassandra.security.PEMBasedSslContextFactory".into()),
            parameters: Default::default(),
        };
        match (&self.pem, self.store_type) {
            (Some(pem), _) if pem.combined.is_some() => {
                opts.ssl_context_factory = pem_factory();
                opts.keystore = pem.combined.as_ref().map(|p| p.display().to_string());
                opts.truststore = pem.ca.as_ref().map(|p| p.display().to_string());
            }
            (Some(pem), _) => {
                let read = |p: &Path| {
                    std::fs::read_to_string(p).map_err(|source| Error::Io {
                        path: p.to_path_buf(),
                        source,
                    })
                };
                let mut key = zeroize::Zeroizing::new(read(&pem.key)?);
                if !key.ends_with('\n') {
                    key.push('\n');
                }
                key.push_str(&read(&pem.cert)?);
                let mut factory = pem_factory();
                factory
                    .parameters
                    .insert("private_key".into(), key.to_string());
                opts.ssl_context_factory = factory;
                opts.keystore = None;
                opts.truststore = pem.ca.as_ref().map(|p| p.display().to_string());
            }
            (None, Some(t)) => opts.store_type = Some(t.name().to_ascii_uppercase()),
            (None, None) => {}
        }
        Ok(opts)
    }

    /// A node's cassandra.yaml with this Secret in both encryption sections, encryption on and
    /// client certificates required (what a k8ssandra or cass-operator node with mutual TLS
    /// runs): what `cassandra-tls doctor --secret` checks.
    pub fn node_yaml(&self) -> Result<CassandraYaml> {
        self.node_yaml_for(CassandraVersion::default())
    }

    /// [`MountedSecret::node_yaml`] as the given Cassandra version runs it: the version's
    /// defaults and rules apply, and material that version cannot read is refused as its
    /// yaml loader refuses it (4.0 has no `ssl_context_factory`, so no PEM factory: a Secret
    /// of PEM files only cannot configure a 4.0 node).
    pub fn node_yaml_for(&self, version: CassandraVersion) -> Result<CassandraYaml> {
        let origin = Origin::Bytes(format!("<{} secret {}>", self.layout, self.dir.display()));
        if self.pem.is_some() && !version.has_ssl_context_factory() {
            return Err(Error::config(
                &origin,
                None,
                Some("ssl_context_factory"),
                format!(
                    "Cassandra {version} cannot read this Secret's PEM files: its PEM factory (ssl_context_factory: PEMBasedSslContextFactory) is new in Cassandra 4.1; give the Secret Java stores (cert-manager's keystores.jks or keystores.pkcs12) or check it as 4.1 or later (--cassandra-version)"
                ),
            ));
        }
        self.yaml_of(origin, version)
    }

    fn yaml_of(&self, origin: Origin, version: CassandraVersion) -> Result<CassandraYaml> {
        let client = EncryptionOptions {
            enabled: Some(true),
            require_client_auth: ClientAuth::Required,
            ..self.encryption_options()?
        };
        let server = ServerEncryptionOptions {
            common: EncryptionOptions {
                enabled: Some(true),
                require_client_auth: ClientAuth::Required,
                ..self.encryption_options()?
            },
            internode_encryption: InternodeEncryption::All,
            ..ServerEncryptionOptions::default()
        };
        Ok(
            CassandraYaml::from_sections(origin, server, client, self.dir.clone())
                .with_version(version)
                .with_secret(self.source()),
        )
    }
}

fn list(found: &[String]) -> String {
    if found.is_empty() {
        "nothing".to_owned()
    } else {
        found.join(", ")
    }
}
