//! Reading files: the texts of every loaded file, line/column lookup, JSON with byte
//! spans, and decoding of embedded documents with offset maps back to the file.

pub mod decode;
pub mod json;
pub mod yaml;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::model::{FileId, Span};

/// A UTF-8 byte-order mark: the load reads a text after it (and says so), and so
/// does a file read again.
pub const BOM: [u8; 3] = [0xEF, 0xBB, 0xBF];

/// One file as it was read.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user will recognise it (relative when given relative).
    pub name: String,
    pub path: PathBuf,
    /// The text; for a file that is not valid UTF-8 this is a lossy copy (offsets up
    /// to the first invalid byte are the file's own).
    pub text: String,
    /// The length of the text (kept when the text is released).
    len: usize,
    lines: OnceLock<LineIndex>,
    ascii: OnceLock<bool>,
    lone_cr: OnceLock<bool>,
    /// When the text was let go to be read again for quoting
    /// ([`SourceMap::release_texts_to_reread`]): its digest, which the file must still
    /// match.
    digest: Option<u64>,
    /// False for a text made by iampath (a bundled policy), which no file holds.
    on_disk: bool,
}

impl SourceFile {
    pub fn new(path: &Path, text: String) -> Self {
        SourceFile {
            name: path.display().to_string(),
            path: path.to_path_buf(),
            len: text.len(),
            text,
            lines: OnceLock::new(),
            ascii: OnceLock::new(),
            lone_cr: OnceLock::new(),
            digest: None,
            on_disk: true,
        }
    }

    /// A text that no file holds (a bundled AWS-managed policy), under a name of its
    /// own: when texts are let go to be read again, it stays.
    pub fn made(name: &str, text: String) -> Self {
        SourceFile {
            on_disk: false,
            ..SourceFile::new(Path::new(name), text)
        }
    }

    fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Drops the text of an ASCII file, keeping what [`SourceFile::line_col`] needs
    /// (and with `reread`, its digest, for [`SourceFile::quote`]).
    fn release_text(&mut self, reread: bool) {
        self.lines();
        if reread && !self.on_disk {
            return;
        }
        if *self.ascii.get_or_init(|| self.text.is_ascii()) {
            if reread {
                self.has_lone_cr();
                self.digest = Some(digest(self.text.as_bytes()));
            }
            self.text = String::new();
        }
    }

