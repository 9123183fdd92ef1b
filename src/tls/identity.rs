//! How a client checks each node's identity, beyond "the address it dialled".
//!
//! Cassandra's endpoint verification checks the node's certificate against the IP address
//! connected to. Drivers' users need more: pod IPs cannot go into certificates, clusters often
//! share one DNS name, and service meshes name workloads by SPIFFE ID (gocql #1232 and #1611,
//! scylla-rust-driver #1116, scylla-cqlsh #75). [`NodeVerifier`] checks the chain against the
//! truststore as always, then the name by the [`NodeIdentity`] chosen. It never looks a name up
//! in DNS (reverse DNS is spoofable, and the cpp driver's PR #523 shows how it goes wrong).
//!
//! ```
//! use std::sync::Arc;
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{self, NodeIdentity, NodeVerifier, TlsSettings, ClientRole};
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let settings = TlsSettings::default();
//! let client = tls::client_config(&yaml, ClientRole::Native, &settings)?;
//! // Every node presents a certificate for cassandra.prod.example, whatever its pod IP.
//! let verifier = NodeVerifier::for_role(
//!     &yaml,
//!     ClientRole::Native,
//!     NodeIdentity::ClusterName("cassandra.prod.example".into()),
//!     &settings,
//! )?;
//! let client = client.with_verifier(Arc::new(verifier));
//! // client.config() goes to the driver (scylla: TlsContext::Rustls023).
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

use crate::tls::verify::delegate_signatures;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

use rustls::Error;
use rustls::client::danger::{ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::verify::ServerVerifier;
use super::{ClientRole, ClientTls, TlsSettings};
use crate::keystore::Certificate;
use crate::options::CassandraYaml;

/// How the node's certificate must name the node.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodeIdentity {
    /// The server name the driver hands rustls for the connection (Cassandra's endpoint
    /// verification: an IP needs an IP SAN). The default. Which name that is, is the driver's
    /// choice: the scylla driver always hands the node's IP address, even when a host name
    /// was dialled, so its nodes' certificates need IP SANs.
    #[default]
    DialledAddress,
    /// One DNS name for the whole cluster, whatever address was dialled: for certificates that
    /// carry the cluster's name and not the nodes' addresses. It replaces the address check, so
    /// every holder of a certificate with that name is accepted as a node.
    ClusterName(String),
    /// A name per node address: the certificate of the node at an IP must name the IP's entry
    /// (a DNS name, or an IP address). An address without an entry is refused.
    AddressMap(HashMap<IpAddr, String>),
    /// A SPIFFE identity in a URI SAN: this exact ID (`spiffe://domain/path`), or any ID of a
    /// trust domain (`spiffe://domain`, no path).
    Spiffe(String),
    /// The chain only: any node whose chain leads to the truststore. Use only where every
    /// holder of a certificate from that CA may act as a node.
    ChainOnly,
}

/// Checks a node's chain against a truststore, then its identity by a [`NodeIdentity`].
#[derive(Debug)]
pub struct NodeVerifier {
    chain: ServerVerifier,
    identity: NodeIdentity,
}

fn mismatch(expected: String, leaf: &CertificateDer<'_>) -> Error {
    super::verify::name_mismatch(expected, leaf)
}

fn check_name(leaf: &CertificateDer<'_>, name: &ServerName<'_>, what: String) -> Result<(), Error> {
    let parsed = rustls::server::ParsedCertificate::try_from(leaf)?;
    rustls::client::verify_server_name(&parsed, name).map_err(|_| mismatch(what, leaf))
}

fn describe(name: &ServerName<'_>) -> String {
    match name {
        ServerName::IpAddress(ip) => format!("the address {}", IpAddr::from(*ip)),
        ServerName::DnsName(d) => format!("the DNS name {}", d.as_ref()),
        other => format!("{other:?}"),
    }
}

fn invalid(message: String) -> crate::Error {
    crate::Error::config(
        &crate::Origin::Bytes("<node identity>".into()),
        None,
        None,
        message,
    )
}

impl NodeVerifier {
    /// A verifier over these trust anchors.
    pub fn new(
        anchors: &[Certificate],
        identity: NodeIdentity,
        settings: &TlsSettings,
    ) -> crate::Result<NodeVerifier> {
        let provider = crate::provider::resolve(settings.provider.as_ref());
        let chain = ServerVerifier::new(anchors, provider, false, settings.expired_peer)
            .map_err(|e| invalid(format!("cannot build the node verifier: {e}")))?;
        if let NodeIdentity::Spiffe(id) = &identity
            && !id.starts_with("spiffe://")
        {
            return Err(invalid(format!(
                "'{id}' is not a SPIFFE ID or trust domain (spiffe://domain[/path])"
            )));
        }
        if let NodeIdentity::ClusterName(n) = &identity {
            ServerName::try_from(n.as_str())
                .map_err(|_| invalid(format!("'{n}' is not a DNS name or an address")))?;
        }
        Ok(NodeVerifier { chain, identity })
    }

