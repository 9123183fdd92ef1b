//! `auth_certificate_role_queries` as Scylla's `certificate_authenticator` validates and runs
//! them (`auth/certificate_authenticator.cc:35-79` and `:107-148`, scylladb `f4a4091c`).

use std::collections::BTreeMap;
use std::fmt;

use fancy_regex::Regex;

use super::boost::compile;
pub use super::refusal::{MAX_QUERY_LEN, QueryRefusal};

use super::dn::{DnFailure, gnutls_issuer_dn, gnutls_subject_dn, seastar_altnames};
use crate::keystore::Certificate;

/// The message Scylla answers a TLS connection that presented no client certificate with
/// (`certificate_authenticator.cc:118`). [`RoleQueries::role_for`] takes a certificate, so
/// that case is the caller's.
pub const NO_CERTIFICATE: &str = "No valid certificate found";

/// Which string a query searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum QuerySource {
    /// `SUBJECT`: [`gnutls_subject_dn`](super::gnutls_subject_dn).
    Subject,
    /// `ALTNAME`: [`seastar_altnames`](super::seastar_altnames).
    Altname,
}

impl fmt::Display for QuerySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            QuerySource::Subject => "SUBJECT",
            QuerySource::Altname => "ALTNAME",
        })
    }
}

/// Why `authenticate()` gives no role for a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoRole {
    /// No query matched: Scylla's `authentication_exception`. `altname` is `None` when no
    /// ALTNAME query ran (fmt prints `none`), else fmt's `optional("...")`.
    #[error("Subject '{subject}'/'{}' does not match any query expression", fmt_optional(.altname))]
    NoMatch {
        /// The SUBJECT string.
        subject: String,
        /// The ALTNAME string, when a query needed it.
        altname: Option<String>,
    },
    /// GnuTLS could not write a DN or read an alt name: Seastar throws (`error while extracting
    /// certificate DN strings` for the DNs).
    #[error("error while extracting certificate DN strings: {0}")]
    Certificate(DnFailure),
    /// Not quite Scylla's: the match needed more backtracking than the bound allows (boost
    /// throws `std::runtime_error` at its own, different bound).
    #[error(
        "The complexity of matching the regular expression exceeded predefined bounds (query {index})"
    )]
    TooComplex {
        /// Which query.
        index: usize,
    },
}

/// fmt's `{}` of a `std::optional<std::string>` (`fmt/std.h`): `none` or `optional("...")`.
fn fmt_optional(v: &Option<String>) -> String {
    match v {
        None => "none".to_string(),
        Some(s) => format!("optional({})", fmt_debug_str(s)),
    }
}

/// fmt's debug form of a string (`"..."` with `\"`, `\\`, `\n`, `\r`, `\t` and `\x..` for
/// other control characters).
fn fmt_debug_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One validated query.
#[derive(Debug, Clone)]
pub struct RoleQuery {
    source: QuerySource,
    query: String,
    regex: Regex,
}

impl RoleQuery {
    /// Which string it searches.
    pub fn source(&self) -> QuerySource {
        self.source
    }

    /// The query as written.
    pub fn query(&self) -> &str {
        &self.query
    }
}

/// `auth_certificate_role_queries`, validated as Scylla's constructor validates it.
#[derive(Debug, Clone)]
pub struct RoleQueries {
    queries: Vec<RoleQuery>,
}

/// What `authenticate()` found: the role, and which query gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoleMatch {
    /// The role name (group 1 of the first match; empty when group 1 did not take part).
    pub role: String,
    /// Which query matched (from 0).
    pub index: usize,
    /// Its source.
    pub source: QuerySource,
    /// The string it searched.
    pub searched: String,
}

impl Default for RoleQueries {
    /// Scylla's default: `[{source: SUBJECT, query: "CN=([^,]+)"}]` (`db/config.cc`).
    fn default() -> Self {
        let mut item = BTreeMap::new();
        item.insert("source".to_string(), "SUBJECT".to_string());
        item.insert("query".to_string(), "CN=([^,]+)".to_string());
        match RoleQueries::from_maps(&[item]) {
            Ok(q) => q,
            Err(_) => RoleQueries {
                queries: Vec::new(),
            },
        }
    }
}

/// fmt's `{}` of a map: `{"k": "v", ...}` (keys in this map's order).
fn fmt_map(map: &BTreeMap<String, String>) -> String {
    let items: Vec<String> = map
        .iter()
        .map(|(k, v)| format!("{}: {}", fmt_debug_str(k), fmt_debug_str(v)))
        .collect();
    format!("{{{}}}", items.join(", "))
}

