//! The Scylla release lines whose TLS reading this crate models (2025.1 to master).

use std::fmt;

/// A ScyllaDB release line (`2025.1` ... `2026.3`) or the development branch (`master`).
///
/// The TLS rules that changed inside this range (scylladb/scylladb history):
/// - `enable_session_tickets` exists from 2025.2 (`2f10205714`); its default is `false` until
///   2026.2 and `true` from 2026.3 (`a6c2789143`);
/// - `require_client_auth: optional` (REQUEST) exists on master only (`f442f5abb0`);
/// - `CertificateOrPasswordAuthenticator` exists on master only (`d45cb5a859`);
/// - the proxy-protocol ports exist from 2026.1;
/// - `transitional` and the passive 7001 listener (`internode_encryption: none` with a
///   `certificate`) exist in every line from 2025.1 (`390b9759b6`, `503a71f9b8`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScyllaVersion {
    year: u16,
    minor: u16,
}

impl ScyllaVersion {
    /// The oldest line modelled.
    pub const OLDEST: ScyllaVersion = ScyllaVersion::line(2025, 1);
    /// The newest released line modelled (the default).
    pub const NEWEST_RELEASE: ScyllaVersion = ScyllaVersion::line(2026, 3);
    /// The development branch (`master`), newer than every release.
    pub const MASTER: ScyllaVersion = ScyllaVersion {
        year: u16::MAX,
        minor: 0,
    };

    const fn line(year: u16, minor: u16) -> ScyllaVersion {
        ScyllaVersion { year, minor }
    }

    /// The lines modelled, oldest first (each `YEAR.N` release line, then master).
    pub fn known() -> Vec<ScyllaVersion> {
        let mut out: Vec<ScyllaVersion> = [
            (2025, 1),
            (2025, 2),
            (2025, 3),
            (2025, 4),
            (2026, 1),
            (2026, 2),
            (2026, 3),
        ]
        .into_iter()
        .map(|(y, m)| ScyllaVersion::line(y, m))
        .collect();
        out.push(ScyllaVersion::MASTER);
        out
    }

    /// Reads `2025.1`, `2025.1.3`, `scylla-2026.2.5`, `2026.3.0-rc2` or `master`. A line before
    /// 2025.1 or after the newest known release is refused, naming the range.
    pub fn parse(text: &str) -> Result<ScyllaVersion, String> {
        let t = text.trim();
        let t = t.strip_prefix("scylla-").unwrap_or(t);
        if t.eq_ignore_ascii_case("master") || t.eq_ignore_ascii_case("next") {
            return Ok(ScyllaVersion::MASTER);
        }
        let refuse = || {
            format!(
                "unknown ScyllaDB version `{text}`: give a release line from {} to {} (e.g. 2025.1 or 2026.2.5) or `master`",
                ScyllaVersion::OLDEST,
                ScyllaVersion::NEWEST_RELEASE
            )
        };
        let mut parts = t.splitn(3, '.');
        let year = parts.next().and_then(|y| y.parse::<u16>().ok());
        let minor = parts.next().and_then(|m| m.parse::<u16>().ok());
        let (Some(year), Some(minor)) = (year, minor) else {
            return Err(refuse());
        };
        let v = ScyllaVersion::line(year, minor);
        if ScyllaVersion::known().contains(&v) {
            Ok(v)
        } else {
            Err(refuse())
        }
    }

    /// Whether this is the development branch.
    pub fn is_master(self) -> bool {
        self == ScyllaVersion::MASTER
    }

    /// Whether `enable_session_tickets` is read (2025.2 and later).
    pub fn has_session_tickets_option(self) -> bool {
        self >= ScyllaVersion::line(2025, 2)
    }

    /// The default of `enable_session_tickets` (`false` until 2026.2, `true` from 2026.3; no
    /// tickets at all before 2025.2).
    pub fn session_tickets_default(self) -> bool {
        self >= ScyllaVersion::line(2026, 3)
    }

    /// Whether the proxy-protocol ports (`native_transport_port_proxy_protocol`, ...,
    /// `alternator_https_port_proxy_protocol`) exist (2026.1 and later).
    pub fn has_proxy_protocol_ports(self) -> bool {
        self >= ScyllaVersion::line(2026, 1)
    }

    /// Whether `require_client_auth: optional` means REQUEST (master only; elsewhere it is
    /// neither `true` nor `1`, so no certificate is asked for).
    pub fn has_optional_client_auth(self) -> bool {
        self.is_master()
    }
}

impl Default for ScyllaVersion {
    fn default() -> Self {
        ScyllaVersion::NEWEST_RELEASE
    }
}

impl fmt::Display for ScyllaVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_master() {
            f.write_str("master")
        } else {
            write!(f, "{}.{}", self.year, self.minor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_patches_and_master() {
        assert_eq!(
            ScyllaVersion::parse("2025.1").unwrap().to_string(),
            "2025.1"
        );
        assert_eq!(
            ScyllaVersion::parse("scylla-2026.2.5").unwrap().to_string(),
            "2026.2"
        );
        assert_eq!(
            ScyllaVersion::parse("2026.3.0-rc2").unwrap().to_string(),
            "2026.3"
        );
        assert!(ScyllaVersion::parse("master").unwrap().is_master());
        assert!(ScyllaVersion::parse("6.2").is_err());
        assert!(ScyllaVersion::parse("2024.2").is_err());
        assert!(ScyllaVersion::parse("2027.1").is_err());
        assert!(ScyllaVersion::parse("").is_err());
    }

    #[test]
    fn version_gates() {
        let v = |s| ScyllaVersion::parse(s).unwrap();
        assert!(!v("2025.1").has_session_tickets_option());
        assert!(v("2025.2").has_session_tickets_option());
        assert!(!v("2026.2").session_tickets_default());
        assert!(v("2026.3").session_tickets_default());
        assert!(v("master").session_tickets_default());
        assert!(!v("2026.3").has_optional_client_auth());
        assert!(v("master").has_optional_client_auth());
    }
}
