//! The one pass that turns what a probe observed into findings, in the order the stages ran:
//! the stop (when the probe ended early), then the chain's dates, the name, the truststore, the
//! protocol versions, forward secrecy, client certificates, the login, plaintext, the deadline.

use std::net::IpAddr;

use super::login::{Login, LoginMethod, LoginOutcome};
use super::report::{
    PortKind, ProbeFinding, ProbeOptions, ProbeReport, Protocol, ServedCertificate, Validation,
};
use super::stages::{LoginAttempt, Observed, Stop};
use crate::failure::HandshakeFailure;
use crate::options::CertificateLogin;
use crate::report::{Check, Severity, Validity, days};

/// The findings, as they are written.
#[derive(Default)]
pub(super) struct Findings(pub(super) Vec<ProbeFinding>);

impl Findings {
    pub(super) fn push(
        &mut self,
        severity: Severity,
        check: Check,
        message: String,
        fix: Option<&str>,
    ) {
        self.0.push(ProbeFinding {
            severity,
            check,
            message,
            fix: fix.map(str::to_owned),
        });
    }
}

/// The findings of `seen`, for `host` probed with `options`.
pub(super) fn findings(seen: &Observed, host: &str, options: &ProbeOptions) -> Vec<ProbeFinding> {
    let mut out = Findings::default();
    let report = &seen.report;
    if let Some(stop) = &seen.stop {
        stopped(&mut out, stop, host, options);
        return out.0;
    }
    chain_dates(&mut out, seen);
    name(&mut out, report, host, seen.name_checked);
    if let Some(v) = &report.validation {
        trust(&mut out, v, seen.distrust.as_ref());
    } else if let Some(why) = &seen.unjudged {
        out.push(
            Severity::Warning,
            Check::Trust,
            format!("could not judge the chain: {why}"),
            None,
        );
    }
    protocols(&mut out, report);
    if let Some(mode) = report.client_auth {
        out.push(
            Severity::Ok,
            Check::ClientAuth,
            format!("client certificate {mode}"),
            None,
        );
    }
    if let Some(why) = &seen.refused {
        refused(&mut out, why, seen.offered.as_ref());
    }
    match (&report.login, &seen.login) {
        (Some(l), Some(attempt)) => login_findings(&mut out, l, attempt.has_certificate),
        (
            None,
            Some(LoginAttempt {
                failure: Some(e), ..
            }),
        ) => out.push(
            Severity::Warning,
            Check::Auth,
            format!("no CQL start-up over TLS with the client certificate: {e}"),
            None,
        ),
        _ => {}
    }
    if report.kind != PortKind::Storage {
        plaintext(&mut out, report.plaintext == Some(true));
    }
    if seen.out_of_time {
        out.push(
            Severity::Warning,
            Check::Connect,
            format!(
                "the probe ran out of its {} s; some answers are missing",
                options.timeout.as_secs_f32()
            ),
            Some("give a longer --timeout"),
        );
    }
    out.0
}

/// Why the probe ended before its TLS stages.
fn stopped(out: &mut Findings, stop: &Stop, host: &str, options: &ProbeOptions) {
    match stop {
        Stop::Unresolved(e) => out.push(
            Severity::Error,
            Check::Connect,
            e.clone(),
            Some("check the host name"),
        ),
        Stop::NotAName => out.push(
            Severity::Error,
            Check::Connect,
            format!("'{host}' is neither an IP address nor a DNS name"),
            None,
        ),
        Stop::Unreachable(addr, e) => out.push(
            Severity::Error,
            Check::Connect,
            format!("cannot connect to {addr}: {e}"),
            Some("check that the node is up and listens on this address and port"),
        ),
        Stop::Silent => out.push(
            Severity::Error,
            Check::Connect,
            format!(
                "no TLS answer within {} s (the port accepts connections but does not answer a ClientHello)",
                options.timeout.as_secs_f32()
            ),
            Some("check that this is the node's TLS port and that the node is not overloaded or hung"),
        ),
        Stop::OnlyOldTls(accepted) => {
            let names: Vec<&str> = accepted.iter().map(|p| p.jsse_name()).collect();
            out.push(
                Severity::Error,
                Check::Protocols,
                format!(
                    "accepts only {} with suites rustls does not offer (no ECDHE with AES-GCM or ChaCha20): no client on rustls can connect",
                    names.join(", ")
                ),
                Some("accept TLSv1.2 and TLSv1.3 with ECDHE AES-GCM suites (accepted_protocols, cipher_suites)"),
            );
        }
        Stop::NotTls { plaintext, why } => out.push(
            Severity::Error,
            Check::Tls,
            if *plaintext {
                "the port does not speak TLS: it answers CQL in the clear".to_owned()
            } else {
                format!("the port does not complete a TLS handshake: {why}")
            },
            Some("enable encryption for this port (client_encryption_options.enabled, server_encryption_options.internode_encryption), or probe the TLS port"),
        ),
    }
}