impl RoleQueries {
    /// Validates the list as the constructor does, in its order: an empty list; per item, the
    /// two keys; the source upper-cased (ASCII, `::toupper`); the query compiled; its
    /// mark count; then the source's value (so a bad query is reported before a bad source).
    pub fn from_maps(items: &[BTreeMap<String, String>]) -> Result<RoleQueries, QueryRefusal> {
        if items.is_empty() {
            return Err(QueryRefusal::Empty);
        }
        let mut queries = Vec::with_capacity(items.len());
        for (index, map) in items.iter().enumerate() {
            let (Some(source), Some(query)) = (map.get("source"), map.get("query")) else {
                return Err(QueryRefusal::InvalidItem {
                    index,
                    map: fmt_map(map),
                });
            };
            if map.len() != 2 {
                return Err(QueryRefusal::InvalidItem {
                    index,
                    map: fmt_map(map),
                });
            }
            let upper = source.to_ascii_uppercase();
            let regex = compile(index, query)?;
            let source = match upper.as_str() {
                "SUBJECT" => QuerySource::Subject,
                "ALTNAME" => QuerySource::Altname,
                _ => {
                    return Err(QueryRefusal::InvalidSource {
                        index,
                        source_name: source.clone(),
                    });
                }
            };
            queries.push(RoleQuery {
                source,
                query: query.clone(),
                regex,
            });
        }
        Ok(RoleQueries { queries })
    }

    /// The queries, in order.
    pub fn queries(&self) -> &[RoleQuery] {
        &self.queries
    }

    /// `authenticate()` for a presented certificate: the subject (and issuer) DN are read
    /// first, the alt names only when an ALTNAME query is reached; the queries are searched
    /// in order, unanchored, and group 1 of the first match is the role.
    pub fn role_for(&self, cert: &Certificate) -> Result<RoleMatch, NoRole> {
        let subject = gnutls_subject_dn(cert).map_err(NoRole::Certificate)?;
        gnutls_issuer_dn(cert).map_err(NoRole::Certificate)?;
        let mut altname: Option<String> = None;
        for (index, q) in self.queries.iter().enumerate() {
            let searched = match q.source {
                QuerySource::Subject => subject.clone(),
                QuerySource::Altname => match &altname {
                    Some(a) => a.clone(),
                    None => {
                        let a = seastar_altnames(cert).map_err(NoRole::Certificate)?;
                        altname = Some(a.clone());
                        a
                    }
                },
            };
            if let Some(role) = search(index, &q.regex, &searched)? {
                return Ok(RoleMatch {
                    role,
                    index,
                    source: q.source,
                    searched,
                });
            }
        }
        Err(NoRole::NoMatch { subject, altname })
    }

    /// The same search on given strings (the SUBJECT and the ALTNAME string), for callers
    /// that have them already; `altname` is read only if an ALTNAME query is reached.
    pub fn role_for_strings(&self, subject: &str, altname: &str) -> Result<RoleMatch, NoRole> {
        let mut used_alt = false;
        for (index, q) in self.queries.iter().enumerate() {
            let searched = match q.source {
                QuerySource::Subject => subject,
                QuerySource::Altname => {
                    used_alt = true;
                    altname
                }
            };
            if let Some(role) = search(index, &q.regex, searched)? {
                return Ok(RoleMatch {
                    role,
                    index,
                    source: q.source,
                    searched: searched.to_string(),
                });
            }
        }
        Err(NoRole::NoMatch {
            subject: subject.to_string(),
            altname: used_alt.then(|| altname.to_string()),
        })
    }
}

/// `boost::regex_search` and `m[1].str()`.
fn search(index: usize, regex: &Regex, s: &str) -> Result<Option<String>, NoRole> {
    match regex.captures(s) {
        Ok(Some(c)) => Ok(Some(
            c.get(1).map(|m| m.as_str().to_string()).unwrap_or_default(),
        )),
        Ok(None) => Ok(None),
        Err(_) => Err(NoRole::TooComplex { index }),
    }
}

#[cfg(test)]
mod tests {
    use super::super::boost::translate;
    use super::*;

    fn item(source: &str, query: &str) -> BTreeMap<String, String> {
        let mut m = BTreeMap::new();
        m.insert("source".into(), source.into());
        m.insert("query".into(), query.into());
        m
    }

    #[test]
    fn default_is_scyllas() {
        let q = RoleQueries::default();
        assert_eq!(q.queries().len(), 1);
        assert_eq!(q.queries()[0].query(), "CN=([^,]+)");
        let m = q
            .role_for_strings("C=US,O=Acme\\, Inc.,CN=Doe\\, John", "")
            .unwrap();
        assert_eq!(m.role, "Doe\\");
    }

