//! Password-based decryption of private keys, in every scheme Cassandra's stores and PEM files
//! use: Sun's JKS key protector, JCEKS's PBEWithMD5AndTripleDES, PKCS#12 PBE (SHA-1 KDF with
//! 3DES or RC2), PKCS#5 PBES1 and PBES2, and OpenSSL's traditional `Proc-Type` encryption.
//!
//! Every decrypted buffer is a [`Zeroizing`] vector. Iteration counts are bounded so a crafted
//! file cannot make a load run for minutes.

use cbc::cipher::{BlockModeDecrypt, KeyInit, KeyIvInit, block_padding::Pkcs7};
use md5::Md5;
use sha1::{Digest, Sha1};
use zeroize::{Zeroize, Zeroizing};

use crate::asn1::{DerError, Reader, oid};
use crate::password::Password;

/// The most iterations any key-derivation may ask for: the JDK's own ceiling for JCEKS and
/// PKCS#12 (5,000,000). Higher counts are refused as unsupported rather than computed.
#[cfg(feature = "pki")]
pub(crate) mod encrypt;
mod jce;
mod openssl;
mod pkcs12_kdf;
mod sun;

pub(crate) use jce::jce_pbe_md5_3des;
pub(crate) use openssl::openssl_traditional;
use pkcs12_kdf::pkcs12_pbe;
pub(crate) use pkcs12_kdf::{Pkcs12Hash, bmp_password, pkcs12_kdf};
pub(crate) use sun::sun_key_protector;

pub(crate) const MAX_ITERATIONS: u64 = 5_000_000;

/// Why a key could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecryptError {
    /// The password does not decrypt it (check value, padding or structure of the result).
    WrongPassword,
    /// The encrypted structure is malformed.
    Malformed(&'static str),
    /// The scheme or its parameters are not supported; the text says which.
    Unsupported(String),
}

impl From<DerError> for DecryptError {
    fn from(e: DerError) -> Self {
        DecryptError::Malformed(e.0)
    }
}

type DResult<T> = Result<T, DecryptError>;

/// Decrypts a PKCS#8 `EncryptedPrivateKeyInfo` whatever its scheme, returning the inner
/// `PrivateKeyInfo` DER.
pub(crate) fn decrypt_epki(der: &[u8], password: &Password) -> DResult<Zeroizing<Vec<u8>>> {
    let mut outer = Reader::new(der);
    let mut epki = outer.sequence("EncryptedPrivateKeyInfo")?;
    let alg = epki.expect(crate::asn1::tag::SEQUENCE, "encryption algorithm")?;
    let data = epki.octet_string("encrypted key data")?;
    decrypt(alg.raw, data, password)
}

/// Whether an EncryptedPrivateKeyInfo uses PBES2 (which Cassandra's PEMReader cannot decrypt
/// on JDK 17). `None` when it does not parse.
pub(crate) fn epki_is_pbes2(der: &[u8]) -> Option<bool> {
    let mut outer = Reader::new(der);
    let mut epki = outer.sequence("EncryptedPrivateKeyInfo").ok()?;
    let mut alg = epki.sequence("encryption algorithm").ok()?;
    Some(alg.oid("algorithm").ok()? == oid::PBES2)
}

/// Decrypts `data` under the password-based scheme named by a DER `AlgorithmIdentifier`.
pub(crate) fn decrypt(
    algorithm: &[u8],
    data: &[u8],
    password: &Password,
) -> DResult<Zeroizing<Vec<u8>>> {
    let mut alg_r = Reader::new(algorithm).sequence("encryption algorithm")?;
    let alg_oid = alg_r.oid("encryption algorithm OID")?;
    let params = alg_r.rest();
    match alg_oid {
        oid::SUN_JKS_KEY_PROTECTOR => sun_key_protector(data, password),
        oid::PBE_MD5_TRIPLE_DES => {
            let (salt, iterations) = pbe_parameter(params)?;
            jce_pbe_md5_3des(salt, iterations, password, data)
        }
        oid::PKCS12_SHA_3DES_3KEY
        | oid::PKCS12_SHA_3DES_2KEY
        | oid::PKCS12_SHA_RC2_128
        | oid::PKCS12_SHA_RC2_40 => {
            let (salt, iterations) = pbe_parameter(params)?;
            pkcs12_pbe(alg_oid, salt, iterations, password, data)
        }
        oid::PBE_MD5_DES | oid::PBE_MD5_RC2 | oid::PBE_SHA1_DES | oid::PBE_SHA1_RC2 => {
            let (salt, iterations) = pbe_parameter(params)?;
            pbes1(alg_oid, salt, iterations, password, data)
        }
        oid::PBES2 => pbes2(params, password, data),
        other => Err(DecryptError::Unsupported(format!(
            "key encryption {} (supported: PBES2, PKCS#12 PBE with 3DES or RC2, PBES1 with DES or RC2, JKS and JCEKS key protectors)",
            oid::dotted(other)
        ))),
    }
}

