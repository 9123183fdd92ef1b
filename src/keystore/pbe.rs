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
fn sun_keystream_xor(pw: &[u8], salt: &[u8], data: &mut [u8]) {
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
struct PrefixedSha1<'a> {
    prefix: &'a [u8],
    block: Option<Zeroizing<[u8; 64]>>,
}

impl<'a> PrefixedSha1<'a> {
    fn new(prefix: &'a [u8]) -> Self {
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

    fn next(&mut self, d: &mut [u8; 20]) {
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
fn jce_derive(salt: &[u8], iterations: u64, pw: &[u8]) -> Zeroizing<[u8; 32]> {
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
fn md5_rounds_x2(x: &mut [[u8; 16]; 2], pw: &[u8], rounds: u64) {
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
        super::md5x2::compress2(&mut state, &words);
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

/// `a = SHA-1(a)`, `rounds` times, through the compression function alone (a 20-byte input is
/// always one padded block): the inner loop of the PKCS#12 KDF.
fn sha1_rounds(a: &mut [u8; 20], rounds: u64) {
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
fn pkcs12_pbe(
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

/// CBC decryption with PKCS#7 padding into a zeroizing buffer. A padding error means the
/// password was wrong (or the data corrupted).
/// Encryption for the test-PKI writer: the inverse of the readers above, same derivations.
#[cfg(feature = "pki")]
pub(crate) mod encrypt {
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
