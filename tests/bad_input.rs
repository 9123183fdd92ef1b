//! The bad-input matrix (issue 7): every kind of bad input a user can hand this crate, from
//! disk, from an operator or from the network, each with the error kind it must give. None may
//! panic, hang or allocate without bound, and no error text names a password.
//!
//! The expected kinds are what the formats and Cassandra demand, not what the code happens to
//! return: an integrity check that fails is `wrong_password_or_tampered` (keytool: "Keystore was
//! tampered with, or password was incorrect"), a key that does not decrypt is
//! `wrong_key_password` (keytool: "Cannot recover key"), a structure that does not parse is
//! `malformed`, an option Cassandra refuses is `config`.

mod common;

use std::path::{Path, PathBuf};

use cassandra_tls::Error;
use cassandra_tls::handshake::{Handshake, State};
use cassandra_tls::keystore::{KeyStore, StoreType, Warning};
use cassandra_tls::options::{CassandraYaml, Cqlshrc};
use cassandra_tls::tls::{self, ClientRole, ServerRole, TlsSettings};
use cassandra_tls::{Origin, Password};

/// Passwords used only by this test: no error text, Debug or Display may contain them.
const WRONG: &str = "Wr0ng-P4ss-7781";
const KEYPASS: &str = "keypass-differs";
const NON_ASCII: &str = "pässwörd-ლ";
const INLINE: &str = "Yaml-S3cret-991";
const SECRETS: [&str; 4] = [WRONG, KEYPASS, NON_ASCII, INLINE];

fn store(name: &str) -> PathBuf {
    common::fixtures().join("stores").join(name)
}

fn bytes(name: &str) -> Vec<u8> {
    common::read(&store(name))
}

fn load(bytes: &[u8], storepass: Option<&str>, keypass: Option<&str>) -> Result<KeyStore, Error> {
    let mut loader = KeyStore::loader();
    if let Some(p) = storepass {
        loader = loader.store_password(p);
    }
    if let Some(p) = keypass {
        loader = loader.key_password(p);
    }
    loader.load(bytes)
}

fn load_file(path: &Path, storepass: Option<&str>) -> Result<KeyStore, Error> {
    let mut loader = KeyStore::loader();
    if let Some(p) = storepass {
        loader = loader.store_password(p);
    }
    loader.load_file(path)
}

fn with(mut b: Vec<u8>, f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    f(&mut b);
    b
}

fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_be_bytes());
}

/// The offset of the first certificate's u32 length in a JKS/JCEKS store whose first entry is a
/// trusted certificate (walking the format: magic, version, count, tag, alias, date, type).
fn first_trusted_cert_length(b: &[u8]) -> usize {
    assert_eq!(
        u32::from_be_bytes(b[12..16].try_into().unwrap()),
        2,
        "first entry trusted"
    );
    let alias_len = u16::from_be_bytes([b[16], b[17]]) as usize;
    let after_date = 18 + alias_len + 8;
    let type_len = u16::from_be_bytes([b[after_date], b[after_date + 1]]) as usize;
    after_date + 2 + type_len
}

/// A native-transport server built from a cassandra.yaml whose sections are `sections`.
fn native_server(sections: &str) -> Result<(), Error> {
    let yaml = CassandraYaml::from_str(sections)?.with_base_dir(common::root());
    tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default()).map(|_| ())
}

fn internode_server(sections: &str) -> Result<(), Error> {
    let yaml = CassandraYaml::from_str(sections)?.with_base_dir(common::root());
    tls::server_config(&yaml, ServerRole::Internode, &TlsSettings::default()).map(|_| ())
}

/// client_encryption_options with the fixture JKS stores and `extra` lines.
fn client_section(keystore: &str, extra: &str) -> String {
    format!(
        "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/{keystore}\n  keystore_password: cassandra\n  truststore: fixtures/stores/truststore.jks\n  truststore_password: cassandra\n{extra}"
    )
}

/// client_encryption_options with the PEM factory and `body` lines.
fn pem_section(body: &str) -> String {
    format!(
        "client_encryption_options:\n  enabled: true\n  ssl_context_factory:\n    class_name: org.apache.cassandra.security.PEMBasedSslContextFactory\n{body}"
    )
}

