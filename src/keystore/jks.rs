//! JKS and JCEKS, the JDK's proprietary key-store formats.
//!
//! Layout (OpenJDK `sun.security.provider.JavaKeyStore` and `com.sun.crypto.provider.JceKeyStore`,
//! all integers big-endian): magic (`FEEDFEED` JKS, `CECECECE` JCEKS), version 1 or 2, entry
//! count, the entries, then SHA-1(password as UTF-16BE ‖ "Mighty Aphrodite" ‖ all preceding
//! bytes). Entries: tag 1 private key (protected key, chain), tag 2 trusted certificate, tag 3
//! secret key (JCEKS only, a serialized `SealedObject`). Version 2 writes a certificate type
//! before each certificate; version 1 does not.

use sha1::{Digest, Sha1};

use super::javaser::{self, modified_utf8};
use super::pbe::{self, DecryptError};
use super::{Entry, LoadContext, PrivateKeyEntry, SecretKeyEntry, StoreType, TrustedCertEntry};
use crate::error::Result;

pub(crate) const JKS_MAGIC: u32 = 0xfeed_feed;
pub(crate) const JCEKS_MAGIC: u32 = 0xcece_cece;
const DIGEST_LEN: usize = 20;
const WHITENER: &[u8] = b"Mighty Aphrodite";

/// A big-endian reader over the store, every read bounds-checked.
struct Input<'a> {
    buf: &'a [u8],
    pos: usize,
    ctx: &'a LoadContext<'a>,
    /// The first certificate type no CertificateFactory knows, with its entry: refused only
    /// after the integrity digest (and so the store password) has been checked.
    unknown_cert_type: Option<(String, String)>,
}

impl<'a> Input<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|e| *e <= self.buf.len())
            .ok_or_else(|| {
                self.ctx.malformed(format!(
                    "truncated at byte {} while reading {what} ({n} bytes needed, {} left)",
                    self.pos,
                    self.buf.len().saturating_sub(self.pos)
                ))
            })?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        let b = self.take(4, what)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// A u32 length, checked against the bytes present before anything is allocated.
    fn len(&mut self, what: &str) -> Result<usize> {
        let at = self.pos;
        let n = self.u32(what)? as usize;
        if n > self.remaining() {
            return Err(self.ctx.malformed(format!(
                "{what} at byte {at} claims {n} bytes but only {} remain",
                self.remaining()
            )));
        }
        Ok(n)
    }

    /// Java's `DataInput.readUTF`: a u16 length and modified UTF-8.
    fn utf(&mut self, what: &str) -> Result<String> {
        let b = self.take(2, what)?;
        let n = u16::from_be_bytes([b[0], b[1]]) as usize;
        let at = self.pos;
        let bytes = self.take(n, what)?;
        modified_utf8(bytes).ok_or_else(|| {
            self.ctx
                .malformed(format!("{what} at byte {at} is not valid modified UTF-8"))
        })
    }
}

/// What an entry holds before keys are decrypted.
enum Raw<'a> {
    Key {
        protected: &'a [u8],
        chain: Vec<Vec<u8>>,
    },
    Trusted(Vec<u8>),
    Secret(javaser::Sealed),
}

