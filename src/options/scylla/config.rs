//! scylla.yaml's top level as Scylla's `config_file` reads it: the options that matter for TLS,
//! each converted to its C++ type the way `named_value<T>::set_value` converts it.
//!
//! - `utils/config_file.cc` `read_from_yaml` loops over the top-level entries in file order; a
//!   null value is skipped (`if (node.second.IsNull()) continue;`), so the option keeps its
//!   default (or an earlier entry's value); a value whose conversion throws is logged and the
//!   option keeps what it had (the handler `main.cc` passes only logs).
//! - The encryption options are `string_map` (`std::unordered_map<sstring, sstring>`,
//!   `utils/config_file.hh:80`): yaml-cpp's map conversion (`utils/config_file_impl.hh:59-72`)
//!   needs a map whose keys and values all convert to strings, and `convert<std::string>`
//!   accepts scalars only: one null, list or map value anywhere drops the **whole** map.
//! - Duplicate keys inside a map: the last one wins (`rhs[key] = value`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ScyllaVersion;
use super::tree::{Kind, Mark, Node, NodeId, SyntaxError, Tree};
use crate::error::{Error, Origin, Result};

/// Why Scylla's conversion of an option threw, so the option kept its default.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dropped {
    /// The key inside the map whose key or value did not convert (`None`: the option's value
    /// itself had the wrong shape).
    pub key: Option<String>,
    /// What yaml-cpp found where a string was needed.
    pub found: Kind,
    /// Where that node starts.
    pub mark: Mark,
}

impl Dropped {
    /// The line Scylla logs (yaml-cpp's `bad conversion`), with our reason after it.
    pub fn describe(&self) -> String {
        let what = match &self.key {
            Some(k) => format!("`{k}` is {}", self.found.as_str()),
            None => format!("the value is {}", self.found.as_str()),
        };
        format!(
            "{what} (yaml-cpp: error at line {}, column {}: bad conversion)",
            self.mark.line, self.mark.column
        )
    }
}

/// A `string_map` option as Scylla ends up with it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum MapRead {
    /// Not in the file: the default, an empty map.
    #[default]
    Absent,
    /// Written with a null value: skipped, the default (empty) stays.
    Null,
    /// Converted: every key with its string value.
    Map(BTreeMap<String, String>),
    /// The conversion threw: Scylla logged one line and kept the default (empty) map.
    Dropped(Dropped),
}

impl MapRead {
    /// The map Scylla works with (empty unless converted).
    pub fn map(&self) -> Option<&BTreeMap<String, String>> {
        match self {
            MapRead::Map(m) => Some(m),
            _ => None,
        }
    }
}

/// `auth_certificate_role_queries` (a list of string maps) as Scylla ends up with it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ListRead {
    /// Not in the file: the default query list.
    #[default]
    Absent,
    /// Written with a null value: skipped, the default stays.
    Null,
    /// Converted.
    List(Vec<BTreeMap<String, String>>),
    /// The conversion threw: the default stays, with an error in the log.
    Dropped(Dropped),
}

/// A scalar option (a string or a port) as Scylla ends up with it.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum ScalarRead {
    /// Not in the file: the default (and `is_set()` is false).
    #[default]
    Absent,
    /// Written with a null value: skipped (`is_set()` stays false).
    Null,
    /// Converted: the text as written (`is_set()` is true).
    Value(String),
    /// The conversion threw: the default stays.
    Dropped(Dropped),
}

impl ScalarRead {
    /// The value, when the option was set.
    pub fn value(&self) -> Option<&str> {
        match self {
            ScalarRead::Value(v) => Some(v),
            _ => None,
        }
    }
}

/// The `string_map` options Scylla has.
pub(crate) const MAP_OPTIONS: [&str; 4] = [
    "server_encryption_options",
    "client_encryption_options",
    "alternator_encryption_options",
    "vector_store_encryption_options",
];

/// The `uint16_t` options (ports) read here.
pub(crate) const PORT_OPTIONS: [&str; 15] = [
    "native_transport_port",
    "native_transport_port_ssl",
    "native_shard_aware_transport_port",
    "native_shard_aware_transport_port_ssl",
    "native_transport_port_proxy_protocol",
    "native_transport_port_ssl_proxy_protocol",
    "native_shard_aware_transport_port_proxy_protocol",
    "native_shard_aware_transport_port_ssl_proxy_protocol",
    "storage_port",
    "ssl_storage_port",
    "alternator_port",
    "alternator_https_port",
    "alternator_port_proxy_protocol",
    "alternator_https_port_proxy_protocol",
    "api_port",
];

