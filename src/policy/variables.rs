//! Policy variables `${…}` (iam-semantics §5): substitution into plain text, and
//! templates whose substituted parts stay literal when the result is a wildcard pattern.
//!
//! Syntax: `${key}` is the key's single value, `${key, 'default'}` falls back to the
//! default when the key is absent, and `${*}`, `${?}`, `${$}` are a literal `*`, `?`,
//! `$`. A `${` without a closing `}` is literal text. Only single-valued keys resolve
//! (§5.2); key names are case-insensitive.

use std::borrow::Cow;

use super::condition::string::char_eq_ignore_case;
use super::context::{Context, KeyValue};
use super::pattern::CaseMode;

/// The result of substituting variables into a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved<'a> {
    /// Every variable resolved (borrowed when the text holds none).
    Text(Cow<'a, str>),
    /// A variable names a key that is absent (without default) or not single-valued.
    Unresolvable,
    /// A variable names a key whose value is unknown (graph analysis).
    Unknown,
}

/// Why a template could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unresolved {
    /// A key is absent without default, or has no single value: matches nothing (§5.3).
    Unresolvable,
    /// A key's value is unknown.
    Unknown,
}

/// True when `text` holds `${…}` syntax (a variable or one of `${*}` `${?}` `${$}`).
pub fn has_variables(text: &str) -> bool {
    text.contains("${") && Pieces::new(text).any(|p| !matches!(p, Piece::Text(_)))
}

/// Replaces every variable of `template` by its value. A template without `${` is
/// returned borrowed, without allocating.
pub fn substitute<'a>(template: &'a str, ctx: &dyn Context) -> Resolved<'a> {
    if !template.contains("${") {
        return Resolved::Text(Cow::Borrowed(template));
    }
    let mut out = String::with_capacity(template.len());
    let mut unknown = false;
    for piece in Pieces::new(template) {
        match piece {
            Piece::Text(t) => out.push_str(t),
            Piece::Literal(l) => out.push_str(l),
            Piece::Var { key, default } => match lookup(ctx, &lower(key), default) {
                Ok(v) => out.push_str(v),
                Err(Unresolved::Unresolvable) => return Resolved::Unresolvable,
                Err(Unresolved::Unknown) => unknown = true,
            },
        }
    }
    if unknown {
        Resolved::Unknown
    } else {
        Resolved::Text(Cow::Owned(out))
    }
}

/// Resolves `template` as a wildcard pattern: the template's own `*` and `?` are
/// wildcards, substituted values and `${*}` `${?}` are literal. Zero-allocation when
/// the template holds no `${`. For a template used many times, compile a [`Template`].
pub fn compile_pattern<'a>(
    template: &'a str,
    ctx: &'a dyn Context,
    case: CaseMode,
) -> Result<ResolvedPattern<'a>, Unresolved> {
    if !template.contains("${") {
        return Ok(ResolvedPattern {
            case,
            form: Form::Raw(template),
        });
    }
    let mut toks = Vec::new();
    let mut unknown = false;
    for piece in Pieces::new(template) {
        match piece {
            Piece::Text(t) => push_wild_text(&mut toks, t),
            Piece::Literal(l) => toks.push(Tok::Lit(l)),
            Piece::Var { key, default } => match lookup(ctx, &lower(key), default) {
                Ok(v) => toks.push(Tok::Lit(v)),
                Err(Unresolved::Unresolvable) => return Err(Unresolved::Unresolvable),
                Err(Unresolved::Unknown) => unknown = true,
            },
        }
    }
    if unknown {
        return Err(Unresolved::Unknown);
    }
    Ok(ResolvedPattern {
        case,
        form: Form::Toks(toks),
    })
}

/// A text with variables, compiled once: literal text, wildcards (when asked for) and
/// variables whose key names are already lowercased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Template {
    raw: Box<str>,
    case: CaseMode,
    parts: Box<[Part]>,
    variables: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Part {
    Lit(Box<str>),
    AnyOne,
    AnyRun,
    Var {
        key_lower: Box<str>,
        default: Option<Box<str>>,
    },
}

