//! CQL native protocol v4 frames, written here for the tests: OPTIONS, STARTUP, a query, and
//! the one text value of a Rows result.
#![allow(dead_code)]

use std::net::TcpStream;

use cassandra_tls::handshake::Session;

pub fn frame(stream: i16, opcode: u8, body: &[u8]) -> Vec<u8> {
    let mut f = vec![0x04, 0x00];
    f.extend_from_slice(&stream.to_be_bytes());
    f.push(opcode);
    f.extend_from_slice(&(body.len() as u32).to_be_bytes());
    f.extend_from_slice(body);
    f
}

pub fn string(s: &str) -> Vec<u8> {
    let mut v = (s.len() as u16).to_be_bytes().to_vec();
    v.extend_from_slice(s.as_bytes());
    v
}

pub fn options() -> Vec<u8> {
    frame(1, 0x05, &[])
}

pub fn startup() -> Vec<u8> {
    let mut body = 1u16.to_be_bytes().to_vec();
    body.extend(string("CQL_VERSION"));
    body.extend(string("3.0.0"));
    frame(2, 0x01, &body)
}

pub fn query(cql: &str) -> Vec<u8> {
    let mut body = (cql.len() as u32).to_be_bytes().to_vec();
    body.extend_from_slice(cql.as_bytes());
    body.extend_from_slice(&0x0001u16.to_be_bytes()); // consistency ONE
    body.push(0); // no flags
    frame(3, 0x07, &body)
}

/// Reads one response frame: (opcode, body).
pub fn response(read: &mut dyn FnMut() -> Vec<u8>) -> (u8, Vec<u8>) {
    let mut buf = Vec::new();
    loop {
        if buf.len() >= 9 {
            let len = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) as usize;
            if buf.len() >= 9 + len {
                assert_eq!(buf[0] & 0x7f, 0x04, "protocol version of the response");
                return (buf[4], buf[9..9 + len].to_vec());
            }
        }
        let more = read();
        assert!(!more.is_empty(), "the node closed the connection");
        buf.extend(more);
    }
}

/// The single text value of a Rows result (`SELECT release_version FROM system.local`).
pub fn single_text(body: &[u8]) -> String {
    let i32_at = |p: usize| i32::from_be_bytes([body[p], body[p + 1], body[p + 2], body[p + 3]]);
    assert_eq!(i32_at(0), 2, "a Rows result");
    let flags = i32_at(4);
    let columns = i32_at(8);
    assert_eq!(columns, 1);
    let mut p = 12;
    let skip_string = |p: &mut usize| {
        let n = u16::from_be_bytes([body[*p], body[*p + 1]]) as usize;
        *p += 2 + n;
    };
    if flags & 0x0002 != 0 {
        let n = i32_at(p) as usize; // paging state
        p += 4 + n;
    }
    if flags & 0x0001 != 0 {
        skip_string(&mut p);
        skip_string(&mut p);
    }
    skip_string(&mut p); // column name
    p += 2; // type id (varchar)
    assert_eq!(i32_at(p), 1, "one row");
    p += 4;
    let n = i32_at(p) as usize;
    String::from_utf8(body[p + 4..p + 4 + n].to_vec()).unwrap()
}

/// OPTIONS, STARTUP and a query over a TLS session; returns the node's release_version.
pub fn cql_over_tls(session: &mut Session, sock: &mut TcpStream) -> String {
    try_cql_over_tls(session, sock)
        .unwrap_or_else(|e| panic!("OPTIONS, STARTUP and a query over TLS: {e}"))
}

/// [`cql_over_tls`] that reports a refusal (the node's alert, a closed connection, an
/// unexpected answer) as an error instead of failing the test.
pub fn try_cql_over_tls(session: &mut Session, sock: &mut TcpStream) -> Result<String, String> {
    let mut exchange = |frame: Vec<u8>, want: u8| -> Result<Vec<u8>, String> {
        session.send(&frame, sock).map_err(|e| e.to_string())?;
        let mut buf = Vec::new();
        loop {
            if buf.len() >= 9 {
                let len = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) as usize;
                if buf.len() >= 9 + len {
                    if buf[4] != want {
                        return Err(format!("opcode {:#04x} instead of {want:#04x}", buf[4]));
                    }
                    return Ok(buf[9..9 + len].to_vec());
                }
            }
            let more = session.receive(sock).map_err(|e| e.to_string())?;
            if more.is_empty() {
                return Err("the node closed the connection".into());
            }
            buf.extend(more);
        }
    };
    exchange(options(), 0x06)?;
    exchange(startup(), 0x02)?;
    let body = exchange(query("SELECT release_version FROM system.local"), 0x08)?;
    Ok(single_text(&body))
}

