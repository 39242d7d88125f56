//! A ZIP archive of named files (an agreement's documents, downloaded at once from `serve`).
//! Its entries are stored as they are (PDF and DOCX are compressed already), in the order
//! given, with the fixed timestamp of 1980-01-01: the same files give the same bytes.

use crate::error::{Error, Result};
use std::io::{Cursor, Write};

/// The archive of `entries` (name inside the archive, bytes).
pub fn zip(entries: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    let err = |e: String| Error::Writer {
        format: "ZIP",
        reason: e,
    };
    let size = entries.iter().map(|(_, b)| b.len() + 128).sum();
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(size)));
    let options = zip::write::SimpleFileOptions::default()
        .last_modified_time(zip::DateTime::default())
        .unix_permissions(0o644)
        .compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        w.start_file(name.as_str(), options)
            .map_err(|e| err(e.to_string()))?;
        w.write_all(bytes).map_err(|e| err(e.to_string()))?;
    }
    let cursor = w.finish().map_err(|e| err(e.to_string()))?;
    Ok(cursor.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_files_same_bytes_and_readable() {
        let entries = vec![
            ("協定書.pdf".to_string(), b"%PDF-1.7 x".to_vec()),
            ("案/申出書.docx".to_string(), b"PK docx".to_vec()),
        ];
        let a = zip(&entries).unwrap();
        assert_eq!(a, zip(&entries).unwrap());
        let mut r = zip::ZipArchive::new(Cursor::new(&a[..])).unwrap();
        assert_eq!(r.len(), 2);
        let mut f = r.by_name("協定書.pdf").unwrap();
        let mut got = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut got).unwrap();
        assert_eq!(got, b"%PDF-1.7 x");
    }
}
