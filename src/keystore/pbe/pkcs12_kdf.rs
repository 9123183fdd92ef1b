//! The PKCS#12 key-derivation function (RFC 7292 appendix B) and PKCS#12 PBE
//! (`pbeWithSHAAnd3-KeyTripleDES-CBC`, RC2), with the password as a BMPString.

use sha1::{Digest, Sha1};
use zeroize::{Zeroize, Zeroizing};

use super::{DResult, cbc_decrypt};
use crate::asn1::oid;
use crate::password::Password;

/// `a = SHA-1(a)`, `rounds` times, through the compression function alone (a 20-byte input is
/// always one padded block): the inner loop of the PKCS#12 KDF.
pub(super) fn sha1_rounds(a: &mut [u8; 20], rounds: u64) {
    const IV: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    let mut block = Zeroizing::new([0u8; 64]);
    block[20] = 0x80;
    block[56..].copy_from_slice(&160u64.to_be_bytes());
    for _ in 0..rounds {
        block[..20].copy_from_slice(a);
        let mut state = IV;
        sha1::block_api::compress(&mut state, std::slice::from_ref(&*block));
        for (chunk, word) in a.chunks_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }
}

/// PKCS#12 PBE (RFC 7292 appendix B and C): the PKCS#12 KDF with SHA-1 over the BMPString
/// password gives the key and IV for 3DES or RC2.
pub(super) fn pkcs12_pbe(
    alg: &[u8],
    salt: &[u8],
    iterations: u64,
    password: &Password,
    data: &[u8],
) -> DResult<Zeroizing<Vec<u8>>> {
    let key_len = match alg {
        oid::PKCS12_SHA_3DES_3KEY => 24,
        oid::PKCS12_SHA_3DES_2KEY => 16,
        oid::PKCS12_SHA_RC2_128 => 16,
        _ => 5,
    };
    let bmp = bmp_password(password);
    let key = pkcs12_kdf(Pkcs12Hash::Sha1, &bmp, salt, 1, iterations, key_len);
    let iv = pkcs12_kdf(Pkcs12Hash::Sha1, &bmp, salt, 2, iterations, 8);
    match alg {
        oid::PKCS12_SHA_3DES_3KEY => cbc_decrypt::<des::TdesEde3>(&key, &iv, data),
        oid::PKCS12_SHA_3DES_2KEY => cbc_decrypt::<des::TdesEde2>(&key, &iv, data),
        _ => cbc_decrypt::<rc2::Rc2>(&key, &iv, data),
    }
}

/// The password as PKCS#12 wants it: UTF-16BE with a two-byte NUL terminator.
pub(crate) fn bmp_password(password: &Password) -> Zeroizing<Vec<u8>> {
    let mut bmp = password.utf16be();
    bmp.extend_from_slice(&[0, 0]);
    bmp
}

/// The hashes the PKCS#12 KDF and MAC are used with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pkcs12Hash {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Pkcs12Hash {
    /// Block size v and output size u in bytes.
    fn sizes(self) -> (usize, usize) {
        match self {
            Pkcs12Hash::Sha1 => (64, 20),
            Pkcs12Hash::Sha224 => (64, 28),
            Pkcs12Hash::Sha256 => (64, 32),
            Pkcs12Hash::Sha384 => (128, 48),
            Pkcs12Hash::Sha512 => (128, 64),
        }
    }

    pub(crate) fn output_len(self) -> usize {
        self.sizes().1
    }

    fn digest(self, parts: &[&[u8]]) -> Vec<u8> {
        fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
            let mut h = D::new();
            for p in parts {
                h.update(p);
            }
            h.finalize().to_vec()
        }
        match self {
            Pkcs12Hash::Sha1 => run::<Sha1>(parts),
            Pkcs12Hash::Sha224 => run::<sha2::Sha224>(parts),
            Pkcs12Hash::Sha256 => run::<sha2::Sha256>(parts),
            Pkcs12Hash::Sha384 => run::<sha2::Sha384>(parts),
            Pkcs12Hash::Sha512 => run::<sha2::Sha512>(parts),
        }
    }

    /// `a = H(a)`, `rounds` times. SHA-1 and SHA-256 outputs fit one block, so only their
    /// compression functions run; the others go through the Digest API.
    fn iterate(self, a: &mut [u8], rounds: u64) {
        match self {
            Pkcs12Hash::Sha1 => {
                let mut x = [0u8; 20];
                x.copy_from_slice(a);
                sha1_rounds(&mut x, rounds);
                a.copy_from_slice(&x);
                x.zeroize();
            }
            Pkcs12Hash::Sha256 => {
                let mut x = [0u8; 32];
                x.copy_from_slice(a);
                sha256_rounds(&mut x, rounds);
                a.copy_from_slice(&x);
                x.zeroize();
            }
            other => {
                for _ in 0..rounds {
                    let next = other.digest(&[a]);
                    a.copy_from_slice(&next);
                }
            }
        }
    }
}