    /// The text to quote: the one kept, or for a text let go to be read again, the
    /// file's when it still holds the same text (its byte-order mark aside, as when it
    /// was loaded); `None` when the text was let go for good, or the file changed or
    /// cannot be read since.
    pub fn quote(&self) -> Option<Cow<'_, str>> {
        if self.is_kept() {
            return Some(Cow::Borrowed(&self.text));
        }
        self.reread().map(|(text, _)| Cow::Owned(text))
    }

    /// True when the text is held (not let go).
    fn is_kept(&self) -> bool {
        self.text.len() == self.len
    }

    /// The text let go, read again from the file when it is unchanged, and how the
    /// file looked then.
    fn reread(&self) -> Option<(String, Stamp)> {
        let digest_then = self.digest?;
        // Only a regular file no larger than it was (a file replaced by a pipe would
        // block the read).
        let meta = std::fs::metadata(&self.path).ok()?;
        if !meta.is_file() || meta.len() > (self.len + BOM.len()) as u64 {
            return None;
        }
        let mut bytes = std::fs::read(&self.path).ok()?;
        let mut bom = 0;
        if bytes.starts_with(&BOM) {
            bytes.drain(..BOM.len());
            bom = BOM.len() as u64;
        }
        if bytes.len() != self.len || digest(&bytes) != digest_then {
            return None;
        }
        let stamp = Stamp::of(&meta, bom);
        String::from_utf8(bytes).ok().map(|text| (text, stamp))
    }

    /// Bytes `range` of a text let go, read from the file when it still looks as it
    /// did when it was last read whole (`stamp`).
    fn reread_part(&self, stamp: Stamp, range: std::ops::Range<usize>) -> Option<String> {
        use std::io::{Read, Seek, SeekFrom};
        let meta = std::fs::metadata(&self.path).ok()?;
        if !meta.is_file() || Stamp::of(&meta, stamp.bom) != stamp || range.end > self.len {
            return None;
        }
        let mut file = std::fs::File::open(&self.path).ok()?;
        file.seek(SeekFrom::Start(stamp.bom + range.start as u64))
            .ok()?;
        let mut bytes = vec![0; range.len()];
        file.read_exact(&mut bytes).ok()?;
        String::from_utf8(bytes).ok()
    }

    /// True when the text has a carriage return that no line feed follows: a line
    /// break to miette's snippets, not to [`SourceFile::line_col`].
    pub fn has_lone_cr(&self) -> bool {
        *self.lone_cr.get_or_init(|| {
            let b = self.text.as_bytes();
            self.text
                .match_indices('\r')
                .any(|(i, _)| b.get(i + 1) != Some(&b'\n'))
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let (line, line_start) = self.lines().line_of(offset);
        let line_start = line_start as usize;
        let end = (offset as usize).min(self.len);
        // Columns count characters; in ASCII text (most exports, found once per
        // file) that is the byte distance, without a scan of a one-line file.
        let ascii = *self.ascii.get_or_init(|| self.text.is_ascii());
        let column = match self.text.get(line_start..end) {
            Some(s) if !ascii => s.chars().count() + 1,
            _ => end.saturating_sub(line_start) + 1,
        };
        (line, column)
    }
}

/// How a file read again looked when its text was found unchanged: a part of it read
/// later is trusted while it looks the same (its length and modification time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<std::time::SystemTime>,
    /// The bytes of a byte-order mark before the text.
    bom: u64,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata, bom: u64) -> Stamp {
        Stamp {
            len: meta.len(),
            modified: meta.modified().ok(),
            bom,
        }
    }
}

/// The texts of a run's files for quoting: the texts kept, and the files whose texts
/// were let go read again ([`SourceFile::quote`]). The last file read whole is held:
/// findings come by file. A span of a file read whole before is read alone, while
/// the file looks unchanged: answers come by principal, and quote statements of
/// files all over an organization.
pub struct Quotes<'s> {
    sources: &'s SourceMap,
    held: Option<(FileId, Option<Cow<'s, str>>)>,
    /// Files read whole: how they looked then (`None` when changed since the load).
    stamps: std::collections::HashMap<FileId, Option<Stamp>>,
    /// The last span read alone.
    part: String,
}

impl<'s> Quotes<'s> {
    pub fn new(sources: &'s SourceMap) -> Self {
        Quotes {
            sources,
            held: None,
            stamps: std::collections::HashMap::new(),
            part: String::new(),
        }
    }

    /// A loaded file.
    pub fn file(&self, id: FileId) -> Option<&'s SourceFile> {
        self.sources.get(id)
    }

    /// The file and its text to quote, `None` when it cannot be quoted.
    pub fn of(&mut self, id: FileId) -> Option<(&'s SourceFile, &str)> {
        let file = self.sources.get(id)?;
        if self.held.as_ref().is_none_or(|(held, _)| *held != id) {
            let text = if file.is_kept() {
                Some(Cow::Borrowed(file.text.as_str()))
            } else {
                let read = file.reread();
                self.stamps
                    .insert(id, read.as_ref().map(|(_, stamp)| *stamp));
                read.map(|(text, _)| Cow::Owned(text))
            };
            self.held = Some((id, text));
        }
        let text = self.held.as_ref()?.1.as_deref()?;
        Some((file, text))
    }

    /// The text at a span, when its file can be quoted.
    pub fn at(&mut self, span: Span) -> Option<&str> {
        let id = span.file;
        let file = self.sources.get(id)?;
        let range = span.start as usize..span.end as usize;
        let held = self.held.as_ref().is_some_and(|(h, _)| *h == id);
        if !held && !file.is_kept() {
            match self.stamps.get(&id) {
                // Found changed when read whole.
                Some(None) => return None,
                Some(Some(stamp)) => {
                    if let Some(part) = file.reread_part(*stamp, range.clone()) {
                        self.part = part;
                        return Some(&self.part);
                    }
                }
                None => {}
            }
        }
        // Held, kept, not read whole before, or it looks changed since: whole (again).
        let (_, text) = self.of(id)?;
        text.get(range)
    }
}

