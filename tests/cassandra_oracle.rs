//! Cassandra as the oracle: a generated grid of cassandra.yaml files, each read by Cassandra's own
//! option classes (tests/peers/CassandraOracle.java on the classpath of cassandra-all 4.0, 4.1
//! and 5.0 from Maven Central, with the OpenSSL and the JDK provider) and by `explain`, compared
//! field by field. A difference fails the test unless FIDELITY.md lists it with its reason.
#![cfg(feature = "diagnostics")]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cassandra_tls::explain::{Provider, explain_yaml};
use cassandra_tls::options::{CassandraVersion, CassandraYaml};
use serde_json::Value;

/// A case: its name (`group/variant`) and its yaml, with `{S}` for the stores directory.
struct Case {
    name: String,
    yaml: String,
}

fn case(cases: &mut Vec<Case>, name: impl Into<String>, yaml: impl Into<String>) {
    cases.push(Case {
        name: name.into(),
        yaml: yaml.into(),
    });
}

const SERVER_OK: &str = "server_encryption_options:
  internode_encryption: all
  keystore: {S}/node1.jks
  keystore_password: cassandra
  truststore: {S}/truststore.jks
  truststore_password: cassandra
";

const CLIENT_OK: &str = "client_encryption_options:
  enabled: true
  keystore: {S}/node1.jks
  keystore_password: cassandra
  truststore: {S}/truststore.jks
  truststore_password: cassandra
";

/// A client section with these lines added (each line already indented).
fn client(extra: &str) -> String {
    format!("{CLIENT_OK}{extra}")
}

/// A directory with a copy of the fixture stores (`{S}`), and node1's PEM key store indented
/// for an inline `private_key` (`{KEY}`).
fn grid_stores() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let stores = dir.path().join("stores");
    std::fs::create_dir_all(&stores).unwrap();
    for entry in std::fs::read_dir(common::fixtures().join("stores")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), stores.join(entry.file_name())).unwrap();
    }
    // Password files (6.0's *_password_file): the right password, a wrong one, and an empty file.
    std::fs::write(
        stores.join("password.txt"),
        "cassandra\nsecond line ignored\n",
    )
    .unwrap();
    std::fs::write(stores.join("wrong-password.txt"), "not-the-password\n").unwrap();
    std::fs::write(stores.join("empty-password.txt"), "").unwrap();
    let key_pem = std::fs::read_to_string(stores.join("node1-keystore.pem")).unwrap();
    let indented_key: String = key_pem.lines().map(|l| format!("        {l}\n")).collect();
    (dir, stores, indented_key)
}

