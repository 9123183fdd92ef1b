//! One encryption section: protocols and suites as Cassandra filters them, the store files, the
//! key store and its key, then the chain ([`super::chain`]) and a handshake with the node's own
//! material ([`super::handshake`]).

use rustls::pki_types::UnixTime;

use super::chain::{chain_checks, eku};
use super::expiry::expiry;
use super::handshake::self_handshake;
use super::terms::{Store, Terms};
use super::{Check, Report, Severity};
use crate::ErrorKind;
use crate::keystore::{KeyAlgorithm, KeyStore, PrivateKeyEntry, Warning};
use crate::options::{KeyUse, ResolvedSection, Section, StoreSource};
use crate::tls::{self, Role, TlsSettings};

/// Checks one section for the roles it serves (`roles[0]` loads the key store).
#[allow(clippy::too_many_arguments)]
pub(super) fn section(
    report: &mut Report,
    node: &tls::Node,
    roles: &[Role],
    addresses: &[&str],
    settings: &TlsSettings,
    at: UnixTime,
    policy: &super::ExpiryPolicy,
) {
    let role = roles[0];
    let resolved = role.options(node.resolved());
    let name = resolved.section.as_str();
    let opts = &resolved.options;
    let internode = resolved.section == Section::Server;
    protocols_and_suites(report, resolved);
    let needs_trust = resolved.server_verifies_peers();
    store_files(report, node, resolved, needs_trust);
    let Some(store) = key_store(report, node, resolved, role, settings) else {
        return;
    };
    let Some(entry) = node_key(report, name, &store) else {
        return;
    };

    let chain = entry.chain();
    if let Ok(info) = &chain[0].info() {
        expiry(report, name, info, at, opts, policy);
        if internode {
            eku(report, name, info);
        }
    }

    // The chain against the truststore (this node's peers use the same truststore).
    if needs_trust {
        match node.trust_anchors(role) {
            Ok(anchors) => {
                super::expiry::trusted_cas(report, name, &anchors, at, policy);
                chain_checks(
                    report,
                    name,
                    chain,
                    &anchors,
                    addresses,
                    opts.require_endpoint_verification,
                    internode,
                    at,
                )
            }
            Err(e) => {
                let terms = Terms::of(node);
                let fix = match e.kind() {
                    ErrorKind::WrongPasswordOrTampered => terms.password_fix(Store::Trust),
                    _ => terms.truststore_fix().to_owned(),
                };
                report.push(
                    Severity::Error,
                    Check::File,
                    name,
                    e.to_string(),
                    Some(&fix),
                )
            }
        }
    }

    // Handshakes with this node's own material.
    for server_role in roles.iter().filter_map(|r| match r {
        Role::InternodeServer => Some(tls::ServerRole::Internode),
        Role::NativeServer => Some(tls::ServerRole::Native),
        Role::InternodeClient | Role::NativeClient => None,
    }) {
        self_handshake(
            report,
            name,
            node,
            server_role,
            addresses.first().copied(),
            settings,
        );
    }
}

