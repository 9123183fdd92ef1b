//! A reloadable config's generations, and the two ways a connection uses them.
//!
//! Each validated load of the material is a generation: keys, the check of the peer's
//! certificate, and a rustls config built from them with its own cache of resumable sessions.
//! A generation never changes once built; a reload replaces the current generation with a new
//! one in one step ([`Swap`]).
//!
//! - **Bound** (Cassandra's way): a connection made through `Handshake::client`,
//!   `Handshake::server`, `ServerTls::config_for` or `ClientTls::current_config` takes the
//!   rustls config of the generation current when it is created and keeps it for its whole
//!   life. Its key, its check of the peer and the cache its session is stored in and resumed
//!   from all belong to that one generation: a handshake in flight at a swap finishes on its
//!   own generation and leaves its session in that generation's cache, which no connection
//!   created after the swap consults. This is Cassandra's model (a connection belongs to the
//!   SslContext it was created with; a reload builds a new SslContext with a new session
//!   cache). On the client, rustls itself refuses as well to resume a session made with another
//!   key resolver or verifier, and each generation has its own key resolver (a generation
//!   installed with keys alone keeps the previous verifier).
//! - **Live** (a config handed over once, to a driver or an acceptor): its key resolver and its
//!   peer check read the current generation at each call, so every handshake that starts after
//!   a swap presents the new key and checks the peer with the new truststore. rustls calls a
//!   session store with a server name or a session id, never with the connection, so no store
//!   can tell which generation a session was made with; a live config therefore keeps no
//!   sessions at all (every connection is a full handshake). A handshake in flight at the swap
//!   may present the old key while it checks its peer with the new truststore (the key is chosen
//!   first, so the check is never older than the key); no session of it survives it.

use std::sync::{Arc, RwLock};

use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use rustls::{
    ClientConfig, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};

use crate::error::{Error, Origin, Result};
use crate::tls::resolve::KeyChoice;
use crate::tls::verify::{ClientVerifier, ServerVerifier, delegate_signatures};
use crate::tls::{ClientMaterial, Plan, ServerMaterial, Sessions, TlsSettings, TlsWarning};
use crate::tls::{ClientTls, ServerTls};

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

/// One generation of a server's material: its keys, its check of client certificates, and the
/// config bound to them (with its own session cache).
#[derive(Debug)]
pub(crate) struct ServerGeneration {
    pub(super) keys: Arc<KeyChoice>,
    /// `None` only for a config that asks for no client certificate (fixed by its plan).
    pub(super) verifier: Option<Arc<ClientVerifier>>,
    /// The config of this generation alone, resumable within it.
    pub(super) bound: ServerTls,
}

/// A reloadable server config's generations: the one in use, and the live config's
/// certificate resolver and client verifier, which read it at each call.
#[derive(Debug)]
pub(crate) struct ServerSide {
    current: Swap<ServerGeneration>,
    /// Whether a client certificate is required (fixed by the plan).
    mandatory: bool,
}

impl ServerSide {
    pub(super) fn new(first: ServerGeneration, mandatory: bool) -> Self {
        ServerSide {
            current: Swap::new(first),
            mandatory,
        }
    }

    /// The generation in use.
    pub(super) fn current(&self) -> Arc<ServerGeneration> {
        self.current.current()
    }

    /// Whether client certificates are checked (the config was built with a verifier).
    pub(super) fn checks_clients(&self) -> bool {
        self.current().verifier.is_some()
    }

    /// Puts a new generation in use: connections created from now on use it.
    pub(super) fn put(&self, generation: ServerGeneration) {
        self.current.set(generation);
    }

    /// The config of the generation in use, for a connection from `peer`.
    pub(crate) fn config_for(&self, peer: std::net::IpAddr) -> Arc<ServerConfig> {
        self.current().bound.config_for(peer)
    }

    fn verifier(&self) -> Result<Arc<ClientVerifier>, rustls::Error> {
        self.current()
            .verifier
            .clone()
            .ok_or_else(|| rustls::Error::General("no client certificate is checked".into()))
    }
}

