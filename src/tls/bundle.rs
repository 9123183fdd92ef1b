//! Managed-service material: DataStax Astra's secure-connect bundle (feature `bundle`).
//!
//! A secure-connect bundle is a zip the service hands out. From the drivers that read it (the
//! Java driver's `CloudConfigFactory`, the Python driver's `cassandra.datastax.cloud`) its
//! layout is:
//!
//! | entry            | what                                                        | read by |
//! |------------------|-------------------------------------------------------------|---------|
//! | `config.json`    | `host`, `port` (the metadata service), `keyspace`, `localDC`, `keyStorePassword`, `trustStorePassword` | both |
//! | `identity.jks`   | the client's key and certificate, JKS, `keyStorePassword`   | Java    |
//! | `trustStore.jks` | the service's CA, JKS, `trustStorePassword`                 | Java    |
//! | `ca.crt`         | the same CA, PEM                                            | Python  |
//! | `cert`, `key`    | the same client certificate and key, PEM                    | Python  |
//! | `cqlshrc`        | cqlsh settings (not read here)                              | cqlsh   |
//!
//! A driver then fetches `https://host:port/metadata` with that material, which answers
//! `{"contact_info": {"sni_proxy_address": "name:port", "contact_points": [host ids],
//! "local_dc": ...}}` ([`ProxyMetadata`]), and opens every node connection to the SNI proxy
//! with the node's host id as the SNI name. The Java driver checks the proxy's certificate
//! against the proxy's host name, not against the host id (`SniSslEngineFactory`: endpoint
//! identification with the proxy address as the peer host); [`SecureConnectBundle::driver_tls`]
//! does the same with [`NodeIdentity::ClusterName`], so the SNI name can be the host id while
//! the certificate is checked against the service's name. (The Python driver checks no name
//! at all; this crate does not follow it there.)
//!
//! ```no_run
//! use cassandra_tls::tls::{ProxyMetadata, SecureConnectBundle};
//!
//! let bundle = SecureConnectBundle::open("secure-connect-prod.zip")?;
//! let tls = bundle.driver_tls().build()?;
//! // GET bundle.metadata_url() over tls.config() (server name: bundle.host()), then:
//! # let body = b"{}";
//! let metadata = ProxyMetadata::parse(body)?;
//! for host_id in &metadata.contact_points {
//!     let sni = metadata.server_name(host_id)?; // connect to the proxy with this name
//! #   let _ = sni;
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

use std::io::Read;
use std::path::Path;

use rustls::pki_types::ServerName;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{DriverTls, NodeIdentity};
use crate::error::{Error, Origin, Result};
use crate::password::Password;

/// The most entries a bundle may hold (real ones hold 7 or 8).
const MAX_ENTRIES: usize = 256;
/// The most bytes one entry may expand to (the stores and certificates are a few KiB).
const MAX_ENTRY_BYTES: u64 = 1 << 20;
/// The most bytes a bundle file may have.
const MAX_BUNDLE_BYTES: u64 = 16 << 20;

/// A secure-connect bundle, read (see the module documentation).
pub struct SecureConnectBundle {
    origin: Origin,
    host: String,
    port: u16,
    keyspace: Option<String>,
    local_dc: Option<String>,
    key_store: Option<(Zeroizing<Vec<u8>>, Password)>,
    trust_store: Option<(Vec<u8>, Password)>,
    ca_pem: Option<Vec<u8>>,
    client_pem: Option<Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for SecureConnectBundle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecureConnectBundle")
            .field("origin", &self.origin)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("keyspace", &self.keyspace)
            .field("local_dc", &self.local_dc)
            .field("java_stores", &self.key_store.is_some())
            .field("pem_files", &self.client_pem.is_some())
            .finish_non_exhaustive()
    }
}

/// config.json, as the drivers read it (unknown fields ignored, as Jackson and `json.load`
/// do).
#[derive(Deserialize)]
struct ConfigJson {
    host: Option<String>,
    port: Option<serde_json::Value>,
    keyspace: Option<String>,
    #[serde(rename = "localDC")]
    local_dc: Option<String>,
    #[serde(rename = "keyStorePassword")]
    key_store_password: Option<String>,
    #[serde(rename = "trustStorePassword")]
    trust_store_password: Option<String>,
}

impl Drop for ConfigJson {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        if let Some(p) = self.key_store_password.as_mut() {
            p.zeroize();
        }
        if let Some(p) = self.trust_store_password.as_mut() {
            p.zeroize();
        }
    }
}

fn malformed(origin: &Origin, what: impl Into<String>) -> Error {
    Error::Malformed {
        origin: origin.clone(),
        what: what.into(),
    }
}

