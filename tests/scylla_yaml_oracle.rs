//! scylla.yaml read by our reader against yaml-cpp driven as Scylla's `config_file` drives it
//! (issue #34 item 6): tests/peers/scylla_yaml.cpp is compiled with g++ against Debian's
//! libyaml-cpp-dev and run on each text of a grid of ordinary and hostile scylla.yaml files;
//! its report (which encryption maps survive, with what strings; the role queries; the ports
//! and `authenticator`) must be the one rendered from `ScyllaYaml`'s public API.
//!
//! Where the two differ on purpose, the case is in [`DIVERGES`] with the reason, and the test
//! checks that it still differs (so a fix shows up as a stale entry).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cassandra_tls::options::scylla::{ListRead, MapRead, ScalarRead, ScyllaYaml};

const MAPS: [&str; 4] = [
    "server_encryption_options",
    "client_encryption_options",
    "alternator_encryption_options",
    "vector_store_encryption_options",
];

/// The ports the oracle reports (`ssl_storage_port` is `uint32_t` in Scylla, the rest
/// `uint16_t`), in its order.
const PORTS: [&str; 7] = [
    "native_transport_port",
    "native_transport_port_ssl",
    "native_shard_aware_transport_port",
    "native_shard_aware_transport_port_ssl",
    "storage_port",
    "alternator_https_port",
    "ssl_storage_port",
];

/// Cases where our reader differs from the oracle (case name, why). `BUG:` entries are bugs in
/// our reader, reported; the others are differences we keep on purpose.
const DIVERGES: &[(&str, &str)] = &[
    // `read_from_yaml` converts each top-level key with `node.first.as<sstring>()` outside its
    // try block (utils/config_file.cc:303-304): a key that is not a scalar, or a document that
    // is a non-empty sequence (the iterator's `first` is an invalid node), throws out of it and
    // `read_config` rethrows (main.cc:228-230): Scylla does not start. We skip such keys.
    // yaml-cpp's scanner, not YAML.
    (
        "unclosed quote",
        "BUG: yaml-cpp (0.7 to 0.9: src/scanscalar.cpp is unchanged) takes an unterminated \
         double-quoted scalar to the end of the input (`true` + folded newline = `true `) \
         and Scylla starts; we call it a syntax error",
    ),
    (
        "unclosed single quote",
        "BUG: as the unclosed double quote (`true `)",
    ),
    (
        "unclosed quote swallows the next lines",
        "BUG: yaml-cpp reads `enabled` as `true truststore: t authenticator: x ` and Scylla \
         starts; we call it a syntax error",
    ),
    // yaml-cpp versions differ here; Scylla bundles Fedora's yaml-cpp (0.8 or newer), the
    // oracle is Debian's 0.7.0.
    (
        "CR line ends",
        "yaml-cpp 0.7 has no lone-CR line break (syntax error); 0.8 added it \
         (src/exp.h Break()), as we read it",
    ),
    (
        "a comma before a top-level key",
        "yaml-cpp 0.7 and 0.8 read the key `,client_encryption_options` (an unknown option); \
         0.9 refuses a `,` at column 0 (src/scanner.cpp), as we do",
    ),
    // `ssl_storage_port` is `named_value<uint32_t>` (db/config.hh:402): 65536..4294967295
    // convert, and main.cc:1676 stores it in messaging_service's `uint16_t ssl_port`
    // (message/messaging_service.hh:312), so 70000 listens on 4464 and 65536 on port 0, while
    // main.cc:1733 tests the uint32_t (`ssl_storage_port() != 0`).
    // Our parser's nesting bound (256) is below yaml-cpp 0.7's (about 496 levels, beyond which
    // yaml-cpp refuses the file too): between the two, Scylla drops the map and we refuse.
    (
        "flow lists 256 deep",
        "nesting bound: 256 levels (yaml-cpp's is ~496)",
    ),
    (
        "flow lists 257 deep",
        "nesting bound: 256 levels (yaml-cpp's is ~496)",
    ),
    (
        "flow lists 300 deep",
        "nesting bound: 256 levels (yaml-cpp's is ~496)",
    ),
    (
        "flow lists 490 deep",
        "nesting bound: 256 levels (yaml-cpp's is ~496)",
    ),
];

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out
}

