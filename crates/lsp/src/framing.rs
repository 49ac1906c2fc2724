//! A guard in front of the JSON-RPC transport.
//!
//! tower-lsp-server stops reading its input at the first frame or message it cannot decode, and
//! the session ends with it. So the client's input is read here first, by rules that never give up:
//!
//! - Framing ([`FrameReader`]): a frame is header lines up to an empty line, then
//!   `Content-Length` bytes. Header lines and their number are bounded. A broken header block (no
//!   or a bad `Content-Length`, a line that is not a header, too long, too many) is answered with
//!   a parse error and skipped up to the next `Content-Length` in the input, so junk costs only
//!   itself and the frames after it are read as usual.
//! - Messages ([`check`]): a body goes on to the server only if it is a JSON-RPC 2.0 request,
//!   notification or response that tower-lsp-server decodes, and what goes on is the message
//!   re-serialized from what was checked, so both sides read the same thing (a key given twice or
//!   a number written oddly cannot mean one thing here and another there). Anything else is
//!   answered with a JSON-RPC error, -32700 (parse error) or -32600 (invalid request, with the
//!   request's id when it has one the client can match), and dropped.
//! - Output ([`pump_output`]): the server's frames and these error replies share one bounded
//!   queue to the client. The guard never waits on it: when the client is not reading and the
//!   queue is full, an error reply is dropped (and counted) rather than the input left unread.

use crate::log;
use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::{Map, Value, json};
use std::fmt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{self, error::TrySendError};
use tower_lsp_server::jsonrpc;

/// The largest message accepted (a whole file is sent on open; this leaves room for big ones).
pub const MAX_MESSAGE: usize = 64 << 20;
/// The longest header line accepted, with its line end; real ones are a few dozen bytes.
pub const MAX_HEADER_LINE: usize = 1024;
/// The most header lines in one frame (LSP defines two).
pub const MAX_HEADERS: usize = 32;
/// How much input is asked for at a time.
const CHUNK: usize = 16 << 10;
/// What a frame starts with, looked for (in any case) to find the next frame after junk.
const CONTENT_LENGTH: &[u8] = b"content-length";
/// Malformed messages logged one by one at the start of a session; after that only every
/// power of two, with the count, so a flood costs a few lines of log and not one per frame.
const LOGGED: u64 = 10;

/// One step of reading a frame.
#[derive(Debug)]
pub enum Frame {
    Body(Vec<u8>),
    /// A broken header block or a body over the limit (skipped).
    Bad(String),
    End,
}

/// What one header line says: `Some(n)` for `Content-Length: n`, `None` for another header
/// (ignored: the server reads JSON in UTF-8 whatever `Content-Type` says), or why it is none.
fn header_line(line: &[u8]) -> Result<Option<usize>, String> {
    let not_a_header = || "a line that is not a header".to_owned();
    let (name, value) = line.split_at(line.iter().position(|&b| b == b':').ok_or_else(not_a_header)?);
    if name.is_empty() || !name.iter().all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
    {
        return Err(not_a_header());
    }
    if !name.eq_ignore_ascii_case(CONTENT_LENGTH) {
        return Ok(None);
    }
    let value = value[1..].trim_ascii();
    // Digits only: `usize::from_str` would also take a sign.
    let n = std::str::from_utf8(value)
        .ok()
        .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|v| v.parse::<usize>().ok());
    match n {
        Some(n) if n <= MAX_MESSAGE => Ok(Some(n)),
        Some(n) => Err(format!("a message of {n} bytes (the limit is {MAX_MESSAGE})")),
        None => Err(format!("bad Content-Length {:?}", shorten(&String::from_utf8_lossy(value)))),
    }
}

/// At most 40 characters of `s`, to quote input in a message without echoing all of it (quoted
/// with `{:?}`, so that control characters are escaped on their way to a log or an editor).
fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat()
}

/// What a header block says.
enum Header {
    Length(usize),
    Broken(String),
    End,
}

/// Reads frames from a client, which may send anything. Memory is bounded by the header limits
/// and the largest message; after a broken header block it skips to the next `Content-Length`
/// in the input (see [`FrameReader::next`]).
#[derive(Debug)]
pub struct FrameReader<R> {
    input: R,
    /// Input read and not yet taken: `buf[start..]`.
    buf: Vec<u8>,
    start: usize,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub fn new(input: R) -> Self {
        Self { input, buf: Vec::new(), start: 0 }
    }