/// The grid: every encryption key with representative and hostile values.
fn grid() -> Vec<Case> {
    let mut c = Vec::new();
    // enabled x optional x key store present or absent, per section (and internode_encryption).
    let tri = [
        ("unset", None),
        ("true", Some("true")),
        ("false", Some("false")),
    ];
    for (en, enabled) in tri {
        for (op, optional) in tri {
            for (ks, keystore) in [("ks", "{S}/node1.jks"), ("noks", "{S}/absent.jks")] {
                let mut lines = String::new();
                if let Some(v) = enabled {
                    lines += &format!("  enabled: {v}\n");
                }
                if let Some(v) = optional {
                    lines += &format!("  optional: {v}\n");
                }
                let common = format!(
                    "  keystore: {keystore}\n  keystore_password: cassandra\n  truststore: {{S}}/truststore.jks\n  truststore_password: cassandra\n"
                );
                case(
                    &mut c,
                    format!("policy/client-{en}-{op}-{ks}"),
                    format!("client_encryption_options:\n{lines}{common}"),
                );
                for ie in ["none", "all", "dc", "rack"] {
                    case(
                        &mut c,
                        format!("policy/server-{ie}-{en}-{op}-{ks}"),
                        format!(
                            "server_encryption_options:\n  internode_encryption: {ie}\n{lines}{common}"
                        ),
                    );
                }
            }
        }
    }
    // protocol x accepted_protocols.
    let protocols = [
        "unset", "TLS", "tls", "TLSv1.2", "TLSv1.3", "TLSv1", "TLSv1.1", "SSLv3", "TLSv9",
    ];
    let accepted = [
        ("unset", None),
        ("12", Some("[TLSv1.2]")),
        ("13-12", Some("[TLSv1.3, TLSv1.2]")),
        ("12-13", Some("[TLSv1.2, TLSv1.3]")),
        ("10-11", Some("[TLSv1, TLSv1.1]")),
        ("bad", Some("[TLSv9]")),
        ("empty", Some("[]")),
    ];
    for p in protocols {
        for (an, a) in accepted {
            let mut lines = String::new();
            if p != "unset" {
                lines += &format!("  protocol: {p}\n");
            }
            if let Some(a) = a {
                lines += &format!("  accepted_protocols: {a}\n");
            }
            case(&mut c, format!("protocols/{p}-{an}"), client(&lines));
        }
    }
    // cipher_suites: supported, unsupported, unknown, legacy aliases, empty.
    let suites = [
        ("gcm", "[TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]"),
        ("tls13", "[TLS_AES_128_GCM_SHA256]"),
        ("cbc", "[TLS_RSA_WITH_AES_128_CBC_SHA]"),
        ("ssl-alias", "[SSL_RSA_WITH_AES_128_CBC_SHA]"),
        ("3des", "[TLS_RSA_WITH_3DES_EDE_CBC_SHA]"),
        ("unknown", "[NONSENSE]"),
        (
            "unknown-then-gcm",
            "[NONSENSE, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]",
        ),
        ("dhe", "[TLS_DHE_RSA_WITH_AES_128_GCM_SHA256]"),
        (
            "chacha-gcm",
            "[TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]",
        ),
        ("empty", "[]"),
        (
            "duplicate",
            "[TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_AES_128_CBC_SHA]",
        ),
        ("lowercase", "[tls_ecdhe_rsa_with_aes_128_gcm_sha256]"),
        ("rc4", "[SSL_RSA_WITH_RC4_128_SHA]"),
    ];
    for (sn, s) in suites {
        case(
            &mut c,
            format!("ciphers/{sn}"),
            client(&format!("  cipher_suites: {s}\n")),
        );
        case(
            &mut c,
            format!("ciphers/{sn}-tls12"),
            client(&format!("  cipher_suites: {s}\n  protocol: TLSv1.2\n")),
        );
    }
    // require_client_auth in every form, in both sections.
    let auths = [
        ("true", "true"),
        ("false", "false"),
        ("quoted-true", "\"true\""),
        ("optional", "optional"),
        ("required", "required"),
        ("not-required", "not_required"),
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("upper", "TRUE"),
        ("capital", "True"),
        ("maybe", "maybe"),
        ("one", "1"),
    ];
    for (an, a) in auths {
        case(
            &mut c,
            format!("client-auth/client-{an}"),
            client(&format!("  require_client_auth: {a}\n")),
        );
        case(
            &mut c,
            format!("client-auth/server-{an}"),
            format!("{SERVER_OK}  require_client_auth: {a}\n"),
        );
    }
    // Booleans as SnakeYAML reads them.
    for (bn, b) in [
        ("yes", "yes"),
        ("no", "no"),
        ("on", "on"),
        ("off", "off"),
        ("quoted-true", "\"true\""),
        ("quoted-false", "'false'"),
        ("upper", "TRUE"),
        ("capital", "False"),
        ("y", "y"),
        ("one", "1"),
        ("maybe", "maybe"),
    ] {
        case(
            &mut c,
            format!("booleans/enabled-{bn}"),
            format!(
                "client_encryption_options:\n  enabled: {b}\n  keystore: {{S}}/node1.jks\n  keystore_password: cassandra\n"
            ),
        );
        case(
            &mut c,
            format!("booleans/endpoint-{bn}"),
            format!("{SERVER_OK}  require_endpoint_verification: {b}\n"),
        );
    }
    // Store types against the files, with client auth (both stores read).
    for st in [
        "JKS", "jks", "PKCS12", "pkcs12", "JCEKS", "PEM", "BKS", "nonsense",
    ] {
        for (fname, ks, ts) in [
            ("jks", "node1.jks", "truststore.jks"),
            ("p12", "node1.p12", "truststore.p12"),
            ("jceks", "node1.jceks", "truststore.jceks"),
        ] {
            case(
                &mut c,
                format!("store-type/{st}-{fname}"),
                format!(
                    "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n  store_type: {st}\n  keystore: {{S}}/{ks}\n  keystore_password: cassandra\n  truststore: {{S}}/{ts}\n  truststore_password: cassandra\n"
                ),
            );
        }
    }
    // Passwords: absent, right, wrong, empty; for the key store and the trust store.
    let passwords = [
        ("unset", None),
        ("right", Some("cassandra")),
        ("wrong", Some("wrong")),
        ("empty", Some("\"\"")),
    ];
    for (kn, k) in passwords {
        for (tn, t) in passwords {
            let mut s = "server_encryption_options:\n  internode_encryption: all\n  keystore: {S}/node1.jks\n  truststore: {S}/truststore.jks\n".to_owned();
            if let Some(k) = k {
                s += &format!("  keystore_password: {k}\n");
            }
            if let Some(t) = t {
                s += &format!("  truststore_password: {t}\n");
            }
            case(&mut c, format!("passwords/{kn}-{tn}"), s);
        }
    }
    // Key and key store passwords that differ (keytool -keypass): Cassandra has one password.
    case(
        &mut c,
        "passwords/keypass-store",
        "server_encryption_options:\n  internode_encryption: all\n  keystore: {S}/node1-keypass.jks\n  keystore_password: cassandra\n  truststore: {S}/truststore.jks\n  truststore_password: cassandra\n",
    );
    case(
        &mut c,
        "passwords/p12-no-truststore-password",
        "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n  store_type: PKCS12\n  keystore: {S}/node1.p12\n  keystore_password: cassandra\n  truststore: {S}/truststore-nopass.p12\n",
    );
    // The PEM factory: files and inline, passwords, both sources at once.
    let pem = "  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n";
    let pem_short = "  ssl_context_factory:\n    class_name: PEMBasedSslContextFactory\n";
    for (fname, factory) in [("full", pem), ("short", pem_short)] {
        for (pn, pw) in [
            ("right", "  keystore_password: cassandra\n"),
            ("wrong", "  keystore_password: wrong\n"),
            ("none", ""),
        ] {
            case(
                &mut c,
                format!("pem/files-{fname}-{pn}"),
                format!(
                    "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n{factory}  keystore: {{S}}/node1-keystore.pem\n{pw}  truststore: {{S}}/ca-bundle.pem\n"
                ),
            );
        }
    }
    case(
        &mut c,
        "pem/plain-key-no-password",
        format!(
            "client_encryption_options:\n  enabled: true\n{pem}  keystore: {{S}}/node1-keystore-plain.pem\n  truststore: {{S}}/ca-bundle.pem\n"
        ),
    );
    case(
        &mut c,
        "pem/truststore-password-ignored",
        format!(
            "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n{pem}  keystore: {{S}}/node1-keystore.pem\n  keystore_password: cassandra\n  truststore: {{S}}/ca-bundle.pem\n  truststore_password: whatever\n"
        ),
    );
    case(
        &mut c,
        "pem/missing-truststore",
        format!(
            "client_encryption_options:\n  enabled: true\n  require_client_auth: true\n{pem}  keystore: {{S}}/node1-keystore.pem\n  keystore_password: cassandra\n  truststore: {{S}}/absent.pem\n"
        ),
    );
    let inline = |extra: &str, keystore: &str| {
        format!(
            "server_encryption_options:\n  internode_encryption: all\n  keystore: {keystore}\n  truststore: {{S}}/ca-bundle.pem\n{pem}    parameters:\n      private_key: |\n{{KEY}}{extra}"
        )
    };
    case(
        &mut c,
        "pem/inline-right",
        inline("      private_key_password: cassandra\n", "{S}/absent.pem"),
    );
    case(
        &mut c,
        "pem/inline-mismatch",
        inline("      private_key_password: cassandra\n", "{S}/absent.pem")
            .replace("  truststore:", "  keystore_password: other\n  truststore:"),
    );
    case(
        &mut c,
        "pem/inline-and-file",
        inline(
            "      private_key_password: cassandra\n",
            "{S}/node1-keystore.pem",
        ),
    );
    case(
        &mut c,
        "pem/inline-collision",
        inline(
            "      private_key_password: cassandra\n      keystore: x\n",
            "{S}/absent.pem",
        ),
    );
    case(
        &mut c,
        "pem/custom-factory",
        "client_encryption_options:\n  enabled: true\n  keystore: {S}/node1.jks\n  keystore_password: cassandra\n  ssl_context_factory:\n    class_name: com.example.NoSuchFactory\n",
    );
    // Outbound key stores (5.0).
    for (on, ok) in [
        ("unset", None),
        ("client1", Some("{S}/client1.jks")),
        ("absent", Some("{S}/absent.jks")),
    ] {
        for (pn, pw) in [
            ("unset", None),
            ("right", Some("cassandra")),
            ("wrong", Some("wrong")),
        ] {
            let mut s = SERVER_OK.to_owned();
            if let Some(k) = ok {
                s += &format!("  outbound_keystore: {k}\n");
            }
            if let Some(p) = pw {
                s += &format!("  outbound_keystore_password: {p}\n");
            }
            case(&mut c, format!("outbound/{on}-{pn}"), s);
        }
    }
    // The legacy SSL storage port, by both names.
    for key in [
        "legacy_ssl_storage_port_enabled",
        "enable_legacy_ssl_storage_port",
    ] {
        for ie in ["none", "all"] {
            for v in ["true", "false"] {
                case(
                    &mut c,
                    format!("legacy-port/{key}-{ie}-{v}"),
                    format!(
                        "server_encryption_options:\n  internode_encryption: {ie}\n  {key}: {v}\n  keystore: {{S}}/node1.jks\n  keystore_password: cassandra\n  truststore: {{S}}/truststore.jks\n  truststore_password: cassandra\n"
                    ),
                );
            }
        }
    }
    // native_transport_port_ssl with the client section on and off.
    for (en, enabled) in [("on", "true"), ("off", "false")] {
        for (pn, port) in [("other", "9142"), ("same", "9042")] {
            case(
                &mut c,
                format!("native-ssl-port/{en}-{pn}"),
                format!(
                    "native_transport_port: 9042\nnative_transport_port_ssl: {port}\nclient_encryption_options:\n  enabled: {enabled}\n  optional: false\n  keystore: {{S}}/node1.jks\n  keystore_password: cassandra\n"
                ),
            );
        }
    }
    // Missing files and other store trouble.
    case(
        &mut c,
        "files/missing-truststore-verified",
        SERVER_OK.replace("truststore.jks", "absent.jks"),
    );
    case(
        &mut c,
        "files/missing-truststore-unverified",
        client("").replace("truststore.jks", "absent.jks"),
    );
    case(
        &mut c,
        "files/missing-keystore-enabled",
        client("").replace("node1.jks", "absent.jks"),
    );
    case(
        &mut c,
        "files/default-paths",
        "client_encryption_options:\n  enabled: true\n  keystore_password: cassandra\n",
    );
    case(
        &mut c,
        "files/expired",
        client("").replace("node1.jks", "expired.jks"),
    );
    case(
        &mut c,
        "files/not-a-store",
        client("").replace("node1.jks", "ca.pem"),
    );
    case(
        &mut c,
        "files/dsa-key",
        client("").replace("node1.jks", "dsa.jks"),
    );
    case(
        &mut c,
        "files/multi-key",
        client("").replace("node1.jks", "multi-key.jks"),
    );
    // algorithm.
    for alg in ["SunX509", "PKIX", "NoSuchAlgorithm"] {
        case(
            &mut c,
            format!("algorithm/{alg}"),
            client(&format!(
                "  algorithm: {alg}\n  require_client_auth: true\n"
            )),
        );
    }
    // The loader: unknown keys, empty values and sections, duplicates, wrong enums, trunk keys.
    case(
        &mut c,
        "loader/unknown-key",
        client("  no_such_option: 1\n"),
    );
    case(
        &mut c,
        "loader/server-key-in-client",
        client("  internode_encryption: all\n"),
    );
    case(&mut c, "loader/empty-value", client("  algorithm:\n"));
    case(
        &mut c,
        "loader/empty-section",
        "client_encryption_options:\n",
    );
    case(
        &mut c,
        "loader/duplicate-key-last-wins",
        client("  enabled: false\n"),
    );
    case(
        &mut c,
        "loader/internode-upper",
        SERVER_OK.replace("internode_encryption: all", "internode_encryption: ALL"),
    );
    case(
        &mut c,
        "loader/internode-bogus",
        SERVER_OK.replace("internode_encryption: all", "internode_encryption: some"),
    );
    case(
        &mut c,
        "loader/trunk-validity",
        client("  max_certificate_validity_period: 365d\n"),
    );
    case(
        &mut c,
        "loader/trunk-password-file",
        client("  keystore_password_file: /nonexistent\n"),
    );
    case(
        &mut c,
        "loader/number-password",
        client("").replace("keystore_password: cassandra", "keystore_password: 123456"),
    );
    case(
        &mut c,
        "loader/list-for-string",
        client("  algorithm: [a, b]\n"),
    );
    case(
        &mut c,
        "loader/string-for-list",
        client("  cipher_suites: TLS_AES_128_GCM_SHA256\n"),
    );
    case(&mut c, "loader/no-sections", "cluster_name: x\n");
    six_cases(&mut c);
    auth_cases(&mut c);
    case(&mut c, "loader/both-ok", format!("{SERVER_OK}{CLIENT_OK}"));
    case(
        &mut c,
        "loader/both-optional-true",
        format!("{SERVER_OK}  optional: true\n{CLIENT_OK}  optional: true\n"),
    );
    c
}

