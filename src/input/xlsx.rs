//! Reading an .xlsx workbook into raw cells, safely: the only user of `calamine` and `zip`.
//!
//! The register is a file that anyone can hand us, so reading it must never crash, hang or
//! exhaust memory, whatever the file holds. Before calamine sees the bytes, the container is
//! checked here:
//!
//! - the file size is capped ([`Limits::max_file_bytes`]);
//! - an OLE compound file (`D0 CF 11 E0`: an old `.xls`, or an `.xlsx` protected by a
//!   password, which Excel stores encrypted inside such a file) and anything that is not a zip
//!   are refused with a reason in Japanese;
//! - every zip entry is decompressed as a stream into nothing, with a cap on the bytes it may
//!   produce ([`Limits::max_uncompressed_bytes`], per entry and in total), so a zip bomb is an
//!   error rather than memory exhaustion; a truncated or corrupt entry fails its CRC here;
//! - a shared-strings table that announces more strings than its size could hold is refused
//!   (calamine reserves memory for the announced count up front).
//!
//! Cells are then streamed with calamine's cell reader (`Xlsx::worksheet_cells_reader`), never
//! `worksheet_range`, which allocates the whole bounding rectangle and aborts the process on a
//! valid but sparse sheet with cells at A1 and XFD1048576 (calamine issue 693). A cell beyond
//! [`Limits::max_rows`] / [`Limits::max_cols`], a text longer than [`Limits::max_cell_chars`]
//! or more than [`Limits::max_cells`] cells is an [`Error::Structure`] naming the cell.
//!
//! Hidden and very hidden worksheets are read like visible ones (a hidden sheet is still part
//! of the register; [`Sheet::hidden`] says which were hidden). Chart, dialog and macro sheets
//! are skipped. Formula cells give the value Excel cached when it last saved the file; a
//! formula with no cached value is [`Value::Uncomputed`], never a blank.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::model::CellRef;
use calamine::{DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxFormulaMetadata};
use std::io::{self, Cursor, Read, Write};
use std::path::{Path, PathBuf};

/// Caps that keep reading a hostile or broken file bounded in memory and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest file accepted. A register of a few hundred agreements is well under 1 MB; 50 MB
    /// leaves room for pictures or a long history while refusing files that are not registers.
    pub max_file_bytes: u64,
    /// Largest number of bytes the zip entries may inflate to, each and all together. Sheet
    /// XML is roughly 10–20 times its compressed size; 200 MB is far beyond any register and
    /// still small enough to check in a second or two.
    pub max_uncompressed_bytes: u64,
    /// Largest number of entries in the zip. A workbook has a few dozen; each entry costs
    /// memory before it is read, so a directory of millions is refused.
    pub max_entries: usize,
    /// Rows read per sheet (1-based rows 1..=max_rows). 100,000 rows is decades of
    /// agreements; a cell further down is a stray entry or a hostile file.
    pub max_rows: u32,
    /// Columns read per sheet (A..=IV for 256). The widest sheet has about 20 columns; a user
    /// may add memo columns, but a cell beyond column 256 is a stray entry.
    pub max_cols: u32,
    /// Largest number of non-empty cells in the workbook, so the cells kept in memory stay
    /// bounded (2,000,000 cells is about 100 MB at most).
    pub max_cells: usize,
    /// Longest text in one cell, in characters: 32,767 is Excel's own limit per cell, so a
    /// longer text cannot have been typed in Excel.
    pub max_cell_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 50 * 1024 * 1024,
            max_uncompressed_bytes: 200 * 1024 * 1024,
            max_entries: 10_000,
            max_rows: 100_000,
            max_cols: 256,
            max_cells: 2_000_000,
            max_cell_chars: 32_767,
        }
    }
}

/// The value of one cell, as Excel stored it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A cell formatted as a date: its serial number in the 1900 date system (a workbook in
    /// the 1904 system is converted), time of day as the fraction.
    DateSerial(f64),
    /// An error value such as `#N/A` or `#DIV/0!` (usually a formula's cached result).
    Error(String),
    /// A formula with no cached result (the workbook was written by a program and never
    /// opened and saved in Excel): its formula text (`=DATE(2026,6,15)`), or `=` alone for a
    /// cell of a shared formula.
    Uncomputed(String),
}

