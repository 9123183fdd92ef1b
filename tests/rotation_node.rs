//! Issue 31 against a real 5.0 node (cassandra-all from Maven Central): rotations under
//! continuous connections, as the node itself sees them.
//!
//! One node, `MutualTlsAuthenticator` with `SpiffeCertificateValidator` on the native port, its
//! truststore a PEM file holding two CAs made by OpenSSL (A and B). Three client certificates,
//! each with a SPIFFE URI: `one` and `two` from CA A, `three` from CA B; their identities (as
//! OpenSSL prints them) are mapped to `role1`, `role2` and `role3` with `ADD IDENTITY` (the node
//! first runs `PasswordAuthenticator` on the same data, for the default superuser).
//!
//! 1. A client's identity rotates under continuous connections: reloading clients read their
//!    key from Kubernetes Secret volumes written as the kubelet writes them (a cert-manager
//!    `tls.crt`/`tls.key` pair through `DriverTls::from_secret(..).build_reloading()`, and a
//!    `tls-combined.pem` key store through `reloading_client_config`); one thread connects and
//!    logs in without pause, with each client's live config (taken once, as a driver keeps it)
//!    and with configs bound per connection (`Handshake::client`). The Secrets switch from `one`
//!    to `two` and the reloaders are checked; every connection begun after that logs in as
//!    `role2` by the node's own `system_views.clients` row for that connection (its port), and
//!    none fails. One connection per way straddles the swap (handshake before it, first read,
//!    and so the node's session tickets, after it): the race in which a session made with the
//!    old certificate lands where later connections resume it.
//! 2. The node drops a CA: with clients of CA A and of CA B reconnecting without pause (their
//!    configs keep sessions and resume them), the node's truststore file is replaced by one
//!    holding CA B alone and `nodetool reloadssl` is run; every CA-A connection begun after it
//!    returned is refused in TLS, and every CA-B connection still logs in.
#![cfg(feature = "diagnostics")]

mod common;

use std::collections::BTreeMap;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cassandra_tls::Error;
use cassandra_tls::handshake::{Handshake, Session, blocking};
use cassandra_tls::options::{CassandraYaml, MountedSecret};
use cassandra_tls::tls::reload::{self, Outcome, Reloader};
use cassandra_tls::tls::{self, ClientRole, ClientTls, DriverTls, TlsSettings};
use common::cassandra;
use common::cql;
use common::kubelet::{SecretVolume, ca_named, pem};

const LINE: &str = "5.0";

const MTLS: &str = "authenticator:
  class_name: org.apache.cassandra.auth.MutualTlsAuthenticator
  parameters:
    validator_class_name: org.apache.cassandra.auth.SpiffeCertificateValidator
";

const PASSWORD: &str = "authenticator: PasswordAuthenticator\n";

/// The node's sections: `auth`, and the native port with the fixtures' node1 key store (PEM)
/// and `truststore` (PEM), client certificates required.
fn sections(auth: &str, truststore: &Path) -> String {
    format!(
        "{auth}client_encryption_options:
  enabled: true
  ssl_context_factory:
    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory
  keystore: {{stores}}/node1-keystore.pem
  keystore_password: cassandra
  truststore: {}
  require_client_auth: true
",
        truststore.display()
    )
}

/// A client yaml: a PEM key store (key, then chain) and a PEM truststore.
fn client_yaml(keystore: &Path, truststore: &Path) -> CassandraYaml {
    CassandraYaml::from_str(&format!(
        "client_encryption_options:\n  enabled: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n  keystore: {}\n  truststore: {}\n",
        keystore.display(),
        truststore.display()
    ))
    .unwrap()
}

/// The CA that issued node1's certificate, as the clients trust it.
fn node_ca() -> PathBuf {
    common::fixtures().join("stores").join("ca.pem")
}

/// The OpenSSL PKI: CAs `ca-a` and `ca-b`; leaves `one`, `two` (CA A) and `three` (CA B), each
/// with the SPIFFE URI `spiffe://rotation.test/NAME`; `NAME.pem` is the key then the leaf.
struct Pki {
    dir: PathBuf,
    /// Each leaf's identity, as OpenSSL prints its URI SAN.
    identities: BTreeMap<&'static str, String>,
}