/// 6.0's keys (password files, the outbound password file, the JMX section under
/// `jmx_server_options`, the removed `native_transport_port_ssl`), read by every line: the older
/// ones refuse them as their loader does.
fn six_cases(c: &mut Vec<Case>) {
    let no_pw = |section: &str| section.replace("  keystore_password: cassandra\n", "");
    let no_tpw = |section: &str| section.replace("  truststore_password: cassandra\n", "");
    for (name, file) in [
        ("right", "{S}/password.txt"),
        ("wrong", "{S}/wrong-password.txt"),
        ("empty", "{S}/empty-password.txt"),
        ("missing", "{S}/no-such-password.txt"),
    ] {
        case(
            c,
            format!("six/keystore-password-file-{name}"),
            format!("{}  keystore_password_file: {file}\n", no_pw(CLIENT_OK)),
        );
        case(
            c,
            format!("six/keystore-password-and-file-{name}"),
            format!("{CLIENT_OK}  keystore_password_file: {file}\n"),
        );
        case(
            c,
            format!("six/truststore-password-file-{name}"),
            format!(
                "{}  truststore_password_file: {file}\n  require_client_auth: true\n",
                no_tpw(CLIENT_OK)
            ),
        );
        case(
            c,
            format!("six/server-password-file-{name}"),
            format!("{}  keystore_password_file: {file}\n", no_pw(SERVER_OK)),
        );
        case(
            c,
            format!("six/outbound-password-file-{name}"),
            format!(
                "{SERVER_OK}  outbound_keystore: {{S}}/node-ec.jks\n  outbound_keystore_password_file: {file}\n"
            ),
        );
        case(
            c,
            format!("six/outbound-password-file-only-{name}"),
            format!(
                "{}  outbound_keystore: {{S}}/node-ec.jks\n  outbound_keystore_password_file: {file}\n  keystore_password_file: {{S}}/password.txt\n",
                no_pw(SERVER_OK)
            ),
        );
    }
    let jmx = |extra: &str| {
        format!(
            "jmx_server_options:\n  jmx_encryption_options:\n{}{extra}",
            CLIENT_OK
                .lines()
                .skip(1)
                .map(|l| format!("  {l}\n"))
                .collect::<String>()
        )
    };
    case(c, "six/jmx-ok", jmx(""));
    for auth in ["true", "false", "optional", "required", "bogus"] {
        case(
            c,
            format!("six/jmx-client-auth-{auth}"),
            jmx(&format!("    require_client_auth: {auth}\n")),
        );
    }
    case(
        c,
        "six/jmx-missing-keystore",
        jmx("").replace("node1.jks", "no-such.jks"),
    );
    case(
        c,
        "six/jmx-wrong-password",
        jmx("").replace("keystore_password: cassandra", "keystore_password: wrong"),
    );
    case(
        c,
        "six/jmx-pem",
        jmx("    ssl_context_factory:\n      class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n")
            .replace("node1.jks", "node1-keystore.pem")
            .replace("truststore.jks", "ca-bundle.pem"),
    );
    case(c, "six/jmx-unknown-key", jmx("    no_such_option: 1\n"));
    case(
        c,
        "six/jmx-top-level",
        format!("jmx_encryption_options:\n  enabled: true\n{CLIENT_OK}"),
    );
    case(
        c,
        "six/jmx-with-client",
        format!("{CLIENT_OK}  require_client_auth: optional\n{}", jmx("")),
    );
}