impl Template {
    /// Compiles `raw`. With `wildcards`, its own `*` and `?` are wildcards (`StringLike`,
    /// ARN patterns); without, they are literal (`StringEquals`).
    pub fn new(raw: &str, case: CaseMode, wildcards: bool) -> Template {
        let mut parts: Vec<Part> = Vec::new();
        let mut lit = String::new();
        let flush = |lit: &mut String, parts: &mut Vec<Part>| {
            if !lit.is_empty() {
                parts.push(Part::Lit(std::mem::take(lit).into_boxed_str()));
            }
        };
        for piece in Pieces::new(raw) {
            match piece {
                Piece::Text(t) if wildcards => {
                    for c in t.chars() {
                        match c {
                            '*' | '?' => {
                                flush(&mut lit, &mut parts);
                                parts.push(if c == '*' { Part::AnyRun } else { Part::AnyOne });
                            }
                            _ => lit.push(c),
                        }
                    }
                }
                Piece::Text(t) => lit.push_str(t),
                Piece::Literal(l) => lit.push_str(l),
                Piece::Var { key, default } => {
                    flush(&mut lit, &mut parts);
                    parts.push(Part::Var {
                        key_lower: key.to_ascii_lowercase().into_boxed_str(),
                        default: default.map(Into::into),
                    });
                }
            }
        }
        flush(&mut lit, &mut parts);
        let variables = parts.iter().any(|p| matches!(p, Part::Var { .. }));
        Template {
            raw: raw.into(),
            case,
            parts: parts.into_boxed_slice(),
            variables,
        }
    }

    /// The text as written.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// True when the template names at least one key (not only `${*}`-style literals).
    pub fn has_variables(&self) -> bool {
        self.variables
    }

    /// The lowercased keys the template's variables name.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key_lower, .. } => Some(&**key_lower),
            _ => None,
        })
    }

    /// Substitutes the variables from `ctx`. Allocates only when there are variables.
    pub fn resolve<'s>(&'s self, ctx: &'s dyn Context) -> Result<ResolvedPattern<'s>, Unresolved> {
        if !self.variables {
            return Ok(ResolvedPattern {
                case: self.case,
                form: Form::Parts(&self.parts),
            });
        }
        let mut toks = Vec::with_capacity(self.parts.len());
        let mut unknown = false;
        for part in self.parts.iter() {
            match part {
                Part::Lit(l) => toks.push(Tok::Lit(l)),
                Part::AnyOne => toks.push(Tok::AnyOne),
                Part::AnyRun => toks.push(Tok::AnyRun),
                Part::Var { key_lower, default } => {
                    match lookup(ctx, key_lower, default.as_deref()) {
                        Ok(v) => toks.push(Tok::Lit(v)),
                        Err(Unresolved::Unresolvable) => return Err(Unresolved::Unresolvable),
                        Err(Unresolved::Unknown) => unknown = true,
                    }
                }
            }
        }
        if unknown {
            return Err(Unresolved::Unknown);
        }
        Ok(ResolvedPattern {
            case: self.case,
            form: Form::Toks(toks),
        })
    }

    /// Whether `text` matches the template once its variables are substituted.
    pub fn matches(&self, text: &str, ctx: &dyn Context) -> Result<bool, Unresolved> {
        Ok(self.resolve(ctx)?.matches(text))
    }
}

impl std::fmt::Display for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A template with its variables substituted, ready to match texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedPattern<'a> {
    case: CaseMode,
    form: Form<'a>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Form<'a> {
    /// A pattern text without `${`: `*` and `?` are wildcards.
    Raw(&'a str),
    /// A compiled template without variables.
    Parts(&'a [Part]),
    /// A compiled template with its variables substituted.
    Toks(Vec<Tok<'a>>),
}

impl ResolvedPattern<'_> {
    /// Whether the whole of `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        match &self.form {
            Form::Raw(raw) => glob(&RawSeq(raw), text, self.case),
            Form::Parts(parts) => glob(*parts, text, self.case),
            Form::Toks(toks) => glob(toks.as_slice(), text, self.case),
        }
    }

    /// The substituted text with the wildcards as `*` and `?` (for messages; a literal
    /// `*` from `${*}` cannot be told apart here).
    pub fn display_text(&self) -> String {
        let mut out = String::new();
        let mut push = |t: Tok<'_>| match t {
            Tok::Lit(l) => out.push_str(l),
            Tok::AnyOne => out.push('?'),
            Tok::AnyRun => out.push('*'),
            Tok::Never => {}
        };
        match &self.form {
            Form::Raw(raw) => return (*raw).to_string(),
            Form::Parts(parts) => parts.iter().for_each(|p| push(part_tok(p))),
            Form::Toks(toks) => toks.iter().for_each(|t| push(*t)),
        }
        out
    }
}