/// The oracle's report as our reader gives it (an error: Scylla does not start).
fn ours(read: cassandra_tls::Result<ScyllaYaml>) -> Vec<String> {
    let y = match read {
        Ok(y) => y,
        // A key Scylla cannot convert stops it outside the syntax check: ours names that.
        Err(e) if e.to_string().contains("outside its error handler") => {
            return vec!["FATAL".into()];
        }
        Err(_) => return vec!["SYNTAX".into()],
    };
    let mut out = Vec::new();
    for name in MAPS {
        match y.option_map(name) {
            MapRead::Absent => out.push(format!("OPTION {name} ABSENT")),
            MapRead::Null => out.push(format!("OPTION {name} NULL")),
            MapRead::Dropped(_) => out.push(format!("OPTION {name} DROPPED")),
            MapRead::Map(m) => {
                out.push(format!("OPTION {name} MAP"));
                for (k, v) in m {
                    out.push(format!("KEY {name} {}={}", esc(k), esc(v)));
                }
            }
            other => out.push(format!("OPTION {name} {other:?}")),
        }
    }
    match y.role_queries() {
        ListRead::Absent => out.push("QUERIES ABSENT".into()),
        ListRead::Null => out.push("QUERIES NULL".into()),
        ListRead::Dropped(_) => out.push("QUERIES DROPPED".into()),
        ListRead::List(l) => {
            out.push(format!("QUERIES LIST {}", l.len()));
            for (i, m) in l.iter().enumerate() {
                for (k, v) in m {
                    out.push(format!("QUERY {i} {}={}", esc(k), esc(v)));
                }
            }
        }
        other => out.push(format!("QUERIES {other:?}")),
    }
    let scalar = |out: &mut Vec<String>, name: &str, port: bool| match y.scalar(name) {
        ScalarRead::Absent => out.push(format!("SCALAR {name} ABSENT")),
        ScalarRead::Null => out.push(format!("SCALAR {name} NULL")),
        ScalarRead::Dropped(_) => out.push(format!("SCALAR {name} DROPPED")),
        ScalarRead::Value(v) => {
            out.push(format!("SCALAR {name} VALUE {}", esc(v)));
            if port {
                out.push(format!("PORT {name} {}", y.port_setting(name, 0)));
            }
        }
        other => out.push(format!("SCALAR {name} {other:?}")),
    };
    for name in PORTS {
        scalar(&mut out, name, true);
    }
    scalar(&mut out, "authenticator", false);
    out
}

/// g++ -std=c++17 tests/peers/scylla_yaml.cpp -lyaml-cpp, or None (skipped) when the compiler
/// or the headers are missing.
fn oracle(dir: &Path) -> Option<PathBuf> {
    if !common::tools_present(&["g++"]) {
        return None;
    }
    if !Path::new("/usr/include/yaml-cpp/yaml.h").exists() {
        common::skip_or_fail("yaml-cpp's headers are not installed (apt install libyaml-cpp-dev)");
        return None;
    }
    let bin = dir.join("scylla_yaml");
    let out = Command::new("g++")
        .args(["-std=c++17", "-O1", "-o"])
        .arg(&bin)
        .arg(common::root().join("tests/peers/scylla_yaml.cpp"))
        .arg("-lyaml-cpp")
        .output()
        .expect("run g++");
    assert!(
        out.status.success(),
        "g++ scylla_yaml.cpp: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(bin)
}

/// The oracle's report on one file (a SYNTAX line loses its message: ours has other words).
fn run_oracle(bin: &Path, file: &Path) -> Vec<String> {
    // The report goes to a file: it may be larger than a pipe holds.
    let report = file.with_extension("report");
    let mut child = Command::new(bin)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&report).expect("report file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("run the oracle");
    // A hang guard only, far beyond any run: the oracle reads one small file.
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the oracle") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the oracle did not finish on {}", file.display());
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    assert!(status.success(), "the oracle failed on {}", file.display());
    String::from_utf8_lossy(&std::fs::read(&report).expect("oracle output"))
        .lines()
        .map(|l| {
            if l.starts_with("SYNTAX ") {
                "SYNTAX".to_string()
            } else if l.starts_with("FATAL ") {
                "FATAL".to_string()
            } else {
                l.to_string()
            }
        })
        .collect()
}

