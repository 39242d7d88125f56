//! The PDF writer: `ir::Document` → PDF bytes, with typst used as a library.
//!
//! The only user of the `typst`, `typst-layout` and `typst-pdf` crates. The layout is a
//! typst program, `templates/layout.typ` (overridable with `--templates DIR`); it is parsed
//! once when a [`Pdf`] is created. The document reaches it as DATA: the IR is serialised to
//! JSON and offered as the virtual file `/document.json`, which the layout reads with
//! `json(...)`. No text of the register is ever parsed as typst markup, so a company named
//! `株式会社#panic("x")*太字*$x$]` prints exactly that.
//!
//! Fonts (the bundled BIZ UD明朝 / BIZ UDゴシック plus every font of the extra directories,
//! e.g. IPAmj明朝 for 異体字) are parsed once, in [`Pdf::new`]. A [`Pdf`] is `Send + Sync`:
//! one instance may serve several threads at once.
//!
//! Output is reproducible: the world has no clock (`today` is `None`), the PDF identifier is
//! derived from the document kind and title, and the creation date is the one the caller
//! passes. The same IR and date give the same bytes.
//!
//! Conformance: PDF/A-2a together with PDF/UA-1 (tagged, with title and language `ja`);
//! typst 0.15 accepts the pair (both are PDF 1.7 profiles). PDF/A-2 requires a creation
//! date in the metadata, hence the `created` argument of [`Pdf::write`].

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::syntax::{DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::date::Date;
use crate::document::assets::{self, Assets};
use crate::document::ir;
use crate::error::{Error, Result};

/// The asset path of the layout program.
pub const LAYOUT_PATH: &str = "templates/layout.typ";
/// The virtual path of the layout program inside the typst world.
const MAIN_VPATH: &str = "/layout.typ";
/// The virtual path under which the layout finds the document (JSON).
const DATA_VPATH: &str = "/document.json";

/// A rendered PDF and the warnings typst emitted while laying it out.
#[derive(Debug, Clone)]
pub struct PdfOutput {
    pub bytes: Vec<u8>,
    /// typst warnings (e.g. an unknown font family in a custom layout), one line each.
    pub warnings: Vec<String>,
    /// The number of pages.
    pub pages: usize,
}

/// The PDF writer: the typst library, the fonts and the parsed layout, created once and
/// shared by every document (and every thread).
pub struct Pdf {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    main: Source,
    data_id: FileId,
    /// Documents written so far (for the periodic cache eviction).
    written: AtomicUsize,
    /// Documents laid out so far ([`Pdf::layouts`]).
    layouts: AtomicUsize,
}

/// Evict typst's caches after every this many documents.
const EVICT_EVERY: usize = 8;

impl std::fmt::Debug for Pdf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pdf")
            .field("fonts", &self.fonts.len())
            .finish_non_exhaustive()
    }
}

/// The characters the fonts can show, without the layout or the typst library: what `check`
/// needs to say which cells would print as empty boxes, with the fonts `render` would use.
pub struct Coverage {
    fonts: Vec<Font>,
}

impl Coverage {
    /// The bundled fonts and those of `extra_font_dirs`, as [`Pdf::new`] loads them.
    pub fn new(extra_font_dirs: &[PathBuf]) -> Result<Coverage> {
        Ok(Coverage {
            fonts: load_fonts(extra_font_dirs)?,
        })
    }

    /// Whether any of the fonts has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        covers(&self.fonts, c)
    }
}

fn covers(fonts: &[Font], c: char) -> bool {
    fonts.iter().any(|f| f.info().coverage.contains(c as u32))
}

/// The bundled fonts and every `.ttf`, `.otf`, `.ttc` and `.otc` file in `extra_font_dirs`
/// (searched recursively, in name order; a directory that does not exist is an error).
fn load_fonts(extra_font_dirs: &[PathBuf]) -> Result<Vec<Font>> {
    let mut fonts: Vec<Font> = Vec::new();
    for (_, data) in assets::fonts() {
        fonts.extend(Font::iter(Bytes::new(data)));
    }
    for dir in extra_font_dirs {
        let mut files = Vec::new();
        font_files(dir, &mut files)?;
        files.sort();
        for path in files {
            let data = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            fonts.extend(Font::iter(Bytes::new(data)));
        }
    }
    if fonts.is_empty() {
        return Err(writer_error("フォントが1つも読み込めません"));
    }
    Ok(fonts)
}

fn writer_error(reason: impl Into<String>) -> Error {
    Error::Writer {
        format: "PDF",
        reason: reason.into(),
    }
}

fn file_id(vpath: &str) -> FileId {
    let vpath = VirtualPath::new(vpath).expect("a valid constant virtual path");
    FileId::new(RootedPath::new(VirtualRoot::Project, vpath))
}

