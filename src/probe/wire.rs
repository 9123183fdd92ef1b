//! Bytes the probe writes and reads itself: a ClientHello for the protocol versions rustls does
//! not speak (TLSv1, TLSv1.1) and TLSv1.2 key exchanges it refuses (RSA, without forward
//! secrecy), and the few CQL native protocol v4 frames it needs (OPTIONS in the clear; STARTUP
//! and QUERY over a session to read `system.local` and `system.peers_v2`). Every length read
//! from the wire is checked before it is used.

use std::net::IpAddr;

/// TLS versions as they appear on the wire.
pub(crate) const TLS10: u16 = 0x0301;
pub(crate) const TLS11: u16 = 0x0302;
pub(crate) const TLS12: u16 = 0x0303;

/// Suites a TLSv1 or TLSv1.1 server of the JDK or OpenSSL era would pick: ECDHE and DHE with
/// CBC, then RSA key exchange, then 3DES.
pub(crate) const LEGACY_SUITES: &[u16] = &[
    0xc00a, 0xc009, 0xc014, 0xc013, 0x0039, 0x0033, 0x0035, 0x002f, 0xc012, 0x000a,
];

/// TLSv1.2 suites with RSA key exchange: no forward secrecy (a recorded session can be
/// decrypted later with the server's key).
pub(crate) const NO_FORWARD_SECRECY_SUITES: &[u16] =
    &[0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a];

fn u16be(v: usize) -> [u8; 2] {
    (v as u16).to_be_bytes()
}

/// A ClientHello offering exactly `version` (no supported_versions extension, so a TLSv1.3
/// server answers as its `version` self would) and `suites`. `sni` is sent for DNS names.
pub(crate) fn client_hello(
    version: u16,
    suites: &[u16],
    sni: Option<&str>,
    random: [u8; 32],
) -> Vec<u8> {
    let mut ext = Vec::new();
    let mut push_ext = |ty: u16, body: &[u8]| {
        ext.extend_from_slice(&ty.to_be_bytes());
        ext.extend_from_slice(&u16be(body.len()));
        ext.extend_from_slice(body);
    };
    if let Some(name) = sni {
        let mut list = vec![0u8];
        list.extend_from_slice(&u16be(name.len()));
        list.extend_from_slice(name.as_bytes());
        let mut body = u16be(list.len()).to_vec();
        body.extend(list);
        push_ext(0x0000, &body);
    }
    // supported_groups: x25519, secp256r1, secp384r1.
    push_ext(0x000a, &[0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18]);
    // ec_point_formats: uncompressed.
    push_ext(0x000b, &[0x01, 0x00]);
    // signature_algorithms (read by TLSv1.2 servers only): ECDSA and RSA with SHA-256/384,
    // RSA-PSS, then SHA-1.
    let schemes: [u16; 8] = [
        0x0403, 0x0503, 0x0804, 0x0805, 0x0401, 0x0501, 0x0203, 0x0201,
    ];
    let mut sig = u16be(schemes.len() * 2).to_vec();
    for s in schemes {
        sig.extend_from_slice(&s.to_be_bytes());
    }
    push_ext(0x000d, &sig);
    // renegotiation_info, empty (RFC 5746): some servers refuse hellos without it.
    push_ext(0xff01, &[0x00]);

    let mut hello = Vec::new();
    hello.extend_from_slice(&version.to_be_bytes());
    hello.extend_from_slice(&random);
    hello.push(0); // no session id
    hello.extend_from_slice(&u16be(suites.len() * 2));
    for s in suites {
        hello.extend_from_slice(&s.to_be_bytes());
    }
    hello.extend_from_slice(&[0x01, 0x00]); // compression: null
    hello.extend_from_slice(&u16be(ext.len()));
    hello.extend(ext);

    let mut handshake = vec![0x01];
    handshake.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    handshake.extend(hello);
    let mut record = vec![0x16, 0x03, 0x01];
    record.extend_from_slice(&u16be(handshake.len()));
    record.extend(handshake);
    record
}

