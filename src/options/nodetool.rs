//! `~/.cassandra/nodetool-ssl.properties`: the SSL settings of `nodetool --ssl`.
//!
//! `bin/nodetool` reads the file with `cat $SSL_FILE | tr '\n' ' '` and puts the words on the
//! `java` command line, so the file Cassandra documents holds JVM options, one per line:
//! `-Djavax.net.ssl.trustStore=/path`. Others keep the same settings as a Java properties file
//! (`javax.net.ssl.trustStore=/path`, read with `java.util.Properties.load`). Both forms are
//! read here, each by its own rules: [`parse_java_properties`] follows `Properties.load` (comments,
//! `=`/`:`/whitespace separators, escapes, `\uXXXX`, continuation lines); the JVM-option form
//! follows the shell (words split on whitespace, no quoting, no comments).
//!
//! What the settings mean on the nodetool side: `NodeProbe` connects through
//! `javax.rmi.ssl.SslRMIClientSocketFactory`, which uses the JVM's default `SSLContext` (the
//! `javax.net.ssl.*` key and trust stores, one password for store and keys) and the protocols
//! and suites of `javax.rmi.ssl.client.enabledProtocols` / `enabledCipherSuites`. It does no
//! host name check. The `com.sun.management.jmxremote.*` properties configure the JMX *server*
//! (`cassandra-env.sh`); in nodetool's file they have no effect, which [`NodetoolSsl::warnings`]
//! says.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Origin, Result};
use crate::password::Password;

/// Where `bin/nodetool` looks for the file, under the user's home directory.
pub const NODETOOL_SSL_FILE: &str = ".cassandra/nodetool-ssl.properties";

/// The name findings and errors give nodetool's settings (the file's name).
pub const NODETOOL: &str = "nodetool-ssl.properties";

/// Reads Java properties text as `java.util.Properties.load(Reader)` does, returning the pairs
/// in file order (a later duplicate wins when looked up, as in the `Hashtable`).
///
/// Errors only on a malformed `\uXXXX` escape, as Java does (`IllegalArgumentException:
/// Malformed \uxxxx encoding.`).
pub fn parse_java_properties(text: &str, origin: &Origin) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (line_no, logical) in logical_lines(text) {
        let chars: Vec<char> = logical.chars().collect();
        // The key ends at the first unescaped '=', ':' or whitespace.
        let mut key_len = 0;
        let mut value_start = chars.len();
        let mut has_separator = false;
        let mut preceding_backslash = false;
        while key_len < chars.len() {
            let c = chars[key_len];
            if (c == '=' || c == ':') && !preceding_backslash {
                value_start = key_len + 1;
                has_separator = true;
                break;
            } else if is_ws(c) && !preceding_backslash {
                value_start = key_len + 1;
                break;
            }
            preceding_backslash = c == '\\' && !preceding_backslash;
            key_len += 1;
        }
        // Then whitespace, at most one '=' or ':' (when the key ended at whitespace), whitespace.
        while value_start < chars.len() {
            let c = chars[value_start];
            if is_ws(c) {
                value_start += 1;
            } else if !has_separator && (c == '=' || c == ':') {
                has_separator = true;
                value_start += 1;
            } else {
                break;
            }
        }
        let convert = |s: &[char]| {
            unescape(s).ok_or_else(|| {
                Error::config(
                    origin,
                    None,
                    None,
                    format!("line {line_no}: Malformed \\uxxxx encoding."),
                )
            })
        };
        let key = convert(&chars[..key_len])?;
        let value = convert(&chars[value_start.min(chars.len())..])?;
        out.push((key, value));
    }
    Ok(out)
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{c}')
}

/// Java's `LineReader`: natural lines joined into logical lines where a line ends in an odd
/// number of backslashes; leading whitespace of every natural line dropped; comment lines
/// (`#`, `!`) and blank lines skipped. Returns each logical line with its first line number.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start_line = 0;
    let mut continuing = false;
    let mut line_no = 0;
    let mut rest = text;
    while !rest.is_empty() {
        // One natural line, without its terminator (\n, \r or \r\n).
        let end = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let natural = &rest[..end];
        rest = &rest[end..];
        if let Some(r) = rest.strip_prefix("\r\n") {
            rest = r;
        } else if !rest.is_empty() {
            rest = &rest[1..];
        }
        line_no += 1;
        let trimmed = natural.trim_start_matches(is_ws);
        if !continuing {
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('!') {
                continue;
            }
            start_line = line_no;
        } else if trimmed.is_empty() {
            // An empty line ends a continued logical line.
            out.push((start_line, std::mem::take(&mut current)));
            continuing = false;
            continue;
        }
        let backslashes = trimmed.chars().rev().take_while(|c| *c == '\\').count();
        if backslashes % 2 == 1 {
            current.push_str(&trimmed[..trimmed.len() - 1]);
            continuing = true;
        } else {
            current.push_str(trimmed);
            out.push((start_line, std::mem::take(&mut current)));
            continuing = false;
        }
    }
    if continuing && !current.is_empty() {
        // A backslash at the very end of the input is dropped.
        out.push((start_line, current));
    }
    out
}

