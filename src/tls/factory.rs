//! Key and trust material for one section, loaded as Cassandra's factories load it:
//! `DefaultSslContextFactory` (files) and `PEMBasedSslContextFactory` (files or inline PEM).

use std::path::Path;

use super::cache::{self, StoreCache};
use crate::error::{Error, Origin, Result};
use crate::keystore::{Certificate, KeyStore, StoreType};
use crate::options::{
    InlinePem, JavaStoreType, KeyUse, ResolvedSection, SectionSources, StoreFile, StoreSource,
};
use crate::password::Password;

/// What a key store is loaded from beyond its section's sources.
pub(crate) struct KeyLoad<'a> {
    pub section: &'a ResolvedSection,
    pub key: KeyUse,
    /// A separate key password given by the caller (not a cassandra.yaml option).
    pub key_password: Option<&'a Password>,
    /// Bytes handed in by the caller in place of the file (hot reload's install).
    pub bytes: Option<&'a [u8]>,
    /// The node's loads so far, when files are read once per node.
    pub cache: Option<&'a StoreCache>,
}

/// What bytes handed in for a section's store are called in errors.
pub(crate) fn installed(section: &str, what: &str) -> Origin {
    Origin::Bytes(format!("<{section} {what} handed in>"))
}

fn config(origin: &Origin, section: &str, key: &str, message: impl Into<String>) -> Error {
    Error::config(origin, Some(section), Some(key), message)
}

/// The section's sources as the factory's constructor left them: its refusal, if any.
pub(crate) fn constructed<'a>(
    origin: &Origin,
    section: &'a ResolvedSection,
) -> Result<&'a SectionSources> {
    let sources = section.sources();
    sources
        .construction()
        .map_err(|r| r.error(origin, section.section.as_str()))?;
    Ok(sources)
}

/// Where inline PEM is said to come from in errors.
fn inline_origin(section: &str, pem: &InlinePem) -> Origin {
    Origin::Bytes(format!(
        "{section}.ssl_context_factory.parameters.{}",
        pem.parameter
    ))
}

/// The loader of a PEM key, unlocked with `password` when one is given and not empty.
fn pem_key_loader(password: Option<&Password>) -> crate::keystore::Loader {
    let loader = KeyStore::loader().store_type(Some(StoreType::Pem));
    match password.filter(|p| !p.is_empty()) {
        Some(p) => loader.key_password(p.clone()),
        None => loader,
    }
}

/// Loads a key store of a section from its source. `None` when the source is a file that does
/// not exist (and no bytes are handed in), which only clients may accept.
pub(crate) fn load_keystore(origin: &Origin, load: &KeyLoad<'_>) -> Result<Option<KeyStore>> {
    let name = load.section.section.as_str();
    let source = constructed(origin, load.section)?
        .key(load.key)
        .map_err(|r| r.error(origin, name))?;
    let file = match source {
        StoreSource::Inline(pem) => {
            let loader = pem_key_loader(pem.password.as_ref().or(load.key_password));
            return match load.bytes {
                Some(bytes) => loader.load_from(bytes, installed(name, "keystore")),
                None => loader.load_from(pem.pem.as_bytes(), inline_origin(name, pem)),
            }
            .map(Some);
        }
        StoreSource::File(file) => file,
    };
    if load.bytes.is_none() && !file.path.exists() {
        return Ok(None);
    }
    let java = file.store_type.clone().map_err(|r| r.error(origin, name))?;
    let loader = if java == JavaStoreType::Pem {
        pem_key_loader(file.password.as_ref().or(load.key_password))
    } else {
        let Some(password) = &file.password else {
            let key = file.password_option;
            return Err(config(
                origin,
                name,
                key,
                format!("'{key}' must be specified"),
            ));
        };
        // Cassandra unlocks keys with the store password: one password for both, unless the
        // caller names a separate key password.
        KeyStore::loader()
            .store_type(Some(java.store_type()))
            .store_password(password.clone())
            .key_password_opt(load.key_password.cloned())
    };
    match load.bytes {
        Some(bytes) => loader.load_from(bytes, installed(name, "keystore")),
        None => cache::load_file(load.cache, &loader, &file.path),
    }
    .map(Some)
}

/// Refuses a key store its source's JDK key store type cannot read (see
/// [`check_store_type`]; and CaseExactJKS with a PKCS#12 file, which the loader's type warning
/// cannot tell).
pub(crate) fn check_key_store_type(
    origin: &Origin,
    section: &ResolvedSection,
    key: KeyUse,
    store: &KeyStore,
) -> Result<()> {
    let name = section.section.as_str();
    check_store_type(origin, name, store)?;
    match section.sources().key(key).ok().and_then(StoreSource::file) {
        Some(StoreFile {
            store_type: Ok(java),
            ..
        }) => check_java_type(origin, name, *java, store),
        _ => Ok(()),
    }
}

