//! What a ScyllaDB node does with its scylla.yaml at start-up, read by Scylla's rules
//! ([`crate::options::scylla`]): per service (internode, CQL, Alternator) whether TLS runs and
//! why, what became of the encryption map, the internode mode, client auth, session tickets,
//! the PEM files (defaults named), the priority string and what rustls can honour of it, the
//! ports, and the findings: Scylla's start-up refusals and its silent drops as errors, the keys
//! it ignores as warnings.
//!
//! ```
//! use cassandra_tls::explain::scylla::explain_scylla;
//! use cassandra_tls::options::scylla::ScyllaVersion;
//!
//! let e = explain_scylla("fixtures/scylla/scylla-truststore-empty.yaml", ScyllaVersion::NEWEST_RELEASE);
//! let cql = e.services.iter().find(|s| s.option == "client_encryption_options").unwrap();
//! assert!(!cql.tls);
//! assert!(e.findings.iter().any(|f| f.message.starts_with("client encryption is OFF: the map was dropped")));
//! ```

use std::path::Path;

use serde::Serialize;

use crate::options::scylla::{
    InternodeMode, KeyNote, ListRead, MapRead, ScyllaAuthenticator, ScyllaClientAuth, ScyllaNode,
    ScyllaSection, ScyllaService, ScyllaVersion, ScyllaYaml,
};
use crate::report::{Check, Finding, Severity};

/// The verdict on one scylla.yaml. Serialises to the JSON of `cassandra-tls explain --scylla
/// --json` (documented in the README).
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct ScyllaExplanation {
    /// The file as named.
    pub path: String,
    /// The Scylla line the file was read as (`2026.3`, `master`).
    pub version: String,
    /// Whether Scylla starts with it (no start-up refusal among the findings).
    pub starts: bool,
    /// Internode, CQL, Alternator, in that order (empty when the yaml could not be read).
    pub services: Vec<ServiceExplanation>,
    /// The ports Scylla listens on.
    pub listeners: Vec<PortExplanation>,
    /// When outgoing internode connections use TLS: `always`, `to other datacenters`, `to
    /// other racks` or `never`.
    pub outgoing_internode_tls: &'static str,
    /// Start-up refusals and silent drops (errors), ignored keys (warnings), and what runs.
    pub findings: Vec<Finding>,
}

/// One service as Scylla runs it.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct ServiceExplanation {
    /// `internode`, `CQL` or `Alternator`.
    pub service: String,
    /// The scylla.yaml option it reads.
    pub option: &'static str,
    /// Whether the service runs TLS.
    pub tls: bool,
    /// Why it does or does not.
    pub why: String,
    /// What became of the map: `absent`, `null`, `read` or `dropped: <why>` (Alternator's:
    /// `fell back to server_encryption_options` when it used the server's).
    pub map: String,
    /// Internode only: the mode Scylla runs.
    pub internode_encryption: Option<&'static str>,
    /// `none`, `request` or `require`.
    pub client_auth: &'static str,
    /// TLS 1.3 session tickets on the server side, with the version's default named.
    pub session_tickets: String,
    /// The certificate chain file (`(default)` when Scylla's default applies).
    pub certificate: String,
    /// The key file.
    pub keyfile: String,
    /// The trusted CAs, when given (none: no trust anchors at all).
    pub truststore: Option<String>,
    /// The CRL (`certficate_revocation_list`), when given.
    pub crl: Option<String>,
    /// The GnuTLS priority string in force.
    pub priority_string: String,
    /// What rustls can negotiate of it: versions, then suites (empty when GnuTLS refuses it).
    pub rustls_can_use: Vec<String>,
    /// What it enables that rustls cannot do, each with why.
    pub rustls_cannot_use: Vec<String>,
}