/// An AUTH_RESPONSE frame with `token` as its [bytes] body.
pub fn auth_response(token: &[u8]) -> Vec<u8> {
    let mut body = (token.len() as i32).to_be_bytes().to_vec();
    body.extend_from_slice(token);
    frame(4, 0x0F, &body)
}

/// How a CQL login went over a TLS session: what the node asked for after STARTUP (the
/// authenticator class of its AUTHENTICATE, or none for READY) and the outcome.
#[derive(Debug)]
pub struct Login {
    /// The class AUTHENTICATE named; `None` when STARTUP was answered READY.
    pub authenticator: Option<String>,
    /// Ok when the session is logged in (READY or AUTH_SUCCESS); the node's ERROR message
    /// otherwise.
    pub outcome: Result<(), String>,
}

/// One response frame over a session (opcode, body), or why none came.
fn receive_frame(session: &mut Session, sock: &mut TcpStream) -> Result<(u8, Vec<u8>), String> {
    let mut buf = Vec::new();
    loop {
        if buf.len() >= 9 {
            let len = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) as usize;
            if buf.len() >= 9 + len {
                return Ok((buf[4], buf[9..9 + len].to_vec()));
            }
        }
        let more = session.receive(sock).map_err(|e| e.to_string())?;
        if more.is_empty() {
            return Err("the node closed the connection".into());
        }
        buf.extend(more);
    }
}

/// The [string] at the start of `body`.
fn read_string(body: &[u8]) -> String {
    if body.len() < 2 {
        return String::new();
    }
    let n = u16::from_be_bytes([body[0], body[1]]) as usize;
    String::from_utf8_lossy(&body[2..(2 + n).min(body.len())]).into_owned()
}

/// STARTUP, then (when the node asks) one AUTH_RESPONSE with `token`.
pub fn login(session: &mut Session, sock: &mut TcpStream, token: &[u8]) -> Login {
    let mut outcome = |frame: Vec<u8>| -> Result<(u8, Vec<u8>), String> {
        session.send(&frame, sock).map_err(|e| e.to_string())?;
        receive_frame(session, sock)
    };
    let error = |body: &[u8]| read_string(body.get(4..).unwrap_or_default());
    match outcome(startup()) {
        Err(e) => Login {
            authenticator: None,
            outcome: Err(e),
        },
        Ok((0x02, _)) => Login {
            authenticator: None,
            outcome: Ok(()),
        },
        Ok((0x03, body)) => {
            let authenticator = Some(read_string(&body));
            let outcome = match outcome(auth_response(token)) {
                Ok((0x10, _)) => Ok(()),
                Ok((0x00, body)) => Err(error(&body)),
                Ok((op, _)) => Err(format!("opcode {op:#04x} after AUTH_RESPONSE")),
                Err(e) => Err(e),
            };
            Login {
                authenticator,
                outcome,
            }
        }
        Ok((0x00, body)) => Login {
            authenticator: None,
            outcome: Err(error(&body)),
        },
        Ok((op, _)) => Login {
            authenticator: None,
            outcome: Err(format!("opcode {op:#04x} after STARTUP")),
        },
    }
}

/// A query on a logged-in session: Ok with the response opcode's body, or the node's error.
pub fn run(session: &mut Session, sock: &mut TcpStream, cql: &str) -> Result<Vec<u8>, String> {
    session.send(&query(cql), sock).map_err(|e| e.to_string())?;
    match receive_frame(session, sock)? {
        (0x08, body) => Ok(body),
        (0x00, body) => Err(read_string(body.get(4..).unwrap_or_default())),
        (op, _) => Err(format!("opcode {op:#04x}")),
    }
}