/// What a server answered to [`client_hello`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum HelloAnswer {
    /// A ServerHello: the version and suite chosen.
    ServerHello { version: u16, suite: u16 },
    /// An alert, or the connection closed: refused.
    Refused,
    /// Bytes that are not TLS.
    NotTls,
    /// More bytes are needed.
    Incomplete,
}

/// Reads the answer to a ClientHello from the bytes received so far.
pub(crate) fn hello_answer(buf: &[u8]) -> HelloAnswer {
    if buf.is_empty() {
        return HelloAnswer::Incomplete;
    }
    match buf[0] {
        0x15 => return HelloAnswer::Refused,
        0x16 => {}
        _ => return HelloAnswer::NotTls,
    }
    if buf.len() < 5 {
        return HelloAnswer::Incomplete;
    }
    let len = u16::from_be_bytes([buf[3], buf[4]]) as usize;
    // A record is at most 2^14 bytes (plus expansion); anything longer is not TLS.
    if len > 18 * 1024 {
        return HelloAnswer::NotTls;
    }
    // The ServerHello is the first handshake message; its fixed part is 1 + 3 + 2 + 32 + 1
    // bytes, then the session id and the suite.
    let body = &buf[5..buf.len().min(5 + len)];
    if body.len() < 39 {
        return if buf.len() >= 5 + len {
            HelloAnswer::NotTls
        } else {
            HelloAnswer::Incomplete
        };
    }
    if body[0] != 0x02 {
        return HelloAnswer::NotTls;
    }
    let version = u16::from_be_bytes([body[4], body[5]]);
    let sid = body[38] as usize;
    let at = 39 + sid;
    if body.len() < at + 2 {
        return if buf.len() >= 5 + len {
            HelloAnswer::NotTls
        } else {
            HelloAnswer::Incomplete
        };
    }
    let suite = u16::from_be_bytes([body[at], body[at + 1]]);
    HelloAnswer::ServerHello { version, suite }
}

// ---- CQL native protocol v4 ------------------------------------------------------------------

/// Opcodes used here.
pub(crate) mod op {
    pub const ERROR: u8 = 0x00;
    pub const STARTUP: u8 = 0x01;
    pub const READY: u8 = 0x02;
    pub const AUTHENTICATE: u8 = 0x03;
    pub const OPTIONS: u8 = 0x05;
    pub const QUERY: u8 = 0x07;
    pub const RESULT: u8 = 0x08;
}

/// The largest response body read (a peers table of a large cluster fits easily).
pub(crate) const MAX_BODY: usize = 16 * 1024 * 1024;

pub(crate) fn frame(stream: i16, opcode: u8, body: &[u8]) -> Vec<u8> {
    let mut f = vec![0x04, 0x00];
    f.extend_from_slice(&stream.to_be_bytes());
    f.push(opcode);
    f.extend_from_slice(&(body.len() as u32).to_be_bytes());
    f.extend_from_slice(body);
    f
}

pub(crate) fn options() -> Vec<u8> {
    frame(0, op::OPTIONS, &[])
}

pub(crate) fn startup() -> Vec<u8> {
    let string = |s: &str| {
        let mut v = u16be(s.len()).to_vec();
        v.extend_from_slice(s.as_bytes());
        v
    };
    let mut body = 1u16.to_be_bytes().to_vec();
    body.extend(string("CQL_VERSION"));
    body.extend(string("3.0.0"));
    frame(1, op::STARTUP, &body)
}

pub(crate) fn query(stream: i16, cql: &str) -> Vec<u8> {
    let mut body = (cql.len() as u32).to_be_bytes().to_vec();
    body.extend_from_slice(cql.as_bytes());
    body.extend_from_slice(&0x0001u16.to_be_bytes()); // consistency ONE
    body.push(0); // no flags
    frame(stream, op::QUERY, &body)
}

/// A response frame: opcode, body, and the frame's length.
pub(crate) type Frame<'a> = (u8, &'a [u8], usize);