/// One worksheet: its name and its non-empty cells in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    /// Whether the sheet was hidden in Excel. Hidden sheets are read all the same.
    pub hidden: bool,
    /// `(row, column, value)`, both 0-based (A1 = (0, 0)); empty cells are left out.
    pub cells: Vec<(u32, u32, Value)>,
}

/// Read every worksheet of the workbook at `path`.
pub fn read(path: &Path, limits: &Limits) -> Result<Vec<Sheet>> {
    read_filtered(path, limits, &|_| true)
}

/// Read every worksheet of a workbook held in memory.
pub fn read_bytes(bytes: &[u8], limits: &Limits) -> Result<Vec<Sheet>> {
    read_bytes_filtered(bytes, limits, &|_| true)
}

/// Like [`read`], but reads the cells only of the sheets `keep` accepts; the other worksheets
/// are returned by name with no cells (so their contents cannot make the read fail).
pub fn read_filtered(
    path: &Path,
    limits: &Limits,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<Sheet>> {
    let bytes = read_file(path, limits)?;
    read_from(&bytes, limits, keep, path)
}

/// The bytes of a workbook file, within the size cap: a folder or a file larger than the cap
/// is refused before it is read, and a file that grows while it is read is never read past
/// the cap (it is refused then). The one way kyotei reads a register from disk.
pub fn read_file(path: &Path, limits: &Limits) -> Result<Vec<u8>> {
    let unreadable = |reason: String| Error::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| unreadable(io_reason(&e)))?;
    if meta.is_dir() {
        return Err(unreadable(
            "フォルダです。台帳（.xlsx）のファイルを指定してください".into(),
        ));
    }
    if !meta.is_file() {
        return Err(unreadable("ファイルではありません".into()));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(unreadable(too_big(meta.len(), limits.max_file_bytes)));
    }
    let file = std::fs::File::open(path).map_err(|e| unreadable(io_reason(&e)))?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read: never take more than the cap.
    file.take(limits.max_file_bytes + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(io_reason(&e)))?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(unreadable(too_big(
            bytes.len() as u64,
            limits.max_file_bytes,
        )));
    }
    Ok(bytes)
}

/// Like [`read_bytes`], reading the cells only of the sheets `keep` accepts.
pub fn read_bytes_filtered(
    bytes: &[u8],
    limits: &Limits,
    keep: &dyn Fn(&str) -> bool,
) -> Result<Vec<Sheet>> {
    read_from(bytes, limits, keep, Path::new("（入力データ）"))
}

fn read_from(
    bytes: &[u8],
    limits: &Limits,
    keep: &dyn Fn(&str) -> bool,
    path: &Path,
) -> Result<Vec<Sheet>> {
    let unreadable = |reason: String| Error::Unreadable {
        path: PathBuf::from(path),
        reason,
    };
    check_container(bytes, limits).map_err(unreadable)?;
    // calamine is not expected to panic on a file that passed the checks, but a panic must
    // never take the whole program down: it becomes an ordinary error.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_cells(bytes, limits, keep)
    }));
    match result {
        Ok(Ok(sheets)) => Ok(sheets),
        Ok(Err(Failure::Unreadable(reason))) => Err(unreadable(reason)),
        Ok(Err(Failure::Structure(findings))) => Err(Error::Structure(findings)),
        Err(_) => Err(unreadable(
            "ファイルの内容を解釈できません（内部で処理が中断しました）".into(),
        )),
    }
}

/// An OS error reading the workbook, in the words every other command uses.
fn io_reason(e: &io::Error) -> String {
    crate::error::io_message(e)
}

fn mb(n: u64) -> String {
    format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
}

/// `50 MB`: a size in whole MB (1 MB = 1024 × 1024 bytes), the one way every message, the
/// page and the README state a limit.
pub fn mb_label(n: u64) -> String {
    format!("{} MB", n.div_ceil(1024 * 1024))
}

