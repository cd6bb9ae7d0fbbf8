//! From files to the model: the layout walker, one module per export kind, and the
//! checks that need everything loaded (managed-policy resolution, group membership,
//! the organization tree).

pub mod actions;
mod cx;
pub mod diag;
mod gaad;
pub mod iac;
mod inventory;
mod org;
pub mod policy_doc;
pub mod request_file;
mod resolve;
mod resource;
mod standalone;
pub mod walk;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use cx::Cx;
pub use diag::{Diagnostic, Problem, Severity};

use crate::model::{FileId, Model, ResourceService, Span};
use crate::source::decode::Layers;
use crate::source::json::{self, Node};
use crate::source::{SourceFile, SourceMap};
use walk::{Found, Place};

/// Limits that keep a hostile input from exhausting the machine.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Deepest nesting of arrays and objects accepted in a JSON text.
    pub max_depth: usize,
    /// Largest file read, in bytes.
    pub max_file_size: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            max_depth: json::DEFAULT_MAX_DEPTH,
            max_file_size: 512 * 1024 * 1024,
        }
    }
}

/// The result of a load: the model, the texts it came from, and every diagnostic.
#[derive(Debug, Default)]
pub struct Loaded {
    pub model: Model,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    /// True when any input could not be read or is invalid.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity() == Severity::Error)
    }
}

/// Loads every file under `paths` (folders are walked; files are read as given).
/// A file that cannot be read is reported and the others still load.
pub fn load(paths: &[PathBuf], opts: &LoadOptions) -> Loaded {
    load_with(paths, &iac::IacInput::default(), opts)
}

/// [`load`], then the proposed changes of `iac` applied to what loaded (before the
/// checks that need everything: an attachment the change adds is resolved too).
pub fn load_with(paths: &[PathBuf], iac: &iac::IacInput, opts: &LoadOptions) -> Loaded {
    let mut loaded = Loaded::default();
    // Files are read and parsed in parallel, a chunk at a time (so that only one
    // chunk's JSON trees are alive together), and lowered into the model one by one
    // in the walk's order: file IDs, merges and diagnostics come out exactly as if
    // each file were read in turn.
    for chunk in walk::walk(paths).chunks(PARALLEL_CHUNK) {
        load_chunk(&mut loaded, chunk, opts);
    }
    iac::apply(&mut loaded, iac, opts);
    resolve::resolve(&mut loaded, opts);
    if let Some(org) = &mut loaded.model.organization {
        if org.id.is_none() {
            org.id = org.id_from_arns();
        }
        org::check(org, &mut loaded.diagnostics);
    }
    loaded
}

/// How many files are read and parsed at once.
const PARALLEL_CHUNK: usize = 64;

/// A file as read by a worker: its text and reading notes, or why it has none.
type Read = Result<(String, Vec<(Problem, u32)>), Unread>;

/// An entry of the walk in the source map: its file, the problems of reading it, and
/// whether it has text to parse.
type Entry = (FileId, Vec<(Problem, u32)>, bool);

