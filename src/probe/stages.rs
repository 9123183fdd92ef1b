//! The probe's stages, in the order they run: resolve the target, a first handshake (the chain,
//! the version, whether a certificate is asked for), the served chain's dates and name, the
//! caller's truststore, each protocol version and suite, the client-certificate policy, the CQL
//! login past TLS, and plaintext on the same port. Each fills its part of an [`Observed`]; no
//! stage writes a finding (that is `findings`' one pass).

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{SupportedCipherSuite, SupportedProtocolVersion};

use super::attempt::{self, Client, Failure, Until};
use super::login;
use super::report::{
    ClientAuthMode, PortKind, ProbeOptions, ProbeReport, Protocol, ProtocolSupport,
    ServedCertificate, Target, Validation,
};
use super::wire;
use crate::error::Error;
use crate::failure::HandshakeFailure;
use crate::handshake::{Handshake, blocking};
use crate::keystore::Certificate;
use crate::report::{Validity, rfc};
use crate::tls::ClientTls;

/// How long a TLSv1.3 server is given to refuse a client without a certificate after the
/// handshake (JSSE, OpenSSL and Netty send the alert at once).
const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// How long the CQL start-up past TLS (the login) may take.
const LOGIN_WAIT: Duration = Duration::from_secs(10);

/// How long the CQL start-up of a client without a certificate may take: the node answers
/// STARTUP with READY or AUTHENTICATE without a lookup.
const NO_CERTIFICATE_LOGIN_WAIT: Duration = Duration::from_secs(5);

/// The rustls clients a probe uses, built once for all targets.
pub(super) struct Clients {
    provider: Arc<CryptoProvider>,
    default: Client,
    tls13: Option<Client>,
    tls12: Option<Client>,
    per_suite: Vec<(SupportedCipherSuite, Client)>,
}

impl Clients {
    pub(super) fn new() -> Clients {
        let provider = crate::provider::default_provider();
        let suites = provider.cipher_suites.clone();
        let of = |v: &'static SupportedProtocolVersion| -> Vec<SupportedCipherSuite> {
            suites
                .iter()
                .filter(|s| s.version() == v)
                .copied()
                .collect()
        };
        let for_version = |v: &'static SupportedProtocolVersion| {
            let s = of(v);
            (!s.is_empty()).then(|| Client::new(&provider, &[v], &s))
        };
        Clients {
            default: Client::new(&provider, rustls::ALL_VERSIONS, &suites),
            tls13: for_version(&rustls::version::TLS13),
            tls12: for_version(&rustls::version::TLS12),
            per_suite: suites
                .iter()
                .map(|s| (*s, Client::new(&provider, &[s.version()], &[*s])))
                .collect(),
            provider,
        }
    }
}

/// Why a probe stopped before its TLS stages.
pub(super) enum Stop {
    /// The host name does not resolve.
    Unresolved(String),
    /// The host is neither an IP address nor a DNS name.
    NotAName,
    /// No TCP connection.
    Unreachable(SocketAddr, String),
    /// A TCP connection, but no answer to a ClientHello.
    Silent,
    /// TLS, but only these versions, with suites rustls lacks.
    OnlyOldTls(Vec<Protocol>),
    /// No TLS: plaintext CQL answered, or why the handshake failed.
    NotTls {
        /// Whether CQL in the clear was answered.
        plaintext: bool,
        /// Why the handshake did not complete.
        why: String,
    },
}

/// What a login attempt past TLS gave, beyond the report's [`login::Login`].
pub(super) struct LoginAttempt {
    /// Whether the client offered a certificate.
    pub(super) has_certificate: bool,
    /// Why there was no CQL start-up (only kept with a certificate: without one, a port that
    /// does not answer CQL is not a finding).
    pub(super) failure: Option<String>,
}

/// The caller's truststore's verdict, and what stood behind it.
struct Verdict {
    validation: Validation,
    distrust: Option<HandshakeFailure>,
    refused: Option<String>,
}

impl Verdict {
    fn distrust(validation: Validation, why: Option<HandshakeFailure>) -> Verdict {
        Verdict {
            validation,
            distrust: why,
            refused: None,
        }
    }
}

