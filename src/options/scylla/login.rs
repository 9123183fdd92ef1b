//! Scylla's `authenticator` option: which class logs CQL clients in (`auth/service.cc:825-855`
//! `make_authenticator_factory`).

use std::fmt;

use super::ScyllaVersion;

/// An authenticator Scylla knows, by the short name it compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ScyllaAuthenticator {
    /// `AllowAllAuthenticator` (the default): no login.
    AllowAll,
    /// `PasswordAuthenticator`.
    Password,
    /// `com.scylladb.auth.CertificateAuthenticator`: the role comes from the client
    /// certificate, through `auth_certificate_role_queries` (from 5.4).
    Certificate,
    /// `CertificateOrPasswordAuthenticator` (master): the certificate's role when one was
    /// presented, else a password login.
    CertificateOrPassword,
    /// `com.scylladb.auth.SaslauthdAuthenticator`.
    Saslauthd,
    /// `com.scylladb.auth.TransitionalAuthenticator`.
    Transitional,
}

/// Scylla's default `authenticator` (`db/config.cc:1337`).
pub const SCYLLA_DEFAULT_AUTHENTICATOR: &str = "org.apache.cassandra.auth.AllowAllAuthenticator";

impl ScyllaAuthenticator {
    /// The class `name` selects on `version`: the part after the last `.`, compared ignoring
    /// case (`get_short_name`, `boost::iequals`). An unknown name stops the node:
    /// `Unknown authenticator: <name>`.
    pub fn from_name(name: &str, version: ScyllaVersion) -> Result<ScyllaAuthenticator, String> {
        let short = name.rsplit('.').next().unwrap_or(name);
        let known = [
            ("AllowAllAuthenticator", ScyllaAuthenticator::AllowAll),
            ("PasswordAuthenticator", ScyllaAuthenticator::Password),
            ("CertificateAuthenticator", ScyllaAuthenticator::Certificate),
            (
                "CertificateOrPasswordAuthenticator",
                ScyllaAuthenticator::CertificateOrPassword,
            ),
            ("SaslauthdAuthenticator", ScyllaAuthenticator::Saslauthd),
            (
                "TransitionalAuthenticator",
                ScyllaAuthenticator::Transitional,
            ),
        ];
        known
            .into_iter()
            .find(|(n, a)| {
                n.eq_ignore_ascii_case(short)
                    && (*a != ScyllaAuthenticator::CertificateOrPassword || version.is_master())
            })
            .map(|(_, a)| a)
            .ok_or_else(|| format!("Unknown authenticator: {name}"))
    }

    /// Whether the class reads the client certificate (`auth_certificate_role_queries` apply).
    pub fn uses_certificate(self) -> bool {
        matches!(
            self,
            ScyllaAuthenticator::Certificate | ScyllaAuthenticator::CertificateOrPassword
        )
    }
}

impl fmt::Display for ScyllaAuthenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScyllaAuthenticator::AllowAll => "AllowAllAuthenticator",
            ScyllaAuthenticator::Password => "PasswordAuthenticator",
            ScyllaAuthenticator::Certificate => "CertificateAuthenticator",
            ScyllaAuthenticator::CertificateOrPassword => "CertificateOrPasswordAuthenticator",
            ScyllaAuthenticator::Saslauthd => "SaslauthdAuthenticator",
            ScyllaAuthenticator::Transitional => "TransitionalAuthenticator",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_ignoring_case_and_the_master_only_class() {
        let v = ScyllaVersion::default();
        let m = ScyllaVersion::MASTER;
        let a = |n, v| ScyllaAuthenticator::from_name(n, v);
        assert_eq!(
            a("com.scylladb.auth.CertificateAuthenticator", v),
            Ok(ScyllaAuthenticator::Certificate)
        );
        assert_eq!(
            a("certificateauthenticator", v),
            Ok(ScyllaAuthenticator::Certificate)
        );
        assert_eq!(
            a("anything.at.all.PasswordAuthenticator", v),
            Ok(ScyllaAuthenticator::Password)
        );
        assert_eq!(
            a(SCYLLA_DEFAULT_AUTHENTICATOR, v),
            Ok(ScyllaAuthenticator::AllowAll)
        );
        assert_eq!(
            a("CertificateOrPasswordAuthenticator", v),
            Err("Unknown authenticator: CertificateOrPasswordAuthenticator".into())
        );
        assert_eq!(
            a("CertificateOrPasswordAuthenticator", m),
            Ok(ScyllaAuthenticator::CertificateOrPassword)
        );
        assert!(a("MutualTlsAuthenticator", v).is_err());
        assert!(a("", v).is_err());
    }
}
