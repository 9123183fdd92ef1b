//! The settings drivers already hold, read into a [`DriverTls`]: the Java driver's
//! `advanced.ssl-engine-factory`, the Python driver's `ssl_options`, and a mounted Kubernetes
//! Secret.

use std::path::PathBuf;

use super::{DriverTls, bad, read};
use crate::error::Result;
use crate::keystore::StoreType;

impl DriverTls {
    /// The Java driver's `advanced.ssl-engine-factory` block, as key/value pairs without the
    /// prefix: `truststore-path`, `truststore-password`, `keystore-path`,
    /// `keystore-password`, `hostname-validation` (`true`/`false`), `cipher-suites` (a
    /// comma-separated list or `[A, B]`). `class` must be DefaultSslEngineFactory when given.
    /// An unknown key is refused by name.
    pub fn from_java_driver<'a>(
        settings: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self> {
        let mut d = DriverTls::new();
        for (key, value) in settings {
            let value = value.trim().trim_matches('"');
            match key.trim() {
                "class" => {
                    if !value.ends_with("DefaultSslEngineFactory") {
                        return Err(bad(
                            "class",
                            format!("{value}: only DefaultSslEngineFactory's settings can be read"),
                        ));
                    }
                }
                "truststore-path" => d = d.truststore_path(value),
                "truststore-password" => d = d.truststore_password(value),
                "keystore-path" => d = d.keystore_path(value),
                "keystore-password" => d = d.keystore_password(value),
                "hostname-validation" => {
                    d = d.hostname_validation(match value {
                        "true" => true,
                        "false" => false,
                        other => {
                            return Err(bad(
                                "hostname-validation",
                                format!("{other} is not true or false"),
                            ));
                        }
                    })
                }
                "cipher-suites" => {
                    let list = value.trim_start_matches('[').trim_end_matches(']');
                    d = d.cipher_suites(
                        list.split(',')
                            .map(|s| s.trim().trim_matches('"').to_owned())
                            .filter(|s| !s.is_empty()),
                    );
                }
                other => {
                    return Err(bad(
                        other,
                        format!(
                            "{other} is not a setting of DefaultSslEngineFactory (truststore-path, truststore-password, keystore-path, keystore-password, hostname-validation, cipher-suites)"
                        ),
                    ));
                }
            }
        }
        Ok(d)
    }

    /// The Python driver's `ssl_options`: `ca_certs` (PEM CAs), `certfile` and `keyfile` (PEM
    /// client certificate and key), `cert_reqs` (`CERT_NONE`, `CERT_OPTIONAL`,
    /// `CERT_REQUIRED`, or 0, 1, 2) and `check_hostname` (`True`/`False`). A key file needs a
    /// password given with [`DriverTls::key_password`] when it is encrypted. `CERT_NONE` (no
    /// check of the node at all) builds only after
    /// [`DriverTls::dangerous_no_server_verification`].
    pub fn from_python_driver<'a>(
        options: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self> {
        let mut d = DriverTls::new().hostname_validation(false);
        let (mut keyfile, mut certfile) = (None, None);
        for (key, value) in options {
            let value = value.trim();
            match key.trim() {
                "ca_certs" => d = d.truststore_path(value),
                "certfile" => certfile = Some(PathBuf::from(value)),
                "keyfile" => keyfile = Some(PathBuf::from(value)),
                "cert_reqs" => {
                    d.verify = match value.trim_start_matches("ssl.") {
                        "CERT_NONE" | "0" => false,
                        "CERT_OPTIONAL" | "CERT_REQUIRED" | "1" | "2" => true,
                        other => {
                            return Err(bad(
                                "cert_reqs",
                                format!("{other} is not CERT_NONE, CERT_OPTIONAL or CERT_REQUIRED"),
                            ));
                        }
                    }
                }
                "check_hostname" => {
                    d.hostname_validation = match value {
                        "True" | "true" | "1" => true,
                        "False" | "false" | "0" => false,
                        other => {
                            return Err(bad(
                                "check_hostname",
                                format!("{other} is not True or False"),
                            ));
                        }
                    }
                }
                "ssl_version" => {}
                other => {
                    return Err(bad(
                        other,
                        format!(
                            "{other} is not an ssl_options key this crate reads (ca_certs, certfile, keyfile, cert_reqs, check_hostname)"
                        ),
                    ));
                }
            }
        }
        // Python's load_cert_chain(certfile, keyfile): the key may sit in the certfile.
        match (certfile, keyfile) {
            (Some(cert), key) => {
                let mut bytes = Vec::new();
                for p in key.iter().chain(std::iter::once(&cert)) {
                    bytes.extend(read(p)?);
                    bytes.push(b'\n');
                }
                d = d.keystore_bytes(bytes).store_type(StoreType::Pem);
            }
            (None, Some(_)) => return Err(bad("keyfile", "a keyfile needs a certfile")),
            (None, None) => {}
        }
        Ok(d)
    }

