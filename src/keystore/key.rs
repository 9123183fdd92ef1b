//! [`PrivateKey`]: a decrypted private key, and the check that it belongs to a certificate.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use num_bigint::BigUint;
use rustls::crypto::CryptoProvider;
use rustls::sign::SigningKey;
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
///
/// The key is parsed once, when it is loaded: where its public parts and (for EC) its private
/// value sit in the DER is kept, so checking it against a certificate and handing it to rustls
/// never parse it again.
#[derive(Clone)]
pub struct PrivateKey {
    der: Zeroizing<Vec<u8>>,
    encoding: KeyEncoding,
    algorithm: KeyAlgorithm,
    shape: Shape,
}

/// Where a key's parts sit in its DER (byte ranges of `PrivateKey::der`), found by the one
/// parse at load.
#[derive(Clone, Debug)]
enum Shape {
    /// RSA (PKCS#1, or PKCS#8 rsaEncryption / RSASSA-PSS): modulus and public exponent.
    Rsa { n: Range<usize>, e: Range<usize> },
    /// EC: the private value, the curve OID (from the key or its PKCS#8 wrapper) and the public
    /// point when the key carries one (the JDK never writes it; OpenSSL always does).
    Ec {
        secret: Range<usize>,
        curve: Option<Range<usize>>,
        point: Option<Range<usize>>,
    },
    /// Ed25519: its public key is derived by the crypto provider.
    Ed25519,
    /// DSA in OpenSSL's traditional encoding: the public value y.
    DsaTraditional { y: Range<usize> },
    /// Anything this crate cannot derive a public key for (DSA in PKCS#8, Ed448, others).
    Opaque,
}

/// Where `inner` (a subslice of `outer`) sits in `outer`.
fn span(outer: &[u8], inner: &[u8]) -> Range<usize> {
    let start = (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize);
    start..start + inner.len()
}

/// Why a key gave no signing key: it is not the certificate's, or the provider cannot use it.
pub(crate) enum SigningKeyError {
    /// The key does not belong to the certificate.
    Mismatch,
    /// rustls or its crypto provider cannot use the key (the reason, for a warning).
    Unusable(String),
}

