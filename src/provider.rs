//! The crypto provider the crate builds with.

use std::sync::Arc;

use rustls::crypto::CryptoProvider;

/// The crypto provider used for everything this crate does with rustls: aws-lc-rs.
///
/// The crate never installs a process-wide default; every config is built with this provider
/// explicitly, so it coexists with whatever the application installs.
pub fn default_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}