/// Reads a JKS or JCEKS store.
pub(crate) fn load(buf: &[u8], ctx: &LoadContext<'_>, kind: StoreType) -> Result<Vec<Entry>> {
    let mut input = Input {
        buf,
        pos: 0,
        ctx,
        unknown_cert_type: None,
    };
    let magic = input.u32("magic")?;
    let expected = if kind == StoreType::Jceks {
        JCEKS_MAGIC
    } else {
        JKS_MAGIC
    };
    if magic != expected {
        return Err(ctx.malformed(format!("bad magic {magic:08x} for {}", kind.name())));
    }
    let version = input.u32("version")?;
    if version != 1 && version != 2 {
        return Err(ctx.unsupported(
            format!("{} version {version}", kind.name()),
            "versions 1 and 2",
        ));
    }
    let count = input.u32("entry count")? as usize;
    // The smallest entry is a tag, an empty alias and a timestamp: 14 bytes.
    if count > input.remaining() / 14 {
        return Err(ctx.malformed(format!(
            "entry count {count} cannot fit in the {} bytes that follow",
            input.remaining()
        )));
    }

    let mut raw: Vec<(String, Raw<'_>)> = Vec::with_capacity(count);
    for index in 0..count {
        let tag = input.u32("entry tag")?;
        // Both formats are case-insensitive: aliases are lower-cased as
        // `toLowerCase(Locale.ENGLISH)` does, and a repeated alias replaces the earlier entry.
        let mut alias = input.utf("alias")?;
        if alias.is_ascii() {
            alias.make_ascii_lowercase();
        } else {
            alias = alias.to_lowercase();
        }
        input.take(8, "entry timestamp")?;
        let entry = match tag {
            1 => {
                let n = input.len("protected key length")?;
                let protected = input.take(n, "protected key")?;
                let chain_len = input.u32("chain length")? as usize;
                if chain_len > input.remaining() / 4 {
                    return Err(ctx.malformed(format!(
                        "entry '{alias}' claims {chain_len} chain certificates, more than the data holds"
                    )));
                }
                let mut chain = Vec::with_capacity(chain_len);
                for _ in 0..chain_len {
                    chain.push(read_cert(&mut input, version, &alias)?);
                }
                Raw::Key { protected, chain }
            }
            2 => Raw::Trusted(read_cert(&mut input, version, &alias)?),
            3 if kind == StoreType::Jceks => {
                let (sealed, used) = javaser::read_sealed_key(&buf[input.pos..]).map_err(|e| {
                    ctx.malformed(format!(
                        "secret-key entry '{alias}' at byte {}: {}",
                        input.pos, e.0
                    ))
                })?;
                input.pos += used;
                Raw::Secret(sealed)
            }
            other => {
                return Err(
                    ctx.malformed(format!("entry {index} ('{alias}') has unknown tag {other}"))
                );
            }
        };
        raw.push((alias, entry));
    }

    verify_digest(&mut input, ctx)?;
    if let Some((cert_type, alias)) = input.unknown_cert_type.take() {
        return Err(ctx.unsupported(
            format!("certificate type '{cert_type}' in entry '{alias}'"),
            "X.509 (also spelled X509, in any case)",
        ));
    }
    // Sorted by alias; of entries sharing an alias the last one stays (a Hashtable put in Java).
    raw.reverse();
    raw.sort_by(|a, b| a.0.cmp(&b.0)); // stable: the last-written comes first among equals
    raw.dedup_by(|later, earlier| later.0 == earlier.0);
    raw.into_iter()
        .map(|(alias, r)| build_entry(alias, r, ctx))
        .collect()
}

fn read_cert(input: &mut Input<'_>, version: u32, alias: &str) -> Result<Vec<u8>> {
    if version == 2 {
        let cert_type = input.utf("certificate type")?;
        if !is_x509_type(&cert_type) && input.unknown_cert_type.is_none() {
            input.unknown_cert_type = Some((cert_type, alias.to_owned()));
        }
    }
    let n = input.len("certificate length")?;
    Ok(input.take(n, "certificate")?.to_vec())
}

/// Whether `CertificateFactory.getInstance(name)` gives the X.509 factory, as the JDK's stores
/// call it for each certificate: the SUN provider registers `X.509` with the alias `X509`, and
/// JCA looks algorithm names up case-insensitively (`Provider.ServiceKey` upper-cases them).
/// keytool writes `X.509`; keystore-go, and so cert-manager's JKS, writes `X509`.
fn is_x509_type(name: &str) -> bool {
    name.eq_ignore_ascii_case("X.509") || name.eq_ignore_ascii_case("X509")
}

/// The integrity check, done only when a store password is given (Java skips it for `null`).
/// Bytes after the digest are accepted, as the JDK ignores them.
fn verify_digest(input: &mut Input<'_>, ctx: &LoadContext<'_>) -> Result<()> {
    let Some(password) = ctx.store_password else {
        return Ok(());
    };
    let signed = &input.buf[..input.pos];
    let stored = input.take(DIGEST_LEN, "integrity digest")?;
    let computed = Sha1::new()
        .chain_update(&password.utf16be()[..])
        .chain_update(WHITENER)
        .chain_update(signed)
        .finalize();
    if computed.as_slice() != stored {
        return Err(ctx.tampered("the integrity digest does not match"));
    }
    Ok(())
}

fn build_entry(alias: String, raw: Raw<'_>, ctx: &LoadContext<'_>) -> Result<Entry> {
    match raw {
        Raw::Trusted(der) => Ok(Entry::TrustedCert(TrustedCertEntry {
            alias: Some(alias.clone()),
            cert: ctx.certificate(der, Some(&alias))?,
        })),
        Raw::Key { protected, chain } => {
            let chain = chain
                .into_iter()
                .map(|der| ctx.certificate(der, Some(&alias)))
                .collect::<Result<Vec<_>>>()?;
            let key = match ctx.key_password() {
                Some(password) => {
                    let plain = pbe::decrypt_epki(protected, password)
                        .map_err(|e| ctx.decrypt_error(e, Some(&alias)))?;
                    Some(ctx.pkcs8_key(plain, Some(&alias))?)
                }
                None => None,
            };
            PrivateKeyEntry::checked(Some(alias), key, chain, ctx)
        }
        Raw::Secret(sealed) => Ok(Entry::SecretKey(SecretKeyEntry {
            alias: Some(alias),
            algorithm: unseal_algorithm(&sealed, ctx),
        })),
    }
}

/// The algorithm of a JCEKS secret key, read by decrypting its sealed object with the key
/// password. `None` when that password does not open it (a secret key may have its own).
fn unseal_algorithm(sealed: &javaser::Sealed, ctx: &LoadContext<'_>) -> Option<String> {
    let password = ctx.key_password()?;
    if !sealed
        .seal_alg
        .eq_ignore_ascii_case("PBEWithMD5AndTripleDES")
    {
        return None;
    }
    let mut params = crate::asn1::Reader::new(&sealed.encoded_params)
        .sequence("PBE parameters")
        .ok()?;
    let salt = params.octet_string("salt").ok()?;
    let iterations = params.small_uint("iterations").ok()?;
    match pbe::jce_pbe_md5_3des(salt, iterations, password, &sealed.encrypted) {
        Ok(plain) => javaser::secret_key_algorithm(&plain),
        Err(
            DecryptError::WrongPassword | DecryptError::Malformed(_) | DecryptError::Unsupported(_),
        ) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::is_x509_type;
    use crate::keystore::javaser::modified_utf8;

    #[test]
    fn certificate_factory_names() {
        for name in ["X.509", "X509", "x509", "x.509"] {
            assert!(is_x509_type(name), "{name}");
        }
        for name in ["", "X.5O9", "PGP", "X 509"] {
            assert!(!is_x509_type(name), "{name}");
        }
    }

    #[test]
    fn modified_utf8_nul_and_surrogates() {
        assert_eq!(modified_utf8(&[0xc0, 0x80]).as_deref(), Some("\0"));
        // U+1F600 as a surrogate pair, each half in three bytes.
        let smile = [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80];
        assert_eq!(modified_utf8(&smile).as_deref(), Some("\u{1F600}"));
        assert_eq!(modified_utf8(&[0x00]), None);
        assert_eq!(modified_utf8(&[0xe0, 0x80]), None);
    }
}
