//! boost::regex's Perl syntax as Scylla compiles a role query (`boost::regex ex(query)`,
//! `auth/certificate_authenticator.cc:55`), read with fancy-regex: boost's meaning translated
//! where the two differ, refused by name where this crate does not run it.

use fancy_regex::{Regex, RegexBuilder};

use super::refusal::{BACKTRACK_LIMIT, MAX_QUERY_LEN, QueryRefusal};

/// Compiles a query as `boost::regex ex(query)` (Perl syntax, the default flags) would be
/// run: `.` matches a newline and `^`/`$` match at line ends in boost's default, hence the
/// `(?sm)` prefix.
pub(super) fn compile(index: usize, query: &str) -> Result<Regex, QueryRefusal> {
    if query.len() > MAX_QUERY_LEN {
        return Err(QueryRefusal::TooLong {
            index,
            len: query.len(),
            max: MAX_QUERY_LEN,
        });
    }
    let translated = translate(query).map_err(|t| match t {
        Translate::Unsupported(construct) => QueryRefusal::Unsupported {
            index,
            query: query.to_string(),
            construct,
        },
        Translate::Invalid(reason) => QueryRefusal::InvalidExpression {
            index,
            query: query.to_string(),
            reason: reason.to_string(),
        },
    })?;
    let regex = RegexBuilder::new(&format!("(?sm){translated}"))
        .backtrack_limit(BACKTRACK_LIMIT)
        .build()
        .map_err(|e| QueryRefusal::InvalidExpression {
            index,
            query: query.to_string(),
            reason: e.to_string(),
        })?;
    // boost's mark_count() does not count group 0.
    let marks = regex.captures_len().saturating_sub(1);
    if marks != 1 {
        return Err(QueryRefusal::MarkCount { index, marks });
    }
    Ok(regex)
}

