//! Writing identities and trusted certificates as the key stores Cassandra reads: JKS, JCEKS,
//! PKCS#12 and PEM. The formats are the JDK's (OpenJDK's `JavaKeyStore`, `JceKeyStore`,
//! `PKCS12KeyStore`) and OpenSSL's; the readers of this crate and the JDK's keytool both read
//! what is written here.

use std::time::{SystemTime, UNIX_EPOCH};

use der::asn1::ObjectIdentifier;
use sha1::{Digest, Sha1};

use super::Identity;
use crate::error::{Error, Origin, Result};
use crate::keystore::Certificate;
use crate::keystore::pbe::Pkcs12Hash;
use crate::keystore::pbe::encrypt;
use crate::password::Password;
use zeroize::Zeroizing;

/// One entry of a key store.
#[derive(Clone, Copy, Debug)]
pub enum StoreEntry<'a> {
    /// A private key with its chain.
    PrivateKey {
        /// The alias (JKS and JCEKS store it in lower case, as the JDK does).
        alias: &'a str,
        /// The key and chain.
        identity: &'a Identity,
    },
    /// A trusted certificate (a truststore entry).
    Trusted {
        /// The alias.
        alias: &'a str,
        /// The certificate.
        certificate: &'a Certificate,
    },
}

impl<'a> StoreEntry<'a> {
    /// A private key entry.
    pub fn key(alias: &'a str, identity: &'a Identity) -> Self {
        StoreEntry::PrivateKey { alias, identity }
    }

    /// A trusted certificate entry.
    pub fn trusted(alias: &'a str, certificate: &'a Certificate) -> Self {
        StoreEntry::Trusted { alias, certificate }
    }

    fn alias(&self) -> &'a str {
        match self {
            StoreEntry::PrivateKey { alias, .. } | StoreEntry::Trusted { alias, .. } => alias,
        }
    }
}

/// How a PKCS#12 file is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pkcs12Profile {
    /// The JDK 17 defaults: keys and certificates under PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC,
    /// 10,000 iterations), an HMAC-SHA256 MAC (10,000 iterations).
    Jdk17,
    /// The legacy algorithms (JDK 8, `-J-Dkeystore.pkcs12.legacy`, OpenSSL `-legacy`):
    /// certificates under 40-bit RC2, keys under 3-key 3DES (PKCS#12 PBE with SHA-1, 50,000
    /// iterations), an HMAC-SHA1 MAC (100,000 iterations).
    Legacy,
}

fn bad(what: impl Into<String>) -> Error {
    Error::config(&Origin::Bytes("<test-pki>".into()), None, None, what.into())
}

