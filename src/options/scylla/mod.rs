//! ScyllaDB's TLS settings, read as Scylla reads them (Scylla runs GnuTLS, through Seastar).
//!
//! - [`ScyllaYaml`]: scylla.yaml's top level as Scylla's `config_file` converts it (maps of
//!   strings; a null, list or map value drops a whole map; booleans are strings);
//! - [`ScyllaNode`] ([`ScyllaYaml::resolve`]): each TLS service (internode, CQL, Alternator) as
//!   `configure_tls_creds_builder` and the services build it, and the ports they listen on;
//! - [`Priority`]: GnuTLS priority strings;
//! - [`OperatorMount`]: scylla-operator's mounted serving-certs Secret and client-ca ConfigMap.

mod config;
mod login;
mod node;
mod operator;
mod priority;
mod section;
mod tree;
mod version;

pub use config::{Dropped, ListRead, MapRead, ScalarRead, ScyllaYaml};
pub use login::{SCYLLA_DEFAULT_AUTHENTICATOR, ScyllaAuthenticator};
pub use node::{Listener, ScyllaNode};
pub use operator::{CLIENT_CA_KEY, OperatorMount, SERVING_KEYS};
pub use priority::{
    Group, Priority, PriorityRefusal, Protocol, RefusalKind, RustlsSubset, SCYLLA_DEFAULT_PRIORITY,
    Signature, Suite, Unsupported, Unusable,
};
pub use section::{
    InternodeMode, KeyNote, PemFile, ScyllaClientAuth, ScyllaSection, ScyllaService, scylla_is_true,
};
pub use tree::{Kind, Mark};
pub use version::ScyllaVersion;

pub mod auth;
pub use auth::{NoRole, QueryRefusal, RoleMatch, RoleQueries, gnutls_subject_dn, seastar_altnames};
