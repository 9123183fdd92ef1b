//! JCEKS's `PBEWithMD5AndTripleDES` (`com.sun.crypto.provider.PBES1Core`): Sun's own MD5
//! derivation over the two salt halves, then 3DES-CBC.

use md5::Md5;
use sha1::Digest;
use zeroize::{Zeroize, Zeroizing};

use super::{DResult, DecryptError, cbc_decrypt, check_iterations};
use crate::password::Password;

/// JCEKS's PBEWithMD5AndTripleDES (OID 1.3.6.1.4.1.42.2.19.1), as in OpenJDK's
/// `com.sun.crypto.provider.PBES1Core.deriveCipherKey`: each half of the 8-byte salt is hashed
/// with the ASCII password `iterations` times with MD5; the 32 bytes give a 3DES key and an IV.
pub(crate) fn jce_pbe_md5_3des(
    salt: &[u8],
    iterations: u64,
    password: &Password,
    data: &[u8],
) -> DResult<Zeroizing<Vec<u8>>> {
    if salt.len() != 8 {
        return Err(DecryptError::Malformed(
            "PBEWithMD5AndTripleDES salt must be 8 bytes",
        ));
    }
    check_iterations(iterations)?;
    let pw = password.ascii().ok_or_else(|| {
        DecryptError::Unsupported(
            "a non-ASCII key password for a JCEKS key (the JDK's PBE keys are ASCII only)".into(),
        )
    })?;
    let derived = jce_derive(salt, iterations, pw);
    cbc_decrypt::<des::TdesEde3>(&derived[..24], &derived[24..], data)
}

/// The 3DES key (24 bytes) and IV (8 bytes) of PBEWithMD5AndTripleDES.
pub(super) fn jce_derive(salt: &[u8], iterations: u64, pw: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut halves = [[0u8; 4]; 2];
    halves[0].copy_from_slice(&salt[..4]);
    halves[1].copy_from_slice(&salt[4..]);
    if halves[0] == halves[1] {
        // The JDK "inverts" the first half when both are equal; its loop is off by one, which
        // turns [a, b, c, d] into [d, a, b, d] (documented in pyjks, verified against the JDK).
        let h = halves[0];
        halves[0] = [h[3], h[0], h[1], h[3]];
    }
    let mut derived = Zeroizing::new([0u8; 32]);
    let mut x = [[0u8; 16]; 2];
    for (half, out) in halves.iter().zip(x.iter_mut()) {
        *out = Md5::new()
            .chain_update(half)
            .chain_update(pw)
            .finalize()
            .into();
    }
    md5_rounds_x2(&mut x, pw, iterations - 1);
    derived[..16].copy_from_slice(&x[0]);
    derived[16..].copy_from_slice(&x[1]);
    x.zeroize();
    derived
}

/// `x = MD5(x || pw)`, `rounds` times, for the two halves of JCEKS's key derivation at once.
/// When `x || pw` fits in one MD5 block (passwords up to 39 bytes), the padded block is built once,
/// only the compression function runs, and the two chains are stepped in lockstep so the
/// processor overlaps them: what makes 200,000 rounds per half affordable.
pub(super) fn md5_rounds_x2(x: &mut [[u8; 16]; 2], pw: &[u8], rounds: u64) {
    const IV: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    let len = 16 + pw.len();
    if len > 55 {
        for lane in x.iter_mut() {
            for _ in 0..rounds {
                *lane = Md5::new()
                    .chain_update(*lane)
                    .chain_update(pw)
                    .finalize()
                    .into();
            }
        }
        return;
    }
    let mut block = Zeroizing::new([0u8; 64]);
    block[16..len].copy_from_slice(pw);
    block[len] = 0x80;
    block[56..].copy_from_slice(&((len as u64) * 8).to_le_bytes());
    let mut words = Zeroizing::new([[0u32; 16]; 2]);
    for lane in 0..2 {
        block[..16].copy_from_slice(&x[lane]);
        for (w, chunk) in words[lane].iter_mut().zip(block.chunks(4)) {
            *w = u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
    }
    for _ in 0..rounds {
        let mut state = [IV; 2];
        crate::keystore::md5x2::compress2(&mut state, &words);
        // The digest, read as little-endian words, is the next message's first four words.
        for lane in 0..2 {
            words[lane][..4].copy_from_slice(&state[lane]);
        }
    }
    for lane in 0..2 {
        for (chunk, w) in x[lane].chunks_mut(4).zip(&words[lane][..4]) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
    }
}
