//! Certificate dates: expired, not yet valid, or expiring within the warning window, for node
//! certificates and the CAs they are trusted through; and, given cert-manager's `renewBefore`,
//! whether a renewal is overdue or would reach the node only after expiry.

use std::time::Duration;

use rustls::pki_types::UnixTime;

use super::{Check, Report, Severity, Validity, days, rfc};
use crate::keystore::CertificateInfo;
use crate::options::EncryptionOptions;

/// How far ahead `doctor` warns of expiry, and cert-manager's renewal window when known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiryPolicy {
    /// Warn when a certificate (leaf or CA) expires within this (default 30 days). A section's
    /// `certificate_validity_warn_threshold` (6.0) takes its place for that section.
    pub warn_within: Duration,
    /// cert-manager's `Certificate.spec.renewBefore`: renewal is due this long before expiry.
    pub renew_before: Option<Duration>,
}

impl Default for ExpiryPolicy {
    fn default() -> Self {
        ExpiryPolicy {
            warn_within: DEFAULT_WARN_WITHIN,
            renew_before: None,
        }
    }
}

/// The default warning window: 30 days.
pub const DEFAULT_WARN_WITHIN: Duration = Duration::from_secs(30 * 24 * 3600);

/// The longest a renewed Secret takes to be served by a node: the kubelet's sync of a Secret
/// volume (its default period, 60 s, plus the cache TTL, up to about 90 s in all) and
/// Cassandra's check of its store files every 600 s.
pub const PROPAGATION: Duration = Duration::from_secs(90 + 600);

/// A human span: days when a day or more, else hours and minutes.
pub(crate) fn span(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 86_400 {
        format!("{} day(s)", secs / 86_400)
    } else if secs >= 3_600 {
        format!("{} h {} min", secs / 3_600, (secs % 3_600) / 60)
    } else if secs.is_multiple_of(60) {
        format!("{} min", secs / 60)
    } else {
        format!("{} min {} s", secs / 60, secs % 60)
    }
}

/// The node certificate's dates, by `policy` (and the section's own threshold).
pub(crate) fn expiry(
    report: &mut Report,
    section: &'static str,
    info: &CertificateInfo,
    at: UnixTime,
    opts: &EncryptionOptions,
    policy: &ExpiryPolicy,
) {
    let window = opts
        .certificate_validity_warn_threshold
        .map(|d| Duration::from_secs(d.0 as u64 * 60))
        .unwrap_or(policy.warn_within);
    let (severity, message, fix) = match Validity::of(info, at, window) {
        Validity::Expired => (
            Severity::Error,
            format!("{} expired on {}", info.subject, rfc(info.not_after)),
            Some("issue a new certificate (peers refuse an expired one)"),
        ),
        Validity::NotYetValid => (
            Severity::Error,
            format!(
                "{} is not valid before {}",
                info.subject,
                rfc(info.not_before)
            ),
            Some("check the clock, or issue a certificate valid now"),
        ),
        Validity::EndsWithin(left) => (
            Severity::Warning,
            format!(
                "{} expires in {} day(s), on {}",
                info.subject,
                days(left),
                rfc(info.not_after)
            ),
            Some("renew the certificate"),
        ),
        Validity::Valid(_) => (
            Severity::Ok,
            format!("valid until {}", rfc(info.not_after)),
            None,
        ),
    };
    report.push(severity, Check::Expiry, section, message, fix);
    if let Some(renew_before) = policy.renew_before {
        renewal(report, section, info, at.as_secs() as i64, renew_before);
    }
}

/// When cert-manager renews a certificate (pkg/util/pki/renewaltime.go, `desiredRenewalTime`):
/// `renewBefore` ahead of its end when it is positive and shorter than the certificate's life,
/// else a third of the life ahead (two thirds through it). Returns how long ahead, and whether
/// the given `renewBefore` was used.
pub(crate) fn renews_ahead(life: i64, renew_before: Duration) -> (i64, bool) {
    let given = i64::try_from(renew_before.as_secs()).unwrap_or(i64::MAX);
    if given > 0 && given < life {
        (given, true)
    } else {
        (life / 3, false)
    }
}

