//! One encryption map as Scylla turns it into TLS credentials: `utils::configure_tls_creds_builder`
//! (`db/config.cc:2219-2253`), plus the keys each caller reads on its own (`enabled` in
//! `transport/controller.cc:121`, `internode_encryption` in `main.cc:1685`).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

#[cfg(test)]
use super::ScyllaVersion;
use super::config::{MapRead, ScyllaYaml};
use super::{Priority, PriorityRefusal, SCYLLA_DEFAULT_PRIORITY};

/// Which of Scylla's TLS services a section configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ScyllaService {
    /// The messaging service (internode, `server_encryption_options`), both directions.
    Internode,
    /// CQL (client-to-node, `client_encryption_options`).
    Cql,
    /// Alternator's HTTPS port (`alternator_encryption_options`, falling back to the server's).
    Alternator,
}

impl ScyllaService {
    /// The scylla.yaml option the service reads.
    pub const fn option(self) -> &'static str {
        match self {
            ScyllaService::Internode => "server_encryption_options",
            ScyllaService::Cql => "client_encryption_options",
            ScyllaService::Alternator => "alternator_encryption_options",
        }
    }
}

impl fmt::Display for ScyllaService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScyllaService::Internode => "internode",
            ScyllaService::Cql => "CQL",
            ScyllaService::Alternator => "Alternator",
        })
    }
}

/// `internode_encryption` as `main.cc:1705-1713` reads it: exact, case-sensitive strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InternodeMode {
    /// `none`, or anything Scylla does not know (`ALL`, `true`, a typo).
    None,
    /// `all`: every internode connection is TLS, on `ssl_storage_port` only.
    All,
    /// `dc`: TLS between datacenters; the plain port takes peers of the same datacenter.
    Dc,
    /// `rack`: TLS between racks; the plain port takes peers of the same rack.
    Rack,
    /// `transitional` (2025.1): outgoing TLS always, both ports listening.
    Transitional,
}

impl InternodeMode {
    /// Reads the value exactly as Scylla compares it.
    pub fn from_scylla(value: &str) -> Option<InternodeMode> {
        match value {
            "none" => Some(InternodeMode::None),
            "all" => Some(InternodeMode::All),
            "dc" => Some(InternodeMode::Dc),
            "rack" => Some(InternodeMode::Rack),
            "transitional" => Some(InternodeMode::Transitional),
            _ => None,
        }
    }

    /// The word in scylla.yaml.
    pub const fn as_str(self) -> &'static str {
        match self {
            InternodeMode::None => "none",
            InternodeMode::All => "all",
            InternodeMode::Dc => "dc",
            InternodeMode::Rack => "rack",
            InternodeMode::Transitional => "transitional",
        }
    }
}

/// How a Scylla server asks for client certificates (Seastar's `client_auth`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScyllaClientAuth {
    /// NONE: no certificate asked for, none verified.
    None,
    /// REQUEST (master's `optional`): asked for; a missing one is fine, a bad one is refused.
    Request,
    /// REQUIRE (`true` or `1`): asked for and verified against `truststore`.
    Require,
}

/// `is_true` (`db/config.hh:729`): after lower-casing, only `true` and `1`.
pub fn scylla_is_true(value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    v == "true" || v == "1"
}

/// A PEM file a section names (or defaults to).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PemFile {
    /// The key in the map (`certificate`, `keyfile`, `truststore`, `certficate_revocation_list`).
    pub key: &'static str,
    /// The path as written (or the default's).
    pub given: String,
    /// The path as opened (relative paths against the base directory).
    pub path: PathBuf,
    /// Whether the key was absent and Scylla's default (`<conf>/scylla.crt`, `.key`) applies.
    pub defaulted: bool,
}

