//! Key and trust material for one section, loaded as Cassandra's factories load it:
//! `DefaultSslContextFactory` (files) and `PEMBasedSslContextFactory` (files or inline PEM).

use std::path::Path;

use super::cache::{self, StoreCache};
use crate::error::{Error, Origin, Result};
use crate::keystore::{Certificate, KeyStore, StoreType};
use crate::options::{EncryptionOptions, SslContextFactoryKind};
use crate::password::Password;

/// Which key store of a section: the inbound one (`keystore`) or the internode client's
/// (`outbound_keystore`, falling back to `keystore`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {
    Inbound,
    Outbound,
}

/// Where a section's key store comes from, after the factory's rules.
pub(crate) struct KeySource<'a> {
    pub section: &'static str,
    pub opts: &'a EncryptionOptions,
    /// The key store path (already chosen between `keystore` and `outbound_keystore`).
    pub path: &'a str,
    /// The store password (already chosen between `keystore_password` and the outbound one).
    pub password: Option<&'a Password>,
    /// A separate key password given by the caller (not a cassandra.yaml option).
    pub key_password: Option<&'a Password>,
    pub which: Which,
    /// Bytes handed in by the caller in place of the file (hot reload's install).
    pub bytes: Option<&'a [u8]>,
    /// The node's loads so far, when files are read once per node.
    pub cache: Option<&'a StoreCache>,
}

/// The origin of key-store or truststore bytes handed in by the caller.
/// What bytes handed in for a section's store are called in errors.
pub(crate) fn installed(section: &str, what: &str) -> Origin {
    Origin::Bytes(format!("<{section} {what} handed in>"))
}

fn config(origin: &Origin, section: &str, key: &str, message: impl Into<String>) -> Error {
    Error::config(origin, Some(section), Some(key), message)
}

/// A store password as 6.0's `FileBasedStoreContext.resolvePassword` gives it (read from
/// cassandra-all 6.0-alpha2's classes): the inline password when one is given (even `""`); else
/// the password file's first line (`""` for an empty file) when a file is named; else none. A
/// named file that does not exist stops start-up; it is not read when a password is given.
fn resolve_password(
    origin: &Origin,
    section: &str,
    key: &str,
    base: &Path,
    password: Option<&Password>,
    file: Option<&str>,
) -> Result<Option<Password>> {
    if let Some(p) = password {
        return Ok(Some(p.clone()));
    }
    let Some(file) = file.filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let path = crate::options::resolve_path(base, file);
    if !path.exists() {
        return Err(config(
            origin,
            section,
            key,
            format!("keystore password file {} does not exist", path.display()),
        ));
    }
    Password::from_file_first_line(&path)
        .map(Some)
        .map_err(|e| {
            config(
                origin,
                section,
                key,
                format!(
                    "Failed to read keystore password from the {} for {section}: {e}",
                    path.display()
                ),
            )
        })
}

/// The store password of the inbound key store (`keystore_password`, else the first line of
/// `keystore_password_file`) or, with `trust`, of the truststore (`truststore_password`,
/// `truststore_password_file`).
pub(crate) fn store_password(
    origin: &Origin,
    section: &'static str,
    opts: &EncryptionOptions,
    base: &Path,
    trust: bool,
) -> Result<Option<Password>> {
    let (key, password, file) = if trust {
        (
            "truststore_password_file",
            opts.truststore_password.as_ref(),
            opts.truststore_password_file.as_deref(),
        )
    } else {
        (
            "keystore_password_file",
            opts.keystore_password.as_ref(),
            opts.keystore_password_file.as_deref(),
        )
    };
    resolve_password(origin, section, key, base, password, file)
}

/// The outbound key store's password as 6.0's FileBasedSslContextFactory gives it (read from
/// cassandra-all 6.0-alpha2's classes): `outbound_keystore_password`, else the inbound key
/// store's resolved password; only when neither is there, the first line of
/// `outbound_keystore_password_file`, else of `keystore_password_file`. Up to 5.0 there are no
/// password files and this is `outbound_keystore_password`, else `keystore_password`.
pub(crate) fn outbound_password(
    origin: &Origin,
    server: &crate::options::ServerEncryptionOptions,
    base: &Path,
    inbound: Option<Password>,
) -> Result<Option<Password>> {
    let password = server.outbound_keystore_password.clone().or(inbound);
    let file = server
        .outbound_keystore_password_file
        .as_deref()
        .or(server.common.keystore_password_file.as_deref());
    resolve_password(
        origin,
        crate::options::Section::Server.as_str(),
        "outbound_keystore_password_file",
        base,
        password.as_ref(),
        file,
    )
}

