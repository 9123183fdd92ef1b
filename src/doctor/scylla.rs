//! `doctor` on a scylla.yaml: the configuration findings of [`crate::explain::scylla`], then
//! for each service that runs TLS the material as Seastar loads it (GnuTLS, PEM only, no key
//! password): the files read, the key against the certificate, the dates, the chain to the
//! truststore, a truststore that trusts nothing, no truststore where a peer must be verified,
//! and a CQL certificate without the node's IP address, which the drivers refuse.
//!
//! ```
//! use cassandra_tls::doctor::{self, Severity};
//! use cassandra_tls::options::scylla::ScyllaYaml;
//!
//! let node = ScyllaYaml::load_file("fixtures/scylla/scylla.yaml")?.resolve();
//! let report = doctor::check_scylla(&node, rustls::pki_types::UnixTime::now(), &doctor::ExpiryPolicy::default());
//! assert_eq!(report.count(Severity::Error), 0);
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

use std::net::IpAddr;

use rustls::pki_types::UnixTime;

use super::chain::{chain_checks, eku};
use super::expiry::{expiry, trusted_cas};
use super::{Check, ClientCertificate, ExpiryPolicy, Report, Severity};
use crate::ErrorKind;
use crate::error::Origin;
use crate::keystore::{Certificate, KeyStore, StoreType};
use crate::options::EncryptionOptions;
use crate::options::scylla::{
    InternodeMode, PemFile, ScyllaClientAuth, ScyllaNode, ScyllaSection, ScyllaService,
};

/// A PEM file larger than this is not read (Seastar would read it; no real one is this big).
const MAX_PEM: u64 = 16 << 20;

/// Checks a Scylla node: the configuration findings, then each TLS service's material at `at`.
pub fn check_scylla(node: &ScyllaNode, at: UnixTime, policy: &ExpiryPolicy) -> Report {
    check_scylla_with_clients(node, at, policy, &[])
}

/// [`check_scylla`], and the client certificates given (`doctor --client-cert`).
pub fn check_scylla_with_clients(
    node: &ScyllaNode,
    at: UnixTime,
    policy: &ExpiryPolicy,
    clients: &[ClientCertificate],
) -> Report {
    let mut report = Report {
        findings: crate::explain::scylla::findings(node),
    };
    for s in node.sections() {
        if s.enabled {
            material(&mut report, node, s, at, policy);
        }
    }
    // The configuration findings and the material of each section together, sections in
    // Scylla's order (the sort is stable: each section's own order stays).
    let rank = |section: &str| match section {
        "scylla.yaml" => 0,
        "server_encryption_options" => 1,
        "client_encryption_options" => 2,
        "alternator_encryption_options" => 3,
        _ => 4,
    };
    report.findings.sort_by_key(|f| rank(f.section));
    for c in clients {
        client_role(&mut report, node, c, at);
    }
    report
}

