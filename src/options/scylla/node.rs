//! A scylla.yaml resolved: each TLS service as Scylla runs it, and the ports it listens on.

use std::collections::BTreeMap;

use super::auth::{QueryRefusal, RoleQueries};
use super::config::{ListRead, MapRead, ScyllaYaml};
use super::login::{SCYLLA_DEFAULT_AUTHENTICATOR, ScyllaAuthenticator};
use super::section::{InternodeMode, ScyllaClientAuth, ScyllaSection, ScyllaService};

/// One port Scylla listens on.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Listener {
    /// The service behind it.
    pub service: ScyllaService,
    /// The scylla.yaml option that gives the port.
    pub option: &'static str,
    /// The port.
    pub port: u16,
    /// Whether it speaks TLS.
    pub tls: bool,
    /// Whether CQL's port is shard-aware.
    pub shard_aware: bool,
    /// Whether the port expects the proxy protocol's header first (2026.1's proxy ports).
    pub proxy_protocol: bool,
    /// Who the port accepts (plain internode ports under `dc`/`rack`), when restricted.
    pub accepts: Option<&'static str>,
}

/// A scylla.yaml as Scylla runs it: the three TLS services and the listeners.
///
/// ```
/// use cassandra_tls::options::scylla::{ScyllaYaml, ScyllaService};
///
/// // Without `native_transport_port_ssl` in the file, 9042 itself turns TLS.
/// let y = ScyllaYaml::from_str("client_encryption_options:\n  enabled: true\n")?;
/// let node = y.resolve();
/// let cql: Vec<_> = node.listeners().iter().filter(|l| l.service == ScyllaService::Cql).collect();
/// assert_eq!((cql[0].port, cql[0].tls), (9042, true));
/// # Ok::<(), cassandra_tls::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ScyllaNode {
    yaml: ScyllaYaml,
    internode: ScyllaSection,
    cql: ScyllaSection,
    alternator: ScyllaSection,
    listeners: Vec<Listener>,
}

impl ScyllaYaml {
    /// Resolves the yaml: each TLS service as Scylla runs it.
    pub fn resolve(&self) -> ScyllaNode {
        ScyllaNode::new(self)
    }
}

impl ScyllaNode {
    fn new(yaml: &ScyllaYaml) -> ScyllaNode {
        let own = |service: ScyllaService| {
            let read = yaml.option_map(service.option()).clone();
            let map = read.map().cloned().unwrap_or_default();
            ScyllaSection::resolve(yaml, service, &map, read, false)
        };
        let internode = own(ScyllaService::Internode);
        let cql = own(ScyllaService::Cql);
        let alt_read = yaml.option_map(ScyllaService::Alternator.option()).clone();
        let alternator = match alt_read.map() {
            Some(m) if !m.is_empty() => own(ScyllaService::Alternator),
            _ => {
                // `alternator/controller.cc`: an empty map falls back to the server's, without
                // `truststore` and `require_client_auth`.
                let mut map: BTreeMap<String, String> = yaml
                    .option_map(ScyllaService::Internode.option())
                    .map()
                    .cloned()
                    .unwrap_or_default();
                // Scylla tests `!opts.empty()` before it erases the two keys (and logs its
                // deprecation warning then).
                let fell_back = !map.is_empty();
                map.remove("truststore");
                map.remove("require_client_auth");
                ScyllaSection::resolve(yaml, ScyllaService::Alternator, &map, alt_read, fell_back)
            }
        };
        let listeners = listeners(yaml, &internode, &cql, &alternator);
        ScyllaNode {
            yaml: yaml.clone(),
            internode,
            cql,
            alternator,
            listeners,
        }
    }

    /// The yaml this was resolved from.
    pub fn yaml(&self) -> &ScyllaYaml {
        &self.yaml
    }

    /// A service's section.
    pub fn section(&self, service: ScyllaService) -> &ScyllaSection {
        match service {
            ScyllaService::Internode => &self.internode,
            ScyllaService::Cql => &self.cql,
            ScyllaService::Alternator => &self.alternator,
        }
    }

    /// The three sections, internode first.
    pub fn sections(&self) -> [&ScyllaSection; 3] {
        [&self.internode, &self.cql, &self.alternator]
    }

    /// The ports Scylla listens on, by service.
    pub fn listeners(&self) -> &[Listener] {
        &self.listeners
    }