/// A digest of a text, to tell whether a file read again still holds it (not against
/// someone who means to deceive: against a file edited or replaced during a run).
fn digest(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |h: u64, w: u64| (h ^ w).wrapping_mul(K).rotate_left(29);
    let mut h = mix(K, bytes.len() as u64);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut b = [0u8; 8];
        b.copy_from_slice(w);
        h = mix(h, u64::from_le_bytes(b));
    }
    let mut b = [0u8; 8];
    let rest = words.remainder();
    b[..rest.len()].copy_from_slice(rest);
    mix(mix(h, u64::from_le_bytes(b)), h >> 32)
}

/// Where the lines of a text start, held compactly: a load of a 1 GB export keeps
/// this for every file after the texts are let go, and four bytes per line of
/// pretty-printed JSON (25 bytes a line) would be a sixth of the text.
#[derive(Debug)]
struct LineIndex {
    /// The start of every [`LineIndex::EVERY`]th line (0-based lines 0, 64, …) and
    /// where the length of that line is in `lengths`.
    marks: Vec<(u32, u32)>,
    /// The length of every line but the last, its newline included, as LEB128.
    lengths: Vec<u8>,
    /// How many lines the text has (newlines + 1).
    count: u32,
}

impl LineIndex {
    const EVERY: u32 = 64;

    fn new(text: &str) -> LineIndex {
        let mut index = LineIndex {
            marks: vec![(0, 0)],
            lengths: Vec::new(),
            count: 1,
        };
        let mut start = 0usize;
        // `match_indices` finds newlines with the standard library's searcher.
        for (i, _) in text.match_indices('\n') {
            let next = i + 1;
            let mut length = u32::try_from(next - start).unwrap_or(u32::MAX);
            loop {
                let low = (length & 0x7f) as u8;
                length >>= 7;
                if length == 0 {
                    index.lengths.push(low);
                    break;
                }
                index.lengths.push(low | 0x80);
            }
            start = next;
            if index.count % Self::EVERY == 0 {
                let at = u32::try_from(index.lengths.len()).unwrap_or(u32::MAX);
                index
                    .marks
                    .push((u32::try_from(start).unwrap_or(u32::MAX), at));
            }
            index.count += 1;
        }
        index.marks.shrink_to_fit();
        index.lengths.shrink_to_fit();
        index
    }

    /// The 1-based line holding a byte offset and the offset of its start (an offset
    /// past the end is on the last line).
    fn line_of(&self, offset: u32) -> (usize, u32) {
        let mark = self.marks.partition_point(|(s, _)| *s <= offset).max(1) - 1;
        let (mut start, mut at) = self.marks.get(mark).copied().unwrap_or((0, 0));
        let mut line = u32::try_from(mark).unwrap_or(u32::MAX) * Self::EVERY;
        let last = (line + Self::EVERY).min(self.count) - 1;
        while line < last {
            let mut length = 0u32;
            let mut shift = 0;
            while let Some(byte) = self.lengths.get(at as usize) {
                at += 1;
                length |= u32::from(byte & 0x7f) << shift;
                shift += 7;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            if start.saturating_add(length) > offset {
                break;
            }
            start += length;
            line += 1;
        }
        (line as usize + 1, start)
    }
}

/// Every file read during a load, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
    /// The infrastructure-as-code objects read (a Terraform resource change, a
    /// template resource): what in a file belongs to which address.
    iac: Vec<IacObject>,
}

/// An object of a Terraform plan or a template, and the text it was read from.
#[derive(Debug, Clone)]
pub struct IacObject {
    /// `module.x.aws_iam_role.y["k"]`, or a template's logical ID.
    pub address: String,
    pub span: Span,
    /// Its attributes in the plan (`after`): name, span, and the spans of the elements
    /// of a list (repeated nested blocks: the n-th is the n-th block of that name).
    pub members: Vec<(String, Span, Vec<Span>)>,
    /// The `.tf` block that wrote it (`--tf-source`).
    pub tf: Option<TfBlock>,
}

