//! A small HTTP/1.1 server on a loopback socket that speaks the OpenAI wire format for tests:
//! each request is recorded (method, path, headers, body) and answered by a script of steps —
//! a status line and headers, data written as chunks (chunked) or raw (close-delimited), pauses,
//! a stall, an abrupt close. Shared by the model, engine and CLI tests (`#[path]`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// How the body of a response is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Chunked,
    /// The body ends when the connection closes.
    Close,
}

#[derive(Clone, Debug)]
pub enum Step {
    /// Status line and headers (`Connection: close` is added).
    Head {
        status: u16,
        headers: Vec<(String, String)>,
        framing: Framing,
    },
    /// Bytes of the body (one chunk when chunked).
    Data(String),
    Sleep(Duration),
    /// Say nothing more until the test ends (at most 60 s).
    Stall,
    /// Close the connection at once, without ending the body properly.
    Abort,
    /// A complete response with a `Content-Length` body.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
}

type Script = dyn Fn(usize, &Recorded) -> Vec<Step> + Send + Sync;

/// The server; stops when dropped.
pub struct Loopback {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Recorded>>>,
    raw: Arc<Mutex<Vec<u8>>>,
    stop: Arc<AtomicBool>,
}

impl Loopback {
    /// Serves each request (numbered from 0) with the steps `script` returns for it.
    pub fn start(script: impl Fn(usize, &Recorded) -> Vec<Step> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let raw: Arc<Mutex<Vec<u8>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let script: Arc<Script> = Arc::new(script);
        let (l, r, s) = (log.clone(), raw.clone(), stop.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (l, r, s, script) = (l.clone(), r.clone(), s.clone(), script.clone());
                std::thread::spawn(move || serve(conn, &l, &r, &s, &*script));
            }
        });
        Self { addr, log, raw, stop }
    }

    /// The base URL, `http://127.0.0.1:PORT/v1`.
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// Every byte the server received, requests and headers included.
    pub fn received_bytes(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

fn serve(
    conn: TcpStream,
    log: &Mutex<Vec<Recorded>>,
    raw: &Mutex<Vec<u8>>,
    stop: &AtomicBool,
    script: &Script,
) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone socket"));
    let mut head = String::new();
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        head.push_str(&line);
        if line == "\r\n" || line == "\n" {
            break;
        }
        lines.push(line.trim_end().to_owned());
    }
    let mut first = lines.first().map(|l| l.split(' ')).into_iter().flatten();
    let (method, path) = (first.next().unwrap_or("").to_owned(), first.next().unwrap_or("").to_owned());
    let headers: Vec<(String, String)> = lines
        .iter()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len =
        headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut body = vec![0u8; len];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    raw.lock().unwrap().extend_from_slice(head.as_bytes());
    raw.lock().unwrap().extend_from_slice(&body);
    let rec = Recorded { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() };
    let index = {
        let mut l = log.lock().unwrap();
        l.push(rec.clone());
        l.len() - 1
    };
    let mut out = conn;
    let mut framing = Framing::Close;
    for step in script(index, &rec) {
        let ok = match step {
            Step::Head { status, headers, framing: f } => {
                framing = f;
                let mut h = format!("HTTP/1.1 {status} {}\r\nConnection: close\r\n", reason(status));
                for (k, v) in headers {
                    h.push_str(&format!("{k}: {v}\r\n"));
                }
                if f == Framing::Chunked {
                    h.push_str("Transfer-Encoding: chunked\r\n");
                }
                h.push_str("\r\n");
                out.write_all(h.as_bytes())
            }
            Step::Data(d) => match framing {
                Framing::Chunked if d.is_empty() => Ok(()),
                Framing::Chunked => out.write_all(format!("{:x}\r\n{d}\r\n", d.len()).as_bytes()),
                Framing::Close => out.write_all(d.as_bytes()),
            },
            Step::Sleep(d) => {
                std::thread::sleep(d);
                Ok(())
            }
            Step::Stall => {
                for _ in 0..600 {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                return;
            }
            Step::Abort => {
                let _ = out.flush();
                let _ = out.shutdown(std::net::Shutdown::Both);
                return;
            }
            Step::Full { status, headers, body } => {
                let mut h = format!(
                    "HTTP/1.1 {status} {}\r\nConnection: close\r\nContent-Length: {}\r\n",
                    reason(status),
                    body.len()
                );
                for (k, v) in headers {
                    h.push_str(&format!("{k}: {v}\r\n"));
                }
                h.push_str("\r\n");
                h.push_str(&body);
                framing = Framing::Close;
                out.write_all(h.as_bytes())
            }
        };
        if ok.and_then(|()| out.flush()).is_err() {
            return;
        }
    }
    if framing == Framing::Chunked {
        let _ = out.write_all(b"0\r\n\r\n");
    }
    let _ = out.flush();
    let _ = out.shutdown(std::net::Shutdown::Both);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        401 => "Unauthorized",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

// ---- building scripts ----

/// The head of a streamed answer.
pub fn sse_head(framing: Framing) -> Step {
    Step::Head { status: 200, headers: vec![("Content-Type".into(), "text/event-stream".into())], framing }
}

/// A `data:` event carrying a chat delta.
pub fn chat_delta(text: &str) -> Step {
    let v = serde_json::json!({"id": "c1", "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]});
    Step::Data(format!("data: {v}\n\n"))
}

/// A `data:` event carrying a completion (FIM) piece.
pub fn text_delta(text: &str) -> Step {
    let v = serde_json::json!({"id": "c1", "object": "text_completion", "choices": [{"index": 0, "text": text, "finish_reason": null}]});
    Step::Data(format!("data: {v}\n\n"))
}

/// The finish event, a usage event and `[DONE]`.
pub fn chat_end(prompt_tokens: u64, completion_tokens: u64) -> Vec<Step> {
    let fin = serde_json::json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let usage = serde_json::json!({"choices": [], "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "total_tokens": prompt_tokens + completion_tokens}});
    vec![
        Step::Data(format!("data: {fin}\n\n")),
        Step::Data(format!("data: {usage}\n\n")),
        Step::Data("data: [DONE]\n\n".into()),
    ]
}

/// A whole streamed chat answer, in pieces.
pub fn chat_answer(pieces: &[&str]) -> Vec<Step> {
    let mut steps = vec![sse_head(Framing::Chunked)];
    steps.extend(pieces.iter().map(|p| chat_delta(p)));
    steps.extend(chat_end(10, pieces.len() as u64));
    steps
}

/// An error response with an OpenAI-style JSON body.
pub fn status(status: u16, headers: &[(&str, &str)], message: &str) -> Vec<Step> {
    let body = serde_json::json!({"error": {"message": message, "type": "error"}}).to_string();
    let headers = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain([("Content-Type".to_string(), "application/json".to_string())])
        .collect();
    vec![Step::Full { status, headers, body }]
}
