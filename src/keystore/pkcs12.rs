//! PKCS#12 (RFC 7292), read here rather than through a PKCS#12 crate so that every decrypted
//! key is zeroized, every length is checked, and the JDK's rules apply where they matter.
//!
//! Structure: `PFX { version 3, authSafe ContentInfo, macData }`; the authSafe is a sequence of
//! ContentInfos, plain (`data`) or password-encrypted (`encryptedData`), each holding SafeBags:
//! keys (plain or shrouded), certificates, secrets, nested SafeContents. The MAC is an HMAC
//! whose key comes from the PKCS#12 KDF over the BMPString password.
//!
//! Bags are linked the way the JDK's `PKCS12KeyStore` links them: a key's leaf is the
//! certificate with the same local key id (or friendly name), its chain follows issuer names;
//! certificates with Oracle's trust attribute are trusted entries; unnamed entries are called
//! "1", "2", ... as keytool shows them. Unlike the JDK, certificates with neither a key nor the
//! trust attribute (OpenSSL `-nokeys` truststores) are kept as trusted entries, with a warning.

use hmac::{KeyInit, Mac};
use zeroize::Zeroizing;

use super::pbe::{self, DecryptError, Pkcs12Hash};
use super::{
    Certificate, Entry, KeyEncoding, LoadContext, PrivateKey, PrivateKeyEntry, SecretKeyEntry,
    TrustedCertEntry, Warning,
};
use crate::asn1::{DerError, Reader, oid as known, tag};
use crate::error::{Error, Result};
use crate::password::Password;

mod oid {
    /// 1.2.840.113549.1.7.1 data
    pub const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    /// 1.2.840.113549.1.7.6 encryptedData
    pub const ENCRYPTED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x06];
    const BAG: [u8; 10] = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x0a, 0x01];
    /// 1.2.840.113549.1.12.10.1.{1..6}
    pub fn bag(id: &[u8]) -> Option<u8> {
        (id.len() == 11 && id[..10] == BAG).then(|| id[10])
    }
    /// 1.2.840.113549.1.9.22.1 x509Certificate
    pub const X509_CERT: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x16, 0x01];
    /// 1.2.840.113549.1.9.20 friendlyName
    pub const FRIENDLY_NAME: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x14];
    /// 1.2.840.113549.1.9.21 localKeyID
    pub const LOCAL_KEY_ID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x15];
    /// 2.16.840.1.113894.746875.1.1 Oracle's trusted key usage
    pub const ORACLE_TRUSTED: &[u8] = &[
        0x60, 0x86, 0x48, 0x01, 0x86, 0xf9, 0x66, 0xad, 0xca, 0x7b, 0x01, 0x01,
    ];
    /// 1.3.14.3.2.26 SHA-1
    pub const SHA1: &[u8] = &[0x2b, 0x0e, 0x03, 0x02, 0x1a];
    /// 2.16.840.1.101.3.4.2.{1,2,3,4} SHA-256, SHA-384, SHA-512, SHA-224
    pub const SHA2_PREFIX: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
    /// 1.2.840.113549.1.5.14 PBMAC1
    pub const PBMAC1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0e];
}

const KEY_BAG: u8 = 1;
const SHROUDED_KEY_BAG: u8 = 2;
const CERT_BAG: u8 = 3;
const SECRET_BAG: u8 = 5;
const SAFE_CONTENTS_BAG: u8 = 6;
const MAX_NESTING: usize = 4;

/// A key bag before linking: still encrypted when shrouded.
struct KeyBag {
    name: Option<String>,
    local_key_id: Option<Vec<u8>>,
    content: KeyContent,
}

enum KeyContent {
    Plain(Zeroizing<Vec<u8>>),
    Shrouded(Vec<u8>),
}

struct CertBag {
    name: Option<String>,
    local_key_id: Option<Vec<u8>>,
    trusted: bool,
    cert: Certificate,
}

struct SecretBag {
    name: Option<String>,
    algorithm: Option<String>,
}