/// The largest register accepted, as every message states it: `50 MB`.
pub fn limit_label() -> String {
    mb_label(Limits::default().max_file_bytes)
}

/// 「ファイルが大きすぎます（60.0 MB、上限 50 MB）」: the size and the limit, both in MB.
pub fn too_big(size: u64, max: u64) -> String {
    format!(
        "ファイルが大きすぎます（{}、上限 {}）。台帳（.xlsx）を指定してください",
        mb(size),
        mb_label(max)
    )
}

const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
const RESAVE: &str =
    "Excel で開き、「名前を付けて保存」で「Excel ブック (*.xlsx)」を選んで保存し直してください";

/// Check that the bytes are an .xlsx zip whose every entry inflates within the caps.
fn check_container(bytes: &[u8], limits: &Limits) -> std::result::Result<(), String> {
    check_zip(bytes, limits, &XLSX)
}

/// The kind of Office Open XML package a zip should be, for the words of the messages.
#[derive(Debug)]
pub struct Package {
    /// `Excel ブック（.xlsx）`
    pub name: &'static str,
    /// What an OLE compound file is (an old binary format, or an encrypted package).
    pub ole: &'static str,
    /// What an OpenDocument file of the same kind is.
    pub open_document: &'static str,
    /// How to save it again in the right format.
    pub resave: &'static str,
}

/// The register and any workbook kyotei reads.
pub const XLSX: Package = Package {
    name: "Excel ブック（.xlsx）",
    ole: "古い Excel 形式（.xls）か、パスワードで保護（暗号化）されたブックです",
    open_document: "OpenDocument（.ods など）のファイル",
    resave: RESAVE,
};

/// A Word document (`kyotei compare`).
pub const DOCX: Package = Package {
    name: "Word 文書（.docx）",
    ole: "古い Word 形式（.doc）か、パスワードで保護（暗号化）された文書です",
    open_document: "OpenDocument（.odt など）のファイル",
    resave: "Word で開き、「名前を付けて保存」で「Word 文書 (*.docx)」を選んで保存し直してください",
};

/// Check that the bytes are a zip of the package `kind` whose every entry inflates within the
/// caps of `limits`: the one container check of every file kyotei reads (the register, a
/// reply workbook, a returned DOCX).
pub fn check_zip(bytes: &[u8], limits: &Limits, kind: &Package) -> std::result::Result<(), String> {
    let resave = kind.resave;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_big(bytes.len() as u64, limits.max_file_bytes));
    }
    if bytes.is_empty() {
        return Err("ファイルが空です".into());
    }
    if bytes.starts_with(&OLE_MAGIC[..4]) {
        return Err(format!("{}。パスワードを解除してから、{resave}", kind.ole));
    }
    if !bytes.starts_with(b"PK") {
        return Err(format!(
            "{}ではありません（zip 形式ではありません）。{resave}",
            kind.name
        ));
    }
    // The zip crate's own words (English, about central directories) help nobody here.
    let corrupt = |_: &dyn std::fmt::Display| {
        "ファイルが壊れているか、途中で切れています。元のファイルをもう一度保存するか、コピーし直してください".to_string()
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(&e))?;
    if zip.len() > limits.max_entries {
        return Err(format!(
            "zip の中のファイルが多すぎます（{} 個、上限 {} 個）。{}ではないようです",
            zip.len(),
            limits.max_entries,
            kind.name
        ));
    }
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    if names.iter().any(|n| n == "mimetype") && !names.iter().any(|n| n == "[Content_Types].xml") {
        return Err(format!(
            "{}で、{}ではありません。{resave}",
            kind.open_document, kind.name
        ));
    }
    if !names.iter().any(|n| n == "[Content_Types].xml") {
        return Err(format!(
            "zip ファイルですが、{}ではありません。{resave}",
            kind.name
        ));
    }
    // Two entries of one name: a reader takes one of them silently (the zip crate keeps the
    // last), so another company's name could be printed. The zip crate's index has already
    // merged them, so the central directory is read here. Part names are case-insensitive.
    let mut seen = std::collections::HashSet::new();
    for name in central_directory_names(bytes).unwrap_or_default() {
        if !seen.insert(name.to_lowercase()) {
            return Err(format!(
                "zip の中に同じ名前のファイル（{name}）が2つあります。どちらが正しいか分からないため読みません。保存し直したファイルを使ってください"
            ));
        }
    }
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::UnsupportedArchive(m))
                if m == zip::result::ZipError::PASSWORD_REQUIRED =>
            {
                return Err(format!(
                    "パスワードで保護されたファイルです。パスワードを解除してから、{resave}"
                ));
            }
            Err(e) => return Err(corrupt(&e)),
        };
        if entry.encrypted() {
            return Err(format!(
                "パスワードで保護されたファイルです。パスワードを解除してから、{resave}"
            ));
        }
        let name = entry.name().to_string();
        let cap = limits.max_uncompressed_bytes - total;
        // calamine reads the shared strings from `<xl dir>/sharedStrings.xml` (any case).
        let shared_strings = name.to_lowercase().ends_with("sharedstrings.xml");
        let mut scan = CountScan::default();
        let mut limited = (&mut entry).take(cap + 1);
        let n = if shared_strings {
            io::copy(&mut limited, &mut scan)
        } else {
            io::copy(&mut limited, &mut io::sink())
        }
        .map_err(|e| corrupt(&e))?;
        if n > cap {
            return Err(format!(
                "展開後のサイズが上限（{}）を超えます（{} を展開中）。zip 爆弾など、正常な{}ではない可能性があります",
                mb(limits.max_uncompressed_bytes),
                name,
                kind.name
            ));
        }
        total += n;
        // Each shared string takes at least `<si/>` (5 bytes); calamine reserves memory for
        // the announced `uniqueCount` before reading, so a false count could exhaust memory.
        if scan.max_unique_count > n / 5 + 1024 {
            return Err(format!(
                "{name} の文字列の件数（uniqueCount）が不正です。ファイルが壊れています"
            ));
        }
    }
    Ok(())
}