fn cqlsh(text: &str) -> Result<(), Error> {
    let rc = Cqlshrc::parse(text, Origin::bytes())?;
    let ssl = rc.ssl_settings("127.0.0.1", &|_| None, None)?;
    tls::cqlsh_client_config(&ssl, &TlsSettings::default()).map(|_| ())
}

fn fixture_yaml() -> CassandraYaml {
    CassandraYaml::load_file(common::fixtures().join("conf/cassandra.yaml"))
        .unwrap()
        .with_base_dir(common::root())
}

fn server_tls() -> tls::ServerTls {
    tls::server_config(&fixture_yaml(), ServerRole::Native, &TlsSettings::default()).unwrap()
}

fn client_tls() -> tls::ClientTls {
    tls::client_config(&fixture_yaml(), ClientRole::Native, &TlsSettings::default()).unwrap()
}

fn failed(hs: &Handshake) -> Result<(), Error> {
    match (hs.state(), hs.failure()) {
        (State::Failed, Some(f)) => Err(Error::Handshake(f.clone())),
        (other, _) => panic!("the handshake did not fail: {other:?}"),
    }
}

/// Feeds `input` to a fresh native server handshake (then, when `eof`, ends the input).
fn server_fed(input: &[u8], eof: bool) -> Result<(), Error> {
    let mut s = Handshake::server(&server_tls(), "127.0.0.1".parse().unwrap())?;
    if s.feed(input) == State::Failed {
        return failed(&s);
    }
    if eof {
        s.end_of_input();
    }
    failed(&s)
}

/// A client handshake that sent its ClientHello and then receives `input`.
fn client_fed(input: &[u8]) -> Result<(), Error> {
    let mut c = Handshake::client(&client_tls(), "127.0.0.1")?;
    let n = c.pending_output().map_or(0, <[u8]>::len);
    c.consume_output(n)?;
    c.feed(input);
    failed(&c)
}

fn client_hello() -> Vec<u8> {
    let c = Handshake::client(&client_tls(), "127.0.0.1").unwrap();
    c.pending_output().unwrap().to_vec()
}

/// A TLS 1.0 ClientHello as a TLS 1.0-only client (Java 6, old drivers) sends it: record and
/// client_version 3.1, TLS_RSA_WITH_AES_128_CBC_SHA, no extensions (RFC 2246 section 7.4.1.2).
fn tls10_client_hello() -> Vec<u8> {
    let mut body = vec![0x03, 0x01];
    body.extend([0x5a; 32]); // random
    body.push(0); // session id
    body.extend([0x00, 0x02, 0x00, 0x2f]); // one cipher suite
    body.extend([0x01, 0x00]); // null compression
    let mut hs = vec![0x01, 0x00, 0x00, body.len() as u8];
    hs.extend(body);
    let mut rec = vec![0x16, 0x03, 0x01, 0x00, hs.len() as u8];
    rec.extend(hs);
    rec
}

struct Case {
    name: &'static str,
    expect: &'static str,
    /// A word the error must contain, where the kind alone could come from another cause.
    mentions: Option<&'static str>,
    run: Box<dyn Fn() -> Result<(), Error>>,
}

impl Case {
    fn mentions(mut self, word: &'static str) -> Self {
        self.mentions = Some(word);
        self
    }
}

fn case(
    name: &'static str,
    expect: &'static str,
    run: impl Fn() -> Result<(), Error> + 'static,
) -> Case {
    Case {
        name,
        expect,
        mentions: None,
        run: Box::new(run),
    }
}

fn ok(r: Result<KeyStore, Error>) -> Result<(), Error> {
    r.map(|_| ())
}