/// `doctor --client-cert` on Scylla: the role `CertificateAuthenticator` gives the certificate
/// (`authenticate()`: the queries in order on GnuTLS' SUBJECT and Seastar's ALTNAME strings,
/// group 1 of the first match), or why none; whether the node would ask for it and trust it.
fn client_role(report: &mut Report, node: &ScyllaNode, client: &ClientCertificate, at: UnixTime) {
    const AUTH: &str = "authenticator";
    let label = &client.label;
    let Some(leaf) = client.chain.first() else {
        report.push(
            Severity::Error,
            Check::Identity,
            AUTH,
            format!("{label} holds no certificate"),
            Some("give the client's certificate (PEM, or a key store with its key entry)"),
        );
        return;
    };
    let auth = match node.authenticator() {
        Ok(a) => a,
        Err(_) => return, // the start-up refusal is already reported
    };
    if !auth.uses_certificate() {
        report.push(
            Severity::Warning,
            Check::Identity,
            AUTH,
            format!("{label}: {auth} does not log in with certificates; the certificate only opens the TLS connection"),
            Some("set authenticator: com.scylladb.auth.CertificateAuthenticator to log in by certificate"),
        );
        return;
    }
    let Ok(queries) = node.role_queries_in_force() else {
        return; // the start-up refusal is already reported
    };
    match queries.role_for(leaf) {
        Ok(m) if m.role.is_empty() => report.push(
            Severity::Error,
            Check::Identity,
            AUTH,
            format!(
                "{label}: query {} ({} `{}`) matches `{}` but its group captures nothing: the role name is empty, and no such role can log in",
                m.index, m.source, queries.queries()[m.index].query(), m.searched
            ),
            Some("make the capturing group match the role name"),
        ),
        Ok(m) => report.push(
            Severity::Ok,
            Check::Identity,
            AUTH,
            format!(
                "{label} logs in as role `{}` (query {}: {} `{}` on `{}`); the role must exist with LOGIN",
                m.role, m.index, m.source, queries.queries()[m.index].query(), m.searched
            ),
            None,
        ),
        Err(why) => {
            let fix = match &why {
                crate::options::scylla::NoRole::NoMatch { subject, .. }
                    if subject.contains(",CN=")
                        && queries.queries().iter().any(|q| q.query().starts_with("^CN")) =>
                {
                    "Scylla's SUBJECT is GnuTLS' DN in certificate order (`C=..,O=..,CN=..`), not Java's: drop a `^CN=` anchor, or match `CN=([^,]+)` anywhere"
                }
                _ => "write an auth_certificate_role_queries entry that matches this certificate's SUBJECT or ALTNAME string (shown)",
            };
            report.push(
                Severity::Error,
                Check::Identity,
                AUTH,
                format!("{label}: no role: {why}"),
                Some(fix),
            );
        }
    }
    // Would the node accept it? REQUIRE and REQUEST verify a presented certificate against the
    // CQL truststore (seastar `tls_gnutls.cc` `verify()`), before any login.
    let cql = node.section(ScyllaService::Cql);
    if !cql.enabled || cql.client_auth == ScyllaClientAuth::None {
        return;
    }
    let Some(ts) = &cql.truststore else {
        return; // "no truststore" is reported with the section's material
    };
    let Some(anchors) = crate::options::read_bounded(&ts.path, MAX_PEM)
        .ok()
        .and_then(|bytes| certificates(&bytes, ts).ok())
    else {
        return; // an unreadable truststore is reported with the section's material
    };
    if let Err(failure) = crate::tls::verify_chain(
        &client.chain,
        &anchors,
        crate::tls::Usage::Client,
        None,
        at,
        crate::tls::ExpiredPeer::Refuse,
    ) {
        report.push(
            Severity::Error,
            Check::Trust,
            AUTH,
            format!(
                "{label}: the CQL truststore {} does not accept it ({failure}): the handshake refuses it before any login",
                ts.given
            ),
            Some("issue the client certificate from a CA in client_encryption_options.truststore, or add its CA there"),
        );
    }
}

/// What Seastar's `read_fully` calls each file in `Could not read <what> <name>`.
fn what(f: &PemFile) -> &'static str {
    match f.key {
        "certificate" => "certificate file",
        "keyfile" => "key file",
        "truststore" => "trust file",
        _ => "crl file",
    }
}

/// Reads a file as Seastar does at start-up; a failure is Scylla's refusal to start.
/// A path as the messages show it (`./x` as `x`).
fn shown(f: &PemFile) -> String {
    if f.given.is_empty() {
        // `truststore: ''`: Seastar opens the empty name, which nothing can be.
        return "\"\" (an empty name)".into();
    }
    f.path
        .strip_prefix(".")
        .unwrap_or(&f.path)
        .display()
        .to_string()
}