impl PrivateKey {
    /// Reads a key in the given encoding, checking its structure and finding its algorithm and
    /// the place of its parts.
    pub(crate) fn parse(der: Zeroizing<Vec<u8>>, encoding: KeyEncoding) -> DerResult<Self> {
        let (algorithm, shape) = match encoding {
            KeyEncoding::Pkcs8 => {
                let info = Pkcs8::parse(&der)?;
                let algorithm = KeyAlgorithm::from_oid(info.algorithm, info.curve);
                let shape = match info.algorithm {
                    oid::RSA | oid::RSA_PSS => {
                        let rsa = RsaPrivate::parse(info.private_key)?;
                        Shape::Rsa {
                            n: span(&der, rsa.n),
                            e: span(&der, rsa.e),
                        }
                    }
                    oid::EC => {
                        let ec = EcPrivate::parse(info.private_key)?;
                        if let (Some(outer), Some(inner)) = (info.curve, ec.curve)
                            && outer != inner
                        {
                            return Err(DerError(
                                "the EC key names another curve than its PKCS#8 wrapper",
                            ));
                        }
                        ec.shape(&der, info.curve.or(ec.curve))
                    }
                    oid::ED25519 => Shape::Ed25519,
                    _ => Shape::Opaque,
                };
                (algorithm, shape)
            }
            KeyEncoding::Pkcs1 => {
                let rsa = RsaPrivate::parse(&der)?;
                let shape = Shape::Rsa {
                    n: span(&der, rsa.n),
                    e: span(&der, rsa.e),
                };
                (KeyAlgorithm::Rsa, shape)
            }
            KeyEncoding::Sec1 => {
                let ec = EcPrivate::parse(&der)?;
                let curve = ec.curve.ok_or(DerError(
                    "EC private key names no curve (it must be given in the key)",
                ))?;
                (
                    KeyAlgorithm::Ec(curve_name(curve)),
                    ec.shape(&der, ec.curve),
                )
            }
            KeyEncoding::DsaTraditional => {
                let dsa = DsaTraditional::parse(&der)?;
                let shape = Shape::DsaTraditional {
                    y: span(&der, dsa.y),
                };
                (KeyAlgorithm::Dsa, shape)
            }
        };
        Ok(PrivateKey {
            der,
            encoding,
            algorithm,
            shape,
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
        let algorithm = match (self.encoding, &self.shape) {
            (KeyEncoding::Pkcs8, _) => return Some(self.der.clone()),
            (KeyEncoding::DsaTraditional, _) => return None,
            (KeyEncoding::Pkcs1, _) => {
                let mut a = tlv(0x06, oid::RSA);
                a.extend([0x05, 0x00]);
                a
            }
            (KeyEncoding::Sec1, Shape::Ec { curve, .. }) => {
                let mut a = tlv(0x06, oid::EC);
                a.extend(tlv(0x06, &self.der[curve.clone()?]));
                a
            }
            (KeyEncoding::Sec1, _) => return None,
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
    fn to_rustls_for(&self, spki: &Spki<'_>) -> Option<PrivateKeyDer<'static>> {
        match &self.shape {
            Shape::Ec {
                secret,
                curve,
                point: None,
            } if spki.algorithm == oid::EC => {
                let curve = match curve {
                    Some(c) => &self.der[c.clone()],
                    None => spki.curve?,
                };
                Some(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    ec_pkcs8_with_point(&self.der[secret.clone()], curve, spki.key).to_vec(),
                )))
            }
            _ => self.to_rustls(),
        }
    }

    /// The signing key rustls uses for this key with the certificate whose public key is
    /// `spki`, checked against it: the one place the expensive half of the key/certificate
    /// check (deriving an EC or Ed25519 public key) happens, since the provider derives it
    /// there anyway.
    pub(crate) fn signing_key(
        &self,
        spki: &Spki<'_>,
        provider: &CryptoProvider,
    ) -> Result<Arc<dyn SigningKey>, SigningKeyError> {
        let cheap = self.cheap_match(spki);
        if cheap == Some(false) {
            return Err(SigningKeyError::Mismatch);
        }
        let Some(der) = self.to_rustls_for(spki) else {
            return Err(SigningKeyError::Unusable(format!(
                "rustls cannot use {} keys",
                self.algorithm
            )));
        };
        let signing = match provider.key_provider.load_private_key(der) {
            Ok(s) => s,
            // An EC key completed with the certificate's point is refused when the point is
            // not its own: a mismatch, on the curves every provider signs with.
            Err(_) if self.completed_with_point(spki) => return Err(SigningKeyError::Mismatch),
            Err(e) => {
                return Err(SigningKeyError::Unusable(format!(
                    "rustls cannot use this {} key: {e}",
                    self.algorithm
                )));
            }
        };
        // What loading could not check (Ed25519, EC without its point): the provider's public
        // key, derived from the private one, against the certificate's.
        if cheap.is_none()
            && let Some(public) = signing.public_key()
            && let Ok(parsed) = Spki::parse(public.as_ref())
            && (parsed.algorithm != spki.algorithm || parsed.key != spki.key)
        {
            return Err(SigningKeyError::Mismatch);
        }
        Ok(signing)
    }

    /// Whether [`to_rustls_for`](Self::to_rustls_for) adds the certificate's point to this key,
    /// on a curve every provider signs with (so a refusal can only mean "not its point").
    fn completed_with_point(&self, spki: &Spki<'_>) -> bool {
        match &self.shape {
            Shape::Ec {
                curve, point: None, ..
            } => {
                let curve = curve.clone().map(|c| &self.der[c]).or(spki.curve);
                spki.algorithm == oid::EC && curve.is_some_and(curve_every_provider_signs)
            }
            _ => false,
        }
    }

    /// The part of the key/certificate check that needs no public-key derivation: algorithm and
    /// curve, RSA modulus and exponent, a stored EC point, DSA's y. `Some(false)`: not the
    /// certificate's key; `Some(true)`: it is; `None`: only a derivation can tell (EC without
    /// its point, Ed25519) or nothing can (DSA in PKCS#8, other algorithms).
    pub(crate) fn cheap_match(&self, spki: &Spki<'_>) -> Option<bool> {
        let part = |r: &Range<usize>| &self.der[r.clone()];
        match &self.shape {
            Shape::Rsa { n, e } => {
                if spki.algorithm != oid::RSA && spki.algorithm != oid::RSA_PSS {
                    return Some(false);
                }
                Some(
                    RsaPublic::parse(spki.key)
                        .is_ok_and(|cert| cert.n == part(n) && cert.e == part(e)),
                )
            }
            Shape::Ec { curve, point, .. } => {
                let curve = curve.as_ref().map(part);
                if spki.algorithm != oid::EC || curve.zip(spki.curve).is_some_and(|(k, c)| k != c) {
                    return Some(false);
                }
                point.as_ref().map(|p| spki.key == part(p))
            }
            Shape::Ed25519 => (spki.algorithm != oid::ED25519).then_some(false),
            Shape::DsaTraditional { y } => Some(
                spki.algorithm == oid::DSA
                    && Reader::new(spki.key)
                        .unsigned("DSA public key")
                        .is_ok_and(|cert_y| {
                            BigUint::from_bytes_be(cert_y) == BigUint::from_bytes_be(part(y))
                        }),
            ),
            Shape::Opaque => None,
        }
    }

    /// Whether this key is the private half of the public key in `spki`, deriving the public
    /// key with the crypto provider when the key does not carry it (EC from the JDK, Ed25519).
    /// `None` when this crate cannot tell (an algorithm it cannot derive a public key for, or a
    /// curve the provider cannot load).
    pub(crate) fn matches(&self, spki: &Spki<'_>) -> Option<bool> {
        if let Some(verdict) = self.cheap_match(spki) {
            return Some(verdict);
        }
        if !matches!(self.shape, Shape::Ec { .. } | Shape::Ed25519) {
            return None;
        }
        match self.signing_key(spki, &crate::provider::default_provider()) {
            Ok(signing) => signing.public_key().map(|_| true),
            Err(SigningKeyError::Mismatch) => Some(false),
            Err(SigningKeyError::Unusable(_)) => None,
        }
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

impl EcPrivate<'_> {
    /// Where the parts sit in `der` (which holds this key), with the curve named by the key or
    /// its wrapper.
    fn shape(&self, der: &[u8], curve: Option<&[u8]>) -> Shape {
        Shape::Ec {
            secret: span(der, self.secret),
            curve: curve.map(|c| span(der, c)),
            point: self.public.map(|p| span(der, p)),
        }
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
