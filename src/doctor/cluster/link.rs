//! One link of a matrix: node A's client connecting to node B's port, decided by running A's
//! real client config against B's real server config in memory, then (internode) B's
//! `MutualTlsInternodeAuthenticator` on the chain B received.

use std::fmt;
use std::net::IpAddr;

use rustls::pki_types::UnixTime;
use serde::Serialize;
use serde::ser::SerializeStruct;

use super::{Node, Side};
use crate::error::Error;
use crate::error_kind::ErrorKind;
use crate::failure::HandshakeFailure;
use crate::keystore::KeyAlgorithm;
use crate::options::{Policy, TlsVersion};
use crate::tls::{self, ClientRole, ServerRole};

/// The two kinds of connection the matrices judge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Channel {
    /// A node's outbound connection to a peer's storage port (`server_encryption_options`).
    Internode,
    /// A client set up with a node's `client_encryption_options` stores, connecting to a
    /// node's native port.
    ClientToNode,
}

impl Channel {
    /// How the doctor names it: `internode` or `client-to-node`.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Internode => "internode",
            Channel::ClientToNode => "client-to-node",
        }
    }

    /// The port connected to: `storage port` or `native port`.
    pub fn port(self) -> &'static str {
        match self {
            Channel::Internode => "storage port",
            Channel::ClientToNode => "native port",
        }
    }

    /// The role of the side that listens.
    pub fn server_role(self) -> ServerRole {
        match self {
            Channel::Internode => ServerRole::Internode,
            Channel::ClientToNode => ServerRole::Native,
        }
    }

    /// The role of the side that connects.
    pub fn client_role(self) -> ClientRole {
        self.server_role().peer()
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Whether one node can reach another, and how: serialized as `{"ok", "how", "reason"}`
/// (`how` is `tls` or `plaintext`, `reason` the refusal's message).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Link {
    /// The TLS handshake succeeds (and, internode, the receiving node's authenticator accepts
    /// the connecting node).
    #[non_exhaustive]
    Tls {
        /// The negotiated version, as JSSE names it (`TLSv1.3`).
        protocol: &'static str,
        /// The negotiated suite, by its JSSE name.
        cipher_suite: &'static str,
        /// The identity the receiving node's `MutualTlsInternodeAuthenticator` accepted, when
        /// it has one.
        identity: Option<String>,
        /// `false` when the receiving node checks that the client's certificate names the IP
        /// address the connection comes from (`require_endpoint_verification`) and the
        /// connecting node's yaml gives no IP address: the handshake ran without that check.
        client_address_checked: bool,
    },
    /// Both sides speak plaintext.
    Plaintext,
    /// The connection fails.
    Refused(Refusal),
}

impl Link {
    /// Whether the connection succeeds.
    pub fn is_ok(&self) -> bool {
        !matches!(self, Link::Refused(_))
    }

    /// `tls` or `plaintext` when the connection succeeds.
    pub fn how(&self) -> Option<&'static str> {
        match self {
            Link::Tls { .. } => Some("tls"),
            Link::Plaintext => Some("plaintext"),
            Link::Refused(_) => None,
        }
    }

    /// Why the connection fails.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Link::Refused(r) => Some(r),
            _ => None,
        }
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.how().unwrap_or("REFUSED"))
    }
}

impl Serialize for Link {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Link", 3)?;
        st.serialize_field("ok", &self.is_ok())?;
        st.serialize_field("how", &self.how())?;
        st.serialize_field("reason", &self.refusal().map(ToString::to_string))?;
        st.end()
    }
}

/// A refused link: who connects, to whom, over which channel, and why. Its `Display` is the
/// doctor's message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// The connecting node.
    pub from: String,
    /// The node connected to.
    pub to: String,
    /// The channel.
    pub channel: Channel,
    /// Why.
    pub reason: RefusalReason,
}

