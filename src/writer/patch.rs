//! Writing into a workbook someone else made (the register of `kyotei collect`): the given
//! cells set, rows appended, and nothing else changed. Rewriting a user's workbook through a
//! spreadsheet library loses what the library does not model (notes, charts, extension
//! lists, validations…), so this is a patch: only the parts that must change are streamed
//! through quick-xml — the edited worksheets, their tables, `workbook.xml`, its
//! relationships and `[Content_Types].xml` when `calcChain.xml` goes — and every other zip
//! entry is copied byte for byte (its compressed data, unread).
//!
//! What a patch gets right:
//! - text is written as an inline string (`t="inlineStr"`, `xml:space="preserve"`), with
//!   XML escaping and `_xHHHH_` escaping (a literal `_x0041_` stays literal, a control
//!   character becomes its escape), so the shared strings are never touched and no furigana
//!   (`rPh`) of an old value is carried onto a new one;
//! - an edited cell keeps its style; a new cell takes the style of the cell above (else the
//!   column's); an appended row copies the styles of the row above (values not);
//! - rows and cells stay in order, one element per position (an existing cell is replaced,
//!   never doubled), also when the file omits `r` attributes;
//! - when rows are appended, the ranges that end at the last row above grow with them:
//!   `<dimension>`, `autoFilter`, data-validation and conditional-format `sqref` (also
//!   the `x14` ones in extension lists), the sheet's tables (`ref` and their `autoFilter`)
//!   and the defined names that point at the sheet;
//! - a cell holding a formula (a shared formula's master among them) is never written: the
//!   patch is refused;
//! - when the workbook has formulas, `calcChain.xml` is removed (with its relationship and
//!   content type) and `fullCalcOnLoad` set, so Excel and LibreOffice compute them again;
//! - dates are serial numbers in the workbook's own date system (`date1904`);
//! - an encrypted workbook, an old `.xls` and Strict OOXML are refused with a reason.
//!
//! The bytes read are capped ([`patch`]'s `max_inflated`), as the reader's are. Entries are
//! written in the input's order with their own timestamps: the same input gives the same
//! bytes. A writer like the others: bytes in, bytes out.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::CellRef;
use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read, Write};

/// A value to write.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// Written as the serial number of the workbook's date system.
    Date(Date),
    /// No value (the cell keeps its style).
    Blank,
}

/// What to change in one worksheet.
#[derive(Debug, Clone, Default)]
pub struct SheetEdit {
    /// The sheet's name as the workbook lists it.
    pub sheet: String,
    /// (1-based row, 0-based column) → value.
    pub cells: BTreeMap<(u32, u32), Cell>,
    /// Rows `first..=last` (1-based) are appended: the ranges that end at `first - 1` grow
    /// to `last`.
    pub appended: Option<(u32, u32)>,
}

const OLE_MAGIC: [u8; 4] = [0xD0, 0xCF, 0x11, 0xE0];
const STRICT_NS: &str = "http://purl.oclc.org/ooxml/spreadsheetml/main";
const REL_OFFICE_DOCUMENT: &str = "/officeDocument";
const REL_CALC_CHAIN: &str = "/calcChain";
const REL_TABLE: &str = "/table";

fn fail(reason: impl Into<String>) -> Error {
    Error::Writer {
        format: "XLSX（台帳への書き込み）",
        reason: reason.into(),
    }
}

fn xml_err(part: &str) -> impl Fn(quick_xml::Error) -> Error + '_ {
    move |_| fail(format!("{part} の XML が壊れています"))
}

