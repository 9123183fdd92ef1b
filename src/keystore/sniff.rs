//! Store type detection from the first bytes, never from the file name.

use super::StoreType;
use super::jks::{JCEKS_MAGIC, JKS_MAGIC};
use crate::asn1::tag;

/// The store type the bytes are, or `None` when they are none of the four.
///
/// JKS and JCEKS by their magic numbers; PKCS#12 by its DER `PFX` header (a SEQUENCE whose
/// first element is INTEGER 3); PEM by a `-----BEGIN ` line among the first 64 KiB of text.
pub(crate) fn detect(bytes: &[u8]) -> Option<StoreType> {
    if bytes.len() >= 4 {
        match u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) {
            JKS_MAGIC => return Some(StoreType::Jks),
            JCEKS_MAGIC => return Some(StoreType::Jceks),
            _ => {}
        }
    }
    if bytes.first() == Some(&tag::SEQUENCE) && looks_like_pfx(bytes) {
        return Some(StoreType::Pkcs12);
    }
    let head = &bytes[..bytes.len().min(64 << 10)];
    if head.windows(11).any(|w| w == b"-----BEGIN ") {
        return Some(StoreType::Pem);
    }
    None
}

/// A PFX starts `30 <len> 02 01 <version>` followed by the authSafe SEQUENCE (`30`). The outer
/// length is not checked against the data here, nor is the version (3): a truncated PKCS#12
/// file, or one of another version, should be reported as such, not as an unknown format.
fn looks_like_pfx(bytes: &[u8]) -> bool {
    let len_bytes = match bytes.get(1) {
        Some(b) if *b < 0x80 => 0,
        Some(b) if (0x81..=0x84).contains(b) => (*b & 0x7f) as usize,
        _ => return false,
    };
    let body = match bytes.get(2 + len_bytes..) {
        Some(b) => b,
        None => return false,
    };
    // Versions 0 and 1 are PKCS#8 keys (`02 01 00 30`, `02 01 01 30`), not PFX.
    matches!(body, [0x02, 0x01, v, 0x30, ..] if *v >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(
            detect(&[0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]),
            Some(StoreType::Jks)
        );
        assert_eq!(detect(&[0xce, 0xce, 0xce, 0xce]), Some(StoreType::Jceks));
        assert_eq!(
            detect(&[0x30, 0x82, 0x09, 0x99, 0x02, 0x01, 0x03, 0x30]),
            Some(StoreType::Pkcs12)
        );
        assert_eq!(
            detect(b"junk\n-----BEGIN CERTIFICATE-----\n"),
            Some(StoreType::Pem)
        );
        assert_eq!(detect(&[0x30, 0x03, 0x02, 0x01, 0x02]), None);
        // A DER PKCS#8 key is not a PFX.
        assert_eq!(
            detect(&[0x30, 0x82, 0x04, 0xbd, 0x02, 0x01, 0x00, 0x30]),
            None
        );
        assert_eq!(detect(b""), None);
        assert_eq!(detect(b"hello"), None);
    }
}
