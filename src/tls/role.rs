//! Cassandra's four TLS roles, and the server and client halves that type the builders.

use crate::options::{ResolvedNode, ResolvedSection, Section};

/// One of Cassandra's four TLS roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A node accepting internode connections on the storage port.
    InternodeServer,
    /// A node connecting to a peer's storage port.
    InternodeClient,
    /// A node accepting clients on the native transport port.
    NativeServer,
    /// A client (driver, tool) connecting to the native transport port.
    NativeClient,
}

/// The roles a node listens in: what [`server_config`](super::server_config) builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServerRole {
    /// Accepting internode connections on the storage port ([`Role::InternodeServer`]).
    Internode,
    /// Accepting clients on the native transport port ([`Role::NativeServer`]).
    Native,
}

/// The roles that connect: what [`client_config`](super::client_config) builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientRole {
    /// A node connecting to a peer's storage port ([`Role::InternodeClient`]).
    Internode,
    /// A driver or tool connecting to the native transport port ([`Role::NativeClient`]).
    Native,
}

impl From<ServerRole> for Role {
    fn from(r: ServerRole) -> Role {
        match r {
            ServerRole::Internode => Role::InternodeServer,
            ServerRole::Native => Role::NativeServer,
        }
    }
}

impl From<ClientRole> for Role {
    fn from(r: ClientRole) -> Role {
        match r {
            ClientRole::Internode => Role::InternodeClient,
            ClientRole::Native => Role::NativeClient,
        }
    }
}

impl ServerRole {
    /// The cassandra.yaml section the role reads.
    pub fn section(self) -> &'static str {
        Role::from(self).section()
    }

    /// The client role that connects to this one.
    pub fn peer(self) -> ClientRole {
        match self {
            ServerRole::Internode => ClientRole::Internode,
            ServerRole::Native => ClientRole::Native,
        }
    }
}

impl ClientRole {
    /// The cassandra.yaml section the role reads.
    pub fn section(self) -> &'static str {
        Role::from(self).section()
    }
}

impl Role {
    /// The section of cassandra.yaml the role reads.
    pub fn section(self) -> &'static str {
        self.section_kind().as_str()
    }

    /// The section of cassandra.yaml the role reads, as a [`Section`].
    pub fn section_kind(self) -> Section {
        match self {
            Role::InternodeServer | Role::InternodeClient => Section::Server,
            Role::NativeServer | Role::NativeClient => Section::Client,
        }
    }

    /// The role's section on a resolved node: the one place a role is matched to its options.
    pub(crate) fn options(self, node: &ResolvedNode) -> &ResolvedSection {
        match self.section_kind() {
            Section::Server => node.server(),
            _ => node.client(),
        }
    }
}