/// Refuses a store the JDK key store type `java` cannot read (CaseExactJKS and a PKCS#12
/// file: the type check the loader's warning cannot make, see [`JavaStoreType::reads`]).
fn check_java_type(
    origin: &Origin,
    section: &str,
    java: JavaStoreType,
    store: &KeyStore,
) -> Result<()> {
    let detected = store.store_type();
    match java.reads(detected) {
        true => Ok(()),
        false => {
            let configured = match java {
                JavaStoreType::CaseExactJks => "CaseExactJKS".to_owned(),
                other => other.store_type().to_string(),
            };
            Err(unreadable(origin, section, store, &configured))
        }
    }
}

/// The error for a store file the configured JDK key store type cannot read.
fn unreadable(origin: &Origin, section: &str, store: &KeyStore, configured: &str) -> Error {
    let detected = store.store_type();
    config(
        origin,
        section,
        "store_type",
        format!(
            "{} is a {detected} file, which Java's {configured} key store cannot read (Invalid keystore format); set store_type: {}",
            store.origin(),
            detected.name().to_ascii_uppercase()
        ),
    )
}

/// Refuses a store whose configured `store_type` names a JDK key store type that cannot read
/// it (see [`StoreType::java_reads`]): Cassandra would not start with it.
pub(crate) fn check_store_type(origin: &Origin, section: &str, store: &KeyStore) -> Result<()> {
    match store.java_type_mismatch() {
        Some((configured, _)) => Err(unreadable(origin, section, store, &configured.to_string())),
        None => Ok(()),
    }
}

/// Loads a section's trust anchors (Java's rule: trusted entries plus key-entry leaves), from
/// bytes handed in when given.
pub(crate) fn load_trust_anchors(
    origin: &Origin,
    base: &Path,
    section: &ResolvedSection,
    bytes: Option<&[u8]>,
    cache: Option<&StoreCache>,
) -> Result<Vec<Certificate>> {
    let name = section.section.as_str();
    let pem = section.is_pem();
    let store = match (constructed(origin, section)?.trust(), bytes) {
        (_, Some(bytes)) => trust_loader(origin, name, section.sources().trust(), pem)?
            .load_from(bytes, installed(name, "truststore"))?,
        (StoreSource::Inline(inline), None) => KeyStore::loader()
            .skip_key_decryption(true)
            .load_from(inline.pem.as_bytes(), inline_origin(name, inline))?,
        (StoreSource::File(file), None) => {
            if !file.path.exists() {
                let message = if pem {
                    "Must provide truststore or trusted_certificates in configuration for PEMBasedSSlContextFactory".to_owned()
                } else {
                    format!(
                        "{} does not exist: failed to build trust manager store for secure connections{}",
                        file.path.display(),
                        crate::options::relative_note(base, &file.given)
                    )
                };
                return Err(config(origin, name, "truststore", message));
            }
            let loader = trust_loader(origin, name, section.sources().trust(), pem)?;
            cache::load_file(cache, &loader, &file.path)?
        }
    };
    check_store_type(origin, name, &store)?;
    // The JDK type's own check, for the file and for bytes handed in in its place (a reload's
    // install), as Cassandra's reload reads the new file with the same type.
    if let (
        false,
        StoreSource::File(StoreFile {
            store_type: Ok(java),
            ..
        }),
    ) = (pem, section.sources().trust())
    {
        check_java_type(origin, name, *java, &store)?;
    }
    let anchors = store.trust_anchors();
    if anchors.is_empty() {
        return Err(config(
            origin,
            name,
            "truststore",
            "the truststore holds no certificate to trust",
        ));
    }
    Ok(anchors)
}

/// How a truststore is read: PEM for the PEM factory (which reads no password), else as its
/// source's `store_type` with its password.
fn trust_loader(
    origin: &Origin,
    section: &str,
    source: &StoreSource,
    pem: bool,
) -> Result<crate::keystore::Loader> {
    let loader = KeyStore::loader().skip_key_decryption(true);
    match source.file() {
        Some(file) if !pem => {
            let store_type = file
                .store_type
                .clone()
                .map_err(|r| r.error(origin, section))?;
            Ok(loader
                .store_type(Some(store_type.store_type()))
                .store_password_opt(file.password.clone()))
        }
        _ => Ok(loader),
    }
}
