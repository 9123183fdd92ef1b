//! What a node's authenticators make of its configuration at start-up
//! (`AuthConfig.applyAuth`, after the SSL contexts): the classes, the certificate validators,
//! the client-auth and internode prerequisites of the mTLS authenticators, and the identities
//! `MutualTlsInternodeAuthenticator` trusts. The rules are in [`crate::options`]'s `auth`
//! module documentation; the outbound key store is read here, with the same loader as every
//! other store, and its identities extracted with [`CertificateValidator`].

use serde::Serialize;

use super::cache;
use super::node::Node;
use super::validator::{
    CertificateValidator, CertificateValidityPeriod, IdentityError, ValidityPeriodExceeded,
};
use crate::error::{Error, Result};
use crate::keystore::{Certificate, KeyStore, StoreType};
use crate::options::{
    AuthKey, CassandraVersion, ClientAuth, InternodeEncryption, ParameterizedClass, ResolvedClass,
    ResolvedNode, requires_auth, resolve_class, split_identities,
};
use crate::password::Password;

const MTLS: &str = "org.apache.cassandra.auth.MutualTlsAuthenticator";
const MTLS_FALLBACK: &str = "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator";
const MTLS_INTERNODE: &str = "org.apache.cassandra.auth.MutualTlsInternodeAuthenticator";
const PASSWORD: &str = "org.apache.cassandra.auth.PasswordAuthenticator";
const ROLE_MANAGER: &str = "org.apache.cassandra.auth.CassandraRoleManager";

/// The authenticators a node starts with.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct AuthSetup {
    /// `authenticator`'s class.
    pub authenticator: String,
    /// Its certificate validator (the mTLS authenticators).
    pub authenticator_validator: Option<String>,
    /// Whether a client logs in by certificate.
    pub client_certificate_login: CertificateLogin,
    /// `internode_authenticator`'s class.
    pub internode_authenticator: String,
    /// Its certificate validator.
    pub internode_validator: Option<String>,
    /// The identities `MutualTlsInternodeAuthenticator` accepts from inbound peers.
    pub trusted_peer_identities: Option<Vec<String>>,
    /// Where they come from: `trusted_peer_identities`, `outbound_keystore`, or `node_identity`
    /// (the outbound key store's identities narrowed to it).
    pub trusted_identities_from: Option<&'static str>,
    /// `role_manager`'s class.
    pub role_manager: String,
    /// `authorizer`'s class.
    pub authorizer: String,
    /// `network_authorizer`'s class.
    pub network_authorizer: String,
    /// `cidr_authorizer`'s class (5.0 on; `None` before).
    pub cidr_authorizer: Option<String>,
    /// The certificate validity limits `authenticator` applies to clients after their identity
    /// is mapped (6.0's mTLS authenticators: `client_encryption_options`'
    /// `max_certificate_validity_period` and `certificate_validity_warn_threshold`).
    pub client_certificate_validity: Option<CertificateValidityPeriod>,
    /// The limits `MutualTlsInternodeAuthenticator` applies to inbound peers after their
    /// identity is trusted (6.0: `server_encryption_options`' options).
    pub internode_certificate_validity: Option<CertificateValidityPeriod>,
    /// What is worth knowing and does not stop the node (never a password).
    pub notes: Vec<String>,
}

/// Why `MutualTlsInternodeAuthenticator` refuses an inbound peer's certificate
/// ([`AuthSetup::authenticate_peer`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerRefusal {
    /// The validator extracts no identity from the chain.
    NoIdentity(IdentityError),
    /// The identity is not among the trusted ones (Cassandra logs "Unable to authenticate user
    /// IDENTITY").
    Untrusted(String),
    /// 6.0: the leaf is valid for longer than `server_encryption_options`'
    /// `max_certificate_validity_period`.
    ValidityPeriod {
        /// The peer's identity (trusted).
        identity: String,
        /// Cassandra's refusal.
        exceeded: ValidityPeriodExceeded,
    },
}

