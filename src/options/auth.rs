//! `authenticator`, `internode_authenticator`, `role_manager` and the authorizers
//! (`authorizer`, `network_authorizer`, 5.0's `cidr_authorizer`) as Cassandra reads them, and
//! the start-up rules of the certificate authenticators (CEP-34, 5.0 on).
//!
//! Facts read from cassandra-all 4.1.10, 5.0.9 and 6.0-alpha2 and checked by running their
//! classes (`AuthConfig.applyAuth`, the authenticators' constructors and
//! `validateConfiguration`; tests/cassandra_oracle.rs):
//! - 4.x: each key is a class name; a name without a dot is looked up in
//!   `org.apache.cassandra.auth` ("Unable to find authenticator class '…'"). The
//!   `class_name`/`parameters` form is refused by the loader.
//! - 5.0 on: each key is a `ParameterizedClass`, written as a name or as
//!   `class_name`/`parameters`; a class is looked up as written, then in
//!   `org.apache.cassandra.auth` ("Unable to find class … in packages [\"\",\"org.apache.cassandra.auth\"]"),
//!   and must implement the key's interface.
//! - `MutualTlsAuthenticator` (and `MutualTlsWithPasswordFallbackAuthenticator`, which
//!   inherits its constructor) needs `validator_class_name`; in 5.0 its constructor requires
//!   `client_encryption_options` enabled with `require_client_auth: true` (the fallback too); in
//!   6.0 `validateConfiguration` does, and the fallback requires only that client auth is not
//!   `false` (so `optional` works).
//! - `MutualTlsInternodeAuthenticator` needs `validator_class_name`; it requires
//!   `internode_encryption` other than `none` and the server's `require_client_auth` required
//!   (5.0: in its constructor, before reading identities; 6.0: in `validateConfiguration`, after
//!   all constructors). Its trusted identities are `trusted_peer_identities` split on `,` (no
//!   trimming), else what the validator extracts from every key entry of
//!   `server_encryption_options.outbound_keystore` (the raw keys: no fallback to `keystore`);
//!   a `node_identity` must be among them, and then is the only one trusted.
//! - An authorizer, network authorizer or CIDR authorizer that requires authorization (every
//!   class of the package but the `AllowAll*` ones) stops the node beside an authenticator that
//!   does not ("… can't be used with …"), checked in `applyAuth`'s order: the authorizer after
//!   the authenticator, the network and CIDR authorizers after the internode authenticator.

use std::collections::BTreeMap;

use serde::Serialize;

use super::version::CassandraVersion;

/// The package Cassandra looks short class names up in.
pub const AUTH_PACKAGE: &str = "org.apache.cassandra.auth";

/// A class with parameters, as Cassandra's `ParameterizedClass` (a bare name has none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParameterizedClass {
    /// `class_name` as written (`None` when the mapping form has none).
    pub class_name: Option<String>,
    /// `parameters` (values as text).
    pub parameters: BTreeMap<String, String>,
    /// Whether it was written in the `class_name`/`parameters` form.
    pub mapping_form: bool,
}

impl ParameterizedClass {
    /// A parameter.
    pub fn parameter(&self, key: &str) -> Option<&str> {
        self.parameters.get(key).map(String::as_str)
    }
}

/// The auth keys of cassandra.yaml.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthOptions {
    /// `authenticator` (absent: `AllowAllAuthenticator`).
    pub authenticator: Option<ParameterizedClass>,
    /// `internode_authenticator` (absent: `AllowAllInternodeAuthenticator`).
    pub internode_authenticator: Option<ParameterizedClass>,
    /// `role_manager` (absent: `CassandraRoleManager`).
    pub role_manager: Option<ParameterizedClass>,
    /// `authorizer` (absent: `AllowAllAuthorizer`).
    pub authorizer: Option<ParameterizedClass>,
    /// `network_authorizer` (absent: `AllowAllNetworkAuthorizer`).
    pub network_authorizer: Option<ParameterizedClass>,
    /// `cidr_authorizer` (5.0; absent: `AllowAllCIDRAuthorizer`).
    pub cidr_authorizer: Option<ParameterizedClass>,
}

