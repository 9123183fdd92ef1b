//! A PKI: certificate authorities, node and client certificates, written as the key stores
//! Cassandra reads (feature `pki`, which `cli` and `test-pki` turn on; also reachable as
//! `test_pki` with `test-pki`). `cassandra-tls pki`, `export` and `convert` are built on it.
//!
//! So that chains can be unit-tested without keytool or OpenSSL: a root CA, intermediates, and
//! leaf certificates with IP, DNS and URI (SPIFFE) names, extended key usages and chosen
//! validity windows (expired ones too), generated with rcgen; then written by [`mod@write`] as JKS,
//! JCEKS, PKCS#12 (the JDK 17 defaults or the legacy algorithms) and PEM (plain or encrypted
//! PKCS#8), with a store password and a separate key password. Every format loads in the JDK
//! (the tests list each file with `keytool -list -v` and handshake with a JSSE peer).
//!
//! ```
//! use cassandra_tls::pki::{Ca, write};
//!
//! let root = Ca::root("Test Root CA")?;
//! let intermediate = root.intermediate("Test Intermediate CA")?;
//! let node = intermediate
//!     .leaf("node1")
//!     .ip("127.0.0.1".parse().unwrap())
//!     .dns("node1.cluster.local")
//!     .issue()?;
//! assert_eq!(node.chain().len(), 3);
//! let keystore = write::jks(&[write::StoreEntry::key("node1", &node)], "storepass", "keypass")?;
//! let truststore =
//!     write::jks(&[write::StoreEntry::trusted("ca", root.certificate())], "storepass", "keypass")?;
//! # let _ = (keystore, truststore);
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

pub mod write;

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SanType, SerialNumber,
};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::error::{Error, Origin, Result};
use crate::keystore::Certificate;

/// The key algorithms a test certificate can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KeyType {
    /// ECDSA on P-256 with SHA-256 (fast to generate: the default).
    #[default]
    EcdsaP256,
    /// ECDSA on P-384 with SHA-384.
    EcdsaP384,
    /// RSA, 2048 bits, PKCS#1 v1.5 signatures with SHA-256 (what keytool makes by default).
    Rsa2048,
    /// RSA, 3072 bits, PKCS#1 v1.5 signatures with SHA-256.
    Rsa3072,
}

/// When a certificate is valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// Not valid before.
    pub not_before: OffsetDateTime,
    /// Not valid after.
    pub not_after: OffsetDateTime,
}

impl Validity {
    /// From an hour ago until `days` from now.
    pub fn days(days: u64) -> Self {
        let now = OffsetDateTime::now_utc();
        Validity {
            not_before: now - Duration::from_secs(3600),
            not_after: now + Duration::from_secs(days * 86_400),
        }
    }

    /// Expired: valid for a year that ended `days_ago` days ago.
    pub fn expired(days_ago: u64) -> Self {
        let end = OffsetDateTime::now_utc() - Duration::from_secs(days_ago * 86_400);
        Validity {
            not_before: end - Duration::from_secs(365 * 86_400),
            not_after: end,
        }
    }

    /// Not valid yet: valid for a year from `days_ahead` days from now.
    pub fn not_yet_valid(days_ahead: u64) -> Self {
        let start = OffsetDateTime::now_utc() + Duration::from_secs(days_ahead * 86_400);
        Validity {
            not_before: start,
            not_after: start + Duration::from_secs(365 * 86_400),
        }
    }
}

impl Default for Validity {
    /// A year from an hour ago.
    fn default() -> Self {
        Validity::days(365)
    }
}

/// Extended key usages of a leaf certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Eku {
    /// TLS server (id-kp-serverAuth).
    ServerAuth,
    /// TLS client (id-kp-clientAuth).
    ClientAuth,
}

fn error(what: impl fmt::Display) -> Error {
    Error::config(
        &Origin::Bytes("<test-pki>".into()),
        None,
        None,
        format!("test PKI: {what}"),
    )
}

fn key_pair(key_type: KeyType) -> Result<KeyPair> {
    match key_type {
        KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256),
        KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384),
        KeyType::Rsa2048 => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_2048)
        }
        KeyType::Rsa3072 => {
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, rcgen::RsaKeySize::_3072)
        }
    }
    .map_err(|e| error(format!("key generation: {e}")))
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    crate::provider::default_provider()
        .secure_random
        .fill(&mut bytes)
        .expect("the system random generator works");
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x01; // and of full length
    SerialNumber::from_slice(&bytes)
}

fn params(common_name: &str, validity: Validity) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, "cassandra-tls test PKI");
    p.distinguished_name = dn;
    p.not_before = validity.not_before;
    p.not_after = validity.not_after;
    p.serial_number = Some(random_serial());
    p.use_authority_key_identifier_extension = true;
    p
}