// ---------------------------------------------------------------------------------
// Parsing `${…}`.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece<'a> {
    Text(&'a str),
    Literal(&'static str),
    Var {
        key: &'a str,
        default: Option<&'a str>,
    },
}

struct Pieces<'a> {
    rest: &'a str,
}

impl<'a> Pieces<'a> {
    fn new(text: &'a str) -> Self {
        Pieces { rest: text }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        if self.rest.is_empty() {
            return None;
        }
        let text_up_to = |rest: &'a str, at: usize| rest.split_at_checked(at);
        match self.rest.find("${") {
            Some(0) => match parse_variable(self.rest) {
                Some((piece, len)) => {
                    self.rest = self.rest.get(len..).unwrap_or_default();
                    Some(piece)
                }
                None => {
                    // No closing brace: the rest is literal text.
                    let all = self.rest;
                    self.rest = "";
                    Some(Piece::Text(all))
                }
            },
            Some(at) => {
                let (text, rest) = text_up_to(self.rest, at)?;
                self.rest = rest;
                Some(Piece::Text(text))
            }
            None => {
                let all = self.rest;
                self.rest = "";
                Some(Piece::Text(all))
            }
        }
    }
}

/// Parses the variable at the start of `s` (which starts with `${`); returns the piece
/// and the bytes it spans. A `}` inside the quoted default does not close it.
fn parse_variable(s: &str) -> Option<(Piece<'_>, usize)> {
    let body = s.get(2..)?;
    let close = closing_brace(body, true).or_else(|| closing_brace(body, false))?;
    let inner = body.get(..close)?.trim();
    let piece = match inner {
        "*" => Piece::Literal("*"),
        "?" => Piece::Literal("?"),
        "$" => Piece::Literal("$"),
        _ => match inner.split_once(',') {
            Some((key, default)) => {
                let default = default.trim();
                // [unconfirmed] §5.4 shows the default in single quotes; an unquoted
                // default is taken as written.
                let default = default
                    .strip_prefix('\'')
                    .and_then(|d| d.strip_suffix('\''))
                    .unwrap_or(default);
                Piece::Var {
                    key: key.trim(),
                    default: Some(default),
                }
            }
            None => Piece::Var {
                key: inner,
                default: None,
            },
        },
    };
    Some((piece, 2 + close + 1))
}

fn closing_brace(body: &str, respect_quotes: bool) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in body.char_indices() {
        match c {
            '\'' if respect_quotes => quoted = !quoted,
            '}' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn lower(key: &str) -> Cow<'_, str> {
    if key.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(key.to_ascii_lowercase())
    } else {
        Cow::Borrowed(key)
    }
}

/// The single value of a key (§5.2), or its default when the key is absent.
fn lookup<'a>(
    ctx: &'a dyn Context,
    key_lower: &str,
    default: Option<&'a str>,
) -> Result<&'a str, Unresolved> {
    match ctx.get(key_lower) {
        KeyValue::Unknown | KeyValue::NoneOf(_) | KeyValue::Either(_) => Err(Unresolved::Unknown),
        KeyValue::Values([one]) => Ok(one.as_str()),
        // [unconfirmed] §5.4: a multi-valued key with no values counts as absent, so
        // the default applies.
        KeyValue::Absent | KeyValue::Values([]) => default.ok_or(Unresolved::Unresolvable),
        KeyValue::Values(_) => Err(Unresolved::Unresolvable),
    }
}

// ---------------------------------------------------------------------------------
// Matching.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok<'a> {
    Lit(&'a str),
    AnyOne,
    AnyRun,
    /// Never matches (a variable left in a part list; cannot happen once resolved).
    Never,
}

fn push_wild_text<'a>(toks: &mut Vec<Tok<'a>>, text: &'a str) {
    let mut rest = text;
    while !rest.is_empty() {
        let (tok, len) = raw_tok(rest, true);
        toks.push(tok);
        rest = rest.get(len..).unwrap_or_default();
    }
}

/// The token at the start of a non-empty raw pattern text and its byte length.
fn raw_tok(rest: &str, wildcards: bool) -> (Tok<'_>, usize) {
    match rest.as_bytes().first() {
        Some(b'*') if wildcards => (Tok::AnyRun, 1),
        Some(b'?') if wildcards => (Tok::AnyOne, 1),
        _ => {
            let end = if wildcards {
                rest.find(['*', '?']).unwrap_or(rest.len())
            } else {
                rest.len()
            };
            (Tok::Lit(rest.get(..end).unwrap_or(rest)), end)
        }
    }
}

