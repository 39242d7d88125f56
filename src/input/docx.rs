//! Reading a Word document that comes back from a partner (`kyotei compare`): its text in
//! reading order, its tracked changes and comments, and what kyotei wrote into it when it was
//! issued (custom properties, `dc:identifier`).
//!
//! The file is someone else's: it may come from Word, LibreOffice, python-docx or anything
//! else, and must never crash, hang or exhaust memory. The container is checked first with
//! the workbook reader's limits ([`xlsx::check_zip`]: size, entries, inflated bytes, zip
//! bombs, encrypted and binary files, duplicate names); then the XML parts are read as
//! streams with quick-xml (no DTD expansion, no recursion), following pandoc's docx reader
//! rather than docx-rs's (which loops on malformed XML and panics on unexpected attributes).
//!
//! What a document may hold and how it reads:
//! - runs split anywhere (by rsid, by script: LibreOffice writes `第|1|条`) join into the
//!   paragraph's text; `w:proofErr`, bookmarks and permission marks are ignored;
//! - `w:smartTag`, `w:customXml`, `w:hyperlink`, `w:fldSimple`, `w:sdt` (its content) and
//!   `w:dir`/`w:bdo` are unwrapped; a content control is never an anchor;
//! - `w:tab`/`w:ptab` → tab, `w:br` (a line break, not a page or column break) and `w:cr` →
//!   line break, `w:noBreakHyphen` → `-`, `w:softHyphen` → nothing, `w:sym` → its character;
//! - fields: only the result is text (between `separate` and `end`; nested fields too);
//! - `mc:AlternateContent`: the `mc:Fallback`; drawings, pictures, objects and ruby text
//!   (`w:rt`) are left out;
//! - tables in reading order, row by row, cell by cell (a merged cell's continuation is
//!   empty), nested tables inside their cell;
//! - tracked changes judged by all their ancestors: the accepted reading keeps `w:ins` and
//!   `w:moveTo` and drops `w:del`, `w:moveFrom` and deleted table rows; text inserted and
//!   then deleted (`ins > del`) is in neither reading; a deleted paragraph mark
//!   (`w:pPr/w:rPr/w:del`) joins the paragraph to the next;
//! - comments: anchored by a range or by a bare `w:commentReference`; an author of "Author"
//!   and no date (Word's "remove personal information") are kept as they are.

use crate::error::{Error, Result};
use crate::input::xlsx::{self, Limits};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

const W: &[u8] = b"http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT: &[u8] = b"http://purl.oclc.org/ooxml/wordprocessingml/main";
const MC: &[u8] = b"http://schemas.openxmlformats.org/markup-compatibility/2006";
const MAIN: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const MACRO: &str = "application/vnd.ms-word.document.macroEnabled.main+xml";

/// A tracked change's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ChangeKind {
    /// 挿入
    Inserted,
    /// 削除
    Deleted,
}

impl ChangeKind {
    pub fn label(self) -> &'static str {
        match self {
            ChangeKind::Inserted => "挿入",
            ChangeKind::Deleted => "削除",
        }
    }
}

/// A tracked change not yet accepted or rejected.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// A move (`w:moveFrom`/`w:moveTo`) rather than a plain deletion or insertion.
    pub moved: bool,
    pub author: String,
    /// As the file has it (`2026-12-01T10:00:00Z`), if any.
    pub date: Option<String>,
    pub text: String,
    /// The paragraph of the accepted reading it is in (an index into
    /// [`Returned::paragraphs`]).
    pub paragraph: usize,
}

/// A comment and the words it is anchored to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Comment {
    pub author: String,
    pub date: Option<String>,
    pub text: String,
    /// The text its range covers (empty for a bare reference).
    pub anchor: String,
    /// The paragraph of the accepted reading where it starts.
    pub paragraph: usize,
}

