//! PKCS#12, through the `p12-keystore` crate's raw bags.
//!
//! The bags are read with `Pkcs12Archive`, before any import policy, and linked here the way the
//! JDK's `PKCS12KeyStore` links them: a key's leaf is the certificate with the same local key
//! id (or friendly name), its chain follows issuer names; certificates carrying Oracle's trust
//! attribute are trusted entries; unnamed entries are called "1", "2", ... as keytool shows them.
//! Unlike the JDK, certificates with neither a key nor the trust attribute (OpenSSL
//! `-nokeys` truststores) are kept as trusted entries, with a warning.

use std::collections::BTreeMap;

use p12_keystore::{Pkcs12Archive, error::Error as P12Error};
use zeroize::Zeroizing;

use super::{
    Certificate, Entry, LoadContext, PrivateKeyEntry, SecretKeyEntry, TrustedCertEntry, Warning,
};
use crate::asn1::{Reader, tag};
use crate::error::{Error, Result};

/// The outer PFX: whether it carries a MAC decides what a decryption failure means.
fn has_mac(bytes: &[u8], ctx: &LoadContext<'_>) -> Result<bool> {
    let mut outer = Reader::new(bytes);
    let mut pfx = outer
        .sequence("PFX")
        .map_err(|e| ctx.malformed(format!("PKCS#12 PFX: {}", e.0)))?;
    let version = pfx
        .small_uint("PFX version")
        .map_err(|e| ctx.malformed(e.0))?;
    if version != 3 {
        return Err(ctx.unsupported(format!("PKCS#12 version {version}"), "version 3"));
    }
    pfx.expect(tag::SEQUENCE, "PFX authSafe")
        .map_err(|e| ctx.malformed(format!("PKCS#12 authSafe: {}", e.0)))?;
    let mac = pfx
        .optional(tag::SEQUENCE)
        .map_err(|e| ctx.malformed(format!("PKCS#12 macData: {}", e.0)))?;
    Ok(mac.is_some())
}

pub(crate) fn load(
    bytes: &[u8],
    ctx: &LoadContext<'_>,
    skip_keys: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Entry>> {
    let mac = has_mac(bytes, ctx)?;
    let password = ctx.store_password.or(ctx.key_password);
    let text = password.map(|p| p.expose()).unwrap_or("");
    let archive = Pkcs12Archive::from_pkcs12(bytes, text)
        .map_err(|e| map_error(e, mac, password.is_none(), ctx))?;

    let certs = archive
        .certs
        .iter()
        .map(|bag| ctx.certificate(bag.cert.as_der().to_vec(), bag.friendly_name.as_deref()))
        .collect::<Result<Vec<_>>>()?;

    let mut entries: BTreeMap<String, Entry> = BTreeMap::new();
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
    let mut used = vec![false; certs.len()];

    for key_bag in &archive.keys {
        let alias = next_alias(&key_bag.friendly_name);
        let leaf =
            archive
                .certs
                .iter()
                .position(|c| match (&key_bag.local_key_id, &c.local_key_id) {
                    (Some(k), Some(c)) => k.0 == *c,
                    (None, None) => {
                        key_bag.friendly_name.is_some() && c.friendly_name == key_bag.friendly_name
                    }
                    _ => false,
                });
        let chain_idx = leaf.map(|l| chain_from(l, &certs)).unwrap_or_default();
        // A certificate is part of a chain also when another bag holds the same bytes.
        for i in &chain_idx {
            for (j, c) in certs.iter().enumerate() {
                if c == &certs[*i] {
                    used[j] = true;
                }
            }
        }
        let chain: Vec<Certificate> = chain_idx.iter().map(|i| certs[*i].clone()).collect();
        let key = if skip_keys {
            None
        } else {
            let der = Zeroizing::new(key_bag.key.as_der().to_vec());
            Some(ctx.parse_key(der, super::KeyEncoding::Pkcs8, Some(&alias), false)?)
        };
        let entry = PrivateKeyEntry::checked(Some(alias.clone()), key, chain, ctx)?;
        entries.insert(alias, entry);
    }

    let mut without_trust = 0;
    for (i, bag) in archive.certs.iter().enumerate() {
        if bag.local_key_id.is_some() || (used[i] && !bag.trusted) {
            continue;
        }
        if !bag.trusted {
            without_trust += 1;
        }
        let alias = next_alias(&bag.friendly_name);
        entries.insert(
            alias.clone(),
            Entry::TrustedCert(TrustedCertEntry {
                alias: Some(alias),
                cert: certs[i].clone(),
            }),
        );
    }
    if without_trust > 0 {
        warnings.push(Warning::CertificatesWithoutJavaTrust {
            count: without_trust,
        });
    }

    for secret in &archive.secrets {
        let alias = next_alias(&secret.friendly_name);
        entries.insert(
            alias.clone(),
            Entry::SecretKey(SecretKeyEntry {
                alias: Some(alias),
                algorithm: Some(format!("{:?}", secret.key.key_type())),
            }),
        );
    }
    Ok(entries.into_values().collect())
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

fn map_error(e: P12Error, has_mac: bool, no_password: bool, ctx: &LoadContext<'_>) -> Error {
    let hint = if no_password {
        " (no password was given)"
    } else {
        ""
    };
    match e {
        P12Error::MacError(_) => ctx.tampered(format!("the PKCS#12 MAC does not match{hint}")),
        P12Error::UnsupportedEncryptionScheme => ctx.unsupported(
            "a PKCS#12 encryption scheme",
            "PBES2 (PBKDF2 or scrypt with AES), pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd40BitRC2-CBC",
        ),
        P12Error::UnsupportedMacAlgorithm => ctx.unsupported(
            "a PKCS#12 MAC algorithm (PBMAC1?)",
            "the PKCS#12 HMAC with SHA-1 or SHA-2",
        ),
        P12Error::UnsupportedContentType => {
            ctx.unsupported("a PKCS#12 content type (public-key encrypted?)", "data and encryptedData")
        }
        P12Error::InvalidParameters => ctx.unsupported(
            "PKCS#12 key-derivation parameters beyond the limits",
            "at most 1,000,000 iterations, scrypt up to 1 GiB",
        ),
        P12Error::UnpadError | P12Error::Pkcs5Error(_) | P12Error::InvalidData if !has_mac => {
            ctx.tampered(format!("the PKCS#12 contents do not decrypt{hint}"))
        }
        P12Error::DerError(_) if !has_mac => {
            ctx.tampered(format!("the PKCS#12 contents do not decrypt to valid data{hint}"))
        }
        other => ctx.malformed(format!("PKCS#12: {other}")),
    }
}
