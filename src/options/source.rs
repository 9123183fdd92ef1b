//! Where a section's keys and trusted certificates come from, resolved once as Cassandra's
//! factories resolve them: a store file or inline PEM, the JDK key store type `store_type` names,
//! the password after 6.0's password files and the PEM factory's fallbacks, and the refusals
//! Cassandra raises on the way. The configs (`tls`), `explain`, `doctor` and the reloader's
//! watched files all read this; none of them re-derives a source from the yaml.
//!
//! The rules, measured with cassandra-all's own classes (tests/key_sources.rs):
//! - `DefaultSslContextFactory` (and a custom class): the key from `keystore`, the internode
//!   client's from `outbound_keystore` (5.0+, else `keystore`), trust from `truststore`, all of
//!   `store_type` (JKS by default; a name the JDK has no `KeyStore` for is refused when the file
//!   is opened).
//! - `PEMBasedSslContextFactory` (4.1+): `store_type` is ignored. The key is the inline
//!   `private_key` when it is not empty (`StringUtils.isEmpty`: blanks count), else the `keystore`
//!   file; its password `private_key_password`, else the store password. From 5.0 the outbound
//!   key is inline when `outbound_private_key` (else `private_key`) is not empty, but its text is
//!   the inbound `private_key` (so `outbound_private_key` alone gives no key); else the
//!   `outbound_keystore` file. 4.1 reads no `outbound_*` parameter. The factory's constructor (the
//!   apply stage) refuses a key password that differs from a non-empty store password and a
//!   source given both inline and by an existing file.

use std::fmt;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::{
    CassandraVersion, EncryptionOptions, ServerEncryptionOptions, SslContextFactory,
    SslContextFactoryKind,
};
use crate::error::{Error, Origin};
use crate::keystore::StoreType;
use crate::password::Password;

/// Which key of a section: the server side's, or the internode client's (`outbound_keystore`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyUse {
    /// `keystore` / `private_key`.
    Inbound,
    /// `outbound_keystore` / `outbound_private_key` (server section, 5.0+; else the inbound key).
    Outbound,
}

/// A JDK key store type `store_type` can name (`KeyStore.getInstance`, names compared ignoring
/// case, not trimmed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JavaStoreType {
    /// `JKS` (Cassandra's default).
    Jks,
    /// `CaseExactJKS`: JKS with case-sensitive aliases.
    CaseExactJks,
    /// `JCEKS`.
    Jceks,
    /// `PKCS12`.
    Pkcs12,
    /// `DKS`: loaded from a stream, one store of the default type (PKCS12).
    Dks,
    /// `PEM`: not a JDK key store; what the PEM factory reads its files as.
    Pem,
}

impl JavaStoreType {
    /// The store format this crate's loader is told to expect.
    pub fn store_type(self) -> StoreType {
        match self {
            JavaStoreType::Jks | JavaStoreType::CaseExactJks => StoreType::Jks,
            JavaStoreType::Jceks => StoreType::Jceks,
            JavaStoreType::Pkcs12 | JavaStoreType::Dks => StoreType::Pkcs12,
            JavaStoreType::Pem => StoreType::Pem,
        }
    }

    /// Whether the JDK's key store of this type reads a file that is `file`: with the JDK's
    /// `keystore.type.compat`, JKS and PKCS12 read both formats and JCEKS reads JKS
    /// ([`StoreType::java_reads`]); `CaseExactJKS` reads JKS only.
    pub fn reads(self, file: StoreType) -> bool {
        match self {
            JavaStoreType::CaseExactJks => file == StoreType::Jks,
            other => other.store_type().java_reads(file),
        }
    }
}

/// The JDK key store type `store_type` names, as `KeyStore.getInstance` finds it: JKS when
/// unset. `PEM`, `P12` and any other name are refused: the JDK has no such `KeyStore`.
pub fn java_store_type(name: Option<&str>) -> Result<JavaStoreType, SourceRefusal> {
    let Some(name) = name else {
        return Ok(JavaStoreType::Jks);
    };
    match name.to_ascii_lowercase().as_str() {
        "jks" => Ok(JavaStoreType::Jks),
        "caseexactjks" => Ok(JavaStoreType::CaseExactJks),
        "jceks" => Ok(JavaStoreType::Jceks),
        "pkcs12" => Ok(JavaStoreType::Pkcs12),
        "dks" => Ok(JavaStoreType::Dks),
        _ => Err(SourceRefusal::UnknownStoreType {
            name: name.to_owned(),
        }),
    }
}