fn read(report: &mut Report, name: &'static str, f: &PemFile) -> Option<Vec<u8>> {
    // Regular files only, and bounded: a device (`/dev/zero`) or a FIFO never ends.
    let result = if f.given.is_empty() {
        // open("") fails with ENOENT; the empty name must not resolve to the base directory.
        Err(std::io::Error::from_raw_os_error(2))
    } else {
        crate::options::read_bounded(&f.path, MAX_PEM)
    };
    match result {
        Ok(bytes) => {
            report.push(
                Severity::Ok,
                Check::File,
                name,
                format!(
                    "{} {} is readable{}",
                    f.key,
                    shown(f),
                    if f.defaulted { " (the default)" } else { "" }
                ),
                None,
            );
            Some(bytes)
        }
        Err(e) => {
            let default = if f.defaulted {
                format!(
                    " ({} is not in the map, so Scylla's default applies)",
                    f.key
                )
            } else {
                String::new()
            };
            report.push(
                Severity::Error,
                Check::File,
                name,
                format!(
                    "Scylla does not start: Could not read {} {}: {e}{default}",
                    what(f),
                    shown(f)
                ),
                Some(&format!(
                    "set {} to a PEM file the scylla user can read",
                    f.key
                )),
            );
            None
        }
    }
}

/// Every certificate in PEM bytes, in file order (what GnuTLS loads of a file). Seastar asks
/// for PEM (`x509_crt_format::PEM`) everywhere: a JKS, PKCS#12 or DER file holds none.
fn certificates(bytes: &[u8], f: &PemFile) -> crate::Result<Vec<Certificate>> {
    let origin = Origin::file(&f.path);
    if StoreType::sniff(bytes).is_some_and(|t| t != StoreType::Pem) {
        return Err(crate::Error::unsupported(
            &origin,
            "a Java or PKCS#12 key store",
            "PEM only (Scylla reads every file as PEM)",
        ));
    }
    let store = KeyStore::loader()
        .skip_key_decryption(true)
        .load_from(bytes, origin)?;
    if store.store_type() != StoreType::Pem {
        return Ok(Vec::new());
    }
    Ok(store
        .entries()
        .iter()
        .flat_map(|e| e.certificates().iter().cloned())
        .collect())
}

/// Whether PEM key text is encrypted (PKCS#8 `ENCRYPTED PRIVATE KEY`, or OpenSSL's
/// `Proc-Type: 4,ENCRYPTED`): Seastar passes no password, and GnuTLS fails with -24.
fn encrypted_key(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")
        || text.contains("Proc-Type: 4,ENCRYPTED")
}

/// Whether peers' certificates are verified against `truststore`: internode connections out
/// (Seastar's clients always verify; under `dc`/`rack` the ones to other datacenters/racks),
/// and clients' under `require_client_auth`.
fn verifies_peers(s: &ScyllaSection) -> Option<&'static str> {
    if s.service == ScyllaService::Internode
        && s.internode_mode().is_some_and(|m| m != InternodeMode::None)
    {
        Some("outgoing internode connections always verify the peer's chain")
    } else if s.client_auth != ScyllaClientAuth::None {
        Some("require_client_auth makes the node verify client certificates")
    } else {
        None
    }
}

