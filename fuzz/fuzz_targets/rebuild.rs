//! The second input shape of both targets: one entry of a template package replaced by the
//! fuzzer's bytes, the package rebuilt uncompressed (so mutations reach the XML readers
//! instead of failing the zip's CRC).

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

/// A template package and its entries, inflated once.
pub struct Template {
    bytes: &'static [u8],
    entries: OnceLock<Vec<(String, Vec<u8>)>>,
}

impl Template {
    pub const fn new(bytes: &'static [u8]) -> Template {
        Template {
            bytes,
            entries: OnceLock::new(),
        }
    }

    fn entries(&self) -> &[(String, Vec<u8>)] {
        self.entries.get_or_init(|| {
            let mut zip = zip::ZipArchive::new(Cursor::new(self.bytes)).expect("the template");
            (0..zip.len())
                .map(|i| {
                    let mut f = zip.by_index(i).expect("an entry");
                    let mut bytes = Vec::new();
                    f.read_to_end(&mut bytes).expect("inflates");
                    (f.name().to_string(), bytes)
                })
                .collect()
        })
    }

    /// The template with entry `pick` (modulo the number of entries) replaced by `xml`.
    pub fn rebuilt(&self, pick: u8, xml: &[u8]) -> Vec<u8> {
        let entries = self.entries();
        let pick = pick as usize % entries.len();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (i, (name, bytes)) in entries.iter().enumerate() {
            out.start_file(name.as_str(), opts).expect("start");
            out.write_all(if i == pick { xml } else { bytes })
                .expect("write");
        }
        out.finish().expect("finish").into_inner()
    }
}