impl Pdf {
    /// Loads the layout (`templates/layout.typ`, from `assets`) and the fonts: the bundled
    /// ones and every `.ttf`, `.otf`, `.ttc` and `.otc` file in `extra_font_dirs` (searched
    /// recursively; a directory that does not exist is an error).
    pub fn new(assets: &Assets, extra_font_dirs: &[PathBuf]) -> Result<Pdf> {
        let layout = assets
            .text(LAYOUT_PATH)
            .ok_or_else(|| writer_error(format!("{LAYOUT_PATH} が見つかりません")))?;

        let fonts = load_fonts(extra_font_dirs)?;
        let book = FontBook::from_fonts(&fonts);

        let main_id = file_id(MAIN_VPATH);
        Ok(Pdf {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(book),
            fonts,
            main: Source::new(main_id, layout),
            data_id: file_id(DATA_VPATH),
            written: AtomicUsize::new(0),
            layouts: AtomicUsize::new(0),
        })
    }

    /// Whether any loaded font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        covers(&self.fonts, c)
    }

    /// What decides the bytes besides the document: the layout program and the fonts beyond
    /// the bundled ones (those come with kyotei's version), as SHA-256 hex digests.
    pub fn fingerprint(&self) -> Vec<String> {
        let bundled = assets::fonts().count();
        let mut v = vec![crate::output::sha256_hex(self.main.text().as_bytes())];
        v.extend(
            self.fonts
                .iter()
                .skip(bundled)
                .map(|f| crate::output::sha256_hex(f.data())),
        );
        v
    }

    /// Documents laid out so far by this writer (PDFs written and page counts taken): what an
    /// incremental render saves is visible here.
    pub fn layouts(&self) -> usize {
        self.layouts.load(Ordering::Relaxed)
    }

    /// The font families typst sees (for diagnostics and `--templates` authors).
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> = self.fonts.iter().map(|f| f.info().family.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// Renders `doc` to PDF. `created` is the creation date written to the metadata (the
    /// run's reference date; PDF/A needs one). The same document and date give the same
    /// bytes. Every few documents, evicts old entries of typst's caches (see
    /// [`evict_cache`]), so memory stays bounded over a long batch.
    pub fn write(&self, doc: &ir::Document, created: Date) -> Result<PdfOutput> {
        let out = self.write_inner(doc, created);
        // Evicting walks every cache (about a millisecond), so do it every few documents.
        if self.written.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            evict_cache();
        }
        out
    }

    /// The number of pages `doc` has in the PDF, laid out but not exported (for a DOCX-only
    /// run, whose footer shows page numbers only beyond one page, as the PDF does).
    pub fn pages(&self, doc: &ir::Document) -> Result<usize> {
        let json = self.data(doc)?;
        let world = DocWorld {
            pdf: self,
            data: Bytes::new(json),
        };
        self.layouts.fetch_add(1, Ordering::Relaxed);
        let compiled = typst::compile::<PagedDocument>(&world);
        let paged = compiled.output.map_err(|errs| {
            let msgs: Vec<String> = errs.iter().map(|d| world.describe(d)).collect();
            writer_error(format!("レイアウトに失敗しました: {}", msgs.join(" / ")))
        })?;
        Ok(paged.pages().len())
    }

    /// The document as the JSON the layout reads. In a draft, a character no font has is
    /// printed as 「□」, as `render --draft` warns: the PDF/A export refuses a missing glyph,
    /// and a draft is made anyway (a final document never has one: `render` refuses it
    /// first). The joiners, tags and selectors of an emoji sequence so replaced go with it.
    fn data(&self, doc: &ir::Document) -> Result<Vec<u8>> {
        let to_json = |e: serde_json::Error| writer_error(e.to_string());
        if !doc.draft {
            return serde_json::to_vec(doc).map_err(to_json);
        }
        let mut value = serde_json::to_value(doc).map_err(to_json)?;
        self.box_missing(&mut value);
        serde_json::to_vec(&value).map_err(to_json)
    }

    fn box_missing(&self, v: &mut serde_json::Value) {
        match v {
            serde_json::Value::String(s) => {
                if s.chars().all(|c| c.is_ascii() || self.covers(c)) {
                    return;
                }
                let mut out = String::with_capacity(s.len());
                // The last character printed as a box, and whether a joiner followed it.
                let (mut boxed, mut joined) = (false, false);
                for c in s.chars() {
                    let attached = matches!(c, '\u{200D}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0020}'..='\u{E007F}');
                    if c.is_whitespace() || c.is_control() || self.covers(c) {
                        out.push(c);
                        (boxed, joined) = (false, false);
                    } else if attached && boxed {
                        // Part of the sequence already printed as one box.
                        joined |= c == '\u{200D}';
                    } else if attached || ('\u{E0100}'..='\u{E01EF}').contains(&c) {
                        // A selector after a character the fonts have: its base form prints.
                        out.push(c);
                    } else if joined {
                        // The next pictograph of a joined sequence (👨‍👩‍👧): one box for all.
                        joined = false;
                    } else {
                        out.push('□');
                        boxed = true;
                    }
                }
                *s = out;
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(|v| self.box_missing(v)),
            serde_json::Value::Object(o) => o.values_mut().for_each(|v| self.box_missing(v)),
            _ => {}
        }
    }

    fn write_inner(&self, doc: &ir::Document, created: Date) -> Result<PdfOutput> {
        let json = self.data(doc)?;
        let world = DocWorld {
            pdf: self,
            data: Bytes::new(json),
        };

        self.layouts.fetch_add(1, Ordering::Relaxed);
        let compiled = typst::compile::<PagedDocument>(&world);
        let mut warnings: Vec<String> = compiled
            .warnings
            .iter()
            .map(|d| world.describe(d))
            .collect();
        let paged = compiled.output.map_err(|errs| {
            let msgs: Vec<String> = errs.iter().map(|d| world.describe(d)).collect();
            writer_error(format!("レイアウトに失敗しました: {}", msgs.join(" / ")))
        })?;

        let standards = PdfStandards::new(&[PdfStandard::A_2a, PdfStandard::Ua_1])
            .map_err(|e| writer_error(e.message().to_string()))?;
        let datetime = u8::try_from(created.month)
            .ok()
            .zip(u8::try_from(created.day).ok())
            .and_then(|(m, d)| Datetime::from_ymd(created.year, m, d))
            .ok_or_else(|| writer_error(format!("作成日 {} が不正です", created.iso())))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!("kyotei/{:?}/{}", doc.kind, doc.title)),
            creator: Smart::Custom(Some("kyotei".to_string())),
            timestamp: Some(Timestamp::new_utc(datetime)),
            page_ranges: None,
            standards,
            tagged: true,
            pretty: false,
        };
        let bytes = typst_pdf::pdf(&paged, &options).map_err(|errs| {
            let msgs: Vec<String> = errs.iter().map(|d| world.describe(d)).collect();
            writer_error(msgs.join(" / "))
        })?;
        warnings.dedup();
        Ok(PdfOutput {
            bytes,
            warnings,
            pages: paged.pages().len(),
        })
    }
}