/// Why a link is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefusalReason {
    /// The connecting side encrypts; the port does not speak TLS (its policy is unencrypted).
    PortWithoutTls,
    /// The connecting side speaks plaintext; the port accepts only TLS.
    PortRequiresTls,
    /// The connecting side's TLS client cannot be built.
    ClientConfig {
        /// The error's kind.
        kind: ErrorKind,
        /// The error's message.
        message: String,
    },
    /// The port's TLS server cannot be built.
    ServerConfig {
        /// The error's kind.
        kind: ErrorKind,
        /// The error's message.
        message: String,
    },
    /// The connecting side checks the server's certificate against its address
    /// (`require_endpoint_verification`), and the server's yaml gives none.
    NoServerAddress,
    /// No protocol version in common.
    NoSharedProtocol,
    /// The cipher suites meet, but none can be used with the server's key.
    KeyType(Option<KeyAlgorithm>),
    /// No cipher suite in common.
    NoSharedCipher,
    /// The connecting side refuses the server's certificate.
    ServerCertificate(HandshakeFailure),
    /// The server requires a client certificate and the connecting side sends none.
    NoClientCertificate,
    /// The server refuses the client's certificate.
    ClientCertificate(HandshakeFailure),
    /// The receiving node's `MutualTlsInternodeAuthenticator` refuses the connecting node.
    Login {
        /// Its refusal.
        refusal: tls::PeerRefusal,
        /// The identities it trusts.
        trusted: Vec<String>,
    },
    /// The handshake fails otherwise.
    Handshake(HandshakeFailure),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RefusalReason as R;
        let (from, to, port) = (&self.from, &self.to, self.channel.port());
        match &self.reason {
            R::PortWithoutTls => write!(f, "{from} encrypts; {to}'s {port} does not speak TLS"),
            R::PortRequiresTls => write!(
                f,
                "{from} connects in plaintext; {to}'s {port} accepts only TLS"
            ),
            R::ClientConfig { message, .. } => write!(
                f,
                "{from} cannot set up its {} TLS client: {message}",
                self.channel
            ),
            R::ServerConfig { message, .. } => {
                write!(f, "{to}'s {port} cannot set up TLS: {message}")
            }
            R::NoServerAddress => write!(f, "{to} has no address to verify"),
            R::NoSharedProtocol => {
                f.write_str("no protocol version in common (accepted_protocols)")
            }
            R::KeyType(key) => write!(
                f,
                "the TLSv1.2 suites in common need another key type than the server's {}",
                key.as_ref().map(|k| format!("{k:?}")).unwrap_or_default()
            ),
            R::NoSharedCipher => f.write_str("no cipher suite in common (cipher_suites)"),
            R::ServerCertificate(e) => write!(f, "{from} refuses {to}'s certificate: {e}"),
            R::NoClientCertificate => write!(
                f,
                "{to} requires a client certificate and {from} has none to send"
            ),
            R::ClientCertificate(e) => {
                write!(f, "{to} refuses {from}'s client certificate: {e}")
            }
            R::Login { refusal, trusted } => {
                let by = format!("{to}'s MutualTlsInternodeAuthenticator");
                match refusal {
                    tls::PeerRefusal::NoIdentity(e) => write!(f, "{by} refuses {from}: {e}"),
                    tls::PeerRefusal::Untrusted(identity) => write!(
                        f,
                        "{by} does not trust {from}'s identity '{identity}' (it trusts {trusted:?})"
                    ),
                    tls::PeerRefusal::ValidityPeriod { identity, exceeded } => {
                        write!(f, "{by} refuses {from}'s identity '{identity}': {exceeded}")
                    }
                }
            }
            R::Handshake(e) => write!(f, "the handshake from {from} to {to} fails: {e}"),
        }
    }
}

/// The link from `from` to `to` over `channel`, at `at`.
pub(super) fn link(from: &Node, to: &Node, channel: Channel, at: UnixTime) -> Link {
    let refused = |reason| {
        Link::Refused(Refusal {
            from: from.name.clone(),
            to: to.name.clone(),
            channel,
            reason,
        })
    };
    // Whether bytes are TLS at all is the ports' policy, before any handshake.
    match (from.side(channel).encrypts, to.side(channel).policy) {
        (true, Policy::Unencrypted) => refused(RefusalReason::PortWithoutTls),
        (false, Policy::Encrypted) => refused(RefusalReason::PortRequiresTls),
        (false, _) => Link::Plaintext,
        (true, _) => handshake(from, to, channel, at).unwrap_or_else(refused),
    }
}

fn config_error(e: &Error) -> (ErrorKind, String) {
    (e.kind(), e.to_string())
}

/// Runs A's client against B's server, B seeing A's address; then B's internode
/// authenticator.
fn handshake(
    from: &Node,
    to: &Node,
    channel: Channel,
    at: UnixTime,
) -> Result<Link, RefusalReason> {
    let (a, b) = (from.side(channel), to.side(channel));
    let client = a.client.as_ref().map_err(|e| {
        let (kind, message) = config_error(e);
        RefusalReason::ClientConfig { kind, message }
    })?;
    let server = b.server.as_ref().map_err(|e| {
        let (kind, message) = config_error(e);
        RefusalReason::ServerConfig { kind, message }
    })?;
    // The name A connects to: B's address (any name when A checks none).
    let server_name = match (&to.address, client.verifies_server_name()) {
        (Some(address), _) => address.as_str(),
        (None, true) => return Err(RefusalReason::NoServerAddress),
        (None, false) => "127.0.0.1",
    };
    // The address B sees the connection come from: A's, which Cassandra's inbound side
    // (InboundConnectionInitiator: channel.remoteAddress()) checks as an IP address. A yaml
    // without one (or with a host name, which only DNS turns into the address) leaves that
    // check out, and the link says so.
    let peer = from
        .address
        .as_deref()
        .and_then(|a| a.parse::<IpAddr>().ok());
    let client_address_checked = peer.is_some() || !server.verifies_client_address();
    let outcome = super::super::handshake::link_handshake(client, server_name, server, peer)
        .map_err(|e| match e {
            Error::Handshake(f) => RefusalReason::Handshake(f),
            other => {
                let (kind, message) = config_error(&other);
                RefusalReason::ClientConfig { kind, message }
            }
        })?;
    let (client_end, server_end) = match (outcome.client, outcome.server) {
        (Ok(c), Ok(s)) => (c, s),
        (c, s) => return Err(failure(c.err(), s.err(), a, b)),
    };
    let (session, _) = client_end;
    let (_, client_identity) = server_end;
    let mut identity = None;
    // Certificate login between nodes: B's MutualTlsInternodeAuthenticator, on the chain B
    // received.
    if channel == Channel::Internode && !client_identity.chain().is_empty() {
        match to
            .auth
            .as_ref()
            .and_then(|auth| auth.authenticate_peer(client_identity.chain(), at))
        {
            Some(Ok(accepted)) => identity = Some(accepted),
            Some(Err(refusal)) => {
                return Err(RefusalReason::Login {
                    refusal,
                    trusted: to
                        .auth
                        .as_ref()
                        .and_then(|auth| auth.trusted_peer_identities.clone())
                        .unwrap_or_default(),
                });
            }
            None => {}
        }
    }
    Ok(Link::Tls {
        protocol: session.protocol(),
        cipher_suite: session.cipher_suite(),
        identity,
        client_address_checked,
    })
}