/// Everything a probe observed of one target: the report's facts, and what the findings need
/// beyond them.
pub(super) struct Observed {
    /// The facts the report carries.
    pub(super) report: ProbeReport,
    /// Set when the probe stopped early.
    pub(super) stop: Option<Stop>,
    /// Each served certificate's dates, in chain order (`None`: not parsed).
    pub(super) validity: Vec<Option<Validity>>,
    /// Whether the caller's client config checks the server's name.
    pub(super) name_checked: bool,
    /// Why the caller's truststore could not judge the chain (no verdict at all).
    pub(super) unjudged: Option<String>,
    /// Why the caller's truststore refused the chain, when it did.
    pub(super) distrust: Option<HandshakeFailure>,
    /// How the node refused the caller's client (its certificate, or the lack of one) after
    /// the chain was trusted.
    pub(super) refused: Option<String>,
    /// The client certificate the caller's config offered, when it offered one.
    pub(super) offered: Option<ServedCertificate>,
    /// The node's CertificateRequest in the first handshake (the CA names it listed).
    pub(super) request: Option<crate::tls::CertificateRequest>,
    /// The login attempt, when one was made.
    pub(super) login: Option<LoginAttempt>,
    /// Whether the deadline passed before the last stage.
    pub(super) out_of_time: bool,
}

/// One target's probe under way: the target, the options, the address and name, the deadline.
pub(super) struct Probe<'a> {
    clients: &'a Clients,
    target: &'a Target,
    config: Option<&'a ClientTls>,
    offer: Option<Arc<dyn ResolvesClientCert>>,
    deadline: Instant,
    addr: SocketAddr,
    name: ServerName<'static>,
}

pub(crate) fn resolve(target: &Target) -> Result<SocketAddr, String> {
    if let Ok(ip) = target.host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, target.port));
    }
    (target.host.as_str(), target.port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", target.host))?
        .next()
        .ok_or_else(|| format!("{} resolves to no address", target.host))
}

/// The report of a target not probed yet.
fn empty_report(target: &Target) -> ProbeReport {
    ProbeReport {
        target: target.to_string(),
        kind: target.kind,
        address: None,
        reachable: false,
        tls: false,
        negotiated: None,
        chain: Vec::new(),
        name_matches: None,
        validation: None,
        protocols: Vec::new(),
        cipher_suites: Vec::new(),
        accepts_no_forward_secrecy: None,
        client_auth: None,
        plaintext: None,
        login: None,
        findings: Vec::new(),
        elapsed_ms: 0,
    }
}

/// Runs every stage on `target`.
pub(super) fn observe(
    clients: &Clients,
    target: &Target,
    options: &ProbeOptions,
    deadline: Instant,
) -> Observed {
    let config = match target.kind {
        PortKind::Storage => options.internode_client.as_ref(),
        _ => options.native_client.as_ref(),
    };
    let mut seen = Observed {
        report: empty_report(target),
        stop: None,
        validity: Vec::new(),
        name_checked: config.is_some_and(|c| c.verifies_server_name()),
        unjudged: None,
        distrust: None,
        refused: None,
        offered: None,
        request: None,
        login: None,
        out_of_time: false,
    };
    let addr = match resolve(target) {
        Ok(a) => a,
        Err(e) => {
            seen.stop = Some(Stop::Unresolved(e));
            return seen;
        }
    };
    seen.report.address = Some(addr);
    let Ok(name) = ServerName::try_from(target.host.clone()) else {
        seen.stop = Some(Stop::NotAName);
        return seen;
    };
    let probe = Probe {
        clients,
        target,
        config,
        offer: config.map(|c| c.config().client_auth_cert_resolver.clone()),
        deadline,
        addr,
        name,
    };
    if let Err(stop) = probe.run(&mut seen, options) {
        seen.stop = Some(stop);
    }
    seen
}

