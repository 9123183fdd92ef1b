//! The serde layer of an encryption section: what SnakeYAML would bind (strings, booleans as
//! Cassandra's loader reads them, unknown keys kept for warnings), turned into the public model
//! of [`super::section`].

use std::collections::BTreeMap;

use serde::Deserialize;

use super::section::*;
use super::version::CassandraVersion;
use crate::error::{Error, Origin, Result};
use crate::password::Password;

/// The keys Cassandra's `EncryptionOptions.ConfigKey` knows, which must not be repeated as
/// factory parameters.
const CONFIG_KEYS: &[&str] = &[
    "keystore",
    "keystore_password",
    "outbound_keystore",
    "outbound_keystore_password",
    "truststore",
    "truststore_password",
    "cipher_suites",
    "protocol",
    "accepted_protocols",
    "algorithm",
    "store_type",
    "require_client_auth",
    "require_endpoint_verification",
    "enabled",
    "optional",
    "max_certificate_validity_period",
    "certificate_validity_warn_threshold",
];

/// A section as written. Every key Cassandra knows in either section; unknown keys are refused.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSection {
    enabled: Option<SnakeBool>,
    optional: Option<SnakeBool>,
    keystore: Option<String>,
    keystore_password: Option<String>,
    keystore_password_file: Option<String>,
    truststore: Option<String>,
    truststore_password: Option<String>,
    truststore_password_file: Option<String>,
    cipher_suites: Option<Vec<String>>,
    protocol: Option<String>,
    accepted_protocols: Option<Vec<String>>,
    algorithm: Option<String>,
    store_type: Option<String>,
    require_client_auth: Option<BoolOrString>,
    require_endpoint_verification: Option<SnakeBool>,
    ssl_context_factory: Option<RawFactory>,
    max_certificate_validity_period: Option<String>,
    certificate_validity_warn_threshold: Option<String>,
    // server only
    internode_encryption: Option<String>,
    legacy_ssl_storage_port_enabled: Option<SnakeBool>,
    enable_legacy_ssl_storage_port: Option<SnakeBool>,
    outbound_keystore: Option<String>,
    outbound_keystore_password: Option<String>,
    outbound_keystore_password_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrString {
    Bool(bool),
    Str(String),
    /// A number: 6.0's String field takes it as its text; up to 5.0 the boolean refuses it.
    Int(i64),
    Float(f64),
}

/// A boolean as SnakeYAML sets a `boolean` field: a YAML boolean, or a string (quoted or not)
/// whose lower case is `true`, `false`, `yes`, `no`, `on` or `off` (ConstructYamlBool).
#[derive(Clone)]
pub(crate) enum SnakeBool {
    Value(bool),
    /// Text SnakeYAML cannot take as a boolean.
    Invalid,
}

impl<'de> Deserialize<'de> for SnakeBool {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        #[allow(dead_code)]
        enum Any {
            Bool(bool),
            Str(String),
            Int(i64),
            Float(f64),
        }
        Ok(match Any::deserialize(d)? {
            Any::Bool(b) => SnakeBool::Value(b),
            Any::Str(s) => match snake_bool(&s) {
                Some(b) => SnakeBool::Value(b),
                None => SnakeBool::Invalid,
            },
            Any::Int(_) | Any::Float(_) => SnakeBool::Invalid,
        })
    }
}

/// SnakeYAML's ConstructYamlBool table, by lower case.
pub(crate) fn snake_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "on" => Some(true),
        "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl SnakeBool {
    /// The value, or Cassandra's start-up error for text that is not a boolean.
    fn get(self, origin: &Origin, section: &str, key: &str) -> Result<bool> {
        match self {
            SnakeBool::Value(b) => Ok(b),
            SnakeBool::Invalid => Err(Error::config(
                origin,
                Some(section),
                Some(key),
                "Invalid yaml: Cannot create property: the value is not a boolean (true, false, yes, no, on, off)",
            )),
        }
    }
}

