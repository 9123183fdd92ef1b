//! Who a client certificate logs in as: Cassandra's `MutualTlsCertificateValidator`s (CEP-34),
//! which `MutualTlsAuthenticator`, `MutualTlsWithPasswordFallbackAuthenticator` and
//! `MutualTlsInternodeAuthenticator` ask for the identity they map to a role
//! (`system_auth.identity_to_role`).
//!
//! ```
//! use cassandra_tls::keystore::KeyStore;
//! use cassandra_tls::tls::CertificateValidator;
//!
//! let store = KeyStore::loader()
//!     .store_password("cassandra")
//!     .load_file("fixtures/stores/client1.jks")?;
//! let chain = store.private_keys().next().unwrap().chain();
//! let validator = CertificateValidator::from_class_name(
//!     "org.apache.cassandra.auth.SpiffeCertificateValidator",
//! )
//! .unwrap();
//! let who = validator.identity(chain).unwrap();
//! assert_eq!(who.identity(), "spiffe://cassandra.test/client/app1");
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

use std::fmt;

use crate::keystore::Certificate;

/// A certificate validator Cassandra can be configured with
/// (`authenticator.parameters.validator_class_name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateValidator {
    /// `org.apache.cassandra.auth.SpiffeCertificateValidator`: the identity is the leaf's first
    /// subject alternative name of type URI that starts with `spiffe://`, in certificate order
    /// (read from cassandra-all 5.0.9's class: only the leaf, only URI names, the prefix
    /// compared as written, no CA, CN or issuer check of its own).
    Spiffe,
}

/// Why a certificate gives no identity, in Cassandra's words.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// The client sent no certificate (`MutualTlsAuthenticator`: "No certificate present on
    /// connection").
    NoCertificate,
    /// The leaf has no SPIFFE URI (`SpiffeCertificateValidator`: "Unable to extract Spiffe
    /// from the certificate").
    NoSpiffe,
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdentityError::NoCertificate => "No certificate present on connection",
            IdentityError::NoSpiffe => "Unable to extract Spiffe from the certificate",
        })
    }
}

impl std::error::Error for IdentityError {}

/// The identity a validator extracted, with what it passed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateIdentity {
    identity: String,
    ignored: Vec<String>,
}

impl CertificateIdentity {
    /// The identity, as `ADD IDENTITY '...' TO ROLE` must name it.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Other SPIFFE URIs of the leaf, which Cassandra silently ignores.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// What an operator should know: each ignored SPIFFE URI.
    pub fn warnings(&self) -> Vec<String> {
        self.ignored
            .iter()
            .map(|u| {
                format!(
                    "the certificate has more than one SPIFFE URI: {u} is ignored, the identity is {}",
                    self.identity
                )
            })
            .collect()
    }
}

impl CertificateValidator {
    /// The validator a `validator_class_name` names (the fully qualified class), or `None` for
    /// one this crate does not model.
    pub fn from_class_name(name: &str) -> Option<CertificateValidator> {
        (name.trim() == CertificateValidator::Spiffe.class_name())
            .then_some(CertificateValidator::Spiffe)
    }

    /// The Java class.
    pub const fn class_name(self) -> &'static str {
        match self {
            CertificateValidator::Spiffe => "org.apache.cassandra.auth.SpiffeCertificateValidator",
        }
    }

    /// `identity(Certificate[] clientCertificateChain)`: the identity Cassandra extracts from a
    /// client's chain (leaf first), or its error.
    pub fn identity(self, chain: &[Certificate]) -> Result<CertificateIdentity, IdentityError> {
        let leaf = chain.first().ok_or(IdentityError::NoCertificate)?;
        match self {
            CertificateValidator::Spiffe => {
                let uris = leaf.info().map(|i| i.uris).unwrap_or_default();
                let mut spiffe = uris.into_iter().filter(|u| u.starts_with("spiffe://"));
                let identity = spiffe.next().ok_or(IdentityError::NoSpiffe)?;
                Ok(CertificateIdentity {
                    identity,
                    ignored: spiffe.collect(),
                })
            }
        }
    }
}
