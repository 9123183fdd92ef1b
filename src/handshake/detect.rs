//! Telling TLS from plaintext on a port that accepts both (`optional: true`), as Cassandra
//! does: Netty's `SslHandler.isEncrypted` on the first 5 bytes.

/// What the first bytes of a connection are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detected {
    /// A TLS record (or an SSLv2-framed hello): hand the connection to a server [`super::Handshake`].
    Tls,
    /// Not TLS: plaintext CQL or internode messaging.
    Plaintext,
    /// Fewer than 5 bytes: Cassandra waits for more before deciding.
    NeedMore,
}

/// Netty's record sniffing, the way Cassandra 4.0 to 5.0 use it (`SslUtils.getEncryptedPacketLength`
/// with the SSLv2 probe):
/// - byte 0 a TLS content type (20 to 24), byte 1 the major version 3, and a positive length
///   in bytes 3 and 4: TLS;
/// - otherwise the SSLv2 probe: a 2-byte header when byte 0 has its top bit set, else 3
///   bytes; the byte after the header and message type must be major version 2 or 3.
///
/// The internode handshake begins with the magic `CA 55 2D FA` and CQL frames with a version
/// byte, so neither looks like TLS. Never reads past the first 5 bytes.
pub fn detect_tls(first_bytes: &[u8]) -> Detected {
    if first_bytes.len() < 5 {
        return Detected::NeedMore;
    }
    let b = &first_bytes[..5];
    if (20..=24).contains(&b[0]) && b[1] == 3 {
        let length = u16::from_be_bytes([b[3], b[4]]) as usize;
        if length + 5 > 5 {
            return Detected::Tls;
        }
    }
    // SSLv2 probe.
    let header = if b[0] & 0x80 != 0 { 2 } else { 3 };
    match b[header + 1] {
        2 | 3 => Detected::Tls,
        _ => Detected::Plaintext,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netty_rules() {
        // A TLS 1.2/1.3 ClientHello record header.
        assert_eq!(detect_tls(&[0x16, 0x03, 0x01, 0x02, 0x00]), Detected::Tls);
        assert_eq!(detect_tls(&[0x17, 0x03, 0x03, 0x00, 0x10]), Detected::Tls);
        // Zero length is not TLS (and the SSLv2 probe sees 0).
        assert_eq!(
            detect_tls(&[0x16, 0x03, 0x01, 0x00, 0x00]),
            Detected::Plaintext
        );
        // The internode magic and a CQL v5 OPTIONS frame.
        assert_eq!(
            detect_tls(&[0xca, 0x55, 0x2d, 0xfa, 0x00]),
            Detected::Plaintext
        );
        assert_eq!(
            detect_tls(&[0x05, 0x00, 0x00, 0x00, 0x05]),
            Detected::Plaintext
        );
        // An SSLv2-framed ClientHello: 2-byte header, type 1, version 3.
        assert_eq!(detect_tls(&[0x80, 0x2e, 0x01, 0x03, 0x01]), Detected::Tls);
        assert_eq!(detect_tls(&[0x16, 0x03]), Detected::NeedMore);
        // A CQL frame whose 5th byte is 2 or 3 trips the SSLv2 probe, as in Netty.
        assert_eq!(detect_tls(&[0x04, 0x00, 0x00, 0x00, 0x03]), Detected::Tls);
    }
}