/// Loads the key store of a section. `None` when the section has no key material at all (the
/// key store file does not exist and nothing is inline), which only clients may accept.
pub(crate) fn load_keystore(
    origin: &Origin,
    base: &Path,
    src: &KeySource<'_>,
) -> Result<Option<KeyStore>> {
    let factory = &src.opts.ssl_context_factory;
    let path = crate::options::resolve_path(base, src.path);
    match factory.kind() {
        SslContextFactoryKind::Pem => {
            let (inline_key, inline_password) = match src.which {
                Which::Inbound => ("private_key", "private_key_password"),
                Which::Outbound => ("outbound_private_key", "outbound_private_key_password"),
            };
            let inline = factory
                .parameter(inline_key)
                .or_else(|| {
                    (src.which == Which::Outbound)
                        .then(|| factory.parameter("private_key"))
                        .flatten()
                })
                .filter(|k| !k.trim().is_empty());
            let key_password = factory
                .parameter(inline_password)
                .or_else(|| {
                    (src.which == Which::Outbound)
                        .then(|| factory.parameter("private_key_password"))
                        .flatten()
                })
                .map(Password::new);
            // PEMBasedSslContextFactory: the two passwords must agree when both are given.
            let password = match (key_password, src.password) {
                (Some(k), Some(s)) if !s.is_empty() && !k.is_empty() && k != *s => {
                    return Err(config(
                        origin,
                        src.section,
                        inline_password,
                        "'keystore_password' and 'key_password' both configurations are given and the values do not match",
                    ));
                }
                (Some(k), _) => Some(k),
                (None, s) => src.key_password.or(s).cloned(),
            };
            let loader = KeyStore::loader().store_type(Some(StoreType::Pem));
            let loader = match password.filter(|p| !p.is_empty()) {
                Some(p) => loader.key_password(p),
                None => loader,
            };
            if let Some(bytes) = src.bytes {
                return loader
                    .load_from(bytes, installed(src.section, "keystore"))
                    .map(Some);
            }
            match (inline, path.exists()) {
                (Some(_), true) => Err(config(
                    origin,
                    src.section,
                    inline_key,
                    "Configuration must specify value for either keystore or private_key, not both for PEMBasedSSlContextFactory",
                )),
                (Some(pem), false) => loader
                    .load_from(
                        pem.as_bytes(),
                        Origin::Bytes(format!(
                            "{}.ssl_context_factory.parameters.{inline_key}",
                            src.section
                        )),
                    )
                    .map(Some),
                (None, true) => cache::load_file(src.cache, &loader, &path).map(Some),
                (None, false) => Ok(None),
            }
        }
        _ => {
            if !path.exists() && src.bytes.is_none() {
                return Ok(None);
            }
            let store_type = src.opts.store_type.as_deref().map(|t| {
                StoreType::from_name(t).ok_or_else(|| {
                    config(
                        origin,
                        src.section,
                        "store_type",
                        format!("unknown store type '{t}' (JKS, JCEKS, PKCS12, PEM)"),
                    )
                })
            });
            let store_type = store_type.transpose()?.or(Some(StoreType::Jks));
            let Some(password) = src.password else {
                let key = if src.which == Which::Outbound {
                    "outbound_keystore_password"
                } else {
                    "keystore_password"
                };
                return Err(config(
                    origin,
                    src.section,
                    key,
                    format!("'{key}' must be specified"),
                ));
            };
            // Cassandra unlocks keys with the store password: one password for both, unless the
            // caller names a separate key password.
            let loader = KeyStore::loader()
                .store_type(store_type)
                .store_password(password.clone())
                .key_password_opt(src.key_password.cloned());
            match src.bytes {
                Some(bytes) => loader.load_from(bytes, installed(src.section, "keystore")),
                None => cache::load_file(src.cache, &loader, &path),
            }
            .map(Some)
        }
    }
}

