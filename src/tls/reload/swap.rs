//! What a reloadable config delegates to: for each side, the material in use (keys, the check
//! of the peer's certificate, the resumable sessions) behind one lock, replaced as one.
//!
//! [`ServerSide`] is the server config's certificate resolver, client verifier and session
//! store at once; [`ClientSide`] the client config's certificate resolver, server verifier and
//! session store. A swap puts new keys, a new verifier and an empty session cache in use in
//! one step: a resumed session skips the certificates, so resuming one from before a swap would
//! bypass a new truststore (Cassandra gets the same effect from building a new context).

use crate::tls::verify::delegate_signatures;
use std::sync::{Arc, RwLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientSessionMemoryCache, ResolvesClientCert};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert, ServerSessionMemoryCache};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};

use crate::tls::resolve::KeyChoice;
use crate::tls::verify::{ClientVerifier, ServerVerifier};
use crate::tls::{ClientMaterial, ServerMaterial, TlsWarning};

/// Sessions kept for resumption, as rustls' default.
const SESSION_CACHE_SIZE: usize = 256;

/// A value behind a lock, read as a whole and replaced as a whole.
#[derive(Debug)]
struct Swap<T>(RwLock<Arc<T>>);

impl<T> Swap<T> {
    fn new(value: T) -> Self {
        Swap(RwLock::new(Arc::new(value)))
    }

    fn current(&self) -> Arc<T> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, value: T) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(value);
    }
}

/// What a server config reads during a handshake.
#[derive(Debug)]
struct ServerInUse {
    keys: KeyChoice,
    /// `None` only for a config that asks for no client certificate (fixed by its plan).
    verifier: Option<Arc<ClientVerifier>>,
    sessions: Arc<ServerSessionMemoryCache>,
}

/// A server config's certificate resolver, client verifier and session store: material
/// swapped as one.
#[derive(Debug)]
pub(super) struct ServerSide {
    current: Swap<ServerInUse>,
    /// Whether a client certificate is required (fixed by the plan).
    mandatory: bool,
}

impl ServerSide {
    pub(super) fn new(material: ServerMaterial, mandatory: bool) -> (Self, Vec<TlsWarning>) {
        let side = ServerSide {
            current: Swap::new(ServerInUse {
                keys: material.keys,
                verifier: material.verifier.map(Arc::new),
                sessions: ServerSessionMemoryCache::new(SESSION_CACHE_SIZE),
            }),
            mandatory,
        };
        (side, material.warnings)
    }

    /// Whether client certificates are checked (the config was built with a verifier).
    pub(super) fn checks_clients(&self) -> bool {
        self.current.current().verifier.is_some()
    }

    /// Puts new material in use with an empty session cache; returns its warnings. A config
    /// that checks client certificates keeps its verifier if the material has none.
    pub(super) fn put(&self, material: ServerMaterial) -> Vec<TlsWarning> {
        let old = self.current.current();
        self.current.set(ServerInUse {
            keys: material.keys,
            verifier: material.verifier.map(Arc::new).or(old.verifier.clone()),
            sessions: ServerSessionMemoryCache::new(SESSION_CACHE_SIZE),
        });
        material.warnings
    }

    fn verifier(&self) -> Result<Arc<ClientVerifier>, rustls::Error> {
        self.current
            .current()
            .verifier
            .clone()
            .ok_or_else(|| rustls::Error::General("no client certificate is checked".into()))
    }
}

impl ResolvesServerCert for ServerSide {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        ResolvesServerCert::resolve(&self.current.current().keys, client_hello)
    }
}

impl ClientCertVerifier for ServerSide {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    /// No CA names are sent: they would have to outlive a swap of the truststore. An empty
    /// list means "any" to clients (RFC 5246 7.4.4); JSSE and rustls clients then offer their
    /// certificate whatever its issuer.
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.verifier()?
            .verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.verifier()?.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.verifier()
            .map(|v| v.supported_verify_schemes())
            .unwrap_or_default()
    }
}