fn part_tok(p: &Part) -> Tok<'_> {
    match p {
        Part::Lit(l) => Tok::Lit(l),
        Part::AnyOne => Tok::AnyOne,
        Part::AnyRun => Tok::AnyRun,
        Part::Var { .. } => Tok::Never,
    }
}

/// A sequence of tokens addressed by position: the token at `at` and the next position.
trait TokSeq {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)>;
}

impl TokSeq for [Part] {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)> {
        self.get(at).map(|p| (part_tok(p), at + 1))
    }
}

impl TokSeq for [Tok<'_>] {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)> {
        self.get(at).map(|t| (*t, at + 1))
    }
}

/// A raw pattern text, tokenized as it is walked (positions are byte offsets).
struct RawSeq<'a>(&'a str);

impl TokSeq for RawSeq<'_> {
    fn at(&self, at: usize) -> Option<(Tok<'_>, usize)> {
        let rest = self.0.get(at..).filter(|r| !r.is_empty())?;
        let (tok, len) = raw_tok(rest, true);
        Some((tok, at + len))
    }
}

/// Whole-text wildcard match; on a mismatch the last `*` swallows one more character.
fn glob<S: TokSeq + ?Sized>(seq: &S, text: &str, case: CaseMode) -> bool {
    let mut p = 0usize;
    let mut i = 0usize;
    // The position after the last `*` and how far into the text it has reached.
    let mut backtrack: Option<(usize, usize)> = None;
    loop {
        if let Some((tok, next)) = seq.at(p) {
            let step = match tok {
                Tok::AnyRun => {
                    backtrack = Some((next, i));
                    p = next;
                    continue;
                }
                Tok::AnyOne => next_char_len(text, i),
                Tok::Lit(l) => lit_at(text, i, l, case),
                Tok::Never => None,
            };
            if let Some(n) = step {
                i += n;
                p = next;
                continue;
            }
        } else if i == text.len() {
            return true;
        }
        match backtrack {
            Some((star_next, star_i)) => match next_char_len(text, star_i) {
                Some(n) => {
                    backtrack = Some((star_next, star_i + n));
                    p = star_next;
                    i = star_i + n;
                }
                None => return false,
            },
            None => return false,
        }
    }
}

/// Bytes of `text` from `at` that `lit` matches, if it does.
fn lit_at(text: &str, at: usize, lit: &str, case: CaseMode) -> Option<usize> {
    let rest = text.get(at..)?;
    match case {
        CaseMode::Sensitive => rest.starts_with(lit).then_some(lit.len()),
        CaseMode::Insensitive if lit.is_ascii() => {
            let window = rest.as_bytes().get(..lit.len())?;
            window
                .eq_ignore_ascii_case(lit.as_bytes())
                .then_some(lit.len())
        }
        CaseMode::Insensitive => {
            let mut used = 0usize;
            let mut chars = rest.chars();
            for l in lit.chars() {
                let c = chars.next()?;
                if !char_eq_ignore_case(l, c) {
                    return None;
                }
                used += c.len_utf8();
            }
            Some(used)
        }
    }
}