impl AuthOptions {
    /// The class a key names (`None` when absent; `validator_class_name` is a parameter, never
    /// a key of its own).
    pub fn class(&self, key: AuthKey) -> Option<&ParameterizedClass> {
        match key {
            AuthKey::Authenticator => self.authenticator.as_ref(),
            AuthKey::InternodeAuthenticator => self.internode_authenticator.as_ref(),
            AuthKey::RoleManager => self.role_manager.as_ref(),
            AuthKey::Authorizer => self.authorizer.as_ref(),
            AuthKey::NetworkAuthorizer => self.network_authorizer.as_ref(),
            AuthKey::CidrAuthorizer => self.cidr_authorizer.as_ref(),
            AuthKey::Validator => None,
        }
    }
}

/// Which interface a key's class must implement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthKey {
    /// `authenticator`: `IAuthenticator`.
    Authenticator,
    /// `internode_authenticator`: `IInternodeAuthenticator`.
    InternodeAuthenticator,
    /// `role_manager`: `IRoleManager`.
    RoleManager,
    /// `validator_class_name`: `MutualTlsCertificateValidator`.
    Validator,
    /// `authorizer`: `IAuthorizer`.
    Authorizer,
    /// `network_authorizer`: `INetworkAuthorizer`.
    NetworkAuthorizer,
    /// `cidr_authorizer` (5.0): `ICIDRAuthorizer`.
    CidrAuthorizer,
}

impl AuthKey {
    /// The yaml key.
    pub const fn as_str(self) -> &'static str {
        match self {
            AuthKey::Authenticator => "authenticator",
            AuthKey::InternodeAuthenticator => "internode_authenticator",
            AuthKey::RoleManager => "role_manager",
            AuthKey::Validator => "validator_class_name",
            AuthKey::Authorizer => "authorizer",
            AuthKey::NetworkAuthorizer => "network_authorizer",
            AuthKey::CidrAuthorizer => "cidr_authorizer",
        }
    }

    /// The Java interface.
    pub const fn interface(self) -> &'static str {
        match self {
            AuthKey::Authenticator => "org.apache.cassandra.auth.IAuthenticator",
            AuthKey::InternodeAuthenticator => "org.apache.cassandra.auth.IInternodeAuthenticator",
            AuthKey::RoleManager => "org.apache.cassandra.auth.IRoleManager",
            AuthKey::Validator => "org.apache.cassandra.auth.MutualTlsCertificateValidator",
            AuthKey::Authorizer => "org.apache.cassandra.auth.IAuthorizer",
            AuthKey::NetworkAuthorizer => "org.apache.cassandra.auth.INetworkAuthorizer",
            AuthKey::CidrAuthorizer => "org.apache.cassandra.auth.ICIDRAuthorizer",
        }
    }

    /// The class used when the key is absent (`None` for `validator_class_name`, which has no
    /// default: the mTLS authenticators refuse to start without one).
    pub fn default_class(self) -> Option<AuthClass> {
        AuthClass::ALL
            .iter()
            .copied()
            .find(|c| c.key() == self && c.facts().default_of_key)
    }

    /// How Cassandra 4.x names the key in "Unable to find … class".
    const fn legacy_label(self) -> &'static str {
        match self {
            AuthKey::RoleManager => "role manager",
            AuthKey::InternodeAuthenticator => "internode authenticator",
            AuthKey::Authorizer => "authorizer",
            AuthKey::NetworkAuthorizer => "network authorizer",
            AuthKey::CidrAuthorizer => "CIDR authorizer",
            AuthKey::Authenticator | AuthKey::Validator => "authenticator",
        }
    }
}

/// How a client logs in (serialised `none`, `required`, `fallback`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CertificateLogin {
    /// Not by certificate (no mTLS authenticator).
    None,
    /// By certificate only (`MutualTlsAuthenticator`).
    Required,
    /// By certificate, or with a password when the client sends no certificate
    /// (`MutualTlsWithPasswordFallbackAuthenticator`; measured on 6.0-alpha2: a client that
    /// sends a certificate gets no fallback).
    Fallback,
}

