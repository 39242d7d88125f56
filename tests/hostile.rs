//! The catalogue of hostile and broken inputs, run through the real `kyotei` binary. Each case
//! asserts the exact error (message, cell, exit status) and that the output folder was not
//! written or changed; the cases that must work (control characters, 異体字 with variation
//! selectors, a hidden sheet, headers in another order) must render. Then batches that go
//! wrong half-way: an output folder that cannot be written, a disk that fills up, and Ctrl-C
//! in the middle of a batch; none may leave a half-written file, and a rerun completes.

use crate::common::reader_fixtures;

use kyotei::forms::blank::{self, Rows};
use kyotei::guideline::profile::Profile;
use kyotei::model::sheet;
use kyotei::writer::xlsx::{self, CellValue};
use reader_fixtures::{Book, padded_sheet_xml, rewrite_zip, rewrite_zip_streaming, s};
use std::collections::BTreeMap;
use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const AS_OF: &str = "2026-11-25";

/// What a run of the binary gave.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn kyotei(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_kyotei"))
        .args(args)
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn render(register: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args = vec![
        "render",
        register.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--as-of",
        AS_OF,
    ];
    args.extend(extra);
    kyotei(&args)
}

fn check(register: &Path) -> Run {
    kyotei(&["check", register.to_str().unwrap(), "--as-of", AS_OF])
}

/// A fresh folder for one case.
fn case_dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

