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

    /// The class used when the key is absent.
    pub const fn default_class(self) -> &'static str {
        match self {
            AuthKey::Authenticator => "org.apache.cassandra.auth.AllowAllAuthenticator",
            AuthKey::InternodeAuthenticator => {
                "org.apache.cassandra.auth.AllowAllInternodeAuthenticator"
            }
            AuthKey::RoleManager => "org.apache.cassandra.auth.CassandraRoleManager",
            AuthKey::Validator => "",
            AuthKey::Authorizer => "org.apache.cassandra.auth.AllowAllAuthorizer",
            AuthKey::NetworkAuthorizer => "org.apache.cassandra.auth.AllowAllNetworkAuthorizer",
            AuthKey::CidrAuthorizer => "org.apache.cassandra.auth.AllowAllCIDRAuthorizer",
        }
    }
}

/// Whether a known class requires authentication (`IAuthenticator.requireAuthentication`) or
/// authorization (`requireAuthorization` of the authorizers): every class of the package does
/// but the `AllowAll*` ones. `None` for a plugin, whose answer only its code knows.
pub fn requires_auth(class: &ResolvedClass) -> Option<bool> {
    match class {
        ResolvedClass::Known(n) => Some(!n.starts_with("org.apache.cassandra.auth.AllowAll")),
        ResolvedClass::Custom(_) => None,
    }
}

/// The classes of `org.apache.cassandra.auth` this crate knows, with the key whose interface
/// each implements and the first version that has it.
const KNOWN: &[(&str, AuthKey, CassandraVersion)] = &[
    (
        "org.apache.cassandra.auth.AllowAllAuthenticator",
        AuthKey::Authenticator,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.PasswordAuthenticator",
        AuthKey::Authenticator,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.MutualTlsAuthenticator",
        AuthKey::Authenticator,
        CassandraVersion::V5_0,
    ),
    (
        "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator",
        AuthKey::Authenticator,
        CassandraVersion::V5_0,
    ),
    (
        "org.apache.cassandra.auth.AllowAllInternodeAuthenticator",
        AuthKey::InternodeAuthenticator,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.MutualTlsInternodeAuthenticator",
        AuthKey::InternodeAuthenticator,
        CassandraVersion::V5_0,
    ),
    (
        "org.apache.cassandra.auth.CassandraRoleManager",
        AuthKey::RoleManager,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.SpiffeCertificateValidator",
        AuthKey::Validator,
        CassandraVersion::V5_0,
    ),
    (
        "org.apache.cassandra.auth.AllowAllAuthorizer",
        AuthKey::Authorizer,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.CassandraAuthorizer",
        AuthKey::Authorizer,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.AllowAllNetworkAuthorizer",
        AuthKey::NetworkAuthorizer,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.CassandraNetworkAuthorizer",
        AuthKey::NetworkAuthorizer,
        CassandraVersion::V4_0,
    ),
    (
        "org.apache.cassandra.auth.AllowAllCIDRAuthorizer",
        AuthKey::CidrAuthorizer,
        CassandraVersion::V5_0,
    ),
    (
        "org.apache.cassandra.auth.CassandraCIDRAuthorizer",
        AuthKey::CidrAuthorizer,
        CassandraVersion::V5_0,
    ),
];

/// A class name as Cassandra resolves it for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ResolvedClass {
    /// A class of `org.apache.cassandra.auth` this crate models (its full name).
    Known(&'static str),
    /// A class outside `org.apache.cassandra.auth`: a plugin this crate cannot load or check.
    Custom(String),
}

impl ResolvedClass {
    /// The full class name.
    pub fn name(&self) -> &str {
        match self {
            ResolvedClass::Known(n) => n,
            ResolvedClass::Custom(n) => n,
        }
    }
}

/// Resolves `name` for `key` as `version` does, or says why Cassandra refuses it.
pub fn resolve_class(
    version: CassandraVersion,
    key: AuthKey,
    name: &str,
) -> Result<ResolvedClass, String> {
    // 4.x (FBUtilities.newAuthenticator & co.): a name without a dot is in the auth package.
    // 5.0 (ParameterizedClass.newInstance): as written, then in the auth package.
    let full = if name.starts_with(&format!("{AUTH_PACKAGE}.")) {
        name.to_owned()
    } else if !name.contains('.') {
        format!("{AUTH_PACKAGE}.{name}")
    } else {
        return Ok(ResolvedClass::Custom(name.to_owned()));
    };
    let found = KNOWN
        .iter()
        .find(|(n, _, since)| *n == full && *since <= version);
    match found {
        Some((n, k, _)) if *k == key => Ok(ResolvedClass::Known(n)),
        Some((n, _, _)) => Err(if version >= CassandraVersion::V5_0 {
            format!(
                "Invalid parameterized class {n}: must extend or implement {}",
                key.interface()
            )
        } else {
            format!("{n} is not an {}", key.interface())
        }),
        None if version >= CassandraVersion::V5_0 => Err(format!(
            "Unable to find class {name} in packages [\"\",\"{AUTH_PACKAGE}\"]"
        )),
        None => Err(format!(
            "Unable to find {} class '{full}'",
            match key {
                AuthKey::RoleManager => "role manager",
                AuthKey::InternodeAuthenticator => "internode authenticator",
                AuthKey::Authorizer => "authorizer",
                AuthKey::NetworkAuthorizer => "network authorizer",
                AuthKey::CidrAuthorizer => "CIDR authorizer",
                _ => "authenticator",
            }
        )),
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
            .contains("must extend or implement")
        );
        assert_eq!(
            r(V5_0, AuthKey::Authenticator, "com.example.Ldap").unwrap(),
            ResolvedClass::Custom("com.example.Ldap".into())
        );
    }

    #[test]
    fn identities_split_as_java_splits() {
        assert_eq!(split_identities("a, b"), vec!["a", " b"]);
        assert_eq!(split_identities("a,b,,"), vec!["a", "b"]);
        assert_eq!(split_identities("a,,b"), vec!["a", "", "b"]);
        assert_eq!(split_identities(""), vec![""]);
    }
}
