//! `cassandra-tls connect` and `cassandra-tls serve`: the handshake machine over std sockets.

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cassandra_tls::Error;
use cassandra_tls::handshake::{Handshake, PeerIdentity, Session, blocking};
use cassandra_tls::options::scylla::{ScyllaService, ScyllaVersion, ScyllaYaml};
use cassandra_tls::options::{CassandraYaml, Cqlshrc};
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};
use clap::{Args as ClapArgs, ValueEnum};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// A node's internode traffic (server_encryption_options).
    Internode,
    /// Client-to-node traffic (client_encryption_options).
    ClientToNode,
}

/// Arguments of `connect`.
#[derive(ClapArgs)]
pub struct ConnectArgs {
    /// The node's cassandra.yaml.
    #[arg(long)]
    config: PathBuf,
    /// Which traffic: internode (as a node's outbound side) or client-to-node (as a client).
    #[arg(long, value_enum)]
    role: RoleArg,
    /// Use cqlsh's settings from this cqlshrc instead of client_encryption_options.
    #[arg(long)]
    cqlshrc: Option<PathBuf>,
    /// The name or address the server's certificate must show (default: the host connected to).
    #[arg(long)]
    server_name: Option<String>,
    /// Send this text and a newline, and read one line back.
    #[arg(long)]
    send: Option<String>,
    /// Resolve the yaml's relative store paths against this directory (Cassandra's working
    /// directory) instead of the current one.
    #[arg(long, value_name = "DIR")]
    base_dir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// HOST:PORT to connect to.
    target: String,
}