impl AuthSetup {
    /// `MutualTlsInternodeAuthenticator.authenticate` for an inbound connection with `chain`
    /// (leaf first) at `at`: the identity, its trust, then (6.0) the validity period, in
    /// Cassandra's order. `None` when the node has no `MutualTlsInternodeAuthenticator` with a
    /// validator modelled here.
    pub fn authenticate_peer(
        &self,
        chain: &[Certificate],
        at: rustls::pki_types::UnixTime,
    ) -> Option<std::result::Result<String, PeerRefusal>> {
        let validator =
            CertificateValidator::from_class_name(self.internode_validator.as_deref()?)?;
        let trusted = self.trusted_peer_identities.as_ref()?;
        let checked = (|| {
            let who = validator.identity(chain).map_err(PeerRefusal::NoIdentity)?;
            let identity = who.identity().to_owned();
            if !trusted.contains(&identity) {
                return Err(PeerRefusal::Untrusted(identity));
            }
            if let Some(Err(exceeded)) = self
                .internode_certificate_validity
                .map(|v| v.validate(chain, at))
            {
                return Err(PeerRefusal::ValidityPeriod { identity, exceeded });
            }
            Ok(identity)
        })();
        Some(checked)
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

/// A key as AuthConfig's messages print it: 4.x's string as written; from 5.0 the
/// `ParameterizedClass` (`class_name`, then its parameters as Java prints a map) or, for the
/// authenticator's own name, its `class_name`. An absent key is Cassandra's default (where
/// 5.0 itself would fail on the missing value, the default's name reads better).
fn written(
    pc: Option<&ParameterizedClass>,
    version: CassandraVersion,
    with_parameters: bool,
) -> String {
    let Some(pc) = pc else {
        return "AllowAllAuthenticator".to_owned();
    };
    let name = pc.class_name.clone().unwrap_or_else(|| "null".to_owned());
    if version < CassandraVersion::V5_0
        || !with_parameters
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
fn plugin_note(notes: &mut Vec<String>, key: AuthKey, class: &ResolvedClass) {
    if let ResolvedClass::Custom(c) = class {
        notes.push(format!(
            "{} {c} is a plugin class: not checked here",
            key.as_str()
        ));
    }
}

/// An authorizer key's class (`authorizer`, `network_authorizer`, `cidr_authorizer`): refused
/// with `message` when it requires authorization and the authenticator does not authenticate.
fn authorizer_of(
    node: &ResolvedNode,
    key: AuthKey,
    authenticates: Option<bool>,
    notes: &mut Vec<String>,
    message: impl FnOnce() -> String,
) -> Result<ResolvedClass> {
    let class = class_of(node, key, node.yaml().auth_options().class(key))?;
    if authenticates == Some(false) && requires_auth(&class) == Some(true) {
        return Err(refuse(node, key, message()));
    }
    plugin_note(notes, key, &class);
    Ok(class)
}

/// A refusal: the key concerned and Cassandra's message.
fn refuse(node: &ResolvedNode, key: AuthKey, message: impl Into<String>) -> Error {
    Error::config(node.origin(), None, Some(key.as_str()), message)
}

fn class_of(
    node: &ResolvedNode,
    key: AuthKey,
    pc: Option<&ParameterizedClass>,
) -> Result<ResolvedClass> {
    let version = node.yaml().version();
    match pc.and_then(|p| p.class_name.as_deref()) {
        None if pc.is_some_and(|p| p.mapping_form) => Err(refuse(
            node,
            key,
            format!("{}.class_name is not set", key.as_str()),
        )),
        None => Ok(ResolvedClass::Known(key.default_class())),
        Some(name) => resolve_class(version, key, name.trim_end()).map_err(|m| {
            // The validator's own Javadoc swaps the two keys; yamls copied from it exist.
            let swapped = match (key, name.rsplit('.').next()) {
                (AuthKey::Authenticator, Some("MutualTlsInternodeAuthenticator")) => {
                    " (swapped? MutualTlsInternodeAuthenticator belongs to internode_authenticator, MutualTlsAuthenticator to authenticator)"
                }
                (AuthKey::InternodeAuthenticator, Some(n)) if n.starts_with("MutualTlsAuthenticator") || n.starts_with("MutualTlsWithPassword") => {
                    " (swapped? MutualTlsAuthenticator belongs to authenticator, MutualTlsInternodeAuthenticator to internode_authenticator)"
                }
                _ => "",
            };
            refuse(node, key, format!("Failed to instantiate {}: {m}{swapped}", key.as_str()))
        }),
    }
}

/// The validator of an mTLS authenticator (`validator_class_name`), as its constructor makes it.
fn validator(
    node: &ResolvedNode,
    key: AuthKey,
    pc: Option<&ParameterizedClass>,
) -> Result<(String, Option<CertificateValidator>)> {
    let name = pc
        .and_then(|p| p.parameter("validator_class_name"))
        .unwrap_or("");
    if name.is_empty() {
        return Err(refuse(
            node,
            key,
            format!(
                "{}.parameters.validator_class_name is not set",
                key.as_str()
            ),
        ));
    }
    let class = resolve_class(node.yaml().version(), AuthKey::Validator, name)
        .map_err(|m| refuse(node, key, m))?;
    let modelled = CertificateValidator::from_class_name(class.name());
    Ok((class.name().to_owned(), modelled))
}

/// The client-auth prerequisite of the mTLS authenticators.
fn client_prerequisite(node: &ResolvedNode, fallback: bool) -> Result<()> {
    let client = node.client();
    let version = node.yaml().version();
    if fallback && version >= CassandraVersion::V6_0 {
        if client.options.require_client_auth == ClientAuth::NotRequired {
            return Err(refuse(
                node,
                AuthKey::Authenticator,
                "MutualTlsWithPasswordFallbackAuthenticator requires client_encryption_options.require_client_auth to be optional/true",
            ));
        }
        return Ok(());
    }
    if !client.enabled || client.options.require_client_auth != ClientAuth::Required {
        return Err(refuse(
            node,
            AuthKey::Authenticator,
            "MutualTlsAuthenticator requires client_encryption_options.enabled to be true & client_encryption_options.require_client_auth to be true",
        ));
    }
    Ok(())
}

/// The internode prerequisite of `MutualTlsInternodeAuthenticator`.
fn internode_prerequisite(node: &ResolvedNode) -> Result<()> {
    let server = node.server_options();
    if server.internode_encryption == InternodeEncryption::None
        || server.common.require_client_auth != ClientAuth::Required
    {
        return Err(refuse(
            node,
            AuthKey::InternodeAuthenticator,
            "MutualTlsInternodeAuthenticator requires server_encryption_options.internode_encryption to be enabled & server_encryption_options.require_client_auth to be true",
        ));
    }
    Ok(())
}

/// What `getIdentitiesFromKeyStore` extracts from `outbound_keystore` (the raw keys:
/// `outbound_keystore`, `outbound_keystore_password`, `store_type`; no fallback to the inbound
/// key store): the identity of every key entry's chain, entries without one skipped; a store
/// that cannot be read gives none.
pub fn outbound_identities(
    tls_node: &Node,
    validator: CertificateValidator,
) -> (Vec<String>, Vec<String>) {
    let node = tls_node.resolved();
    let server = node.server_options();
    let mut notes = Vec::new();
    let Some(path) = server.outbound_keystore.as_deref() else {
        return (Vec::new(), notes);
    };
    let Some(password) = server.outbound_keystore_password.as_ref() else {
        notes.push(format!(
            "outbound_keystore {path} is read with outbound_keystore_password, which is not set"
        ));
        return (Vec::new(), notes);
    };
    let store_type = match server.common.store_type.as_deref() {
        None => Some(StoreType::Jks),
        Some(t) => StoreType::from_name(t),
    };
    let full = crate::options::resolve_path(node.base_dir(), path);
    // Through the node's store cache: the same file read for the SSL contexts is not read again.
    let loader = KeyStore::loader()
        .store_type(store_type)
        .store_password(Password::clone(password))
        .skip_key_decryption(true);
    let loaded = cache::load_file(tls_node.stores().cache, &loader, &full);
    let store = match loaded {
        Ok(s) => s,
        Err(e) => {
            notes.push(format!(
                "Failed to get identities from outbound_keystore {path}: {e}"
            ));
            return (Vec::new(), notes);
        }
    };
    let mut identities = Vec::new();
    for entry in store.private_keys() {
        match validator.identity(entry.chain()) {
            Ok(who) => {
                notes.extend(who.warnings());
                identities.push(who.identity().to_owned());
            }
            Err(e) => notes.push(format!(
                "outbound_keystore entry {}: {e}",
                entry.alias().unwrap_or("?")
            )),
        }
    }
    (identities, notes)
}

/// `AuthConfig.applyAuth` on a resolved node: the authenticators as `version` makes them, or
/// the error that stops start-up.
pub fn check_authenticators(tls_node: &Node) -> Result<AuthSetup> {
    let node = tls_node.resolved();
    let version = node.yaml().version();
    let auth = node.yaml().auth_options();
    let mut notes = Vec::new();
    // The authenticator and its constructor.
    let authenticator = class_of(node, AuthKey::Authenticator, auth.authenticator.as_ref())?;
    let name = authenticator.name().to_owned();
    let mtls = name == MTLS || name == MTLS_FALLBACK;
    let fallback = name == MTLS_FALLBACK;
    let mut authenticator_validator = None;
    if mtls {
        let (v, _) = validator(node, AuthKey::Authenticator, auth.authenticator.as_ref())?;
        authenticator_validator = Some(v);
        if version < CassandraVersion::V6_0 {
            client_prerequisite(node, fallback)?;
        }
    }
    plugin_note(&mut notes, AuthKey::Authenticator, &authenticator);
    // The authorizer: one that requires authorization needs an authenticator that
    // authenticates.
    let authenticates = requires_auth(&authenticator);
    let authorizer = authorizer_of(node, AuthKey::Authorizer, authenticates, &mut notes, || {
        format!(
            "{} can't be used with {}",
            written(auth.authenticator.as_ref(), version, false),
            written(auth.authorizer.as_ref(), version, true)
        )
    })?;
    // The role manager; PasswordAuthenticator needs Cassandra's.
    let role_manager = class_of(node, AuthKey::RoleManager, auth.role_manager.as_ref())?;
    if name == PASSWORD && role_manager.name() != ROLE_MANAGER {
        return Err(refuse(
            node,
            AuthKey::RoleManager,
            format!("{PASSWORD} requires {ROLE_MANAGER}"),
        ));
    }
    // The internode authenticator and its constructor.
    let internode = class_of(
        node,
        AuthKey::InternodeAuthenticator,
        auth.internode_authenticator.as_ref(),
    )?;
    let mut internode_validator = None;
    let mut trusted = None;
    let mut from = None;
    if internode.name() == MTLS_INTERNODE {
        let pc = auth.internode_authenticator.as_ref();
        let (v, modelled) = validator(node, AuthKey::InternodeAuthenticator, pc)?;
        internode_validator = Some(v);
        if version < CassandraVersion::V6_0 {
            internode_prerequisite(node)?;
        }
        let configured = pc.and_then(|p| p.parameter("trusted_peer_identities"));
        let identities = if let Some(list) = configured {
            from = Some("trusted_peer_identities");
            let ids = split_identities(list);
            if ids.iter().any(|i| i.trim() != i) {
                notes.push(format!(
                    "trusted_peer_identities is split on ',' without trimming: {ids:?} never match an identity with the spaces"
                ));
            }
            ids
        } else {
            from = Some("outbound_keystore");
            let (ids, why) = match modelled {
                Some(v) => outbound_identities(tls_node, v),
                None => (
                    Vec::new(),
                    vec!["the validator is not modelled here".to_owned()],
                ),
            };
            notes.extend(why);
            if let Some(own) = pc.and_then(|p| p.parameter("node_identity")) {
                if !ids.iter().any(|i| i == own) {
                    return Err(refuse(
                        node,
                        AuthKey::InternodeAuthenticator,
                        "Configured node identity is not matching identity extractedfrom the keystore",
                    ));
                }
                from = Some("node_identity");
                vec![own.to_owned()]
            } else {
                ids
            }
        };
        if identities.is_empty() {
            return Err(refuse(
                node,
                AuthKey::InternodeAuthenticator,
                format!(
                    "No identity was extracted from the outbound keystore '{}'{}",
                    node.server_options()
                        .outbound_keystore
                        .as_deref()
                        .unwrap_or("null"),
                    if notes.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", notes.join("; "))
                    }
                ),
            ));
        }
        trusted = Some(identities);
    } else {
        plugin_note(&mut notes, AuthKey::InternodeAuthenticator, &internode);
    }
    // The network authorizer and (5.0) the CIDR authorizer, on the same condition.
    let network = authorizer_of(
        node,
        AuthKey::NetworkAuthorizer,
        authenticates,
        &mut notes,
        || {
            format!(
                "{} can't be used with {}",
                written(auth.network_authorizer.as_ref(), version, true),
                written(auth.authenticator.as_ref(), version, false)
            )
        },
    )?;
    let cidr = if version >= CassandraVersion::V5_0 {
        let cidr = authorizer_of(
            node,
            AuthKey::CidrAuthorizer,
            authenticates,
            &mut notes,
            || {
                format!(
                    "{} can't be used with {}",
                    written(auth.cidr_authorizer.as_ref(), version, true),
                    written(auth.authenticator.as_ref(), version, true)
                )
            },
        )?;
        Some(cidr.name().to_owned())
    } else {
        None
    };
    // validateConfiguration, in AuthConfig's order (6.0 moved the prerequisites here).
    if version >= CassandraVersion::V6_0 {
        if mtls {
            client_prerequisite(node, fallback)?;
        }
        if internode.name() == MTLS_INTERNODE {
            internode_prerequisite(node)?;
        }
    }
    Ok(AuthSetup {
        authenticator: name,
        authenticator_validator,
        client_certificate_login: if fallback {
            CertificateLogin::Fallback
        } else if mtls {
            CertificateLogin::Required
        } else {
            CertificateLogin::None
        },
        internode_authenticator: internode.name().to_owned(),
        internode_validator,
        trusted_peer_identities: trusted,
        trusted_identities_from: from,
        role_manager: role_manager.name().to_owned(),
        authorizer: authorizer.name().to_owned(),
        network_authorizer: network.name().to_owned(),
        cidr_authorizer: cidr,
        client_certificate_validity: (mtls && version >= CassandraVersion::V6_0).then(|| {
            let c = &node.client().options;
            CertificateValidityPeriod::new(
                c.max_certificate_validity_period,
                c.certificate_validity_warn_threshold,
            )
        }),
        internode_certificate_validity: (internode.name() == MTLS_INTERNODE
            && version >= CassandraVersion::V6_0)
            .then(|| {
                let s = &node.server_options().common;
                CertificateValidityPeriod::new(
                    s.max_certificate_validity_period,
                    s.certificate_validity_warn_threshold,
                )
            }),
        notes,
    })
}