/// A PEM factory parameter that is given and not empty (`StringUtils.isEmpty`: a blank value is
/// a value).
pub(crate) fn pem_parameter<'a>(factory: &'a SslContextFactory, name: &str) -> Option<&'a str> {
    factory.parameter(name).filter(|v| !v.is_empty())
}

/// A store read from a file.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StoreFile {
    /// The option that names it: `keystore`, `outbound_keystore` or `truststore`.
    pub option: &'static str,
    /// The path as written (or Cassandra's default).
    pub given: String,
    /// The path resolved against the node's base directory.
    pub path: PathBuf,
    /// The type it is read as: the JDK type `store_type` names, or PEM for the PEM factory.
    pub store_type: Result<JavaStoreType, SourceRefusal>,
    /// The password it is read with, after the fallbacks and 6.0's password files.
    pub password: Option<Password>,
    /// The option a missing password is asked for by.
    pub password_option: &'static str,
}

/// PEM written in the yaml (`ssl_context_factory.parameters`).
#[derive(Clone)]
#[non_exhaustive]
pub struct InlinePem {
    /// The parameter the text was taken from.
    pub parameter: &'static str,
    /// The PEM text.
    pub pem: Zeroizing<String>,
    /// The key password, after the fallbacks.
    pub password: Option<Password>,
}

impl fmt::Debug for InlinePem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InlinePem")
            .field("parameter", &self.parameter)
            .field("pem", &"<redacted>")
            .field("password", &self.password)
            .finish()
    }
}

/// Where one store of a section comes from.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum StoreSource {
    /// A file (which may not exist: Cassandra looks when it builds the context).
    File(StoreFile),
    /// Inline PEM.
    Inline(InlinePem),
}

impl StoreSource {
    /// The file, when the store is read from one.
    pub fn file(&self) -> Option<&StoreFile> {
        match self {
            StoreSource::File(f) => Some(f),
            StoreSource::Inline(_) => None,
        }
    }
}

/// What Cassandra refuses about a section's sources. `Display` is Cassandra's message (or, for
/// a refusal the JDK words, what it means).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SourceRefusal {
    /// `store_type` names no JDK key store type (`KeyStoreException: NAME not found`).
    UnknownStoreType {
        /// The name as written.
        name: String,
    },
    /// A PEM source given both inline and by a file that exists.
    TwoSources {
        /// The file option (`keystore`, `outbound_keystore`, `truststore`).
        file: &'static str,
        /// The parameter (`private_key`, `outbound_private_key`, `trusted_certificates`).
        parameter: &'static str,
    },
    /// The PEM key password differs from a non-empty store password.
    PasswordMismatch {
        /// Which key.
        key: KeyUse,
    },
    /// 5.0+: the outbound key is inline by `outbound_private_key`, but its text is the inbound
    /// `private_key`, which is empty.
    NoInlineKey,
    /// 6.0: a password file named without an inline password does not exist.
    PasswordFileMissing {
        /// The option naming it.
        option: &'static str,
        /// The path resolved.
        path: PathBuf,
    },
    /// 6.0: a password file that exists but cannot be read.
    PasswordFileUnreadable {
        /// The option naming it.
        option: &'static str,
        /// The path resolved.
        path: PathBuf,
        /// The error.
        error: String,
    },
}

impl SourceRefusal {
    /// The option Cassandra's error is about.
    pub fn option(&self) -> &'static str {
        match self {
            SourceRefusal::UnknownStoreType { .. } => "store_type",
            SourceRefusal::TwoSources { parameter, .. } => parameter,
            SourceRefusal::PasswordMismatch {
                key: KeyUse::Inbound,
            } => "private_key_password",
            SourceRefusal::PasswordMismatch {
                key: KeyUse::Outbound,
            } => "outbound_private_key_password",
            SourceRefusal::NoInlineKey => "private_key",
            SourceRefusal::PasswordFileMissing { option, .. }
            | SourceRefusal::PasswordFileUnreadable { option, .. } => option,
        }
    }

    /// The refusal as the crate's error, said of `section` of the yaml at `origin`.
    pub fn error(&self, origin: &Origin, section: &str) -> Error {
        let message = match self {
            SourceRefusal::PasswordFileUnreadable { path, error, .. } => format!(
                "Failed to read keystore password from the {} for {section}: {error}",
                path.display()
            ),
            other => other.to_string(),
        };
        Error::config(origin, Some(section), Some(self.option()), message)
    }
}

