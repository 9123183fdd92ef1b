//! nodetool's SSL settings (issue 8): the Java properties form read as the JDK's
//! `Properties.load` reads it, the JVM-option form as `bin/nodetool` hands it to `java`
//! (`cat | tr '\n' ' '`, then word splitting), and the client config that results handshaking
//! with the node's certificate. The JDK is the reference for both forms.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use cassandra_tls::Origin;
use cassandra_tls::handshake::Handshake;
use cassandra_tls::options::{CassandraYaml, NodetoolSsl, PropertiesForm, parse_java_properties};
use cassandra_tls::tls::{self, ServerRole, TlsSettings};

fn java() -> bool {
    if common::which("java").is_none() {
        common::skip_or_fail("java is not on the PATH");
        return false;
    }
    true
}

fn unhex(s: &str) -> String {
    String::from_utf8(hex::decode(s).unwrap()).unwrap()
}

/// Tricky properties texts: separators, whitespace, comments, continuations, escapes.
const CASES: &[&str] = &[
    "a=b",
    "a = b",
    "a:b",
    "a b",
    "a\tb",
    "a",
    "a=",
    "   a   =   b   ",
    "a==b",
    "a=:b",
    "a :b",
    "a : = b",
    "a b = c",
    "# comment\n! other\na=1",
    "   # indented comment\na=1",
    "# comment ending in a backslash \\\na=1",
    "a=1 \\\n   2",
    "a=1\\\\\nb=2",
    "a=1\\\\\\\n   2",
    "a=b\\\n   \\\n   c",
    "a=b\\\n\nc=d",
    "\\\n a=b",
    "key\\ with\\ spaces=v",
    "k\\=x=v",
    "k\\:x:v",
    "\\#notcomment=1",
    "\\u0041=\\u00e9\\u00E9",
    "a=\\t\\n\\r\\f\\x\\\\",
    "a=b\\",
    "a=b\\\n",
    "a=b\r\nc=d",
    "a=b\rc=d",
    "a=b\r\n\\\r\n  c",
    "a=1\na=2",
    " \u{c} a=b",
    "ключ=значение",
    "a=ლ\\u10DA",
    "a=\\uD83D\\uDE00",
    "=empty key",
    ":empty key too",
    "a=b\n\n\n   \t\nc=d",
    "javax.net.ssl.trustStore=/etc/ssl/truststore.jks\njavax.net.ssl.trustStorePassword=p\\u00e4ss",
    "a=\\u004",
    "a=\\uZZZZ",
    "\\u00=x",
];

#[test]
fn java_properties_are_read_as_the_jdk_reads_them() {
    if !java() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let files: Vec<_> = CASES
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let p = tmp.path().join(format!("case{i}.properties"));
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let out = Command::new("java")
        .arg(common::root().join("tests/peers/PropsDump.java"))
        .args(&files)
        .output()
        .expect("run java");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The JDK's verdict per file: Ok(map) or Err(message).
    let mut jdk: Vec<Result<BTreeMap<String, String>, String>> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("FILE ") {
            jdk.push(Ok(BTreeMap::new()));
        } else if let Some(msg) = line.strip_prefix("ERROR ") {
            *jdk.last_mut().unwrap() = Err(msg.to_owned());
        } else {
            let (k, v) = line.split_once(' ').unwrap();
            if let Some(Ok(m)) = jdk.last_mut() {
                m.insert(unhex(k), unhex(v));
            }
        }
    }
    assert_eq!(jdk.len(), CASES.len());
    let mut wrong = Vec::new();
    for (text, expected) in CASES.iter().zip(&jdk) {
        let ours = parse_java_properties(text, &Origin::bytes())
            .map(|pairs| pairs.into_iter().collect::<BTreeMap<_, _>>());
        let same = match (&ours, expected) {
            (Ok(a), Ok(b)) => a == b,
            (Err(e), Err(m)) => e.kind() == "config" && e.to_string().contains(m.as_str()),
            _ => false,
        };
        if !same {
            wrong.push(format!("{text:?}: JDK {expected:?}, ours {ours:?}"));
        }
    }
    println!("{} properties texts compared with the JDK", CASES.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

const NAMES: [&str; 8] = [
    "javax.net.ssl.keyStore",
    "javax.net.ssl.keyStorePassword",
    "javax.net.ssl.keyStoreType",
    "javax.net.ssl.trustStore",
    "javax.net.ssl.trustStorePassword",
    "javax.net.ssl.trustStoreType",
    "javax.rmi.ssl.client.enabledProtocols",
    "com.sun.management.jmxremote.ssl.need.client.auth",
];

/// What java receives when bin/nodetool reads `file`: its own pipeline, verbatim.
fn as_nodetool_passes_it(file: &Path) -> Option<BTreeMap<String, Option<String>>> {
    let script = r#"SSL_FILE="$1"; shift; SSL_ARGS=$(cat $SSL_FILE | tr '\n' ' '); JVM_ARGS=" -Dssl.enable=true $SSL_ARGS"; exec java $JVM_ARGS "$@""#;
    let out = Command::new("bash")
        .args(["-c", script, "nodetool"])
        .arg(file)
        .arg(common::root().join("tests/peers/PropsDump.java"))
        .arg("--system")
        .args(NAMES)
        .output()
        .expect("run bash");
    if !out.status.success() {
        return None;
    }
    Some(
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| {
                let (k, v) = l.split_once(' ').unwrap();
                (k.to_owned(), (v != "-").then(|| unhex(v)))
            })
            .collect(),
    )
}