/// Reads, parses and lowers a run of the walk's entries (see [`load_with`]).
fn load_chunk(loaded: &mut Loaded, chunk: &[Found], opts: &LoadOptions) {
    let reads: Vec<Option<Read>> = chunk
        .par_iter()
        .map(|f| match f {
            Found::File(path) => Some(read_text(path, opts)),
            _ => None,
        })
        .collect();
    // Source entries in order; a file's problems wait for its turn below.
    let mut entries: Vec<Entry> = Vec::with_capacity(chunk.len());
    for (found, read) in chunk.iter().zip(reads) {
        let path = found.path();
        entries.push(match read {
            Some(Ok((text, notes))) => {
                (loaded.sources.add(SourceFile::new(path, text)), notes, true)
            }
            Some(Err((problem, text, at))) => (
                loaded.sources.add(SourceFile::new(path, text)),
                vec![(problem, at)],
                false,
            ),
            None => (file_stub(&mut loaded.sources, path), Vec::new(), false),
        });
    }
    let Loaded {
        model,
        sources,
        diagnostics,
    } = loaded;
    let sources: &SourceMap = sources;
    // Parsed in parallel; an account authorization export (most of the data) is read
    // there too, and only merged into the model below.
    let trees: Vec<Option<Parsed>> = entries
        .par_iter()
        .zip(chunk)
        .map(|((file, _, readable), found)| {
            let source = sources.get(*file).filter(|_| *readable)?;
            let tree = json::parse(&source.text, opts.max_depth);
            if let (Ok(root), Found::File(path)) = (&tree, found) {
                let place = walk::place_of(path);
                if is_export(root, &place) {
                    let misplaced = place.service.is_some();
                    let read = gaad::read(*file, &source.text, opts, root, misplaced);
                    return Some(Parsed::Export(read, place.account));
                }
            }
            Some(Parsed::Tree(tree))
        })
        .collect();
    for ((found, (file, notes, _)), tree) in chunk.iter().zip(entries).zip(trees) {
        let Found::File(path) = found else {
            walk_problem(diagnostics, found, file);
            continue;
        };
        let before = diagnostics.len();
        for (problem, at) in notes {
            diagnostics.push(Diagnostic::new(problem, Span::at(file, at)));
        }
        if let (Some(tree), Some(source)) = (tree, sources.get(file)) {
            let layers = Layers::file();
            let mut cx = Cx {
                file,
                text: &source.text,
                layers: &layers,
                opts,
                diags: diagnostics,
            };
            match tree {
                Parsed::Export(read, folder) => gaad::ingest_read(&mut cx, read, folder, model),
                Parsed::Tree(tree) => {
                    if let Some(tree) = reported(&mut cx, tree) {
                        dispatch(&mut cx, &tree, &walk::place_of(path), path, model);
                    }
                }
            }
        }
        cap_from(diagnostics, before);
    }
}

/// A file of a batch after the parallel part of its loading.
enum Parsed<'t> {
    /// Its JSON tree (or why it has none), lowered into the model in turn.
    Tree(Result<Node<'t>, json::SyntaxError>),
    /// An account authorization export, read already, and the account folder it is in.
    Export(gaad::Read, Option<(String, Option<String>)>),
}

/// Whether a parsed file is an account authorization export (an IAMSpy tree outside
/// an account folder is not, whatever its keys: [`dispatch`] reads it).
fn is_export(tree: &Node, place: &Place) -> bool {
    if place.account.is_none() && org::is_iamspy_tree(tree) {
        return false;
    }
    tree.as_object()
        .is_some_and(|members| gaad::is_export(&cx::Fields { members }))
}

/// What the walk found that is not a file to read, reported on its source entry.
fn walk_problem(diags: &mut Vec<Diagnostic>, found: &Found, file: FileId) {
    let problem = match found {
        Found::File(_) => return,
        Found::SymlinkLoop(path) => Problem::SymlinkLoop(path.display().to_string()),
        Found::Unreadable(_, reason) => Problem::Unreadable {
            what: "the path".into(),
            reason: reason.clone(),
        },
        Found::BadAccountFolder(_, name) => Problem::AccountFolderName(name.clone()),
    };
    push(diags, problem, file);
}

/// An empty source entry for a path that has no readable text.
fn file_stub(sources: &mut SourceMap, path: &Path) -> FileId {
    sources.add(SourceFile::new(path, String::new()))
}

fn push(diags: &mut Vec<Diagnostic>, problem: Problem, file: FileId) {
    diags.push(Diagnostic::new(problem, Span::at(file, 0)));
}

/// Why a file has no usable text: the problem, what text could be kept (lossy), and
/// the byte offset the problem is at.
pub(crate) type Unread = (Problem, String, u32);

