//! Reading the national directory's `|`-separated exports line by line: the
//! byte-order mark dropped, CR/LF trimmed, and a line that is not UTF-8 read as
//! Latin-1 rather than refused.

use std::borrow::Cow;
use std::io::BufRead;

/// One line of an export.
pub(super) struct Line<'a> {
    /// 1 for the first line of the file.
    pub number: u64,
    pub text: Cow<'a, str>,
    /// The line was not UTF-8 and was read as Latin-1.
    pub latin1: bool,
}

/// The lines of an export, one at a time, reusing one buffer.
pub(super) struct ExportLines<R> {
    reader: R,
    buf: Vec<u8>,
    number: u64,
}

impl<R: BufRead> ExportLines<R> {
    pub fn new(reader: R) -> Self {
        Self {
            reader,
            buf: Vec::with_capacity(1024),
            number: 0,
        }
    }

    /// The next line, or `None` at the end of the file.
    pub fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        self.buf.clear();
        if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        self.number += 1;
        let mut bytes = self.buf.as_slice();
        if self.number == 1 {
            bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        }
        while let Some((b'\n' | b'\r', rest)) = bytes.split_last() {
            bytes = rest;
        }
        let (text, latin1) = match std::str::from_utf8(bytes) {
            Ok(t) => (Cow::Borrowed(t), false),
            Err(_) => (Cow::Owned(bytes.iter().map(|&b| b as char).collect()), true),
        };
        Ok(Some(Line {
            number: self.number,
            text,
            latin1,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_line_ends_and_latin1() {
        let data: &[u8] = b"\xEF\xBB\xBFa|b\r\nc\xE9|d\n\nlast";
        let mut lines = ExportLines::new(data);
        let mut got = Vec::new();
        while let Some(l) = lines.next_line().unwrap() {
            got.push((l.number, l.text.into_owned(), l.latin1));
        }
        assert_eq!(
            got,
            vec![
                (1, "a|b".to_owned(), false),
                (2, "cé|d".to_owned(), true),
                (3, String::new(), false),
                (4, "last".to_owned(), false),
            ]
        );
    }
}