fn openssl(args: &mut Command) -> String {
    common::run_ok(args)
}

/// A P-256 leaf signed by `ca` in `dir` with a SPIFFE URI SAN; returns the URI as OpenSSL reads
/// it back from the certificate.
fn spiffe_leaf(dir: &Path, ca: &str, name: &str) -> String {
    let ext = dir.join(format!("{name}.ext"));
    std::fs::write(
        &ext,
        format!("subjectAltName=URI:spiffe://rotation.test/{name}\nextendedKeyUsage=clientAuth\n"),
    )
    .unwrap();
    openssl(
        Command::new("openssl")
            .args(["req", "-new", "-newkey", "ec", "-pkeyopt"])
            .args(["ec_paramgen_curve:P-256", "-nodes", "-subj"])
            .arg(format!("/CN={name}"))
            .arg("-keyout")
            .arg(dir.join(format!("{name}.key")))
            .arg("-out")
            .arg(dir.join(format!("{name}.csr"))),
    );
    openssl(
        Command::new("openssl")
            .args(["x509", "-req", "-days", "2", "-CAcreateserial"])
            .arg("-in")
            .arg(dir.join(format!("{name}.csr")))
            .arg("-CA")
            .arg(dir.join(format!("{ca}.crt")))
            .arg("-CAkey")
            .arg(dir.join(format!("{ca}.key")))
            .arg("-extfile")
            .arg(&ext)
            .arg("-out")
            .arg(dir.join(format!("{name}.crt"))),
    );
    std::fs::write(dir.join(format!("{name}.pem")), pem(dir, name)).unwrap();
    let san = openssl(
        Command::new("openssl")
            .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
            .arg(dir.join(format!("{name}.crt"))),
    );
    san.lines()
        .find_map(|l| l.trim().strip_prefix("URI:"))
        .unwrap_or_else(|| panic!("no URI SAN in {name}: {san}"))
        .trim()
        .to_owned()
}

fn pki(dir: PathBuf) -> Pki {
    std::fs::create_dir_all(&dir).unwrap();
    ca_named(&dir, "ca-a");
    ca_named(&dir, "ca-b");
    let identities = [("one", "ca-a"), ("two", "ca-a"), ("three", "ca-b")]
        .into_iter()
        .map(|(name, ca)| (name, spiffe_leaf(&dir, ca, name)))
        .collect();
    Pki { dir, identities }
}

impl Pki {
    fn read(&self, file: &str) -> Vec<u8> {
        common::read(&self.dir.join(file))
    }

    /// A PEM truststore of the CAs named.
    fn bundle(&self, cas: &[&str]) -> Vec<u8> {
        cas.iter()
            .flat_map(|ca| self.read(&format!("{ca}.crt")))
            .collect()
    }

    /// A client of `leaf`'s certificate that does not reload (and keeps its sessions).
    fn client(&self, leaf: &str) -> ClientTls {
        let yaml = client_yaml(&self.dir.join(format!("{leaf}.pem")), &node_ca());
        tls::client_config(&yaml, ClientRole::Native, &TlsSettings::default()).unwrap()
    }

    /// cert-manager's files for `leaf`: `tls.crt`, `tls.key`, `ca.crt` (the CA the node's
    /// certificate comes from), and with `combined` `tls-combined.pem`.
    fn cert_manager(&self, leaf: &str, combined: bool) -> Vec<(&'static str, Vec<u8>)> {
        let mut files = vec![
            ("tls.crt", self.read(&format!("{leaf}.crt"))),
            ("tls.key", self.read(&format!("{leaf}.key"))),
            ("ca.crt", common::read(&node_ca())),
        ];
        if combined {
            files.push(("tls-combined.pem", pem(&self.dir, leaf)));
        }
        files
    }
}

/// How one connection went.
#[derive(Clone, Debug)]
enum Conn {
    /// Logged in; what the node's `system_views.clients` says of this connection (matched on
    /// its address and port), and whether our side resumed a session.
    In {
        username: String,
        ssl_protocol: String,
        resumed: bool,
    },
    /// Refused in TLS: the handshake failed, or the node's alert (or its reset) came before
    /// any CQL answer (TLSv1.3's client finishes first, the server checks after).
    Refused(String),
    /// Anything else: a CQL error, no row, a socket error before TLS.
    Failed(String),
}