/// The `sstring` options read here.
pub(crate) const STRING_OPTIONS: [&str; 6] = [
    "authenticator",
    "listen_address",
    "rpc_address",
    "broadcast_address",
    "broadcast_rpc_address",
    "cluster_name",
];

/// A scylla.yaml read as Scylla reads it (the options that matter for TLS).
///
/// ```
/// use cassandra_tls::options::scylla::{MapRead, ScyllaYaml};
///
/// // `truststore:` left empty is a null value: yaml-cpp's conversion throws and Scylla drops
/// // the whole map, so client encryption is off.
/// let y = ScyllaYaml::from_str(
///     "client_encryption_options:\n  enabled: true\n  truststore:\n",
/// )?;
/// assert!(matches!(y.option_map("client_encryption_options"), MapRead::Dropped(_)));
/// # Ok::<(), cassandra_tls::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ScyllaYaml {
    origin: Origin,
    version: ScyllaVersion,
    base_dir: PathBuf,
    maps: BTreeMap<&'static str, MapRead>,
    scalars: BTreeMap<&'static str, ScalarRead>,
    queries: ListRead,
    unknown: Vec<String>,
}

impl ScyllaYaml {
    /// Reads scylla.yaml text as the newest Scylla release reads it. Relative paths resolve
    /// against the working directory, as Scylla opens them; see [`ScyllaYaml::with_base_dir`].
    /// A YAML syntax error is an error: Scylla does not start on it.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<ScyllaYaml> {
        ScyllaYaml::parse(text, Origin::bytes())
    }

    /// Reads a scylla.yaml file (at most 4 MiB).
    pub fn load_file(path: impl AsRef<Path>) -> Result<ScyllaYaml> {
        let path = path.as_ref();
        let bytes = crate::options::read_config_file(path, "scylla.yaml")?;
        // yaml-cpp takes bytes: it reads past any encoding (a Latin-1 byte, a UTF-16 file,
        // which ends at its first NUL), and Scylla starts. The bytes that are not UTF-8 are read
        // as U+FFFD here (a path holding one names another file than Scylla opens).
        let text = String::from_utf8_lossy(&bytes);
        ScyllaYaml::parse(&text, Origin::file(path))
    }

    fn parse(text: &str, origin: Origin) -> Result<ScyllaYaml> {
        // `read_from_yaml(yaml.c_str())` (utils/config_file.cc:283): the text ends at a NUL.
        let text = text.split('\0').next().unwrap_or_default();
        let refuse = |line: usize, column: usize, why: &str| {
            Error::config(
                &origin,
                None,
                None,
                format!(
                    "Could not read configuration file: {why} at line {line}, column {column} (Scylla converts each top-level key outside its error handler: it does not start)"
                ),
            )
        };
        // yaml-cpp refuses a tab before the first key of a document.
        if let Some((n, _)) = text
            .lines()
            .enumerate()
            .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .filter(|(_, l)| l.starts_with('\t'))
        {
            return Err(Error::config(
                &origin,
                None,
                None,
                format!(
                    "Could not read configuration file: a YAML syntax error at line {}, column 1: a tab before the first key (yaml-cpp throws on it, and Scylla does not start)",
                    n + 1
                ),
            ));
        }
        let tree = Tree::parse(text).map_err(|e: SyntaxError| {
            Error::config(
                &origin,
                None,
                None,
                format!(
                    "Could not read configuration file: a YAML syntax error at line {}, column {}: {} (yaml-cpp throws on it, and Scylla does not start)",
                    e.mark.line, e.mark.column, e.message
                ),
            )
        })?;
        let mut y = ScyllaYaml {
            origin: origin.clone(),
            version: ScyllaVersion::default(),
            base_dir: PathBuf::from("."),
            maps: MAP_OPTIONS.iter().map(|n| (*n, MapRead::Absent)).collect(),
            scalars: PORT_OPTIONS
                .iter()
                .chain(STRING_OPTIONS.iter())
                .map(|n| (*n, ScalarRead::Absent))
                .collect(),
            queries: ListRead::Absent,
            unknown: Vec::new(),
        };
        if let Some(first) = tree.top_level_sequence_item() {
            // Iterating a sequence as a map gives an invalid `first` (utils/config_file.cc:303).
            let m = tree.node(first).mark();
            return Err(refuse(
                m.line,
                m.column,
                "the document is a list, not a map of options (yaml-cpp: invalid node)",
            ));
        }
        for (k, v) in tree.top_level() {
            // `node.first.as<sstring>()` (utils/config_file.cc:303-304), outside the try block:
            // a key that is not a string stops the node (main.cc:228-230 rethrows).
            let Some(name) = tree.as_string(*k) else {
                let n = tree.node(*k);
                return Err(refuse(
                    n.mark().line,
                    n.mark().column,
                    &format!(
                        "a top-level key is {} (yaml-cpp: bad conversion)",
                        n.kind().as_str()
                    ),
                ));
            };
            // `config_src::matches` takes the alias too (utils/config_file.cc:210).
            let name = if name == "cql_port" {
                "native_transport_port"
            } else {
                name
            };
            y.read_entry(&tree, name, *v);
        }
        Ok(y)
    }

    fn read_entry(&mut self, tree: &Tree, name: &str, value: NodeId) {
        let null = matches!(tree.node(value), Node::Null(_));
        if let Some((key, slot)) = self.maps.iter_mut().find(|(n, _)| **n == name) {
            let _ = key;
            match (null, string_map(tree, value)) {
                (true, _) => {
                    if *slot == MapRead::Absent {
                        *slot = MapRead::Null;
                    }
                }
                (false, Ok(m)) => *slot = MapRead::Map(m),
                (false, Err(d)) => {
                    if !matches!(slot, MapRead::Map(_)) {
                        *slot = MapRead::Dropped(d);
                    }
                }
            }
        } else if let Some((key, slot)) = self.scalars.iter_mut().find(|(n, _)| **n == name) {
            let port = PORT_OPTIONS.contains(key);
            let converted = match tree.node(value) {
                Node::Scalar(s, m) if port => yaml_cpp_uint(s, port_max(key))
                    .map(|_| s.clone())
                    .ok_or(Dropped {
                        key: None,
                        found: Kind::Scalar,
                        mark: *m,
                    }),
                Node::Scalar(s, _) => Ok(s.clone()),
                other => Err(Dropped {
                    key: None,
                    found: other.kind(),
                    mark: other.mark(),
                }),
            };
            match (null, converted) {
                (true, _) => {
                    if *slot == ScalarRead::Absent {
                        *slot = ScalarRead::Null;
                    }
                }
                (false, Ok(v)) => *slot = ScalarRead::Value(v),
                (false, Err(d)) => {
                    if !matches!(slot, ScalarRead::Value(_)) {
                        *slot = ScalarRead::Dropped(d);
                    }
                }
            }
        } else if name == "auth_certificate_role_queries" {
            if null {
                if self.queries == ListRead::Absent {
                    self.queries = ListRead::Null;
                }
                return;
            }
            match map_list(tree, value) {
                Ok(l) => self.queries = ListRead::List(l),
                Err(d) => {
                    if !matches!(self.queries, ListRead::List(_)) {
                        self.queries = ListRead::Dropped(d);
                    }
                }
            }
        } else if !self.unknown.iter().any(|u| u == name) {
            self.unknown.push(name.to_string());
        }
    }

    /// The same yaml read as another Scylla line reads it.
    pub fn with_version(mut self, version: ScyllaVersion) -> ScyllaYaml {
        self.version = version;
        self
    }

    /// The same yaml, named by `origin` in messages (a Secret, a generated configuration).
    pub fn with_origin(mut self, origin: Origin) -> ScyllaYaml {
        self.origin = origin;
        self
    }

    /// Resolves relative paths against `dir` instead of the working directory.
    pub fn with_base_dir(mut self, dir: impl Into<PathBuf>) -> ScyllaYaml {
        self.base_dir = dir.into();
        self
    }

    /// The Scylla line the yaml is read as.
    pub fn version(&self) -> ScyllaVersion {
        self.version
    }

    /// Where the yaml came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The directory relative paths resolve against.
    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    /// A `string_map` option (`server_encryption_options`, `client_encryption_options`,
    /// `alternator_encryption_options`, `vector_store_encryption_options`); any other name is
    /// [`MapRead::Absent`].
    pub fn option_map(&self, name: &str) -> &MapRead {
        static ABSENT: MapRead = MapRead::Absent;
        self.maps.get(name).unwrap_or(&ABSENT)
    }

    /// A scalar option read here (the ports, `authenticator`, the addresses); any other name
    /// is [`ScalarRead::Absent`].
    pub fn scalar(&self, name: &str) -> &ScalarRead {
        static ABSENT: ScalarRead = ScalarRead::Absent;
        self.scalars.get(name).unwrap_or(&ABSENT)
    }

    /// A port option's value: the one written when it converted (yaml-cpp's `uint16_t`
    /// conversion), else `default`.
    ///
    /// `ssl_storage_port` is a `uint32_t` in Scylla (`db/config.hh:402`) that the messaging
    /// service keeps in a `uint16_t` (`main.cc:1676`): 70000 listens on 4464. This is the port
    /// listened on; [`ScyllaYaml::port_setting`] is the value as configured.
    pub fn port(&self, name: &str, default: u16) -> u16 {
        self.port_setting(name, u32::from(default)) as u16
    }

    /// A port option's value as Scylla's `named_value` holds it (32 bits for `ssl_storage_port`,
    /// which `main.cc:1733` compares with 0 before it is cut to 16 bits).
    pub fn port_setting(&self, name: &str, default: u32) -> u32 {
        self.scalar(name)
            .value()
            .and_then(|v| yaml_cpp_uint(v, port_max(name)))
            .map_or(default, |v| v as u32)
    }

    /// Whether a port option was set in the file (`named_value::is_set()`).
    pub fn is_set(&self, name: &str) -> bool {
        self.scalar(name).value().is_some()
    }

    /// `auth_certificate_role_queries` as Scylla ends up with it.
    pub fn role_queries(&self) -> &ListRead {
        &self.queries
    }

    /// Top-level keys this reader does not look at, in file order (Scylla may know them; they
    /// do not bear on TLS).
    pub fn other_keys(&self) -> &[String] {
        &self.unknown
    }

    /// Whether a yaml text looks like a scylla.yaml rather than a cassandra.yaml: keys only
    /// Scylla has (`api_port`, `native_shard_aware_transport_port`, `alternator_*`,
    /// `developer_mode`, `experimental_features`, `auth_certificate_role_queries`, ...) at the
    /// top, or Scylla's PEM keys (`certificate`, `keyfile`, `priority_string`) in an
    /// encryption section.
    pub fn looks_like_scylla(text: &str) -> bool {
        const TOP: [&str; 12] = [
            "api_port",
            "api_address",
            "developer_mode",
            "experimental_features",
            "native_shard_aware_transport_port",
            "native_shard_aware_transport_port_ssl",
            "alternator_port",
            "alternator_https_port",
            "alternator_encryption_options",
            "auth_certificate_role_queries",
            "murmur3_partitioner_ignore_msb_bits",
            "consistent_cluster_management",
        ];
        let Ok(tree) = Tree::parse(text) else {
            return false;
        };
        tree.top_level().iter().any(|(k, v)| {
            let Some(name) = tree.as_string(*k) else {
                return false;
            };
            if TOP.contains(&name) {
                return true;
            }
            MAP_OPTIONS.contains(&name)
                && match tree.node(*v) {
                    Node::Map(entries, _) => entries.iter().any(|(ik, _)| {
                        matches!(
                            tree.as_string(*ik),
                            Some("certificate" | "keyfile" | "priority_string")
                        )
                    }),
                    _ => false,
                }
        })
    }
}

