//! Runs a parsed command line: each command is one function (in the files of this
//! folder) from the options to an exit code; what they share — loading the data,
//! building the graph, `--context`, the output format, printing errors — lives here.

mod gate;
mod inspect;
mod progress;
mod query;
mod report;
mod views;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::cli::{Cli, Color, Command, Format};
use crate::graph::{Graph, Question};
use crate::ingest::{self, LoadOptions, Loaded, Severity};

/// Exit codes shared by every command.
pub mod exit {
    pub const OK: u8 = 0;
    pub const DENIED_OR_FINDINGS: u8 = 1;
    pub const BAD_INPUT: u8 = 2;
}

/// Why a command could not run: each is printed as a diagnostic and exits 2.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RunError {
    #[error("no data given")]
    #[diagnostic(
        code(iampath::data),
        help("pass --data PATH: a folder of account folders, or export files")
    )]
    NoData,
    #[error("--data `{0}`: no such file or folder")]
    #[diagnostic(code(iampath::data))]
    DataNotFound(String),
    #[error("{option} `{file}` was not applied: {message}")]
    #[diagnostic(
        code(iampath::plan),
        help(
            "give the output of `terraform show -json PLANFILE` (format 1.x) or a CloudFormation template (or cdk.out), and --account ID when it does not name its account"
        )
    )]
    PlanNotApplied {
        option: &'static str,
        file: String,
        message: String,
    },
    #[error("diff needs two snapshots, or a proposed change")]
    #[diagnostic(
        code(iampath::diff),
        help(
            "give BEFORE and AFTER, or --plan FILE: then --data alone is compared with --data plus the plan"
        )
    )]
    NothingToCompare,
    #[error("--data `{0}` matches no file or folder")]
    #[diagnostic(
        code(iampath::data),
        help("`*` stays within one folder, `**` crosses folders: exports/**/iam.json")
    )]
    GlobMatchesNothing(String),
    #[error("no account exports found under {0}")]
    #[diagnostic(
        code(iampath::data),
        help(
            "iampath reads account folders named by their 12-digit ID holding `aws iam get-account-authorization-details` output (see the README's data layout); `iampath load` lists what it found"
        )
    )]
    NoAccounts(String),
    #[error("`{command}` cannot print `--format {format}`")]
    #[diagnostic(code(iampath::format), help("`{command}` prints {allowed}"))]
    Format {
        command: &'static str,
        format: &'static str,
        allowed: String,
    },
    #[error("--context `{0}`: expected KEY=VALUE")]
    #[diagnostic(
        code(iampath::context),
        help("e.g. --context aws:MultiFactorAuthPresent=true")
    )]
    Context(String),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Query(#[from] crate::graph::input::QueryError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Simulation(#[from] crate::eval::simulation::SimulationError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Config(#[from] crate::lint::config::ConfigError),
    #[error(transparent)]
    #[diagnostic(transparent)]
    Baseline(#[from] crate::lint::baseline::BaselineError),
    #[error("cannot write {path}: {reason}")]
    #[diagnostic(code(iampath::output))]
    Write { path: String, reason: String },
    #[error("no rule `{0}`")]
    #[diagnostic(code(iampath::rule), help("`iampath rules` lists them"))]
    UnknownRule(String),
}

/// Runs the command and returns the process exit code.
pub fn run(cli: &Cli) -> u8 {
    let result = check_format(cli).and_then(|()| dispatch(cli));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprint!(
                "{}",
                crate::report::errors::render(&e, color_enabled(cli.color, false))
            );
            exit::BAD_INPUT
        }
    }
}

