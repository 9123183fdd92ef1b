//! cqlshrc semantics compared with cqlsh's own `cqlshlib.sslhandling.ssl_settings` (the cqlsh
//! package from PyPI) on the same files, environments and hosts.

mod common;

use std::collections::BTreeMap;
use std::process::{Command, Stdio};

use cassandra_tls::options::Cqlshrc;
use serde_json::{Value, json};

struct Case {
    rc: &'static str,
    host: &'static str,
    env: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        rc: "[ssl]\ncertfile = ~/ca.pem\n",
        host: "127.0.0.1",
        env: &[],
    },
    Case {
        rc: "[ssl]\nvalidate = False\n",
        host: "127.0.0.1",
        env: &[],
    },
    Case {
        rc: "[ssl]\nvalidate = true\n",
        host: "127.0.0.1",
        env: &[],
    },
    Case {
        rc: "[ssl]\nvalidate = no\n",
        host: "127.0.0.1",
        env: &[],
    },
    Case {
        rc: "[ssl]\ncertfile = /etc/ca.pem\n[certfiles]\n127.0.0.1 = /etc/host.pem\n",
        host: "127.0.0.1",
        env: &[],
    },
    Case {
        rc: "[ssl]\ncertfile = /etc/ca.pem\n[certfiles]\n127.0.0.1 = /etc/host.pem\n",
        host: "10.0.0.1",
        env: &[],
    },
    Case {
        rc: "[ssl]\ncertfile = /etc/ca.pem\n",
        host: "h",
        env: &[("SSL_CERTFILE", "/env/ca.pem")],
    },
    Case {
        rc: "[ssl]\nvalidate = true\n",
        host: "h",
        env: &[("SSL_VALIDATE", "FALSE")],
    },
    Case {
        rc: "[ssl]\nvalidate = false\n",
        host: "h",
        env: &[("SSL_VALIDATE", "true")],
    },
    Case {
        rc: "[ssl]\nvalidate = false\nuserkey = ~/k.pem\nusercert = ~/c.pem\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "[DEFAULT]\nbase = /opt/certs\n[ssl]\ncertfile = %(base)s/ca.pem\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "[ssl]\ncertfile = /tmp/50%\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "[ssl]\ncertfile = /tmp/50%%\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "[DEFAULT]\ncertfile = /d/ca.pem\n[ssl]\nversion = TLSv1_2\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "[ssl]\ncertfile = /a\ncertfile = /b\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "[SSL]\ncertfile = /a\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "[ssl]\nCERTFILE: /upper\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "certfile = /a\n",
        host: "h",
        env: &[],
    },
    Case {
        rc: "# comment\n; other\n[connection]\nssl = true\n[ssl]\ncertfile=/c\n",
        host: "h",
        env: &[("SSL_VERSION", "TLSv1")],
    },
    Case {
        rc: "",
        host: "h",
        env: &[("SSL_CERTFILE", "~/env.pem")],
    },
];

#[test]
fn ssl_settings_match_cqlshlib() {
    let python = common::which("python3");
    let has_cqlsh = python.is_some()
        && Command::new("python3")
            .args(["-c", "import cqlshlib.sslhandling"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !has_cqlsh {
        common::skip_or_fail("python3 with the cqlsh package (pip install cqlsh) is not available");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut input = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let file = dir.path().join(format!("cqlshrc{i}"));
        std::fs::write(&file, case.rc).unwrap();
        let env: BTreeMap<&str, &str> = case.env.iter().copied().collect();
        input.push(json!({"host": case.host, "file": file, "env": env}));
    }
    let mut child = Command::new("python3")
        .arg(common::root().join("tests/peers/cqlsh_ssl_settings.py"))
        .env("HOME", &home)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&input).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let want: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(want.len(), CASES.len());

    for (i, (case, want)) in CASES.iter().zip(&want).enumerate() {
        let file = dir.path().join(format!("cqlshrc{i}"));
        let env = |k: &str| {
            case.env
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        let got =
            Cqlshrc::load_file(&file).and_then(|rc| rc.ssl_settings(case.host, &env, Some(&home)));
        match (want["ok"].as_bool().unwrap(), got) {
            (true, Ok(s)) => {
                let path = |p: &Option<std::path::PathBuf>| {
                    p.as_ref().map(|p| p.to_string_lossy().into_owned())
                };
                assert_eq!(
                    path(&s.certfile).as_deref(),
                    want["ca_certs"].as_str(),
                    "case {i}: {}",
                    case.rc
                );
                assert_eq!(s.validate, want["validate"].as_bool().unwrap(), "case {i}");
                assert_eq!(
                    path(&s.userkey).as_deref(),
                    want["keyfile"].as_str(),
                    "case {i}"
                );
                assert_eq!(
                    path(&s.usercert).as_deref(),
                    want["certfile"].as_str(),
                    "case {i}"
                );
            }
            (false, Err(_)) => {}
            (ok, got) => panic!(
                "case {i} ({:?}): cqlsh ok={ok} ({}), we {got:?}",
                case.rc, want
            ),
        }
    }
}
