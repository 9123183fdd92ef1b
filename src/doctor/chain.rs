//! A node certificate's dates, usages, chain to the truststore and names.

use rustls::pki_types::UnixTime;

use super::{Check, Report, Severity};
use crate::ErrorKind;
use crate::keystore::Certificate;
use crate::tls::{self, ExpiredPeer, Usage};

pub(super) fn eku(
    report: &mut Report,
    section: &'static str,
    info: &crate::keystore::CertificateInfo,
) {
    match &info.extended_key_usage {
        None => report.push(
            Severity::Ok,
            Check::Eku,
            section,
            "no extended key usage restriction",
            None,
        ),
        Some(e)
            if e.iter().any(|u| u == "anyExtendedKeyUsage")
                || (e.iter().any(|u| u == "serverAuth") && e.iter().any(|u| u == "clientAuth")) =>
        {
            report.push(
                Severity::Ok,
                Check::Eku,
                section,
                "serves as TLS server and client",
                None,
            )
        }
        Some(e) => report.push(
            Severity::Error,
            Check::Eku,
            section,
            format!(
                "internode certificates act as server and client, but this one allows only [{}]",
                e.join(", ")
            ),
            Some("issue the node certificate with extendedKeyUsage serverAuth and clientAuth"),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn chain_checks(
    report: &mut Report,
    section: &'static str,
    chain: &[Certificate],
    anchors: &[Certificate],
    addresses: &[&str],
    endpoint_verification: bool,
    internode: bool,
    at: UnixTime,
) {
    let as_server = tls::verify_chain(chain, anchors, Usage::Server, None, at, ExpiredPeer::Refuse);
    match &as_server {
        Ok(()) => report.push(
            Severity::Ok,
            Check::Chain,
            section,
            "the certificate chain validates to the truststore",
            None,
        ),
        Err(f) if matches!(f.kind(), ErrorKind::Expired | ErrorKind::NotYetValid) => {} // reported by `expiry`
        Err(f) => {
            let fix = match f.kind() {
                ErrorKind::UnknownIssuer => {
                    "add the CA that signed the node certificate to the truststore"
                }
                _ => {
                    "use a certificate issued for a node (not a CA certificate), signed by a CA in the truststore"
                }
            };
            report.push(
                Severity::Error,
                Check::Chain,
                section,
                f.to_string(),
                Some(fix),
            );
        }
    }
    // Internode certificates also act as clients; a failure already reported as a server
    // certificate is not repeated.
    if internode
        && let Err(f) =
            tls::verify_chain(chain, anchors, Usage::Client, None, at, ExpiredPeer::Refuse)
        && !matches!(
            f.kind(),
            ErrorKind::Expired | ErrorKind::NotYetValid | ErrorKind::UnknownIssuer
        )
        && as_server.as_ref().err() != Some(&f)
    {
        report.push(
            Severity::Error,
            Check::Chain,
            section,
            format!("as a client certificate: {f}"),
            Some("issue the node certificate with clientAuth usage"),
        );
    }
    if !endpoint_verification {
        return;
    }
    for addr in addresses
        .iter()
        .filter(|a| !["0.0.0.0", "::", "localhost"].contains(a))
    {
        match tls::verify_chain(chain, anchors, Usage::Server, Some(addr), at, ExpiredPeer::AcceptWhenPeerIsTrusted) {
            Err(f) if f.kind() == ErrorKind::NameMismatch => report.push(
                Severity::Error,
                Check::San,
                section,
                f.to_string(),
                Some(&format!("require_endpoint_verification is on: reissue the certificate with subjectAltName IP:{addr}")),
            ),
            _ => report.push(Severity::Ok, Check::San, section, format!("the certificate names {addr}"), None),
        }
    }
}