/// `Properties.loadConvert`: `\t \n \r \f`, `\uXXXX`, and a backslash before any other
/// character stands for that character. `None` for a malformed `\u`.
fn unescape(s: &[char]) -> Option<String> {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = s.get(i) else {
            break;
        };
        i += 1;
        match e {
            'u' => {
                let hex: String = s.get(i..i + 4)?.iter().collect();
                let unit = u16::from_str_radix(&hex, 16).ok()?;
                if !hex.chars().all(|h| h.is_ascii_hexdigit()) {
                    return None;
                }
                i += 4;
                // A surrogate pair spelled as two escapes makes one character.
                if (0xd800..0xdc00).contains(&unit)
                    && s.get(i) == Some(&'\\')
                    && s.get(i + 1) == Some(&'u')
                    && let Some(low) = s
                        .get(i + 2..i + 6)
                        .map(|h| h.iter().collect::<String>())
                        .and_then(|h| u16::from_str_radix(&h, 16).ok())
                    && (0xdc00..0xe000).contains(&low)
                {
                    out.extend(char::decode_utf16([unit, low]).map(|r| r.unwrap_or('\u{fffd}')));
                    i += 6;
                } else {
                    out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'));
                }
            }
            't' => out.push('\t'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            'f' => out.push('\u{c}'),
            other => out.push(other),
        }
    }
    Some(out)
}

/// The `-Dname=value` words of nodetool's JVM-option form.
fn jvm_options(text: &str, origin: &Origin) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for word in text.split([' ', '\t', '\n']).filter(|w| !w.is_empty()) {
        let Some(def) = word.strip_prefix("-D") else {
            if word.starts_with('-') {
                // Another JVM option (-Xmx, -ea): java accepts it; nothing SSL about it.
                continue;
            }
            return Err(Error::config(
                origin,
                None,
                None,
                format!(
                    "'{}' is not a JVM option: bin/nodetool puts every word of this file on the java command line (no comments, no spaces inside values), where it would be taken for the main class",
                    shown(word)
                ),
            ));
        };
        let (name, value) = def.split_once('=').unwrap_or((def, ""));
        out.push((name.to_owned(), value.to_owned()));
    }
    Ok(out)
}

/// A word for an error message, never a password: words are at most names here, but be sure.
fn shown(word: &str) -> String {
    if word.len() > 40 {
        format!("{}…", word.chars().take(40).collect::<String>())
    } else {
        word.to_owned()
    }
}

/// Which form a file is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PropertiesForm {
    /// `-Dname=value` words, as `bin/nodetool` reads the file.
    JvmOptions,
    /// A Java properties file.
    JavaProperties,
}

/// Something in the file that does not do what its author may think.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NodetoolWarning {
    /// A `com.sun.management.jmxremote.*` property: it configures the JMX server (in
    /// `cassandra-env.sh`), not nodetool.
    ServerSideProperty {
        /// The property.
        name: String,
        /// What nodetool reads instead, if anything.
        client_side: Option<&'static str>,
    },
    /// A boolean that Java's `Boolean.parseBoolean` reads as `false` without complaint.
    NotTrue {
        /// The property.
        name: String,
        /// Its value (never a password).
        value: String,
    },
    /// A property not known to matter for nodetool's SSL.
    Unknown {
        /// The property.
        name: String,
    },
    /// Windows line endings in the JVM-option form: `tr '\n' ' '` leaves the `\r`, so Java
    /// receives it at the end of every value (a password then no longer matches).
    CarriageReturns,
    /// The same property twice: the last one counts.
    Duplicate {
        /// The property.
        name: String,
    },
}

impl fmt::Display for NodetoolWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NodetoolWarning::ServerSideProperty { name, client_side } => {
                write!(
                    f,
                    "{name} configures the JMX server (cassandra-env.sh); nodetool ignores it"
                )?;
                if let Some(c) = client_side {
                    write!(f, " (nodetool reads {c})")?;
                }
                Ok(())
            }
            NodetoolWarning::NotTrue { name, value } => write!(
                f,
                "{name} = '{value}' is read as false by Java (only 'true' is true)"
            ),
            NodetoolWarning::Unknown { name } => {
                write!(f, "{name} is not an SSL setting nodetool uses")
            }
            NodetoolWarning::CarriageReturns => f.write_str(
                "the file has Windows (CRLF) line endings: bin/nodetool passes the \\r to Java at the end of each value; convert it to LF",
            ),
            NodetoolWarning::Duplicate { name } => {
                write!(f, "{name} is given twice; the last value counts")
            }
        }
    }
}

