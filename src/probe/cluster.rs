//! A cluster's nodes, found from one of them as drivers find them: a CQL session over TLS,
//! then `system.local` and `system.peers_v2` (each node's native and storage address and port).

use std::net::{IpAddr, TcpStream};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::{PortKind, Target, wire};
use crate::error::{Error, Origin, Result};
use crate::handshake::{Handshake, Session, blocking};
use crate::tls::ClientTls;

/// One node as the cluster describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClusterNode {
    /// The address clients connect to (`rpc_address`, `native_address`).
    pub native_address: IpAddr,
    /// The native port.
    pub native_port: u16,
    /// The address peers connect to (`listen_address`, `peer`).
    pub storage_address: IpAddr,
    /// The storage port.
    pub storage_port: u16,
}

impl ClusterNode {
    /// The node's native port as a target.
    pub fn native_target(&self) -> Target {
        Target::new(
            self.native_address.to_string(),
            self.native_port,
            PortKind::Native,
        )
    }

    /// The node's storage port as a target.
    pub fn storage_target(&self) -> Target {
        Target::new(
            self.storage_address.to_string(),
            self.storage_port,
            PortKind::Storage,
        )
    }
}

fn failed(seed: &Target, what: String) -> Error {
    Error::config(
        &Origin::Bytes(format!("<{seed}>")),
        None,
        None,
        format!("cluster discovery: {what}"),
    )
}

fn exchange(
    session: &mut Session,
    sock: &mut TcpStream,
    frame: &[u8],
    seed: &Target,
) -> Result<(u8, Vec<u8>)> {
    session.send(frame, sock)?;
    let mut buf = Vec::new();
    loop {
        match wire::response(&buf) {
            Ok(Some((op, body, _))) => return Ok((op, body.to_vec())),
            Ok(None) => {}
            Err(e) => return Err(failed(seed, e)),
        }
        let more = session.receive(sock)?;
        if more.is_empty() {
            return Err(failed(seed, "the node closed the session".into()));
        }
        buf.extend(more);
        if buf.len() > wire::MAX_BODY + 9 {
            return Err(failed(seed, "an answer beyond the size accepted".into()));
        }
    }
}

fn select(
    session: &mut Session,
    sock: &mut TcpStream,
    cql: &str,
    stream: i16,
    seed: &Target,
) -> Result<(Vec<String>, Vec<Vec<wire::Cell>>)> {
    let (op, body) = exchange(session, sock, &wire::query(stream, cql), seed)?;
    match op {
        wire::op::RESULT => wire::rows(&body).map_err(|e| failed(seed, format!("{cql}: {e}"))),
        wire::op::ERROR => Err(failed(
            seed,
            format!("{cql}: {}", wire::error_message(&body)),
        )),
        other => Err(failed(
            seed,
            format!("{cql}: unexpected opcode {other:#04x}"),
        )),
    }
}

fn column<'a>(names: &[String], row: &'a [wire::Cell], name: &str) -> Option<&'a wire::Cell> {
    names
        .iter()
        .position(|n| n == name)
        .and_then(|i| row.get(i))
}

fn inet(c: Option<&wire::Cell>) -> Option<IpAddr> {
    match c {
        Some(wire::Cell::Inet(ip)) => Some(*ip),
        _ => None,
    }
}

fn port(c: Option<&wire::Cell>) -> Option<u16> {
    match c {
        Some(wire::Cell::Int(p)) => u16::try_from(*p).ok().filter(|p| *p != 0),
        _ => None,
    }
}

/// Connects to `seed` (a native port) with `client`, and reads the cluster's nodes from
/// `system.local` and `system.peers_v2`, the seed first. A node that needs credentials
/// (PasswordAuthenticator) is reported as an error: discovery sends none.
pub fn discover(seed: &Target, client: &ClientTls, timeout: Duration) -> Result<Vec<ClusterNode>> {
    let deadline = Instant::now() + timeout;
    let addr = super::resolve(seed).map_err(|e| failed(seed, e))?;
    let mut sock =
        super::attempt::connect(addr, deadline).map_err(|e| failed(seed, e.to_string()))?;
    let (mut session, _) = blocking::handshake(Handshake::client(client, &seed.host)?, &mut sock)?;
    let (op, body) = exchange(&mut session, &mut sock, &wire::startup(), seed)?;
    match op {
        wire::op::READY => {}
        wire::op::AUTHENTICATE => {
            return Err(failed(
                seed,
                "the node asks for credentials (PasswordAuthenticator); discovery sends none: list the nodes as targets instead".into(),
            ));
        }
        wire::op::ERROR => return Err(failed(seed, wire::error_message(&body))),
        other => {
            return Err(failed(
                seed,
                format!("unexpected opcode {other:#04x} to STARTUP"),
            ));
        }
    }
    let (names, rows) = select(
        &mut session,
        &mut sock,
        "SELECT rpc_address, rpc_port, listen_address, listen_port FROM system.local",
        2,
        seed,
    )?;
    let mut nodes = Vec::new();
    for row in &rows {
        let native_address = inet(column(&names, row, "rpc_address")).unwrap_or(addr.ip());
        let storage_address = inet(column(&names, row, "listen_address")).unwrap_or(native_address);
        nodes.push(ClusterNode {
            native_address,
            native_port: port(column(&names, row, "rpc_port")).unwrap_or(seed.port),
            storage_address,
            storage_port: port(column(&names, row, "listen_port")).unwrap_or(7000),
        });
    }
    let (names, rows) = select(
        &mut session,
        &mut sock,
        "SELECT peer, peer_port, native_address, native_port FROM system.peers_v2",
        3,
        seed,
    )?;
    for row in &rows {
        let Some(peer) = inet(column(&names, row, "peer")) else {
            continue;
        };
        nodes.push(ClusterNode {
            native_address: inet(column(&names, row, "native_address")).unwrap_or(peer),
            native_port: port(column(&names, row, "native_port")).unwrap_or(seed.port),
            storage_address: peer,
            storage_port: port(column(&names, row, "peer_port")).unwrap_or(7000),
        });
    }
    session.close();
    let _ = session.flush_to(&mut sock);
    Ok(nodes)
}