/// One listening port.
#[derive(Clone, Debug, Serialize)]
#[non_exhaustive]
pub struct PortExplanation {
    /// `internode`, `CQL` or `Alternator`.
    pub service: String,
    /// The option that gives the port.
    pub option: &'static str,
    /// The port.
    pub port: u16,
    /// Whether it speaks TLS.
    pub tls: bool,
    /// CQL's shard-aware port.
    pub shard_aware: bool,
    /// The proxy protocol's header comes first.
    pub proxy_protocol: bool,
    /// Who the port accepts, when restricted (plain internode ports under `dc`/`rack`).
    pub accepts: Option<&'static str>,
    /// Why the port is what it is, when that surprises (CQL's plain port turned TLS).
    pub note: Option<String>,
}

/// Reads `path` as `version` reads it and explains it; a file Scylla cannot read (a YAML syntax
/// error, not UTF-8) is a start-up refusal among the findings.
pub fn explain_scylla(path: impl AsRef<Path>, version: ScyllaVersion) -> ScyllaExplanation {
    let path = path.as_ref();
    match ScyllaYaml::load_file(path) {
        Ok(y) => explain_scylla_node(
            path.display().to_string(),
            &y.with_version(version).resolve(),
        ),
        Err(e) => ScyllaExplanation {
            path: path.display().to_string(),
            version: version.to_string(),
            starts: false,
            services: Vec::new(),
            listeners: Vec::new(),
            outgoing_internode_tls: "never",
            findings: vec![Finding {
                severity: Severity::Error,
                check: Check::Startup,
                section: "scylla.yaml",
                message: format!("Scylla does not start: {e}"),
                fix: Some("fix the file so that yaml-cpp reads it (YAML syntax, UTF-8)".into()),
            }],
        },
    }
}

/// Explains a resolved node (`path` names it in the output).
pub fn explain_scylla_node(path: String, node: &ScyllaNode) -> ScyllaExplanation {
    let findings = findings(node);
    let starts = !findings
        .iter()
        .any(|f| f.check == Check::Startup && f.severity == Severity::Error);
    ScyllaExplanation {
        path,
        version: node.yaml().version().to_string(),
        starts,
        services: node.sections().iter().map(|s| service(node, s)).collect(),
        listeners: ports(node),
        outgoing_internode_tls: node.outgoing_internode_tls(),
        findings,
    }
}

/// How a service is named in "... encryption is OFF".
fn label(service: ScyllaService) -> &'static str {
    match service {
        ScyllaService::Internode => "internode encryption",
        ScyllaService::Cql => "client encryption",
        ScyllaService::Alternator => "Alternator encryption",
    }
}

fn client_auth_name(a: ScyllaClientAuth) -> &'static str {
    match a {
        ScyllaClientAuth::None => "none",
        ScyllaClientAuth::Request => "request",
        ScyllaClientAuth::Require => "require",
    }
}

