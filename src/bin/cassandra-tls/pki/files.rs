//! What `pki` writes: the plan of a PKI directory, node and client files, the CA, and the
//! doctor run over what was written.

use super::*;

pub(super) fn bad(what: impl Into<String>) -> Error {
    Error::Config {
        origin: Origin::Bytes("<pki>".into()),
        section: None,
        key: None,
        message: what.into(),
    }
}

pub(super) fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

pub(super) fn write_public(path: &Path, text: &str) -> Result<(), Error> {
    std::fs::write(path, text).map_err(io(path))
}

pub(super) fn mkdir(path: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(path).map_err(io(path))
}

/// What `pki init` decided, kept in DIR/pki.json for `add-node` and `rotate`.
pub(super) struct Plan {
    pub(super) out: PathBuf,
    pub(super) store: StoreKind,
    pub(super) key: KeyArg,
    pub(super) validity_days: u64,
    pub(super) storage_port: u16,
    pub(super) native_port: u16,
    pub(super) cassandra_version: cassandra_tls::options::CassandraVersion,
    pub(super) nodes: Vec<(IpAddr, Vec<String>)>,
    pub(super) shared_ip: Option<IpAddr>,
    pub(super) clients: Vec<String>,
    pub(super) keystore_password: Password,
    pub(super) truststore_password: Password,
    /// `--spiffe-trust-domain`: certificate login.
    pub(super) spiffe_trust_domain: Option<String>,
}

impl Plan {
    pub(super) fn manifest(&self) -> Value {
        json!({
            "store_type": self.store.name(),
            "key_type": self.key.name(),
            "validity_days": self.validity_days,
            "storage_port": self.storage_port,
            "native_port": self.native_port,
            "cassandra_version": self.cassandra_version.to_string(),
            "nodes": self.nodes.iter().map(|(ip, dns)| json!({"ip": ip.to_string(), "dns": dns})).collect::<Vec<_>>(),
            "shared_ip": self.shared_ip.map(|i| i.to_string()),
            "clients": self.clients,
            "spiffe_trust_domain": self.spiffe_trust_domain,
        })
    }

    pub(super) fn load(out: &Path) -> Result<Plan, Error> {
        let path = out.join("pki.json");
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let v: Value =
            serde_json::from_str(&text).map_err(|e| bad(format!("{}: {e}", path.display())))?;
        let (keystore_password, truststore_password) = read_passwords(&out.join("passwords"))?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_owned();
        Ok(Plan {
            out: out.to_path_buf(),
            store: StoreKind::parse(&s("store_type")).ok_or_else(|| bad("pki.json: store_type"))?,
            key: KeyArg::parse(&s("key_type")).ok_or_else(|| bad("pki.json: key_type"))?,
            validity_days: v["validity_days"].as_u64().unwrap_or(365),
            storage_port: v["storage_port"]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(7000),
            native_port: v["native_port"]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(9042),
            cassandra_version: s("cassandra_version").parse().unwrap_or_default(),
            nodes: v["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|n| {
                    let ip = n["ip"].as_str()?.parse().ok()?;
                    let dns = n["dns"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|d| d.as_str().map(str::to_owned))
                        .collect();
                    Some((ip, dns))
                })
                .collect(),
            shared_ip: v["shared_ip"].as_str().and_then(|i| i.parse().ok()),
            clients: v["clients"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect(),
            keystore_password,
            truststore_password,
            spiffe_trust_domain: v["spiffe_trust_domain"].as_str().map(str::to_owned),
        })
    }

    /// The identity every node certificate carries (one for the cluster: the internode
    /// authenticator trusts the identities of its own outbound key store).
    pub(super) fn node_spiffe(&self) -> Option<String> {
        self.spiffe_trust_domain
            .as_ref()
            .map(|d| format!("spiffe://{d}/cassandra/node"))
    }

    /// A client's identity.
    pub(super) fn client_spiffe(&self, name: &str) -> Option<String> {
        self.spiffe_trust_domain
            .as_ref()
            .map(|d| format!("spiffe://{d}/cassandra/client/{name}"))
    }

    pub(super) fn validity(&self) -> Validity {
        Validity::days(self.validity_days)
    }

    pub(super) fn truststore_path(&self, name: &str) -> PathBuf {
        self.out.join(format!("{name}.{}", self.store.extension()))
    }

    pub(super) fn node_dir(&self, ip: IpAddr) -> PathBuf {
        self.out.join("nodes").join(ip.to_string())
    }
}

