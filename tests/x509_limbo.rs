//! x509-limbo (fixtures/conformance/x509-limbo/limbo.json.xz): every case through the same
//! verification path the handshake uses (`tls::verify_chain`: rustls' webpki verifier with the
//! trusted certificates as the truststore), counted per id prefix. No case may be accepted that
//! should be refused, beyond the divergences rustls-webpki documents
//! (rustls-webpki-exceptions.json).

mod common;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use cassandra_tls::keystore::Certificate;
use cassandra_tls::tls::{ExpiredPeer, Usage, verify_chain};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, UnixTime};
use serde::Deserialize;

#[derive(Deserialize)]
struct Limbo {
    testcases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    #[serde(default)]
    features: Vec<String>,
    validation_kind: String,
    trusted_certs: Vec<String>,
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    validation_time: Option<String>,
    signature_algorithms: Vec<serde_json::Value>,
    key_usage: Vec<serde_json::Value>,
    expected_result: String,
    expected_peer_name: Option<PeerName>,
}

#[derive(Deserialize)]
struct PeerName {
    kind: String,
    value: String,
}

#[derive(Deserialize)]
struct Exception {
    expected: String,
    actual: String,
    reason: String,
}

enum Outcome {
    Success,
    Failure(String),
    Skipped(&'static str),
}

fn certs(pems: &[String]) -> Result<Vec<Certificate>, String> {
    pems.iter()
        .map(|p| {
            let der = CertificateDer::from_pem_slice(p.as_bytes()).map_err(|e| e.to_string())?;
            Certificate::from_der_bytes(der.to_vec()).map_err(|e| e.to_string())
        })
        .collect()
}

fn run(case: &Case) -> Outcome {
    // As the rustls-webpki harness: what this verification path has no input for is skipped.
    if case
        .features
        .iter()
        .any(|f| f == "max-chain-depth" || f == "has-crl")
    {
        return Outcome::Skipped("max chain depth and CRLs are not inputs of this path");
    }
    if case.validation_kind != "SERVER" {
        return Outcome::Skipped("client validation with RFC 822 names");
    }
    if !case.signature_algorithms.is_empty() || !case.key_usage.is_empty() {
        return Outcome::Skipped("constrained signature algorithms or key usage");
    }
    let Some(name) = &case.expected_peer_name else {
        return Outcome::Skipped("no peer name");
    };
    if name.kind != "DNS" && name.kind != "IP" {
        return Outcome::Skipped("RFC 822 peer name");
    }
    let at = match &case.validation_time {
        Some(t) => {
            match time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339) {
                Ok(t) => UnixTime::since_unix_epoch(Duration::from_secs(
                    t.unix_timestamp().max(0) as u64
                )),
                Err(e) => return Outcome::Failure(format!("validation time: {e}")),
            }
        }
        None => UnixTime::now(),
    };
    let anchors = match certs(&case.trusted_certs) {
        Ok(a) => a,
        Err(e) => return Outcome::Failure(format!("trusted certificate: {e}")),
    };
    let mut chain = match certs(std::slice::from_ref(&case.peer_certificate)) {
        Ok(c) => c,
        Err(e) => return Outcome::Failure(format!("peer certificate: {e}")),
    };
    match certs(&case.untrusted_intermediates) {
        Ok(i) => chain.extend(i),
        Err(e) => return Outcome::Failure(format!("intermediate: {e}")),
    }
    match verify_chain(
        &chain,
        &anchors,
        Usage::Server,
        Some(&name.value),
        at,
        ExpiredPeer::Refuse,
    ) {
        Ok(()) => Outcome::Success,
        Err(f) => Outcome::Failure(f.to_string()),
    }
}

#[test]
fn every_limbo_case() {
    let Some(dir) = common::conformance() else {
        common::skip_or_fail("fixtures/conformance is missing");
        return;
    };
    let dir = dir.join("x509-limbo");
    let mut json = Vec::new();
    lzma_rs::xz_decompress(
        &mut std::io::BufReader::new(std::fs::File::open(dir.join("limbo.json.xz")).unwrap()),
        &mut json,
    )
    .unwrap();
    let limbo: Limbo = serde_json::from_slice(&json).unwrap();
    drop(json);
    let exceptions: HashMap<String, Exception> =
        serde_json::from_slice(&common::read(&dir.join("rustls-webpki-exceptions.json"))).unwrap();

    // prefix -> [pass, false accept, false refuse, skipped]
    let mut counts: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    let mut unexplained_accepts = Vec::new();
    let mut divergences = Vec::new();
    let mut skip_reasons: BTreeMap<&'static str, usize> = BTreeMap::new();
    for case in &limbo.testcases {
        let prefix = case.id.split("::").next().unwrap_or("").to_owned();
        let c = counts.entry(prefix).or_default();
        let expected_success = case.expected_result == "SUCCESS";
        match run(case) {
            Outcome::Skipped(why) => {
                c[3] += 1;
                *skip_reasons.entry(why).or_default() += 1;
            }
            Outcome::Success if expected_success => c[0] += 1,
            Outcome::Failure(_) if !expected_success => c[0] += 1,
            Outcome::Success => {
                c[1] += 1;
                match exceptions.get(&case.id) {
                    Some(e) if e.expected == "FAILURE" && e.actual == "SUCCESS" => {
                        divergences.push(format!("false accept {}: {}", case.id, e.reason))
                    }
                    _ => unexplained_accepts.push(case.id.clone()),
                }
            }
            Outcome::Failure(why) => {
                c[2] += 1;
                let reason = exceptions
                    .get(&case.id)
                    .map(|e| e.reason.clone())
                    .unwrap_or(why);
                divergences.push(format!("false refuse {}: {reason}", case.id));
            }
        }
    }
    println!("x509-limbo: {} cases", limbo.testcases.len());
    println!(
        "{:<14} {:>6} {:>13} {:>13} {:>8}",
        "prefix", "pass", "false accept", "false refuse", "skipped"
    );
    for (prefix, [pass, fa, fr, skip]) in &counts {
        println!("{prefix:<14} {pass:>6} {fa:>13} {fr:>13} {skip:>8}");
    }
    for (why, n) in &skip_reasons {
        println!("skipped {n}: {why}");
    }
    for d in &divergences {
        println!("{d}");
    }
    assert!(
        unexplained_accepts.is_empty(),
        "accepted what should be refused, beyond rustls-webpki's documented exceptions: {unexplained_accepts:#?}"
    );
    let total: usize = counts.values().map(|c| c[0]).sum();
    assert!(total > 9000, "only {total} cases passed");
}
