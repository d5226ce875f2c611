//! CSV plumbing shared by the CSV formats: a header index by column name and per-row field
//! access that turns bad bytes and ragged rows into row errors instead of aborting the file.

use crate::report::RowError;
use crate::{ImportError, Parsed, Sink};
use std::collections::HashMap;

/// Column positions by name, matched case-insensitively and ignoring surrounding spaces.
pub struct Header {
    names: Vec<String>,
    index: HashMap<String, usize>,
}

impl Header {
    pub fn new(record: &csv::ByteRecord) -> Header {
        let names: Vec<String> = record
            .iter()
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim()
                    .trim_start_matches('\u{feff}')
                    .to_string()
            })
            .collect();
        let mut index = HashMap::new();
        for (i, n) in names.iter().enumerate() {
            index.entry(key(n)).or_insert(i);
        }
        Header { names, index }
    }

    /// Lets `canonical` find the column named `alias` (a translated header) when the file has
    /// no `canonical` column of its own.
    pub fn alias(&mut self, alias: &str, canonical: &str) {
        if let Some(&i) = self.index.get(&key(alias)) {
            self.index.entry(key(canonical)).or_insert(i);
        }
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    pub fn has(&self, name: &str) -> bool {
        self.index.contains_key(&key(name))
    }
    pub fn pos(&self, name: &str) -> Option<usize> {
        self.index.get(&key(name)).copied()
    }
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Refuses the file when a required column is absent.
    pub fn require(&self, format: &'static str, required: &[&str]) -> Result<(), ImportError> {
        match self.missing(required) {
            Some(missing) => Err(ImportError::MissingColumns { format, missing }),
            None => Ok(()),
        }
    }

    /// Required columns that are absent, comma-separated, or None if all are there.
    pub fn missing(&self, required: &[&str]) -> Option<String> {
        let m: Vec<&str> = required.iter().copied().filter(|c| !self.has(c)).collect();
        (!m.is_empty()).then(|| m.join(", "))
    }
}

/// The row of a record read by [`next_record`]: `None` for a blank line, or for a malformed
/// row, which is handed to the sink as rejected.
pub fn data_row<'a>(
    header: &'a Header,
    rec: &'a csv::ByteRecord,
    sink: &mut Sink<'_>,
) -> Result<Option<Row<'a>>, ImportError> {
    if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
        return Ok(None);
    }
    match Row::new(header, rec) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            sink(Parsed::Rejected(e)).map_err(crate::stopped)?;
            Ok(None)
        }
    }
}

/// How column names are compared: case-insensitive, typographic apostrophes as plain ones.
fn key(name: &str) -> String {
    name.trim().to_lowercase().replace('\u{2019}', "'")
}

/// One data row with its line, its fields as text.
pub struct Row<'a> {
    pub line: u64,
    header: &'a Header,
    fields: Vec<std::borrow::Cow<'a, str>>,
}

impl<'a> Row<'a> {
    /// Validates the row's shape and encoding.
    pub fn new(header: &'a Header, rec: &'a csv::ByteRecord) -> Result<Row<'a>, RowError> {
        let line = rec.position().map_or(0, |p| p.line());
        if rec.len() != header.len() {
            return Err(RowError::new(
                line,
                None,
                format!(
                    "row has {} fields but the header has {}",
                    rec.len(),
                    header.len()
                ),
            ));
        }
        // The encoding was sniffed from the first 64 KiB; a legacy file whose first accent
        // comes later still has Windows-1252 bytes here, which decode the same way.
        let fields = rec
            .iter()
            .map(|f| match std::str::from_utf8(f) {
                Ok(s) => std::borrow::Cow::Borrowed(s),
                Err(_) => encoding_rs::WINDOWS_1252.decode_without_bom_handling(f).0,
            })
            .collect();
        Ok(Row {
            line,
            header,
            fields,
        })
    }

    /// The trimmed value of a column, `""` when absent.
    pub fn get(&self, name: &str) -> &str {
        self.header
            .pos(name)
            .and_then(|i| self.fields.get(i))
            .map_or("", |s| s.trim())
    }

    /// Like [`Row::get`] but `None` for empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|s| !s.is_empty())
    }
}