/// The authenticators (AuthConfig.applyAuth): classes in both forms, the mTLS authenticators'
/// validators and prerequisites, the internode authenticator's identities.
fn auth_cases(c: &mut Vec<Case>) {
    let required = client("  require_client_auth: true\n");
    let mtls = |class: &str, validator: &str| {
        format!(
            "authenticator:\n  class_name: {class}\n  parameters:\n    validator_class_name: {validator}\n"
        )
    };
    let spiffe = "org.apache.cassandra.auth.SpiffeCertificateValidator";
    let full = "org.apache.cassandra.auth.MutualTlsAuthenticator";
    let fallback = "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator";
    for (name, yaml) in [
        (
            "password",
            "authenticator: PasswordAuthenticator\n".to_owned(),
        ),
        (
            "password-full",
            "authenticator: org.apache.cassandra.auth.PasswordAuthenticator\n".to_owned(),
        ),
        (
            "allow-all",
            "authenticator: AllowAllAuthenticator\n".to_owned(),
        ),
        (
            "password-mapping",
            "authenticator:\n  class_name: PasswordAuthenticator\n".to_owned(),
        ),
        ("bogus", "authenticator: NoSuchAuthenticator\n".to_owned()),
        ("mtls-ok", format!("{}{required}", mtls(full, spiffe))),
        (
            "mtls-short",
            format!(
                "{}{required}",
                mtls("MutualTlsAuthenticator", "SpiffeCertificateValidator")
            ),
        ),
        (
            "mtls-name-only",
            format!("authenticator: MutualTlsAuthenticator\n{required}"),
        ),
        (
            "mtls-no-validator",
            format!(
                "authenticator:\n  class_name: {full}\n  parameters:\n    other: x\n{required}"
            ),
        ),
        (
            "mtls-bogus-validator",
            format!("{}{required}", mtls(full, "NoSuchValidator")),
        ),
        (
            "mtls-client-auth-off",
            format!("{}{CLIENT_OK}", mtls(full, spiffe)),
        ),
        (
            "mtls-client-disabled",
            format!(
                "{}{}",
                mtls(full, spiffe),
                required.replace("enabled: true", "enabled: false")
            ),
        ),
        ("mtls-no-client-section", mtls(full, spiffe)),
        (
            "mtls-optional",
            format!(
                "{}{}",
                mtls(full, spiffe),
                client("  require_client_auth: optional\n")
            ),
        ),
        (
            "fallback-required",
            format!("{}{required}", mtls(fallback, spiffe)),
        ),
        (
            "fallback-off",
            format!("{}{CLIENT_OK}", mtls(fallback, spiffe)),
        ),
        (
            "fallback-optional",
            format!(
                "{}{}",
                mtls(fallback, spiffe),
                client("  require_client_auth: optional\n")
            ),
        ),
        (
            "swapped",
            format!(
                "authenticator:\n  class_name: MutualTlsInternodeAuthenticator\n  parameters:\n    validator_class_name: {spiffe}\n{required}"
            ),
        ),
        (
            "role-manager",
            "role_manager: CassandraRoleManager\n".to_owned(),
        ),
        (
            "role-manager-bogus",
            "role_manager: NoSuchRoleManager\n".to_owned(),
        ),
        (
            "role-manager-wrong",
            "role_manager: PasswordAuthenticator\n".to_owned(),
        ),
        // 6.0's certificate validity limits (CASSANDRA-18951); unknown keys before 6.0.
        (
            "mtls-validity",
            format!(
                "{}{required}  max_certificate_validity_period: 30d\n  certificate_validity_warn_threshold: 5d\n",
                mtls(full, spiffe)
            ),
        ),
        (
            "mtls-validity-hours",
            format!(
                "{}{required}  max_certificate_validity_period: 36h\n",
                mtls(full, spiffe)
            ),
        ),
        (
            "fallback-validity",
            format!(
                "{}{}  certificate_validity_warn_threshold: 90m\n",
                mtls(fallback, spiffe),
                client("  require_client_auth: optional\n")
            ),
        ),
        (
            "password-validity",
            format!(
                "authenticator: PasswordAuthenticator\n{required}  max_certificate_validity_period: 30d\n"
            ),
        ),
        // The authorizers (AuthConfig.applyAuth): one that requires authorization needs an
        // authenticator that authenticates.
        (
            "authorizer-allow-all",
            "authorizer: CassandraAuthorizer\nauthenticator: AllowAllAuthenticator\n".to_owned(),
        ),
        (
            "authorizer-default-authenticator",
            "authorizer: CassandraAuthorizer\n".to_owned(),
        ),
        (
            "authorizer-password",
            "authenticator: PasswordAuthenticator\nauthorizer: CassandraAuthorizer\n".to_owned(),
        ),
        (
            "authorizer-full",
            "authenticator: PasswordAuthenticator\nauthorizer: org.apache.cassandra.auth.CassandraAuthorizer\n".to_owned(),
        ),
        (
            "authorizer-mtls",
            format!("{}{required}authorizer: CassandraAuthorizer\n", mtls(full, spiffe)),
        ),
        (
            "authorizer-mapping",
            "authenticator: PasswordAuthenticator\nauthorizer:\n  class_name: CassandraAuthorizer\n"
                .to_owned(),
        ),
        (
            "authorizer-bogus",
            "authenticator: PasswordAuthenticator\nauthorizer: NoSuchAuthorizer\n".to_owned(),
        ),
        (
            "authorizer-wrong-interface",
            "authenticator: PasswordAuthenticator\nauthorizer: CassandraRoleManager\n".to_owned(),
        ),
        (
            "authorizer-allow-all-explicit",
            "authorizer: AllowAllAuthorizer\n".to_owned(),
        ),
        (
            "network-authorizer-allow-all",
            "network_authorizer: CassandraNetworkAuthorizer\n".to_owned(),
        ),
        (
            "network-authorizer-password",
            "authenticator: PasswordAuthenticator\nnetwork_authorizer: CassandraNetworkAuthorizer\n"
                .to_owned(),
        ),
        (
            "network-authorizer-bogus",
            "network_authorizer: NoSuchNetworkAuthorizer\n".to_owned(),
        ),
        (
            "cidr-authorizer-allow-all",
            "cidr_authorizer: CassandraCIDRAuthorizer\n".to_owned(),
        ),
        (
            "cidr-authorizer-password",
            "authenticator: PasswordAuthenticator\ncidr_authorizer: CassandraCIDRAuthorizer\n"
                .to_owned(),
        ),
        (
            "cidr-authorizer-explicit-allow-all",
            "cidr_authorizer: AllowAllCIDRAuthorizer\n".to_owned(),
        ),
        (
            "plugin-authorizer",
            "authenticator: PasswordAuthenticator\nauthorizer: com.example.auth.Authz\n".to_owned(),
        ),
        (
            "plugin",
            "authenticator: com.example.auth.LdapAuthenticator\n".to_owned(),
        ),
        (
            "plugin-internode",
            "internode_authenticator: com.example.auth.Internode\n".to_owned(),
        ),
        (
            "plugin-role-manager",
            "authenticator: PasswordAuthenticator\nrole_manager: com.example.auth.Roles\n"
                .to_owned(),
        ),
    ] {
        case(c, format!("auth/{name}"), yaml);
    }
    let server = SERVER_OK.to_owned() + "  require_client_auth: true\n";
    let internode = |params: &str| {
        format!(
            "internode_authenticator:\n  class_name: MutualTlsInternodeAuthenticator\n  parameters:\n    validator_class_name: {spiffe}\n{params}"
        )
    };
    let outbound = |store: &str| {
        format!("  outbound_keystore: {{S}}/{store}\n  outbound_keystore_password: cassandra\n")
    };
    for (name, yaml) in [
        (
            "trusted",
            format!(
                "{}{server}",
                internode("    trusted_peer_identities: spiffe://a/x,spiffe://b/y\n")
            ),
        ),
        (
            "untrimmed",
            format!(
                "{}{server}",
                internode("    trusted_peer_identities: \"spiffe://a/x, spiffe://b/y\"\n")
            ),
        ),
        (
            "trailing-comma",
            format!(
                "{}{server}",
                internode("    trusted_peer_identities: \"spiffe://a/x,\"\n")
            ),
        ),
        (
            "no-validator",
            format!(
                "internode_authenticator:\n  class_name: MutualTlsInternodeAuthenticator\n{server}"
            ),
        ),
        (
            "validity",
            format!(
                "{}{server}  max_certificate_validity_period: 365d\n  certificate_validity_warn_threshold: 30d\n",
                internode("    trusted_peer_identities: spiffe://a/x\n")
            ),
        ),
        (
            "no-encryption",
            format!(
                "{}{}",
                internode("    trusted_peer_identities: spiffe://a/x\n"),
                server.replace("internode_encryption: all", "internode_encryption: none")
            ),
        ),
        (
            "no-client-auth",
            format!(
                "{}{SERVER_OK}",
                internode("    trusted_peer_identities: spiffe://a/x\n")
            ),
        ),
        (
            "outbound-spiffe",
            format!("{}{server}{}", internode(""), outbound("client1.jks")),
        ),
        (
            "outbound-no-spiffe",
            format!("{}{server}{}", internode(""), outbound("node1.jks")),
        ),
        ("no-outbound", format!("{}{server}", internode(""))),
        (
            "outbound-wrong-password",
            format!(
                "{}{server}{}",
                internode(""),
                outbound("client1.jks").replace(
                    "outbound_keystore_password: cassandra",
                    "outbound_keystore_password: wrong"
                )
            ),
        ),
        (
            "node-identity-match",
            format!(
                "{}{server}{}",
                internode("    node_identity: spiffe://cassandra.test/client/app1\n"),
                outbound("client1.jks")
            ),
        ),
        (
            "node-identity-mismatch",
            format!(
                "{}{server}{}",
                internode("    node_identity: spiffe://cassandra.test/other\n"),
                outbound("client1.jks")
            ),
        ),
        (
            "node-identity-ignored",
            format!(
                "{}{server}",
                internode(
                    "    trusted_peer_identities: spiffe://a/x\n    node_identity: spiffe://nowhere\n"
                )
            ),
        ),
        (
            "swapped",
            format!(
                "internode_authenticator:\n  class_name: MutualTlsAuthenticator\n  parameters:\n    validator_class_name: {spiffe}\n{server}"
            ),
        ),
        (
            "both",
            format!(
                "{}{}{required}",
                internode("    trusted_peer_identities: spiffe://a/x\n"),
                mtls(full, spiffe)
            ) + &server,
        ),
    ] {
        case(c, format!("auth/internode-{name}"), yaml);
    }
}