/// A key in an encryption map that does not do what it seems to.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyNote {
    /// One of Cassandra's keys, which Scylla never reads.
    CassandraKey(String),
    /// `certificate_revocation_list`: Scylla reads only the misspelled `certficate_revocation_list`.
    MisspelledCrl,
    /// A key Scylla reads only in another section (`enabled` in the server's, `internode_encryption`
    /// in the client's).
    OtherSection(String),
    /// A key Scylla does not read at all.
    Unknown(String),
    /// A key this Scylla line does not read yet (`enable_session_tickets` before 2025.2).
    NotInVersion {
        /// The key.
        key: String,
        /// The first line that reads it.
        since: &'static str,
    },
    /// A boolean written in a spelling Scylla reads as false (`yes`, `on`, `y`, ...).
    NotTrue {
        /// The key.
        key: String,
        /// As written.
        value: String,
    },
    /// `require_client_auth: optional` on a line where it means no client certificate (before
    /// master).
    OptionalIsNone(String),
    /// An `internode_encryption` value Scylla does not know, which means `none`.
    UnknownMode(String),
}

/// The keys `configure_tls_creds_builder` and the services read.
const SCYLLA_KEYS: [&str; 9] = [
    "certificate",
    "keyfile",
    "truststore",
    "certficate_revocation_list",
    "priority_string",
    "require_client_auth",
    "enable_session_tickets",
    "enabled",
    "internode_encryption",
];

/// Cassandra's encryption keys (Scylla ignores every one of them).
const CASSANDRA_KEYS: [&str; 20] = [
    "keystore",
    "keystore_password",
    "keystore_password_file",
    "truststore_password",
    "truststore_password_file",
    "protocol",
    "accepted_protocols",
    "cipher_suites",
    "store_type",
    "optional",
    "algorithm",
    "require_endpoint_verification",
    "ssl_context_factory",
    "outbound_keystore",
    "outbound_keystore_password",
    "outbound_keystore_password_file",
    "enable_legacy_ssl_storage_port",
    "legacy_ssl_storage_port_enabled",
    "max_certificate_validity_period",
    "certificate_validity_warn_threshold",
];

/// One encryption map as Scylla resolves it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ScyllaSection {
    /// The service.
    pub service: ScyllaService,
    /// The map as Scylla read it (for Alternator: its own map, even when it fell back).
    pub read: MapRead,
    /// Alternator only: its map was empty, so the server's was used, without `truststore` and
    /// `require_client_auth` (`alternator/controller.cc:121-158`).
    pub fell_back: bool,
    /// Whether the service runs TLS (CQL: `enabled`; internode: credentials are built;
    /// Alternator: `alternator_https_port` is set).
    pub enabled: bool,
    /// Internode only: the mode Scylla runs, and the text written (when any).
    pub internode: Option<(InternodeMode, Option<String>)>,
    /// How the server side asks for client certificates.
    pub client_auth: ScyllaClientAuth,
    /// TLS 1.3 session tickets on the server side.
    pub session_tickets: bool,
    /// The certificate chain (`certificate`, default `<conf>/scylla.crt`).
    pub certificate: PemFile,
    /// The private key (`keyfile`, default `<conf>/scylla.key`).
    pub keyfile: PemFile,
    /// The trusted CAs (`truststore`); none: no trust anchors at all (Scylla does not load the
    /// system's for these services, whatever its help text says).
    pub truststore: Option<PemFile>,
    /// The CRL (`certficate_revocation_list`).
    pub crl: Option<PemFile>,
    /// The priority string in force (Scylla's default when none is written).
    pub priority_string: String,
    /// GnuTLS's verdict on it (a refusal stops the node at start-up).
    pub priority: Result<Priority, PriorityRefusal>,
    /// Keys that do not do what they seem to, in key order.
    pub notes: Vec<KeyNote>,
}

