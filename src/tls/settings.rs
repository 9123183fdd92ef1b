//! What a caller chooses beyond cassandra.yaml ([`TlsSettings`]), and the warnings a build
//! reports ([`TlsWarning`]).

use std::fmt;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::UnixTime;

use super::ExpiredPeer;
use crate::error::Origin;
use crate::keystore;
use crate::options::OptionWarning;

/// Choices a caller makes that cassandra.yaml does not express.
#[derive(Clone, Debug, Default)]
pub struct TlsSettings {
    /// Validate certificates at this time instead of now (tests, expired corpora).
    pub now: Option<UnixTime>,
    /// What to do with expired peers.
    pub expired_peer: ExpiredPeer,
    /// Serve only the key with this alias. By default every usable key of the key store is
    /// offered and the first one that fits the peer's signature schemes is used, as JSSE's key
    /// manager does.
    pub key_alias: Option<String>,
    /// A key password different from the store password, for stores made with keytool's
    /// `-keypass` (an extension: Cassandra unlocks keys with the store password). A wrong one
    /// is reported as `wrong_key_password`, a wrong store password as
    /// `wrong_password_or_tampered`.
    pub key_password: Option<crate::password::Password>,
    /// The crypto provider to build with (key loading, signatures, cipher suites). `None`: the
    /// process default when the application installed one, else the provider this crate was
    /// compiled with (see [`crate::provider`]).
    pub provider: Option<Arc<CryptoProvider>>,
}

/// A warning from building a config: nothing failed, but the operator should know.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsWarning {
    /// About the options.
    Option(OptionWarning),
    /// About a store.
    Store {
        /// The store.
        origin: Origin,
        /// What the load noticed.
        warning: keystore::Warning,
    },
    /// The server's certificate is not checked at all: cqlshrc's `validate = false`, or a
    /// driver's `CERT_NONE` asked for with `DriverTls::dangerous_no_server_verification`.
    NoServerVerification,
    /// The client checks the server's certificate chain but not that it names the server
    /// (`require_endpoint_verification` is off; a driver's hostname validation is off): any
    /// certificate the truststore's CAs signed is accepted for any node.
    NoServerNameCheck {
        /// The section (or `<driver settings>`'s section) the setting comes from.
        section: &'static str,
    },
    /// Scylla's internode client: the peer's chain is checked against `truststore`, never its
    /// name or address (seastar's `tls::socket` is given no server name), so any certificate
    /// the truststore's CAs signed is accepted for any node.
    ScyllaInternodeChainOnly,
    /// cqlshrc `version`: ignored, the protocol is negotiated (cqlsh 4.1+ says the same).
    CqlshVersionIgnored(String),
    /// A private key rustls cannot use (DSA, for one); it is not offered.
    UnusableKey {
        /// The store.
        origin: Origin,
        /// The entry.
        alias: Option<String>,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for TlsWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsWarning::Option(w) => w.fmt(f),
            TlsWarning::Store { origin, warning } => write!(f, "{origin}: {warning}"),
            TlsWarning::NoServerVerification => f.write_str(
                "the server's certificate is not verified at all (cqlshrc validate = false, or a driver's CERT_NONE): anyone can impersonate the node",
            ),
            TlsWarning::NoServerNameCheck { section } => {
                // Each client's own reason, in its own settings' words.
                let switch = match *section {
                    s if s == super::driver::DRIVER_SETTINGS => "hostname_validation is off",
                    "cqlshrc" => "cqlsh gives the driver no check_hostname, so the host name is never checked",
                    s if s == crate::options::NODETOOL => {
                        "the JDK's RMI SSL socket factory never checks the host name"
                    }
                    _ => "require_endpoint_verification is off",
                };
                write!(
                    f,
                    "{section}: the server's certificate chain is checked, but not that it names the node connected to ({switch}): any certificate the truststore's CAs signed is accepted for any node"
                )
            }
            TlsWarning::ScyllaInternodeChainOnly => f.write_str(
                "server_encryption_options: Scylla's internode client checks the peer's certificate chain against truststore, never its name or address (no server name is given to the TLS socket): any certificate the truststore's CAs signed is accepted for any node",
            ),
            TlsWarning::CqlshVersionIgnored(v) => write!(
                f,
                "cqlshrc: version {v} is ignored; the protocol is auto-negotiated (TLSv1.2 or TLSv1.3)"
            ),
            TlsWarning::UnusableKey {
                origin,
                alias,
                reason,
            } => write!(
                f,
                "{origin}: key {} is not offered: {reason}",
                alias.as_deref().unwrap_or("(PEM)")
            ),
        }
    }
}