impl ResolvesServerCert for ServerSide {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        ResolvesServerCert::resolve(&*self.current().keys, client_hello)
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
    /// certificate whatever its issuer. (A bound config sends its generation's names.)
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

/// One generation of a client's material: its keys (if it presents a certificate), its check
/// of the server, and the config bound to them (with its own session cache).
#[derive(Debug)]
pub(crate) struct ClientGeneration {
    /// `None` for a client built without a key store (it stays without one).
    pub(super) keys: Option<Arc<KeyChoice>>,
    pub(super) verifier: Arc<ServerVerifier>,
    /// The config of this generation alone, resumable within it.
    pub(super) bound: ClientTls,
}

/// A reloadable client config's generations: the one in use, and the live config's key
/// resolver and server verifier, which read it at each call.
#[derive(Debug)]
pub(crate) struct ClientSide {
    current: Swap<ClientGeneration>,
    /// Whether the client presents a certificate: fixed when it was built, as the live config's
    /// resolver is.
    presents: bool,
}

impl ClientSide {
    pub(super) fn new(first: ClientGeneration) -> Self {
        let presents = first.keys.is_some();
        ClientSide {
            current: Swap::new(first),
            presents,
        }
    }

    /// The generation in use.
    pub(super) fn current(&self) -> Arc<ClientGeneration> {
        self.current.current()
    }

    /// Whether the client presents a certificate (fixed when it was built).
    pub(super) fn presents_certificate(&self) -> bool {
        self.presents
    }

    /// Puts a new generation in use: connections created from now on use it.
    pub(super) fn put(&self, generation: ClientGeneration) {
        self.current.set(generation);
    }

    /// The config of the generation in use.
    pub(crate) fn current_config(&self) -> Arc<ClientConfig> {
        self.current().bound.config.clone()
    }

    fn verifier(&self) -> Arc<ServerVerifier> {
        self.current().verifier.clone()
    }
}

impl ResolvesClientCert for ClientSide {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let current = self.current();
        ResolvesClientCert::resolve(&**current.keys.as_ref()?, root_hint_subjects, sigschemes)
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

/// What every generation of one config is assembled with.
pub(super) struct Assembly<'a> {
    pub(super) origin: &'a Origin,
    pub(super) plan: &'a Plan,
    pub(super) settings: &'a TlsSettings,
}

impl Assembly<'_> {
    /// A server generation from validated material; a config that checks client certificates
    /// keeps the verifier of `previous` when the material has none.
    pub(super) fn server(
        &self,
        material: ServerMaterial,
        previous: Option<&ServerGeneration>,
    ) -> Result<(ServerGeneration, Vec<TlsWarning>)> {
        let keys = Arc::new(material.keys);
        let verifier = material
            .verifier
            .map(Arc::new)
            .or_else(|| previous.and_then(|p| p.verifier.clone()));
        let bound = crate::tls::assemble_server(
            self.origin,
            self.plan.clone(),
            self.settings,
            material.warnings.clone(),
            keys.clone(),
            verifier.clone().map(|v| v as Arc<dyn ClientCertVerifier>),
            Sessions::Kept,
        )?;
        let generation = ServerGeneration {
            keys,
            verifier,
            bound,
        };
        Ok((generation, material.warnings))
    }

    /// A client generation from validated material; the verifier of `previous` is kept when
    /// the material has none.
    pub(super) fn client(
        &self,
        material: ClientMaterial,
        previous: Option<&ClientGeneration>,
    ) -> Result<(ClientGeneration, Vec<TlsWarning>)> {
        let verifier = match (material.verifier, previous) {
            (Some(v), _) => Arc::new(v),
            (None, Some(p)) => p.verifier.clone(),
            (None, None) => {
                return Err(Error::config(
                    self.origin,
                    Some(self.plan.section),
                    Some("truststore"),
                    "a reloadable client needs a truststore to check the server with",
                ));
            }
        };
        // A client built without a key store stays without one, whatever appears later.
        let keys = material
            .keys
            .filter(|_| previous.is_none_or(|p| p.keys.is_some()))
            .map(Arc::new);
        let bound = crate::tls::assemble_client(
            self.origin,
            self.plan.clone(),
            self.settings,
            material.warnings.clone(),
            keys.clone().map(|k| k as Arc<dyn ResolvesClientCert>),
            verifier.clone(),
            Sessions::Kept,
        )?;
        let generation = ClientGeneration {
            keys,
            verifier,
            bound,
        };
        Ok((generation, material.warnings))
    }
}