impl ScyllaSection {
    pub(crate) fn resolve(
        yaml: &ScyllaYaml,
        service: ScyllaService,
        map: &BTreeMap<String, String>,
        read: MapRead,
        fell_back: bool,
    ) -> ScyllaSection {
        let version = yaml.version();
        let get = |k: &str| map.get(k).map(String::as_str);
        let conf = conf_dir(yaml);
        let file = |key: &'static str, default: Option<&str>| -> Option<PemFile> {
            match (get(key), default) {
                (Some(g), _) => Some(PemFile {
                    key,
                    given: g.to_string(),
                    path: crate::options::resolve_path(yaml.base_dir(), g),
                    defaulted: false,
                }),
                (None, Some(d)) => {
                    let path = conf.join(d);
                    Some(PemFile {
                        key,
                        given: path.display().to_string(),
                        path,
                        defaulted: true,
                    })
                }
                (None, None) => None,
            }
        };
        let mut notes = Vec::new();
        let written_auth = get("require_client_auth").map(str::to_string);
        let auth_value = written_auth.clone().unwrap_or_else(|| "false".into());
        let client_auth = if scylla_is_true(&auth_value) {
            ScyllaClientAuth::Require
        } else if auth_value.eq_ignore_ascii_case("optional") {
            if version.has_optional_client_auth() {
                ScyllaClientAuth::Request
            } else {
                notes.push(KeyNote::OptionalIsNone(auth_value.clone()));
                ScyllaClientAuth::None
            }
        } else {
            ScyllaClientAuth::None
        };
        let session_tickets = if version.has_session_tickets_option() {
            get("enable_session_tickets")
                .map(scylla_is_true)
                .unwrap_or(version.session_tickets_default())
        } else {
            false
        };
        let internode = (service == ScyllaService::Internode).then(|| {
            let written = get("internode_encryption").map(str::to_string);
            let mode = match written.as_deref() {
                None => InternodeMode::None,
                Some(w) => InternodeMode::from_scylla(w).unwrap_or_else(|| {
                    notes.push(KeyNote::UnknownMode(w.to_string()));
                    InternodeMode::None
                }),
            };
            (mode, written)
        });
        for (k, v) in map {
            let k = k.as_str();
            let boolean = matches!(k, "require_client_auth" | "enable_session_tickets")
                || (k == "enabled" && service == ScyllaService::Cql);
            if boolean && !scylla_is_true(v) && yaml_true(v) {
                notes.push(KeyNote::NotTrue {
                    key: k.to_string(),
                    value: v.clone(),
                });
            }
            let note = match k {
                "certificate_revocation_list" => Some(KeyNote::MisspelledCrl),
                "enabled" if service != ScyllaService::Cql => {
                    Some(KeyNote::OtherSection(k.to_string()))
                }
                "internode_encryption" if service != ScyllaService::Internode => {
                    Some(KeyNote::OtherSection(k.to_string()))
                }
                "enable_session_tickets" if !version.has_session_tickets_option() => {
                    Some(KeyNote::NotInVersion {
                        key: k.to_string(),
                        since: "2025.2",
                    })
                }
                _ if SCYLLA_KEYS.contains(&k) => None,
                _ if CASSANDRA_KEYS.contains(&k) => Some(KeyNote::CassandraKey(k.to_string())),
                _ => Some(KeyNote::Unknown(k.to_string())),
            };
            notes.extend(note);
        }
        let enabled = match service {
            ScyllaService::Cql => get("enabled").is_some_and(scylla_is_true),
            ScyllaService::Internode => {
                internode
                    .as_ref()
                    .is_some_and(|(m, _)| *m != InternodeMode::None)
                    || (yaml.port_setting("ssl_storage_port", 7001) != 0
                        && map.contains_key("certificate"))
            }
            ScyllaService::Alternator => {
                yaml.port("alternator_https_port", 0) != 0
                    || (version.has_proxy_protocol_ports()
                        && yaml.port("alternator_https_port_proxy_protocol", 0) != 0)
            }
        };
        let priority_string = get("priority_string")
            .unwrap_or(SCYLLA_DEFAULT_PRIORITY)
            .to_string();
        let priority = Priority::parse(&priority_string);
        ScyllaSection {
            service,
            read,
            fell_back,
            enabled,
            internode,
            client_auth,
            session_tickets,
            certificate: file("certificate", Some("scylla.crt")).expect("defaulted"),
            keyfile: file("keyfile", Some("scylla.key")).expect("defaulted"),
            truststore: file("truststore", None),
            crl: file("certficate_revocation_list", None),
            priority_string,
            priority,
            notes,
        }
    }

    /// The internode mode (`None` for CQL and Alternator).
    pub fn internode_mode(&self) -> Option<InternodeMode> {
        self.internode.as_ref().map(|(m, _)| *m)
    }

    /// Whether this service's server side verifies client certificates.
    pub fn verifies_clients(&self) -> bool {
        self.client_auth != ScyllaClientAuth::None
    }

    /// Whether the map was dropped (a null, list or map value inside it).
    pub fn dropped(&self) -> bool {
        matches!(self.read, MapRead::Dropped(_))
    }
}