impl fmt::Display for SourceRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceRefusal::UnknownStoreType { name } => write!(
                f,
                "{name} not found: the JDK has no key store of that type (JKS, JCEKS, PKCS12, CaseExactJKS, DKS)"
            ),
            SourceRefusal::TwoSources { file, parameter } => write!(
                f,
                "Configuration must specify value for either {file} or {parameter}, not both for PEMBasedSSlContextFactory"
            ),
            SourceRefusal::PasswordMismatch { key } => {
                let p = if *key == KeyUse::Outbound {
                    "outbound_"
                } else {
                    ""
                };
                write!(
                    f,
                    "'{p}keystore_password' and '{p}key_password' both configurations are given and the values do not match"
                )
            }
            SourceRefusal::NoInlineKey => f.write_str(
                "Must provide outbound_keystore or outbound_private_key in configuration for PEMBasedSSlContextFactory",
            ),
            SourceRefusal::PasswordFileMissing { path, .. } => {
                write!(
                    f,
                    "keystore password file {} does not exist",
                    path.display()
                )
            }
            SourceRefusal::PasswordFileUnreadable { path, error, .. } => write!(
                f,
                "Failed to read keystore password from the {}: {error}",
                path.display()
            ),
        }
    }
}

/// A section's key and trust sources.
#[derive(Clone, Debug)]
pub struct SectionSources {
    construction: Option<SourceRefusal>,
    inbound: Result<StoreSource, SourceRefusal>,
    outbound: Option<Result<StoreSource, SourceRefusal>>,
    trust: StoreSource,
}

impl SectionSources {
    /// What the factory's constructor refuses (applyConfig: the apply stage), in Cassandra's
    /// order: 6.0's password files (key store, outbound key store, truststore), then the PEM
    /// factory's password check and its one-source rule (key, outbound key, trust).
    pub fn construction(&self) -> Result<(), &SourceRefusal> {
        self.construction.as_ref().map_or(Ok(()), Err)
    }

    /// The source of a key. The outbound key is the inbound one where the version or section
    /// has no outbound key store.
    pub fn key(&self, key: KeyUse) -> Result<&StoreSource, &SourceRefusal> {
        match (key, &self.outbound) {
            (KeyUse::Outbound, Some(outbound)) => outbound.as_ref(),
            _ => self.inbound.as_ref(),
        }
    }

    /// The source of the trusted certificates.
    pub fn trust(&self) -> &StoreSource {
        &self.trust
    }

    /// The store files the hot reload watches (`initHotReloading`): the key store, the outbound
    /// key store (5.0+, server section) and the truststore, when file based and existing at the
    /// time; each named by its option. Inline PEM is never watched.
    pub fn watched(&self) -> Vec<(&'static str, &Path)> {
        let keys = [Some(&self.inbound), self.outbound.as_ref()];
        let mut out: Vec<(&'static str, &Path)> = Vec::new();
        let files = keys
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_ref().ok())
            .chain([&self.trust])
            .filter_map(StoreSource::file);
        for f in files {
            if f.path.is_file() && !out.iter().any(|(_, p)| *p == f.path) {
                out.push((f.option, &f.path));
            }
        }
        out
    }
}

/// What a section's sources are resolved from.
pub(crate) struct SourceInput<'a> {
    pub(crate) options: &'a EncryptionOptions,
    /// The server section's own options; `None` for the others.
    pub(crate) server: Option<&'a ServerEncryptionOptions>,
    pub(crate) version: CassandraVersion,
    pub(crate) base: &'a Path,
}

impl SourceInput<'_> {
    fn file(
        &self,
        option: &'static str,
        given: &str,
        store_type: Result<JavaStoreType, SourceRefusal>,
        password: Option<Password>,
        password_option: &'static str,
    ) -> StoreFile {
        StoreFile {
            option,
            given: given.to_owned(),
            path: super::resolve_path(self.base, given),
            store_type,
            password,
            password_option,
        }
    }

    /// A password as 6.0's `FileBasedStoreContext.resolvePassword` gives it (read from
    /// cassandra-all 6.0-alpha2's classes): the inline one when given (even `""`); else the
    /// first line of the named file (`""` for an empty file); else none. A named file that does
    /// not exist is refused; it is not read when a password is given.
    fn password(
        &self,
        option: &'static str,
        inline: Option<&Password>,
        file: Option<&str>,
    ) -> Result<Option<Password>, SourceRefusal> {
        if let Some(p) = inline {
            return Ok(Some(p.clone()));
        }
        let Some(file) = file.filter(|f| !f.is_empty()) else {
            return Ok(None);
        };
        let path = super::resolve_path(self.base, file);
        if !path.exists() {
            return Err(SourceRefusal::PasswordFileMissing { option, path });
        }
        Password::from_file_first_line(&path)
            .map(Some)
            .map_err(|e| SourceRefusal::PasswordFileUnreadable {
                option,
                path,
                error: e.to_string(),
            })
    }
}

