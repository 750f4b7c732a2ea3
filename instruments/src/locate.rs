//! Finds the line of a field in JSON text, so that a validation error can point an
//! instrument author at `file:line` and not only at a field path.

/// 1-based line where the value at `field` (e.g. `items[3].options`) starts.
pub(crate) fn line_of(text: &str, field: &str) -> Option<usize> {
    let path = parse_path(field)?;
    let mut scanner = Scanner { bytes: text.as_bytes(), pos: 0, line: 1 };
    scanner.find(&path)
}

#[derive(Debug, PartialEq)]
enum Segment {
    Key(String),
    Index(usize),
}

fn parse_path(field: &str) -> Option<Vec<Segment>> {
    let mut path = Vec::new();
    for part in field.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        if !key.is_empty() {
            path.push(Segment::Key(key.to_owned()));
        }
        while let Some((index, tail)) = rest.split_once(']') {
            path.push(Segment::Index(index.parse().ok()?));
            rest = tail.strip_prefix('[').unwrap_or(tail);
        }
    }
    Some(path)
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        if b == b'\n' {
            self.line += 1;
        }
        Some(b)
    }

    fn space(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.bump();
        }
    }

    fn eat(&mut self, expected: u8) -> Option<()> {
        self.space();
        (self.bump()? == expected).then_some(())
    }

    fn find(&mut self, path: &[Segment]) -> Option<usize> {
        self.space();
        let Some(first) = path.first() else {
            return Some(self.line);
        };
        match (self.peek()?, first) {
            (b'{', Segment::Key(wanted)) => {
                self.bump();
                loop {
                    self.space();
                    if self.peek()? == b'}' {
                        return None;
                    }
                    let key = self.string()?;
                    self.eat(b':')?;
                    if &key == wanted {
                        return self.find(&path[1..]);
                    }
                    self.skip_value()?;
                    self.space();
                    if self.peek()? == b',' {
                        self.bump();
                    }
                }
            }
            (b'[', Segment::Index(wanted)) => {
                self.bump();
                for index in 0.. {
                    self.space();
                    if self.peek()? == b']' {
                        return None;
                    }
                    if index == *wanted {
                        return self.find(&path[1..]);
                    }
                    self.skip_value()?;
                    self.space();
                    if self.peek()? == b',' {
                        self.bump();
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// Reads a string's raw content (escapes left as written: keys here have none).
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let start = self.pos;
        loop {
            match self.bump()? {
                b'\\' => {
                    self.bump()?;
                }
                b'"' => break,
                _ => {}
            }
        }
        Some(String::from_utf8_lossy(&self.bytes[start..self.pos - 1]).into_owned())
    }

    fn skip_value(&mut self) -> Option<()> {
        self.space();
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        _ => {}
                    }
                    self.bump();
                    if depth == 0 {
                        return Some(());
                    }
                }
            }
            _ => {
                while self.peek().is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace()) {
                    self.bump();
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"a\": \"x\",\n  \"items\": [\n    {\"id\": \"q1\"},\n    {\n      \"id\": \"q2\",\n      \"options\": [1, 2]\n    }\n  ]\n}\n";

    #[test]
    fn locate_finds_nested_fields_by_path() {
        assert_eq!(line_of(TEXT, "a"), Some(2));
        assert_eq!(line_of(TEXT, "items[0]"), Some(4));
        assert_eq!(line_of(TEXT, "items[1].options"), Some(7));
        assert_eq!(line_of(TEXT, "items[1].options[1]"), Some(7));
    }

    #[test]
    fn locate_returns_none_for_absent_fields() {
        assert_eq!(line_of(TEXT, "items[2]"), None);
        assert_eq!(line_of(TEXT, "b"), None);
    }

    #[test]
    fn locate_points_at_whole_file_for_empty_path() {
        assert_eq!(line_of(TEXT, ""), Some(1));
    }
}
