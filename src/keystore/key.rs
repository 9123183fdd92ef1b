//! [`PrivateKey`]: a decrypted private key, and the check that it belongs to a certificate.

use std::fmt;

use num_bigint::BigUint;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};
use zeroize::Zeroizing;

use super::cert::Spki;
use crate::asn1::{DerError, DerResult, Reader, oid, tag};

/// How a private key is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyEncoding {
    /// PKCS#8 `PrivateKeyInfo` (`BEGIN PRIVATE KEY`; what JKS, JCEKS and PKCS#12 hold).
    Pkcs8,
    /// PKCS#1 `RSAPrivateKey` (`BEGIN RSA PRIVATE KEY`).
    Pkcs1,
    /// SEC1 `ECPrivateKey` (`BEGIN EC PRIVATE KEY`).
    Sec1,
    /// OpenSSL's traditional `DSAPrivateKey` (`BEGIN DSA PRIVATE KEY`).
    DsaTraditional,
}

/// The algorithm of a private key.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSA (rsaEncryption).
    Rsa,
    /// RSA restricted to RSASSA-PSS.
    RsaPss,
    /// Elliptic curve; the curve's name (`secp256r1`, ...) or its OID.
    Ec(String),
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// DSA.
    Dsa,
    /// Something else, by OID.
    Other(String),
}

impl KeyAlgorithm {
    /// The JCA name keytool prints: `RSA`, `RSASSA-PSS`, `EC`, `Ed25519`, `Ed448`, `DSA`, or the OID.
    pub fn name(&self) -> &str {
        match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::RsaPss => "RSASSA-PSS",
            KeyAlgorithm::Ec(_) => "EC",
            KeyAlgorithm::Ed25519 => "Ed25519",
            KeyAlgorithm::Ed448 => "Ed448",
            KeyAlgorithm::Dsa => "DSA",
            KeyAlgorithm::Other(oid) => oid,
        }
    }

    pub(crate) fn from_oid(alg: &[u8], curve: Option<&[u8]>) -> Self {
        match alg {
            oid::RSA => KeyAlgorithm::Rsa,
            oid::RSA_PSS => KeyAlgorithm::RsaPss,
            oid::EC => KeyAlgorithm::Ec(curve.map(curve_name).unwrap_or_default()),
            oid::ED25519 => KeyAlgorithm::Ed25519,
            oid::ED448 => KeyAlgorithm::Ed448,
            oid::DSA => KeyAlgorithm::Dsa,
            oid::X25519 => KeyAlgorithm::Other("X25519".into()),
            oid::X448 => KeyAlgorithm::Other("X448".into()),
            other => KeyAlgorithm::Other(oid::dotted(other)),
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Ec(curve) if !curve.is_empty() => write!(f, "EC ({curve})"),
            other => f.write_str(other.name()),
        }
    }
}

fn curve_name(curve: &[u8]) -> String {
    match curve {
        oid::P256 => "secp256r1".into(),
        oid::P384 => "secp384r1".into(),
        oid::P521 => "secp521r1".into(),
        oid::SECP256K1 => "secp256k1".into(),
        other => oid::dotted(other),
    }
}

/// A decrypted private key. Its bytes are wiped when it is dropped, and `Debug` shows only the
/// algorithm.
#[derive(Clone)]
pub struct PrivateKey {
    der: Zeroizing<Vec<u8>>,
    encoding: KeyEncoding,
    algorithm: KeyAlgorithm,
}

