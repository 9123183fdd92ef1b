//! rustls configs for Scylla's roles, from a resolved scylla.yaml ([`ScyllaNode`]), as
//! `utils::configure_tls_creds_builder` (`db/config.cc`) and Seastar's GnuTLS credentials build
//! them: a PEM `certificate` chain and an unencrypted `keyfile`, `truststore` as the only trust
//! anchors (no system trust), the CRL of `certficate_revocation_list`, the priority string's
//! rustls subset, `require_client_auth` as NONE/REQUEST/REQUIRE and `enable_session_tickets`.
//!
//! The internode client presents the node's own certificate (one `server_credentials` object
//! serves both directions) and checks the peer's chain, never its name (seastar's `tls::socket`
//! without a server name). The CQL client is what a driver does: the CQL section's truststore,
//! and the node's address checked against the certificate (scylla-rust-driver hands rustls
//! `ServerName::IpAddress`).

use std::sync::Arc;

use rustls::pki_types::CertificateRevocationListDer;
use rustls::pki_types::pem::PemObject;

use super::plan::{Plan, rustls_error};
use super::resolve::KeyChoice;
use super::{ClientRole, ClientTls, Role, ServerRole, ServerTls, TlsSettings, TlsWarning, verify};
use crate::error::{Error, Origin, Result, ScyllaStartupFailure};
use crate::keystore::{Certificate, KeyStore, StoreType};
use crate::options::ClientAuth;
use crate::options::scylla::{PemFile, ScyllaClientAuth, ScyllaNode, ScyllaSection, ScyllaService};

/// The Scylla service a server role is.
fn server_service(role: ServerRole) -> ScyllaService {
    match role {
        ServerRole::Internode => ScyllaService::Internode,
        ServerRole::Native => ScyllaService::Cql,
    }
}

/// The Scylla service a client role connects to.
fn client_service(role: ClientRole) -> ScyllaService {
    match role {
        ClientRole::Internode => ScyllaService::Internode,
        ClientRole::Native => ScyllaService::Cql,
    }
}

/// A start-up refusal of Scylla's, naming the key.
fn refusal(
    origin: &Origin,
    section: &ScyllaSection,
    key: &str,
    failure: ScyllaStartupFailure,
) -> Error {
    Error::ScyllaStartup {
        origin: origin.clone(),
        section: section.service.option().to_owned(),
        key: key.to_owned(),
        failure: Box::new(failure),
    }
}

/// `read_fully(name, what)` (seastar `tls-impl.cc`): `Could not read <what> <name>`.
fn read_pem(
    origin: &Origin,
    section: &ScyllaSection,
    file: &PemFile,
    what: &'static str,
) -> Result<Vec<u8>> {
    crate::options::read_bounded(&file.path, crate::options::MAX_MATERIAL).map_err(|e| {
        refusal(
            origin,
            section,
            file.key,
            ScyllaStartupFailure::Unreadable {
                what,
                path: file.path.clone(),
                reason: e.to_string(),
            },
        )
    })
}

/// The certificate and key files, as Scylla's reload log names them.
fn key_pair_files(section: &ScyllaSection) -> String {
    format!(
        "{}, {}",
        section.certificate.path.display(),
        section.keyfile.path.display()
    )
}

/// GnuTLS's refusal of a key pair (`gnutls_certificate_set_x509_key_mem`), as Scylla logs it.
fn key_refusal(origin: &Origin, section: &ScyllaSection, e: &Error) -> Error {
    let (key, code, text) = match e {
        Error::WrongKeyPassword { .. } => ("keyfile", -24, "Decryption has failed."),
        Error::KeyCertMismatch { .. } => (
            "keyfile",
            -60,
            "The certificate and the given key do not match.",
        ),
        _ => ("certificate", -34, "Base64 decoding error."),
    };
    refusal(
        origin,
        section,
        key,
        ScyllaStartupFailure::Gnutls {
            files: key_pair_files(section),
            code,
            text,
            detail: e.to_string(),
        },
    )
}

