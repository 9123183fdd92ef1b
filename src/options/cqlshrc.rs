//! cqlsh's SSL settings: `cqlshrc` (Python `configparser` syntax) plus the environment, with
//! the priority rules of `cqlshlib/sslhandling.py` (`ssl_settings`).
//!
//! | setting | source, first found wins | default |
//! |---|---|---|
//! | SSL on | `--ssl`, `[connection] ssl` | off |
//! | validate | `SSL_VALIDATE`, `[ssl] validate` | true unless the value is `false` (any case) |
//! | CA file | `SSL_CERTFILE`, `[certfiles] <host>`, `[ssl] certfile` | required when validating |
//! | version | `SSL_VERSION`, `[ssl] version` | ignored since 4.1 (auto-negotiated), with a warning |
//! | client key / cert | `[ssl] userkey`, `[ssl] usercert` | none |
//!
//! The file is read as Python's `ConfigParser` reads it: `=` or `:` separators, `#`/`;` comment
//! lines, indented continuation lines, a `DEFAULT` section inherited by every section, option
//! names case-insensitive and section names case-sensitive, `%(name)s` interpolation (a value
//! that does not interpolate counts as absent, as cqlsh's `get_option` swallows the error), and
//! duplicate sections or options refused.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Origin, Result};

/// A cqlshrc file, parsed.
#[derive(Clone, Debug, Default)]
pub struct Cqlshrc {
    origin: Origin,
    /// Section name (as written) to option name (lower-cased) to raw value.
    sections: BTreeMap<String, BTreeMap<String, String>>,
}

/// The effective SSL settings of cqlsh for one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CqlshSsl {
    /// `[connection] ssl` (cqlsh's `--ssl` also turns it on).
    pub enabled: bool,
    /// Whether the server certificate is verified (`CERT_REQUIRED`); cqlsh never checks the
    /// host name.
    pub validate: bool,
    /// The CA certificates file, `~` expanded.
    pub certfile: Option<PathBuf>,
    /// The client private key, `~` expanded.
    pub userkey: Option<PathBuf>,
    /// The client certificate, `~` expanded.
    pub usercert: Option<PathBuf>,
    /// A `version` that was given and, as in cqlsh 4.1+, ignored.
    pub ignored_version: Option<String>,
}

fn parse_error(origin: &Origin, line: usize, message: impl Into<String>) -> Error {
    Error::config(
        origin,
        None,
        None,
        format!("line {line}: {}", message.into()),
    )
}

impl Cqlshrc {
    /// Parses cqlshrc text.
    pub fn parse(text: &str, origin: Origin) -> Result<Self> {
        let mut sections: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        let mut current: Option<String> = None;
        let mut last_key: Option<String> = None;
        let mut last_indent = 0usize;
        for (i, raw) in text.lines().enumerate() {
            let n = i + 1;
            let trimmed = raw.trim();
            let indent = raw.len() - raw.trim_start().len();
            if trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if trimmed.is_empty() {
                // An empty line inside a value stays part of it only if more indented text
                // follows; Python strips trailing empty lines, so dropping them is equivalent.
                continue;
            }
            // Continuation of the previous value.
            if indent > last_indent
                && let (Some(section), Some(key)) = (&current, &last_key)
            {
                let value = sections.get_mut(section).and_then(|s| s.get_mut(key));
                if let Some(v) = value {
                    v.push('\n');
                    v.push_str(trimmed);
                    continue;
                }
            }
            if let Some(rest) = trimmed.strip_prefix('[') {
                let name = rest
                    .strip_suffix(']')
                    .ok_or_else(|| parse_error(&origin, n, "a section header must end with ']'"))?;
                if sections.contains_key(name) {
                    return Err(parse_error(
                        &origin,
                        n,
                        format!("section '{name}' already exists"),
                    ));
                }
                sections.insert(name.to_owned(), BTreeMap::new());
                current = Some(name.to_owned());
                last_key = None;
                continue;
            }
            let Some(section) = &current else {
                return Err(parse_error(&origin, n, "File contains no section headers."));
            };
            let sep = trimmed.find(['=', ':']).ok_or_else(|| {
                parse_error(
                    &origin,
                    n,
                    "a line is neither a section, an option nor a comment",
                )
            })?;
            let key = trimmed[..sep].trim().to_lowercase();
            let value = trimmed[sep + 1..].trim().to_owned();
            let options = sections.entry(section.clone()).or_default();
            if options.contains_key(&key) {
                return Err(parse_error(
                    &origin,
                    n,
                    format!("option '{key}' in section '{section}' already exists"),
                ));
            }
            options.insert(key.clone(), value);
            last_key = Some(key);
            last_indent = indent;
        }
        Ok(Cqlshrc { origin, sections })
    }

