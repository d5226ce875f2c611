//! The import report: what came in, what was refused and why, by line.

/// Rejected rows listed in full; past this only the count grows (a broken 500 MB file must not
/// build a 500 MB report).
pub const MAX_LISTED: usize = 1_000;

/// A row not imported: its line in the file (1-based, the header is line 1), the sku when
/// known, and the reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    pub line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub reason: String,
}

impl RowError {
    pub fn new(line: u64, sku: Option<&str>, reason: impl Into<String>) -> RowError {
        RowError {
            line,
            // A 1 MB "sku" must not be copied into every report line.
            sku: sku
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(128).collect()),
            reason: {
                let r: String = reason.into();
                if r.len() > 1000 {
                    format!("{}…", r.chars().take(500).collect::<String>())
                } else {
                    r
                }
            },
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub format: String,
    /// Source encoding (`UTF-8`, `windows-1252`…).
    pub encoding: String,
    pub rows_total: u64,
    pub rows_imported: u64,
    pub rows_rejected: u64,
    pub rows_skipped: u64,
    /// Distinct products and variants written (inserted or already there).
    pub products: u64,
    pub variants: u64,
    /// Stored rows actually inserted or changed: 0 when re-importing the same file.
    pub rows_changed: u64,
    pub rejected: Vec<RowError>,
    pub skipped: Vec<RowError>,
    /// Things worth knowing that refused nothing (unknown columns, transcoding).
    pub warnings: Vec<String>,
}

impl Report {
    pub fn reject(&mut self, e: RowError) {
        self.rows_rejected += 1;
        if self.rejected.len() < MAX_LISTED {
            self.rejected.push(e);
        }
    }
    pub fn skip(&mut self, e: RowError) {
        self.rows_skipped += 1;
        if self.skipped.len() < MAX_LISTED {
            self.skipped.push(e);
        }
    }
    pub fn warn(&mut self, w: impl Into<String>) {
        let w = w.into();
        if !self.warnings.contains(&w) && self.warnings.len() < 100 {
            self.warnings.push(w);
        }
    }
}