/// A complete response frame at the start of `buf`. `Err` when the bytes are not a v3-v5
/// response frame or announce a body larger than [`MAX_BODY`].
pub(crate) fn response(buf: &[u8]) -> Result<Option<Frame<'_>>, String> {
    if buf.len() < 9 {
        return Ok(None);
    }
    if buf[0] & 0x80 == 0 || !(3..=5).contains(&(buf[0] & 0x7f)) {
        return Err(format!(
            "not a CQL response frame (first byte {:#04x})",
            buf[0]
        ));
    }
    let len = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) as usize;
    if len > MAX_BODY {
        return Err(format!(
            "a CQL frame of {len} bytes is beyond the {MAX_BODY} accepted"
        ));
    }
    if buf.len() < 9 + len {
        return Ok(None);
    }
    Ok(Some((buf[4], &buf[9..9 + len], 9 + len)))
}

/// A cursor over a frame body; every read is bounds-checked.
struct Cursor<'a> {
    b: &'a [u8],
    p: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .p
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or("a CQL result ends early")?;
        let s = &self.b[self.p..end];
        self.p = end;
        Ok(s)
    }
    fn i32(&mut self) -> Result<i32, String> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn string(&mut self) -> Result<String, String> {
        let n = self.u16()? as usize;
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
    /// A column type; collection and UDT types are skipped over.
    fn skip_type(&mut self, depth: usize) -> Result<u16, String> {
        if depth > 16 {
            return Err("a CQL type nests too deeply".into());
        }
        let id = self.u16()?;
        match id {
            0x0000 => {
                self.string()?;
            }
            0x0020 | 0x0022 => {
                self.skip_type(depth + 1)?;
            }
            0x0021 => {
                self.skip_type(depth + 1)?;
                self.skip_type(depth + 1)?;
            }
            0x0030 => {
                self.string()?;
                self.string()?;
                let n = self.u16()?;
                for _ in 0..n {
                    self.string()?;
                    self.skip_type(depth + 1)?;
                }
            }
            0x0031 => {
                let n = self.u16()?;
                for _ in 0..n {
                    self.skip_type(depth + 1)?;
                }
            }
            _ => {}
        }
        Ok(id)
    }
}

/// A cell as the probe reads it: inet and int columns decoded, text as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    Null,
    Inet(IpAddr),
    Int(i32),
    Text(String),
    Other,
}

/// The rows of a RESULT Rows body, with their column names.
pub(crate) fn rows(body: &[u8]) -> Result<(Vec<String>, Vec<Vec<Cell>>), String> {
    let mut c = Cursor { b: body, p: 0 };
    if c.i32()? != 2 {
        return Err("the CQL result is not rows".into());
    }
    let flags = c.i32()?;
    let columns = c.i32()?;
    if !(0..=1024).contains(&columns) {
        return Err(format!("a CQL result with {columns} columns"));
    }
    if flags & 0x0002 != 0 {
        let n = c.i32()?;
        if n > 0 {
            c.take(n as usize)?;
        }
    }
    let global = flags & 0x0001 != 0;
    if global {
        c.string()?;
        c.string()?;
    }
    let mut names = Vec::new();
    let mut types = Vec::new();
    if flags & 0x0004 == 0 {
        for _ in 0..columns {
            if !global {
                c.string()?;
                c.string()?;
            }
            names.push(c.string()?);
            types.push(c.skip_type(0)?);
        }
    }
    let count = c.i32()?;
    if count < 0 || count as usize > body.len() {
        return Err(format!("a CQL result announces {count} rows"));
    }
    let mut out = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let mut row = Vec::with_capacity(types.len());
        for ty in &types {
            let n = c.i32()?;
            if n < 0 {
                row.push(Cell::Null);
                continue;
            }
            let v = c.take(n as usize)?;
            row.push(match (ty, v.len()) {
                (0x0010, 4) => Cell::Inet(IpAddr::from([v[0], v[1], v[2], v[3]])),
                (0x0010, 16) => {
                    let mut a = [0u8; 16];
                    a.copy_from_slice(v);
                    Cell::Inet(IpAddr::from(a))
                }
                (0x0009, 4) => Cell::Int(i32::from_be_bytes([v[0], v[1], v[2], v[3]])),
                (0x000d | 0x0001, _) => Cell::Text(String::from_utf8_lossy(v).into_owned()),
                _ => Cell::Other,
            });
        }
        out.push(row);
    }
    Ok((names, out))
}