/// The three store passwords of a section, resolved, with the first refusal met.
struct Passwords {
    keystore: Option<Password>,
    outbound: Option<Password>,
    truststore: Option<Password>,
    refusal: Option<SourceRefusal>,
}

/// The passwords in 6.0's order: key store, outbound key store, truststore. The outbound
/// store's password is `outbound_keystore_password`, else the inbound key store's resolved
/// password; only when neither is there, the first line of `outbound_keystore_password_file`,
/// else of `keystore_password_file`. The truststore's empty password is none from 4.1 (Java
/// then loads it without its integrity check); 4.0 passes it to `KeyStore.load`.
fn passwords(input: &SourceInput<'_>) -> Passwords {
    let opts = input.options;
    let mut refusal = None;
    let mut keep = |r: Result<Option<Password>, SourceRefusal>| {
        r.unwrap_or_else(|e| {
            refusal.get_or_insert(e);
            None
        })
    };
    let keystore = keep(input.password(
        "keystore_password_file",
        opts.keystore_password.as_ref(),
        opts.keystore_password_file.as_deref(),
    ));
    let outbound = input.server.map(|s| {
        let inline = s.outbound_keystore_password.clone().or(keystore.clone());
        let file = s
            .outbound_keystore_password_file
            .as_deref()
            .or(opts.keystore_password_file.as_deref());
        keep(input.password("outbound_keystore_password_file", inline.as_ref(), file))
    });
    let truststore = keep(input.password(
        "truststore_password_file",
        opts.truststore_password.as_ref(),
        opts.truststore_password_file.as_deref(),
    ))
    .filter(|p| input.version.empty_truststore_password_is_checked() || !p.is_empty());
    Passwords {
        keystore,
        outbound: outbound.flatten(),
        truststore,
        refusal,
    }
}

/// Resolves a section's sources.
pub(crate) fn resolve(input: &SourceInput<'_>) -> SectionSources {
    let passwords = passwords(input);
    match input.options.ssl_context_factory.kind() {
        SslContextFactoryKind::Pem => pem_sources(input, passwords),
        _ => file_sources(input, passwords),
    }
}

/// `DefaultSslContextFactory`: every store a file of `store_type`.
fn file_sources(input: &SourceInput<'_>, passwords: Passwords) -> SectionSources {
    let opts = input.options;
    let store_type = java_store_type(opts.store_type.as_deref());
    let inbound = input.file(
        "keystore",
        opts.keystore_path(),
        store_type.clone(),
        passwords.keystore,
        "keystore_password",
    );
    let outbound = input
        .server
        .filter(|_| input.version >= CassandraVersion::V5_0)
        .map(|s| {
            Ok(StoreSource::File(input.file(
                "outbound_keystore",
                s.outbound_keystore_path(),
                store_type.clone(),
                passwords.outbound,
                "outbound_keystore_password",
            )))
        });
    let trust = input.file(
        "truststore",
        opts.truststore_path(),
        store_type,
        passwords.truststore,
        "truststore_password",
    );
    SectionSources {
        construction: passwords.refusal,
        inbound: Ok(StoreSource::File(inbound)),
        outbound,
        trust: StoreSource::File(trust),
    }
}