#[derive(Default)]
struct Bags {
    keys: Vec<KeyBag>,
    certs: Vec<CertBag>,
    secrets: Vec<SecretBag>,
}

struct Reading<'c, 'o> {
    ctx: &'c LoadContext<'o>,
    password: Password,
    no_password: bool,
    /// The MAC was checked and matched (never without a password, as in Java).
    mac_verified: bool,
}

impl Reading<'_, '_> {
    fn malformed(&self, e: DerError, what: &str) -> Error {
        self.ctx.malformed(format!("PKCS#12 {what}: {}", e.0))
    }

    /// A failed decryption of store content. With a verified MAC the password is right, so the
    /// content itself is bad; without one it is the password (or tampering), and without a
    /// password at all the content needs one.
    fn content_error(&self, e: DecryptError) -> Error {
        match e {
            DecryptError::WrongPassword if self.mac_verified => self
                .ctx
                .malformed("PKCS#12 content does not decrypt although the MAC matches"),
            DecryptError::WrongPassword if self.no_password => self.ctx.tampered(
                "the PKCS#12 content is encrypted and needs the store password, which was not given",
            ),
            DecryptError::WrongPassword => {
                self.ctx.tampered("the PKCS#12 content does not decrypt")
            }
            DecryptError::Malformed(what) => self.ctx.malformed(format!("PKCS#12: {what}")),
            DecryptError::Unsupported(what) => self.ctx.unsupported(what, "see the message"),
        }
    }
}

pub(crate) fn load(
    bytes: &[u8],
    ctx: &LoadContext<'_>,
    skip_keys: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Entry>> {
    let store_password = ctx.store_password.or(ctx.key_password);
    let mut r = Reading {
        ctx,
        password: store_password.cloned().unwrap_or_default(),
        no_password: store_password.is_none(),
        mac_verified: false,
    };
    let mut outer = Reader::new(bytes);
    let mut pfx = outer.sequence("PFX").map_err(|e| r.malformed(e, "PFX"))?;
    let version = pfx
        .small_uint("PFX version")
        .map_err(|e| r.malformed(e, "PFX"))?;
    if version != 3 {
        return Err(ctx.unsupported(format!("PKCS#12 version {version}"), "version 3"));
    }
    let auth_safe = content_info(&mut pfx).map_err(|e| r.malformed(e, "authSafe"))?;
    let AuthSafe::Data(auth_data) = auth_safe else {
        return Err(ctx.unsupported(
            "a PKCS#12 file protected by public-key signatures",
            "password integrity (a MAC) or none",
        ));
    };
    if let Some(mac) = pfx
        .optional(tag::SEQUENCE)
        .map_err(|e| r.malformed(e, "macData"))?
    {
        // Java skips the integrity check when no password is given; so do we.
        if store_password.is_some() {
            verify_mac(mac.value, auth_data, &r)?;
            r.mac_verified = true;
        }
    }

    let mut bags = Bags::default();
    let mut safes = Reader::new(auth_data)
        .sequence("AuthenticatedSafe")
        .map_err(|e| r.malformed(e, "AuthenticatedSafe"))?;
    while !safes.is_empty() {
        match content_info(&mut safes).map_err(|e| r.malformed(e, "ContentInfo"))? {
            AuthSafe::Data(data) => read_safe_contents(data, &r, &mut bags, 0)?,
            AuthSafe::Encrypted { algorithm, data } => {
                let plain =
                    pbe::decrypt(algorithm, data, &r.password).map_err(|e| r.content_error(e))?;
                read_safe_contents(&plain, &r, &mut bags, 0)?;
            }
        }
    }
    link(bags, &r, skip_keys, warnings)
}

enum AuthSafe<'a> {
    Data(&'a [u8]),
    Encrypted { algorithm: &'a [u8], data: &'a [u8] },
}

/// `ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }` for data and encryptedData.
fn content_info<'a>(r: &mut Reader<'a>) -> Result<AuthSafe<'a>, DerError> {
    let mut ci = r.sequence("ContentInfo")?;
    let content_type = ci.oid("content type")?;
    let mut content = ci.expect(0xa0, "ContentInfo content")?.reader();
    match content_type {
        oid::DATA => Ok(AuthSafe::Data(content.octet_string("data content")?)),
        oid::ENCRYPTED_DATA => {
            let mut ed = content.sequence("EncryptedData")?;
            ed.small_uint("EncryptedData version")?;
            let mut eci = ed.sequence("EncryptedContentInfo")?;
            eci.oid("encrypted content type")?;
            let algorithm = eci
                .expect(tag::SEQUENCE, "content encryption algorithm")?
                .raw;
            let data = eci
                .expect(
                    0x80,
                    "encrypted content (BER constructed octets are not supported)",
                )?
                .value;
            Ok(AuthSafe::Encrypted { algorithm, data })
        }
        _ => Err(DerError(
            "unsupported ContentInfo type (signed or enveloped data)",
        )),
    }
}