fn material(
    report: &mut Report,
    node: &ScyllaNode,
    s: &ScyllaSection,
    at: UnixTime,
    policy: &ExpiryPolicy,
) {
    let name = s.service.option();
    let internode = s.service == ScyllaService::Internode;
    let cert = read(report, name, &s.certificate);
    let key = read(report, name, &s.keyfile);
    let trust = s.truststore.as_ref().map(|t| (t, read(report, name, t)));
    if let Some(crl) = &s.crl
        && let Some(bytes) = read(report, name, crl)
        && !String::from_utf8_lossy(&bytes).contains("-----BEGIN X509 CRL-----")
    {
        report.push(
            Severity::Error,
            Check::File,
            name,
            format!(
                "Scylla does not start: error GnuTLS:-34, Base64 decoding error. ({} holds no PEM CRL)",
                shown(crl)
            ),
            Some("give a PEM CRL (-----BEGIN X509 CRL-----)"),
        );
    }
    let chain = match (cert, key) {
        (Some(cert), Some(key)) => key_and_chain(report, name, s, &cert, &key),
        _ => None,
    };
    let leaf = chain
        .as_ref()
        .and_then(|c| c.first())
        .and_then(|c| c.info().ok());
    if let Some(info) = &leaf {
        expiry(
            report,
            name,
            info,
            at,
            &EncryptionOptions::default(),
            policy,
        );
        if internode {
            eku(report, name, info);
        }
    }

    // The truststore: what it trusts, and whether a peer must be verified against it.
    let needs = verifies_peers(s);
    match trust {
        None => {
            if let Some(reason) = needs {
                report.push(
                    Severity::Error,
                    Check::Chain,
                    name,
                    format!(
                        "no truststore, but {reason}: Scylla loads no system trust for these credentials (configure_tls_creds_builder never calls set_system_trust), so every peer is refused with \"The certificate is NOT trusted. The certificate issuer is unknown.\""
                    ),
                    Some("set truststore to the PEM file of the CA that signs the peers' certificates"),
                );
            }
        }
        Some((_, None)) => {} // unreadable: reported by `read`
        Some((t, Some(bytes))) => {
            let anchors = certificates(&bytes, t).unwrap_or_default();
            if anchors.is_empty() {
                let (severity, consequence) = match needs {
                    Some(reason) => (
                        Severity::Error,
                        format!("{reason}, so every verification fails"),
                    ),
                    None => (
                        Severity::Warning,
                        "no peer is verified now, but every verification would fail".into(),
                    ),
                };
                report.push(
                    severity,
                    Check::Chain,
                    name,
                    format!(
                        "truststore {} holds no certificate: GnuTLS accepts it without a word (gnutls_certificate_set_x509_trust_mem returns 0); {consequence}",
                        shown(t)
                    ),
                    Some("put the CA certificates (PEM) in the truststore"),
                );
            } else {
                trusted_cas(report, name, &anchors, at, policy);
                if internode && let Some(chain) = &chain {
                    // Peers hold the same truststore and check the chain only (no name).
                    chain_checks(report, name, chain, &anchors, &[], false, true, at);
                }
            }
        }
    }

    if internode {
        report.push(
            Severity::Ok,
            Check::San,
            name,
            "internode TLS checks the chain only, never a host name or IP (Scylla gives Seastar no server name)",
            None,
        );
    } else if s.service == ScyllaService::Cql
        && let Some(info) = &leaf
    {
        ip_sans(report, node, name, info);
    }
}