/// FIDELITY.md's table of known divergences: rows of
/// `| versions | providers | case | field | reason |`, `*` as a wildcard at the end of a case.
struct Allowed {
    versions: String,
    providers: String,
    case: String,
    field: String,
}

fn allowed() -> Vec<Allowed> {
    let text = std::fs::read_to_string(common::root().join("FIDELITY.md")).expect("FIDELITY.md");
    let mut out = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.starts_with("<!-- divergences -->") {
            in_table = true;
            continue;
        }
        if line.starts_with("<!-- end divergences -->") {
            break;
        }
        if !in_table
            || !line.starts_with('|')
            || line.starts_with("|--")
            || line.starts_with("| versions")
        {
            continue;
        }
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if cols.len() >= 6 {
            out.push(Allowed {
                versions: cols[1].to_owned(),
                providers: cols[2].to_owned(),
                case: cols[3].trim_matches('`').to_owned(),
                field: cols[4].trim_matches('`').to_owned(),
            });
        }
    }
    out
}

/// A FIDELITY.md `versions` cell: `*`, lines (`4.0, 4.1`: on every JDK measured) or
/// (line, JDK) pairs (`5.0/11`).
fn matches_version(pattern: &str, line: &str, pair: &str) -> bool {
    pattern == "*"
        || pattern.split(',').map(str::trim).any(|p| {
            if p.contains('/') {
                matches(p, pair)
            } else {
                matches(p, line)
            }
        })
}