/// `MacData`: digest algorithm, digest, salt, iterations.
type MacFields<'a> = (&'a [u8], &'a [u8], &'a [u8], u64);

fn verify_mac(mac_data: &[u8], content: &[u8], r: &Reading<'_, '_>) -> Result<()> {
    let parse = || -> Result<MacFields<'_>, DerError> {
        let mut m = Reader::new(mac_data);
        let mut digest_info = m.sequence("DigestInfo")?;
        let mut alg = digest_info.sequence("MAC digest algorithm")?;
        let alg_oid = alg.oid("MAC digest OID")?;
        let digest = digest_info.octet_string("MAC digest")?;
        let salt = m.octet_string("MAC salt")?;
        let iterations = if m.is_empty() {
            1
        } else {
            m.small_uint("MAC iterations")?
        };
        Ok((alg_oid, digest, salt, iterations))
    };
    let (alg, digest, salt, iterations) = parse().map_err(|e| r.malformed(e, "macData"))?;
    let hash = match alg {
        oid::SHA1 => Pkcs12Hash::Sha1,
        a if a.len() == 9 && a[..8] == *oid::SHA2_PREFIX => match a[8] {
            1 => Pkcs12Hash::Sha256,
            2 => Pkcs12Hash::Sha384,
            3 => Pkcs12Hash::Sha512,
            4 => Pkcs12Hash::Sha224,
            _ => return Err(unsupported_mac(r, a)),
        },
        a => return Err(unsupported_mac(r, a)),
    };
    if iterations == 0 || iterations > pbe::MAX_ITERATIONS {
        return Err(r.ctx.unsupported(
            format!("{iterations} PKCS#12 MAC iterations"),
            format!("1 to {}", pbe::MAX_ITERATIONS),
        ));
    }
    let bmp = pbe::bmp_password(&r.password);
    // An empty password is a two-byte terminator for most tools but nothing at all for some
    // (older OpenSSL): accept either.
    let candidates: &[&[u8]] = if r.password.is_empty() {
        &[&bmp, &[]]
    } else {
        &[&bmp]
    };
    for pw in candidates {
        let key = pbe::pkcs12_kdf(hash, pw, salt, 3, iterations, hash.output_len());
        if hmac_matches(hash, &key, content, digest) {
            return Ok(());
        }
    }
    Err(r.ctx.tampered(format!(
        "the PKCS#12 MAC does not match{}",
        if r.no_password {
            " (no password was given)"
        } else {
            ""
        }
    )))
}

fn unsupported_mac(r: &Reading<'_, '_>, alg: &[u8]) -> Error {
    let what = if alg == oid::PBMAC1 {
        "a PBMAC1 (RFC 9579) PKCS#12 MAC".to_owned()
    } else {
        format!("PKCS#12 MAC digest {}", known::dotted(alg))
    };
    r.ctx.unsupported(
        what,
        "the PKCS#12 HMAC with SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512",
    )
}

