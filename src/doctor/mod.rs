//! Checks a node's SSL setup end to end, finding what Cassandra would report as "Failed to
//! initialize SSL" (and what it would accept but should not), with the fix for each.
//!
//! ```no_run
//! use cassandra_tls::doctor;
//! use cassandra_tls::options::CassandraYaml;
//!
//! let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
//! let report = doctor::check(&yaml, None, rustls::pki_types::UnixTime::now());
//! for f in &report.findings {
//!     println!("{} {} {}: {}", f.severity, f.section, f.check, f.message);
//! }
//! # Ok::<(), cassandra_tls::Error>(())
//! ```

mod cluster;
mod tools;

use std::fmt;
use std::time::Duration;

use rustls::pki_types::UnixTime;

use crate::error::Error;
use crate::handshake::Handshake;
use crate::keystore::{Certificate, KeyAlgorithm, Warning};
use crate::options::{
    CassandraYaml, ClientAuth, Cqlshrc, EncryptionOptions, InternodeEncryption, Policy,
    SslContextFactoryKind, select_cipher_suites, select_protocols,
};
use crate::tls::{self, ExpiredPeer, Role, TlsSettings, Usage};

pub use cluster::{ClusterReport, Link, Matrix, check_cluster};
pub use tools::{JMX, NODETOOL, check_jmx_encryption_options, check_nodetool_ssl};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Checked and fine.
    Ok,
    /// Works, but should be fixed.
    Warning,
    /// Cassandra would fail, or the setup is broken.
    Error,
}

impl Severity {
    /// `ok`, `warning` or `error`, as the JSON outputs spell it.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// What a finding is about: a stable id, serialised as [`Check::name`] (the JSON's `check`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Check {
    /// `file`: a file is missing or unreadable.
    File,
    /// `store_type`: the store type against the file.
    StoreType,
    /// `password`: the store password.
    Password,
    /// `key_password`: the key password.
    KeyPassword,
    /// `key_matches_cert`: the key against its certificate.
    KeyMatchesCert,
    /// `key_algorithm`: the key type rustls and peers can use.
    KeyAlgorithm,
    /// `chain`: the chain against the truststore.
    Chain,
    /// `expiry`: validity dates.
    Expiry,
    /// `san`: names for endpoint verification.
    San,
    /// `eku`: extended key usage.
    Eku,
    /// `protocols`: the protocol versions.
    Protocols,
    /// `ciphers`: the cipher suites.
    Ciphers,
    /// `policy`: the port and encryption policy.
    Policy,
    /// `self_handshake`: a handshake with the node's own material.
    SelfHandshake,
    /// `startup`: what would stop Cassandra from starting.
    Startup,
    /// `link`: one node to another (several nodes).
    Link,
    /// `rotation`: a CA rotation staged on some nodes only.
    Rotation,
    /// `staged`: certificates staged while encryption is off.
    Staged,
    /// `stores`: store and key types across nodes.
    Stores,
    /// `connect`: whether the node could be reached (probe).
    Connect,
    /// `tls`: whether TLS is spoken (probe).
    Tls,
    /// `name`: the certificate against the address dialled (probe).
    Name,
    /// `trust`: the chain against the truststore (probe).
    Trust,
    /// `forward_secrecy`: TLSv1.2 suites without forward secrecy (probe).
    ForwardSecrecy,
    /// `client_auth`: whether a client certificate is asked for (probe).
    ClientAuth,
    /// `plaintext`: CQL in the clear (probe).
    Plaintext,
}