/// A certificate authority: a root, or an intermediate signed by another CA.
pub struct Ca {
    /// The name, key identifier and key that sign.
    issuer: Issuer<'static, KeyPair>,
    /// This CA's certificate, then its issuers up to the root.
    chain: Vec<Certificate>,
}

impl fmt::Debug for Ca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ca")
            .field("subject", &self.chain[0].info().map(|i| i.subject).ok())
            .field("key", &"<redacted>")
            .finish()
    }
}

fn ca_params(common_name: &str, validity: Validity) -> CertificateParams {
    let mut p = params(common_name, validity);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p
}

fn certificate(cert: &rcgen::Certificate) -> Result<Certificate> {
    Certificate::from_der_bytes(cert.der().to_vec())
        .map_err(|e| error(format!("generated certificate: {e}")))
}

impl Ca {
    /// A self-signed root CA, ECDSA P-256, valid for ten years.
    pub fn root(common_name: &str) -> Result<Ca> {
        Ca::root_with(common_name, KeyType::default(), Validity::days(3650))
    }

    /// A self-signed root CA with the key type and validity given.
    pub fn root_with(common_name: &str, key_type: KeyType, validity: Validity) -> Result<Ca> {
        let params = ca_params(common_name, validity);
        let key = key_pair(key_type)?;
        let cert = params
            .self_signed(&key)
            .map_err(|e| error(format!("self-signing: {e}")))?;
        Ok(Ca {
            chain: vec![certificate(&cert)?],
            issuer: Issuer::new(params, key),
        })
    }

    /// An intermediate CA signed by this one, ECDSA P-256, valid for five years.
    pub fn intermediate(&self, common_name: &str) -> Result<Ca> {
        self.intermediate_with(common_name, KeyType::default(), Validity::days(1825))
    }

    /// An intermediate CA signed by this one, with the key type and validity given.
    pub fn intermediate_with(
        &self,
        common_name: &str,
        key_type: KeyType,
        validity: Validity,
    ) -> Result<Ca> {
        let params = ca_params(common_name, validity);
        let key = key_pair(key_type)?;
        let cert = params
            .signed_by(&key, &self.issuer)
            .map_err(|e| error(format!("signing: {e}")))?;
        let mut chain = vec![certificate(&cert)?];
        chain.extend(self.chain.iter().cloned());
        Ok(Ca {
            issuer: Issuer::new(params, key),
            chain,
        })
    }

    /// A root CA from its certificate and its private key (unencrypted PKCS#8), as [`Ca::key_pkcs8`]
    /// gave them: to sign more certificates later (`cassandra-tls pki add-node`).
    pub fn from_parts(certificate: Certificate, key_pkcs8: &[u8]) -> Result<Ca> {
        let der = rustls_pki_types::PrivatePkcs8KeyDer::from(key_pkcs8);
        let key = KeyPair::try_from(&der).map_err(|e| error(format!("the CA key: {e}")))?;
        let parsed = crate::keystore::PrivateKey::parse(
            Zeroizing::new(key_pkcs8.to_vec()),
            crate::keystore::KeyEncoding::Pkcs8,
        )
        .map_err(|e| error(format!("the CA key: {}", e.0)))?;
        let spki = certificate
            .spki()
            .map_err(|e| error(format!("the CA certificate: {}", e.0)))?;
        if parsed.matches(&spki) == Some(false) {
            return Err(error("the CA key does not belong to the CA certificate"));
        }
        let issuer = Issuer::from_ca_cert_der(certificate.der(), key)
            .map_err(|e| error(format!("the CA certificate: {e}")))?;
        Ok(Ca {
            issuer,
            chain: vec![certificate],
        })
    }

    /// This CA's private key as unencrypted PKCS#8 DER. A secret: keep it offline.
    pub fn key_pkcs8(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.issuer.key().serialize_der())
    }

    /// This CA's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.chain[0]
    }

    /// This CA's certificate followed by its issuers up to the root.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The root at the top of this CA's chain: what a truststore holds.
    pub fn root_certificate(&self) -> &Certificate {
        self.chain.last().expect("a chain is never empty")
    }

    /// Starts a leaf certificate signed by this CA. By default: ECDSA P-256, valid for a
    /// year, usable as TLS server and client (as Cassandra's internode certificates must be),
    /// no subject alternative name.
    pub fn leaf(&self, common_name: &str) -> LeafBuilder<'_> {
        LeafBuilder {
            ca: self,
            common_name: common_name.to_owned(),
            sans: Vec::new(),
            ekus: None,
            validity: Validity::default(),
            key_type: KeyType::default(),
        }
    }
}

/// A leaf certificate being described; [`LeafBuilder::issue`] makes it.
#[derive(Debug)]
pub struct LeafBuilder<'a> {
    ca: &'a Ca,
    common_name: String,
    sans: Vec<San>,
    /// `None`: server and client.
    ekus: Option<Vec<Eku>>,
    validity: Validity,
    key_type: KeyType,
}