impl std::fmt::Display for CertificateLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CertificateLogin::None => "none",
            CertificateLogin::Required => "required",
            CertificateLogin::Fallback => "fallback",
        })
    }
}

/// A class of `org.apache.cassandra.auth` this crate models: its name, the key whose
/// interface it implements, the first version that has it, whether it requires
/// authentication (authorization for the authorizers) and how it logs clients in. Every
/// reader (options, tls, doctor, explain, probe) asks these questions here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthClass {
    /// `AllowAllAuthenticator` (the default `authenticator`).
    AllowAllAuthenticator,
    /// `PasswordAuthenticator`.
    PasswordAuthenticator,
    /// `MutualTlsAuthenticator` (5.0): clients log in by certificate only.
    MutualTlsAuthenticator,
    /// `MutualTlsWithPasswordFallbackAuthenticator` (5.0; extends `PasswordAuthenticator`).
    MutualTlsWithPasswordFallbackAuthenticator,
    /// `AllowAllInternodeAuthenticator` (the default `internode_authenticator`).
    AllowAllInternodeAuthenticator,
    /// `MutualTlsInternodeAuthenticator` (5.0).
    MutualTlsInternodeAuthenticator,
    /// `CassandraRoleManager` (the default `role_manager`).
    CassandraRoleManager,
    /// `SpiffeCertificateValidator` (5.0), a `validator_class_name`.
    SpiffeCertificateValidator,
    /// `AllowAllAuthorizer` (the default `authorizer`).
    AllowAllAuthorizer,
    /// `CassandraAuthorizer`.
    CassandraAuthorizer,
    /// `AllowAllNetworkAuthorizer` (the default `network_authorizer`).
    AllowAllNetworkAuthorizer,
    /// `CassandraNetworkAuthorizer`.
    CassandraNetworkAuthorizer,
    /// `AllowAllCIDRAuthorizer` (5.0; the default `cidr_authorizer`).
    AllowAllCidrAuthorizer,
    /// `CassandraCIDRAuthorizer` (5.0).
    CassandraCidrAuthorizer,
}

/// What Cassandra's class is, in one row per class ([`AuthClass::facts`]).
struct Facts {
    name: &'static str,
    key: AuthKey,
    since: CassandraVersion,
    /// `requireAuthentication` / `requireAuthorization`: every class of the package but the
    /// `AllowAll*` ones.
    requires: bool,
    login: CertificateLogin,
    default_of_key: bool,
    /// `instanceof PasswordAuthenticator` (AuthConfig.applyAuth's role-manager check).
    password: bool,
}