fn hmac_matches(hash: Pkcs12Hash, key: &[u8], data: &[u8], tag: &[u8]) -> bool {
    macro_rules! check {
        ($d:ty) => {
            match hmac::Hmac::<$d>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.verify_slice(tag).is_ok()
                }
                Err(_) => false,
            }
        };
    }
    match hash {
        Pkcs12Hash::Sha1 => check!(sha1::Sha1),
        Pkcs12Hash::Sha224 => check!(sha2::Sha224),
        Pkcs12Hash::Sha256 => check!(sha2::Sha256),
        Pkcs12Hash::Sha384 => check!(sha2::Sha384),
        Pkcs12Hash::Sha512 => check!(sha2::Sha512),
    }
}

/// `SafeContents ::= SEQUENCE OF SafeBag`
fn read_safe_contents(
    der: &[u8],
    r: &Reading<'_, '_>,
    bags: &mut Bags,
    depth: usize,
) -> Result<()> {
    if depth > MAX_NESTING {
        return Err(r.ctx.malformed("PKCS#12 SafeContents nested too deeply"));
    }
    let mut contents = Reader::new(der)
        .sequence("SafeContents")
        .map_err(|e| r.malformed(e, "SafeContents"))?;
    while !contents.is_empty() {
        read_bag(&mut contents, r, bags, depth).map_err(|e| match e {
            BagError::Der(d) => r.malformed(d, "SafeBag"),
            BagError::Load(e) => e,
        })?;
    }
    Ok(())
}

enum BagError {
    Der(DerError),
    Load(Error),
}

impl From<DerError> for BagError {
    fn from(e: DerError) -> Self {
        BagError::Der(e)
    }
}

/// `SafeBag ::= SEQUENCE { bagId, [0] EXPLICIT bagValue, bagAttributes SET OF Attribute OPTIONAL }`
fn read_bag(
    contents: &mut Reader<'_>,
    r: &Reading<'_, '_>,
    bags: &mut Bags,
    depth: usize,
) -> Result<(), BagError> {
    let mut bag = contents.sequence("SafeBag")?;
    let bag_id = bag.oid("bag id")?;
    let value = bag.expect(0xa0, "bag value")?.value;
    let attrs = read_attributes(bag.optional(0x31)?.map(|t| t.value))?;
    match oid::bag(bag_id) {
        Some(KEY_BAG) => bags.keys.push(KeyBag {
            name: attrs.name,
            local_key_id: attrs.local_key_id.map(<[u8]>::to_vec),
            content: KeyContent::Plain(Zeroizing::new(
                Reader::new(value)
                    .expect(tag::SEQUENCE, "key bag")?
                    .raw
                    .to_vec(),
            )),
        }),
        Some(SHROUDED_KEY_BAG) => bags.keys.push(KeyBag {
            name: attrs.name,
            local_key_id: attrs.local_key_id.map(<[u8]>::to_vec),
            content: KeyContent::Shrouded(
                Reader::new(value)
                    .expect(tag::SEQUENCE, "shrouded key bag")?
                    .raw
                    .to_vec(),
            ),
        }),
        Some(CERT_BAG) => {
            let mut cb = Reader::new(value).sequence("CertBag")?;
            let cert_type = cb.oid("certificate type")?;
            if cert_type != oid::X509_CERT {
                return Ok(()); // SDSI certificates: nothing TLS can use
            }
            let der = cb
                .expect(0xa0, "certificate value")?
                .reader()
                .octet_string("certificate")?;
            let cert = r
                .ctx
                .certificate(der.to_vec(), attrs.name.as_deref())
                .map_err(BagError::Load)?;
            bags.certs.push(CertBag {
                name: attrs.name,
                local_key_id: attrs.local_key_id.map(<[u8]>::to_vec),
                trusted: attrs.trusted,
                cert,
            });
        }
        Some(SECRET_BAG) => bags.secrets.push(SecretBag {
            name: attrs.name,
            algorithm: secret_algorithm(value, r),
        }),
        Some(SAFE_CONTENTS_BAG) => {
            let nested = Reader::new(value)
                .expect(tag::SEQUENCE, "nested SafeContents")?
                .raw;
            read_safe_contents(nested, r, bags, depth + 1).map_err(BagError::Load)?;
        }
        _ => {} // CRL bags and unknown bags carry nothing a key store lists
    }
    Ok(())
}

