//! Stop strings in streamed text: the one scanner for the local runtime and the remote stream.
//! A stop string may arrive split across pieces, so text that could still grow into one is held
//! back until it is clear, and nothing of a stop string ever reaches the screen.

/// Accumulates generated text, finds stop strings, and releases text that cannot be the start
/// of one.
#[derive(Debug)]
pub(crate) struct StopScan<'a> {
    stops: &'a [String],
    text: String,
    emitted: usize,
    pub(crate) stopped: bool,
}

impl<'a> StopScan<'a> {
    pub(crate) fn new(stops: &'a [String]) -> Self {
        Self { stops, text: String::new(), emitted: 0, stopped: false }
    }

    /// Adds a piece; returns true when a stop string was found (the text ends before it).
    pub(crate) fn push(&mut self, piece: &str, on_text: &mut dyn FnMut(&str)) -> bool {
        if self.stopped {
            return true;
        }
        let search_from = self.emitted;
        self.text.push_str(piece);
        let found = self
            .stops
            .iter()
            .filter(|s| !s.is_empty())
            .filter_map(|s| self.text[search_from..].find(s.as_str()).map(|i| search_from + i))
            .min();
        if let Some(end) = found {
            self.text.truncate(end);
            self.flush(on_text);
            self.stopped = true;
            return true;
        }
        // Hold back the longest tail that could still grow into a stop string.
        let hold = self
            .stops
            .iter()
            .flat_map(|s| (1..s.len()).rev().filter(|&n| s.is_char_boundary(n)).map(move |n| &s[..n]))
            .filter(|p| self.text[self.emitted..].ends_with(p))
            .map(str::len)
            .max()
            .unwrap_or(0);
        let upto = self.text.len() - hold;
        if upto > self.emitted {
            on_text(&self.text[self.emitted..upto]);
            self.emitted = upto;
        }
        false
    }

    pub(crate) fn flush(&mut self, on_text: &mut dyn FnMut(&str)) {
        if self.text.len() > self.emitted {
            on_text(&self.text[self.emitted..]);
            self.emitted = self.text.len();
        }
    }

    pub(crate) fn into_text(self) -> String {
        self.text
    }
}

impl StopScan<'_> {
    /// Whether any text has been handed on (as opposed to held back or not yet seen).
    pub(crate) fn emitted_any(&self) -> bool {
        self.emitted > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(stops: &[&str], pieces: &[&str]) -> (String, Vec<String>, bool) {
        let stops: Vec<String> = stops.iter().map(|s| s.to_string()).collect();
        let mut scan = StopScan::new(&stops);
        let mut out = Vec::new();
        let mut stopped = false;
        for p in pieces {
            if scan.push(p, &mut |t| out.push(t.to_string())) {
                stopped = true;
                break;
            }
        }
        if !stopped {
            scan.flush(&mut |t| out.push(t.to_string()));
        }
        (scan.into_text(), out, stopped)
    }

    #[test]
    fn stop_string_split_across_pieces_is_never_emitted() {
        let (text, out, stopped) = run(&["\n\n"], &["a + b", "\n", "\n# test"]);
        assert_eq!(text, "a + b");
        assert_eq!(out.concat(), "a + b");
        assert!(stopped);
    }

    #[test]
    fn held_back_text_is_released_when_it_is_not_a_stop() {
        let (text, out, stopped) = run(&["END"], &["x E", "N", "D"]);
        assert_eq!((text.as_str(), stopped), ("x ", true));
        assert_eq!(out.concat(), "x ");
        let (text, out, stopped) = run(&["END"], &["x E", "Nd", "!"]);
        assert_eq!((text.as_str(), stopped), ("x ENd!", false));
        assert_eq!(out, vec!["x ", "ENd", "!"]);
    }
}