/// `PBEParameter ::= SEQUENCE { salt OCTET STRING, iterationCount INTEGER }`
fn pbe_parameter(params: &[u8]) -> DResult<(&[u8], u64)> {
    let mut p = Reader::new(params).sequence("PBE parameters")?;
    let salt = p.octet_string("PBE salt")?;
    let iterations = p.small_uint("PBE iteration count")?;
    check_iterations(iterations)?;
    Ok((salt, iterations))
}

fn check_iterations(iterations: u64) -> DResult<()> {
    if iterations == 0 {
        return Err(DecryptError::Malformed("iteration count is zero"));
    }
    if iterations > MAX_ITERATIONS {
        return Err(DecryptError::Unsupported(format!(
            "{iterations} key-derivation iterations (at most {MAX_ITERATIONS}, the JDK's limit)"
        )));
    }
    Ok(())
}

/// PKCS#5 v1.5 PBES1: PBKDF1 with MD5 or SHA-1 gives an 8-byte DES or RC2 key and an IV.
fn pbes1(
    alg: &[u8],
    salt: &[u8],
    iterations: u64,
    password: &Password,
    data: &[u8],
) -> DResult<Zeroizing<Vec<u8>>> {
    if salt.len() != 8 {
        return Err(DecryptError::Malformed("PBES1 salt must be 8 bytes"));
    }
    let pw = password.expose().as_bytes();
    let mut dk = Zeroizing::new([0u8; 16]);
    if alg == oid::PBE_MD5_DES || alg == oid::PBE_MD5_RC2 {
        let mut t: [u8; 16] = Md5::new()
            .chain_update(pw)
            .chain_update(salt)
            .finalize()
            .into();
        for _ in 1..iterations {
            t = Md5::digest(t).into();
        }
        dk.copy_from_slice(&t);
        t.zeroize();
    } else {
        let mut t: [u8; 20] = Sha1::new()
            .chain_update(pw)
            .chain_update(salt)
            .finalize()
            .into();
        for _ in 1..iterations {
            t = Sha1::digest(t).into();
        }
        dk.copy_from_slice(&t[..16]);
        t.zeroize();
    }
    let (key, iv) = dk.split_at(8);
    if alg == oid::PBE_MD5_DES || alg == oid::PBE_SHA1_DES {
        cbc_decrypt::<des::Des>(key, iv, data)
    } else {
        cbc_decrypt::<rc2::Rc2>(key, iv, data)
    }
}