/// The key file with the certificate file, as `gnutls_certificate_set_x509_key_mem` loads
/// them: the chain when they belong together, else the refusal (reported).
fn key_and_chain(
    report: &mut Report,
    name: &'static str,
    s: &ScyllaSection,
    cert: &[u8],
    key: &[u8],
) -> Option<Vec<Certificate>> {
    let chain = match certificates(cert, &s.certificate) {
        Ok(c) if !c.is_empty() => c,
        other => {
            let why = match other {
                Err(e) => e.to_string(),
                Ok(_) => "no certificate in it".into(),
            };
            report.push(
                Severity::Error,
                Check::File,
                name,
                format!(
                    "Scylla does not start: error GnuTLS:-34, Base64 decoding error. ({}: {why})",
                    shown(&s.certificate)
                ),
                Some("give the node's PEM certificate chain, leaf first"),
            );
            return None;
        }
    };
    if encrypted_key(key) {
        report.push(
            Severity::Error,
            Check::KeyPassword,
            name,
            format!(
                "Scylla does not start: error GnuTLS:-24, Decryption has failed. ({} is encrypted, and Scylla has no key password option)",
                shown(&s.keyfile)
            ),
            Some("write the key unencrypted (openssl pkcs8 -topk8 -nocrypt) and restrict the file to the scylla user"),
        );
        return None;
    }
    if StoreType::sniff(key) != Some(StoreType::Pem) {
        report.push(
            Severity::Error,
            Check::File,
            name,
            format!(
                "Scylla does not start: error GnuTLS:-56, The requested data were not available. ({} is not a PEM key)",
                shown(&s.keyfile)
            ),
            Some("give the node's unencrypted PEM private key (Scylla reads PEM only)"),
        );
        return None;
    }
    let loaded = KeyStore::loader()
        .certificates_pem(cert.to_vec())
        .load_from(key, Origin::file(&s.keyfile.path))
        .and_then(|store| store.check_keys().map(|()| store));
    let store = match loaded {
        Ok(store) => store,
        Err(e) if e.kind() == ErrorKind::KeyCertMismatch => {
            report.push(
                Severity::Error,
                Check::KeyMatchesCert,
                name,
                format!(
                    "Scylla does not start: error GnuTLS:-60, The certificate and the given key do not match. ({} against {})",
                    shown(&s.keyfile),
                    shown(&s.certificate)
                ),
                Some("give the key the certificate was issued for"),
            );
            return None;
        }
        Err(e) => {
            report.push(
                Severity::Error,
                Check::File,
                name,
                format!("Scylla does not start: error GnuTLS:-56, The requested data were not available. ({e})"),
                Some("give the node's unencrypted PEM private key"),
            );
            return None;
        }
    };
    if store.private_keys().next().and_then(|k| k.key()).is_none() {
        report.push(
            Severity::Error,
            Check::File,
            name,
            format!(
                "Scylla does not start: error GnuTLS:-56, The requested data were not available. ({} holds no private key)",
                shown(&s.keyfile)
            ),
            Some("give the node's unencrypted PEM private key"),
        );
        return None;
    }
    report.push(
        Severity::Ok,
        Check::KeyMatchesCert,
        name,
        "the key belongs to its certificate",
        None,
    );
    Some(chain)
}

/// The address a driver dials, from the yaml: `broadcast_rpc_address`, else `rpc_address` (what
/// the node advertises in `system.local`/`system.peers`; `db/config.cc`), when it is an IP
/// address (a wildcard or a host name is skipped). `listen_address` is the internode bind
/// address, not one a driver dials.
fn node_ips(node: &ScyllaNode) -> Vec<(&'static str, IpAddr)> {
    let ip = |key: &'static str| {
        node.yaml()
            .scalar(key)
            .value()
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
            .filter(|ip| !ip.is_unspecified())
            .map(|ip| (key, ip))
    };
    let advertised = if node
        .yaml()
        .scalar("broadcast_rpc_address")
        .value()
        .is_some()
    {
        ip("broadcast_rpc_address")
    } else {
        ip("rpc_address")
    };
    advertised.into_iter().collect()
}

/// The CQL certificate against the node's IP addresses, as the drivers check it.
fn ip_sans(
    report: &mut Report,
    node: &ScyllaNode,
    name: &'static str,
    info: &crate::keystore::CertificateInfo,
) {
    const DRIVERS: &str = "the drivers verify the node's IP address (scylla-rust-driver: ServerName::IpAddress; the Python driver and cqlsh with check_hostname) and refuse it, while internode accepts it (the chain only)";
    let ips = node_ips(node);
    if ips.is_empty() {
        if info.ip_addresses.is_empty() {
            report.push(
                Severity::Warning,
                Check::San,
                name,
                format!("the CQL certificate names no IP address: {DRIVERS}"),
                Some("reissue it with subjectAltName IP:<the node's address>"),
            );
        }
        return;
    }
    for (key, ip) in ips {
        if info.ip_addresses.contains(&ip) {
            report.push(
                Severity::Ok,
                Check::San,
                name,
                format!("the CQL certificate names {ip} ({key})"),
                None,
            );
        } else {
            report.push(
                Severity::Warning,
                Check::San,
                name,
                format!("the CQL certificate does not name {ip} ({key}): {DRIVERS}"),
                Some(&format!("reissue it with subjectAltName IP:{ip}")),
            );
        }
    }
}
