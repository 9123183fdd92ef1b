//! Hostile scylla.yaml files through the Scylla reader: every one is read (or refused as a
//! syntax error, as Scylla refuses it) without a panic, a hang or an unbounded allocation, and
//! the verdicts follow Scylla's rules (`utils/config_file.cc`, `db/config.cc`
//! `configure_tls_creds_builder`, `main.cc`): nulls, lists and maps as values, booleans in every
//! spelling, unknown modes, an enormous priority string.

use cassandra_tls::options::scylla::{
    InternodeMode, KeyNote, MapRead, ScyllaService, ScyllaVersion, ScyllaYaml,
};

fn node(text: &str) -> cassandra_tls::options::scylla::ScyllaNode {
    ScyllaYaml::from_str(text)
        .expect("not a syntax error")
        .resolve()
}

/// Every value shape yaml-cpp cannot turn into a string drops the map (config_file_impl.hh:59-72):
/// client encryption is off even with `enabled: true` beside it.
#[test]
fn non_string_values_drop_the_whole_map() {
    for value in [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "[]",
        "[TLSv1.2]",
        "{}",
        "{a: b}",
        "\n    - a\n    - b",
        "\n    k: v",
    ] {
        let n = node(&format!(
            "client_encryption_options:\n  enabled: true\n  truststore: {value}\n"
        ));
        let cql = n.section(ScyllaService::Cql);
        assert!(cql.dropped(), "truststore: {value:?}");
        assert!(!cql.enabled, "truststore: {value:?}");
        match &cql.read {
            MapRead::Dropped(d) => {
                assert_eq!(d.key.as_deref(), Some("truststore"));
                assert!(d.describe().contains("bad conversion"));
            }
            other => panic!("{other:?}"),
        }
    }
}

/// Quoted or tagged spellings of null are strings: the map survives.
#[test]
fn quoted_nulls_are_strings() {
    for value in ["''", "'null'", "\"~\"", "!!str null"] {
        let n = node(&format!(
            "client_encryption_options:\n  enabled: true\n  truststore: {value}\n"
        ));
        assert!(n.section(ScyllaService::Cql).enabled, "{value}");
    }
}

/// `is_true` (db/config.hh:729): `true` and `1` after lower-casing; YAML's other truths are false.
#[test]
fn booleans_in_every_spelling() {
    let on = ["true", "True", "TRUE", "1", "'true'", "\"1\"", "tRuE"];
    let off = [
        "yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "false", "0", "no", "off", "'true '",
        "1.0", "01", "+1", "truee", "t",
    ];
    for v in on {
        let n = node(&format!("client_encryption_options:\n  enabled: {v}\n"));
        assert!(n.section(ScyllaService::Cql).enabled, "{v}");
    }
    for v in off {
        let n = node(&format!("client_encryption_options:\n  enabled: {v}\n"));
        let cql = n.section(ScyllaService::Cql);
        assert!(!cql.enabled, "{v}");
        // The spellings YAML 1.1 (Cassandra) reads as true, and a quoted `true` with a blank,
        // are named.
        let yaml11_true = matches!(
            v.to_ascii_lowercase().as_str(),
            "yes" | "y" | "on" | "'true '"
        );
        let noted = cql
            .notes
            .iter()
            .any(|n| matches!(n, KeyNote::NotTrue { key, .. } if key == "enabled"));
        assert_eq!(noted, yaml11_true, "{v}");
    }
}

/// `internode_encryption` is compared exactly (main.cc:1705-1713): anything else is `none`.
#[test]
fn unknown_modes_mean_none() {
    for v in [
        "ALL",
        "All",
        "true",
        "yes",
        "'all '",
        "internode",
        "1",
        "DC",
        "Rack",
        "'none '",
        "",
    ] {
        let text = format!("server_encryption_options:\n  internode_encryption: {v}\n");
        let y = ScyllaYaml::from_str(&text).unwrap();
        let n = y.resolve();
        let s = n.section(ScyllaService::Internode);
        if s.dropped() {
            // An empty value is a null: the whole map is gone.
            assert_eq!(v, "");
            continue;
        }
        assert_eq!(s.internode_mode(), Some(InternodeMode::None), "{v}");
        assert!(!s.enabled, "{v}");
        assert!(
            s.notes.iter().any(|n| matches!(n, KeyNote::UnknownMode(_))),
            "{v}"
        );
    }
}