pub(super) fn read_passwords(path: &Path) -> Result<(Password, Password), Error> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(io(path))?);
    let get = |key: &str| {
        text.lines()
            .filter_map(|l| l.split_once('='))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| Password::new(v.trim()))
            .ok_or_else(|| bad(format!("{}: no {key}= line", path.display())))
    };
    Ok((get("keystore_password")?, get("truststore_password")?))
}

pub(super) fn node_identity(
    plan: &Plan,
    ca: &Ca,
    ip: IpAddr,
    dns: &[String],
) -> Result<Identity, Error> {
    let mut leaf = ca
        .leaf(&ip.to_string())
        .ip(ip)
        .key_type(plan.key.key_type())
        .validity(plan.validity())
        .ekus(&[Eku::ServerAuth, Eku::ClientAuth]);
    for d in dns {
        leaf = leaf.dns(d);
    }
    if let Some(shared) = plan.shared_ip.filter(|s| *s != ip) {
        leaf = leaf.ip(shared);
    }
    if let Some(uri) = plan.node_spiffe() {
        leaf = leaf.uri(&uri);
    }
    leaf.issue()
}

/// A key store of the plan's type: one password for store and key, as Cassandra uses one.
pub(super) fn keystore_bytes(plan: &Plan, alias: &str, id: &Identity) -> Result<Vec<u8>, Error> {
    let p = plan.keystore_password.expose();
    let entries = [StoreEntry::key(alias, id)];
    Ok(match plan.store {
        StoreKind::Jks => write::jks(&entries, p, p)?,
        StoreKind::Pkcs12 => write::pkcs12(&entries, p, p, Pkcs12Profile::Jdk17)?,
        StoreKind::Pem => write::pem(id, Some(p))?.into_bytes(),
    })
}

pub(super) fn truststore_bytes(
    plan: &Plan,
    kind: StoreKind,
    cas: &[&Certificate],
) -> Result<Vec<u8>, Error> {
    let p = plan.truststore_password.expose();
    let aliases: Vec<String> = (0..cas.len()).map(|i| format!("ca{i}")).collect();
    let entries: Vec<StoreEntry<'_>> = cas
        .iter()
        .zip(&aliases)
        .map(|(c, a)| StoreEntry::trusted(a, c))
        .collect();
    Ok(match kind {
        StoreKind::Jks => write::jks(&entries, p, p)?,
        StoreKind::Pkcs12 => write::pkcs12(&entries, p, p, Pkcs12Profile::Jdk17)?,
        StoreKind::Pem => write::pem_certificates(cas).into_bytes(),
    })
}

/// The two encryption sections of a node's cassandra.yaml.
pub(super) fn sections(plan: &Plan, keystore: &Path) -> String {
    let truststore = plan.truststore_path("truststore");
    let mut stores = format!(
        "  keystore: {}\n  keystore_password: {}\n  truststore: {}\n",
        keystore.display(),
        plan.keystore_password.expose(),
        truststore.display()
    );
    match plan.store {
        StoreKind::Pem => stores.push_str("  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n"),
        StoreKind::Pkcs12 => {
            stores.push_str(&format!("  truststore_password: {}\n  store_type: PKCS12\n", plan.truststore_password.expose()));
        }
        StoreKind::Jks => stores.push_str(&format!("  truststore_password: {}\n", plan.truststore_password.expose())),
    }
    // Certificate login: the internode authenticator reads its trusted identities from the
    // outbound key store, which it takes from outbound_keystore alone (no fallback to keystore).
    let (auth, outbound) = if plan.spiffe_trust_domain.is_some() {
        (
            "authenticator:\n  class_name: org.apache.cassandra.auth.MutualTlsAuthenticator\n  parameters:\n    validator_class_name: org.apache.cassandra.auth.SpiffeCertificateValidator\ninternode_authenticator:\n  class_name: org.apache.cassandra.auth.MutualTlsInternodeAuthenticator\n  parameters:\n    validator_class_name: org.apache.cassandra.auth.SpiffeCertificateValidator\n".to_owned(),
            format!(
                "  outbound_keystore: {}\n  outbound_keystore_password: {}\n",
                keystore.display(),
                plan.keystore_password.expose()
            ),
        )
    } else {
        (String::new(), String::new())
    };
    format!(
        "{auth}server_encryption_options:\n  internode_encryption: all\n  enabled: true\n  require_client_auth: true\n  require_endpoint_verification: true\n  accepted_protocols: [TLSv1.3, TLSv1.2]\n{stores}{outbound}client_encryption_options:\n  enabled: true\n  optional: false\n  require_client_auth: true\n  accepted_protocols: [TLSv1.3, TLSv1.2]\n{stores}"
    )
}

