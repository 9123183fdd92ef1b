//! Client configs: [`ClientTls`].

use std::sync::Arc;

use rustls::ClientConfig;

use super::plan::{Plan, rustls_error, time_provider};
use super::{ClientRole, TlsSettings, TlsWarning, verify};
use crate::error::{Origin, Result};
use crate::options::CassandraYaml;

/// A client config: the rustls config and what it does, read through accessors, and the
/// warnings gathered while building it.
#[derive(Debug, Clone)]
pub struct ClientTls {
    pub(super) config: Arc<ClientConfig>,
    /// A reloadable config's generations: connections take the one current at their creation.
    pub(super) generations: Option<Arc<super::reload::ClientSide>>,
    pub(super) verify_server_name: bool,
    pub(super) has_client_certificate: bool,
    /// Warnings gathered while building (among them [`TlsWarning::NoServerNameCheck`] when the
    /// server's name is not checked).
    pub warnings: Vec<TlsWarning>,
}

impl ClientTls {
    /// The rustls config, for a driver or a handshake: `tokio_rustls::TlsConnector::from(
    /// client.config().clone())`.
    ///
    /// For a reloading config ([`super::reload`]), a config to hand over once (to a driver that
    /// keeps it): it follows every reload (each handshake picks the key and checks the server
    /// with the material in use when it gets there) and therefore keeps no sessions, since a
    /// session store cannot tell which material a session was made with: every connection is a
    /// full handshake. A caller that creates each connection itself can resume within one
    /// material with [`ClientTls::current_config`].
    pub fn config(&self) -> &Arc<ClientConfig> {
        &self.config
    }

    /// The rustls config, taken out of the `ClientTls` ([`ClientTls::config`]).
    pub fn into_config(self) -> Arc<ClientConfig> {
        self.config
    }

    /// The rustls config for one new connection. For a reloading config, the config of the
    /// material in use now, bound to it for the connection's whole life: its key, its check of
    /// the server and the sessions it stores and resumes all belong to that generation, so no
    /// session crosses a reload (as a connection in Cassandra belongs to the SslContext it was
    /// created with). Call it for each connection; [`crate::handshake::Handshake::client`]
    /// does. For any other config, the same as [`ClientTls::config`].
    pub fn current_config(&self) -> Arc<ClientConfig> {
        match &self.generations {
            Some(generations) => generations.current_config(),
            None => self.config.clone(),
        }
    }

    /// Whether the server's certificate is checked against the name or address connected to
    /// (`require_endpoint_verification`; a driver's hostname validation). The chain is checked
    /// either way, unless a cqlshrc says `validate = false`.
    pub fn verifies_server_name(&self) -> bool {
        self.verify_server_name
    }

    /// Whether a client certificate will be offered.
    pub fn has_client_certificate(&self) -> bool {
        self.has_client_certificate
    }
}

/// Builds the client config for a [`ClientRole`].
pub fn client_config(
    yaml: &CassandraYaml,
    role: ClientRole,
    settings: &TlsSettings,
) -> Result<ClientTls> {
    super::Node::new(yaml).client_config(role, settings)
}

/// The client's check of the server. Material read from a yaml always has one (its
/// truststore); a client that checks nothing is only ever built on a caller's explicit request
/// (`DriverTls::dangerous_no_server_verification`, cqlshrc's `validate = false`), never by a
/// missing value.
pub(crate) fn server_check(
    verifier: Option<verify::ServerVerifier>,
    origin: &Origin,
    plan: &Plan,
) -> Result<Arc<dyn rustls::client::danger::ServerCertVerifier>> {
    match verifier {
        Some(v) => Ok(Arc::new(v)),
        None => Err(crate::error::Error::config(
            origin,
            Some(plan.section),
            Some("truststore"),
            "no truststore to check the server's certificate with",
        )),
    }
}

/// A client config from a plan and (possibly swappable) material.
pub(crate) fn assemble_client(
    origin: &Origin,
    plan: Plan,
    settings: &TlsSettings,
    material_warnings: Vec<TlsWarning>,
    keys: Option<Arc<dyn rustls::client::ResolvesClientCert>>,
    verifier: Arc<dyn rustls::client::danger::ServerCertVerifier>,
    sessions: super::Sessions,
) -> Result<ClientTls> {
    let builder =
        ClientConfig::builder_with_details(plan.provider.clone(), time_provider(settings))
            .with_protocol_versions(&plan.versions)
            .map_err(|e| rustls_error(origin, plan.section, e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
    let has_client_certificate = keys.is_some();
    let mut config = match keys {
        Some(k) => builder.with_client_cert_resolver(k),
        None => builder.with_no_client_auth(),
    };
    if sessions == super::Sessions::NotKept {
        config.resumption = rustls::client::Resumption::disabled();
    }
    let mut warnings = plan.warnings;
    warnings.extend(material_warnings);
    if !plan.require_endpoint_verification {
        warnings.push(TlsWarning::NoServerNameCheck {
            section: plan.section,
        });
    }
    Ok(ClientTls {
        config: Arc::new(config),
        generations: None,
        verify_server_name: plan.require_endpoint_verification,
        has_client_certificate,
        warnings,
    })
}
