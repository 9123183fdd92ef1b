//! Who a client certificate logs in as: Cassandra's `MutualTlsCertificateValidator`s (CEP-34),
//! which `MutualTlsAuthenticator`, `MutualTlsWithPasswordFallbackAuthenticator` and
//! `MutualTlsInternodeAuthenticator` ask for the identity they map to a role
//! (`system_auth.identity_to_role`).
//!
//! ```
//! use cassandra_tls::keystore::KeyStore;
//! use cassandra_tls::tls::CertificateValidator;
//!
//! let store = KeyStore::loader()
//!     .store_password("cassandra")
//!     .load_file("fixtures/stores/client1.jks")?;
//! let chain = store.private_keys().next().unwrap().chain();
//! let validator = CertificateValidator::from_class_name(
//!     "org.apache.cassandra.auth.SpiffeCertificateValidator",
//! )
//! .unwrap();
//! let who = validator.identity(chain).unwrap();
//! assert_eq!(who.identity(), "spiffe://cassandra.test/client/app1");
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

use std::fmt;

use crate::keystore::Certificate;

/// A certificate validator Cassandra can be configured with
/// (`authenticator.parameters.validator_class_name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CertificateValidator {
    /// `org.apache.cassandra.auth.SpiffeCertificateValidator`: the identity is the leaf's first
    /// subject alternative name of type URI that starts with `spiffe://`, in certificate order
    /// (read from cassandra-all 5.0.9's class: only the leaf, only URI names, the prefix
    /// compared as written, no CA, CN or issuer check of its own).
    Spiffe,
}

/// Why a certificate gives no identity, in Cassandra's words.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityError {
    /// The client sent no certificate (`MutualTlsAuthenticator`: "No certificate present on
    /// connection").
    NoCertificate,
    /// The leaf has no SPIFFE URI (`SpiffeCertificateValidator`: "Unable to extract Spiffe
    /// from the certificate").
    NoSpiffe,
}

impl fmt::Display for IdentityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdentityError::NoCertificate => "No certificate present on connection",
            IdentityError::NoSpiffe => "Unable to extract Spiffe from the certificate",
        })
    }
}

impl std::error::Error for IdentityError {}

/// The identity a validator extracted, with what it passed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateIdentity {
    identity: String,
    ignored: Vec<String>,
}

impl CertificateIdentity {
    /// The identity, as `ADD IDENTITY '...' TO ROLE` must name it.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Other SPIFFE URIs of the leaf, which Cassandra silently ignores.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// What an operator should know: each ignored SPIFFE URI.
    pub fn warnings(&self) -> Vec<String> {
        self.ignored
            .iter()
            .map(|u| {
                format!(
                    "the certificate has more than one SPIFFE URI: {u} is ignored, the identity is {}",
                    self.identity
                )
            })
            .collect()
    }
}

impl CertificateValidator {
    /// The validator a `validator_class_name` names (the fully qualified class), or `None` for
    /// one this crate does not model.
    pub fn from_class_name(name: &str) -> Option<CertificateValidator> {
        (name.trim() == CertificateValidator::Spiffe.class_name())
            .then_some(CertificateValidator::Spiffe)
    }

    /// The Java class.
    pub const fn class_name(self) -> &'static str {
        match self {
            CertificateValidator::Spiffe => "org.apache.cassandra.auth.SpiffeCertificateValidator",
        }
    }

    /// `identity(Certificate[] clientCertificateChain)`: the identity Cassandra extracts from a
    /// client's chain (leaf first), or its error.
    pub fn identity(self, chain: &[Certificate]) -> Result<CertificateIdentity, IdentityError> {
        let leaf = chain.first().ok_or(IdentityError::NoCertificate)?;
        match self {
            CertificateValidator::Spiffe => {
                let uris = leaf.info().map(|i| i.uris).unwrap_or_default();
                let mut spiffe = uris.into_iter().filter(|u| u.starts_with("spiffe://"));
                let identity = spiffe.next().ok_or(IdentityError::NoSpiffe)?;
                Ok(CertificateIdentity {
                    identity,
                    ignored: spiffe.collect(),
                })
            }
        }
    }
}

/// `MutualTlsCertificateValidityPeriodValidator` (6.0): the certificate validity limits the mTLS
/// authenticators apply after the identity is mapped, from `max_certificate_validity_period`
/// and `certificate_validity_warn_threshold` (`client_encryption_options` for
/// `MutualTlsAuthenticator` and its password-fallback variant, `server_encryption_options` for
/// `MutualTlsInternodeAuthenticator`; CASSANDRA-18951).
///
/// Arithmetic as Cassandra's: whole minutes between the leaf's `notBefore` and `notAfter`
/// (truncated toward zero) cast to a Java `int`, so a validity period of more than about 4,083
/// years wraps around as it does in Java; no limit is `Integer.MAX_VALUE` minutes.
///
/// ```
/// use cassandra_tls::keystore::KeyStore;
/// use cassandra_tls::options::DurationMinutes;
/// use cassandra_tls::tls::CertificateValidityPeriod;
/// use rustls::pki_types::UnixTime;
///
/// let store = KeyStore::loader()
///     .store_password("cassandra")
///     .load_file("fixtures/stores/client1.jks")?;
/// let chain = store.private_keys().next().unwrap().chain();
/// let one_day = CertificateValidityPeriod::new(DurationMinutes::parse("1d"), None);
/// let refused = one_day.validate(chain, UnixTime::now()).unwrap_err();
/// assert!(refused.to_string().starts_with("The validity period of the provided certificate ("));
/// # Ok::<(), cassandra_tls::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CertificateValidityPeriod {
    /// `max_certificate_validity_period` in minutes; `None` (not set) accepts any period.
    pub max_certificate_validity_period_minutes: Option<u32>,
    /// `certificate_validity_warn_threshold` in minutes: the node warns of a certificate
    /// that expires sooner.
    pub certificate_validity_warn_threshold_minutes: Option<u32>,
}