/// A sink that notes the largest `uniqueCount="N"` attribute in the stream.
#[derive(Default)]
struct CountScan {
    /// The tail of the previous write, so an attribute split across writes is still seen.
    tail: Vec<u8>,
    max_unique_count: u64,
}

impl Write for CountScan {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        const KEY: &[u8] = b"uniqueCount";
        const WINDOW: usize = 64;
        let mut joined = std::mem::take(&mut self.tail);
        joined.extend_from_slice(buf);
        let mut i = 0;
        while let Some(pos) = find(&joined[i..], KEY) {
            let start = i + pos + KEY.len();
            let rest = &joined[start..];
            let rest = &rest[rest
                .iter()
                .take_while(|b| {
                    b.is_ascii_whitespace() || **b == b'=' || **b == b'"' || **b == b'\''
                })
                .count()..];
            let digits: Vec<u8> = rest
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .copied()
                .collect();
            if !digits.is_empty() {
                let n = if digits.len() > 18 {
                    u64::MAX
                } else {
                    std::str::from_utf8(&digits)
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or(u64::MAX)
                };
                self.max_unique_count = self.max_unique_count.max(n);
            }
            i = start;
        }
        let keep = joined.len().min(WINDOW);
        self.tail = joined[joined.len() - keep..].to_vec();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What is wrong with `what` (`ブック`, `シート「協定」`) when calamine cannot read it, in
/// words a user can act on. calamine's own messages ("Xml error: … at 0..0") are parser
/// internals in English, so they are not shown; the name of a missing part is.
fn damaged(e: &calamine::XlsxError, what: &str) -> String {
    use calamine::XlsxError as X;
    const AGAIN: &str = "Excel で開けるなら、保存し直してください。開けないときは、バックアップのファイルを使ってください";
    match e {
        X::Password => {
            format!("パスワードで保護されたブックです。パスワードを解除してから、{RESAVE}")
        }
        X::FileNotFound(part) => format!(
            "{what}に必要な部品（{part}）が zip の中にありません。ファイルが壊れています。{AGAIN}"
        ),
        X::RelationshipNotFound => {
            format!("{what}のシートの一覧（xl/_rels/workbook.xml.rels）が壊れています。{AGAIN}")
        }
        X::Io(_) | X::Zip(_) => format!(
            "{what}を zip から取り出せません。ファイルが壊れているか、途中で切れています。{AGAIN}"
        ),
        X::Vba(_) => format!("{what}のマクロ（VBA）の部分が壊れています。{AGAIN}"),
        _ => format!("{what}の内容（XML）が壊れています。{AGAIN}"),
    }
}

enum Failure {
    Unreadable(String),
    Structure(Vec<Finding>),
}

/// Most findings reported for cells beyond the limits before reading stops.
const MAX_FINDINGS: usize = 20;

fn read_cells(
    bytes: &[u8],
    limits: &Limits,
    keep: &dyn Fn(&str) -> bool,
) -> std::result::Result<Vec<Sheet>, Failure> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| Failure::Unreadable(damaged(&e, "ブック")))?;
    let offset = if book.has_1904_epoch() { 1462.0 } else { 0.0 };
    let meta: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect();
    let mut sheets = Vec::new();
    let mut findings = Vec::new();
    let mut total_cells = 0usize;
    'sheets: for (name, hidden) in meta {
        let mut sheet = Sheet {
            name,
            hidden,
            cells: Vec::new(),
        };
        if !keep(&sheet.name) {
            sheets.push(sheet);
            continue;
        }
        let unreadable = |e: calamine::XlsxError, name: &str| {
            Failure::Unreadable(damaged(&e, &format!("シート「{name}」")))
        };
        let mut reader = book
            .worksheet_cells_reader(&sheet.name)
            .map_err(|e| unreadable(e, &sheet.name))?;
        while let Some(cell) = reader
            .next_cell_with_formula_metadata()
            .map_err(|e| unreadable(e, &sheet.name))?
        {
            let (row, col) = cell.pos;
            // No cached value at all (an empty string result is `<v></v>`, not this).
            let value = match (&cell.value, cell.formula) {
                (DataRef::Empty, Some(f)) => Value::Uncomputed(match f {
                    XlsxFormulaMetadata::Normal { formula }
                    | XlsxFormulaMetadata::Shared { formula, .. } => format!("={formula}"),
                    _ => "=".into(),
                }),
                (v, _) => convert(v, offset),
            };
            if value == Value::Empty {
                continue;
            }
            let at = || {
                format!(
                    "{}!{}{}",
                    sheet.name,
                    CellRef::col_letters(col),
                    u64::from(row) + 1
                )
            };
            if row >= limits.max_rows || col >= limits.max_cols {
                findings.push(limit_finding(
                    at(),
                    format!(
                        "セル {} が読み取る範囲（{} 行目・{} 列まで）の外にあります",
                        at(),
                        limits.max_rows,
                        CellRef::col_letters(limits.max_cols.saturating_sub(1))
                    ),
                    "不要な内容ならそのセルを削除し、必要なら範囲内に移してから保存し直してください",
                ));
                // One finding per sheet is enough: the rest of this sheet is not read.
                if findings.len() >= MAX_FINDINGS {
                    break 'sheets;
                }
                continue 'sheets;
            }
            if let Value::Text(t) = &value
                && t.chars().count() > limits.max_cell_chars
            {
                findings.push(limit_finding(
                    at(),
                    format!(
                        "セル {} の文字数が多すぎます（上限 {} 文字）",
                        at(),
                        limits.max_cell_chars
                    ),
                    "Excel の1セルに入る文字数を超えています。内容を短くしてください",
                ));
                if findings.len() >= MAX_FINDINGS {
                    break 'sheets;
                }
                continue;
            }
            total_cells += 1;
            if total_cells > limits.max_cells {
                findings.push(limit_finding(
                    at(),
                    format!(
                        "セルが多すぎます（ブック全体で {} 個まで）",
                        limits.max_cells
                    ),
                    "台帳以外の大きな表は別のブックに移してください",
                ));
                break 'sheets;
            }
            sheet.cells.push((row, col, value));
        }
        sheets.push(sheet);
    }
    if findings.is_empty() {
        Ok(sheets)
    } else {
        Err(Failure::Structure(findings))
    }
}