/// The grid: (name, scylla.yaml text).
fn grid() -> Vec<(String, String)> {
    let mut g: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, text: &str| g.push((name.to_string(), text.to_string()));

    // Ordinary files.
    add(
        "ordinary client TLS",
        "client_encryption_options:\n  enabled: true\n  certificate: /etc/scylla/db.crt\n  keyfile: /etc/scylla/db.key\n  truststore: /etc/scylla/ca.crt\n  require_client_auth: true\nnative_transport_port_ssl: 9142\n",
    );
    add(
        "ordinary server TLS",
        "server_encryption_options:\n  internode_encryption: all\n  certificate: /etc/scylla/db.crt\n  keyfile: /etc/scylla/db.key\n  truststore: /etc/scylla/ca.crt\n  priority_string: SECURE128:-VERS-TLS1.0\nssl_storage_port: 7001\nstorage_port: 7000\n",
    );
    add(
        "ordinary alternator and vector store",
        "alternator_https_port: 8043\nalternator_encryption_options:\n  certificate: a.crt\n  keyfile: a.key\nvector_store_encryption_options:\n  truststore: vs.crt\n",
    );
    add(
        "certificate authenticator",
        "authenticator: com.scylladb.auth.CertificateAuthenticator\nauth_certificate_role_queries:\n  - source: SUBJECT\n    query: CN=([^,]+)\n",
    );
    add(
        "all ports",
        "native_transport_port: 9042\nnative_transport_port_ssl: 9142\nnative_shard_aware_transport_port: 19042\nnative_shard_aware_transport_port_ssl: 19142\nstorage_port: 7000\nssl_storage_port: 7001\nalternator_https_port: 8043\n",
    );
    add("empty document", "");
    add("only a comment", "# nothing here\n");
    add("explicit empty document", "---\n...\n");
    add("empty flow map", "{}\n");
    add("top-level scalar document", "just a scalar\n");
    add(
        "top-level sequence document",
        "- client_encryption_options\n- x\n",
    );
    add(
        "top-level sequence of maps",
        "- client_encryption_options: {a: b}\n",
    );
    add("top-level empty flow sequence", "[]\n");

    // Booleans are strings.
    for v in [
        "yes", "True", "TRUE", "1", "on", "\"true\"", "'1'", "1.0", "~", "false", "no", "Off",
    ] {
        add(
            &format!("enabled: {v}"),
            &format!("client_encryption_options:\n  enabled: {v}\n  certificate: c.crt\n"),
        );
    }
    // Nulls and near-nulls.
    for v in [
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "''",
        "\"\"",
        "\"null\"",
        "'null'",
        "nULL",
        "!!null",
        "!!null ''",
        "!!str",
        "!!str ~",
        "!!str null",
        "! null",
        "!!int 7",
        "!!bool yes",
    ] {
        add(
            &format!("truststore: {v}"),
            &format!("client_encryption_options:\n  enabled: true\n  truststore: {v}\n"),
        );
    }
    // Top-level nulls.
    for v in ["", "~", "null", "!!null", "!!str", "''", "\"\""] {
        add(
            &format!("top-level {v:?}"),
            &format!(
                "client_encryption_options: {v}\nauth_certificate_role_queries: {v}\nauthenticator: {v}\nnative_transport_port_ssl: {v}\n"
            ),
        );
    }

    // List and map values.
    add(
        "flow list value",
        "client_encryption_options:\n  enabled: true\n  protocol: [TLSv1.2, TLSv1.3]\n",
    );
    add(
        "block list value",
        "server_encryption_options:\n  internode_encryption: all\n  cipher_suites:\n    - TLS_AES_128_GCM_SHA256\n    - TLS_AES_256_GCM_SHA384\n",
    );
    add(
        "flow map value",
        "client_encryption_options:\n  enabled: true\n  extra: {a: b}\n",
    );
    add(
        "block map value",
        "client_encryption_options:\n  enabled: true\n  extra:\n    a: b\n",
    );
    add(
        "nested maps 3 deep",
        "server_encryption_options:\n  a:\n    b:\n      c: d\n",
    );
    add(
        "empty flow list value",
        "client_encryption_options:\n  enabled: true\n  protocol: []\n",
    );
    add(
        "empty flow map value",
        "client_encryption_options:\n  enabled: true\n  x: {}\n",
    );
    add(
        "option is a list",
        "client_encryption_options: [enabled, true]\n",
    );
    add("option is a scalar", "client_encryption_options: enabled\n");
    add("option is an empty map", "client_encryption_options: {}\n");
    add(
        "option is a flow map",
        "client_encryption_options: {enabled: true, truststore: t.crt}\n",
    );

    // Anchors, aliases, merge keys.
    add(
        "alias for a whole map",
        "base: &tls\n  enabled: 'true'\n  certificate: c.crt\nclient_encryption_options: *tls\nserver_encryption_options: *tls\n",
    );
    add(
        "alias for a value",
        "x: &ca /etc/ca.crt\nclient_encryption_options:\n  truststore: *ca\n  certificate: *ca\n",
    );
    add(
        "anchor on a value inside the map",
        "client_encryption_options:\n  truststore: &ca /etc/ca.crt\n  certificate: *ca\n",
    );
    add(
        "merge key",
        "base: &tls\n  enabled: 'true'\nclient_encryption_options:\n  <<: *tls\n  certificate: c.crt\n",
    );
    add(
        "merge key with a list of maps",
        "a: &a {x: y}\nb: &b {z: w}\nserver_encryption_options:\n  <<: [*a, *b]\n",
    );
    add(
        "alias of a null",
        "n: &n\nclient_encryption_options:\n  truststore: *n\n",
    );
    add(
        "alias of a null at top level",
        "n: &n ~\nclient_encryption_options: *n\n",
    );
    add(
        "undefined alias",
        "client_encryption_options:\n  truststore: *nope\n",
    );

    add(
        "anchor on a top-level key, alias as a key",
        "x: &k client_encryption_options\n*k : {enabled: 'true'}\n",
    );
    add(
        "explicit top-level key",
        "? client_encryption_options\n: {enabled: 'true'}\n",
    );
    add(
        "tagged top-level key",
        "!!str client_encryption_options: {enabled: 'true'}\n",
    );
    add(
        "anchor redefined: the later wins",
        "a: &t {x: '1'}\nb: &t {y: '2'}\nclient_encryption_options: *t\n",
    );
    add(
        "alias in a role query list",
        "q: &q {source: SUBJECT, query: 'CN=(.*)'}\nauth_certificate_role_queries: [*q, *q]\n",
    );
    add(
        "anchored scalar inside a map",
        "client_encryption_options:\n  enabled: &e 'true'\n  require_client_auth: *e\n",
    );
    add(
        "option tagged !!map, empty",
        "client_encryption_options: !!map\nserver_encryption_options: !!map {}\n",
    );
    add(
        "option tagged !!str, empty",
        "client_encryption_options: !!str\n",
    );
    add(
        "custom and binary tags",
        "client_encryption_options:\n  a: !custom x\n  b: !!binary aGVsbG8=\n  c: !<tag:yaml.org,2002:str> y\n",
    );
    add(
        "comment after the option key",
        "client_encryption_options: # nothing here\nauthenticator: # nor here\n",
    );
    add(
        "flow map with a trailing comma",
        "client_encryption_options: {enabled: 'true', truststore: t,}\n",
    );
    add(
        "flow map with a key and no value",
        "client_encryption_options: {enabled, truststore: t}\n",
    );
    add(
        "flow map with an empty value",
        "client_encryption_options: {enabled: , truststore: t}\n",
    );
    add(
        "explicit key without a value inside a map",
        "client_encryption_options:\n  ? enabled\n  truststore: t\n",
    );
    add(
        "quoted keys with escapes",
        "client_encryption_options:\n  \"en\\x61bled\": 'true'\n  'trust store': t\n",
    );
    add(
        "keys differ in case",
        "Client_Encryption_Options:\n  enabled: 'true'\nclient_encryption_options:\n  Enabled: 'true'\n",
    );
    add(
        "document end then more",
        "client_encryption_options: {a: b}\n...\nserver_encryption_options: {c: d}\n",
    );
    add(
        "alias before its anchor",
        "client_encryption_options: *t\nx: &t {a: b}\n",
    );
    add(
        "many aliases of one list",
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nclient_encryption_options: {enabled: 'true', l: *c}\nserver_encryption_options: *c\n",
    );
    add(
        "indentation with more spaces",
        "client_encryption_options:\n        enabled: 'true'\n        truststore: t\n",
    );
    add(
        "value with colon and hash",
        "client_encryption_options:\n  priority_string: NORMAL:-VERS-ALL:+VERS-TLS1.3#x\n  truststore: a: b\n",
    );
    add(
        "value with colon, no space",
        "client_encryption_options:\n  priority_string: NORMAL:-VERS-ALL:+VERS-TLS1.3\n  url: http://x:1/y\n",
    );

    // Multi-line scalars.
    add(
        "literal block value",
        "client_encryption_options:\n  priority_string: |\n    SECURE128:\n    -VERS-TLS1.0\n",
    );
    add(
        "folded block value",
        "client_encryption_options:\n  priority_string: >\n    SECURE128:\n    -VERS-TLS1.0\n",
    );
    add(
        "literal keep and strip",
        "client_encryption_options:\n  a: |+\n    x\n\n  b: |-\n    y\n  c: >-\n    p\n    q\n",
    );
    add(
        "multi-line plain and quoted",
        "client_encryption_options:\n  a: one\n    two\n  b: \"three\n    four\"\n  c: 'five\n\n    six'\n",
    );
    add(
        "escapes in double quotes",
        "client_encryption_options:\n  a: \"tab\\there\\nnl \\\\ \\x41 \\u00e9 \\\"\"\n  b: 'it''s'\n",
    );

    // Keys that are not plain strings.
    add(
        "null key inside a map",
        "client_encryption_options:\n  ~: x\n  enabled: 'true'\n",
    );
    add(
        "empty key inside a map",
        "client_encryption_options:\n  : x\n  enabled: 'true'\n",
    );
    add(
        "int and bool keys inside a map",
        "client_encryption_options:\n  1: one\n  true: yes\n  0x10: hex\n",
    );
    add(
        "complex key inside a map",
        "client_encryption_options:\n  ? [a, b]\n  : x\n",
    );
    add(
        "null key at top level",
        "~: 1\nclient_encryption_options:\n  enabled: 'true'\n",
    );
    add(
        "map key at top level",
        "? {a: b}\n: 1\nclient_encryption_options:\n  enabled: 'true'\n",
    );
    add(
        "quoted top-level key",
        "\"client_encryption_options\":\n  enabled: 'true'\n'authenticator': PasswordAuthenticator\n",
    );
    add("int key at top level", "9042: x\nauthenticator: x\n");

    // Duplicates.
    add(
        "duplicate top-level map: later wins",
        "client_encryption_options:\n  enabled: 'true'\nclient_encryption_options:\n  enabled: 'false'\n  truststore: t\n",
    );
    add(
        "duplicate top-level: later dropped keeps earlier",
        "client_encryption_options:\n  enabled: 'true'\nclient_encryption_options:\n  truststore:\n",
    );
    add(
        "duplicate top-level: later null keeps earlier",
        "client_encryption_options:\n  enabled: 'true'\nclient_encryption_options:\n",
    );
    add(
        "duplicate top-level: dropped then null",
        "client_encryption_options: [x]\nclient_encryption_options: ~\n",
    );
    add(
        "duplicate top-level: null then dropped",
        "client_encryption_options: ~\nclient_encryption_options: [x]\n",
    );
    add(
        "duplicate key inside a map: later wins",
        "client_encryption_options:\n  enabled: 'false'\n  enabled: 'true'\n",
    );
    add(
        "duplicate key inside a flow map",
        "client_encryption_options: {a: 1, a: 2, b: 3}\n",
    );
    add(
        "duplicate key inside a map, the later null",
        "client_encryption_options:\n  truststore: t\n  truststore:\n",
    );
    add(
        "duplicate scalars",
        "authenticator: A\nauthenticator: B\nnative_transport_port_ssl: 9142\nnative_transport_port_ssl: nope\n",
    );

    // Documents and encodings.
    add(
        "two documents",
        "client_encryption_options:\n  enabled: 'true'\n---\nserver_encryption_options:\n  internode_encryption: all\n",
    );
    add(
        "document start marker",
        "---\nclient_encryption_options:\n  enabled: 'true'\n",
    );
    add(
        "directive",
        "%YAML 1.2\n---\nclient_encryption_options:\n  enabled: 'true'\n",
    );
    add(
        "BOM",
        "\u{feff}client_encryption_options:\n  enabled: 'true'\n",
    );
    add(
        "CRLF",
        "client_encryption_options:\r\n  enabled: true\r\n  truststore: t.crt\r\n",
    );
    add(
        "CR line ends",
        "client_encryption_options:\r  enabled: true\r  truststore: t\r",
    );
    add(
        "two quoted scalars on a line",
        "client_encryption_options:\n  truststore: \"a\" \"b\"\n",
    );
    add(
        "a comma after a quoted scalar",
        "client_encryption_options:\n  truststore: \"a\",\n",
    );
    add(
        "a comma before a top-level key",
        ",client_encryption_options: {a: b}\n",
    );
    add(
        "CRLF literal block",
        "client_encryption_options:\r\n  priority_string: |\r\n    A\r\n    B\r\n",
    );
    add(
        "tab indentation",
        "client_encryption_options:\n\tenabled: true\n",
    );
    add(
        "tab after colon",
        "client_encryption_options:\n  enabled:\ttrue\n  truststore: a\tb\n",
    );
    add(
        "trailing spaces and comments",
        "client_encryption_options:   # TLS\n  enabled: true   # on\n  truststore: t#not-a-comment\n",
    );
    add(
        "non-ASCII values",
        "client_encryption_options:\n  certificate: /etc/scylla/zertifikat-\u{fc}\u{df}.crt\n  x: \u{1f512}\n",
    );

    // Syntax errors.
    add(
        "docs' role query example",
        "authenticator: com.scylladb.auth.CertificateAuthenticator\nauth_certificate_role_queries:\n  - source: SUBJECT\n  query: CN=([^,]+)\n",
    );
    add(
        "unclosed flow map",
        "client_encryption_options: {enabled: true\n",
    );
    add(
        "unclosed quote",
        "client_encryption_options:\n  enabled: \"true\n",
    );
    add(
        "unclosed single quote",
        "client_encryption_options:\n  enabled: 'true\n",
    );
    add(
        "unclosed quote swallows the next lines",
        "client_encryption_options:\n  enabled: \"true\n  truststore: t\nauthenticator: x\n",
    );
    add(
        "unclosed quote, no final newline",
        "client_encryption_options:\n  enabled: \"true",
    );
    add(
        "bad indentation",
        "client_encryption_options:\n  enabled: true\n truststore: t\n",
    );
    add("a lone colon", ":\n");
    add(
        "tab before a key at top level",
        "\tclient_encryption_options: {}\n",
    );

    // Role queries.
    add(
        "role queries: two items, flow and block",
        "auth_certificate_role_queries:\n  - source: SUBJECT\n    query: CN=([^,]+)\n  - {source: ALTNAME, query: 'DNS=([^,]+)'}\n",
    );
    add(
        "role queries: a null inside an item",
        "auth_certificate_role_queries:\n  - source: SUBJECT\n    query:\n",
    );
    add(
        "role queries: an item that is a scalar",
        "auth_certificate_role_queries:\n  - SUBJECT\n",
    );
    add(
        "role queries: a null item",
        "auth_certificate_role_queries:\n  -\n  - source: SUBJECT\n    query: x\n",
    );
    add(
        "role queries: empty list",
        "auth_certificate_role_queries: []\n",
    );
    add(
        "role queries: a map, not a list",
        "auth_certificate_role_queries:\n  source: SUBJECT\n  query: CN=([^,]+)\n",
    );
    add(
        "role queries: extra keys and duplicates",
        "auth_certificate_role_queries:\n  - source: SUBJECT\n    query: a\n    query: b\n    extra: 1\n",
    );
    add(
        "role queries: empty map item",
        "auth_certificate_role_queries:\n  - {}\n",
    );

    // Ports as yaml-cpp converts them.
    for v in [
        "9142",
        "9142x",
        "-1",
        "70000",
        "65535",
        "65536",
        "0x1F",
        "0X1f",
        "010",
        "08",
        "0",
        "+9142",
        "' 9142'",
        "'9142 '",
        "9142.0",
        "1e3",
        "\"9142\"",
        "!!str 9142",
        "[9142]",
        "0b101",
        "4294967296",
        "0x",
        "00",
        "-0",
        "+0x1F",
        "0x-1",
        "+-1",
        "1_000",
        "'9 142'",
        "0xFFFF",
        "0x10000",
        "0177777",
        "0200000",
        "09142",
        "9142 # comment",
        "'9142\\t'",
        "\"9142\\n\"",
        "\"\\t9142\"",
        "0xffffffff",
        "037777777777",
        "\u{661}\u{662}",
    ] {
        add(
            &format!("ports: {v}"),
            &format!("native_transport_port_ssl: {v}\nssl_storage_port: {v}\nstorage_port: {v}\n"),
        );
    }
    add("cql_port alias", "cql_port: 9999\n");
    add(
        "cql_port alias and the name",
        "native_transport_port: 9042\ncql_port: 9999\n",
    );
    add(
        "authenticator forms",
        "authenticator: 'PasswordAuthenticator'\n",
    );
    add("authenticator is a list", "authenticator: [a, b]\n");
    add("authenticator is a map", "authenticator: {a: b}\n");

    // Cassandra's keys (ignored by Scylla, but strings all the same), unknown keys.
    add(
        "Cassandra keys",
        "client_encryption_options:\n  enabled: true\n  optional: false\n  keystore: conf/.keystore\n  keystore_password: cassandra\n  truststore: conf/.truststore\n  truststore_password: cassandra\n  store_type: JKS\n  protocol: TLS\n",
    );
    add(
        "Cassandra keys with lists",
        "client_encryption_options:\n  enabled: true\n  keystore: conf/.keystore\n  accepted_protocols: [TLSv1.2, TLSv1.3]\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n",
    );
    add(
        "unknown top-level keys",
        "no_such_option: {a: [b]}\ncluster_name: x\nseeds: [1]\nclient_encryption_options:\n  enabled: 'true'\n",
    );
    add(
        "operator managed config",
        "cluster_name: c\nrpc_address: 0.0.0.0\nclient_encryption_options:\n  enabled: true\n  optional: false\n  certificate: /var/run/secrets/scylla-operator.scylladb.com/scylladb/serving-certs/user-cql/tls.crt\n  keyfile: /var/run/secrets/scylla-operator.scylladb.com/scylladb/serving-certs/user-cql/tls.key\n  require_client_auth: true\n  truststore: /var/run/configmaps/scylla-operator.scylladb.com/scylladb/client-ca/ca-bundle.crt\n",
    );

    // Large and deep.
    let long = "A".repeat(200_000);
    add(
        "very long value",
        &format!("client_encryption_options:\n  priority_string: {long}\n"),
    );
    let long_key = "k".repeat(100_000);
    add(
        "very long key",
        &format!("client_encryption_options:\n  {long_key}: v\n"),
    );
    // yaml-cpp 0.7's depth guard refuses the file a little below 500 levels.
    for depth in [64, 127, 128, 129, 200, 255, 256, 257, 300, 490, 497, 600] {
        let deep = format!("{}x{}", "[".repeat(depth), "]".repeat(depth));
        add(
            &format!("flow lists {depth} deep"),
            &format!("client_encryption_options:\n  enabled: 'true'\n  x: {deep}\n"),
        );
    }
    let mut block = String::from("server_encryption_options:\n");
    for i in 0..100 {
        block.push_str(&" ".repeat(2 * (i + 1)));
        block.push_str(&format!("k{i}:\n"));
    }
    add("deeply nested block maps", &block);
    let many: String = (0..3000).map(|i| format!("  key{i}: value{i}\n")).collect();
    add("3000 keys", &format!("client_encryption_options:\n{many}"));
    add(
        "NUL byte ends the text",
        "client_encryption_options:\n  enabled: 'true'\n\0server_encryption_options: {a: b}\n",
    );
    g
}

