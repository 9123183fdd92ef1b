//! One encryption section: its keys, their defaults, and the port policy Cassandra derives.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::password::Password;

/// `require_client_auth`: a boolean up to 5.0, a tri-state string from 6.0 (CASSANDRA-18811).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientAuth {
    /// `false` / `not_required` (the default).
    #[default]
    NotRequired,
    /// `optional`: a certificate is asked for, and checked when sent.
    Optional,
    /// `true` / `required`.
    Required,
}

impl ClientAuth {
    /// The name `explain` and `doctor` print: `none`, `optional`, `required`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ClientAuth::NotRequired => "none",
            ClientAuth::Optional => "optional",
            ClientAuth::Required => "required",
        }
    }

    /// Parses the value as 6.0's `EncryptionOptions.ClientAuth` does: `true`, `false`,
    /// `optional`, `required`, `not_required`, ignoring case.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "true" | "required" => Some(ClientAuth::Required),
            "false" | "not_required" => Some(ClientAuth::NotRequired),
            "optional" => Some(ClientAuth::Optional),
            _ => None,
        }
    }
}

/// `internode_encryption`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum InternodeEncryption {
    /// No internode TLS (the default).
    #[default]
    None,
    /// TLS to every peer.
    All,
    /// TLS to peers in other datacenters.
    Dc,
    /// TLS to peers in other racks (or datacenters).
    Rack,
}

impl InternodeEncryption {
    /// The name as written in cassandra.yaml: `none`, `all`, `dc`, `rack`.
    pub const fn as_str(self) -> &'static str {
        match self {
            InternodeEncryption::None => "none",
            InternodeEncryption::All => "all",
            InternodeEncryption::Dc => "dc",
            InternodeEncryption::Rack => "rack",
        }
    }

    /// The enum constant by its exact name, as SnakeYAML sets a Java enum (`ALL` is refused).
    pub(crate) fn parse(value: &str) -> Option<Self> {
        match value {
            "none" => Some(InternodeEncryption::None),
            "all" => Some(InternodeEncryption::All),
            "dc" => Some(InternodeEncryption::Dc),
            "rack" => Some(InternodeEncryption::Rack),
            _ => None,
        }
    }

    /// `ServerEncryptionOptions.shouldEncrypt`: whether traffic to a peer in `peer_dc` /
    /// `peer_rack` is encrypted, seen from a node in `local_dc` / `local_rack`.
    pub fn should_encrypt(
        self,
        local_dc: &str,
        local_rack: &str,
        peer_dc: &str,
        peer_rack: &str,
    ) -> bool {
        match self {
            InternodeEncryption::None => false,
            InternodeEncryption::All => true,
            InternodeEncryption::Dc => peer_dc != local_dc,
            InternodeEncryption::Rack => peer_dc != local_dc || peer_rack != local_rack,
        }
    }
}

/// The policy of a listening port (`EncryptionOptions.TlsEncryptionPolicy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Plaintext only.
    Unencrypted,
    /// TLS and plaintext on the same port, told apart by the first bytes.
    Optional,
    /// TLS only.
    Encrypted,
}

impl Policy {
    /// `TlsEncryptionPolicy` from `isEnabled` and `isOptional`: optional wins, then enabled.
    fn of(enabled: bool, optional: bool) -> Policy {
        if optional {
            Policy::Optional
        } else if enabled {
            Policy::Encrypted
        } else {
            Policy::Unencrypted
        }
    }

    /// Cassandra's name: `UNENCRYPTED`, `OPTIONAL`, `ENCRYPTED`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Policy::Unencrypted => "UNENCRYPTED",
            Policy::Optional => "OPTIONAL",
            Policy::Encrypted => "ENCRYPTED",
        }
    }
}

/// Serialised by name ([`Policy::as_str`], [`ClientAuth::as_str`],
/// [`InternodeEncryption::as_str`]), as the command's JSON prints them.
macro_rules! serialize_as_str {
    ($($t:ty),*) => {$(
        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }
    )*};
}
serialize_as_str!(Policy, ClientAuth, InternodeEncryption);