fn ours(s: &NodetoolSsl) -> BTreeMap<String, Option<String>> {
    let path = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string());
    let list = |l: &Option<Vec<String>>| l.as_ref().map(|l| l.join(","));
    [
        ("javax.net.ssl.keyStore", path(&s.keystore)),
        (
            "javax.net.ssl.keyStorePassword",
            s.keystore_password.as_ref().map(|p| p.expose().to_owned()),
        ),
        ("javax.net.ssl.keyStoreType", s.keystore_type.clone()),
        ("javax.net.ssl.trustStore", path(&s.truststore)),
        (
            "javax.net.ssl.trustStorePassword",
            s.truststore_password
                .as_ref()
                .map(|p| p.expose().to_owned()),
        ),
        ("javax.net.ssl.trustStoreType", s.truststore_type.clone()),
        (
            "javax.rmi.ssl.client.enabledProtocols",
            list(&s.client_protocols),
        ),
        (
            "com.sun.management.jmxremote.ssl.need.client.auth",
            s.need_client_auth.map(|b| b.to_string()),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

#[test]
fn jvm_options_are_read_as_bin_nodetool_hands_them_to_java() {
    if !java() || common::which("bash").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let fixture = common::fixtures().join("conf/nodetool-ssl.properties");
    let text = std::fs::read_to_string(&fixture).unwrap();
    let crlf = tmp.path().join("crlf.properties");
    std::fs::write(&crlf, text.replace('\n', "\r\n")).unwrap();
    let extra = tmp.path().join("extra.properties");
    std::fs::write(
        &extra,
        "-Djavax.net.ssl.trustStore=/etc/cassandra/truststore.jks   -Djavax.net.ssl.trustStorePassword=s3cr=t\n\n-Dcom.sun.management.jmxremote.ssl.need.client.auth=TRUE\n-Djavax.net.ssl.keyStore\n",
    )
    .unwrap();
    for file in [fixture.as_path(), &crlf, &extra] {
        let mut jdk = as_nodetool_passes_it(file).expect("java accepts the file");
        // A boolean is what Boolean.parseBoolean makes of it.
        let auth = "com.sun.management.jmxremote.ssl.need.client.auth";
        if let Some(Some(v)) = jdk.get(auth).cloned() {
            jdk.insert(
                auth.into(),
                Some(v.eq_ignore_ascii_case("true").to_string()),
            );
        }
        let parsed = NodetoolSsl::load_file(file).unwrap();
        assert_eq!(parsed.form, Some(PropertiesForm::JvmOptions));
        assert_eq!(ours(&parsed), jdk, "{}", file.display());
    }
    // A comment line is a word java takes for its main class: nodetool fails, and so do we.
    let commented = tmp.path().join("commented.properties");
    std::fs::write(&commented, format!("# nodetool settings\n{text}")).unwrap();
    assert!(
        as_nodetool_passes_it(&commented).is_none(),
        "java ran with '#'"
    );
    let e = NodetoolSsl::load_file(&commented).unwrap_err();
    assert_eq!(e.kind(), "config");
    assert!(e.to_string().contains("main class"), "{e}");
}

#[test]
fn the_java_properties_fixture_means_what_the_jdk_says() {
    if !java() {
        return;
    }
    let file = common::fixtures().join("conf/nodetool-ssl-java.properties");
    let out = Command::new("java")
        .arg(common::root().join("tests/peers/PropsDump.java"))
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let jdk: BTreeMap<String, String> = stdout
        .lines()
        .skip(1)
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap();
            (unhex(k), unhex(v))
        })
        .collect();
    let parsed = NodetoolSsl::load_file(&file).unwrap();
    assert_eq!(parsed.form, Some(PropertiesForm::JavaProperties));
    assert_eq!(
        parsed.truststore.as_ref().unwrap().display().to_string(),
        jdk["javax.net.ssl.trustStore"]
    );
    assert_eq!(
        parsed.truststore_password.as_ref().unwrap().expose(),
        jdk["javax.net.ssl.trustStorePassword"]
    );
    assert_eq!(
        parsed.client_cipher_suites.as_ref().unwrap().join(","),
        jdk["javax.rmi.ssl.client.enabledCipherSuites"]
    );
    assert!(parsed.warnings().iter().any(|w| {
        w.to_string()
            .contains("need.client.auth configures the JMX server")
    }));
}