/// Every file under `dir` (relative path → bytes); empty when `dir` does not exist.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                // A file can vanish between listing and reading while kyotei is still
                // writing (a temporary file renamed into place): it is no longer there.
                match fs::read(&p) {
                    Ok(bytes) => {
                        out.insert(rel, bytes);
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => panic!("{rel}: {e}"),
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// An output folder holding an earlier run's files.
fn earlier_output(dir: &Path) -> PathBuf {
    let out = dir.join("出力");
    fs::create_dir_all(out.join("例-001")).unwrap();
    fs::write(out.join("例-001/協定書.pdf"), b"%PDF-1.7 earlier run").unwrap();
    fs::write(out.join("manifest.json"), b"{\"earlier\": true}\n").unwrap();
    out
}

/// Every document file is whole: no temporary file, every PDF ends with `%%EOF`, every DOCX
/// is a zip whose entries all inflate. Returns the number of documents.
fn assert_no_partial_files(out: &Path) -> usize {
    let mut documents = 0;
    for (rel, bytes) in snapshot(out) {
        assert!(!rel.contains(".kyotei-tmp-"), "temporary file left: {rel}");
        if rel.ends_with(".pdf") {
            let tail = &bytes[bytes.len().saturating_sub(32)..];
            assert!(
                bytes.starts_with(b"%PDF-") && tail.windows(5).any(|w| w == b"%%EOF"),
                "truncated PDF: {rel}"
            );
            documents += 1;
        } else if rel.ends_with(".docx") {
            docx_text(&bytes);
            documents += 1;
        }
    }
    documents
}

/// The text of a DOCX's `word/document.xml` (panics if the file is not a whole zip).
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a whole DOCX");
    for i in 0..zip.len() {
        let mut e = zip.by_index(i).unwrap();
        let mut sink = Vec::new();
        e.read_to_end(&mut sink).expect("every entry inflates");
    }
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

// ---------------------------------------------------------------------------------------
// Workbooks.

/// The rows of the `kyotei init` register: one clean agreement (例-001) that renders.
fn clean_rows() -> Vec<(&'static str, Rows)> {
    blank::example_rows(&Profile::isesaki())
}

/// `rows` with the example agreement copied `n` times (例-001, T-002, T-003…).
fn many(n: usize) -> Vec<(&'static str, Rows)> {
    let id = CellValue::text(blank::EXAMPLE_ID);
    clean_rows()
        .into_iter()
        .map(|(name, rows)| {
            if name == sheet::SETTINGS {
                return (name, rows);
            }
            let mut out = Vec::new();
            for i in 0..n {
                for row in rows.iter().filter(|r| r.first() == Some(&id)) {
                    let mut row = row.clone();
                    if i > 0 {
                        row[0] = CellValue::text(format!("T-{:03}", i + 1));
                    }
                    out.push(row);
                }
            }
            (name, out)
        })
        .collect()
}

fn set(rows: &mut [(&'static str, Rows)], sheet_name: &str, n: usize, header: &str, v: &str) {
    let col = blank::headers(sheet_name)
        .unwrap()
        .iter()
        .position(|h| *h == header)
        .unwrap();
    let sheet = rows.iter_mut().find(|(s, _)| *s == sheet_name).unwrap();
    sheet.1[n][col] = CellValue::text(v);
}

/// Like [`set`], with a value of any type (a date, a number).
fn set_value(
    rows: &mut [(&'static str, Rows)],
    sheet_name: &str,
    n: usize,
    header: &str,
    v: CellValue,
) {
    let col = blank::headers(sheet_name)
        .unwrap()
        .iter()
        .position(|h| *h == header)
        .unwrap();
    let sheet = rows.iter_mut().find(|(s, _)| *s == sheet_name).unwrap();
    sheet.1[n][col] = v;
}

fn date(y: i32, m: u32, d: u32) -> CellValue {
    CellValue::Date(kyotei::date::Date::new(y, m, d).unwrap())
}

/// The line of `text` that names `cell` and contains `part` (a finding of `check` or
/// `render`, as `finding::to_text` prints it).
fn line_with<'a>(text: &'a str, cell: &str, part: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(cell) && l.contains(part))
        .unwrap_or_else(|| panic!("no line with {cell} and {part:?} in:\n{text}"))
}

fn workbook(rows: &[(&'static str, Rows)]) -> Vec<u8> {
    xlsx::write(&blank::register_book(&Profile::isesaki(), rows)).unwrap()
}

/// The zip entry of a sheet, by the sheet's name (from `xl/workbook.xml`; rust_xlsxwriter
/// numbers the sheet files in order).
fn sheet_entry(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name("xl/workbook.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let n = xml
        .split("<sheet ")
        .skip(1)
        .position(|s| s.contains(&format!("name=\"{name}\"")))
        .unwrap_or_else(|| panic!("no sheet {name}"));
    format!("xl/worksheets/sheet{}.xml", n + 1)
}

/// Replace the element of cell `cell` (e.g. `C2`) in a sheet's XML.
fn replace_cell(bytes: &[u8], sheet_name: &str, cell: &str, new: &str) -> Vec<u8> {
    let entry = sheet_entry(bytes, sheet_name);
    rewrite_zip(bytes, |name, old| {
        (name == entry).then(|| {
            let xml = String::from_utf8(old.to_vec()).unwrap();
            let start = xml
                .find(&format!("<c r=\"{cell}\""))
                .unwrap_or_else(|| panic!("no cell {cell}"));
            let end = start + xml[start..].find("</c>").unwrap() + "</c>".len();
            format!("{}{new}{}", &xml[..start], &xml[end..]).into_bytes()
        })
    })
}

/// Write `bytes` as the register of a case and run `render` into a folder that holds an
/// earlier run's files. The run must end with `code` and leave the folder exactly as it was;
/// `check` must end with the same code. Returns what `render` wrote to stderr.
fn refused(case: &str, bytes: &[u8], code: i32) -> String {
    let dir = case_dir(case);
    let register = dir.join("台帳.xlsx");
    fs::write(&register, bytes).unwrap();
    let out = earlier_output(&dir);
    let before = snapshot(&out);
    let r = render(&register, &out, &[]);
    assert_eq!(r.code, Some(code), "{case}: {r:#?}");
    assert_eq!(snapshot(&out), before, "{case}: the output folder changed");
    let c = check(&register);
    assert_eq!(c.code, Some(code), "{case}: check: {c:#?}");
    // Nothing else was written next to the register either.
    let names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 2, "{case}: {names:?}");
    r.stderr
}

/// The documents of `out` are those of `before`: nothing written, nothing changed. The
/// manifest alone may be replaced (a run lists what it wrote; the old one goes to 履歴/).
fn assert_documents_unchanged(out: &Path, before: &BTreeMap<String, Vec<u8>>) {
    let keep = |m: &BTreeMap<String, Vec<u8>>| -> BTreeMap<String, Vec<u8>> {
        m.iter()
            .filter(|(k, _)| !k.contains("manifest"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    assert_eq!(keep(&snapshot(out)), keep(before));
}

fn assert_has(stderr: &str, parts: &[&str]) {
    for p in parts {
        assert!(stderr.contains(p), "expected {p:?} in:\n{stderr}");
    }
}

// ---------------------------------------------------------------------------------------
// Files that are not registers (exit status 2).

#[test]
fn a_file_that_is_not_a_zip() {
    let e = refused(
        "not-zip",
        "協定番号,企業等名\nR8-001,株式会社\n".as_bytes(),
        2,
    );
    assert_has(
        &e,
        &[
            "台帳を読み込めません",
            "zip 形式ではありません",
            "名前を付けて保存",
        ],
    );
}

#[test]
fn a_truncated_workbook() {
    let bytes = workbook(&clean_rows());
    let e = refused("truncated", &bytes[..bytes.len() * 2 / 3], 2);
    assert_has(&e, &["壊れているか、途中で切れています"]);
}

#[test]
fn a_zip_with_two_entries_of_one_name() {
    let bytes = workbook(&clean_rows());
    // Rename the second sheet's entry to the first one's (same length: the offsets hold), in
    // its local header and in the central directory: two `xl/worksheets/sheet1.xml`.
    let (from, to) = (b"xl/worksheets/sheet2.xml", b"xl/worksheets/sheet1.xml");
    let mut dup = bytes.clone();
    let mut replaced = 0;
    let mut i = 0;
    while i + from.len() <= dup.len() {
        if &dup[i..i + from.len()] == from {
            dup[i..i + from.len()].copy_from_slice(to);
            replaced += 1;
        }
        i += 1;
    }
    assert_eq!(
        replaced, 2,
        "the entry's name in its local header and the directory"
    );
    let e = refused("duplicate-entry", &dup, 2);
    assert_has(&e, &["同じ名前のファイル", "xl/worksheets/sheet1.xml"]);
}

#[test]
fn an_xls_renamed_xlsx() {
    // The header of an OLE compound file (BIFF8 .xls) with a Workbook stream named in its
    // directory.
    let mut xls = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    xls.resize(512, 0);
    xls.extend("Workbook".encode_utf16().flat_map(u16::to_le_bytes));
    xls.resize(8192, 0);
    let e = refused("xls", &xls, 2);
    assert_has(&e, &["古い Excel 形式（.xls）", "Excel ブック (*.xlsx)"]);
}

#[test]
fn a_password_protected_workbook() {
    // Excel stores an encrypted .xlsx inside an OLE compound file with the streams
    // EncryptionInfo and EncryptedPackage.
    let mut enc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    enc.resize(512, 0);
    for name in ["EncryptionInfo", "EncryptedPackage"] {
        enc.extend(name.encode_utf16().flat_map(u16::to_le_bytes));
        enc.resize(enc.len() + 64, 0);
    }
    enc.resize(16384, 0xAB);
    let e = refused("password", &enc, 2);
    assert_has(&e, &["パスワードで保護", "パスワードを解除してから"]);
}

#[test]
fn an_ods_renamed_xlsx() {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("content.xml", stored).unwrap();
    zip.write_all(b"<?xml version=\"1.0\"?><office:document-content/>")
        .unwrap();
    zip.start_file("META-INF/manifest.xml", stored).unwrap();
    zip.write_all(b"<manifest/>").unwrap();
    let ods = zip.finish().unwrap().into_inner();
    let e = refused("ods", &ods, 2);
    assert_has(
        &e,
        &[
            "OpenDocument（.ods など）",
            "Excel ブック（.xlsx）ではありません",
        ],
    );
}

#[test]
fn a_zip_bomb() {
    // 300 MB of XML (past the 200 MB cap) in a file of a few hundred KB.
    let bytes = workbook(&clean_rows());
    let entry = sheet_entry(&bytes, sheet::MEMO);
    let bomb = rewrite_zip_streaming(&bytes, |name, _, w| {
        (name == entry)
            .then(|| padded_sheet_xml(w, 300 << 20))
            .is_some()
    });
    assert!(bomb.len() < 1 << 20, "the bomb is small: {}", bomb.len());
    let e = refused("zip-bomb", &bomb, 2);
    assert_has(
        &e,
        &[
            "展開後のサイズが上限（200.0 MB）を超えます",
            &entry,
            "zip 爆弾",
        ],
    );
}

// ---------------------------------------------------------------------------------------
// Workbooks whose content is beyond the limits or unusable.

#[test]
fn a_sparse_sheet_from_a1_to_xfd1048576() {
    let mut b = Book::example();
    b.sheet(sheet::AGREEMENTS)
        .extra
        .push((1_048_575, 16_383, s("最後のセル")));
    let e = refused("sparse", &b.bytes(), 2);
    assert_has(
        &e,
        &[
            "協定!XFD1048576",
            "読み取る範囲（100000 行目・IV 列まで）の外にあります",
            "台帳の形式に問題があります",
        ],
    );
}

#[test]
fn a_million_rows() {
    // Every row of the sheet (1,048,576, Excel's maximum) holds an agreement number: reading
    // stops at the row cap and names the first cell beyond it.
    let bytes = workbook(&clean_rows());
    let entry = sheet_entry(&bytes, sheet::FIELDS);
    let big = rewrite_zip_streaming(&bytes, |name, _, w| {
        if name != entry {
            return false;
        }
        w.write_all(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\
<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\xE5\x8D\x94\xE5\xAE\x9A\xE7\x95\xAA\xE5\x8F\xB7</t></is></c>\
<c r=\"B1\" t=\"inlineStr\"><is><t>\xE5\x88\x86\xE9\x87\x8E</t></is></c></row>",
        )
        .unwrap();
        let mut buf = String::with_capacity(1 << 20);
        for r in 2..=1_048_576u32 {
            buf.push_str(&format!(
                "<row r=\"{r}\"><c r=\"A{r}\" t=\"inlineStr\"><is><t>T</t></is></c></row>"
            ));
            if buf.len() > (1 << 20) - 100 {
                w.write_all(buf.as_bytes()).unwrap();
                buf.clear();
            }
        }
        w.write_all(buf.as_bytes()).unwrap();
        w.write_all(b"</sheetData></worksheet>").unwrap();
        true
    });
    let e = refused("million-rows", &big, 2);
    assert_has(
        &e,
        &[
            "連携事項!A100001",
            "読み取る範囲（100000 行目・IV 列まで）の外にあります",
        ],
    );
}

#[test]
fn a_100000_character_cell() {
    // Excel (and rust_xlsxwriter) stop at 32,767 characters; a hand-made file does not.
    let cell = format!(
        "<c r=\"J2\" t=\"inlineStr\"><is><t>{}</t></is></c>",
        "地域".repeat(50_000)
    );
    let bytes = replace_cell(&workbook(&clean_rows()), sheet::AGREEMENTS, "J2", &cell);
    let e = refused("long-cell", &bytes, 2);
    assert_has(&e, &["協定!J2", "文字数が多すぎます（上限 32767 文字）"]);
}

#[test]
fn formula_error_cells() {
    let bytes = workbook(&clean_rows());
    let bytes = replace_cell(
        &bytes,
        sheet::PUBLICITY,
        "C2",
        "<c r=\"C2\" t=\"e\"><f>NA()</f><v>#N/A</v></c>",
    );
    let bytes = replace_cell(
        &bytes,
        sheet::AGREEMENTS,
        "B2",
        "<c r=\"B2\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c>",
    );
    // Errors in the register's data: exit status 1, the agreement is not rendered, and the
    // earlier documents stay as they were.
    let dir = case_dir("formula-errors");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, &bytes).unwrap();
    let out = earlier_output(&dir);
    let before = snapshot(&out);
    let r = render(&register, &out, &[]);
    assert_eq!(r.code, Some(1), "{r:#?}");
    assert_has(
        &r.stderr,
        &[
            "周知協力!C2",
            "#N/A",
            "協定!B2",
            "#DIV/0!",
            "協定 例-001: エラーがあるため作成しませんでした",
        ],
    );
    assert_documents_unchanged(&out, &before);
    let c = check(&register);
    assert_eq!(c.code, Some(1));
    assert_has(&c.stdout, &["周知協力!C2", "協定!B2"]);
}

#[test]
fn formulas_without_a_cached_value() {
    // A workbook written by a program and never saved in Excel: the formulas have no `<v>`.
    // A required date is an error, an optional text a warning; both name the cell and say
    // to open and save the file in Excel.
    let bytes = workbook(&clean_rows());
    let bytes = replace_cell(
        &bytes,
        sheet::AGREEMENTS,
        "M2",
        "<c r=\"M2\"><f>DATE(2026,6,15)</f></c>",
    );
    let bytes = replace_cell(
        &bytes,
        sheet::AGREEMENTS,
        "F2",
        "<c r=\"F2\" t=\"str\"><f>\"担当\"&amp;\"者\"</f></c>",
    );
    let dir = case_dir("uncomputed");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, &bytes).unwrap();
    let out = earlier_output(&dir);
    let before = snapshot(&out);
    let r = render(&register, &out, &[]);
    assert_eq!(r.code, Some(1), "{r:#?}");
    assert_documents_unchanged(&out, &before);
    let c = check(&register);
    assert_eq!(c.code, Some(1), "{c:#?}");
    for text in [&r.stderr, &c.stdout] {
        let m2 = line_with(text, "協定!M2", "計算結果が保存されていません");
        assert!(
            m2.contains("[エラー]") && m2.contains("=DATE(2026,6,15)"),
            "{m2}"
        );
        assert_has(text, &["Excel で開いて保存し直す"]);
    }
    let f2 = line_with(&c.stdout, "協定!F2", "計算結果が保存されていません");
    assert!(f2.contains("[警告]"), "{f2}");
    // The date is not also called blank.
    assert!(
        !c.stdout
            .lines()
            .any(|l| l.contains("協定!M2") && l.contains("空欄です")),
        "{}",
        c.stdout
    );
}

#[test]
fn a_sheet_whose_xml_is_garbled() {
    // A valid zip whose sheet XML is cut off in the middle of a tag: a Japanese message that
    // names the sheet and says what to do, and none of the parser's internals.
    let bytes = workbook(&clean_rows());
    let entry = sheet_entry(&bytes, sheet::AGREEMENTS);
    let garbled = rewrite_zip(&bytes, |name, old| {
        (name == entry).then(|| {
            let xml = String::from_utf8(old.to_vec()).unwrap();
            let cut = xml.find("<c r=\"B2\"").unwrap() + 4;
            format!("{}\u{1}<<</", &xml[..cut]).into_bytes()
        })
    });
    let e = refused("garbled-xml", &garbled, 2);
    assert_has(
        &e,
        &[
            "台帳を読み込めません",
            "シート「協定」の内容（XML）が壊れています",
            "Excel で開けるなら、保存し直してください",
        ],
    );
    for internal in ["Xml error", "at 0..", "Unexpected", "expecting"] {
        assert!(!e.contains(internal), "{internal:?} in: {e}");
    }
    // The workbook's own part list garbled.
    let garbled = rewrite_zip(&bytes, |name, old| {
        (name == "xl/workbook.xml").then(|| old[..old.len() / 2].to_vec())
    });
    let e = refused("garbled-workbook-xml", &garbled, 2);
    assert_has(&e, &["台帳を読み込めません", "が壊れています"]);
    assert!(!e.contains("Xml error") && !e.contains("error:"), "{e}");
}

#[test]
fn merged_header_cells() {
    // 企業等名 merged across B1:C1: the value is in B1 only, so 企業等所在地 is missing.
    let bytes = workbook(&clean_rows());
    let entry = sheet_entry(&bytes, sheet::AGREEMENTS);
    let merged = rewrite_zip(&bytes, |name, old| {
        (name == entry).then(|| {
            let xml = String::from_utf8(old.to_vec()).unwrap();
            let start = xml.find("<c r=\"C1\"").unwrap();
            let end = start + xml[start..].find("</c>").unwrap() + 4;
            let xml = format!("{}<c r=\"C1\"/>{}", &xml[..start], &xml[end..]);
            xml.replacen(
                "</sheetData>",
                "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"B1:C1\"/></mergeCells>",
                1,
            )
            .into_bytes()
        })
    });
    let e = refused("merged-headers", &merged, 2);
    assert_has(
        &e,
        &[
            "シート「協定」に列「企業等所在地」がありません",
            "1行目（見出しの行）",
        ],
    );
}

#[test]
fn a_missing_sheet() {
    let mut b = Book::example();
    b.remove_sheet(sheet::RESULTS);
    let e = refused("missing-sheet", &b.bytes(), 2);
    assert_has(
        &e,
        &[
            "シート「実績」がありません",
            "という名前のシートを追加してください",
        ],
    );
}

#[test]
fn a_missing_glyph_names_its_cell() {
    // An emoji no bundled font has: the agreement is not rendered (it would print as a
    // blank box), and the cell is named.
    let mut rows = clean_rows();
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "企業等名",
        "株式会社サンプル商事🍙",
    );
    let dir = case_dir("emoji");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&rows)).unwrap();
    let out = earlier_output(&dir);
    let before = snapshot(&out);
    let r = render(&register, &out, &[]);
    assert_eq!(r.code, Some(1), "{r:#?}");
    assert_has(
        &r.stderr,
        &[
            "協定!B2",
            "「🍙」（U+1F359）を表示できるフォントがありません",
            "--font-dir",
        ],
    );
    assert_documents_unchanged(&out, &before);
    // check says what render does, in the same words, at the same cell.
    let line = line_with(&r.stderr, "協定!B2", "フォントがありません");
    let c = check(&register);
    assert_eq!(c.code, Some(1), "{c:#?}");
    assert_eq!(
        line_with(&c.stdout, "協定!B2", "フォントがありません"),
        line
    );
    // A draft is made anyway (the drafts go to 案/), and says where the boxes will be.
    let r = render(&register, &out, &["-q", "--draft"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    assert_has(
        &r.stderr,
        &["警告: 例-001 協定!B2: 「🍙」は案では空白の四角で印刷されます"],
    );
    let xml = docx_text(&fs::read(out.join("例-001/案/協定書.docx")).unwrap());
    assert!(xml.contains("株式会社サンプル商事🍙"), "{xml}");
    assert_eq!(
        fs::read(out.join("例-001/協定書.pdf")).unwrap(),
        b"%PDF-1.7 earlier run"
    );
}

#[test]
fn an_emoji_zwj_sequence_is_kept_and_named_as_one_cell() {
    // A family emoji is three pictographs joined by U+200D: the joiners are not invisible
    // noise, they are kept; the pictographs have no glyph, and the cell is named once.
    let family = "👨\u{200D}👩\u{200D}👧";
    let mut rows = clean_rows();
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "企業等名",
        &format!("株式会社{family}商事"),
    );
    let dir = case_dir("emoji-zwj");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&rows)).unwrap();
    let c = check(&register);
    assert_eq!(c.code, Some(1), "{c:#?}");
    let line = line_with(&c.stdout, "協定!B2", "フォントがありません");
    assert!(line.contains("U+1F468、U+1F469、U+1F467"), "{line}");
    assert!(!c.stdout.contains("見えない書式文字"), "{}", c.stdout);
    let out = dir.join("出力");
    let r = render(&register, &out, &["-q", "--draft"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    let xml = docx_text(&fs::read(out.join("例-001/案/協定書.docx")).unwrap());
    assert!(xml.contains(&format!("株式会社{family}商事")), "{xml}");
}

// ---------------------------------------------------------------------------------------
// Odd but valid workbooks: they must render.

/// Render a register that must succeed; returns the output folder.
fn renders(case: &str, bytes: &[u8]) -> PathBuf {
    let dir = case_dir(case);
    let register = dir.join("台帳.xlsx");
    fs::write(&register, bytes).unwrap();
    let out = dir.join("出力");
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(0), "{case}: {r:#?}");
    assert_eq!(assert_no_partial_files(&out), 10, "{case}");
    out
}

#[test]
fn control_characters_are_removed_and_the_documents_render() {
    let mut rows = clean_rows();
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "企業等名",
        "株式会社\u{7}サンプル\u{1b}商事",
    );
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "代表者氏名",
        "見本\u{202E} 太郎\u{0}",
    );
    let out = renders("control-chars", &workbook(&rows));
    let xml = docx_text(&fs::read(out.join("例-001/協定書.docx")).unwrap());
    assert!(xml.contains("株式会社サンプル商事"), "{xml}");
    assert!(!xml.contains('\u{7}') && !xml.contains('\u{1b}') && !xml.contains('\u{202E}'));
    let c = check(&out.parent().unwrap().join("台帳.xlsx"));
    assert_has(&c.stdout, &["協定!B2", "協定!E2", "制御文字"]);
}

#[test]
fn invisible_format_characters_are_removed_and_the_documents_render() {
    // Pasted from a web page or a PDF: a zero-width space, a BOM, a word joiner, a soft
    // hyphen, and a zero-width joiner between two letters (not in an emoji sequence).
    let mut rows = clean_rows();
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "企業等名",
        "\u{FEFF}株式会社\u{200B}サンプル\u{2060}商事",
    );
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "代表者氏名",
        "見本\u{00AD} 太\u{200D}郎",
    );
    let out = renders("invisible-chars", &workbook(&rows));
    let invisible = ['\u{FEFF}', '\u{200B}', '\u{2060}', '\u{00AD}', '\u{200D}'];
    for (rel, bytes) in snapshot(&out) {
        if rel.ends_with(".docx") {
            let xml = docx_text(&bytes);
            assert!(!xml.contains(&invisible[..]), "{rel} keeps one: {xml}");
            if rel.ends_with("協定書.docx") {
                assert!(xml.contains("株式会社サンプル商事"), "{xml}");
                assert!(xml.contains("見本 太郎"), "{xml}");
            }
        }
    }
    let c = check(&out.parent().unwrap().join("台帳.xlsx"));
    assert_eq!(c.code, Some(0), "{c:#?}");
    let b2 = line_with(&c.stdout, "協定!B2", "見えない書式文字");
    assert!(b2.contains("[警告]"), "{b2}");
    assert!(b2.contains("U+FEFF、U+200B、U+2060"), "{b2}");
    let e2 = line_with(&c.stdout, "協定!E2", "見えない書式文字");
    assert!(e2.contains("U+00AD、U+200D"), "{e2}");
}