/// The entries a bundle's reader looks at, each read whole (bounded).
#[derive(Default)]
struct Entries {
    config: Option<Zeroizing<Vec<u8>>>,
    identity_jks: Option<Zeroizing<Vec<u8>>>,
    trust_store_jks: Option<Vec<u8>>,
    ca_crt: Option<Vec<u8>>,
    cert: Option<Vec<u8>>,
    key: Option<Zeroizing<Vec<u8>>>,
}

fn read_entries(origin: &Origin, bytes: &[u8]) -> Result<Entries> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| malformed(origin, format!("not a zip archive: {e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(malformed(
            origin,
            format!("{} entries (a bundle has a handful)", zip.len()),
        ));
    }
    let mut entries = Entries::default();
    for i in 0..zip.len() {
        let mut file = zip
            .by_index(i)
            .map_err(|e| malformed(origin, format!("entry {i}: {e}")))?;
        let name = file
            .name()
            .map_err(|e| malformed(origin, format!("entry {i}: {e}")))?
            .into_owned();
        // The drivers match entry names exactly, at the top of the archive.
        let slot = match name.as_str() {
            "config.json" | "identity.jks" | "trustStore.jks" | "ca.crt" | "cert" | "key" => name,
            _ => continue,
        };
        if file.size() > MAX_ENTRY_BYTES {
            return Err(malformed(
                origin,
                format!("{slot} expands to {} bytes", file.size()),
            ));
        }
        let mut data = Zeroizing::new(Vec::with_capacity(file.size() as usize));
        (&mut file)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|e| malformed(origin, format!("{slot}: {e}")))?;
        if data.len() as u64 > MAX_ENTRY_BYTES {
            return Err(malformed(origin, format!("{slot} expands past 1 MiB")));
        }
        match slot.as_str() {
            "config.json" => entries.config = Some(data),
            "identity.jks" => entries.identity_jks = Some(data),
            "trustStore.jks" => entries.trust_store_jks = Some(data.to_vec()),
            "ca.crt" => entries.ca_crt = Some(data.to_vec()),
            "cert" => entries.cert = Some(data.to_vec()),
            _ => entries.key = Some(data),
        }
    }
    Ok(entries)
}

impl SecureConnectBundle {
    /// Reads a bundle file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let io = |source| Error::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let len = file.metadata().map_err(io)?.len();
        let origin = Origin::file(path);
        if len > MAX_BUNDLE_BYTES {
            return Err(malformed(
                &origin,
                format!("{len} bytes (a bundle has a few KiB)"),
            ));
        }
        let mut bytes = Vec::with_capacity(len as usize);
        file.take(MAX_BUNDLE_BYTES)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        Self::from_bytes(origin, &bytes)
    }

    /// Reads a bundle from bytes (`origin` names it in errors).
    pub fn from_bytes(origin: Origin, bytes: &[u8]) -> Result<Self> {
        if bytes.len() as u64 > MAX_BUNDLE_BYTES {
            return Err(malformed(&origin, "more than 16 MiB"));
        }
        let entries = read_entries(&origin, bytes)?;
        let config = entries
            .config
            .as_ref()
            .ok_or_else(|| malformed(&origin, "no config.json (not a secure-connect bundle)"))?;
        let json: ConfigJson = serde_json::from_slice(config)
            .map_err(|e| malformed(&origin, format!("config.json: {e}")))?;
        let missing = |field: &str| malformed(&origin, format!("config.json has no {field}"));
        let host = json.host.clone().ok_or_else(|| missing("host"))?;
        ServerName::try_from(host.as_str()).map_err(|_| {
            malformed(
                &origin,
                format!("config.json's host '{host}' is not a host name"),
            )
        })?;
        // Jackson's asInt and Python's int() both take a number or a numeric string.
        let port = match &json.port {
            Some(serde_json::Value::Number(n)) => n.as_u64(),
            Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
            Some(_) => None,
            None => return Err(missing("port")),
        }
        .and_then(|p| u16::try_from(p).ok())
        .filter(|p| *p != 0)
        .ok_or_else(|| malformed(&origin, "config.json's port is not a port number"))?;

        let key_store = match (&entries.identity_jks, &json.key_store_password) {
            (Some(store), Some(p)) => Some((store.clone(), Password::new(p.as_str()))),
            _ => None,
        };
        let trust_store = match (&entries.trust_store_jks, &json.trust_store_password) {
            (Some(store), Some(p)) => Some((store.clone(), Password::new(p.as_str()))),
            _ => None,
        };
        let client_pem = match (&entries.cert, &entries.key) {
            (Some(cert), Some(key)) => {
                let mut both = Zeroizing::new(Vec::with_capacity(key.len() + cert.len() + 1));
                both.extend_from_slice(key);
                both.push(b'\n');
                both.extend_from_slice(cert);
                Some(both)
            }
            _ => None,
        };
        let java = key_store.is_some() && trust_store.is_some();
        let pem = client_pem.is_some() && entries.ca_crt.is_some();
        if !java && !pem {
            return Err(malformed(
                &origin,
                "neither identity.jks and trustStore.jks with their passwords in config.json, nor ca.crt, cert and key",
            ));
        }
        Ok(SecureConnectBundle {
            host,
            port,
            keyspace: json.keyspace.clone(),
            local_dc: json.local_dc.clone(),
            key_store,
            trust_store,
            ca_pem: entries.ca_crt,
            client_pem,
            origin,
        })
    }

    /// The metadata service's host name (config.json `host`), which the service's
    /// certificate names.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The metadata service's port (config.json `port`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The keyspace config.json names, if any.
    pub fn keyspace(&self) -> Option<&str> {
        self.keyspace.as_deref()
    }

    /// The local data center config.json names, if any (the metadata service's `local_dc`
    /// is the one drivers use).
    pub fn local_dc(&self) -> Option<&str> {
        self.local_dc.as_deref()
    }

    /// `https://host:port/metadata`, where drivers fetch [`ProxyMetadata`].
    pub fn metadata_url(&self) -> String {
        format!("https://{}:{}/metadata", self.host, self.port)
    }

    /// The client settings of the bundle: its client certificate and CA (the Java stores when
    /// the bundle has them with their passwords, as the Java driver reads it, else the PEM
    /// files, as the Python driver does), checking every certificate against the service's
    /// host name whatever SNI name is sent. Add [`DriverTls::system_roots`],
    /// [`DriverTls::provider`] or another [`NodeIdentity`] before building; for an SNI proxy
    /// with another name than `host`, name it with
    /// `.node_identity(NodeIdentity::ClusterName(metadata.sni_proxy_host.clone()))`.
    pub fn driver_tls(&self) -> DriverTls {
        let builder = match (&self.key_store, &self.trust_store) {
            (Some((ks, ks_pass)), Some((ts, ts_pass))) => DriverTls::new()
                .keystore_bytes(ks.to_vec())
                .keystore_password(ks_pass.clone())
                .truststore_bytes(ts.clone())
                .truststore_password(ts_pass.clone()),
            _ => DriverTls::new()
                .keystore_bytes(
                    self.client_pem
                        .as_ref()
                        .map(|p| p.to_vec())
                        .unwrap_or_default(),
                )
                .truststore_bytes(self.ca_pem.clone().unwrap_or_default()),
        };
        builder.node_identity(NodeIdentity::ClusterName(self.host.clone()))
    }
}

