//! Client configs for Cassandra's command-line tools: cqlsh (from a cqlshrc) and nodetool (from
//! nodetool-ssl.properties). Neither checks the host name, as the tools do not.

use std::sync::Arc;

use rustls::ClientConfig;

use super::material::store_warnings;
use super::plan::{negotiable, rustls_error, time_provider};
use super::{ClientTls, TlsSettings, TlsWarning, resolve, verify};
use crate::error::{Error, Origin, Result};
use crate::keystore::{KeyStore, StoreType};
use crate::options::{CqlshSsl, EncryptionOptions, NodetoolSsl};

/// Builds the client config cqlsh would use, from [`crate::options::Cqlshrc::ssl_settings`]:
/// the CA file when validating (never a host name check: cqlsh does none), no verification
/// when `validate = false` (with a warning), and `userkey`/`usercert` as the client
/// certificate.
pub fn cqlsh_client_config(ssl: &CqlshSsl, settings: &TlsSettings) -> Result<ClientTls> {
    let mut warnings = Vec::new();
    if let Some(v) = &ssl.ignored_version {
        warnings.push(TlsWarning::CqlshVersionIgnored(v.clone()));
    }
    let provider = crate::provider::resolve(settings.provider.as_ref());
    let builder = ClientConfig::builder_with_details(provider.clone(), time_provider(settings))
        .with_protocol_versions(rustls::DEFAULT_VERSIONS)
        .map_err(|e| rustls_error(&Origin::bytes(), "cqlshrc", e))?
        .dangerous();
    let builder = if ssl.validate {
        let certfile = ssl.certfile.as_ref().ok_or_else(|| {
            Error::config(
                &Origin::bytes(),
                Some("ssl"),
                Some("certfile"),
                "validation needs a certfile",
            )
        })?;
        let store = KeyStore::loader()
            .skip_key_decryption(true)
            .load_file(certfile)?;
        let anchors = store.trust_anchors();
        if anchors.is_empty() {
            return Err(Error::config(
                store.origin(),
                Some("ssl"),
                Some("certfile"),
                "holds no certificate",
            ));
        }
        let verifier =
            verify::ServerVerifier::new(&anchors, provider.clone(), false, settings.expired_peer)
                .map_err(|e| rustls_error(store.origin(), "cqlshrc", e))?;
        builder.with_custom_certificate_verifier(Arc::new(verifier))
    } else {
        warnings.push(TlsWarning::NoServerVerification);
        builder.with_custom_certificate_verifier(Arc::new(verify::NoCertificateCheck(
            provider.clone(),
        )))
    };
    let (config, has_client_certificate) = match (&ssl.userkey, &ssl.usercert) {
        (Some(key), Some(cert)) => {
            let store = KeyStore::loader().certificates_file(cert)?.load_file(key)?;
            let resolver = resolve::KeyChoice::new(&store, &provider, None, &mut warnings)?;
            (builder.with_client_cert_resolver(Arc::new(resolver)), true)
        }
        (Some(_), None) | (None, Some(_)) => {
            return Err(Error::config(
                &Origin::bytes(),
                Some("ssl"),
                Some(if ssl.userkey.is_some() {
                    "usercert"
                } else {
                    "userkey"
                }),
                "userkey and usercert go together: give both or neither",
            ));
        }
        (None, None) => (builder.with_no_client_auth(), false),
    };
    if ssl.validate {
        warnings.push(TlsWarning::NoServerNameCheck { section: "cqlshrc" });
    }
    Ok(ClientTls {
        config: Arc::new(config),
        generations: None,
        verify_server_name: false,
        has_client_certificate,
        warnings,
    })
}

use crate::options::NODETOOL;

fn nodetool_config(origin: &Origin, key: &str, message: impl Into<String>) -> Error {
    Error::config(origin, Some(NODETOOL), Some(key), message)
}

/// The store type a `javax.net.ssl.*StoreType` names (the JDK's default, PKCS12, when unset),
/// refusing a file Java's key store of that type cannot read.
fn java_store_type(origin: &Origin, key: &str, named: Option<&str>) -> Result<StoreType> {
    match named {
        None => Ok(StoreType::Pkcs12),
        Some(n) => StoreType::from_name(n).ok_or_else(|| {
            nodetool_config(
                origin,
                key,
                format!("unknown key store type '{n}' (JKS, JCEKS, PKCS12)"),
            )
        }),
    }
}

fn check_java_reads(origin: &Origin, key: &str, store: &KeyStore) -> Result<()> {
    match store.java_type_mismatch() {
        Some((configured, detected)) => Err(nodetool_config(
            origin,
            key,
            format!(
                "{} is a {detected} file, which Java's {configured} key store cannot read",
                store.origin()
            ),
        )),
        None => Ok(()),
    }
}

