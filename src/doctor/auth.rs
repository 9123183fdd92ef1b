//! Certificate login (CEP-34): what the node's authenticators make of its configuration, and
//! who each client certificate the doctor is given logs in as, with the `ADD IDENTITY`
//! statements the configuration needs.

use std::path::{Path, PathBuf};

use rustls::pki_types::UnixTime;

use super::{Check, Report, Severity};
use crate::explain::Explanation;
use crate::keystore::{Certificate, KeyStore};
use crate::options::AuthKey;
use crate::password::Password;
use crate::tls::{
    AuthNote, AuthSetup, CertificateLogin, CertificateValidator, CertificateValidityPeriod,
    PeerRefusal,
};

const SECTION: &str = "authenticator";

/// A client certificate to check against the node's authenticator: a label (where it comes
/// from) and its chain, leaf first.
#[derive(Clone, Debug)]
pub struct ClientCertificate {
    /// Where it comes from (a file, `cqlshrc usercert`).
    pub label: String,
    /// The chain, leaf first.
    pub chain: Vec<Certificate>,
}

impl ClientCertificate {
    /// Reads a client certificate: a PEM file (the chain, leaf first, a key may be beside it)
    /// or a key store (JKS, JCEKS, PKCS#12) whose first key entry's chain is taken.
    pub fn load(path: &Path, password: Option<Password>) -> crate::Result<Self> {
        let store = KeyStore::loader()
            .store_password_opt(password)
            .skip_key_decryption(true)
            .load_file(path)?;
        let chain = match store.private_keys().next() {
            Some(entry) => entry.chain().to_vec(),
            None => store
                .entries()
                .iter()
                .flat_map(|e| e.certificates().iter().cloned())
                .collect(),
        };
        Ok(ClientCertificate {
            label: path.display().to_string(),
            chain,
        })
    }
}

/// The authenticators' findings: what the node logs clients and peers in with, notes that do
/// not stop it, and each client certificate's identity.
pub(super) fn check(
    report: &mut Report,
    startup: &Explanation,
    at: UnixTime,
    outbound: Option<&[Certificate]>,
    clients: &[ClientCertificate],
    cqlsh_usercert: Option<PathBuf>,
) {
    let Some(auth) = &startup.auth else {
        return;
    };
    let configured = auth.authenticator.known() != AuthKey::Authenticator.default_class()
        || auth.internode_authenticator.known() != AuthKey::InternodeAuthenticator.default_class();
    if !configured && clients.is_empty() && cqlsh_usercert.is_none() {
        return;
    }
    report.push(Severity::Ok, Check::Auth, SECTION, summary(auth), None);
    for note in &auth.notes {
        let fix = match note {
            AuthNote::UntrimmedIdentities(_) => {
                Some("write trusted_peer_identities without spaces after the commas (\"a,b\")")
            }
            _ => None,
        };
        report.push(
            Severity::Warning,
            Check::Auth,
            SECTION,
            note.to_string(),
            fix,
        );
    }
    if let Some(chain) = outbound {
        peers_alike(report, auth, chain, at);
    }
    let validator = auth.client_validator();
    let mut all: Vec<ClientCertificate> = clients.to_vec();
    if let Some(path) = cqlsh_usercert {
        match ClientCertificate::load(&path, None) {
            Ok(mut c) => {
                c.label = format!("cqlshrc usercert {}", path.display());
                all.push(c);
            }
            Err(e) => report.push(
                Severity::Error,
                Check::Identity,
                SECTION,
                format!("cqlshrc usercert {}: {e}", path.display()),
                None,
            ),
        }
    }
    for client in &all {
        identity(report, auth, validator, client, at);
    }
}

fn summary(auth: &AuthSetup) -> String {
    let mut s = format!(
        "authenticator {}{}",
        auth.authenticator.simple_name(),
        match auth.client_certificate_login {
            CertificateLogin::Required => " (clients log in by certificate only)",
            CertificateLogin::Fallback => {
                " (clients log in by certificate, or with a password without one)"
            }
            CertificateLogin::None => "",
        }
    );
    s += &format!(
        "; internode_authenticator {}",
        auth.internode_authenticator.simple_name()
    );
    if let (Some(ids), Some(from)) = (&auth.trusted_peer_identities, auth.trusted_identities_from) {
        s += &format!(", trusting {ids:?} (from {from})");
    }
    s
}