/// Cassandra's `DurationSpec.IntMinutesBound`: `<digits><unit>`, units of a minute or more.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DurationMinutes(pub u32);

impl DurationMinutes {
    /// Parses `30d`, `12h`, `90m`. Smaller units, spaces, signs and values of
    /// `Integer.MAX_VALUE` minutes or more are refused, as Cassandra refuses them.
    pub fn parse(value: &str) -> Option<Self> {
        let digits = value.chars().take_while(|c| c.is_ascii_digit()).count();
        let (number, unit) = value.split_at(digits);
        let n: u64 = number.parse().ok()?;
        let minutes = match unit {
            "m" => n,
            "h" => n.checked_mul(60)?,
            "d" => n.checked_mul(24 * 60)?,
            _ => return None,
        };
        (minutes < i32::MAX as u64).then_some(DurationMinutes(minutes as u32))
    }
}

/// `ssl_context_factory`.
///
/// Its parameters can hold secrets (`private_key`, `private_key_password`): they are zeroized on
/// drop and shown as `<redacted>` by `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SslContextFactory {
    /// `class_name`, as written.
    pub class_name: Option<String>,
    /// `parameters`.
    pub parameters: BTreeMap<String, String>,
}

/// Whether a factory parameter holds a secret: a password or an inline private key.
fn secret_parameter(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.contains("password") || name.contains("private_key") || name.contains("secret")
}

impl fmt::Debug for SslContextFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parameters: BTreeMap<&str, &str> = self
            .parameters
            .iter()
            .map(|(k, v)| {
                let shown = if secret_parameter(k) { "<redacted>" } else { v };
                (k.as_str(), shown)
            })
            .collect();
        f.debug_struct("SslContextFactory")
            .field("class_name", &self.class_name)
            .field("parameters", &parameters)
            .finish()
    }
}

impl Drop for SslContextFactory {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for value in self.parameters.values_mut() {
            value.zeroize();
        }
    }
}

/// Which factory a section asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SslContextFactoryKind {
    /// `DefaultSslContextFactory`: key and trust stores in files.
    Default,
    /// `PEMBasedSslContextFactory`: PEM files or inline PEM.
    Pem,
    /// Anything else: a Java class this crate cannot run.
    Custom(String),
}

impl SslContextFactoryKind {
    /// The name `explain` prints: `default`, `pem` or `custom`.
    pub fn name(&self) -> &'static str {
        match self {
            SslContextFactoryKind::Default => "default",
            SslContextFactoryKind::Pem => "pem",
            SslContextFactoryKind::Custom(_) => "custom",
        }
    }
}

impl fmt::Display for SslContextFactoryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl SslContextFactory {
    /// The factory class, with Cassandra's rule that a name without a `.` lives in
    /// `org.apache.cassandra.security`.
    pub fn kind(&self) -> SslContextFactoryKind {
        let Some(name) = self.class_name.as_deref().map(str::trim) else {
            return SslContextFactoryKind::Default;
        };
        let full = if name.contains('.') {
            name.to_owned()
        } else {
            format!("org.apache.cassandra.security.{name}")
        };
        match full.as_str() {
            "org.apache.cassandra.security.DefaultSslContextFactory" => {
                SslContextFactoryKind::Default
            }
            "org.apache.cassandra.security.PEMBasedSslContextFactory" => SslContextFactoryKind::Pem,
            _ => SslContextFactoryKind::Custom(full),
        }
    }