/// The workbook `bytes` with `edits` applied. `max_inflated` caps the bytes read from the
/// zip, all parts together.
pub fn patch(bytes: &[u8], edits: &[SheetEdit], max_inflated: u64) -> Result<Vec<u8>> {
    if bytes.starts_with(&OLE_MAGIC) {
        return Err(fail(
            "古い Excel 形式（.xls）か、パスワードで保護（暗号化）されたブックには書き込めません。パスワードを解除し、Excel ブック（.xlsx）として保存し直してください",
        ));
    }
    if !bytes.starts_with(b"PK") {
        return Err(fail("Excel ブック（.xlsx）ではありません"));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| fail("ファイルが壊れているか、途中で切れています"))?;
    let mut budget = max_inflated;
    let mut read_part = |zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str| -> Result<Vec<u8>> {
        let mut entry = zip
            .by_name(name)
            .map_err(|_| fail(format!("{name} がありません")))?;
        if entry.encrypted() {
            return Err(fail("パスワードで保護されたブックには書き込めません"));
        }
        let mut out = Vec::new();
        (&mut entry)
            .take(budget + 1)
            .read_to_end(&mut out)
            .map_err(|_| fail(format!("{name} を取り出せません（壊れています）")))?;
        if out.len() as u64 > budget {
            return Err(fail("展開後のサイズが上限を超えます"));
        }
        budget -= out.len() as u64;
        Ok(out)
    };
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let has = |n: &str| names.iter().any(|x| x == n);

    // The workbook part, from the package relationships.
    let root_rels = read_part(&mut zip, "_rels/.rels")?;
    let wb_path = rels(&root_rels, "_rels/.rels")?
        .into_iter()
        .find(|r| r.kind.ends_with(REL_OFFICE_DOCUMENT))
        .map(|r| resolve("", &r.target))
        .ok_or_else(|| fail("ブックの本体（workbook.xml）が見つかりません"))?;
    let wb_dir = wb_path.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let wb_rels_path = rels_path(&wb_path);
    let workbook = read_part(&mut zip, &wb_path)?;
    let info = workbook_info(&workbook, &wb_path)?;
    let wb_rels = read_part(&mut zip, &wb_rels_path)?;
    let wb_rel_list = rels(&wb_rels, &wb_rels_path)?;

    // Formulas anywhere: calcChain goes, full calculation on load.
    let mut formulas = false;
    for n in names
        .iter()
        .filter(|n| n.contains("worksheets/") && n.ends_with(".xml"))
    {
        let part = read_part(&mut zip, n)?;
        if has_formula(&part) {
            formulas = true;
            break;
        }
    }
    let calc_chain: Option<String> = wb_rel_list
        .iter()
        .find(|r| r.kind.ends_with(REL_CALC_CHAIN))
        .map(|r| resolve(&wb_dir, &r.target))
        .filter(|p| has(p));

    let mut replaced: HashMap<String, Vec<u8>> = HashMap::new();
    let mut grown: Vec<(String, u32, u32)> = Vec::new();
    for edit in edits {
        let Some((_, rid)) = info.sheets.iter().find(|(n, _)| *n == edit.sheet) else {
            return Err(fail(format!("シート「{}」がありません", edit.sheet)));
        };
        let target = wb_rel_list
            .iter()
            .find(|r| &r.id == rid)
            .map(|r| resolve(&wb_dir, &r.target))
            .ok_or_else(|| fail(format!("シート「{}」の部品が見つかりません", edit.sheet)))?;
        let xml = read_part(&mut zip, &target)?;
        let new = patch_sheet(&xml, edit, info.date1904, &target)?;
        if let Some((first, last)) = edit.appended {
            grown.push((edit.sheet.clone(), first - 1, last));
            let sheet_rels = rels_path(&target);
            if has(&sheet_rels) {
                let srels = read_part(&mut zip, &sheet_rels)?;
                let sdir = target.rsplit_once('/').map_or("", |(d, _)| d).to_string();
                for r in rels(&srels, &sheet_rels)?
                    .into_iter()
                    .filter(|r| r.kind.ends_with(REL_TABLE))
                {
                    let tpath = resolve(&sdir, &r.target);
                    let txml = read_part(&mut zip, &tpath)?;
                    replaced.insert(tpath.clone(), grow_table(&txml, first - 1, last, &tpath)?);
                }
            }
        }
        replaced.insert(target, new);
    }
    let new_wb = patch_workbook(&workbook, &wb_path, formulas, &grown)?;
    if new_wb != workbook {
        replaced.insert(wb_path.clone(), new_wb);
    }
    if let Some(cc) = &calc_chain {
        replaced.insert(
            wb_rels_path.clone(),
            drop_rel(&wb_rels, REL_CALC_CHAIN, &wb_rels_path)?,
        );
        let ct = read_part(&mut zip, "[Content_Types].xml")?;
        replaced.insert(
            "[Content_Types].xml".into(),
            drop_override(&ct, &format!("/{cc}"))?,
        );
    }

    // The new package: the input's entries in order, changed ones rewritten, calcChain gone.
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + 4096)));
    for i in 0..zip.len() {
        let entry = zip
            .by_index_raw(i)
            .map_err(|_| fail("ファイルが壊れています"))?;
        let name = entry.name().to_string();
        if calc_chain.as_deref() == Some(name.as_str()) {
            continue;
        }
        match replaced.get(&name) {
            Some(data) => {
                let opts = zip::write::SimpleFileOptions::default()
                    .compression_method(zip::CompressionMethod::Deflated)
                    // Fast: the patched sheets are written once and read back at once.
                    .compression_level(Some(1))
                    .last_modified_time(entry.last_modified().unwrap_or_default());
                drop(entry);
                out.start_file(name.as_str(), opts)
                    .and_then(|()| out.write_all(data).map_err(Into::into))
                    .map_err(|_| fail("書き込み中にエラーが起きました"))?;
            }
            None => out
                .raw_copy_file(entry)
                .map_err(|_| fail(format!("{name} をコピーできません")))?,
        }
    }
    out.finish()
        .map(Cursor::into_inner)
        .map_err(|_| fail("書き込み中にエラーが起きました"))
}

// ---------------------------------------------------------------------------------------
// Package parts.

struct Rel {
    id: String,
    kind: String,
    target: String,
}