#[derive(Debug)]
enum San {
    Ip(IpAddr),
    Dns(String),
    Uri(String),
}

impl LeafBuilder<'_> {
    /// Adds an IP address SAN (what endpoint verification checks for internode peers).
    pub fn ip(mut self, ip: IpAddr) -> Self {
        self.sans.push(San::Ip(ip));
        self
    }

    /// Adds a DNS name SAN.
    pub fn dns(mut self, name: &str) -> Self {
        self.sans.push(San::Dns(name.to_owned()));
        self
    }

    /// Adds a URI SAN, such as a SPIFFE ID (`spiffe://trust-domain/path`), which Cassandra's
    /// mTLS authenticators read as the identity.
    pub fn uri(mut self, uri: &str) -> Self {
        self.sans.push(San::Uri(uri.to_owned()));
        self
    }

    /// Sets the extended key usages (replacing the default of both server and client). An
    /// empty list leaves the extension out.
    pub fn ekus(mut self, ekus: &[Eku]) -> Self {
        self.ekus = Some(ekus.to_vec());
        self
    }

    /// Sets the validity window (expired ones included).
    pub fn validity(mut self, validity: Validity) -> Self {
        self.validity = validity;
        self
    }

    /// Sets the key type.
    pub fn key_type(mut self, key_type: KeyType) -> Self {
        self.key_type = key_type;
        self
    }

    /// Generates the key and the certificate, signed by the CA.
    pub fn issue(self) -> Result<Identity> {
        let mut p = params(&self.common_name, self.validity);
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = match self.key_type {
            KeyType::Rsa2048 | KeyType::Rsa3072 => vec![
                KeyUsagePurpose::DigitalSignature,
                KeyUsagePurpose::KeyEncipherment,
            ],
            _ => vec![KeyUsagePurpose::DigitalSignature],
        };
        let ekus = self
            .ekus
            .clone()
            .unwrap_or_else(|| vec![Eku::ServerAuth, Eku::ClientAuth]);
        p.extended_key_usages = ekus
            .iter()
            .map(|e| match e {
                Eku::ServerAuth => ExtendedKeyUsagePurpose::ServerAuth,
                Eku::ClientAuth => ExtendedKeyUsagePurpose::ClientAuth,
            })
            .collect();
        for san in &self.sans {
            let ia5 = |s: &str| {
                s.to_owned()
                    .try_into()
                    .map_err(|e| error(format!("'{s}' is not an IA5 string: {e}")))
            };
            p.subject_alt_names.push(match san {
                San::Ip(ip) => SanType::IpAddress(*ip),
                San::Dns(d) => SanType::DnsName(ia5(d)?),
                San::Uri(u) => SanType::URI(ia5(u)?),
            });
        }
        let key = key_pair(self.key_type)?;
        let issuer = &self.ca.issuer;
        let cert = p
            .signed_by(&key, issuer)
            .map_err(|e| error(format!("signing: {e}")))?;
        let mut chain = vec![certificate(&cert)?];
        chain.extend(self.ca.chain.iter().cloned());
        Ok(Identity {
            chain,
            key_pkcs8: Zeroizing::new(key.serialize_der()),
        })
    }
}

/// A private key and its certificate chain (leaf first, up to the root).
#[derive(Clone)]
pub struct Identity {
    chain: Vec<Certificate>,
    key_pkcs8: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("subject", &self.chain[0].info().map(|i| i.subject).ok())
            .field("chain", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl Identity {
    /// A key and chain from elsewhere (a loaded key store, PEM files), to be written by
    /// [`mod@write`]: the chain leaf first, the key as unencrypted PKCS#8. The key must belong to
    /// the leaf.
    pub fn from_parts(chain: Vec<Certificate>, key_pkcs8: Zeroizing<Vec<u8>>) -> Result<Identity> {
        let leaf = chain
            .first()
            .ok_or_else(|| error("an identity needs a certificate"))?;
        let key = crate::keystore::PrivateKey::parse(
            key_pkcs8.clone(),
            crate::keystore::KeyEncoding::Pkcs8,
        )
        .map_err(|e| error(format!("the key is not PKCS#8: {}", e.0)))?;
        let spki = leaf
            .spki()
            .map_err(|e| error(format!("the certificate's public key: {}", e.0)))?;
        if key.matches(&spki) == Some(false) {
            return Err(error("the key does not belong to the certificate"));
        }
        Ok(Identity { chain, key_pkcs8 })
    }

    /// The leaf certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.chain[0]
    }

    /// The chain: leaf, intermediates, root.
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// The private key as unencrypted PKCS#8 DER. A secret: do not log it.
    pub fn private_key_pkcs8(&self) -> &[u8] {
        &self.key_pkcs8
    }
}
