//! PEM: Cassandra's PEM key store (key then chain), certificate bundles, and keys alone.

use zeroize::Zeroizing;

use super::pkcs12::{epki, pbes2, pkcs12_pbe};
use crate::error::Result;
use crate::keystore::Certificate;
use crate::password::Password;
use crate::pki::Identity;

pub(super) fn base64(data: &[u8]) -> String {
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