fn dispatch(cli: &Cli) -> Result<u8, RunError> {
    let env = Env::new(cli)?;
    match &cli.command {
        Command::Load => inspect::load(&env),
        Command::Simulate { request } => inspect::simulate(&env, request),
        Command::Can {
            principal,
            action,
            resource,
            max_hops,
            max_paths,
        } => query::can(&env, principal, action, resource, *max_hops, *max_paths),
        Command::WhoCan { action, resource } => query::who_can(&env, action, resource),
        Command::WhatCan {
            principal,
            max_hops,
            verbose,
        } => query::what_can(&env, principal, *max_hops, *verbose),
        Command::Paths { from, to } => views::paths(&env, from.as_deref(), to.as_deref()),
        Command::Escalations { to } => query::escalations(&env, to),
        Command::Graph { principal } => {
            views::graph(&env, cli.account.as_deref(), principal.as_deref())
        }
        Command::Lint {
            fail_on,
            config,
            baseline,
            write_baseline,
        } => gate::lint(
            &env,
            fail_on,
            config.as_deref(),
            baseline.as_deref(),
            write_baseline.as_deref(),
        ),
        Command::Diff {
            before,
            after,
            fail_on,
            config,
        } => {
            let snapshots = before.as_deref().zip(after.as_deref());
            gate::diff(&env, snapshots, fail_on, config.as_deref())
        }
        Command::Report { output, config } => {
            report::report(&env, output.as_deref(), config.as_deref())
        }
        Command::Rules => gate::rules(),
        Command::Explain { rule } => gate::explain(rule),
    }
}

/// The formats each command prints; the first is its default.
fn formats(command: &Command) -> (&'static str, &'static [Format]) {
    use Format::{Dot, Github, Json, Mermaid, Sarif, Text};
    match command {
        Command::Load => ("load", &[Text, Json]),
        Command::Simulate { .. } => ("simulate", &[Text, Json]),
        Command::Can { .. } => ("can", &[Text, Json]),
        Command::WhoCan { .. } => ("who-can", &[Text, Json]),
        Command::WhatCan { .. } => ("what-can", &[Text, Json]),
        Command::Paths { .. } => ("paths", &[Text, Json]),
        Command::Escalations { .. } => ("escalations", &[Text, Json, Sarif]),
        // `text` is the default of every command: for `graph` it is DOT.
        Command::Graph { .. } => ("graph", &[Dot, Mermaid, Text]),
        Command::Lint { .. } => ("lint", &[Text, Json, Sarif, Github]),
        Command::Diff { .. } => ("diff", &[Text, Json, Sarif, Github]),
        // `text` is the default of every command: for `report` it is the HTML page.
        Command::Report { .. } => ("report", &[Text]),
        Command::Rules => ("rules", &[Text]),
        Command::Explain { .. } => ("explain", &[Text]),
    }
}

fn check_format(cli: &Cli) -> Result<(), RunError> {
    let (command, allowed) = formats(&cli.command);
    if allowed.contains(&cli.format) {
        return Ok(());
    }
    let names: Vec<String> = allowed
        .iter()
        .filter(|f| !(command == "graph" && **f == Format::Text))
        .map(|f| format!("`{}`", f.as_str()))
        .collect();
    Err(RunError::Format {
        command,
        format: cli.format.as_str(),
        allowed: names.join(", "),
    })
}

/// What every command shares: the options, the load limits, `--context`, and where
/// the output goes.
pub(crate) struct Env<'a> {
    pub cli: &'a Cli,
    pub opts: LoadOptions,
    /// `--context KEY=VALUE` pairs.
    pub fixed: Vec<(String, String)>,
}

impl<'a> Env<'a> {
    fn new(cli: &'a Cli) -> Result<Self, RunError> {
        Ok(Env {
            cli,
            opts: LoadOptions {
                max_depth: cli.max_depth,
                max_file_size: cli.max_file_size,
            },
            fixed: parse_context(&cli.context)?
                .into_iter()
                .flat_map(|(k, vs)| vs.into_iter().map(move |v| (k.value.clone(), v)))
                .collect(),
        })
    }

    pub fn color(&self) -> bool {
        color_enabled(self.cli.color, true)
    }

