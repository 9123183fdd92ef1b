//! Certificates as scylla-operator delivers them (feature gate `AutomaticTLSCertificates`, on by
//! default since 1.11), read into the scylla.yaml the operator writes for them.
//!
//! | object | keys | mounted at (in the Scylla container) |
//! |---|---|---|
//! | Secret `<sc>-local-serving-certs` | `tls.crt`, `tls.key` | `/var/run/secrets/scylla-operator.scylladb.com/scylladb/serving-certs` |
//! | ConfigMap `<sc>-local-client-ca` | `ca-bundle.crt` | `/var/run/configmaps/scylla-operator.scylladb.com/scylladb/client-ca` |
//! | Secret `<sc>-alternator-local-serving-certs` | `tls.crt`, `tls.key` | `.../scylladb/alternator-serving-certs` |
//!
//! (scylla-operator `pkg/naming/names.go`, `pkg/controller/scylladbdatacenter/resource.go`.)
//! The operator's managed configuration (`assets/scylladb/managedconfig.cm.yaml`) turns client
//! encryption on with these files and `require_client_auth: true`, on separate TLS ports
//! (`native_transport_port_ssl: 9142`, `native_shard_aware_transport_port_ssl: 19142`); it
//! does not manage internode TLS (scylla-operator#2254). It also writes Cassandra's
//! `optional: false`, which Scylla ignores; the yaml made here leaves it out, as no user can
//! change it. [`OperatorMount::scylla_yaml`] is that
//! configuration with the mounted directories' own paths, so `explain`, `doctor` and the TLS
//! configs read it as they read any scylla.yaml.

use std::path::{Path, PathBuf};

use super::ScyllaYaml;
use crate::error::{Error, Origin, Result};

/// The serving certificate Secret's keys.
pub const SERVING_KEYS: [&str; 2] = ["tls.crt", "tls.key"];
/// The client CA ConfigMap's key.
pub const CLIENT_CA_KEY: &str = "ca-bundle.crt";

/// scylla-operator's mounted Secrets and ConfigMap, checked for the keys the operator writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorMount {
    serving: PathBuf,
    client_ca: Option<PathBuf>,
    alternator: Option<PathBuf>,
}

fn check_dir(given: &Path, keys: &[&str], what: &str) -> Result<PathBuf> {
    let io = |source| Error::Io {
        path: given.to_path_buf(),
        source,
    };
    let dir = std::path::absolute(given).map_err(io)?;
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .map_err(io)?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with(".."))
        .collect();
    found.sort();
    let missing: Vec<&str> = keys
        .iter()
        .copied()
        .filter(|k| !dir.join(k).is_file())
        .collect();
    if missing.is_empty() {
        return Ok(dir);
    }
    let origin = Origin::Bytes(crate::error::given_and_resolved(given));
    Err(Error::config(
        &origin,
        Some("scylla-operator"),
        Some(missing[0]),
        format!(
            "the {what} has no {} (found: {}); scylla-operator writes {}",
            missing.join(", "),
            if found.is_empty() {
                "nothing".to_string()
            } else {
                found.join(", ")
            },
            keys.join(", ")
        ),
    ))
}

impl OperatorMount {
    /// Reads the mounted directories: the serving-certs Secret (`tls.crt`, `tls.key`), and
    /// optionally the client-ca ConfigMap (`ca-bundle.crt`) and Alternator's serving-certs
    /// Secret. A directory without the operator's keys is an error that lists what it holds.
    pub fn open(
        serving_certs: impl AsRef<Path>,
        client_ca: Option<&Path>,
        alternator_serving_certs: Option<&Path>,
    ) -> Result<OperatorMount> {
        Ok(OperatorMount {
            serving: check_dir(
                serving_certs.as_ref(),
                &SERVING_KEYS,
                "serving-certs Secret",
            )?,
            client_ca: client_ca
                .map(|d| check_dir(d, &[CLIENT_CA_KEY], "client-ca ConfigMap"))
                .transpose()?,
            alternator: alternator_serving_certs
                .map(|d| check_dir(d, &SERVING_KEYS, "alternator serving-certs Secret"))
                .transpose()?,
        })
    }

    /// The serving-certs directory (absolute).
    pub fn serving_certs(&self) -> &Path {
        &self.serving
    }

    /// The client-ca directory (absolute), when given.
    pub fn client_ca(&self) -> Option<&Path> {
        self.client_ca.as_deref()
    }

