//! Live nodes, looked at from the network: the chain a port serves and whether a client's
//! truststore accepts it for that address, the TLS versions and cipher suites it accepts,
//! whether it asks for a client certificate, and whether it also accepts plaintext, with
//! findings in the doctor's terms. [`probe_all`] probes many targets in parallel with a bounded
//! worker count and a deadline per target; [`discover`] finds a cluster's nodes from one of them.
//!
//! ```no_run
//! use std::time::Duration;
//! use cassandra_tls::probe::{self, ProbeOptions, Target};
//!
//! let targets: Vec<Target> = vec!["10.0.0.1:9042".parse()?, "10.0.0.2:9042".parse()?];
//! let options = ProbeOptions { timeout: Duration::from_secs(5), ..ProbeOptions::default() };
//! for report in probe::probe_all(&targets, &options) {
//!     println!("{}: {:?}", report.target, report.protocols);
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

mod attempt;
mod cluster;
mod login;
mod report;
mod wire;

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rustls::pki_types::{ServerName, UnixTime};
use rustls::{SupportedCipherSuite, SupportedProtocolVersion};

use crate::doctor::{Check, Severity, Validity};
use crate::error::Error;
use crate::handshake::{Handshake, blocking};
use crate::keystore::Certificate;
use attempt::{Client, Failure, Until};

pub use cluster::{ClusterNode, discover};
pub use login::{Login, LoginMethod, LoginOutcome};
use report::Findings;
pub use report::{
    ClientAuthMode, PortKind, ProbeFinding, ProbeOptions, ProbeReport, ProtocolSupport,
    ServedCertificate, Target, Validation,
};

/// How long a TLSv1.3 server is given to refuse a client without a certificate after the
/// handshake (JSSE, OpenSSL and Netty send the alert at once).
const ANSWER_WAIT: Duration = Duration::from_secs(2);

/// How long the CQL start-up past TLS (the login) may take.
const LOGIN_WAIT: Duration = Duration::from_secs(10);

/// How long the CQL start-up of a client without a certificate may take: the node answers
/// STARTUP with READY or AUTHENTICATE without a lookup.
const NO_CERTIFICATE_LOGIN_WAIT: Duration = Duration::from_secs(5);

/// What the CQL start-up past TLS says about logging in.
fn login_findings(findings: &mut Findings, l: &Login, has_certificate: bool) {
    let by = l
        .authenticator
        .as_deref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    // What the announced class is (its name alone says nothing: a plugin may contain
    // "MutualTls", and the strict MutualTlsAuthenticator has no password fallback).
    use crate::options::CertificateLogin;
    let login = l.certificate_login();
    let (severity, message, fix) = match (l.outcome, l.method, has_certificate) {
        (LoginOutcome::LoggedIn, Some(LoginMethod::None), _) => (
            Severity::Ok,
            "the node logs clients in without authentication".to_owned(),
            None,
        ),
        (LoginOutcome::LoggedIn, method, true) => (
            Severity::Ok,
            format!(
                "the client certificate logs in{by}{}",
                if method == Some(LoginMethod::Certificate) {
                    " by certificate"
                } else {
                    ""
                }
            ),
            None,
        ),
        (LoginOutcome::LoggedIn, _, false) => (
            Severity::Ok,
            format!("a client without a certificate logs in{by}"),
            None,
        ),
        (LoginOutcome::PasswordNeeded, _, false) if login == Some(CertificateLogin::Required) => (
            Severity::Warning,
            format!(
                "the node logs clients in by certificate only{by}: a client without a certificate cannot log in"
            ),
            Some("connect with a client certificate whose identity is mapped to a role"),
        ),
        (LoginOutcome::PasswordNeeded, _, false) if login == Some(CertificateLogin::Fallback) => (
            Severity::Ok,
            format!("without a client certificate the node falls back to a password{by}"),
            None,
        ),
        (LoginOutcome::PasswordNeeded, _, false) => (
            Severity::Ok,
            format!("the node asks for a password{by}"),
            None,
        ),
        (LoginOutcome::PasswordNeeded, _, true) => (
            Severity::Ok,
            format!("the node asks for a password{by}: the certificate alone does not log in"),
            None,
        ),
        (LoginOutcome::Refused, _, _) => (
            Severity::Error,
            format!(
                "the node refuses the client certificate's login{by}: {}",
                l.message.as_deref().unwrap_or("no message")
            ),
            Some(
                "map the certificate's identity: ADD IDENTITY 'spiffe://...' TO ROLE '...' (doctor --client-cert prints it)",
            ),
        ),
    };
    findings.push(severity, Check::Auth, message, fix);
}