/// A certificate refused by [`CertificateValidityPeriod::validate`], with Cassandra's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidityPeriodExceeded {
    /// The leaf's validity period in minutes, as Cassandra computes it.
    pub period_minutes: i32,
    /// The limit in minutes.
    pub max_minutes: i32,
}

impl fmt::Display for ValidityPeriodExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The validity period of the provided certificate ({}) exceeds the maximum allowed validity period of {}",
            human_readable_minutes(self.period_minutes),
            human_readable_minutes(self.max_minutes)
        )
    }
}

impl std::error::Error for ValidityPeriodExceeded {}

/// What [`CertificateValidityPeriod::validate`] accepted: the minutes until the leaf expires,
/// and whether the node warns of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidityChecked {
    /// Whole minutes from `now` to the leaf's `notAfter` (Java `int` arithmetic).
    pub minutes_to_expiration: i32,
    /// Below `certificate_validity_warn_threshold`: the node logs "Certificate with identity
    /// '…' will expire in …".
    pub warn: bool,
}

impl ValidityChecked {
    /// The time left as the node's warning writes it (`MutualTlsUtil`).
    pub fn expires_in(&self) -> String {
        human_readable_minutes(self.minutes_to_expiration)
    }
}

/// `MutualTlsUtil.toHumanReadableCertificateExpiration`: `"30 days"`, `"1 day 2 hours 5
/// minutes"`, `"59 minutes"`.
pub fn human_readable_minutes(minutes: i32) -> String {
    const DAY: i32 = 24 * 60;
    fn unit(n: i32, singular: &str) -> String {
        if n == 1 {
            format!("{n} {singular}")
        } else {
            format!("{n} {singular}s")
        }
    }
    fn rest(remainder: i32) -> String {
        if remainder == 0 {
            String::new()
        } else {
            format!(" {}", human_readable_minutes(remainder))
        }
    }
    if minutes >= DAY {
        unit(minutes / DAY, "day") + &rest(minutes % DAY)
    } else if minutes >= 60 {
        unit(minutes / 60, "hour") + &rest(minutes % 60)
    } else {
        unit(minutes, "minute")
    }
}

/// Java's `(int) ChronoUnit.MINUTES.between(from, to)` on whole seconds.
fn java_minutes_between(from_secs: i64, to_secs: i64) -> i32 {
    // Truncation toward zero, then the narrowing cast's wrap-around, as Java does.
    ((to_secs.wrapping_sub(from_secs)) / 60) as i32
}

impl CertificateValidityPeriod {
    /// The limits from a section's `max_certificate_validity_period` and
    /// `certificate_validity_warn_threshold`.
    pub fn new(
        max: Option<crate::options::DurationMinutes>,
        warn_threshold: Option<crate::options::DurationMinutes>,
    ) -> Self {
        CertificateValidityPeriod {
            max_certificate_validity_period_minutes: max.map(|d| d.0),
            certificate_validity_warn_threshold_minutes: warn_threshold.map(|d| d.0),
        }
    }

    /// The limit as the validator holds it: `Integer.MAX_VALUE` when not set.
    pub fn max_minutes(&self) -> i32 {
        self.max_certificate_validity_period_minutes
            .map_or(i32::MAX, |m| i32::try_from(m).unwrap_or(i32::MAX))
    }

    /// `validate(Certificate[])` at `now`, then the warning threshold: the leaf's validity
    /// period against the limit. `Ok(None)` for an empty chain or a leaf that cannot be read
    /// (Cassandra returns -1 for no chain; the TLS layer has refused an unreadable one).
    pub fn validate(
        &self,
        chain: &[Certificate],
        now: rustls::pki_types::UnixTime,
    ) -> Result<Option<ValidityChecked>, ValidityPeriodExceeded> {
        let Some(info) = chain.first().and_then(|leaf| leaf.info().ok()) else {
            return Ok(None);
        };
        let not_before = info.not_before.unix_timestamp();
        let not_after = info.not_after.unix_timestamp();
        let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
        let minutes_to_expiration = java_minutes_between(now, not_after);
        let period = java_minutes_between(not_before, not_after);
        let max = self.max_minutes();
        if period > max {
            return Err(ValidityPeriodExceeded {
                period_minutes: period,
                max_minutes: max,
            });
        }
        let warn = self
            .certificate_validity_warn_threshold_minutes
            .is_some_and(|t| i64::from(minutes_to_expiration) < i64::from(t));
        Ok(Some(ValidityChecked {
            minutes_to_expiration,
            warn,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_int_arithmetic() {
        // 60 s short of a minute truncates toward zero, both ways.
        assert_eq!(java_minutes_between(0, 119), 1);
        assert_eq!(java_minutes_between(119, 0), -1);
        // 2^31 minutes wraps to Integer.MIN_VALUE, as (int) of a long does.
        assert_eq!(java_minutes_between(0, (1i64 << 31) * 60), i32::MIN);
    }
}