#[test]
fn an_invisible_character_inside_an_agreement_number_is_an_error() {
    // 「例-0\u{200B}01」 looks like 例-001 on screen but is another ID.
    let mut rows = clean_rows();
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "協定番号",
        "例-0\u{200B}01",
    );
    let e = refused("invisible-id", &workbook(&rows), 1);
    let line = line_with(&e, "協定!A2", "見えない書式文字");
    assert!(
        line.contains("[エラー]") && line.contains("U+200B"),
        "{line}"
    );
    let dir = case_dir("invisible-id-check");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&rows)).unwrap();
    let c = check(&register);
    assert_eq!(line_with(&c.stdout, "協定!A2", "見えない書式文字"), line);
}

#[test]
fn variation_selectors_render() {
    // 葛󠄀 (IVS U+E0100) and 辻󠄀, and a standardised variant (U+FE00): the base characters are
    // in the fonts, the selectors are not glyphs of their own.
    let name = "株式会社葛\u{E0100}城辻\u{E0100}商事";
    let mut rows = clean_rows();
    set(&mut rows, sheet::AGREEMENTS, 0, "企業等名", name);
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "代表者氏名",
        "渡邉\u{E0101} 一\u{FE00}郎",
    );
    let out = renders("variation-selectors", &workbook(&rows));
    let xml = docx_text(&fs::read(out.join("例-001/協定書.docx")).unwrap());
    assert!(xml.contains(name), "the DOCX keeps the selectors: {xml}");
}

