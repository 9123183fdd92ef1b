//! What a node's authenticators make of its configuration at start-up
//! (`AuthConfig.applyAuth`, after the SSL contexts): the classes, the certificate validators,
//! the client-auth and internode prerequisites of the mTLS authenticators, and the identities
//! `MutualTlsInternodeAuthenticator` trusts. The rules are in [`crate::options`]'s `auth`
//! module documentation; the outbound key store is read here, with the same loader as every
//! other store, and its identities extracted with [`CertificateValidator`].

mod setup;

pub use setup::{AuthNote, AuthRefusal, AuthSetup, IdentitySource, PeerRefusal, ValidatorClass};

use super::cache;
use super::node::Node;
use super::validator::{CertificateValidator, CertificateValidityPeriod};
use crate::error::{Error, Result};
use crate::keystore::KeyStore;
use crate::options::{
    AuthClass, AuthKey, AuthOptions, CassandraVersion, CertificateLogin, ClientAuth,
    InternodeEncryption, ResolvedClass, ResolvedNode, resolve_class, split_identities,
};
use crate::password::Password;

/// The identities [`outbound_identities`] extracts, and why some entries (or the store) gave
/// none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutboundIdentities {
    /// One identity per key entry that has one, in the store's order.
    pub identities: Vec<String>,
    /// What was skipped, and why.
    pub notes: Vec<AuthNote>,
}

/// Where the mTLS authenticators check their prerequisites (client auth, internode
/// encryption): the one place `applyAuth`'s order depends on the version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prerequisites {
    /// 5.0: in their constructors, as each is made.
    InConstructors,
    /// 6.0: in `validateConfiguration`, once every class is made (authenticator first).
    InValidateConfiguration,
}

impl Prerequisites {
    fn of(version: CassandraVersion) -> Self {
        if version >= CassandraVersion::V6_0 {
            Prerequisites::InValidateConfiguration
        } else {
            Prerequisites::InConstructors
        }
    }
}

/// How AuthConfig's messages print a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Written {
    /// `conf.authenticator.class_name`.
    ClassName,
    /// The `ParameterizedClass` itself (5.0: `class_name{parameters}` in the mapping form).
    Parameterized,
}

/// A key as AuthConfig's messages print it: 4.x's string as written; from 5.0 the
/// `ParameterizedClass` (`class_name`, then its parameters as Java prints a map) or its
/// `class_name`. An absent key is Cassandra's default for it (where 5.0 itself would fail on
/// the missing value, the default's name reads better).
fn written(auth: &AuthOptions, key: AuthKey, version: CassandraVersion, form: Written) -> String {
    let Some(pc) = auth.class(key) else {
        return key
            .default_class()
            .map_or("null", AuthClass::simple_name)
            .to_owned();
    };
    let name = pc.class_name.clone().unwrap_or_else(|| "null".to_owned());
    if version < CassandraVersion::V5_0
        || form == Written::ClassName
        || !pc.mapping_form
        || pc.parameters.is_empty()
    {
        return name;
    }
    let params: Vec<String> = pc
        .parameters
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("{name}{{{}}}", params.join(", "))
}

/// A note for a plugin class (outside `org.apache.cassandra.auth`), which is not checked.
fn plugin_note(notes: &mut Vec<AuthNote>, key: AuthKey, class: &ResolvedClass) {
    if let ResolvedClass::Custom(c) = class {
        notes.push(AuthNote::Plugin {
            key,
            class: c.clone(),
        });
    }
}

/// A key's class as Cassandra makes it (its default when absent).
fn class_of(node: &ResolvedNode, key: AuthKey) -> std::result::Result<ResolvedClass, AuthRefusal> {
    let pc = node.yaml().auth_options().class(key);
    match pc.and_then(|p| p.class_name.as_deref()) {
        None if pc.is_some_and(|p| p.mapping_form) => Err(AuthRefusal::ClassNameNotSet(key)),
        None => Ok(ResolvedClass::Known(
            key.default_class()
                .expect("every key but the validator has a default"),
        )),
        Some(name) => {
            resolve_class(node.yaml().version(), key, name.trim_end()).map_err(|refusal| {
                let simple = name.rsplit('.').next().unwrap_or(name);
                let swapped = match key {
                    AuthKey::Authenticator => simple == "MutualTlsInternodeAuthenticator",
                    AuthKey::InternodeAuthenticator => {
                        simple.starts_with("MutualTlsAuthenticator")
                            || simple.starts_with("MutualTlsWithPassword")
                    }
                    _ => false,
                };
                AuthRefusal::Instantiate {
                    key,
                    refusal,
                    swapped,
                }
            })
        }
    }
}

