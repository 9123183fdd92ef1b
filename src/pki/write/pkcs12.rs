//! PKCS#12 as OpenJDK's `PKCS12KeyStore` writes it (JDK 17 defaults, or the legacy profile).

use sha1::{Digest, Sha1};

use super::der::{Der, oids};
use super::{Pkcs12Profile, StoreEntry, bad, check_aliases, jdk_pbe_password, random};
use crate::error::Result;
use crate::keystore::Certificate;
use crate::keystore::pbe::{Pkcs12Hash, encrypt};
use crate::password::Password;

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
pub(super) fn pbes2(plain: &[u8], password: &Password) -> (Der, Vec<u8>) {
    let (alg, encrypted) =
        encrypt::pbes2_aes256(plain, password, &random::<20>(), random::<16>(), 10_000);
    (Der::Encoded(alg), encrypted)
}

/// PKCS#12 PBE with SHA-1 (3-key 3DES, or 40-bit RC2), 20-byte salt: the algorithm identifier
/// and the ciphertext.
pub(super) fn pkcs12_pbe(
    plain: &[u8],
    password: &Password,
    iterations: u64,
    rc2_40: bool,
) -> (Der, Vec<u8>) {
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
pub(super) fn epki((alg, encrypted): (Der, Vec<u8>)) -> Der {
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
