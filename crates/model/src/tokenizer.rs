//! The model's tokenizer, built from the GGUF metadata, with byte-exact decoding.
//!
//! Text from outside (code, messages) is always encoded as plain text: a file that contains
//! `<|im_end|>` gets the tokens of those characters, never the special token. Special tokens
//! enter a prompt only through the prompt format's templates (see `format`).

use candle_core::quantized::gguf_file;
use candle_core::quantized::tokenizer::TokenizerFromGguf;
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum TokenizerError {
    #[error("building the tokenizer from the GGUF metadata: {0}")]
    Build(String),
    #[error("encoding text: {0}")]
    Encode(String),
}

/// A byte-level BPE tokenizer with a table of each token's bytes.
pub struct TextTokenizer {
    inner: tokenizers::Tokenizer,
    /// The bytes each token id stands for, so that decoding is exact even when a token holds
    /// part of a multi-byte character.
    token_bytes: Vec<Vec<u8>>,
    /// Which ids are special tokens (`<|fim_middle|>`): never text a healed answer begins with.
    special: Vec<bool>,
    by_text: HashMap<String, u32>,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer").field("vocab", &self.token_bytes.len()).finish()
    }
}

impl TextTokenizer {
    /// The tokenizer of a GGUF file, reading only its metadata.
    pub fn load(path: &std::path::Path) -> Result<Self, TokenizerError> {
        let mut file = std::fs::File::open(path)
            .map_err(|e| TokenizerError::Build(format!("opening {}: {e}", path.display())))?;
        let content = gguf_file::Content::read(&mut file)
            .map_err(|e| TokenizerError::Build(format!("reading {}: {e}", path.display())))?;
        Self::from_gguf(&content)
    }

    pub fn from_gguf(content: &gguf_file::Content) -> Result<Self, TokenizerError> {
        let mut inner =
            tokenizers::Tokenizer::from_gguf(content).map_err(|e| TokenizerError::Build(e.to_string()))?;
        inner.set_encode_special_tokens(true);
        let vocab = inner.get_vocab(true);
        let size = vocab.values().copied().max().map_or(0, |m| m as usize + 1);
        let unmap = byte_level_inverse();
        let mut token_bytes = vec![Vec::new(); size];
        let added = inner.get_added_tokens_decoder();
        let mut special = vec![false; size];
        for (text, &id) in &vocab {
            let bytes: Option<Vec<u8>> = text.chars().map(|c| unmap.get(&c).copied()).collect();
            // Added tokens (`<|im_end|>`) are stored as their literal text.
            token_bytes[id as usize] = bytes.unwrap_or_else(|| text.as_bytes().to_vec());
            special[id as usize] = added.get(&id).is_some_and(|t| t.special);
        }
        Ok(Self { inner, token_bytes, special, by_text: vocab })
    }

    /// Tokens of `text`, taken as plain text (special-token strings are not recognized).
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, TokenizerError> {
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let enc = self.inner.encode_fast(text, false).map_err(|e| TokenizerError::Encode(e.to_string()))?;
        Ok(enc.get_ids().to_vec())
    }

    /// The id of a token given by its exact text (used for special tokens).
    pub fn token_id(&self, text: &str) -> Option<u32> {
        self.by_text.get(text).copied()
    }

    /// The bytes of one token; empty for an id outside the vocabulary.
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.token_bytes.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// Rules out (sets to -inf) the logits of every token whose bytes do not agree with `owed`:
    /// a token agrees when it begins with `owed`, or is a non-empty start of it.
    pub fn keep_agreeing(&self, logits: &mut [f32], owed: &[u8]) {
        for ((l, bytes), special) in logits.iter_mut().zip(&self.token_bytes).zip(&self.special) {
            let agrees =
                !special && !bytes.is_empty() && (bytes.starts_with(owed) || owed.starts_with(bytes));
            if !agrees {
                *l = f32::NEG_INFINITY;
            }
        }
        // Ids past the vocabulary's table (padding rows of the output matrix) are no text.
        logits.iter_mut().skip(self.token_bytes.len()).for_each(|l| *l = f32::NEG_INFINITY);
    }

    /// Decodes tokens to text, replacing invalid UTF-8 (only possible for a cut sequence).
    pub fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids.iter().flat_map(|&id| self.token_bytes(id).iter().copied()).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// The inverse of GPT-2's byte-to-character table: byte-level BPE vocabularies write each byte
/// as a printable character, the printable ASCII and Latin-1 bytes as themselves and the rest as
/// the characters from U+0100 on, in byte order.
fn byte_level_inverse() -> HashMap<char, u8> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut map = HashMap::with_capacity(256);
    let mut next = 0u32;
    for b in 0..=255u8 {
        let c = if printable(b) {
            char::from(b)
        } else {
            next += 1;
            char::from_u32(0x100 + next - 1).unwrap_or(char::REPLACEMENT_CHARACTER)
        };
        map.insert(c, b);
    }
    map
}

/// Turns a stream of token bytes into text pieces that are whole UTF-8 characters.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Adds bytes and returns the longest prefix of what is pending that is complete text.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // A sequence that can still be completed waits; an invalid one is replaced.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => {
                let text = String::from_utf8_lossy(&self.pending).into_owned();
                self.pending.clear();
                return text;
            }
        };
        let rest = self.pending.split_off(valid);
        String::from_utf8(std::mem::replace(&mut self.pending, rest)).unwrap_or_default()
    }

    /// What is left at the end of the stream, with any cut character replaced.
    pub fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_table_is_a_bijection() {
        let m = byte_level_inverse();
        assert_eq!(m.len(), 256);
        assert_eq!(m[&'Ġ'], b' ');
        assert_eq!(m[&'Ċ'], b'\n');
        assert_eq!(m[&'a'], b'a');
    }

    #[test]
    fn utf8_stream_holds_back_cut_characters() {
        let mut s = Utf8Stream::default();
        let e = "é".as_bytes();
        assert_eq!(s.push(b"caf"), "caf");
        assert_eq!(s.push(&e[..1]), "");
        assert_eq!(s.push(&e[1..]), "é");
        assert_eq!(s.push(&[0xff, b'x']), "\u{fffd}x");
        assert_eq!(s.push(&e[..1]), "");
        assert_eq!(s.finish(), "\u{fffd}");
    }
}