impl AuthClass {
    /// Every class this crate models.
    pub const ALL: &'static [AuthClass] = &[
        AuthClass::AllowAllAuthenticator,
        AuthClass::PasswordAuthenticator,
        AuthClass::MutualTlsAuthenticator,
        AuthClass::MutualTlsWithPasswordFallbackAuthenticator,
        AuthClass::AllowAllInternodeAuthenticator,
        AuthClass::MutualTlsInternodeAuthenticator,
        AuthClass::CassandraRoleManager,
        AuthClass::SpiffeCertificateValidator,
        AuthClass::AllowAllAuthorizer,
        AuthClass::CassandraAuthorizer,
        AuthClass::AllowAllNetworkAuthorizer,
        AuthClass::CassandraNetworkAuthorizer,
        AuthClass::AllowAllCidrAuthorizer,
        AuthClass::CassandraCidrAuthorizer,
    ];

    /// The one table (read from cassandra-all 4.0.19, 4.1.10, 5.0.9 and 6.0-alpha2).
    const fn facts(self) -> Facts {
        use CassandraVersion::{V4_0, V5_0};
        use CertificateLogin as L;
        let (name, key, since, requires, login, default_of_key, password) = match self {
            AuthClass::AllowAllAuthenticator => (
                "org.apache.cassandra.auth.AllowAllAuthenticator",
                AuthKey::Authenticator,
                V4_0,
                false,
                L::None,
                true,
                false,
            ),
            AuthClass::PasswordAuthenticator => (
                "org.apache.cassandra.auth.PasswordAuthenticator",
                AuthKey::Authenticator,
                V4_0,
                true,
                L::None,
                false,
                true,
            ),
            AuthClass::MutualTlsAuthenticator => (
                "org.apache.cassandra.auth.MutualTlsAuthenticator",
                AuthKey::Authenticator,
                V5_0,
                true,
                L::Required,
                false,
                false,
            ),
            AuthClass::MutualTlsWithPasswordFallbackAuthenticator => (
                "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator",
                AuthKey::Authenticator,
                V5_0,
                true,
                L::Fallback,
                false,
                true,
            ),
            AuthClass::AllowAllInternodeAuthenticator => (
                "org.apache.cassandra.auth.AllowAllInternodeAuthenticator",
                AuthKey::InternodeAuthenticator,
                V4_0,
                false,
                L::None,
                true,
                false,
            ),
            AuthClass::MutualTlsInternodeAuthenticator => (
                "org.apache.cassandra.auth.MutualTlsInternodeAuthenticator",
                AuthKey::InternodeAuthenticator,
                V5_0,
                true,
                L::None,
                false,
                false,
            ),
            AuthClass::CassandraRoleManager => (
                "org.apache.cassandra.auth.CassandraRoleManager",
                AuthKey::RoleManager,
                V4_0,
                true,
                L::None,
                true,
                false,
            ),
            AuthClass::SpiffeCertificateValidator => (
                "org.apache.cassandra.auth.SpiffeCertificateValidator",
                AuthKey::Validator,
                V5_0,
                true,
                L::None,
                false,
                false,
            ),
            AuthClass::AllowAllAuthorizer => (
                "org.apache.cassandra.auth.AllowAllAuthorizer",
                AuthKey::Authorizer,
                V4_0,
                false,
                L::None,
                true,
                false,
            ),
            AuthClass::CassandraAuthorizer => (
                "org.apache.cassandra.auth.CassandraAuthorizer",
                AuthKey::Authorizer,
                V4_0,
                true,
                L::None,
                false,
                false,
            ),
            AuthClass::AllowAllNetworkAuthorizer => (
                "org.apache.cassandra.auth.AllowAllNetworkAuthorizer",
                AuthKey::NetworkAuthorizer,
                V4_0,
                false,
                L::None,
                true,
                false,
            ),
            AuthClass::CassandraNetworkAuthorizer => (
                "org.apache.cassandra.auth.CassandraNetworkAuthorizer",
                AuthKey::NetworkAuthorizer,
                V4_0,
                true,
                L::None,
                false,
                false,
            ),
            AuthClass::AllowAllCidrAuthorizer => (
                "org.apache.cassandra.auth.AllowAllCIDRAuthorizer",
                AuthKey::CidrAuthorizer,
                V5_0,
                false,
                L::None,
                true,
                false,
            ),
            AuthClass::CassandraCidrAuthorizer => (
                "org.apache.cassandra.auth.CassandraCIDRAuthorizer",
                AuthKey::CidrAuthorizer,
                V5_0,
                true,
                L::None,
                false,
                false,
            ),
        };
        Facts {
            name,
            key,
            since,
            requires,
            login,
            default_of_key,
            password,
        }
    }

    /// The fully qualified Java class.
    pub const fn name(self) -> &'static str {
        self.facts().name
    }

    /// The name without the package (as Cassandra's own yamls write it).
    pub fn simple_name(self) -> &'static str {
        let name = self.name();
        &name[AUTH_PACKAGE.len() + 1..]
    }

    /// The key whose interface the class implements.
    pub const fn key(self) -> AuthKey {
        self.facts().key
    }

    /// The first release line that has the class.
    pub const fn since(self) -> CassandraVersion {
        self.facts().since
    }

    /// `IAuthenticator.requireAuthentication` of an authenticator, `requireAuthorization` of an
    /// authorizer: every class of the package but the `AllowAll*` ones.
    pub const fn requires_authentication(self) -> bool {
        self.facts().requires
    }

    /// How the class (an `authenticator`) logs clients in; [`CertificateLogin::None`] for
    /// every other class.
    pub const fn certificate_login(self) -> CertificateLogin {
        self.facts().login
    }

    /// Whether the class is a `PasswordAuthenticator` (it or a subclass), which needs
    /// `CassandraRoleManager` (AuthConfig.applyAuth).
    pub const fn is_password_authenticator(self) -> bool {
        self.facts().password
    }

    /// The class a fully qualified name names, in any version.
    pub fn from_name(name: &str) -> Option<AuthClass> {
        AuthClass::ALL.iter().copied().find(|c| c.name() == name)
    }
}

