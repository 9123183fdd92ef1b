//! The words of a finding about a node's stores: cassandra.yaml's options for a node configured
//! by hand; for a node made from a mounted Kubernetes Secret ([`crate::options::SecretSource`]),
//! the Secret's keys, its volume's `defaultMode`, the Certificate's fields and the command's
//! flags. Every store finding whose words depend on where the material came from asks here.

use std::path::{Path, PathBuf};

use crate::options::{SecretLayout, SecretPassword, SecretSource};
use crate::tls::Node;

/// Where a node's material came from, as its findings speak of it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Terms<'a> {
    /// A cassandra.yaml (or sections built in code): its options.
    Yaml,
    /// A mounted Secret: its keys.
    Secret(&'a SecretSource),
}

/// Which store of a section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Store {
    /// The key store.
    Key,
    /// The truststore.
    Trust,
}

/// One file a section's store is read from, with what a finding calls it.
pub(crate) struct StoreFile {
    /// `keystore`, `truststore`, or the Secret's key (`the Secret's tls.key`).
    pub what: String,
    pub path: PathBuf,
    /// Holds a private key: other users must not read it.
    pub secret: bool,
}

impl<'a> Terms<'a> {
    /// The terms of `node`'s findings.
    pub(crate) fn of(node: &'a Node) -> Terms<'a> {
        match node.resolved().yaml().secret() {
            Some(s) => Terms::Secret(s),
            None => Terms::Yaml,
        }
    }

    /// The fix for a start-up failure.
    pub(crate) fn startup_fix(self) -> &'static str {
        match self {
            Terms::Yaml => {
                "fix the option named; `cassandra-tls explain` shows what the node does at start-up"
            }
            Terms::Secret(_) => {
                "fix the Secret's material named (the node is checked as it runs with this Secret mounted, mutual TLS on both ports); the findings below say which key"
            }
        }
    }

