//! Apache Cassandra's SSL, for Rust: rustls configs from Cassandra's own files and settings.
//!
//! Two ways in. From a node's `cassandra.yaml` (its stores, passwords and options, read with
//! Cassandra's rules for its version), the four roles' configs: [`tls::client_config`] and
//! [`tls::server_config`], or a [`tls::Node`] that reads each store once for all of them. Store
//! paths in the yaml are relative to the working directory, as Cassandra's are; set another with
//! [`options::CassandraYaml::with_base_dir`]. From a driver's own settings (the Java and Python
//! drivers' names), [`tls::DriverTls`]. Both give an `Arc<rustls::ClientConfig>` (rustls 0.23,
//! re-exported as [`rustls`]) for any driver, tokio-rustls 0.26 included.
//!
//! ```
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{self, ClientRole, DriverTls, ServerRole, TlsSettings};
//!
//! // 1. cassandra.yaml -> configs, with Cassandra's rules.
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let settings = TlsSettings::default();
//! let client = tls::client_config(&yaml, ClientRole::Native, &settings)?;
//! let server = tls::server_config(&yaml, ServerRole::Native, &settings)?;
//! for w in client.warnings.iter().chain(&server.warnings) {
//!     eprintln!("warning: {w}");
//! }
//!
//! // 2. A driver's settings -> a client config.
//! let driver = DriverTls::new()
//!     .truststore_path("fixtures/stores/truststore.jks")
//!     .truststore_password("cassandra")
//!     .keystore_path("fixtures/stores/client1.jks")
//!     .keystore_password("cassandra")
//!     .build()?;
//! let _for_a_driver: std::sync::Arc<cassandra_tls::rustls::ClientConfig> = driver.config().clone();
//!
//! // The handshake over the caller's transport: bytes in, bytes out (here both ends in memory;
//! // `handshake::blocking` runs the loop over a `Read + Write`).
//! use cassandra_tls::handshake::{self, Handshake};
//! let peer = std::net::IpAddr::from([127, 0, 0, 1]);
//! let done = handshake::in_memory(
//!     Handshake::client(&client, "127.0.0.1")?,
//!     Handshake::server(&server, peer)?,
//! );
//! let ((session, node), _) = done.both()?;
//! println!("{} {} with {:?}", session.protocol(), session.cipher_suite(), node.subject());
//! # Ok::<(), cassandra_tls::Error>(())
//! ```
//!
//! The modules:
//! - [`keystore`]: JKS, JCEKS, PKCS#12 and PEM stores with their passwords.
//! - [`options`]: cassandra.yaml (per Cassandra version, resolved once: [`options::ResolvedNode`]),
//!   cqlshrc and nodetool-ssl.properties.
//! - [`tls`]: rustls configs for every role, driver settings, hot reload ([`tls::reload`]).
//! - [`handshake`]: a sans-IO handshake and session, driven over any transport.
//! - `explain`, `doctor`, `probe` (feature `diagnostics`, on with `cli`): what a node of a given
//!   version does with its yaml at start-up (Java's verdict); a node's (or a cluster's) SSL setup
//!   checked end to end, with fixes; live nodes and clusters looked at from the network; and
//!   `report`, the findings they share. A driver that depends on the crate without them
//!   compiles only the core.
//! - [`error`], [`password`], [`provider`]: the error type, zeroized passwords, the crypto
//!   provider choice; `pki` (feature `pki`): test CAs and stores.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub(crate) mod asn1;
#[cfg(feature = "diagnostics")]
pub mod doctor;
pub mod error;
mod error_kind;
#[cfg(feature = "diagnostics")]
pub mod explain;
mod failure;
pub mod handshake;
pub mod keystore;
pub mod options;
pub mod password;
#[cfg(feature = "pki")]
pub mod pki;
#[cfg(feature = "diagnostics")]
pub mod probe;
pub mod provider;
#[cfg(feature = "diagnostics")]
pub mod report;
/// The [`pki`] module under its first name: certificate chains and key stores for tests.
#[cfg(feature = "test-pki")]
pub mod test_pki {
    pub use crate::pki::*;
}
pub mod tls;

pub use error::{Error, ErrorKind, Origin, Result};
pub use keystore::{KeyStore, StoreType};
pub use password::Password;
/// The rustls this crate builds configs for (0.23), so that callers use the same types.
pub use rustls;

/// README.md's Rust snippets, compiled (and run where they can) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
