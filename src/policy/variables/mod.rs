//! Policy variables `${…}` (decision-rules §5): substitution into plain text, and
//! templates whose substituted parts stay literal when the result is a wildcard pattern.
//!
//! Syntax: `${key}` is the key's single value, `${key, 'default'}` falls back to the
//! default when the key is absent, and `${*}`, `${?}`, `${$}` are a literal `*`, `?`,
//! `$`. A `${` without a closing `}` is literal text. Only single-valued keys resolve
//! (§5.2); key names are case-insensitive.
//!
//! This file holds substitution and templates; `parse` cuts a text into its `${…}`
//! pieces, `matching` matches a resolved pattern against a text.

mod matching;
mod parse;

use std::borrow::Cow;

use super::context::{Context, KeyValue};
use super::pattern::CaseMode;
use matching::{RawSeq, Tok, glob, part_tok, push_wild_text};
use parse::{Piece, Pieces};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::context::MapContext;

    fn ctx(pairs: &[(&str, &[&str])]) -> MapContext {
        let mut c = MapContext::default();
        for (k, vs) in pairs {
            c.set(k, vs.iter().map(|v| v.to_string()).collect::<Vec<_>>());
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
