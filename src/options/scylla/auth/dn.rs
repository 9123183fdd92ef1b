//! The two strings Scylla's `CertificateAuthenticator` matches: the subject DN as
//! `gnutls_x509_crt_get_dn` writes it and the subject alternative names as Seastar lists them.
//!
//! Sources: GnuTLS 3.7.9 `lib/x509/dn.c` (`append_elements`, `_gnutls_x509_get_dn`),
//! `lib/x509/common.c` (`_oid2str`, `_gnutls_x509_dn_to_string`, `str_escape`,
//! `make_printable_string`, `decode_complex_string`, `_gnutls_x509_decode_string`),
//! `lib/x509/x509.c` (`get_alt_name`, `_gnutls_parse_general_name2`); Seastar `525fcc86`
//! `src/net/tls_gnutls.cc:1205-1275` (`get_alt_name_information`), `:1339-1349`
//! (`extract_dn_information`), `src/net/tls-impl.cc:403-420` (`format_as`),
//! `include/seastar/net/tls.hh:706-727` (formatters), `src/net/inet_address.cc:348-354`.

use std::fmt::Write as _;

use x509_parser::asn1_rs::{Any, Class};
use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use crate::keystore::Certificate;

/// Why GnuTLS could not give a DN string: Seastar's `extract_dn_information` then throws
/// `error while extracting certificate DN strings` and the connection's authentication fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DnFailure {
    /// The DER does not parse as an X.509 certificate (GnuTLS would not have accepted it).
    #[error("the certificate does not parse: {0}")]
    Unparsable(String),
    /// The name has no RDN: `GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE` (`_gnutls_x509_get_dn`,
    /// `k1 == 0`).
    #[error("the name is empty (GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)")]
    Empty,
    /// A DirectoryString attribute holds a zero-length string: `GNUTLS_E_ASN1_VALUE_NOT_VALID`.
    #[error("attribute {0} holds an empty DirectoryString (GNUTLS_E_ASN1_VALUE_NOT_VALID)")]
    EmptyDirectoryString(String),
    /// A decoded value holds a NUL byte: `str_escape` refuses it with `GNUTLS_E_ASN1_DER_ERROR`.
    #[error("attribute {0} holds a NUL byte (GNUTLS_E_ASN1_DER_ERROR)")]
    EmbeddedNul(String),
    /// A subject alternative name GnuTLS cannot read (`gtls_chk` throws in Seastar).
    #[error("a subject alternative name GnuTLS cannot read: {0}")]
    AltName(String),
}

fn parse(cert: &Certificate) -> Result<X509Certificate<'_>, DnFailure> {
    X509Certificate::from_der(cert.der().as_ref())
        .map(|(_, c)| c)
        .map_err(|e| DnFailure::Unparsable(e.to_string()))
}

/// The subject as `gnutls_x509_crt_get_dn` writes it: Scylla's SUBJECT string (Seastar
/// `tls_gnutls.cc:1344`). RDNs in certificate order joined with `,`, the values of a
/// multi-valued RDN joined with `+`, GnuTLS' attribute names (`C`, `O`, `OU`, `CN`, `EMAIL`,
/// `UID`, `DC`, `serialNumber`, `title`, `street`, ...), unknown attributes as
/// `dotted.oid=#hex` of the DER value, and `,+"\<>;` escaped with `\` (a leading `#` or space
/// and a trailing space too).
///
/// Bytes that are not UTF-8 (a UTF8String or PrintableString holding them; GnuTLS copies them
/// as they are) are replaced with U+FFFD: Scylla matches bytes, this crate characters.
pub fn gnutls_subject_dn(cert: &Certificate) -> Result<String, DnFailure> {
    let c = parse(cert)?;
    gnutls_dn(c.subject(), true)
}

/// The issuer as `gnutls_x509_crt_get_issuer_dn` writes it. Seastar reads it beside the
/// subject (`tls_gnutls.cc:1345`), and a failure of either fails the authentication.
pub fn gnutls_issuer_dn(cert: &Certificate) -> Result<String, DnFailure> {
    let c = parse(cert)?;
    gnutls_dn(c.issuer(), true)
}