impl std::fmt::Display for AuthClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A class name as Cassandra resolves it for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolvedClass {
    /// A class of `org.apache.cassandra.auth` this crate models.
    Known(AuthClass),
    /// A class outside `org.apache.cassandra.auth`: a plugin this crate cannot load or check.
    Custom(String),
}

impl ResolvedClass {
    /// The full class name.
    pub fn name(&self) -> &str {
        match self {
            ResolvedClass::Known(c) => c.name(),
            ResolvedClass::Custom(n) => n,
        }
    }

    /// The name without `org.apache.cassandra.auth.` (a plugin's as written).
    pub fn simple_name(&self) -> &str {
        match self {
            ResolvedClass::Known(c) => c.simple_name(),
            ResolvedClass::Custom(n) => n,
        }
    }

    /// The modelled class (`None` for a plugin).
    pub fn known(&self) -> Option<AuthClass> {
        match self {
            ResolvedClass::Known(c) => Some(*c),
            ResolvedClass::Custom(_) => None,
        }
    }

    /// Whether the class requires authentication ([`AuthClass::requires_authentication`]);
    /// `None` for a plugin, whose answer only its code knows.
    pub fn requires_auth(&self) -> Option<bool> {
        self.known().map(AuthClass::requires_authentication)
    }

    /// How the class logs clients in ([`CertificateLogin::None`] for a plugin, which is not
    /// modelled).
    pub fn certificate_login(&self) -> CertificateLogin {
        self.known()
            .map_or(CertificateLogin::None, AuthClass::certificate_login)
    }
}

impl std::fmt::Display for ResolvedClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Serialised as the full class name.
impl Serialize for ResolvedClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Why Cassandra refuses a class name for a key ([`resolve_class`]); `Display` is Cassandra's
/// message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClassRefusal {
    /// A class of the package that implements another key's interface.
    WrongInterface {
        /// The class.
        class: AuthClass,
        /// The key it was given for.
        key: AuthKey,
        /// The version that refuses it (the message changed in 5.0).
        version: CassandraVersion,
    },
    /// No class of that name (in that version).
    NotFound {
        /// The name as written.
        written: String,
        /// The name 4.x looks up (a short name in the package).
        full: String,
        /// The key it was given for.
        key: AuthKey,
        /// The version that looks it up.
        version: CassandraVersion,
    },
}

impl std::fmt::Display for ClassRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // 5.0: ParameterizedClass.newInstance; 4.x: FBUtilities.construct.
            ClassRefusal::WrongInterface {
                class,
                key,
                version,
            } if *version >= CassandraVersion::V5_0 => write!(
                f,
                "Invalid parameterized class {class}: must extend or implement {}",
                key.interface()
            ),
            ClassRefusal::WrongInterface { class, key, .. } => {
                write!(f, "{class} is not an {}", key.interface())
            }
            ClassRefusal::NotFound {
                written, version, ..
            } if *version >= CassandraVersion::V5_0 => write!(
                f,
                "Unable to find class {written} in packages [\"\",\"{AUTH_PACKAGE}\"]"
            ),
            ClassRefusal::NotFound { full, key, .. } => {
                write!(f, "Unable to find {} class '{full}'", key.legacy_label())
            }
        }
    }
}

impl std::error::Error for ClassRefusal {}