fn stores(big: PathBuf, dir: PathBuf) -> Vec<Case> {
    vec![
        // Truncated, at every format.
        case("jks truncated in half", "malformed", move || {
            let b = bytes("node1.jks");
            ok(load(&b[..b.len() / 2], Some("cassandra"), None))
        }),
        case("jceks truncated in half", "malformed", move || {
            let b = bytes("node1.jceks");
            ok(load(&b[..b.len() / 2], Some("cassandra"), None))
        }),
        case("pkcs12 truncated in half", "malformed", move || {
            let b = bytes("node1.p12");
            ok(load(&b[..b.len() / 2], Some("cassandra"), None))
        }),
        case("pem truncated inside the key", "malformed", move || {
            let b = bytes("node1-keystore-plain.pem");
            ok(load(&b[..200], None, None))
        }),
        case("jks without its digest", "malformed", move || {
            let b = bytes("truststore.jks");
            ok(load(&b[..b.len() - 20], Some("cassandra"), None))
        }),
        // Bit flips: the integrity checks must catch them.
        case(
            "jks bit flip in a certificate",
            "wrong_password_or_tampered",
            || {
                let b = with(bytes("truststore.jks"), |b| {
                    let at = first_trusted_cert_length(b) + 4 + 200;
                    b[at] ^= 0x04;
                });
                ok(load(&b, Some("cassandra"), None))
            },
        ),
        case(
            "jceks bit flip in a certificate",
            "wrong_password_or_tampered",
            || {
                let b = with(bytes("truststore.jceks"), |b| {
                    let at = first_trusted_cert_length(b) + 4 + 200;
                    b[at] ^= 0x04;
                });
                ok(load(&b, Some("cassandra"), None))
            },
        ),
        case(
            "pkcs12 bit flip in the content",
            "wrong_password_or_tampered",
            || {
                let b = with(bytes("truststore.p12"), |b| {
                    let at = b.len() / 2;
                    b[at] ^= 0x04;
                });
                ok(load(&b, Some("cassandra"), None))
            },
        ),
        case(
            "pem bit flip in the RSA modulus",
            "key_cert_mismatch",
            || {
                // The key still parses but is no longer the certificate's key. Line 3 of the
                // PKCS#8 body is inside the modulus.
                let text = String::from_utf8(bytes("node1-keystore-plain.pem")).unwrap();
                let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
                let line = &mut lines[3];
                let c = line.remove(10);
                line.insert(10, if c == 'A' { 'B' } else { 'A' });
                ok(load(lines.join("\n").as_bytes(), None, None))
            },
        ),
        // Lengths claiming gigabytes: refused before any allocation.
        case("jks entry count 2^31-1", "malformed", || {
            let b = with(bytes("truststore.jks"), |b| put_u32(b, 8, 0x7fff_ffff));
            ok(load(&b, None, None))
        })
        .mentions("2147483647"),
        case("jks certificate length 2 GiB", "malformed", || {
            let b = with(bytes("truststore.jks"), |b| {
                let at = first_trusted_cert_length(b);
                put_u32(b, at, 0x7fff_fff0);
            });
            ok(load(&b, None, None))
        }),
        case("jceks certificate length 4 GiB", "malformed", || {
            let b = with(bytes("truststore.jceks"), |b| {
                let at = first_trusted_cert_length(b);
                put_u32(b, at, 0xffff_ffff);
            });
            ok(load(&b, None, None))
        }),
        case("jks alias length past the end", "malformed", || {
            let b = with(bytes("truststore.jks"), |b| {
                b.truncate(40);
                b[16] = 0xff;
                b[17] = 0xff;
            });
            ok(load(&b, None, None))
        }),
        case("pkcs12 outer DER length 1 GiB", "malformed", || {
            // 30 84 40 00 00 00: a SEQUENCE claiming 2^30 bytes.
            let b = with(bytes("truststore.p12"), |b| {
                let body = b[4..].to_vec(); // the file starts 30 82 LL LL
                b.clear();
                b.extend([0x30, 0x84, 0x40, 0x00, 0x00, 0x00]);
                b.extend(body);
            });
            ok(load(&b, Some("cassandra"), None))
        }),
        case("file of 1 GiB (sparse)", "malformed", move || {
            ok(load_file(&big, Some("cassandra")))
        })
        .mentions("larger than any key store"),
        // Wrong magic, unknown versions.
        case("jks magic FEEDFEEF", "unsupported", || {
            let b = with(bytes("truststore.jks"), |b| b[3] = 0xef);
            ok(load(&b, Some("cassandra"), None))
        }),
        case("random bytes", "unsupported", || {
            let b: Vec<u8> = (0u32..4096)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect();
            ok(load(&b, Some("cassandra"), None))
        }),
        case("jks version 3", "unsupported", || {
            let b = with(bytes("truststore.jks"), |b| put_u32(b, 4, 3));
            ok(load(&b, None, None))
        })
        .mentions("version 3"),
        case("jceks version 7", "unsupported", || {
            let b = with(bytes("truststore.jceks"), |b| put_u32(b, 4, 7));
            ok(load(&b, None, None))
        })
        .mentions("version 7"),
        case("pkcs12 version 4", "unsupported", || {
            // PFX ::= SEQUENCE { version INTEGER (3) ... }: the first INTEGER after the header.
            let b = with(bytes("truststore.p12"), |b| {
                let at = b.windows(3).position(|w| w == [0x02, 0x01, 0x03]).unwrap();
                b[at + 2] = 4;
            });
            ok(load(&b, Some("cassandra"), None))
        })
        .mentions("PKCS#12 version 4"),
        // Wrong passwords.
        case(
            "jks wrong store password",
            "wrong_password_or_tampered",
            || ok(load(&bytes("node1.jks"), Some(WRONG), None)),
        ),
        case(
            "jceks wrong store password",
            "wrong_password_or_tampered",
            || ok(load(&bytes("truststore.jceks"), Some(WRONG), None)),
        ),
        case(
            "pkcs12 wrong store password",
            "wrong_password_or_tampered",
            || ok(load(&bytes("node1.p12"), Some(WRONG), None)),
        ),
        case(
            "pkcs12 legacy wrong store password",
            "wrong_password_or_tampered",
            || ok(load(&bytes("node1-legacy.p12"), Some(WRONG), None)),
        ),
        case(
            "non-ASCII store under its ASCII look-alike",
            "wrong_password_or_tampered",
            || ok(load(&bytes("node1-nonascii.jks"), Some("passwordლ"), None)),
        ),
        case("jks wrong key password", "wrong_key_password", || {
            ok(load(
                &bytes("node1-keypass.jks"),
                Some("cassandra"),
                Some(WRONG),
            ))
        }),
        case(
            "jks key password left to the store password",
            "wrong_key_password",
            || ok(load(&bytes("node1-keypass.jks"), Some("cassandra"), None)),
        ),
        case("jceks wrong key password", "wrong_key_password", || {
            ok(load(
                &bytes("node1-keypass.jceks"),
                Some("cassandra"),
                Some(WRONG),
            ))
        }),
        case(
            "pem PBES2 key, wrong password",
            "wrong_key_password",
            || ok(load(&bytes("node1.key.pbes2-aes.pem"), None, Some(WRONG))),
        ),
        case("pem PBES2 key, no password", "wrong_key_password", || {
            ok(load(&bytes("node1-keystore.pem"), None, None))
        }),
        case(
            "pem traditional 3DES key, wrong password",
            "wrong_key_password",
            || ok(load(&bytes("node1.key.trad-des3.pem"), None, Some(WRONG))),
        ),
        // Empty, directories, missing files.
        case("empty bytes", "malformed", || ok(load(&[], None, None))),
        case("a directory", "io", move || {
            ok(load_file(&dir, Some("cassandra")))
        }),
        case("a missing file", "io", || {
            ok(load_file(&store("no-such-store.jks"), Some("cassandra")))
        }),
        // PEM shapes.
        case("pem with two keys", "malformed", || {
            let mut b = bytes("node1.key.pem");
            b.extend(bytes("node-ec.key.pem"));
            b.extend(bytes("node1.chain.pem"));
            ok(load(&b, None, None))
        })
        .mentions("2 private keys"),
        case(
            "pem key followed by another key's chain",
            "key_cert_mismatch",
            || ok(load(&bytes("mismatch-keystore.pem"), None, None)),
        ),
        case("pem BEGIN without END", "malformed", || {
            let text = String::from_utf8(bytes("ca.pem")).unwrap();
            let cut = text.replace("-----END CERTIFICATE-----", "");
            ok(load(cut.as_bytes(), None, None))
        }),
        case("pem body that is not base64", "malformed", || {
            ok(load(
                b"-----BEGIN CERTIFICATE-----\nnot*base64*at*all\n-----END CERTIFICATE-----\n",
                None,
                None,
            ))
        }),
        case("pem certificate that is not DER", "malformed", || {
            ok(load(
                b"-----BEGIN CERTIFICATE-----\nAAECAwQFBgcICQ==\n-----END CERTIFICATE-----\n",
                None,
                None,
            ))
        }),
    ]
}

