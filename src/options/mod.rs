//! Cassandra's encryption options: `server_encryption_options` and `client_encryption_options`
//! of `cassandra.yaml`, with Cassandra's semantics (4.0 to 6.0), and cqlsh's `cqlshrc`.
//!
//! This module knows nothing of rustls: it reads and interprets options. [`crate::tls`] turns
//! them into configs.
//!
//! ```
//! use cassandra_tls::options::CassandraYaml;
//!
//! let yaml = CassandraYaml::from_str(r#"
//! server_encryption_options:
//!   internode_encryption: all
//!   keystore: conf/.keystore
//!   keystore_password: cassandra
//!   truststore: conf/.truststore
//!   truststore_password: cassandra
//!   require_endpoint_verification: true
//! "#)?;
//! let server = yaml.server_encryption_options();
//! assert!(server.common.require_endpoint_verification);
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

mod auth;
mod cqlshrc;
mod node;
mod nodetool;
mod protocols;
mod raw;
mod secret;
mod section;
mod source;
mod version;
mod yaml;

pub mod scylla;

pub use auth::{
    AUTH_PACKAGE, AuthClass, AuthKey, AuthOptions, CertificateLogin, ClassRefusal,
    ParameterizedClass, ResolvedClass, resolve_class, split_identities,
};
pub use cqlshrc::{CqlshSsl, Cqlshrc};
pub use node::{ManagerFactory, ResolvedNode, ResolvedSection, Section, check_algorithm};
pub use nodetool::{
    NODETOOL, NODETOOL_SSL_FILE, NodetoolSsl, NodetoolWarning, PropertiesForm,
    parse_java_properties,
};
pub use protocols::{
    CipherSuite, CipherSuiteChoice, JDK_DEFAULT_PROTOCOLS, ProtocolChoice, SUPPORTED_SUITES,
    TlsVersion, accepted_protocols, jsse_name, select_cipher_suites, select_protocols,
};
pub use secret::{
    MountedSecret, PemFiles, SecretLayout, SecretPassword, SecretSource, Unchecked, UncheckedReason,
};
pub use section::{
    ClientAuth, DurationMinutes, EncryptionOptions, InternodeEncryption, Policy,
    ServerEncryptionOptions, SslContextFactory, SslContextFactoryKind,
};
pub use source::{
    InlinePem, JavaStoreType, KeyUse, SectionSources, SourceRefusal, StoreFile, StoreSource,
    java_store_type,
};
pub use version::CassandraVersion;
pub use yaml::{CassandraYaml, NodeFacts};

pub(crate) use node::negotiation;
pub(crate) use section::{relative_note, resolve as resolve_path};

use std::fmt;

/// Something worth telling the operator that does not stop Cassandra (or this crate).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OptionWarning {
    /// A cipher suite named in `cipher_suites` that rustls does not offer; dropped, as
    /// Cassandra's `LoggingCipherSuiteFilter` drops what the engine lacks.
    DroppedCipherSuite {
        /// The section.
        section: &'static str,
        /// The name as configured.
        name: String,
    },
    /// A protocol named in `protocol`/`accepted_protocols` that rustls does not offer (TLSv1,
    /// TLSv1.1, SSLv3); dropped.
    DroppedProtocol {
        /// The section.
        section: &'static str,
        /// The name as configured.
        name: String,
    },
    /// A protocol version with no configured cipher suite: it cannot be negotiated.
    ProtocolWithoutCipherSuite {
        /// The section.
        section: &'static str,
        /// The protocol, such as `TLSv1.3`.
        protocol: &'static str,
    },
    /// `require_client_auth` with `internode_encryption: dc` or `rack`: a peer can claim to be
    /// in the local dc or rack and connect in plaintext, bypassing mutual TLS (Cassandra logs
    /// the same warning).
    ClientAuthBypassableWithDcOrRack,
    /// `enabled: true` in server_encryption_options with `internode_encryption: none`: the
    /// `enabled` flag does not turn internode encryption on.
    EnabledIgnoredForInternode,
    /// A non-empty `truststore_password` with the PEM factory, which ignores it.
    PemTruststorePasswordIgnored {
        /// The section.
        section: &'static str,
    },
}

impl fmt::Display for OptionWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptionWarning::DroppedCipherSuite { section, name } => write!(
                f,
                "{section}: dropping unsupported cipher_suite {name} (rustls offers only AEAD suites with forward secrecy)"
            ),
            OptionWarning::DroppedProtocol { section, name } => write!(
                f,
                "{section}: dropping protocol {name}: only TLSv1.2 and TLSv1.3 are available"
            ),
            OptionWarning::ProtocolWithoutCipherSuite { section, protocol } => write!(
                f,
                "{section}: {protocol} is accepted but no configured cipher suite works with it"
            ),
            OptionWarning::ClientAuthBypassableWithDcOrRack => f.write_str(
                "server_encryption_options: require_client_auth with internode_encryption dc or rack: a peer claiming the local dc/rack can connect unencrypted and skip mutual TLS",
            ),
            OptionWarning::EnabledIgnoredForInternode => f.write_str(
                "server_encryption_options: enabled: true does nothing while internode_encryption is none",
            ),
            OptionWarning::PemTruststorePasswordIgnored { section } => write!(
                f,
                "{section}: PEM based truststore should not be using password; it is ignored"
            ),
        }
    }
}

/// A regular file's bytes, at most `max` of them, read with that bound: a device such as
/// /dev/zero, a FIFO or a directory is refused at once, and a file that grows past `max` while
/// read is refused rather than read on.
pub(crate) fn read_bounded(path: &std::path::Path, max: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    if !meta.is_file() {
        return Err(std::io::Error::other("is not a regular file"));
    }
    let too_large = || std::io::Error::other(format!("is larger than {max} bytes"));
    if meta.len() > max {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(too_large());
    }
    Ok(bytes)
}

/// The most a PEM or key store file is read to (16 MiB; no real one is near it).
pub(crate) const MAX_MATERIAL: u64 = 16 << 20;

/// A configuration file's bytes (cassandra.yaml, scylla.yaml): a regular file of at most 4 MiB.
pub(crate) fn read_config_file(path: &std::path::Path, what: &str) -> crate::Result<Vec<u8>> {
    const MAX: u64 = 4 << 20;
    if let Ok(meta) = std::fs::metadata(path)
        && meta.is_file()
        && meta.len() > MAX
    {
        return Err(crate::Error::config(
            &crate::Origin::file(path),
            None,
            None,
            format!("{} bytes is too large for a {what}", meta.len()),
        ));
    }
    read_bounded(path, MAX).map_err(|source| crate::Error::Io {
        path: path.to_path_buf(),
        source,
    })
}