impl Probe<'_> {
    fn run(&self, seen: &mut Observed, options: &ProbeOptions) -> Result<(), Stop> {
        let first = self.first_handshake(&mut seen.report)?;
        let now = options.at.unwrap_or_else(UnixTime::now);
        let chain = served(&first.chain, now, options.expiry_warning);
        seen.validity = chain.iter().map(|(_, v)| *v).collect();
        seen.report.chain = chain.into_iter().map(|(c, _)| c).collect();
        if !seen.report.chain.is_empty()
            && let Some(der) = first.chain.first()
        {
            let matches = rustls::server::ParsedCertificate::try_from(der)
                .and_then(|p| rustls::client::verify_server_name(&p, &self.name))
                .is_ok();
            seen.report.name_matches = Some(matches);
        }
        seen.request = first.request.clone();
        seen.offered = first
            .offered
            .as_ref()
            .and_then(|der| served(std::slice::from_ref(der), now, options.expiry_warning).pop())
            .map(|(c, _)| c);
        if let Some(client) = self.config {
            match self.trust(client, first.asked_for_certificate) {
                Ok(verdict) => {
                    seen.report.validation = Some(verdict.validation);
                    seen.distrust = verdict.distrust;
                    seen.refused = verdict.refused;
                }
                Err(f) => seen.unjudged = Some(f.to_string()),
            }
        }
        self.protocols(&mut seen.report);
        let accepted_12 = seen
            .report
            .protocols
            .iter()
            .find(|p| p.name == Protocol::Tls12)
            .and_then(|p| p.accepted);
        seen.report.client_auth = Some(self.client_auth(first.asked_for_certificate, accepted_12));
        if seen.refused.is_none() {
            seen.login = self.login(&mut seen.report);
        }
        if self.target.kind != PortKind::Storage {
            seen.report.plaintext = Some(self.plaintext());
        }
        seen.out_of_time = Instant::now() >= self.deadline;
        Ok(())
    }

    /// A raw ClientHello of `version` offering `suites`: accepted, refused, or no answer.
    fn raw(&self, version: Protocol, suites: &[u16]) -> Option<bool> {
        let wire_version = match version {
            Protocol::Tls10 => wire::TLS10,
            Protocol::Tls11 => wire::TLS11,
            Protocol::Tls12 | Protocol::Tls13 => wire::TLS12,
        };
        let mut random = [wire_version as u8; 32];
        let _ = self.clients.provider.secure_random.fill(&mut random);
        let sni = match &self.name {
            ServerName::DnsName(d) => Some(d.as_ref()),
            _ => None,
        };
        let hello = wire::client_hello(wire_version, suites, sni, random);
        match attempt::raw_hello(self.addr, &hello, self.deadline) {
            Ok(wire::HelloAnswer::ServerHello { version: v, .. }) => Some(v == wire_version),
            Ok(_) => Some(false),
            Err(_) => None,
        }
    }

    /// A default handshake: the chain, the version and suite, whether a certificate is asked.
    /// A port that does not complete it stops the probe here.
    fn first_handshake(&self, report: &mut ProbeReport) -> Result<attempt::Seen, Stop> {
        let (seen, result) = self.clients.default.attempt(
            self.addr,
            &self.name,
            self.offer.clone(),
            Until::Handshake,
            &[],
            self.deadline,
        );
        match &result {
            Err(Failure::Connect(e)) => return Err(Stop::Unreachable(self.addr, e.to_string())),
            Err(Failure::Timeout) if seen.suite.is_none() => {
                report.reachable = true;
                return Err(Stop::Silent);
            }
            _ => report.reachable = true,
        }
        report.tls = seen.suite.is_some();
        if report.tls {
            report.negotiated = Some((
                seen.version
                    .map(Protocol::jsse_name)
                    .unwrap_or("?")
                    .to_owned(),
                seen.suite.unwrap_or("?").to_owned(),
            ));
            return Ok(seen);
        }
        // Perhaps TLS that rustls cannot speak: older versions, or suites it lacks.
        let broad = broad_suites();
        let old: Vec<ProtocolSupport> = [Protocol::Tls10, Protocol::Tls11, Protocol::Tls12]
            .into_iter()
            .map(|p| ProtocolSupport {
                name: p,
                accepted: self.raw(p, &broad),
            })
            .collect();
        let accepted: Vec<Protocol> = old
            .iter()
            .filter(|p| p.accepted == Some(true))
            .map(|p| p.name)
            .collect();
        if !accepted.is_empty() {
            report.tls = true;
            report.protocols = old;
            report.protocols.push(ProtocolSupport {
                name: Protocol::Tls13,
                accepted: Some(false),
            });
            return Err(Stop::OnlyOldTls(accepted));
        }
        let plaintext = self.plaintext();
        report.plaintext = (self.target.kind != PortKind::Storage).then_some(plaintext);
        let why = match &result {
            Err(f) => f.to_string(),
            Ok(_) => "no answer".into(),
        };
        Err(Stop::NotTls { plaintext, why })
    }

    /// The caller's truststore on the served chain, for this address; then, once it is
    /// trusted, the node's answer to the caller's client (on a native port, to a CQL OPTIONS):
    /// a TLS 1.3 node refuses a client certificate, or the lack of one, only after the client's
    /// side of the handshake is done.
    ///
    /// Only an alert from a node that asked for a client certificate (`asked`, seen in the
    /// first handshake) is its refusal of the client; any other failure (no shared version or
    /// suite, a protocol error) means no chain was judged.
    fn trust(&self, client: &ClientTls, asked: bool) -> Result<Verdict, Failure> {
        let mut sock = attempt::connect(self.addr, self.deadline)?;
        let name_checked = client.verifies_server_name();
        let verdict = |trusted: bool, message: Option<String>| Validation {
            trusted,
            name_checked,
            message,
        };
        let then_refused = |why: String| Verdict {
            validation: verdict(
                true,
                Some(format!(
                    "the chain is trusted; then the node refused this client: {why}"
                )),
            ),
            distrust: None,
            refused: Some(why),
        };
        let hs = match Handshake::client(client, &self.target.host) {
            Ok(hs) => hs,
            Err(e) => return Ok(Verdict::distrust(verdict(false, Some(e.to_string())), None)),
        };
        Ok(match blocking::handshake(hs, &mut sock) {
            Ok((mut session, _)) => {
                if self.target.kind != PortKind::Storage {
                    let _ = session.send(&wire::options(), &mut sock);
                }
                let wait = ANSWER_WAIT.min(self.deadline.saturating_duration_since(Instant::now()));
                match session.server_answer(&mut sock, wait) {
                    Err(Error::Handshake(
                        f
                        @ (HandshakeFailure::PeerAlert(_) | HandshakeFailure::NoClientCertificate),
                    )) if asked => then_refused(f.to_string()),
                    // Not an alert (a reset after the node's close): no refusal.
                    Ok(()) | Err(_) => Verdict {
                        validation: verdict(true, None),
                        distrust: None,
                        refused: None,
                    },
                }
            }
            Err(Error::Handshake(
                f @ (HandshakeFailure::PeerAlert(_) | HandshakeFailure::NoClientCertificate),
            )) if asked => then_refused(f.to_string()),
            Err(Error::Handshake(f)) if f.refuses_peer_certificate() => {
                Verdict::distrust(verdict(false, Some(f.to_string())), Some(f))
            }
            Err(Error::Handshake(f)) => Verdict::distrust(
                verdict(
                    false,
                    Some(format!("no chain was judged: the handshake failed: {f}")),
                ),
                None,
            ),
            Err(e) => Verdict::distrust(verdict(false, Some(e.to_string())), None),
        })
    }

    /// Each protocol version and rustls suite: rustls's suites one by one, raw hellos for the
    /// rest, and TLSv1.2 without forward secrecy.
    fn protocols(&self, report: &mut ProbeReport) {
        let mut accepted_13 = None;
        let mut accepted_12 = None;
        for (suite, client) in &self.clients.per_suite {
            let (s, _) = client.attempt(
                self.addr,
                &self.name,
                self.offer.clone(),
                Until::ServerHello,
                &[],
                self.deadline,
            );
            let slot = match Protocol::of_rustls(suite.version().version) {
                Some(Protocol::Tls13) => &mut accepted_13,
                _ => &mut accepted_12,
            };
            if s.suite.is_some() {
                *slot = Some(true);
                report
                    .cipher_suites
                    .push(attempt::jsse_suite_name(*suite).to_owned());
            } else if slot.is_none() && Instant::now() < self.deadline {
                *slot = Some(false);
            }
        }
        // Suites rustls lacks (CBC, RSA key exchange) may still make TLSv1.2 work.
        if accepted_12 != Some(true) && self.raw(Protocol::Tls12, &broad_suites()) == Some(true) {
            accepted_12 = Some(true);
        }
        let tls10 = self.raw(Protocol::Tls10, wire::LEGACY_SUITES);
        let tls11 = self.raw(Protocol::Tls11, wire::LEGACY_SUITES);
        report.protocols = Protocol::ALL
            .into_iter()
            .zip([tls10, tls11, accepted_12, accepted_13])
            .map(|(name, accepted)| ProtocolSupport { name, accepted })
            .collect();
        if accepted_12 == Some(true) {
            report.accepts_no_forward_secrecy =
                self.raw(Protocol::Tls12, wire::NO_FORWARD_SECRECY_SUITES);
        }
    }

    /// Whether a client certificate is asked for, and then whether a client without one is
    /// refused.
    fn client_auth(&self, asked: bool, accepted_12: Option<bool>) -> ClientAuthMode {
        if !asked {
            return ClientAuthMode::NotRequested;
        }
        let clients = self.clients;
        let (client, until, data) = match (&clients.tls12, accepted_12) {
            (Some(c), Some(true)) => (c, Until::Handshake, Vec::new()),
            _ => (
                clients.tls13.as_ref().unwrap_or(&clients.default),
                Until::Answer,
                if self.target.kind == PortKind::Storage {
                    Vec::new()
                } else {
                    wire::options()
                },
            ),
        };
        // A server that accepts the client says nothing more: wait a little, not the whole
        // budget, for a refusal.
        let answer_by = self.deadline.min(Instant::now() + ANSWER_WAIT);
        let (_, r) = client.attempt(self.addr, &self.name, None, until, &data, answer_by);
        match r {
            Err(Failure::Alert(_)) => ClientAuthMode::Required,
            // A TLSv1.3 server that asks and says nothing more has accepted the client.
            Ok(_) | Err(Failure::Timeout) | Err(Failure::Closed) => ClientAuthMode::Optional,
            Err(_) => ClientAuthMode::Required,
        }
    }

    /// Past TLS: the CQL start-up with the caller's client config (certificate login, CEP-34),
    /// with its certificate, or without one where the node lets such a client in.
    fn login(&self, report: &mut ProbeReport) -> Option<LoginAttempt> {
        if self.target.kind == PortKind::Storage {
            return None;
        }
        let client = self.config.filter(|c| {
            c.has_client_certificate()
                || (report.client_auth != Some(ClientAuthMode::Required)
                    && report.validation.as_ref().is_some_and(|v| v.trusted))
        })?;
        let has_certificate = client.has_client_certificate();
        // A CQL node answers STARTUP at once (the certificate's role lookup can take a
        // moment); a TLS port that is not CQL may say nothing.
        let wait = if has_certificate {
            LOGIN_WAIT
        } else {
            NO_CERTIFICATE_LOGIN_WAIT
        };
        let answer_by = self.deadline.min(Instant::now() + wait);
        let failure = match login::login(self.addr, &self.target.host, client, answer_by) {
            Ok(l) => {
                report.login = Some(l);
                None
            }
            Err(e) => has_certificate.then_some(e),
        };
        Some(LoginAttempt {
            has_certificate,
            failure,
        })
    }

    /// Whether the port also answers CQL in the clear (Cassandra's optional TLS).
    fn plaintext(&self) -> bool {
        matches!(
            attempt::plaintext_cql(self.addr, &wire::options(), self.deadline),
            Ok(Some(_))
        )
    }
}

