//! Base64 for `BinaryEquals`: values compare by their decoded bytes.
//!
//! Standard alphabet (`+` `/`); [unconfirmed] the `=` padding may be left out, and bits
//! left over after the last full byte are ignored.

/// Decodes `text`; `None` when it is not base64.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 2);
    decode_each(text, |b| {
        out.push(b);
        true
    })
    .then_some(out)
}

/// Whether `text` decodes to exactly `bytes` (without allocating).
pub fn decodes_to(text: &str, bytes: &[u8]) -> bool {
    let mut at = 0usize;
    let ok = decode_each(text, |b| {
        let same = bytes.get(at) == Some(&b);
        at += 1;
        same
    });
    ok && at == bytes.len()
}

/// Feeds each decoded byte to `f`; stops and returns false when `f` does, or when the
/// text is not base64.
fn decode_each(text: &str, mut f: impl FnMut(u8) -> bool) -> bool {
    let body = text.trim_end_matches('=');
    let padding = text.len() - body.len();
    if padding > 2 || (padding > 0 && text.len() % 4 != 0) || body.len() % 4 == 1 {
        return false;
    }
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in body.bytes() {
        let Some(v) = sextet(b) else {
            return false;
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            let byte = ((acc >> bits) & 0xff) as u8;
            acc &= (1 << bits) - 1;
            if !f(byte) {
                return false;
            }
        }
    }
    true
}

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        assert_eq!(decode(""), Some(vec![]));
        assert_eq!(decode("Zg=="), Some(b"f".to_vec()));
        assert_eq!(decode("Zg"), Some(b"f".to_vec()));
        assert_eq!(decode("Zm8="), Some(b"fo".to_vec()));
        assert_eq!(decode("Zm9v"), Some(b"foo".to_vec()));
        assert_eq!(decode("Zm9vYmFy"), Some(b"foobar".to_vec()));
        assert_eq!(decode("/+/+"), Some(vec![0xff, 0xef, 0xfe]));
        for bad in ["Z", "Zg=", "Zg===", "Zm9v!", "Zm 9v", "Zg==Zg==", "-_8="] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn compares_without_decoding_into_a_buffer() {
        assert!(decodes_to("Zm9v", b"foo"));
        assert!(decodes_to("Zm9v", &[0x66, 0x6f, 0x6f]));
        assert!(!decodes_to("Zm9v", b"fo"));
        assert!(!decodes_to("Zm8=", b"foo"));
        assert!(!decodes_to("Zm9v!", b"foo"));
    }
}