/// Protocols and cipher suites, as Cassandra filters them (the resolved section's choice).
fn protocols_and_suites(report: &mut Report, section: &ResolvedSection) {
    let name = section.section.as_str();
    let p = match section.protocols() {
        Ok(p) => p,
        Err(e) => {
            report.push(
                Severity::Error,
                Check::Protocols,
                name,
                e.to_string(),
                Some("accept TLSv1.2 and TLSv1.3 (protocol: TLS)"),
            );
            return;
        }
    };
    for w in &p.warnings {
        report.push(
            Severity::Warning,
            Check::Protocols,
            name,
            w.to_string(),
            Some("remove protocols older than TLSv1.2"),
        );
    }
    let accepted: Vec<&str> = p.versions.iter().map(|v| v.jsse_name()).collect();
    report.push(
        Severity::Ok,
        Check::Protocols,
        name,
        format!("accepted: {}", accepted.join(", ")),
        None,
    );
    match section.cipher_suites() {
        Ok(c) => {
            for w in &c.warnings {
                report.push(
                    Severity::Warning,
                    Check::Ciphers,
                    name,
                    w.to_string(),
                    Some("list only AEAD suites with ECDHE (TLS_ECDHE_*_GCM_*, TLS_AES_*)"),
                );
            }
            let which = match &c.suites {
                Some(s) => s.iter().map(|s| s.jsse_name).collect::<Vec<_>>().join(", "),
                None => "the defaults (TLSv1.3 AES-GCM and ChaCha20, TLSv1.2 ECDHE with AES-GCM and ChaCha20)".into(),
            };
            report.push(
                Severity::Ok,
                Check::Ciphers,
                name,
                format!("cipher suites: {which}"),
                None,
            );
        }
        Err(e) => report.push(
            Severity::Error,
            Check::Ciphers,
            name,
            e.to_string(),
            Some("list at least one of TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
        ),
    }
}

/// The key store and truststore files (not inline PEM): present, a file, not world-readable.
fn store_files(
    report: &mut Report,
    node: &tls::Node,
    section: &ResolvedSection,
    needs_trust: bool,
) {
    let name = section.section.as_str();
    let sources = section.sources();
    let terms = Terms::of(node);
    // A Secret's files by its keys (inline PEM included: it was read from tls.key and tls.crt).
    if let Some(files) = terms.secret_files(Store::Key) {
        secret_files(report, terms, name, files);
    } else if let Ok(StoreSource::File(f)) = sources.key(KeyUse::Inbound) {
        file_check(report, terms, name, "keystore", &f.path, true);
    }
    if !needs_trust {
        return;
    }
    if let Some(files) = terms.secret_files(Store::Trust) {
        secret_files(report, terms, name, files);
    } else if let StoreSource::File(f) = sources.trust() {
        file_check(report, terms, name, "truststore", &f.path, false);
    }
}

/// A Secret's files for one store, or the finding that it holds none.
fn secret_files(
    report: &mut Report,
    terms: Terms<'_>,
    name: &'static str,
    files: Result<Vec<super::terms::StoreFile>, super::terms::Absent>,
) {
    match files {
        Ok(files) => {
            for f in files {
                file_check(report, terms, name, &f.what, &f.path, f.secret);
            }
        }
        Err(absent) => report.push(
            Severity::Error,
            Check::File,
            name,
            absent.message,
            Some(&absent.fix),
        ),
    }
}

/// The key store, loaded by the factory's rules with every key checked against its
/// certificate, and its type as the JDK would read it. `None` when there is none or it failed
/// (reported).
fn key_store(
    report: &mut Report,
    node: &tls::Node,
    section: &ResolvedSection,
    role: Role,
    settings: &TlsSettings,
) -> Option<KeyStore> {
    let name = section.section.as_str();
    let terms = Terms::of(node);
    // Loading checks keys cheaply; check_keys derives the public keys loading leaves unchecked
    // (JDK-written EC keys, Ed25519), as building the node's signing key would.
    let loaded = node
        .key_store(role, settings)
        .and_then(|s| s.map(|s| s.check_keys().map(|()| s)).transpose());
    let store = match loaded {
        Ok(s) => s?,
        Err(e) => {
            let (check, fix) = match e.kind() {
                ErrorKind::WrongPasswordOrTampered => {
                    (Check::Password, terms.password_fix(Store::Key))
                }
                ErrorKind::WrongKeyPassword => {
                    (Check::KeyPassword, terms.key_password_fix().to_owned())
                }
                ErrorKind::KeyCertMismatch => (
                    Check::KeyMatchesCert,
                    "put the private key together with its own certificate chain".to_owned(),
                ),
                ErrorKind::Malformed | ErrorKind::Unsupported => {
                    (Check::File, "regenerate the key store".to_owned())
                }
                _ => (Check::File, "fix the key store settings".to_owned()),
            };
            report.push(Severity::Error, check, name, e.to_string(), Some(&fix));
            return None;
        }
    };
    report.push(
        Severity::Ok,
        Check::Password,
        name,
        format!("{} opens", terms.key_store_name(store.origin())),
        None,
    );
    if section.is_pem() {
        for w in store.warnings() {
            if let Warning::NotReadByCassandra { .. } = w {
                report.push(
                    Severity::Error,
                    Check::File,
                    name,
                    format!("{}: {w}", terms.key_store_name(store.origin())),
                    Some(terms.pem_key_fix()),
                );
            }
        }
        return Some(store);
    }
    let mut mismatched = false;
    for w in store.warnings() {
        if let Warning::StoreTypeMismatch {
            configured,
            detected,
        } = w
        {
            mismatched = true;
            let (severity, message) = if configured.java_reads(*detected) {
                (
                    Severity::Warning,
                    format!("{w}; the JDK loads it anyway (keystore.type.compat)"),
                )
            } else {
                (
                    Severity::Error,
                    format!("{w}; Java's {configured} key store cannot read it"),
                )
            };
            report.push(
                severity,
                Check::StoreType,
                name,
                message,
                Some(terms.store_type_fix()),
            );
        }
    }
    if !mismatched {
        report.push(
            Severity::Ok,
            Check::StoreType,
            name,
            format!("store type {}", store.store_type()),
            None,
        );
    }
    Some(store)
}

/// The node's key: the first decrypted key with a certificate, and its algorithm.
fn node_key<'a>(
    report: &mut Report,
    name: &'static str,
    store: &'a KeyStore,
) -> Option<&'a PrivateKeyEntry> {
    let found = store
        .private_keys()
        .find_map(|e| Some((e, e.key()?)).filter(|(e, _)| !e.chain().is_empty()));
    let Some((entry, key)) = found else {
        report.push(
            Severity::Error,
            Check::KeyPassword,
            name,
            "no private key with a certificate in the key store",
            Some("import the node's key and certificate chain"),
        );
        return None;
    };
    report.push(
        Severity::Ok,
        Check::KeyPassword,
        name,
        "the private key opens",
        None,
    );
    report.push(
        Severity::Ok,
        Check::KeyMatchesCert,
        name,
        "the key belongs to its certificate",
        None,
    );
    match key.algorithm() {
        KeyAlgorithm::Rsa | KeyAlgorithm::Ec(_) | KeyAlgorithm::Ed25519 => report.push(
            Severity::Ok,
            Check::KeyAlgorithm,
            name,
            format!("{} key", key.algorithm()),
            None,
        ),
        other => report.push(
            Severity::Error,
            Check::KeyAlgorithm,
            name,
            format!("{other} keys cannot be used for TLS here"),
            Some("use an RSA (2048+), EC P-256/P-384 or Ed25519 key"),
        ),
    }
    Some(entry)
}

pub(crate) fn file_check(
    report: &mut Report,
    terms: Terms<'_>,
    section: &'static str,
    what: &str,
    path: &std::path::Path,
    secret: bool,
) {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if secret && meta.permissions().mode() & 0o004 != 0 {
                    report.push(
                        Severity::Warning,
                        Check::File,
                        section,
                        format!("{what} {} is readable by every user", path.display()),
                        Some(terms.world_readable_fix(path)),
                    );
                    return;
                }
            }
            report.push(
                Severity::Ok,
                Check::File,
                section,
                format!("{what} {} exists", path.display()),
                None,
            );
        }
        Ok(_) => report.push(
            Severity::Error,
            Check::File,
            section,
            format!("{what} {} is not a file", path.display()),
            Some(terms.missing_fix(true)),
        ),
        Err(e) => report.push(
            Severity::Error,
            Check::File,
            section,
            format!("{what} {}: {e}", path.display()),
            Some(terms.missing_fix(false)),
        ),
    }
}