    /// Reads and parses a cqlshrc file. A missing file is an empty configuration, as for
    /// `ConfigParser.read`.
    pub fn load_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, Origin::file(path)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Cqlshrc {
                origin: Origin::file(path),
                ..Default::default()
            }),
            Err(source) => Err(Error::Io {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Where it came from.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// An option's value after interpolation, as `ConfigParser.get` gives it; `None` when the
    /// section or option is missing or the value does not interpolate.
    pub fn get(&self, section: &str, option: &str) -> Option<String> {
        if section != "DEFAULT" && !self.sections.contains_key(section) {
            return None;
        }
        let raw = self.raw(section, &option.to_lowercase())?;
        self.interpolate(section, raw, 0)
    }

    fn raw(&self, section: &str, key: &str) -> Option<&str> {
        self.sections
            .get(section)
            .and_then(|s| s.get(key))
            .or_else(|| self.sections.get("DEFAULT").and_then(|d| d.get(key)))
            .map(String::as_str)
    }

    /// Python's `BasicInterpolation`: `%%` is `%`, `%(name)s` is another option of the section
    /// (or DEFAULT), at most 10 levels deep.
    fn interpolate(&self, section: &str, value: &str, depth: usize) -> Option<String> {
        if depth > 10 {
            return None;
        }
        let mut out = String::with_capacity(value.len());
        let mut rest = value;
        while let Some(p) = rest.find('%') {
            out.push_str(&rest[..p]);
            let after = &rest[p + 1..];
            if let Some(r) = after.strip_prefix('%') {
                out.push('%');
                rest = r;
            } else if let Some(r) = after.strip_prefix('(') {
                let close = r.find(")s")?;
                let name = r[..close].to_lowercase();
                let inner = self.raw(section, &name)?;
                out.push_str(&self.interpolate(section, inner, depth + 1)?);
                rest = &r[close + 2..];
            } else {
                return None;
            }
        }
        out.push_str(rest);
        Some(out)
    }

    /// `[connection] ssl` read as `getboolean`: `1/yes/true/on`, `0/no/false/off`.
    fn ssl_enabled(&self) -> Result<bool> {
        match self.get("connection", "ssl") {
            None => Ok(false),
            Some(v) => match v.to_lowercase().as_str() {
                "1" | "yes" | "true" | "on" => Ok(true),
                "0" | "no" | "false" | "off" => Ok(false),
                other => Err(Error::config(
                    &self.origin,
                    Some("connection"),
                    Some("ssl"),
                    format!("Not a boolean: {other}"),
                )),
            },
        }
    }

    /// cqlsh's `ssl_settings(host, config_file, env)`. `env` looks up environment variables;
    /// `home` expands `~`.
    pub fn ssl_settings(
        &self,
        host: &str,
        env: &dyn Fn(&str) -> Option<String>,
        home: Option<&Path>,
    ) -> Result<CqlshSsl> {
        // cqlsh reads `[connection] ssl` as a boolean before it builds any SSL settings.
        let enabled = self.ssl_enabled()?;
        let validate = env("SSL_VALIDATE")
            .or_else(|| self.get("ssl", "validate"))
            .is_none_or(|v| !v.eq_ignore_ascii_case("false"));
        let ignored_version = env("SSL_VERSION").or_else(|| self.get("ssl", "version"));
        let certfile = env("SSL_CERTFILE")
            .or_else(|| self.get("certfiles", host))
            .or_else(|| self.get("ssl", "certfile"));
        if validate && certfile.is_none() {
            return Err(Error::config(
                &self.origin,
                Some("ssl"),
                Some("certfile"),
                "Validation is enabled; SSL transport factory requires a valid certfile to be specified. Please provide path to the certfile in [ssl] section as 'certfile' option (or use [certfiles] section) or set SSL_CERTFILE environment variable.",
            ));
        }
        let expand = |p: String| expand_user(&p, home);
        Ok(CqlshSsl {
            enabled,
            validate,
            certfile: certfile.map(expand),
            userkey: self
                .get("ssl", "userkey")
                .filter(|s| !s.is_empty())
                .map(expand),
            usercert: self
                .get("ssl", "usercert")
                .filter(|s| !s.is_empty())
                .map(expand),
            ignored_version: ignored_version.filter(|v| !v.is_empty()),
        })
    }
}

/// Python's `os.path.expanduser` for `~` and `~/...` (other users' homes are left alone).
fn expand_user(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix('~'), home) {
        (Some(""), Some(h)) => h.to_path_buf(),
        (Some(rest), Some(h)) if rest.starts_with('/') => h.join(&rest[1..]),
        _ => PathBuf::from(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rc(text: &str) -> Cqlshrc {
        Cqlshrc::parse(text, Origin::bytes()).unwrap()
    }

    #[test]
    fn configparser_syntax() {
        let c = rc(
            "[DEFAULT]\nbase = /etc/c\n\n[ssl]\n# comment\n; other\nCertFile: %(base)s/ca.pem\nuserkey = a%%b\nlong = first\n  second\n",
        );
        assert_eq!(c.get("ssl", "certfile").as_deref(), Some("/etc/c/ca.pem"));
        assert_eq!(c.get("ssl", "USERKEY").as_deref(), Some("a%b"));
        assert_eq!(c.get("ssl", "long").as_deref(), Some("first\nsecond"));
        assert_eq!(
            c.get("SSL", "certfile"),
            None,
            "section names are case-sensitive"
        );
        assert_eq!(
            c.get("ssl", "base").as_deref(),
            Some("/etc/c"),
            "DEFAULT is inherited"
        );
        assert_eq!(rc("[ssl]\ncertfile = 50%\n").get("ssl", "certfile"), None);
        assert!(Cqlshrc::parse("certfile = x\n", Origin::bytes()).is_err());
        assert!(Cqlshrc::parse("[ssl]\na=1\na=2\n", Origin::bytes()).is_err());
        assert!(Cqlshrc::parse("[ssl]\n[ssl]\n", Origin::bytes()).is_err());
    }
}