    /// Whether Scylla logs its warning that `require_client_auth` is not enforced on the plain
    /// port under `dc`/`rack` (`main.cc`: "Setting require_client_auth is incompatible with
    /// 'rack' and 'dc' internode_encryption values").
    pub fn client_auth_not_enforced(&self) -> bool {
        matches!(
            self.internode.internode_mode(),
            Some(InternodeMode::Dc | InternodeMode::Rack)
        ) && self.internode.client_auth == ScyllaClientAuth::Require
    }

    /// The `authenticator` Scylla runs (`Err`: the name Scylla refuses at start-up, `Unknown
    /// authenticator: <name>`).
    pub fn authenticator(&self) -> Result<ScyllaAuthenticator, String> {
        let name = self
            .yaml
            .scalar("authenticator")
            .value()
            .unwrap_or(SCYLLA_DEFAULT_AUTHENTICATOR);
        ScyllaAuthenticator::from_name(name, self.yaml.version())
    }

    /// The role queries `CertificateAuthenticator` runs: the list written when it converted,
    /// else Scylla's default (`CN=([^,]+)` on SUBJECT), validated as the constructor validates
    /// them (`Err`: the node does not start when a certificate authenticator is configured).
    pub fn role_queries_in_force(&self) -> Result<RoleQueries, QueryRefusal> {
        match self.yaml.role_queries() {
            ListRead::List(items) => RoleQueries::from_maps(items),
            _ => Ok(RoleQueries::default()),
        }
    }

    /// `auth_certificate_role_queries` as read (the default applies unless a list converted).
    pub fn role_queries(&self) -> &ListRead {
        self.yaml.role_queries()
    }

    /// Whether outgoing internode connections to a peer use TLS: always under `all` and
    /// `transitional`; under `dc`/`rack` the gossip connection always and the others to other
    /// datacenters/racks; never under `none`.
    pub fn outgoing_internode_tls(&self) -> &'static str {
        match self.internode.internode_mode() {
            Some(InternodeMode::All | InternodeMode::Transitional) => "always",
            // `messaging_service.cc`: the topology-independent connection (gossip) is encrypted
            // whenever the mode is not none; other verbs by the peer's datacenter or rack.
            Some(InternodeMode::Dc) => "gossip always; other verbs to other datacenters",
            Some(InternodeMode::Rack) => "gossip always; other verbs to other racks",
            _ => "never",
        }
    }
}

fn listeners(
    yaml: &ScyllaYaml,
    internode: &ScyllaSection,
    cql: &ScyllaSection,
    alternator: &ScyllaSection,
) -> Vec<Listener> {
    let mut out = Vec::new();
    let proxies = yaml.version().has_proxy_protocol_ports();
    let mut push = |service, option, port: u16, tls, shard_aware, proxy_protocol, accepts| {
        if port != 0 {
            out.push(Listener {
                service,
                option,
                port,
                tls,
                shard_aware,
                proxy_protocol,
                accepts,
            });
        }
    };
    // CQL: `transport/controller.cc` `start_listening_on_tcp_sockets` (the same in 2025.1 and
    // master). The plain port listens when it is set in the file, or when neither port is; the
    // TLS port is separate when it is set and the plain one is not, or differs; otherwise the
    // plain port itself turns TLS.
    for (plain, ssl, pdef, sdef, shard) in [
        (
            "native_transport_port",
            "native_transport_port_ssl",
            9042,
            9142,
            false,
        ),
        (
            "native_shard_aware_transport_port",
            "native_shard_aware_transport_port_ssl",
            19042,
            19142,
            true,
        ),
    ] {
        let (p, s) = (yaml.port(plain, pdef), yaml.port(ssl, sdef));
        let (plain_set, ssl_set) = (yaml.is_set(plain), yaml.is_set(ssl));
        let plain_listens = plain_set || !ssl_set;
        let separate = cql.enabled && ssl_set && (!plain_set || s != p);
        if plain_listens {
            let tls = cql.enabled && !separate;
            push(ScyllaService::Cql, plain, p, tls, shard, false, None);
        }
        if separate {
            push(ScyllaService::Cql, ssl, s, true, shard, false, None);
        }
    }
    if proxies {
        // Proxy-protocol ports (2026.1): plain always, TLS only with client encryption on.
        for (option, tls, shard) in [
            ("native_transport_port_proxy_protocol", false, false),
            (
                "native_shard_aware_transport_port_proxy_protocol",
                false,
                true,
            ),
            ("native_transport_port_ssl_proxy_protocol", true, false),
            (
                "native_shard_aware_transport_port_ssl_proxy_protocol",
                true,
                true,
            ),
        ] {
            if !tls || cql.enabled {
                let port = yaml.port(option, 0);
                push(ScyllaService::Cql, option, port, tls, shard, true, None);
            }
        }
    }
    // Storage: `message/messaging_service.cc` (`start_listen`). The plain port listens unless
    // the mode is `all`; the TLS port whenever credentials were built (`main.cc`), except under
    // `none` with `storage_port: 0`.
    let storage = yaml.port("storage_port", 7000);
    let ssl_storage = yaml.port("ssl_storage_port", 7001);
    let mode = internode.internode_mode().unwrap_or(InternodeMode::None);
    let accepts = match mode {
        InternodeMode::Dc => Some("peers of the same datacenter only"),
        InternodeMode::Rack => Some("peers of the same rack only"),
        _ => None,
    };
    let node = ScyllaService::Internode;
    if mode != InternodeMode::All {
        push(node, "storage_port", storage, false, false, false, accepts);
    }
    if internode.enabled && !(mode == InternodeMode::None && storage == 0) {
        push(
            node,
            "ssl_storage_port",
            ssl_storage,
            true,
            false,
            false,
            None,
        );
    }
    // Alternator (`alternator/controller.cc`): the plain ports, then the HTTPS ones.
    let alt = ScyllaService::Alternator;
    for (option, tls, proxy) in [
        ("alternator_port", false, false),
        ("alternator_port_proxy_protocol", false, true),
        ("alternator_https_port", true, false),
        ("alternator_https_port_proxy_protocol", true, true),
    ] {
        if (!proxy || proxies) && (!tls || alternator.enabled) {
            push(alt, option, yaml.port(option, 0), tls, false, proxy, None);
        }
    }
    out
}