/// The spellings YAML 1.1 (and so Cassandra's SnakeYAML, and a reader's eye) takes for true.
fn yaml_true(v: &str) -> bool {
    matches!(
        v.to_ascii_lowercase().as_str(),
        "yes" | "y" | "on" | "true" | "1"
    ) || v.trim().eq_ignore_ascii_case("true")
}

/// Scylla's configuration directory (`db::config::get_conf_dir`: `$SCYLLA_CONF`, else
/// `$SCYLLA_HOME/conf`, else `./conf`): the yaml's own directory when it was read from a file
/// (Scylla finds scylla.yaml there), else `<base>/conf`.
fn conf_dir(yaml: &ScyllaYaml) -> PathBuf {
    match yaml.origin() {
        crate::error::Origin::File(p) => p
            .parent()
            .map(|d| {
                if d.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    d.to_path_buf()
                }
            })
            .unwrap_or_else(|| PathBuf::from(".")),
        crate::error::Origin::Bytes(_) => yaml.base_dir().join("conf"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(text: &str, version: &str) -> ScyllaSection {
        let y = ScyllaYaml::from_str(text)
            .unwrap()
            .with_version(ScyllaVersion::parse(version).unwrap());
        let map = y
            .option_map("client_encryption_options")
            .map()
            .cloned()
            .unwrap_or_default();
        ScyllaSection::resolve(&y, ScyllaService::Cql, &map, MapRead::Absent, false)
    }

    #[test]
    fn booleans_are_true_or_1_only() {
        for (v, on) in [
            ("true", true),
            ("True", true),
            ("1", true),
            ("yes", false),
            ("on", false),
            ("'true '", false),
            ("0", false),
        ] {
            let s = section(
                &format!("client_encryption_options:\n  enabled: {v}\n"),
                "2026.3",
            );
            assert_eq!(s.enabled, on, "{v}");
        }
        let s = section("client_encryption_options:\n  enabled: yes\n", "2026.3");
        assert!(s.notes.contains(&KeyNote::NotTrue {
            key: "enabled".into(),
            value: "yes".into()
        }));
    }

    #[test]
    fn optional_and_tickets_follow_the_version() {
        let text = "client_encryption_options:\n  require_client_auth: optional\n";
        assert_eq!(
            section(text, "master").client_auth,
            ScyllaClientAuth::Request
        );
        assert_eq!(section(text, "2026.3").client_auth, ScyllaClientAuth::None);
        assert!(!section("{}", "2026.2").session_tickets);
        assert!(section("{}", "2026.3").session_tickets);
        let old = section(
            "client_encryption_options:\n  enable_session_tickets: 'true'\n",
            "2025.1",
        );
        assert!(!old.session_tickets);
        assert!(matches!(old.notes[0], KeyNote::NotInVersion { .. }));
    }

    #[test]
    fn cassandra_keys_and_the_crl_spelling_are_noted() {
        let s = section(
            "client_encryption_options:\n  keystore: k.jks\n  certificate_revocation_list: c.pem\n  bogus: x\n",
            "2026.3",
        );
        assert!(s.notes.contains(&KeyNote::CassandraKey("keystore".into())));
        assert!(s.notes.contains(&KeyNote::MisspelledCrl));
        assert!(s.notes.contains(&KeyNote::Unknown("bogus".into())));
        assert!(s.crl.is_none());
        assert!(s.certificate.defaulted);
    }
}