/// What a returned DOCX holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Returned {
    /// Custom document properties (`docProps/custom.xml`), name → text.
    pub properties: BTreeMap<String, String>,
    /// `dc:identifier` of `docProps/core.xml`.
    pub identifier: Option<String>,
    /// The body's paragraphs in reading order, every tracked change accepted (empty
    /// paragraphs included; tables row by row, cell by cell).
    pub paragraphs: Vec<String>,
    pub changes: Vec<Change>,
    pub comments: Vec<Comment>,
}

/// Reads the returned DOCX at `path` (refused above the register's size cap).
pub fn read(path: &Path) -> Result<Returned> {
    let limits = Limits::default();
    let bytes = xlsx::read_file(path, &limits).map_err(|e| match e {
        Error::Unreadable { path, reason } => Error::Document {
            path,
            reason: reason.replace("台帳（.xlsx）", "Word 文書（.docx）"),
        },
        e => e,
    })?;
    read_bytes(&bytes, &limits).map_err(|reason| Error::Document {
        path: path.to_path_buf(),
        reason,
    })
}

/// Reads a DOCX held in memory; the error is the reason in Japanese.
pub fn read_bytes(bytes: &[u8], limits: &Limits) -> std::result::Result<Returned, String> {
    xlsx::check_zip(bytes, limits, &xlsx::DOCX)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| "ファイルが壊れているか、途中で切れています".to_string())?;
    let mut part = |name: &str| -> std::result::Result<Option<Vec<u8>>, String> {
        let Some(index) = find_entry(&zip, name) else {
            return Ok(None);
        };
        let entry = zip
            .by_index(index)
            .map_err(|_| format!("{name} を読めません。ファイルが壊れています"))?;
        let mut out = Vec::new();
        // check_zip has inflated every entry within the cap; this bound is a second guard.
        entry
            .take(limits.max_uncompressed_bytes)
            .read_to_end(&mut out)
            .map_err(|_| format!("{name} を読めません。ファイルが壊れています"))?;
        Ok(Some(out))
    };
    let types = part("[Content_Types].xml")?.ok_or_else(not_word)?;
    let root_rels = part("_rels/.rels")?.ok_or_else(not_word)?;
    let main = relationship(&root_rels, "/officeDocument", "")?
        .into_iter()
        .next()
        .ok_or_else(not_word)?;
    match content_type(&types, &main)?.as_deref() {
        Some(MAIN) => {}
        Some(MACRO) => {
            return Err(
                "マクロ付きの Word 文書（.docm）です。マクロを含む文書は読みません。Word で開き、「名前を付けて保存」で「Word 文書 (*.docx)」を選んで保存し直してください"
                    .into(),
            );
        }
        _ => return Err(not_word()),
    }
    let document = part(&main)?.ok_or_else(not_word)?;
    let mut out = body(&document).map_err(|e| format!("本文（{main}）を読めません: {e}"))?;

    let (dir, file) = main.rsplit_once('/').unwrap_or(("", main.as_str()));
    let rels_name = if dir.is_empty() {
        format!("_rels/{file}.rels")
    } else {
        format!("{dir}/_rels/{file}.rels")
    };
    if let Some(rels) = part(&rels_name)? {
        for target in relationship(&rels, "/comments", dir)? {
            if let Some(xml) = part(&target)? {
                let texts =
                    comments(&xml).map_err(|e| format!("コメント（{target}）を読めません: {e}"))?;
                for c in &mut out.comments {
                    let id = c.text.trim_start_matches('\u{0}');
                    if let Some((author, date, text)) = texts.get(id) {
                        c.author = author.clone();
                        c.date = date.clone();
                        c.text = text.clone();
                    }
                }
            }
        }
    }
    // A reference whose comment part is missing keeps its id as text: drop it.
    out.comments.retain(|c| !c.text.starts_with('\u{0}'));
    for target in relationship(&root_rels, "/custom-properties", "")? {
        if let Some(xml) = part(&target)? {
            out.properties = custom_properties(&xml).unwrap_or_default();
        }
    }
    for target in relationship(&root_rels, "/core-properties", "")? {
        if let Some(xml) = part(&target)? {
            out.identifier = element_text(&xml, b"identifier").unwrap_or_default();
        }
    }
    clean(&mut out);
    Ok(out)
}

