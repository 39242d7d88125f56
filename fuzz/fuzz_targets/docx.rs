//! Fuzz target: bytes through the returned-DOCX reader of `kyotei compare`. Any panic, abort,
//! hang or unbounded allocation is a bug: a hostile file must end as an error, never a crash.
//!
//! Two shapes of input, chosen by the first byte:
//! - even: the bytes are the whole file (zip container, OLE, anything);
//! - odd: the second byte picks one entry of a returned 協定書 (edited by python-docx, with
//!   tracked changes and a comment: `seed.docx`) — the document, the comments, the
//!   relationships, the content types, the properties — and the rest replaces that entry; the
//!   package is rebuilt uncompressed around it, so mutations reach the XML readers instead of
//!   failing the zip's CRC.
#![no_main]

use kyotei::input::docx::read_bytes;
use kyotei::input::xlsx::Limits;
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

const TEMPLATE: &[u8] = include_bytes!("seed.docx");

/// The template's entries, inflated once.
fn entries() -> &'static [(String, Vec<u8>)] {
    static E: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    E.get_or_init(|| {
        let mut zip = zip::ZipArchive::new(Cursor::new(TEMPLATE)).expect("the template");
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
fn rebuilt(pick: u8, xml: &[u8]) -> Vec<u8> {
    let entries = entries();
    let pick = pick as usize % entries.len();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (i, (name, bytes)) in entries.iter().enumerate() {
        out.start_file(name.as_str(), opts).expect("start");
        out.write_all(if i == pick { xml } else { bytes })
            .expect("write");
    }
    out.finish().expect("finish").into_inner()
}

fuzz_target!(|data: &[u8]| {
    let file;
    let bytes = match data {
        [mode, pick, xml @ ..] if mode % 2 == 1 => {
            file = rebuilt(*pick, xml);
            &file[..]
        }
        _ => data,
    };
    let _ = read_bytes(bytes, &Limits::default());
});