/// The served chain's dates: the CAs it carries (their ends stop every chain through them),
/// then the leaf.
fn chain_dates(out: &mut Findings, seen: &Observed) {
    let chain = seen.report.chain.iter().zip(&seen.validity);
    for (ca, validity) in chain.clone().skip(1) {
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
                    days(*left),
                    ca.not_after
                ),
                "stage the next CA in every truststore, then move the nodes' certificates to it",
            ),
            Some(Validity::Valid(_)) | None => continue,
        };
        out.push(Severity::Warning, Check::Expiry, message, Some(fix));
    }
    let Some((leaf, Some(validity))) = chain.clone().next() else {
        return;
    };
    let (severity, message, fix) = match validity {
        Validity::Expired => (
            Severity::Error,
            format!(
                "the certificate {} expired on {}",
                leaf.subject, leaf.not_after
            ),
            Some(
                "renew the node's certificate, replace the key store file and run nodetool reloadssl",
            ),
        ),
        Validity::NotYetValid => (
            Severity::Error,
            format!("the certificate {} is not valid yet", leaf.subject),
            Some("check the node's clock and this machine's, or serve a certificate valid now"),
        ),
        Validity::EndsWithin(left) => (
            Severity::Warning,
            format!(
                "the certificate {} expires in {} day(s), on {}",
                leaf.subject,
                days(*left),
                leaf.not_after
            ),
            Some(
                "renew the node's certificate now, replace the key store file and run nodetool reloadssl",
            ),
        ),
        Validity::Valid(left) => (
            Severity::Ok,
            format!(
                "the certificate {} is valid for {} more days",
                leaf.subject,
                days(*left)
            ),
            None,
        ),
    };
    out.push(severity, Check::Expiry, message, fix);
}

/// The leaf's names against the host, as endpoint verification checks them.
fn name(out: &mut Findings, report: &ProbeReport, host: &str, checked: bool) {
    let (Some(leaf), Some(matches)) = (report.chain.first(), report.name_matches) else {
        return;
    };
    if matches {
        out.push(
            Severity::Ok,
            Check::Name,
            format!("the certificate names {host}"),
            None,
        );
        return;
    }
    let mut presented: Vec<String> = leaf.dns_names.clone();
    presented.extend(leaf.ip_addresses.iter().map(IpAddr::to_string));
    out.push(
        if checked {
            Severity::Error
        } else {
            Severity::Warning
        },
        Check::Name,
        format!(
            "the certificate does not name {host} (it names {}); endpoint verification refuses it",
            if presented.is_empty() {
                "nothing".to_owned()
            } else {
                presented.join(", ")
            }
        ),
        Some("issue the node's certificate with a SAN for the address clients and peers connect to (IP SAN for an IP)"),
    );
}