#[test]
fn a_hidden_sheet_is_read() {
    let bytes = workbook(&clean_rows());
    let hidden = rewrite_zip(&bytes, |name, old| {
        (name == "xl/workbook.xml").then(|| {
            String::from_utf8(old.to_vec())
                .unwrap()
                .replacen(
                    "<sheet name=\"実績\"",
                    "<sheet name=\"実績\" state=\"hidden\"",
                    1,
                )
                .into_bytes()
        })
    });
    assert_ne!(hidden, bytes);
    let out = renders("hidden-sheet", &hidden);
    assert!(out.join("例-001/実績報告書_1.pdf").is_file());
}

#[test]
fn headers_in_another_order_give_the_same_documents() {
    let mut reordered = Book::example();
    for sh in &mut reordered.sheets {
        sh.headers.reverse();
    }
    let plain = Book::example();
    let mut outs = Vec::new();
    for (case, book) in [("order-plain", plain), ("order-reversed", reordered)] {
        let dir = case_dir(case);
        let register = dir.join("台帳.xlsx");
        fs::write(&register, book.bytes()).unwrap();
        let out = dir.join("出力");
        let r = render(&register, &out, &["-q", "--draft"]);
        assert!(r.code == Some(0) || r.code == Some(1), "{r:#?}");
        let mut files = snapshot(&out);
        // The manifest holds the input's hash, which differs.
        files.remove("manifest.json");
        assert!(files.len() >= 8, "{:?}", files.keys());
        outs.push(files);
    }
    assert!(outs[0] == outs[1], "the documents differ");
}

// ---------------------------------------------------------------------------------------
// Output folders that cannot be written, and interrupted batches.