/// nodetool's SSL settings.
#[derive(Clone, Debug, Default)]
pub struct NodetoolSsl {
    origin: Origin,
    /// The form the file was written in.
    pub form: Option<PropertiesForm>,
    /// `javax.net.ssl.keyStore`: the client certificate, when the JMX server requires one.
    pub keystore: Option<PathBuf>,
    /// `javax.net.ssl.keyStorePassword`: for the store and its keys (JSSE's default key
    /// manager uses one password).
    pub keystore_password: Option<Password>,
    /// `javax.net.ssl.keyStoreType` (the JDK's default, PKCS12, when unset).
    pub keystore_type: Option<String>,
    /// `javax.net.ssl.trustStore`: the CA of the JMX server's certificate. Unset, the JVM uses
    /// its own `cacerts`.
    pub truststore: Option<PathBuf>,
    /// `javax.net.ssl.trustStorePassword` (optional: without it the store loads unchecked).
    pub truststore_password: Option<Password>,
    /// `javax.net.ssl.trustStoreType`.
    pub truststore_type: Option<String>,
    /// `javax.rmi.ssl.client.enabledProtocols`: what nodetool offers.
    pub client_protocols: Option<Vec<String>>,
    /// `javax.rmi.ssl.client.enabledCipherSuites`: what nodetool offers.
    pub client_cipher_suites: Option<Vec<String>>,
    /// `com.sun.management.jmxremote.ssl.need.client.auth` (a server setting).
    pub need_client_auth: Option<bool>,
    /// `com.sun.management.jmxremote.registry.ssl` (a server setting).
    pub registry_ssl: Option<bool>,
    /// `com.sun.management.jmxremote.ssl.enabled.protocols` (a server setting).
    pub server_protocols: Option<Vec<String>>,
    /// `com.sun.management.jmxremote.ssl.enabled.cipher.suites` (a server setting).
    pub server_cipher_suites: Option<Vec<String>>,
    /// Other properties, by name (values of names that look secret are not kept).
    pub other: BTreeMap<String, String>,
    warnings: Vec<NodetoolWarning>,
}

