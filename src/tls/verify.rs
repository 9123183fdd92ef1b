//! Certificate verifiers: rustls-webpki against the truststore's anchors, with Cassandra's
//! choices layered on top (no name check without endpoint verification; Java's acceptance of an
//! expired peer that is itself trusted, when asked for).

use std::sync::Arc;

use crate::failure::{ExpiredButTrusted, Noted};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, Error, RootCertStore,
    SignatureScheme,
};

use crate::keystore::Certificate;

/// The three signature methods of rustls' verifier traits (`verify_tls12_signature`,
/// `verify_tls13_signature`, `supported_verify_schemes`), delegated to `$inner`, an expression
/// of `$self` with the same methods: the verifiers here change what is checked of a
/// certificate, never how its signatures are.
macro_rules! delegate_signatures {
    ($self:ident => $inner:expr) => {
        fn verify_tls12_signature(
            &$self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            $inner.verify_tls12_signature(message, cert, dss)
        }

        fn verify_tls13_signature(
            &$self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            $inner.verify_tls13_signature(message, cert, dss)
        }

        fn supported_verify_schemes(&$self) -> Vec<rustls::SignatureScheme> {
            $inner.supported_verify_schemes()
        }
    };
}
pub(crate) use delegate_signatures;

/// A client verifier's answers about the CertificateRequest (whether to ask, whether a
/// certificate is mandatory, the CA names sent), taken from the verifier it wraps.
macro_rules! delegate_client_auth {
    ($self:ident => $inner:expr) => {
        fn offer_client_auth(&$self) -> bool {
            $inner.offer_client_auth()
        }

        fn client_auth_mandatory(&$self) -> bool {
            $inner.client_auth_mandatory()
        }

        fn root_hint_subjects(&$self) -> &[DistinguishedName] {
            $inner.root_hint_subjects()
        }
    };
}

/// How expired peers are treated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ExpiredPeer {
    /// Refuse an expired peer certificate (rustls' rule, and the default).
    #[default]
    Refuse,
    /// Java's behaviour: accept an expired peer certificate when that very certificate is in
    /// the truststore (Java's `TrustManager` trusts it as an anchor and does not check an
    /// anchor's dates). Anything else expired is still refused. Use only to talk to a cluster
    /// whose certificates expired, while new ones are rolled out.
    AcceptWhenPeerIsTrusted,
}

pub(crate) fn root_store(anchors: &[Certificate]) -> Result<Arc<RootCertStore>, Error> {
    let mut roots = RootCertStore::empty();
    for a in anchors {
        roots.add(a.der().clone())?;
    }
    Ok(Arc::new(roots))
}

/// Notes the issuer of a chain refused for an unknown issuer, or for a signature that does not
/// verify while a trusted CA bears the issuer's name (parsing happens only on these paths), and
/// returns the error unchanged.
fn name_unknown_issuer(
    e: Error,
    end_entity: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    anchors: &[CertificateDer<'static>],
) -> Error {
    let Error::InvalidCertificate(c) = &e else {
        return e;
    };
    let top = intermediates.last().unwrap_or(end_entity);
    let issuer = || {
        Certificate::from_verified(top.clone().into_owned())
            .info()
            .ok()
            .map(|i| i.issuer)
    };
    match c {
        CertificateError::UnknownIssuer => crate::failure::note_issuer(Noted::Unknown(issuer())),
        CertificateError::BadSignature => {
            let subject = |a: &CertificateDer<'static>| {
                Certificate::from_verified(a.clone())
                    .info()
                    .ok()
                    .map(|i| i.subject)
            };
            // Only a leaf the CA signed directly: with intermediates, the link that failed may
            // be lower in the chain (a stale intermediate under its old name).
            if intermediates.is_empty()
                && let Some(i) = issuer()
                && anchors
                    .iter()
                    .any(|a| subject(a).as_deref() == Some(i.as_str()))
            {
                crate::failure::note_issuer(Noted::SameName(i));
            }
        }
        _ => {}
    }
    e
}

/// A name check that failed, as an [`super::IdentityMismatch`] carrying the names the
/// certificate presents, read from the certificate itself.
pub(crate) fn name_mismatch(expected: String, leaf: &CertificateDer<'_>) -> Error {
    let presented = Certificate::from_der_bytes(leaf.to_vec())
        .map(|c| c.subject_alt_names())
        .unwrap_or_default();
    Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
        crate::failure::IdentityMismatch {
            expected,
            presented,
        },
    ))))
}

