//! Encryption for the test-PKI writer (feature `pki`): the inverse of the readers in this
//! module's siblings, with the same derivations.

use super::jce::jce_derive;
use super::sun::sun_keystream_xor;
use super::*;
use cbc::cipher::BlockModeEncrypt;

fn cbc_encrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> Vec<u8>
where
    C: cbc::cipher::BlockCipherEncrypt + KeyInit,
{
    cbc::Encryptor::<C>::new_from_slices(key, iv)
        .expect("key and IV lengths are fixed by the callers")
        .encrypt_padded_vec::<Pkcs7>(data)
}

/// Sun's JKS key protector: `salt(20) || plaintext XOR keystream || SHA-1(password || plaintext)`.
pub(crate) fn sun_key_protector(plain: &[u8], password: &Password, salt: &[u8; 20]) -> Vec<u8> {
    let pw = password.utf16be();
    let mut out = Vec::with_capacity(20 + plain.len() + 20);
    out.extend_from_slice(salt);
    out.extend_from_slice(plain);
    sun_keystream_xor(&pw, salt, &mut out[20..]);
    let check: [u8; 20] = Sha1::new()
        .chain_update(&pw[..])
        .chain_update(plain)
        .finalize()
        .into();
    out.extend_from_slice(&check);
    out
}

/// PBEWithMD5AndTripleDES with an ASCII password.
pub(crate) fn jce_pbe_md5_3des(
    plain: &[u8],
    password: &Password,
    salt: &[u8; 8],
    iterations: u64,
) -> Option<Vec<u8>> {
    let pw = password.ascii()?;
    let derived = jce_derive(salt, iterations, pw);
    Some(cbc_encrypt::<des::TdesEde3>(
        &derived[..24],
        &derived[24..],
        plain,
    ))
}

/// PKCS#12 PBE with SHA-1: 3-key 3DES (`rc2_40 == false`) or 40-bit RC2.
pub(crate) fn pkcs12_pbe(
    plain: &[u8],
    password: &Password,
    salt: &[u8],
    iterations: u64,
    rc2_40: bool,
) -> Vec<u8> {
    let bmp = bmp_password(password);
    let key_len = if rc2_40 { 5 } else { 24 };
    let key = pkcs12_kdf(Pkcs12Hash::Sha1, &bmp, salt, 1, iterations, key_len);
    let iv = pkcs12_kdf(Pkcs12Hash::Sha1, &bmp, salt, 2, iterations, 8);
    if rc2_40 {
        cbc_encrypt::<rc2::Rc2>(&key, &iv, plain)
    } else {
        cbc_encrypt::<des::TdesEde3>(&key, &iv, plain)
    }
}

/// PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC over the UTF-8 password (what the JDK 17
/// and OpenSSL 3 write). Returns the AlgorithmIdentifier's DER and the ciphertext.
pub(crate) fn pbes2_aes256(
    plain: &[u8],
    password: &Password,
    salt: &[u8],
    iv: [u8; 16],
    iterations: u32,
) -> (Vec<u8>, Vec<u8>) {
    use der::Encode;
    let params = pkcs5::pbes2::Parameters {
        kdf: pkcs5::pbes2::Pbkdf2Params::hmac_sha256(iterations, salt)
            .expect("salt and iterations within limits")
            .into(),
        encryption: pkcs5::pbes2::EncryptionScheme::Aes256Cbc { iv },
    };
    let mut buf = plain.to_vec();
    buf.extend_from_slice(&[0u8; 16]);
    let len = params
        .encrypt_in_place(password.expose().as_bytes(), &mut buf, plain.len())
        .expect("AES-256-CBC is enabled")
        .len();
    buf.truncate(len);
    let encrypted = buf;
    let alg = pkcs5::EncryptionScheme::Pbes2(params)
        .to_der()
        .expect("encodable parameters");
    (alg, encrypted)
}

/// The PKCS#12 MAC: HMAC over `data` with a key from the PKCS#12 KDF (ID 3).
pub(crate) fn pkcs12_mac(
    hash: Pkcs12Hash,
    password: &Password,
    salt: &[u8],
    iterations: u64,
    data: &[u8],
) -> Vec<u8> {
    use hmac::{Hmac, KeyInit as _, Mac};
    let bmp = bmp_password(password);
    let key = pkcs12_kdf(hash, &bmp, salt, 3, iterations, hash.output_len());
    match hash {
        Pkcs12Hash::Sha1 => {
            let mut m = <Hmac<Sha1>>::new_from_slice(&key).expect("any key length");
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
        _ => {
            let mut m = <Hmac<sha2::Sha256>>::new_from_slice(&key).expect("any key length");
            m.update(data);
            m.finalize().into_bytes().to_vec()
        }
    }
}
