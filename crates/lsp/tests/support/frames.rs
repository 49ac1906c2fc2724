//! Reads the server's `Content-Length` framed messages off the client's end of the pipe (shared
//! by the in-process LSP tests through `#[path]`).

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader, DuplexStream};
use tokio::sync::mpsc;

/// Sends each message the server writes to `tx`, until the pipe closes.
pub async fn read_messages(r: tokio::io::ReadHalf<DuplexStream>, tx: mpsc::UnboundedSender<Value>) {
    let mut r = BufReader::new(r);
    loop {
        let mut len = 0usize;
        loop {
            let mut line = String::new();
            if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).await.unwrap();
        let _ = tx.send(serde_json::from_slice(&body).unwrap());
    }
}
