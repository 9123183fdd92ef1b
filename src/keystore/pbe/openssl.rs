//! OpenSSL's traditional PEM encryption (`Proc-Type: 4,ENCRYPTED` with `DEK-Info`): the key
//! is `EVP_BytesToKey` with MD5 and one iteration over the password and the IV's first 8 bytes.

use md5::Md5;
use sha1::Digest;
use zeroize::Zeroizing;

use super::{DResult, DecryptError, cbc_decrypt};
use crate::password::Password;

/// OpenSSL's traditional PEM encryption (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: CIPHER,IV`):
/// `EVP_BytesToKey` with MD5, one iteration, the first 8 bytes of the IV as salt.
pub(crate) fn openssl_traditional(
    cipher: &str,
    iv: &[u8],
    password: &Password,
    data: &[u8],
) -> DResult<Zeroizing<Vec<u8>>> {
    let (key_len, iv_len) = match cipher {
        "AES-128-CBC" => (16, 16),
        "AES-192-CBC" => (24, 16),
        "AES-256-CBC" => (32, 16),
        "DES-EDE3-CBC" => (24, 8),
        "DES-CBC" => (8, 8),
        other => {
            return Err(DecryptError::Unsupported(format!(
                "PEM encryption {other} (supported: AES-128-CBC, AES-192-CBC, AES-256-CBC, DES-EDE3-CBC, DES-CBC)"
            )));
        }
    };
    if iv.len() != iv_len {
        return Err(DecryptError::Malformed("DEK-Info IV has the wrong length"));
    }
    let pw = password.expose().as_bytes();
    let salt = &iv[..8];
    let mut key = Zeroizing::new(Vec::with_capacity(key_len + 16));
    let mut prev: Option<[u8; 16]> = None;
    while key.len() < key_len {
        let mut h = Md5::new();
        if let Some(p) = prev {
            h.update(p);
        }
        let d: [u8; 16] = h.chain_update(pw).chain_update(salt).finalize().into();
        key.extend_from_slice(&d);
        prev = Some(d);
    }
    key.truncate(key_len);
    match cipher {
        "AES-128-CBC" => cbc_decrypt::<aes::Aes128>(&key, iv, data),
        "AES-192-CBC" => cbc_decrypt::<aes::Aes192>(&key, iv, data),
        "AES-256-CBC" => cbc_decrypt::<aes::Aes256>(&key, iv, data),
        "DES-EDE3-CBC" => cbc_decrypt::<des::TdesEde3>(&key, iv, data),
        _ => cbc_decrypt::<des::Des>(&key, iv, data),
    }
}
