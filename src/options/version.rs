//! The Cassandra version a cassandra.yaml is read as: which encryption keys exist, their
//! defaults and forms. Facts from EncryptionOptions in 4.0.19, 4.1.10, 5.0.9 and 6.0-alpha2,
//! checked by running their option classes on each JDK the line supports
//! (tests/cassandra_oracle.rs, [`CassandraVersion::jdks`]).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Origin};

/// A Cassandra release line. The default is 5.0.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum CassandraVersion {
    /// 4.0.x: no `ssl_context_factory` (no PEM), passwords default to `cassandra`,
    /// `enable_legacy_ssl_storage_port`.
    V4_0,
    /// 4.1.x: `ssl_context_factory` and the PEM factory (CASSANDRA-16666); from 4.1.2 the
    /// passwords have no default (CASSANDRA-18124); `legacy_ssl_storage_port_enabled`.
    V4_1,
    /// 5.0.x: `outbound_keystore` and `outbound_keystore_password` (CASSANDRA-17513).
    #[default]
    V5_0,
    /// 6.0.x (measured on 6.0-alpha2; `trunk` parses as this line): `require_client_auth` as
    /// `true`/`false`/`optional` (CASSANDRA-18811), the certificate validity keys
    /// (CASSANDRA-18951), password files (CASSANDRA-13428) and `jmx_encryption_options`
    /// (CASSANDRA-18508).
    V6_0,
}

#[allow(non_upper_case_globals)]
impl CassandraVersion {
    /// The line after 5.0, as this crate called it before 6.0 was on Maven Central.
    #[deprecated(
        since = "0.4.0",
        note = "trunk is the 6.0 line: use CassandraVersion::V6_0"
    )]
    pub const Trunk: CassandraVersion = CassandraVersion::V6_0;

    /// Every version, oldest first.
    pub const ALL: [CassandraVersion; 4] = [
        CassandraVersion::V4_0,
        CassandraVersion::V4_1,
        CassandraVersion::V5_0,
        CassandraVersion::V6_0,
    ];

    /// `4.0`, `4.1`, `5.0` or `6.0`.
    pub fn as_str(self) -> &'static str {
        match self {
            CassandraVersion::V4_0 => "4.0",
            CassandraVersion::V4_1 => "4.1",
            CassandraVersion::V5_0 => "5.0",
            CassandraVersion::V6_0 => "6.0",
        }
    }

    /// The Java majors this line supports that its verdicts were measured on: Cassandra's own
    /// option classes, run on each of these JDKs, read the differential grid of
    /// tests/cassandra_oracle.rs as this crate does (FIDELITY.md lists every difference, per
    /// line and JDK). The lines' supported JDKs are 8 and 11 (4.0, 4.1), 11 and 17 (5.0), 11, 17
    /// and 21 (6.0: cassandra-all 6.0-alpha2 is built by JDK 11, its manifest says, and its
    /// daemon starts on 11, 17 and 21); Java 8 cannot be run where the oracle runs, so no
    /// verdict claims it.
    pub fn jdks(self) -> &'static [u8] {
        match self {
            CassandraVersion::V4_0 | CassandraVersion::V4_1 => &[11],
            CassandraVersion::V5_0 => &[11, 17],
            CassandraVersion::V6_0 => &[11, 17, 21],
        }
    }

    /// The Java majors this line supports ([`jdks`](Self::jdks) and those not measured: 8 for 4.x).
    pub fn supported_jdks(self) -> &'static [u8] {
        match self {
            CassandraVersion::V4_0 | CassandraVersion::V4_1 => &[8, 11],
            CassandraVersion::V5_0 => &[11, 17],
            CassandraVersion::V6_0 => &[11, 17, 21],
        }
    }

    /// Whether `require_client_auth` is 6.0's tri-state string rather than a boolean.
    pub fn client_auth_is_tri_state(self) -> bool {
        self >= CassandraVersion::V6_0
    }

    /// The password a missing `keystore_password` / `truststore_password` takes: `cassandra` in
    /// 4.0 (and 4.1.0-4.1.1), none from 4.1.2 on.
    pub fn default_password(self) -> Option<&'static str> {
        (self == CassandraVersion::V4_0).then_some("cassandra")
    }

    /// Whether an empty `truststore_password` is still a password: 4.0 passes it to
    /// `KeyStore.load` (and so checks the store's integrity with it); from 4.1 an empty one
    /// loads the store without a check.
    pub fn empty_truststore_password_is_checked(self) -> bool {
        self == CassandraVersion::V4_0
    }

    /// Whether cassandra.yaml has `jmx_server_options.jmx_encryption_options` (6.0,
    /// CASSANDRA-18508): the JMX server's TLS, an `EncryptionOptions` like
    /// `client_encryption_options`.
    pub fn has_jmx_encryption_options(self) -> bool {
        self >= CassandraVersion::V6_0
    }

    /// Whether cassandra.yaml has `native_transport_port_ssl` (4.0 to 5.0; 6.0 refuses it).
    pub fn has_native_transport_port_ssl(self) -> bool {
        self < CassandraVersion::V6_0
    }

    /// Whether the pluggable `ssl_context_factory` (and so the PEM factory) exists.
    pub fn has_ssl_context_factory(self) -> bool {
        self >= CassandraVersion::V4_1
    }

    /// The name of the legacy SSL storage port flag in this version's messages.
    pub fn legacy_port_key(self) -> &'static str {
        if self == CassandraVersion::V4_0 {
            "enable_legacy_ssl_storage_port"
        } else {
            "legacy_ssl_storage_port_enabled"
        }
    }

    /// The version that introduced `key` in an encryption section (`server` says which), or
    /// `None` when no version knows it there. `enable_legacy_ssl_storage_port` is known from 4.0
    /// (4.1 on keep it as a deprecated name).
    pub fn introduced(key: &str, server: bool) -> Option<CassandraVersion> {
        use CassandraVersion::*;
        let common = match key {
            "enabled"
            | "optional"
            | "keystore"
            | "keystore_password"
            | "truststore"
            | "truststore_password"
            | "cipher_suites"
            | "protocol"
            | "accepted_protocols"
            | "algorithm"
            | "store_type"
            | "require_client_auth"
            | "require_endpoint_verification" => Some(V4_0),
            "ssl_context_factory" => Some(V4_1),
            "max_certificate_validity_period"
            | "certificate_validity_warn_threshold"
            | "keystore_password_file"
            | "truststore_password_file" => Some(V6_0),
            _ => None,
        };
        if common.is_some() || !server {
            return common;
        }
        match key {
            "internode_encryption" | "enable_legacy_ssl_storage_port" => Some(V4_0),
            "legacy_ssl_storage_port_enabled" => Some(V4_1),
            "outbound_keystore" | "outbound_keystore_password" => Some(V5_0),
            "outbound_keystore_password_file" => Some(V6_0),
            _ => None,
        }
    }

    /// Whether a key may be written with no value: SnakeYAML then sets the field to null, which
    /// Cassandra's PropertiesChecker refuses only over a field whose default is not null.
    pub fn null_allowed(self, key: &str) -> bool {
        match key {
            "enabled"
            | "optional"
            | "cipher_suites"
            | "protocol"
            | "accepted_protocols"
            | "algorithm"
            | "outbound_keystore"
            | "outbound_keystore_password"
            | "outbound_keystore_password_file"
            | "max_certificate_validity_period"
            | "certificate_validity_warn_threshold"
            | "keystore_password_file"
            | "truststore_password_file" => true,
            "keystore_password" | "truststore_password" => self.default_password().is_none(),
            _ => false,
        }
    }

    /// Whether this version knows `key` in an encryption section.
    pub fn knows(self, key: &str, server: bool) -> bool {
        Self::introduced(key, server).is_some_and(|v| v <= self)
    }
}