impl rustls::server::StoresServerSessions for ServerSide {
    fn put(&self, key: Vec<u8>, value: Vec<u8>) -> bool {
        self.current.current().sessions.put(key, value)
    }

    fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.current.current().sessions.get(key)
    }

    fn take(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.current.current().sessions.take(key)
    }

    fn can_cache(&self) -> bool {
        true
    }
}

/// What a client config reads during a handshake.
#[derive(Debug)]
struct ClientInUse {
    /// `None` for a client built without a key store (it stays without one).
    keys: Option<KeyChoice>,
    verifier: Arc<ServerVerifier>,
    sessions: Arc<ClientSessionMemoryCache>,
}

/// A client config's certificate resolver, server verifier and session store: material
/// swapped as one.
#[derive(Debug)]
pub(super) struct ClientSide {
    current: Swap<ClientInUse>,
}

impl ClientSide {
    /// `None` when the material has no verifier (a reloadable client must check the server).
    pub(super) fn new(material: ClientMaterial) -> Option<(Self, Vec<TlsWarning>)> {
        let side = ClientSide {
            current: Swap::new(ClientInUse {
                keys: material.keys,
                verifier: Arc::new(material.verifier?),
                sessions: Arc::new(ClientSessionMemoryCache::new(SESSION_CACHE_SIZE)),
            }),
        };
        Some((side, material.warnings))
    }

    /// Whether the client presents a certificate (fixed when it was built).
    pub(super) fn presents_certificate(&self) -> bool {
        self.current.current().keys.is_some()
    }

    /// Puts new material in use with an empty session cache; returns its warnings. The
    /// verifier is kept if the material has none.
    pub(super) fn put(&self, material: ClientMaterial) -> Vec<TlsWarning> {
        let old = self.current.current();
        self.current.set(ClientInUse {
            keys: material.keys,
            verifier: material
                .verifier
                .map(Arc::new)
                .unwrap_or_else(|| old.verifier.clone()),
            sessions: Arc::new(ClientSessionMemoryCache::new(SESSION_CACHE_SIZE)),
        });
        material.warnings
    }

    fn verifier(&self) -> Arc<ServerVerifier> {
        self.current.current().verifier.clone()
    }

    fn sessions(&self) -> Arc<ClientSessionMemoryCache> {
        self.current.current().sessions.clone()
    }
}

impl ResolvesClientCert for ClientSide {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let current = self.current.current();
        ResolvesClientCert::resolve(current.keys.as_ref()?, root_hint_subjects, sigschemes)
    }

    fn has_certs(&self) -> bool {
        self.presents_certificate()
    }
}

impl ServerCertVerifier for ClientSide {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        self.verifier().verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        )
    }

    delegate_signatures!(self => self.verifier());
}

impl rustls::client::ClientSessionStore for ClientSide {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: rustls::NamedGroup) {
        self.sessions().set_kx_hint(server_name, group)
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<rustls::NamedGroup> {
        self.sessions().kx_hint(server_name)
    }

    fn set_tls12_session(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls12ClientSessionValue,
    ) {
        self.sessions().set_tls12_session(server_name, value)
    }

    fn tls12_session(
        &self,
        server_name: &ServerName<'_>,
    ) -> Option<rustls::client::Tls12ClientSessionValue> {
        self.sessions().tls12_session(server_name)
    }

    fn remove_tls12_session(&self, server_name: &ServerName<'static>) {
        self.sessions().remove_tls12_session(server_name)
    }

    fn insert_tls13_ticket(
        &self,
        server_name: ServerName<'static>,
        value: rustls::client::Tls13ClientSessionValue,
    ) {
        self.sessions().insert_tls13_ticket(server_name, value)
    }

    fn take_tls13_ticket(
        &self,
        server_name: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.sessions().take_tls13_ticket(server_name)
    }
}
