//! The crypto provider the crate builds with, and how a caller chooses another.
//!
//! Every config builder takes an optional provider ([`crate::tls::TlsSettings::provider`],
//! [`crate::tls::DriverTls::provider`]). Without one the crate uses, in this order:
//!
//! 1. the process default, when the application installed one
//!    ([`CryptoProvider::install_default`]);
//! 2. the provider this crate was compiled with: rustls' FIPS provider with the `fips`
//!    feature, aws-lc-rs with `aws-lc-rs` (the default), ring with `ring` (and
//!    `default-features = false`).
//!
//! The crate never installs a process-wide default itself.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;

#[cfg(not(any(feature = "aws-lc-rs", feature = "ring", feature = "fips")))]
compile_error!(
    "cassandra-tls needs a crypto provider: enable the `aws-lc-rs` (default), `ring` or `fips` feature"
);

/// The provider a config is built with: the caller's when given, else [`default_provider`].
pub fn resolve(chosen: Option<&Arc<CryptoProvider>>) -> Arc<CryptoProvider> {
    match chosen {
        Some(p) => p.clone(),
        None => default_provider(),
    }
}

/// The process default provider when one is installed, else [`crate_provider`].
pub fn default_provider() -> Arc<CryptoProvider> {
    match CryptoProvider::get_default() {
        Some(p) => p.clone(),
        None => crate_provider(),
    }
}

/// The provider this crate was compiled with, whatever the process default is: rustls' FIPS
/// provider (feature `fips`), else aws-lc-rs (feature `aws-lc-rs`), else ring (feature `ring`).
pub fn crate_provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER.get_or_init(|| Arc::new(compiled())).clone()
}

#[cfg(feature = "fips")]
fn compiled() -> CryptoProvider {
    rustls::crypto::default_fips_provider()
}

#[cfg(all(feature = "aws-lc-rs", not(feature = "fips")))]
fn compiled() -> CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

#[cfg(all(feature = "ring", not(any(feature = "aws-lc-rs", feature = "fips"))))]
fn compiled() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// The name of the provider this crate was compiled with, for reports: `"fips"`,
/// `"aws-lc-rs"` or `"ring"`.
pub fn crate_provider_name() -> &'static str {
    if cfg!(feature = "fips") {
        "fips"
    } else if cfg!(feature = "aws-lc-rs") {
        "aws-lc-rs"
    } else {
        "ring"
    }
}
