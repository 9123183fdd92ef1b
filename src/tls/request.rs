//! What a server asked of the client: whether it sent a CertificateRequest, and the CA names
//! it listed there (its truststore's subjects, as JSSE and OpenSSL advertise them). rustls hands
//! them to the client certificate resolver as `root_hint_subjects`; [`RecordRequest`] wraps a
//! config's resolver to keep them, so a refused client can be told what the node expects.
//!
//! ```
//! use cassandra_tls::tls::RecordRequest;
//! # let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
//! let config = rustls::ClientConfig::builder_with_provider(provider)
//!     .with_safe_default_protocol_versions()?
//!     .with_root_certificates(rustls::RootCertStore::empty())
//!     .with_no_client_auth();
//! let (config, record) = RecordRequest::wrap(&std::sync::Arc::new(config));
//! // ... a handshake with `config` ...
//! assert!(record.request().is_none(), "no CertificateRequest yet");
//! # drop(config);
//! # Ok::<(), rustls::Error>(())
//! ```

use std::sync::{Arc, Mutex};

use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use rustls::{ClientConfig, SignatureScheme};

use crate::keystore::Certificate;

/// A server's CertificateRequest as the client received it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CertificateRequest {
    /// The CA names listed (`certificate_authorities`), DER-encoded X.501 names; empty when the
    /// server named none (any CA it trusts).
    pub authorities: Vec<Vec<u8>>,
}

impl CertificateRequest {
    /// The CA names as Java prints distinguished names (`CN=Test CA, O=Example`); one that
    /// does not parse is shown as hex.
    pub fn authority_names(&self) -> Vec<String> {
        self.authorities
            .iter()
            .map(|der| {
                crate::keystore::java_dn_der(der).unwrap_or_else(|| {
                    let hex: String = der.iter().map(|b| format!("{b:02x}")).collect();
                    format!("#{hex}")
                })
            })
            .collect()
    }
}

/// A client certificate resolver that records the server's CertificateRequest and answers with
/// the resolver it wraps (the config's own: its certificate, or none).
#[derive(Debug)]
pub struct RecordRequest {
    inner: Arc<dyn ResolvesClientCert>,
    /// The request, and the leaf certificate sent in answer (none when there was none to send).
    seen: Mutex<Option<(CertificateRequest, Option<Certificate>)>>,
}

impl RecordRequest {
    /// `config` with its client certificate resolver wrapped, and the record it fills.
    pub fn wrap(config: &Arc<ClientConfig>) -> (Arc<ClientConfig>, Arc<RecordRequest>) {
        let record = Arc::new(RecordRequest {
            inner: config.client_auth_cert_resolver.clone(),
            seen: Mutex::new(None),
        });
        let mut wrapped = (**config).clone();
        wrapped.client_auth_cert_resolver = record.clone();
        (Arc::new(wrapped), record)
    }

    /// The last CertificateRequest received; `None` when the server asked for no certificate.
    pub fn request(&self) -> Option<CertificateRequest> {
        self.seen().map(|(r, _)| r)
    }

    /// The client certificate (the leaf) sent in answer to the last CertificateRequest; `None`
    /// when there was no request, or none to send.
    pub fn offered(&self) -> Option<Certificate> {
        self.seen().and_then(|(_, c)| c)
    }

    fn seen(&self) -> Option<(CertificateRequest, Option<Certificate>)> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl ResolvesClientCert for RecordRequest {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let answer = self.inner.resolve(root_hint_subjects, sigschemes);
        let leaf = answer
            .as_ref()
            .and_then(|k| k.cert.first())
            .and_then(|c| Certificate::from_der_bytes(c.to_vec()).ok());
        let request = CertificateRequest {
            authorities: root_hint_subjects.iter().map(|s| s.to_vec()).collect(),
        };
        *self.seen.lock().unwrap_or_else(|e| e.into_inner()) = Some((request, leaf));
        answer
    }

    fn only_raw_public_keys(&self) -> bool {
        self.inner.only_raw_public_keys()
    }

    fn has_certs(&self) -> bool {
        self.inner.has_certs()
    }
}
