//! Fuzz target: bytes through the workbook reader, the register builder and the guideline
//! checks. Any panic, abort, hang or unbounded allocation is a bug: a hostile file must end
//! as an `Error`, never as a crash.
//!
//! Two shapes of input, chosen by the first byte:
//! - even: the bytes are the whole file (zip container, OLE, anything);
//! - odd: the second byte picks one entry of `samples/sample.xlsx` (workbook, shared
//!   strings, a sheet, styles, relationships) and the rest replaces that entry's XML; the
//!   workbook is rebuilt uncompressed around it. Byte mutations of a deflated zip mostly
//!   fail its CRC, so this shape is what reaches calamine's XML parsing and `register`.
#![no_main]

use kyotei::date::Date;
use kyotei::guideline::profile::Profile;
use kyotei::input::xlsx::{Limits, read_bytes};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[path = "rebuild.rs"]
mod rebuild;

static TEMPLATE: rebuild::Template =
    rebuild::Template::new(include_bytes!("../../samples/sample.xlsx"));

fn profile() -> &'static Profile {
    static P: OnceLock<Profile> = OnceLock::new();
    P.get_or_init(Profile::isesaki)
}

fuzz_target!(|data: &[u8]| {
    let file;
    let bytes = match data {
        [mode, pick, xml @ ..] if mode % 2 == 1 => {
            file = TEMPLATE.rebuilt(*pick, xml);
            &file[..]
        }
        _ => data,
    };
    let Ok(sheets) = read_bytes(bytes, &Limits::default()) else {
        return;
    };
    let Ok((reg, _findings)) = kyotei::input::register::from_sheets(sheets, profile()) else {
        return;
    };
    let as_of = Date::new(2026, 11, 25).expect("valid date");
    let _ = kyotei::guideline::rules::check(&reg, profile(), as_of);
});
