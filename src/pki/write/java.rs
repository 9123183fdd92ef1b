//! JKS and JCEKS, as OpenJDK's `JavaKeyStore` and `JceKeyStore` write them.

use sha1::{Digest, Sha1};

use super::der::{Der, oids};
use super::{StoreEntry, bad, check_aliases, jdk_pbe_password, now_millis, random};
use crate::error::Result;
use crate::keystore::Certificate;
use crate::keystore::pbe::encrypt;
use crate::password::Password;

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