/// The validator of an mTLS authenticator (`validator_class_name`), as its constructor makes it.
fn validator(
    node: &ResolvedNode,
    key: AuthKey,
) -> std::result::Result<ValidatorClass, AuthRefusal> {
    let pc = node.yaml().auth_options().class(key);
    let name = pc
        .and_then(|p| p.parameter("validator_class_name"))
        .unwrap_or("");
    if name.is_empty() {
        return Err(AuthRefusal::ValidatorNotSet(key));
    }
    resolve_class(node.yaml().version(), AuthKey::Validator, name)
        .map(ValidatorClass::new)
        .map_err(|refusal| AuthRefusal::Validator { key, refusal })
}

/// The client-auth prerequisite of the mTLS authenticators (`login` is theirs).
fn client_prerequisite(
    node: &ResolvedNode,
    login: CertificateLogin,
) -> std::result::Result<(), AuthRefusal> {
    let client = node.client();
    // 5.0's fallback makes a MutualTlsAuthenticator in its constructor, with its check; 6.0's
    // has a validateConfiguration of its own, which lets `optional` through.
    if login == CertificateLogin::Fallback
        && Prerequisites::of(node.yaml().version()) == Prerequisites::InValidateConfiguration
    {
        if client.options.require_client_auth == ClientAuth::NotRequired {
            return Err(AuthRefusal::ClientCertificateNotAsked);
        }
        return Ok(());
    }
    if !client.enabled || client.options.require_client_auth != ClientAuth::Required {
        return Err(AuthRefusal::ClientCertificateRequired);
    }
    Ok(())
}

/// The internode prerequisite of `MutualTlsInternodeAuthenticator`.
fn internode_prerequisite(node: &ResolvedNode) -> std::result::Result<(), AuthRefusal> {
    let server = node.server_options();
    if server.internode_encryption == InternodeEncryption::None
        || server.common.require_client_auth != ClientAuth::Required
    {
        return Err(AuthRefusal::InternodeCertificateRequired);
    }
    Ok(())
}

/// `authenticator` as its constructor makes it.
struct Authenticator {
    class: ResolvedClass,
    validator: Option<ValidatorClass>,
    login: CertificateLogin,
}

fn authenticator(
    node: &ResolvedNode,
    when: Prerequisites,
) -> std::result::Result<Authenticator, AuthRefusal> {
    let class = class_of(node, AuthKey::Authenticator)?;
    let login = class.certificate_login();
    let mut validator_class = None;
    if login != CertificateLogin::None {
        validator_class = Some(validator(node, AuthKey::Authenticator)?);
        if when == Prerequisites::InConstructors {
            client_prerequisite(node, login)?;
        }
    }
    Ok(Authenticator {
        class,
        validator: validator_class,
        login,
    })
}

/// An authorizer key's class (`authorizer`, `network_authorizer`, `cidr_authorizer`): refused
/// when it requires authorization and the authenticator does not authenticate.
fn authorizer(
    node: &ResolvedNode,
    key: AuthKey,
    authenticator: &ResolvedClass,
) -> std::result::Result<ResolvedClass, AuthRefusal> {
    let class = class_of(node, key)?;
    if authenticator.requires_auth() == Some(false) && class.requires_auth() == Some(true) {
        let auth = node.yaml().auth_options();
        let version = node.yaml().version();
        // applyAuth prints the authenticator's class_name, but the ParameterizedClass beside
        // the CIDR authorizer.
        let form = if key == AuthKey::CidrAuthorizer {
            Written::Parameterized
        } else {
            Written::ClassName
        };
        return Err(AuthRefusal::Unauthenticated {
            key,
            authorizer: written(auth, key, version, Written::Parameterized),
            authenticator: written(auth, AuthKey::Authenticator, version, form),
        });
    }
    Ok(class)
}

/// `role_manager`; a `PasswordAuthenticator` (or a subclass, such as the mTLS password
/// fallback) needs `CassandraRoleManager`.
fn role_manager(
    node: &ResolvedNode,
    authenticator: &ResolvedClass,
) -> std::result::Result<ResolvedClass, AuthRefusal> {
    let class = class_of(node, AuthKey::RoleManager)?;
    if let Some(password) = authenticator
        .known()
        .filter(|c| c.is_password_authenticator())
        && class.known() != Some(AuthClass::CassandraRoleManager)
    {
        return Err(AuthRefusal::RoleManager(password));
    }
    Ok(class)
}

/// The identities `MutualTlsInternodeAuthenticator` trusts, and where they come from.
struct TrustedPeers {
    identities: Vec<String>,
    from: IdentitySource,
}

/// `internode_authenticator` as its constructor makes it.
struct Internode {
    class: ResolvedClass,
    validator: Option<ValidatorClass>,
    trusted: Option<TrustedPeers>,
}