/// Every text of the file as the register's cells are read ([`crate::text::clean`]): NFC, no
/// control characters (a file could carry terminal escapes into the report) and no invisible
/// format characters; tabs become spaces, line breaks stay.
fn clean(r: &mut Returned) {
    let c = |s: &mut String| *s = crate::text::clean(&s.replace('\t', " ")).0;
    r.paragraphs.iter_mut().for_each(c);
    for ch in &mut r.changes {
        c(&mut ch.text);
        c(&mut ch.author);
        if let Some(d) = &mut ch.date {
            c(d);
        }
    }
    for cm in &mut r.comments {
        c(&mut cm.text);
        c(&mut cm.anchor);
        c(&mut cm.author);
        if let Some(d) = &mut cm.date {
            c(d);
        }
    }
    r.properties = std::mem::take(&mut r.properties)
        .into_iter()
        .map(|(mut k, mut v)| {
            c(&mut k);
            c(&mut v);
            (k, v)
        })
        .collect();
    if let Some(id) = &mut r.identifier {
        c(id);
    }
}

fn not_word() -> String {
    format!("Word 文書（.docx）ではありません。{}", xlsx::DOCX.resave)
}

/// A zip entry by part name (case-insensitive, as OPC part names are).
fn find_entry<R: Read + std::io::Seek>(zip: &zip::ZipArchive<R>, name: &str) -> Option<usize> {
    let want = name.trim_start_matches('/').to_lowercase();
    (0..zip.len()).find(|&i| {
        zip.name_for_index(i)
            .is_some_and(|n| n.to_lowercase() == want)
    })
}

fn xml_error(e: impl std::fmt::Display) -> String {
    format!("XML が壊れています（{e}）")
}

fn reader(xml: &[u8]) -> NsReader<&[u8]> {
    let mut r = NsReader::from_reader(xml);
    r.config_mut().expand_empty_elements = true;
    r
}

/// An attribute's value by local name (any prefix), unescaped; UTF-8 (what every producer
/// of OOXML writes).
fn attr(e: &BytesStart, local: &[u8]) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local).then(|| {
            let raw = String::from_utf8_lossy(&a.value);
            quick_xml::escape::unescape(&raw)
                .map(|v| v.into_owned())
                .unwrap_or_else(|_| raw.into_owned())
        })
    })
}

