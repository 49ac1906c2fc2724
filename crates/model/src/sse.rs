//! Server-sent events, as OpenAI-compatible servers stream them: lines of `field: value`, an
//! event ending at a blank line, `:` comment lines (keep-alives) ignored, several `data:` lines
//! joined with newlines. The stream's end is the `[DONE]` data or the connection closing.

/// Splits a byte stream into SSE events. Feed it lines (without their line ending).
#[derive(Debug, Default)]
pub struct Parser {
    data: Vec<String>,
    event: Option<String>,
}

/// One complete event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, when the server names its events (some send `event: error`).
    pub event: Option<String>,
    pub data: String,
}

impl SseEvent {
    /// The `[DONE]` sentinel that ends an OpenAI-style stream.
    pub fn is_done(&self) -> bool {
        self.data.trim() == "[DONE]"
    }
}

impl Parser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes one line; returns the event it completes, if any.
    pub fn line(&mut self, line: &str) -> Option<SseEvent> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return self.flush();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "data" => self.data.push(value.to_owned()),
            "event" => self.event = Some(value.to_owned()),
            // `id:` and `retry:` matter to browsers reconnecting, not to one request.
            _ => {}
        }
        None
    }

    /// The event still open when the stream ends (servers that omit the last blank line).
    pub fn flush(&mut self) -> Option<SseEvent> {
        if self.data.is_empty() {
            self.event = None;
            return None;
        }
        let data = std::mem::take(&mut self.data).join("\n");
        Some(SseEvent { event: self.event.take(), data })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(text: &str) -> Vec<SseEvent> {
        let mut p = Parser::new();
        let mut out: Vec<SseEvent> = text.split('\n').filter_map(|l| p.line(l)).collect();
        out.extend(p.flush());
        out
    }

    #[test]
    fn events_end_at_blank_lines_and_comments_are_skipped() {
        let e = events(": keep-alive\n\ndata: {\"a\":1}\n\ndata:{\"b\":2}\r\n\r\ndata: [DONE]\n\n");
        let data: Vec<&str> = e.iter().map(|e| e.data.as_str()).collect();
        assert_eq!(data, ["{\"a\":1}", "{\"b\":2}", "[DONE]"]);
        assert!(e[2].is_done());
    }

    #[test]
    fn multi_line_data_and_named_events() {
        let e = events("event: error\ndata: line one\ndata: line two\n\ndata: last");
        assert_eq!(e[0], SseEvent { event: Some("error".into()), data: "line one\nline two".into() });
        assert_eq!(e[1].data, "last");
        assert_eq!(e[1].event, None);
    }
}
