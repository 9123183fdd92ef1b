//! The checks of Cassandra's command-line tools' settings: cqlsh (cqlshrc) and nodetool
//! (nodetool-ssl.properties), each against the node's native-transport certificate.

use rustls::pki_types::UnixTime;

use super::{CQLSH, Check, Report, Severity, expiry, file_check, in_memory};
use crate::ErrorKind;
use crate::error::Error;
use crate::handshake::Handshake;
use crate::options::{CassandraYaml, Cqlshrc, EncryptionOptions, NodetoolSsl, NodetoolWarning};
use crate::tls::{self, TlsSettings};

/// The section name nodetool's findings are reported under.
pub use crate::options::NODETOOL;

/// The address a tool run on the node connects from: the host it connects to, when that is an
/// address (the node's own), else loopback. The native server checks it against the tool's
/// certificate when it has require_endpoint_verification, as Cassandra would.
fn source_address(host: &str) -> std::net::IpAddr {
    host.parse()
        .unwrap_or(std::net::IpAddr::from([127, 0, 0, 1]))
}

/// The host the tools connect to: the node's rpc_address, or loopback.
fn host(yaml: &CassandraYaml) -> &str {
    yaml.node()
        .rpc_address
        .as_deref()
        .filter(|a| *a != "0.0.0.0")
        .unwrap_or("127.0.0.1")
}

/// A tool's relative path, from the directory the tool runs in (taken to be the yaml's base).
fn resolve(yaml: &CassandraYaml, p: &std::path::Path) -> std::path::PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        yaml.base_dir().join(p)
    }
}

pub(super) fn cqlsh(report: &mut Report, node: &tls::Node, rc: &Cqlshrc, settings: &TlsSettings) {
    let yaml = node.resolved().yaml();
    let host = host(yaml);
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let ssl = match rc.ssl_settings(host, &|k| std::env::var(k).ok(), home.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            report.push(
                Severity::Error,
                Check::File,
                CQLSH,
                e.to_string(),
                Some("set certfile in [ssl] (or [certfiles]), or SSL_CERTFILE"),
            );
            return;
        }
    };
    if !ssl.enabled {
        report.push(
            Severity::Warning,
            Check::Policy,
            CQLSH,
            "[connection] ssl is off: cqlsh connects in plaintext unless --ssl is given",
            Some("set ssl = true in [connection]"),
        );
    }
    if !ssl.validate {
        report.push(
            Severity::Warning,
            Check::Chain,
            CQLSH,
            "validate = false: cqlsh does not check the node's certificate",
            Some("set validate = true and certfile to the CA bundle"),
        );
    }
    let resolve = |p: &std::path::PathBuf| resolve(yaml, p);
    for (what, path) in [
        ("certfile", &ssl.certfile),
        ("userkey", &ssl.userkey),
        ("usercert", &ssl.usercert),
    ] {
        if let Some(p) = path {
            file_check(
                report,
                super::terms::Terms::Yaml,
                CQLSH,
                what,
                &resolve(p),
                what == "userkey",
            );
        }
    }
    let ssl = crate::options::CqlshSsl {
        certfile: ssl.certfile.as_ref().map(resolve),
        userkey: ssl.userkey.as_ref().map(resolve),
        usercert: ssl.usercert.as_ref().map(resolve),
        ..ssl
    };
    let result = (|| -> Result<(), Error> {
        let client = tls::cqlsh_client_config(&ssl, settings)?;
        let server = node.server_config(tls::ServerRole::Native, settings)?;
        in_memory(
            Handshake::client(&client, host)?,
            Handshake::server(&server, source_address(host))?,
        )
    })();
    // What the cqlsh installed here really does with validate = true.
    let installed = if ssl.validate {
        installed_cqlsh()
    } else {
        None
    };
    let unchecked = installed.as_ref().filter(|i| !i.checks_certificates);
    match result {
        Ok(()) => {
            report.push(
                Severity::Ok,
                Check::SelfHandshake,
                CQLSH,
                "cqlsh's settings against the native server: handshake succeeds",
                None,
            );
            if let Some(i) = unchecked {
                report.push(
                    Severity::Warning,
                    Check::Chain,
                    CQLSH,
                    format!(
                        "validate = true, but {}: it would connect to any node, trusted or not",
                        i.describe()
                    ),
                    Some(CQLSH_FIX),
                );
            }
        }
        Err(e) => {
            let untrusted = matches!(&e, Error::Handshake(f) if f.refuses_peer_certificate());
            let message = match (untrusted && ssl.validate, unchecked) {
                (true, Some(i)) => format!(
                    "cqlsh's settings against the native server: {e}. Yet {}, so it connects anyway: this is an exposure (a node or anyone in between with an untrusted certificate is accepted), not a failed connection",
                    i.describe()
                ),
                (true, None) if installed.is_none() => format!(
                    "cqlsh's settings against the native server: {e}. A cqlsh whose cassandra-driver sets SSLContext.options where it means verify_mode (driver 3.29 and 3.30, fixed in scylladb/python-driver PR #938) connects anyway: an exposure, not a failed connection"
                ),
                _ => format!("cqlsh's settings against the native server: {e}"),
            };
            report.push(Severity::Error, Check::SelfHandshake, CQLSH, message, Some("make certfile the CA that signed the node, and userkey/usercert a client the node trusts"));
        }
    }
}