fn next_char_len(text: &str, at: usize) -> Option<usize> {
    text.get(at..)?.chars().next().map(char::len_utf8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::MapContext;

    fn ctx(pairs: &[(&str, &[&str])]) -> MapContext {
        let mut c = MapContext::default();
        for (k, vs) in pairs {
            c.set(k, vs.iter().map(|v| v.to_string()).collect());
        }
        c
    }

    fn text(r: Resolved<'_>) -> String {
        match r {
            Resolved::Text(t) => t.into_owned(),
            other => panic!("expected a text, got {other:?}"),
        }
    }

    #[test]
    fn detects_variables() {
        assert!(has_variables("home/${aws:username}/*"));
        assert!(has_variables("${*}"));
        assert!(!has_variables("home/$alice/*"));
        assert!(!has_variables("home/${unclosed"));
        assert!(!has_variables(""));
    }

    #[test]
    fn substitutes_single_values_case_insensitively() {
        let c = ctx(&[("aws:username", &["alice"])]);
        assert_eq!(
            text(substitute("home/${AWS:UserName}/x", &c)),
            "home/alice/x"
        );
        assert_eq!(text(substitute("${ aws:username }", &c)), "alice");
        assert_eq!(text(substitute("a${*}b${?}c${$}", &c)), "a*b?c$");
        assert_eq!(text(substitute("${unclosed", &c)), "${unclosed");
    }

    #[test]
    fn no_variables_borrows() {
        let c = MapContext::default();
        assert!(matches!(
            substitute("plain/text*", &c),
            Resolved::Text(Cow::Borrowed("plain/text*"))
        ));
    }

    #[test]
    fn defaults_and_unresolvable_keys() {
        let c = ctx(&[("multi", &["a", "b"]), ("empty", &[])]);
        assert_eq!(
            text(substitute("${aws:PrincipalTag/team, 'company-wide'}", &c)),
            "company-wide"
        );
        assert_eq!(text(substitute("${x,'a}b'}", &c)), "a}b");
        assert_eq!(text(substitute("${empty, 'd'}", &c)), "d");
        assert_eq!(substitute("${missing}", &c), Resolved::Unresolvable);
        assert_eq!(substitute("${multi}", &c), Resolved::Unresolvable);
        assert_eq!(substitute("${multi, 'd'}", &c), Resolved::Unresolvable);
        assert_eq!(substitute("${empty}", &c), Resolved::Unresolvable);
        let mut unknown = MapContext {
            missing_is_unknown: true,
            ..MapContext::default()
        };
        assert_eq!(substitute("${k}", &unknown), Resolved::Unknown);
        assert_eq!(substitute("${k, 'd'}", &unknown), Resolved::Unknown);
        unknown.absent.insert("k".into());
        assert_eq!(text(substitute("${k, 'd'}", &unknown)), "d");
    }

    #[test]
    fn substituted_text_is_literal_in_patterns() {
        let c = ctx(&[("aws:username", &["a*"])]);
        let t = Template::new("home/${aws:username}/*", CaseMode::Sensitive, true);
        assert!(t.has_variables());
        assert_eq!(t.matches("home/a*/x", &c), Ok(true));
        assert_eq!(t.matches("home/ab/x", &c), Ok(false));
        let star = Template::new("a${*}b", CaseMode::Sensitive, true);
        assert!(!star.has_variables());
        assert_eq!(star.matches("a*b", &c), Ok(true));
        assert_eq!(star.matches("axb", &c), Ok(false));
        let p = compile_pattern("x/${aws:username}?", &c, CaseMode::Sensitive);
        assert!(p.as_ref().is_ok_and(|p| p.matches("x/a*z")));
        assert!(p.as_ref().is_ok_and(|p| !p.matches("x/abz")));
        let raw = compile_pattern("x/*/y?", &c, CaseMode::Sensitive);
        assert!(raw.as_ref().is_ok_and(|p| p.matches("x/a/b/yz")));
        assert!(raw.as_ref().is_ok_and(|p| !p.matches("x/a/b/y")));
        assert_eq!(
            compile_pattern("${nope}", &c, CaseMode::Sensitive).err(),
            Some(Unresolved::Unresolvable)
        );
    }

    #[test]
    fn templates_without_wildcards_compare_literally() {
        let c = ctx(&[("k", &["V"])]);
        let t = Template::new("*${k}", CaseMode::Sensitive, false);
        assert_eq!(t.matches("*V", &c), Ok(true));
        assert_eq!(t.matches("xV", &c), Ok(false));
        let i = Template::new("É${k}", CaseMode::Insensitive, false);
        assert_eq!(i.matches("év", &c), Ok(true));
        assert_eq!(i.matches("év!", &c), Ok(false));
        assert_eq!(t.variable_keys().collect::<Vec<_>>(), vec!["k"]);
    }

    #[test]
    fn glob_agrees_with_pattern() {
        use crate::policy::pattern::Pattern;
        let c = MapContext::default();
        for (p, s) in [
            ("a*b?c", "axxbyc"),
            ("a*b?c", "abc"),
            ("*", ""),
            ("?", ""),
            ("**a", "ba"),
            ("a*", "a:b/c"),
            ("*/test/*", "b//test/x"),
            ("*/test/*", "b/test"),
        ] {
            let expected = Pattern::new(p, CaseMode::Sensitive).matches(s);
            let got = compile_pattern(p, &c, CaseMode::Sensitive).is_ok_and(|r| r.matches(s));
            assert_eq!(got, expected, "{p} vs {s}");
            let t = Template::new(p, CaseMode::Sensitive, true);
            assert_eq!(t.matches(s, &c), Ok(expected), "{p} vs {s}");
        }
    }
}