    /// A parameter, ignoring case of the name.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The options both sections share (`EncryptionOptions`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptionOptions {
    /// `enabled`.
    pub enabled: Option<bool>,
    /// `optional`.
    pub optional: Option<bool>,
    /// `keystore`; `None` means Cassandra's default `conf/.keystore`.
    pub keystore: Option<String>,
    /// `keystore_password`.
    pub keystore_password: Option<Password>,
    /// `keystore_password_file` (6.0, CASSANDRA-13428): the password is its first line.
    pub keystore_password_file: Option<String>,
    /// `truststore`; `None` means `conf/.truststore`.
    pub truststore: Option<String>,
    /// `truststore_password`; empty or absent means no integrity check.
    pub truststore_password: Option<Password>,
    /// `truststore_password_file`.
    pub truststore_password_file: Option<String>,
    /// `cipher_suites`: JSSE names; `None` means the provider's defaults.
    pub cipher_suites: Option<Vec<String>>,
    /// `protocol`.
    pub protocol: Option<String>,
    /// `accepted_protocols`.
    pub accepted_protocols: Option<Vec<String>>,
    /// `algorithm`: the key and trust manager algorithm (`SunX509`, `PKIX`).
    pub algorithm: Option<String>,
    /// `store_type`; `None` means Cassandra's default, JKS.
    pub store_type: Option<String>,
    /// `require_client_auth`.
    pub require_client_auth: ClientAuth,
    /// `require_endpoint_verification`.
    pub require_endpoint_verification: bool,
    /// `ssl_context_factory`.
    pub ssl_context_factory: SslContextFactory,
    /// `max_certificate_validity_period` (6.0; used by the mTLS authenticators).
    pub max_certificate_validity_period: Option<DurationMinutes>,
    /// `certificate_validity_warn_threshold` (6.0).
    pub certificate_validity_warn_threshold: Option<DurationMinutes>,
}

/// `server_encryption_options`: the shared options plus the internode ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServerEncryptionOptions {
    /// The options shared with `client_encryption_options`.
    pub common: EncryptionOptions,
    /// `internode_encryption`.
    pub internode_encryption: InternodeEncryption,
    /// `legacy_ssl_storage_port_enabled` (4.0: `enable_legacy_ssl_storage_port`).
    pub legacy_ssl_storage_port_enabled: bool,
    /// `outbound_keystore` (5.0+); `None` falls back to `keystore`.
    pub outbound_keystore: Option<String>,
    /// `outbound_keystore_password`; `None` falls back to `keystore_password` (`""` is kept).
    pub outbound_keystore_password: Option<Password>,
    /// `outbound_keystore_password_file` (6.0): read only when neither
    /// `outbound_keystore_password` nor the inbound key store's password (inline or from its
    /// file) is there; `None` falls back to `keystore_password_file`.
    pub outbound_keystore_password_file: Option<String>,
}

/// The default key store path, relative to Cassandra's working directory.
pub const DEFAULT_KEYSTORE: &str = "conf/.keystore";
/// The default trust store path.
pub const DEFAULT_TRUSTSTORE: &str = "conf/.truststore";

impl EncryptionOptions {
    /// The key store path, with Cassandra's default.
    pub fn keystore_path(&self) -> &str {
        self.keystore.as_deref().unwrap_or(DEFAULT_KEYSTORE)
    }

    /// The trust store path, with Cassandra's default.
    pub fn truststore_path(&self) -> &str {
        self.truststore.as_deref().unwrap_or(DEFAULT_TRUSTSTORE)
    }

    /// Whether there is key material: Cassandra's `hasKeystore()`. The default factory checks
    /// that the key store file exists; the PEM factory also accepts an inline `private_key`.
    pub fn has_keystore(&self, base: &Path) -> bool {
        match self.ssl_context_factory.kind() {
            SslContextFactoryKind::Pem
                if super::source::pem_parameter(&self.ssl_context_factory, "private_key")
                    .is_some() =>
            {
                true
            }
            SslContextFactoryKind::Custom(_) => true,
            _ => resolve(base, self.keystore_path()).exists(),
        }
    }

    /// The client policy, by `EncryptionOptions.applyConfig`: optional when `optional` says so,
    /// or when it is unset, a key store exists and `enabled` is not true; else encrypted when
    /// enabled. `has_keystore` is [`EncryptionOptions::has_keystore`].
    pub fn policy(&self, has_keystore: bool) -> Policy {
        Policy::of(self.enabled == Some(true), self.base_optional(has_keystore))
    }

