//! The data-layout walker: which files to read and what their place in the layout
//! says about them (account folder, service folder, organization folder).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::model::is_account_id;

/// What a file's position in the layout says about it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    /// The account folder the file is in, if any: (ID, alias).
    pub account: Option<(String, Option<String>)>,
    /// The folder between the account folder and the file (`s3`, `sqs` …).
    pub service: Option<String>,
    /// Deeper than `<account>/<service>/`.
    pub nested: bool,
    /// The file is in an `organization/` folder (or its `policies/`).
    pub organization: bool,
}

/// A file found by the walk, or a problem met on the way.
#[derive(Debug)]
pub enum Found {
    File(PathBuf),
    SymlinkLoop(PathBuf),
    Unreadable(PathBuf, String),
    BadAccountFolder(PathBuf, String),
}

impl Found {
    /// The path the entry is about.
    pub fn path(&self) -> &Path {
        match self {
            Found::File(p)
            | Found::SymlinkLoop(p)
            | Found::Unreadable(p, _)
            | Found::BadAccountFolder(p, _) => p,
        }
    }
}

/// Lists the `.json` files under each path (a path that is a file is taken as it
/// is, whatever its name), sorted, following symbolic links without looping.
pub fn walk(paths: &[PathBuf]) -> Vec<Found> {
    let mut out = Vec::new();
    for p in paths {
        let mut stack = HashSet::new();
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => walk_dir(p, &mut stack, &mut out),
            Ok(_) => out.push(Found::File(p.clone())),
            Err(e) => out.push(Found::Unreadable(p.clone(), e.to_string())),
        }
    }
    out
}

fn walk_dir(dir: &Path, stack: &mut HashSet<PathBuf>, out: &mut Vec<Found>) {
    let canonical = match std::fs::canonicalize(dir) {
        Ok(c) => c,
        Err(e) => {
            out.push(Found::Unreadable(dir.to_path_buf(), e.to_string()));
            return;
        }
    };
    if !stack.insert(canonical.clone()) {
        out.push(Found::SymlinkLoop(dir.to_path_buf()));
        return;
    }
    if let Some(name) = dir.file_name().and_then(|n| n.to_str()) {
        if looks_like_bad_account_folder(name) {
            out.push(Found::BadAccountFolder(dir.to_path_buf(), name.to_string()));
        }
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            out.push(Found::Unreadable(dir.to_path_buf(), e.to_string()));
            stack.remove(&canonical);
            return;
        }
    };
    entries.sort();
    for path in entries {
        let hidden = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk_dir(&path, stack, out),
            Ok(_) if is_json_name(&path) => out.push(Found::File(path)),
            Ok(_) => {}
            Err(e) => {
                // A dangling link or a loop of file links: report JSON-looking ones.
                if is_json_name(&path) || is_symlink(&path) {
                    out.push(Found::Unreadable(path, e.to_string()));
                }
            }
        }
    }
    stack.remove(&canonical);
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn is_json_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// `12345-prod`, `1234567890123`: digits first, meant as an account, not 12 of them.
fn looks_like_bad_account_folder(name: &str) -> bool {
    let digits: &str = name.split('-').next().unwrap_or_default();
    digits.len() >= 6 && digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() != 12
}

/// True when a `--data` value is a glob pattern (`exports/*-prod`, `data/**/iam.json`).
pub fn is_glob(text: &str) -> bool {
    text.contains(['*', '?', '[', '{'])
}

/// The files and folders a `--data` glob matches, sorted; a folder that matches is
/// taken whole (its content is not listed again). Path globs: `*` stays within one
/// folder, `**` crosses folders.
pub fn expand_glob(pattern: &str) -> Vec<PathBuf> {
    // Walk from the longest leading part without wildcards.
    let parts: Vec<&str> = pattern.split('/').collect();
    let fixed = parts.iter().take_while(|p| !is_glob(p)).count();
    let joined = parts.get(..fixed).unwrap_or_default().join("/");
    let base = PathBuf::from(if joined.is_empty() {
        "."
    } else {
        joined.as_str()
    });
    let relative_to_dot = fixed == 0 && !pattern.starts_with("./");
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    glob_dir(&base, pattern, relative_to_dot, &mut seen, &mut out);
    out.sort();
    out
}