fn limit_finding(cell: String, message: String, hint: &str) -> Finding {
    Finding {
        severity: Severity::Error,
        rule: crate::finding::Rule::Input,
        agreement: None,
        key: None,
        cell: Some(cell),
        message,
        hint: hint.into(),
    }
}

fn convert(value: &DataRef<'_>, date_offset: f64) -> Value {
    let text = |s: &str| {
        if s.is_empty() {
            Value::Empty
        } else {
            Value::Text(s.to_string())
        }
    };
    match value {
        DataRef::Empty => Value::Empty,
        DataRef::Int(i) => Value::Number(*i as f64),
        DataRef::Float(f) => Value::Number(*f),
        DataRef::String(s) => text(s),
        DataRef::SharedString(s) => text(s),
        DataRef::Bool(b) => Value::Bool(*b),
        DataRef::DateTime(dt) if dt.is_duration() => Value::Number(dt.as_f64()),
        DataRef::DateTime(dt) => Value::DateSerial(dt.as_f64() + date_offset),
        DataRef::DateTimeIso(s) => {
            // `2026-04-01` or `2026-04-01T00:00:00` (cells of type `d`).
            match s.get(..10).and_then(|d| Date::parse(d).ok()) {
                Some(d) if s.len() == 10 || s.as_bytes().get(10) == Some(&b'T') => {
                    Value::DateSerial(d.to_excel_serial())
                }
                _ => text(s),
            }
        }
        DataRef::DurationIso(s) => text(s),
        DataRef::Error(e) => Value::Error(e.to_string()),
    }
}

