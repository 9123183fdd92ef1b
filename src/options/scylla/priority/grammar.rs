//! The grammar of `gnutls_priority_init` (GnuTLS 3.7.9 `lib/priority.c`): keywords, `+`/`-`/`!`
//! additions and removals, `%` options, applied to the working lists.

use super::Protocol;
use super::tables::*;

/// The working lists of a `gnutls_priority_st`, by name.
#[derive(Default)]
pub(super) struct Lists {
    pub(super) protocols: Vec<Protocol>,
    pub(super) ciphers: Vec<&'static str>,
    pub(super) macs: Vec<&'static str>,
    pub(super) kxs: Vec<&'static str>,
    pub(super) signs: Vec<&'static str>,
    pub(super) groups: Vec<&'static str>,
    pub(super) options: Vec<&'static str>,
    pub(super) no_extensions: bool,
}

/// `_add_priority` (append what the list did not hold) or `_set_priority` (replace).
fn bulk_set<T: Copy + PartialEq>(list: &mut Vec<T>, items: &[T], add: bool) {
    if add {
        let initial = list.len();
        for &item in items {
            if !list[..initial].contains(&item) {
                list.push(item);
            }
        }
    } else {
        list.clear();
        list.extend_from_slice(items);
    }
}

/// `+`: `_add_priority`; `-`/`!`: `_clear_priorities` (empty the list).
fn bulk_all<T: Copy + PartialEq>(list: &mut Vec<T>, items: &[T], add: bool) {
    if add {
        bulk_set(list, items, true);
    } else {
        list.clear();
    }
}

/// `+`: `_add_priority`; `-`/`!`: `_clear_given_priorities` (remove each).
fn bulk_given<T: Copy + PartialEq>(list: &mut Vec<T>, items: &[T], add: bool) {
    if add {
        bulk_set(list, items, true);
    } else {
        for item in items {
            one(list, *item, false);
        }
    }
}

/// `prio_add` (append when absent) or `prio_remove` (remove the first).
fn one<T: Copy + PartialEq>(list: &mut Vec<T>, item: T, add: bool) {
    let at = list.iter().position(|x| *x == item);
    match (add, at) {
        (true, None) => list.push(item),
        (false, Some(i)) => {
            list.remove(i);
        }
        _ => {}
    }
}

/// `PRIO_MATCH`: a case-insensitive prefix.
fn prefix(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

fn find_name<T: Copy>(table: &[T], name: &str, key: impl Fn(&T) -> &'static str) -> Option<T> {
    table
        .iter()
        .copied()
        .find(|e| key(e).eq_ignore_ascii_case(name))
}

fn find_level(name: &str) -> Option<&'static Level> {
    LEVELS.iter().find(|l| {
        l.name.eq_ignore_ascii_case(name) || l.alias.is_some_and(|a| a.eq_ignore_ascii_case(name))
    })
}

impl Lists {
    /// `check_level`: a keyword sets the lists (the first keyword) or adds to them.
    fn level(&mut self, l: &Level, add: bool) {
        if let Some(p) = l.protocols {
            bulk_set(&mut self.protocols, p, add);
        }
        bulk_set(&mut self.ciphers, l.ciphers, add);
        bulk_set(&mut self.kxs, l.kxs, add);
        bulk_set(&mut self.macs, l.macs, add);
        bulk_set(&mut self.signs, l.signs, add);
        bulk_set(&mut self.groups, l.groups, add);
    }

    /// One `+`, `-` or `!` token (without its sign). `Err` is GnuTLS's syntax error.
    fn edit(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if add && let Some(l) = find_level(name) {
            self.level(l, true);
        } else if let Some(m) = find_name(MACS, name, |m| m) {
            one(&mut self.macs, m, add);
        } else if let Some((c, implemented)) = find_name(CIPHERS, name, |c| c.0) {
            if implemented {
                one(&mut self.ciphers, c, add);
            }
        } else if let Some((k, valid)) = find_name(KXS, name, |k| k.0) {
            if valid {
                one(&mut self.kxs, k, add);
            }
        } else if prefix(name, "VERS-") {
            self.edit_versions(name, add)?;
        } else if prefix(name, "COMP-") {
            // Compression methods are all ignored.
        } else if prefix(name, "CURVE-") {
            if prefix(name, "CURVE-ALL") {
                bulk_all(&mut self.groups, GROUPS_NORMAL, add);
            } else {
                let (_, group) = find_name(CURVES, &name[6..], |c| c.0).ok_or(())?;
                if let Some(g) = group {
                    one(&mut self.groups, g, add);
                }
            }
        } else if prefix(name, "GROUP-") {
            self.edit_groups(name, add)?;
        } else if prefix(name, "CTYPE-") {
            check_ctype(name)?;
        } else if prefix(name, "SIGN-") {
            if prefix(name, "SIGN-ALL") {
                bulk_all(&mut self.signs, SIGN_DEFAULT, add);
            } else if prefix(name, "SIGN-GOST-ALL") {
                bulk_all(&mut self.signs, SIGN_GOST, add);
            } else {
                let s = find_name(SIGNS, &name[5..], |s| s.name).ok_or(())?;
                one(&mut self.signs, s.name, add);
            }
        } else {
            self.edit_families(name, add)?;
        }
        Ok(())
    }