/// The message of an ERROR body.
pub(crate) fn error_message(body: &[u8]) -> String {
    let mut c = Cursor { b: body, p: 0 };
    match (c.i32(), c.string()) {
        (Ok(code), Ok(m)) => format!("{m} (CQL error {code:#06x})"),
        _ => "an unreadable CQL error".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_answers_are_bounded() {
        assert_eq!(hello_answer(&[]), HelloAnswer::Incomplete);
        assert_eq!(
            hello_answer(&[0x15, 3, 3, 0, 2, 2, 40]),
            HelloAnswer::Refused
        );
        assert_eq!(hello_answer(b"HTTP/1.1 400"), HelloAnswer::NotTls);
        assert_eq!(hello_answer(&[0x16, 3, 3, 0xff, 0xff]), HelloAnswer::NotTls);
        assert_eq!(
            hello_answer(&[0x16, 3, 3, 0, 60, 2]),
            HelloAnswer::Incomplete
        );
    }

    #[test]
    fn rows_refuse_lengths_beyond_the_body() {
        let mut body = 2i32.to_be_bytes().to_vec();
        body.extend(0i32.to_be_bytes());
        body.extend(1i32.to_be_bytes());
        body.extend([0, 0, 0, 0, 0, 0]);
        assert!(rows(&body).is_err());
        let mut huge = 2i32.to_be_bytes().to_vec();
        huge.extend(4i32.to_be_bytes()); // no metadata
        huge.extend(1i32.to_be_bytes());
        huge.extend(i32::MAX.to_be_bytes());
        assert!(rows(&huge).is_err());
        assert!(response(&[0x84, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff]).is_err());
    }

    /// Garbage of every length, and mutations of valid frames: every reader returns, none
    /// panics, none allocates beyond the input.
    #[test]
    fn garbage_never_panics() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut valid = 2i32.to_be_bytes().to_vec();
        valid.extend(1i32.to_be_bytes()); // global table spec
        valid.extend(2i32.to_be_bytes());
        for s in ["system", "local", "rpc_address"] {
            valid.extend((s.len() as u16).to_be_bytes());
            valid.extend(s.as_bytes());
        }
        valid.extend(0x0010u16.to_be_bytes());
        valid.extend((4u16).to_be_bytes());
        valid.extend(b"port");
        valid.extend(0x0009u16.to_be_bytes());
        valid.extend(1i32.to_be_bytes());
        valid.extend(4i32.to_be_bytes());
        valid.extend([127, 0, 0, 1]);
        valid.extend(4i32.to_be_bytes());
        valid.extend(9042i32.to_be_bytes());
        let (names, rows_read) = rows(&valid).unwrap();
        assert_eq!(names, ["rpc_address", "port"]);
        assert_eq!(
            rows_read[0],
            [Cell::Inet(IpAddr::from([127, 0, 0, 1])), Cell::Int(9042)]
        );
        for round in 0..50_000 {
            let mut b: Vec<u8> = if round % 2 == 0 {
                let mut v = valid.clone();
                let i = (next() as usize) % v.len();
                v[i] = next() as u8;
                v.truncate((next() as usize) % (v.len() + 1));
                v
            } else {
                (0..(next() % 80) as usize).map(|_| next() as u8).collect()
            };
            let _ = rows(&b);
            let _ = error_message(&b);
            let _ = hello_answer(&b);
            let _ = response(&b);
            b.insert(0, 0x16);
            let _ = hello_answer(&b);
        }
    }
}