/// What the metadata service answers (`GET /metadata`): where the SNI proxy is and which
/// nodes are behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyMetadata {
    /// The SNI proxy's host name (`contact_info.sni_proxy_address` before the colon).
    pub sni_proxy_host: String,
    /// The SNI proxy's port.
    pub sni_proxy_port: u16,
    /// The nodes' host ids (`contact_info.contact_points`): the SNI name of each node.
    pub contact_points: Vec<String>,
    /// The data center to use as local (`contact_info.local_dc`).
    pub local_dc: String,
}

#[derive(Deserialize)]
struct MetadataJson {
    contact_info: Option<ContactInfo>,
}

#[derive(Deserialize)]
struct ContactInfo {
    sni_proxy_address: Option<String>,
    contact_points: Option<Vec<String>>,
    local_dc: Option<String>,
}

impl ProxyMetadata {
    /// Parses the metadata service's answer. A missing field or a proxy address without a
    /// port is an error, as in the Java driver.
    pub fn parse(json: &[u8]) -> Result<Self> {
        let origin = Origin::Bytes("<proxy metadata>".into());
        let bad = |what: &str| malformed(&origin, what.to_owned());
        let doc: MetadataJson = serde_json::from_slice(json)
            .map_err(|e| malformed(&origin, format!("not JSON: {e}")))?;
        let info = doc
            .contact_info
            .ok_or_else(|| bad("missing field contact_info"))?;
        let address = info
            .sni_proxy_address
            .ok_or_else(|| bad("missing field sni_proxy_address"))?;
        let (host, port) = address
            .rsplit_once(':')
            .ok_or_else(|| bad("sni_proxy_address has no port"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port: u16 = port
            .parse()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| bad("sni_proxy_address has no valid port"))?;
        let contact_points = info
            .contact_points
            .ok_or_else(|| bad("missing field contact_points"))?;
        let local_dc = info.local_dc.ok_or_else(|| bad("missing field local_dc"))?;
        Ok(ProxyMetadata {
            sni_proxy_host: host,
            sni_proxy_port: port,
            contact_points,
            local_dc,
        })
    }

    /// The SNI name for a node: its host id, as a DNS name for rustls (the server name a
    /// connection through the proxy is opened with).
    pub fn server_name(&self, host_id: &str) -> Result<ServerName<'static>> {
        ServerName::try_from(host_id.to_owned()).map_err(|_| {
            malformed(
                &Origin::Bytes("<proxy metadata>".into()),
                format!("host id '{host_id}' cannot be an SNI name"),
            )
        })
    }
}