impl Conn {
    fn username(&self) -> Option<&str> {
        match self {
            Conn::In { username, .. } => Some(username),
            _ => None,
        }
    }
}

/// One response frame: (opcode, body).
fn receive_frame(s: &mut Session, sock: &mut TcpStream) -> Result<(u8, Vec<u8>), Error> {
    let mut buf = Vec::new();
    loop {
        if buf.len() >= 9 {
            let len = u32::from_be_bytes([buf[5], buf[6], buf[7], buf[8]]) as usize;
            if buf.len() >= 9 + len {
                return Ok((buf[4], buf[9..9 + len].to_vec()));
            }
        }
        let more = s.receive(sock)?;
        if more.is_empty() {
            return Err(Error::Transport {
                during: "receiving",
                source: std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the node sent close_notify",
                ),
            });
        }
        buf.extend(more);
    }
}

fn exchange(s: &mut Session, sock: &mut TcpStream, frame: &[u8]) -> Result<(u8, Vec<u8>), Error> {
    s.send(frame, sock)?;
    receive_frame(s, sock)
}

/// The [string] at `body[at..]`, and the offset after it.
fn string_at(body: &[u8], at: usize) -> Result<(String, usize), String> {
    let n = body
        .get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)
        .ok_or("short body")?;
    let s = body.get(at + 2..at + 2 + n).ok_or("short body")?;
    Ok((String::from_utf8_lossy(s).into_owned(), at + 2 + n))
}

/// An ERROR frame's message.
fn error_message(body: &[u8]) -> String {
    string_at(body, 4)
        .map(|(s, _)| s)
        .unwrap_or_else(|e| format!("an ERROR frame ({e})"))
}