    fn base_optional(&self, has_keystore: bool) -> bool {
        match self.optional {
            Some(o) => o,
            None if has_keystore => self.enabled != Some(true),
            None => false,
        }
    }

    /// `isExplicitlyOptional()`: `optional: true` was written.
    pub fn is_explicitly_optional(&self) -> bool {
        self.optional == Some(true)
    }
}

impl ServerEncryptionOptions {
    /// The internode policy, by `ServerEncryptionOptions.applyConfigInternal`, quirk included:
    /// the base computation uses `enabled`, not `internode_encryption`, so `internode_encryption:
    /// all` with an existing key store and neither `enabled` nor `optional` set gives OPTIONAL
    /// (the port accepts plaintext; unencrypted peers are then refused after the handshake
    /// message). `dc` and `rack` are always OPTIONAL on the port.
    pub fn policy(&self, has_keystore: bool) -> Policy {
        let enabled = self.internode_encryption != InternodeEncryption::None;
        let optional = self.common.base_optional(has_keystore)
            || matches!(
                self.internode_encryption,
                InternodeEncryption::Dc | InternodeEncryption::Rack
            );
        Policy::of(enabled, optional)
    }

    /// The outbound (internode client) key store path: `outbound_keystore`, else `keystore`.
    pub fn outbound_keystore_path(&self) -> &str {
        self.outbound_keystore
            .as_deref()
            .unwrap_or_else(|| self.common.keystore_path())
    }

    /// The outbound key store password as written inline: `outbound_keystore_password`, else
    /// `keystore_password` (only a missing value falls back; `""` is kept). 6.0's password files
    /// (`outbound_keystore_password_file`, `keystore_password_file`) are not read here: the TLS
    /// configs and `explain` resolve them as 6.0 does, when no inline password is set.
    pub fn outbound_keystore_password(&self) -> Option<&Password> {
        self.outbound_keystore_password
            .as_ref()
            .or(self.common.keystore_password.as_ref())
    }
}

/// For an error about a missing file: where a relative `path` was looked for (nothing for an
/// absolute one).
pub(crate) fn relative_note(base: &Path, path: &str) -> String {
    if Path::new(path).is_absolute() {
        return String::new();
    }
    let dir = if base.as_os_str().is_empty() || base == Path::new(".") {
        std::env::current_dir()
            .map(|d| format!("the working directory, {}", d.display()))
            .unwrap_or_else(|_| "the working directory".to_owned())
    } else {
        base.display().to_string()
    };
    format!(
        " (relative paths resolve against {dir}; set another with the command's --base-dir, or the library's CassandraYaml::with_base_dir)"
    )
}