/// Whether the JDK's PBE keys take this password: `com.sun.crypto.provider.PBEKey` refuses any
/// character outside printable ASCII (0x20 to 0x7E) with "Password is not ASCII". JCEKS keys and
/// every PKCS#12 bag the JDK reads go through it; keytool refuses to write such a store.
fn jdk_pbe_password(password: &str) -> bool {
    password.chars().all(|c| (' '..='~').contains(&c))
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    crate::provider::default_provider()
        .secure_random
        .fill(&mut b)
        .expect("the system random generator works");
    b
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn check_aliases(entries: &[StoreEntry<'_>], lower: bool) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for e in entries {
        let a = e.alias();
        if a.is_empty() || a.len() > 0xffff {
            return Err(bad(format!("alias '{a}' is empty or too long")));
        }
        let key = if lower {
            a.to_lowercase()
        } else {
            a.to_owned()
        };
        if !seen.insert(key) {
            return Err(bad(format!("alias '{a}' is used twice")));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------ DER

/// DER values the writer assembles, encoded by the `der` crate (headers, lengths, integers,
/// OIDs, BMPStrings, SET OF ordering).
#[derive(Clone, Debug)]
enum Der {
    Seq(Vec<Der>),
    /// A SET OF: `der` puts the elements in DER order.
    Set(Vec<Der>),
    Octets(Vec<u8>),
    Int(u64),
    Null,
    Oid(ObjectIdentifier),
    Bmp(String),
    /// `[n] EXPLICIT`.
    Explicit(u32, Box<Der>),
    /// `[n] IMPLICIT` over OCTET STRING content (PKCS#7's encryptedContent).
    ImplicitOctets(u32, Vec<u8>),
    /// Bytes already DER (an algorithm identifier, a ciphertext wrapper).
    Encoded(Vec<u8>),
}

impl Der {
    fn seq(parts: impl IntoIterator<Item = Der>) -> Der {
        Der::Seq(parts.into_iter().collect())
    }

    fn explicit(n: u32, inner: Der) -> Der {
        Der::Explicit(n, Box::new(inner))
    }

    fn to_der(&self) -> Result<Vec<u8>> {
        self.encode()
            .map_err(|e| bad(format!("cannot encode the store: {e}")))
    }

    fn encode(&self) -> der::Result<Vec<u8>> {
        use der::Encode;
        use der::asn1::{AnyRef, BmpString, Null, OctetStringRef, SetOfVec};
        use der::{Any, Tag, TagNumber};
        let constructed = |tag: Tag, parts: &[Der]| -> der::Result<Vec<u8>> {
            let mut content = Vec::new();
            for p in parts {
                content.extend(p.encode()?);
            }
            AnyRef::new(tag, &content)?.to_der()
        };
        match self {
            Der::Seq(parts) => constructed(Tag::Sequence, parts),
            Der::Set(parts) => {
                let mut items = Vec::with_capacity(parts.len());
                for p in parts {
                    items.push(<Any as der::Decode>::from_der(&p.encode()?)?);
                }
                SetOfVec::try_from(items)?.to_der()
            }
            Der::Octets(b) => OctetStringRef::new(b)?.to_der(),
            Der::Int(v) => v.to_der(),
            Der::Null => Null.to_der(),
            Der::Oid(oid) => oid.to_der(),
            Der::Bmp(s) => BmpString::from_utf8(s)?.to_der(),
            Der::Explicit(n, inner) => constructed(
                Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber(*n),
                },
                std::slice::from_ref(inner),
            ),
            Der::ImplicitOctets(n, b) => AnyRef::new(
                Tag::ContextSpecific {
                    constructed: false,
                    number: TagNumber(*n),
                },
                b,
            )?
            .to_der(),
            Der::Encoded(b) => Ok(b.clone()),
        }
    }
}

mod oids {
    use der::asn1::ObjectIdentifier;

    pub const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    pub const ENCRYPTED_DATA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
    pub const SHROUDED_KEY_BAG: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
    pub const CERT_BAG: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
    pub const X509_CERTIFICATE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
    pub const FRIENDLY_NAME: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
    pub const LOCAL_KEY_ID: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
    /// Oracle's trusted-key-usage attribute: without it the JDK ignores a certificate bag.
    pub const ORACLE_TRUSTED_KEY_USAGE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.113894.746875.1.1");
    pub const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.5.29.37.0");
    pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
    pub const PBE_SHA_3DES: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
    pub const PBE_SHA_RC2_40: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
    pub const SUN_JKS_KEY_PROTECTOR: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.17.1.1");
    pub const PBE_MD5_TRIPLE_DES: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.19.1");
}

// ------------------------------------------------------------------------------- JKS and JCEKS

const JKS_MAGIC: u32 = 0xfeed_feed;
const JCEKS_MAGIC: u32 = 0xcece_cece;
/// The JDK 17 default of `jdk.jceks.iterationCount`.
const JCEKS_ITERATIONS: u64 = 200_000;

fn put_utf(out: &mut Vec<u8>, s: &str) {
    // Java's modified UTF-8 is UTF-8 for everything but NUL and supplementary characters.
    let mut bytes = Vec::new();
    for c in s.chars() {
        match c {
            '\0' => bytes.extend_from_slice(&[0xc0, 0x80]),
            c if (c as u32) > 0xffff => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let u = *u as u32;
                    bytes.push(0xe0 | (u >> 12) as u8);
                    bytes.push(0x80 | ((u >> 6) & 0x3f) as u8);
                    bytes.push(0x80 | (u & 0x3f) as u8);
                }
            }
            c => {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(&bytes);
}

fn put_cert(out: &mut Vec<u8>, cert: &Certificate) {
    put_utf(out, "X.509");
    out.extend_from_slice(&(cert.der().len() as u32).to_be_bytes());
    out.extend_from_slice(cert.der());
}

/// A JKS key store (version 2): keys under Sun's key protector with `key_password`, the file
/// digest with `store_password`. Aliases are stored in lower case, as the JDK stores them.
pub fn jks(
    entries: &[StoreEntry<'_>],
    store_password: &str,
    key_password: &str,
) -> Result<Vec<u8>> {
    java_store(entries, store_password, key_password, JKS_MAGIC)
}

/// A JCEKS key store: keys under PBEWithMD5AndTripleDES (200,000 iterations, the JDK 17
/// default) with `key_password`, which must be ASCII as the JDK requires.
pub fn jceks(
    entries: &[StoreEntry<'_>],
    store_password: &str,
    key_password: &str,
) -> Result<Vec<u8>> {
    if !jdk_pbe_password(key_password) {
        return Err(bad(
            "a JCEKS key password must be printable ASCII (the JDK's PBE keys refuse other characters)",
        ));
    }
    java_store(entries, store_password, key_password, JCEKS_MAGIC)
}

fn java_store(
    entries: &[StoreEntry<'_>],
    store_password: &str,
    key_password: &str,
    magic: u32,
) -> Result<Vec<u8>> {
    check_aliases(entries, true)?;
    let store_password = Password::new(store_password);
    let key_password = Password::new(key_password);
    let mut out = Vec::new();
    out.extend_from_slice(&magic.to_be_bytes());
    out.extend_from_slice(&2u32.to_be_bytes());
    out.extend_from_slice(&(entries.len() as u32).to_be_bytes());
    let now = now_millis();
    for entry in entries {
        match entry {
            StoreEntry::PrivateKey { alias, identity } => {
                out.extend_from_slice(&1u32.to_be_bytes());
                put_utf(&mut out, &alias.to_lowercase());
                out.extend_from_slice(&now.to_be_bytes());
                let epki = if magic == JKS_MAGIC {
                    let protected = encrypt::sun_key_protector(
                        identity.private_key_pkcs8(),
                        &key_password,
                        &random::<20>(),
                    );
                    Der::seq([
                        Der::seq([Der::Oid(oids::SUN_JKS_KEY_PROTECTOR), Der::Null]),
                        Der::Octets(protected),
                    ])
                } else {
                    let salt = random::<8>();
                    let encrypted = encrypt::jce_pbe_md5_3des(
                        identity.private_key_pkcs8(),
                        &key_password,
                        &salt,
                        JCEKS_ITERATIONS,
                    )
                    .ok_or_else(|| bad("a JCEKS key password must be ASCII"))?;
                    let params = Der::seq([Der::Octets(salt.to_vec()), Der::Int(JCEKS_ITERATIONS)]);
                    Der::seq([
                        Der::seq([Der::Oid(oids::PBE_MD5_TRIPLE_DES), params]),
                        Der::Octets(encrypted),
                    ])
                }
                .to_der()?;
                out.extend_from_slice(&(epki.len() as u32).to_be_bytes());
                out.extend_from_slice(&epki);
                out.extend_from_slice(&(identity.chain().len() as u32).to_be_bytes());
                for cert in identity.chain() {
                    put_cert(&mut out, cert);
                }
            }
            StoreEntry::Trusted { alias, certificate } => {
                out.extend_from_slice(&2u32.to_be_bytes());
                put_utf(&mut out, &alias.to_lowercase());
                out.extend_from_slice(&now.to_be_bytes());
                put_cert(&mut out, certificate);
            }
        }
    }
    // The integrity digest: SHA-1(password as UTF-16BE || "Mighty Aphrodite" || the store).
    let digest = Sha1::new()
        .chain_update(&store_password.utf16be()[..])
        .chain_update(b"Mighty Aphrodite")
        .chain_update(&out)
        .finalize();
    out.extend_from_slice(&digest);
    Ok(out)
}

// ------------------------------------------------------------------------------------ PKCS#12

/// A PKCS#12 file as the JDK writes it: certificates in an encrypted safe (with Oracle's
/// trusted-key-usage attribute on trusted certificates, without which Java ignores them), keys
/// in a shrouded key bag under `key_password`, the MAC under `store_password`. keytool cannot
/// make a PKCS#12 file whose key password differs from its store password, but the JDK's
/// `KeyStore` reads one. Both passwords must be printable ASCII, as the JDK requires.
pub fn pkcs12(
    entries: &[StoreEntry<'_>],
    store_password: &str,
    key_password: &str,
    profile: Pkcs12Profile,
) -> Result<Vec<u8>> {
    check_aliases(entries, false)?;
    // The JDK decrypts every bag through its PBE keys: it could not read the file.
    for (which, p) in [("store", store_password), ("key", key_password)] {
        if !jdk_pbe_password(p) {
            return Err(bad(format!(
                "a PKCS#12 {which} password must be printable ASCII: the JDK's PBE keys refuse other characters (\"Password is not ASCII\"), so neither Cassandra nor keytool could read the file"
            )));
        }
    }
    let store_password = Password::new(store_password);
    let key_password = Password::new(key_password);
    let mut key_bags: Vec<Der> = Vec::new();
    let mut cert_bags: Vec<Der> = Vec::new();
    let friendly = |alias: &str| {
        Der::seq([
            Der::Oid(oids::FRIENDLY_NAME),
            Der::Set(vec![Der::Bmp(alias.to_owned())]),
        ])
    };
    let cert_bag = |cert: &Certificate, attributes: Option<Der>| {
        let value = Der::seq([
            Der::Oid(oids::X509_CERTIFICATE),
            Der::explicit(0, Der::Octets(cert.der().to_vec())),
        ]);
        let mut parts = vec![Der::Oid(oids::CERT_BAG), Der::explicit(0, value)];
        parts.extend(attributes);
        Der::Seq(parts)
    };
    for entry in entries {
        match entry {
            StoreEntry::PrivateKey { alias, identity } => {
                let local_key_id: Vec<u8> = Sha1::digest(identity.certificate().der()).to_vec();
                let id_attribute = Der::seq([
                    Der::Oid(oids::LOCAL_KEY_ID),
                    Der::Set(vec![Der::Octets(local_key_id)]),
                ]);
                let attributes = Der::Set(vec![friendly(alias), id_attribute]);
                let epki = shroud(identity.private_key_pkcs8(), &key_password, profile);
                key_bags.push(Der::seq([
                    Der::Oid(oids::SHROUDED_KEY_BAG),
                    Der::explicit(0, epki),
                    attributes.clone(),
                ]));
                for (i, cert) in identity.chain().iter().enumerate() {
                    // The leaf carries the key's attributes; the rest of the chain none.
                    let attrs = (i == 0).then(|| attributes.clone());
                    cert_bags.push(cert_bag(cert, attrs));
                }
            }
            StoreEntry::Trusted { alias, certificate } => {
                let trust = Der::seq([
                    Der::Oid(oids::ORACLE_TRUSTED_KEY_USAGE),
                    Der::Set(vec![Der::Oid(oids::ANY_EXTENDED_KEY_USAGE)]),
                ]);
                cert_bags.push(cert_bag(
                    certificate,
                    Some(Der::Set(vec![friendly(alias), trust])),
                ));
            }
        }
    }
    let mut safes: Vec<Der> = Vec::new();
    if !cert_bags.is_empty() {
        let plain = Der::Seq(cert_bags).to_der()?;
        let (alg, encrypted) = encrypt_content(&plain, &store_password, profile);
        let encrypted_content_info =
            Der::seq([Der::Oid(oids::DATA), alg, Der::ImplicitOctets(0, encrypted)]);
        let encrypted_data = Der::seq([Der::Int(0), encrypted_content_info]);
        safes.push(Der::seq([
            Der::Oid(oids::ENCRYPTED_DATA),
            Der::explicit(0, encrypted_data),
        ]));
    }
    if !key_bags.is_empty() {
        let contents = Der::Seq(key_bags).to_der()?;
        safes.push(Der::seq([
            Der::Oid(oids::DATA),
            Der::explicit(0, Der::Octets(contents)),
        ]));
    }
    let auth_safe = Der::Seq(safes).to_der()?;
    let (hash, hash_oid, iterations) = match profile {
        Pkcs12Profile::Jdk17 => (Pkcs12Hash::Sha256, oids::SHA256, 10_000u64),
        Pkcs12Profile::Legacy => (Pkcs12Hash::Sha1, oids::SHA1, 100_000),
    };
    let salt = random::<20>();
    let mac = encrypt::pkcs12_mac(hash, &store_password, &salt, iterations, &auth_safe);
    let mac_data = Der::seq([
        Der::seq([
            Der::seq([Der::Oid(hash_oid), Der::Null]),
            Der::Octets(mac.to_vec()),
        ]),
        Der::Octets(salt.to_vec()),
        Der::Int(iterations),
    ]);
    Der::seq([
        Der::Int(3),
        Der::seq([
            Der::Oid(oids::DATA),
            Der::explicit(0, Der::Octets(auth_safe)),
        ]),
        mac_data,
    ])
    .to_der()
}

/// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC, 10,000 iterations, 20-byte salt): the algorithm
/// identifier and the ciphertext.
fn pbes2(plain: &[u8], password: &Password) -> (Der, Vec<u8>) {
    let (alg, encrypted) =
        encrypt::pbes2_aes256(plain, password, &random::<20>(), random::<16>(), 10_000);
    (Der::Encoded(alg), encrypted)
}

/// PKCS#12 PBE with SHA-1 (3-key 3DES, or 40-bit RC2), 20-byte salt: the algorithm identifier
/// and the ciphertext.
fn pkcs12_pbe(plain: &[u8], password: &Password, iterations: u64, rc2_40: bool) -> (Der, Vec<u8>) {
    let salt = random::<20>();
    let encrypted = encrypt::pkcs12_pbe(plain, password, &salt, iterations, rc2_40);
    let oid = if rc2_40 {
        oids::PBE_SHA_RC2_40
    } else {
        oids::PBE_SHA_3DES
    };
    let alg = Der::seq([
        Der::Oid(oid),
        Der::seq([Der::Octets(salt.to_vec()), Der::Int(iterations)]),
    ]);
    (alg, encrypted)
}

/// An EncryptedPrivateKeyInfo from an algorithm identifier and a ciphertext.
fn epki((alg, encrypted): (Der, Vec<u8>)) -> Der {
    Der::seq([alg, Der::Octets(encrypted)])
}

/// A key's EncryptedPrivateKeyInfo by the profile's key algorithm.
fn shroud(pkcs8: &[u8], password: &Password, profile: Pkcs12Profile) -> Der {
    epki(match profile {
        Pkcs12Profile::Jdk17 => pbes2(pkcs8, password),
        Pkcs12Profile::Legacy => pkcs12_pbe(pkcs8, password, 50_000, false),
    })
}

/// The certificate safe's algorithm identifier and ciphertext.
fn encrypt_content(plain: &[u8], password: &Password, profile: Pkcs12Profile) -> (Der, Vec<u8>) {
    match profile {
        Pkcs12Profile::Jdk17 => pbes2(plain, password),
        Pkcs12Profile::Legacy => pkcs12_pbe(plain, password, 50_000, true),
    }
}

// ---------------------------------------------------------------------------------------- PEM

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 0x3f) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn pem_block(label: &str, der: &[u8]) -> String {
    let body = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for line in body.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// Certificates as PEM (a truststore bundle, or a chain file).
pub fn pem_certificates(certificates: &[&Certificate]) -> String {
    certificates
        .iter()
        .map(|c| pem_block("CERTIFICATE", c.der()))
        .collect()
}

/// How [`pem`] encrypts a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PemEncryption {
    /// PKCS#12 PBE `pbeWithSHAAnd3-KeyTripleDES-CBC` (2,048 iterations): what Cassandra's
    /// `PEMReader` decrypts on JDK 17, and what Cassandra's own test keys use.
    #[default]
    Pkcs12TripleDes,
    /// PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (10,000 iterations): OpenSSL 3's default.
    /// Cassandra on JDK 17 cannot read it (`PBES2 SecretKeyFactory not available`); drivers and
    /// this crate can.
    Pbes2Aes256,
}

/// Cassandra's PEM key store: the private key followed by its chain. With a password the key
/// is encrypted PKCS#8 ([`PemEncryption::default`], which Cassandra reads); without, plain
/// PKCS#8. The result holds the key: handle it as a secret.
pub fn pem(identity: &Identity, key_password: Option<&str>) -> Result<String> {
    pem_with(identity, key_password, PemEncryption::default())
}

/// [`pem`] with the encryption chosen.
pub fn pem_with(
    identity: &Identity,
    key_password: Option<&str>,
    encryption: PemEncryption,
) -> Result<String> {
    let key = pem_key(identity.private_key_pkcs8(), key_password, encryption)?;
    let chain: Vec<&Certificate> = identity.chain().iter().collect();
    let mut out = String::with_capacity(key.len() + 2048);
    out.push_str(&key);
    out.push_str(&pem_certificates(&chain));
    Ok(out)
}

/// A private key (unencrypted PKCS#8 DER) alone as PEM: `PRIVATE KEY`, or `ENCRYPTED PRIVATE
/// KEY` under `key_password`. The result is a secret and is wiped when dropped. Fails only for
/// a key too long for DER (256 MiB).
pub fn pem_key(
    key_pkcs8: &[u8],
    key_password: Option<&str>,
    encryption: PemEncryption,
) -> Result<Zeroizing<String>> {
    Ok(Zeroizing::new(match key_password {
        Some(p) => {
            let password = Password::new(p);
            let encrypted = epki(match encryption {
                PemEncryption::Pbes2Aes256 => pbes2(key_pkcs8, &password),
                PemEncryption::Pkcs12TripleDes => pkcs12_pbe(key_pkcs8, &password, 2048, false),
            })
            .to_der()?;
            pem_block("ENCRYPTED PRIVATE KEY", &encrypted)
        }
        None => pem_block("PRIVATE KEY", key_pkcs8),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Encodings checked against X.690's examples (integers, a long length) and the DER of
    /// PKCS#7's data OID as OpenSSL writes it.
    #[test]
    fn der_basics() {
        assert_eq!(Der::Int(0).to_der().unwrap(), [0x02, 0x01, 0x00]);
        assert_eq!(Der::Int(128).to_der().unwrap(), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(Der::Int(10_000).to_der().unwrap(), [0x02, 0x02, 0x27, 0x10]);
        // 1.2.840.113549.1.7.1
        assert_eq!(
            Der::Oid(oids::DATA).to_der().unwrap(),
            [
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01
            ]
        );
        assert_eq!(
            Der::Octets(vec![0u8; 200]).to_der().unwrap()[..3],
            [0x04, 0x81, 200]
        );
        // SET OF in DER order whatever the order given.
        assert_eq!(
            Der::Set(vec![Der::Int(2), Der::Int(1)]).to_der().unwrap(),
            [0x31, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]
        );
        assert_eq!(base64(b"any carnal pleas"), "YW55IGNhcm5hbCBwbGVhcw==");
        assert_eq!(base64(b"any carnal pleasu"), "YW55IGNhcm5hbCBwbGVhc3U=");
    }
}
