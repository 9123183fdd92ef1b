//! What the authenticators' start-up gives, as types: the setup a node starts with, the notes
//! that do not stop it, the refusals that do (Cassandra's message as `Display`), and the
//! refusals of an inbound peer.

use serde::Serialize;

use crate::keystore::Certificate;
use crate::options::{AuthClass, AuthKey, CertificateLogin, ClassRefusal, ResolvedClass};
use crate::tls::validator::{
    CertificateValidator, CertificateValidityPeriod, IdentityError, ValidityPeriodExceeded,
};

/// The authenticators a node starts with.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct AuthSetup {
    /// `authenticator`'s class.
    pub authenticator: ResolvedClass,
    /// Its certificate validator (the mTLS authenticators).
    pub authenticator_validator: Option<ValidatorClass>,
    /// Whether a client logs in by certificate.
    pub client_certificate_login: CertificateLogin,
    /// `internode_authenticator`'s class.
    pub internode_authenticator: ResolvedClass,
    /// Its certificate validator.
    pub internode_validator: Option<ValidatorClass>,
    /// The identities `MutualTlsInternodeAuthenticator` accepts from inbound peers.
    pub trusted_peer_identities: Option<Vec<String>>,
    /// Where they come from.
    pub trusted_identities_from: Option<IdentitySource>,
    /// `role_manager`'s class.
    pub role_manager: ResolvedClass,
    /// `authorizer`'s class.
    pub authorizer: ResolvedClass,
    /// `network_authorizer`'s class.
    pub network_authorizer: ResolvedClass,
    /// `cidr_authorizer`'s class (5.0 on; `None` before).
    pub cidr_authorizer: Option<ResolvedClass>,
    /// The certificate validity limits `authenticator` applies to clients after their identity
    /// is mapped (6.0's mTLS authenticators: `client_encryption_options`'
    /// `max_certificate_validity_period` and `certificate_validity_warn_threshold`).
    pub client_certificate_validity: Option<CertificateValidityPeriod>,
    /// The limits `MutualTlsInternodeAuthenticator` applies to inbound peers after their
    /// identity is trusted (6.0: `server_encryption_options`' options).
    pub internode_certificate_validity: Option<CertificateValidityPeriod>,
    /// What is worth knowing and does not stop the node (never a password).
    pub notes: Vec<AuthNote>,
}

/// A `validator_class_name` as an mTLS authenticator's constructor resolves it, and the
/// validator this crate runs for it (serialised as the class name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorClass {
    class: ResolvedClass,
}

impl ValidatorClass {
    pub(super) fn new(class: ResolvedClass) -> Self {
        ValidatorClass { class }
    }

    /// The class.
    pub fn class(&self) -> &ResolvedClass {
        &self.class
    }

    /// The full class name.
    pub fn name(&self) -> &str {
        self.class.name()
    }

    /// The validator this crate runs for the class (`None` for one it does not model).
    pub fn modelled(&self) -> Option<CertificateValidator> {
        match self.class.known()? {
            AuthClass::SpiffeCertificateValidator => Some(CertificateValidator::Spiffe),
            _ => None,
        }
    }
}

impl std::fmt::Display for ValidatorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for ValidatorClass {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Where the identities `MutualTlsInternodeAuthenticator` trusts come from (serialised
/// `trusted_peer_identities`, `outbound_keystore`, `node_identity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdentitySource {
    /// The `trusted_peer_identities` parameter, split on `,`.
    TrustedPeerIdentities,
    /// The identities of `server_encryption_options.outbound_keystore`'s key entries.
    OutboundKeystore,
    /// The outbound key store's identities narrowed to the `node_identity` parameter.
    NodeIdentity,
}

impl IdentitySource {
    /// The serialised name (the parameter or key).
    pub const fn as_str(self) -> &'static str {
        match self {
            IdentitySource::TrustedPeerIdentities => "trusted_peer_identities",
            IdentitySource::OutboundKeystore => "outbound_keystore",
            IdentitySource::NodeIdentity => "node_identity",
        }
    }
}

impl std::fmt::Display for IdentitySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is worth knowing about the authenticators and does not stop the node (serialised as
/// its message; never a password).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthNote {
    /// A class outside `org.apache.cassandra.auth`, which is not checked.
    Plugin {
        /// Its key.
        key: AuthKey,
        /// The class.
        class: String,
    },
    /// `trusted_peer_identities` split without trimming: identities with spaces around them,
    /// which never match.
    UntrimmedIdentities(Vec<String>),
    /// The internode authenticator's validator is a plugin: the outbound key store's
    /// identities cannot be extracted here.
    ValidatorNotModelled,
    /// `outbound_keystore` is set without `outbound_keystore_password`.
    OutboundPasswordMissing {
        /// `outbound_keystore` as written.
        path: String,
    },
    /// `outbound_keystore` cannot be read (`getIdentitiesFromKeyStore` fails).
    OutboundUnreadable {
        /// `outbound_keystore` as written.
        path: String,
        /// Why.
        error: String,
    },
    /// A key entry of `outbound_keystore` whose chain gives no identity (skipped).
    EntryWithoutIdentity {
        /// The entry's alias.
        alias: String,
        /// The validator's error.
        error: IdentityError,
    },
    /// What the validator passed over in an entry's chain (a second SPIFFE URI).
    Identity(String),
}

