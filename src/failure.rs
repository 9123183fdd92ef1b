//! Why a handshake or a certificate check failed, in the terms a Cassandra operator acts on.
//!
//! A leaf module: it depends on rustls and webpki only, so that `error`, `handshake` and `tls`
//! all take their failure types from here and none of them from each other.

use std::fmt;

use crate::error_kind::ErrorKind;
use rustls::pki_types::UnixTime;
use rustls::{AlertDescription, CertificateError, PeerIncompatible, PeerMisbehaved};

/// A failed handshake or session.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeFailure {
    /// A client certificate is required (`require_client_auth`, or any internode connection)
    /// and none was sent.
    NoClientCertificate,
    /// The peer's chain does not lead to a certificate in the truststore.
    UnknownIssuer {
        /// The issuer the peer's chain names at its top: the CA the truststore lacks.
        issuer: Option<String>,
    },
    /// The peer's certificate does not name the address or host connected to
    /// (`require_endpoint_verification`).
    NameMismatch {
        /// The name or address expected.
        expected: String,
        /// The names the certificate presents (its SANs; the CN is never used).
        presented: Vec<String>,
    },
    /// The peer's certificate expired.
    Expired {
        /// When it was checked, seconds since the epoch.
        now: u64,
        /// Its end of validity, seconds since the epoch, when known.
        not_after: Option<u64>,
    },
    /// The peer's certificate is not valid yet.
    NotYetValid {
        /// When it was checked, seconds since the epoch.
        now: u64,
        /// Its start of validity, when known.
        not_before: Option<u64>,
    },
    /// The peer's certificate expired but is itself in the truststore: Java would accept it.
    ExpiredButTrusted(String),
    /// The peer's certificate is unusable for another reason.
    BadCertificate(String),
    /// No protocol version in common (TLSv1.2 and TLSv1.3 here).
    NoSharedProtocol,
    /// No cipher suite in common.
    NoSharedCipher,
    /// The peer refused the handshake with this alert.
    PeerAlert(String),
    /// The bytes received are not TLS, or break the protocol.
    Protocol(String),
    /// The peer's stream ended without close_notify: the data may have been cut short (a
    /// truncation attack looks like this).
    Truncated,
    /// The API was misused (such as consuming more output than is pending).
    Misuse(String),
    /// Anything else rustls reported.
    Tls(String),
}

impl HandshakeFailure {
    #[cfg(feature = "diagnostics")]
    /// Whether this side refused the peer's certificate (its issuer, name, dates or contents),
    /// as opposed to the peer refusing, or the protocol failing.
    pub(crate) fn refuses_peer_certificate(&self) -> bool {
        matches!(
            self,
            HandshakeFailure::UnknownIssuer { .. }
                | HandshakeFailure::NameMismatch { .. }
                | HandshakeFailure::Expired { .. }
                | HandshakeFailure::NotYetValid { .. }
                | HandshakeFailure::ExpiredButTrusted(_)
                | HandshakeFailure::BadCertificate(_)
        )
    }

    /// An `UnknownIssuer` without its issuer gets the one the verifier noted on this thread; a
    /// signature that does not verify under a trusted CA's name is said to be that.
    pub(crate) fn with_unknown_issuer(self) -> Self {
        match (self, take_noted_issuer()) {
            (HandshakeFailure::UnknownIssuer { issuer: None }, Some(Noted::Unknown(i))) => {
                HandshakeFailure::UnknownIssuer { issuer: i }
            }
            (HandshakeFailure::BadCertificate(_), Some(Noted::SameName(i))) => {
                HandshakeFailure::BadCertificate(format!(
                    "the peer's chain names its issuer {i}, and the truststore holds a CA of that name, but not the one that signed it (the same name, another key: two CAs made separately under one name, or a CA re-created): add the peer's own CA certificate to the truststore, or give the CAs distinct names"
                ))
            }
            (other, _) => other,
        }
    }

    /// A stable name for the kind of failure.
    pub fn kind(&self) -> ErrorKind {
        match self {
            HandshakeFailure::NoClientCertificate => ErrorKind::NoClientCertificate,
            HandshakeFailure::UnknownIssuer { .. } => ErrorKind::UnknownIssuer,
            HandshakeFailure::NameMismatch { .. } => ErrorKind::NameMismatch,
            HandshakeFailure::Expired { .. } => ErrorKind::Expired,
            HandshakeFailure::NotYetValid { .. } => ErrorKind::NotYetValid,
            HandshakeFailure::ExpiredButTrusted(_) => ErrorKind::Expired,
            HandshakeFailure::BadCertificate(_) => ErrorKind::BadCertificate,
            HandshakeFailure::NoSharedProtocol => ErrorKind::NoSharedProtocol,
            HandshakeFailure::NoSharedCipher => ErrorKind::NoSharedCipher,
            HandshakeFailure::PeerAlert(_) => ErrorKind::PeerAlert,
            HandshakeFailure::Protocol(_) => ErrorKind::Protocol,
            HandshakeFailure::Truncated => ErrorKind::Truncated,
            HandshakeFailure::Misuse(_) => ErrorKind::Misuse,
            HandshakeFailure::Tls(_) => ErrorKind::Tls,
        }
    }
}

