//! A handshake between a node's own client and server configs, in memory.

use super::{Check, Report, Severity};
use crate::error::Error;
use crate::handshake::Handshake;
use crate::tls::{self, TlsSettings};

pub(super) fn self_handshake(
    report: &mut Report,
    section: &'static str,
    node: &tls::Node,
    server_role: tls::ServerRole,
    address: Option<&str>,
    settings: &TlsSettings,
) {
    let name = address
        .filter(|a| !["0.0.0.0", "::"].contains(a))
        .unwrap_or("127.0.0.1");
    let result = (|| -> Result<(), Error> {
        let server = node.server_config(server_role, settings)?;
        let client = node.client_config(server_role.peer(), settings)?;
        let peer_ip = name
            .parse()
            .unwrap_or_else(|_| std::net::IpAddr::from([127, 0, 0, 1]));
        in_memory(
            Handshake::client(&client, name)?,
            Handshake::server(&server, peer_ip)?,
        )
    })();
    let what = if server_role == tls::ServerRole::Internode {
        "internode client against internode server"
    } else {
        "native client against native server"
    };
    push_outcome(
        report,
        section,
        what,
        result,
        "fix the errors above; peers with this material cannot connect",
    );
}

/// The finding for a self-handshake: ok, or the error with `fix`.
pub(super) fn push_outcome(
    report: &mut Report,
    section: &'static str,
    what: &str,
    result: Result<(), Error>,
    fix: &str,
) {
    match result {
        Ok(()) => report.push(
            Severity::Ok,
            Check::SelfHandshake,
            section,
            format!("{what}: handshake succeeds"),
            None,
        ),
        Err(e) => report.push(
            Severity::Error,
            Check::SelfHandshake,
            section,
            format!("{what}: {e}"),
            Some(fix),
        ),
    }
}

/// Runs a client and a server handshake against each other in memory.
pub(crate) fn in_memory(c: Handshake, s: Handshake) -> Result<(), Error> {
    crate::handshake::in_memory(c, s).both().map(|_| ())
}

/// One link of the cluster matrix: `client` (without resuming any earlier session, so that
/// every link is a full handshake with certificates) to `server`, which sees the connection
/// come from `peer` (`None`: an address not known, so the server's check of the client's
/// address, if it makes one, is left out); both sides' results.
pub(super) fn link_handshake(
    client: &tls::ClientTls,
    server_name: &str,
    server: &tls::ServerTls,
    peer: Option<std::net::IpAddr>,
) -> Result<crate::handshake::InMemory, Error> {
    let mut config = (*client.current_config()).clone();
    config.resumption = rustls::client::Resumption::disabled();
    let server = match peer {
        Some(ip) => Handshake::server(server, ip)?,
        None => Handshake::dangerous_server_with_config(
            server.config_without_client_address_check().clone(),
        )?,
    };
    Ok(crate::handshake::in_memory(
        Handshake::client_with_config(std::sync::Arc::new(config), server_name)?,
        server,
    ))
}