impl std::fmt::Display for AuthNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthNote::Plugin { key, class } => write!(
                f,
                "{} {class} is a plugin class: not checked here",
                key.as_str()
            ),
            AuthNote::UntrimmedIdentities(ids) => write!(
                f,
                "trusted_peer_identities is split on ',' without trimming: {ids:?} never match an identity with the spaces"
            ),
            AuthNote::ValidatorNotModelled => f.write_str("the validator is not modelled here"),
            AuthNote::OutboundPasswordMissing { path } => write!(
                f,
                "outbound_keystore {path} is read with outbound_keystore_password, which is not set"
            ),
            AuthNote::OutboundUnreadable { path, error } => write!(
                f,
                "Failed to get identities from outbound_keystore {path}: {error}"
            ),
            AuthNote::EntryWithoutIdentity { alias, error } => {
                write!(f, "outbound_keystore entry {alias}: {error}")
            }
            AuthNote::Identity(warning) => f.write_str(warning),
        }
    }
}

impl Serialize for AuthNote {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Why `AuthConfig.applyAuth` stops the node; `Display` is Cassandra's message (with a hint
/// for the swapped mTLS classes).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthRefusal {
    /// The `class_name`/`parameters` form without `class_name`.
    ClassNameNotSet(AuthKey),
    /// The class cannot be made for its key.
    Instantiate {
        /// The key.
        key: AuthKey,
        /// Why.
        refusal: ClassRefusal,
        /// Whether the name is the other mTLS authenticator's (the validator's Javadoc swaps
        /// the two keys; yamls copied from it exist).
        swapped: bool,
    },
    /// An mTLS authenticator without `parameters.validator_class_name`.
    ValidatorNotSet(AuthKey),
    /// The validator's class cannot be made.
    Validator {
        /// The authenticator's key.
        key: AuthKey,
        /// Why.
        refusal: ClassRefusal,
    },
    /// `MutualTlsAuthenticator` (and 5.0's fallback) without client encryption requiring a
    /// certificate.
    ClientCertificateRequired,
    /// 6.0's `MutualTlsWithPasswordFallbackAuthenticator` with `require_client_auth: false`.
    ClientCertificateNotAsked,
    /// `MutualTlsInternodeAuthenticator` without internode encryption requiring a certificate.
    InternodeCertificateRequired,
    /// A `PasswordAuthenticator` (or subclass) with another role manager.
    RoleManager(AuthClass),
    /// `node_identity` is not among the outbound key store's identities.
    NodeIdentityNotFound,
    /// `MutualTlsInternodeAuthenticator` trusts no identity.
    NoIdentity {
        /// `outbound_keystore` as written.
        outbound_keystore: Option<String>,
        /// Why none was extracted.
        notes: Vec<AuthNote>,
    },
    /// An authorizer that requires authorization beside an authenticator that does not
    /// authenticate.
    Unauthenticated {
        /// The authorizer's key.
        key: AuthKey,
        /// The authorizer as Cassandra prints it.
        authorizer: String,
        /// The authenticator as Cassandra prints it.
        authenticator: String,
    },
}

impl AuthRefusal {
    /// The key Cassandra's message is about.
    pub fn key(&self) -> AuthKey {
        match self {
            AuthRefusal::ClassNameNotSet(key)
            | AuthRefusal::Instantiate { key, .. }
            | AuthRefusal::ValidatorNotSet(key)
            | AuthRefusal::Validator { key, .. }
            | AuthRefusal::Unauthenticated { key, .. } => *key,
            AuthRefusal::ClientCertificateRequired | AuthRefusal::ClientCertificateNotAsked => {
                AuthKey::Authenticator
            }
            AuthRefusal::InternodeCertificateRequired
            | AuthRefusal::NodeIdentityNotFound
            | AuthRefusal::NoIdentity { .. } => AuthKey::InternodeAuthenticator,
            AuthRefusal::RoleManager(_) => AuthKey::RoleManager,
        }
    }
}