fn internode(
    tls_node: &Node,
    when: Prerequisites,
    notes: &mut Vec<AuthNote>,
) -> std::result::Result<Internode, AuthRefusal> {
    let node = tls_node.resolved();
    let class = class_of(node, AuthKey::InternodeAuthenticator)?;
    if class.known() != Some(AuthClass::MutualTlsInternodeAuthenticator) {
        plugin_note(notes, AuthKey::InternodeAuthenticator, &class);
        return Ok(Internode {
            class,
            validator: None,
            trusted: None,
        });
    }
    let validator_class = validator(node, AuthKey::InternodeAuthenticator)?;
    if when == Prerequisites::InConstructors {
        internode_prerequisite(node)?;
    }
    let trusted = trusted_peers(tls_node, &validator_class, notes)?;
    Ok(Internode {
        class,
        validator: Some(validator_class),
        trusted: Some(trusted),
    })
}

/// `MutualTlsInternodeAuthenticator`'s trusted identities: `trusted_peer_identities`, else
/// the outbound key store's (narrowed to `node_identity` when set); none stops the node.
fn trusted_peers(
    tls_node: &Node,
    validator_class: &ValidatorClass,
    notes: &mut Vec<AuthNote>,
) -> std::result::Result<TrustedPeers, AuthRefusal> {
    let node = tls_node.resolved();
    let pc = node
        .yaml()
        .auth_options()
        .class(AuthKey::InternodeAuthenticator);
    let mut why = Vec::new();
    let trusted = if let Some(list) = pc.and_then(|p| p.parameter("trusted_peer_identities")) {
        let ids = split_identities(list);
        if ids.iter().any(|i| i.trim() != i) {
            why.push(AuthNote::UntrimmedIdentities(ids.clone()));
        }
        TrustedPeers {
            identities: ids,
            from: IdentitySource::TrustedPeerIdentities,
        }
    } else {
        let extracted = match validator_class.modelled() {
            Some(v) => outbound_identities(tls_node, v),
            None => OutboundIdentities {
                identities: Vec::new(),
                notes: vec![AuthNote::ValidatorNotModelled],
            },
        };
        why.extend(extracted.notes);
        match pc.and_then(|p| p.parameter("node_identity")) {
            Some(own) if !extracted.identities.iter().any(|i| i == own) => {
                return Err(AuthRefusal::NodeIdentityNotFound);
            }
            Some(own) => TrustedPeers {
                identities: vec![own.to_owned()],
                from: IdentitySource::NodeIdentity,
            },
            None => TrustedPeers {
                identities: extracted.identities,
                from: IdentitySource::OutboundKeystore,
            },
        }
    };
    if trusted.identities.is_empty() {
        return Err(AuthRefusal::NoIdentity {
            outbound_keystore: node.server_options().outbound_keystore.clone(),
            notes: why,
        });
    }
    notes.extend(why);
    Ok(trusted)
}

/// What `getIdentitiesFromKeyStore` extracts from `outbound_keystore` (the raw keys:
/// `outbound_keystore`, `outbound_keystore_password`, `store_type`; no fallback to the inbound
/// key store): the identity of every key entry's chain, entries without one skipped; a store
/// that cannot be read gives none.
pub fn outbound_identities(tls_node: &Node, validator: CertificateValidator) -> OutboundIdentities {
    let node = tls_node.resolved();
    let server = node.server_options();
    let mut notes = Vec::new();
    let Some(path) = server.outbound_keystore.as_deref() else {
        return OutboundIdentities::default();
    };
    let Some(password) = server.outbound_keystore_password.as_ref() else {
        notes.push(AuthNote::OutboundPasswordMissing {
            path: path.to_owned(),
        });
        return OutboundIdentities {
            identities: Vec::new(),
            notes,
        };
    };
    let full = crate::options::resolve_path(node.base_dir(), path);
    // Through the node's store cache: the same file read for the SSL contexts is not read again.
    let loaded = crate::options::java_store_type(server.common.store_type.as_deref())
        .map_err(|refusal| refusal.to_string())
        .and_then(|store_type| {
            let loader = KeyStore::loader()
                .store_type(Some(store_type.store_type()))
                .store_password(Password::clone(password))
                .skip_key_decryption(true);
            cache::load_file(tls_node.stores().cache, &loader, &full).map_err(|e| e.to_string())
        });
    let store = match loaded {
        Ok(s) => s,
        Err(error) => {
            notes.push(AuthNote::OutboundUnreadable {
                path: path.to_owned(),
                error,
            });
            return OutboundIdentities {
                identities: Vec::new(),
                notes,
            };
        }
    };
    let mut identities = Vec::new();
    for entry in store.private_keys() {
        match validator.identity(entry.chain()) {
            Ok(who) => {
                notes.extend(who.warnings().into_iter().map(AuthNote::Identity));
                identities.push(who.identity().to_owned());
            }
            Err(error) => notes.push(AuthNote::EntryWithoutIdentity {
                alias: entry.alias().unwrap_or("?").to_owned(),
                error,
            }),
        }
    }
    OutboundIdentities { identities, notes }
}