    fn edit_versions(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if prefix(name, "VERS-TLS-ALL") {
            bulk_given(&mut self.protocols, PROTOCOLS_STREAM, add);
        } else if prefix(name, "VERS-DTLS-ALL") {
            let dtls = if add {
                PROTOCOLS_DTLS_ADD
            } else {
                PROTOCOLS_DTLS_REMOVE
            };
            bulk_given(&mut self.protocols, dtls, add);
        } else if prefix(name, "VERS-ALL") {
            bulk_all(&mut self.protocols, PROTOCOLS_DEFAULT, add);
        } else {
            let p = Protocol::from_name(&name[5..]).ok_or(())?;
            one(&mut self.protocols, p, add);
        }
        Ok(())
    }

    fn edit_groups(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if prefix(name, "GROUP-ALL") {
            bulk_all(&mut self.groups, GROUPS_NORMAL, add);
        } else if prefix(name, "GROUP-DH-ALL") {
            bulk_given(&mut self.groups, GROUPS_DH, add);
        } else if prefix(name, "GROUP-EC-ALL") {
            bulk_given(&mut self.groups, GROUPS_EC, add);
        } else if prefix(name, "GROUP-GOST-ALL") {
            bulk_given(&mut self.groups, GROUPS_GOST, add);
        } else {
            let g = find_name(GROUPS, &name[6..], |g| g.name).ok_or(())?;
            one(&mut self.groups, g.name, add);
        }
        Ok(())
    }

    /// `MAC-`, `CIPHER-`, `KX-` (only their `-ALL` and `-GOST-ALL` forms do anything; other
    /// names under these prefixes are accepted and ignored) and `GOST`.
    fn edit_families(&mut self, name: &str, add: bool) -> Result<(), ()> {
        if prefix(name, "MAC-") {
            if prefix(name, "MAC-ALL") {
                bulk_all(&mut self.macs, MAC_NORMAL, add);
            } else if prefix(name, "MAC-GOST-ALL") {
                bulk_all(&mut self.macs, MAC_GOST, add);
            }
        } else if prefix(name, "CIPHER-") {
            if prefix(name, "CIPHER-ALL") {
                bulk_all(&mut self.ciphers, CIPHER_NORMAL, add);
            } else if prefix(name, "CIPHER-GOST-ALL") {
                bulk_all(&mut self.ciphers, CIPHER_GOST, add);
            }
        } else if prefix(name, "KX-") {
            if prefix(name, "KX-ALL") {
                bulk_all(&mut self.kxs, KX_SECURE, add);
            } else if prefix(name, "KX-GOST-ALL") {
                bulk_all(&mut self.kxs, KX_GOST, add);
            }
        } else if prefix(name, "GOST") {
            bulk_given(&mut self.groups, GROUPS_GOST, add);
            bulk_all(&mut self.signs, SIGN_GOST, add);
            bulk_all(&mut self.macs, MAC_GOST, add);
            bulk_all(&mut self.ciphers, CIPHER_GOST, add);
            bulk_all(&mut self.kxs, KX_GOST, add);
        } else {
            return Err(());
        }
        Ok(())
    }

    /// One token of the string. `Ok(true)`: a keyword, after which keywords add.
    pub(super) fn token(&mut self, token: &str, keyword_set: bool) -> Result<bool, ()> {
        if let Some(l) = find_level(token) {
            self.level(l, keyword_set);
            return Ok(true);
        }
        match token.as_bytes().first() {
            Some(b'+') => self.edit(&token[1..], true).map(|()| false),
            Some(b'-' | b'!') => self.edit(&token[1..], false).map(|()| false),
            Some(b'%') => {
                let o = OPTIONS.iter().find(|o| **o == &token[1..]).ok_or(())?;
                self.no_extensions |= *o == "NO_EXTENSIONS";
                self.options.push(o);
                Ok(false)
            }
            _ => Err(()),
        }
    }
}

/// `CTYPE-`: certificate types only need to be known (they change none of the lists).
fn check_ctype(name: &str) -> Result<(), ()> {
    let known = |t: &str| {
        ["X.509", "X509", "RAWPK"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(t))
    };
    let ok = if prefix(name, "CTYPE-ALL") {
        true
    } else if prefix(name, "CTYPE-CLI-") || prefix(name, "CTYPE-SRV-") {
        prefix(&name[6..], "CLI-ALL") || prefix(&name[6..], "SRV-ALL") || known(&name[10..])
    } else {
        known(&name[6..]) || prefix(name, "CTYPE-OPENPGP")
    };
    if ok { Ok(()) } else { Err(()) }
}
