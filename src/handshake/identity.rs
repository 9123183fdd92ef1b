//! What the peer proved it is: its certificate chain and the names in it.

use std::net::IpAddr;
use std::sync::OnceLock;

use crate::keystore::{Certificate, CertificateInfo};

/// The peer of an established session. The leaf's fields are parsed on first use, so a
/// handshake whose caller never asks costs no certificate parsing beyond the verifier's.
#[derive(Clone, Debug)]
pub struct PeerIdentity {
    chain: Vec<Certificate>,
    leaf_info: OnceLock<Option<CertificateInfo>>,
}

impl PeerIdentity {
    pub(crate) fn from_chain(chain: Vec<Certificate>) -> Self {
        PeerIdentity {
            chain,
            leaf_info: OnceLock::new(),
        }
    }

    fn leaf_info(&self) -> Option<&CertificateInfo> {
        self.leaf_info
            .get_or_init(|| self.chain.first().and_then(|c| c.info().ok()))
            .as_ref()
    }

    /// The chain the peer sent, leaf first; empty when a client sent no certificate.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// Whether the peer presented a certificate at all.
    pub fn is_authenticated(&self) -> bool {
        !self.chain.is_empty()
    }

    /// The leaf's fields.
    pub fn leaf(&self) -> Option<&CertificateInfo> {
        self.leaf_info()
    }

    /// The leaf's subject, Java style.
    pub fn subject(&self) -> Option<&str> {
        self.leaf_info().map(|l| l.subject.as_str())
    }

    /// DNS SANs of the leaf.
    pub fn dns_names(&self) -> &[String] {
        self.leaf_info()
            .map(|l| l.dns_names.as_slice())
            .unwrap_or(&[])
    }

    /// IP SANs of the leaf.
    pub fn ip_addresses(&self) -> &[IpAddr] {
        self.leaf_info()
            .map(|l| l.ip_addresses.as_slice())
            .unwrap_or(&[])
    }

    /// URI SANs of the leaf.
    pub fn uris(&self) -> &[String] {
        self.leaf_info().map(|l| l.uris.as_slice()).unwrap_or(&[])
    }

    /// The SPIFFE id, as Cassandra's `SpiffeCertificateValidator` finds it: the first URI SAN
    /// starting with `spiffe://`.
    pub fn spiffe_id(&self) -> Option<&str> {
        self.uris()
            .iter()
            .find(|u| u.starts_with("spiffe://"))
            .map(String::as_str)
    }

    /// SHA-256 of the leaf, lowercase hex.
    pub fn sha256_hex(&self) -> Option<String> {
        self.chain.first().map(Certificate::sha256_hex)
    }
}