/// identities.cql: a login role per client and the `ADD IDENTITY` that maps its certificate.
pub(super) fn identities_cql(plan: &Plan) -> Option<String> {
    plan.spiffe_trust_domain.as_ref()?;
    let mut out = String::from(
        "-- Written by cassandra-tls pki: run as a superuser (cqlsh -f identities.cql) so each\n-- client certificate logs in as its role (MutualTlsAuthenticator, system_auth.identity_to_role).\n",
    );
    for c in &plan.clients {
        let id = plan.client_spiffe(c)?;
        out.push_str(&format!(
            "CREATE ROLE IF NOT EXISTS '{c}' WITH LOGIN = true;\nADD IDENTITY IF NOT EXISTS '{id}' TO ROLE '{c}';\n"
        ));
    }
    Some(out)
}

pub(super) fn full_yaml(plan: &Plan, ip: IpAddr, sections: &str) -> String {
    let seeds: Vec<String> = plan
        .nodes
        .iter()
        .map(|(ip, _)| format!("{ip}:{}", plan.storage_port))
        .collect();
    format!(
        "# Written by cassandra-tls pki: a minimal cassandra.yaml that starts this node with its SSL.
# It holds passwords: keep it 0600.
cluster_name: cassandra-tls
num_tokens: 16
partitioner: org.apache.cassandra.dht.Murmur3Partitioner
commitlog_sync: periodic
{}
endpoint_snitch: SimpleSnitch
seed_provider:
  - class_name: org.apache.cassandra.locator.SimpleSeedProvider
    parameters:
      - seeds: \"{}\"
listen_address: {ip}
rpc_address: {ip}
storage_port: {}
native_transport_port: {}
start_native_transport: true
{sections}",
        if plan.cassandra_version == cassandra_tls::options::CassandraVersion::V4_0 {
            "commitlog_sync_period_in_ms: 10000"
        } else {
            "commitlog_sync_period: 10000ms"
        },
        seeds.join(","),
        plan.storage_port,
        plan.native_port,
    )
}

/// One node's key store, snippet and yaml.
pub(super) fn write_node(
    plan: &Plan,
    ca: &Ca,
    ip: IpAddr,
    dns: &[String],
) -> Result<PathBuf, Error> {
    let dir = plan.node_dir(ip);
    mkdir(&dir)?;
    let keystore = dir.join(format!("keystore.{}", plan.store.extension()));
    write_secret(
        &keystore,
        &keystore_bytes(plan, "node", &node_identity(plan, ca, ip, dns)?)?,
    )?;
    let s = sections(plan, &keystore);
    write_secret(&dir.join("encryption-options.yaml"), s.as_bytes())?;
    let yaml = dir.join("cassandra.yaml");
    write_secret(&yaml, full_yaml(plan, ip, &s).as_bytes())?;
    Ok(yaml)
}

pub(super) fn write_client(plan: &Plan, ca: &Ca, name: &str) -> Result<(), Error> {
    let dir = plan.out.join("clients").join(name);
    mkdir(&dir)?;
    let mut leaf = ca
        .leaf(name)
        .key_type(plan.key.key_type())
        .validity(plan.validity())
        .ekus(&[Eku::ClientAuth]);
    if let Some(uri) = plan.client_spiffe(name) {
        leaf = leaf.uri(&uri);
    }
    let id = leaf.issue()?;
    let key = dir.join(format!("{name}.key.pem"));
    let chain = dir.join(format!("{name}.chain.pem"));
    let pem = write::pem_key(id.private_key_pkcs8(), None, PemEncryption::default())?;
    write_secret(&key, pem.as_bytes())?;
    let certs: Vec<&Certificate> = id.chain().iter().collect();
    write_public(&chain, &write::pem_certificates(&certs))?;
    let ca_pem = plan.out.join("ca").join("ca.crt.pem");
    let host = plan
        .nodes
        .first()
        .map(|(ip, _)| ip.to_string())
        .unwrap_or_else(|| "127.0.0.1".into());
    write_public(
        &dir.join("cqlshrc"),
        &format!(
            "; Written by cassandra-tls pki: cqlsh with {name}'s certificate, validating the node.\n[connection]\nhostname = {host}\nport = {}\nssl = true\n\n[ssl]\ncertfile = {}\nvalidate = true\nuserkey = {}\nusercert = {}\n",
            plan.native_port,
            ca_pem.display(),
            key.display(),
            chain.display()
        ),
    )?;
    // nodetool reads Java stores: a PKCS#12 key store for the first client.
    if plan.clients.first().map(String::as_str) == Some(name) {
        let p = plan.keystore_password.expose();
        let ks = dir.join(format!("{name}.p12"));
        write_secret(
            &ks,
            &write::pkcs12(&[StoreEntry::key(name, &id)], p, p, Pkcs12Profile::Jdk17)?,
        )?;
        let ts = plan.out.join("truststore-nodetool.p12");
        write_secret(
            &ts,
            &truststore_bytes(plan, StoreKind::Pkcs12, &[ca.certificate()])?,
        )?;
        write_secret(
            &plan.out.join("nodetool-ssl.properties"),
            format!(
                "-Djavax.net.ssl.keyStore={}\n-Djavax.net.ssl.keyStorePassword={p}\n-Djavax.net.ssl.keyStoreType=PKCS12\n-Djavax.net.ssl.trustStore={}\n-Djavax.net.ssl.trustStorePassword={}\n-Djavax.net.ssl.trustStoreType=PKCS12\n-Djavax.rmi.ssl.client.enabledProtocols=TLSv1.3,TLSv1.2\n",
                ks.display(),
                ts.display(),
                plan.truststore_password.expose()
            )
            .as_bytes(),
        )?;
    }
    Ok(())
}

