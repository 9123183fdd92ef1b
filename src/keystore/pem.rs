//! PEM key stores and trust stores.
//!
//! Three layouts: one file holding a private key followed by its chain (Cassandra's
//! `PEMBasedSslContextFactory` keystore), a key file plus a certificate file (what drivers use),
//! and certificate bundles (truststores). Keys may be PKCS#8 (plain or encrypted with PBES2,
//! PBES1 or PKCS#12 PBE), PKCS#1 RSA, SEC1 EC or OpenSSL's traditional DSA, the last three
//! optionally under OpenSSL's `Proc-Type: 4,ENCRYPTED` encryption.
//!
//! Sections are split here, because rustls-pki-types skips `ENCRYPTED PRIVATE KEY` and does not
//! accept RFC 1421 headers; each body is then decoded by rustls-pki-types' `PemObject`
//! (constant-time base64 for keys).

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};
use zeroize::Zeroizing;

use super::pbe;
use super::{
    Certificate, Entry, KeyEncoding, LoadContext, PrivateKey, PrivateKeyEntry, TrustedCertEntry,
    Warning,
};
use crate::error::{Error, Origin, Result};

/// One `-----BEGIN X-----` ... `-----END X-----` section.
struct Section<'a> {
    label: &'a str,
    headers: Vec<(&'a str, &'a str)>,
    body: Vec<&'a [u8]>,
    line: usize,
}

/// Splits PEM text into sections, keeping RFC 1421 headers apart from the base64 body.
fn sections<'a>(text: &'a [u8], origin: &Origin) -> Result<Vec<Section<'a>>> {
    let mut out = Vec::new();
    let mut current: Option<Section<'a>> = None;
    let mut in_headers = false;
    for (n, raw_line) in text.split(|b| *b == b'\n').enumerate() {
        let line = trim(raw_line);
        if let Some(label) = marker(line, b"-----BEGIN ") {
            if let Some(open) = &current {
                return Err(Error::malformed(
                    origin,
                    format!(
                        "PEM section '{}' opened on line {} has no END line",
                        open.label,
                        open.line + 1
                    ),
                ));
            }
            current = Some(Section {
                label,
                headers: Vec::new(),
                body: Vec::new(),
                line: n,
            });
            in_headers = true;
            continue;
        }
        if let Some(label) = marker(line, b"-----END ") {
            let section = current.take().ok_or_else(|| {
                Error::malformed(origin, format!("END line without BEGIN on line {}", n + 1))
            })?;
            if label != section.label {
                return Err(Error::malformed(
                    origin,
                    format!(
                        "PEM section '{}' on line {} ends with '{label}'",
                        section.label,
                        section.line + 1
                    ),
                ));
            }
            out.push(section);
            continue;
        }
        let Some(section) = current.as_mut() else {
            continue; // text outside sections, as openssl prints it ("Bag Attributes", ...)
        };
        if in_headers {
            if let Some(colon) = line.iter().position(|b| *b == b':') {
                let name = std::str::from_utf8(&line[..colon]).unwrap_or("").trim();
                let value = std::str::from_utf8(&line[colon + 1..]).unwrap_or("").trim();
                section.headers.push((name, value));
                continue;
            }
            in_headers = false;
            if line.is_empty() {
                continue;
            }
        }
        if !line.is_empty() {
            section.body.push(line);
        }
    }
    if let Some(open) = current {
        return Err(Error::malformed(
            origin,
            format!(
                "PEM section '{}' opened on line {} has no END line (truncated?)",
                open.label,
                open.line + 1
            ),
        ));
    }
    Ok(out)
}

fn trim(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &line[start..end]
}

fn marker<'a>(line: &'a [u8], prefix: &[u8]) -> Option<&'a str> {
    let rest = line.strip_prefix(prefix)?.strip_suffix(b"-----")?;
    std::str::from_utf8(rest).ok()
}