impl PrivateKey {
    /// Reads a key in the given encoding, checking its structure and finding its algorithm.
    pub(crate) fn parse(der: Zeroizing<Vec<u8>>, encoding: KeyEncoding) -> DerResult<Self> {
        let algorithm = match encoding {
            KeyEncoding::Pkcs8 => {
                let info = Pkcs8::parse(&der)?;
                KeyAlgorithm::from_oid(info.algorithm, info.curve)
            }
            KeyEncoding::Pkcs1 => {
                RsaPrivate::parse(&der)?;
                KeyAlgorithm::Rsa
            }
            KeyEncoding::Sec1 => {
                let ec = EcPrivate::parse(&der)?;
                let curve = ec.curve.ok_or(DerError(
                    "EC private key names no curve (it must be given in the key)",
                ))?;
                KeyAlgorithm::Ec(curve_name(curve))
            }
            KeyEncoding::DsaTraditional => {
                DsaTraditional::parse(&der)?;
                KeyAlgorithm::Dsa
            }
        };
        Ok(PrivateKey {
            der,
            encoding,
            algorithm,
        })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> &KeyAlgorithm {
        &self.algorithm
    }

    /// How the key is encoded.
    pub fn encoding(&self) -> KeyEncoding {
        self.encoding
    }

    /// The key as unencrypted PKCS#8 DER (what key stores hold): PKCS#8 as it is, PKCS#1 RSA and
    /// SEC1 EC keys wrapped. `None` for DSA keys in OpenSSL's traditional encoding. A secret: the
    /// bytes are wiped when dropped.
    pub fn to_pkcs8(&self) -> Option<Zeroizing<Vec<u8>>> {
        let algorithm = match self.encoding {
            KeyEncoding::Pkcs8 => return Some(self.der.clone()),
            KeyEncoding::DsaTraditional => return None,
            KeyEncoding::Pkcs1 => {
                let mut a = tlv(0x06, oid::RSA);
                a.extend([0x05, 0x00]);
                a
            }
            KeyEncoding::Sec1 => {
                let curve = EcPrivate::parse(&self.der).ok()?.curve?;
                let mut a = tlv(0x06, oid::EC);
                a.extend(tlv(0x06, curve));
                a
            }
        };
        let mut body = vec![0x02, 0x01, 0x00];
        body.extend(tlv(0x30, &algorithm));
        body.extend(Zeroizing::new(tlv(0x04, &self.der)).iter());
        let out = Zeroizing::new(tlv(0x30, &body));
        zeroize::Zeroize::zeroize(&mut body);
        Some(out)
    }

    /// The key as rustls takes it. DSA keys in OpenSSL's traditional encoding have no rustls
    /// form and give `None` (rustls cannot use DSA keys in any encoding).
    pub fn to_rustls(&self) -> Option<PrivateKeyDer<'static>> {
        let der = self.der.to_vec();
        Some(match self.encoding {
            KeyEncoding::Pkcs8 => PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der)),
            KeyEncoding::Pkcs1 => PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(der)),
            KeyEncoding::Sec1 => PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(der)),
            KeyEncoding::DsaTraditional => return None,
        })
    }

    /// The key as rustls takes it, completed with the certificate's public point when it is an
    /// EC key stored without one (keys written by the JDK never carry it, and ring refuses EC
    /// keys without it). The provider that loads the result checks that the point belongs to
    /// the private value, so a key that is not the certificate's fails to load.
    pub(crate) fn to_rustls_for(&self, spki: &Spki<'_>) -> Option<PrivateKeyDer<'static>> {
        match self.ec_parts() {
            Some((ec, curve)) if ec.public.is_none() && spki.algorithm == oid::EC => {
                let curve = curve.or(spki.curve)?;
                Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    ec_pkcs8_with_point(ec.secret, curve, spki.key).to_vec(),
                )))
            }
            _ => self.to_rustls(),
        }
    }

    /// For EC keys: the ECPrivateKey and the curve named by the key or its PKCS#8 wrapper.
    fn ec_parts(&self) -> Option<(EcPrivate<'_>, Option<&[u8]>)> {
        match self.encoding {
            KeyEncoding::Sec1 => EcPrivate::parse(&self.der).ok().map(|ec| (ec, ec.curve)),
            KeyEncoding::Pkcs8 => {
                let info = Pkcs8::parse(&self.der).ok()?;
                if info.algorithm != oid::EC {
                    return None;
                }
                let ec = EcPrivate::parse(info.private_key).ok()?;
                Some((ec, info.curve.or(ec.curve)))
            }
            _ => None,
        }
    }

    /// For an EC key stored without its public point: whether the crypto provider accepts it
    /// with the certificate's point (providers derive the point from the private value and
    /// compare). `None` when the provider cannot load keys of this curve at all.
    fn ec_matches_without_point(&self, spki: &Spki<'_>) -> Option<bool> {
        let (ec, curve) = self.ec_parts()?;
        if ec.public.is_some() {
            return None;
        }
        let curve = curve.or(spki.curve)?;
        if spki.algorithm != oid::EC || spki.curve.is_some_and(|c| c != curve) {
            return Some(false);
        }
        let provider = crate::provider::default_provider();
        let with_point = self.to_rustls_for(spki)?;
        if provider.key_provider.load_private_key(with_point).is_ok() {
            return Some(true);
        }
        // Refused: a key that is not the certificate's, or a curve the provider cannot sign
        // with. Only the first is a mismatch.
        curve_every_provider_signs(curve).then_some(false)
    }

    /// Whether this key is the private half of the public key in `spki`. `None` when this
    /// crate cannot tell (an algorithm it cannot derive a public key for).
    pub(crate) fn matches(&self, spki: &Spki<'_>) -> Option<bool> {
        if let Some(verdict) = self.ec_matches_without_point(spki) {
            return Some(verdict);
        }
        let public = match self.public_key() {
            Ok(Some(p)) => p,
            Ok(None) => return None,
            Err(_) => return Some(false),
        };
        Some(match public {
            PublicKey::Rsa { n, e } => {
                if spki.algorithm != oid::RSA && spki.algorithm != oid::RSA_PSS {
                    return Some(false);
                }
                match RsaPublic::parse(spki.key) {
                    Ok(cert) => cert.n == n && cert.e == e,
                    Err(_) => false,
                }
            }
            PublicKey::Dsa { y } => {
                spki.algorithm == oid::DSA
                    && Reader::new(spki.key)
                        .unsigned("DSA public key")
                        .is_ok_and(|cert_y| BigUint::from_bytes_be(cert_y) == y)
            }
            PublicKey::Raw {
                algorithm,
                curve,
                point,
            } => {
                spki.algorithm == algorithm
                    && (curve.is_none() || spki.curve == curve)
                    && spki.key == point.as_slice()
            }
        })
    }

    fn public_key(&self) -> DerResult<Option<PublicKey<'_>>> {
        match self.encoding {
            KeyEncoding::Pkcs1 => {
                let rsa = RsaPrivate::parse(&self.der)?;
                Ok(Some(PublicKey::Rsa { n: rsa.n, e: rsa.e }))
            }
            KeyEncoding::DsaTraditional => {
                let dsa = DsaTraditional::parse(&self.der)?;
                Ok(Some(PublicKey::Dsa {
                    y: BigUint::from_bytes_be(dsa.y),
                }))
            }
            KeyEncoding::Sec1 => {
                let ec = EcPrivate::parse(&self.der)?;
                self.ec_public(ec, ec.curve)
            }
            KeyEncoding::Pkcs8 => {
                let info = Pkcs8::parse(&self.der)?;
                match info.algorithm {
                    oid::RSA | oid::RSA_PSS => {
                        let rsa = RsaPrivate::parse(info.private_key)?;
                        Ok(Some(PublicKey::Rsa { n: rsa.n, e: rsa.e }))
                    }
                    // Deriving y = g^x mod p would be variable-time arithmetic on the secret
                    // exponent; rustls cannot use DSA keys anyway. "Cannot check".
                    oid::DSA => Ok(None),
                    oid::EC => {
                        let ec = EcPrivate::parse(info.private_key)?;
                        self.ec_public(ec, info.curve.or(ec.curve))
                    }
                    oid::ED25519 => self.provider_public(oid::ED25519, None),
                    _ => Ok(None),
                }
            }
        }
    }

    /// An EC public point: the one stored with the key when present, else derived by the
    /// crypto provider.
    fn ec_public<'a>(
        &'a self,
        ec: EcPrivate<'a>,
        curve: Option<&'a [u8]>,
    ) -> DerResult<Option<PublicKey<'a>>> {
        match ec.public {
            Some(point) => Ok(Some(PublicKey::Raw {
                algorithm: oid::EC,
                curve,
                point: point.to_vec(),
            })),
            None => self.provider_public(oid::EC, curve),
        }
    }

    /// Asks the crypto provider for the public key (EC without a stored point, Ed25519).
    fn provider_public<'a>(
        &'a self,
        algorithm: &'a [u8],
        curve: Option<&'a [u8]>,
    ) -> DerResult<Option<PublicKey<'a>>> {
        let Some(key) = self.to_rustls() else {
            return Ok(None);
        };
        let provider = crate::provider::default_provider();
        let Ok(signing) = provider.key_provider.load_private_key(key) else {
            return Ok(None);
        };
        let Some(spki) = signing.public_key() else {
            return Ok(None);
        };
        let parsed = Spki::parse(spki.as_ref())?;
        Ok(Some(PublicKey::Raw {
            algorithm,
            curve,
            point: parsed.key.to_vec(),
        }))
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm)
            .field("encoding", &self.encoding)
            .finish_non_exhaustive()
    }
}