    /// The fix for a store file other users can read: a file of a mounted Secret (one the
    /// kubelet wrote: `..data` beside it), even one a cassandra.yaml names, takes its mode
    /// from the volume.
    pub(crate) fn world_readable_fix(self, path: &Path) -> &'static str {
        let mounted = path.parent().is_some_and(|d| d.join("..data").is_dir());
        match self {
            Terms::Yaml if !mounted => "chmod 600 (or 640 with Cassandra's group)",
            _ => {
                "mount the Secret with defaultMode: 0440 and the pod's fsGroup set to Cassandra's group (a chmod does not last: the kubelet rewrites the files)"
            }
        }
    }

    /// The fix for a store file that is missing or not a file.
    pub(crate) fn missing_fix(self, is_dir: bool) -> &'static str {
        match (self, is_dir) {
            (Terms::Yaml, true) => "point the option at the store file",
            (Terms::Yaml, false) => {
                "create the file or fix the path (relative paths start in Cassandra's working directory)"
            }
            (Terms::Secret(_), _) => {
                "mount every key of the Secret (a volume with items mounts only the keys it lists), or name the layout with --secret-layout"
            }
        }
    }

    /// The fix for a store its password does not open.
    pub(crate) fn password_fix(self, store: Store) -> String {
        let (option, password, key) = match (self, store) {
            (Terms::Yaml, Store::Key) => {
                return "set keystore_password to the store's password (or restore the file)"
                    .into();
            }
            (Terms::Yaml, Store::Trust) => {
                return "set truststore_password to the store's password (or restore the file)"
                    .into();
            }
            (Terms::Secret(s), Store::Key) => (s, s.keystore_password, s.keystore.first()),
            (Terms::Secret(s), Store::Trust) => (s, s.truststore_password, s.truststore.as_ref()),
        };
        let file = key.copied().unwrap_or("store");
        match (password, option.layout) {
            (SecretPassword::Key(k), _) => {
                format!(
                    "put the password of the Secret's {file} in its {k} key (or restore {file})"
                )
            }
            (_, SecretLayout::CassOperatorLegacy) => format!(
                "give the datacenter's name, cass-operator's password of {file}, with --secret-password-file"
            ),
            (_, SecretLayout::CertManager) => format!(
                "give the password held in the Secret named by the Certificate's keystores.{}.passwordSecretRef with --secret-password-file (one per --secret, in order)",
                if file.ends_with(".p12") {
                    "pkcs12"
                } else {
                    "jks"
                }
            ),
            _ => format!("give {file}'s password with --secret-password-file"),
        }
    }

    /// The fix for a key whose password is not the store's.
    pub(crate) fn key_password_fix(self) -> &'static str {
        match self {
            Terms::Yaml => {
                "Cassandra unlocks keys with keystore_password: re-protect the key with the store password (keytool -keypasswd)"
            }
            Terms::Secret(_) => {
                "Cassandra unlocks keys with the store's password: re-protect the key with it (keytool -keypasswd), or let the Secret's maker write the store again"
            }
        }
    }

    /// The fix for a store whose type is not the configured one.
    pub(crate) fn store_type_fix(self) -> &'static str {
        match self {
            Terms::Yaml => "set store_type to what the file is",
            Terms::Secret(_) => {
                "set store_type in the node's encryption options to what the Secret's file is (the Secret does not carry it; Cassandra's default is JKS)"
            }
        }
    }

    /// The fix for a PEM key Cassandra's PEM factory cannot read.
    pub(crate) fn pem_key_fix(self) -> &'static str {
        match self {
            Terms::Secret(s) if s.layout == SecretLayout::CertManager => {
                "set the Certificate's privateKey.encoding: PKCS8 (cert-manager writes PKCS#1 by default, which Cassandra's PEM factory does not read)"
            }
            _ => "give Cassandra a PKCS#8 key, encrypted with PBE-SHA1-3DES or not at all",
        }
    }

    /// The fix for a truststore that cannot be read.
    pub(crate) fn truststore_fix(self) -> &'static str {
        match self {
            Terms::Yaml => "fix the truststore settings",
            Terms::Secret(_) => "fix the Secret's truststore named above",
        }
    }

    /// What "X opens" says of a key store read from `origin`.
    pub(crate) fn key_store_name(self, origin: &crate::Origin) -> String {
        match self {
            Terms::Secret(s) if !s.keystore.is_empty() => s
                .keystore
                .iter()
                .map(|k| s.path(k).display().to_string())
                .collect::<Vec<_>>()
                .join(" with "),
            _ => origin.to_string(),
        }
    }

    /// The files of a Secret's store (`None` for a yaml's: its options name them).
    pub(crate) fn secret_files(self, store: Store) -> Option<Result<Vec<StoreFile>, Absent>> {
        let Terms::Secret(s) = self else {
            return None;
        };
        let keys: Vec<&str> = match store {
            Store::Key => s.keystore.clone(),
            Store::Trust => s.truststore.into_iter().collect(),
        };
        if keys.is_empty() {
            return Some(Err(Absent::of(s, store)));
        }
        Some(Ok(keys
            .into_iter()
            .map(|k| StoreFile {
                what: format!("the Secret's {k}"),
                path: s.path(k),
                secret: store == Store::Key && k != "tls.crt",
            })
            .collect()))
    }
}

/// A store the Secret does not hold: what it lacks, and what to do.
pub(crate) struct Absent {
    pub message: String,
    pub fix: String,
}

impl Absent {
    fn of(s: &SecretSource, store: Store) -> Absent {
        let (what, key) = match (store, s.layout) {
            (Store::Key, SecretLayout::K8ssandra) => {
                ("key store", "keystore (and keystore-password)")
            }
            (Store::Trust, SecretLayout::K8ssandra) => {
                ("truststore", "truststore (and truststore-password)")
            }
            (Store::Key, _) => ("key store", "tls.key and tls.crt"),
            (Store::Trust, _) => ("truststore", "ca.crt"),
        };
        let dir = display(&s.dir);
        let message = format!(
            "the {} Secret {dir} has no {key}: the node has no {what}",
            s.layout
        );
        let fix = match (store, s.layout) {
            (_, SecretLayout::K8ssandra) => "k8ssandra-operator mounts the key store and the truststore as two Secrets: check the node's cassandra.yaml, which names both (`cassandra-tls doctor cassandra.yaml`)".into(),
            (Store::Trust, _) => "have the Certificate's issuer write its CA as ca.crt (a CA issuer does; ACME issuers do not), or check the node's cassandra.yaml with the truststore it names (`cassandra-tls doctor cassandra.yaml`)".into(),
            (Store::Key, _) => format!("give the Secret {key}"),
        };
        Absent { message, fix }
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