/// PBES2 (PBKDF2 or scrypt with AES or 3DES), through RustCrypto's `pkcs5`, with the iteration
/// and memory limits checked first.
fn pbes2(params: &[u8], password: &Password, data: &[u8]) -> DResult<Zeroizing<Vec<u8>>> {
    use der::Decode;
    let params = pkcs5::pbes2::Parameters::from_der(params).map_err(|e| {
        DecryptError::Unsupported(format!(
            "PBES2 parameters ({e}); supported: PBKDF2 with HMAC-SHA1/SHA-224/256/384/512 or scrypt, and AES-CBC, AES-GCM, DES-EDE3-CBC or DES-CBC"
        ))
    })?;
    match &params.kdf {
        pkcs5::pbes2::Kdf::Pbkdf2(p) => check_iterations(p.iteration_count as u64)?,
        pkcs5::pbes2::Kdf::Scrypt(s) => {
            let memory = 128u64
                .saturating_mul(s.cost_parameter)
                .saturating_mul(s.block_size as u64);
            if memory > 256 << 20 || s.parallelization > 16 {
                return Err(DecryptError::Unsupported(
                    "scrypt parameters above 256 MiB of memory or parallelism 16".into(),
                ));
            }
        }
        _ => {
            return Err(DecryptError::Unsupported(
                "a PBES2 key-derivation function".into(),
            ));
        }
    }
    let mut buf = Zeroizing::new(data.to_vec());
    let len = params
        .decrypt_in_place(password.expose().as_bytes(), &mut buf)
        .map_err(|_| DecryptError::WrongPassword)?
        .len();
    buf.truncate(len);
    Ok(buf)
}

fn cbc_decrypt<C>(key: &[u8], iv: &[u8], data: &[u8]) -> DResult<Zeroizing<Vec<u8>>>
where
    C: cbc::cipher::BlockCipherDecrypt + KeyInit,
{
    let dec = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| DecryptError::Malformed("cipher key or IV length"))?;
    let mut buf = Zeroizing::new(data.to_vec());
    let len = dec
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| DecryptError::WrongPassword)?
        .len();
    buf.truncate(len);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::jce::md5_rounds_x2;
    use super::pkcs12_kdf::sha1_rounds;
    use super::sun::PrefixedSha1;
    use super::*;

    /// The PKCS#12 KDF test vector published with pyjks (tests/test_jks.py,
    /// `test_pkcs12_key_derivation`) and BouncyCastle's PKCS12Test.
    #[test]
    fn pkcs12_kdf_matches_published_vector() {
        let bmp = bmp_password(&Password::new("smeg"));
        let salt = [0x0a, 0x58, 0xcf, 0x64, 0x53, 0x0d, 0x82, 0x3f];
        let key = pkcs12_kdf(Pkcs12Hash::Sha1, &bmp, &salt, 1, 1, 24);
        assert_eq!(
            crate::keystore::cert::hex_lower(&key),
            "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"
        );
        let iv = pkcs12_kdf(Pkcs12Hash::Sha1, &bmp, &salt, 2, 1, 8);
        assert_eq!(crate::keystore::cert::hex_lower(&iv), "79993dfe048d3b76");
    }

    /// The compression-only loops agree with the plain Digest API (which is the reference).
    #[test]
    fn fast_rounds_equal_plain_hashing() {
        for pw_len in [0usize, 9, 39, 40, 80] {
            let pw: Vec<u8> = (0..pw_len as u8).collect();
            let mut plain = [3u8; 16];
            for _ in 0..1000 {
                plain = Md5::new()
                    .chain_update(plain)
                    .chain_update(&pw)
                    .finalize()
                    .into();
            }
            let mut two = [[3u8; 16], [4u8; 16]];
            md5_rounds_x2(&mut two, &pw, 1000);
            let mut other = [4u8; 16];
            for _ in 0..1000 {
                other = Md5::new()
                    .chain_update(other)
                    .chain_update(&pw)
                    .finalize()
                    .into();
            }
            assert_eq!(two, [plain, other], "two lanes, password length {pw_len}");
        }
        for prefix_len in [0usize, 18, 35, 36, 70] {
            let prefix: Vec<u8> = (0..prefix_len as u8).collect();
            let mut fast = [9u8; 20];
            let mut ks = PrefixedSha1::new(&prefix);
            let mut plain = [9u8; 20];
            for _ in 0..100 {
                ks.next(&mut fast);
                plain = Sha1::new()
                    .chain_update(&prefix)
                    .chain_update(plain)
                    .finalize()
                    .into();
            }
            assert_eq!(fast, plain, "prefix length {prefix_len}");
        }
        let mut fast = [5u8; 20];
        sha1_rounds(&mut fast, 1000);
        let mut plain = [5u8; 20];
        for _ in 0..1000 {
            plain = Sha1::digest(plain).into();
        }
        assert_eq!(fast, plain);
    }
}