#[derive(Default)]
struct Attributes<'a> {
    name: Option<String>,
    local_key_id: Option<&'a [u8]>,
    trusted: bool,
}

fn read_attributes(set: Option<&[u8]>) -> Result<Attributes<'_>, DerError> {
    let mut out = Attributes::default();
    let Some(set) = set else { return Ok(out) };
    let mut r = Reader::new(set);
    while !r.is_empty() {
        let mut attr = r.sequence("attribute")?;
        let id = attr.oid("attribute id")?;
        let mut values = attr.expect(0x31, "attribute values")?.reader();
        match id {
            oid::FRIENDLY_NAME => {
                let bmp = values.expect(0x1e, "friendlyName BMPString")?.value;
                out.name = Some(bmp_to_string(bmp).ok_or(DerError("friendlyName is not UTF-16"))?);
            }
            oid::LOCAL_KEY_ID => out.local_key_id = Some(values.octet_string("localKeyId")?),
            oid::ORACLE_TRUSTED => out.trusted = true,
            _ => {}
        }
    }
    Ok(out)
}

fn bmp_to_string(bmp: &[u8]) -> Option<String> {
    if !bmp.len().is_multiple_of(2) {
        return None;
    }
    let units = bmp.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

/// The algorithm of a JDK secret bag: an encrypted PKCS#8 structure whose algorithm OID names
/// the key type. Decrypted only to read that OID; the key bytes are dropped (and zeroized).
fn secret_algorithm(value: &[u8], r: &Reading<'_, '_>) -> Option<String> {
    let mut sb = Reader::new(value).sequence("SecretBag").ok()?;
    sb.oid("secret type").ok()?;
    let inner = sb
        .expect(0xa0, "secret value")
        .ok()?
        .reader()
        .octet_string("secret")
        .ok()?;
    let password = r.ctx.key_password().unwrap_or(&r.password);
    let plain = pbe::decrypt_epki(inner, password).ok()?;
    let mut info = Reader::new(&plain).sequence("PrivateKeyInfo").ok()?;
    info.small_uint("version").ok()?;
    let mut alg = info.sequence("algorithm").ok()?;
    let alg_oid = alg.oid("algorithm").ok()?;
    Some(secret_algorithm_name(alg_oid))
}

fn secret_algorithm_name(alg: &[u8]) -> String {
    const AES: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01];
    const DES_EDE3_CBC: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07];
    const HMAC_PREFIX: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02];
    match alg {
        a if a.starts_with(AES) => "AES".into(),
        DES_EDE3_CBC => "DESede".into(),
        a if a.len() == 8 && a[..7] == *HMAC_PREFIX => match a[7] {
            7 => "HmacSHA1".into(),
            8 => "HmacSHA224".into(),
            9 => "HmacSHA256".into(),
            10 => "HmacSHA384".into(),
            11 => "HmacSHA512".into(),
            _ => known::dotted(a),
        },
        a => known::dotted(a),
    }
}

