//! [`Certificate`]: one DER certificate from a store, parsed lazily.

use std::fmt;
use std::net::IpAddr;

use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate, X509Name};

use crate::asn1::{DerError, DerResult, Reader, oid, tag};

/// An X.509 certificate as stored: its DER bytes.
///
/// Loading a store checks only what it must (the outer structure and the public key
/// algorithm); the fields are parsed when [`Certificate::info`] asks for them, so a truststore
/// of many certificates loads at the cost of reading its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: CertificateDer<'static>,
}

impl Certificate {
    /// Wraps DER bytes, checking that they hold exactly one DER SEQUENCE with a readable
    /// subject public key.
    pub(crate) fn from_der(der: Vec<u8>) -> DerResult<Self> {
        let mut r = Reader::new(&der);
        r.expect(tag::SEQUENCE, "a certificate must be a DER SEQUENCE")?;
        if !r.is_empty() {
            return Err(DerError("bytes follow the certificate"));
        }
        let cert = Certificate { der: der.into() };
        cert.spki()?;
        Ok(cert)
    }

    /// A certificate from its DER bytes, checked as a store's certificates are: one DER
    /// SEQUENCE with a readable public key (EC keys on named curves only).
    pub fn from_der_bytes(der: impl Into<Vec<u8>>) -> Result<Self, crate::Error> {
        Certificate::from_der(der.into()).map_err(|e| {
            if e.0 == EXPLICIT_EC_PARAMS {
                crate::Error::unsupported(&crate::Origin::bytes(), e.0, "EC keys on named curves")
            } else {
                crate::Error::malformed(&crate::Origin::bytes(), format!("certificate: {}", e.0))
            }
        })
    }

    /// Wraps a certificate a TLS verifier has already accepted: no checks repeated.
    pub(crate) fn from_verified(der: rustls_pki_types::CertificateDer<'static>) -> Self {
        Certificate { der }
    }