/// rustls' name error, kept as rustls types it (drivers match on it), with the presented names
/// as the certificate spells them (webpki lists them in its Debug form).
pub(crate) fn typed_name_error(e: Error, leaf: &CertificateDer<'_>) -> Error {
    match e {
        Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected, ..
        }) => Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected,
            presented: Certificate::from_der_bytes(leaf.to_vec())
                .map(|c| c.subject_alt_names())
                .unwrap_or_default(),
        }),
        other => other,
    }
}

/// Turns an expiry error for a peer that is itself trusted into [`ExpiredButTrusted`].
fn explain_expiry(
    e: Error,
    end_entity: &CertificateDer<'_>,
    anchors: &[CertificateDer<'static>],
    now: UnixTime,
) -> Error {
    if !is_expiry(&e) || !anchors.iter().any(|a| a.as_ref() == end_entity.as_ref()) {
        return e;
    }
    let not_after = match &e {
        Error::InvalidCertificate(CertificateError::ExpiredContext { not_after, .. }) => {
            Some(*not_after)
        }
        _ => None,
    };
    Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(Arc::new(
        ExpiredButTrusted { now, not_after },
    ))))
}

/// A leaf that asserts keyCertSign is a CA key in disguise (RFC 5280 4.2.1.3); rustls-webpki
/// accepts it, Java's PKIX does not (x509-limbo `rfc5280::leaf-ku-keycertsign`).
fn check_leaf_key_usage(end_entity: &CertificateDer<'_>) -> Result<(), Error> {
    let cert = Certificate::from_verified(end_entity.clone().into_owned());
    match cert.asserts_key_cert_sign() {
        Ok(false) => Ok(()),
        Ok(true) => Err(Error::InvalidCertificate(CertificateError::Other(
            rustls::OtherError(Arc::new(LeafKeyCertSign)),
        ))),
        Err(_) => Err(Error::InvalidCertificate(CertificateError::BadEncoding)),
    }
}

/// See [`check_leaf_key_usage`].
#[derive(Debug)]
pub(crate) struct LeafKeyCertSign;

impl std::fmt::Display for LeafKeyCertSign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("its key usage includes keyCertSign, which only CA certificates may assert (RFC 5280 4.2.1.3)")
    }
}

impl std::error::Error for LeafKeyCertSign {}

fn is_expiry(e: &Error) -> bool {
    matches!(
        e,
        Error::InvalidCertificate(
            CertificateError::Expired | CertificateError::ExpiredContext { .. }
        )
    )
}

/// The server's certificate, checked by a client.
#[derive(Debug)]
pub(crate) struct ServerVerifier {
    inner: Arc<WebPkiServerVerifier>,
    check_name: bool,
    expired: ExpiredPeer,
    anchors: Vec<CertificateDer<'static>>,
}

impl ServerVerifier {
    pub(crate) fn new(
        anchors: &[Certificate],
        provider: Arc<CryptoProvider>,
        check_name: bool,
        expired: ExpiredPeer,
    ) -> Result<Self, Error> {
        Self::with_crls(anchors, Vec::new(), provider, check_name, expired)
    }

    /// [`ServerVerifier::new`], also refusing certificates these CRLs revoke (a certificate
    /// no CRL speaks for is accepted, as GnuTLS accepts it).
    pub(crate) fn with_crls(
        anchors: &[Certificate],
        crls: Vec<CertificateRevocationListDer<'static>>,
        provider: Arc<CryptoProvider>,
        check_name: bool,
        expired: ExpiredPeer,
    ) -> Result<Self, Error> {
        let mut builder =
            WebPkiServerVerifier::builder_with_provider(root_store(anchors)?, provider);
        if !crls.is_empty() {
            builder = builder.with_crls(crls).allow_unknown_revocation_status();
        }
        let inner = builder
            .build()
            .map_err(|e| Error::General(format!("cannot build the certificate verifier: {e}")))?;
        Ok(ServerVerifier {
            inner,
            check_name,
            expired,
            anchors: anchors.iter().map(|a| a.der().clone()).collect(),
        })
    }
}

