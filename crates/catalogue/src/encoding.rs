//! Text encodings of real exports: UTF-8 with or without BOM (Excel adds one), UTF-16 with a
//! BOM, and legacy Windows-1252/Latin-1 files from older spreadsheet tools. Everything is
//! turned into UTF-8 on the fly, so a file of any size streams through in constant memory.

use encoding_rs::{Decoder, Encoding, UTF_8, WINDOWS_1252};
use std::io::{self, Read};

/// Bytes inspected to tell UTF-8 from a legacy encoding.
const SNIFF: usize = 64 * 1024;

/// A reader yielding UTF-8, whatever the source encoding was.
pub struct Utf8Reader<R> {
    inner: R,
    decoder: Option<Decoder>,
    /// Raw bytes read but not yet decoded.
    pending: Vec<u8>,
    pending_pos: usize,
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    /// Name of the encoding found (`UTF-8`, `windows-1252`, `UTF-16LE`…).
    pub encoding: &'static str,
}

impl<R: Read> Utf8Reader<R> {
    pub fn new(mut inner: R) -> io::Result<Utf8Reader<R>> {
        let mut head = Vec::with_capacity(SNIFF);
        (&mut inner).take(SNIFF as u64).read_to_end(&mut head)?;
        let (encoding, bom_len) = match Encoding::for_bom(&head) {
            Some((enc, len)) => (enc, len),
            None if looks_utf8(&head) => (UTF_8, 0),
            None => (WINDOWS_1252, 0),
        };
        head.drain(..bom_len);
        let decoder = if encoding == UTF_8 {
            None
        } else {
            Some(encoding.new_decoder_without_bom_handling())
        };
        Ok(Utf8Reader {
            inner,
            decoder,
            pending: head,
            pending_pos: 0,
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            encoding: encoding.name(),
        })
    }

    /// Whether the bytes are being transcoded (not UTF-8 at the source).
    pub fn transcoding(&self) -> bool {
        self.decoder.is_some()
    }
}

/// Valid UTF-8, allowing a sequence cut at the end of the sniffed block.
fn looks_utf8(b: &[u8]) -> bool {
    match std::str::from_utf8(b) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && b.len() - e.valid_up_to() < 4,
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.pending_pos >= self.pending.len() {
                if self.eof {
                    return Ok(0);
                }
                self.pending.resize(SNIFF, 0);
                let n = self.inner.read(&mut self.pending)?;
                self.pending.truncate(n);
                self.pending_pos = 0;
                if n == 0 {
                    self.eof = true;
                }
            }
            let input = &self.pending[self.pending_pos..];
            match &mut self.decoder {
                None => {
                    // UTF-8 passes through untouched; invalid bytes later in the file are
                    // caught per row by the CSV reader and reported with their line.
                    let n = buf.len().min(input.len());
                    if n == 0 && self.eof {
                        return Ok(0);
                    }
                    buf[..n].copy_from_slice(&input[..n]);
                    self.pending_pos += n;
                    return Ok(n);
                }
                Some(dec) => {
                    let cap = dec
                        .max_utf8_buffer_length(input.len())
                        .unwrap_or(input.len() * 3 + 16);
                    self.out.clear();
                    self.out.resize(cap.max(16), 0);
                    let (_, read, written, _) = dec.decode_to_utf8(input, &mut self.out, self.eof);
                    self.out.truncate(written);
                    self.out_pos = 0;
                    self.pending_pos += read;
                    if written == 0 && self.eof && self.pending_pos >= self.pending.len() {
                        return Ok(0);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> (String, &'static str) {
        let mut r = Utf8Reader::new(bytes).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        (s, r.encoding)
    }

    #[test]
    fn strips_utf8_bom() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFsku,title\n"),
            ("sku,title\n".into(), "UTF-8")
        );
    }

    #[test]
    fn transcodes_latin1() {
        let (s, enc) = decode(b"title\nCaf\xE9 cr\xE8me \x80\n");
        assert_eq!(s, "title\nCafé crème €\n");
        assert_eq!(enc, "windows-1252");
    }

    #[test]
    fn transcodes_utf16_with_bom() {
        let (s, enc) = decode(b"\xFF\xFEa\x00\xE9\x00");
        assert_eq!(s, "aé");
        assert_eq!(enc, "UTF-16LE");
    }

    #[test]
    fn long_utf8_streams_unchanged() {
        let text = "é,ü\n".repeat(50_000);
        assert_eq!(decode(text.as_bytes()).0, text);
        let latin: Vec<u8> = b"a\xE9\n".repeat(40_000);
        assert_eq!(decode(&latin).0, "aé\n".repeat(40_000));
    }
}
