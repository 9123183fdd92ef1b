//! DER values the writer assembles, encoded by the `der` crate, and the OIDs it writes.

use der::asn1::ObjectIdentifier;

use super::bad;
use crate::error::Result;

/// DER values the writer assembles, encoded by the `der` crate (headers, lengths, integers,
/// OIDs, BMPStrings, SET OF ordering).
#[derive(Clone, Debug)]
pub(super) enum Der {
    Seq(Vec<Der>),
    /// A SET OF: `der` puts the elements in DER order.
    Set(Vec<Der>),
    Octets(Vec<u8>),
    Int(u64),
    Null,
    Oid(ObjectIdentifier),
    Bmp(String),
    /// `[n] EXPLICIT`.
    Explicit(u32, Box<Der>),
    /// `[n] IMPLICIT` over OCTET STRING content (PKCS#7's encryptedContent).
    ImplicitOctets(u32, Vec<u8>),
    /// Bytes already DER (an algorithm identifier, a ciphertext wrapper).
    Encoded(Vec<u8>),
}

impl Der {
    pub(super) fn seq(parts: impl IntoIterator<Item = Der>) -> Der {
        Der::Seq(parts.into_iter().collect())
    }

    pub(super) fn explicit(n: u32, inner: Der) -> Der {
        Der::Explicit(n, Box::new(inner))
    }

    pub(super) fn to_der(&self) -> Result<Vec<u8>> {
        self.encode()
            .map_err(|e| bad(format!("cannot encode the store: {e}")))
    }

    fn encode(&self) -> der::Result<Vec<u8>> {
        use der::Encode;
        use der::asn1::{AnyRef, BmpString, Null, OctetStringRef, SetOfVec};
        use der::{Any, Tag, TagNumber};
        let constructed = |tag: Tag, parts: &[Der]| -> der::Result<Vec<u8>> {
            let mut content = Vec::new();
            for p in parts {
                content.extend(p.encode()?);
            }
            AnyRef::new(tag, &content)?.to_der()
        };
        match self {
            Der::Seq(parts) => constructed(Tag::Sequence, parts),
            Der::Set(parts) => {
                let mut items = Vec::with_capacity(parts.len());
                for p in parts {
                    items.push(<Any as der::Decode>::from_der(&p.encode()?)?);
                }
                SetOfVec::try_from(items)?.to_der()
            }
            Der::Octets(b) => OctetStringRef::new(b)?.to_der(),
            Der::Int(v) => v.to_der(),
            Der::Null => Null.to_der(),
            Der::Oid(oid) => oid.to_der(),
            Der::Bmp(s) => BmpString::from_utf8(s)?.to_der(),
            Der::Explicit(n, inner) => constructed(
                Tag::ContextSpecific {
                    constructed: true,
                    number: TagNumber(*n),
                },
                std::slice::from_ref(inner),
            ),
            Der::ImplicitOctets(n, b) => AnyRef::new(
                Tag::ContextSpecific {
                    constructed: false,
                    number: TagNumber(*n),
                },
                b,
            )?
            .to_der(),
            Der::Encoded(b) => Ok(b.clone()),
        }
    }
}

pub(super) mod oids {
    use der::asn1::ObjectIdentifier;

    pub const DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
    pub const ENCRYPTED_DATA: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
    pub const SHROUDED_KEY_BAG: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.2");
    pub const CERT_BAG: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.10.1.3");
    pub const X509_CERTIFICATE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");
    pub const FRIENDLY_NAME: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
    pub const LOCAL_KEY_ID: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
    /// Oracle's trusted-key-usage attribute: without it the JDK ignores a certificate bag.
    pub const ORACLE_TRUSTED_KEY_USAGE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.16.840.1.113894.746875.1.1");
    pub const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("2.5.29.37.0");
    pub const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
    pub const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
    pub const PBE_SHA_3DES: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.3");
    pub const PBE_SHA_RC2_40: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.12.1.6");
    pub const SUN_JKS_KEY_PROTECTOR: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.17.1.1");
    pub const PBE_MD5_TRIPLE_DES: ObjectIdentifier =
        ObjectIdentifier::new_unwrap("1.3.6.1.4.1.42.2.19.1");
}