    /// Loads `paths` (a path that does not exist may be a glob: `exports/*-prod`);
    /// every path must exist or match something.
    pub fn load(&self, paths: &[PathBuf]) -> Result<Loaded, RunError> {
        self.load_with(paths, &self.iac())
    }

    /// The `--plan` changes of the command line.
    pub fn iac(&self) -> ingest::iac::IacInput {
        ingest::iac::IacInput {
            plans: self.cli.plan.clone(),
            account: self.cli.account.clone(),
            tf_source: self.cli.tf_source.clone(),
            templates: self
                .cli
                .template
                .iter()
                .map(|t| ingest::iac::TemplateArg::parse(t))
                .collect(),
            parameters: self.cli.parameters.clone(),
        }
    }

    /// Loads `paths` with the proposed changes `iac` applied (without `--data`, the
    /// world is the changes alone).
    pub fn load_with(
        &self,
        paths: &[PathBuf],
        iac: &ingest::iac::IacInput,
    ) -> Result<Loaded, RunError> {
        if paths.is_empty() && iac.is_empty() {
            return Err(RunError::NoData);
        }
        let mut expanded = Vec::new();
        for p in paths {
            let text = p.to_string_lossy();
            if p.exists() {
                expanded.push(p.clone());
            } else if ingest::walk::is_glob(&text) {
                let found = ingest::walk::expand_glob(&text);
                if found.is_empty() {
                    return Err(RunError::GlobMatchesNothing(text.into_owned()));
                }
                expanded.extend(found);
            } else {
                return Err(RunError::DataNotFound(text.into_owned()));
            }
        }
        let loaded = ingest::load_with(&expanded, iac, &self.opts);
        plan_applied(&loaded, iac)?;
        Ok(loaded)
    }

    /// Loads the data for a command that answers about accounts: there must be at
    /// least one account, so a mis-pathed CI gate never passes on nothing.
    pub fn load_accounts(&self, paths: &[PathBuf]) -> Result<Loaded, RunError> {
        self.accounts_of(self.load(paths)?, paths)
    }

    /// [`Env::load_accounts`] with the proposed changes `iac` applied.
    pub fn load_accounts_with(
        &self,
        paths: &[PathBuf],
        iac: &ingest::iac::IacInput,
    ) -> Result<Loaded, RunError> {
        self.accounts_of(self.load_with(paths, iac)?, paths)
    }

    fn accounts_of(&self, loaded: Loaded, paths: &[PathBuf]) -> Result<Loaded, RunError> {
        if loaded.model.accounts.is_empty() {
            let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            return Err(RunError::NoAccounts(names.join(", ")));
        }
        let errors = loaded
            .diagnostics
            .iter()
            .filter(|d| d.severity() == Severity::Error)
            .count();
        if errors > 0 {
            eprintln!(
                "warning: {errors} input errors (run `iampath load` to see them); answering from what loaded"
            );
        }
        Ok(loaded)
    }

    /// Loads `--data` for `report`, whose page quotes the files: their texts go after
    /// the load and are read again when quoted (as `lint`'s text output).
    pub fn load_to_quote(&self, progress: &progress::Progress) -> Result<Loaded, RunError> {
        self.load_keeping(progress, Texts::Reread)
    }

    /// Loads `--data` for `lint`, which runs its rules on the load before it
    /// builds the graph. The file texts go at once (lines and columns stay exact):
    /// JSON, SARIF and GitHub commands name places only, and the text output reads
    /// each file again when it quotes it (findings come by file), so that the texts
    /// of a whole organization are not held while the graph is built.
    pub fn load_for_findings(&self, progress: &progress::Progress) -> Result<Loaded, RunError> {
        self.load_keeping(progress, self.texts_to_quote())
    }

    /// Loads `--data`, keeping the file texts or letting them go.
    fn load_keeping(
        &self,
        progress: &progress::Progress,
        texts: Texts,
    ) -> Result<Loaded, RunError> {
        progress.step("loading the data");
        let mut loaded = self.load_accounts(&self.cli.data)?;
        match texts {
            Texts::Reread => loaded.sources.release_texts_to_reread(),
            Texts::Drop => loaded.sources.release_texts(),
        }
        Ok(loaded)
    }