    /// The scylla.yaml scylla-operator writes for these files (`managedconfig.cm.yaml`), with
    /// the directories' paths in place of the container's mount points, over the image's own
    /// scylla.yaml ports (`native_transport_port: 9042`, `native_shard_aware_transport_port:
    /// 19042`, set in the packaged `conf/scylla.yaml`, so the plain ports keep listening). Without the client-ca
    /// directory, `truststore` still names where the operator mounts it, so a check says it
    /// is missing rather than passing silently.
    pub fn scylla_yaml(&self) -> Result<ScyllaYaml> {
        let quote = |p: &Path| -> Result<String> {
            let s = p.to_str().ok_or_else(|| {
                Error::config(
                    &Origin::Bytes(p.display().to_string()),
                    Some("scylla-operator"),
                    None,
                    "the path is not UTF-8, which scylla.yaml cannot name",
                )
            })?;
            Ok(format!("'{}'", s.replace('\'', "''")))
        };
        let ca = match &self.client_ca {
            Some(d) => d.join(CLIENT_CA_KEY),
            None => PathBuf::from(
                "/var/run/configmaps/scylla-operator.scylladb.com/scylladb/client-ca/ca-bundle.crt",
            ),
        };
        let mut text = format!(
            "native_transport_port: 9042\nnative_shard_aware_transport_port: 19042\nnative_transport_port_ssl: 9142\nnative_shard_aware_transport_port_ssl: 19142\nclient_encryption_options:\n  enabled: true\n  certificate: {}\n  keyfile: {}\n  require_client_auth: true\n  truststore: {}\n",
            quote(&self.serving.join("tls.crt"))?,
            quote(&self.serving.join("tls.key"))?,
            quote(&ca)?,
        );
        if let Some(a) = &self.alternator {
            text.push_str(&format!(
                "alternator_https_port: 8043\nalternator_encryption_options:\n  certificate: {}\n  keyfile: {}\n",
                quote(&a.join("tls.crt"))?,
                quote(&a.join("tls.key"))?,
            ));
        }
        let label = format!("scylla-operator {}", self.serving.display());
        ScyllaYaml::from_str(&text).map(|y| y.with_origin(Origin::Bytes(label)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::scylla::{ScyllaClientAuth, ScyllaService};

    #[test]
    fn reads_the_operator_layout_into_its_managed_config() {
        let root = tempfile::tempdir().unwrap();
        let serving = root.path().join("serving-certs");
        let ca = root.path().join("it's client-ca");
        std::fs::create_dir_all(&serving).unwrap();
        std::fs::create_dir_all(&ca).unwrap();
        std::fs::write(serving.join("tls.crt"), "x").unwrap();
        std::fs::write(serving.join("tls.key"), "x").unwrap();
        std::fs::write(ca.join(CLIENT_CA_KEY), "x").unwrap();
        let m = OperatorMount::open(&serving, Some(&ca), None).unwrap();
        let node = m.scylla_yaml().unwrap().resolve();
        let cql = node.section(ScyllaService::Cql);
        assert!(cql.enabled);
        assert_eq!(cql.client_auth, ScyllaClientAuth::Require);
        assert_eq!(
            cql.truststore.as_ref().unwrap().path,
            ca.join(CLIENT_CA_KEY)
        );
        assert_eq!(cql.keyfile.path, serving.join("tls.key"));
        // The operator's `optional: false` (a Cassandra key Scylla ignores) is left out: the
        // user cannot change it, so it is no finding of theirs.
        assert!(cql.notes.is_empty(), "{:?}", cql.notes);
        let tls: Vec<u16> = node
            .listeners()
            .iter()
            .filter(|l| l.tls)
            .map(|l| l.port)
            .collect();
        assert_eq!(tls, [9142, 19142]);
        let plain: Vec<u16> = node
            .listeners()
            .iter()
            .filter(|l| !l.tls && l.service == ScyllaService::Cql)
            .map(|l| l.port)
            .collect();
        assert_eq!(plain, [9042, 19042]);
    }

    #[test]
    fn a_directory_without_the_keys_is_refused_with_what_it_holds() {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("ca.crt"), "x").unwrap();
        let err = OperatorMount::open(root.path(), None, None)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("tls.crt, tls.key") && err.contains("found: ca.crt"),
            "{err}"
        );
    }
}