/// `xl/worksheets/sheet1.xml` → `xl/worksheets/_rels/sheet1.xml.rels`.
fn rels_path(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// A relationship target relative to `dir` (or absolute, `/xl/…`) as a zip entry name.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None if dir.is_empty() => target.to_string(),
        None => format!("{dir}/{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for p in joined.split('/') {
        match p {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

fn attr(e: &BytesStart<'_>, name: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == name)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

fn rels(xml: &[u8], part: &str) -> Result<Vec<Rel>> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    loop {
        match reader.read_event_into(&mut buf).map_err(xml_err(part))? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"Relationship" => {
                out.push(Rel {
                    id: attr(&e, b"Id").unwrap_or_default(),
                    kind: attr(&e, b"Type").unwrap_or_default(),
                    target: attr(&e, b"Target").unwrap_or_default(),
                });
            }
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

struct WorkbookInfo {
    /// (name, relationship id) of every sheet.
    sheets: Vec<(String, String)>,
    date1904: bool,
}

fn workbook_info(xml: &[u8], part: &str) -> Result<WorkbookInfo> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut info = WorkbookInfo {
        sheets: Vec::new(),
        date1904: false,
    };
    loop {
        match reader.read_event_into(&mut buf).map_err(xml_err(part))? {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                b"workbook" => {
                    let strict = e.attributes().flatten().any(|a| {
                        a.value.as_ref() == STRICT_NS.as_bytes()
                            && (a.key.as_ref() == b"xmlns" || a.key.as_ref().starts_with(b"xmlns:"))
                    });
                    if strict {
                        return Err(fail(
                            "Strict Open XML 形式のブックには書き込めません。Excel で「Excel ブック (*.xlsx)」として保存し直してください",
                        ));
                    }
                }
                b"workbookPr" => {
                    info.date1904 = attr(&e, b"date1904")
                        .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                }
                b"sheet" => {
                    let name = attr(&e, b"name").unwrap_or_default();
                    let id = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.local_name().as_ref() == b"id")
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                        .unwrap_or_default();
                    info.sheets.push((name, id));
                }
                _ => {}
            },
            _ => {}
        }
        buf.clear();
    }
    Ok(info)
}

/// Whether a worksheet's XML has a formula (`<f>` or `<f …>`, any prefix).
fn has_formula(xml: &[u8]) -> bool {
    xml.windows(3).enumerate().any(|(i, w)| {
        (w[0] == b'<' || w[0] == b':')
            && w[1] == b'f'
            && matches!(w[2], b'>' | b' ' | b'/')
            && (w[0] == b'<'
                || xml[..i]
                    .iter()
                    .rev()
                    .take_while(|b| b.is_ascii_alphanumeric())
                    .count()
                    > 0)
    })
}

/// The relationships part without the relationships whose type ends with `kind`.
fn drop_rel(xml: &[u8], kind: &str, part: &str) -> Result<Vec<u8>> {
    filter_elements(xml, part, &|e| {
        e.local_name().as_ref() == b"Relationship"
            && attr(e, b"Type").is_some_and(|t| t.ends_with(kind))
    })
}

/// `[Content_Types].xml` without the override of `part_name`.
fn drop_override(xml: &[u8], part_name: &str) -> Result<Vec<u8>> {
    filter_elements(xml, "[Content_Types].xml", &|e| {
        e.local_name().as_ref() == b"Override"
            && attr(e, b"PartName").is_some_and(|p| p.eq_ignore_ascii_case(part_name))
    })
}

/// The XML without the (empty or not) elements `drop` names.
fn filter_elements(
    xml: &[u8],
    part: &str,
    drop: &dyn Fn(&BytesStart<'_>) -> bool,
) -> Result<Vec<u8>> {
    let mut reader = Reader::from_reader(xml);
    let mut out = quick_xml::Writer::new(Vec::with_capacity(xml.len()));
    let mut buf = Vec::new();
    let mut skip = 0usize;
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(xml_err(part))?;
        match &ev {
            Event::Eof => break,
            Event::Empty(e) if skip == 0 && drop(e) => {}
            Event::Start(e) if skip > 0 || drop(e) => skip += 1,
            Event::End(_) if skip > 0 => skip -= 1,
            _ if skip > 0 => {}
            _ => out
                .write_event(ev.borrow())
                .map_err(|_| fail("XML を書けません"))?,
        }
        buf.clear();
    }
    Ok(out.into_inner())
}

/// The workbook part with `fullCalcOnLoad` set (when there are formulas) and the defined
/// names of the grown sheets grown.
fn patch_workbook(
    xml: &[u8],
    part: &str,
    formulas: bool,
    grown: &[(String, u32, u32)],
) -> Result<Vec<u8>> {
    /// Elements after `calcPr` in CT_Workbook.
    const AFTER_CALC: &[&[u8]] = &[
        b"oleSize",
        b"customWorkbookViews",
        b"pivotCaches",
        b"smartTagPr",
        b"smartTagTypes",
        b"webPublishing",
        b"fileRecoveryPr",
        b"webPublishObjects",
        b"extLst",
    ];
    let mut reader = Reader::from_reader(xml);
    let mut out = quick_xml::Writer::new(Vec::with_capacity(xml.len() + 64));
    let mut buf = Vec::new();
    let mut calc_seen = false;
    let mut prefix = String::new();
    let mut in_name = false;
    let w = |e: std::io::Error| fail(format!("{part} を書けません: {e}"));
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(xml_err(part))?;
        match &ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"workbook" => {
                prefix = qualified_prefix(e);
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"calcPr" => {
                calc_seen = true;
                if formulas {
                    let mut n =
                        BytesStart::new(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                    for a in e.attributes().flatten() {
                        if a.key.as_ref() != b"fullCalcOnLoad" {
                            n.push_attribute(a);
                        }
                    }
                    n.push_attribute(("fullCalcOnLoad", "1"));
                    let ev2 = match &ev {
                        Event::Start(_) => Event::Start(n),
                        _ => Event::Empty(n),
                    };
                    out.write_event(ev2).map_err(w)?;
                } else {
                    out.write_event(ev.borrow()).map_err(w)?;
                }
            }
            Event::Start(e) | Event::Empty(e)
                if formulas && !calc_seen && AFTER_CALC.contains(&e.local_name().as_ref()) =>
            {
                calc_seen = true;
                write!(out.get_mut(), "<{prefix}calcPr fullCalcOnLoad=\"1\"/>").map_err(w)?;
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::End(e) if e.local_name().as_ref() == b"workbook" => {
                if formulas && !calc_seen {
                    write!(out.get_mut(), "<{prefix}calcPr fullCalcOnLoad=\"1\"/>").map_err(w)?;
                }
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::Start(e) if e.local_name().as_ref() == b"definedName" => {
                in_name = true;
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::End(e) if e.local_name().as_ref() == b"definedName" => {
                in_name = false;
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::Text(t) if in_name && !grown.is_empty() => {
                let text = t
                    .xml10_content()
                    .map_err(|_| fail(format!("{part} の名前の定義が読めません")))?;
                let mut new = text.to_string();
                for (sheet, old_last, last) in grown {
                    new = grow_name(&new, sheet, *old_last, *last);
                }
                if new == text {
                    out.write_event(ev.borrow()).map_err(w)?;
                } else {
                    out.get_mut()
                        .write_all(escape(&new).as_bytes())
                        .map_err(w)?;
                }
            }
            _ => out.write_event(ev.borrow()).map_err(w)?,
        }
        buf.clear();
    }
    Ok(out.into_inner())
}

/// `x:` for `<x:workbook>`, `` for `<workbook>`.
fn qualified_prefix(e: &BytesStart<'_>) -> String {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    match name.split_once(':') {
        Some((p, _)) => format!("{p}:"),
        None => String::new(),
    }
}

/// A rewrite of attributes: (element's local name, attribute, value) → the new value.
type AttrFn<'a> = dyn Fn(&[u8], &[u8], &str) -> Option<String> + 'a;

/// A table part with its `ref` and its autoFilter grown.
fn grow_table(xml: &[u8], old_last: u32, last: u32, part: &str) -> Result<Vec<u8>> {
    rewrite_attrs(xml, part, &|local, key, value| match (local, key) {
        (b"table" | b"autoFilter", b"ref") => Some(grow_sqref(value, old_last, last)),
        _ => None,
    })
}

/// The XML with some attributes rewritten: `f(element, attribute, value)` gives a new value.
fn rewrite_attrs(xml: &[u8], part: &str, f: &AttrFn<'_>) -> Result<Vec<u8>> {
    let mut reader = Reader::from_reader(xml);
    let mut out = quick_xml::Writer::new(Vec::with_capacity(xml.len() + 64));
    let mut buf = Vec::new();
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(xml_err(part))?;
        match &ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let changed = rewrite_start(e, f);
                let ev2 = match (&ev, changed) {
                    (_, None) => ev.borrow(),
                    (Event::Start(_), Some(n)) => Event::Start(n),
                    (_, Some(n)) => Event::Empty(n),
                };
                out.write_event(ev2).map_err(|_| fail("XML を書けません"))?;
            }
            _ => out
                .write_event(ev.borrow())
                .map_err(|_| fail("XML を書けません"))?,
        }
        buf.clear();
    }
    Ok(out.into_inner())
}

/// The start tag with attributes rewritten, `None` when nothing changed.
fn rewrite_start(e: &BytesStart<'_>, f: &AttrFn<'_>) -> Option<BytesStart<'static>> {
    let local = e.local_name();
    let mut changed = false;
    let mut n = BytesStart::new(String::from_utf8_lossy(e.name().as_ref()).into_owned());
    for a in e.attributes().flatten() {
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_default();
        match f(local.as_ref(), a.key.as_ref(), &value) {
            Some(v) if v != value => {
                changed = true;
                let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                n.push_attribute((key.as_str(), v.as_str()));
            }
            _ => n.push_attribute(a),
        }
    }
    changed.then_some(n)
}

// ---------------------------------------------------------------------------------------
// References.

/// `$A$1` → (row 1, col 0), keeping whether each part was absolute; `None` for anything else.
fn parse_cell(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let b = s.as_bytes();
    let mut i = 0;
    if b.get(i) == Some(&b'$') {
        i += 1;
    }
    let cs = i;
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    let letters = &s[cs..i];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    if b.get(i) == Some(&b'$') {
        i += 1;
    }
    let digits = &s[i..];
    if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_digit()) {
        return None;
    }
    let row: u32 = digits.parse().ok()?;
    let col = letters.bytes().fold(0u32, |n, c| {
        n * 26 + u32::from(c.to_ascii_uppercase() - b'A' + 1)
    }) - 1;
    Some((row, col))
}