fn options() -> Vec<Case> {
    vec![
        case("yaml unknown key in a section", "config", || {
            native_server(&client_section("node1.jks", "  keystore_pasword: cassandra\n"))
        })
        .mentions("keystore_pasword"),
        case("yaml unknown key in server_encryption_options", "config", || {
            internode_server(
                "server_encryption_options:\n  internode_encryption: all\n  require_endpoint_verificaton: true\n",
            )
        })
        .mentions("require_endpoint_verificaton"),
        case("yaml boolean that is not one", "config", || {
            native_server(&client_section("node1.jks", "  require_client_auth: sometimes\n"))
        }),
        case("yaml list given as a string", "config", || {
            native_server(&client_section(
                "node1.jks",
                "  accepted_protocols: TLSv1.2\n",
            ))
        }),
        case("yaml internode_encryption unknown", "config", || {
            internode_server("server_encryption_options:\n  internode_encryption: everything\n")
        }),
        case("yaml not yaml", "config", || native_server("client_encryption_options: [\n")),
        case("yaml unknown protocol", "config", || {
            native_server(&client_section("node1.jks", "  protocol: TLSv9\n"))
        })
        .mentions("TLSv9"),
        case("yaml unknown accepted protocols only", "config", || {
            native_server(&client_section(
                "node1.jks",
                "  accepted_protocols: [SSLv9, TLSv0.9]\n",
            ))
        }),
        case("yaml TLSv1 only", "config", || {
            native_server(&client_section("node1.jks", "  accepted_protocols: [TLSv1]\n"))
        })
        .mentions("TLSv1"),
        case("yaml unknown cipher suites only", "config", || {
            native_server(&client_section(
                "node1.jks",
                "  cipher_suites: [TLS_NOT_A_SUITE, SSL_RSA_WITH_RC4_128_MD5]\n",
            ))
        })
        .mentions("No ciphers left"),
        case("yaml unknown store_type", "config", || {
            native_server(&client_section("node1.jks", "  store_type: BKS\n"))
        }),
        case("yaml store_type JCEKS naming a PKCS#12 file", "config", || {
            native_server(&client_section("node1.p12", "  store_type: JCEKS\n"))
        })
        .mentions("Invalid keystore format"),
        case("yaml store_type PKCS12 naming a JCEKS file", "config", || {
            native_server(&client_section("node1.jceks", "  store_type: PKCS12\n"))
        })
        .mentions("Invalid keystore format"),
        case("yaml keystore missing for a server", "config", || {
            native_server(&client_section("no-such-store.jks", ""))
        }),
        case("yaml wrong keystore_password", "wrong_password_or_tampered", || {
            native_server(&format!(
                "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1.jks\n  keystore_password: {WRONG}\n"
            ))
        }),
        case("pem keystore and private_key both given", "config", || {
            let key = String::from_utf8(bytes("node1-keystore-plain.pem")).unwrap();
            let indented: String = key.lines().map(|l| format!("        {l}\n")).collect();
            native_server(&pem_section(&format!(
                "    parameters:\n      private_key: |\n{indented}  keystore: fixtures/stores/node1-keystore-plain.pem\n"
            )))
        })
        .mentions("not both"),
        case("pem passwords that disagree", "config", || {
            native_server(&pem_section(&format!(
                "    parameters:\n      private_key_password: {INLINE}\n  keystore: fixtures/stores/node1-keystore.pem\n  keystore_password: cassandra\n"
            )))
        })
        .mentions("do not match"),
        case("pem keystore with no key", "config", || {
            native_server(&pem_section("  keystore: fixtures/stores/ca-bundle.pem\n"))
        })
        .mentions("no private key"),
        case("pem keystore, a key without its certificate", "config", || {
            native_server(&pem_section("  keystore: fixtures/stores/node1.key.pem\n"))
        })
        .mentions("no certificate"),
        case("pem truststore missing and no trusted_certificates", "config", || {
            internode_server(
                "server_encryption_options:\n  internode_encryption: all\n  ssl_context_factory:\n    class_name: PEMBasedSslContextFactory\n  keystore: fixtures/stores/node1-keystore-plain.pem\n",
            )
        }),
        case("cqlshrc [connection] ssl that is no boolean", "config", || {
            cqlsh("[connection]\nssl = perhaps\n")
        })
        .mentions("Not a boolean"),
        case("cqlshrc validation without a certfile", "config", || {
            cqlsh("[connection]\nssl = true\n[ssl]\nvalidate = true\n")
        }),
        case("cqlshrc certfile missing", "io", || {
            cqlsh("[ssl]\ncertfile = fixtures/stores/no-such-ca.pem\n")
        }),
        case("cqlshrc option outside a section", "config", || cqlsh("certfile = x\n")),
    ]
}