/// One DER TLV (definite length).
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .into_iter()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

/// PKCS#8 for an EC private value with its curve and public point (RFC 5915 inside RFC 5208).
/// A secret: wiped when dropped, and so are the intermediate buffers.
fn ec_pkcs8_with_point(secret: &[u8], curve: &[u8], point: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut bits = Vec::with_capacity(point.len() + 1);
    bits.push(0);
    bits.extend_from_slice(point);
    // Sized up front: a growing secret buffer would leave unwiped copies behind.
    let mut ec = Zeroizing::new(Vec::with_capacity(secret.len() + point.len() + 24));
    ec.extend([0x02, 0x01, 0x01]);
    ec.extend(Zeroizing::new(tlv(0x04, secret)).iter());
    ec.extend(tlv(0xa1, &tlv(0x03, &bits)));
    let ec = Zeroizing::new(tlv(0x30, &ec));
    let mut algorithm = tlv(0x06, oid::EC);
    algorithm.extend(tlv(0x06, curve));
    let mut body = Zeroizing::new(Vec::with_capacity(ec.len() + algorithm.len() + 16));
    body.extend([0x02, 0x01, 0x00]);
    body.extend(tlv(0x30, &algorithm));
    body.extend(Zeroizing::new(tlv(0x04, &ec)).iter());
    Zeroizing::new(tlv(0x30, &body))
}