    /// The DER encoding.
    pub fn der(&self) -> &CertificateDer<'static> {
        &self.der
    }

    /// The SHA-256 digest of the DER encoding, as `keytool -list -v` and
    /// `openssl x509 -fingerprint -sha256` show it.
    pub fn sha256(&self) -> [u8; 32] {
        Sha256::digest(self.der.as_ref()).into()
    }

    /// [`Certificate::sha256`] as lowercase hex.
    pub fn sha256_hex(&self) -> String {
        hex_lower(&self.sha256())
    }

    /// The SubjectPublicKeyInfo, found by walking the TBS structure without a full parse.
    pub(crate) fn spki(&self) -> DerResult<Spki<'_>> {
        let mut cert = Reader::new(self.der.as_ref());
        let mut tbs = cert.sequence("certificate")?.sequence("tbsCertificate")?;
        if tbs.peek_tag() == Some(0xa0) {
            tbs.any()?; // [0] version
        }
        tbs.expect(tag::INTEGER, "serial number")?;
        tbs.sequence("signature algorithm")?;
        tbs.sequence("issuer")?;
        tbs.sequence("validity")?;
        tbs.sequence("subject")?;
        let spki = tbs.expect(tag::SEQUENCE, "subjectPublicKeyInfo")?;
        Spki::parse(spki.raw)
    }

    /// The raw DER issuer and subject names, for chain building.
    pub(crate) fn issuer_and_subject(&self) -> DerResult<(&[u8], &[u8])> {
        let mut cert = Reader::new(self.der.as_ref());
        let mut tbs = cert.sequence("certificate")?.sequence("tbsCertificate")?;
        if tbs.peek_tag() == Some(0xa0) {
            tbs.any()?;
        }
        tbs.expect(tag::INTEGER, "serial number")?;
        tbs.sequence("signature algorithm")?;
        let issuer = tbs.expect(tag::SEQUENCE, "issuer")?.raw;
        tbs.sequence("validity")?;
        let subject = tbs.expect(tag::SEQUENCE, "subject")?.raw;
        Ok((issuer, subject))
    }

    /// Whether the KeyUsage extension asserts keyCertSign, walking the DER without a full parse
    /// (RFC 5280 4.2.1.3: only CA certificates may).
    pub(crate) fn asserts_key_cert_sign(&self) -> DerResult<bool> {
        const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
        let mut cert = Reader::new(self.der.as_ref());
        let mut tbs = cert.sequence("certificate")?.sequence("tbsCertificate")?;
        while let Some(tag) = tbs.peek_tag() {
            let field = tbs.any()?;
            if tag != 0xa3 {
                continue;
            }
            let mut exts = field.reader().sequence("extensions")?;
            while !exts.is_empty() {
                let mut ext = exts.sequence("extension")?;
                if ext.oid("extension id")? != KEY_USAGE {
                    continue;
                }
                if ext.peek_tag() == Some(0x01) {
                    ext.any()?; // critical
                }
                let value = ext.octet_string("key usage")?;
                let bits = Reader::new(value)
                    .expect(tag::BIT_STRING, "key usage bits")?
                    .value;
                // bits[0] is the unused-bit count; keyCertSign is bit 5 of the first byte.
                return Ok(bits.get(1).is_some_and(|b| b & 0x04 != 0));
            }
        }
        Ok(false)
    }

    /// The DNS, IP and URI subject alternative names in the certificate's own order (what a
    /// name check compares against); empty when there are none or it cannot be parsed.
    pub(crate) fn subject_alt_names(&self) -> Vec<String> {
        let Ok((_, x509)) = X509Certificate::from_der(self.der.as_ref()) else {
            return Vec::new();
        };
        let Ok(Some(san)) = x509.subject_alternative_name() else {
            return Vec::new();
        };
        san.value
            .general_names
            .iter()
            .filter_map(|name| match name {
                GeneralName::DNSName(d) => Some((*d).to_owned()),
                GeneralName::URI(u) => Some((*u).to_owned()),
                GeneralName::IPAddress(bytes) => ip_from_bytes(bytes).map(|ip| ip.to_string()),
                _ => None,
            })
            .collect()
    }

    /// The certificate's fields, parsed now.
    pub fn info(&self) -> Result<CertificateInfo, crate::Error> {
        let (_, x509) =
            X509Certificate::from_der(self.der.as_ref()).map_err(|e| crate::Error::Malformed {
                origin: crate::Origin::Bytes("<certificate>".into()),
                what: format!("cannot parse certificate: {e}"),
            })?;
        let mut dns_names = Vec::new();
        let mut ip_addresses = Vec::new();
        let mut uris = Vec::new();
        if let Ok(Some(san)) = x509.subject_alternative_name() {
            for name in &san.value.general_names {
                match name {
                    GeneralName::DNSName(d) => dns_names.push((*d).to_owned()),
                    GeneralName::URI(u) => uris.push((*u).to_owned()),
                    GeneralName::IPAddress(bytes) => {
                        if let Some(ip) = ip_from_bytes(bytes) {
                            ip_addresses.push(ip);
                        }
                    }
                    _ => {}
                }
            }
        }
        let extended_key_usage = x509.extended_key_usage().ok().flatten().map(|e| {
            let mut names = Vec::new();
            if e.value.any {
                names.push("anyExtendedKeyUsage".to_owned());
            }
            if e.value.server_auth {
                names.push("serverAuth".to_owned());
            }
            if e.value.client_auth {
                names.push("clientAuth".to_owned());
            }
            names.extend(e.value.other.iter().map(|o| o.to_id_string()));
            names
        });
        let is_ca = x509
            .basic_constraints()
            .ok()
            .flatten()
            .is_some_and(|bc| bc.value.ca);
        Ok(CertificateInfo {
            subject: java_dn(x509.subject()),
            issuer: java_dn(x509.issuer()),
            serial_hex: x509.raw_serial_as_string().replace(':', ""),
            not_before: x509.validity().not_before.to_datetime(),
            not_after: x509.validity().not_after.to_datetime(),
            dns_names,
            ip_addresses,
            uris,
            is_ca,
            extended_key_usage,
            self_issued: x509.subject().as_raw() == x509.issuer().as_raw(),
            version: x509.version().0 + 1,
        })
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("sha256", &self.sha256_hex())
            .finish()
    }
}