impl MapRead {
    /// Whether Scylla ends up with an empty map here (absent, null or dropped).
    pub fn is_default(&self) -> bool {
        !matches!(self, MapRead::Map(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ports(text: &str) -> Vec<(u16, bool)> {
        let n = ScyllaYaml::from_str(text).unwrap().resolve();
        n.listeners().iter().map(|l| (l.port, l.tls)).collect()
    }

    #[test]
    fn cql_port_matrix() {
        assert_eq!(ports("{}")[..2], [(9042, false), (19042, false)]);
        assert_eq!(
            ports("client_encryption_options: {enabled: true}\n")[..2],
            [(9042, true), (19042, true)]
        );
        assert_eq!(
            ports(
                "native_transport_port: 9042\nnative_transport_port_ssl: 9142\nclient_encryption_options: {enabled: true}\n"
            )[..3],
            [(9042, false), (9142, true), (19042, true)]
        );
        // Only the TLS port in the file: no plain CQL port at all.
        assert_eq!(
            ports("native_transport_port_ssl: 9142\nclient_encryption_options: {enabled: true}\n")
                [0],
            (9142, true)
        );
        assert_eq!(
            ports("native_transport_port_ssl: 9142\n")[0],
            (19042, false),
            "client encryption off and only the TLS port set: CQL does not listen on 9042"
        );
        // Set but equal to the plain port: one TLS port.
        assert_eq!(
            ports(
                "native_transport_port: 9042\nnative_transport_port_ssl: 9042\nclient_encryption_options: {enabled: true}\n"
            )[0],
            (9042, true)
        );
    }

    #[test]
    fn storage_port_matrix() {
        let storage = |mode: &str| -> Vec<(u16, bool)> {
            ports(&format!(
                "server_encryption_options: {{internode_encryption: {mode}}}\n"
            ))
            .into_iter()
            .filter(|(p, _)| *p == 7000 || *p == 7001)
            .collect()
        };
        assert_eq!(storage("none"), [(7000, false)]);
        assert_eq!(storage("ALL"), [(7000, false)]);
        assert_eq!(storage("all"), [(7001, true)]);
        assert_eq!(storage("transitional"), [(7000, false), (7001, true)]);
        assert_eq!(storage("dc"), [(7000, false), (7001, true)]);
        let passive = ports("server_encryption_options: {certificate: a.crt}\n");
        assert!(passive.contains(&(7001, true)) && passive.contains(&(7000, false)));
    }

    #[test]
    fn alternator_falls_back_without_trust_and_client_auth() {
        let n = ScyllaYaml::from_str(
            "alternator_https_port: 8043\nserver_encryption_options: {certificate: s.crt, truststore: ca.pem, require_client_auth: 'true'}\n",
        )
        .unwrap()
        .resolve();
        let a = n.section(ScyllaService::Alternator);
        assert!(a.fell_back && a.enabled);
        assert_eq!(a.certificate.given, "s.crt");
        assert!(a.truststore.is_none());
        assert_eq!(a.client_auth, ScyllaClientAuth::None);
    }
}
