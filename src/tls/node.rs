//! [`Node`]: a resolved node ([`ResolvedNode`]) with its stores, each file read and decrypted
//! once. Every config of the node, `explain` and `doctor` read from one `Node`.

use std::sync::Arc;

use super::cache::StoreCache;
use super::material::{self, Installed};
use super::plan::Plan;
use super::{ClientRole, ClientTls, Role, ServerRole, ServerTls, TlsSettings};
use crate::error::Result;
use crate::keystore::{Certificate, KeyStore};
use crate::options::scylla::{ScyllaNode, ScyllaYaml};
use crate::options::{CassandraYaml, EncryptionOptions, ResolvedNode};

/// A node's cassandra.yaml resolved once ([`ResolvedNode`]: Cassandra's verdict per section),
/// with its store files read and decrypted at most once each while they do not change.
///
/// ```
/// use cassandra_tls::options::CassandraYaml;
/// use cassandra_tls::tls::{ClientRole, Node, ServerRole, TlsSettings};
///
/// let yaml = CassandraYaml::load_file("fixtures/conf/cassandra.yaml")?;
/// let node = Node::new(&yaml);
/// let settings = TlsSettings::default();
/// // node1.jks and truststore.jks are read once for all four configs.
/// let _server = node.server_config(ServerRole::Internode, &settings)?;
/// let _client = node.client_config(ClientRole::Internode, &settings)?;
/// let _native = node.server_config(ServerRole::Native, &settings)?;
/// let _driver = node.client_config(ClientRole::Native, &settings)?;
/// # Ok::<(), cassandra_tls::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Node {
    resolved: Arc<ResolvedNode>,
    cache: Option<Arc<StoreCache>>,
    /// A Scylla node: its configs are built by Scylla's rules ([`Node::from_scylla`]).
    scylla: Option<Arc<ScyllaNode>>,
}

impl Node {
    /// Resolves `yaml` and keeps each store it loads.
    pub fn new(yaml: &CassandraYaml) -> Node {
        Node {
            resolved: Arc::new(yaml.resolve()),
            cache: Some(Arc::new(StoreCache::default())),
            scylla: None,
        }
    }

    /// A node that reads its files at every load (hot reload, which must see each change).
    pub(crate) fn uncached(yaml: &CassandraYaml) -> Node {
        Node {
            resolved: Arc::new(yaml.resolve()),
            cache: None,
            scylla: None,
        }
    }

    #[cfg(feature = "diagnostics")]
    /// The JMX server's view of the node (6.0's `jmx_encryption_options` in the native
    /// transport's place, as Cassandra builds it), sharing this node's loaded stores.
    pub(crate) fn jmx_view(&self) -> Option<Node> {
        let view = self.resolved.yaml().jmx_view()?;
        Some(Node {
            resolved: Arc::new(view.resolve()),
            cache: self.cache.clone(),
            scylla: None,
        })
    }

    /// A Scylla node, from its scylla.yaml resolved by Scylla's rules ([`ScyllaYaml::resolve`]):
    /// [`Node::server_config`] and [`Node::client_config`] build Scylla's roles
    /// (`ServerRole::Internode`/`ClientRole::Internode`: the messaging service,
    /// `server_encryption_options`; `ServerRole::Native`/`ClientRole::Native`: CQL,
    /// `client_encryption_options`). Each config reads its PEM files when it is built.
    ///
    /// ```
    /// use cassandra_tls::options::scylla::ScyllaYaml;
    /// use cassandra_tls::tls::{Node, ServerRole, TlsSettings};
    ///
    /// let yaml = ScyllaYaml::from_str(
    ///     "server_encryption_options:\n  internode_encryption: all\n  certificate: /nonexistent/node.crt\n",
    /// )?;
    /// let node = Node::from_scylla(&yaml);
    /// let err = node.server_config(ServerRole::Internode, &TlsSettings::default()).unwrap_err();
    /// assert!(err.to_string().contains("Could not read certificate file /nonexistent/node.crt"));
    /// # Ok::<(), cassandra_tls::Error>(())
    /// ```
    pub fn from_scylla(yaml: &ScyllaYaml) -> Node {
        let empty = CassandraYaml::from_client_section(
            yaml.origin().clone(),
            EncryptionOptions::default(),
            yaml.base_dir().to_path_buf(),
        );
        Node {
            resolved: Arc::new(empty.resolve()),
            cache: None,
            scylla: Some(Arc::new(yaml.resolve())),
        }
    }