const CQLSH_FIX: &str = "until cqlsh checks certificates, connect only over trusted networks, or use a driver that verifies (the scylla-driver fork has the fix, scylladb/python-driver PR #938)";

/// The cqlsh and cassandra-driver installed for `python3`, and whether the SSL context the
/// driver builds from cqlsh's settings (`cert_reqs=CERT_REQUIRED`, `ssl_version=PROTOCOL_TLS`,
/// what cqlshlib.sslhandling passes for `validate = true`) really checks certificates.
struct InstalledCqlsh {
    cqlsh: String,
    driver: String,
    checks_certificates: bool,
}

impl InstalledCqlsh {
    fn describe(&self) -> String {
        if self.checks_certificates {
            format!(
                "the installed cqlsh {} (cassandra-driver {}) checks the node's certificate",
                self.cqlsh, self.driver
            )
        } else {
            format!(
                "the installed cqlsh {} with cassandra-driver {} does not check the node's certificate (the driver's _build_ssl_context_from_options sets SSLContext.options where it means verify_mode, leaving CERT_NONE)",
                self.cqlsh, self.driver
            )
        }
    }
}

/// Asks the local Python (`python3`, or `CASSANDRA_TLS_PYTHON`); None when Python, cqlsh or the
/// driver is not installed.
fn installed_cqlsh() -> Option<InstalledCqlsh> {
    const SCRIPT: &str = "import ssl, warnings, importlib.metadata as m\nwarnings.simplefilter('ignore')\nfrom cassandra.connection import Connection\nc = Connection.__new__(Connection)\nc.ssl_options = dict(ca_certs=None, cert_reqs=ssl.CERT_REQUIRED, ssl_version=ssl.PROTOCOL_TLS)\nb = getattr(c, '_build_ssl_context_from_options', None)\nmode = b().verify_mode if b else ssl.CERT_REQUIRED\nprint(m.version('cqlsh'), m.version('cassandra-driver'), int(mode))\n";
    let python = std::env::var("CASSANDRA_TLS_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut words = text.split_whitespace();
    let (cqlsh, driver, mode) = (words.next()?, words.next()?, words.next()?);
    Some(InstalledCqlsh {
        cqlsh: cqlsh.to_owned(),
        driver: driver.to_owned(),
        checks_certificates: mode != "0",
    })
}

/// Checks nodetool's SSL settings: what the file says that nodetool ignores, its stores, its
/// client certificate, and a handshake against the node's native-transport certificate (the
/// JMX server usually serves the node's key store). Findings go under [`NODETOOL`].
pub fn check_nodetool_ssl(
    report: &mut Report,
    yaml: &CassandraYaml,
    ssl: &NodetoolSsl,
    at: UnixTime,
) {
    let what = "nodetool's settings against the node's certificate (client_encryption_options)";
    check_jmx_client(report, &tls::Node::new(yaml), NODETOOL, what, ssl, at);
}

/// The section name 6.0's JMX findings are reported under.
/// The JMX section's name in findings.
pub const JMX: &str = crate::options::Section::Jmx.as_str();

/// Checks 6.0's `jmx_encryption_options` (CASSANDRA-18508): nodetool's view of the section
/// ([`NodetoolSsl::from_jmx_encryption_options`]: its truststore, and its key store when client
/// auth is on) against the JMX server the section configures. Findings go under [`JMX`]; nothing
/// is reported when the yaml has no such section or its policy is UNENCRYPTED.
pub fn check_jmx_encryption_options(report: &mut Report, yaml: &CassandraYaml, at: UnixTime) {
    jmx_encryption_options(report, &tls::Node::new(yaml), at);
}

/// [`check_jmx_encryption_options`] on a node whose stores are read once.
pub(super) fn jmx_encryption_options(report: &mut Report, node: &tls::Node, at: UnixTime) {
    let yaml = node.resolved().yaml();
    let Some(view) = node.jmx_view() else { return };
    if view.resolved().client().policy == crate::options::Policy::Unencrypted {
        report.push(
            Severity::Ok,
            Check::Policy,
            JMX,
            "JMX transport policy UNENCRYPTED",
            None,
        );
        return;
    }
    let ssl = match NodetoolSsl::from_jmx_encryption_options(yaml) {
        Ok(Some(ssl)) => ssl,
        Ok(None) => return,
        Err(e) => {
            report.push(
                Severity::Error,
                Check::File,
                JMX,
                e.to_string(),
                Some("use a JKS or PKCS12 key store for JMX"),
            );
            return;
        }
    };
    let what = "nodetool with the JMX section's stores against the JMX server";
    check_jmx_client(report, &view, JMX, what, &ssl, at);
}

/// nodetool's client (`ssl`) checked, then handshaking with the native server of `server_yaml`
/// (the node's, standing in for its JMX server, or the JMX section's own).
fn check_jmx_client(
    report: &mut Report,
    server: &tls::Node,
    section: &'static str,
    what: &str,
    ssl: &NodetoolSsl,
    at: UnixTime,
) {
    let yaml = server.resolved().yaml();
    let settings = TlsSettings {
        now: Some(at),
        ..Default::default()
    };
    for w in ssl.warnings() {
        let (check, fix) = match w {
            NodetoolWarning::ServerSideProperty { .. } => (
                Check::Policy,
                "set it in cassandra-env.sh (the JMX server); nodetool reads javax.net.ssl.* and javax.rmi.ssl.client.*",
            ),
            NodetoolWarning::NotTrue { .. } => (Check::Policy, "write true or false"),
            NodetoolWarning::CarriageReturns => {
                (Check::File, "convert the file to LF line endings")
            }
            _ => (Check::File, "remove it, or check its spelling"),
        };
        report.push(Severity::Warning, check, section, w.to_string(), Some(fix));
    }
    let mut ssl = ssl.clone();
    ssl.keystore = ssl.keystore.as_deref().map(|p| resolve(yaml, p));
    ssl.truststore = ssl.truststore.as_deref().map(|p| resolve(yaml, p));
    if let Some(p) = &ssl.truststore {
        file_check(
            report,
            super::terms::Terms::Yaml,
            section,
            "javax.net.ssl.trustStore",
            p,
            false,
        );
    }
    if let Some(p) = &ssl.keystore {
        file_check(
            report,
            super::terms::Terms::Yaml,
            section,
            "javax.net.ssl.keyStore",
            p,
            true,
        );
    }
    let (client, keystore) = match tls::nodetool_client_and_keystore(&ssl, &settings) {
        Ok(c) => c,
        Err(e) => {
            let (check, fix) = match e.kind() {
                ErrorKind::WrongPasswordOrTampered => (
                    Check::Password,
                    "set javax.net.ssl.keyStorePassword / trustStorePassword to the stores' passwords",
                ),
                ErrorKind::WrongKeyPassword => (
                    Check::KeyPassword,
                    "the JVM unlocks keys with javax.net.ssl.keyStorePassword: re-protect the key with the store password",
                ),
                ErrorKind::KeyCertMismatch => (
                    Check::KeyMatchesCert,
                    "put the private key together with its own certificate chain",
                ),
                _ if matches!(&e, crate::Error::Config { key: Some(k), .. } if k.ends_with("StoreType")) => {
                    (Check::StoreType, "set the store type to what the file is")
                }
                _ => (Check::File, "fix the javax.net.ssl.* settings"),
            };
            report.push(Severity::Error, check, section, e.to_string(), Some(fix));
            return;
        }
    };
    report.push(
        Severity::Ok,
        Check::Password,
        section,
        "the truststore and key store open with their passwords",
        None,
    );
    if let Some(store) = &keystore {
        for entry in store.private_keys() {
            if let Some(leaf) = entry.chain().first()
                && let Ok(info) = leaf.info()
            {
                expiry(
                    report,
                    section,
                    &info,
                    at,
                    &EncryptionOptions::default(),
                    &super::ExpiryPolicy::default(),
                );
            }
        }
    }
    let result = (|| -> Result<(), Error> {
        let server = server.server_config(tls::ServerRole::Native, &settings)?;
        in_memory(
            Handshake::client(&client, host(yaml))?,
            Handshake::server(&server, source_address(host(yaml)))?,
        )
    })();
    super::handshake::push_outcome(
        report,
        section,
        what,
        result,
        "make javax.net.ssl.trustStore hold the CA that signed the node, and the key store a client the node trusts",
    );
}