/// A 1 MiB priority string is read, bounded, and refused or accepted as GnuTLS would (its
/// tokens past the 128th are ignored).
#[test]
fn an_enormous_priority_string() {
    let long = format!("SECURE128{}", ":+AES-128-GCM".repeat(80_000));
    let n = node(&format!(
        "client_encryption_options:\n  enabled: true\n  priority_string: '{long}'\n"
    ));
    let cql = n.section(ScyllaService::Cql);
    assert!(cql.priority.is_ok());
    let bogus = format!("{}:+BOGUS", "NORMAL".repeat(200_000));
    let n = node(&format!(
        "client_encryption_options:\n  enabled: true\n  priority_string: '{bogus}'\n"
    ));
    let refused = n.section(ScyllaService::Cql).priority.as_ref().unwrap_err();
    assert!(refused.to_string().starts_with("Could not set priority: "));
}

/// Random bytes and mutations of a real scylla.yaml: read or refused, never a panic; every
/// accessor of the result works.
#[test]
fn mutations_never_panic() {
    let seed = "listen_address: 10.0.0.1\nnative_transport_port_ssl: 9142\nserver_encryption_options:\n  internode_encryption: all\n  certificate: /etc/scylla/db.crt\n  keyfile: /etc/scylla/db.key\n  truststore: /etc/scylla/ca.pem\n  require_client_auth: true\nclient_encryption_options:\n  enabled: true\n  certificate: /etc/scylla/db.crt\n  keyfile: /etc/scylla/db.key\n  priority_string: SECURE128:-VERS-TLS1.0\nauth_certificate_role_queries:\n  - source: SUBJECT\n    query: CN=([^,]+)\n";
    let alphabet: &[u8] = b" \n\t:-[]{}~&*!|>'\"#%@`,?0123456789abcdefxyzTRUEnul\\";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for round in 0..3000 {
        let mut bytes = seed.as_bytes().to_vec();
        let edits = 1 + (next() % 8) as usize;
        for _ in 0..edits {
            let pos = (next() as usize) % (bytes.len() + 1);
            let c = alphabet[(next() as usize) % alphabet.len()];
            match next() % 3 {
                0 if pos < bytes.len() => bytes[pos] = c,
                1 if pos < bytes.len() => {
                    bytes.remove(pos);
                }
                _ => bytes.insert(pos, c),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        for version in ScyllaVersion::known() {
            if let Ok(y) = ScyllaYaml::from_str(&text) {
                let n = y.with_version(version).resolve();
                for s in n.sections() {
                    let _ = (s.enabled, &s.notes, s.priority.is_ok(), s.internode_mode());
                    if let MapRead::Dropped(d) = &s.read {
                        let _ = d.describe();
                    }
                }
                let _ = (
                    n.listeners().len(),
                    n.outgoing_internode_tls(),
                    n.role_queries(),
                );
            }
            if round % 100 != 0 {
                break;
            }
        }
    }
}

/// A device or a directory named as the yaml is refused at once, never read without end.
#[test]
fn devices_and_directories_are_not_read() {
    for path in ["/dev/zero", "/dev/null", "/"] {
        if std::path::Path::new(path).exists() {
            assert!(ScyllaYaml::load_file(path).is_err(), "{path}");
            assert!(
                cassandra_tls::options::CassandraYaml::load_file(path).is_err(),
                "{path}"
            );
        }
    }
}

/// A device named as certificate, key, truststore or CRL: the TLS config is refused at once
/// (Seastar would read without end; this crate reads regular files only, bounded).
#[test]
fn devices_as_material_are_refused_not_read() {
    use cassandra_tls::tls::{ClientRole, Node, ServerRole, TlsSettings};
    if !std::path::Path::new("/dev/zero").exists() {
        return;
    }
    for key in [
        "certificate",
        "keyfile",
        "truststore",
        "certficate_revocation_list",
    ] {
        let text = format!(
            "server_encryption_options:\n  internode_encryption: all\n  require_client_auth: true\n  {key}: /dev/zero\nclient_encryption_options:\n  enabled: true\n  require_client_auth: true\n  {key}: /dev/zero\n"
        );
        let node = Node::from_scylla(&ScyllaYaml::from_str(&text).unwrap());
        let s = TlsSettings::default();
        assert!(
            node.server_config(ServerRole::Internode, &s).is_err(),
            "{key}"
        );
        assert!(node.server_config(ServerRole::Native, &s).is_err(), "{key}");
        assert!(
            node.client_config(ClientRole::Internode, &s).is_err(),
            "{key}"
        );
    }
}

/// alternator/controller.cc: the fallback (and its deprecation warning) is decided before
/// `truststore` and `require_client_auth` are erased.
#[test]
fn alternator_falls_back_even_to_a_map_of_only_the_erased_keys() {
    let n = node(
        "alternator_https_port: 8043\nserver_encryption_options:\n  truststore: ca.pem\n  require_client_auth: 'true'\n",
    );
    let a = n.section(ScyllaService::Alternator);
    assert!(a.fell_back && a.truststore.is_none());
}