/// The rustls clients a probe uses, built once for all targets.
struct Clients {
    provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
    default: Client,
    tls13: Option<Client>,
    tls12: Option<Client>,
    per_suite: Vec<(SupportedCipherSuite, Client)>,
}

impl Clients {
    fn new() -> Clients {
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

/// Probes one target.
pub fn probe(target: &Target, options: &ProbeOptions) -> ProbeReport {
    probe_with(&Clients::new(), target, options)
}

/// Probes every target, `options.workers` at a time, each within `options.timeout`; one dead
/// target never holds up the others. The reports come back in the order of `targets`.
pub fn probe_all(targets: &[Target], options: &ProbeOptions) -> Vec<ProbeReport> {
    let clients = Clients::new();
    let next = AtomicUsize::new(0);
    let workers = options.workers.clamp(1, 256).min(targets.len().max(1));
    let mut results: Vec<Option<ProbeReport>> = vec![None; targets.len()];
    let slots: Vec<std::sync::Mutex<Option<ProbeReport>>> = targets
        .iter()
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(target) = targets.get(i) else { break };
                    let report = probe_with(&clients, target, options);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
                }
            });
        }
    });
    for (r, slot) in results.iter_mut().zip(slots) {
        *r = slot.into_inner().unwrap_or_else(|e| e.into_inner());
    }
    results.into_iter().flatten().collect()
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

/// The certificates a port served, with where each stands at `now` against `window`.
fn served(
    chain: &[rustls::pki_types::CertificateDer<'static>],
    now: UnixTime,
    window: std::time::Duration,
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
                not_after: not_after.map(crate::doctor::rfc).unwrap_or_default(),
                expires_in_days: not_after
                    .map(|t| (t.unix_timestamp() - now.as_secs() as i64).div_euclid(86_400))
                    .unwrap_or(0),
            };
            (served, info.map(|i| Validity::of(&i, now, window)))
        })
        .collect()
}