    /// A driver's settings written down as `key = value` lines (`key: value` too; a line that starts
    /// with `#` or `//` is a comment; lines that open or close a `{` block are skipped, so the Java driver's
    /// `advanced.ssl-engine-factory { ... }` block of an `application.conf` reads as it is).
    /// The keys decide the driver: the Java driver's DefaultSslEngineFactory settings (with or
    /// without the `advanced.ssl-engine-factory.` prefix), read as
    /// [`DriverTls::from_java_driver`] reads them, or the Python driver's `ssl_options`, read
    /// as [`DriverTls::from_python_driver`] reads them. Each driver's defaults apply: the
    /// Java driver checks the node's address, the Python driver only with
    /// `check_hostname = True`. Quotes around a value are removed.
    pub fn from_settings_text(text: &str) -> Result<Self> {
        const PYTHON: &[&str] = &[
            "ca_certs",
            "certfile",
            "keyfile",
            "cert_reqs",
            "check_hostname",
            "ssl_version",
        ];
        let mut pairs = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty()
                || line.starts_with('#')
                || line.starts_with("//")
                || line.ends_with('{')
                || line.starts_with('}')
            {
                continue;
            }
            let Some((key, value)) = line.split_once(['=', ':']) else {
                // Only the first word: the rest may be a password.
                let word = line.split_whitespace().next().unwrap_or_default();
                return Err(bad(
                    word,
                    format!(
                        "line {}, starting '{word}', is not key = value (the rest of the line is not shown)",
                        n + 1
                    ),
                ));
            };
            let key = key.trim();
            let key = key
                .strip_prefix("advanced.ssl-engine-factory.")
                .unwrap_or(key);
            let value = value.trim().trim_matches(['"', '\'']);
            pairs.push((key, value));
        }
        if pairs.iter().any(|(k, _)| PYTHON.contains(k)) {
            DriverTls::from_python_driver(pairs)
        } else {
            DriverTls::from_java_driver(pairs)
        }
    }

    /// What scylla-rust-driver does with rustls (its `SessionBuilder::tls_context`): the CA
    /// bundle that signed the nodes (a PEM file, as Scylla's own `truststore`), and the node's
    /// IP address checked against its certificate, since the driver hands rustls
    /// `ServerName::IpAddress` of the node it connects to (the nodes' certificates need IP
    /// SANs). Add a client certificate with [`DriverTls::client_certificate_pem`] for a node
    /// with `require_client_auth`.
    ///
    /// ```
    /// use cassandra_tls::tls::DriverTls;
    ///
    /// let client = DriverTls::scylla_rust_driver("fixtures/stores/ca.pem")
    ///     .client_certificate_pem(
    ///         "fixtures/stores/client1.chain.pem",
    ///         "fixtures/stores/client1.key.pem",
    ///     )?
    ///     .build()?;
    /// assert!(client.verifies_server_name() && client.has_client_certificate());
    /// // client.into_config() goes to scylla::SessionBuilder::tls_context(Some(..)).
    /// # Ok::<(), cassandra_tls::Error>(())
    /// ```
    pub fn scylla_rust_driver(ca_pem: impl Into<PathBuf>) -> DriverTls {
        DriverTls::new()
            .truststore_path(ca_pem)
            .store_type(StoreType::Pem)
            .hostname_validation(true)
    }

    /// A client certificate as two PEM files, a chain and an unencrypted or encrypted key (as
    /// Scylla's `certificate` and `keyfile`, or a Secret's `tls.crt` and `tls.key`), read now;
    /// [`DriverTls::build_reloading`] follows the two files as one key pair.
    pub fn client_certificate_pem(
        mut self,
        cert: impl Into<PathBuf>,
        key: impl Into<PathBuf>,
    ) -> Result<DriverTls> {
        let (cert, key) = (cert.into(), key.into());
        let mut bytes = zeroize::Zeroizing::new(read(&key)?);
        if !bytes.ends_with(b"\n") {
            bytes.push(b'\n');
        }
        bytes.extend_from_slice(&read(&cert)?);
        self = self
            .keystore_bytes(std::mem::take(&mut *bytes))
            .store_type(StoreType::Pem);
        self.key_pair = Some(crate::tls::reload::KeyPair { key, cert });
        Ok(self)
    }

    /// A driver's stores from a mounted Kubernetes Secret ([`crate::options::MountedSecret`]):
    /// k8ssandra's `keystore`/`truststore` with their password files, cass-operator's
    /// `node-keystore.jks`, cert-manager's Java stores or PEM files (`tls-combined.pem` as a
    /// PEM key store when present, else `tls.key` and `tls.crt`, which
    /// [`DriverTls::build_reloading`] follows as one pair). The other settings keep their
    /// defaults and can be set after.
    pub fn from_secret(secret: &crate::options::MountedSecret) -> Result<DriverTls> {
        let mut d = DriverTls::new();
        if let Some(t) = secret.truststore() {
            d = d.truststore_path(t);
        }
        if let Some(p) = secret.truststore_password() {
            d = d.truststore_password(p.clone());
        }
        if let Some(t) = secret.store_type() {
            d = d.store_type(t);
        }
        match secret.pem() {
            Some(pem) => match &pem.combined {
                Some(combined) => d = d.keystore_path(combined),
                None => {
                    let mut bytes = zeroize::Zeroizing::new(read(&pem.key)?);
                    if !bytes.ends_with(b"\n") {
                        bytes.push(b'\n');
                    }
                    bytes.extend_from_slice(&read(&pem.cert)?);
                    d = d.keystore_bytes(bytes.to_vec());
                    d.key_pair = Some(crate::tls::reload::KeyPair {
                        key: pem.key.clone(),
                        cert: pem.cert.clone(),
                    });
                }
            },
            None => {
                if let Some(k) = secret.keystore() {
                    d = d.keystore_path(k);
                }
                if let Some(p) = secret.keystore_password() {
                    d = d.keystore_password(p.clone());
                }
            }
        }
        d.secret = Some(secret.dir().to_path_buf());
        Ok(d)
    }
}