fn date(secs: u64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs as i64)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| format!("{secs} s since the epoch"))
}

impl fmt::Display for HandshakeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeFailure::NoClientCertificate => f.write_str(
                "no client certificate: the server requires one (require_client_auth, or internode encryption, which always does)",
            ),
            HandshakeFailure::UnknownIssuer { issuer } => match issuer {
                Some(i) => write!(
                    f,
                    "the peer's certificate chain does not lead to any certificate in the truststore (unknown issuer {i}): add that CA to the truststore"
                ),
                None => f.write_str(
                    "the peer's certificate chain does not lead to any certificate in the truststore (unknown issuer): add its CA to the truststore",
                ),
            },
            HandshakeFailure::NameMismatch { expected, presented } => write!(
                f,
                "the peer's certificate is not valid for {expected}: it names [{}] (require_endpoint_verification checks IP and DNS SANs, never the CN)",
                presented.join(", ")
            ),
            HandshakeFailure::Expired { now, not_after } => match not_after {
                Some(t) => write!(f, "the peer's certificate expired on {} (checked at {})", date(*t), date(*now)),
                None => write!(f, "the peer's certificate has expired (checked at {})", date(*now)),
            },
            HandshakeFailure::NotYetValid { now, not_before } => match not_before {
                Some(t) => write!(f, "the peer's certificate is not valid before {} (checked at {})", date(*t), date(*now)),
                None => write!(f, "the peer's certificate is not valid yet (checked at {})", date(*now)),
            },
            HandshakeFailure::ExpiredButTrusted(m) => f.write_str(m),
            HandshakeFailure::BadCertificate(m) => write!(f, "the peer's certificate is unusable: {m}"),
            HandshakeFailure::NoSharedProtocol => f.write_str(
                "no protocol version in common: this side offers TLSv1.2/TLSv1.3 as accepted_protocols allow",
            ),
            HandshakeFailure::NoSharedCipher => f.write_str("no cipher suite in common (check cipher_suites on both sides)"),
            HandshakeFailure::PeerAlert(a) => write!(f, "the peer refused the handshake: alert {a}"),
            HandshakeFailure::Protocol(m) => write!(f, "not a valid TLS exchange: {m}"),
            HandshakeFailure::Truncated => f.write_str(
                "the peer's stream ended without close_notify: what it sent may be incomplete",
            ),
            HandshakeFailure::Misuse(m) => write!(f, "misuse of the handshake API: {m}"),
            HandshakeFailure::Tls(m) => write!(f, "TLS error: {m}"),
        }
    }
}

impl std::error::Error for HandshakeFailure {}

impl From<rustls::Error> for HandshakeFailure {
    fn from(e: rustls::Error) -> Self {
        use rustls::Error as E;
        match e {
            E::NoCertificatesPresented => HandshakeFailure::NoClientCertificate,
            E::InvalidCertificate(c) => from_certificate_error(c),
            E::AlertReceived(AlertDescription::CertificateRequired) => {
                HandshakeFailure::NoClientCertificate
            }
            E::AlertReceived(AlertDescription::ProtocolVersion) => {
                HandshakeFailure::NoSharedProtocol
            }
            E::AlertReceived(a) => HandshakeFailure::PeerAlert(format!("{a:?}")),
            E::PeerIncompatible(PeerIncompatible::NoCipherSuitesInCommon) => {
                HandshakeFailure::NoSharedCipher
            }
            E::PeerIncompatible(
                PeerIncompatible::ServerDoesNotSupportTls12Or13
                | PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
                | PeerIncompatible::SupportedVersionsExtensionRequired
                | PeerIncompatible::Tls12NotOffered
                | PeerIncompatible::Tls12NotOfferedOrEnabled
                | PeerIncompatible::Tls13RequiredForQuic
                // TLS 1.0 and 1.1 ClientHellos carry no signature_algorithms extension.
                | PeerIncompatible::SignatureAlgorithmsExtensionRequired,
            ) => HandshakeFailure::NoSharedProtocol,
            E::PeerIncompatible(p) => {
                HandshakeFailure::Tls(format!("the peer is incompatible: {p:?}"))
            }
            E::PeerMisbehaved(PeerMisbehaved::SelectedUnofferedCipherSuite) => {
                HandshakeFailure::NoSharedCipher
            }
            E::PeerMisbehaved(p) => HandshakeFailure::Protocol(format!("{p:?}")),
            E::InvalidMessage(m) => HandshakeFailure::Protocol(format!("{m:?}")),
            E::InappropriateMessage { .. } | E::InappropriateHandshakeMessage { .. } => {
                HandshakeFailure::Protocol(e.to_string())
            }
            other => HandshakeFailure::Tls(other.to_string()),
        }
    }
}

