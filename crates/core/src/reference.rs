//! References to code in a file: `path`, `path:LINE` or `path:START-END` (1-based, inclusive),
//! as the command line and the chat write them.

/// 1-based first and last line, inclusive.
pub type Lines = (usize, usize);

/// `path`, `path:LINE` or `path:START-END` (1-based, inclusive) as the path and the lines.
pub fn parse_ref(target: &str) -> Result<(&str, Option<Lines>), String> {
    let Some((file, range)) = target.rsplit_once(':') else { return Ok((target, None)) };
    let is_range = !range.is_empty() && range.chars().all(|c| c.is_ascii_digit() || c == '-');
    if !is_range || file.is_empty() {
        return Ok((target, None));
    }
    let num = |s: &str| match s.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("lines must be numbers from 1, got `{range}` in `{target}`")),
    };
    let (start, end) = match range.split_once('-') {
        Some((a, b)) => (num(a)?, num(b)?),
        None => (num(range)?, num(range)?),
    };
    if end < start {
        return Err(format!("the range {start}-{end} ends before it starts"));
    }
    Ok((file, Some((start, end))))
}

/// Lines `start..=end` (1-based) of `text`, or why they are not there.
pub fn select(text: &str, (start, end): Lines) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if end > lines.len() {
        return Err(format!("lines {start}-{end} are outside the file ({} lines)", lines.len()));
    }
    Ok(lines[start - 1..end].concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse() {
        assert_eq!(parse_ref("a.rs").unwrap(), ("a.rs", None));
        assert_eq!(parse_ref("a.rs:3-9").unwrap(), ("a.rs", Some((3, 9))));
        assert_eq!(parse_ref("a.rs:4").unwrap(), ("a.rs", Some((4, 4))));
        assert_eq!(parse_ref("c:/x/a.rs").unwrap(), ("c:/x/a.rs", None));
        assert_eq!(parse_ref("-").unwrap(), ("-", None));
        assert_eq!(parse_ref("-:2-3").unwrap(), ("-", Some((2, 3))));
        assert!(parse_ref("a.rs:0-3").is_err());
        assert!(parse_ref("a.rs:5-3").is_err());
        assert!(parse_ref("a.rs:1-").is_err());
    }

    #[test]
    fn selections_are_whole_lines() {
        assert_eq!(select("a\nb\nc", (2, 3)).unwrap(), "b\nc");
        assert!(select("a\nb\n", (2, 3)).is_err());
    }
}