impl Check {
    /// The stable id, as the JSON output spells it.
    pub fn name(self) -> &'static str {
        match self {
            Check::File => "file",
            Check::StoreType => "store_type",
            Check::Password => "password",
            Check::KeyPassword => "key_password",
            Check::KeyMatchesCert => "key_matches_cert",
            Check::KeyAlgorithm => "key_algorithm",
            Check::Chain => "chain",
            Check::Expiry => "expiry",
            Check::San => "san",
            Check::Eku => "eku",
            Check::Protocols => "protocols",
            Check::Ciphers => "ciphers",
            Check::Policy => "policy",
            Check::SelfHandshake => "self_handshake",
            Check::Startup => "startup",
            Check::Link => "link",
            Check::Rotation => "rotation",
            Check::Staged => "staged",
            Check::Stores => "stores",
            Check::Connect => "connect",
            Check::Tls => "tls",
            Check::Name => "name",
            Check::Trust => "trust",
            Check::ForwardSecrecy => "forward_secrecy",
            Check::ClientAuth => "client_auth",
            Check::Plaintext => "plaintext",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

impl PartialEq<&str> for Check {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

/// One finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// How bad.
    pub severity: Severity,
    /// What the finding is about (its stable id is [`Check::name`]).
    pub check: Check,
    /// `server_encryption_options`, `client_encryption_options`, `jmx_encryption_options`,
    /// `cqlshrc` or `nodetool-ssl.properties`.
    pub section: &'static str,
    /// What was found.
    pub message: String,
    /// What to do about it (warnings and errors).
    pub fix: Option<String>,
}

/// All findings.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// In the order checked, grouped by section.
    pub findings: Vec<Finding>,
}

impl Report {
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    fn push(
        &mut self,
        severity: Severity,
        check: Check,
        section: &'static str,
        message: impl Into<String>,
        fix: Option<&str>,
    ) {
        self.findings.push(Finding {
            severity,
            check,
            section,
            message: message.into(),
            fix: fix.map(str::to_owned),
        });
    }
}

const SERVER: &str = "server_encryption_options";
const CLIENT: &str = "client_encryption_options";
const CQLSH: &str = "cqlshrc";
const THIRTY_DAYS: u64 = 30 * 24 * 3600;

/// Checks both encryption sections of `yaml` (and a cqlshrc when given) at time `at`.
pub fn check(yaml: &CassandraYaml, cqlshrc: Option<&Cqlshrc>, at: UnixTime) -> Report {
    let mut report = Report::default();
    let settings = TlsSettings {
        now: Some(at),
        ..Default::default()
    };
    let base = yaml.base_dir();
    let server = yaml.server_encryption_options();
    let client = yaml.client_encryption_options();

    // What the node does at start-up, as its version and the default provider do it.
    let startup = crate::explain::explain_loaded(
        yaml.origin().to_string(),
        yaml,
        crate::explain::Provider::default(),
    );
    if let Some(e) = &startup.error {
        let section = match e.section.as_deref() {
            Some(CLIENT) => CLIENT,
            _ => SERVER,
        };
        report.push(
            Severity::Error,
            Check::Startup,
            section,
            format!("Cassandra {} does not start: {}", yaml.version(), e.message),
            Some("fix the option named; `cassandra-tls explain` shows what the node does at start-up"),
        );
    }

    // server_encryption_options
    let policy = server.policy(server.common.has_keystore(base));
    let mut policy_note = format!("internode port policy {policy}");
    if policy == Policy::Optional
        && server.internode_encryption == InternodeEncryption::All
        && !server.common.is_explicitly_optional()
    {
        policy_note.push_str(
            " (Cassandra's quirk: internode_encryption all with a key store and neither enabled nor optional set lets the port accept plaintext; unencrypted peers are refused only after their handshake message)",
        );
        report.push(
            Severity::Warning,
            Check::Policy,
            SERVER,
            policy_note,
            Some("set enabled: true in server_encryption_options so the port is ENCRYPTED"),
        );
    } else {
        report.push(Severity::Ok, Check::Policy, SERVER, policy_note, None);
    }
    if server.common.require_client_auth != ClientAuth::NotRequired
        && matches!(
            server.internode_encryption,
            InternodeEncryption::Dc | InternodeEncryption::Rack
        )
    {
        report.push(
            Severity::Warning,
            Check::Policy,
            SERVER,
            "require_client_auth with internode_encryption dc/rack: a peer claiming the local dc or rack connects in plaintext and skips mutual TLS",
            Some("use internode_encryption: all where mutual TLS matters"),
        );
    }
    if server.internode_encryption != InternodeEncryption::None {
        let mut addresses: Vec<&str> = [
            yaml.node().listen_address.as_deref(),
            yaml.node().broadcast_address.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        addresses.dedup();
        section(
            &mut report,
            yaml,
            SERVER,
            &server.common,
            &[Role::InternodeServer, Role::InternodeClient],
            &addresses,
            true,
            &settings,
            at,
        );
    }

    // client_encryption_options
    let policy = client.policy(client.has_keystore(base));
    report.push(
        Severity::Ok,
        Check::Policy,
        CLIENT,
        format!("native transport port policy {policy}"),
        None,
    );
    if policy != Policy::Unencrypted {
        let mut addresses: Vec<&str> = [
            yaml.node().rpc_address.as_deref(),
            yaml.node().broadcast_rpc_address.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        addresses.dedup();
        section(
            &mut report,
            yaml,
            CLIENT,
            client,
            &[Role::NativeServer],
            &addresses,
            false,
            &settings,
            at,
        );
    }

    // jmx_encryption_options (trunk)
    tools::check_jmx_encryption_options(&mut report, yaml, at);

    if let Some(rc) = cqlshrc {
        tools::cqlsh(&mut report, yaml, rc, &settings);
    }
    report
}

#[allow(clippy::too_many_arguments)]
fn section(
    report: &mut Report,
    yaml: &CassandraYaml,
    name: &'static str,
    opts: &EncryptionOptions,
    roles: &[Role],
    addresses: &[&str],
    internode: bool,
    settings: &TlsSettings,
    at: UnixTime,
) {
    let origin = yaml.origin();
    let base = yaml.base_dir();
    let pem = opts.ssl_context_factory.kind() == SslContextFactoryKind::Pem;

    // Protocols and ciphers, as Cassandra filters them.
    match select_protocols(
        origin,
        name,
        opts.protocol.as_deref(),
        opts.accepted_protocols.as_deref(),
    ) {
        Ok(p) => {
            for w in &p.warnings {
                report.push(
                    Severity::Warning,
                    Check::Protocols,
                    name,
                    w.to_string(),
                    Some("remove protocols older than TLSv1.2"),
                );
            }
            report.push(
                Severity::Ok,
                Check::Protocols,
                name,
                format!(
                    "accepted: {}",
                    p.versions
                        .iter()
                        .map(|v| v.jsse_name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None,
            );
            match select_cipher_suites(origin, name, opts.cipher_suites.as_deref(), &p.versions) {
                Ok(c) => {
                    for w in &c.warnings {
                        report.push(Severity::Warning, Check::Ciphers, name, w.to_string(), Some("list only AEAD suites with ECDHE (TLS_ECDHE_*_GCM_*, TLS_AES_*)"));
                    }
                    let which = match &c.suites {
                        Some(s) => s.iter().map(|s| s.jsse_name).collect::<Vec<_>>().join(", "),
                        None => "the defaults (TLSv1.3 AES-GCM and ChaCha20, TLSv1.2 ECDHE with AES-GCM and ChaCha20)".into(),
                    };
                    report.push(Severity::Ok, Check::Ciphers, name, format!("cipher suites: {which}"), None);
                }
                Err(e) => report.push(Severity::Error, Check::Ciphers, name, e.to_string(), Some("list at least one of TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256")),
            }
        }
        Err(e) => report.push(
            Severity::Error,
            Check::Protocols,
            name,
            e.to_string(),
            Some("accept TLSv1.2 and TLSv1.3 (protocol: TLS)"),
        ),
    }

    // Files.
    let keystore_path = crate::options::resolve_path(base, opts.keystore_path());
    let inline_key = pem
        && opts
            .ssl_context_factory
            .parameter("private_key")
            .is_some_and(|k| !k.trim().is_empty());
    if !inline_key {
        file_check(report, name, "keystore", &keystore_path, true);
    }
    let needs_trust = internode || opts.require_client_auth != ClientAuth::NotRequired;
    let inline_trust = pem
        && opts
            .ssl_context_factory
            .parameter("trusted_certificates")
            .is_some_and(|k| !k.trim().is_empty());
    let truststore_path = crate::options::resolve_path(base, opts.truststore_path());
    if needs_trust && !inline_trust {
        file_check(report, name, "truststore", &truststore_path, false);
    }

    // The key store, loaded by the factory's rules, and what it holds.
    let role = roles[0];
    // Loading checks keys cheaply; check_keys derives the public keys loading leaves unchecked
    // (JDK-written EC keys, Ed25519), as building the node's signing key would.
    let loaded = crate::tls::key_store(yaml, role, settings)
        .and_then(|s| s.map(|s| s.check_keys().map(|()| s)).transpose());
    let store = match loaded {
        Ok(Some(s)) => s,
        Ok(None) => return,
        Err(e) => {
            let (check, fix) = match e.kind() {
                "wrong_password_or_tampered" => (
                    Check::Password,
                    "set keystore_password to the store's password (or restore the file)",
                ),
                "wrong_key_password" => (
                    Check::KeyPassword,
                    "Cassandra unlocks keys with keystore_password: re-protect the key with the store password (keytool -keypasswd)",
                ),
                "key_cert_mismatch" => (
                    Check::KeyMatchesCert,
                    "put the private key together with its own certificate chain",
                ),
                "malformed" | "unsupported" => (Check::File, "regenerate the key store"),
                _ => (Check::File, "fix the key store settings"),
            };
            report.push(Severity::Error, check, name, e.to_string(), Some(fix));
            return;
        }
    };
    report.push(
        Severity::Ok,
        Check::Password,
        name,
        format!("{} opens", store.origin()),
        None,
    );
    if pem {
        for w in store.warnings() {
            if let Warning::NotReadByCassandra { .. } = w {
                report.push(
                    Severity::Error,
                    Check::File,
                    name,
                    format!("{}: {w}", store.origin()),
                    Some("give Cassandra a PKCS#8 key, encrypted with PBE-SHA1-3DES or not at all"),
                );
            }
        }
    }
    if !pem {
        for w in store.warnings() {
            if let Warning::StoreTypeMismatch {
                configured,
                detected,
            } = w
            {
                if configured.java_reads(*detected) {
                    report.push(
                        Severity::Warning,
                        Check::StoreType,
                        name,
                        format!("{w}; the JDK loads it anyway (keystore.type.compat)"),
                        Some("set store_type to what the file is"),
                    );
                } else {
                    report.push(
                        Severity::Error,
                        Check::StoreType,
                        name,
                        format!("{w}; Java's {configured} key store cannot read it"),
                        Some("set store_type to what the file is"),
                    );
                }
            }
        }
        if !store
            .warnings()
            .iter()
            .any(|w| matches!(w, Warning::StoreTypeMismatch { .. }))
        {
            report.push(
                Severity::Ok,
                Check::StoreType,
                name,
                format!("store type {}", store.store_type()),
                None,
            );
        }
    }

    let Some(entry) = store
        .private_keys()
        .find(|k| k.key().is_some() && !k.chain().is_empty())
    else {
        report.push(
            Severity::Error,
            Check::KeyPassword,
            name,
            "no private key with a certificate in the key store",
            Some("import the node's key and certificate chain"),
        );
        return;
    };
    report.push(
        Severity::Ok,
        Check::KeyPassword,
        name,
        "the private key opens",
        None,
    );
    report.push(
        Severity::Ok,
        Check::KeyMatchesCert,
        name,
        "the key belongs to its certificate",
        None,
    );
    let key = entry.key().expect("checked above");
    match key.algorithm() {
        KeyAlgorithm::Rsa | KeyAlgorithm::Ec(_) | KeyAlgorithm::Ed25519 => report.push(
            Severity::Ok,
            Check::KeyAlgorithm,
            name,
            format!("{} key", key.algorithm()),
            None,
        ),
        other => report.push(
            Severity::Error,
            Check::KeyAlgorithm,
            name,
            format!("{other} keys cannot be used for TLS here"),
            Some("use an RSA (2048+), EC P-256/P-384 or Ed25519 key"),
        ),
    }

    let chain = entry.chain();
    let leaf = chain[0].info();
    if let Ok(info) = &leaf {
        expiry(report, name, info, at, opts);
        if internode {
            eku(report, name, info);
        }
    }

    // The chain against the truststore (this node's peers use the same truststore).
    if needs_trust || internode {
        match crate::tls::material_trust_anchors(yaml, role) {
            Ok(anchors) => chain_checks(
                report,
                name,
                chain,
                &anchors,
                addresses,
                opts.require_endpoint_verification,
                internode,
                at,
            ),
            Err(e) => report.push(
                Severity::Error,
                Check::File,
                name,
                e.to_string(),
                Some("fix the truststore settings"),
            ),
        }
    }

    // Handshakes with this node's own material.
    for server_role in roles.iter().filter_map(|r| match r {
        Role::InternodeServer => Some(tls::ServerRole::Internode),
        Role::NativeServer => Some(tls::ServerRole::Native),
        Role::InternodeClient | Role::NativeClient => None,
    }) {
        self_handshake(
            report,
            name,
            yaml,
            server_role,
            addresses.first().copied(),
            settings,
        );
    }
}

pub(crate) fn file_check(
    report: &mut Report,
    section: &'static str,
    what: &str,
    path: &std::path::Path,
    secret: bool,
) {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                if secret && meta.permissions().mode() & 0o004 != 0 {
                    report.push(
                        Severity::Warning,
                        Check::File,
                        section,
                        format!("{what} {} is readable by every user", path.display()),
                        Some("chmod 600 (or 640 with Cassandra's group)"),
                    );
                    return;
                }
            }
            report.push(Severity::Ok, Check::File, section, format!("{what} {} exists", path.display()), None);
        }
        Ok(_) => report.push(Severity::Error, Check::File, section, format!("{what} {} is not a file", path.display()), Some("point the option at the store file")),
        Err(e) => report.push(Severity::Error, Check::File, section, format!("{what} {}: {e}", path.display()), Some("create the file or fix the path (relative paths start in Cassandra's working directory)")),
    }
}

pub(crate) fn expiry(
    report: &mut Report,
    section: &'static str,
    info: &crate::keystore::CertificateInfo,
    at: UnixTime,
    opts: &EncryptionOptions,
) {
    let now = at.as_secs() as i64;
    let not_after = info.not_after.unix_timestamp();
    let not_before = info.not_before.unix_timestamp();
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    let threshold = opts
        .certificate_validity_warn_threshold
        .map(|d| d.0 as u64 * 60)
        .unwrap_or(THIRTY_DAYS) as i64;
    if not_after < now {
        report.push(
            Severity::Error,
            Check::Expiry,
            section,
            format!("{} expired on {}", info.subject, rfc(info.not_after)),
            Some("issue a new certificate (peers refuse an expired one)"),
        );
    } else if not_before > now {
        report.push(
            Severity::Error,
            Check::Expiry,
            section,
            format!(
                "{} is not valid before {}",
                info.subject,
                rfc(info.not_before)
            ),
            Some("check the clock, or issue a certificate valid now"),
        );
    } else if not_after - now < threshold {
        let days = Duration::from_secs((not_after - now) as u64).as_secs() / 86_400;
        report.push(
            Severity::Warning,
            Check::Expiry,
            section,
            format!(
                "{} expires in {days} day(s), on {}",
                info.subject,
                rfc(info.not_after)
            ),
            Some("renew the certificate"),
        );
    } else {
        report.push(
            Severity::Ok,
            Check::Expiry,
            section,
            format!("valid until {}", rfc(info.not_after)),
            None,
        );
    }
}

fn eku(report: &mut Report, section: &'static str, info: &crate::keystore::CertificateInfo) {
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
fn chain_checks(
    report: &mut Report,
    section: &'static str,
    chain: &[Certificate],
    anchors: &[Certificate],
    addresses: &[&str],
    endpoint_verification: bool,
    internode: bool,
    at: UnixTime,
) {
    match tls::verify_chain(chain, anchors, Usage::Server, None, at, ExpiredPeer::Refuse) {
        Ok(()) => report.push(
            Severity::Ok,
            Check::Chain,
            section,
            "the certificate chain validates to the truststore",
            None,
        ),
        Err(f) if f.kind() == "expired" || f.kind() == "not_yet_valid" => {} // reported by `expiry`
        Err(f) => {
            let fix = match f.kind() {
                "unknown_issuer" => "add the CA that signed the node certificate to the truststore",
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
    let as_server =
        tls::verify_chain(chain, anchors, Usage::Server, None, at, ExpiredPeer::Refuse).err();
    if internode
        && let Err(f) =
            tls::verify_chain(chain, anchors, Usage::Client, None, at, ExpiredPeer::Refuse)
        && !matches!(f.kind(), "expired" | "not_yet_valid" | "unknown_issuer")
        && as_server.as_ref() != Some(&f)
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
            Err(f) if f.kind() == "name_mismatch" => report.push(
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

fn self_handshake(
    report: &mut Report,
    section: &'static str,
    yaml: &CassandraYaml,
    server_role: tls::ServerRole,
    address: Option<&str>,
    settings: &TlsSettings,
) {
    let name = address
        .filter(|a| !["0.0.0.0", "::"].contains(a))
        .unwrap_or("127.0.0.1");
    let result = (|| -> Result<(), Error> {
        let server = tls::server_config(yaml, server_role, settings)?;
        let client = tls::client_config(yaml, server_role.peer(), settings)?;
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
            Some("fix the errors above; peers with this material cannot connect"),
        ),
    }
}

/// Runs a client and a server handshake against each other in memory.
pub(crate) fn in_memory(c: Handshake, s: Handshake) -> Result<(), Error> {
    crate::handshake::in_memory(c, s).both().map(|_| ())
}