/// A path from the yaml, relative to Cassandra's working directory (`base`).
pub(crate) fn resolve(base: &Path, path: &str) -> PathBuf {
    let p = Path::new(path);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(optional: Option<bool>, enabled: bool) -> EncryptionOptions {
        EncryptionOptions {
            optional,
            enabled: Some(enabled),
            ..Default::default()
        }
    }

    /// The client table of Cassandra's EncryptionOptionsTest (optional, keystore present,
    /// enabled → policy).
    #[test]
    fn encryption_options_test_client_policies() {
        use Policy::*;
        let table = [
            (None, false, false, Unencrypted),
            (None, false, true, Encrypted),
            (None, true, false, Optional),
            (None, true, true, Encrypted),
            (Some(false), false, false, Unencrypted),
            (Some(false), false, true, Encrypted),
            (Some(true), true, false, Optional),
            (Some(true), true, true, Optional),
        ];
        for (optional, keystore, enabled, want) in table {
            assert_eq!(
                client(optional, enabled).policy(keystore),
                want,
                "{optional:?} {keystore} {enabled}"
            );
        }
    }

    /// The server table of EncryptionOptionsTest (optional, keystore present,
    /// internode_encryption → policy), plus the quirk the test skips.
    #[test]
    fn encryption_options_test_server_policies() {
        use InternodeEncryption as I;
        use Policy::*;
        let server = |optional, ie| ServerEncryptionOptions {
            common: EncryptionOptions {
                optional,
                ..Default::default()
            },
            internode_encryption: ie,
            ..Default::default()
        };
        let table = [
            (None, false, I::None, Unencrypted),
            (None, false, I::Rack, Optional),
            (None, false, I::Dc, Optional),
            (None, false, I::All, Encrypted),
            (None, true, I::None, Optional),
            (None, true, I::Rack, Optional),
            (Some(false), false, I::None, Unencrypted),
            (Some(false), false, I::Rack, Optional),
            (Some(false), false, I::Dc, Optional),
            (Some(false), false, I::All, Encrypted),
            (Some(true), false, I::None, Optional),
            (Some(true), true, I::All, Optional),
            (Some(true), false, I::Dc, Optional),
            // The quirk: all + keystore present + nothing else set is OPTIONAL on the port.
            (None, true, I::All, Optional),
        ];
        for (optional, keystore, ie, want) in table {
            assert_eq!(
                server(optional, ie).policy(keystore),
                want,
                "{optional:?} {keystore} {ie:?}"
            );
        }
        // enabled: true turns the quirk off.
        let mut s = server(None, I::All);
        s.common.enabled = Some(true);
        assert_eq!(s.policy(true), Encrypted);
    }

    #[test]
    fn should_encrypt_by_dc_and_rack() {
        use InternodeEncryption as I;
        assert!(!I::None.should_encrypt("dc1", "r1", "dc2", "r2"));
        assert!(I::All.should_encrypt("dc1", "r1", "dc1", "r1"));
        assert!(!I::Dc.should_encrypt("dc1", "r1", "dc1", "r2"));
        assert!(I::Dc.should_encrypt("dc1", "r1", "dc2", "r1"));
        assert!(!I::Rack.should_encrypt("dc1", "r1", "dc1", "r1"));
        assert!(I::Rack.should_encrypt("dc1", "r1", "dc1", "r2"));
        assert!(I::Rack.should_encrypt("dc1", "r1", "dc2", "r1"));
    }

    #[test]
    fn client_auth_values() {
        for (v, want) in [
            ("TRUE", ClientAuth::Required),
            ("required", ClientAuth::Required),
            ("False", ClientAuth::NotRequired),
            ("NOT_REQUIRED", ClientAuth::NotRequired),
            ("Optional", ClientAuth::Optional),
        ] {
            assert_eq!(ClientAuth::parse(v), Some(want));
        }
        assert_eq!(ClientAuth::parse("maybe"), None);
    }

    #[test]
    fn durations_as_int_minutes_bound() {
        assert_eq!(DurationMinutes::parse("30d"), Some(DurationMinutes(43200)));
        assert_eq!(DurationMinutes::parse("2h"), Some(DurationMinutes(120)));
        assert_eq!(DurationMinutes::parse("5m"), Some(DurationMinutes(5)));
        for bad in ["30s", "1 d", "-1d", "d", "", "10", "999999999999d"] {
            assert_eq!(DurationMinutes::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn factory_class_names() {
        let f = |n: &str| SslContextFactory {
            class_name: Some(n.into()),
            parameters: BTreeMap::new(),
        };
        assert_eq!(
            f("PEMBasedSslContextFactory").kind(),
            SslContextFactoryKind::Pem
        );
        assert_eq!(
            f("org.apache.cassandra.security.PEMBasedSslContextFactory").kind(),
            SslContextFactoryKind::Pem
        );
        assert_eq!(
            f("DefaultSslContextFactory").kind(),
            SslContextFactoryKind::Default
        );
        assert!(matches!(
            f("com.example.Vault").kind(),
            SslContextFactoryKind::Custom(_)
        ));
    }
}