/// Reads a file's bytes into text, reporting size, encoding and BOM problems.
pub(crate) fn read_text(
    path: &Path,
    opts: &LoadOptions,
) -> Result<(String, Vec<(Problem, u32)>), Unread> {
    let unreadable = |reason: String| {
        (
            Problem::Unreadable {
                what: "the file".into(),
                reason,
            },
            String::new(),
            0,
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
    // Opening a named pipe blocks until someone writes to it: never open one.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() || t.is_socket() {
            return Err(unreadable(
                "it is a named pipe or a socket, not a file".into(),
            ));
        }
    }
    let size = meta.len();
    if size > opts.max_file_size {
        return Err((
            Problem::TooLarge {
                size,
                limit: opts.max_file_size,
            },
            String::new(),
            0,
        ));
    }
    // Read at most one byte past the limit: a device such as /dev/zero reports no
    // size and never ends. The reported size is the capacity (one byte more, so that
    // reading to the end does not grow the buffer): the texts stay in memory for
    // the whole run, and a doubled buffer would keep up to twice each one.
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0).saturating_add(1));
    let file = std::fs::File::open(path).map_err(|e| unreadable(e.to_string()))?;
    std::io::Read::read_to_end(
        &mut std::io::Read::take(file, opts.max_file_size.saturating_add(1)),
        &mut bytes,
    )
    .map_err(|e| unreadable(e.to_string()))?;
    let read = bytes.len() as u64;
    if read > opts.max_file_size {
        return Err((
            Problem::TooLarge {
                size: read,
                limit: opts.max_file_size,
            },
            String::new(),
            0,
        ));
    }
    let mut notes = Vec::new();
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((Problem::Utf16, String::new(), 0));
    }
    if bytes.starts_with(&crate::source::BOM) {
        bytes.drain(..crate::source::BOM.len());
        notes.push((Problem::ByteOrderMark, 0));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((text, notes)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(e.as_bytes()).into_owned();
            Err((
                Problem::NotUtf8,
                lossy,
                u32::try_from(at).unwrap_or(u32::MAX),
            ))
        }
    }
}

/// Reads a file into the source map, reporting size, encoding and BOM problems;
/// `None` when it has no usable text (the problem is reported).
pub(crate) fn read_source(
    path: &Path,
    opts: &LoadOptions,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
) -> Option<FileId> {
    match read_text(path, opts) {
        Ok((text, notes)) => {
            let file = sources.add(SourceFile::new(path, text));
            for (problem, at) in notes {
                diags.push(Diagnostic::new(problem, Span::at(file, at)));
            }
            Some(file)
        }
        Err((problem, text, at)) => {
            let file = sources.add(SourceFile::new(path, text));
            diags.push(Diagnostic::new(problem, Span::at(file, at)));
            None
        }
    }
}

/// Parses the context's whole text, reporting a syntax error at its place.
pub(crate) fn parse_reported<'t>(cx: &mut Cx<'t>) -> Option<Node<'t>> {
    let parsed = json::parse(cx.text, cx.opts.max_depth);
    reported(cx, parsed)
}

/// A parse of the context's text, its syntax error reported at its place.
fn reported<'t>(cx: &mut Cx, parsed: Result<Node<'t>, json::SyntaxError>) -> Option<Node<'t>> {
    match parsed {
        Ok(t) => Some(t),
        Err(e) => {
            let span = cx.span(e.offset, e.offset.saturating_add(1));
            cx.report(Problem::Syntax(e.message), span);
            None
        }
    }
}

/// Most problems reported for one file; the rest are counted in one last diagnostic
/// (a file with 150,000 broken statements must not drown the report or slow it down).
pub const MAX_PROBLEMS_PER_FILE: usize = 200;

/// Runs `read` (the reading of one file) and keeps at most [`MAX_PROBLEMS_PER_FILE`] of
/// the diagnostics it adds; the rest are counted in one last diagnostic.
pub(crate) fn capped(loaded: &mut Loaded, read: impl FnOnce(&mut Loaded)) {
    let before = loaded.diagnostics.len();
    read(loaded);
    cap_from(&mut loaded.diagnostics, before);
}

