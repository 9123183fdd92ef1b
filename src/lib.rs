//! Apache Cassandra's SSL, for Rust.
//!
//! Cassandra operators keep their keys and certificates in Java key stores (JKS, JCEKS,
//! PKCS#12) or PEM files, protected by a store password and a key password. This crate reads
//! them exactly as Cassandra does, so that Rust drivers, proxies and tools can speak TLS with a
//! Cassandra cluster using the cluster's own files.
//!
//! - [`keystore`]: load JKS, JCEKS, PKCS#12 and PEM stores with their passwords.
//! - [`options`]: cassandra.yaml's encryption options, with Cassandra's semantics.
//! - [`tls`]: rustls configs for the internode and client-to-node roles.
//! - [`handshake`]: a sans-IO handshake and session, driven over any transport.
//! - [`doctor`]: a node's SSL setup checked end to end, with fixes.
//! - [`probe`]: live nodes and clusters looked at from the network.
//!
//! ```
//! use cassandra_tls::keystore::{KeyStore, Entry};
//!
//! let store = KeyStore::loader()
//!     .store_password("cassandra")
//!     .load_file("fixtures/stores/node1.jks")?;
//! for entry in store.entries() {
//!     if let Entry::PrivateKey(key) = entry {
//!         println!("{:?}: {} certificate(s)", key.alias(), key.chain().len());
//!     }
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub(crate) mod asn1;
pub mod doctor;
pub mod error;
mod error_kind;
pub mod explain;
mod failure;
pub mod handshake;
pub mod keystore;
pub mod options;
pub mod password;
#[cfg(feature = "pki")]
pub mod pki;
pub mod probe;
pub mod provider;
/// The [`pki`] module under its first name: certificate chains and key stores for tests.
#[cfg(feature = "test-pki")]
pub mod test_pki {
    pub use crate::pki::*;
}
pub mod tls;

pub use error::{Error, ErrorKind, Origin, Result};
pub use keystore::{KeyStore, StoreType};
pub use password::Password;