/// The caller's truststore's verdict, with the fix for the cause it gave.
fn trust(out: &mut Findings, v: &Validation, why: Option<&HandshakeFailure>) {
    if v.trusted {
        out.push(
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
        out.push(
            Severity::Error,
            Check::Trust,
            format!(
                "the given truststore refuses the chain: {}",
                v.message.as_deref().unwrap_or("")
            ),
            Some(distrust_fix(why)),
        );
    }
}

/// What to do about a chain the caller's truststore refused, by the cause.
fn distrust_fix(why: Option<&HandshakeFailure>) -> &'static str {
    match why {
        Some(HandshakeFailure::NameMismatch { .. }) => {
            "issue the node's certificate with a SAN for the address clients connect to (an IP SAN for an IP), or connect by a name the certificate has: the chain itself is trusted, endpoint verification refuses the name"
        }
        Some(HandshakeFailure::Expired { .. } | HandshakeFailure::ExpiredButTrusted(_)) => {
            "renew the node's certificate, replace the key store file and run nodetool reloadssl"
        }
        Some(HandshakeFailure::NotYetValid { .. }) => {
            "check the node's clock and this machine's, or serve a certificate valid now"
        }
        Some(HandshakeFailure::BadCertificate(_)) => {
            "give the node a certificate clients can use (a TLS server certificate: key usage, extended key usage, a supported signature)"
        }
        _ => {
            "add the CA that issued the node's certificate to the clients' truststore, or give the node a certificate from a CA the truststore holds"
        }
    }
}

/// The node refused the caller's client after trusting its chain: its certificate, or the
/// lack of one.
fn refused(out: &mut Findings, why: &str, offered: Option<&ServedCertificate>) {
    match offered {
        Some(c) => out.push(
            Severity::Error,
            Check::ClientAuth,
            format!(
                "the node refuses this client's certificate {} (issued by {}): {why}",
                c.subject, c.issuer
            ),
            Some("add the CA that issued the client's certificate to the node's truststore and run nodetool reloadssl, or give the client a certificate from a CA the node trusts"),
        ),
        None => out.push(
            Severity::Error,
            Check::ClientAuth,
            format!("the node refuses this client, which offered no client certificate: {why}"),
            Some("give the client a key store with a certificate from a CA the node trusts (client_encryption_options.keystore, cqlshrc usercert and userkey, or the driver's key store)"),
        ),
    }
}

/// The versions accepted (TLSv1 and TLSv1.1 are deprecated), and TLSv1.2 without forward
/// secrecy.
fn protocols(out: &mut Findings, report: &ProbeReport) {
    let accepted: Vec<Protocol> = report
        .protocols
        .iter()
        .filter(|p| p.accepted == Some(true))
        .map(|p| p.name)
        .collect();
    let names = |ps: &[Protocol], sep: &str| {
        ps.iter()
            .map(|p| p.jsse_name())
            .collect::<Vec<_>>()
            .join(sep)
    };
    let old: Vec<Protocol> = accepted
        .iter()
        .copied()
        .filter(|p| p.deprecated())
        .collect();
    if old.is_empty() {
        out.push(
            Severity::Ok,
            Check::Protocols,
            format!("accepts {}", names(&accepted, ", ")),
            None,
        );
    } else {
        out.push(
            Severity::Warning,
            Check::Protocols,
            format!("accepts {} (deprecated by RFC 8996)", names(&old, " and ")),
            Some("set accepted_protocols: [TLSv1.2, TLSv1.3] in the encryption options"),
        );
    }
    if report.accepts_no_forward_secrecy == Some(true) {
        out.push(
            Severity::Warning,
            Check::ForwardSecrecy,
            "accepts TLSv1.2 with RSA key exchange: a recorded session can be decrypted later with the node's key".into(),
            Some("list only ECDHE suites in cipher_suites (TLS_ECDHE_*_WITH_AES_*_GCM_*)"),
        );
    }
}

/// CQL in the clear on the same port.
fn plaintext(out: &mut Findings, answered: bool) {
    if answered {
        out.push(
            Severity::Warning,
            Check::Plaintext,
            "the port also answers CQL in the clear (optional: true)".into(),
            Some("once every client uses TLS, set optional: false in client_encryption_options"),
        );
    } else {
        out.push(
            Severity::Ok,
            Check::Plaintext,
            "plaintext CQL is refused".into(),
            None,
        );
    }
}

/// What the CQL start-up past TLS says about logging in.
pub(super) fn login_findings(findings: &mut Findings, l: &Login, has_certificate: bool) {
    let by = l
        .authenticator
        .as_deref()
        .map(|a| format!(" ({a})"))
        .unwrap_or_default();
    // What the announced class is (its name alone says nothing: a plugin may contain
    // "MutualTls", and the strict MutualTlsAuthenticator has no password fallback).
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
