//! ScyllaDB's TLS settings, read as Scylla reads them (Scylla runs GnuTLS, through Seastar).

mod priority;

pub use priority::{
    Group, Priority, PriorityRefusal, Protocol, RefusalKind, RustlsSubset, SCYLLA_DEFAULT_PRIORITY,
    Signature, Suite, Unsupported, Unusable,
};