/// The base64 body decoded by rustls-pki-types. `secret` selects its constant-time decoder.
fn decode(section: &Section<'_>, secret: bool, origin: &Origin) -> Result<Zeroizing<Vec<u8>>> {
    let label: &[u8] = if secret {
        b"PRIVATE KEY"
    } else {
        b"CERTIFICATE"
    };
    let mut text = Zeroizing::new(Vec::new());
    text.extend_from_slice(b"-----BEGIN ");
    text.extend_from_slice(label);
    text.extend_from_slice(b"-----\n");
    for line in &section.body {
        text.extend_from_slice(line);
        text.push(b'\n');
    }
    text.extend_from_slice(b"-----END ");
    text.extend_from_slice(label);
    text.extend_from_slice(b"-----\n");
    let bad = |e: rustls_pki_types::pem::Error| {
        Error::malformed(
            origin,
            format!(
                "PEM section '{}' on line {}: {e}",
                section.label,
                section.line + 1
            ),
        )
    };
    if secret {
        let key = PrivatePkcs8KeyDer::from_pem_slice(&text).map_err(bad)?;
        Ok(Zeroizing::new(key.secret_pkcs8_der().to_vec()))
    } else {
        let cert = CertificateDer::from_pem_slice(&text).map_err(bad)?;
        Ok(Zeroizing::new(cert.to_vec()))
    }
}

enum KeySection<'s, 'a> {
    Plain(&'s Section<'a>, KeyEncoding),
    Encrypted(&'s Section<'a>),
}

pub(crate) fn load(
    bytes: &[u8],
    certificates: Option<(&[u8], &Origin)>,
    ctx: &LoadContext<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Entry>> {
    let all = sections(bytes, ctx.origin)?;
    let mut keys = Vec::new();
    let mut certs = Vec::new();
    for s in &all {
        match s.label {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                certs.push(read_cert(s, ctx.origin, ctx)?)
            }
            "PRIVATE KEY" => keys.push(KeySection::Plain(s, KeyEncoding::Pkcs8)),
            "ENCRYPTED PRIVATE KEY" => keys.push(KeySection::Encrypted(s)),
            "RSA PRIVATE KEY" => keys.push(KeySection::Plain(s, KeyEncoding::Pkcs1)),
            "EC PRIVATE KEY" => keys.push(KeySection::Plain(s, KeyEncoding::Sec1)),
            "DSA PRIVATE KEY" => keys.push(KeySection::Plain(s, KeyEncoding::DsaTraditional)),
            "EC PARAMETERS" => {} // openssl ecparam -genkey writes it before the key
            other => warnings.push(Warning::IgnoredPemSection {
                label: other.to_owned(),
            }),
        }
    }
    if keys.len() > 1 {
        return Err(ctx.malformed(format!(
            "{} private keys in one PEM file; a key store holds exactly one",
            keys.len()
        )));
    }
    if let Some((extra, origin)) = certificates {
        for s in sections(extra, origin)? {
            if s.label.ends_with("CERTIFICATE") {
                certs.push(read_cert(&s, origin, ctx)?);
            }
        }
    }
    let Some(key_section) = keys.pop() else {
        if certs.is_empty() {
            return Err(ctx.malformed("no certificate or private key in the PEM data"));
        }
        return Ok(certs
            .into_iter()
            .map(|cert| Entry::TrustedCert(TrustedCertEntry { alias: None, cert }))
            .collect());
    };
    if let Some(reason) = cassandra_cannot_read(&key_section, ctx) {
        warnings.push(Warning::NotReadByCassandra { reason });
    }
    let key = read_key(key_section, ctx)?;
    Ok(vec![PrivateKeyEntry::checked(None, Some(key), certs, ctx)?])
}

fn read_cert(section: &Section<'_>, origin: &Origin, ctx: &LoadContext<'_>) -> Result<Certificate> {
    let der = decode(section, false, origin)?;
    let mut der = der.to_vec();
    if section.label == "TRUSTED CERTIFICATE" {
        // OpenSSL's trusted form: the certificate followed by its trust settings.
        let len = crate::asn1::Reader::new(&der)
            .any()
            .map_err(|e| Error::malformed(origin, format!("TRUSTED CERTIFICATE: {}", e.0)))?
            .raw
            .len();
        der.truncate(len);
    }
    ctx.certificate(der, None).map_err(|e| match e {
        Error::Malformed { what, .. } => Error::malformed(origin, what),
        Error::Unsupported {
            what, supported, ..
        } => Error::unsupported(origin, what, supported),
        other => other,
    })
}

