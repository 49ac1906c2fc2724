//! Telling text from bytes: what every face checks before it puts a file in a prompt.

/// Why bytes are not text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotText {
    /// It holds NUL bytes: a binary file.
    Binary,
    /// Not UTF-8: the offset of the first invalid byte.
    NotUtf8 { valid_up_to: usize },
}

/// `bytes` as text, when they are UTF-8 without NUL bytes.
pub fn decode(bytes: Vec<u8>) -> Result<String, NotText> {
    if bytes.contains(&0) {
        return Err(NotText::Binary);
    }
    String::from_utf8(bytes).map_err(|e| NotText::NotUtf8 { valid_up_to: e.utf8_error().valid_up_to() })
}

/// The nearest char boundary of `s` at or before `i` (clamped to its length).
pub fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The nearest char boundary of `s` at or after `i` (clamped to its length).
pub fn ceil_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_binary_and_other_encodings() {
        assert_eq!(decode(b"caf\xc3\xa9\n".to_vec()), Ok("café\n".into()));
        assert_eq!(decode(b"a\x00b".to_vec()), Err(NotText::Binary));
        assert_eq!(decode(b"caf\xe9".to_vec()), Err(NotText::NotUtf8 { valid_up_to: 3 }));
    }

    #[test]
    fn char_boundaries_round_down_or_up_and_clamp() {
        let s = "aé"; // é is bytes 1..3
        assert_eq!((floor_char_boundary(s, 2), ceil_char_boundary(s, 2)), (1, 3));
        assert_eq!((floor_char_boundary(s, 9), ceil_char_boundary(s, 9)), (3, 3));
    }
}