/// A `resource` or `data` block of a `.tf` file: the block and its attributes and
/// nested blocks (name and span).
#[derive(Debug, Clone)]
pub struct TfBlock {
    pub block: Span,
    pub attrs: Vec<(String, Span)>,
}

fn holds(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Records an IaC object.
    pub fn add_iac(&mut self, object: IacObject) {
        self.iac.push(object);
    }

    /// The innermost IaC object whose text (in the plan, or its `.tf` block) holds
    /// `span`.
    pub fn iac_at(&self, span: Span) -> Option<&IacObject> {
        let in_plan = self
            .iac
            .iter()
            .filter(|o| holds(o.span, span))
            .min_by_key(|o| o.span.end - o.span.start);
        in_plan.or_else(|| {
            self.iac
                .iter()
                .filter(|o| o.tf.as_ref().is_some_and(|t| holds(t.block, span)))
                .min_by_key(|o| {
                    o.tf.as_ref()
                        .map_or(u32::MAX, |t| t.block.end - t.block.start)
                })
        })
    }

    /// Lets go of the texts of the files once nothing will quote them (`paths` prints
    /// no snippets): lines and columns stay exact, [`SourceFile::text`] of an ASCII
    /// file becomes empty. Files with other characters keep their text, which
    /// columns count in.
    pub fn release_texts(&mut self) {
        use rayon::prelude::*;
        self.files
            .par_iter_mut()
            .for_each(|f| f.release_text(false));
    }

    /// [`SourceMap::release_texts`] for an output that quotes the files (`lint`'s
    /// text): each text is read again from its file when quoted
    /// ([`SourceFile::quote`]), and quoted only when the file has not changed since.
    pub fn release_texts_to_reread(&mut self) {
        use rayon::prelude::*;
        self.files.par_iter_mut().for_each(|f| f.release_text(true));
    }

    /// Where in the `.tf` sources the plan text at `span` was written: the attribute of
    /// the object's block that holds it (by the name of the planned attribute), else
    /// the block. `None` without `--tf-source` or outside any plan object.
    pub fn tf_source(&self, span: Span) -> Option<Span> {
        let o = self
            .iac
            .iter()
            .filter(|o| holds(o.span, span))
            .min_by_key(|o| o.span.end - o.span.start)?;
        let tf = o.tf.as_ref()?;
        let Some((name, _, elements)) = o.members.iter().find(|(_, m, _)| holds(*m, span)) else {
            return Some(tf.block);
        };
        let nth = elements.iter().position(|e| holds(*e, span)).unwrap_or(0);
        let attr = tf
            .attrs
            .iter()
            .filter(|(a, _)| a == name)
            .nth(nth)
            .or_else(|| tf.attrs.iter().find(|(a, _)| a == name));
        Some(attr.map_or(tf.block, |(_, s)| *s))
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column() {
        let f = SourceFile::new(Path::new("x.json"), "ab\ncé\nd".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(2), (1, 3));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(6), (2, 3)); // after the two-byte é
        assert_eq!(f.line_col(7), (3, 1));
        assert_eq!(f.line_col(999), (3, 2));
    }

    /// The compact index finds the line of every offset as a list of line starts
    /// does: short and long lines (one, two and three bytes of length), empty lines,
    /// more lines than a mark spans, with and without a last newline.
    #[test]
    fn the_line_index_agrees_with_a_list_of_line_starts() {
        let mut texts = vec![String::new(), "\n".into(), "\n\n\n".into(), "x".into()];
        let lengths = [0usize, 1, 5, 126, 127, 128, 300, 16_383, 16_384, 20_000];
        for n in [1usize, 63, 64, 65, 129, 200] {
            let text: String = (0..n)
                .map(|i| format!("{}\n", "a".repeat(lengths[i * 7 % lengths.len()])))
                .collect();
            texts.push(text.clone());
            texts.push(format!("{text}tail"));
        }
        for text in &texts {
            let starts: Vec<u32> = std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
                .collect();
            let index = LineIndex::new(text);
            for offset in 0..=text.len() as u32 + 2 {
                let line = starts.partition_point(|s| *s <= offset).max(1);
                let want = (line, starts[line - 1]);
                assert_eq!(
                    index.line_of(offset),
                    want,
                    "offset {offset} of {:?}",
                    text.len()
                );
            }
        }
    }

    #[test]
    fn released_texts_keep_every_line_and_column() {
        let texts = [
            "{\"a\": 1,\n  \"b\": [2, 3]\n}\n",
            "ab\ncé\nd",
            "one line without a newline",
            "",
        ];
        let mut map = SourceMap::default();
        for (i, t) in texts.iter().enumerate() {
            map.add(SourceFile::new(
                Path::new(&format!("{i}.json")),
                (*t).into(),
            ));
        }
        let before: Vec<Vec<(usize, usize)>> = map
            .files()
            .map(|(_, f)| {
                (0..=f.text.len() as u32 + 2)
                    .map(|o| f.line_col(o))
                    .collect()
            })
            .collect();
        map.release_texts();
        for ((_, f), want) in map.files().zip(&before) {
            let got: Vec<_> = (0..want.len() as u32).map(|o| f.line_col(o)).collect();
            assert_eq!(&got, want, "{}", f.name);
        }
        // The ASCII files let go of their text; the one with `é` keeps it.
        let kept: Vec<bool> = map.files().map(|(_, f)| !f.text.is_empty()).collect();
        assert_eq!(kept, [false, true, false, false]);
    }

    /// Spans of files let go are read again: a file whole the first time, then a
    /// span alone (the file held stays), and nothing once the file has changed (same
    /// length, in place); a byte-order mark before the text is skipped; a text made by
    /// iampath stays.
    #[test]
    fn quotes_read_spans_again_and_nothing_of_a_changed_file() {
        use std::time::{Duration, SystemTime};
        let dir = tempfile::tempdir().expect("a temporary folder");
        let a_text = "{\"a\": \"first\", \"b\": \"second\"}\n";
        let b_text = "{\"c\": \"third\"}\n";
        let a = dir.path().join("a.json");
        let b = dir.path().join("b.json");
        std::fs::write(&a, a_text).expect("written");
        std::fs::write(&b, format!("\u{feff}{b_text}")).expect("written");
        let mut map = SourceMap::default();
        let ia = map.add(SourceFile::new(&a, a_text.into()));
        let ib = map.add(SourceFile::new(&b, b_text.into()));
        let im = map.add(SourceFile::made("<bundled>/x.json", "{}".into()));
        map.release_texts_to_reread();
        let span = |file, text: &str, part: &str| {
            let start = text.find(part).expect("in the text") as u32;
            Span {
                file,
                start,
                end: start + part.len() as u32,
            }
        };
        let mut q = Quotes::new(&map);
        assert_eq!(q.at(span(ia, a_text, "\"first\"")), Some("\"first\""));
        assert_eq!(q.at(span(ib, b_text, "\"third\"")), Some("\"third\""));
        assert_eq!(q.at(span(ia, a_text, "\"second\"")), Some("\"second\""));
        assert!(
            q.held.as_ref().is_some_and(|(h, _)| *h == ib),
            "b stays held"
        );
        assert_eq!(q.of(im).map(|(_, t)| t.to_string()), Some("{}".into()));
        // The same length, another text, a later modification time.
        let changed = a_text.replace("first", "fir5t");
        std::fs::write(&a, &changed).expect("written");
        let later = SystemTime::now() + Duration::from_secs(10);
        let f = std::fs::File::options()
            .write(true)
            .open(&a)
            .expect("opened");
        f.set_modified(later).expect("modification time set");
        drop(f);
        assert_eq!(q.at(span(ia, a_text, "\"second\"")), None);
        assert_eq!(q.at(span(ia, a_text, "\"first\"")), None);
        assert!(Quotes::new(&map).of(ia).is_none());
        assert_eq!(q.at(span(ib, b_text, "\"c\"")), Some("\"c\""));
    }
}