/// The NIST curves every rustls provider signs with (aws-lc-rs and ring alike).
fn curve_every_provider_signs(curve: &[u8]) -> bool {
    curve == oid::P256 || curve == oid::P384
}

enum PublicKey<'a> {
    Rsa {
        n: &'a [u8],
        e: &'a [u8],
    },
    Dsa {
        y: BigUint,
    },
    Raw {
        algorithm: &'a [u8],
        curve: Option<&'a [u8]>,
        point: Vec<u8>,
    },
}

/// PKCS#8 PrivateKeyInfo, the parts used here.
struct Pkcs8<'a> {
    algorithm: &'a [u8],
    curve: Option<&'a [u8]>,
    private_key: &'a [u8],
}

impl<'a> Pkcs8<'a> {
    fn parse(der: &'a [u8]) -> DerResult<Self> {
        let mut outer = Reader::new(der);
        let mut info = outer.sequence("PKCS#8 PrivateKeyInfo")?;
        if !outer.is_empty() {
            return Err(DerError("bytes follow the PKCS#8 key"));
        }
        let version = info.small_uint("PKCS#8 version")?;
        if version > 1 {
            return Err(DerError("unknown PKCS#8 version"));
        }
        let mut alg = info.sequence("PKCS#8 algorithm")?;
        let algorithm = alg.oid("PKCS#8 algorithm OID")?;
        let mut curve = None;
        if algorithm == oid::EC {
            match alg.peek_tag() {
                Some(tag::OID) => curve = Some(alg.oid("named curve")?),
                Some(tag::SEQUENCE) => return Err(DerError(super::cert::EXPLICIT_EC_PARAMS)),
                _ => {}
            }
        }
        let private_key = info.octet_string("PKCS#8 privateKey")?;
        Ok(Pkcs8 {
            algorithm,
            curve,
            private_key,
        })
    }
}