#[test]
fn an_output_folder_that_cannot_be_written() {
    let dir = case_dir("readonly");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();

    // An output path under a regular file: refused whatever the user's rights.
    let file = dir.join("ファイル");
    fs::write(&file, b"not a folder").unwrap();
    let r = render(&register, &file.join("出力"), &[]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(&r.stderr, &["書類を作成できませんでした", "ファイル/出力"]);
    assert_eq!(fs::read(&file).unwrap(), b"not a folder");

    // A read-only folder: root ignores permissions, so only an ordinary user sees the error.
    use std::os::unix::fs::PermissionsExt;
    let out = earlier_output(&dir);
    let before = snapshot(&out);
    for d in [&out, &out.join("例-001")] {
        fs::set_permissions(d, fs::Permissions::from_mode(0o555)).unwrap();
    }
    let probe = out.join(".probe");
    let root = fs::write(&probe, b"").is_ok();
    let _ = fs::remove_file(&probe);
    let r = render(&register, &out, &[]);
    for d in [&out, &out.join("例-001")] {
        fs::set_permissions(d, fs::Permissions::from_mode(0o755)).unwrap();
    }
    if root {
        eprintln!("read-only folder: running as root, which ignores permissions; not asserted");
    } else {
        assert_eq!(r.code, Some(2), "{r:#?}");
        assert_has(&r.stderr, &["書類を作成できませんでした"]);
        assert_eq!(snapshot(&out), before);
    }
}

#[test]
fn a_write_failing_mid_batch_leaves_no_partial_file() {
    // The second agreement's folder is taken by a file: its files cannot be written.
    let dir = case_dir("mid-batch");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&many(3))).unwrap();
    let out = dir.join("出力");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("T-002"), b"in the way").unwrap();
    let r = render(&register, &out, &["--jobs", "1"]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(&r.stderr, &["書類を作成できませんでした", "T-002"]);
    assert_no_partial_files(&out);
    assert!(
        !out.join("manifest.json").exists(),
        "no manifest for a failed run"
    );
    assert_eq!(fs::read(out.join("T-002")).unwrap(), b"in the way");
    // Once the way is clear, a rerun completes.
    fs::remove_file(out.join("T-002")).unwrap();
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    assert_eq!(assert_no_partial_files(&out), 30);
}

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(path: &Path, size: &str) -> Option<Tmpfs> {
        fs::create_dir_all(path).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .output()
            .is_ok_and(|o| o.status.success());
        ok.then(|| Tmpfs(path.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_mid_batch_leaves_no_partial_file() {
    let dir = case_dir("disk-full");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&many(3))).unwrap();
    // One agreement's documents take about 600 KB: the disk fills during the second.
    let Some(disk) = Tmpfs::mount(&dir.join("disk"), "900k") else {
        eprintln!("full disk: cannot mount a tmpfs here (not root?); not asserted");
        return;
    };
    let out = disk.0.join("出力");
    let r = render(&register, &out, &["--jobs", "1"]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(
        &r.stderr,
        &["書類を作成できませんでした", "ディスクの空きがありません"],
    );
    let documents = assert_no_partial_files(&out);
    assert!(documents < 30, "{documents}");
    assert!(!out.join("manifest.json").exists());
}

#[test]
fn ctrl_c_mid_batch_leaves_no_partial_file_and_a_rerun_completes() {
    const N: usize = 40;
    let dir = case_dir("ctrl-c");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&many(N))).unwrap();
    let out = dir.join("出力");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyotei"))
        .args([
            "render",
            register.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ])
        .args(["--as-of", AS_OF, "-q"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the batch is under way: the first files are written.
    let start = Instant::now();
    while snapshot(&out).len() < 5 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(130), "interrupted mid-batch: {stderr}");
    assert_has(&stderr, &["中断しました"]);
    // Nothing of the interrupted run is in place, or left aside: the run is as if it had not
    // started (its files are committed together, or not at all).
    assert_eq!(assert_no_partial_files(&out), 0);
    assert!(snapshot(&out).is_empty(), "{:?}", snapshot(&out).keys());

    // A rerun makes everything.
    let r = render(&register, &out, &[]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    assert_eq!(assert_no_partial_files(&out), N * 10);
    assert!(out.join("manifest.json").is_file());
}

#[test]
fn a_rerun_removes_temporary_files_a_killed_run_left() {
    let dir = case_dir("stale-temp");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let out = dir.join("出力");
    fs::create_dir_all(out.join("例-001")).unwrap();
    // A process id beyond Linux's largest (2^22): no running process owns these.
    let stale = [
        out.join("例-001/.協定書.pdf.kyotei-tmp-4194305"),
        out.join(".manifest.json.kyotei-tmp-4194306"),
    ];
    for p in &stale {
        fs::write(p, b"%PDF-1.7 half").unwrap();
    }
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    for p in &stale {
        assert!(!p.exists(), "{} is left", p.display());
    }
    assert_eq!(assert_no_partial_files(&out), 10);
}

// ---------------------------------------------------------------------------------------
// Dates that are easy to get wrong: what check and schedule say.

#[test]
fn the_next_notice_deadline_after_the_current_one_has_passed() {
    // 例-001 is signed 2026-07-01: its first term ends 2027-03-31 and its notice deadline
    // was 2027-02-28. On 2027-03-01 that has passed, the term will be renewed to 2028-03-31,
    // and the next deadline is 2028-02-29 (a leap year).
    let dir = case_dir("next-deadline");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let reg = register.to_str().unwrap();
    let s = kyotei(&["schedule", reg, "--as-of", "2027-03-01", "--format", "json"]);
    assert_eq!(s.code, Some(0), "{s:#?}");
    let json: serde_json::Value = serde_json::from_str(&s.stdout).unwrap();
    let e = json
        .as_array()
        .and_then(|a| a.iter().find(|e| e["agreement"] == "例-001"))
        .unwrap_or_else(|| panic!("{json}"));
    assert_eq!(e["notice_deadline"], "2028-02-29", "{e}");
    assert_eq!(e["passed_notice_deadline"], "2027-02-28", "{e}");
    assert_eq!(e["notice_for_term_end"], "2028-03-31", "{e}");
    let c = kyotei(&["check", reg, "--as-of", "2027-03-01"]);
    assert_eq!(c.code, Some(0), "{c:#?}");
    assert_has(
        &c.stdout,
        &[
            "今期の申出期限（令和9年2月28日）は過ぎた",
            "次の申出期限は令和10年2月29日",
        ],
    );
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "nothing written");
}

#[test]
fn an_agreed_term_shorter_than_the_notice_period() {
    // Signed on 15 December with the term ending on 31 December: the first notice deadline
    // (30 November) is before the signing, so the agreement renews before anyone could say no.
    let mut rows = clean_rows();
    set_value(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "締結日",
        date(2026, 12, 15),
    );
    set_value(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "有効期間満了日",
        date(2026, 12, 31),
    );
    let dir = case_dir("short-term");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&rows)).unwrap();
    let c = kyotei(&["check", register.to_str().unwrap(), "--as-of", "2026-12-01"]);
    let line = line_with(&c.stdout, "協定!O2", "申出期限");
    assert_has(
        line,
        &[
            "[警告]",
            "（ガイドライン5）",
            "令和8年11月30日",
            "締結日より前になります",
        ],
    );
}

#[test]
fn a_transitional_agreement_says_how_its_term_was_computed() {
    // 附則2: signed before the guideline took effect (2026-04-01) and not amended since, the
    // term is the one the agreement itself sets. Without 有効期間満了日 the term shown is
    // computed by section 5 as a guide; with it, from that date.
    let mut rows = clean_rows();
    set_value(&mut rows, sheet::AGREEMENTS, 0, "申出日", date(2025, 9, 1));
    set_value(&mut rows, sheet::AGREEMENTS, 0, "締結日", date(2025, 10, 1));
    let dir = case_dir("transitional-term");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&rows)).unwrap();
    let c = check(&register);
    let line = line_with(&c.stdout, "協定!M2", "附則2により有効期間は従前の例");
    assert_has(
        line,
        &["（ガイドライン5）", "ガイドライン5の方法で計算した目安です"],
    );
    assert_has(
        &c.stdout,
        &["協定書に定めた有効期間と異なる場合は、協定書が優先します"],
    );

    set_value(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "有効期間満了日",
        date(2026, 9, 30),
    );
    fs::write(&register, workbook(&rows)).unwrap();
    let c = check(&register);
    let line = line_with(&c.stdout, "協定!M2", "附則2により有効期間は従前の例");
    assert_has(line, &["台帳の「有効期間満了日」から計算しています"]);
    assert!(!line.contains("目安"), "{line}");
}

// ---------------------------------------------------------------------------------------
// Writes that must not happen: the register itself, through a link, over a final document.