impl fmt::Display for CassandraVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CassandraVersion {
    type Err = Error;

    /// `4.0`, `4.1`, `5.0` or `6.0` (a release such as `4.1.10` or `6.0-alpha2` names its
    /// line); `trunk` is an alias of `6.0`.
    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        let release = s.split('-').next().unwrap_or(s);
        let line = release.split('.').take(2).collect::<Vec<_>>().join(".");
        match (line.as_str(), s) {
            ("4.0", _) => Ok(CassandraVersion::V4_0),
            ("4.1", _) => Ok(CassandraVersion::V4_1),
            ("5.0", _) => Ok(CassandraVersion::V5_0),
            ("6.0", _) => Ok(CassandraVersion::V6_0),
            (_, t) if t.eq_ignore_ascii_case("trunk") => Ok(CassandraVersion::V6_0),
            _ => Err(Error::config(
                &Origin::bytes(),
                None,
                None,
                format!("unknown Cassandra version '{s}' (4.0, 4.1, 5.0 or 6.0; trunk is 6.0)"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_by_version() {
        use CassandraVersion::*;
        assert!(!V4_0.knows("ssl_context_factory", false));
        assert!(V4_1.knows("ssl_context_factory", true));
        assert!(!V4_1.knows("outbound_keystore", true));
        assert!(V5_0.knows("outbound_keystore", true));
        assert!(!V5_0.knows("outbound_keystore", false));
        assert!(V5_0.knows("enable_legacy_ssl_storage_port", true));
        assert!(!V4_0.knows("legacy_ssl_storage_port_enabled", true));
        assert!(!V5_0.knows("max_certificate_validity_period", false));
        assert!(V6_0.knows("max_certificate_validity_period", false));
        assert!(!V6_0.knows("internode_encryption", false));
        assert!(!V6_0.knows("nonsense", true));
    }

    #[test]
    fn parse_lines_and_patch_releases() {
        assert_eq!(
            "4.1.10".parse::<CassandraVersion>().unwrap(),
            CassandraVersion::V4_1
        );
        assert_eq!(
            "5.0".parse::<CassandraVersion>().unwrap(),
            CassandraVersion::V5_0
        );
        for alias in ["6.0", "6.0-alpha2", "6.0.1", "trunk", "TRUNK"] {
            assert_eq!(
                alias.parse::<CassandraVersion>().unwrap(),
                CassandraVersion::V6_0,
                "{alias}"
            );
        }
        #[allow(deprecated)]
        let trunk = CassandraVersion::Trunk;
        assert_eq!(trunk, CassandraVersion::V6_0);
        assert_eq!(CassandraVersion::V6_0.to_string(), "6.0");
        assert!("6".parse::<CassandraVersion>().is_err());
        assert!("3.11".parse::<CassandraVersion>().is_err());
    }
}