fn service(node: &ScyllaNode, s: &ScyllaSection) -> ServiceExplanation {
    let version = node.yaml().version();
    let map = match &s.read {
        _ if s.fell_back && s.enabled => {
            "fell back to server_encryption_options (without truststore and require_client_auth)"
                .to_string()
        }
        MapRead::Absent => "absent".into(),
        MapRead::Null => "null (skipped)".into(),
        MapRead::Map(_) => "read".into(),
        MapRead::Dropped(d) => format!("dropped: {}", d.describe()),
    };
    let file = |f: &crate::options::scylla::PemFile| {
        if f.defaulted {
            format!("{} (default)", f.given)
        } else {
            f.given.clone()
        }
    };
    let on = if s.session_tickets { "on" } else { "off" };
    let written = s.read.map().and_then(|m| m.get("enable_session_tickets"));
    let session_tickets = match written {
        _ if !version.has_session_tickets_option() => {
            format!("off (Scylla {version} has no enable_session_tickets; it came in 2025.2)")
        }
        Some(v) => format!("{on} (enable_session_tickets: {v})"),
        None => {
            format!("{on} (the default in {version}: false in 2025.2 to 2026.2, true from 2026.3)")
        }
    };
    let (can, cannot) = match &s.priority {
        Ok(p) => {
            let can = match p.rustls_subset() {
                Ok(sub) => sub
                    .versions
                    .iter()
                    .map(|v| v.jsse_name().to_string())
                    .chain(sub.suites.iter().map(|c| c.jsse_name.to_string()))
                    .collect(),
                Err(e) => vec![format!("nothing: {e}")],
            };
            let cannot = p
                .unsupported()
                .iter()
                .map(|u| format!("{} ({})", u.item, u.reason))
                .collect();
            (can, cannot)
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    ServiceExplanation {
        service: s.service.to_string(),
        option: s.service.option(),
        tls: s.enabled,
        why: why(node, s),
        map,
        internode_encryption: s.internode_mode().map(InternodeMode::as_str),
        client_auth: client_auth_name(s.client_auth),
        session_tickets,
        certificate: file(&s.certificate),
        keyfile: file(&s.keyfile),
        truststore: s.truststore.as_ref().map(file),
        crl: s.crl.as_ref().map(file),
        priority_string: s.priority_string.clone(),
        rustls_can_use: can,
        rustls_cannot_use: cannot,
    }
}

/// Why a service runs TLS or not, in Scylla's terms.
fn why(node: &ScyllaNode, s: &ScyllaSection) -> String {
    let dropped = |d: &crate::options::scylla::Dropped| {
        format!("the map was dropped because {}", d.describe())
    };
    match s.service {
        ScyllaService::Cql => match &s.read {
            MapRead::Dropped(d) => dropped(d),
            MapRead::Absent | MapRead::Null => "client_encryption_options is not set".into(),
            _ if s.enabled => "enabled is true".into(),
            _ => match s.read.map().and_then(|m| m.get("enabled")) {
                Some(v) => format!(
                    "enabled is `{v}`, which Scylla reads as false (only true or 1 are true)"
                ),
                None => "enabled is not set (default false)".into(),
            },
        },
        ScyllaService::Internode => {
            let written = s.internode.as_ref().and_then(|(_, w)| w.clone());
            match (&s.read, s.internode_mode()) {
                (MapRead::Dropped(d), _) => dropped(d),
                (_, Some(m)) if m != InternodeMode::None => {
                    format!("internode_encryption is {}", m.as_str())
                }
                _ if s.enabled => format!(
                    "internode_encryption is {} but a certificate is given and ssl_storage_port is not 0: Scylla listens for TLS peers on ssl_storage_port, and its own connections out are plain",
                    written
                        .as_deref()
                        .map(|w| format!("`{w}` (none)"))
                        .unwrap_or_else(|| "none".into())
                ),
                _ => match written {
                    Some(w) if InternodeMode::from_scylla(&w).is_none() => format!(
                        "internode_encryption `{w}` is not all, dc, rack or transitional (case-sensitive), so none"
                    ),
                    _ => "internode_encryption is none".into(),
                },
            }
        }
        ScyllaService::Alternator => {
            if s.enabled {
                if s.fell_back {
                    "alternator_https_port is set; alternator_encryption_options is empty, so the server's map is used".into()
                } else {
                    "alternator_https_port is set".into()
                }
            } else if node.yaml().port("alternator_https_port", 0) == 0 {
                "alternator_https_port is not set".into()
            } else {
                "no HTTPS port".into()
            }
        }
    }
}

fn ports(node: &ScyllaNode) -> Vec<PortExplanation> {
    let yaml = node.yaml();
    node.listeners()
        .iter()
        .map(|l| {
            let note = (l.service == ScyllaService::Cql
                && l.tls
                && !l.proxy_protocol
                && matches!(
                    l.option,
                    "native_transport_port" | "native_shard_aware_transport_port"
                ))
            .then(|| {
                let ssl = format!("{}_ssl", l.option);
                if yaml.is_set(&ssl) {
                    format!("{ssl} is the same port, so {} itself is TLS", l.port)
                } else {
                    format!("{} itself is TLS because {ssl} is not in the file", l.port)
                }
            });
            PortExplanation {
                service: l.service.to_string(),
                option: l.option,
                port: l.port,
                tls: l.tls,
                shard_aware: l.shard_aware,
                proxy_protocol: l.proxy_protocol,
                accepts: l.accepts,
                note,
            }
        })
        .collect()
}

/// The configuration findings: what Scylla refuses at start-up, drops silently, or ignores.
pub(crate) fn findings(node: &ScyllaNode) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut push = |severity, check, section, message: String, fix: Option<String>| {
        out.push(Finding {
            severity,
            check,
            section,
            message,
            fix,
        })
    };
    for s in node.sections() {
        let name = s.service.option();
        let off = label(s.service);
        // Alternator's own map matters only when written or when Alternator runs TLS.
        let written = !matches!(s.read, MapRead::Absent);
        if s.service == ScyllaService::Alternator && !written && !s.enabled {
            continue;
        }
        if let MapRead::Dropped(d) = &s.read {
            let consequence = if s.service == ScyllaService::Alternator {
                "Alternator falls back to server_encryption_options".to_string()
            } else {
                format!("{off} is OFF")
            };
            push(
                Severity::Error,
                Check::Policy,
                name,
                format!(
                    "{consequence}: the map was dropped because {}",
                    d.describe()
                ),
                Some(format!(
                    "every value in {name} must be a string: write a value (or remove the key) where yaml-cpp found {}",
                    d.found.as_str()
                )),
            );
        }
        for note in &s.notes {
            let (severity, message, fix) = note_finding(s, note);
            push(severity, Check::Policy, name, message, Some(fix));
        }
        match (&s.priority, s.enabled) {
            (Err(refusal), true) => push(
                Severity::Error,
                Check::Startup,
                name,
                format!("Scylla does not start: {refusal} (priority_string `{}`)", shorten(&s.priority_string)),
                Some("write a GnuTLS priority string GnuTLS accepts (`gnutls-cli --priority STRING --list` checks one), or remove priority_string for SECURE128:-VERS-TLS1.0".into()),
            ),
            (Err(refusal), false) => push(
                Severity::Warning,
                Check::Protocols,
                name,
                format!("{refusal} (priority_string `{}`): not read while {off} is off, but Scylla refuses to start once it is on", shorten(&s.priority_string)),
                Some("write a GnuTLS priority string GnuTLS accepts".into()),
            ),
            (Ok(p), true) => match p.rustls_subset() {
                Ok(sub) => push(
                    Severity::Ok,
                    Check::Protocols,
                    name,
                    format!(
                        "priority_string `{}`: rustls can use {} suite(s) of it ({}); it cannot use {} item(s) GnuTLS enables",
                        shorten(&s.priority_string),
                        sub.suites.len(),
                        sub.versions.iter().map(|v| v.jsse_name()).collect::<Vec<_>>().join(", "),
                        p.unsupported().len()
                    ),
                    None,
                ),
                Err(e) => push(
                    Severity::Warning,
                    Check::Protocols,
                    name,
                    format!("priority_string `{}`: GnuTLS accepts it, but rustls (a Rust driver, this crate) can use nothing of it: {e}", shorten(&s.priority_string)),
                    Some("allow TLS 1.2 or 1.3 with ECDHE and AES-GCM or ChaCha20".into()),
                ),
            },
            (Ok(_), false) => {}
        }
        if s.enabled {
            push(
                Severity::Ok,
                Check::Policy,
                name,
                if s.internode_mode() == Some(InternodeMode::None) {
                    format!("{} TLS listener only: {}", s.service, why(node, s))
                } else {
                    format!("{} TLS is on: {}", s.service, why(node, s))
                },
                None,
            );
        } else if !matches!(s.read, MapRead::Dropped(_)) && s.service != ScyllaService::Alternator {
            push(
                Severity::Ok,
                Check::Policy,
                name,
                format!("{} TLS is off: {}", s.service, why(node, s)),
                None,
            );
        }
    }
    if node.client_auth_not_enforced() {
        push(
            Severity::Warning,
            Check::Policy,
            ScyllaService::Internode.option(),
            "Scylla logs: Setting require_client_auth is incompatible with 'rack' and 'dc' internode_encryption values. To ensure that mutual TLS authentication is enforced, please set internode_encryption to 'all'. Continuing with potentially insecure configuration.".into(),
            Some("set internode_encryption: all where mutual TLS matters".into()),
        );
    }
    let ports = ports(node);
    for p in &ports {
        if let Some(note) = &p.note {
            // The other CQL pair keeps a plain port: clients that expect this one plain too
            // (the shard-aware drivers pick 19042 from SUPPORTED) fail on it; scylla-operator#1446.
            let other_plain = ports.iter().any(|o| {
                o.service == p.service
                    && o.shard_aware != p.shard_aware
                    && !o.tls
                    && !o.proxy_protocol
            });
            let (severity, fix) = if other_plain {
                (
                    Severity::Warning,
                    Some(format!(
                        "the other CQL port pair keeps a plain port; set {}_ssl (to {}) so {} stays plain, as the other pair does",
                        p.option,
                        if p.shard_aware { 19142 } else { 9142 },
                        p.port
                    )),
                )
            } else {
                (Severity::Ok, None)
            };
            push(
                severity,
                Check::Policy,
                ScyllaService::Cql.option(),
                format!("port {note}: clients without TLS cannot use it"),
                fix,
            );
        }
    }
    authenticator_findings(node, &mut push);
    out
}

/// The `authenticator` and its role queries (`auth/service.cc` `make_authenticator_factory`,
/// `auth/certificate_authenticator.cc`): what stops the node, and what leaves every certificate
/// login failing.
fn authenticator_findings(
    node: &ScyllaNode,
    push: &mut impl FnMut(Severity, Check, &'static str, String, Option<String>),
) {
    const AUTH: &str = "authenticator";
    let auth = match node.authenticator() {
        Ok(a) => a,
        Err(refusal) => {
            push(
                Severity::Error,
                Check::Startup,
                AUTH,
                format!("Scylla does not start: {refusal}"),
                Some("name one of AllowAllAuthenticator, PasswordAuthenticator, CertificateAuthenticator, SaslauthdAuthenticator, TransitionalAuthenticator (CertificateOrPasswordAuthenticator on master)".into()),
            );
            return;
        }
    };
    if let ListRead::Dropped(d) = node.role_queries() {
        push(
            if auth.uses_certificate() {
                Severity::Error
            } else {
                Severity::Warning
            },
            Check::Auth,
            AUTH,
            format!(
                "auth_certificate_role_queries was dropped: {}; Scylla logs one line and keeps the default query (SUBJECT `CN=([^,]+)`)",
                d.describe()
            ),
            Some("write each query as a map of two strings, `source` and `query`".into()),
        );
    }
    if !auth.uses_certificate() {
        return;
    }
    match node.role_queries_in_force() {
        Err(refusal) => push(
            Severity::Error,
            Check::Startup,
            AUTH,
            format!("Scylla does not start: {refusal} (auth_certificate_role_queries, read by {auth})"),
            Some("give each query `source: SUBJECT` or `source: ALTNAME` and a regular expression with exactly one capturing group, e.g. `CN=([^,]+)`".into()),
        ),
        Ok(q) => push(
            Severity::Ok,
            Check::Auth,
            AUTH,
            format!(
                "{auth} maps a client certificate to a role with {} quer{}: {} (unanchored, on GnuTLS' DN in certificate order, e.g. `C=US,O=Acme,CN=alice`)",
                q.queries().len(),
                if q.queries().len() == 1 { "y" } else { "ies" },
                q.queries()
                    .iter()
                    .map(|r| format!("{} `{}`", r.source(), shorten(r.query())))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            None,
        ),
    }
    let cql = node.section(ScyllaService::Cql);
    let why = if !cql.enabled {
        Some("client encryption is off, so no connection has a certificate: every login is refused (the client gets an AUTHENTICATE it cannot answer)".to_string())
    } else if cql.client_auth == ScyllaClientAuth::None {
        Some(format!(
            "require_client_auth is not true, so the node never asks for a certificate: every login fails with `{}`",
            crate::options::scylla::auth::NO_CERTIFICATE
        ))
    } else {
        None
    };
    if let Some(why) = why {
        let password_fallback = auth == ScyllaAuthenticator::CertificateOrPassword;
        push(
            if password_fallback { Severity::Warning } else { Severity::Error },
            Check::Auth,
            AUTH,
            format!(
                "{auth}: {why}{}",
                if password_fallback { " (logins fall back to passwords)" } else { "" }
            ),
            Some("set client_encryption_options enabled: true and require_client_auth: true (or optional on master)".into()),
        );
    }
}

/// A priority string cut for a message (a 1 MiB string stays readable).
fn shorten(s: &str) -> String {
    const MAX: usize = 120;
    if s.len() <= MAX {
        return s.to_string();
    }
    let mut end = MAX;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &s[..end], s.len())
}

fn note_finding(s: &ScyllaSection, note: &KeyNote) -> (Severity, String, String) {
    let off = label(s.service);
    match note {
        KeyNote::NotTrue { key, value } if key == "enabled" => (
            Severity::Error,
            format!("{off} is OFF: Scylla reads `{value}` as false; write true"),
            "write enabled: true (Scylla's booleans are the strings true and 1 only)".into(),
        ),
        KeyNote::NotTrue { key, value } => (
            Severity::Warning,
            format!("`{key}: {value}` is false to Scylla (only true and 1 are true)"),
            format!("write {key}: true, or remove it"),
        ),
        KeyNote::CassandraKey(k) => (
            Severity::Warning,
            format!("`{k}` is Cassandra's key; Scylla ignores it"),
            "Scylla reads PEM files only: certificate, keyfile, truststore, and priority_string for protocols and ciphers".into(),
        ),
        KeyNote::MisspelledCrl => (
            Severity::Warning,
            "`certificate_revocation_list` is ignored: Scylla reads the key spelled `certficate_revocation_list`, so no CRL is loaded".into(),
            "rename the key to certficate_revocation_list (sic)".into(),
        ),
        KeyNote::OtherSection(k) => (
            Severity::Warning,
            format!("`{k}` does nothing in {}: Scylla reads it only in {}", s.service.option(), if k == "enabled" { "client_encryption_options" } else { "server_encryption_options" }),
            format!("remove {k} from {}", s.service.option()),
        ),
        KeyNote::Unknown(k) => (
            Severity::Warning,
            format!("`{k}` is not a key Scylla reads; it is ignored"),
            format!("remove {k}, or check its spelling"),
        ),
        KeyNote::NotInVersion { key, since } => (
            Severity::Warning,
            format!("`{key}` is ignored by this Scylla line (read from {since})"),
            format!("upgrade to {since} or later, or remove {key}"),
        ),
        KeyNote::OptionalIsNone(v) => (
            Severity::Warning,
            format!("`require_client_auth: {v}` means no client certificate in this Scylla line (optional is read on master only)"),
            "write require_client_auth: true to require client certificates".into(),
        ),
        KeyNote::UnknownMode(m) => (
            Severity::Error,
            format!("internode encryption is OFF for every connection this node makes: `internode_encryption: {m}` is not one of all, dc, rack, transitional (case-sensitive), so Scylla runs none"),
            format!("write internode_encryption: {}", if InternodeMode::from_scylla(&m.to_ascii_lowercase()).is_some() { m.to_ascii_lowercase() } else { "all".into() }),
        ),
    }
}