#[test]
fn an_ics_onto_the_register_being_read_is_refused() {
    // The register under another spelling and through a hard link (the same file): refused
    // even with --force; an existing calendar file is kept without --force.
    let dir = case_dir("ics-register");
    fs::create_dir_all(dir.join("sub")).unwrap();
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    fs::hard_link(&register, dir.join("同じ台帳.xlsx")).unwrap();
    fs::write(dir.join("予定.ics"), b"staff calendar").unwrap();
    let before = snapshot(&dir);
    let reg = register.to_str().unwrap();
    let other = dir.join("sub/../台帳.xlsx");
    let linked = dir.join("同じ台帳.xlsx");
    for target in [reg, other.to_str().unwrap(), linked.to_str().unwrap()] {
        for force in [&[][..], &["--force"][..]] {
            let mut args = vec!["schedule", reg, "--as-of", AS_OF, "--ics", target];
            args.extend(force);
            let r = kyotei(&args);
            assert_eq!(r.code, Some(2), "{args:?}: {r:#?}");
            assert_has(
                &r.stderr,
                &[
                    "は読み込んでいる台帳です",
                    "台帳には書き込みません",
                    "出力には別のファイル名を指定してください",
                ],
            );
            assert_eq!(snapshot(&dir), before, "{args:?}");
        }
    }
    let ics = dir.join("予定.ics");
    let r = kyotei(&[
        "schedule",
        reg,
        "--as-of",
        AS_OF,
        "--ics",
        ics.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(&r.stderr, &["予定.ics は既に存在します", "--force"]);
    assert_eq!(snapshot(&dir), before);
}

#[test]
fn a_link_inside_the_output_folder_is_refused() {
    let dir = case_dir("link-in-out");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let elsewhere = dir.join("よそ");
    fs::create_dir_all(&elsewhere).unwrap();
    let out = dir.join("出力");
    fs::create_dir_all(&out).unwrap();

    // The agreement's folder is a link to a folder outside OUT.
    let link = out.join("例-001");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(
        &r.stderr,
        &[
            &format!("{} はリンク（シンボリックリンク）です", link.display()),
            "リンクの先には書き込みません",
        ],
    );
    assert!(snapshot(&elsewhere).is_empty(), "written through the link");

    // The history folder is a link: the earlier file is not moved through it, nor replaced
    // (documents with no earlier file may be written before the refusal, as when a write
    // fails mid-batch; no manifest says that the run completed).
    fs::remove_file(&link).unwrap();
    let out = earlier_output(&dir);
    let link = out.join("例-001/履歴");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(
        &r.stderr,
        &[&format!(
            "{} はリンク（シンボリックリンク）です",
            link.display()
        )],
    );
    assert!(snapshot(&elsewhere).is_empty(), "written through the link");
    assert_eq!(
        fs::read(out.join("例-001/協定書.pdf")).unwrap(),
        b"%PDF-1.7 earlier run"
    );
    assert_eq!(
        fs::read(out.join("manifest.json")).unwrap(),
        b"{\"earlier\": true}\n"
    );
    assert!(
        !snapshot(&out).keys().any(|k| k.contains(".kyotei-tmp-")),
        "a temporary file is left"
    );

    // The drafts' folder is a link.
    fs::remove_file(&link).unwrap();
    let link = out.join("例-001/案");
    std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
    let r = render(&register, &out, &["-q", "--draft"]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(
        &r.stderr,
        &[&format!(
            "{} はリンク（シンボリックリンク）です",
            link.display()
        )],
    );
    assert!(snapshot(&elsewhere).is_empty(), "written through the link");
}

#[test]
fn a_draft_never_displaces_a_final_document() {
    let dir = case_dir("draft-beside-final");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let out = dir.join("出力");
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    let finals = snapshot(&out);
    assert!(
        finals.contains_key("例-001/協定書.pdf"),
        "{:?}",
        finals.keys()
    );

    let r = render(&register, &out, &["-q", "--draft"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    let after = snapshot(&out);
    // Every final file is still there, byte for byte; nothing went to 履歴.
    for (rel, bytes) in &finals {
        if !rel.contains("manifest") {
            assert!(after.get(rel) == Some(bytes), "{rel} changed");
        }
    }
    assert!(
        !after.keys().any(|k| k.starts_with("例-001/履歴")),
        "{:?}",
        after.keys()
    );
    // The drafts are in 案/, one for each final document, and marked in the manifest.
    let drafts: Vec<&String> = after
        .keys()
        .filter(|k| k.starts_with("例-001/案/"))
        .collect();
    let documents = finals
        .keys()
        .filter(|k| k.ends_with(".pdf") || k.ends_with(".docx"))
        .count();
    assert_eq!(drafts.len(), documents, "{drafts:?}");
    let new: Vec<&String> = after
        .keys()
        .filter(|k| !finals.contains_key(*k) && !k.contains("manifest"))
        .collect();
    assert!(new.iter().all(|k| k.starts_with("例-001/案/")), "{new:?}");
    let manifest: serde_json::Value = serde_json::from_slice(&after["manifest.json"]).unwrap();
    let files = manifest["files"]
        .as_array()
        .unwrap_or_else(|| panic!("{manifest}"));
    assert!(!files.is_empty());
    // The manifest lists both: the finals as they were, the drafts marked.
    for f in files {
        let path = f["path"].as_str().unwrap();
        let draft = f.get("draft").is_some_and(|d| d == true);
        assert_eq!(path.starts_with("例-001/案/"), draft, "{f}");
    }
    assert!(files.iter().any(|f| f.get("draft").is_none()));
    // The final run's manifest had no draft marks.
    let first: serde_json::Value = serde_json::from_slice(&finals["manifest.json"]).unwrap();
    for f in first["files"].as_array().unwrap() {
        assert!(f.get("draft").is_none(), "{f}");
    }
    // A final render after the draft changes nothing either: the drafts stay, the finals
    // are unchanged.
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    let again = snapshot(&out);
    for rel in finals.keys().chain(drafts.iter().copied()) {
        if !rel.contains("manifest") {
            assert_eq!(again.get(rel), after.get(rel), "{rel}");
        }
    }
}

#[test]
fn an_unknown_agreement_that_looks_like_a_known_one() {
    // 「例-0\u{200B}01」 looks like 例-001: check and render both refuse it with the same
    // message (exit 2) and render creates no output folder.
    let dir = case_dir("unknown-lookalike");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let reg = register.to_str().unwrap();
    let out = dir.join("出力");
    let id = "例-0\u{200B}01";
    let c = kyotei(&["check", reg, "--agreement", id, "--as-of", AS_OF]);
    let r = render(&register, &out, &["--agreement", id]);
    let findings = |run: &Run| -> String {
        assert_eq!(run.code, Some(2), "{run:#?}");
        assert_has(
            &run.stderr,
            &[&format!(
                "協定番号「{id}」は台帳の「協定」シートにありません"
            )],
        );
        // The finding and its hint, without the closing `エラー:` line (render's names what
        // it was doing).
        let lines: Vec<&str> = run.stderr.lines().collect();
        lines[..lines.len() - 1].join("\n")
    };
    assert_eq!(findings(&c), findings(&r));
    assert!(!out.exists());
}

// ---------------------------------------------------------------------------------------
// Messages: Japanese, once, saying what to do.

#[test]
fn a_missing_register_is_named_once() {
    let dir = case_dir("missing-register");
    let missing = dir.join("ない.xlsx");
    for args in [
        vec!["check", missing.to_str().unwrap()],
        vec!["schedule", missing.to_str().unwrap()],
    ] {
        let r = kyotei(&args);
        assert_eq!(r.code, Some(2), "{r:#?}");
        assert_eq!(
            r.stderr.trim_end(),
            format!(
                "エラー: 台帳を読み込めません: {}: ファイルまたはフォルダがありません。名前と場所を確かめてください",
                missing.display()
            )
        );
    }
    let r = render(&missing, &dir.join("出力"), &[]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_eq!(r.stderr.matches("ない.xlsx").count(), 1, "{}", r.stderr);
    assert!(!dir.join("出力").exists());
}

#[test]
fn an_output_path_under_a_file_is_one_japanese_message() {
    let dir = case_dir("out-under-file");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let file = dir.join("ファイル");
    fs::write(&file, b"not a folder").unwrap();
    let r = render(&register, &file.join("出力"), &["-q"]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{}", r.stderr);
    assert_has(
        lines[0],
        &[
            "から書類を作成できませんでした",
            "ファイル/出力",
            "途中にフォルダではなくファイルがあります",
        ],
    );
    for english in ["Not a directory", "os error", "directory"] {
        assert!(!r.stderr.contains(english), "{english:?} in {}", r.stderr);
    }
    assert_eq!(fs::read(&file).unwrap(), b"not a folder");
}

// ---------------------------------------------------------------------------------------
// Single files that are not regular files (issue 21): refused, even with --force, never read.

/// Runs the binary, killed after `limit` (a run that would hang fails the test instead).
fn kyotei_within(args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyotei"))
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} still runs after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[cfg(unix)]
#[test]
fn force_never_replaces_nor_reads_a_special_file() {
    use std::os::unix::fs::FileTypeExt;
    let dir = case_dir("special-files");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let reg = register.to_str().unwrap();
    let fifo = dir.join("予定.ics");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success(), "mkfifo");
    let links = [
        ("null.csv", "/dev/null"),
        ("zero.csv", "/dev/zero"),
        ("full.csv", "/dev/full"),
        ("stdout.csv", "/proc/self/fd/1"),
        ("fifo.csv", "予定.ics"),
    ];
    for (name, to) in links {
        std::os::unix::fs::symlink(to, dir.join(name)).unwrap();
    }
    let limit = Duration::from_secs(60);
    let refused = |args: &[&str], target: &str| {
        let r = kyotei_within(args, limit);
        assert_eq!(r.code, Some(2), "{args:?}: {r:#?}");
        assert_has(
            &r.stderr,
            &[
                target,
                "は通常のファイルではありません",
                "--force でも同じです",
                "新しいファイル名か、通常のファイルを指定してください",
            ],
        );
    };
    let f = fifo.to_str().unwrap();
    for force in [&[][..], &["--force"][..]] {
        let mut ics = vec!["schedule", reg, "--as-of", AS_OF, "--ics", f];
        ics.extend(force);
        refused(&ics, "予定.ics");
        let mut init = vec!["init", f];
        init.extend(force);
        refused(&init, "予定.ics");
        for (name, _) in links {
            let target = dir.join(name);
            let t = target.to_str().unwrap();
            let mut export = vec!["export", reg, "--as-of", AS_OF, "--open-data", t];
            export.extend(force);
            refused(&export, name);
            let mut report = vec!["report", reg, "--fiscal-year", "2026", "-o", t];
            report.extend(force);
            refused(&report, name);
        }
    }
    // A device named directly.
    refused(
        &[
            "export",
            reg,
            "--as-of",
            AS_OF,
            "--open-data",
            "/dev/full",
            "--force",
        ],
        "/dev/full",
    );
    // Nothing was replaced: the FIFO is one, every link still points where it did, and no
    // temporary file is left.
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    for (name, to) in links {
        assert_eq!(
            fs::read_link(dir.join(name)).unwrap(),
            Path::new(to),
            "{name}"
        );
    }
    let names: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2 + links.len(), "{names:?}");
}

#[test]
fn a_large_existing_file_is_compared_without_reading_it_all() {
    // A 1 GiB (sparse) file where the calendar goes: refused without --force, replaced with
    // it; its length already says it differs.
    let dir = case_dir("large-existing");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let reg = register.to_str().unwrap();
    let ics = dir.join("予定.ics");
    fs::File::create(&ics).unwrap().set_len(1 << 30).unwrap();
    let t = ics.to_str().unwrap();
    let r = kyotei_within(
        &["schedule", reg, "--as-of", AS_OF, "--ics", t],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(&r.stderr, &["予定.ics は既に存在します", "--force"]);
    assert_eq!(fs::metadata(&ics).unwrap().len(), 1 << 30);
    let r = kyotei_within(
        &["schedule", reg, "--as-of", AS_OF, "--ics", t, "--force"],
        Duration::from_secs(60),
    );
    assert_eq!(r.code, Some(0), "{r:#?}");
    assert!(fs::read(&ics).unwrap().starts_with(b"BEGIN:VCALENDAR"));
}

// ---------------------------------------------------------------------------------------
// Unicode canonical forms and dates (issue 21).

/// The rows with the example's 協定番号 replaced by `id` on every sheet that names it.
fn with_id(id: &str) -> Vec<(&'static str, Rows)> {
    let old = CellValue::text(blank::EXAMPLE_ID);
    clean_rows()
        .into_iter()
        .map(|(name, mut rows)| {
            if name != sheet::SETTINGS {
                for row in rows.iter_mut().filter(|r| r.first() == Some(&old)) {
                    row[0] = CellValue::text(id);
                }
            }
            (name, rows)
        })
        .collect()
}

#[test]
fn an_id_typed_decomposed_makes_the_same_folder_as_one_typed_composed() {
    // ガ as カ + U+3099 (NFD, as macOS and some IMEs give it) in the ID and the company name.
    let nfd_id = "\u{30AB}\u{3099}-001";
    let mut rows = with_id(nfd_id);
    set(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "企業等名",
        "株式会社カ\u{3099}ス",
    );
    let out = renders("nfd-id", &workbook(&rows));
    let folders: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.contains('.'))
        .collect();
    assert_eq!(folders, vec!["\u{30AC}-001".to_string()], "{folders:?}");
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(!manifest.contains('\u{3099}'), "{manifest}");
    let xml = docx_text(&fs::read(out.join("ガ-001/協定書.docx")).unwrap());
    assert!(
        xml.contains("株式会社ガス") && !xml.contains('\u{3099}'),
        "{xml}"
    );
    // The PDF finds 「ガス」.
    let pdf = fs::read(out.join("ガ-001/協定書.pdf")).unwrap();
    let text: String = pdf_extract::extract_text_from_mem(&pdf)
        .unwrap()
        .split_whitespace()
        .collect();
    assert!(text.contains("株式会社ガス"), "{text}");
    // The same register typed composed renders into the same folder: nothing new, nothing
    // changed.
    let before = snapshot(&out);
    let register = out.parent().unwrap().join("台帳.xlsx");
    let mut rows = with_id("ガ-001");
    set(&mut rows, sheet::AGREEMENTS, 0, "企業等名", "株式会社ガス");
    fs::write(&register, workbook(&rows)).unwrap();
    let r = render(&register, &out, &["-q"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    assert_documents_unchanged(&out, &before);
    // --agreement in either form finds it.
    let c = kyotei(&[
        "check",
        register.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "--agreement",
        nfd_id,
    ]);
    assert_eq!(c.code, Some(0), "{c:#?}");
}

#[test]
fn excel_serial_60_is_no_date() {
    // Serial 60 is Excel's 1900-02-29, a day that never was: an error at its cell, not
    // 明治33年2月28日.
    let mut rows = clean_rows();
    set_value(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "締結日",
        CellValue::Number(60.0),
    );
    let e = refused("serial-60", &workbook(&rows), 1);
    let line = line_with(&e, "協定!M2", "1900年2月29日");
    assert!(
        line.contains("[エラー]") && line.contains("存在しない日付です"),
        "{line}"
    );
    assert!(!e.contains("明治33年2月28日"), "{e}");
}

#[test]
fn a_date_exported_as_text_with_its_time_is_read() {
    for (case, text) in [
        ("date-time-short", "2026/04/01 0:00"),
        ("date-time-long", "2026/4/1 00:00:00"),
    ] {
        let mut rows = clean_rows();
        set(&mut rows, sheet::AGREEMENTS, 0, "締結日", text);
        let dir = case_dir(case);
        let register = dir.join("台帳.xlsx");
        fs::write(&register, workbook(&rows)).unwrap();
        let c = kyotei(&[
            "check",
            register.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]);
        assert_eq!(c.code, Some(0), "{case}: {c:#?}");
        assert!(!c.stdout.contains("日付として読めません"), "{}", c.stdout);
        let s = kyotei(&[
            "schedule",
            register.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ]);
        assert!(s.stdout.contains("2026-04-01"), "{case}: {s:#?}");
    }
}

#[test]
fn an_implausible_signing_date_is_a_warning_at_its_cell() {
    for (case, date_value, part) in [
        (
            "signed-1988",
            date(1988, 12, 31),
            "平成元年1月8日より前です",
        ),
        ("signed-far-ahead", date(2031, 11, 26), "の5年より先です"),
    ] {
        let mut rows = clean_rows();
        set_value(&mut rows, sheet::AGREEMENTS, 0, "締結日", date_value);
        let dir = case_dir(case);
        let register = dir.join("台帳.xlsx");
        fs::write(&register, workbook(&rows)).unwrap();
        let c = check(&register);
        let line = line_with(&c.stdout, "協定!M2", part);
        assert!(line.contains("[警告]") && line.contains("入力"), "{line}");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 1, "nothing written");
    }
    // Inside the window: no such warning.
    let mut rows = clean_rows();
    set_value(
        &mut rows,
        sheet::AGREEMENTS,
        0,
        "締結日",
        date(2031, 11, 25),
    );
    let dir = case_dir("signed-in-window");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&rows)).unwrap();
    let c = check(&register);
    assert!(!c.stdout.contains("の5年より先です"), "{}", c.stdout);
}

// ---------------------------------------------------------------------------------------
// The page (issue 21): uploads bounded in size, number and memory; paths it cannot read.
// Every server is a child on a free port of 127.0.0.1, stopped when its test ends.

/// A `multipart/form-data` body with one file field `register`, and its content type.
fn upload_form(name: &str, bytes: &[u8]) -> (Vec<u8>, String) {
    let boundary = "kyoteiHostile7MA4YWxk";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"register\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (body, format!("multipart/form-data; boundary={boundary}"))
}

/// A POST of `body` to `/check` in chunks (`Transfer-Encoding: chunked`, no length: the
/// server finds the size only by reading), then its response.
fn post_chunked(addr: &str, content_type: &str, body: &[u8]) -> crate::common::serve::Response {
    use std::net::TcpStream;
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let head = format!(
        "POST /check HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    );
    s.write_all(head.as_bytes()).unwrap();
    for chunk in body.chunks(1 << 20) {
        s.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .unwrap();
        s.write_all(chunk).unwrap();
        s.write_all(b"\r\n").unwrap();
    }
    s.write_all(b"0\r\n\r\n").unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("reads the response");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status: u16 = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {}", &text[..text.len().min(200)]));
    let body_start = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    crate::common::serve::Response {
        status,
        headers: Vec::new(),
        body: raw[body_start..].to_vec(),
    }
}

/// The server's peak resident memory (`VmHWM`), in bytes.
fn peak_memory(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in /proc/PID/status");
    kb * 1024
}

#[test]
fn oversized_uploads_get_a_japanese_413_and_memory_stays_bounded() {
    use crate::common::serve::{Served, http};
    let s = Served::sample("hostile-uploads", &[]);
    let before = crate::common::files(&s.dir);
    let origin = format!("http://{}", s.addr);
    // 60 MB: over the 50 MB limit.
    let (body, content_type) = upload_form("大きな台帳.xlsx", &vec![b'x'; 60 * 1024 * 1024]);
    let body = std::sync::Arc::new(body);
    let headers = [
        ("Origin", origin.as_str()),
        ("Content-Type", content_type.as_str()),
    ];
    let japanese_413 = |r: &crate::common::serve::Response| {
        assert_eq!(r.status, 413, "{}", r.text());
        assert!(
            r.text()
                .contains("ファイルが大きすぎます（上限 50 MB）。台帳（.xlsx）を選んでください"),
            "{}",
            r.text()
        );
    };
    // With its length announced: refused before it is read.
    let r = http(&s.addr, "POST", "/check", &headers, &body);
    japanese_413(&r);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    // Without: refused once 50 MB have been read.
    japanese_413(&post_chunked(&s.addr, &content_type, &body));
    // The page states the limit the same way.
    let form = s.get("/check");
    assert!(
        form.text().contains("大きさは 50 MB までです"),
        "{}",
        form.text()
    );

    // 12 at once, half of them without a length: every one is answered, 413 or 503 (busy),
    // in Japanese, and the server's peak memory stays under 300 MB.
    let threads: Vec<_> = (0..12)
        .map(|i| {
            let body = body.clone();
            let addr = s.addr.clone();
            let origin = origin.clone();
            let content_type = content_type.clone();
            std::thread::spawn(move || {
                if i % 2 == 0 {
                    http(
                        &addr,
                        "POST",
                        "/check",
                        &[
                            ("Origin", origin.as_str()),
                            ("Content-Type", content_type.as_str()),
                        ],
                        &body,
                    )
                } else {
                    post_chunked(&addr, &content_type, &body)
                }
            })
        })
        .collect();
    for t in threads {
        let r = t.join().expect("every request is answered");
        match r.status {
            413 => japanese_413(&r),
            503 => assert!(r.text().contains("混み合っています"), "{}", r.text()),
            other => panic!("{other}: {}", r.text()),
        }
    }
    let peak = peak_memory(s.pid());
    eprintln!("peak memory of the server: {} MB", peak >> 20);
    assert!(peak < 300 * 1024 * 1024, "peak memory {} MB", peak >> 20);
    // Still serving, and nothing was stored.
    assert_eq!(s.get("/").status, 200);
    assert_eq!(
        crate::common::files(&s.dir),
        before,
        "an upload left a file"
    );
}

#[test]
fn paths_and_queries_the_page_cannot_read_get_a_japanese_page() {
    use crate::common::serve::{Served, http};
    let s = Served::sample("hostile-paths", &[]);
    for path in [
        // Overlong UTF-8 for `.` and `/`, a lone continuation byte, a cut sequence.
        "/agreements/%C0%AE%C0%AE",
        "/agreements/%80",
        "/agreements/%E3%81/documents.zip",
        "/files/%C0%AF%C0%AFetc/passwd",
        "/static/%FF.css",
        // A query that does not parse.
        "/schedule?months=abc",
    ] {
        let r = http(&s.addr, "GET", path, &[], b"");
        assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
        assert_eq!(
            r.header("content-type"),
            Some("text/html; charset=utf-8"),
            "{path}"
        );
        let text = r.text();
        assert!(
            text.contains("見つかりません") || text.contains("読み取れません"),
            "{path}: {text}"
        );
        for english in ["Invalid URL", "Failed to", "deserialize", "UTF-8"] {
            assert!(!text.contains(english), "{path}: {text}");
        }
    }
    // A method the route does not take.
    let origin = format!("http://{}", s.addr);
    let r = http(
        &s.addr,
        "POST",
        "/schedule",
        &[("Origin", origin.as_str())],
        b"",
    );
    assert_eq!(r.status, 405);
    assert!(r.text().contains("この操作はできません"), "{}", r.text());
    // The lock file of the output folder is not served.
    fs::create_dir_all(s.dir.join("出力")).unwrap();
    fs::write(s.dir.join("出力/.kyotei-lock"), b"{\"pid\":1}").unwrap();
    let r = s.get("/files/.kyotei-lock");
    assert_eq!(r.status, 404);
    assert!(!r.text().contains("pid"), "{}", r.text());
}

// One writer per output folder.

#[test]
fn a_second_writer_waits_for_the_first_names_it_and_gives_up_with_2() {
    const N: usize = 30;
    let dir = case_dir("two-writers");
    let a = dir.join("台帳A.xlsx");
    let b = dir.join("台帳B.xlsx");
    fs::write(&a, workbook(&many(N))).unwrap();
    fs::write(&b, workbook(&many(2))).unwrap();
    let out = dir.join("出力");
    let first = Command::new(env!("CARGO_BIN_EXE_kyotei"))
        .args(["render", a.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .args(["--as-of", AS_OF, "-q", "--jobs", "1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The first holds the folder once it writes its staging folder.
    let start = Instant::now();
    while !out.join(".kyotei-lock").exists() && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    // A second render into the same folder waits (here one second), naming the first, then
    // gives up with exit 2 and writes nothing.
    let second = Command::new(env!("CARGO_BIN_EXE_kyotei"))
        .args(["render", b.to_str().unwrap(), "-o", out.to_str().unwrap()])
        .args(["--as-of", AS_OF, "-q"])
        .env("KYOTEI_LOCK_WAIT", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    let pid = first.id().to_string();
    assert_has(
        &stderr,
        &[
            "書き込み中です。終わるのを待っています",
            &pid,
            "kyotei render",
            "待ちましたが終わりませんでした",
        ],
    );
    let done = first.wait_with_output().unwrap();
    assert_eq!(
        done.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    // Every file the folder holds is the one the manifest lists, byte for byte.
    let manifest: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    // Every file but the manifest itself is listed (documents and edition records).
    assert_eq!(listed.len(), snapshot(&out).len() - 1);
    assert_eq!(assert_no_partial_files(&out), N * 10);
    for f in listed {
        let bytes = fs::read(out.join(f["path"].as_str().unwrap())).unwrap();
        assert_eq!(
            kyotei::output::sha256_hex(&bytes),
            f["sha256"].as_str().unwrap()
        );
    }
    assert!(!out.join(".kyotei-lock").exists());
    // Once the first is done, the second goes through.
    let r = render(&b, &out, &["-q"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
}

#[test]
fn diff_into_a_file_is_exit_2_even_when_nothing_changed() {
    let dir = case_dir("diff-into-file");
    let register = dir.join("台帳.xlsx");
    fs::write(&register, workbook(&clean_rows())).unwrap();
    let file = dir.join("出力.txt");
    fs::write(&file, b"a file").unwrap();
    let r = kyotei(&[
        "diff",
        register.to_str().unwrap(),
        register.to_str().unwrap(),
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, Some(2), "{r:#?}");
    assert_has(&r.stderr, &["新旧対照表を作成できませんでした", "出力.txt"]);
    assert_eq!(fs::read(&file).unwrap(), b"a file");
}

#[test]
fn init_force_says_it_replaced_the_file() {
    let dir = case_dir("init-force");
    let path = dir.join("台帳.xlsx");
    fs::write(&path, b"old").unwrap();
    let r = kyotei(&["init", path.to_str().unwrap(), "--force"]);
    assert_eq!(r.code, Some(0), "{r:#?}");
    assert_has(&r.stdout, &["を置き換えました"]);
    assert!(!r.stdout.contains("置き換えし"), "{}", r.stdout);
}
