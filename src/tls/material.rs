//! A role's key store and trust anchors, loaded by its section's factory rules ([`factory`]),
//! and the checked material a config is assembled from.

use super::cache::StoreCache;
use super::factory::{self, KeyLoad};
use super::plan::{Plan, rustls_error};
use super::{Role, TlsSettings, TlsWarning, resolve, verify};
use crate::error::{Error, Origin, Result};
use crate::keystore::{self, KeyStore};
use crate::options::{ClientAuth, KeyUse, ResolvedNode};

/// What a role's material is read from: the resolved node, and the loads kept for it (none
/// for hot reload, which reads the files each time).
#[derive(Clone, Copy)]
pub(crate) struct Stores<'a> {
    pub(crate) resolved: &'a ResolvedNode,
    pub(crate) cache: Option<&'a StoreCache>,
}

pub(crate) fn store_warnings(store: &KeyStore, warnings: &mut Vec<TlsWarning>) {
    for w in store.warnings() {
        warnings.push(TlsWarning::Store {
            origin: store.origin().clone(),
            warning: w.clone(),
        });
    }
}

/// The key store a role serves from, loaded by the section's factory rules, from bytes handed
/// in when given (instead of the file or inline PEM).
pub(crate) fn key_store_from(
    node: Stores<'_>,
    role: Role,
    settings: &TlsSettings,
    bytes: Option<&[u8]>,
) -> Result<Option<KeyStore>> {
    factory::load_keystore(
        node.resolved.origin(),
        &KeyLoad {
            section: role.options(node.resolved),
            key: key_use(role),
            key_password: settings.key_password.as_ref(),
            bytes,
            cache: node.cache,
        },
    )
}

/// The key a role presents: the internode client's is the outbound one.
fn key_use(role: Role) -> KeyUse {
    match role {
        Role::InternodeClient => KeyUse::Outbound,
        _ => KeyUse::Inbound,
    }
}

/// [`key_store_from`], refusing a `store_type` the JDK could not read the file with.
pub(crate) fn checked_key_store(
    node: Stores<'_>,
    role: Role,
    settings: &TlsSettings,
    bytes: Option<&[u8]>,
) -> Result<Option<KeyStore>> {
    let store = key_store_from(node, role, settings, bytes)?;
    if let Some(store) = &store {
        let section = role.options(node.resolved);
        factory::check_key_store_type(node.resolved.origin(), section, key_use(role), store)?;
    }
    Ok(store)
}

/// The trust anchors of a role's section, from bytes handed in when given.
pub(crate) fn trust_anchors_from(
    node: Stores<'_>,
    role: Role,
    bytes: Option<&[u8]>,
) -> Result<Vec<keystore::Certificate>> {
    let resolved = node.resolved;
    factory::load_trust_anchors(
        resolved.origin(),
        resolved.base_dir(),
        role.options(resolved),
        bytes,
        node.cache,
    )
}

/// A server role's key and trust material, validated: what a reload replaces.
pub(crate) struct ServerMaterial {
    /// The keys to present.
    pub(crate) keys: resolve::KeyChoice,
    /// The check of client certificates, when they are asked for.
    pub(crate) verifier: Option<verify::ClientVerifier>,
    pub(crate) warnings: Vec<TlsWarning>,
}

/// A client role's key and trust material, validated: what a reload replaces.
pub(crate) struct ClientMaterial {
    /// The keys to present, when the client has a key store.
    pub(crate) keys: Option<resolve::KeyChoice>,
    /// The check of the server's certificate (absent only for a driver's `CERT_NONE`).
    pub(crate) verifier: Option<verify::ServerVerifier>,
    pub(crate) warnings: Vec<TlsWarning>,
}

/// Key store and truststore bytes handed in by the caller in place of the section's files.
#[derive(Clone, Copy, Default)]
pub(crate) struct Installed<'a> {
    pub(crate) keystore: Option<&'a [u8]>,
    pub(crate) truststore: Option<&'a [u8]>,
}

/// Loads and validates a server role's material by the section's rules (files or inline PEM,
/// or the bytes `installed` in their place). The key store first, as Cassandra builds it.
pub(crate) fn load_server_material(
    node: Stores<'_>,
    plan: &Plan,
    settings: &TlsSettings,
    installed: Installed<'_>,
) -> Result<ServerMaterial> {
    let Some(store) = checked_key_store(node, plan.role, settings, installed.keystore)? else {
        return Err(missing_key_store(node.resolved, plan.role));
    };
    let anchors = if plan.client_auth != ClientAuth::NotRequired {
        Some(trust_anchors_from(node, plan.role, installed.truststore)?)
    } else {
        None
    };
    build_server_material(
        node.resolved.origin(),
        plan,
        settings,
        &store,
        anchors.as_deref(),
    )
}

