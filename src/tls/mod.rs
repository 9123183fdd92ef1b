//! rustls configs for Cassandra's four TLS roles, built from a node's `cassandra.yaml`.
//!
//! | role | section | key | peer certificate |
//! |---|---|---|---|
//! | [`Role::InternodeServer`] | `server_encryption_options` | `keystore` | always required (Cassandra builds inbound internode contexts with client auth REQUIRED) |
//! | [`Role::InternodeClient`] | `server_encryption_options` | `outbound_keystore`, else `keystore` | the server's, checked against the truststore |
//! | [`Role::NativeServer`] | `client_encryption_options` | `keystore` | by `require_client_auth`: none, optional or required |
//! | [`Role::NativeClient`] | `client_encryption_options` | `keystore` when present (mTLS) | the server's |
//!
//! ```
//! use cassandra_tls::options::CassandraYaml;
//! use cassandra_tls::tls::{self, ClientRole, TlsSettings};
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let client = tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default())?;
//! for w in &client.warnings {
//!     eprintln!("warning: {w}");
//! }
//! // client.config() is an Arc<rustls::ClientConfig>, for a driver or a Handshake.
//! # Ok::<(), cassandra_tls::Error>(())
//! ```
//!
//! [`reload`] builds the same configs with material that can be replaced while they are in use
//! (Cassandra's hot reload); [`cqlsh_client_config`] and [`nodetool_client_config`] build the
//! clients of Cassandra's command-line tools. A driver without a cassandra.yaml starts from the
//! settings it already has: [`DriverTls`] (the Java driver's `ssl-engine-factory`, the Python
//! driver's `ssl_options`, a mounted Kubernetes Secret).

// Certificate login as AuthConfig.applyAuth checks it: read by the diagnostics only.
#[cfg(feature = "diagnostics")]
mod authenticators;
#[cfg(feature = "bundle")]
mod bundle;
mod cache;
mod client;
mod driver;
pub(crate) mod factory;
mod identity;
mod material;
mod node;
mod plan;
mod priority;
pub mod reload;
mod request;
mod resolve;
mod role;
mod scylla;
mod server;
mod settings;
mod tools;
mod validator;
pub(crate) mod verify;

/// What stops a Scylla node at start-up ([`crate::Error::ScyllaStartup`]).
pub use crate::error::ScyllaStartupFailure;
pub use crate::failure::{ExpiredButTrusted, IdentityMismatch, UnknownIssuer};
/// How a client logs in; the type lives in [`crate::options`] beside [`crate::options::AuthClass`].
#[cfg(feature = "diagnostics")]
pub use crate::options::CertificateLogin;
#[cfg(feature = "diagnostics")]
pub use authenticators::{
    AuthNote, AuthRefusal, AuthSetup, IdentitySource, OutboundIdentities, PeerRefusal,
    ValidatorClass, apply_auth, check_authenticators, outbound_identities,
};
#[cfg(feature = "bundle")]
pub use bundle::{ProxyMetadata, SecureConnectBundle};
pub use client::{ClientTls, client_config};
pub(crate) use client::{assemble_client, server_check};
pub use driver::DriverTls;
pub use identity::{NodeIdentity, NodeVerifier};
#[cfg(feature = "diagnostics")]
pub(crate) use material::missing_key_store;
pub(crate) use material::{
    ClientMaterial, Installed, ServerMaterial, build_client_material, build_server_material,
    load_client_material, load_server_material,
};
pub use node::Node;
pub(crate) use plan::Plan;
pub use priority::{PriorityProvider, restrict_to_priority};
pub use request::{CertificateRequest, RecordRequest};
pub use role::{ClientRole, Role, ServerRole};
pub(crate) use server::assemble_server;
pub use server::{ServerTls, server_config};
pub use settings::{TlsSettings, TlsWarning};
#[cfg(feature = "diagnostics")]
pub(crate) use tools::nodetool_client_and_keystore;
pub use tools::{cqlsh_client_config, jmx_client_config, nodetool_client_config};
pub use validator::{
    CertificateIdentity, CertificateValidator, CertificateValidityPeriod, IdentityError,
    ValidityChecked, ValidityPeriodExceeded, human_readable_minutes,
};
pub use verify::{ExpiredPeer, Usage, verify_chain};

/// Whether a config keeps sessions for resumption.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sessions {
    /// rustls' defaults: a cache of resumable sessions of the config's own.
    Kept,
    /// No session is stored or resumed (a reloading config's live config).
    NotKept,
}