/// The entry names of a zip's central directory, in order, duplicates included; None when
/// the directory cannot be found or is ZIP64 (the zip crate then reports what is wrong).
fn central_directory_names(bytes: &[u8]) -> Option<Vec<String>> {
    let u16_at = |i: usize| Some(u16::from_le_bytes(bytes.get(i..i + 2)?.try_into().ok()?));
    let u32_at = |i: usize| Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?));
    // The end-of-central-directory record: the last `PK\x05\x06` within 64 KiB + 22 bytes.
    let from = bytes.len().saturating_sub(65_557);
    let eocd = (from..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let count = u16_at(eocd + 10)?;
    let mut at = usize::try_from(u32_at(eocd + 16)?).ok()?;
    if count == u16::MAX || at == u32::MAX as usize {
        return None;
    }
    let mut names = Vec::with_capacity(count.into());
    for _ in 0..count {
        if !bytes.get(at..)?.starts_with(b"PK\x01\x02") {
            return None;
        }
        let (n, extra, comment) = (
            usize::from(u16_at(at + 28)?),
            usize::from(u16_at(at + 30)?),
            usize::from(u16_at(at + 32)?),
        );
        names.push(String::from_utf8_lossy(bytes.get(at + 46..at + 46 + n)?).into_owned());
        at += 46 + n + extra + comment;
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scans_unique_count_across_writes() {
        let mut s = CountScan::default();
        s.write_all(b"<sst xmlns=\"x\" count=\"3\" uniqueC")
            .unwrap();
        s.write_all(b"ount=\"123456\"><si/>").unwrap();
        assert_eq!(s.max_unique_count, 123456);
        let mut s = CountScan::default();
        s.write_all(b"<sst uniqueCount='99999999999999999999999'>")
            .unwrap();
        assert_eq!(s.max_unique_count, u64::MAX);
    }

    #[test]
    fn refuses_what_is_not_a_zip() {
        let l = Limits::default();
        assert!(check_container(b"", &l).unwrap_err().contains("空"));
        assert!(
            check_container(b"a,b\n1,2\n", &l)
                .unwrap_err()
                .contains("zip 形式ではありません")
        );
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend([0u8; 504]);
        assert!(check_container(&ole, &l).unwrap_err().contains(".xls"));
        assert!(
            check_container(b"PK\x03\x04garbage", &l)
                .unwrap_err()
                .contains("壊れて")
        );
    }
}