/// The fields of a certificate a user of Cassandra's stores asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Subject distinguished name as Java prints it: `CN=node1, O=Example`.
    pub subject: String,
    /// Issuer distinguished name.
    pub issuer: String,
    /// Serial number, lowercase hex.
    pub serial_hex: String,
    /// Start of validity.
    pub not_before: time::OffsetDateTime,
    /// End of validity.
    pub not_after: time::OffsetDateTime,
    /// DNS subject alternative names.
    pub dns_names: Vec<String>,
    /// IP address subject alternative names.
    pub ip_addresses: Vec<IpAddr>,
    /// URI subject alternative names (SPIFFE ids among them).
    pub uris: Vec<String>,
    /// Whether basicConstraints says this is a CA.
    pub is_ca: bool,
    /// The extended key usages (`serverAuth`, `clientAuth`, ...); `None` without the extension,
    /// which allows every usage.
    pub extended_key_usage: Option<Vec<String>>,
    /// Whether subject and issuer are the same name.
    pub self_issued: bool,
    /// X.509 version (1, 2 or 3).
    pub version: u32,
}

/// A DER-encoded distinguished name (a `Name` SEQUENCE, as a CertificateRequest lists its
/// CAs) as Java prints it; `None` when it does not parse.
pub(crate) fn java_dn_der(der: &[u8]) -> Option<String> {
    X509Name::from_der(der).ok().map(|(_, name)| java_dn(&name))
}

/// A distinguished name as Java prints it (`X500Principal.toString`): most specific RDN first,
/// `CN=node1, O=Example`.
fn java_dn(name: &X509Name<'_>) -> String {
    let registry = x509_parser::objects::oid_registry();
    let mut rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            rdn.iter()
                .map(|atv| {
                    let key = x509_parser::objects::oid2abbrev(atv.attr_type(), registry)
                        .map(|k| match k {
                            "emailAddress" => "EMAILADDRESS".to_owned(),
                            other => other.to_owned(),
                        })
                        .unwrap_or_else(|_| atv.attr_type().to_id_string());
                    let value = match atv.as_str() {
                        Ok(v) => v.to_owned(),
                        Err(_) => format!("#{}", hex_lower(atv.attr_value().data)),
                    };
                    format!("{key}={value}")
                })
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    rdns.reverse();
    rdns.join(", ")
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => Some(IpAddr::from(<[u8; 4]>::try_from(bytes).ok()?)),
        16 => Some(IpAddr::from(<[u8; 16]>::try_from(bytes).ok()?)),
        _ => None,
    }
}

/// A SubjectPublicKeyInfo, split into the parts key matching compares.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spki<'a> {
    /// Algorithm OID (DER contents).
    pub algorithm: &'a [u8],
    /// For EC keys, the named curve OID.
    pub curve: Option<&'a [u8]>,
    /// The public key bits (the BIT STRING contents without the unused-bits byte).
    pub key: &'a [u8],
}

impl<'a> Spki<'a> {
    pub(crate) fn parse(der: &'a [u8]) -> DerResult<Self> {
        let mut spki = Reader::new(der).sequence("subjectPublicKeyInfo")?;
        let mut alg = spki.sequence("public key algorithm")?;
        let algorithm = alg.oid("public key algorithm OID")?;
        let curve = if algorithm == oid::EC {
            match alg.peek_tag() {
                Some(tag::OID) => Some(alg.oid("named curve")?),
                _ => return Err(DerError(EXPLICIT_EC_PARAMS)),
            }
        } else {
            None
        };
        let bits = spki.expect(tag::BIT_STRING, "subjectPublicKey")?.value;
        let key = match bits.split_first() {
            Some((0, key)) => key,
            _ => return Err(DerError("subjectPublicKey has unused bits")),
        };
        Ok(Spki {
            algorithm,
            curve,
            key,
        })
    }
}

/// Why a certificate is refused when its EC key has explicit parameters. Recognised by the
/// loaders to report it as unsupported rather than malformed.
pub(crate) const EXPLICIT_EC_PARAMS: &str =
    "EC public key with explicit curve parameters (only named curves are supported)";

pub(crate) fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 0xf) as usize] as char);
    }
    s
}