fn matches(pattern: &str, value: &str) -> bool {
    pattern == "*"
        || pattern
            .split(',')
            .map(str::trim)
            .any(|p| match p.strip_suffix('*') {
                Some(prefix) => value.starts_with(prefix),
                None => p == value,
            })
}

/// Runs the oracle on every yaml, in one JVM of `java_home`.
fn oracle(
    (home, classes, java_home): (&Path, &Path, &Path),
    dir: &Path,
    paths: &[PathBuf],
    provider: Provider,
) -> BTreeMap<String, Value> {
    let run = common::oracle::Run {
        java: &java_home.join("bin/java"),
        home,
        classes,
        main: "CassandraOracle",
        properties: vec![format!(
            "-Dcassandra.disable_tcactive_openssl={}",
            provider == Provider::Jdk
        )],
        prefix: "ORACLE ",
    };
    common::oracle::verdicts(&run, dir, paths)
}

/// The fields compared, with Java's value and ours.
fn differences(java: &Value, ours: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    if let Some(f) = java.get("oracle_failure") {
        out.push(("oracle".into(), f.to_string(), String::new()));
        return out;
    }
    let mut cmp = |field: &str, j: Value, o: Value| {
        if j != o {
            out.push((field.to_owned(), j.to_string(), o.to_string()));
        }
    };
    cmp(
        "accepted",
        java["accepted"].clone(),
        ours["accepted"].clone(),
    );
    if java["accepted"] != Value::Bool(true) || ours["accepted"] != Value::Bool(true) {
        if java["accepted"] == ours["accepted"] {
            cmp(
                "stage",
                java["error"]["stage"].clone(),
                ours["error"]["stage"].clone(),
            );
            // For SSL failures, which context failed first.
            if java["error"]["stage"] == "ssl" {
                let chain = java["error"]["chain"].to_string();
                let java_section = if chain.contains("Internode messaging") {
                    "server_encryption_options"
                } else if chain.contains("JMX transport") {
                    "jmx_encryption_options"
                } else {
                    "client_encryption_options"
                };
                cmp(
                    "error.section",
                    Value::from(java_section),
                    ours["error"]["section"].clone(),
                );
            }
        }
        return out;
    }
    for field in [
        "authenticator",
        "internode_authenticator",
        "role_manager",
        "authorizer",
        "network_authorizer",
        "cidr_authorizer",
    ] {
        cmp(
            &format!("auth.{field}"),
            java["auth"][field].clone(),
            ours["auth"][field].clone(),
        );
    }
    // 6.0's certificate validity limits, as the mTLS authenticators' constructors hold them.
    for key in [
        "client_certificate_validity",
        "internode_certificate_validity",
    ] {
        let limits = &ours["auth"][key];
        let ours_limits = if limits.is_null() {
            Value::Null
        } else {
            serde_json::json!({
                "max_minutes": limits["max_certificate_validity_period_minutes"]
                    .as_u64()
                    .unwrap_or(i32::MAX as u64),
                "warn_threshold_minutes": limits["certificate_validity_warn_threshold_minutes"],
            })
        };
        cmp(
            &format!("auth.{key}"),
            java["auth"].get(key).cloned().unwrap_or(Value::Null),
            ours_limits,
        );
    }
    if java["auth"].get("trusted_peer_identities").is_some() {
        cmp(
            "auth.trusted_peer_identities",
            java["auth"]["trusted_peer_identities"].clone(),
            ours["auth"]["trusted_peer_identities"].clone(),
        );
    }
    for section in [
        "server_encryption_options",
        "client_encryption_options",
        "jmx_encryption_options",
    ] {
        let (j, o) = (&java[section], &ours[section]);
        if section == "jmx_encryption_options" {
            cmp(
                "jmx_encryption_options",
                Value::from(!j.is_null()),
                Value::from(!o.is_null()),
            );
            if j.is_null() || o.is_null() {
                continue;
            }
        }
        for field in [
            "policy",
            "enabled",
            "optional",
            "endpoint_verification",
            "store_type",
            "keystore",
            "keystore_password_set",
            "truststore",
            "truststore_password_set",
            "internode_encryption",
            "protocols",
            "cipher_suites",
        ] {
            cmp(
                &format!("{section}.{field}"),
                j[field].clone(),
                o[field].clone(),
            );
        }
        let java_auth = match j["client_auth"].as_str() {
            Some("true") => "required",
            Some("false") => "none",
            Some(other) => other,
            None => "",
        };
        cmp(
            &format!("{section}.client_auth"),
            Value::from(java_auth),
            o["client_auth"].clone(),
        );
        if j.get("outbound_keystore").is_some() || o.get("outbound_keystore").is_some() {
            cmp(
                &format!("{section}.outbound_keystore"),
                j["outbound_keystore"].clone(),
                o["outbound_keystore"].clone(),
            );
        }
    }
    out
}