/// The targets of a part's relationships whose type ends with `kind`, resolved against
/// `base` (the folder of the source part), as part names without a leading `/`.
fn relationship(rels: &[u8], kind: &str, base: &str) -> std::result::Result<Vec<String>, String> {
    let mut r = reader(rels);
    let mut out = Vec::new();
    loop {
        match r.read_event().map_err(xml_error)? {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                let ty = attr(&e, b"Type").unwrap_or_default();
                let external = attr(&e, b"TargetMode").is_some_and(|m| m == "External");
                if ty.ends_with(kind)
                    && !external
                    && let Some(t) = attr(&e, b"Target")
                {
                    out.push(resolve(base, &t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// A relationship target as a part name: absolute (`/word/x.xml`) or relative to `base`,
/// with `..` and `.` segments resolved (never above the package root).
fn resolve(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if target.starts_with('/') {
        Vec::new()
    } else {
        base.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// The content type of a part (its Override, else the Default of its extension).
fn content_type(types: &[u8], part: &str) -> std::result::Result<Option<String>, String> {
    let mut r = reader(types);
    let want = format!("/{part}").to_lowercase();
    let ext = part.rsplit('.').next().unwrap_or("").to_lowercase();
    let mut by_ext = None;
    loop {
        match r.read_event().map_err(xml_error)? {
            Event::Start(e)
                if e.local_name().as_ref() == b"Override"
                    && attr(&e, b"PartName").is_some_and(|p| p.to_lowercase() == want) =>
            {
                return Ok(attr(&e, b"ContentType"));
            }
            Event::Start(e)
                if e.local_name().as_ref() == b"Default"
                    && attr(&e, b"Extension").is_some_and(|x| x.to_lowercase() == ext) =>
            {
                by_ext = attr(&e, b"ContentType");
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(by_ext)
}

/// The custom properties: name → the text of its value.
fn custom_properties(xml: &[u8]) -> std::result::Result<BTreeMap<String, String>, String> {
    let mut r = reader(xml);
    let mut out = BTreeMap::new();
    let mut name: Option<String> = None;
    let mut value = String::new();
    let mut depth = 0usize;
    loop {
        match r.read_event().map_err(xml_error)? {
            Event::Start(e) => {
                depth += 1;
                if e.local_name().as_ref() == b"property" {
                    name = attr(&e, b"name");
                    value.clear();
                }
            }
            Event::Text(t) if name.is_some() && depth >= 3 => {
                value.push_str(&t.xml10_content().map_err(xml_error)?)
            }
            Event::GeneralRef(g) if name.is_some() => value.push_str(&general_ref(&g)),
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                if e.local_name().as_ref() == b"property"
                    && let Some(n) = name.take()
                {
                    out.insert(n, std::mem::take(&mut value));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The text of the first element named `local` (any namespace).
fn element_text(xml: &[u8], local: &[u8]) -> std::result::Result<Option<String>, String> {
    let mut r = reader(xml);
    let mut inside = false;
    let mut text = String::new();
    loop {
        match r.read_event().map_err(xml_error)? {
            Event::Start(e) if e.local_name().as_ref() == local => inside = true,
            Event::Text(t) if inside => text.push_str(&t.xml10_content().map_err(xml_error)?),
            Event::GeneralRef(g) if inside => text.push_str(&general_ref(&g)),
            Event::End(e) if inside && e.local_name().as_ref() == local => {
                return Ok(Some(text));
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

/// `&amp;` and friends, `&#x41;`; an entity a DTD would define reads as nothing (no DTD is
/// ever expanded).
fn general_ref(g: &quick_xml::events::BytesRef) -> String {
    if let Ok(Some(c)) = g.resolve_char_ref() {
        return c.to_string();
    }
    match g.decode().as_deref() {
        Ok("amp") => "&",
        Ok("lt") => "<",
        Ok("gt") => ">",
        Ok("quot") => "\"",
        Ok("apos") => "'",
        _ => "",
    }
    .to_string()
}

/// The comments of a comments part: id → (author, date, text; paragraphs joined by `\n`).
type CommentTexts = BTreeMap<String, (String, Option<String>, String)>;

fn comments(xml: &[u8]) -> std::result::Result<CommentTexts, String> {
    let mut r = reader(xml);
    let mut out = BTreeMap::new();
    let mut current: Option<(String, String, Option<String>, Vec<String>)> = None;
    let mut in_t = false;
    let mut skip = 0usize;
    loop {
        let (ns, ev) = r.read_resolved_event().map_err(xml_error)?;
        let is_w =
            matches!(ns, ResolveResult::Bound(n) if n.as_ref() == W || n.as_ref() == W_STRICT);
        match ev {
            Event::Start(e) => {
                let local = e.local_name();
                if skip > 0 {
                    skip += 1;
                    continue;
                }
                match (is_w, local.as_ref()) {
                    (true, b"comment") => {
                        current = Some((
                            attr(&e, b"id").unwrap_or_default(),
                            attr(&e, b"author").unwrap_or_default(),
                            attr(&e, b"date"),
                            Vec::new(),
                        ))
                    }
                    (true, b"p") => {
                        if let Some(c) = &mut current {
                            c.3.push(String::new());
                        }
                    }
                    (true, b"t") => in_t = true,
                    (true, b"tab") => push_comment(&mut current, "\t"),
                    (true, b"br") | (true, b"cr") => push_comment(&mut current, "\n"),
                    (
                        true,
                        b"rPr" | b"pPr" | b"drawing" | b"pict" | b"object" | b"rt" | b"instrText"
                        | b"delText" | b"del",
                    )
                    | (false, b"Choice") => skip = 1,
                    _ => {}
                }
            }
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                match (is_w, e.local_name().as_ref()) {
                    (true, b"t") => in_t = false,
                    (true, b"comment") => {
                        if let Some((id, author, date, paras)) = current.take() {
                            out.insert(id, (author, date, paras.join("\n").trim().to_string()));
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_t && skip == 0 => {
                let s = t.xml10_content().map_err(xml_error)?;
                push_comment(&mut current, &s)
            }
            Event::GeneralRef(g) if in_t && skip == 0 => {
                push_comment(&mut current, &general_ref(&g))
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

fn push_comment(current: &mut Option<(String, String, Option<String>, Vec<String>)>, s: &str) {
    if let Some(c) = current {
        match c.3.last_mut() {
            Some(p) => p.push_str(s),
            None => c.3.push(s.to_string()),
        }
    }
}

/// A field's part on the stack: its instruction, then its result.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Instruction,
    Result,
}

/// The state of the walk through the body.
#[derive(Default)]
struct Body {
    out: Returned,
    /// The paragraph being read (it may continue a previous one whose mark was deleted).
    para: String,
    in_para: bool,
    /// The paragraph's mark is deleted: it joins the next paragraph.
    mark_deleted: bool,
    /// Open `w:del`/`w:moveFrom` (and deleted rows) and `w:ins`/`w:moveTo`.
    deleted: usize,
    inserted: usize,
    /// Open tracked changes, innermost last (indexes into `out.changes`).
    open_changes: Vec<usize>,
    fields: Vec<Field>,
    /// Inside `w:t` / `w:delText`.
    in_text: bool,
    /// Open comment ranges: id → index into `out.comments`.
    ranges: BTreeMap<String, usize>,
    /// Comments seen by id (a range or a reference), so each is listed once.
    seen: BTreeMap<String, usize>,
    /// Rows whose `w:trPr` holds `w:del`, per open `w:tr`.
    rows: Vec<bool>,
}

impl Body {
    fn text(&mut self, s: &str) {
        if self.fields.contains(&Field::Instruction) {
            return;
        }
        if self.deleted > 0 {
            // Inserted and deleted again: in neither reading.
            if self.inserted == 0
                && let Some(&i) = self.open_changes.last()
            {
                self.out.changes[i].text.push_str(s);
            }
            return;
        }
        self.para.push_str(s);
        if self.inserted > 0
            && let Some(&i) = self.open_changes.last()
        {
            self.out.changes[i].text.push_str(s);
        }
        for &i in self.ranges.values() {
            self.out.comments[i].anchor.push_str(s);
        }
    }

    fn end_paragraph(&mut self) {
        self.in_para = false;
        if self.mark_deleted {
            self.mark_deleted = false;
            return;
        }
        self.out.paragraphs.push(std::mem::take(&mut self.para));
    }

    fn comment(&mut self, id: String) -> usize {
        if let Some(&i) = self.seen.get(&id) {
            return i;
        }
        let i = self.out.comments.len();
        self.out.comments.push(Comment {
            author: String::new(),
            date: None,
            // The id until the comments part fills the text in (see `read_bytes`).
            text: format!("\u{0}{id}"),
            anchor: String::new(),
            paragraph: self.out.paragraphs.len(),
        });
        self.seen.insert(id, i);
        i
    }
}

/// The body of the main document part.
fn body(xml: &[u8]) -> std::result::Result<Returned, String> {
    let mut r = reader(xml);
    let mut b = Body::default();
    // Depth of a subtree being skipped (0: not skipping).
    let mut skip = 0usize;
    // Inside `w:pPr` (paragraph properties: only the mark's change matters), and its `w:rPr`.
    let mut ppr = 0usize;
    let mut ppr_rpr = false;
    let mut trpr = false;
    // Whether each open change element is a deletion, to undo on its end.
    let mut change_stack: Vec<bool> = Vec::new();
    loop {
        let (ns, ev) = r.read_resolved_event().map_err(xml_error)?;
        let is_w =
            matches!(ns, ResolveResult::Bound(n) if n.as_ref() == W || n.as_ref() == W_STRICT);
        let is_mc = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == MC);
        match ev {
            Event::Start(e) => {
                if skip > 0 {
                    skip += 1;
                    continue;
                }
                let local = e.local_name();
                let local = local.as_ref();
                if ppr > 0 {
                    ppr += 1;
                    if is_w && local == b"rPr" && ppr == 2 {
                        ppr_rpr = true;
                    } else if is_w && ppr_rpr && matches!(local, b"del" | b"moveFrom") {
                        b.mark_deleted = true;
                    } else if is_w && ppr == 2 && local != b"rPr" {
                        // Other paragraph properties (and pPrChange's old properties).
                        skip = 1;
                        ppr -= 1;
                    }
                    continue;
                }
                if trpr {
                    if is_w
                        && local == b"del"
                        && let Some(row) = b.rows.last_mut()
                        && !*row
                    {
                        *row = true;
                        b.deleted += 1;
                    }
                    skip = 1;
                    continue;
                }
                if is_mc {
                    if local == b"Choice" {
                        skip = 1;
                    }
                    continue;
                }
                if !is_w {
                    // Another vocabulary's element (w14, w15…): its content is not text.
                    skip = 1;
                    continue;
                }
                match local {
                    b"p" => {
                        b.in_para = true;
                    }
                    b"pPr" => ppr = 1,
                    b"trPr" => trpr = true,
                    b"tr" => b.rows.push(false),
                    b"t" | b"delText" => b.in_text = true,
                    b"tab" | b"ptab" => b.text("\t"),
                    b"br" => {
                        let ty = attr(&e, b"type");
                        if ty.as_deref().is_none_or(|t| t == "textWrapping") {
                            b.text("\n");
                        }
                        skip = 1;
                    }
                    b"cr" => {
                        b.text("\n");
                        skip = 1;
                    }
                    b"noBreakHyphen" => {
                        b.text("-");
                        skip = 1;
                    }
                    b"sym" => {
                        if let Some(c) = attr(&e, b"char")
                            .and_then(|h| u32::from_str_radix(&h, 16).ok())
                            .and_then(char::from_u32)
                            .filter(|c| !c.is_control())
                        {
                            b.text(&c.to_string());
                        }
                        skip = 1;
                    }
                    b"ins" | b"moveTo" | b"del" | b"moveFrom" => {
                        let deletion = matches!(local, b"del" | b"moveFrom");
                        let i = b.out.changes.len();
                        b.out.changes.push(Change {
                            kind: if deletion {
                                ChangeKind::Deleted
                            } else {
                                ChangeKind::Inserted
                            },
                            moved: matches!(local, b"moveTo" | b"moveFrom"),
                            author: attr(&e, b"author").unwrap_or_default(),
                            date: attr(&e, b"date"),
                            text: String::new(),
                            paragraph: b.out.paragraphs.len(),
                        });
                        b.open_changes.push(i);
                        if deletion {
                            b.deleted += 1;
                        } else {
                            b.inserted += 1;
                        }
                        change_stack.push(deletion);
                    }
                    b"fldChar" => {
                        match attr(&e, b"fldCharType").as_deref() {
                            Some("begin") => b.fields.push(Field::Instruction),
                            Some("separate") => {
                                if let Some(f) = b.fields.last_mut() {
                                    *f = Field::Result;
                                }
                            }
                            Some("end") => {
                                b.fields.pop();
                            }
                            _ => {}
                        }
                        skip = 1;
                    }
                    b"commentRangeStart" => {
                        let id = attr(&e, b"id").unwrap_or_default();
                        let i = b.comment(id.clone());
                        b.ranges.insert(id, i);
                        skip = 1;
                    }
                    b"commentRangeEnd" => {
                        let id = attr(&e, b"id").unwrap_or_default();
                        b.ranges.remove(&id);
                        skip = 1;
                    }
                    b"commentReference" => {
                        b.comment(attr(&e, b"id").unwrap_or_default());
                        skip = 1;
                    }
                    // Containers read through.
                    b"body" | b"document" | b"r" | b"hyperlink" | b"smartTag" | b"customXml"
                    | b"fldSimple" | b"sdt" | b"sdtContent" | b"tbl" | b"tc" | b"dir" | b"bdo"
                    | b"ruby" | b"rubyBase" => {}
                    // Everything else (properties, drawings, ruby text, instructions, marks)
                    // holds no text of the body.
                    _ => skip = 1,
                }
            }
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                if ppr > 0 {
                    ppr -= 1;
                    if ppr == 1 && is_w && e.local_name().as_ref() == b"rPr" {
                        ppr_rpr = false;
                    }
                    continue;
                }
                if trpr {
                    trpr = false;
                    continue;
                }
                if !is_w {
                    continue;
                }
                match e.local_name().as_ref() {
                    b"p" => b.end_paragraph(),
                    b"t" | b"delText" => b.in_text = false,
                    b"tr" if b.rows.pop() == Some(true) => b.deleted -= 1,
                    b"ins" | b"moveTo" | b"del" | b"moveFrom" => {
                        if let Some(deletion) = change_stack.pop() {
                            if deletion {
                                b.deleted -= 1;
                            } else {
                                b.inserted -= 1;
                            }
                            b.open_changes.pop();
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if b.in_text && skip == 0 => {
                let s = t.xml10_content().map_err(xml_error)?;
                b.text(&s);
            }
            Event::GeneralRef(g) if b.in_text && skip == 0 => {
                let s = general_ref(&g);
                b.text(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if b.in_para || !b.para.is_empty() {
        b.mark_deleted = false;
        b.end_paragraph();
    }
    b.out.changes.retain(|c| !c.text.is_empty());
    Ok(b.out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml"><w:body>"#;

    fn read(body_xml: &str) -> Returned {
        body(format!("{HEAD}{body_xml}</w:body></w:document>").as_bytes()).unwrap()
    }

    #[test]
    fn split_runs_fields_and_alternate_content() {
        let r = read(concat!(
            r#"<w:p><w:r><w:t>第</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>1</w:t></w:r><w:bookmarkStart w:id="0" w:name="x"/><w:r><w:t xml:space="preserve">条 A&amp;B</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:fldSimple w:instr="DATE"><w:r><w:t>今日</w:t></w:r></w:fldSimple></w:p>"#,
            r#"<w:p><mc:AlternateContent><mc:Choice Requires="w14"><w:r><w:t>新</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>旧</w:t></w:r></mc:Fallback></mc:AlternateContent><w:r><w:tab/><w:t>a</w:t><w:br/><w:t>b</w:t><w:br w:type="page"/><w:noBreakHyphen/><w:softHyphen/></w:r></w:p>"#,
            r#"<w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:p><w:smartTag><w:r><w:t>包む</w:t></w:r></w:smartTag></w:p></w:sdtContent></w:sdt>"#,
            r#"<w:p><w:r><w:ruby><w:rubyPr/><w:rt><w:r><w:t>いせさき</w:t></w:r></w:rt><w:rubyBase><w:r><w:t>伊勢崎</w:t></w:r></w:rubyBase></w:ruby></w:r><w:r><w:drawing><w:p><w:r><w:t>箱</w:t></w:r></w:p></w:drawing></w:r></w:p>"#,
        ));
        assert_eq!(
            r.paragraphs,
            vec!["第1条 A&B", "3今日", "旧\ta\nb-", "包む", "伊勢崎"]
        );
    }

    #[test]
    fn tracked_changes_by_all_their_ancestors() {
        let r = read(concat!(
            r#"<w:p><w:r><w:t>甲は</w:t></w:r><w:ins w:id="1" w:author="乙社" w:date="2026-12-01T10:00:00Z"><w:r><w:t>速やかに</w:t></w:r><w:del w:id="2" w:author="乙社"><w:r><w:delText>消えた</w:delText></w:r></w:del></w:ins><w:del w:id="3" w:author="Author"><w:r><w:delText>必ず</w:delText></w:r></w:del><w:r><w:t>通知する。</w:t></w:r></w:p>"#,
            r#"<w:p><w:pPr><w:jc w:val="left"/><w:rPr><w:del w:id="4" w:author="x"/></w:rPr></w:pPr><w:r><w:t>前半</w:t></w:r></w:p><w:p><w:r><w:t>後半</w:t></w:r></w:p>"#,
            r#"<w:tbl><w:tblPr/><w:tr><w:tc><w:p><w:r><w:t>残る</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:trPr><w:del w:id="5" w:author="x"/></w:trPr><w:tc><w:p><w:r><w:t>消える行</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"#,
        ));
        assert_eq!(
            r.paragraphs,
            vec!["甲は速やかに通知する。", "前半後半", "残る", ""]
        );
        let changes: Vec<(ChangeKind, &str, &str)> = r
            .changes
            .iter()
            .map(|c| (c.kind, c.author.as_str(), c.text.as_str()))
            .collect();
        assert_eq!(
            changes,
            vec![
                (ChangeKind::Inserted, "乙社", "速やかに"),
                (ChangeKind::Deleted, "Author", "必ず"),
            ]
        );
        assert_eq!(r.changes[0].date.as_deref(), Some("2026-12-01T10:00:00Z"));
        assert_eq!(r.changes[1].date, None);
    }

    #[test]
    fn comments_by_range_and_by_bare_reference() {
        let r = read(concat!(
            r#"<w:p><w:r><w:t>第6条</w:t></w:r><w:commentRangeStart w:id="7"/><w:r><w:t>守秘</w:t></w:r><w:commentRangeEnd w:id="7"/><w:r><w:commentReference w:id="7"/></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>後</w:t></w:r><w:r><w:commentReference w:id="8"/></w:r></w:p>"#,
        ));
        assert_eq!(r.comments.len(), 2);
        assert_eq!(r.comments[0].anchor, "守秘");
        assert_eq!(r.comments[0].paragraph, 0);
        assert_eq!(r.comments[1].anchor, "");
        assert_eq!(r.comments[1].paragraph, 1);
        let texts = comments(
            r#"<w:comments xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment w:id="7" w:author="Author"><w:p><w:r><w:t>要確認</w:t></w:r></w:p><w:p><w:r><w:t>二行目</w:t></w:r></w:p></w:comment></w:comments>"#
                .as_bytes(),
        )
        .unwrap();
        assert_eq!(
            texts.get("7"),
            Some(&("Author".to_string(), None, "要確認\n二行目".to_string()))
        );
    }

    #[test]
    fn control_characters_never_reach_the_report() {
        let mut r = read(
            r#"<w:p><w:r><w:t>A&#x1B;[31mB&#x7;</w:t><w:tab/><w:t>C&#x200B;D</w:t></w:r></w:p>"#,
        );
        clean(&mut r);
        assert_eq!(r.paragraphs, vec!["A[31mB CD"]);
    }

    #[test]
    fn malformed_xml_is_an_error_not_a_panic() {
        assert!(body(b"<w:document><w:body><w:p>").is_ok());
        assert!(body(b"<a></b>").is_err());
        assert!(body(b"\xff\xfe<").is_err() || body(b"\xff\xfe<").is_ok());
    }

    #[test]
    fn relationship_targets_resolve_inside_the_package() {
        assert_eq!(resolve("word", "comments.xml"), "word/comments.xml");
        assert_eq!(resolve("word", "/word/x.xml"), "word/x.xml");
        assert_eq!(resolve("word", "../../../etc/passwd"), "etc/passwd");
    }
}