fn glob_dir(
    dir: &Path,
    pattern: &str,
    relative_to_dot: bool,
    seen: &mut HashSet<PathBuf>,
    out: &mut Vec<PathBuf>,
) {
    let Ok(canonical) = std::fs::canonicalize(dir) else {
        return;
    };
    if !seen.insert(canonical) {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let shown = if relative_to_dot {
            path.strip_prefix(".").unwrap_or(&path).to_path_buf()
        } else {
            path.clone()
        };
        let text = shown.to_string_lossy().replace('\\', "/");
        let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
        if glob_match::glob_match(pattern, &text) {
            out.push(shown);
        } else if is_dir {
            glob_dir(&path, pattern, relative_to_dot, seen, out);
        }
    }
}

/// Splits `111111111111-alias` into ID and alias.
pub fn account_folder(name: &str) -> Option<(String, Option<String>)> {
    let (id, alias) = match name.split_once('-') {
        Some((id, alias)) if !alias.is_empty() => (id, Some(alias.to_string())),
        Some((id, _)) => (id, None),
        None => (name, None),
    };
    is_account_id(id).then(|| (id.to_string(), alias))
}

/// Reads the place of a file from its path: the nearest account folder above it, the
/// folder between that and the file, or an `organization` folder.
pub fn place_of(path: &Path) -> Place {
    let dirs: Vec<&str> = path
        .parent()
        .map(|p| {
            p.components()
                .filter_map(|c| c.as_os_str().to_str())
                .collect()
        })
        .unwrap_or_default();
    let mut place = Place::default();
    if let Some(i) = dirs.iter().rposition(|d| account_folder(d).is_some()) {
        place.account = dirs.get(i).and_then(|d| account_folder(d));
        let below = dirs.get(i + 1..).unwrap_or_default();
        place.service = below.first().map(|s| s.to_string());
        place.nested = below.len() > 1;
    }
    let n = dirs.len();
    let org_at = |i: usize| {
        dirs.get(i)
            .is_some_and(|d| d.eq_ignore_ascii_case("organization"))
    };
    place.organization = place.account.is_none()
        && (n >= 1 && org_at(n - 1)
            || n >= 2 && org_at(n - 2) && dirs.get(n - 1) == Some(&"policies"));
    place
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places() {
        let p = place_of(Path::new("data/111111111111-prod/s3/bucket.json"));
        assert_eq!(
            p.account,
            Some(("111111111111".into(), Some("prod".into())))
        );
        assert_eq!(p.service.as_deref(), Some("s3"));
        let p = place_of(Path::new("data/111111111111/iam.json"));
        assert_eq!(p.account, Some(("111111111111".into(), None)));
        assert_eq!(p.service, None);
        let p = place_of(Path::new("data/organization/policies/p-1.json"));
        assert!(p.organization && p.account.is_none());
        assert!(place_of(Path::new("organization/organization.json")).organization);
        assert_eq!(place_of(Path::new("x.json")), Place::default());
    }

    #[test]
    fn data_globs_match_files_and_folders() {
        let dir = tempfile_dir();
        for p in [
            "exports/111111111111-prod/iam.json",
            "exports/222222222222-dev/iam.json",
            "exports/notes.txt",
        ] {
            let path = dir.join(p);
            let _ = std::fs::create_dir_all(path.parent().unwrap_or(&dir));
            let _ = std::fs::write(&path, "{}");
        }
        let base = dir.display().to_string();
        let prod = expand_glob(&format!("{base}/exports/*-prod"));
        assert_eq!(prod, vec![dir.join("exports/111111111111-prod")]);
        let all = expand_glob(&format!("{base}/exports/**/iam.json"));
        assert_eq!(all.len(), 2, "{all:?}");
        assert!(expand_glob(&format!("{base}/nothing/*")).is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    fn tempfile_dir() -> PathBuf {
        let d = std::env::temp_dir().join(format!("iampath-glob-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn account_folder_names() {
        assert!(account_folder("123456789012").is_some());
        assert!(account_folder("1234567890123").is_none());
        assert!(looks_like_bad_account_folder("12345678-dev"));
        assert!(!looks_like_bad_account_folder("123456789012-dev"));
        assert!(!looks_like_bad_account_folder("s3"));
    }
}