/// `_gnutls_x509_get_dn`: `compat` keeps certificate order (the `gnutls_x509_crt_get_dn`
/// form), otherwise the RDNs are reversed (RFC 4514 order, as for a directoryName SAN).
fn gnutls_dn(name: &X509Name<'_>, compat: bool) -> Result<String, DnFailure> {
    let rdns: Vec<_> = name.iter().collect();
    if rdns.is_empty() {
        return Err(DnFailure::Empty);
    }
    let mut out: Vec<u8> = Vec::new();
    let order: Vec<usize> = if compat {
        (0..rdns.len()).collect()
    } else {
        (0..rdns.len()).rev().collect()
    };
    for (n, &i) in order.iter().enumerate() {
        let avas: Vec<_> = rdns[i].iter().collect();
        for (k, ava) in avas.iter().enumerate() {
            let oid = ava.attr_type().to_id_string();
            let entry = known(&oid);
            match entry.and_then(|e| e.name) {
                Some(name) => out.extend_from_slice(name.as_bytes()),
                None => out.extend_from_slice(oid.as_bytes()),
            }
            out.push(b'=');
            out.extend(attribute_value(&oid, entry, ava.attr_value())?);
            if k + 1 < avas.len() {
                out.push(b'+');
            } else if n + 1 < order.len() {
                out.push(b',');
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// How GnuTLS decodes a known attribute (`_oid2str`'s `asn_desc` or `etype`).
#[derive(Clone, Copy)]
enum Decode {
    /// `PKIX1.DirectoryString`: a CHOICE of teletex, printable, universal, UTF-8 and BMP.
    Directory,
    /// `PKIX1.pkcs-9-challengePassword`: a CHOICE of printable and UTF-8 strings.
    Challenge,
    /// One universal tag, decoded with `asn1_decode_simple_der`.
    Simple(u32),
}

#[derive(Clone, Copy)]
struct Known {
    name: Option<&'static str>,
    decode: Decode,
}

const PRINTABLE: u32 = 19;
const IA5: u32 = 22;
const UTF8: u32 = 12;
const NUMERIC: u32 = 18;
const BMP: u32 = 30;
const OCTET: u32 = 4;
const TELETEX: u32 = 20;
const UNIVERSAL: u32 = 28;

/// GnuTLS 3.7.9 `lib/x509/common.c` `_oid2str`, in its order.
fn known(oid: &str) -> Option<Known> {
    use Decode::{Challenge, Directory, Simple};
    let (name, decode) = match oid {
        "1.3.6.1.5.5.7.9.2" => (Some("placeOfBirth"), Directory),
        "1.3.6.1.5.5.7.9.3" => (Some("gender"), Simple(PRINTABLE)),
        "1.3.6.1.5.5.7.9.4" => (Some("countryOfCitizenship"), Simple(PRINTABLE)),
        "1.3.6.1.5.5.7.9.5" => (Some("countryOfResidence"), Simple(PRINTABLE)),
        "2.5.4.6" => (Some("C"), Simple(PRINTABLE)),
        "2.5.4.9" => (Some("street"), Directory),
        "2.5.4.12" => (Some("title"), Directory),
        "2.5.4.10" => (Some("O"), Directory),
        "2.5.4.11" => (Some("OU"), Directory),
        "2.5.4.3" => (Some("CN"), Directory),
        "2.5.4.7" => (Some("L"), Directory),
        "2.5.4.8" => (Some("ST"), Directory),
        "2.5.4.13" => (Some("description"), Directory),
        "2.5.4.5" => (Some("serialNumber"), Simple(PRINTABLE)),
        "2.5.4.20" => (Some("telephoneNumber"), Simple(PRINTABLE)),
        "2.5.4.4" => (Some("surName"), Directory),
        "2.5.4.43" => (Some("initials"), Directory),
        "2.5.4.44" => (Some("generationQualifier"), Directory),
        "2.5.4.42" => (Some("givenName"), Directory),
        "2.5.4.65" => (Some("pseudonym"), Directory),
        "2.5.4.46" => (Some("dnQualifier"), Simple(PRINTABLE)),
        "2.5.4.17" => (Some("postalCode"), Directory),
        "2.5.4.41" => (Some("name"), Directory),
        "2.5.4.15" => (Some("businessCategory"), Directory),
        "0.9.2342.19200300.100.1.25" => (Some("DC"), Simple(IA5)),
        "0.9.2342.19200300.100.1.1" => (Some("UID"), Directory),
        "1.2.840.113556.1.4.656" => (Some("userPrincipalName"), Directory),
        "1.3.6.1.4.1.311.60.2.1.1" => (Some("jurisdictionOfIncorporationLocalityName"), Directory),
        "1.3.6.1.4.1.311.60.2.1.2" => (
            Some("jurisdictionOfIncorporationStateOrProvinceName"),
            Directory,
        ),
        "1.3.6.1.4.1.311.60.2.1.3" => (
            Some("jurisdictionOfIncorporationCountryName"),
            Simple(PRINTABLE),
        ),
        "1.2.840.113549.1.9.1" => (Some("EMAIL"), Simple(IA5)),
        "1.2.840.113549.1.9.7" => (None, Challenge),
        "1.2.840.113549.1.9.20" => (None, Simple(BMP)),
        "1.2.840.113549.1.9.21" | "1.2.840.113549.1.9.4" => (None, Simple(OCTET)),
        "1.3.6.1.5.5.7.8.5" => (Some("XmppAddr"), Simple(UTF8)),
        "1.2.643.100.1" => (Some("OGRN"), Simple(NUMERIC)),
        "1.2.643.100.3" => (Some("SNILS"), Simple(NUMERIC)),
        "1.2.643.100.5" => (Some("OGRNIP"), Simple(NUMERIC)),
        "1.2.643.3.131.1.1" => (Some("INN"), Simple(NUMERIC)),
        _ => return None,
    };
    Some(Known { name, decode })
}

/// The DER TLV of a value, re-encoded from its header (GnuTLS hexes the bytes it read).
fn tlv(any: &Any<'_>) -> Vec<u8> {
    let mut out = Vec::with_capacity(any.data.len() + 6);
    match any.header.raw_tag() {
        Some(raw) => out.extend_from_slice(raw),
        None => {
            let class: u8 = match any.class() {
                Class::Universal => 0,
                Class::Application => 1,
                Class::ContextSpecific => 2,
                Class::Private => 3,
            };
            let first = (class << 6) | if any.header.is_constructed() { 0x20 } else { 0 };
            let t = any.tag().0;
            if t < 31 {
                out.push(first | t as u8);
            } else {
                out.push(first | 0x1f);
                let mut groups = Vec::new();
                let mut v = t;
                loop {
                    groups.push((v & 0x7f) as u8);
                    v >>= 7;
                    if v == 0 {
                        break;
                    }
                }
                for (i, g) in groups.iter().enumerate().rev() {
                    out.push(if i == 0 { *g } else { g | 0x80 });
                }
            }
        }
    }
    let len = any.data.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(any.data);
    out
}

/// `data2hex`: `#` and lowercase hex.
fn hex(bytes: &[u8]) -> Vec<u8> {
    let mut s = String::with_capacity(1 + bytes.len() * 2);
    s.push('#');
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s.into_bytes()
}

/// `_gnutls_ucs2_to_utf8` (big-endian); `None` where the conversion fails.
fn bmp_to_utf8(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    String::from_utf16(&units).ok().map(String::into_bytes)
}

/// `make_printable_string` for the types it converts: `Ok(None)` is its
/// `GNUTLS_E_INVALID_REQUEST` (the bytes are kept as they are).
fn printable(tag: u32, content: &[u8]) -> Option<Vec<u8>> {
    if content.is_empty() {
        return Some(Vec::new());
    }
    match tag {
        BMP => Some(bmp_to_utf8(content).unwrap_or_else(|| hex(content))),
        // Teletex holding printable ASCII only is kept; otherwise hexed.
        TELETEX => Some(if content.iter().all(|b| (0x20..0x7f).contains(b)) {
            content.to_vec()
        } else {
            hex(content)
        }),
        UNIVERSAL => Some(hex(content)),
        _ => None,
    }
}

/// `str_escape`.
fn escape(oid: &str, s: &[u8]) -> Result<Vec<u8>, DnFailure> {
    let mut out = Vec::with_capacity(s.len() * 2);
    for (i, &b) in s.iter().enumerate() {
        if b == 0 {
            return Err(DnFailure::EmbeddedNul(oid.to_string()));
        }
        let special = matches!(b, b',' | b'+' | b'"' | b'\\' | b'<' | b'>' | b';');
        if special || (i == 0 && (b == b'#' || b == b' ')) || (i + 1 == s.len() && b == b' ') {
            out.push(b'\\');
        }
        out.push(b);
    }
    Ok(out)
}

/// `_gnutls_x509_dn_to_string` for one attribute value (after `append_elements`' check for an
/// empty DirectoryString).
fn attribute_value(oid: &str, entry: Option<Known>, any: &Any<'_>) -> Result<Vec<u8>, DnFailure> {
    let Some(entry) = entry else {
        return Ok(hex(&tlv(any)));
    };
    let universal = any.class() == Class::Universal && !any.header.is_constructed();
    let tag = any.tag().0;
    match entry.decode {
        Decode::Directory | Decode::Challenge => {
            if matches!(entry.decode, Decode::Directory) && any.data.is_empty() {
                return Err(DnFailure::EmptyDirectoryString(oid.to_string()));
            }
            let allowed: &[u32] = match entry.decode {
                Decode::Directory => &[TELETEX, PRINTABLE, UNIVERSAL, UTF8, BMP],
                _ => &[PRINTABLE, UTF8],
            };
            if !universal || !allowed.contains(&tag) {
                // decode_complex_string failed: handled as an unknown OID.
                return Ok(hex(&tlv(any)));
            }
            // `_gnutls_x509_read_value` refuses a string holding a NUL: decode_complex_string
            // fails and the value is hexed as an unknown OID's (libgnutls agrees, the grid).
            if matches!(tag, TELETEX | PRINTABLE | UTF8) && any.data.contains(&0) {
                return Ok(hex(&tlv(any)));
            }
            let s = match tag {
                TELETEX | BMP | UNIVERSAL => {
                    printable(tag, any.data).unwrap_or_else(|| any.data.to_vec())
                }
                _ => any.data.to_vec(),
            };
            escape(oid, &s)
        }
        Decode::Simple(want) => {
            if !universal || tag != want {
                return Ok(hex(&tlv(any)));
            }
            let s = printable(want, any.data).unwrap_or_else(|| any.data.to_vec());
            // _gnutls_x509_decode_string refuses embedded NULs; the caller then hexes.
            if want != OCTET && s.contains(&0) {
                return Ok(hex(&tlv(any)));
            }
            escape(oid, &s)
        }
    }
}

/// The subject alternative names as Scylla's ALTNAME string: Seastar's
/// `get_alt_name_information` formatted `{type}={value}` and joined with `,`
/// (`transport/server.cc:1489-1490`). Types `DNS`, `EMAIL`, `URI`, `IP`, `OTHERNAME`,
/// `DIRNAME`, and `UNKNOWN` for what GnuTLS numbers otherwise (registeredID; the otherNames
/// GnuTLS decodes itself: XMPP, Kerberos principal, Microsoft UPN). An IP is written by
/// `inet_ntop`; an otherName is its value's raw DER; a directoryName is GnuTLS' RFC 4514
/// (reversed) DN. No extension gives the empty string.
pub fn seastar_altnames(cert: &Certificate) -> Result<String, DnFailure> {
    let c = parse(cert)?;
    let san = c
        .subject_alternative_name()
        .map_err(|e| DnFailure::AltName(e.to_string()))?;
    let Some(san) = san else {
        return Ok(String::new());
    };
    let mut out: Vec<u8> = Vec::new();
    for (i, name) in san.value.general_names.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let (kind, value): (&str, Vec<u8>) = match name {
            GeneralName::DNSName(s) => ("DNS", s.as_bytes().to_vec()),
            GeneralName::RFC822Name(s) => ("EMAIL", s.as_bytes().to_vec()),
            GeneralName::URI(s) => ("URI", s.as_bytes().to_vec()),
            GeneralName::IPAddress(b) => ("IP", inet_ntop(b)?.into_bytes()),
            GeneralName::DirectoryName(n) => ("DIRNAME", gnutls_dn(n, false)?.into_bytes()),
            GeneralName::OtherName(oid, value) => {
                let oid = oid.to_id_string();
                let inner = explicit_content(value);
                match virtual_othername(&oid, inner) {
                    Some(v) => ("UNKNOWN", v),
                    None => ("OTHERNAME", inner.to_vec()),
                }
            }
            GeneralName::RegisteredID(oid) => ("UNKNOWN", oid.to_id_string().into_bytes()),
            other => {
                return Err(DnFailure::AltName(format!("{other:?}")));
            }
        };
        out.extend_from_slice(kind.as_bytes());
        out.push(b'=');
        // Seastar strips trailing NULs from what GnuTLS copies (`tls_gnutls.cc:1262-1265`).
        let mut v = value;
        while v.last() == Some(&0) {
            v.pop();
        }
        out.extend(v);
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// The content of `[0] EXPLICIT`: the otherName value's own TLV, as libtasn1 reads the ANY.
fn explicit_content(value: &[u8]) -> &[u8] {
    match Any::from_der(value) {
        Ok((_, any)) if any.tag().0 == 0 && any.class() == Class::ContextSpecific => any.data,
        _ => value,
    }
}

/// `gnutls_x509_othername_to_virtual`: XMPP and Microsoft UPN as their UTF8String text
/// (GnuTLS 3.7.9 `lib/x509/output.c`, `lib/x509/virt-san.c`). The Kerberos principal is not
/// decoded here: it stays an `OTHERNAME` of raw DER (FIDELITY.md).
fn virtual_othername(oid: &str, inner: &[u8]) -> Option<Vec<u8>> {
    match oid {
        "1.3.6.1.5.5.7.8.5" | "1.3.6.1.4.1.311.20.2.3" => match Any::from_der(inner) {
            Ok((rest, any))
                if rest.is_empty() && any.class() == Class::Universal && any.tag().0 == UTF8 =>
            {
                Some(any.data.to_vec())
            }
            _ => None,
        },
        _ => None,
    }
}

/// glibc's `inet_ntop` (what `operator<<(ostream&, inet_address)` prints): dotted IPv4; IPv6
/// with the first longest run of two or more zero groups as `::`, lowercase hex, and an
/// embedded IPv4 for `::a.b.c.d` and `::ffff:a.b.c.d`.
fn inet_ntop(b: &[u8]) -> Result<String, DnFailure> {
    match b.len() {
        4 => Ok(format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])),
        16 => {
            let w: Vec<u16> = b
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            let (mut best, mut best_len) = (None::<usize>, 0usize);
            let mut i = 0;
            while i < 8 {
                if w[i] == 0 {
                    let start = i;
                    while i < 8 && w[i] == 0 {
                        i += 1;
                    }
                    if i - start > best_len {
                        best = Some(start);
                        best_len = i - start;
                    }
                } else {
                    i += 1;
                }
            }
            if best_len < 2 {
                best = None;
            }
            let mut s = String::new();
            let mut i = 0;
            while i < 8 {
                if Some(i) == best {
                    if i == 0 {
                        s.push(':');
                    }
                    s.push(':');
                    i += best_len;
                    continue;
                }
                if i != 0 && !s.ends_with("::") {
                    s.push(':');
                }
                if i == 6 && best == Some(0) && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))
                {
                    let _ = write!(s, "{}.{}.{}.{}", b[12], b[13], b[14], b[15]);
                    break;
                }
                let _ = write!(s, "{:x}", w[i]);
                i += 1;
            }
            Ok(s)
        }
        n => Err(DnFailure::AltName(format!(
            "Unexpected size {n} for ipaddress alt name value"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::inet_ntop;

    #[test]
    fn ntop_shapes() {
        let v6 = |s: &str| s.parse::<std::net::Ipv6Addr>().unwrap().octets();
        assert_eq!(inet_ntop(&[10, 0, 0, 1]).unwrap(), "10.0.0.1");
        assert_eq!(inet_ntop(&v6("::1")).unwrap(), "::1");
        assert_eq!(inet_ntop(&v6("::")).unwrap(), "::");
        assert_eq!(inet_ntop(&v6("2001:db8::1")).unwrap(), "2001:db8::1");
        assert_eq!(inet_ntop(&v6("::ffff:1.2.3.4")).unwrap(), "::ffff:1.2.3.4");
        assert_eq!(inet_ntop(&v6("::1.2.3.4")).unwrap(), "::1.2.3.4");
        assert_eq!(inet_ntop(&v6("1:0:2:0:0:3:0:0")).unwrap(), "1:0:2::3:0:0");
        assert_eq!(inet_ntop(&v6("1:0:0:2:0:0:3:4")).unwrap(), "1::2:0:0:3:4");
        assert_eq!(
            inet_ntop(&v6("1:2:3:4:5:6:7:0")).unwrap(),
            "1:2:3:4:5:6:7:0"
        );
        assert!(inet_ntop(&[1, 2, 3]).is_err());
    }
}