/// Every suite a raw TLSv1.2 (or older) hello offers: the legacy ones, then those without
/// forward secrecy.
fn broad_suites() -> Vec<u16> {
    let mut broad = wire::LEGACY_SUITES.to_vec();
    broad.extend_from_slice(wire::NO_FORWARD_SECRECY_SUITES);
    broad
}

/// The certificates a port served, with where each stands at `now` against `window`.
fn served(
    chain: &[CertificateDer<'static>],
    now: UnixTime,
    window: Duration,
) -> Vec<(ServedCertificate, Option<Validity>)> {
    chain
        .iter()
        .filter_map(|der| Certificate::from_der_bytes(der.to_vec()).ok())
        .map(|c| {
            let info = c.info().ok();
            let not_after = info.as_ref().map(|i| i.not_after);
            let served = ServedCertificate {
                subject: info.as_ref().map(|i| i.subject.clone()).unwrap_or_default(),
                issuer: info.as_ref().map(|i| i.issuer.clone()).unwrap_or_default(),
                dns_names: info
                    .as_ref()
                    .map(|i| i.dns_names.clone())
                    .unwrap_or_default(),
                ip_addresses: info
                    .as_ref()
                    .map(|i| i.ip_addresses.clone())
                    .unwrap_or_default(),
                sha256: c.sha256_hex(),
                not_after: not_after.map(rfc).unwrap_or_default(),
                expires_in_days: not_after
                    .map(|t| (t.unix_timestamp() - now.as_secs() as i64).div_euclid(86_400))
                    .unwrap_or(0),
            };
            (served, info.map(|i| Validity::of(&i, now, window)))
        })
        .collect()
}