    /// The next frame's body; or a broken frame, after which the input has been skipped up to
    /// the next `Content-Length` (in any case) past the broken frame's start, where the next
    /// frame presumably begins; or the end of the input (also inside a body: nothing follows).
    pub async fn next(&mut self) -> std::io::Result<Frame> {
        match self.header().await? {
            Header::Length(n) => self.body(n).await,
            Header::Broken(why) => {
                self.resync().await?;
                Ok(Frame::Bad(why))
            }
            Header::End => Ok(Frame::End),
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Reads more input after what is pending; false at the end of the input.
    async fn fill(&mut self) -> std::io::Result<bool> {
        self.buf.drain(..self.start);
        self.start = 0;
        self.buf.reserve(CHUNK);
        Ok(self.input.read_buf(&mut self.buf).await? > 0)
    }

    /// Parses the header block at the start of the pending input, reading more as needed. The
    /// block is taken only when it is good: a broken one is left for [`Self::resync`].
    async fn header(&mut self) -> std::io::Result<Header> {
        let mut at = 0; // where the next line starts in `pending()`
        let mut lines = 0;
        let mut length = None;
        loop {
            let end = loop {
                let rest = &self.pending()[at..];
                if let Some(i) = rest.iter().take(MAX_HEADER_LINE).position(|&b| b == b'\n') {
                    break at + i;
                }
                if rest.len() >= MAX_HEADER_LINE {
                    return Ok(Header::Broken(format!("a header line over {MAX_HEADER_LINE} bytes")));
                }
                if !self.fill().await? {
                    return Ok(if self.pending().is_empty() {
                        Header::End
                    } else {
                        Header::Broken("the input ended inside a header".into())
                    });
                }
            };
            let line = &self.pending()[at..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let parsed = if line.is_empty() { None } else { Some(header_line(line)) };
            at = end + 1;
            match parsed {
                // A blank line between frames.
                None if lines == 0 => {
                    self.consume(at);
                    at = 0;
                }
                None => break,
                Some(_) if lines == MAX_HEADERS => {
                    return Ok(Header::Broken(format!("more than {MAX_HEADERS} header lines")));
                }
                Some(Ok(Some(n))) if length.is_some_and(|l| l != n) => {
                    return Ok(Header::Broken("conflicting Content-Length headers".into()));
                }
                Some(Ok(n)) => {
                    lines += 1;
                    length = n.or(length);
                }
                Some(Err(why)) => return Ok(Header::Broken(why)),
            }
        }
        let Some(n) = length else { return Ok(Header::Broken("a header without Content-Length".into())) };
        self.consume(at);
        Ok(Header::Length(n))
    }

    /// Skips the input up to the next `Content-Length` after the first pending byte (the start
    /// of the broken frame, whose own header must not be found again). Junk is dropped as it
    /// is scanned, keeping only what could be the start of the next match.
    async fn resync(&mut self) -> std::io::Result<()> {
        self.consume(self.pending().len().min(1));
        loop {
            let pending = self.pending();
            if let Some(i) =
                pending.windows(CONTENT_LENGTH.len()).position(|w| w.eq_ignore_ascii_case(CONTENT_LENGTH))
            {
                self.consume(i);
                return Ok(());
            }
            self.consume(pending.len().saturating_sub(CONTENT_LENGTH.len() - 1));
            if !self.fill().await? {
                self.consume(self.pending().len());
                return Ok(());
            }
        }
    }

    /// A body of `n` bytes: what is pending, then the rest straight from the input, the buffer
    /// growing as bytes come rather than sized up front from a number the client sent.
    async fn body(&mut self, n: usize) -> std::io::Result<Frame> {
        let have = n.min(self.pending().len());
        let mut body = self.pending()[..have].to_vec();
        self.consume(have);
        (&mut self.input).take((n - have) as u64).read_to_end(&mut body).await?;
        Ok(if body.len() == n { Frame::Body(body) } else { Frame::End })
    }
}

/// Why a message is not passed on: the JSON-RPC error it is answered with.
#[derive(Debug)]
struct Rejected {
    code: i64,
    message: String,
    id: Value,
}

impl Rejected {
    fn parse_error(why: impl fmt::Display) -> Self {
        Self { code: -32700, message: format!("parse error: {why}"), id: Value::Null }
    }

    fn invalid(why: impl fmt::Display, id: Value) -> Self {
        Self { code: -32600, message: format!("invalid request: {why}"), id }
    }

    fn reply(&self) -> Vec<u8> {
        let error = json!({"code": self.code, "message": self.message});
        frame(json!({"jsonrpc": "2.0", "id": self.id, "error": error}).to_string().as_bytes())
    }
}

/// A JSON object's members in order, a key given twice kept twice (a `Value` keeps the last one
/// silently, while tower-lsp-server fails on a field given twice).
struct Members(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Members {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> Visitor<'de> for Object {
            type Value = Members;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        d.deserialize_map(Object)
    }
}

/// An `id` tower-lsp-server takes: a 64-bit signed integer (not `1.0`, `1e3`, `-0` or
/// 2^64 - 1, which are floats or too big), a string, or null.
fn is_id(id: &Value) -> bool {
    matches!(id, Value::Null | Value::String(_)) || id.is_i64()
}

/// An `error` tower-lsp-server takes: exactly a 64-bit integer `code`, a string `message` and
/// optionally `data`.
fn is_error(error: &Value) -> bool {
    error.as_object().is_some_and(|e| {
        e.get("code").is_some_and(Value::is_i64)
            && e.get("message").is_some_and(Value::is_string)
            && e.keys().all(|k| matches!(k.as_str(), "code" | "message" | "data"))
    })
}

/// Checks a body against what tower-lsp-server decodes, and gives the bytes to pass on: the
/// message re-serialized from what was parsed, with only its kind's fields. The rules are
/// JSON-RPC 2.0's (stricter than tower-lsp-server in places: a request with `result`, primitive
/// `params`), and the result is decoded with tower-lsp-server's own types before it is passed
/// on, so a gap between these rules and its decoding costs an error reply, not the session.
fn check(body: &[u8]) -> Result<Vec<u8>, Rejected> {
    let members = match serde_json::from_slice::<Members>(body) {
        Ok(Members(members)) => members,
        // The error would quote the value: tell apart JSON that is not an object from broken
        // JSON without echoing either.
        Err(e) if e.is_data() => {
            return Err(match serde_json::from_slice::<IgnoredAny>(body) {
                Ok(_) => Rejected::invalid("not a JSON object", Value::Null),
                Err(e) => Rejected::parse_error(e),
            });
        }
        Err(e) => return Err(Rejected::parse_error(e)),
    };
    let mut fields = Map::new();
    let mut twice = Vec::new();
    for (key, value) in members {
        if fields.contains_key(&key) {
            twice.push(key);
        } else {
            fields.insert(key, value);
        }
    }
    let has = |key: &str| fields.contains_key(key);
    // The id to answer with, when the client can match it to a request of its own: not that of
    // a response (its id is one of the server's requests), nor one given twice.
    let is_response = !has("method") && (has("result") || has("error"));
    let id = match fields.get("id") {
        Some(id) if is_id(id) && !is_response && !twice.iter().any(|k| k == "id") => id.clone(),
        _ => Value::Null,
    };
    let invalid = |why: &str| Err(Rejected::invalid(why, id.clone()));
    if let Some(key) = twice.first() {
        return Err(Rejected::invalid(format!("{:?} is given twice", shorten(key)), id.clone()));
    }
    if fields.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return invalid("`jsonrpc` must be \"2.0\"");
    }
    let (keys, is_request) = if let Some(method) = fields.get("method") {
        if !method.is_string() {
            return invalid("`method` must be a string");
        }
        if has("result") || has("error") {
            return invalid("a request (`method`) has no `result` or `error`");
        }
        if fields.get("id").is_some_and(|id| !is_id(id)) {
            return invalid("`id` must be a 64-bit integer, a string or null");
        }
        if fields.get("params").is_some_and(|p| !(p.is_object() || p.is_array() || p.is_null())) {
            return invalid("`params` must be an object or an array");
        }
        (["jsonrpc", "id", "method", "params"], true)
    } else if is_response {
        if has("result") && has("error") {
            return invalid("a response has `result` or `error`, not both");
        }
        if !fields.get("id").is_some_and(is_id) {
            return invalid("a response needs an `id`: a 64-bit integer, a string or null");
        }
        if fields.get("error").is_some_and(|e| !is_error(e)) {
            return invalid("`error` must have an integer `code`, a string `message` and maybe `data`");
        }
        (["jsonrpc", "id", "result", "error"], false)
    } else {
        return invalid("no `method`, `result` or `error`");
    };
    let message: Map<String, Value> =
        keys.iter().filter_map(|&k| Some((k.to_owned(), fields.get(k)?.clone()))).collect();
    let bytes = serde_json::to_vec(&message).map_err(Rejected::parse_error)?;
    // tower-lsp-server tries a response first, then a request; a request here has no `result`
    // or `error`, so it is never taken for a response.
    let decodes = if is_request {
        serde_json::from_slice::<jsonrpc::Request>(&bytes).is_ok()
    } else {
        serde_json::from_slice::<jsonrpc::Response>(&bytes).is_ok()
    };
    if !decodes {
        return invalid("not a message the server can decode");
    }
    Ok(bytes)
}

/// Passes good messages from `input` to `server` and answers the rest through `replies`, which
/// it never waits on: a full queue means the client is not reading, and then a reply is dropped
/// (and counted) rather than the input left unread.
pub async fn guard_input<R, W>(input: R, mut server: W, replies: mpsc::Sender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = FrameReader::new(input);
    let (mut malformed, mut dropped) = (0u64, 0u64);
    loop {
        let rejected = match input.next().await {
            Ok(Frame::Body(body)) => match check(&body) {
                Ok(message) => {
                    if server.write_all(&frame(&message)).await.is_err() {
                        break;
                    }
                    continue;
                }
                Err(rejected) => rejected,
            },
            Ok(Frame::Bad(why)) => Rejected::parse_error(why),
            Ok(Frame::End) | Err(_) => break,
        };
        malformed += 1;
        if malformed <= LOGGED || malformed.is_power_of_two() {
            log::line(format!("tandem: dropped malformed message {malformed}: {}", rejected.message));
        }
        if let Err(TrySendError::Full(_)) = replies.try_send(rejected.reply()) {
            dropped += 1;
            if dropped.is_power_of_two() {
                log::line(format!("tandem: {dropped} error replies dropped: the client is not reading"));
            }
        }
    }
    if dropped > 0 {
        log::line(format!("tandem: {dropped} error replies dropped in this session"));
    }
    // Closing the server's input ends the session as a closed stdin would.
    let _ = server.shutdown().await;
}

/// Forwards the server's frames to `output`, interleaving the guard's replies between frames.
/// `queue` and `frames` are the two ends of the bounded queue the guard's replies go through
/// too; the server's frames wait for room in it, as they would for a client reading slowly.
pub async fn pump_output<R, W>(
    from_server: R,
    queue: mpsc::Sender<Vec<u8>>,
    mut frames: mpsc::Receiver<Vec<u8>>,
    mut output: W,
) where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin,
{
    tokio::spawn(async move {
        let mut r = FrameReader::new(from_server);
        loop {
            match r.next().await {
                Ok(Frame::Body(body)) => {
                    if queue.send(frame(&body)).await.is_err() {
                        break;
                    }
                }
                Ok(Frame::Bad(why)) => log::line(format!("tandem: the server wrote a broken frame: {why}")),
                Ok(Frame::End) | Err(_) => break,
            }
        }
    });
    while let Some(bytes) = frames.recv().await {
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &[u8]) -> i64 {
        check(body).unwrap_err().code
    }

    #[test]
    fn only_messages_tower_decodes_pass() {
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","method":"exit"}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":"a","result":null}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":9223372036854775807,"method":"x","params":null}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"error":{"code":-1,"message":"m","data":[]}}"#).is_ok());
        assert_eq!(code(b"{oops"), -32700);
        assert_eq!(code(b""), -32700);
        assert_eq!(code(&[b'['; 200]), -32700); // past serde_json's nesting limit
        assert_eq!(code(br#"[1,2]"#), -32600);
        assert_eq!(code(br#""a string""#), -32600);
        assert_eq!(code(br#"{"jsonrpc":"1.0","method":"x"}"#), -32600);
        assert_eq!(code(br#"{"jsonrpc":2.0,"method":"x"}"#), -32600);
        for id in ["1.5", "1e3", "-0", "18446744073709551615", "true", "[]", "{}"] {
            let body = format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"tandem/metrics"}}"#);
            let e = check(body.as_bytes()).unwrap_err();
            assert_eq!((e.code, e.id), (-32600, Value::Null), "{body}");
        }
        let e = check(br#"{"jsonrpc":"2.0","id":7,"params":{}}"#).unwrap_err();
        assert_eq!((e.code, e.id), (-32600, json!(7)));
        let e = check(br#"{"jsonrpc":"2.0","id":7,"method":"m","params":3}"#).unwrap_err();
        assert_eq!((e.code, e.id), (-32600, json!(7)));
        let e = check(br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"tandem/metrics"}"#).unwrap_err();
        assert_eq!((e.code, e.id), (-32600, Value::Null));
        let e = check(br#"{"jsonrpc":"2.0","id":3,"method":"a","method":"b"}"#).unwrap_err();
        assert_eq!((e.code, e.id), (-32600, json!(3)));
        // Responses: never answered with their id, which is the server's.
        for body in [
            r#"{"jsonrpc":"2.0","id":4,"result":1,"error":{"code":1,"message":"m"}}"#,
            r#"{"jsonrpc":"2.0","id":4,"error":{"code":1.5,"message":"m"}}"#,
            r#"{"jsonrpc":"2.0","id":4,"error":{"code":1,"message":"m","extra":0}}"#,
            r#"{"jsonrpc":"2.0","result":1}"#,
        ] {
            let e = check(body.as_bytes()).unwrap_err();
            assert_eq!((e.code, e.id), (-32600, Value::Null), "{body}");
        }
    }

    #[test]
    fn what_passes_is_the_message_as_checked() {
        let body = br#"{"jsonrpc":"2.0","id":2,"method":"m","params":{"a":1,"a":2},"x":0}"#;
        let passed: Value = serde_json::from_slice(&check(body).unwrap()).unwrap();
        assert_eq!(passed, json!({"jsonrpc": "2.0", "id": 2, "method": "m", "params": {"a": 2}}));
    }

    async fn frames(input: &[u8]) -> Vec<Result<Vec<u8>, String>> {
        let mut r = FrameReader::new(input);
        let mut out = Vec::new();
        loop {
            match r.next().await.unwrap() {
                Frame::Body(b) => out.push(Ok(b)),
                Frame::Bad(why) => out.push(Err(why)),
                Frame::End => return out,
            }
        }
    }

    #[tokio::test]
    async fn broken_headers_are_skipped_up_to_the_next_content_length() {
        let input = b"Content-Length: 2\r\n\r\n{}X-Junk: 1\r\n\r\nContent-Length: nope\r\n\r\ncontent-length: 3\n\n[1]";
        let got = frames(input).await;
        assert!(matches!(&got[..], [Ok(a), Err(_), Err(_), Ok(b)] if a == b"{}" && b == b"[1]"), "{got:?}");
        // Junk with no line end, a body after a bad length, a header line that never ends.
        let long = vec![b'x'; 3 * MAX_HEADER_LINE];
        for junk in [&b"junk"[..], b"Content-Length: -5\r\n\r\nhello", &long, b"\r\n\r\n\r\n"] {
            let input = [junk, b"Content-Length: 2\r\n\r\n{}"].concat();
            let got = frames(&input).await;
            assert!(matches!(got.last(), Some(Ok(b)) if b == b"{}"), "{got:?}");
            assert!(got.len() <= 2, "{got:?}");
        }
        let many = "X: 1\r\n".repeat(MAX_HEADERS + 1) + "\r\n";
        let got = frames(format!("{many}Content-Length: 1\r\n\r\n1").as_bytes()).await;
        assert!(matches!(&got[..], [Err(_), Ok(b)] if b == b"1"), "{got:?}");
    }
}