impl std::fmt::Display for AuthRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthRefusal::ClassNameNotSet(key) => write!(f, "{}.class_name is not set", key.as_str()),
            AuthRefusal::Instantiate {
                key,
                refusal,
                swapped,
            } => {
                write!(f, "Failed to instantiate {}: {refusal}", key.as_str())?;
                match (swapped, key) {
                    (false, _) => Ok(()),
                    (true, AuthKey::Authenticator) => f.write_str(
                        " (swapped? MutualTlsInternodeAuthenticator belongs to internode_authenticator, MutualTlsAuthenticator to authenticator)",
                    ),
                    (true, _) => f.write_str(
                        " (swapped? MutualTlsAuthenticator belongs to authenticator, MutualTlsInternodeAuthenticator to internode_authenticator)",
                    ),
                }
            }
            AuthRefusal::ValidatorNotSet(key) => write!(
                f,
                "{}.parameters.validator_class_name is not set",
                key.as_str()
            ),
            AuthRefusal::Validator { refusal, .. } => write!(f, "{refusal}"),
            AuthRefusal::ClientCertificateRequired => f.write_str(
                "MutualTlsAuthenticator requires client_encryption_options.enabled to be true & client_encryption_options.require_client_auth to be true",
            ),
            AuthRefusal::ClientCertificateNotAsked => f.write_str(
                "MutualTlsWithPasswordFallbackAuthenticator requires client_encryption_options.require_client_auth to be optional/true",
            ),
            AuthRefusal::InternodeCertificateRequired => f.write_str(
                "MutualTlsInternodeAuthenticator requires server_encryption_options.internode_encryption to be enabled & server_encryption_options.require_client_auth to be true",
            ),
            AuthRefusal::RoleManager(class) => write!(
                f,
                "{class} requires {}",
                AuthClass::CassandraRoleManager.name()
            ),
            AuthRefusal::NodeIdentityNotFound => f.write_str(
                "Configured node identity is not matching identity extractedfrom the keystore",
            ),
            AuthRefusal::NoIdentity {
                outbound_keystore,
                notes,
            } => {
                write!(
                    f,
                    "No identity was extracted from the outbound keystore '{}'",
                    outbound_keystore.as_deref().unwrap_or("null")
                )?;
                if !notes.is_empty() {
                    let why: Vec<String> = notes.iter().map(ToString::to_string).collect();
                    write!(f, " ({})", why.join("; "))?;
                }
                Ok(())
            }
            AuthRefusal::Unauthenticated {
                key: AuthKey::Authorizer,
                authorizer,
                authenticator,
            } => write!(f, "{authenticator} can't be used with {authorizer}"),
            AuthRefusal::Unauthenticated {
                authorizer,
                authenticator,
                ..
            } => write!(f, "{authorizer} can't be used with {authenticator}"),
        }
    }
}

impl std::error::Error for AuthRefusal {}

/// Why `MutualTlsInternodeAuthenticator` refuses an inbound peer's certificate
/// ([`AuthSetup::authenticate_peer`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PeerRefusal {
    /// The validator extracts no identity from the chain.
    NoIdentity(IdentityError),
    /// The identity is not among the trusted ones (Cassandra logs "Unable to authenticate user
    /// IDENTITY").
    Untrusted(String),
    /// 6.0: the leaf is valid for longer than `server_encryption_options`'
    /// `max_certificate_validity_period`.
    ValidityPeriod {
        /// The peer's identity (trusted).
        identity: String,
        /// Cassandra's refusal.
        exceeded: ValidityPeriodExceeded,
    },
}

impl AuthSetup {
    /// `MutualTlsInternodeAuthenticator.authenticate` for an inbound connection with `chain`
    /// (leaf first) at `at`: the identity, its trust, then (6.0) the validity period, in
    /// Cassandra's order. `None` when the node has no `MutualTlsInternodeAuthenticator` with a
    /// validator modelled here.
    pub fn authenticate_peer(
        &self,
        chain: &[Certificate],
        at: rustls::pki_types::UnixTime,
    ) -> Option<std::result::Result<String, PeerRefusal>> {
        let validator = self.internode_validator.as_ref()?.modelled()?;
        let trusted = self.trusted_peer_identities.as_ref()?;
        let checked = (|| {
            let who = validator.identity(chain).map_err(PeerRefusal::NoIdentity)?;
            let identity = who.identity().to_owned();
            if !trusted.contains(&identity) {
                return Err(PeerRefusal::Untrusted(identity));
            }
            if let Some(Err(exceeded)) = self
                .internode_certificate_validity
                .map(|v| v.validate(chain, at))
            {
                return Err(PeerRefusal::ValidityPeriod { identity, exceeded });
            }
            Ok(identity)
        })();
        Some(checked)
    }

    /// The validator the authenticator logs clients in with, when this crate models it.
    pub fn client_validator(&self) -> Option<CertificateValidator> {
        self.authenticator_validator.as_ref()?.modelled()
    }
}