/// The node's key pair: `certificate` (the chain) and `keyfile` (unencrypted PEM).
fn key_store(origin: &Origin, section: &ScyllaSection) -> Result<KeyStore> {
    let cert = read_pem(origin, section, &section.certificate, "certificate file")?;
    let key = zeroize::Zeroizing::new(read_pem(origin, section, &section.keyfile, "key file")?);
    let store = KeyStore::loader()
        .store_type(Some(StoreType::Pem))
        .certificates_pem(cert)
        .load_from(&key, Origin::file(&section.keyfile.path))
        .map_err(|e| key_refusal(origin, section, &e))?;
    let chain_len = store.private_keys().next().map(|e| e.chain().len());
    let (key, code, text, detail) = match chain_len {
        Some(n) if n > 0 => return Ok(store),
        Some(_) => (
            "certificate",
            -34,
            "Base64 decoding error.",
            format!("no certificate in {}", section.certificate.path.display()),
        ),
        None => (
            "keyfile",
            -56,
            "The requested data were not available.",
            format!("no private key in {}", section.keyfile.path.display()),
        ),
    };
    Err(refusal(
        origin,
        section,
        key,
        ScyllaStartupFailure::Gnutls {
            files: key_pair_files(section),
            code,
            text,
            detail,
        },
    ))
}

/// The certificates of `truststore`: every PEM certificate GnuTLS would take; none at all when
/// the key is absent, the file empty or garbage (`gnutls_certificate_set_x509_trust_mem`
/// returns 0 and Scylla starts; peers then fail at handshake time).
fn trust_anchors(origin: &Origin, section: &ScyllaSection) -> Result<Vec<Certificate>> {
    let Some(file) = &section.truststore else {
        return Ok(Vec::new());
    };
    let bytes = read_pem(origin, section, file, "trust file")?;
    Ok(rustls::pki_types::CertificateDer::pem_slice_iter(&bytes)
        .filter_map(|c| c.ok())
        .filter_map(|c| Certificate::from_der_bytes(c.to_vec()).ok())
        .collect())
}

/// The CRLs of `certficate_revocation_list` (GnuTLS: a file without one is -34).
fn crls(
    origin: &Origin,
    section: &ScyllaSection,
) -> Result<Vec<CertificateRevocationListDer<'static>>> {
    let Some(file) = &section.crl else {
        return Ok(Vec::new());
    };
    let bytes = read_pem(origin, section, file, "crl file")?;
    let crls: Vec<_> = CertificateRevocationListDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<_, _>>()
        .unwrap_or_default();
    if crls.is_empty() {
        return Err(refusal(
            origin,
            section,
            file.key,
            ScyllaStartupFailure::Gnutls {
                files: file.path.display().to_string(),
                code: -34,
                text: "Base64 decoding error.",
                detail: "no X509 CRL in the file".into(),
            },
        ));
    }
    Ok(crls)
}

/// The provider and versions the section's priority string leaves (a string GnuTLS refuses
/// is Scylla's start-up refusal, "Could not set priority: ...").
fn plan(
    origin: &Origin,
    section: &ScyllaSection,
    role: Role,
    client_auth: ClientAuth,
    check_name: bool,
    settings: &TlsSettings,
) -> Result<Plan> {
    let priority = section.priority.as_ref().map_err(|r| {
        refusal(
            origin,
            section,
            "priority_string",
            ScyllaStartupFailure::Priority {
                rest: r.at.clone(),
                code: r.gnutls_error().0,
                text: r.gnutls_error().1,
            },
        )
    })?;
    // Scylla starts with such a string (GnuTLS has suites rustls lacks): ours, not Scylla's.
    let restricted =
        super::restrict_to_priority(priority, settings.provider.as_ref()).map_err(|e| {
            Error::config(
                origin,
                Some(section.service.option()),
                Some("priority_string"),
                format!(
                    "'{}' leaves nothing rustls can negotiate: {e}",
                    section.priority_string
                ),
            )
        })?;
    Ok(Plan {
        role,
        section: section.service.option(),
        provider: restricted.provider,
        versions: restricted.versions,
        client_auth,
        require_endpoint_verification: check_name,
        warnings: Vec::new(),
    })
}

fn keys(
    origin: &Origin,
    section: &ScyllaSection,
    plan: &Plan,
    warnings: &mut Vec<TlsWarning>,
) -> Result<KeyChoice> {
    let store = key_store(origin, section)?;
    super::material::store_warnings(&store, warnings);
    // Cassandra's PEM factory's limits are not Scylla's (GnuTLS reads PKCS#1 and SEC1 keys).
    warnings.retain(|w| {
        !matches!(
            w,
            TlsWarning::Store {
                warning: crate::keystore::Warning::NotReadByCassandra { .. },
                ..
            }
        )
    });
    KeyChoice::new(&store, &plan.provider, None, warnings)
        .map_err(|e| key_refusal(origin, section, &e))
}

