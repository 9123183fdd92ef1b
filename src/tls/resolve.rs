//! Choosing the key to present when a key store holds several, as JSSE's key manager does: the
//! first one whose algorithm fits the peer's signature schemes.

use std::sync::Arc;

use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::TlsWarning;
use crate::error::{Error, Result};
use crate::keystore::{KeyStore, SigningKeyError, mismatch};

/// The usable keys of a store, in alias order.
#[derive(Debug)]
pub(crate) struct KeyChoice {
    keys: Vec<(Option<String>, Arc<CertifiedKey>)>,
}

impl KeyChoice {
    pub(crate) fn new(
        store: &KeyStore,
        provider: &CryptoProvider,
        alias: Option<&str>,
        warnings: &mut Vec<TlsWarning>,
    ) -> Result<Self> {
        let mut keys = Vec::new();
        for entry in store.private_keys() {
            if let Some(wanted) = alias
                && !entry
                    .alias()
                    .is_some_and(|a| a.eq_ignore_ascii_case(wanted))
            {
                continue;
            }
            let unusable = |reason: String| TlsWarning::UnusableKey {
                origin: store.origin().clone(),
                alias: entry.alias().map(str::to_owned),
                reason,
            };
            let Some(key) = entry.key() else {
                warnings.push(unusable("the key is not decrypted".into()));
                continue;
            };
            if entry.chain().is_empty() {
                warnings.push(unusable("the key has no certificate".into()));
                continue;
            }
            let leaf = &entry.chain()[0];
            let spki = match leaf.spki() {
                Ok(spki) => spki,
                Err(e) => {
                    warnings.push(unusable(format!("its certificate does not parse: {}", e.0)));
                    continue;
                }
            };
            // The key/certificate check that loading leaves to here (EC keys without their
            // point, Ed25519) happens as the provider builds the signing key.
            match key.signing_key(&spki, provider) {
                Ok(signing) => {
                    let chain = entry.chain().iter().map(|c| c.der().clone()).collect();
                    keys.push((
                        entry.alias().map(str::to_owned),
                        Arc::new(CertifiedKey::new(chain, signing)),
                    ));
                }
                Err(SigningKeyError::Mismatch) => {
                    return Err(mismatch(
                        store.origin(),
                        entry.alias().map(str::to_owned),
                        leaf,
                    ));
                }
                Err(SigningKeyError::Unusable(reason)) => warnings.push(unusable(reason)),
            }
        }
        if keys.is_empty() {
            return Err(Error::config(store.origin(), None, None, {
                let mut message = match alias {
                        Some(a) => format!("no usable private key with alias '{a}' in the key store"),
                        None if store.private_keys().next().is_none() && !store.trust_anchors().is_empty() => format!(
                            "the key store holds no private key, only {} trusted certificate(s): is it the truststore? A key store holds the node's (or client's) private key and its certificate chain",
                            store.trust_anchors().len()
                        ),
                        None => "the key store holds no private key rustls can use (RSA, EC or Ed25519 with a certificate)".into(),
                    };
                // Say why each key was passed over (a PEM key without its chain, say).
                for w in warnings.iter() {
                    if let TlsWarning::UnusableKey { alias, reason, .. } = w {
                        let which = alias
                            .as_deref()
                            .map_or(String::new(), |a| format!(" '{a}'"));
                        message.push_str(&format!("; key{which}: {reason}"));
                    }
                }
                message
            }));
        }
        Ok(KeyChoice { keys })
    }

    fn pick(&self, schemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        self.keys
            .iter()
            .find(|(_, k)| k.key.choose_scheme(schemes).is_some())
            .map(|(_, k)| k.clone())
    }
}

impl ResolvesServerCert for KeyChoice {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.pick(client_hello.signature_schemes())
    }
}

impl ResolvesClientCert for KeyChoice {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.pick(sigschemes)
    }

    fn has_certs(&self) -> bool {
        true
    }
}