/// Keeps at most [`MAX_PROBLEMS_PER_FILE`] of the diagnostics after `before`.
fn cap_from(diags: &mut Vec<Diagnostic>, before: usize) {
    let added = diags.len().saturating_sub(before);
    if added > MAX_PROBLEMS_PER_FILE {
        let last = diags.get(before + MAX_PROBLEMS_PER_FILE).map(|d| d.span);
        diags.truncate(before + MAX_PROBLEMS_PER_FILE);
        if let Some(span) = last {
            let more = added - MAX_PROBLEMS_PER_FILE;
            diags.push(Diagnostic::new(Problem::TooManyProblems(more), span));
        }
    }
}

/// Decides what a parsed file is from its place in the layout and its shape (an
/// account authorization export is read before, in [`load_chunk`]: see [`is_export`]).
fn dispatch(cx: &mut Cx, tree: &Node, place: &Place, path: &Path, model: &mut Model) {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if place.account.is_none() && org::is_iamspy_tree(tree) {
        return org::ingest_iamspy(cx, tree, model);
    }
    if place.organization && tree.as_object().is_none() {
        let msg = format!(
            "a file in the organization folder must be an object ({}), found {}",
            if path.file_name().is_some_and(|n| n == "organization.json") {
                "the organization tree"
            } else {
                "describe-policy output"
            },
            tree.type_name()
        );
        cx.report(Problem::WrongShape(msg), cx.node_span(tree));
        return;
    }
    if place.organization || place.account.is_none() {
        if org::is_tree(tree) {
            return org::ingest_tree(cx, tree, model);
        }
        if org::is_describe_policy(tree) {
            return org::ingest_policy(cx, tree, model);
        }
        if org::is_iamspy_tree(tree) {
            return org::ingest_iamspy(cx, tree, model);
        }
        if place.organization {
            let msg = "a file in the organization folder must be the organization tree (organization.json) or `aws organizations describe-policy` output; this one is neither, so its policies are unknown";
            cx.report(Problem::WrongShape(msg.into()), cx.node_span(tree));
            return;
        }
    }
    if standalone::is_resource_list(tree) {
        return standalone::ingest_resource_list(cx, tree, model);
    }
    match (&place.account, &place.service) {
        (Some((account, alias)), Some(service)) => {
            if alias.is_some() {
                let acct = model.account_mut(account);
                if acct.alias.is_none() {
                    acct.alias = alias.clone();
                }
            }
            if let Some(kind) = inventory::kind_of(service, tree) {
                return inventory::ingest(cx, tree, account, kind, model);
            }
            let service = ResourceService::from_folder(service);
            resource::ingest(cx, tree, account, &service, stem, model);
        }
        (Some(_), None) => {
            let what = if tree.get("Statement").is_some() || resource::is_cli_shape(tree) {
                Problem::Misplaced("a resource policy belongs in a service folder of its account: <ACCOUNT_ID>/<service>/<name>.json (e.g. 111111111111/s3/my-bucket.json)".into())
            } else {
                Problem::UnknownShape("expected a get-account-authorization-details export".into())
            };
            cx.report(what, cx.node_span(tree));
        }
        (None, _) => {
            if tree.get("Statement").is_some() {
                standalone::ingest_document(cx, tree, path, model);
            } else if resource::is_cli_shape(tree) || resource::is_bucket_list(tree) {
                let msg = "a resource-policy file outside an account folder: put it in <ACCOUNT_ID>/<service>/<name>.json so iampath knows whose resource it is";
                cx.report(Problem::Misplaced(msg.into()), cx.node_span(tree));
            } else {
                let msg = "expected a get-account-authorization-details export, a policy document, or Organizations data";
                cx.report(Problem::UnknownShape(msg.into()), cx.node_span(tree));
            }
        }
    }
}