/// A comma-separated list as the JDK splits it (`StringTokenizer(value, ",")`): elements are
/// not trimmed, empty ones are dropped.
fn list(value: &str) -> Vec<String> {
    value
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl NodetoolSsl {
    /// Reads the file's text, in whichever of the two forms it is written: JVM options when
    /// its first word starts with `-`, Java properties otherwise.
    pub fn parse(text: &str, origin: Origin) -> Result<Self> {
        let first_word = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'));
        let form = if first_word.is_some_and(|w| w.starts_with('-')) {
            PropertiesForm::JvmOptions
        } else {
            PropertiesForm::JavaProperties
        };
        let pairs = match form {
            PropertiesForm::JvmOptions => jvm_options(text, &origin)?,
            PropertiesForm::JavaProperties => parse_java_properties(text, &origin)?,
        };
        let mut s = NodetoolSsl {
            origin,
            form: Some(form),
            ..Default::default()
        };
        if form == PropertiesForm::JvmOptions && text.contains('\r') {
            s.warnings.push(NodetoolWarning::CarriageReturns);
        }
        let mut seen = std::collections::BTreeSet::new();
        for (name, value) in pairs {
            if !seen.insert(name.clone()) {
                s.warnings
                    .push(NodetoolWarning::Duplicate { name: name.clone() });
            }
            s.set(name, value);
        }
        Ok(s)
    }

    /// Reads a file.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let bytes = zeroize::Zeroizing::new(bytes);
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            Error::config(
                &Origin::file(path),
                None,
                None,
                format!("not UTF-8 text (byte {})", e.valid_up_to()),
            )
        })?;
        Self::parse(text, Origin::file(path))
    }

    /// The nodetool settings that talk to a node's JMX server configured by 6.0's
    /// `jmx_encryption_options` (CASSANDRA-18508): its truststore, and its key store as the client
    /// certificate when the server requires one, with the section's store type (Cassandra's
    /// default JKS), passwords, protocols (`protocol` and `accepted_protocols` combined as
    /// Cassandra combines them) and cipher suites. `None` when the yaml has no such section.
    ///
    /// nodetool reads `javax.net.ssl.*` key stores: a section on the PEM factory is refused.
    pub fn from_jmx_encryption_options(yaml: &super::CassandraYaml) -> Result<Option<Self>> {
        let Some(jmx) = yaml.jmx_encryption_options() else {
            return Ok(None);
        };
        let origin = yaml.origin().clone();
        if jmx.ssl_context_factory.kind() != super::SslContextFactoryKind::Default {
            return Err(Error::config(
                &origin,
                Some(super::Section::Jmx.as_str()),
                Some("ssl_context_factory"),
                "nodetool reads javax.net.ssl key stores (JKS, PKCS12), not a PEM or custom factory: give nodetool its own nodetool-ssl.properties",
            ));
        }
        let store_type = Some(jmx.store_type.clone().unwrap_or_else(|| "JKS".to_owned()));
        let path = |p: &str| super::resolve_path(yaml.base_dir(), p);
        let client_cert = jmx.require_client_auth != super::ClientAuth::NotRequired;
        Ok(Some(NodetoolSsl {
            origin,
            form: None,
            keystore: client_cert.then(|| path(jmx.keystore_path())),
            keystore_password: client_cert.then(|| jmx.keystore_password.clone()).flatten(),
            keystore_type: store_type.clone(),
            truststore: Some(path(jmx.truststore_path())),
            truststore_password: jmx.truststore_password.clone(),
            truststore_type: store_type,
            client_protocols: super::accepted_protocols(
                jmx.protocol.as_deref(),
                jmx.accepted_protocols.as_deref(),
            ),
            client_cipher_suites: jmx.cipher_suites.clone(),
            need_client_auth: Some(client_cert),
            ..Default::default()
        }))
    }

    /// Where the settings came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// What in the file does not do what it may seem to.
    pub fn warnings(&self) -> &[NodetoolWarning] {
        &self.warnings
    }

    fn boolean(&mut self, name: &str, value: &str) -> bool {
        let v = value.trim();
        if !v.eq_ignore_ascii_case("true") && !v.eq_ignore_ascii_case("false") {
            self.warnings.push(NodetoolWarning::NotTrue {
                name: name.to_owned(),
                value: shown(v),
            });
        }
        v.eq_ignore_ascii_case("true")
    }

    fn server_side(&mut self, name: &str, client_side: Option<&'static str>) {
        self.warnings.push(NodetoolWarning::ServerSideProperty {
            name: name.to_owned(),
            client_side,
        });
    }

    fn set(&mut self, name: String, value: String) {
        let path = |v: &str| Some(PathBuf::from(v));
        match name.as_str() {
            "javax.net.ssl.keyStore" => self.keystore = path(&value),
            "javax.net.ssl.keyStorePassword" => self.keystore_password = Some(Password::new(value)),
            "javax.net.ssl.keyStoreType" => self.keystore_type = Some(value),
            "javax.net.ssl.trustStore" => self.truststore = path(&value),
            "javax.net.ssl.trustStorePassword" => {
                self.truststore_password = Some(Password::new(value))
            }
            "javax.net.ssl.trustStoreType" => self.truststore_type = Some(value),
            "javax.rmi.ssl.client.enabledProtocols" => self.client_protocols = Some(list(&value)),
            "javax.rmi.ssl.client.enabledCipherSuites" => {
                self.client_cipher_suites = Some(list(&value))
            }
            "com.sun.management.jmxremote.ssl.need.client.auth" => {
                self.need_client_auth = Some(self.boolean(&name, &value));
                self.server_side(&name, None);
            }
            "com.sun.management.jmxremote.registry.ssl" => {
                self.registry_ssl = Some(self.boolean(&name, &value));
                self.server_side(&name, None);
            }
            "com.sun.management.jmxremote.ssl.enabled.protocols" => {
                self.server_protocols = Some(list(&value));
                self.server_side(&name, Some("javax.rmi.ssl.client.enabledProtocols"));
            }
            "com.sun.management.jmxremote.ssl.enabled.cipher.suites" => {
                self.server_cipher_suites = Some(list(&value));
                self.server_side(&name, Some("javax.rmi.ssl.client.enabledCipherSuites"));
            }
            "com.sun.management.jmxremote.ssl" => {
                self.boolean(&name, &value);
                self.server_side(&name, Some("nodetool's --ssl flag (ssl.enable)"));
            }
            n if n.starts_with("com.sun.management.jmxremote.") => {
                self.server_side(&name, None);
            }
            "ssl.enable" => {
                self.boolean(&name, &value);
            }
            _ => {
                let secret = {
                    let n = name.to_ascii_lowercase();
                    n.contains("password") || n.contains("secret") || n.contains("key")
                };
                self.warnings
                    .push(NodetoolWarning::Unknown { name: name.clone() });
                self.other
                    .insert(name, if secret { "<redacted>".into() } else { value });
            }
        }
    }
}
