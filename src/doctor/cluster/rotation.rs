//! A CA rotation across nodes: whether the next CA is staged in every truststore before any node
//! presents a certificate from it, and when the old CA can go.

use rustls::pki_types::UnixTime;

use super::*;
use crate::tls::{ExpiredPeer, Usage};

pub(super) fn short(c: &Certificate) -> String {
    c.info()
        .map(|i| i.subject)
        .unwrap_or_else(|_| c.sha256_hex()[..16].to_owned())
}

/// The rotation check: CAs some truststore holds that issue no node's current chain are the
/// next (or the previous) CA of a rotation; every node must hold them alike before any node
/// moves to a certificate from one, and the old CA may only go once no chain needs it.
pub(super) fn rotation(
    nodes: &[Node],
    channel: Channel,
    at: UnixTime,
    findings: &mut Vec<Finding>,
) {
    let what = channel.name();
    let in_use: Vec<&Node> = nodes
        .iter()
        .filter(|n| n.side(channel).encrypts || n.side(channel).policy != Policy::Unencrypted)
        .collect();
    if in_use.len() < 2 {
        return;
    }
    let mut cas: Vec<Certificate> = Vec::new();
    for n in &in_use {
        for c in n.side(channel).anchors.iter().flatten() {
            if !cas.iter().any(|k| k.sha256_hex() == c.sha256_hex()) {
                cas.push(c.clone());
            }
        }
    }
    let chains: Vec<&Vec<Certificate>> = in_use
        .iter()
        .flat_map(|n| {
            [
                n.side(channel).server_chain.as_ref(),
                n.side(channel).client_chain.as_ref(),
            ]
        })
        .flatten()
        .collect();
    for ca in &cas {
        let used = chains.iter().any(|chain| {
            tls::verify_chain(
                chain,
                std::slice::from_ref(ca),
                Usage::Server,
                None,
                at,
                ExpiredPeer::Refuse,
            )
            .is_ok()
                || tls::verify_chain(
                    chain,
                    std::slice::from_ref(ca),
                    Usage::Client,
                    None,
                    at,
                    ExpiredPeer::Refuse,
                )
                .is_ok()
        });
        let holders: Vec<&str> = in_use
            .iter()
            .filter(|n| {
                n.side(channel)
                    .anchors
                    .iter()
                    .flatten()
                    .any(|c| c.sha256_hex() == ca.sha256_hex())
            })
            .map(|n| n.name.as_str())
            .collect();
        let missing: Vec<&str> = in_use
            .iter()
            .map(|n| n.name.as_str())
            .filter(|n| !holders.contains(n))
            .collect();
        if used {
            continue;
        }
        if missing.is_empty() {
            findings.push(Finding {
                severity: Severity::Ok,
                check: Check::Rotation,
                section: CLUSTER,
                message: format!(
                    "{what}: {} is trusted by every node and issues no current certificate: the next CA of a rotation (nodes may now move to certificates from it), or the previous one (remove it once no client uses it)",
                    short(ca)
                ),
                fix: None,
            });
        } else {
            findings.push(Finding {
                severity: Severity::Warning,
                check: Check::Rotation,
                section: CLUSTER,
                message: format!(
                    "{what}: {} is staged in the truststores of {} but not of {}: a node that moves to a certificate from it will be refused by {}",
                    short(ca),
                    holders.join(", "),
                    missing.join(", "),
                    missing.join(", ")
                ),
                fix: Some(format!(
                    "add {} to the truststores of {} and run nodetool reloadssl there before any key store is replaced",
                    short(ca),
                    missing.join(", ")
                )),
            });
        }
    }
}
