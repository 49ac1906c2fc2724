//! What the one-shot commands (`tandem complete`, `tandem context`, `tandem explain`, `tandem
//! chat`) share about their input: a `FILE:LINE:COL` target, reading it through the engine's one
//! reader, the workspace around it, and an engine with the file open in it.

use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use tandem_core::CompletionSettings;
use tandem_engine::{Engine, ScanReport, files};

/// The workspace root for a file: the nearest directory above it holding `.git`, else the
/// current directory.
pub fn find_root(file: &Path) -> PathBuf {
    let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_owned());
    abs.ancestors()
        .skip(1)
        .find(|d| d.join(".git").exists())
        .map(Path::to_owned)
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default())
}

/// An engine for one-shot commands: the workspace at `root` indexed, and `file` (named by its
/// path as given, which is also its document key) open with `text`.
pub fn open_in_workspace(
    settings: CompletionSettings,
    root: &Path,
    file: &Path,
    text: String,
    language: &str,
) -> Result<(Engine, ScanReport)> {
    let engine = Engine::new(settings);
    engine.set_root(Some(root));
    let report = engine.scan();
    let abs = std::path::absolute(file)?;
    engine.open(&file.to_string_lossy(), Some(&abs), text, 1, language.to_owned());
    engine.wait_for_index();
    Ok((engine, report))
}

pub fn parse_target(target: &str) -> Result<(&str, usize, usize)> {
    let mut it = target.rsplitn(3, ':');
    let (col, line, file) = (it.next(), it.next(), it.next());
    let (Some(col), Some(line), Some(file)) = (col, line, file) else {
        bail!("expected FILE:LINE:COL, got `{target}`");
    };
    let num = |s: &str, what: &str| -> Result<usize> {
        match s.parse::<usize>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => bail!("{what} must be a number from 1, got `{s}` in `{target}`"),
        }
    };
    Ok((file, num(line, "LINE")?, num(col, "COL")?))
}

/// The text of `file` (`-`: stdin) and its path: `path` names stdin; a file on disk is called by
/// its own name, so that the privacy rules see (and resolve) the file that is really sent. The
/// input is a regular UTF-8 text file (or stream) of at most the reader's cap, or a clear error.
pub fn read_input(file: &str, path: Option<&str>) -> Result<(String, Option<String>)> {
    if file == "-" {
        let text = files::read_stream(std::io::stdin().lock(), "stdin", files::MAX_FILE_BYTES)?;
        return Ok((text, path.map(str::to_owned)));
    }
    Ok((read_file(file)?, Some(file.to_owned())))
}

/// The text of the file named on the command line, through the engine's one reader.
pub fn read_file(file: &str) -> Result<String> {
    Ok(files::read_text_capped(Path::new(file), file, files::MAX_FILE_BYTES)?)
}

/// Byte offset of 1-based `line` and `col` (in characters; one past the last character is the
/// end of the line). Lines end as they do for editors: at `\n`, `\r\n` or a lone `\r`.
pub fn cursor_offset(text: &str, line: usize, col: usize) -> Result<usize> {
    use tandem_core::reference::{line_count, line_end, line_start};
    let Some(start) = line_start(text, line.saturating_sub(1)) else {
        bail!("line {line} is past the end of the file ({} lines)", line_count(text));
    };
    let content = &text[start..line_end(text, start)];
    let chars = content.chars().count();
    if col > chars + 1 {
        bail!("column {col} is past the end of line {line} ({chars} characters)");
    }
    Ok(start + content.char_indices().nth(col - 1).map_or(content.len(), |(i, _)| i))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_from_the_right() {
        assert_eq!(parse_target("a:b.py:3:7").unwrap(), ("a:b.py", 3, 7));
        assert!(parse_target("a.py:0:1").is_err());
        assert!(parse_target("a.py:3").is_err());
    }

    #[test]
    fn positions_count_characters() {
        let text = "héllo\nwörld\n";
        assert_eq!(cursor_offset(text, 1, 1).unwrap(), 0);
        assert_eq!(cursor_offset(text, 1, 3).unwrap(), 3);
        assert_eq!(cursor_offset(text, 2, 6).unwrap(), text.len() - 1);
        assert_eq!(cursor_offset(text, 3, 1).unwrap(), text.len());
        assert!(cursor_offset(text, 4, 1).is_err());
        assert!(cursor_offset(text, 1, 7).is_err());
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let text = "a = 1\rb = 2\r\nc = 3\r";
        assert_eq!(cursor_offset(text, 2, 1).unwrap(), 6);
        assert_eq!(cursor_offset(text, 3, 6).unwrap(), text.len() - 1);
        assert_eq!(cursor_offset(text, 4, 1).unwrap(), text.len());
        assert!(cursor_offset(text, 2, 7).is_err(), "the CRLF is no character of line 2");
    }
}