fn snake_bool_opt(
    v: Option<SnakeBool>,
    origin: &Origin,
    section: &str,
    key: &str,
) -> Result<Option<bool>> {
    v.map(|b| b.get(origin, section, key)).transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFactory {
    class_name: Option<String>,
    #[serde(default)]
    parameters: BTreeMap<String, ScalarString>,
}

/// A factory parameter: yaml may write it as a string, number or boolean.
#[derive(Deserialize)]
#[serde(untagged)]
enum ScalarString {
    Str(String),
    Bool(bool),
    Int(i64),
}

impl ScalarString {
    fn into_string(self) -> String {
        match self {
            ScalarString::Str(s) => s,
            ScalarString::Bool(b) => b.to_string(),
            ScalarString::Int(i) => i.to_string(),
        }
    }
}

pub(crate) const SERVER: &str = super::Section::Server.as_str();

pub(crate) const CLIENT: &str = super::Section::Client.as_str();

pub(crate) const JMX: &str = super::Section::Jmx.as_str();

impl RawSection {
    fn common(
        &mut self,
        origin: &Origin,
        section: &str,
        version: CassandraVersion,
    ) -> Result<EncryptionOptions> {
        let err = |key: &str, msg: String| Error::config(origin, Some(section), Some(key), msg);
        let require_client_auth = match self.require_client_auth.take() {
            None => ClientAuth::NotRequired,
            Some(BoolOrString::Bool(true)) => ClientAuth::Required,
            Some(BoolOrString::Bool(false)) => ClientAuth::NotRequired,
            Some(BoolOrString::Str(s)) if version.client_auth_is_tri_state() => {
                ClientAuth::parse(&s).ok_or_else(|| {
                    err(
                        "require_client_auth",
                        format!("{s} is not a valid ClientAuth option (true, false, optional, required, not_required)"),
                    )
                })?
            }
            Some(BoolOrString::Int(i)) if version.client_auth_is_tri_state() => {
                return Err(err(
                    "require_client_auth",
                    format!("{i} is not a valid ClientAuth option (true, false, optional, required, not_required)"),
                ));
            }
            Some(BoolOrString::Float(f)) if version.client_auth_is_tri_state() => {
                return Err(err(
                    "require_client_auth",
                    format!("{f:?} is not a valid ClientAuth option (true, false, optional, required, not_required)"),
                ));
            }
            Some(BoolOrString::Int(_) | BoolOrString::Float(_)) => {
                return Err(err(
                    "require_client_auth",
                    format!("Invalid yaml: Cannot create property: a number is not a boolean in Cassandra {version}"),
                ));
            }
            // Up to 5.0 the field is a boolean: SnakeYAML takes only its boolean spellings.
            Some(BoolOrString::Str(s)) => match snake_bool(&s) {
                Some(true) => ClientAuth::Required,
                Some(false) => ClientAuth::NotRequired,
                None => {
                    return Err(err(
                        "require_client_auth",
                        format!(
                            "Invalid yaml: Cannot create property: '{}' is not a boolean in Cassandra {version} (true or false; optional is 6.0's)",
                            if ClientAuth::parse(&s).is_some() { s.as_str() } else { "the value" }
                        ),
                    ));
                }
            },
        };
        let enabled = snake_bool_opt(self.enabled.take(), origin, section, "enabled")?;
        let optional = snake_bool_opt(self.optional.take(), origin, section, "optional")?;
        let require_endpoint_verification = snake_bool_opt(
            self.require_endpoint_verification.take(),
            origin,
            section,
            "require_endpoint_verification",
        )?
        .unwrap_or(false);
        // 4.0 (and 4.1.0-4.1.1) default both passwords to "cassandra".
        let default_password = || version.default_password().map(Password::new);
        let duration = |key: &str, v: Option<String>| -> Result<Option<DurationMinutes>> {
            v.map(|s| {
                DurationMinutes::parse(&s).ok_or_else(|| {
                    err(
                        key,
                        format!(
                            "'{s}' is not a duration in minutes or more (such as 30d, 12h, 90m)"
                        ),
                    )
                })
            })
            .transpose()
        };
        let ssl_context_factory = match self.ssl_context_factory.take() {
            None => SslContextFactory::default(),
            Some(f) => {
                let factory = SslContextFactory {
                    class_name: f.class_name,
                    parameters: f
                        .parameters
                        .into_iter()
                        .map(|(k, v)| (k, v.into_string()))
                        .collect(),
                };
                if let Some(k) = factory
                    .parameters
                    .keys()
                    .find(|k| CONFIG_KEYS.iter().any(|c| c.eq_ignore_ascii_case(k)))
                {
                    return Err(err(
                        "ssl_context_factory",
                        format!(
                            "SslContextFactory {} should configure '{k}' as encryption_options instead of parameterized keys",
                            factory
                                .class_name
                                .as_deref()
                                .unwrap_or("DefaultSslContextFactory")
                        ),
                    ));
                }
                factory
            }
        };
        Ok(EncryptionOptions {
            enabled,
            optional,
            keystore: self.keystore.take(),
            keystore_password: self
                .keystore_password
                .take()
                .map(Password::new)
                .or_else(default_password),
            keystore_password_file: self.keystore_password_file.take(),
            truststore: self.truststore.take(),
            truststore_password: self
                .truststore_password
                .take()
                .map(Password::new)
                .or_else(default_password),
            truststore_password_file: self.truststore_password_file.take(),
            cipher_suites: self.cipher_suites.take(),
            protocol: self.protocol.take(),
            accepted_protocols: self.accepted_protocols.take(),
            algorithm: self.algorithm.take(),
            store_type: self.store_type.take(),
            require_client_auth,
            require_endpoint_verification,
            ssl_context_factory,
            max_certificate_validity_period: duration(
                "max_certificate_validity_period",
                self.max_certificate_validity_period.take(),
            )?,
            certificate_validity_warn_threshold: duration(
                "certificate_validity_warn_threshold",
                self.certificate_validity_warn_threshold.take(),
            )?,
        })
    }

    /// `client_encryption_options` (or 6.0's `jmx_encryption_options`, `section`, of the same
    /// type); server-only keys were refused with the unknown keys.
    pub(crate) fn into_client(
        mut self,
        origin: &Origin,
        section: &str,
        version: CassandraVersion,
    ) -> Result<EncryptionOptions> {
        self.common(origin, section, version)
    }

    pub(crate) fn into_server(
        mut self,
        origin: &Origin,
        version: CassandraVersion,
    ) -> Result<ServerEncryptionOptions> {
        let internode_encryption = match self.internode_encryption.take() {
            None => InternodeEncryption::None,
            Some(v) => InternodeEncryption::parse(&v).ok_or_else(|| {
                Error::config(
                    origin,
                    Some(SERVER),
                    Some("internode_encryption"),
                    format!("'{v}' is not one of none, all, dc, rack"),
                )
            })?,
        };
        // 4.1+ read the old name through @Replaces; the new name wins when both are written.
        let new_name = snake_bool_opt(
            self.legacy_ssl_storage_port_enabled.take(),
            origin,
            SERVER,
            "legacy_ssl_storage_port_enabled",
        )?;
        let old_name = snake_bool_opt(
            self.enable_legacy_ssl_storage_port.take(),
            origin,
            SERVER,
            "enable_legacy_ssl_storage_port",
        )?;
        let legacy = new_name.or(old_name).unwrap_or(false);
        let outbound_keystore = self.outbound_keystore.take();
        let outbound_keystore_password = self.outbound_keystore_password.take().map(Password::new);
        Ok(ServerEncryptionOptions {
            common: self.common(origin, SERVER, version)?,
            internode_encryption,
            legacy_ssl_storage_port_enabled: legacy,
            outbound_keystore,
            outbound_keystore_password,
            outbound_keystore_password_file: self.outbound_keystore_password_file.take(),
        })
    }
}
