//! Server configs: [`ServerTls`], shared or built per connection when the client's certificate
//! must name its address.

use std::sync::Arc;

use rustls::server::danger::ClientCertVerifier;
use rustls::{ConfigBuilder, ServerConfig, WantsVerifier};

use super::plan::{Plan, rustls_error, time_provider};
use super::{ServerRole, TlsSettings, TlsWarning, verify};
use crate::error::{Origin, Result};
use crate::options::{CassandraYaml, ClientAuth};

/// A server config, and for `require_endpoint_verification` the per-connection check of the
/// client's address.
///
/// With endpoint verification the client's certificate must name the address the client
/// connects from, which only the connection knows: [`ServerTls::config_for`] gives a config
/// for one connection whose verifier checks it during the handshake (a client that fails it
/// gets a `bad_certificate` alert). [`ServerTls::config_without_client_address_check`] is the
/// shared config, which checks the chain only.
#[derive(Debug, Clone)]
pub struct ServerTls {
    config: Arc<ServerConfig>,
    /// What a per-connection config is built from (endpoint verification only).
    per_connection: Option<Arc<PerConnection>>,
    /// A reloadable config's generations: connections take the one current at their creation.
    pub(super) generations: Option<Arc<super::reload::ServerSide>>,
    /// How client certificates are asked for.
    client_auth: ClientAuth,
    /// `require_endpoint_verification`: the client's certificate must name the client's
    /// address, which only the handshake knows.
    verify_client_address: bool,
    /// Warnings gathered while building.
    pub warnings: Vec<TlsWarning>,
}

/// The parts of a server config, to build one per connection with the address check: the
/// builder already holding the provider, time and protocol versions (checked when the shared
/// config was built), the keys and the chain verifier.
#[derive(Debug)]
struct PerConnection {
    builder: ConfigBuilder<ServerConfig, WantsVerifier>,
    keys: Arc<dyn rustls::server::ResolvesServerCert>,
    verifier: Arc<dyn ClientCertVerifier>,
}

impl ServerTls {
    /// How client certificates are asked for (`require_client_auth`; always required for
    /// inbound internode).
    pub fn client_auth(&self) -> ClientAuth {
        self.client_auth
    }

    /// Whether the client's certificate must name the client's address
    /// (`require_endpoint_verification` with client certificates asked for): checked by the
    /// configs of [`ServerTls::config_for`], not by the shared one.
    pub fn verifies_client_address(&self) -> bool {
        self.verify_client_address
    }

    /// The rustls config for a connection from `peer`: with endpoint verification its client
    /// verifier also checks that the client's certificate names `peer` (refused in the
    /// handshake, with an alert); otherwise the shared config. For a fixed config, sessions are
    /// shared with the shared config.
    ///
    /// For a reloading config ([`super::reload`]), the config of the material in use now,
    /// bound to it for the connection's whole life: its key, its check of the client and the
    /// sessions it stores and resumes all belong to that generation, so no session crosses a
    /// reload. Call it for each connection.
    pub fn config_for(&self, peer: std::net::IpAddr) -> Arc<ServerConfig> {
        if let Some(generations) = &self.generations {
            return generations.config_for(peer);
        }
        let Some(parts) = &self.per_connection else {
            return self.config.clone();
        };
        let verifier = Arc::new(verify::AddressBound {
            inner: parts.verifier.clone(),
            address: peer,
        });
        let mut config = parts
            .builder
            .clone()
            .with_client_cert_verifier(verifier)
            .with_cert_resolver(parts.keys.clone());
        config.session_storage = self.config.session_storage.clone();
        config.alpn_protocols = self.config.alpn_protocols.clone();
        Arc::new(config)
    }

    /// The shared rustls config, for a caller that hands it to another TLS stack (a proxy
    /// with tokio-rustls, say). When [`ServerTls::verifies_client_address`] is true, this config
    /// does **not** check that the client's certificate names its address (Cassandra's
    /// `require_endpoint_verification`); use [`ServerTls::config_for`] per connection for that.
    ///
    /// For a reloading config ([`super::reload`]), a config that follows every reload (each
    /// handshake picks the key and checks the client with the material in use when it gets
    /// there) and therefore keeps no sessions: a session store cannot tell which material a
    /// session was made with, so every connection is a full handshake.
    /// [`ServerTls::config_for`], called per connection, resumes within one material.
    pub fn config_without_client_address_check(&self) -> &Arc<ServerConfig> {
        &self.config
    }
}

/// Builds the server config for a [`ServerRole`].
pub fn server_config(
    yaml: &CassandraYaml,
    role: ServerRole,
    settings: &TlsSettings,
) -> Result<ServerTls> {
    super::Node::new(yaml).server_config(role, settings)
}

/// A server config from a plan and (possibly swappable) material.
pub(crate) fn assemble_server(
    origin: &Origin,
    plan: Plan,
    settings: &TlsSettings,
    material_warnings: Vec<TlsWarning>,
    keys: Arc<dyn rustls::server::ResolvesServerCert>,
    verifier: Option<Arc<dyn ClientCertVerifier>>,
    sessions: super::Sessions,
) -> Result<ServerTls> {
    let time = time_provider(settings);
    let builder = ServerConfig::builder_with_details(plan.provider.clone(), time)
        .with_protocol_versions(&plan.versions)
        .map_err(|e| rustls_error(origin, plan.section, e))?;
    let verify_client_address =
        plan.require_endpoint_verification && plan.client_auth != ClientAuth::NotRequired;
    let per_connection = match (&verifier, verify_client_address) {
        (Some(v), true) => Some(Arc::new(PerConnection {
            builder: builder.clone(),
            keys: keys.clone(),
            verifier: v.clone(),
        })),
        _ => None,
    };
    let mut config = match verifier {
        None => builder.with_no_client_auth().with_cert_resolver(keys),
        Some(v) => builder
            .with_client_cert_verifier(v)
            .with_cert_resolver(keys),
    };
    if sessions == super::Sessions::NotKept {
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    let mut warnings = plan.warnings;
    warnings.extend(material_warnings);
    Ok(ServerTls {
        config: Arc::new(config),
        per_connection,
        generations: None,
        client_auth: plan.client_auth,
        verify_client_address,
        warnings,
    })
}