#[test]
fn scylla_yaml_reads_as_yaml_cpp_reads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(bin) = oracle(dir.path()) else {
        return;
    };
    let grid = grid();
    assert!(grid.len() >= 80, "the grid has {} cases", grid.len());
    let file = dir.path().join("scylla.yaml");
    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    for (name, text) in &grid {
        std::fs::write(&file, text).unwrap();
        let theirs = run_oracle(&bin, &file);
        let mine = ours(ScyllaYaml::from_str(text));
        assert_eq!(
            ours(ScyllaYaml::load_file(&file)),
            mine,
            "{name}: load_file and from_str read the same text differently"
        );
        let known = DIVERGES.iter().find(|(n, _)| *n == name.as_str());
        match (theirs == mine, known) {
            (true, None) | (false, Some(_)) => {}
            (true, Some((n, why))) => stale.push(format!("{n} ({why})")),
            (false, None) => {
                let shown: String = text.chars().take(400).collect();
                unexpected.push(format!(
                    "--- {name}\nyaml: {shown:?}\nyaml-cpp:\n  {}\nours:\n  {}",
                    theirs.join("\n  "),
                    mine.join("\n  ")
                ));
            }
        }
    }
    eprintln!("{} scylla.yaml texts compared with yaml-cpp", grid.len());
    assert!(
        unexpected.is_empty(),
        "{} of {} texts read differently from yaml-cpp:\n{}",
        unexpected.len(),
        grid.len(),
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "these texts now read as yaml-cpp reads them; remove them from DIVERGES: {stale:?}"
    );
}