fn wire() -> Vec<Case> {
    vec![
        case("wire: HTTP on the TLS port", "protocol", || {
            server_fed(b"GET / HTTP/1.1\r\nHost: node\r\n\r\n", false)
        }),
        case(
            "wire: plaintext CQL OPTIONS on the TLS port",
            "protocol",
            || server_fed(&[0x04, 0x00, 0x00, 0x01, 0x05, 0, 0, 0, 0], false),
        ),
        case("wire: a TLS 1.0 ClientHello", "no_shared_protocol", || {
            server_fed(&tls10_client_hello(), false)
        }),
        case("wire: an SSLv2-compatible ClientHello", "protocol", || {
            server_fed(
                &[
                    0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10, 0x01, 0x00,
                    0x80,
                ],
                false,
            )
        }),
        case(
            "wire: a record of 20 KiB (over 2^14 + 2048)",
            "protocol",
            || {
                let mut r = vec![0x16, 0x03, 0x03, 0x50, 0x00];
                r.extend(vec![0u8; 0x5000]);
                server_fed(&r, false)
            },
        )
        .mentions("TooLarge"),
        case("wire: an unknown record type", "protocol", || {
            server_fed(&[0x63, 0x03, 0x03, 0x00, 0x01, 0x00], false)
        }),
        case(
            "wire: a truncated ClientHello, then end of input",
            "protocol",
            || {
                let hello = client_hello();
                server_fed(&hello[..hello.len() / 2], true)
            },
        ),
        case(
            "wire: a fatal alert in place of the ServerHello",
            "peer_alert",
            || {
                // alert(21), TLS 1.2, length 2: fatal(2) handshake_failure(40).
                client_fed(&[0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28])
            },
        ),
        case(
            "wire: garbage in place of the ServerHello",
            "protocol",
            || client_fed(b"\x16\x03\x03\x00\x04\xde\xad\xbe\xef"),
        ),
        case("wire: a ClientHello sent to a client", "protocol", || {
            client_fed(&client_hello())
        }),
    ]
}