/// `node.as<string_map>()`: a map whose keys and values are all scalars.
fn string_map(tree: &Tree, id: NodeId) -> std::result::Result<BTreeMap<String, String>, Dropped> {
    let Node::Map(entries, _) = tree.node(id) else {
        let n = tree.node(id);
        return Err(Dropped {
            key: None,
            found: n.kind(),
            mark: n.mark(),
        });
    };
    let mut out = BTreeMap::new();
    for (k, v) in entries {
        let Some(key) = tree.as_string(*k) else {
            let n = tree.node(*k);
            return Err(Dropped {
                key: None,
                found: n.kind(),
                mark: n.mark(),
            });
        };
        let Some(value) = tree.as_string(*v) else {
            let n = tree.node(*v);
            return Err(Dropped {
                key: Some(key.to_string()),
                found: n.kind(),
                mark: n.mark(),
            });
        };
        out.insert(key.to_string(), value.to_string());
    }
    Ok(out)
}

/// `node.as<std::vector<string_map>>()`: a sequence of string maps.
fn map_list(
    tree: &Tree,
    id: NodeId,
) -> std::result::Result<Vec<BTreeMap<String, String>>, Dropped> {
    match tree.node(id) {
        Node::Sequence(items, _) => items.iter().map(|i| string_map(tree, *i)).collect(),
        n => Err(Dropped {
            key: None,
            found: n.kind(),
            mark: n.mark(),
        }),
    }
}