/// cert-manager's renewal of a certificate, given its `renewBefore`: a `renewBefore` it
/// ignores (zero, or not shorter than the life) and when it renews instead, a renewal that is
/// due and has not reached the node, and one that would reach the node only after the
/// certificate expired.
fn renewal(
    report: &mut Report,
    section: &'static str,
    info: &CertificateInfo,
    now: i64,
    renew_before: Duration,
) {
    let not_after = info.not_after.unix_timestamp();
    let life = not_after - info.not_before.unix_timestamp();
    let (before, used) = renews_ahead(life, renew_before);
    let due = not_after - before;
    let due_at = time::OffsetDateTime::from_unix_timestamp(due)
        .map(rfc)
        .unwrap_or_default();
    let ahead = span(Duration::from_secs(before.max(0) as u64));
    if !used {
        report.push(
            Severity::Warning,
            Check::Expiry,
            section,
            format!(
                "renewBefore {} is {} the certificate's life ({}): cert-manager ignores it and renews two thirds through the life, on {due_at} ({ahead} before it expires)",
                span(renew_before),
                if renew_before.is_zero() { "zero, not shorter than" } else { "not shorter than" },
                span(Duration::from_secs(life.max(0) as u64))
            ),
            Some("set renewBefore under the Certificate's duration, or leave it unset for the same two-thirds renewal"),
        );
    }
    if before < PROPAGATION.as_secs() as i64 {
        report.push(
            Severity::Warning,
            Check::Expiry,
            section,
            format!(
                "cert-manager renews {ahead} before the end, less than a renewed certificate takes to be served ({}: the kubelet's Secret sync, then Cassandra's 600 s file check): the node serves {} for a while after it expires",
                span(PROPAGATION),
                info.subject
            ),
            Some("renew days ahead, not minutes (e.g. renewBefore: 360h)"),
        );
    } else if now >= due && now <= not_after {
        report.push(
            Severity::Warning,
            Check::Expiry,
            section,
            format!(
                "{} was due for renewal on {due_at} ({ahead} before its end), but is still the one here",
                info.subject
            ),
            Some("check the Certificate's status (kubectl describe certificate) and its issuer"),
        );
    } else if now < due {
        report.push(
            Severity::Ok,
            Check::Expiry,
            section,
            format!("cert-manager renews it on {due_at} ({ahead} before it expires)"),
            None,
        );
    }
}

/// The CAs a section trusts: an expired one, or one expiring within the window, is a warning
/// (chains through it stop validating then).
pub(crate) fn trusted_cas(
    report: &mut Report,
    section: &'static str,
    anchors: &[crate::keystore::Certificate],
    at: UnixTime,
    policy: &ExpiryPolicy,
) {
    for ca in anchors {
        let Ok(info) = ca.info() else { continue };
        let (message, fix) = match Validity::of(&info, at, policy.warn_within) {
            Validity::Expired => (
                format!(
                    "the truststore's CA {} expired on {}",
                    info.subject,
                    rfc(info.not_after)
                ),
                "remove it, or stage its successor in every truststore first",
            ),
            Validity::NotYetValid => (
                format!(
                    "the truststore's CA {} is not valid before {}",
                    info.subject,
                    rfc(info.not_before)
                ),
                "check the clock; chains through it do not validate until then",
            ),
            Validity::EndsWithin(left) => (
                format!(
                    "the truststore's CA {} expires in {} day(s), on {}",
                    info.subject,
                    days(left),
                    rfc(info.not_after)
                ),
                "stage the next CA in every truststore, then move the nodes' certificates to it (doctor across nodes checks the order)",
            ),
            Validity::Valid(_) => continue,
        };
        report.push(
            Severity::Warning,
            Check::Expiry,
            section,
            message,
            Some(fix),
        );
    }
}