/// Whether an expiry error is forgiven: the caller opted in and the peer's certificate is
/// itself a trust anchor (Java's TrustManager does not check an anchor's dates).
fn forgiven_expiry(
    e: &Error,
    policy: ExpiredPeer,
    anchors: &[CertificateDer<'static>],
    end_entity: &CertificateDer<'_>,
) -> bool {
    is_expiry(e)
        && policy == ExpiredPeer::AcceptWhenPeerIsTrusted
        && anchors.iter().any(|a| a.as_ref() == end_entity.as_ref())
}

impl ServerCertVerifier for ServerVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        let verified = match self.inner.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Ok(v) => Ok(v),
            // The name is checked last, after the chain: without endpoint verification the chain
            // has passed when this is the only complaint.
            Err(Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if !self.check_name => Ok(ServerCertVerified::assertion()),
            Err(e) if forgiven_expiry(&e, self.expired, &self.anchors, end_entity) => {
                Ok(ServerCertVerified::assertion())
            }
            Err(e) => Err(typed_name_error(
                name_unknown_issuer(
                    explain_expiry(e, end_entity, &self.anchors, now),
                    end_entity,
                    intermediates,
                    &self.anchors,
                ),
                end_entity,
            )),
        }?;
        check_leaf_key_usage(end_entity)?;
        Ok(verified)
    }

    delegate_signatures!(self => self.inner);
}

/// A client's certificate, checked by a server.
#[derive(Debug)]
pub(crate) struct ClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    expired: ExpiredPeer,
    anchors: Vec<CertificateDer<'static>>,
}

impl ClientVerifier {
    pub(crate) fn new(
        anchors: &[Certificate],
        provider: Arc<CryptoProvider>,
        mandatory: bool,
        expired: ExpiredPeer,
    ) -> Result<Self, Error> {
        Self::with_crls(anchors, Vec::new(), provider, mandatory, expired)
    }

    /// [`ClientVerifier::new`], also refusing certificates these CRLs revoke (a certificate
    /// no CRL speaks for is accepted, as GnuTLS accepts it).
    pub(crate) fn with_crls(
        anchors: &[Certificate],
        crls: Vec<CertificateRevocationListDer<'static>>,
        provider: Arc<CryptoProvider>,
        mandatory: bool,
        expired: ExpiredPeer,
    ) -> Result<Self, Error> {
        let mut builder =
            WebPkiClientVerifier::builder_with_provider(root_store(anchors)?, provider);
        if !crls.is_empty() {
            builder = builder.with_crls(crls).allow_unknown_revocation_status();
        }
        let builder = if mandatory {
            builder
        } else {
            builder.allow_unauthenticated()
        };
        let inner = builder.build().map_err(|e| {
            Error::General(format!("cannot build the client certificate verifier: {e}"))
        })?;
        Ok(ClientVerifier {
            inner,
            expired,
            anchors: anchors.iter().map(|a| a.der().clone()).collect(),
        })
    }
}

impl ClientCertVerifier for ClientVerifier {
    delegate_client_auth!(self => self.inner);

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        // The same checks as the server verifier's, so that inbound connections refuse what
        // outbound ones do: the unknown issuer named, a leaf asserting keyCertSign refused.
        let verified = match self
            .inner
            .verify_client_cert(end_entity, intermediates, now)
        {
            Err(e) if forgiven_expiry(&e, self.expired, &self.anchors, end_entity) => {
                Ok(ClientCertVerified::assertion())
            }
            Err(e) => Err(name_unknown_issuer(
                explain_expiry(e, end_entity, &self.anchors, now),
                end_entity,
                intermediates,
                &self.anchors,
            )),
            ok => ok,
        }?;
        check_leaf_key_usage(end_entity)?;
        Ok(verified)
    }

    delegate_signatures!(self => self.inner);
}

/// A client verifier for one connection: the inner verifier's checks, then Cassandra's inbound
/// endpoint verification (the client's certificate must name the address it connects from).
/// A failure is a certificate error during the handshake, so the client gets an alert.
#[derive(Debug)]
pub(crate) struct AddressBound {
    pub(crate) inner: Arc<dyn ClientCertVerifier>,
    pub(crate) address: std::net::IpAddr,
}

impl ClientCertVerifier for AddressBound {
    delegate_client_auth!(self => self.inner);

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        let verified = self
            .inner
            .verify_client_cert(end_entity, intermediates, now)?;
        let name = ServerName::IpAddress(self.address.into());
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, &name)
            .map_err(|e| typed_name_error(e, end_entity))?;
        Ok(verified)
    }

    delegate_signatures!(self => self.inner);
}