/// The error for a server role without key material: Cassandra's message, the path as
/// resolved, and where a relative path was resolved from.
pub(crate) fn missing_key_store(resolved: &ResolvedNode, role: Role) -> Error {
    let section = role.options(resolved);
    let key = match (role, section.is_pem()) {
        (Role::InternodeClient, _) => "outbound_keystore",
        (_, true) => "private_key",
        (_, false) => "keystore",
    };
    let file = section
        .sources()
        .key(key_use(role))
        .ok()
        .and_then(|s| s.file());
    let (given, path) = match file {
        Some(f) => (f.given.as_str(), f.path.clone()),
        None => (
            section.options.keystore_path(),
            resolved.path(section.options.keystore_path()),
        ),
    };
    Error::config(
        resolved.origin(),
        Some(role.section()),
        Some(key),
        format!(
            "{} does not exist: failed to build key manager store for secure connections{}",
            path.display(),
            crate::options::relative_note(resolved.base_dir(), given)
        ),
    )
}

/// Loads and validates a client role's material (the truststore first, as Cassandra does).
pub(crate) fn load_client_material(
    node: Stores<'_>,
    plan: &Plan,
    settings: &TlsSettings,
    installed: Installed<'_>,
) -> Result<ClientMaterial> {
    let anchors = trust_anchors_from(node, plan.role, installed.truststore)?;
    let store = checked_key_store(node, plan.role, settings, installed.keystore)?;
    if store.is_none() && plan.role == Role::InternodeClient {
        // Every inbound internode context requires a client certificate.
        return Err(Error::config(
            node.resolved.origin(),
            Some(plan.section),
            Some("outbound_keystore"),
            "no key store for the internode client: peers require a client certificate",
        ));
    }
    build_client_material(
        node.resolved.origin(),
        plan,
        settings,
        store.as_ref(),
        Some(&anchors),
    )
}

fn key_choice(
    plan: &Plan,
    settings: &TlsSettings,
    store: &KeyStore,
    warnings: &mut Vec<TlsWarning>,
) -> Result<resolve::KeyChoice> {
    store_warnings(store, warnings);
    resolve::KeyChoice::new(
        store,
        &plan.provider,
        settings.key_alias.as_deref(),
        warnings,
    )
}

/// Validates a server's material from a key store and trust anchors already loaded.
pub(crate) fn build_server_material(
    origin: &Origin,
    plan: &Plan,
    settings: &TlsSettings,
    store: &KeyStore,
    anchors: Option<&[keystore::Certificate]>,
) -> Result<ServerMaterial> {
    let mut warnings = Vec::new();
    let keys = key_choice(plan, settings, store, &mut warnings)?;
    let verifier = match anchors {
        Some(anchors) => Some(
            verify::ClientVerifier::new(
                anchors,
                plan.provider.clone(),
                plan.client_auth == ClientAuth::Required,
                settings.expired_peer,
            )
            .map_err(|e| rustls_error(origin, plan.section, e))?,
        ),
        None => None,
    };
    Ok(ServerMaterial {
        keys,
        verifier,
        warnings,
    })
}

/// Validates a client's material from a key store and trust anchors already loaded.
pub(crate) fn build_client_material(
    origin: &Origin,
    plan: &Plan,
    settings: &TlsSettings,
    store: Option<&KeyStore>,
    anchors: Option<&[keystore::Certificate]>,
) -> Result<ClientMaterial> {
    let mut warnings = Vec::new();
    let keys = match store {
        Some(store) => Some(key_choice(plan, settings, store, &mut warnings)?),
        None => None,
    };
    let verifier = match anchors {
        Some(anchors) => Some(
            verify::ServerVerifier::new(
                anchors,
                plan.provider.clone(),
                plan.require_endpoint_verification,
                settings.expired_peer,
            )
            .map_err(|e| rustls_error(origin, plan.section, e))?,
        ),
        None => None,
    };
    Ok(ClientMaterial {
        keys,
        verifier,
        warnings,
    })
}