    /// Loads `--data` and builds the graph (with a spinner on a terminal when that
    /// takes a while), for a command that reads no user or role policy document
    /// after the build (`escalations`, and `can` and `who-can` through
    /// [`Env::graph_for_question`]): the documents are let go as soon as they are
    /// compiled (the graph holds them compiled, with their spans). The file texts go
    /// too (lines and columns stay exact): JSON and SARIF name places only, and the
    /// text output, which quotes the granting statements, reads the files again
    /// ([`crate::source::Quotes`]).
    pub fn graph_for_answers(&self) -> Result<(Loaded, Graph), RunError> {
        self.graph_keeping(self.texts_to_quote(), Build::Whole)
    }

    /// [`Env::graph_for_answers`] for one question (`who-can`, `can`): the edges the
    /// answer cannot need are not made ([`Graph::build_for`]); nothing else may be
    /// asked of the graph.
    pub fn graph_for_question(&self, question: &Question) -> Result<(Loaded, Graph), RunError> {
        self.graph_keeping(self.texts_to_quote(), Build::For(question))
    }

    /// What becomes of the file texts after the load: the text format quotes the
    /// files, reading them again; JSON, SARIF and the others name places only.
    fn texts_to_quote(&self) -> Texts {
        if self.cli.format == Format::Text {
            Texts::Reread
        } else {
            Texts::Drop
        }
    }

    /// [`Env::graph_for_answers`] for a command whose output quotes no file (`graph`,
    /// `what-can`): the texts of the files are let go too, before the build needs the
    /// memory (lines and columns stay exact).
    pub fn graph_without_texts(&self) -> Result<(Loaded, Graph), RunError> {
        self.graph_keeping(Texts::Drop, Build::Whole)
    }

    /// [`Env::graph_without_texts`] for `paths --from FROM --to TO`: only the edges it
    /// may list and those the escalation search reads are made
    /// ([`Graph::build_crossings`]); nothing else may be asked of the graph.
    pub fn graph_of_crossings(
        &self,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<(Loaded, Graph), RunError> {
        self.graph_keeping(Texts::Drop, Build::Crossings { from, to })
    }

    /// [`Env::graph_without_texts`] for one question (`what-can`), as
    /// [`Env::graph_for_question`].
    pub fn graph_without_texts_for(
        &self,
        question: &Question,
    ) -> Result<(Loaded, Graph), RunError> {
        self.graph_keeping(Texts::Drop, Build::For(question))
    }

    fn graph_keeping(&self, texts: Texts, build: Build) -> Result<(Loaded, Graph), RunError> {
        let progress = self.progress();
        let mut loaded = self.load_keeping(&progress, texts)?;
        progress.step(BUILDING);
        let graph = match build {
            Build::For(q) => Graph::build_for(&mut loaded.model, &self.fixed, q),
            Build::Crossings { from, to } => {
                Graph::build_crossings(&mut loaded.model, &self.fixed, from, to)
            }
            Build::Whole => Graph::build_releasing(&mut loaded.model, &self.fixed),
        };
        Ok((loaded, graph))
    }

    /// A spinner for a long phase: on a terminal, for the formats people read.
    pub fn progress(&self) -> progress::Progress {
        let for_people = matches!(
            self.cli.format,
            Format::Text | Format::Dot | Format::Mermaid
        );
        progress::Progress::new(for_people && std::io::stderr().is_terminal())
    }
}

/// Which graph a command builds: the whole graph, or only what its answer reads.
#[derive(Clone, Copy)]
enum Build<'q> {
    Whole,
    /// For one question ([`Graph::build_for`]).
    For(&'q Question<'q>),
    /// For `paths`, between the accounts asked for ([`Graph::build_crossings`]).
    Crossings {
        from: Option<&'q str>,
        to: Option<&'q str>,
    },
}