fn handshake_failure(e: Option<Error>) -> Option<HandshakeFailure> {
    match e? {
        Error::Handshake(f) => Some(f),
        other => Some(HandshakeFailure::Tls(other.to_string())),
    }
}

/// Why a handshake failed, from the side that refused (the other side only saw its alert).
fn failure(client: Option<Error>, server: Option<Error>, a: &Side, b: &Side) -> RefusalReason {
    let client = handshake_failure(client);
    let server = handshake_failure(server);
    let own = |f: &Option<HandshakeFailure>| {
        f.clone()
            .filter(|f| !matches!(f, HandshakeFailure::PeerAlert(_)))
    };
    let (client_own, server_own) = (own(&client), own(&server));
    let negotiation = [&client_own, &server_own].into_iter().flatten().find(|f| {
        matches!(
            f,
            HandshakeFailure::NoSharedProtocol | HandshakeFailure::NoSharedCipher
        )
    });
    // rustls offers only the signature schemes its suites can use, and a server with no key
    // for them fails on its own with a general error ("no server certificate chain resolved";
    // JSSE says "no cipher suites in common"): with suites in common, the key type is why.
    let no_key = matches!(
        (&client, &server_own),
        (
            None | Some(HandshakeFailure::PeerAlert(_)),
            Some(HandshakeFailure::Tls(_))
        )
    );
    match negotiation {
        Some(HandshakeFailure::NoSharedProtocol) => return RefusalReason::NoSharedProtocol,
        Some(_) if suites_meet(a, b) => return RefusalReason::KeyType(b.key.clone()),
        Some(_) => return RefusalReason::NoSharedCipher,
        None if no_key && suites_meet(a, b) => return RefusalReason::KeyType(b.key.clone()),
        None => {}
    }
    match (client_own, server_own) {
        (Some(f), _) if f.refuses_peer_certificate() => RefusalReason::ServerCertificate(f),
        (_, Some(HandshakeFailure::NoClientCertificate)) => RefusalReason::NoClientCertificate,
        (_, Some(f)) if f.refuses_peer_certificate() => RefusalReason::ClientCertificate(f),
        (Some(f), _) | (_, Some(f)) => RefusalReason::Handshake(f),
        (None, None) => RefusalReason::Handshake(
            client
                .or(server)
                .unwrap_or(HandshakeFailure::Tls("the handshake failed".into())),
        ),
    }
}

/// Whether the two configs have a cipher suite in common for a version both enable: when they
/// do and the handshake still finds none, rustls left out the suites the server's key cannot
/// sign (TLSv1.2 suites name the key type; TLSv1.3 suites do not).
fn suites_meet(a: &Side, b: &Side) -> bool {
    let (Ok(client), Ok(server)) = (&a.client, &b.server) else {
        return false;
    };
    let offered = |suites: &[rustls::SupportedCipherSuite], versions: &[TlsVersion]| {
        suites
            .iter()
            .filter(|s| {
                versions.iter().any(|v| match v {
                    TlsVersion::Tls12 => s.version() == &rustls::version::TLS12,
                    TlsVersion::Tls13 => s.version() == &rustls::version::TLS13,
                })
            })
            .map(|s| s.suite())
            .collect::<Vec<_>>()
    };
    let ours = offered(
        &client.config().crypto_provider().cipher_suites,
        &a.versions,
    );
    let theirs = offered(
        &server
            .config_without_client_address_check()
            .crypto_provider()
            .cipher_suites,
        &b.versions,
    );
    ours.iter().any(|s| theirs.contains(s))
}