pub(super) fn dns_for(names: &NodeNames, ip: IpAddr) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    for d in &names.dns {
        let (i, list) = d
            .split_once('=')
            .ok_or_else(|| bad(format!("--dns {d}: not IP=NAME")))?;
        let i: IpAddr = i
            .trim()
            .parse()
            .map_err(|_| bad(format!("--dns {d}: {i} is not an IP address")))?;
        if i == ip {
            out.extend(
                list.split(',')
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty()),
            );
        }
    }
    Ok(out)
}

pub(super) fn save_ca(out: &Path, dir: &str, ca: &Ca) -> Result<(), Error> {
    let d = out.join(dir);
    mkdir(&d)?;
    write_public(
        &d.join("ca.crt.pem"),
        &write::pem_certificates(&[ca.certificate()]),
    )?;
    let key = write::pem_key(&ca.key_pkcs8(), None, PemEncryption::default())?;
    write_secret(&d.join("ca.key.pem"), key.as_bytes())?;
    write_public(
        &d.join("KEEP-OFFLINE.txt"),
        "ca.key.pem signs every node and client certificate of this cluster. Keep it offline (off the nodes,\nencrypted at rest); bring it back only for `cassandra-tls pki add-node` and `pki rotate`.\n",
    )
}

pub(super) fn load_ca(out: &Path, dir: &str) -> Result<Ca, Error> {
    let cert_path = out.join(dir).join("ca.crt.pem");
    let cert = KeyStore::loader().load_file(&cert_path)?;
    let cert = cert
        .trust_anchors()
        .into_iter()
        .next()
        .ok_or_else(|| bad(format!("{}: no certificate", cert_path.display())))?;
    let key_path = out.join(dir).join("ca.key.pem");
    let key = KeyStore::loader().load_file(&key_path)?;
    let pkcs8 = key
        .private_keys()
        .next()
        .and_then(|k| k.key())
        .and_then(|k| k.to_pkcs8())
        .ok_or_else(|| bad(format!("{}: no private key", key_path.display())))?;
    Ca::from_parts(cert, &pkcs8)
}

/// `doctor` on every node yaml written, alone and together; prints the summary.
pub(super) fn check(plan: &Plan) -> Result<usize, Error> {
    let yamls: Vec<CassandraYaml> = plan
        .nodes
        .iter()
        .map(|(ip, _)| {
            CassandraYaml::load_file_for(
                plan.node_dir(*ip).join("cassandra.yaml"),
                plan.cassandra_version,
            )
        })
        .collect::<Result<_, _>>()?;
    let at = UnixTime::now();
    let (errors, warnings) = if yamls.len() == 1 {
        let r = doctor::check(&yamls[0], None, at);
        (r.count(Severity::Error), r.count(Severity::Warning))
    } else {
        let r = doctor::check_cluster(&yamls, at);
        if !r.internode.all_ok() || !r.client_to_node.all_ok() {
            for f in r.findings.iter().filter(|f| f.severity == Severity::Error) {
                println!("  error: {}", f.message);
            }
        }
        (r.count(Severity::Error), r.count(Severity::Warning))
    };
    println!(
        "doctor on {} node yaml(s): {errors} error(s), {warnings} warning(s)",
        yamls.len()
    );
    Ok(errors)
}