struct RsaPrivate<'a> {
    n: &'a [u8],
    e: &'a [u8],
}

impl<'a> RsaPrivate<'a> {
    fn parse(der: &'a [u8]) -> DerResult<Self> {
        let mut key = Reader::new(der).sequence("RSAPrivateKey")?;
        key.small_uint("RSAPrivateKey version")?;
        let n = key.unsigned("RSA modulus")?;
        let e = key.unsigned("RSA public exponent")?;
        for what in ["RSA d", "RSA p", "RSA q", "RSA dp", "RSA dq", "RSA qinv"] {
            key.unsigned(what)?;
        }
        Ok(RsaPrivate { n, e })
    }
}

struct RsaPublic<'a> {
    n: &'a [u8],
    e: &'a [u8],
}

impl<'a> RsaPublic<'a> {
    fn parse(der: &'a [u8]) -> DerResult<Self> {
        let mut key = Reader::new(der).sequence("RSAPublicKey")?;
        Ok(RsaPublic {
            n: key.unsigned("RSA modulus")?,
            e: key.unsigned("RSA public exponent")?,
        })
    }
}

#[derive(Clone, Copy)]
struct EcPrivate<'a> {
    secret: &'a [u8],
    curve: Option<&'a [u8]>,
    public: Option<&'a [u8]>,
}

impl<'a> EcPrivate<'a> {
    fn parse(der: &'a [u8]) -> DerResult<Self> {
        let mut key = Reader::new(der).sequence("ECPrivateKey")?;
        if key.small_uint("ECPrivateKey version")? != 1 {
            return Err(DerError("unknown ECPrivateKey version"));
        }
        let secret = key.octet_string("EC private value")?;
        let mut curve = None;
        if let Some(params) = key.optional(0xa0)? {
            let mut p = params.reader();
            match p.peek_tag() {
                Some(tag::OID) => curve = Some(p.oid("named curve")?),
                _ => return Err(DerError(super::cert::EXPLICIT_EC_PARAMS)),
            }
        }
        let mut public = None;
        if let Some(pk) = key.optional(0xa1)? {
            let bits = pk.reader().expect(tag::BIT_STRING, "EC public key")?.value;
            public = match bits.split_first() {
                Some((0, point)) => Some(point),
                _ => return Err(DerError("EC public key has unused bits")),
            };
        }
        Ok(EcPrivate {
            secret,
            curve,
            public,
        })
    }
}

/// OpenSSL's `DSAPrivateKey ::= SEQUENCE { version, p, q, g, y, x }`.
struct DsaTraditional<'a> {
    y: &'a [u8],
}

impl<'a> DsaTraditional<'a> {
    fn parse(der: &'a [u8]) -> DerResult<Self> {
        let mut key = Reader::new(der).sequence("DSAPrivateKey")?;
        key.small_uint("DSAPrivateKey version")?;
        key.unsigned("DSA p")?;
        key.unsigned("DSA q")?;
        key.unsigned("DSA g")?;
        let y = key.unsigned("DSA y")?;
        key.unsigned("DSA x")?;
        Ok(DsaTraditional { y })
    }
}
