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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_binary_and_other_encodings() {
        assert_eq!(decode(b"caf\xc3\xa9\n".to_vec()), Ok("café\n".into()));
        assert_eq!(decode(b"a\x00b".to_vec()), Err(NotText::Binary));
        assert_eq!(decode(b"caf\xe9".to_vec()), Err(NotText::NotUtf8 { valid_up_to: 3 }));
    }
}