/// The server config of `role` on a Scylla node.
pub(crate) fn server_config(
    node: &ScyllaNode,
    role: ServerRole,
    settings: &TlsSettings,
) -> Result<ServerTls> {
    let origin = node.yaml().origin();
    let section = node.section(server_service(role));
    let client_auth = match section.client_auth {
        ScyllaClientAuth::None => ClientAuth::NotRequired,
        ScyllaClientAuth::Request => ClientAuth::Optional,
        ScyllaClientAuth::Require => ClientAuth::Required,
    };
    let plan = plan(origin, section, role.into(), client_auth, false, settings)?;
    let mut warnings = Vec::new();
    // The key pair first, then trust and CRL, as configure_tls_creds_builder sets them.
    let keys = keys(origin, section, &plan, &mut warnings)?;
    let anchors = trust_anchors(origin, section)?;
    let crls = crls(origin, section)?;
    let mandatory = client_auth == ClientAuth::Required;
    let verifier: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>> =
        match (client_auth, anchors.is_empty()) {
            (ClientAuth::NotRequired, _) => None,
            (_, true) => Some(Arc::new(verify::NoTrustAnchors {
                provider: plan.provider.clone(),
                mandatory,
            })),
            (_, false) => Some(Arc::new(
                verify::ClientVerifier::with_crls(
                    &anchors,
                    crls,
                    plan.provider.clone(),
                    mandatory,
                    settings.expired_peer,
                )
                .map_err(|e| rustls_error(origin, plan.section, e))?,
            )),
        };
    let sessions = if section.session_tickets {
        super::Sessions::Kept
    } else {
        super::Sessions::NotKept
    };
    super::assemble_server(
        origin,
        plan,
        settings,
        warnings,
        Arc::new(keys),
        verifier,
        sessions,
    )
}

/// The client config of `role` on a Scylla node: the internode client (the node's own key
/// pair, the chain checked and never the name), or a driver of the CQL port (the CQL section's
/// truststore, the node's address checked; the section's key pair presented when the CQL port
/// asks for client certificates).
pub(crate) fn client_config(
    node: &ScyllaNode,
    role: ClientRole,
    settings: &TlsSettings,
) -> Result<ClientTls> {
    let origin = node.yaml().origin();
    let section = node.section(client_service(role));
    let check_name = role == ClientRole::Native;
    let plan = plan(
        origin,
        section,
        role.into(),
        ClientAuth::NotRequired,
        check_name,
        settings,
    )?;
    let mut warnings = Vec::new();
    let presents = role == ClientRole::Internode || section.client_auth != ScyllaClientAuth::None;
    let keys = if presents {
        Some(Arc::new(keys(origin, section, &plan, &mut warnings)?)
            as Arc<dyn rustls::client::ResolvesClientCert>)
    } else {
        None
    };
    let anchors = trust_anchors(origin, section)?;
    let crls = crls(origin, section)?;
    let verifier: Arc<dyn rustls::client::danger::ServerCertVerifier> = if anchors.is_empty() {
        Arc::new(verify::NoTrustAnchors {
            provider: plan.provider.clone(),
            mandatory: true,
        })
    } else {
        Arc::new(
            verify::ServerVerifier::with_crls(
                &anchors,
                crls,
                plan.provider.clone(),
                check_name,
                settings.expired_peer,
            )
            .map_err(|e| rustls_error(origin, plan.section, e))?,
        )
    };
    let mut client = super::assemble_client(
        origin,
        plan,
        settings,
        warnings,
        keys,
        verifier,
        super::Sessions::Kept,
    )?;
    if role == ClientRole::Internode {
        client
            .warnings
            .retain(|w| !matches!(w, TlsWarning::NoServerNameCheck { .. }));
        client.warnings.push(TlsWarning::ScyllaInternodeChainOnly);
    }
    Ok(client)
}

/// The key store a Scylla role presents (`certificate` and `keyfile`).
pub(crate) fn role_key_store(node: &ScyllaNode, role: Role) -> Result<KeyStore> {
    let section = node.section(role_service(role));
    key_store(node.yaml().origin(), section)
}

/// The trust anchors of a Scylla role's section (`truststore`; none when it is absent).
pub(crate) fn role_trust_anchors(node: &ScyllaNode, role: Role) -> Result<Vec<Certificate>> {
    let section = node.section(role_service(role));
    trust_anchors(node.yaml().origin(), section)
}

fn role_service(role: Role) -> ScyllaService {
    match role {
        Role::InternodeServer | Role::InternodeClient => ScyllaService::Internode,
        Role::NativeServer | Role::NativeClient => ScyllaService::Cql,
    }
}