fn read_key(section: KeySection<'_, '_>, ctx: &LoadContext<'_>) -> Result<PrivateKey> {
    let no_password = || Error::WrongKeyPassword {
        origin: ctx.origin.clone(),
        alias: None,
        hint: Some("the key is encrypted and no key password was given".into()),
    };
    match section {
        KeySection::Encrypted(s) => {
            let der = decode(s, true, ctx.origin)?;
            let password = ctx.key_password().ok_or_else(no_password)?;
            let plain =
                pbe::decrypt_epki(&der, password).map_err(|e| ctx.decrypt_error(e, None))?;
            ctx.pkcs8_key(plain, None)
        }
        KeySection::Plain(s, encoding) => {
            let der = decode(s, true, ctx.origin)?;
            let proc_type = header(s, "Proc-Type");
            if proc_type.is_none_or(|v| !v.ends_with("ENCRYPTED")) {
                return ctx.parse_key(der, encoding, None, false);
            }
            let dek = header(s, "DEK-Info")
                .ok_or_else(|| ctx.malformed("an encrypted PEM key without a DEK-Info header"))?;
            let (cipher, iv_hex) = dek
                .split_once(',')
                .ok_or_else(|| ctx.malformed("DEK-Info is not 'CIPHER,IV'"))?;
            let iv =
                hex_decode(iv_hex.trim()).ok_or_else(|| ctx.malformed("DEK-Info IV is not hex"))?;
            let password = ctx.key_password().ok_or_else(no_password)?;
            let plain =
                pbe::openssl_traditional(&cipher.trim().to_ascii_uppercase(), &iv, password, &der)
                    .map_err(|e| ctx.decrypt_error(e, None))?;
            ctx.parse_key(plain, encoding, None, true)
        }
    }
}

/// Why Cassandra's `PEMReader` would fail on this key, if it would: it takes PKCS#8 only, as
/// `EncryptedPrivateKeyInfo` when a password is given and plain otherwise, decrypting with the
/// JDK's `SecretKeyFactory` for the algorithm (which has no PBES2 on JDK 17), and allows no PEM
/// headers.
fn cassandra_cannot_read(section: &KeySection<'_, '_>, ctx: &LoadContext<'_>) -> Option<String> {
    const TO_PKCS8: &str =
        "convert it with `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES` (or `-nocrypt`)";
    let has_password = ctx.key_password().is_some_and(|p| !p.is_empty());
    match section {
        KeySection::Plain(s, _) if header(s, "Proc-Type").is_some() => Some(format!(
            "traditional OpenSSL encryption (Proc-Type and DEK-Info headers); {TO_PKCS8}"
        )),
        KeySection::Plain(s, encoding) if *encoding != KeyEncoding::Pkcs8 => Some(format!(
            "a '{}' key: PEMReader reads PKCS#8 only; {TO_PKCS8}",
            s.label
        )),
        KeySection::Plain(..) if has_password => Some(
            "an unencrypted key with a password given: PEMReader then parses it as encrypted; remove the password or encrypt the key"
                .into(),
        ),
        KeySection::Encrypted(s) => {
            let der = decode(s, true, ctx.origin).ok()?;
            (crate::keystore::pbe::epki_is_pbes2(&der) == Some(true)).then(|| {
                "PBES2 encryption, which the JDK 17 that Cassandra runs on cannot decrypt (PBES2 SecretKeyFactory not available); re-encrypt it with `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES`".to_owned()
            })
        }
        _ => None,
    }
}

fn header<'a>(section: &Section<'a>, name: &str) -> Option<&'a str> {
    section
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() > 64 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}