/// A CSV reader set up the same way for every format: headers read by us, ragged rows allowed
/// through (and then rejected one by one).
pub fn reader<R: std::io::Read>(r: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(256 * 1024)
        .from_reader(r)
}

/// Reads the next record into `rec`; `Ok(false)` at the end of the file.
///
/// A read error stops the import: the rest of the file is unknown, so reporting it as one bad
/// row and carrying on would pass a truncated catalogue off as a complete one. Any other CSV
/// error is one unreadable row, handed to `sink` as rejected.
pub fn next_record<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    rec: &mut csv::ByteRecord,
    sink: &mut Sink<'_>,
) -> Result<bool, ImportError> {
    loop {
        match rdr.read_byte_record(rec) {
            Ok(more) => return Ok(more),
            Err(e) if e.is_io_error() => return Err(io_error(e)),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                sink(Parsed::Rejected(RowError::new(
                    line,
                    None,
                    format!("unreadable row: {e}"),
                )))
                .map_err(crate::stopped)?;
            }
        }
    }
}

/// Reads the header row: `ImportError::Empty` when there is none.
pub fn header<R: std::io::Read>(rdr: &mut csv::Reader<R>) -> Result<Header, ImportError> {
    let mut rec = csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => Ok(Header::new(&rec)),
        Ok(false) => Err(ImportError::Empty),
        Err(e) if e.is_io_error() => Err(io_error(e)),
        Err(e) => Err(ImportError::Csv(e.to_string())),
    }
}

fn io_error(e: csv::Error) -> ImportError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ImportError::Io(io),
        other => ImportError::Csv(format!("{other:?}")),
    }
}

/// A price written with a decimal comma (`12,50`) in the decimal-point form `parse_amount`
/// reads; only a lone comma with no point counts (`1,234.5` is left as is, and refused).
pub fn decimal_point(v: &str) -> std::borrow::Cow<'_, str> {
    if v.matches(',').count() == 1 && !v.contains('.') {
        std::borrow::Cow::Owned(v.replace(',', "."))
    } else {
        std::borrow::Cow::Borrowed(v)
    }
}

/// Parses `true/false/yes/no/1/0` (any case); empty is `None`.
pub fn parse_bool(s: &str) -> Result<Option<bool>, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "1" | "y" | "oui" => Ok(Some(true)),
        "false" | "no" | "0" | "n" | "non" => Ok(Some(false)),
        other => Err(format!(
            "`{}` is not true or false",
            comptoir_domain::money::quote(other)
        )),
    }
}

/// Parses a stock count; spreadsheets write `5.0`, which is accepted. Empty is `None`.
pub fn parse_stock(s: &str) -> Result<Option<i64>, String> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let t2 = t.strip_suffix(".0").unwrap_or(t);
    t2.parse::<i64>().map(Some).map_err(|_| {
        format!(
            "stock `{}` is not a whole number",
            comptoir_domain::money::quote(t)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools_and_stock() {
        assert_eq!(parse_bool("TRUE"), Ok(Some(true)));
        assert_eq!(parse_bool(""), Ok(None));
        assert!(parse_bool("maybe").is_err());
        assert_eq!(parse_stock("5.0"), Ok(Some(5)));
        assert_eq!(parse_stock(""), Ok(None));
        assert!(parse_stock("3.5").is_err());
        assert!(parse_stock("lots").is_err());
    }
}

/// The field separator of a CSV, guessed from its first line: French or German Excel writes
/// `;`, "Unicode text" exports use tabs; commas otherwise. Separators inside quotes don't count.
pub fn sniff_delimiter(head: &str) -> u8 {
    let first = head.lines().next().unwrap_or("");
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in first.chars() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    match counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - i))
    {
        Some((1, n)) if *n > 0 => b';',
        Some((2, n)) if *n > 0 => b'\t',
        _ => b',',
    }
}

#[cfg(test)]
mod sniff_tests {
    #[test]
    fn sniffs_separators() {
        use super::sniff_delimiter as s;
        assert_eq!(s("sku,title,price\n"), b',');
        assert_eq!(s("sku;title;price\nA;\"x, y\";1"), b';');
        assert_eq!(s("sku\ttitle\tprice"), b'\t');
        assert_eq!(s("\"a;b\",c,d"), b',');
        assert_eq!(s("title"), b',');
    }
}