/// Words an operator acts on, for the certificate problems rustls and webpki report by type.
const EKU_WORDS: &str = "its extended key usage does not allow this use (a server needs serverAuth, a client clientAuth)";
const SIGNATURE_WORDS: &str =
    "its signature algorithm is not accepted (SHA-1 and DSA signatures are refused)";

/// webpki's own errors, which rustls passes on inside `CertificateError::Other`.
fn from_webpki(e: &webpki::Error) -> HandshakeFailure {
    use webpki::Error as W;
    let words = match e {
        W::CaUsedAsEndEntity => {
            "a CA certificate (basicConstraints CA:TRUE) is used as the peer's own certificate"
        }
        W::UnsupportedCertVersion => {
            "it is an X.509 v1 certificate; only v3 certificates can be a peer's certificate"
        }
        #[allow(deprecated)]
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => EKU_WORDS,
        #[allow(deprecated)]
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_)
        | W::InvalidSignatureForPublicKey => SIGNATURE_WORDS,
        W::EndEntityUsedAsCa => "a certificate without CA:TRUE is used as the issuer of another",
        W::PathLenConstraintViolated => "the chain is longer than a CA's pathLenConstraint allows",
        W::NameConstraintViolation => "a name in the certificate violates a CA's name constraints",
        other => return HandshakeFailure::BadCertificate(other.to_string()),
    };
    HandshakeFailure::BadCertificate(format!("{words} ({e})"))
}

fn from_certificate_error(c: CertificateError) -> HandshakeFailure {
    match c {
        CertificateError::UnknownIssuer => HandshakeFailure::UnknownIssuer { issuer: None },
        CertificateError::NotValidForNameContext {
            expected,
            presented,
        } => HandshakeFailure::NameMismatch {
            expected: expected.to_str().into_owned(),
            presented,
        },
        CertificateError::NotValidForName => HandshakeFailure::NameMismatch {
            expected: "the name connected to".into(),
            presented: Vec::new(),
        },
        CertificateError::ExpiredContext { time, not_after } => HandshakeFailure::Expired {
            now: time.as_secs(),
            not_after: Some(not_after.as_secs()),
        },
        CertificateError::Expired => HandshakeFailure::Expired {
            now: rustls::pki_types::UnixTime::now().as_secs(),
            not_after: None,
        },
        CertificateError::NotValidYetContext { time, not_before } => {
            HandshakeFailure::NotYetValid {
                now: time.as_secs(),
                not_before: Some(not_before.as_secs()),
            }
        }
        CertificateError::NotValidYet => HandshakeFailure::NotYetValid {
            now: rustls::pki_types::UnixTime::now().as_secs(),
            not_before: None,
        },
        CertificateError::Other(o) => {
            if let Some(e) = (*o.0).downcast_ref::<ExpiredButTrusted>() {
                HandshakeFailure::ExpiredButTrusted(e.to_string())
            } else if let Some(u) = (*o.0).downcast_ref::<UnknownIssuer>() {
                HandshakeFailure::UnknownIssuer {
                    issuer: Some(u.issuer.clone()),
                }
            } else if let Some(m) = (*o.0).downcast_ref::<IdentityMismatch>() {
                HandshakeFailure::NameMismatch {
                    expected: m.expected.clone(),
                    presented: m.presented.clone(),
                }
            } else if let Some(w) = (*o.0).downcast_ref::<webpki::Error>() {
                from_webpki(w)
            } else {
                // This crate's own checks (a leaf asserting keyCertSign) and any other verifier's
                // reasons, in their own words.
                HandshakeFailure::BadCertificate(o.to_string())
            }
        }
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            HandshakeFailure::BadCertificate(format!("{EKU_WORDS} ({c})"))
        }
        CertificateError::BadSignature => HandshakeFailure::BadCertificate(format!(
            "a signature does not verify: a certificate in the peer's chain was not signed by the key of the CA it names, or the peer's key does not match its certificate ({c})"
        )),
        #[allow(deprecated)]
        CertificateError::UnsupportedSignatureAlgorithm
        | CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            HandshakeFailure::BadCertificate(format!("{SIGNATURE_WORDS} ({c})"))
        }
        other => HandshakeFailure::BadCertificate(other.to_string()),
    }
}