/// The rows of a Rows result whose columns are all text (varchar or ascii).
fn text_rows(body: &[u8]) -> Result<Vec<Vec<Option<String>>>, String> {
    let i32_at = |p: usize| -> Result<i32, String> {
        body.get(p..p + 4)
            .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| "short body".to_owned())
    };
    if i32_at(0)? != 2 {
        return Err(format!("result kind {} instead of Rows", i32_at(0)?));
    }
    let flags = i32_at(4)?;
    let columns = i32_at(8)? as usize;
    let mut p = 12;
    if flags & 0x0002 != 0 {
        p += 4 + i32_at(p)?.max(0) as usize; // paging state
    }
    if flags & 0x0004 == 0 {
        if flags & 0x0001 != 0 {
            p = string_at(body, p)?.1; // keyspace
            p = string_at(body, p)?.1; // table
        }
        for _ in 0..columns {
            if flags & 0x0001 == 0 {
                p = string_at(body, p)?.1;
                p = string_at(body, p)?.1;
            }
            p = string_at(body, p)?.1; // name
            let ty = body
                .get(p..p + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .ok_or("short body")?;
            if ty != 0x000D && ty != 0x0001 {
                return Err(format!("column type {ty:#06x} is not text"));
            }
            p += 2;
        }
    }
    let count = i32_at(p)? as usize;
    p += 4;
    let mut rows = Vec::with_capacity(count);
    for _ in 0..count {
        let mut row = Vec::with_capacity(columns);
        for _ in 0..columns {
            let n = i32_at(p)?;
            p += 4;
            if n < 0 {
                row.push(None);
            } else {
                let v = body.get(p..p + n as usize).ok_or("short body")?;
                row.push(Some(String::from_utf8_lossy(v).into_owned()));
                p += n as usize;
            }
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Connects to the node's native port, handshakes with `hs`, logs in (STARTUP, and an empty
/// AUTH_RESPONSE when asked: the certificate is the credential), and asks the node who this
/// connection is.
fn connect(hs: Handshake, port: u16) -> Conn {
    match open(hs, port) {
        Ok(opened) => log_in(opened),
        Err(conn) => conn,
    }
}

/// A TLS session with the node, not read from yet, and the connection's local port.
type Opened = (Session, TcpStream, u16);

/// Connects and handshakes with `hs`; nothing is read after the handshake (so nothing the node
/// sent after it, such as TLSv1.3's session tickets, has been processed yet).
fn open(hs: Handshake, port: u16) -> Result<Opened, Conn> {
    let mut sock = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| Conn::Failed(format!("connect: {e}")))?;
    sock.set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    sock.set_nodelay(true).unwrap();
    let local = sock.local_addr().unwrap().port();
    match blocking::handshake(hs, &mut sock) {
        Ok((s, _)) => Ok((s, sock, local)),
        Err(e) => Err(Conn::Refused(format!("handshake: {e}"))),
    }
}

/// Logs in over an opened session (STARTUP, and an empty AUTH_RESPONSE when asked: the
/// certificate is the credential) and asks the node who this connection is.
fn log_in((mut s, mut sock, local): Opened) -> Conn {
    // The first answer: before it, a TLS error or a reset is the node refusing the
    // certificate (its alert follows our Finished); after it, everything is a failure.
    let first = match exchange(&mut s, &mut sock, &cql::startup()) {
        Ok(f) => f,
        Err(e @ (Error::Handshake(_) | Error::Transport { .. })) => {
            return Conn::Refused(format!("after the handshake: {e}"));
        }
        Err(e) => return Conn::Failed(format!("STARTUP: {e}")),
    };
    let logged_in = match first {
        (0x02, _) => Ok(()),
        (0x03, _) => match exchange(&mut s, &mut sock, &cql::auth_response(b"")) {
            Ok((0x10, _)) => Ok(()),
            Ok((0x00, body)) => Err(format!("AUTH_RESPONSE: {}", error_message(&body))),
            Ok((op, _)) => Err(format!("opcode {op:#04x} after AUTH_RESPONSE")),
            Err(e) => Err(format!("AUTH_RESPONSE: {e}")),
        },
        (0x00, body) => Err(format!("STARTUP: {}", error_message(&body))),
        (op, _) => Err(format!("opcode {op:#04x} after STARTUP")),
    };
    if let Err(e) = logged_in {
        return Conn::Failed(e);
    }
    let q = format!(
        "SELECT username, ssl_protocol FROM system_views.clients WHERE address = '127.0.0.1' AND port = {local}"
    );
    let conn = match exchange(&mut s, &mut sock, &cql::query(&q)) {
        Ok((0x08, body)) => match text_rows(&body) {
            Ok(rows) if rows.len() == 1 => Conn::In {
                username: rows[0][0].clone().unwrap_or_default(),
                ssl_protocol: rows[0][1].clone().unwrap_or_default(),
                resumed: s.resumed(),
            },
            Ok(rows) => Conn::Failed(format!("system_views.clients for port {local}: {rows:?}")),
            Err(e) => Conn::Failed(format!("system_views.clients: {e}")),
        },
        Ok((0x00, body)) => Conn::Failed(format!("{q}: {}", error_message(&body))),
        Ok((op, _)) => Conn::Failed(format!("{q}: opcode {op:#04x}")),
        Err(e) => Conn::Failed(format!("{q}: {e}")),
    };
    s.close();
    let _ = s.flush_to(&mut sock);
    conn
}

/// Where the test stands, as the connecting thread reads it when a connection begins and ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// The first material everywhere.
    Before = 0,
    /// Files being swapped and reloaded.
    Swapping = 1,
    /// The reload returned.
    After = 2,
}

impl Phase {
    fn from(n: u8) -> Phase {
        [Phase::Before, Phase::Swapping, Phase::After][n as usize]
    }
}

#[derive(Clone, Debug)]
struct Record {
    how: &'static str,
    began: Phase,
    ended: Phase,
    conn: Conn,
}

/// A way of making a client handshake (a live config taken once, or one bound per connection).
type Maker = Box<dyn Fn() -> Handshake + Send>;

/// One thread connecting and logging in without pause, round robin over `makers`, until
/// stopped (also when dropped: a failing test stops it).
struct Connector {
    phase: Arc<AtomicU8>,
    stop: Arc<AtomicBool>,
    records: Arc<Mutex<Vec<Record>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Connector {
    fn start(port: u16, makers: Vec<(&'static str, Maker)>) -> Connector {
        let phase = Arc::new(AtomicU8::new(Phase::Before as u8));
        let stop = Arc::new(AtomicBool::new(false));
        let records = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (phase, stop, records) = (phase.clone(), stop.clone(), records.clone());
            std::thread::spawn(move || {
                'outer: loop {
                    for (how, make) in &makers {
                        if stop.load(Ordering::SeqCst) {
                            break 'outer;
                        }
                        let began = Phase::from(phase.load(Ordering::SeqCst));
                        let conn = connect(make(), port);
                        let ended = Phase::from(phase.load(Ordering::SeqCst));
                        records.lock().unwrap().push(Record {
                            how,
                            began,
                            ended,
                            conn,
                        });
                    }
                }
            })
        };
        Connector {
            phase,
            stop,
            records,
            thread: Some(thread),
        }
    }

    fn set(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::SeqCst);
    }

    /// How many connections of `how` began and ended in `phase`.
    fn count(&self, how: &str, phase: Phase) -> usize {
        self.records
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.how == how && r.began == phase && r.ended == phase)
            .count()
    }

    /// Waits until every way in `hows` has `n` connections wholly in `phase` and `at_least`
    /// has passed since `since`.
    fn wait_for(&self, hows: &[&str], phase: Phase, n: usize, since: Instant, at_least: Duration) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while !(hows.iter().all(|h| self.count(h, phase) >= n) && since.elapsed() >= at_least) {
            assert!(
                Instant::now() < deadline,
                "connections stopped progressing in {phase:?}: {:?}",
                hows.iter()
                    .map(|h| (h, self.count(h, phase)))
                    .collect::<Vec<_>>()
            );
            if let Some(r) = self
                .records
                .lock()
                .unwrap()
                .iter()
                .find(|r| matches!(r.conn, Conn::Failed(_)))
            {
                panic!("a connection failed: {r:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn finish(mut self) -> Vec<Record> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap();
        std::mem::take(&mut *self.records.lock().unwrap())
    }
}

impl Drop for Connector {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Connections of one way that began and ended in the same phases.
#[derive(Default)]
struct Tally {
    connections: usize,
    resumed: usize,
    /// What they got: the user and protocol the node reports, or why they failed.
    seen: BTreeMap<String, usize>,
}

/// A summary per way and phase: connections, users seen, resumed sessions, refusals.
fn summary(records: &[Record]) -> String {
    let mut by: BTreeMap<(&str, Phase, Phase), Tally> = BTreeMap::new();
    for r in records {
        let t = by.entry((r.how, r.began, r.ended)).or_default();
        t.connections += 1;
        let what = match &r.conn {
            Conn::In {
                username,
                ssl_protocol,
                resumed,
            } => {
                t.resumed += usize::from(*resumed);
                format!("{username} ({ssl_protocol})")
            }
            Conn::Refused(why) => format!("refused: {why}"),
            Conn::Failed(why) => format!("FAILED: {why}"),
        };
        *t.seen.entry(what).or_default() += 1;
    }
    by.into_iter()
        .map(|((how, began, ended), t)| {
            format!(
                "  {how:<16} {began:?}->{ended:?}: {} connections, {} resumed, {:?}",
                t.connections, t.resumed, t.seen
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `nodetool ARGS` against the node's local JMX port (cassandra-all's own NodeTool, as
/// scripts/cassandra-node.sh runs it); (success, what it printed). Killed after 180 s.
fn nodetool(jmx_port: u16, args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    let mut child = Command::new(common::root().join("scripts/cassandra-node.sh"))
        .args([
            "nodetool",
            LINE,
            "-h",
            "127.0.0.1",
            "-p",
            &jmx_port.to_string(),
        ])
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("run NodeTool");
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let said = format!(
        "{}{}",
        std::fs::read_to_string(&out).unwrap_or_default(),
        std::fs::read_to_string(&err).unwrap_or_default()
    );
    (status.is_some_and(|s| s.success()), said)
}

/// The first line the node prints from now on that contains `needle`, within `within`.
fn node_says(node: &cassandra::Node, needle: &str, within: Duration) -> Option<String> {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match node.lines.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return Some(line),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// The native port: the one answering OPTIONS with SUPPORTED over TLS (the others are the
/// storage port and JMX's).
fn native_port(node: &cassandra::Node, jmx_port: u16, c: &ClientTls) -> u16 {
    for &port in node.ports.iter().filter(|&&p| p != jmx_port) {
        let Ok(mut sock) = TcpStream::connect(("127.0.0.1", port)) else {
            continue;
        };
        sock.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        if let Ok((mut s, _)) =
            blocking::handshake(Handshake::client(c, "127.0.0.1").unwrap(), &mut sock)
            && let Ok((0x06, _)) = exchange(&mut s, &mut sock, &cql::options())
        {
            return port;
        }
    }
    panic!("no native port among {:?}", node.ports)
}

fn start(
    dir: tempfile::TempDir,
    auth: &str,
    truststore: &Path,
    jvm_opts: Option<String>,
) -> Option<cassandra::Node> {
    match cassandra::try_start_in_with(
        dir,
        LINE,
        None,
        &sections(auth, truststore),
        true,
        jvm_opts,
    )? {
        Ok(node) => Some(node),
        Err(said) => panic!("Cassandra {LINE} did not start: {said:#?}"),
    }
}

/// The node with PasswordAuthenticator: the default superuser makes role1, role2 and role3
/// (LOGIN) and maps the three identities to them. Returns the data directory.
fn map_identities(pki: &Pki, truststore: &Path) -> Option<tempfile::TempDir> {
    let node = start(tempfile::tempdir().unwrap(), PASSWORD, truststore, None)?;
    let admin = pki.client("one");
    let port = native_port(&node, 0, &admin);
    let deadline = Instant::now() + Duration::from_secs(120);
    let (mut s, mut sock) = loop {
        let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let (mut s, _) =
            blocking::handshake(Handshake::client(&admin, "127.0.0.1").unwrap(), &mut sock)
                .expect("mTLS handshake with the node");
        let l = cql::login(&mut s, &mut sock, b"\0cassandra\0cassandra");
        match l.outcome {
            Ok(()) => break (s, sock),
            // CassandraRoleManager sets the superuser up just after start-up: the node's
            // answer is polled.
            Err(e) if Instant::now() < deadline => {
                eprintln!("login as cassandra not yet: {e}");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => panic!("login as cassandra: {e}"),
        }
    };
    let roles = [("one", "role1"), ("two", "role2"), ("three", "role3")];
    for (leaf, role) in roles {
        for statement in [
            format!("CREATE ROLE {role} WITH LOGIN = true"),
            format!("ADD IDENTITY '{}' TO ROLE '{role}'", pki.identities[leaf]),
        ] {
            cql::run(&mut s, &mut sock, &statement).unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
    }
    drop((s, sock));
    Some(node.stop())
}

/// The ways of part 1, for the connection of each that straddles the swap.
const STRADDLING: [&str; 4] = [
    "secret live (straddling)",
    "secret bound (straddling)",
    "yaml live (straddling)",
    "yaml bound (straddling)",
];

/// Part 1: a client identity rotation under continuous connections.
fn identity_rotation(pki: &Pki, node: &cassandra::Node, port: u16, work: &Path) {
    let mut pair = SecretVolume::new(work.join("secret-pair"));
    let mut combined = SecretVolume::new(work.join("secret-combined"));
    pair.write(&pki.cert_manager("one", false));
    combined.write(&pki.cert_manager("one", true));
    // cert-manager's tls.crt/tls.key, followed as one pair.
    let secret = MountedSecret::open(&pair.dir, None, None).unwrap();
    let (driver, driver_reloader) = DriverTls::from_secret(&secret)
        .unwrap()
        .build_reloading()
        .unwrap();
    // tls-combined.pem as a PEM key store, from a yaml.
    let yaml = client_yaml(
        &combined.dir.join("tls-combined.pem"),
        &combined.dir.join("ca.crt"),
    );
    let (from_yaml, yaml_reloader) =
        reload::reloading_client_config(&yaml, ClientRole::Native, &TlsSettings::default())
            .unwrap();
    // The live configs, taken once as a driver takes them.
    let driver_live = driver.config().clone();
    let yaml_live = from_yaml.config().clone();
    let ways = || -> Vec<(&'static str, Maker)> {
        let (driver_live, yaml_live) = (driver_live.clone(), yaml_live.clone());
        let (driver, from_yaml) = (driver.clone(), from_yaml.clone());
        vec![
            (
                "secret live",
                Box::new(move || {
                    Handshake::client_with_config(driver_live.clone(), "127.0.0.1").unwrap()
                }),
            ),
            (
                "secret bound",
                Box::new(move || Handshake::client(&driver, "127.0.0.1").unwrap()),
            ),
            (
                "yaml live",
                Box::new(move || {
                    Handshake::client_with_config(yaml_live.clone(), "127.0.0.1").unwrap()
                }),
            ),
            (
                "yaml bound",
                Box::new(move || Handshake::client(&from_yaml, "127.0.0.1").unwrap()),
            ),
        ]
    };
    let makers = ways();
    let hows: Vec<&str> = makers.iter().map(|(h, _)| *h).collect();
    let started = Instant::now();
    let connector = Connector::start(port, makers);
    connector.wait_for(&hows, Phase::Before, 15, started, Duration::from_secs(2));

    // One connection per way straddles the swap, as a driver's connection opened just before a
    // rotation does: its handshake (with the first certificate) is over before the swap, and
    // its first read, which takes in the node's session tickets, comes after the reloaders
    // returned. Its session must not be resumed by the connections that follow.
    let straddling: Vec<(&'static str, Opened)> = ways()
        .into_iter()
        .zip(STRADDLING)
        .map(|((_, make), how)| {
            let opened = open(make(), port)
                .unwrap_or_else(|c| panic!("{how}: the handshake before the swap: {c:?}"));
            (how, opened)
        })
        .collect();

    connector.set(Phase::Swapping);
    let swap = Instant::now();
    pair.write(&pki.cert_manager("two", false));
    combined.write(&pki.cert_manager("two", true));
    let check = |name: &str, r: &Reloader| match r.check() {
        Outcome::Reloaded { changed, .. } => assert!(!changed.is_empty(), "{name}"),
        other => panic!("{name}: {other}"),
    };
    check("the Secret's pair", &driver_reloader);
    check("tls-combined.pem", &yaml_reloader);
    let swapped_in = swap.elapsed();
    let mut records: Vec<Record> = straddling
        .into_iter()
        .map(|(how, opened)| Record {
            how,
            began: Phase::Before,
            ended: Phase::After,
            conn: log_in(opened),
        })
        .collect();
    connector.set(Phase::After);
    let after = Instant::now();
    connector.wait_for(&hows, Phase::After, 75, after, Duration::from_secs(8));
    records.extend(connector.finish());
    let after_for = after.elapsed();
    println!(
        "identity rotation on Cassandra {} ({}): swap and checks took {swapped_in:?}, then {after_for:?} of connections\n{}",
        node.version,
        node.jvm,
        summary(&records)
    );

    let failed: Vec<&Record> = records
        .iter()
        .filter(|r| !matches!(r.conn, Conn::In { .. }))
        .collect();
    assert!(
        failed.is_empty(),
        "connections that did not log in: {failed:#?}"
    );
    for r in &records {
        let user = r.conn.username().unwrap();
        let ok = match (r.began, r.ended) {
            (Phase::Before, Phase::Before) => user == "role1",
            (Phase::After, _) => user == "role2",
            _ => user == "role1" || user == "role2",
        };
        assert!(ok, "{r:?}");
    }
    // A live config keeps no sessions: every one of its connections was a full handshake.
    assert!(
        !records
            .iter()
            .any(|r| r.how.ends_with("live") && matches!(r.conn, Conn::In { resumed: true, .. })),
        "a live config resumed a session"
    );
    let after_count = records.iter().filter(|r| r.began == Phase::After).count();
    let before_count = records
        .iter()
        .filter(|r| r.began == Phase::Before && r.ended == Phase::Before)
        .count();
    println!(
        "identity rotation: {before_count} connections as role1 before the swap, {after_count} begun after it, all role2"
    );
    assert!(
        after_count >= 300 && before_count >= 60,
        "{before_count} / {after_count}"
    );
}

/// Part 2: the node drops CA A with `nodetool reloadssl` under continuous connections.
fn dropped_ca(pki: &Pki, node: &cassandra::Node, port: u16, jmx_port: u16, truststore: &Path) {
    let a = pki.client("one");
    let b = pki.client("three");
    let makers: Vec<(&'static str, Maker)> = vec![
        (
            "CA A (one)",
            Box::new(move || Handshake::client(&a, "127.0.0.1").unwrap()),
        ),
        (
            "CA B (three)",
            Box::new(move || Handshake::client(&b, "127.0.0.1").unwrap()),
        ),
    ];
    let hows: Vec<&str> = makers.iter().map(|(h, _)| *h).collect();
    let started = Instant::now();
    let connector = Connector::start(port, makers);
    connector.wait_for(&hows, Phase::Before, 30, started, Duration::from_secs(2));

    connector.set(Phase::Swapping);
    // The new truststore replaces the old file in one step, as an operator's tooling does.
    let tmp = truststore.with_extension("new");
    std::fs::write(&tmp, pki.bundle(&["ca-b"])).unwrap();
    std::fs::rename(&tmp, truststore).unwrap();
    let reload = Instant::now();
    let (ok, said) = nodetool(jmx_port, &["reloadssl"]);
    assert!(ok, "nodetool reloadssl: {said}");
    let reloaded_in = reload.elapsed();
    connector.set(Phase::After);
    let after = Instant::now();
    let updated = node_says(
        node,
        "SSL certificates have been updated",
        Duration::from_secs(30),
    )
    .expect("the node says it reloaded");
    connector.wait_for(&hows, Phase::After, 100, after, Duration::from_secs(6));
    let records = connector.finish();
    println!(
        "dropped CA: nodetool reloadssl took {reloaded_in:?}; the node said: {updated}\n{}",
        summary(&records)
    );

    for r in &records {
        let ok = match (r.how, r.began, r.ended, &r.conn) {
            ("CA B (three)", _, _, Conn::In { username, .. }) => username == "role3",
            ("CA A (one)", Phase::Before, Phase::Before, Conn::In { username, .. }) => {
                username == "role1"
            }
            ("CA A (one)", Phase::After, _, Conn::Refused(_)) => true,
            ("CA A (one)", Phase::Before | Phase::Swapping, Phase::Swapping | Phase::After, c) => {
                matches!(c, Conn::Refused(_)) || c.username() == Some("role1")
            }
            _ => false,
        };
        assert!(ok, "{r:?}");
    }
    let refused = records
        .iter()
        .filter(|r| r.began == Phase::After && matches!(r.conn, Conn::Refused(_)))
        .count();
    let admitted = records
        .iter()
        .filter(|r| r.how == "CA B (three)" && r.began == Phase::After)
        .count();
    println!(
        "dropped CA: {refused} CA-A connections begun after reloadssl, all refused; {admitted} CA-B connections, all role3"
    );
    assert!(refused >= 100 && admitted >= 100, "{refused} / {admitted}");
}

#[test]
fn rotations_reach_every_new_connection_to_a_real_node() {
    if !common::tools_present(&["openssl"]) {
        return;
    }
    let begun = Instant::now();
    let work = tempfile::tempdir().unwrap();
    let pki = pki(work.path().join("pki"));
    // The node's truststore: CA A and CA B, a file of its own (replaced in part 2).
    let truststore = work.path().join("node-truststore.pem");
    std::fs::write(&truststore, pki.bundle(&["ca-a", "ca-b"])).unwrap();

    let Some(data) = map_identities(&pki, &truststore) else {
        return;
    };
    let jmx_port = common::cluster::free_port_on(&[[127, 0, 0, 1].into()]);
    let Some(node) = start(
        data,
        MTLS,
        &truststore,
        Some(format!("-Dcassandra.jmx.local.port={jmx_port}")),
    ) else {
        return;
    };
    let port = native_port(&node, jmx_port, &pki.client("three"));
    println!("node up after {:?}", begun.elapsed());

    identity_rotation(&pki, &node, port, work.path());
    dropped_ca(&pki, &node, port, jmx_port, &truststore);
    drop(node);
    println!("wall time {:?}", begun.elapsed());
}
