//! Sun's JKS key protector (`sun.security.provider.KeyProtector`): a SHA-1 keystream over the
//! UTF-16BE password and a 20-byte salt, and a SHA-1 check of the plaintext.

use sha1::{Digest, Sha1};
use zeroize::{Zeroize, Zeroizing};

use super::{DResult, DecryptError};
use crate::password::Password;

/// Sun's JKS key protector (OID 1.3.6.1.4.1.42.2.17.1.1): `salt(20) || E || check(20)`, the
/// keystream being SHA-1 chained over the UTF-16BE password, the check SHA-1(password ||
/// plaintext). Facts from OpenJDK's `sun.security.provider.KeyProtector`.
pub(crate) fn sun_key_protector(data: &[u8], password: &Password) -> DResult<Zeroizing<Vec<u8>>> {
    const SALT: usize = 20;
    const CHECK: usize = 20;
    if data.len() < SALT + CHECK {
        return Err(DecryptError::Malformed(
            "protected key shorter than its salt and check",
        ));
    }
    let pw = password.utf16be();
    let (salt, rest) = data.split_at(SALT);
    let (encrypted, check) = rest.split_at(rest.len() - CHECK);

    let mut plain = Zeroizing::new(encrypted.to_vec());
    sun_keystream_xor(&pw, salt, &mut plain);
    let expected: [u8; 20] = Sha1::new()
        .chain_update(&pw[..])
        .chain_update(&plain[..])
        .finalize()
        .into();
    if expected.as_slice() != check {
        return Err(DecryptError::WrongPassword);
    }
    Ok(plain)
}

/// XORs `data` with Sun's keystream: SHA-1(password || salt), then SHA-1(password || previous)
/// for each further 20 bytes. The same operation protects and unprotects.
pub(super) fn sun_keystream_xor(pw: &[u8], salt: &[u8], data: &mut [u8]) {
    let mut keystream = PrefixedSha1::new(pw);
    let mut digest: [u8; 20] = Sha1::new()
        .chain_update(pw)
        .chain_update(salt)
        .finalize()
        .into();
    for chunk in data.chunks_mut(20) {
        for (b, k) in chunk.iter_mut().zip(digest.iter()) {
            *b ^= k;
        }
        keystream.next(&mut digest);
    }
    digest.zeroize();
}

/// `d = SHA-1(prefix || d)` for a fixed prefix: Sun's keystream. When the message fits in one
/// block (prefixes up to 35 bytes, so passwords up to 17 characters), only the compression
/// function runs.
pub(super) struct PrefixedSha1<'a> {
    prefix: &'a [u8],
    block: Option<Zeroizing<[u8; 64]>>,
}

impl<'a> PrefixedSha1<'a> {
    pub(super) fn new(prefix: &'a [u8]) -> Self {
        let len = prefix.len() + 20;
        let block = (len <= 55).then(|| {
            let mut b = Zeroizing::new([0u8; 64]);
            b[..prefix.len()].copy_from_slice(prefix);
            b[len] = 0x80;
            b[56..].copy_from_slice(&((len as u64) * 8).to_be_bytes());
            b
        });
        PrefixedSha1 { prefix, block }
    }

    pub(super) fn next(&mut self, d: &mut [u8; 20]) {
        const IV: [u32; 5] = [
            0x6745_2301,
            0xefcd_ab89,
            0x98ba_dcfe,
            0x1032_5476,
            0xc3d2_e1f0,
        ];
        match &mut self.block {
            Some(block) => {
                let at = self.prefix.len();
                block[at..at + 20].copy_from_slice(d);
                let mut state = IV;
                sha1::block_api::compress(&mut state, std::slice::from_ref(&**block));
                for (chunk, word) in d.chunks_mut(4).zip(state) {
                    chunk.copy_from_slice(&word.to_be_bytes());
                }
            }
            None => {
                *d = Sha1::new()
                    .chain_update(self.prefix)
                    .chain_update(*d)
                    .finalize()
                    .into()
            }
        }
    }
}
