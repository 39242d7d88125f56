//! Fuzz target: `kyotei collect`'s hostile inputs — a reply workbook through the reply reader,
//! the answers' checks and the conflicts, and a register through the patcher. Any panic,
//! abort, hang or unbounded allocation is a bug: a hostile file must end as an `Error` (or an
//! answer refused), never as a crash.
//!
//! The first byte picks the shape (modulo 3):
//! - 0: the rest is a whole reply file, collected into the sample register;
//! - 1: the second byte picks one entry of a survey form kyotei issued for the sample and the
//!   rest replaces its XML (rebuilt uncompressed, so mutations reach the XML parsers);
//! - 2: the second byte picks one entry of the sample register, the rest replaces it, and the
//!   result is patched (a 連携事業 cell set, a 実績 row appended) and, when patched, read back.
#![no_main]

use kyotei::date::Date;
use kyotei::forms::survey::{Issue, survey};
use kyotei::forms::Department;
use kyotei::guideline::profile::Profile;
use kyotei::run::collect::{Options, ReplyFile, apply};
use kyotei::writer::patch::{Cell, SheetEdit, patch};
use libfuzzer_sys::fuzz_target;
use std::io::{Cursor, Read, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

const SAMPLE: &[u8] = include_bytes!("../../samples/sample.xlsx");

fn profile() -> &'static Profile {
    static P: OnceLock<Profile> = OnceLock::new();
    P.get_or_init(Profile::isesaki)
}

fn as_of() -> Date {
    Date::new(2026, 11, 25).expect("valid date")
}

/// The sample register on disk (collect reads the register from a path).
fn register() -> &'static PathBuf {
    static R: OnceLock<PathBuf> = OnceLock::new();
    R.get_or_init(|| {
        let p = std::env::temp_dir().join(format!("kyotei-fuzz-collect-{}.xlsx", std::process::id()));
        std::fs::write(&p, SAMPLE).expect("scratch register");
        p
    })
}

/// The survey form of 産業部商工労働課 issued for the sample.
fn form() -> &'static [u8] {
    static F: OnceLock<Vec<u8>> = OnceLock::new();
    F.get_or_init(|| {
        let input = kyotei::run::Input::from_bytes(register(), SAMPLE.to_vec(), profile())
            .expect("the sample reads");
        let reg = &input.register;
        let open: Vec<_> = reg.agreements.iter().filter(|a| a.signed_on.is_none()).collect();
        let dept = Department {
            bu: "産業部".into(),
            ka: "商工労働課".into(),
        };
        let issue = Issue {
            register_sha256: "0",
            date: as_of(),
        };
        let book = survey(reg, profile(), &open, &dept, issue).expect("a form");
        kyotei::writer::xlsx::write(&book).expect("written")
    })
}

fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).expect("an entry");
            let mut b = Vec::new();
            f.read_to_end(&mut b).expect("inflates");
            (f.name().to_string(), b)
        })
        .collect()
}

/// `template` with entry `pick` replaced by `xml`, stored uncompressed.
fn rebuilt(template: &[(String, Vec<u8>)], pick: u8, xml: &[u8]) -> Vec<u8> {
    let pick = pick as usize % template.len();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (i, (name, bytes)) in template.iter().enumerate() {
        out.start_file(name.as_str(), opts).expect("start");
        out.write_all(if i == pick { xml } else { bytes }).expect("write");
    }
    out.finish().expect("finish").into_inner()
}

fn collect(bytes: Vec<u8>) {
    let opts = Options {
        out: PathBuf::from("unused.xlsx"),
        dry_run: true,
        as_of: as_of(),
    };
    let reply = ReplyFile {
        path: PathBuf::from("reply.xlsx"),
        bytes,
    };
    let _ = apply(register(), &[reply], profile(), &opts);
}

fuzz_target!(|data: &[u8]| {
    static FORM: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    static REG: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    match data {
        [mode, rest @ ..] if mode % 3 == 0 => collect(rest.to_vec()),
        [mode, pick, xml @ ..] if mode % 3 == 1 => {
            let template = FORM.get_or_init(|| entries(form()));
            collect(rebuilt(template, *pick, xml));
        }
        [_, pick, xml @ ..] => {
            let template = REG.get_or_init(|| entries(SAMPLE));
            let bytes = rebuilt(template, *pick, xml);
            let mut projects = SheetEdit {
                sheet: "連携事業".into(),
                ..SheetEdit::default()
            };
            projects.cells.insert((13, 4), Cell::Text("△ _x0041_ <&>".into()));
            let mut results = SheetEdit {
                sheet: "実績".into(),
                ..SheetEdit::default()
            };
            results.cells.insert((7, 0), Cell::Text("R8-001".into()));
            results.cells.insert((7, 4), Cell::Date(as_of()));
            results.cells.insert((7, 8), Cell::Number(3.0));
            results.appended = Some((7, 7));
            if let Ok(new) = patch(&bytes, &[projects, results], 200 * 1024 * 1024) {
                let _ = kyotei::input::xlsx::read_bytes(&new, &kyotei::input::xlsx::Limits::default());
            }
        }
        _ => {}
    }
});