/// Why a query is not handed to fancy-regex.
#[derive(Debug)]
pub(super) enum Translate {
    /// boost reads it; this crate does not.
    Unsupported(&'static str),
    /// boost refuses it too (fancy-regex would accept it).
    Invalid(&'static str),
}

/// POSIX class names both boost and regex-syntax read alike.
const SHARED_CLASSES: &[&str] = &[
    "alnum", "alpha", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space",
    "upper", "word", "xdigit",
];
/// boost's other class names (`boost/regex/v5/regex_traits_defaults.hpp`).
const BOOST_ONLY_CLASSES: &[&str] = &["d", "h", "l", "s", "u", "unicode", "v", "w"];

/// Whether `chars[i..]` starts a boost repeat `{n}`, `{n,}` or `{n,m}`.
fn is_repeat(chars: &[char], i: usize) -> bool {
    let mut j = i + 1;
    let start = j;
    while j < chars.len() && chars[j].is_ascii_digit() {
        j += 1;
    }
    if j == start {
        return false;
    }
    if chars.get(j) == Some(&',') {
        j += 1;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
    }
    chars.get(j) == Some(&'}')
}

/// Rewrites `\Q...\E` as escaped text and refuses boost constructs fancy-regex reads
/// differently or not at all. Scans escapes and bracket expressions so `[\Q]` and `\\Q` are
/// not taken for quoting.
pub(super) fn translate(query: &str) -> Result<String, Translate> {
    use Translate::{Invalid, Unsupported};
    let chars: Vec<char> = query.chars().collect();
    let mut out = String::with_capacity(query.len());
    let mut i = 0;
    let mut in_class = false;
    let mut prev_quantifier = false;
    // boost refuses a repeat of an assertion (`^*`, `$+`, `\b?`); regex-syntax accepts it.
    let mut prev_assertion = false;
    while i < chars.len() {
        let c = chars[i];
        let quantifier =
            !in_class && (matches!(c, '*' | '+' | '?') || (c == '{' && is_repeat(&chars, i)));
        if quantifier && prev_assertion {
            return Err(Invalid("a repeated assertion"));
        }
        prev_assertion = false;
        if c == '\\' {
            let Some(&n) = chars.get(i + 1) else {
                out.push(c);
                break;
            };
            if !in_class && n == 'Q' {
                let mut j = i + 2;
                let mut lit = String::new();
                while j < chars.len() && !(chars[j] == '\\' && chars.get(j + 1) == Some(&'E')) {
                    lit.push(chars[j]);
                    j += 1;
                }
                if j >= chars.len() && lit.ends_with('\\') {
                    // boost: an unterminated \Q ending in a backslash does not compile.
                    return Err(Invalid("\\Q ending in a backslash"));
                }
                out.push_str(&fancy_regex::escape(&lit));
                i = if j < chars.len() { j + 2 } else { j };
                prev_quantifier = false;
                continue;
            }
            // boost reads an escaped letter it gives no meaning as the letter itself, `\cX` as
            // the control character X % 32 and `\e` as ESC; regex-syntax refuses all three.
            if matches!(
                n,
                'i' | 'j' | 'm' | 'o' | 'q' | 'y' | 'I' | 'J' | 'M' | 'O' | 'T' | 'Y'
            ) {
                out.push(n);
                i += 2;
                prev_quantifier = false;
                continue;
            }
            // A stray `\E` ends no quoting: boost ignores it.
            if n == 'E' {
                i += 2;
                continue;
            }
            // `\xH` and `\xHH` (one or two hex digits) and octal `\0ooo`.
            if n == 'x' && chars.get(i + 2) != Some(&'{') {
                let mut j = i + 2;
                while j < chars.len() && j < i + 4 && chars[j].is_ascii_hexdigit() {
                    j += 1;
                }
                let digits: String = chars[i + 2..j].iter().collect();
                if digits.is_empty() {
                    return Err(Invalid("\\x without hex digits"));
                }
                let v = u32::from_str_radix(&digits, 16).unwrap_or(0);
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\x{{{v:02x}}}"));
                i = j;
                prev_quantifier = false;
                continue;
            }
            if n == '0' {
                let mut j = i + 2;
                while j < chars.len() && j < i + 5 && ('0'..='7').contains(&chars[j]) {
                    j += 1;
                }
                let digits: String = chars[i + 2..j].iter().collect();
                let v = u32::from_str_radix(&digits, 8).unwrap_or(0);
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\x{{{v:02x}}}"));
                i = j;
                prev_quantifier = false;
                continue;
            }
            if n == 'e' {
                out.push_str("\\x{1b}");
                i += 2;
                prev_quantifier = false;
                continue;
            }
            if n == 'c' {
                let Some(&x) = chars.get(i + 2) else {
                    return Err(Invalid("\\c at the end"));
                };
                let _ = std::fmt::Write::write_fmt(
                    &mut out,
                    format_args!("\\x{{{:02x}}}", (x as u32) % 32),
                );
                i += 3;
                prev_quantifier = false;
                continue;
            }
            match n {
                'h' | 'H' => return Err(Unsupported("\\h and \\H (horizontal space)")),
                'R' => return Err(Unsupported("\\R (any line break)")),
                'X' => return Err(Unsupported("\\X (grapheme cluster)")),
                'l' | 'u' | 'L' | 'U' => {
                    return Err(Unsupported("\\l, \\u, \\L, \\U (case classes)"));
                }
                'g' | 'k' if !in_class => return Err(Unsupported("\\g and \\k back-references")),
                'G' => return Err(Unsupported("\\G")),
                'K' => return Err(Unsupported("\\K")),
                'C' => return Err(Unsupported("\\C (single byte)")),
                'N' => return Err(Unsupported("\\N")),
                'p' | 'P' => {
                    return Err(Unsupported(
                        "\\p{..} (boost's class names, not Unicode properties)",
                    ));
                }
                _ => {}
            }
            out.push(c);
            out.push(n);
            i += 2;
            prev_assertion = !in_class && matches!(n, 'b' | 'B' | 'A' | 'z' | 'Z' | '<' | '>');
            // `\p{..}`, `\x{..}`: the braces belong to the escape.
            if matches!(n, 'p' | 'P' | 'x') && chars.get(i) == Some(&'{') {
                while i < chars.len() {
                    out.push(chars[i]);
                    i += 1;
                    if chars[i - 1] == '}' {
                        break;
                    }
                }
            }
            prev_quantifier = false;
            continue;
        }
        if in_class {
            if c == '[' && matches!(chars.get(i + 1), Some(':' | '.' | '=')) {
                let close = chars.get(i + 1).copied().unwrap_or(':');
                if close == '.' || close == '=' {
                    return Err(Unsupported("collating elements [[.x.]] and [[=x=]]"));
                }
                // [[:name:]]: regex-syntax reads the ASCII classes as boost's C locale does.
                let mut j = i + 2;
                while j + 1 < chars.len() && !(chars[j] == ':' && chars[j + 1] == ']') {
                    out.push(chars[j]);
                    j += 1;
                }
                let name: String = chars[i + 2..j.min(chars.len())].iter().collect();
                if BOOST_ONLY_CLASSES.contains(&name.as_str()) {
                    return Err(Unsupported(
                        "POSIX class names d, h, l, s, u, unicode, v, w",
                    ));
                }
                if !SHARED_CLASSES.contains(&name.as_str()) {
                    return Err(Invalid("unknown character class name"));
                }
                out.truncate(out.len() - name.len());
                out.push_str("[:");
                out.push_str(&name);
                out.push_str(":]");
                i = (j + 2).min(chars.len());
                continue;
            }
            if c == '[' {
                // boost: a `[` inside a bracket expression is literal.
                out.push_str("\\[");
                i += 1;
                continue;
            }
            if c == ']' {
                in_class = false;
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push(c);
                i += 1;
                // A ']' first in the class (or after '^') is literal.
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
                prev_quantifier = false;
                continue;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                if chars.get(i + 2) == Some(&'>') && chars.get(i + 3) == Some(&')') {
                    return Err(Invalid("an empty independent sub-expression (?>)"));
                }
                if chars.get(i + 2) == Some(&'|') {
                    return Err(Unsupported("branch reset (?|...)"));
                }
                if chars.get(i + 2) == Some(&'#') {
                    return Err(Unsupported("comments (?#...)"));
                }
                if matches!(chars.get(i + 2), Some('0'..='9' | '+' | '-' | '&' | 'R'))
                    && !matches!(chars.get(i + 3), Some(':' | ')'))
                {
                    return Err(Unsupported("recursion (?R), (?1), (?&name)"));
                }
                if chars.get(i + 2) == Some(&'P') && chars.get(i + 3) == Some(&'<') {
                    return Err(Invalid("(?P<name>...) is not boost syntax"));
                }
                if chars.get(i + 2) == Some(&'(') {
                    return Err(Unsupported("conditionals (?(...)...)"));
                }
            }
            '+' if prev_quantifier => return Err(Unsupported("possessive quantifiers")),
            '^' | '$' => {
                out.push(c);
                i += 1;
                prev_quantifier = false;
                prev_assertion = true;
                continue;
            }
            // boost reads `{` that starts no repeat as a literal; regex-syntax reads `{,n}`.
            '{' if !is_repeat(&chars, i) => {
                out.push_str("\\{");
                i += 1;
                prev_quantifier = false;
                continue;
            }
            _ => {}
        }
        prev_quantifier = matches!(c, '*' | '+' | '?' | '}');
        // `??`, `*?`, `+?` are lazy, not possessive: the second char is not a quantifier start.
        if c == '?' && i > 0 && matches!(chars[i - 1], '*' | '+' | '?' | '}') {
            prev_quantifier = false;
        }
        out.push(c);
        i += 1;
    }
    Ok(out)
}
