//! Finds the line of a field in JSON text, so that a validation error can point an
//! instrument author at `file:line` and not only at a field path.
//!
//! The text is read once into the line of every value by path, written as the
//! loader writes fields (`items[3].options`, `option_sets.freq.v2`): keys are
//! decoded first, so `"\u0062ands"` is `bands`. One pass serves any number of
//! problems, so a file with thousands of them costs no more than one.

use std::collections::BTreeMap;

/// The line where each value of a JSON text starts, by field path.
pub(crate) struct Lines(BTreeMap<String, usize>);

impl Lines {
    /// Reads `text`, which must be JSON that parsed; a malformed tail is ignored.
    pub(crate) fn of(text: &str) -> Self {
        let mut lines = BTreeMap::new();
        let mut scanner = Scanner { bytes: text.as_bytes(), pos: 0, line: 1 };
        scanner.value(&mut String::new(), &mut lines);
        Self(lines)
    }

    /// 1-based line where the value at `field` starts; when `field` is not written
    /// in the text (a default), the line of its nearest enclosing value that is, and
    /// line 1 (the whole file) at worst.
    pub(crate) fn nearest(&self, field: &str) -> usize {
        let mut field = field;
        loop {
            if let Some(&line) = self.0.get(field) {
                return line;
            }
            match field.rfind(['.', '[']) {
                Some(end) => field = &field[..end],
                None => return 1,
            }
        }
    }
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

    /// Records the value at `path` and everything in it. With duplicate keys the
    /// first is kept.
    fn value(&mut self, path: &mut String, lines: &mut BTreeMap<String, usize>) -> Option<()> {
        self.space();
        lines.entry(path.clone()).or_insert(self.line);
        let outer = path.len();
        match self.peek()? {
            b'{' => {
                self.bump();
                while let Some(key) = self.next_key() {
                    if outer > 0 {
                        path.push('.');
                    }
                    path.push_str(&key);
                    self.value(path, lines)?;
                    path.truncate(outer);
                }
                self.bump();
            }
            b'[' => {
                self.bump();
                let mut index = 0usize;
                while self.next_element().is_some() {
                    path.push('[');
                    path.push_str(&index.to_string());
                    path.push(']');
                    self.value(path, lines)?;
                    path.truncate(outer);
                    index += 1;
                }
                self.bump();
            }
            b'"' => self.skip_string()?,
            _ => {
                while self.peek().is_some_and(|b| !matches!(b, b',' | b'}' | b']') && !b.is_ascii_whitespace()) {
                    self.bump();
                }
            }
        }
        Some(())
    }

    /// The next key of an object, leaving the scanner at its value; `None` at the end.
    fn next_key(&mut self) -> Option<String> {
        self.next_element()?;
        let key = self.string()?;
        self.eat(b':')?;
        Some(key)
    }

    /// Moves past a separating comma to the next member or element; `None` at the end.
    fn next_element(&mut self) -> Option<()> {
        self.space();
        if self.peek()? == b',' {
            self.bump();
            self.space();
        }
        (!matches!(self.peek()?, b'}' | b']')).then_some(())
    }

    /// Reads a string, decoding its escapes.
    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self.peek().is_some_and(|b| b != b'"' && b != b'\\') {
                self.bump();
            }
            out.push_str(std::str::from_utf8(&self.bytes[start..self.pos]).ok()?);
            match self.bump()? {
                b'"' => return Some(out),
                _ => out.push(self.escape()?),
            }
        }
    }

    /// The character of an escape, after its backslash.
    fn escape(&mut self) -> Option<char> {
        Some(match self.bump()? {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4()?;
                if (0xD800..0xDC00).contains(&unit) {
                    // A surrogate pair: `\ud83d\ude00`.
                    (self.bump()? == b'\\' && self.bump()? == b'u').then_some(())?;
                    let low = self.hex4()?.checked_sub(0xDC00)?;
                    char::from_u32(0x10000 + ((unit - 0xD800) << 10) + low)?
                } else {
                    char::from_u32(unit)?
                }
            }
            other => char::from(other), // `\"`, `\\`, `\/`
        })
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.bytes.get(self.pos..self.pos + 4)?;
        self.pos += 4;
        u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    }

    /// Moves past a string without decoding it.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            match self.bump()? {
                b'\\' => {
                    self.bump()?;
                }
                b'"' => return Some(()),
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"a\": \"x\",\n  \"items\": [\n    {\"id\": \"q1\"},\n    {\n      \"id\": \"q2\",\n      \"options\": [1, 2]\n    }\n  ]\n}\n";

    /// The line of `field` only if it is written in `text`.
    fn line_of(text: &str, field: &str) -> Option<usize> {
        Lines::of(text).0.get(field).copied()
    }

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

    #[test]
    fn locate_falls_back_to_the_nearest_enclosing_value_in_the_text() {
        let lines = Lines::of(TEXT);
        assert_eq!(lines.nearest("items[1].missing"), 5);
        assert_eq!(lines.nearest("items[7]"), 3);
        assert_eq!(lines.nearest("b.c"), 1);
        assert_eq!(lines.nearest("items[1].options"), 7);
    }

    #[test]
    fn locate_decodes_escapes_in_keys() {
        let text = "{\n  \"\\u0062an\\u0064s\": 1,\n  \"tab\\t\\\"q\\\"\\ud83d\\ude00\": 2\n}";
        assert_eq!(line_of(text, "bands"), Some(2));
        assert_eq!(line_of(text, "tab\t\"q\"\u{1F600}"), Some(3));
    }

    #[test]
    fn locate_finds_keys_that_contain_dots_or_brackets() {
        let text = "{\n  \"sets\": {\n    \"a\": [],\n    \"a.b\": [\n      0\n    ],\n    \"c[0]\": 1\n  }\n}";
        assert_eq!(line_of(text, "sets.a.b"), Some(4));
        assert_eq!(line_of(text, "sets.a.b[0]"), Some(5));
        assert_eq!(line_of(text, "sets.a"), Some(3));
        assert_eq!(line_of(text, "sets.c[0]"), Some(7));
    }
}