fn sparse_gigabyte(dir: &Path) -> PathBuf {
    let path = dir.join("huge.jks");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(1 << 30).unwrap();
    path
}

#[test]
fn every_kind_of_bad_input_gives_its_error_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = stores(sparse_gigabyte(tmp.path()), tmp.path().to_path_buf());
    cases.extend(options());
    cases.extend(wire());
    assert!(cases.len() >= 40, "{} kinds", cases.len());
    let mut wrong = Vec::new();
    for c in &cases {
        let got = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| (c.run)())) {
            Ok(Ok(())) => "ok (accepted)".to_owned(),
            Ok(Err(e)) => {
                let text = format!("{e} / {e:?}");
                for secret in SECRETS {
                    assert!(
                        !text.contains(secret),
                        "{}: the error names a password: {text}",
                        c.name
                    );
                }
                println!("{:<55} {:<28} {e}", c.name, e.kind());
                match c.mentions {
                    Some(word) if !e.to_string().contains(word) => {
                        format!("{} without '{word}' ({e})", e.kind())
                    }
                    _ => e.kind().to_string(),
                }
            }
            Err(_) => "PANIC".to_owned(),
        };
        if got != c.expect {
            wrong.push(format!("{}: expected {}, got {got}", c.name, c.expect));
        }
    }
    println!("{} kinds of bad input", cases.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn a_store_type_java_reads_anyway_is_a_warning_not_an_error() {
    // keystore.type.compat: a JKS or PKCS12 KeyStore reads either file, JCEKS reads JKS.
    for (file, named) in [
        ("node1.p12", "JKS"),
        ("node1.jks", "PKCS12"),
        ("node1.jks", "JCEKS"),
    ] {
        let store = KeyStore::loader()
            .store_type(StoreType::from_name(named))
            .store_password("cassandra")
            .load_file(store(file))
            .unwrap();
        assert!(
            store
                .warnings()
                .iter()
                .any(|w| matches!(w, Warning::StoreTypeMismatch { .. })),
            "{file} as {named}"
        );
        native_server(&client_section(file, &format!("  store_type: {named}\n")))
            .unwrap_or_else(|e| panic!("{file} as {named}: {e}"));
    }
}

#[test]
fn no_debug_or_display_names_a_password() {
    let mut texts = Vec::new();
    // Passwords themselves, and the loader holding them.
    let p = Password::new(NON_ASCII);
    texts.push(format!("{p:?}"));
    let loader = KeyStore::loader()
        .store_password(NON_ASCII)
        .key_password(KEYPASS);
    texts.push(format!("{loader:?}"));
    // A store opened with them, and its keys.
    let s = KeyStore::loader()
        .store_password(NON_ASCII)
        .load_file(store("node1-nonascii.jks"))
        .unwrap();
    texts.push(format!("{s:?}"));
    for k in s.private_keys() {
        texts.push(format!("{k:?}"));
        texts.push(format!("{:?}", k.key()));
    }
    let kp = KeyStore::loader()
        .store_password("cassandra")
        .key_password(KEYPASS)
        .load_file(store("node1-keypass.jks"))
        .unwrap();
    texts.push(format!("{kp:?}"));
    // Options holding them, and the configs built from them.
    let yaml_text = format!(
        "client_encryption_options:\n  enabled: true\n  keystore: fixtures/stores/node1-nonascii.jks\n  keystore_password: {NON_ASCII}\n  truststore: fixtures/stores/truststore.jks\n  truststore_password: {INLINE}\n  require_client_auth: false\n"
    );
    let yaml = CassandraYaml::from_str(&yaml_text)
        .unwrap()
        .with_base_dir(common::root());
    texts.push(format!("{yaml:?}"));
    texts.push(format!("{:?}", yaml.client_encryption_options()));
    let settings = TlsSettings {
        key_password: Some(Password::new(KEYPASS)),
        ..TlsSettings::default()
    };
    texts.push(format!("{settings:?}"));
    let server = tls::server_config(&yaml, ServerRole::Native, &TlsSettings::default()).unwrap();
    texts.push(format!("{:?}", server.warnings));
    // A PEM key whose private_key_password is inline.
    let pem = pem_section(&format!(
        "    parameters:\n      private_key_password: {INLINE}\n  keystore: fixtures/stores/node1-keystore.pem\n"
    ));
    let y = CassandraYaml::from_str(&pem).unwrap();
    texts.push(format!("{y:?}"));
    // nodetool's settings, in both forms, and a reloadable config with its reloader.
    for text in [
        format!(
            "javax.net.ssl.keyStorePassword={NON_ASCII}\njavax.net.ssl.trustStorePassword={INLINE}\nmy.secret={KEYPASS}\n"
        ),
        format!("-Djavax.net.ssl.keyStorePassword={INLINE} -Dother.password={KEYPASS}\n"),
    ] {
        let ssl = cassandra_tls::options::NodetoolSsl::parse(&text, Origin::bytes()).unwrap();
        texts.push(format!("{ssl:?}"));
        texts.extend(ssl.warnings().iter().map(|w| w.to_string()));
    }
    let (reloadable, reloader) =
        tls::reload::reloading_server_config(&yaml, ServerRole::Native, &TlsSettings::default())
            .unwrap();
    texts.push(format!("{reloader:?}"));
    texts.push(format!("{:?}", reloadable.warnings));
    let outcome = reloader.force();
    texts.push(format!("{outcome:?} {outcome}"));
    for t in &texts {
        for secret in SECRETS {
            assert!(!t.contains(secret), "a Debug output names a password: {t}");
        }
    }
    // Nor does any Debug show key material: the key's DER, in hex, as bytes or as base64.
    let der = pem_body(&String::from_utf8(bytes("node1.key.pem")).unwrap());
    let window = &der[200..216];
    let hex_lower: String = window.iter().map(|b| format!("{b:02x}")).collect();
    let as_list = format!("{:?}", &window[..6]);
    let as_list = as_list.trim_matches(|c| c == '[' || c == ']');
    let key_store = KeyStore::loader()
        .load_file(store("node1-keystore-plain.pem"))
        .unwrap();
    let text = format!("{key_store:?}");
    assert!(!text.to_ascii_lowercase().contains(&hex_lower), "{text}");
    assert!(!text.contains(as_list), "{text}");
}

fn pem_body(text: &str) -> Vec<u8> {
    // Decoded by rustls-pki-types, not by this crate.
    use rustls::pki_types::PrivatePkcs8KeyDer;
    use rustls::pki_types::pem::PemObject;
    PrivatePkcs8KeyDer::from_pem_slice(text.as_bytes())
        .unwrap()
        .secret_pkcs8_der()
        .to_vec()
}
