//! The container layout shared by `data/aws/services.bin` and `data/aws/managed.bin`,
//! written by `scripts/pack_aws_data.py` (its docstring is the format's reference).
//!
//! ```text
//! magic   8 bytes
//! count   u32 LE
//! headers count x (entry fields, u32 LE offset, u32 LE length)
//! blobs   zlib streams; offsets count from the end of the headers
//! ```
//!
//! Nothing here panics on malformed input: a bad container parses to `None`, a bad
//! stream inflates to `None`.

use std::io::Read;

/// A little-endian reader over a byte slice that never reads past the end.
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Cursor { bytes, pos: 0 }
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    pub(super) fn u8(&mut self) -> Option<u8> {
        self.array::<1>().map(|[b]| b)
    }

    pub(super) fn u16(&mut self) -> Option<u16> {
        self.array().map(u16::from_le_bytes)
    }

    pub(super) fn u32(&mut self) -> Option<u32> {
        self.array().map(u32::from_le_bytes)
    }

    /// A string prefixed with its `u8` byte length.
    pub(super) fn str8(&mut self) -> Option<&'a str> {
        let n = self.u8()?;
        std::str::from_utf8(self.take(usize::from(n))?).ok()
    }

    /// A string prefixed with its `u16` byte length.
    pub(super) fn str16(&mut self) -> Option<&'a str> {
        let n = self.u16()?;
        std::str::from_utf8(self.take(usize::from(n))?).ok()
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }
}

/// Splits a container into entries: whatever `header` reads from each entry's
/// fields, and the entry's compressed blob. `None` if anything is out of place.
pub(super) fn parse<H>(
    bytes: &'static [u8],
    magic: &[u8; 8],
    mut header: impl FnMut(&mut Cursor<'static>) -> Option<H>,
) -> Option<Vec<(H, &'static [u8])>> {
    let mut cur = Cursor::new(bytes);
    if cur.take(magic.len())? != magic {
        return None;
    }
    let count = usize::try_from(cur.u32()?).ok()?;
    // Every entry header takes at least 8 bytes: refuse absurd counts up front.
    if count > bytes.len() / 8 {
        return None;
    }
    let mut heads = Vec::with_capacity(count);
    for _ in 0..count {
        let head = header(&mut cur)?;
        let offset = usize::try_from(cur.u32()?).ok()?;
        let len = usize::try_from(cur.u32()?).ok()?;
        heads.push((head, offset, len));
    }
    let blobs = cur.rest();
    heads
        .into_iter()
        .map(|(head, offset, len)| {
            let blob = blobs.get(offset..offset.checked_add(len)?)?;
            Some((head, blob))
        })
        .collect()
}

/// Inflates one zlib stream.
pub(super) fn inflate(blob: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(blob.len().saturating_mul(6));
    flate2::read::ZlibDecoder::new(blob)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_stops_at_the_end() {
        let mut c = Cursor::new(&[3, b'a', b'b']);
        assert_eq!(c.str8(), None);
        let mut c = Cursor::new(&[1, 0, 0]);
        assert_eq!(c.u16(), Some(1));
        assert_eq!(c.u16(), None);
    }

    #[test]
    fn malformed_containers_are_rejected() {
        static SHORT: &[u8] = b"IAMPSVC\x01\xff\xff\xff\xff";
        assert!(parse(SHORT, b"IAMPSVC\x01", |c| c.str8()).is_none());
        static WRONG: &[u8] = b"NOTMAGIC\0\0\0\0";
        assert!(parse(WRONG, b"IAMPSVC\x01", |c| c.str8()).is_none());
        // One entry whose blob points past the end.
        static PAST: &[u8] = b"IAMPSVC\x01\x01\0\0\0\x01a\0\0\0\0\x09\0\0\0";
        assert!(parse(PAST, b"IAMPSVC\x01", |c| c.str8()).is_none());
        static EMPTY: &[u8] = b"IAMPSVC\x01\0\0\0\0";
        assert_eq!(
            parse(EMPTY, b"IAMPSVC\x01", |c| c.str8()).map(|v| v.len()),
            Some(0)
        );
        assert!(inflate(b"not zlib").is_none());
    }
}