/// `a = SHA-256(a)`, `rounds` times, through the compression function alone.
fn sha256_rounds(a: &mut [u8; 32], rounds: u64) {
    const IV: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    let mut block = Zeroizing::new([0u8; 64]);
    block[32] = 0x80;
    block[56..].copy_from_slice(&256u64.to_be_bytes());
    for _ in 0..rounds {
        block[..32].copy_from_slice(a);
        let mut state = IV;
        sha2::block_api::compress256(&mut state, std::slice::from_ref(&*block));
        for (chunk, word) in a.chunks_mut(4).zip(state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
    }
}

/// The PKCS#12 key-derivation function (RFC 7292, appendix B.2). `id` is 1 for a key, 2 for an
/// IV, 3 for a MAC key; `bmp_password` is the BMPString password with its terminator.
pub(crate) fn pkcs12_kdf(
    hash: Pkcs12Hash,
    bmp_password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u64,
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let (v, u) = hash.sizes();
    let filled = |n: usize| n.div_ceil(v) * v;
    let d = vec![id; v];
    // I = S || P, each repeated to a multiple of v, built in place in one allocation: the
    // password's copy is wiped with it and no temporary is left behind.
    let mut i_buf = Zeroizing::new(Vec::with_capacity(
        filled(salt.len()) + filled(bmp_password.len()),
    ));
    i_buf.extend(salt.iter().copied().cycle().take(filled(salt.len())));
    i_buf.extend(
        bmp_password
            .iter()
            .copied()
            .cycle()
            .take(filled(bmp_password.len())),
    );
    let mut out = Zeroizing::new(Vec::with_capacity(len + u));
    while out.len() < len {
        let mut a = Zeroizing::new(hash.digest(&[&d, &i_buf[..]]));
        hash.iterate(&mut a, iterations.saturating_sub(1));
        out.extend_from_slice(&a);
        if out.len() >= len {
            break;
        }
        // I_j = (I_j + B + 1) mod 2^(8v), B being A repeated to v bytes.
        let b: Zeroizing<Vec<u8>> = Zeroizing::new(a.iter().copied().cycle().take(v).collect());
        for block in i_buf.chunks_mut(v) {
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let sum = block[k] as u16 + b[k] as u16 + carry;
                block[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pkcs12::kdf::{Pkcs12KeyType, derive_key};

    /// RustCrypto's PKCS#12 KDF (the `pkcs12` crate) as the reference: it follows RFC 7292
    /// appendix B step by step, with a full digest per round. This crate keeps its own because
    /// its SHA-1 and SHA-256 rounds run on the compression function alone, 2 to 3 times faster
    /// (benches/keystore.rs, `kdf/*`; BENCHMARKS.md): the JDK's PKCS#12 MAC and legacy PBE spend
    /// 10,000 to 350,000 rounds per load.
    fn reference(
        hash: Pkcs12Hash,
        pass: &[u8],
        salt: &[u8],
        id: u8,
        rounds: u64,
        len: usize,
    ) -> Vec<u8> {
        let id = match id {
            1 => Pkcs12KeyType::EncryptionKey,
            2 => Pkcs12KeyType::Iv,
            _ => Pkcs12KeyType::Mac,
        };
        let rounds = rounds as i32;
        match hash {
            Pkcs12Hash::Sha1 => derive_key::<Sha1>(pass, salt, id, rounds, len),
            Pkcs12Hash::Sha224 => derive_key::<sha2::Sha224>(pass, salt, id, rounds, len),
            Pkcs12Hash::Sha256 => derive_key::<sha2::Sha256>(pass, salt, id, rounds, len),
            Pkcs12Hash::Sha384 => derive_key::<sha2::Sha384>(pass, salt, id, rounds, len),
            Pkcs12Hash::Sha512 => derive_key::<sha2::Sha512>(pass, salt, id, rounds, len),
        }
    }

    #[test]
    fn agrees_with_rustcrypto_pkcs12_kdf() {
        let hashes = [
            Pkcs12Hash::Sha1,
            Pkcs12Hash::Sha224,
            Pkcs12Hash::Sha256,
            Pkcs12Hash::Sha384,
            Pkcs12Hash::Sha512,
        ];
        let passwords = [
            bmp_password(&Password::new("")),
            bmp_password(&Password::new("cassandra")),
            bmp_password(&Password::new("pässwörd-ლ")),
            bmp_password(&Password::new("x".repeat(70))),
        ];
        let salts: [&[u8]; 4] = [&[], &[7; 8], &[0xa5; 20], &[0x3c; 130]];
        for hash in hashes {
            for pass in &passwords {
                for salt in salts {
                    for (id, rounds, len) in [(1, 1, 24), (2, 2, 8), (3, 1000, 20), (1, 2048, 100)]
                    {
                        assert_eq!(
                            *pkcs12_kdf(hash, pass, salt, id, rounds, len),
                            reference(hash, pass, salt, id, rounds, len),
                            "{hash:?} pass {} salt {} id {id} rounds {rounds} len {len}",
                            pass.len(),
                            salt.len()
                        );
                    }
                }
            }
        }
    }
}