/// One area `A2:P6` (or `$A$2:$P$6`) grown to `last` when it ends at `old_last`, or
/// between `old_last` and `last`, and starts at or above `old_last`; anything else as is.
fn grow_area(area: &str, old_last: u32, last: u32) -> String {
    let Some((a, b)) = area.split_once(':') else {
        return area.to_string();
    };
    // Whole rows `$1:$6`.
    let row_only = |s: &str| s.trim_start_matches('$').parse::<u32>().ok();
    if let (Some(top), Some(bottom)) = (row_only(a), row_only(b)) {
        if top <= old_last && bottom >= old_last && bottom < last {
            let dollar = if b.starts_with('$') { "$" } else { "" };
            return format!("{a}:{dollar}{last}");
        }
        return area.to_string();
    }
    let (Some((top, _)), Some((bottom, _))) = (parse_cell(a), parse_cell(b)) else {
        return area.to_string();
    };
    if top <= old_last && bottom >= old_last && bottom < last {
        let digits_at = b.rfind(|c: char| !c.is_ascii_digit()).map_or(0, |i| i + 1);
        return format!("{a}:{}{last}", &b[..digits_at]);
    }
    area.to_string()
}

/// A space-separated list of areas (`sqref`), each grown.
fn grow_sqref(sqref: &str, old_last: u32, last: u32) -> String {
    sqref
        .split(' ')
        .map(|a| grow_area(a, old_last, last))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A defined name's formula (`実績!$A$1:$P$6`, `'実績'!$1:$1,'実績'!$A:$A`) with the areas of
/// `sheet` grown; anything with a function or an operator other than `,` is left alone.
fn grow_name(formula: &str, sheet: &str, old_last: u32, last: u32) -> String {
    if formula.contains(['(', ')', '+', '-', '*', '/', '&', '"']) {
        return formula.to_string();
    }
    let quoted = format!("'{}'", sheet.replace('\'', "''"));
    formula
        .split(',')
        .map(|part| match part.rsplit_once('!') {
            Some((s, area))
                if s == sheet
                    || s == quoted
                    || s == format!("={sheet}")
                    || s == format!("={quoted}") =>
            {
                format!("{s}!{}", grow_area(area, old_last, last))
            }
            _ => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

// ---------------------------------------------------------------------------------------
// The worksheet.

/// XML escaping of text and attribute values (quick-xml's: `& < > " '`).
fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Text as an OOXML string value: a literal `_xHHHH_` has its `_` escaped (`_x005F_`), a
/// character XML cannot hold becomes `_xHHHH_`, then XML escaping.
pub fn ooxml_text(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let literal_escape = c == '_'
            && chars.get(i + 1) == Some(&'x')
            && chars.get(i + 6) == Some(&'_')
            && chars[i + 2..i + 6].iter().all(|h| h.is_ascii_hexdigit());
        if literal_escape {
            out.push_str("_x005F_");
        } else if (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || c == '\u{FFFE}'
            || c == '\u{FFFF}'
        {
            out.push_str(&format!("_x{:04X}_", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    escape(&out)
}

/// A number as OOXML writes it: `32`, `0.5`.
fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The XML of one cell, `None` for a blank cell with no style.
fn cell_xml(
    p: &str,
    row: u32,
    col: u32,
    style: Option<&str>,
    value: &Cell,
    date1904: bool,
) -> Option<String> {
    let r = format!("{}{row}", CellRef::col_letters(col));
    let s = style.map_or(String::new(), |s| format!(" s=\"{s}\""));
    let serial = |d: &Date| d.to_excel_serial() - if date1904 { 1462.0 } else { 0.0 };
    Some(match value {
        Cell::Text(t) => format!(
            "<{p}c r=\"{r}\"{s} t=\"inlineStr\"><{p}is><{p}t xml:space=\"preserve\">{}</{p}t></{p}is></{p}c>",
            ooxml_text(t)
        ),
        Cell::Number(n) => format!("<{p}c r=\"{r}\"{s}><{p}v>{}</{p}v></{p}c>", number(*n)),
        Cell::Date(d) => format!(
            "<{p}c r=\"{r}\"{s}><{p}v>{}</{p}v></{p}c>",
            number(serial(d))
        ),
        Cell::Blank if style.is_some() => format!("<{p}c r=\"{r}\"{s}/>"),
        Cell::Blank => return None,
    })
}

/// A cell of a row being merged: its column and its events (owned).
struct OldCell {
    col: u32,
    style: Option<String>,
    events: Vec<Event<'static>>,
}

/// The styles of a row's cells (column → `s`) and the row's own style attributes.
#[derive(Default, Clone)]
struct RowStyle {
    cells: BTreeMap<u32, String>,
    attrs: Vec<(String, String)>,
}

fn patch_sheet(xml: &[u8], edit: &SheetEdit, date1904: bool, part: &str) -> Result<Vec<u8>> {
    let mut reader = Reader::from_reader(xml);
    let mut out = quick_xml::Writer::new(Vec::with_capacity(xml.len() + 4096));
    let mut buf = Vec::new();
    // Pending edits by row.
    let mut rows: BTreeMap<u32, BTreeMap<u32, &Cell>> = BTreeMap::new();
    for ((r, c), v) in &edit.cells {
        rows.entry(*r).or_default().insert(*c, v);
    }
    let max_row = rows.keys().next_back().copied().unwrap_or(0);
    let max_col = edit.cells.keys().map(|(_, c)| *c).max().unwrap_or(0);
    let (old_last, last) = match edit.appended {
        Some((first, last)) => (first - 1, last),
        None => (0, 0),
    };
    let grow = |v: &str| {
        if edit.appended.is_some() {
            grow_sqref(v, old_last, last)
        } else {
            v.to_string()
        }
    };
    let w = |_| fail(format!("{part} を書けません"));
    let mut prefix = String::new();
    let mut col_styles: Vec<(u32, u32, String)> = Vec::new();
    let mut above = RowStyle::default();
    let mut prev_row = 0u32;
    let mut in_data = false;
    let mut in_sqref = false;
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(xml_err(part))?;
        match &ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"worksheet" => {
                prefix = qualified_prefix(e);
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == b"col" => {
                if let (Some(min), Some(max), Some(s)) = (
                    attr(e, b"min").and_then(|v| v.parse().ok()),
                    attr(e, b"max").and_then(|v| v.parse().ok()),
                    attr(e, b"style"),
                ) {
                    col_styles.push((min, max, s));
                }
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::Empty(e) | Event::Start(e) if e.local_name().as_ref() == b"dimension" => {
                let n = rewrite_start(e, &|_, k, v| {
                    (k == b"ref").then(|| dimension(v, max_row.max(last), max_col))
                });
                let ev2 = match (n, &ev) {
                    (None, _) => ev.borrow(),
                    (Some(n), Event::Start(_)) => Event::Start(n),
                    (Some(n), _) => Event::Empty(n),
                };
                out.write_event(ev2).map_err(w)?;
            }
            Event::Empty(e) if e.local_name().as_ref() == b"sheetData" => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                write!(out.get_mut(), "<{name}>").map_err(w)?;
                let pending = std::mem::take(&mut rows);
                for (r, cells) in pending {
                    new_row(&mut out, &prefix, r, &cells, &above, &col_styles, date1904)?;
                }
                write!(out.get_mut(), "</{name}>").map_err(w)?;
            }
            Event::Start(e) if e.local_name().as_ref() == b"sheetData" => {
                in_data = true;
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::End(e) if e.local_name().as_ref() == b"sheetData" => {
                in_data = false;
                let pending = std::mem::take(&mut rows);
                for (r, cells) in pending {
                    new_row(&mut out, &prefix, r, &cells, &above, &col_styles, date1904)?;
                }
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::Start(e) | Event::Empty(e) if in_data && e.local_name().as_ref() == b"row" => {
                let r: u32 = attr(e, b"r")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(prev_row + 1);
                prev_row = r;
                // Rows to create before this one.
                let before: Vec<u32> = rows.range(..r).map(|(k, _)| *k).collect();
                for k in before {
                    let cells = rows.remove(&k).expect("listed");
                    new_row(&mut out, &prefix, k, &cells, &above, &col_styles, date1904)?;
                }
                let row_attrs: Vec<(String, String)> = ["s", "customFormat"]
                    .iter()
                    .filter_map(|k| attr(e, k.as_bytes()).map(|v| (k.to_string(), v)))
                    .collect();
                let empty = matches!(ev, Event::Empty(_));
                let old = if empty {
                    Vec::new()
                } else {
                    read_row(&mut reader, part)?
                };
                let mut style = RowStyle {
                    cells: old
                        .iter()
                        .filter_map(|c| c.style.clone().map(|s| (c.col, s)))
                        .collect(),
                    attrs: row_attrs,
                };
                match rows.remove(&r) {
                    None => {
                        out.write_event(ev.borrow()).map_err(w)?;
                        if !empty {
                            for c in &old {
                                for ev in &c.events {
                                    out.write_event(ev.borrow()).map_err(w)?;
                                }
                            }
                            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                            write!(out.get_mut(), "</{name}>").map_err(w)?;
                        }
                    }
                    Some(cells) => {
                        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                        let start = BytesStart::from_content(
                            String::from_utf8_lossy(e.as_ref()).into_owned(),
                            name.len(),
                        );
                        out.write_event(Event::Start(start)).map_err(w)?;
                        let mut pending = cells.into_iter().peekable();
                        for c in &old {
                            while let Some((col, v)) = pending.next_if(|(col, _)| *col < c.col) {
                                let s = above
                                    .cells
                                    .get(&col)
                                    .cloned()
                                    .or_else(|| col_style(&col_styles, col));
                                if let Some(x) =
                                    cell_xml(&prefix, r, col, s.as_deref(), v, date1904)
                                {
                                    out.get_mut().write_all(x.as_bytes()).map_err(w)?;
                                    if let Some(s) = s {
                                        style.cells.insert(col, s);
                                    }
                                }
                            }
                            if let Some((col, v)) = pending.next_if(|(col, _)| *col == c.col) {
                                if c.events.iter().any(|ev| matches!(ev, Event::Start(x) | Event::Empty(x) if x.local_name().as_ref() == b"f")) {
                                    return Err(fail(format!(
                                        "セル {}{} は数式です。数式のセルには書き込みません",
                                        CellRef::col_letters(col),
                                        r
                                    )));
                                }
                                if let Some(x) =
                                    cell_xml(&prefix, r, col, c.style.as_deref(), v, date1904)
                                {
                                    out.get_mut().write_all(x.as_bytes()).map_err(w)?;
                                }
                            } else {
                                for ev in &c.events {
                                    out.write_event(ev.borrow()).map_err(w)?;
                                }
                            }
                        }
                        for (col, v) in pending {
                            let s = above
                                .cells
                                .get(&col)
                                .cloned()
                                .or_else(|| col_style(&col_styles, col));
                            if let Some(x) = cell_xml(&prefix, r, col, s.as_deref(), v, date1904) {
                                out.get_mut().write_all(x.as_bytes()).map_err(w)?;
                            }
                        }
                        write!(out.get_mut(), "</{name}>").map_err(w)?;
                    }
                }
                if !style.cells.is_empty() || !style.attrs.is_empty() {
                    above = std::mem::take(&mut style);
                }
            }
            Event::Start(e) | Event::Empty(e)
                if edit.appended.is_some()
                    && matches!(
                        e.local_name().as_ref(),
                        b"autoFilter" | b"dataValidation" | b"conditionalFormatting"
                    ) =>
            {
                let n = rewrite_start(e, &|_, k, v| {
                    matches!(k, b"ref" | b"sqref").then(|| grow(v))
                });
                let ev2 = match (n, &ev) {
                    (None, _) => ev.borrow(),
                    (Some(n), Event::Start(_)) => Event::Start(n),
                    (Some(n), _) => Event::Empty(n),
                };
                out.write_event(ev2).map_err(w)?;
            }
            Event::Start(e) if edit.appended.is_some() && e.local_name().as_ref() == b"sqref" => {
                in_sqref = true;
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::End(e) if e.local_name().as_ref() == b"sqref" => {
                in_sqref = false;
                out.write_event(ev.borrow()).map_err(w)?;
            }
            Event::Text(t) if in_sqref => {
                let v = t
                    .xml10_content()
                    .map_err(|_| fail(format!("{part} の範囲が読めません")))?;
                out.get_mut()
                    .write_all(escape(&grow(&v)).as_bytes())
                    .map_err(w)?;
            }
            _ => out.write_event(ev.borrow()).map_err(w)?,
        }
        buf.clear();
    }
    if !rows.is_empty() {
        return Err(fail(format!("{part} に表（sheetData）がありません")));
    }
    Ok(out.into_inner())
}

/// The column's default style (`<col style>`), if any.
fn col_style(cols: &[(u32, u32, String)], col: u32) -> Option<String> {
    cols.iter()
        .find(|(min, max, _)| (*min..=*max).contains(&(col + 1)))
        .map(|(_, _, s)| s.clone())
}

/// `A1:P6` grown to cover `rows` rows and column `col` (0-based).
fn dimension(v: &str, rows: u32, col: u32) -> String {
    let (a, b) = v.split_once(':').unwrap_or((v, v));
    let (Some((r0, c0)), Some((r1, c1))) = (parse_cell(a), parse_cell(b)) else {
        return v.to_string();
    };
    let (r1, c1) = (r1.max(rows), c1.max(col));
    format!(
        "{}{}:{}{}",
        CellRef::col_letters(c0),
        r0,
        CellRef::col_letters(c1),
        r1
    )
}

/// A created row: the styles of the row above (its cells and its own), the new values.
fn new_row(
    out: &mut quick_xml::Writer<Vec<u8>>,
    p: &str,
    r: u32,
    cells: &BTreeMap<u32, &Cell>,
    above: &RowStyle,
    col_styles: &[(u32, u32, String)],
    date1904: bool,
) -> Result<()> {
    let w = |_| fail("シートを書けません");
    let attrs: String = above
        .attrs
        .iter()
        .map(|(k, v)| format!(" {k}=\"{}\"", escape(v)))
        .collect();
    let o = out.get_mut();
    write!(o, "<{p}row r=\"{r}\"{attrs}>").map_err(w)?;
    let mut cols: Vec<u32> = cells.keys().copied().collect();
    cols.extend(above.cells.keys().copied());
    cols.sort_unstable();
    cols.dedup();
    for col in cols {
        let s = above
            .cells
            .get(&col)
            .cloned()
            .or_else(|| col_style(col_styles, col));
        let v = cells.get(&col).copied().unwrap_or(&Cell::Blank);
        if let Some(x) = cell_xml(p, r, col, s.as_deref(), v, date1904) {
            o.write_all(x.as_bytes()).map_err(w)?;
        }
    }
    write!(o, "</{p}row>").map_err(w)?;
    Ok(())
}

/// The cells of a row, read up to its end tag (owned events, column of each).
fn read_row(reader: &mut Reader<&[u8]>, part: &str) -> Result<Vec<OldCell>> {
    let mut buf = Vec::new();
    let mut cells: Vec<OldCell> = Vec::new();
    let mut next_col = 0u32;
    let mut depth = 0usize;
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(xml_err(part))?
            .into_owned();
        match &ev {
            Event::Eof => return Err(fail(format!("{part} が途中で終わっています"))),
            Event::End(e) if depth == 0 && e.local_name().as_ref() == b"row" => break,
            Event::Start(e) | Event::Empty(e) if depth == 0 && e.local_name().as_ref() == b"c" => {
                let col = attr(e, b"r")
                    .and_then(|r| parse_cell(&r))
                    .map_or(next_col, |(_, c)| c);
                next_col = col + 1;
                let start = matches!(ev, Event::Start(_));
                cells.push(OldCell {
                    col,
                    style: attr(e, b"s"),
                    events: vec![ev.clone()],
                });
                if start {
                    depth = 1;
                }
            }
            Event::Start(_) if depth > 0 => {
                depth += 1;
                cells.last_mut().expect("in a cell").events.push(ev.clone());
            }
            Event::End(_) if depth > 0 => {
                depth -= 1;
                cells.last_mut().expect("in a cell").events.push(ev.clone());
            }
            _ if depth > 0 => cells.last_mut().expect("in a cell").events.push(ev.clone()),
            // Whitespace and anything else between cells (an extLst) goes with the previous
            // cell, or before the first.
            _ => match cells.last_mut() {
                Some(c) => c.events.push(ev.clone()),
                None => cells.push(OldCell {
                    col: 0,
                    style: None,
                    events: vec![ev.clone()],
                }),
            },
        }
        buf.clear();
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_for_ooxml() {
        assert_eq!(ooxml_text("a<b&c"), "a&lt;b&amp;c");
        assert_eq!(ooxml_text("_x0041_"), "_x005F_x0041_");
        assert_eq!(ooxml_text("_x00_"), "_x00_");
        assert_eq!(ooxml_text("a\u{1}b"), "a_x0001_b");
        assert_eq!(ooxml_text("一\r\n二"), "一\n二");
    }

    #[test]
    fn grows_ranges_that_end_at_the_last_row() {
        assert_eq!(
            grow_sqref("A2:A6 C2:C1000 D1:D3", 6, 8),
            "A2:A8 C2:C1000 D1:D3"
        );
        assert_eq!(grow_area("$A$1:$P$6", 6, 9), "$A$1:$P$9");
        assert_eq!(grow_area("$1:$6", 6, 9), "$1:$9");
        assert_eq!(grow_area("A7:B9", 6, 9), "A7:B9");
        assert_eq!(grow_name("実績!$A$1:$P$6", "実績", 6, 7), "実績!$A$1:$P$7");
        assert_eq!(
            grow_name("'実績'!$A$1:$P$6,協定!$A$1:$A$6", "実績", 6, 7),
            "'実績'!$A$1:$P$7,協定!$A$1:$A$6"
        );
        assert_eq!(
            grow_name("SUM(実績!A1:A6)", "実績", 6, 7),
            "SUM(実績!A1:A6)"
        );
        assert_eq!(dimension("A1:P6", 8, 3), "A1:P8");
        assert_eq!(dimension("A1", 8, 3), "A1:D8");
    }

    #[test]
    fn resolves_targets() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "../tables/table1.xml"),
            "xl/tables/table1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
        assert_eq!(rels_path("xl/workbook.xml"), "xl/_rels/workbook.xml.rels");
    }

    #[test]
    fn finds_formulas() {
        assert!(has_formula(b"<c r=\"A1\"><f>1+1</f></c>"));
        assert!(has_formula(b"<x:c><x:f t=\"shared\" si=\"0\"/></x:c>"));
        assert!(!has_formula(b"<c r=\"A1\" t=\"s\"><v>0</v></c><foo/>"));
    }

    #[test]
    fn refuses_what_it_cannot_patch() {
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend([0u8; 100]);
        let e = patch(&ole, &[], 1 << 20).unwrap_err().to_string();
        assert!(e.contains(".xls"), "{e}");
        assert!(patch(b"hello", &[], 1 << 20).is_err());
    }

    /// A small workbook: one sheet (cells with and without `r`, a shared formula, a shared
    /// string with furigana), a calcChain, a filter and a validation on A1:B3, a defined name.
    fn book(date1904: bool) -> Vec<u8> {
        let wb = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr{}/><sheets><sheet name="実績" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">実績!$A$1:$C$3</definedName></definedNames><calcPr calcId="191029"/></workbook>"#,
            if date1904 { r#" date1904="1""# } else { "" }
        );
        let sheet = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:C3"/><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="2"><v>1</v></c><c r="C1"><f t="shared" ref="C1:C3" si="0">B1*2</f><v>2</v></c></row><row r="2"><c s="3"><v>5</v></c><c s="4" t="s"><v>0</v></c><c><f t="shared" si="0"/><v>4</v></c></row><row r="3" s="7" customFormat="1"><c r="A3" s="5"><v>1</v></c><c r="C3"><f t="shared" si="0"/><v>6</v></c></row></sheetData><autoFilter ref="A1:C3"/><dataValidations count="1"><dataValidation type="list" sqref="A2:A3 B2:B1000"><formula1>"a,b"</formula1></dataValidation></dataValidations></worksheet>"#;
        let parts: [(&str, String); 7] = [
            ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>"#.into()),
            ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.into()),
            ("xl/workbook.xml", wb),
            ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/></Relationships>"#.into()),
            ("xl/worksheets/sheet1.xml", sheet.into()),
            ("xl/calcChain.xml", r#"<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="C1" i="1"/></calcChain>"#.into()),
            ("xl/sharedStrings.xml", r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="1"><si><t>伊勢崎</t><rPh sb="0" eb="3"><t>イセサキ</t></rPh></si></sst>"#.into()),
        ];
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            z.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(text.as_bytes()).unwrap();
        }
        z.finish().unwrap().into_inner()
    }

    fn part(bytes: &[u8], name: &str) -> Option<String> {
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut s = String::new();
        z.by_name(name).ok()?.read_to_string(&mut s).unwrap();
        Some(s)
    }

    fn edit(cells: &[((u32, u32), Cell)], appended: Option<(u32, u32)>) -> SheetEdit {
        SheetEdit {
            sheet: "実績".into(),
            cells: cells.iter().cloned().collect(),
            appended,
        }
    }

    #[test]
    fn sets_cells_in_order_keeping_styles_without_furigana() {
        let old = book(false);
        let new = patch(
            &old,
            &[edit(
                &[
                    ((1, 0), Cell::Text(" 前後 _x0041_".into())),
                    ((2, 1), Cell::Blank),
                    ((3, 1), Cell::Number(7.0)),
                ],
                None,
            )],
            1 << 20,
        )
        .unwrap();
        let s = part(&new, "xl/worksheets/sheet1.xml").unwrap();
        // A1 replaced in place (no rPh, the shared string untouched), inline and preserved.
        assert!(s.contains(r#"<row r="1"><c r="A1" t="inlineStr"><is><t xml:space="preserve"> 前後 _x005F_x0041_</t></is></c><c r="B1" s="2">"#), "{s}");
        assert_eq!(
            part(&new, "xl/sharedStrings.xml"),
            part(&old, "xl/sharedStrings.xml")
        );
        // Row 2 has no `r` on its cells: B2 is the second one, blanked with its style kept.
        assert!(
            s.contains(r#"<row r="2"><c s="3"><v>5</v></c><c r="B2" s="4"/><c>"#),
            "{s}"
        );
        // B3 did not exist: inserted between A3 and C3, with the style of the cell above.
        assert!(
            s.contains(r#"<c r="A3" s="5"><v>1</v></c><c r="B3" s="4"><v>7</v></c><c r="C3">"#),
            "{s}"
        );
        assert_eq!(s.matches("r=\"B3\"").count(), 1);
        // Formulas: calcChain gone with its relationship and override, full calculation on load.
        assert!(part(&new, "xl/calcChain.xml").is_none());
        assert!(
            !part(&new, "xl/_rels/workbook.xml.rels")
                .unwrap()
                .contains("calcChain")
        );
        assert!(
            !part(&new, "[Content_Types].xml")
                .unwrap()
                .contains("calcChain")
        );
        assert!(
            part(&new, "xl/workbook.xml")
                .unwrap()
                .contains(r#"<calcPr calcId="191029" fullCalcOnLoad="1"/>"#)
        );
        // The same input, the same bytes.
        assert_eq!(
            new,
            patch(
                &old,
                &[edit(
                    &[
                        ((1, 0), Cell::Text(" 前後 _x0041_".into())),
                        ((2, 1), Cell::Blank),
                        ((3, 1), Cell::Number(7.0))
                    ],
                    None
                )],
                1 << 20
            )
            .unwrap()
        );
    }

    #[test]
    fn appends_rows_with_the_styles_above_and_grows_the_ranges() {
        let d = Date::new(2026, 4, 1).unwrap();
        for (date1904, serial) in [(false, "46113"), (true, "44651")] {
            let new = patch(
                &book(date1904),
                &[edit(
                    &[((4, 0), Cell::Date(d)), ((5, 1), Cell::Text("x".into()))],
                    Some((4, 5)),
                )],
                1 << 20,
            )
            .unwrap();
            let s = part(&new, "xl/worksheets/sheet1.xml").unwrap();
            assert!(
                s.contains(&format!(
                    r#"<row r="4" s="7" customFormat="1"><c r="A4" s="5"><v>{serial}</v></c></row>"#
                )),
                "{s}"
            );
            assert!(
                s.contains(
                    r#"<row r="5" s="7" customFormat="1"><c r="A5" s="5"/><c r="B5" t="inlineStr">"#
                ),
                "{s}"
            );
            assert!(s.contains(r#"<dimension ref="A1:C5"/>"#), "{s}");
            assert!(s.contains(r#"<autoFilter ref="A1:C5"/>"#), "{s}");
            assert!(s.contains(r#"sqref="A2:A5 B2:B1000""#), "{s}");
            assert!(
                part(&new, "xl/workbook.xml")
                    .unwrap()
                    .contains(">実績!$A$1:$C$5<")
            );
        }
    }

    #[test]
    fn never_writes_a_formula_cell() {
        for cell in [(1, 2), (2, 2)] {
            let e = patch(
                &book(false),
                &[edit(&[(cell, Cell::Number(1.0))], None)],
                1 << 20,
            )
            .unwrap_err()
            .to_string();
            assert!(e.contains("数式"), "{e}");
        }
    }

    #[test]
    fn refuses_strict_ooxml_and_reads_within_the_cap() {
        let old = book(false);
        let e = patch(&old, &[], 100).unwrap_err().to_string();
        assert!(e.contains("上限"), "{e}");
        let entries: Vec<(String, Vec<u8>)> = {
            let mut z = zip::ZipArchive::new(Cursor::new(&old[..])).unwrap();
            (0..z.len())
                .map(|i| {
                    let mut f = z.by_index(i).unwrap();
                    let mut b = Vec::new();
                    f.read_to_end(&mut b).unwrap();
                    (f.name().to_string(), b)
                })
                .collect()
        };
        let mut z = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, b) in entries {
            let b = String::from_utf8(b).unwrap().replace(
                "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
                STRICT_NS,
            );
            z.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            z.write_all(b.as_bytes()).unwrap();
        }
        let strict = z.finish().unwrap().into_inner();
        let e = patch(&strict, &[], 1 << 20).unwrap_err().to_string();
        assert!(e.contains("Strict"), "{e}");
    }
}