fn probe_with(clients: &Clients, target: &Target, options: &ProbeOptions) -> ProbeReport {
    let started = Instant::now();
    let deadline = started + options.timeout;
    let now = options.at.unwrap_or_else(UnixTime::now);
    let config = match target.kind {
        PortKind::Storage => options.internode_client.as_ref(),
        _ => options.native_client.as_ref(),
    };
    let offer = config.map(|c| c.config().client_auth_cert_resolver.clone());
    let mut report = ProbeReport {
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
    };
    let mut findings = Findings(Vec::new());
    let finish = |mut report: ProbeReport, findings: Findings| {
        report.findings = findings.0.iter().map(ProbeFinding::from).collect();
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        report
    };
    let addr = match resolve(target) {
        Ok(a) => a,
        Err(e) => {
            findings.push(
                Severity::Error,
                Check::Connect,
                e,
                Some("check the host name"),
            );
            return finish(report, findings);
        }
    };
    report.address = Some(addr);
    let name = match ServerName::try_from(target.host.clone()) {
        Ok(n) => n,
        Err(_) => {
            findings.push(
                Severity::Error,
                Check::Connect,
                format!("'{}' is neither an IP address nor a DNS name", target.host),
                None,
            );
            return finish(report, findings);
        }
    };

    // 1. A default handshake: the chain, the version and suite, whether a certificate is asked.
    let (seen, result) =
        clients
            .default
            .attempt(addr, &name, offer.clone(), Until::Handshake, &[], deadline);
    match &result {
        Err(Failure::Connect(e)) => {
            findings.push(
                Severity::Error,
                Check::Connect,
                format!("cannot connect to {addr}: {e}"),
                Some("check that the node is up and listens on this address and port"),
            );
            return finish(report, findings);
        }
        Err(Failure::Timeout) if seen.suite.is_none() => {
            report.reachable = true;
            findings.push(
                Severity::Error,
                Check::Connect,
                format!(
                    "no TLS answer within {} s (the port accepts connections but does not answer a ClientHello)",
                    options.timeout.as_secs_f32()
                ),
                Some("check that this is the node's TLS port and that the node is not overloaded or hung"),
            );
            return finish(report, findings);
        }
        _ => report.reachable = true,
    }
    let sni = match &name {
        ServerName::DnsName(d) => Some(d.as_ref().to_owned()),
        _ => None,
    };
    let raw = |version: u16, suites: &[u16]| -> Option<bool> {
        let mut random = [version as u8; 32];
        let _ = clients.provider.secure_random.fill(&mut random);
        let hello = wire::client_hello(version, suites, sni.as_deref(), random);
        match attempt::raw_hello(addr, &hello, deadline) {
            Ok(wire::HelloAnswer::ServerHello { version: v, .. }) => Some(v == version),
            Ok(_) => Some(false),
            Err(_) => None,
        }
    };
    let mut broad = wire::LEGACY_SUITES.to_vec();
    broad.extend_from_slice(wire::NO_FORWARD_SECRECY_SUITES);
    report.tls = seen.suite.is_some();
    if !report.tls {
        // Perhaps TLS that rustls cannot speak: older versions, or suites it lacks.
        let old: Vec<ProtocolSupport> = [
            ("TLSv1", wire::TLS10),
            ("TLSv1.1", wire::TLS11),
            ("TLSv1.2", wire::TLS12),
        ]
        .iter()
        .map(|(n, v)| ProtocolSupport {
            name: n,
            accepted: raw(*v, &broad),
        })
        .collect();
        if old.iter().any(|p| p.accepted == Some(true)) {
            report.tls = true;
            let names: Vec<&str> = old
                .iter()
                .filter(|p| p.accepted == Some(true))
                .map(|p| p.name)
                .collect();
            findings.push(
                Severity::Error,
                Check::Protocols,
                format!(
                    "accepts only {} with suites rustls does not offer (no ECDHE with AES-GCM or ChaCha20): no client on rustls can connect",
                    names.join(", ")
                ),
                Some("accept TLSv1.2 and TLSv1.3 with ECDHE AES-GCM suites (accepted_protocols, cipher_suites)"),
            );
            report.protocols = old;
            report.protocols.push(ProtocolSupport {
                name: "TLSv1.3",
                accepted: Some(false),
            });
            return finish(report, findings);
        }
        let plaintext = matches!(
            attempt::plaintext_cql(addr, &wire::options(), deadline),
            Ok(Some(_))
        );
        report.plaintext = (target.kind != PortKind::Storage).then_some(plaintext);
        let why = match &result {
            Err(f) => f.to_string(),
            Ok(_) => "no answer".into(),
        };
        findings.push(
            Severity::Error,
            Check::Tls,
            if plaintext {
                "the port does not speak TLS: it answers CQL in the clear".to_owned()
            } else {
                format!("the port does not complete a TLS handshake: {why}")
            },
            Some("enable encryption for this port (client_encryption_options.enabled, server_encryption_options.internode_encryption), or probe the TLS port"),
        );
        return finish(report, findings);
    }
    report.negotiated = Some((
        seen.version.unwrap_or("?").to_owned(),
        seen.suite.unwrap_or("?").to_owned(),
    ));
    let chain = served(&seen.chain, now, options.expiry_warning);
    report.chain = chain.iter().map(|(c, _)| c.clone()).collect();

    // The CAs the chain carries: their ends stop every chain through them.
    for (ca, validity) in chain.iter().skip(1) {
        let (message, fix) = match validity {
            Some(Validity::Expired) => (
                format!("the chain's CA {} expired on {}", ca.subject, ca.not_after),
                "serve a chain through a valid CA (renew the intermediate, or drop it from the key store)",
            ),
            Some(Validity::NotYetValid) => (
                format!("the chain's CA {} is not valid yet", ca.subject),
                "check the clock, or serve a chain through a CA valid now",
            ),
            Some(Validity::EndsWithin(left)) => (
                format!(
                    "the chain's CA {} expires in {} day(s), on {}",
                    ca.subject,
                    crate::doctor::days(*left),
                    ca.not_after
                ),
                "stage the next CA in every truststore, then move the nodes' certificates to it",
            ),
            Some(Validity::Valid(_)) | None => continue,
        };
        findings.push(Severity::Warning, Check::Expiry, message, Some(fix));
    }
    // The chain: expiry, and the name as endpoint verification checks it.
    if let Some((leaf, validity)) = chain.first() {
        match validity {
            Some(Validity::Expired) => findings.push(
                Severity::Error,
                Check::Expiry,
                format!("the certificate {} expired on {}", leaf.subject, leaf.not_after),
                Some("renew the node's certificate, replace the key store file and run nodetool reloadssl"),
            ),
            Some(Validity::NotYetValid) => findings.push(
                Severity::Error,
                Check::Expiry,
                format!("the certificate {} is not valid yet", leaf.subject),
                Some("check the node's clock and this machine's, or serve a certificate valid now"),
            ),
            Some(Validity::EndsWithin(left)) => findings.push(
                Severity::Warning,
                Check::Expiry,
                format!(
                    "the certificate {} expires in {} day(s), on {}",
                    leaf.subject,
                    crate::doctor::days(*left),
                    leaf.not_after
                ),
                Some("renew the node's certificate now, replace the key store file and run nodetool reloadssl"),
            ),
            Some(Validity::Valid(left)) => findings.push(
                Severity::Ok,
                Check::Expiry,
                format!(
                    "the certificate {} is valid for {} more days",
                    leaf.subject,
                    crate::doctor::days(*left)
                ),
                None,
            ),
            None => {}
        }
        if let Some(der) = seen.chain.first() {
            let matches = rustls::server::ParsedCertificate::try_from(der)
                .and_then(|p| rustls::client::verify_server_name(&p, &name))
                .is_ok();
            report.name_matches = Some(matches);
            let checked = config.is_some_and(|c| c.verifies_server_name());
            if matches {
                findings.push(
                    Severity::Ok,
                    Check::Name,
                    format!("the certificate names {}", target.host),
                    None,
                );
            } else {
                let mut presented: Vec<String> = leaf.dns_names.clone();
                presented.extend(leaf.ip_addresses.iter().map(IpAddr::to_string));
                findings.push(
                    if checked { Severity::Error } else { Severity::Warning },
                    Check::Name,
                    format!(
                        "the certificate does not name {} (it names {}); endpoint verification refuses it",
                        target.host,
                        if presented.is_empty() { "nothing".to_owned() } else { presented.join(", ") }
                    ),
                    Some("issue the node's certificate with a SAN for the address clients and peers connect to (IP SAN for an IP)"),
                );
            }
        }
    }

    // The caller's truststore, for this address.
    if let Some(client) = config {
        let verdict = (|| -> Result<Validation, Failure> {
            let mut sock = attempt::connect(addr, deadline)?;
            let hs = match Handshake::client(client, &target.host) {
                Ok(hs) => hs,
                Err(e) => {
                    return Ok(Validation {
                        trusted: false,
                        name_checked: client.verifies_server_name(),
                        message: Some(e.to_string()),
                    });
                }
            };
            Ok(match blocking::handshake(hs, &mut sock) {
                Ok(_) => Validation {
                    trusted: true,
                    name_checked: client.verifies_server_name(),
                    message: None,
                },
                Err(Error::Handshake(f)) => {
                    let ours = f.refuses_peer_certificate();
                    Validation {
                        trusted: !ours,
                        name_checked: client.verifies_server_name(),
                        message: Some(if ours {
                            f.to_string()
                        } else {
                            format!("the chain is trusted; then the node refused this client: {f}")
                        }),
                    }
                }
                Err(e) => Validation {
                    trusted: false,
                    name_checked: client.verifies_server_name(),
                    message: Some(e.to_string()),
                },
            })
        })();
        match verdict {
            Ok(v) => {
                if v.trusted {
                    findings.push(
                        Severity::Ok,
                        Check::Trust,
                        format!(
                            "the chain is trusted by the given truststore{}",
                            if v.name_checked {
                                " for this address"
                            } else {
                                ""
                            }
                        ),
                        None,
                    );
                } else {
                    findings.push(
                        Severity::Error,
                        Check::Trust,
                        format!(
                            "the given truststore refuses the chain: {}",
                            v.message.as_deref().unwrap_or("")
                        ),
                        Some("add the CA that issued the node's certificate to the clients' truststore, or give the node a certificate from a CA the truststore holds"),
                    );
                }
                report.validation = Some(v);
            }
            Err(f) => findings.push(
                Severity::Warning,
                Check::Trust,
                format!("could not judge the chain: {f}"),
                None,
            ),
        }
    }

    // Protocol versions: rustls's suites one by one, and raw hellos for the rest.
    let mut accepted_13 = None;
    let mut accepted_12 = None;
    for (suite, client) in &clients.per_suite {
        let (s, _) = client.attempt(
            addr,
            &name,
            offer.clone(),
            Until::ServerHello,
            &[],
            deadline,
        );
        let is13 = suite.version() == &rustls::version::TLS13;
        let slot = if is13 {
            &mut accepted_13
        } else {
            &mut accepted_12
        };
        if s.suite.is_some() {
            *slot = Some(true);
            report
                .cipher_suites
                .push(attempt::jsse_suite_name(*suite).to_owned());
        } else if slot.is_none() && Instant::now() < deadline {
            *slot = Some(false);
        }
    }
    if accepted_12 != Some(true) {
        // Suites rustls lacks (CBC, RSA key exchange) may still make TLSv1.2 work.
        if raw(wire::TLS12, &broad) == Some(true) {
            accepted_12 = Some(true);
        }
    }
    let tls10 = raw(wire::TLS10, wire::LEGACY_SUITES);
    let tls11 = raw(wire::TLS11, wire::LEGACY_SUITES);
    report.protocols = vec![
        ProtocolSupport {
            name: "TLSv1",
            accepted: tls10,
        },
        ProtocolSupport {
            name: "TLSv1.1",
            accepted: tls11,
        },
        ProtocolSupport {
            name: "TLSv1.2",
            accepted: accepted_12,
        },
        ProtocolSupport {
            name: "TLSv1.3",
            accepted: accepted_13,
        },
    ];
    let old: Vec<&str> = report
        .protocols
        .iter()
        .filter(|p| p.accepted == Some(true) && matches!(p.name, "TLSv1" | "TLSv1.1"))
        .map(|p| p.name)
        .collect();
    let accepted: Vec<&str> = report
        .protocols
        .iter()
        .filter(|p| p.accepted == Some(true))
        .map(|p| p.name)
        .collect();
    if old.is_empty() {
        findings.push(
            Severity::Ok,
            Check::Protocols,
            format!("accepts {}", accepted.join(", ")),
            None,
        );
    } else {
        findings.push(
            Severity::Warning,
            Check::Protocols,
            format!("accepts {} (deprecated by RFC 8996)", old.join(" and ")),
            Some("set accepted_protocols: [TLSv1.2, TLSv1.3] in the encryption options"),
        );
    }
    if accepted_12 == Some(true) {
        let nfs = raw(wire::TLS12, wire::NO_FORWARD_SECRECY_SUITES);
        report.accepts_no_forward_secrecy = nfs;
        if nfs == Some(true) {
            findings.push(
                Severity::Warning,
                Check::ForwardSecrecy,
                "accepts TLSv1.2 with RSA key exchange: a recorded session can be decrypted later with the node's key".into(),
                Some("list only ECDHE suites in cipher_suites (TLS_ECDHE_*_WITH_AES_*_GCM_*)"),
            );
        }
    }

    // Client certificates: asked for? Then, is a client without one refused?
    report.client_auth = Some(if !seen.asked_for_certificate {
        ClientAuthMode::NotRequested
    } else {
        let (client, until, data) = match (&clients.tls12, accepted_12) {
            (Some(c), Some(true)) => (c, Until::Handshake, Vec::new()),
            _ => (
                clients.tls13.as_ref().unwrap_or(&clients.default),
                Until::Answer,
                if target.kind == PortKind::Storage {
                    Vec::new()
                } else {
                    wire::options()
                },
            ),
        };
        // A server that accepts the client says nothing more: wait a little, not the whole
        // budget, for a refusal.
        let answer_by = deadline.min(Instant::now() + ANSWER_WAIT);
        let (_, r) = client.attempt(addr, &name, None, until, &data, answer_by);
        match r {
            Err(Failure::Alert(_)) => ClientAuthMode::Required,
            // A TLSv1.3 server that asks and says nothing more has accepted the client.
            Ok(_) | Err(Failure::Timeout) | Err(Failure::Closed) => ClientAuthMode::Optional,
            Err(_) => ClientAuthMode::Required,
        }
    });
    findings.push(
        Severity::Ok,
        Check::ClientAuth,
        format!(
            "client certificate {}",
            report.client_auth.expect("set above")
        ),
        None,
    );

    // Past TLS: the CQL start-up with the caller's client config (certificate login, CEP-34),
    // with its certificate, or without one where the node lets such a client in.
    if target.kind != PortKind::Storage
        && let Some(client) = config.filter(|c| {
            c.has_client_certificate()
                || (report.client_auth != Some(ClientAuthMode::Required)
                    && report.validation.as_ref().is_some_and(|v| v.trusted))
        })
    {
        let has_certificate = client.has_client_certificate();
        // A CQL node answers STARTUP at once (the certificate's role lookup can take a moment);
        // a TLS port that is not CQL may say nothing.
        let wait = if has_certificate {
            LOGIN_WAIT
        } else {
            NO_CERTIFICATE_LOGIN_WAIT
        };
        let answer_by = deadline.min(Instant::now() + wait);
        match login::login(addr, &target.host, client, answer_by) {
            Ok(l) => {
                login_findings(&mut findings, &l, has_certificate);
                report.login = Some(l);
            }
            Err(e) if has_certificate => findings.push(
                Severity::Warning,
                Check::Auth,
                format!("no CQL start-up over TLS with the client certificate: {e}"),
                None,
            ),
            // Without a certificate the login is only informative: a port that does not
            // answer CQL is not a finding.
            Err(_) => {}
        }
    }

    // Plaintext on the same port (Cassandra's optional TLS).
    if target.kind != PortKind::Storage {
        let plaintext = matches!(
            attempt::plaintext_cql(addr, &wire::options(), deadline),
            Ok(Some(_))
        );
        report.plaintext = Some(plaintext);
        if plaintext {
            findings.push(
                Severity::Warning,
                Check::Plaintext,
                "the port also answers CQL in the clear (optional: true)".into(),
                Some(
                    "once every client uses TLS, set optional: false in client_encryption_options",
                ),
            );
        } else {
            findings.push(
                Severity::Ok,
                Check::Plaintext,
                "plaintext CQL is refused".into(),
                None,
            );
        }
    }
    if Instant::now() >= deadline {
        findings.push(
            Severity::Warning,
            Check::Connect,
            format!(
                "the probe ran out of its {} s; some answers are missing",
                options.timeout.as_secs_f32()
            ),
            Some("give a longer --timeout"),
        );
    }
    finish(report, findings)
}
