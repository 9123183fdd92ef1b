//! A minimal, bounds-checked DER reader for the few structures the key-store formats need.
//!
//! It never allocates: every value is a slice of the input, and every length is checked
//! against the bytes actually present before it is used.

/// DER tags used by the readers.
pub(crate) mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const OID: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;
}

/// Why a DER structure could not be read. Turned into [`crate::Error::Malformed`] by callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DerError(pub &'static str);

pub(crate) type DerResult<T> = Result<T, DerError>;

/// One tag-length-value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub tag: u8,
    pub value: &'a [u8],
    /// The whole encoding, header included.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// The contents as a reader, for constructed values.
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.value)
    }
}

/// Reads consecutive TLVs from a slice.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.buf.len()
    }

    /// The bytes not read yet.
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos.min(self.buf.len())..]
    }

    pub fn peek_tag(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    /// Reads the next TLV of any tag. Only single-byte tags occur in the structures read here.
    pub fn any(&mut self) -> DerResult<Tlv<'a>> {
        let start = self.pos;
        let tag = *self
            .buf
            .get(self.pos)
            .ok_or(DerError("unexpected end of data"))?;
        if tag & 0x1f == 0x1f {
            return Err(DerError("multi-byte tags are not used here"));
        }
        let first = *self
            .buf
            .get(self.pos + 1)
            .ok_or(DerError("unexpected end of data in a length"))?;
        let mut p = self.pos + 2;
        let len = if first < 0x80 {
            first as usize
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 {
                return Err(DerError("unsupported length encoding"));
            }
            let bytes = self
                .buf
                .get(p..p + n)
                .ok_or(DerError("unexpected end of data in a length"))?;
            p += n;
            bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize)
        };
        let end = p
            .checked_add(len)
            .filter(|end| *end <= self.buf.len())
            .ok_or(DerError("a length runs past the end of the data"))?;
        self.pos = end;
        Ok(Tlv {
            tag,
            value: &self.buf[p..end],
            raw: &self.buf[start..end],
        })
    }

    /// Reads the next TLV and checks its tag.
    pub fn expect(&mut self, tag: u8, what: &'static str) -> DerResult<Tlv<'a>> {
        let tlv = self.any()?;
        if tlv.tag != tag {
            return Err(DerError(what));
        }
        Ok(tlv)
    }

    /// Reads the next TLV only if it has this tag.
    pub fn optional(&mut self, tag: u8) -> DerResult<Option<Tlv<'a>>> {
        if self.peek_tag() == Some(tag) {
            self.any().map(Some)
        } else {
            Ok(None)
        }
    }

    pub fn sequence(&mut self, what: &'static str) -> DerResult<Reader<'a>> {
        Ok(self.expect(tag::SEQUENCE, what)?.reader())
    }

    pub fn octet_string(&mut self, what: &'static str) -> DerResult<&'a [u8]> {
        Ok(self.expect(tag::OCTET_STRING, what)?.value)
    }

    pub fn oid(&mut self, what: &'static str) -> DerResult<&'a [u8]> {
        Ok(self.expect(tag::OID, what)?.value)
    }

    /// An INTEGER's magnitude bytes, leading zero bytes removed (the values read here are
    /// non-negative).
    pub fn unsigned(&mut self, what: &'static str) -> DerResult<&'a [u8]> {
        let v = self.expect(tag::INTEGER, what)?.value;
        if v.is_empty() {
            return Err(DerError(what));
        }
        let skip = v.iter().take_while(|b| **b == 0).count().min(v.len() - 1);
        Ok(&v[skip..])
    }

    /// A small non-negative INTEGER, such as an iteration count or a version.
    pub fn small_uint(&mut self, what: &'static str) -> DerResult<u64> {
        let v = self.expect(tag::INTEGER, what)?.value;
        if v.is_empty() || v[0] & 0x80 != 0 {
            return Err(DerError(what));
        }
        let skip = v.iter().take_while(|b| **b == 0).count();
        let mag = &v[skip..];
        if mag.len() > 8 {
            return Err(DerError(what));
        }
        Ok(mag.iter().fold(0u64, |acc, b| (acc << 8) | *b as u64))
    }
}

/// Encodes a dotted OID given as arcs, for comparison with [`Reader::oid`] output. Only used
/// with the constants below, so the arcs are known to be valid.
pub(crate) mod oid {
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub const RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.113549.1.1.10 RSASSA-PSS
    pub const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// 1.2.840.10045.2.1 id-ecPublicKey
    pub const EC: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.2.840.10040.4.1 id-dsa
    pub const DSA: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x01];
    /// 1.3.101.112 Ed25519
    pub const ED25519: &[u8] = &[0x2b, 0x65, 0x70];
    /// 1.3.101.113 Ed448
    pub const ED448: &[u8] = &[0x2b, 0x65, 0x71];
    /// 1.3.101.110 X25519
    pub const X25519: &[u8] = &[0x2b, 0x65, 0x6e];
    /// 1.3.101.111 X448
    pub const X448: &[u8] = &[0x2b, 0x65, 0x6f];
    /// 1.2.840.10045.3.1.7 secp256r1
    pub const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// 1.3.132.0.34 secp384r1
    pub const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
    /// 1.3.132.0.35 secp521r1
    pub const P521: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x23];
    /// 1.3.132.0.10 secp256k1
    pub const SECP256K1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x0a];

    /// 1.3.6.1.4.1.42.2.17.1.1 Sun's JKS key protector
    pub const SUN_JKS_KEY_PROTECTOR: &[u8] =
        &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x11, 0x01, 0x01];
    /// 1.3.6.1.4.1.42.2.19.1 PBEWithMD5AndTripleDES (JCEKS)
    pub const PBE_MD5_TRIPLE_DES: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x2a, 0x02, 0x13, 0x01];
    /// 1.2.840.113549.1.5.13 PBES2
    pub const PBES2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d];
    /// 1.2.840.113549.1.5.3 pbeWithMD5AndDES-CBC
    pub const PBE_MD5_DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x03];
    /// 1.2.840.113549.1.5.6 pbeWithMD5AndRC2-CBC
    pub const PBE_MD5_RC2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x06];
    /// 1.2.840.113549.1.5.10 pbeWithSHA1AndDES-CBC
    pub const PBE_SHA1_DES: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0a];
    /// 1.2.840.113549.1.5.11 pbeWithSHA1AndRC2-CBC
    pub const PBE_SHA1_RC2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0b];
    /// 1.2.840.113549.1.12.1.3 pbeWithSHAAnd3-KeyTripleDES-CBC
    pub const PKCS12_SHA_3DES_3KEY: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x03];
    /// 1.2.840.113549.1.12.1.4 pbeWithSHAAnd2-KeyTripleDES-CBC
    pub const PKCS12_SHA_3DES_2KEY: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x04];
    /// 1.2.840.113549.1.12.1.5 pbeWithSHAAnd128BitRC2-CBC
    pub const PKCS12_SHA_RC2_128: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x05];
    /// 1.2.840.113549.1.12.1.6 pbeWithSHAAnd40BitRC2-CBC
    pub const PKCS12_SHA_RC2_40: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06];

    /// Dotted text of an encoded OID, for messages.
    pub fn dotted(der: &[u8]) -> String {
        let mut arcs: Vec<u64> = Vec::new();
        let mut acc: u64 = 0;
        for (i, b) in der.iter().enumerate() {
            acc = (acc << 7) | (b & 0x7f) as u64;
            if b & 0x80 == 0 {
                if arcs.is_empty() {
                    let first = (acc / 40).min(2);
                    arcs.push(first);
                    arcs.push(acc - first * 40);
                } else {
                    arcs.push(acc);
                }
                acc = 0;
            } else if i + 1 == der.len() || acc > (u64::MAX >> 8) {
                return "<invalid OID>".to_owned();
            }
        }
        arcs.iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(".")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_past_the_end_are_errors() {
        // A SEQUENCE claiming 4 GiB - 1 bytes.
        let data = [0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert!(Reader::new(&data).any().is_err());
        assert!(Reader::new(&[0x30]).any().is_err());
        assert!(Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1]).any().is_err());
    }

    #[test]
    fn dotted_oid() {
        assert_eq!(oid::dotted(oid::RSA), "1.2.840.113549.1.1.1");
        assert_eq!(oid::dotted(oid::P384), "1.3.132.0.34");
    }
}