/// cqlsh's `validate = false`: no certificate check at all (Python's `CERT_NONE`). The
/// handshake signature is still verified, so the peer holds the key of the certificate it sent;
/// who that peer is remains unknown.
#[derive(Debug)]
pub(crate) struct NoCertificateCheck(pub(crate) Arc<CryptoProvider>);

impl ServerCertVerifier for NoCertificateCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// A truststore that holds no certificate (Scylla's missing, empty or garbage `truststore`,
/// which GnuTLS loads without complaint): every peer certificate is refused for an unknown
/// issuer at handshake time, as GnuTLS refuses it ("The certificate issuer is unknown.").
/// As a client verifier, it asks for a certificate (mandatory or not): a client that sends
/// none is accepted when it is optional, one that sends any is refused.
#[derive(Debug)]
pub(crate) struct NoTrustAnchors {
    pub(crate) provider: Arc<CryptoProvider>,
    pub(crate) mandatory: bool,
}

impl ServerCertVerifier for NoTrustAnchors {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, Error> {
        Err(Error::InvalidCertificate(CertificateError::UnknownIssuer))
    }

    delegate_signatures!(self => NoCertificateCheck(self.provider.clone()));
}

impl ClientCertVerifier for NoTrustAnchors {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        Err(Error::InvalidCertificate(CertificateError::UnknownIssuer))
    }

    delegate_signatures!(self => NoCertificateCheck(self.provider.clone()));
}

/// What a certificate is checked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Usage {
    /// As a server's certificate (a node's storage or native port).
    Server,
    /// As a client's certificate (an internode client, a driver with mTLS).
    Client,
}

/// Validates `chain` (leaf first) against `anchors` at time `at`, as a handshake would: the
/// path to a trust anchor, validity dates, key usage for `usage`, and, when `name` is given, that
/// the leaf names it (an IP address needs an IP SAN). Nothing else is needed: no handshake, no
/// clock, no network.
pub fn verify_chain(
    chain: &[Certificate],
    anchors: &[Certificate],
    usage: Usage,
    name: Option<&str>,
    at: UnixTime,
    expired: ExpiredPeer,
) -> Result<(), crate::failure::HandshakeFailure> {
    crate::failure::clear_unknown_issuer();
    verify_chain_now(chain, anchors, usage, name, at, expired).map_err(|f| f.with_unknown_issuer())
}

fn verify_chain_now(
    chain: &[Certificate],
    anchors: &[Certificate],
    usage: Usage,
    name: Option<&str>,
    at: UnixTime,
    expired: ExpiredPeer,
) -> Result<(), crate::failure::HandshakeFailure> {
    use crate::failure::HandshakeFailure;
    let (leaf, rest) = chain
        .split_first()
        .ok_or_else(|| HandshakeFailure::BadCertificate("the chain is empty".into()))?;
    let intermediates: Vec<CertificateDer<'static>> =
        rest.iter().map(|c| c.der().clone()).collect();
    let provider = crate::provider::default_provider();
    let server_name = match name {
        Some(n) => Some(ServerName::try_from(n.to_owned()).map_err(|_| {
            HandshakeFailure::Misuse(format!("'{n}' is neither an IP address nor a DNS name"))
        })?),
        None => None,
    };
    match usage {
        Usage::Server => {
            let verifier = ServerVerifier::new(anchors, provider, server_name.is_some(), expired)?;
            let placeholder = ServerName::try_from("chain.invalid")
                .map_err(|_| HandshakeFailure::Misuse("placeholder name".into()))?;
            verifier.verify_server_cert(
                leaf.der(),
                &intermediates,
                server_name.as_ref().unwrap_or(&placeholder),
                &[],
                at,
            )?;
        }
        Usage::Client => {
            let verifier = ClientVerifier::new(anchors, provider, true, expired)?;
            verifier.verify_client_cert(leaf.der(), &intermediates, at)?;
            if let Some(n) = &server_name {
                let parsed = rustls::server::ParsedCertificate::try_from(leaf.der())?;
                rustls::client::verify_server_name(&parsed, n)
                    .map_err(|e| typed_name_error(e, leaf.der()))?;
            }
        }
    }
    Ok(())
}