/// Builds the client config `nodetool --ssl` would use, from its
/// [`NodetoolSsl`] settings: the JVM's default `SSLContext` (the `javax.net.ssl.*` stores, one
/// password for the key store and its keys), the protocols and suites of
/// `javax.rmi.ssl.client.*`, and no host name check (`SslRMIClientSocketFactory` does none).
///
/// Without `javax.net.ssl.trustStore` the JVM would trust its own `cacerts`, which this crate
/// does not read: that is an error here, naming the property to set.
pub fn nodetool_client_config(ssl: &NodetoolSsl, settings: &TlsSettings) -> Result<ClientTls> {
    nodetool_client_and_keystore(ssl, settings).map(|(tls, _)| tls)
}

/// nodetool's client for a node whose JMX server is configured by 6.0's
/// `jmx_encryption_options` (CASSANDRA-18508): [`nodetool_client_config`] on
/// [`NodetoolSsl::from_jmx_encryption_options`]. `None` when the yaml has no such section.
pub fn jmx_client_config(
    yaml: &crate::options::CassandraYaml,
    settings: &TlsSettings,
) -> Result<Option<ClientTls>> {
    NodetoolSsl::from_jmx_encryption_options(yaml)?
        .map(|ssl| nodetool_client_config(&ssl, settings))
        .transpose()
}

/// [`nodetool_client_config`], with the key store it loaded (for the doctor's checks).
pub(crate) fn nodetool_client_and_keystore(
    ssl: &NodetoolSsl,
    settings: &TlsSettings,
) -> Result<(ClientTls, Option<KeyStore>)> {
    let origin = ssl.origin();
    let mut warnings = Vec::new();
    let opts = EncryptionOptions {
        accepted_protocols: ssl.client_protocols.clone(),
        cipher_suites: ssl.client_cipher_suites.clone(),
        ..EncryptionOptions::default()
    };
    let (protocols, suites) = crate::options::negotiation(origin, NODETOOL, &opts);
    let suites = suites?;
    warnings.extend(
        protocols?
            .warnings
            .into_iter()
            .chain(suites.warnings.iter().cloned())
            .map(TlsWarning::Option),
    );
    let n = negotiable(&suites, settings.provider.as_ref());
    let truststore = ssl.truststore.as_ref().ok_or_else(|| {
        nodetool_config(
            origin,
            "javax.net.ssl.trustStore",
            "not set: the JVM would trust its own cacerts, which this crate does not read; name the truststore holding the CA of the node's JMX certificate",
        )
    })?;
    let trust_type = java_store_type(
        origin,
        "javax.net.ssl.trustStoreType",
        ssl.truststore_type.as_deref(),
    )?;
    let trust = KeyStore::loader()
        .store_type(Some(trust_type))
        .store_password_opt(ssl.truststore_password.clone().filter(|p| !p.is_empty()))
        .skip_key_decryption(true)
        .load_file(truststore)?;
    check_java_reads(origin, "javax.net.ssl.trustStoreType", &trust)?;
    let anchors = trust.trust_anchors();
    if anchors.is_empty() {
        return Err(nodetool_config(
            origin,
            "javax.net.ssl.trustStore",
            "the truststore holds no certificate to trust",
        ));
    }
    let verifier =
        verify::ServerVerifier::new(&anchors, n.provider.clone(), false, settings.expired_peer)
            .map_err(|e| rustls_error(origin, NODETOOL, e))?;
    let builder = ClientConfig::builder_with_details(n.provider.clone(), time_provider(settings))
        .with_protocol_versions(&n.versions)
        .map_err(|e| rustls_error(origin, NODETOOL, e))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let (config, keystore) = match &ssl.keystore {
        Some(path) => {
            let password = ssl.keystore_password.clone().ok_or_else(|| {
                nodetool_config(
                    origin,
                    "javax.net.ssl.keyStorePassword",
                    "not set: the JVM cannot unlock the keys of javax.net.ssl.keyStore without it",
                )
            })?;
            let key_type = java_store_type(
                origin,
                "javax.net.ssl.keyStoreType",
                ssl.keystore_type.as_deref(),
            )?;
            let store = KeyStore::loader()
                .store_type(Some(key_type))
                .store_password(password)
                .load_file(path)?;
            check_java_reads(origin, "javax.net.ssl.keyStoreType", &store)?;
            store_warnings(&store, &mut warnings);
            let resolver = resolve::KeyChoice::new(
                &store,
                &n.provider,
                settings.key_alias.as_deref(),
                &mut warnings,
            )?;
            (
                builder.with_client_cert_resolver(Arc::new(resolver)),
                Some(store),
            )
        }
        None => (builder.with_no_client_auth(), None),
    };
    // The JDK's RMI SSL socket factory sets no endpoint identification algorithm.
    warnings.push(TlsWarning::NoServerNameCheck { section: NODETOOL });
    let tls = ClientTls {
        config: Arc::new(config),
        generations: None,
        verify_server_name: false,
        has_client_certificate: keystore.is_some(),
        warnings,
    };
    Ok((tls, keystore))
}
