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

#[path = "rebuild.rs"]
mod rebuild;

static TEMPLATE: rebuild::Template = rebuild::Template::new(include_bytes!("seed.docx"));

fuzz_target!(|data: &[u8]| {
    let file;
    let bytes = match data {
        [mode, pick, xml @ ..] if mode % 2 == 1 => {
            file = TEMPLATE.rebuilt(*pick, xml);
            &file[..]
        }
        _ => data,
    };
    let _ = read_bytes(bytes, &Limits::default());
});