    /// A verifier over the truststore of a client role's section
    /// ([`ClientRole::Native`]'s `client_encryption_options`, [`ClientRole::Internode`]'s
    /// `server_encryption_options`).
    pub fn for_role(
        yaml: &CassandraYaml,
        role: ClientRole,
        identity: NodeIdentity,
        settings: &TlsSettings,
    ) -> crate::Result<NodeVerifier> {
        let anchors = super::Node::new(yaml).trust_anchors(role.into())?;
        NodeVerifier::new(&anchors, identity, settings)
    }

    fn check_identity(
        &self,
        leaf: &CertificateDer<'_>,
        dialled: &ServerName<'_>,
    ) -> Result<(), Error> {
        match &self.identity {
            NodeIdentity::ChainOnly => Ok(()),
            NodeIdentity::DialledAddress => check_name(leaf, dialled, describe(dialled)),
            NodeIdentity::ClusterName(n) => {
                let name = ServerName::try_from(n.as_str())
                    .map_err(|_| Error::General(format!("'{n}' is not a name")))?;
                check_name(leaf, &name, describe(&name))
            }
            NodeIdentity::AddressMap(map) => {
                let ServerName::IpAddress(ip) = dialled else {
                    return Err(mismatch(
                        format!(
                            "an entry of the address map for {} (a name was dialled, not an address)",
                            describe(dialled)
                        ),
                        leaf,
                    ));
                };
                let ip = IpAddr::from(*ip);
                let Some(n) = map.get(&ip) else {
                    return Err(mismatch(
                        format!("an entry of the address map for {ip} (there is none)"),
                        leaf,
                    ));
                };
                let name = ServerName::try_from(n.as_str())
                    .map_err(|_| Error::General(format!("'{n}' is not a name")))?;
                check_name(
                    leaf,
                    &name,
                    format!("{} (the map's entry for {ip})", describe(&name)),
                )
            }
            NodeIdentity::Spiffe(id) => {
                let uris = Certificate::from_der_bytes(leaf.to_vec())
                    .ok()
                    .and_then(|c| c.info().ok())
                    .map(|i| i.uris)
                    .unwrap_or_default();
                let domain_only = id.trim_start_matches("spiffe://").trim_end_matches('/');
                let ok = if domain_only.contains('/') {
                    uris.iter().any(|u| u == id)
                } else {
                    uris.iter().any(|u| {
                        u.strip_prefix("spiffe://")
                            .and_then(|rest| rest.split_once('/'))
                            .is_some_and(|(d, path)| {
                                d.eq_ignore_ascii_case(domain_only) && !path.is_empty()
                            })
                    })
                };
                if ok {
                    Ok(())
                } else if domain_only.contains('/') {
                    Err(mismatch(format!("the SPIFFE ID {id}"), leaf))
                } else {
                    Err(mismatch(format!("a SPIFFE ID of {id}"), leaf))
                }
            }
        }
    }
}

impl ServerCertVerifier for NodeVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verified = self.chain.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )?;
        self.check_identity(end_entity, server_name)?;
        Ok(verified)
    }

    delegate_signatures!(self => self.chain);
}

impl ClientTls {
    /// This config with another check of the node's certificate (a [`NodeVerifier`]); the
    /// client certificate, protocols and suites stay. `verifies_server_name()` then says whether
    /// the new verifier checks a name. A reloading client becomes one config (its key store still
    /// follows reloads; the verifier is this one; no session is kept).
    pub fn with_verifier(mut self, verifier: Arc<NodeVerifier>) -> ClientTls {
        // One config from now on: a reloading client's keys still follow its reloads (through
        // its live resolver), its check of the server is this verifier, and no session is kept.
        self.generations = None;
        let mut config = (*self.config).clone();
        self.verify_server_name = verifier.identity != NodeIdentity::ChainOnly;
        config.dangerous().set_certificate_verifier(verifier);
        self.config = Arc::new(config);
        // Whether a name is checked is now the new verifier's to say.
        let mut section = None;
        self.warnings.retain(|w| match w {
            super::TlsWarning::NoServerNameCheck { section: s } => {
                section = Some(*s);
                false
            }
            _ => true,
        });
        if !self.verify_server_name {
            self.warnings.push(super::TlsWarning::NoServerNameCheck {
                section: section.unwrap_or("node identity"),
            });
        }
        self
    }
}