/// Resolves `name` for `key` as `version` does, or says why Cassandra refuses it.
pub fn resolve_class(
    version: CassandraVersion,
    key: AuthKey,
    name: &str,
) -> Result<ResolvedClass, ClassRefusal> {
    // 4.x (FBUtilities.newAuthenticator & co.): a name without a dot is in the auth package.
    // 5.0 (ParameterizedClass.newInstance): as written, then in the auth package.
    let full = if name.starts_with(&format!("{AUTH_PACKAGE}.")) {
        name.to_owned()
    } else if !name.contains('.') {
        format!("{AUTH_PACKAGE}.{name}")
    } else {
        return Ok(ResolvedClass::Custom(name.to_owned()));
    };
    match AuthClass::from_name(&full).filter(|c| c.since() <= version) {
        Some(class) if class.key() == key => Ok(ResolvedClass::Known(class)),
        Some(class) => Err(ClassRefusal::WrongInterface {
            class,
            key,
            version,
        }),
        None => Err(ClassRefusal::NotFound {
            written: name.to_owned(),
            full,
            key,
            version,
        }),
    }
}

/// `trusted_peer_identities` as `MutualTlsInternodeAuthenticator` splits it: Java's
/// `String.split(",")`, no trimming, trailing empty strings dropped.
pub fn split_identities(value: &str) -> Vec<String> {
    let mut parts: Vec<String> = value.split(',').map(str::to_owned).collect();
    while parts.len() > 1 && parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    if parts.len() == 1 && parts[0].is_empty() && !value.is_empty() {
        parts.clear();
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_as_cassandra_looks_them_up() {
        use CassandraVersion::*;
        let r = |v, k, n| resolve_class(v, k, n);
        assert_eq!(
            r(V5_0, AuthKey::Authenticator, "MutualTlsAuthenticator")
                .unwrap()
                .name(),
            "org.apache.cassandra.auth.MutualTlsAuthenticator"
        );
        assert!(r(V4_1, AuthKey::Authenticator, "MutualTlsAuthenticator").is_err());
        assert!(
            r(
                V5_0,
                AuthKey::Authenticator,
                "MutualTlsInternodeAuthenticator"
            )
            .unwrap_err()
            .to_string()
            .contains("must extend or implement")
        );
        assert_eq!(
            r(V5_0, AuthKey::Authenticator, "com.example.Ldap").unwrap(),
            ResolvedClass::Custom("com.example.Ldap".into())
        );
    }

    /// `AuthConfig.applyAuth`'s defaults (cassandra-all 4.0.19 to 6.0-alpha2, read with javap:
    /// `authInstantiate(conf.KEY, DEFAULT.class)`), and each class's key.
    #[test]
    fn each_key_has_cassandras_default() {
        for (key, default) in [
            (AuthKey::Authenticator, "AllowAllAuthenticator"),
            (
                AuthKey::InternodeAuthenticator,
                "AllowAllInternodeAuthenticator",
            ),
            (AuthKey::RoleManager, "CassandraRoleManager"),
            (AuthKey::Authorizer, "AllowAllAuthorizer"),
            (AuthKey::NetworkAuthorizer, "AllowAllNetworkAuthorizer"),
            (AuthKey::CidrAuthorizer, "AllowAllCIDRAuthorizer"),
        ] {
            let class = key.default_class().unwrap();
            assert_eq!(class.simple_name(), default);
            assert_eq!(class.key(), key);
            assert_eq!(AuthClass::from_name(class.name()), Some(class));
        }
        assert_eq!(AuthKey::Validator.default_class(), None);
        // Only the AllowAll classes let everyone in.
        for class in AuthClass::ALL {
            if matches!(
                class.key(),
                AuthKey::Authenticator
                    | AuthKey::Authorizer
                    | AuthKey::NetworkAuthorizer
                    | AuthKey::CidrAuthorizer
            ) {
                assert_eq!(
                    class.requires_authentication(),
                    !class.simple_name().starts_with("AllowAll"),
                    "{class}"
                );
            }
        }
    }

    #[test]
    fn identities_split_as_java_splits() {
        assert_eq!(split_identities("a, b"), vec!["a", " b"]);
        assert_eq!(split_identities("a,b,,"), vec!["a", "b"]);
        assert_eq!(split_identities("a,,b"), vec!["a", "", "b"]);
        assert_eq!(split_identities(""), vec![""]);
    }
}