/// One client certificate against the authenticator.
fn identity(
    report: &mut Report,
    auth: &AuthSetup,
    validator: Option<CertificateValidator>,
    client: &ClientCertificate,
    at: UnixTime,
) {
    let Some(validator) = validator else {
        report.push(
            Severity::Ok,
            Check::Identity,
            SECTION,
            format!(
                "{}: {} does not log clients in by certificate",
                client.label,
                auth.authenticator.simple_name()
            ),
            None,
        );
        return;
    };
    match validator.identity(&client.chain) {
        Ok(who) => {
            let fix = format!(
                "ADD IDENTITY IF NOT EXISTS '{}' TO ROLE 'ROLE';",
                cql_quote(who.identity())
            );
            for w in who.warnings() {
                report.push(
                    Severity::Warning,
                    Check::Identity,
                    SECTION,
                    format!("{}: {w}", client.label),
                    None,
                );
            }
            report.push(
                Severity::Ok,
                Check::Identity,
                SECTION,
                format!(
                    "{} logs in as the role mapped to identity '{}' (system_auth.identity_to_role); an unmapped identity is refused: Certificate identity '{}' not authorized",
                    client.label,
                    who.identity(),
                    who.identity()
                ),
                Some(fix.as_str()),
            ); // 6.0: the validity period is checked once the identity is mapped
            // (MutualTlsAuthenticator.CertificateNegotiator.getAuthenticatedUser).
            if let Some(limits) = auth.client_certificate_validity {
                validity(
                    report,
                    &client.label,
                    who.identity(),
                    limits,
                    &client.chain,
                    at,
                );
            }
        }
        // The fallback is for clients without a certificate: one that presents a certificate
        // is refused (measured on 6.0-alpha2, tests/certificate_login_node.rs).
        Err(e) => report.push(
            Severity::Error,
            Check::Identity,
            SECTION,
            format!(
                "{}: {e}: the node refuses this client's login{}",
                client.label,
                if auth.client_certificate_login == CertificateLogin::Fallback {
                    " (the password fallback is only for clients that send no certificate)"
                } else {
                    ""
                }
            ),
            Some("issue the client a certificate with a spiffe:// URI subject alternative name"),
        ),
    }
}

/// The node's own outbound certificate as a peer with the same yaml receives it (a cluster's
/// nodes usually share one): `MutualTlsInternodeAuthenticator` must trust its identity, and
/// 6.0's `server_encryption_options.max_certificate_validity_period` must admit its validity.
/// Across several yamls the cluster matrix checks each pair instead.
fn peers_alike(report: &mut Report, auth: &AuthSetup, chain: &[Certificate], at: UnixTime) {
    let Some(Err(refusal)) = auth.authenticate_peer(chain, at) else {
        return;
    };
    let (why, fix) = match refusal {
        PeerRefusal::NoIdentity(e) => (
            format!("its outbound certificate: {e}"),
            "give the outbound key store a certificate with a spiffe:// URI",
        ),
        PeerRefusal::Untrusted(identity) => (
            format!(
                "its outbound identity '{identity}' is not among the trusted identities {:?}",
                auth.trusted_peer_identities.as_deref().unwrap_or_default()
            ),
            "add the identity to trusted_peer_identities (no spaces after the commas)",
        ),
        PeerRefusal::ValidityPeriod { identity, exceeded } => (
            format!("identity '{identity}': {exceeded}"),
            "issue node certificates valid for no longer than server_encryption_options.max_certificate_validity_period, or raise that limit",
        ),
    };
    report.push(
        Severity::Warning,
        Check::Identity,
        SECTION,
        format!("a peer configured like this node refuses its internode connections: {why}"),
        Some(fix),
    );
}

/// The validity period of a certificate whose identity the node maps, against 6.0's
/// `client_encryption_options.max_certificate_validity_period` and warning threshold.
fn validity(
    report: &mut Report,
    label: &str,
    identity: &str,
    limits: CertificateValidityPeriod,
    chain: &[Certificate],
    at: UnixTime,
) {
    match limits.validate(chain, at) {
        Err(e) => report.push(
            Severity::Error,
            Check::Identity,
            SECTION,
            format!("{label}: even once '{identity}' is mapped, the node refuses this login: {e}"),
            Some(
                "issue the client a certificate valid for no longer than client_encryption_options.max_certificate_validity_period, or raise that limit",
            ),
        ),
        Ok(Some(checked)) if checked.warn => report.push(
            Severity::Warning,
            Check::Identity,
            SECTION,
            format!(
                "{label}: the node warns (rate-limited) when it logs in: Certificate with identity '{identity}' will expire in {} (client_encryption_options.certificate_validity_warn_threshold)",
                checked.expires_in()
            ),
            Some("renew the client certificate"),
        ),
        Ok(_) => {}
    }
}

/// A CQL string literal's body: quotes doubled.
fn cql_quote(s: &str) -> String {
    s.replace('\'', "''")
}