/// Arguments of `serve`.
#[derive(ClapArgs)]
pub struct ServeArgs {
    /// The node's cassandra.yaml.
    #[arg(long)]
    config: PathBuf,
    /// Which traffic: internode (server_encryption_options) or client-to-node.
    #[arg(long, value_enum)]
    role: RoleArg,
    /// HOST:PORT to listen on (port 0 picks a free one; the address is printed on stderr).
    #[arg(long)]
    listen: String,
    /// Read --config as a scylla.yaml, as this ScyllaDB version does (2025.1 to the newest
    /// release, or master; default: the newest release): internode serves
    /// server_encryption_options, client-to-node CQL's client_encryption_options. Without the
    /// flag a file that looks like a scylla.yaml is read as one.
    #[arg(long, value_name = "VERSION", num_args = 0..=1, require_equals = true)]
    scylla: Option<Option<String>>,
    /// Serve one connection, then exit.
    #[arg(long)]
    once: bool,
    /// Read one line from each client and send it back.
    #[arg(long)]
    echo: bool,
    /// Resolve the yaml's relative store paths against this directory (Cassandra's working
    /// directory) instead of the current one.
    #[arg(long, value_name = "DIR")]
    base_dir: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The yaml with its relative paths resolved against `dir` when one is given.
fn based(yaml: CassandraYaml, dir: Option<&PathBuf>) -> CassandraYaml {
    match dir {
        Some(d) => yaml.with_base_dir(d),
        None => yaml,
    }
}

fn peer_json(peer: &PeerIdentity) -> Value {
    json!({"subject": peer.subject(), "sha256": peer.sha256_hex()})
}

fn success_json(session: &Session, peer: &PeerIdentity, received: Option<String>) -> Value {
    json!({
        "ok": true,
        "protocol": session.protocol(),
        "cipher_suite": session.cipher_suite(),
        "peer": peer_json(peer),
        "received": received,
    })
}

fn error_json(e: &Error) -> Value {
    json!({"ok": false, "error": {"kind": e.kind(), "message": e.to_string()}})
}

fn print_result(json_out: bool, result: &Result<Value, Error>) -> ExitCode {
    match (result, json_out) {
        (Ok(v), true) => println!("{v}"),
        (Ok(v), false) => {
            println!(
                "ok: {} {} with {} (sha256 {})",
                v["protocol"].as_str().unwrap_or(""),
                v["cipher_suite"].as_str().unwrap_or(""),
                v["peer"]["subject"]
                    .as_str()
                    .unwrap_or("a peer without a certificate"),
                v["peer"]["sha256"].as_str().unwrap_or("-")
            );
            if let Some(r) = v["received"].as_str() {
                println!("received: {r}");
            }
        }
        (Err(e), true) => println!("{}", error_json(e)),
        (Err(e), false) => eprintln!("error ({}): {e}", e.kind()),
    }
    let _ = std::io::stdout().flush();
    if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn io_error(what: &str, e: std::io::Error) -> Error {
    Error::Io {
        path: PathBuf::from(what),
        source: e,
    }
}

/// Reads one line of plaintext (without its newline).
fn read_line(session: &mut Session, sock: &mut TcpStream) -> Result<Option<String>, Error> {
    let mut line = Vec::new();
    while !line.ends_with(b"\n") {
        let part = session.receive(sock)?;
        if part.is_empty() {
            break;
        }
        line.extend(part);
    }
    if line.is_empty() {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(&line);
    Ok(Some(text.trim_end_matches(['\n', '\r']).to_owned()))
}

pub fn connect(args: ConnectArgs) -> ExitCode {
    match run_connect(&args) {
        Ok(v) => print_result(args.json, &Ok(v)),
        Err(Refused {
            error,
            asked: Some(asked),
        }) if args.json => {
            let mut v = error_json(&error);
            v["error"]["certificate_request"] = *asked;
            println!("{v}");
            ExitCode::from(1)
        }
        Err(refused) => print_result(args.json, &Err(refused.error)),
    }
}

/// A failed `connect`: the error, and when the node refused the client (an alert), what its
/// CertificateRequest asked for and what was offered.
struct Refused {
    error: Error,
    asked: Option<Box<Value>>,
}

impl From<Error> for Refused {
    fn from(error: Error) -> Self {
        Refused { error, asked: None }
    }
}

/// When `e` is the node's refusal (an alert), says on stderr what the node asked for in its
/// CertificateRequest (the CA names it advertised) and what this client offered, and gives the
/// same as JSON.
fn refusal(e: Error, record: &tls::RecordRequest, after_handshake: bool) -> Refused {
    let request = record.request();
    // An alert from a node that asked for no client certificate (a protocol version it lacks,
    // say) is not its refusal of the client.
    let refusal_kinds = [
        cassandra_tls::ErrorKind::PeerAlert,
        cassandra_tls::ErrorKind::NoClientCertificate,
    ];
    if !refusal_kinds.contains(&e.kind()) || request.is_none() {
        return e.into();
    }
    let offered = record.offered();
    let offered_text = match &offered {
        Some(c) => match c.info() {
            Ok(i) => format!("this client offered {} (issued by {})", i.subject, i.issuer),
            Err(_) => "this client offered its certificate".to_owned(),
        },
        None => "this client had no certificate to offer".to_owned(),
    };
    let names = request
        .as_ref()
        .map(|r| r.authority_names())
        .unwrap_or_default();
    let expects = match names.is_empty() {
        true => "; the node asked for a client certificate and named no CA".to_owned(),
        false => format!(
            "; the node asked for a client certificate issued by one of: {}",
            names.join("; ")
        ),
    };
    let when = if after_handshake {
        "after the handshake, as a TLS 1.3 server refuses a client certificate"
    } else {
        "in the handshake"
    };
    eprintln!(
        "the node refused the connection {when}: {offered_text}{expects}; check the node's require_client_auth and truststore, and the client's key store"
    );
    let asked = json!({
        "asked": request.is_some(),
        "authorities": names,
        "offered": offered.as_ref().and_then(|c| c.info().ok()).map(|i| json!({"subject": i.subject, "issuer": i.issuer})),
    });
    Refused {
        error: e,
        asked: Some(Box::new(asked)),
    }
}

fn run_connect(args: &ConnectArgs) -> Result<Value, Refused> {
    let yaml = based(
        CassandraYaml::load_file(&args.config)?,
        args.base_dir.as_ref(),
    );
    let settings = TlsSettings::default();
    let host = args
        .target
        .rsplit_once(':')
        .map(|(h, _)| h.trim_matches(['[', ']']))
        .unwrap_or(&args.target);
    let client = match (args.role, &args.cqlshrc) {
        (RoleArg::ClientToNode, Some(rc)) => {
            let rc = Cqlshrc::load_file(rc)?;
            let home = std::env::var_os("HOME").map(PathBuf::from);
            let ssl = rc.ssl_settings(host, &|k| std::env::var(k).ok(), home.as_deref())?;
            tls::cqlsh_client_config(&ssl, &settings)?
        }
        (RoleArg::ClientToNode, None) => tls::client_config(&yaml, ClientRole::Native, &settings)?,
        (RoleArg::Internode, _) => tls::client_config(&yaml, ClientRole::Internode, &settings)?,
    };
    for w in &client.warnings {
        eprintln!("warning: {w}");
    }
    let addr: SocketAddr = args
        .target
        .to_socket_addrs()
        .map_err(|e| io_error(&args.target, e))?
        .next()
        .ok_or_else(|| io_error(&args.target, std::io::Error::other("no address")))?;
    let mut sock =
        TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| io_error(&args.target, e))?;
    sock.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| io_error(&args.target, e))?;
    sock.set_write_timeout(Some(TIMEOUT))
        .map_err(|e| io_error(&args.target, e))?;
    let name = args.server_name.as_deref().unwrap_or(host);
    // The node's CertificateRequest is recorded: a refusal names what the node expects.
    let (config, record) = tls::RecordRequest::wrap(&client.current_config());
    let (mut session, peer) =
        blocking::handshake(Handshake::client_with_config(config, name)?, &mut sock)
            .map_err(|e| refusal(e, &record, false))?;
    let received = match &args.send {
        Some(text) => {
            session.send(format!("{text}\n").as_bytes(), &mut sock)?;
            read_line(&mut session, &mut sock).map_err(|e| refusal(e, &record, true))?
        }
        None => None,
    };
    session.close();
    session.flush_to(&mut sock)?;
    if received.is_none() {
        session
            .server_answer(&mut sock, ANSWER_WAIT)
            .map_err(|e| refusal(e, &record, true))?;
    }
    Ok(success_json(&session, &peer, received))
}

/// How long `connect` waits for the server's first word after a TLS 1.3 handshake
/// ([`Session::server_answer`]).
const ANSWER_WAIT: Duration = Duration::from_secs(10);

pub fn serve(args: ServeArgs) -> ExitCode {
    let setup = || -> Result<(tls::ServerTls, TcpListener), Error> {
        let role = match args.role {
            RoleArg::Internode => ServerRole::Internode,
            RoleArg::ClientToNode => ServerRole::Native,
        };
        let server = match scylla_node(&args)? {
            Some(node) => node.server_config(role, &TlsSettings::default())?,
            None => {
                let yaml = based(
                    CassandraYaml::load_file(&args.config)?,
                    args.base_dir.as_ref(),
                );
                tls::server_config(&yaml, role, &TlsSettings::default())?
            }
        };
        for w in &server.warnings {
            eprintln!("warning: {w}");
        }
        let listener = TcpListener::bind(&args.listen).map_err(|e| io_error(&args.listen, e))?;
        Ok((server, listener))
    };
    let (server, listener) = match setup() {
        Ok(s) => s,
        Err(e) => return print_result(args.json, &Err(e)),
    };
    match listener.local_addr() {
        Ok(a) => eprintln!("listening on {a}"),
        Err(e) => return print_result(args.json, &Err(io_error(&args.listen, e))),
    }
    loop {
        let (sock, addr) = match listener.accept() {
            Ok(s) => s,
            Err(e) => return print_result(args.json, &Err(io_error(&args.listen, e))),
        };
        let result = serve_one(&server, sock, addr, args.echo);
        let code = print_result(args.json, &result);
        if args.once {
            return code;
        }
    }
}

/// The node of a scylla.yaml, when `--scylla` asks for one or the file looks like one.
fn scylla_node(args: &ServeArgs) -> Result<Option<tls::Node>, Error> {
    let text = std::fs::read_to_string(&args.config)
        .map_err(|e| io_error(&args.config.display().to_string(), e))?;
    if args.scylla.is_none() && !ScyllaYaml::looks_like_scylla(&text) {
        return Ok(None);
    }
    let version = match args.scylla.clone().flatten() {
        Some(v) => ScyllaVersion::parse(&v).map_err(|e| {
            io_error(
                "--scylla",
                std::io::Error::new(std::io::ErrorKind::InvalidInput, e),
            )
        })?,
        None => ScyllaVersion::default(),
    };
    let mut yaml = ScyllaYaml::load_file(&args.config)?.with_version(version);
    if let Some(d) = &args.base_dir {
        yaml = yaml.with_base_dir(d);
    }
    let node = tls::Node::from_scylla(&yaml);
    if let Some(scylla) = node.scylla() {
        let service = match args.role {
            RoleArg::Internode => ScyllaService::Internode,
            RoleArg::ClientToNode => ScyllaService::Cql,
        };
        let section = scylla.section(service);
        if !section.enabled {
            eprintln!(
                "warning: {}: Scylla {version} runs {service} without TLS with this scylla.yaml; serving it with TLS anyway",
                service.option()
            );
        }
    }
    Ok(Some(node))
}

fn serve_one(
    server: &tls::ServerTls,
    mut sock: TcpStream,
    addr: SocketAddr,
    echo: bool,
) -> Result<Value, Error> {
    sock.set_read_timeout(Some(TIMEOUT))
        .map_err(|e| io_error("socket", e))?;
    sock.set_write_timeout(Some(TIMEOUT))
        .map_err(|e| io_error("socket", e))?;
    let (mut session, peer) =
        blocking::handshake(Handshake::server(server, addr.ip())?, &mut sock)?;
    let received = if echo {
        let line = read_line(&mut session, &mut sock)?;
        if let Some(l) = &line {
            session.send(format!("{l}\n").as_bytes(), &mut sock)?;
        }
        line
    } else {
        None
    };
    session.close();
    let _ = session.flush_to(&mut sock);
    Ok(success_json(&session, &peer, received))
}