/// Files that are not UTF-8, read from disk (`ScyllaYaml::load_file`) and by the oracle.
/// Where they differ on purpose or by a reported bug: [`BYTES_DIVERGE`].
fn byte_grid() -> Vec<(&'static str, Vec<u8>)> {
    let utf16le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "client_encryption_options:\n  enabled: true\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(
            "client_encryption_options:\n  enabled: true\n"
                .encode_utf16()
                .flat_map(u16::to_be_bytes),
        )
        .collect();
    vec![
        (
            "Latin-1 byte in a value",
            b"client_encryption_options:\n  certificate: caf\xe9.crt\n  enabled: 'true'\n".to_vec(),
        ),
        (
            "Latin-1 byte in a quoted value",
            b"client_encryption_options:\n  certificate: \"caf\xe9.crt\"\n".to_vec(),
        ),
        (
            "lone 0xFF in a comment",
            b"# \xff\nclient_encryption_options:\n  enabled: 'true'\n".to_vec(),
        ),
        ("UTF-16LE with a BOM", utf16le),
        ("UTF-16BE with a BOM", utf16be),
    ]
}

/// Byte files where our reader differs from the oracle (case name, why).
const BYTES_DIVERGE: &[(&str, &str)] = &[];

#[test]
fn non_utf8_files_read_as_yaml_cpp_reads_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(bin) = oracle(dir.path()) else {
        return;
    };
    let file = dir.path().join("scylla.yaml");
    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    for (name, bytes) in byte_grid() {
        std::fs::write(&file, &bytes).unwrap();
        let theirs = run_oracle(&bin, &file);
        let mine = ours(ScyllaYaml::load_file(&file));
        let known = BYTES_DIVERGE.iter().find(|(n, _)| *n == name);
        match (theirs == mine, known) {
            (true, None) | (false, Some(_)) => {}
            (true, Some((n, why))) => stale.push(format!("{n} ({why})")),
            (false, None) => unexpected.push(format!(
                "--- {name}\nbytes: {bytes:?}\nyaml-cpp:\n  {}\nours:\n  {}",
                theirs.join("\n  "),
                mine.join("\n  ")
            )),
        }
    }
    assert!(
        unexpected.is_empty(),
        "read differently from yaml-cpp:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "these files now read as yaml-cpp reads them; remove them from BYTES_DIVERGE: {stale:?}"
    );
}