#[test]
fn explain_matches_cassandra_on_a_generated_grid() {
    if common::which("java").is_none() {
        common::skip_or_fail("the oracle needs java (and mvn for cassandra-all)");
        return;
    }
    let (dir, stores, indented_key) = grid_stores();
    let cases = grid();
    assert!(cases.len() >= 300, "{} cases", cases.len());
    let mut paths = Vec::new();
    let mut names = BTreeMap::new();
    for (i, c) in cases.iter().enumerate() {
        let path = dir.path().join(format!("case-{i:03}.yaml"));
        let text = c
            .yaml
            .replace("{S}", &stores.to_string_lossy())
            .replace("{KEY}", &indented_key);
        std::fs::write(&path, format!("cluster_name: oracle\n{text}")).unwrap();
        names.insert(path.display().to_string(), c.name.clone());
        paths.push(path);
    }
    let allowed = allowed();
    let mut unlisted = Vec::new();
    let mut listed = 0;
    let mut compared = 0;
    let mut pairs = 0;
    for version in CassandraVersion::ALL {
        let line = version.as_str();
        let Some(home) = common::cassandra::resolve_line(line) else {
            common::skip_or_fail(&format!(
                "cassandra-all {line} did not resolve from Maven Central"
            ));
            continue;
        };
        let classes = common::oracle::compiled(line, &home, &["CassandraOracle.java"]);
        // Every JDK the line supports and `explain` claims (CassandraVersion::jdks).
        for &jdk in version.jdks() {
            let Some(java_home) = common::cassandra::jdk_home(jdk) else {
                common::skip_or_fail(&format!("no Java {jdk} runtime for the {line} oracle"));
                continue;
            };
            assert_eq!(
                common::cassandra::java_major(&java_home),
                Some(jdk),
                "{} is not Java {jdk}",
                java_home.display()
            );
            pairs += 1;
            let pair = format!("{line}/{jdk}");
            for provider in [Provider::OpenSsl, Provider::Jdk] {
                // Timed for BENCHMARKS.md (printed, never asserted): one JVM start, then every case.
                let started = std::time::Instant::now();
                let verdicts = oracle((&home, &classes, &java_home), dir.path(), &paths, provider);
                let took = started.elapsed();
                eprintln!(
                    "oracle {line} on Java {jdk} {}: {} cases in {:.2} s ({:.1} ms per case, JVM start included)",
                    provider.as_str(),
                    paths.len(),
                    took.as_secs_f64(),
                    took.as_secs_f64() * 1000.0 / paths.len() as f64
                );
                for path in &paths {
                    let key = path.display().to_string();
                    let name = &names[&key];
                    let java = &verdicts[&key];
                    assert_eq!(
                        java["provider"].as_str(),
                        Some(provider.as_str()),
                        "the oracle ran with another provider than asked"
                    );
                    let loaded = CassandraYaml::load_file_for(path, version)
                        .map(|y| y.with_base_dir(dir.path()));
                    let ours =
                        serde_json::to_value(explain_yaml(key.clone(), loaded, version, provider))
                            .unwrap();
                    compared += 1;
                    for (field, j, o) in differences(java, &ours) {
                        let known = allowed.iter().any(|a| {
                            matches_version(&a.versions, line, &pair)
                                && matches(&a.providers, provider.as_str())
                                && matches(&a.case, name)
                                && matches(&a.field, &field)
                        });
                        if known {
                            listed += 1;
                        } else {
                            unlisted.push(format!(
                                "{pair} {} {name} {field}: Cassandra {j}, explain {o}{}",
                                provider.as_str(),
                                if field == "stage" || field == "accepted" {
                                    format!(
                                        "\n    java: {}\n    ours: {}",
                                        java["error"], ours["error"]
                                    )
                                } else {
                                    String::new()
                                }
                            ));
                        }
                    }
                }
            }
        }
    }
    eprintln!(
        "compared {compared} verdicts over {pairs} (line, JDK) pairs ({} cases per pair and provider); {listed} differences listed in FIDELITY.md",
        cases.len()
    );
    assert!(
        unlisted.is_empty(),
        "{} differences from Cassandra that FIDELITY.md does not list:\n{}",
        unlisted.len(),
        unlisted.join("\n")
    );
}

