//! A guard in front of the JSON-RPC transport. tower-lsp-server stops reading its input at the
//! first message it cannot decode, which would end the session; so input frames are checked
//! here first. Well-formed messages pass through unchanged; a malformed one is answered with a
//! JSON-RPC error (parse error, or invalid request with its id) and dropped, and a broken header
//! is skipped up to the next frame. Output frames from the server and these error answers are
//! written whole, one at a time.

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;

/// The largest message accepted (a whole file is sent on open; this leaves room for big ones).
pub const MAX_MESSAGE: usize = 64 << 20;

/// One step of reading a frame.
#[derive(Debug)]
pub enum Frame {
    Body(Vec<u8>),
    /// A header block without a usable `Content-Length`, or a body over the limit (skipped).
    Bad(String),
    End,
}

/// Reads the next frame: header lines up to an empty line, then `Content-Length` bytes.
pub async fn read_frame<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Frame> {
    let mut length: Option<Result<usize, String>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        if r.read_until(b'\n', &mut line).await? == 0 {
            return Ok(if saw_header {
                Frame::Bad("input ended inside a header".into())
            } else {
                Frame::End
            });
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                continue; // stray blank line between frames
            }
            break;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(
                value.trim().parse::<usize>().map_err(|_| format!("bad Content-Length `{}`", value.trim())),
            );
        }
    }
    match length {
        None => Ok(Frame::Bad("a header without Content-Length".into())),
        Some(Err(e)) => Ok(Frame::Bad(e)),
        Some(Ok(n)) if n > MAX_MESSAGE => {
            tokio::io::copy(&mut r.take(n as u64), &mut tokio::io::sink()).await?;
            Ok(Frame::Bad(format!("a message of {n} bytes (the limit is {MAX_MESSAGE})")))
        }
        Some(Ok(n)) => {
            let mut body = vec![0; n];
            r.read_exact(&mut body).await?;
            Ok(Frame::Body(body))
        }
    }
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    [format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes(), body].concat()
}

/// Why a body is not a JSON-RPC message the server can take, with the error to answer.
fn check(body: &[u8]) -> Result<(), Value> {
    let error = |code: i64, message: String, id: Value| json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    let v: Value =
        serde_json::from_slice(body).map_err(|e| error(-32700, format!("parse error: {e}"), Value::Null))?;
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    let valid_id = matches!(id, Value::Null | Value::Number(_) | Value::String(_));
    let is_request = v.get("method").is_some_and(Value::is_string);
    let is_response = v.get("id").is_some() && (v.get("result").is_some() || v.get("error").is_some());
    if !v.is_object() || v.get("jsonrpc") != Some(&json!("2.0")) || !valid_id || !(is_request || is_response)
    {
        let id = if valid_id { id } else { Value::Null };
        return Err(error(-32600, "invalid request: not a JSON-RPC 2.0 message".into(), id));
    }
    Ok(())
}

/// Copies good frames from `input` to `server`; answers bad ones through `replies`.
pub async fn guard_input<R, W>(input: R, mut server: W, replies: mpsc::UnboundedSender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut input = BufReader::new(input);
    loop {
        let next = read_frame(&mut input).await;
        let body = match next {
            Ok(Frame::Body(body)) => body,
            Ok(Frame::End) | Err(_) => break,
            Ok(Frame::Bad(why)) => {
                eprintln!("tandem: dropped a malformed message: {why}");
                let reply = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": why}});
                let _ = replies.send(frame(reply.to_string().as_bytes()));
                continue;
            }
        };
        match check(&body) {
            Ok(()) => {
                if server.write_all(&frame(&body)).await.is_err() {
                    break;
                }
            }
            Err(reply) => {
                eprintln!("tandem: dropped a malformed message: {}", reply["error"]["message"]);
                let _ = replies.send(frame(reply.to_string().as_bytes()));
            }
        }
    }
    // Closing the server's input ends the session as a closed stdin would.
    let _ = server.shutdown().await;
}

/// Forwards the server's frames to `output`, interleaving the guard's replies between frames.
pub async fn pump_output<R, W>(
    from_server: R,
    replies: mpsc::UnboundedSender<Vec<u8>>,
    mut all: mpsc::UnboundedReceiver<Vec<u8>>,
    mut output: W,
) where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin,
{
    tokio::spawn(async move {
        let mut r = BufReader::new(from_server);
        while let Ok(Frame::Body(body)) = read_frame(&mut r).await {
            if replies.send(frame(&body)).is_err() {
                break;
            }
        }
    });
    while let Some(bytes) = all.recv().await {
        if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_rpc_messages_pass() {
        assert!(check(br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","method":"exit"}"#).is_ok());
        assert!(check(br#"{"jsonrpc":"2.0","id":"a","result":null}"#).is_ok());
        assert_eq!(check(b"{oops").unwrap_err()["error"]["code"], -32700);
        let e = check(br#"{"jsonrpc":"2.0","id":7,"params":{}}"#).unwrap_err();
        assert_eq!((e["error"]["code"].clone(), e["id"].clone()), (json!(-32600), json!(7)));
        assert_eq!(check(br#"[1,2]"#).unwrap_err()["error"]["code"], -32600);
        assert_eq!(check(br#"{"jsonrpc":"1.0","method":"x"}"#).unwrap_err()["error"]["code"], -32600);
    }

    #[tokio::test]
    async fn frames_are_read_and_broken_headers_skipped() {
        let input = b"Content-Length: 2\r\n\r\n{}X-Junk: 1\r\n\r\nContent-Length: nope\r\n\r\nContent-Length: 3\r\n\r\n[1]";
        let mut r = BufReader::new(&input[..]);
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::Body(b) if b == b"{}"));
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::Bad(_)));
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::Bad(_)));
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::Body(b) if b == b"[1]"));
        assert!(matches!(read_frame(&mut r).await.unwrap(), Frame::End));
    }
}