/// The progress step of a graph build.
const BUILDING: &str = "building the graph: role assumptions, resource policies, escalations";

/// What becomes of the file texts after a load: read again from the files when
/// quoted, or let go for good (lines and columns stay exact either way). The user and
/// role policy documents go as the graph compiles them.
#[derive(Clone, Copy)]
enum Texts {
    Reread,
    Drop,
}

/// A plan that could not be read, or not placed in an account, stops the run: a CI
/// gate must never pass on a change it did not see.
fn plan_applied(loaded: &Loaded, iac: &ingest::iac::IacInput) -> Result<(), RunError> {
    const FATAL: &[&str] = &[
        "unreadable",
        "file-too-large",
        "not-utf8",
        "utf16",
        "json-syntax",
        "yaml-syntax",
        "iac-not-a-plan",
        "iac-format-version",
        "iac-account-unknown",
        "iac-plan-errored",
        "iac-not-a-template",
    ];
    for d in &loaded.diagnostics {
        let Some(file) = loaded.sources.get(d.span.file) else {
            continue;
        };
        // A policy of the plan that is invalid JSON is the plan's content, reported
        // like any bad policy; the plan itself not being JSON is fatal.
        let in_object = loaded.sources.iac_at(d.span).is_some();
        if FATAL.contains(&d.code()) && !in_object && iac.is_input(&file.path) {
            let option = if iac.plans.iter().any(|p| p == &file.path) {
                "--plan"
            } else {
                "--template"
            };
            return Err(RunError::PlanNotApplied {
                option,
                file: file.name.clone(),
                message: d.to_string(),
            });
        }
    }
    Ok(())
}

/// `--context KEY=VALUE` pairs; the same key given twice collects both values.
fn parse_context(args: &[String]) -> Result<Vec<crate::model::ContextEntry>, RunError> {
    let mut out: Vec<crate::model::ContextEntry> = Vec::new();
    for a in args {
        let (k, v) = a
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| RunError::Context(a.clone()))?;
        let span = crate::model::Span::at(crate::model::FileId(u32::MAX), 0);
        match out
            .iter_mut()
            .find(|(key, _)| key.value.eq_ignore_ascii_case(k))
        {
            Some((_, values)) => values.push(v.to_string()),
            None => out.push((
                crate::model::Spanned::new(k.to_string(), span),
                vec![v.to_string()],
            )),
        }
    }
    Ok(out)
}

/// Writes the output; a closed pipe (`| head`) is not an error worth a panic.
pub(crate) fn write_out(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
}

/// Writes output produced by a writer function.
pub(crate) fn write_with(f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) {
    // A large buffer: an organization's answers run to hundreds of megabytes.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 18, std::io::stdout().lock());
    let _ = f(&mut stdout).and_then(|()| stdout.flush());
}

fn color_enabled(choice: Color, stdout: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            let terminal = if stdout {
                std::io::stdout().is_terminal()
            } else {
                std::io::stderr().is_terminal()
            };
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && terminal
        }
    }
}

/// The process ends right after a command: freeing a large model piece by piece
/// would cost a tenth of the run for nothing.
pub(crate) fn leak<T>(value: T) {
    std::mem::forget(value);
}

/// `--fail-on` as a severity (clap has checked the value).
pub(crate) fn threshold(fail_on: &str) -> crate::lint::Severity {
    crate::lint::Severity::parse(fail_on).unwrap_or(crate::lint::Severity::High)
}

/// The configuration: `--config`, else `./iampath.toml` when it exists, else defaults.
pub(crate) fn read_config(path: Option<&Path>) -> Result<crate::lint::config::Config, RunError> {
    let default = Path::new("iampath.toml");
    let path = match path {
        Some(p) => p,
        None if default.exists() => default,
        None => return Ok(crate::lint::config::Config::default()),
    };
    Ok(crate::lint::config::Config::read(path)?)
}