    /// The Scylla node, for a node made with [`Node::from_scylla`].
    pub fn scylla(&self) -> Option<&ScyllaNode> {
        self.scylla.as_deref()
    }

    /// Cassandra's verdict on each section (for a Scylla node, [`Node::from_scylla`], that of a
    /// cassandra.yaml without encryption options: read [`Node::scylla`] instead).
    pub fn resolved(&self) -> &ResolvedNode {
        &self.resolved
    }

    /// What the material builders read from.
    pub(crate) fn stores(&self) -> material::Stores<'_> {
        material::Stores {
            resolved: &self.resolved,
            cache: self.cache.as_deref(),
        }
    }

    /// The key store `role` presents, by its section's factory rules (`None`: the section has
    /// no key material, which only clients accept).
    pub fn key_store(&self, role: Role, settings: &TlsSettings) -> Result<Option<KeyStore>> {
        if let Some(scylla) = &self.scylla {
            return super::scylla::role_key_store(scylla, role).map(Some);
        }
        material::key_store_from(self.stores(), role, settings, None)
    }

    /// [`Node::key_store`], refusing a `store_type` the JDK could not read the file with.
    pub fn checked_key_store(
        &self,
        role: Role,
        settings: &TlsSettings,
    ) -> Result<Option<KeyStore>> {
        if let Some(scylla) = &self.scylla {
            return super::scylla::role_key_store(scylla, role).map(Some);
        }
        material::checked_key_store(self.stores(), role, settings, None)
    }

    /// The certificates `role`'s section trusts (Java's rule: trusted entries and key-entry
    /// leaves).
    pub fn trust_anchors(&self, role: Role) -> Result<Vec<Certificate>> {
        if let Some(scylla) = &self.scylla {
            return super::scylla::role_trust_anchors(scylla, role);
        }
        material::trust_anchors_from(self.stores(), role, None)
    }

    /// The server config of `role`; see [`super::server_config`].
    pub fn server_config(&self, role: ServerRole, settings: &TlsSettings) -> Result<ServerTls> {
        if let Some(scylla) = &self.scylla {
            return super::scylla::server_config(scylla, role, settings);
        }
        let plan = Plan::new(&self.resolved, role.into(), settings)?;
        let material =
            material::load_server_material(self.stores(), &plan, settings, Installed::default())?;
        let verifier = material
            .verifier
            .map(|v| Arc::new(v) as Arc<dyn rustls::server::danger::ClientCertVerifier>);
        super::assemble_server(
            self.resolved.origin(),
            plan,
            settings,
            material.warnings,
            Arc::new(material.keys),
            verifier,
            super::Sessions::Kept,
        )
    }

    /// The client config of `role`; see [`super::client_config`].
    pub fn client_config(&self, role: ClientRole, settings: &TlsSettings) -> Result<ClientTls> {
        if let Some(scylla) = &self.scylla {
            return super::scylla::client_config(scylla, role, settings);
        }
        let plan = Plan::new(&self.resolved, role.into(), settings)?;
        let material =
            material::load_client_material(self.stores(), &plan, settings, Installed::default())?;
        let keys = material
            .keys
            .map(|k| Arc::new(k) as Arc<dyn rustls::client::ResolvesClientCert>);
        let verifier = super::server_check(material.verifier, self.resolved.origin(), &plan)?;
        super::assemble_client(
            self.resolved.origin(),
            plan,
            settings,
            material.warnings,
            keys,
            verifier,
            super::Sessions::Kept,
        )
    }
}