/// `AuthConfig.applyAuth` on a resolved node: the authenticators as `version` makes them, or
/// the error that stops start-up.
pub fn check_authenticators(tls_node: &Node) -> Result<AuthSetup> {
    let node = tls_node.resolved();
    apply_auth(tls_node).map_err(|refusal| {
        Error::config(
            node.origin(),
            None,
            Some(refusal.key().as_str()),
            refusal.to_string(),
        )
    })
}

/// [`check_authenticators`] with its refusal typed.
pub fn apply_auth(tls_node: &Node) -> std::result::Result<AuthSetup, AuthRefusal> {
    let node = tls_node.resolved();
    let version = node.yaml().version();
    let when = Prerequisites::of(version);
    let mut notes = Vec::new();
    // The constructors and the checks between them, in applyAuth's order.
    let authn = authenticator(node, when)?;
    plugin_note(&mut notes, AuthKey::Authenticator, &authn.class);
    let authz = authorizer(node, AuthKey::Authorizer, &authn.class)?;
    plugin_note(&mut notes, AuthKey::Authorizer, &authz);
    let role_manager = role_manager(node, &authn.class)?;
    let inter = internode(tls_node, when, &mut notes)?;
    let network = authorizer(node, AuthKey::NetworkAuthorizer, &authn.class)?;
    plugin_note(&mut notes, AuthKey::NetworkAuthorizer, &network);
    let cidr = if version >= AuthClass::AllowAllCidrAuthorizer.since() {
        let cidr = authorizer(node, AuthKey::CidrAuthorizer, &authn.class)?;
        plugin_note(&mut notes, AuthKey::CidrAuthorizer, &cidr);
        Some(cidr)
    } else {
        None
    };
    // validateConfiguration: the authenticator's, then the internode authenticator's.
    if when == Prerequisites::InValidateConfiguration {
        if authn.login != CertificateLogin::None {
            client_prerequisite(node, authn.login)?;
        }
        if inter.class.known() == Some(AuthClass::MutualTlsInternodeAuthenticator) {
            internode_prerequisite(node)?;
        }
    }
    // 6.0: the validity limits the mTLS authenticators apply once an identity is mapped.
    let limits = |common: &crate::options::EncryptionOptions| {
        CertificateValidityPeriod::new(
            common.max_certificate_validity_period,
            common.certificate_validity_warn_threshold,
        )
    };
    let six = version >= CassandraVersion::V6_0;
    let internode_certificate_validity =
        (six && inter.trusted.is_some()).then(|| limits(&node.server_options().common));
    let (trusted_peer_identities, trusted_identities_from) = match inter.trusted {
        Some(t) => (Some(t.identities), Some(t.from)),
        None => (None, None),
    };
    Ok(AuthSetup {
        client_certificate_validity: (six && authn.login != CertificateLogin::None)
            .then(|| limits(&node.client().options)),
        internode_certificate_validity,
        authenticator: authn.class,
        authenticator_validator: authn.validator,
        client_certificate_login: authn.login,
        internode_authenticator: inter.class,
        internode_validator: inter.validator,
        trusted_peer_identities,
        trusted_identities_from,
        role_manager,
        authorizer: authz,
        network_authorizer: network,
        cidr_authorizer: cidr,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An absent key prints as the class `AuthConfig.applyAuth` makes in its place
    /// (`authInstantiate(conf.authorizer, AllowAllAuthorizer.class)` & co., cassandra-all
    /// 5.0.9 read with javap), not as the authenticator's default.
    #[test]
    fn an_absent_key_is_written_as_its_own_default() {
        let none = AuthOptions::default();
        for (key, expected) in [
            (AuthKey::Authenticator, "AllowAllAuthenticator"),
            (AuthKey::Authorizer, "AllowAllAuthorizer"),
            (AuthKey::NetworkAuthorizer, "AllowAllNetworkAuthorizer"),
            (AuthKey::CidrAuthorizer, "AllowAllCIDRAuthorizer"),
            (AuthKey::RoleManager, "CassandraRoleManager"),
        ] {
            for form in [Written::ClassName, Written::Parameterized] {
                assert_eq!(
                    written(&none, key, CassandraVersion::V5_0, form),
                    expected,
                    "{key:?}"
                );
            }
        }
    }
}
