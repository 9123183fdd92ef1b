//! Writing identities and trusted certificates as the key stores Cassandra reads: JKS, JCEKS,
//! PKCS#12 and PEM. The formats are the JDK's (OpenJDK's `JavaKeyStore`, `JceKeyStore`,
//! `PKCS12KeyStore`) and OpenSSL's; the readers of this crate and the JDK's keytool both read
//! what is written here.

mod der;
mod java;
mod pem;
mod pkcs12;

use std::time::{SystemTime, UNIX_EPOCH};

use super::Identity;
use crate::error::{Error, Origin, Result};
use crate::keystore::Certificate;

pub use java::{jceks, jks};
pub use pem::{PemEncryption, pem, pem_certificates, pem_key, pem_with};
pub use pkcs12::pkcs12;

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

#[cfg(test)]
mod tests {
    use super::der::{Der, oids};
    use super::pem::base64;

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