/// Links keys to their chains and names every entry, as the JDK does.
fn link(
    bags: Bags,
    r: &Reading<'_, '_>,
    skip_keys: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Entry>> {
    let mut entries: Vec<(String, Entry)> = Vec::new();
    let mut unnamed = 0usize;
    let mut next_alias = |name: &Option<String>| -> String {
        match name {
            Some(n) => n.to_lowercase(),
            None => {
                unnamed += 1;
                unnamed.to_string()
            }
        }
    };
    let certs: Vec<Certificate> = bags.certs.iter().map(|c| c.cert.clone()).collect();
    let mut used = vec![false; certs.len()];
    let mut key_password_used_store = false;

    for key_bag in &bags.keys {
        let alias = next_alias(&key_bag.name);
        let leaf = bags
            .certs
            .iter()
            .position(|c| match (&key_bag.local_key_id, &c.local_key_id) {
                (Some(k), Some(c)) => k == c,
                _ => key_bag.name.is_some() && c.name == key_bag.name,
            });
        let chain_idx = leaf.map(|l| chain_from(l, &certs)).unwrap_or_default();
        // A certificate is part of a chain also when another bag holds the same bytes.
        for i in &chain_idx {
            for (j, c) in certs.iter().enumerate() {
                if *c == certs[*i] {
                    used[j] = true;
                }
            }
        }
        let chain: Vec<Certificate> = chain_idx.iter().map(|i| certs[*i].clone()).collect();
        let key = if skip_keys {
            None
        } else {
            let (key, used_store) = decrypt_key(key_bag, &alias, r)?;
            key_password_used_store |= used_store;
            key
        };
        entries.push((
            alias.clone(),
            PrivateKeyEntry::checked(Some(alias), key, chain, r.ctx)?,
        ));
    }
    if key_password_used_store {
        warnings.push(Warning::KeyPasswordIgnored);
    }

    let mut without_trust = 0;
    for (i, bag) in bags.certs.iter().enumerate() {
        if bag.local_key_id.is_some() || (used[i] && !bag.trusted) {
            continue;
        }
        if !bag.trusted {
            without_trust += 1;
        }
        let alias = next_alias(&bag.name);
        entries.push((
            alias.clone(),
            Entry::TrustedCert(TrustedCertEntry {
                alias: Some(alias),
                cert: certs[i].clone(),
            }),
        ));
    }
    if without_trust > 0 {
        warnings.push(Warning::CertificatesWithoutJavaTrust {
            count: without_trust,
        });
    }
    for secret in bags.secrets {
        let alias = next_alias(&secret.name);
        entries.push((
            alias.clone(),
            Entry::SecretKey(SecretKeyEntry {
                alias: Some(alias),
                algorithm: secret.algorithm,
            }),
        ));
    }
    // Sorted by alias; a later entry with the same alias replaces an earlier one.
    entries.reverse();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|later, earlier| later.0 == earlier.0);
    Ok(entries.into_iter().map(|(_, e)| e).collect())
}

/// Decrypts a key bag with the key password, falling back to the store password (PKCS#12 tools
/// use one password; the JDK allows a key its own). Returns whether the fallback was needed.
fn decrypt_key(
    bag: &KeyBag,
    alias: &str,
    r: &Reading<'_, '_>,
) -> Result<(Option<PrivateKey>, bool)> {
    let shrouded = match &bag.content {
        KeyContent::Plain(d) => {
            let der = d.clone();
            return Ok((
                Some(
                    r.ctx
                        .parse_key(der, KeyEncoding::Pkcs8, Some(alias), false)?,
                ),
                false,
            ));
        }
        KeyContent::Shrouded(d) => d.as_slice(),
    };
    let Some(key_password) = r.ctx.key_password() else {
        return Ok((None, false));
    };
    let first = pbe::decrypt_epki(shrouded, key_password);
    let (plain, used_store) = match first {
        Ok(p) => (p, false),
        Err(DecryptError::WrongPassword) if *key_password != r.password && !r.no_password => {
            match pbe::decrypt_epki(shrouded, &r.password) {
                Ok(p) => (p, true),
                Err(e) => return Err(r.ctx.decrypt_error(e, Some(alias))),
            }
        }
        Err(e) => return Err(r.ctx.decrypt_error(e, Some(alias))),
    };
    Ok((Some(r.ctx.pkcs8_key(plain, Some(alias))?), used_store))
}

/// Indices of the chain starting at `leaf`, following issuer to subject until a self-issued
/// certificate, a missing issuer, or a loop.
fn chain_from(leaf: usize, certs: &[Certificate]) -> Vec<usize> {
    let mut chain = vec![leaf];
    let mut current = leaf;
    while chain.len() < certs.len() {
        let Ok((issuer, subject)) = certs[current].issuer_and_subject() else {
            break;
        };
        if issuer == subject {
            break;
        }
        let next = certs.iter().enumerate().position(|(i, c)| {
            !chain.contains(&i) && c.issuer_and_subject().is_ok_and(|(_, s)| s == issuer)
        });
        match next {
            Some(n) => {
                chain.push(n);
                current = n;
            }
            None => break,
        }
    }
    chain
}