/// Refuses a store whose configured `store_type` names a JDK key store type that cannot read
/// it (see [`StoreType::java_reads`]): Cassandra would not start with it.
pub(crate) fn check_store_type(origin: &Origin, section: &str, store: &KeyStore) -> Result<()> {
    match store.java_type_mismatch() {
        Some((configured, detected)) => Err(config(
            origin,
            section,
            "store_type",
            format!(
                "{} is a {detected} file, which Java's {configured} key store cannot read (Invalid keystore format); set store_type: {}",
                store.origin(),
                detected.name().to_ascii_uppercase()
            ),
        )),
        None => Ok(()),
    }
}

/// How a key-store truststore is read: the section's `store_type` (JKS by default) and
/// `truststore_password` (from 4.1, none when empty: Java then loads it without its integrity
/// check; 4.0 passes even an empty password to `KeyStore.load`).
fn trust_loader(
    origin: &Origin,
    base: &Path,
    section: &'static str,
    opts: &EncryptionOptions,
    empty_is_password: bool,
) -> Result<crate::keystore::Loader> {
    let password = store_password(origin, section, opts, base, true)?
        .filter(|p| empty_is_password || !p.is_empty());
    let store_type = opts
        .store_type
        .as_deref()
        .and_then(StoreType::from_name)
        .or(Some(StoreType::Jks));
    Ok(KeyStore::loader()
        .store_type(store_type)
        .store_password_opt(password)
        .skip_key_decryption(true))
}

/// Loads a section's trust anchors (Java's rule: trusted entries plus key-entry leaves).
pub(crate) fn load_trust_anchors(
    origin: &Origin,
    base: &Path,
    section: &'static str,
    opts: &EncryptionOptions,
    bytes: Option<&[u8]>,
    empty_is_password: bool,
    cache: Option<&StoreCache>,
) -> Result<Vec<Certificate>> {
    let factory = &opts.ssl_context_factory;
    let path = crate::options::resolve_path(base, opts.truststore_path());
    let store = match (factory.kind(), bytes) {
        (SslContextFactoryKind::Pem, Some(bytes)) => {
            KeyStore::loader()
                .skip_key_decryption(true)
                .load_from(bytes, installed(section, "truststore"))?
        }
        (_, Some(bytes)) => trust_loader(origin, base, section, opts, empty_is_password)?
            .load_from(bytes, installed(section, "truststore"))?,
        (kind, None) => match kind {
            SslContextFactoryKind::Pem => {
                let inline = factory
                    .parameter("trusted_certificates")
                    .filter(|t| !t.trim().is_empty());
                match (inline, path.exists()) {
                    (Some(_), true) => {
                        return Err(config(
                            origin,
                            section,
                            "trusted_certificates",
                            "Configuration must specify value for either truststore or trusted_certificates, not both for PEMBasedSSlContextFactory",
                        ));
                    }
                    (Some(pem), false) => KeyStore::loader().skip_key_decryption(true).load_from(
                        pem.as_bytes(),
                        Origin::Bytes(format!(
                            "{section}.ssl_context_factory.parameters.trusted_certificates"
                        )),
                    )?,
                    (None, true) => cache::load_file(
                        cache,
                        &KeyStore::loader().skip_key_decryption(true),
                        &path,
                    )?,
                    (None, false) => {
                        return Err(config(
                            origin,
                            section,
                            "truststore",
                            "Must provide truststore or trusted_certificates in configuration for PEMBasedSSlContextFactory",
                        ));
                    }
                }
            }
            _ => {
                if !path.exists() {
                    return Err(config(
                        origin,
                        section,
                        "truststore",
                        format!(
                            "{} does not exist: failed to build trust manager store for secure connections{}",
                            path.display(),
                            crate::options::relative_note(base, opts.truststore_path())
                        ),
                    ));
                }
                let loader = trust_loader(origin, base, section, opts, empty_is_password)?;
                cache::load_file(cache, &loader, &path)?
            }
        },
    };
    check_store_type(origin, section, &store)?;
    let anchors = store.trust_anchors();
    if anchors.is_empty() {
        return Err(config(
            origin,
            section,
            "truststore",
            "the truststore holds no certificate to trust",
        ));
    }
    Ok(anchors)
}