/// yaml-cpp's `uint16_t` conversion (`YAML_DEFINE_CONVERT_STREAMABLE_UNSIGNED`): a leading `-`
/// is refused; the stream reads with the base unset (`0x` hex, a leading `0` octal), no
/// leading blanks, trailing blanks allowed; out of range fails.
#[cfg(test)]
pub(crate) fn yaml_cpp_u16(text: &str) -> Option<u16> {
    yaml_cpp_uint(text, u64::from(u16::MAX)).map(|v| v as u16)
}

/// The largest value a port option's C++ type holds (`ssl_storage_port` is `uint32_t`).
fn port_max(name: &str) -> u64 {
    if name == "ssl_storage_port" {
        u64::from(u32::MAX)
    } else {
        u64::from(u16::MAX)
    }
}

/// yaml-cpp's unsigned conversion up to `max` (see [`yaml_cpp_u16`]).
pub(crate) fn yaml_cpp_uint(text: &str, max: u64) -> Option<u64> {
    let t = text.trim_end_matches([' ', '\t', '\n', '\r']);
    let t = t.strip_prefix('+').unwrap_or(t);
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(digits, radix)
        .ok()
        .filter(|v| *v <= max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_null_list_or_map_value_drops_the_map() {
        for bad in [
            "truststore:",
            "truststore: ~",
            "protocol: [TLSv1.2]",
            "x: {a: b}",
        ] {
            let y = ScyllaYaml::from_str(&format!(
                "client_encryption_options:\n  enabled: true\n  {bad}\n"
            ))
            .unwrap();
            assert!(
                matches!(
                    y.option_map("client_encryption_options"),
                    MapRead::Dropped(_)
                ),
                "{bad}"
            );
        }
        let y = ScyllaYaml::from_str("client_encryption_options:\n  truststore: ''\n").unwrap();
        assert_eq!(
            y.option_map("client_encryption_options").map().unwrap()["truststore"],
            ""
        );
    }

    #[test]
    fn top_level_null_keeps_default_and_later_failure_keeps_earlier_value() {
        let y = ScyllaYaml::from_str("client_encryption_options:\n").unwrap();
        assert_eq!(y.option_map("client_encryption_options"), &MapRead::Null);
        let y = ScyllaYaml::from_str(
            "client_encryption_options: {enabled: 'true'}\nclient_encryption_options: [x]\n",
        )
        .unwrap();
        assert!(y.option_map("client_encryption_options").map().is_some());
    }

    #[test]
    fn ports_convert_as_yaml_cpp_does() {
        assert_eq!(yaml_cpp_u16("9142"), Some(9142));
        assert_eq!(yaml_cpp_u16("0x1F"), Some(31));
        assert_eq!(yaml_cpp_u16("010"), Some(8));
        assert_eq!(yaml_cpp_u16("0"), Some(0));
        assert_eq!(yaml_cpp_u16("-1"), None);
        assert_eq!(yaml_cpp_u16("70000"), None);
        assert_eq!(yaml_cpp_u16("9142x"), None);
        assert_eq!(yaml_cpp_u16("08"), None);
        // ssl_storage_port is a uint32_t, listened on as a uint16_t (main.cc:1676).
        let y = ScyllaYaml::from_str("ssl_storage_port: 70000\nstorage_port: 70000\n").unwrap();
        assert_eq!(y.port_setting("ssl_storage_port", 7001), 70000);
        assert_eq!(y.port("ssl_storage_port", 7001), 4464);
        assert!(!y.is_set("storage_port"));
        let y = ScyllaYaml::from_str("native_transport_port_ssl: nine\n").unwrap();
        assert!(!y.is_set("native_transport_port_ssl"));
        assert_eq!(y.port("native_transport_port_ssl", 9142), 9142);
    }

    #[test]
    fn keys_scylla_cannot_convert_stop_it() {
        for text in [
            "~: 1\n",
            "? {a: b}\n: 1\n",
            ":\n",
            "- a\n- b\n",
            "\tclient_encryption_options: {}\n",
        ] {
            assert!(ScyllaYaml::from_str(text).is_err(), "{text:?}");
        }
        for text in ["[]\n", "text\n", "# c\n\n"] {
            assert!(ScyllaYaml::from_str(text).is_ok(), "{text:?}");
        }
    }

    #[test]
    fn detection() {
        assert!(ScyllaYaml::looks_like_scylla("api_port: 10000\n"));
        assert!(ScyllaYaml::looks_like_scylla(
            "server_encryption_options:\n  certificate: a.crt\n"
        ));
        assert!(!ScyllaYaml::looks_like_scylla(
            "server_encryption_options:\n  keystore: a.jks\n"
        ));
    }
}