/// The peer's certificate expired, and it is itself in the truststore: Java (and so Cassandra)
/// would accept it, rustls does not. Carried inside `rustls::Error::InvalidCertificate(
/// CertificateError::Other(..))`.
pub struct ExpiredButTrusted {
    /// The time the certificate was checked at.
    pub now: UnixTime,
    /// Its end of validity, when known.
    pub not_after: Option<UnixTime>,
}

impl fmt::Display for ExpiredButTrusted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let when = self
            .not_after
            .map(|t| format!(" (not after {} s since the epoch)", t.as_secs()))
            .unwrap_or_default();
        write!(
            f,
            "the peer's certificate has expired{when}; Java, and so Cassandra, would still accept it because that very certificate is in the truststore, but this verifier does not: renew the certificate, or opt in with TlsSettings::expired_peer = ExpiredPeer::AcceptWhenPeerIsTrusted"
        )
    }
}

impl std::error::Error for ExpiredButTrusted {}

/// The peer's chain leads to no certificate in the truststore; names the issuer it needs.
/// Carried inside `rustls::Error::InvalidCertificate(CertificateError::Other(..))`.
pub struct UnknownIssuer {
    /// The issuer named by the top of the chain the peer sent: the CA the truststore lacks.
    pub issuer: String,
}

impl fmt::Display for UnknownIssuer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown issuer {}", self.issuer)
    }
}

impl std::error::Error for UnknownIssuer {}

/// Why a node's certificate does not carry the identity required.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentityMismatch {
    /// What was required, e.g. `the DNS name cassandra.prod.example` or `a SPIFFE ID of
    /// spiffe://prod.example`.
    pub expected: String,
    /// What the certificate presents: its DNS and IP SANs and URIs.
    pub presented: Vec<String>,
}

impl fmt::Display for IdentityMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the node's certificate does not name {}; it presents {}",
            self.expected,
            if self.presented.is_empty() {
                "no subject alternative name".to_owned()
            } else {
                self.presented.join(", ")
            }
        )
    }
}

impl std::error::Error for IdentityMismatch {}

/// The failures a verifier hands rustls inside `CertificateError::Other` show their message in
/// `Debug` too: a driver's error printed with `{:?}` (a `main` returning `Result`, a driver's
/// pool error) reads `Other(OtherError(IdentityMismatch("the node's certificate does not name
/// ...")))`, not the fields.
macro_rules! debug_as_message {
    ($($t:ident),*) => {$(
        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($t)).field(&self.to_string()).finish()
            }
        }
    )*};
}
debug_as_message!(ExpiredButTrusted, UnknownIssuer, IdentityMismatch);

/// What a verifier on this thread noted about the issuer of a chain it refused.
pub(crate) enum Noted {
    /// No trusted CA has the issuer's name (the name, when it could be read).
    Unknown(Option<String>),
    /// A trusted CA has the issuer's name, but its key did not sign the chain.
    SameName(String),
}

thread_local! {
    /// The issuer of the last chain refused on this thread for an unknown issuer or a signature
    /// that does not verify. Verifiers run inside `process_new_packets`, on the thread that feeds
    /// the connection, so the handshake that fed it reads it right after: the error itself stays
    /// rustls' typed `UnknownIssuer` (or `BadSignature`), which rustls answers with its alert
    /// (`unknown_ca`, `decrypt_error`).
    static NOTED_ISSUER: std::cell::RefCell<Option<Noted>> =
        const { std::cell::RefCell::new(None) };
}

/// Forgets what an earlier verification on this thread noted.
pub(crate) fn clear_unknown_issuer() {
    NOTED_ISSUER.with(|u| u.borrow_mut().take());
}

/// What the last refusal on this thread noted of its issuer, once.
fn take_noted_issuer() -> Option<Noted> {
    NOTED_ISSUER.with(|u| u.borrow_mut().take())
}

/// Notes the issuer of a chain a verifier on this thread refused.
pub(crate) fn note_issuer(noted: Noted) {
    NOTED_ISSUER.with(|u| *u.borrow_mut() = Some(noted));
}