/// client1's certificate, as keytool lists it.
fn client1_sha256() -> String {
    let text = std::fs::read_to_string(common::fixtures().join("expected/client1.jks.keytool.txt"))
        .unwrap();
    common::tools::colon_hex(&common::tools::parse_keytool_certs(&text)[0].sha256)
}

#[test]
fn nodetool_settings_handshake_with_the_node() {
    let yaml = CassandraYaml::load_file(common::fixtures().join("conf/cassandra.yaml"))
        .unwrap()
        .with_base_dir(common::root());
    let server = tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default()).unwrap();
    for name in ["nodetool-ssl.properties", "nodetool-ssl-java.properties"] {
        let mut ssl = NodetoolSsl::load_file(common::fixtures().join("conf").join(name)).unwrap();
        ssl.keystore = ssl.keystore.map(|p| common::root().join(p));
        ssl.truststore = ssl.truststore.map(|p| common::root().join(p));
        let client = tls::nodetool_client_config(&ssl, &TlsSettings::default()).unwrap();
        assert!(client.has_client_certificate());
        assert!(
            !client.verifies_server_name(),
            "SslRMIClientSocketFactory checks no name"
        );
        let c = Handshake::client(&client, "127.0.0.1").unwrap();
        let s = Handshake::server(&server, "127.0.0.1".parse().unwrap()).unwrap();
        let (_, peer) = cassandra_tls::handshake::in_memory(c, s)
            .server
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(peer.sha256_hex().unwrap(), client1_sha256(), "{name}");
    }
}

#[test]
fn broken_nodetool_settings_are_errors_naming_the_property() {
    let root = common::root();
    let stores = root.join("fixtures/stores");
    let with = |text: String| {
        let ssl = NodetoolSsl::parse(&text, Origin::bytes()).unwrap();
        tls::nodetool_client_config(&ssl, &TlsSettings::default()).map(|_| ())
    };
    let trust = format!(
        "javax.net.ssl.trustStore={}\n",
        stores.join("truststore.jks").display()
    );
    let e = with("javax.net.ssl.keyStoreType=JKS\n".into()).unwrap_err();
    assert!(e.to_string().contains("javax.net.ssl.trustStore"), "{e}");
    let e = with(format!(
        "{trust}javax.net.ssl.keyStore={}\njavax.net.ssl.keyStorePassword=Wr0ng-P4ss-7781\n",
        stores.join("client1.jks").display()
    ))
    .unwrap_err();
    assert_eq!(e.kind(), "wrong_password_or_tampered", "{e}");
    assert!(!e.to_string().contains("Wr0ng-P4ss-7781"));
    let e = with(format!(
        "{trust}javax.net.ssl.keyStore={}\n",
        stores.join("client1.jks").display()
    ))
    .unwrap_err();
    assert!(e.to_string().contains("keyStorePassword"), "{e}");
    let e = with(format!(
        "{trust}javax.net.ssl.keyStore={}\njavax.net.ssl.keyStorePassword=cassandra\njavax.net.ssl.keyStoreType=JCEKS\n",
        stores.join("client1.p12").display()
    ))
    .unwrap_err();
    assert!(e.to_string().contains("keyStoreType"), "{e}");
    let e = with(format!(
        "{trust}javax.rmi.ssl.client.enabledProtocols=TLSv1\n"
    ))
    .unwrap_err();
    assert_eq!(e.kind(), "config", "{e}");
    // A password never shows in Debug.
    let ssl = NodetoolSsl::parse(
        "javax.net.ssl.keyStorePassword=Wr0ng-P4ss-7781\nsome.secret.password=Yaml-S3cret-991\n",
        Origin::bytes(),
    )
    .unwrap();
    let debug = format!("{ssl:?}");
    assert!(
        !debug.contains("Wr0ng-P4ss-7781") && !debug.contains("Yaml-S3cret-991"),
        "{debug}"
    );
}