    #[test]
    fn constructor_rules() {
        assert_eq!(
            RoleQueries::from_maps(&[]).unwrap_err().to_string(),
            "No role extraction queries specified."
        );
        let mut three = item("SUBJECT", "CN=(.*)");
        three.insert("extra".into(), "x".into());
        assert_eq!(
            RoleQueries::from_maps(&[three]).unwrap_err().to_string(),
            "Invalid query: {\"extra\": \"x\", \"query\": \"CN=(.*)\", \"source\": \"SUBJECT\"}"
        );
        let mut wrong = BTreeMap::new();
        wrong.insert("Source".to_string(), "SUBJECT".to_string());
        wrong.insert("query".to_string(), "CN=(.*)".to_string());
        assert!(matches!(
            RoleQueries::from_maps(&[wrong]),
            Err(QueryRefusal::InvalidItem { .. })
        ));
        assert!(RoleQueries::from_maps(&[item("subject", "CN=(.*)")]).is_ok());
        assert_eq!(
            RoleQueries::from_maps(&[item("issuer", "CN=(.*)")])
                .unwrap_err()
                .to_string(),
            "Invalid source: issuer"
        );
        assert_eq!(
            RoleQueries::from_maps(&[item("issuer", "CN=(")])
                .unwrap_err()
                .to_string(),
            "Invalid query expression: CN=("
        );
        assert_eq!(
            RoleQueries::from_maps(&[item("issuer", "CN=.*")])
                .unwrap_err()
                .to_string(),
            "Role query must have exactly one mark expression"
        );
        let huge = "a".repeat(MAX_QUERY_LEN + 1);
        assert!(matches!(
            RoleQueries::from_maps(&[item("SUBJECT", &huge)]),
            Err(QueryRefusal::TooLong { .. })
        ));
    }

    #[test]
    fn no_match_message() {
        let q = RoleQueries::from_maps(&[item("SUBJECT", "^CN=(x)")]).unwrap();
        assert_eq!(
            q.role_for_strings("O=a", "DNS=b").unwrap_err().to_string(),
            "Subject 'O=a'/'none' does not match any query expression"
        );
        let q = RoleQueries::from_maps(&[item("ALTNAME", "^CN=(x)")]).unwrap();
        assert_eq!(
            q.role_for_strings("O=a", "DNS=b").unwrap_err().to_string(),
            "Subject 'O=a'/'optional(\"DNS=b\")' does not match any query expression"
        );
    }

    /// A query that backtracks without end is cut off, not run for ever.
    #[test]
    fn pathological_match_is_bounded() {
        let q = RoleQueries::from_maps(&[item("SUBJECT", r"^(?:(?:a|aa)*(?=a))*(a)\1b")]);
        let q = q.expect("compiles");
        let subject = "a".repeat(60);
        let r = q.role_for_strings(&subject, "");
        assert!(matches!(r, Err(NoRole::TooComplex { index: 0 })), "{r:?}");
    }

    #[test]
    fn translations() {
        assert_eq!(translate(r"\Qa.b\E(x)").unwrap(), r"a\.b(x)");
        assert_eq!(translate(r"[[:alpha:]](x)").unwrap(), r"[[:alpha:]](x)");
        assert!(translate(r"a*+(x)").is_err());
        assert_eq!(translate(r"a+?(x)").unwrap(), r"a+?(x)");
        assert!(translate(r"(?|(a)|(b))").is_err());
    }

    /// Random bytes as queries and as certificates: refusals, never panics.
    #[test]
    fn hostile_inputs_never_panic() {
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let alphabet: Vec<char> = r"()[]{}?*+|^$\.:=!<>#-,QEhRPkg0123456789aAzZ "
            .chars()
            .collect();
        for _ in 0..3000 {
            let len = (next() % 24) as usize;
            let q: String = (0..len)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect();
            if let Ok(rq) = RoleQueries::from_maps(&[item("SUBJECT", &q)]) {
                let _ = rq.role_for_strings("C=US,O=Acme,CN=alice", "DNS=a");
            }
        }
        for n in 0..500 {
            let len = (next() % 300) as usize;
            let mut der: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            if n % 2 == 0 && !der.is_empty() {
                der[0] = 0x30;
            }
            if let Ok(cert) = Certificate::from_der_bytes(der) {
                let _ = RoleQueries::default().role_for(&cert);
                let _ = super::super::seastar_altnames(&cert);
            }
        }
    }
}