/// `PEMBasedSslContextFactory` (see the module's notes).
fn pem_sources(input: &SourceInput<'_>, passwords: Passwords) -> SectionSources {
    let opts = input.options;
    let factory = &opts.ssl_context_factory;
    let v5 = input.version >= CassandraVersion::V5_0;
    let mut construction = passwords.refusal;
    let mut refuse = |r: SourceRefusal| {
        construction.get_or_insert(r);
    };
    let pem_file = |option, given: &str, password: Option<Password>, password_option| {
        input.file(
            option,
            given,
            Ok(JavaStoreType::Pem),
            password,
            password_option,
        )
    };
    let exists = |given: &str| super::resolve_path(input.base, given).exists();
    // `private_key_password`, else the store password; the two must agree when both are given.
    // 4.1 takes an empty `private_key_password` for none (5.0 keeps it, and refuses it against
    // a non-empty store password).
    let key_password = factory
        .parameter("private_key_password")
        .filter(|p| v5 || !p.is_empty())
        .map(Password::new)
        .or(passwords.keystore.clone());
    if mismatch(passwords.keystore.as_ref(), key_password.as_ref()) {
        refuse(SourceRefusal::PasswordMismatch {
            key: KeyUse::Inbound,
        });
    }
    let private_key = pem_parameter(factory, "private_key");
    let inbound = match private_key {
        Some(pem) => StoreSource::Inline(InlinePem {
            parameter: "private_key",
            pem: Zeroizing::new(pem.to_owned()),
            password: key_password.clone(),
        }),
        None => StoreSource::File(pem_file(
            "keystore",
            opts.keystore_path(),
            key_password.clone(),
            "keystore_password",
        )),
    };
    let outbound = input.server.filter(|_| v5).map(|s| {
        let password = factory
            .parameter("outbound_private_key_password")
            .map(Password::new)
            .or(passwords.outbound.clone())
            .or(key_password.clone());
        if mismatch(passwords.outbound.as_ref(), password.as_ref()) {
            refuse(SourceRefusal::PasswordMismatch {
                key: KeyUse::Outbound,
            });
        }
        // Inline when `outbound_private_key` (a missing one falls back to `private_key`) is not
        // empty; the text is the inbound `private_key` all the same.
        let inline = factory
            .parameter("outbound_private_key")
            .or(factory.parameter("private_key"))
            .is_some_and(|k| !k.is_empty());
        (inline, s.outbound_keystore_path(), password)
    });
    if private_key.is_some() && exists(opts.keystore_path()) {
        refuse(SourceRefusal::TwoSources {
            file: "keystore",
            parameter: "private_key",
        });
    }
    // The outbound context's key text is the inbound `private_key`: that, not
    // `outbound_private_key`, collides with an existing outbound key store file.
    if let Some((_, path, _)) = &outbound
        && private_key.is_some()
        && exists(path)
    {
        refuse(SourceRefusal::TwoSources {
            file: "outbound_keystore",
            parameter: "outbound_private_key",
        });
    }
    let trusted = pem_parameter(factory, "trusted_certificates");
    if trusted.is_some() && exists(opts.truststore_path()) {
        refuse(SourceRefusal::TwoSources {
            file: "truststore",
            parameter: "trusted_certificates",
        });
    }
    let outbound = outbound.map(|(inline, path, password)| match (inline, private_key) {
        (false, _) => Ok(StoreSource::File(pem_file(
            "outbound_keystore",
            path,
            password,
            "outbound_keystore_password",
        ))),
        (true, Some(pem)) => Ok(StoreSource::Inline(InlinePem {
            parameter: "private_key",
            pem: Zeroizing::new(pem.to_owned()),
            password,
        })),
        (true, None) => Err(SourceRefusal::NoInlineKey),
    });
    let trust = match trusted {
        Some(pem) => StoreSource::Inline(InlinePem {
            parameter: "trusted_certificates",
            pem: Zeroizing::new(pem.to_owned()),
            password: None,
        }),
        None => StoreSource::File(pem_file(
            "truststore",
            opts.truststore_path(),
            None,
            "truststore_password",
        )),
    };
    SectionSources {
        construction,
        inbound: Ok(inbound),
        outbound,
        trust,
    }
}

/// `FileBasedStoreContext.passwordMatchesIfPresent` failing: a non-empty store password that
/// differs from the key password.
fn mismatch(store: Option<&Password>, key: Option<&Password>) -> bool {
    match store {
        Some(s) if !s.is_empty() => key != Some(s),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_type_names_as_the_jdk_finds_them() {
        use JavaStoreType::*;
        for (name, want) in [
            ("JKS", Some(Jks)),
            ("caseExactJks", Some(CaseExactJks)),
            ("Jceks", Some(Jceks)),
            ("pkcs12", Some(Pkcs12)),
            ("DKS", Some(Dks)),
            ("p12", None),
            ("PEM", None),
        ] {
            assert_eq!(java_store_type(Some(name)).ok(), want, "{name}");
        }
        assert_eq!(java_store_type(None), Ok(Jks));
        assert!(!CaseExactJks.reads(StoreType::Pkcs12));
        assert!(Jks.reads(StoreType::Pkcs12));
    }
}