/// Drops typst's memoised results that were not used during the last few evictions (about
/// 30 documents when called by [`Pdf::write`], which does so every 8 documents). Call it
/// after a batch to release memory.
pub fn evict_cache() {
    typst::comemo::evict(4);
}

fn font_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        if path.is_dir() {
            font_files(&path, out)?;
        } else if let Some(ext) = path.extension().and_then(|e| e.to_str())
            && matches!(
                ext.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        {
            out.push(path);
        }
    }
    Ok(())
}

/// The world of one document: the shared [`Pdf`] state plus the document's JSON.
struct DocWorld<'a> {
    pdf: &'a Pdf,
    data: Bytes,
}

impl DocWorld<'_> {
    /// One line for a diagnostic: `layout.typ:12: message (hint: …)`.
    fn describe(&self, d: &SourceDiagnostic) -> String {
        let mut s = String::new();
        if d.severity == Severity::Warning {
            s.push_str("警告: ");
        }
        let id = match d.span.get() {
            DiagSpanKind::Number { id, .. } | DiagSpanKind::Range { id, .. } => Some(id),
            DiagSpanKind::Detached => None,
        };
        if let (Some(id), Some(range)) = (id, self.range(d.span))
            && let Ok(src) = self.source(id)
        {
            let line = src.lines().byte_to_line(range.start).map_or(0, |l| l + 1);
            s.push_str(&format!("{}:{line}: ", id.vpath().get_without_slash()));
        }
        s.push_str(&d.message);
        for h in &d.hints {
            s.push_str(&format!("（ヒント: {}）", h.v));
        }
        s
    }
}

impl World for DocWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.pdf.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.pdf.book
    }

    fn main(&self) -> FileId {
        self.pdf.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.pdf.main.id() {
            Ok(self.pdf.main.clone())
        } else {
            Err(FileError::NotFound(PathBuf::from(
                id.vpath().get_with_slash(),
            )))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.pdf.data_id {
            Ok(self.data.clone())
        } else if id == self.pdf.main.id() {
            Ok(Bytes::from_string(self.pdf.main.clone()))
        } else {
            Err(FileError::NotFound(PathBuf::from(
                id.vpath().get_with_slash(),
            )))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.pdf.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}