/// The library agrees with itself on the oracle's grid: every section `explain` accepts (and
/// lists no "cannot build" divergence for) builds with `tls`, and every yaml `explain` refuses
/// while building the SSL contexts is refused by `tls` for the same section and key. Both read
/// the same resolved node, so a rule taught to one is taught to the other.
#[test]
fn tls_agrees_with_explain_on_the_grid() {
    use cassandra_tls::Error;
    use cassandra_tls::explain::Stage;
    use cassandra_tls::tls::{ClientRole, Node, ServerRole, TlsSettings};

    let (dir, stores, indented_key) = grid_stores();
    let settings = TlsSettings::default();
    let mut disagreements = Vec::new();
    let (mut built, mut refused) = (0, 0);
    for c in grid() {
        let text = c
            .yaml
            .replace("{S}", &stores.to_string_lossy())
            .replace("{KEY}", &indented_key);
        let text = format!("cluster_name: oracle\n{text}");
        for version in [
            CassandraVersion::V4_0,
            CassandraVersion::V4_1,
            CassandraVersion::V5_0,
            CassandraVersion::V6_0,
        ] {
            let Ok(yaml) = CassandraYaml::from_str_for(&text, version) else {
                continue; // refused by the loader, before either reads a section
            };
            let yaml = yaml.with_base_dir(dir.path());
            let node = Node::new(&yaml);
            let e = cassandra_tls::explain::explain_node(c.name.clone(), &node, Provider::Jdk);
            // A store's error (a wrong password, say) is the section's whose store it is.
            let place = |r: &Error, section: &str| match r {
                Error::Config { section, key, .. } => (section.clone(), key.clone()),
                _ => (Some(section.to_owned()), None),
            };
            if e.accepted {
                for (section, server, client) in [
                    (
                        &e.server_encryption_options,
                        Some(ServerRole::Internode),
                        Some(ClientRole::Internode),
                    ),
                    (&e.client_encryption_options, Some(ServerRole::Native), None),
                ] {
                    let Some(s) = section else { continue };
                    if s.policy == "UNENCRYPTED"
                        || s.divergences.iter().any(|d| d.contains("cannot build"))
                    {
                        continue;
                    }
                    if let Some(role) = server
                        && let Err(err) = node.server_config(role, &settings)
                    {
                        disagreements.push(format!(
                            "{} {version}: explain accepts, server_config({role:?}) refuses: {err}",
                            c.name
                        ));
                    }
                    if let Some(role) = client
                        && let Err(err) = node.client_config(role, &settings)
                    {
                        disagreements.push(format!(
                            "{} {version}: explain accepts, client_config({role:?}) refuses: {err}",
                            c.name
                        ));
                    }
                    built += 1;
                }
            } else if let Some(err) = e.error.as_ref().filter(|e| e.stage == Stage::Ssl) {
                let role = match err.section.as_deref() {
                    Some("server_encryption_options") => ServerRole::Internode,
                    Some("client_encryption_options") => ServerRole::Native,
                    _ => continue, // JMX: nodetool's side, not a yaml role
                };
                let ours = node.server_config(role, &settings).and_then(|_| {
                    if role == ServerRole::Internode {
                        node.client_config(ClientRole::Internode, &settings)
                            .map(|_| ())
                    } else {
                        Ok(())
                    }
                });
                let want = (err.section.clone(), err.key.clone());
                match ours {
                    Ok(()) => disagreements.push(format!(
                        "{} {version}: explain refuses at {want:?}, tls builds",
                        c.name
                    )),
                    Err(ours) if place(&ours, role.section()) != want => {
                        disagreements.push(format!(
                            "{} {version}: explain refuses at {want:?}, tls at {:?}: {ours}",
                            c.name,
                            place(&ours, role.section())
                        ))
                    }
                    Err(_) => refused += 1,
                }
            }
        }
    }
    eprintln!("{built} sections built as explain accepted them; {refused} refusals agreed");
    assert!(
        built > 100 && refused > 20,
        "{built} built, {refused} refused"
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
