//! The DOCX writer: renders an `ir::Document` to Word bytes with docx-rs (the only user of
//! docx-rs).
//!
//! Layout decisions (`templates/layout.typ` should use the same numbers for the PDF):
//! - A4, portrait or landscape; margins top 30 mm, bottom 25 mm, left/right 25 mm; footer
//!   12.5 mm from the bottom edge.
//! - Body BIZ UD明朝 10.5 pt; titles BIZ UDゴシック 14 pt bold; headings and table header
//!   cells BIZ UDゴシック bold at body size. Japanese language (`w:lang` ja-JP) in the
//!   document defaults. Document grid: lines, 18 pt pitch (Word's Japanese default).
//! - Indents are counted in 全角 characters of the body size (1 字 = 10.5 pt = 210 twips).
//!   `Paragraph { indent, hanging, first_line }`: the first line starts at
//!   `indent + first_line` characters, following lines at `indent + hanging`.
//! - Articles: caption `（目的）` indented one character; `第1条　本文` with a hanging indent of
//!   one character; items `1)　…` first line at one character, following lines at two
//!   (the 例規 convention); further paragraphs `2　…` like the body. Separators between the
//!   number or label and the text are a 全角 space (U+3000); `ir::Document::plain_text`
//!   writes an ASCII space there, so compare with [`docx_text`] after mapping U+3000.
//! - Signature: a blank line, the date indented two characters, a blank line, then each
//!   party in the right half of the page: `甲　住所` with the following lines aligned under
//!   the text after the label; one blank line between parties. The block keeps together.
//! - `Align::Left` is justified (両端揃え), as usual for Japanese body text.
//! - Tables fill the text width, columns in proportion to `widths`; 0.5 pt single borders;
//!   header rows (and `header` cells) shaded light gray (D9D9D9) in bold gothic; header rows
//!   repeat on each page; rows do not break across pages; cells centred vertically.
//! - Page numbers: `- n -` (a PAGE field) in the footer, only when [`Options::page_numbers`]
//!   says so: the caller sets it when the PDF of the same IR has more than one page, so both
//!   formats number pages alike. Not an IF/NUMPAGES field: LibreOffice does not evaluate IF
//!   (it prints the cached result, or garbles the footer once the instruction keeps its
//!   spaces, which Word needs).
//! - Schema validity: docx-rs's package is rewritten by [`normalize`] (child order by the
//!   ECMA-376 sequences, undeclared attributes dropped, a theme added, unreferenced parts
//!   left out), so Word opens it without offering a repair (`openxml-audit -m 0`: 0 findings).
//! - Determinism: paragraph ids are assigned by this writer from a per-document counter,
//!   the core properties carry fixed dates (2000-01-01) and the ZIP entries the ZIP
//!   default time (1980-01-01; the `zip` crate's `time` feature is off), so the same IR
//!   gives the same bytes.
//!
//! What docx-rs cannot express (`w:lang`, `w:tblHeader`, the core properties title,
//! creator and language, the font table) is patched into the XML parts after
//! `Docx::build` and before packing.

use crate::document::ir::{self, Align, Block, Cell, Inline, Orientation, Span};
mod normalize;

use crate::error::{Error, Result};
use docx_rs::{
    AlignmentType, BorderType, BreakType, DocGrid, DocGridType, Document, Docx, Footer,
    LineSpacing, PageMargin, PageNum, PageOrientationType, PageSize, Paragraph, Run, RunFonts,
    Shading, ShdType, SpecialIndentType, Table, TableBorder, TableBorderPosition, TableBorders,
    TableCell, TableCellMargins, TableLayoutType, TableRow, VAlignType, VMergeType, WidthType,
};

/// The body font (family name of `fonts/BIZUDMincho-Regular.ttf`).
pub const MINCHO: &str = "BIZ UD明朝";
/// The heading font (family name of `fonts/BIZUDGothic-*.ttf`).
pub const GOTHIC: &str = "BIZ UDゴシック";

/// Body size in half-points (10.5 pt).
const BODY_HALF_PT: usize = 21;
/// Title size in half-points (14 pt).
const TITLE_HALF_PT: usize = 28;
/// One 全角 character of body text in twips.
const CHAR: i32 = 210;
/// One grid line in twips (18 pt).
const LINE: u32 = 360;

/// A4 in twips.
const A4_SHORT: u32 = 11906;
const A4_LONG: u32 = 16838;
/// Margins in twips: 30 mm top, 25 mm elsewhere; footer 12.5 mm from the edge.
const MARGIN_TOP: i32 = 1701;
const MARGIN_BOTTOM: i32 = 1418;
const MARGIN_SIDE: i32 = 1418;
const MARGIN_HEADER: i32 = 851;
const MARGIN_FOOTER: i32 = 709;

/// Fill of header cells (light gray).
const HEADER_FILL: &str = "D9D9D9";
/// Fixed core-property dates: the output must not depend on the clock.
const FIXED_DATE: &str = "2000-01-01T00:00:00Z";

/// The full-width space between a number or label and its text.
const SEP: &str = "\u{3000}";

/// What the DOCX writer is told beyond the IR.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Number the pages in the footer (`- n -`): set when the document has more than one
    /// page.
    pub page_numbers: bool,
}

/// Renders `doc` to DOCX bytes.
pub fn write(doc: &ir::Document, opts: &Options) -> Result<Vec<u8>> {
    let mut w = Writer::new(doc);
    let mut body = Document::new()
        .page_size(page_size(doc.orientation))
        .page_orient(match doc.orientation {
            Orientation::Portrait => PageOrientationType::Portrait,
            Orientation::Landscape => PageOrientationType::Landscape,
        })
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_SIDE)
                .right(MARGIN_SIDE)
                .header(MARGIN_HEADER)
                .footer(MARGIN_FOOTER)
                .gutter(0),
        )
        .doc_grid(
            DocGrid::new()
                .grid_type(DocGridType::Lines)
                .line_pitch(LINE as usize),
        );

    if let Some(edition) = &doc.edition {
        let p = w
            .para()
            .align(AlignmentType::Right)
            .line_spacing(LineSpacing::new().after(LINE));
        body = body.add_paragraph(w.runs(p, &[Span::plain(edition.clone())], Font::Body));
    }
    for (i, block) in doc.blocks.iter().enumerate() {
        w.before_signature = matches!(doc.blocks.get(i + 1), Some(Block::Signature { .. }));
        body = w.block(body, block)?;
    }

    let mut docx = Docx::new()
        .document(body)
        .default_fonts(fonts(MINCHO))
        .default_size(BODY_HALF_PT)
        .created_at(FIXED_DATE)
        .updated_at(FIXED_DATE);
    if opts.page_numbers {
        let footer_p = w
            .para()
            .align(AlignmentType::Center)
            .add_run(w.run("- ", Font::Body))
            .add_page_num(PageNum::new())
            .add_run(w.run(" -", Font::Body));
        docx = docx.footer(Footer::new().add_paragraph(footer_p));
    }

    let mut xml = docx.build();
    xml.styles = patch(&xml.styles, "styles.xml", add_lang)?;
    xml.document = patch(&xml.document, "document.xml", |d| {
        add_table_headers(d, &w.headers)
    })?;
    xml.doc_props.core = core_xml(doc).into_bytes();
    // What the document is, for a file that comes back. Written here, in a fixed order
    // (docx-rs keeps custom properties in a hash map, whose order changes from run to run).
    xml.doc_props.custom = custom_xml(doc).into_bytes();
    xml.font_table = FONT_TABLE.as_bytes().to_vec();

    let mut out = std::io::Cursor::new(Vec::new());
    xml.pack(&mut out)
        .map_err(|e| writer_error(e.to_string()))?;
    // docx-rs's parts are not schema-valid as they are (child order, undeclared attributes,
    // no theme, parts nothing refers to): Word would offer to repair them.
    normalize::normalize_package(&out.into_inner()).map_err(writer_error)
}

/// The text of a DOCX body, one entry per non-empty paragraph in reading order (table
/// cells row by row, left to right); a line break is `\n`. Headers and footers are not
/// included. For tests: compare with `ir::Document::plain_text` (without empty lines,
/// U+3000 separators mapped to a space).
#[doc(hidden)]
pub fn docx_text(bytes: &[u8]) -> Result<Vec<String>> {
    let docx = docx_rs::read_docx(bytes).map_err(|e| writer_error(e.to_string()))?;
    let mut out = Vec::new();
    for child in &docx.document.children {
        match child {
            docx_rs::DocumentChild::Paragraph(p) => push_para_text(p, &mut out),
            docx_rs::DocumentChild::Table(t) => push_table_text(t, &mut out),
            _ => {}
        }
    }
    Ok(out)
}

fn push_table_text(t: &docx_rs::Table, out: &mut Vec<String>) {
    for docx_rs::TableChild::TableRow(row) in &t.rows {
        for docx_rs::TableRowChild::TableCell(cell) in &row.cells {
            for c in &cell.children {
                match c {
                    docx_rs::TableCellContent::Paragraph(p) => push_para_text(p, out),
                    docx_rs::TableCellContent::Table(t) => push_table_text(t, out),
                    _ => {}
                }
            }
        }
    }
}

fn push_para_text(p: &docx_rs::Paragraph, out: &mut Vec<String>) {
    let mut s = String::new();
    for child in &p.children {
        if let docx_rs::ParagraphChild::Run(run) = child {
            for rc in &run.children {
                match rc {
                    docx_rs::RunChild::Text(t) => s.push_str(&t.text),
                    docx_rs::RunChild::Tab(_) => s.push('\t'),
                    docx_rs::RunChild::Break(b)
                        if *b == docx_rs::Break::new(BreakType::TextWrapping) =>
                    {
                        s.push('\n')
                    }
                    _ => {}
                }
            }
        }
    }
    if !s.is_empty() {
        out.push(s);
    }
}

fn writer_error(reason: String) -> Error {
    Error::Writer {
        format: "DOCX",
        reason,
    }
}

fn page_size(o: Orientation) -> PageSize {
    match o {
        Orientation::Portrait => PageSize::new().size(A4_SHORT, A4_LONG),
        Orientation::Landscape => PageSize::new()
            .size(A4_LONG, A4_SHORT)
            .orient(PageOrientationType::Landscape),
    }
}

fn fonts(name: &str) -> RunFonts {
    RunFonts::new()
        .ascii(name)
        .hi_ansi(name)
        .east_asia(name)
        .cs(name)
}

/// Which typeface a run gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Font {
    Body,
    /// Gothic bold at body size (headings, header cells).
    Heading,
    /// Gothic bold at title size.
    Title,
}

struct Writer {
    draft: bool,
    next_id: u32,
    /// The text width of the page in twips.
    text_width: i32,
    /// The header row count of each table, in document order.
    headers: Vec<u32>,
    /// The block being written comes right before the signature: keep it with it.
    before_signature: bool,
}

impl Writer {
    fn new(doc: &ir::Document) -> Writer {
        let page_w = match doc.orientation {
            Orientation::Portrait => A4_SHORT,
            Orientation::Landscape => A4_LONG,
        } as i32;
        Writer {
            draft: doc.draft,
            next_id: 0,
            text_width: page_w - 2 * MARGIN_SIDE,
            headers: Vec::new(),
            before_signature: false,
        }
    }

    /// A new paragraph with a deterministic id.
    fn para(&mut self) -> Paragraph {
        self.next_id += 1;
        Paragraph::new().id(format!("{:08X}", 0x1000_0000 + self.next_id))
    }

    fn run(&self, text: &str, font: Font) -> Run {
        style_run(text_run(Run::new(), text), font)
    }

    /// Adds the spans of `inline` to `p` as runs.
    fn runs(&self, mut p: Paragraph, inline: &[Span], font: Font) -> Paragraph {
        for span in inline {
            if span.text.is_empty() {
                continue;
            }
            let mut r = style_run(text_run(Run::new(), &span.text), font);
            if span.underline {
                r = r.underline("single");
            }
            if span.var && self.draft {
                r = r.highlight("yellow");
            }
            p = p.add_run(r);
        }
        p
    }

    /// Adds the paragraphs and tables of `block` to `body`.
    fn block(&mut self, mut body: Document, block: &Block) -> Result<Document> {
        match block {
            Block::Title(lines) => {
                let n = lines.len();
                for (i, line) in lines.iter().enumerate() {
                    let mut p = self
                        .para()
                        .align(AlignmentType::Center)
                        .keep_next(true)
                        .snap_to_grid(false);
                    if i + 1 == n {
                        p = p.line_spacing(LineSpacing::new().after(LINE));
                    }
                    body = body.add_paragraph(self.runs(p, line, Font::Title));
                }
            }
            Block::Heading(text) => {
                let p = self
                    .para()
                    .keep_next(true)
                    .line_spacing(LineSpacing::new().before(LINE / 2));
                body = body.add_paragraph(self.runs(p, text, Font::Heading));
            }
            Block::Paragraph {
                align,
                indent,
                hanging,
                first_line,
                text,
            } => {
                let p = self
                    .para()
                    .align(alignment(*align))
                    .keep_next(self.before_signature);
                let p = indent_chars(p, *indent, *hanging, *first_line);
                body = body.add_paragraph(self.runs(p, text, Font::Body));
            }
            Block::Article {
                caption,
                number,
                body: article_body,
                items,
                paragraphs,
            } => {
                if let Some(c) = caption {
                    let p = indent_chars(self.para().keep_next(true), 1, 0, 0);
                    body = body.add_paragraph(self.runs(p, &[Span::plain(c.clone())], Font::Body));
                }
                let p = indent_chars(self.para(), 0, 1, 0);
                let mut spans = vec![Span::plain(format!("{number}{SEP}"))];
                spans.extend(article_body.iter().cloned());
                body = body.add_paragraph(self.runs(p, &spans, Font::Body));
                for item in items {
                    let p = indent_chars(self.para(), 1, 1, 0);
                    let mut spans = vec![Span::plain(format!("{}{SEP}", item.label))];
                    spans.extend(item.text.iter().cloned());
                    body = body.add_paragraph(self.runs(p, &spans, Font::Body));
                }
                for para in paragraphs {
                    let p = indent_chars(self.para(), 0, 1, 0);
                    body = body.add_paragraph(self.runs(p, para, Font::Body));
                }
            }
            // A table without rows is not valid WordprocessingML: it is left out.
            Block::Table { rows, .. } if rows.is_empty() => {}
            Block::Table {
                widths,
                header_rows,
                rows,
            } => {
                body = body.add_table(self.table(widths, *header_rows, rows)?);
            }
            Block::Signature { date, parties } => {
                let p = indent_chars(self.para().keep_next(true), 2, 0, 0)
                    .line_spacing(LineSpacing::new().before(LINE));
                body = body.add_paragraph(self.runs(p, date, Font::Body));
                // The right half of the text width, on a character boundary.
                let half = (self.text_width / 2 / CHAR) * CHAR;
                let parties: Vec<_> = parties.iter().filter(|p| !p.lines.is_empty()).collect();
                for (pi, party) in parties.iter().enumerate() {
                    let label_w = if party.label.is_empty() {
                        0
                    } else {
                        (party.label.chars().count() as i32 + 1) * CHAR
                    };
                    for (li, line) in party.lines.iter().enumerate() {
                        let last = pi + 1 == parties.len() && li + 1 == party.lines.len();
                        let mut p = self.para().keep_next(!last).keep_lines(true);
                        if li == 0 {
                            p = p
                                .indent(
                                    Some(half + label_w),
                                    Some(SpecialIndentType::Hanging(label_w)),
                                    None,
                                    None,
                                )
                                .line_spacing(LineSpacing::new().before(LINE));
                            let mut spans = Vec::new();
                            if !party.label.is_empty() {
                                spans.push(Span::plain(format!("{}{SEP}", party.label)));
                            }
                            spans.extend(line.iter().cloned());
                            body = body.add_paragraph(self.runs(p, &spans, Font::Body));
                        } else {
                            p = p.indent(Some(half + label_w), None, None, None);
                            body = body.add_paragraph(self.runs(p, line, Font::Body));
                        }
                    }
                }
            }
            Block::Blank => body = body.add_paragraph(self.para()),
            Block::PageBreak => {
                let p = self.para().add_run(Run::new().add_break(BreakType::Page));
                body = body.add_paragraph(p);
            }
        }
        Ok(body)
    }

    fn table(&mut self, widths: &[u32], header_rows: u32, rows: &[Vec<Cell>]) -> Result<Table> {
        let grid = self.grid(widths, rows)?;
        self.headers.push(header_rows.min(rows.len() as u32));
        let ncols = grid.len();
        // For each grid column: a vertical merge still running (rows left, colspan, header).
        let mut pending: Vec<Option<(u32, usize, bool)>> = vec![None; ncols];
        let mut trs = Vec::new();
        for (ri, row) in rows.iter().enumerate() {
            let is_header = (ri as u32) < header_rows;
            let mut tcs = Vec::new();
            let mut col = 0usize;
            let mut cells = row.iter();
            loop {
                // Continuation cells of merges from rows above.
                while col < ncols {
                    let Some((left, span, hdr)) = pending[col] else {
                        break;
                    };
                    tcs.push(self.continue_cell(&grid, col, span, hdr));
                    pending[col] = if left > 1 {
                        Some((left - 1, span, hdr))
                    } else {
                        None
                    };
                    col += span;
                }
                let Some(cell) = cells.next() else { break };
                let span = cell.colspan.max(1) as usize;
                if col + span > ncols {
                    return Err(writer_error(format!(
                        "表の {} 行目のセルが列の数（{ncols} 列）を超えています",
                        ri + 1
                    )));
                }
                let header = cell.header || is_header;
                let mut tc = self.cell(cell, header, cell_width(&grid, col, span));
                if span > 1 {
                    tc = tc.grid_span(span);
                }
                if cell.rowspan > 1 {
                    tc = tc.vertical_merge(VMergeType::Restart);
                    pending[col] = Some((cell.rowspan - 1, span, header));
                }
                tcs.push(tc);
                col += span;
            }
            // Pad a short row with empty cells so the grid stays rectangular.
            while col < ncols {
                let tc = self
                    .cell_base(cell_width(&grid, col, 1), is_header)
                    .add_paragraph(self.para());
                tcs.push(tc);
                col += 1;
            }
            // Rows do not break across pages; header rows are marked after the build.
            trs.push(TableRow::new(tcs).cant_split());
        }
        let border = |pos| {
            TableBorder::new(pos)
                .size(4)
                .color("000000")
                .border_type(BorderType::Single)
        };
        let borders = TableBorders::new()
            .set(border(TableBorderPosition::Top))
            .set(border(TableBorderPosition::Bottom))
            .set(border(TableBorderPosition::Left))
            .set(border(TableBorderPosition::Right))
            .set(border(TableBorderPosition::InsideH))
            .set(border(TableBorderPosition::InsideV));
        Ok(Table::new(trs)
            .set_grid(grid.iter().map(|&w| w as usize).collect())
            .width(self.text_width as usize, WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .set_borders(borders)
            .margins(TableCellMargins::new().margin(28, 85, 28, 85)))
    }

    /// Column widths in twips from the relative `widths`, filling the text width.
    fn grid(&self, widths: &[u32], rows: &[Vec<Cell>]) -> Result<Vec<i32>> {
        let needed = columns_needed(rows);
        let widths: Vec<u32> = if widths.is_empty() || widths.iter().all(|&w| w == 0) {
            vec![1; needed.max(1)]
        } else {
            widths.to_vec()
        };
        if needed > widths.len() {
            return Err(writer_error(format!(
                "表の列幅は {} 列分ですが、セルは {needed} 列分あります",
                widths.len()
            )));
        }
        let total: u64 = widths.iter().map(|&w| w as u64).sum();
        let tw = self.text_width as u64;
        let mut grid: Vec<i32> = widths
            .iter()
            .map(|&w| (w as u64 * tw / total) as i32)
            .collect();
        let used: i32 = grid.iter().sum();
        if let Some(last) = grid.last_mut() {
            *last += self.text_width - used;
        }
        Ok(grid)
    }

    fn cell_base(&self, width: i32, header: bool) -> TableCell {
        let mut tc = TableCell::new()
            .width(width as usize, WidthType::Dxa)
            .vertical_align(VAlignType::Center);
        if header {
            tc = tc.shading(
                Shading::new()
                    .shd_type(ShdType::Clear)
                    .color("auto")
                    .fill(HEADER_FILL),
            );
        }
        tc
    }

    fn cell(&mut self, cell: &Cell, header: bool, width: i32) -> TableCell {
        let mut tc = self.cell_base(width, header);
        let font = if header { Font::Heading } else { Font::Body };
        let content: &[Inline] = &cell.content;
        if content.is_empty() {
            return tc.add_paragraph(self.para().align(alignment(cell.align)));
        }
        for para in content {
            let p = self.para().align(alignment(cell.align));
            tc = tc.add_paragraph(self.runs(p, para, font));
        }
        tc
    }

    fn continue_cell(&mut self, grid: &[i32], col: usize, span: usize, header: bool) -> TableCell {
        let mut tc = self
            .cell_base(cell_width(grid, col, span), header)
            .vertical_merge(VMergeType::Continue)
            .add_paragraph(self.para());
        if span > 1 {
            tc = tc.grid_span(span);
        }
        tc
    }
}

/// The number of grid columns the rows need (colspans and rowspans included).
fn columns_needed(rows: &[Vec<Cell>]) -> usize {
    // Rows still covered by a rowspan, per column.
    let mut covered: Vec<u32> = Vec::new();
    let mut max = 0;
    for row in rows {
        let mut col = 0usize;
        let mut cells = row.iter();
        loop {
            while col < covered.len() && covered[col] > 0 {
                covered[col] -= 1;
                col += 1;
            }
            let Some(cell) = cells.next() else { break };
            let span = cell.colspan.max(1) as usize;
            if covered.len() < col + span {
                covered.resize(col + span, 0);
            }
            if cell.rowspan > 1 {
                for c in &mut covered[col..col + span] {
                    *c = cell.rowspan - 1;
                }
            }
            col += span;
        }
        while col < covered.len() {
            if covered[col] > 0 {
                covered[col] -= 1;
            }
            col += 1;
        }
        max = max.max(col);
    }
    max
}

fn cell_width(grid: &[i32], col: usize, span: usize) -> i32 {
    grid[col..(col + span).min(grid.len())].iter().sum()
}

fn alignment(a: Align) -> AlignmentType {
    match a {
        Align::Left => AlignmentType::Both,
        Align::Center => AlignmentType::Center,
        Align::Right => AlignmentType::Right,
    }
}

/// Indents in 全角 characters: the first line starts at `indent + first_line`, following
/// lines at `indent + hanging`.
fn indent_chars(p: Paragraph, indent: u32, hanging: u32, first_line: u32) -> Paragraph {
    if indent == 0 && hanging == 0 && first_line == 0 {
        return p;
    }
    let left = (indent + hanging) as i32 * CHAR;
    let first = first_line as i32 - hanging as i32;
    let special = match first {
        0 => None,
        f if f > 0 => Some(SpecialIndentType::FirstLine(f * CHAR)),
        f => Some(SpecialIndentType::Hanging(-f * CHAR)),
    };
    p.indent(Some(left), special, None, None)
}

/// Adds `text` to the run: `\n` becomes a line break, tabs a tab; other control
/// characters (which XML cannot carry) are dropped.
fn text_run(mut r: Run, text: &str) -> Run {
    let mut first = true;
    for line in text.split('\n') {
        if !first {
            r = r.add_break(BreakType::TextWrapping);
        }
        first = false;
        let mut buf = String::new();
        for ch in line.chars() {
            if ch == '\t' {
                if !buf.is_empty() {
                    r = r.add_text(std::mem::take(&mut buf));
                }
                r = r.add_tab();
            } else if !is_xml_invalid(ch) {
                buf.push(ch);
            }
        }
        if !buf.is_empty() {
            r = r.add_text(buf);
        }
    }
    r
}

fn is_xml_invalid(ch: char) -> bool {
    matches!(ch, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' | '\r')
}

fn style_run(r: Run, font: Font) -> Run {
    match font {
        Font::Body => r,
        Font::Heading => r.fonts(fonts(GOTHIC)).bold(),
        Font::Title => r.fonts(fonts(GOTHIC)).bold().size(TITLE_HALF_PT),
    }
}

fn patch(part: &[u8], name: &str, f: impl Fn(&str) -> Option<String>) -> Result<Vec<u8>> {
    let s = std::str::from_utf8(part).map_err(|e| writer_error(format!("{name}: {e}")))?;
    f(s).map(String::into_bytes)
        .ok_or_else(|| writer_error(format!("{name} の形が想定と異なります")))
}

/// Puts `w:lang` (ja-JP) into the run defaults of styles.xml.
fn add_lang(styles: &str) -> Option<String> {
    const LANG: &str = r#"<w:lang w:val="ja-JP" w:eastAsia="ja-JP" w:bidi="ar-SA" />"#;
    let start = styles.find("<w:rPrDefault>")?;
    let end = start + styles[start..].find("</w:rPr>")?;
    let mut s = String::with_capacity(styles.len() + LANG.len());
    s.push_str(&styles[..end]);
    s.push_str(LANG);
    s.push_str(&styles[end..]);
    Some(s)
}

/// Marks the first `n` rows of each table (in document order, `headers[i]` for the i-th
/// table; tables are never nested here) as header rows (`<w:tblHeader/>`), which repeat
/// on each page.
fn add_table_headers(document: &str, headers: &[u32]) -> Option<String> {
    const TBL: &str = "<w:tbl>";
    const TBL_END: &str = "</w:tbl>";
    const TR_PR: &str = "<w:trPr>";
    let mut out = String::with_capacity(document.len() + 64);
    let mut rest = document;
    for &n in headers {
        let start = rest.find(TBL)?;
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        for _ in 0..n {
            let at = rest.find(TR_PR)? + TR_PR.len();
            if at > rest.find(TBL_END)? {
                return None;
            }
            out.push_str(&rest[..at]);
            out.push_str("<w:tblHeader />");
            rest = &rest[at..];
        }
        let end = rest.find(TBL_END)?;
        out.push_str(&rest[..end]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    Some(out)
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if is_xml_invalid(c) || c == '\n' || c == '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The custom properties that say what a document kyotei issued is: its agreement, kind,
/// edition, draft or final, and the SHA-256 of the IR it was made from. None for a document of
/// no agreement.
pub fn identity(doc: &ir::Document) -> Vec<(&'static str, String)> {
    let Some(issued) = &doc.issued else {
        return Vec::new();
    };
    // What the document says, laid out: the cells its values came from are provenance, not
    // text (a register with its columns in another order makes the same file).
    let mut text = doc.clone();
    text.forget_cells();
    let ir = serde_json::to_string(&text).expect("the IR serialises");
    let mut props = vec![
        ("kyotei.agreement", issued.agreement.clone()),
        ("kyotei.kind", doc.kind.file_stem().to_string()),
        ("kyotei.draft", doc.draft.to_string()),
        ("kyotei.ir-sha256", crate::output::sha256_hex(ir.as_bytes())),
    ];
    if let Some(n) = issued.edition {
        props.push(("kyotei.edition", n.to_string()));
    }
    props
}

/// docProps/custom.xml with [`identity`]'s properties, `vt:lpwstr` only (LibreOffice turns
/// other types into others when it saves).
fn custom_xml(doc: &ir::Document) -> String {
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">"#
    ));
    for (i, (name, value)) in identity(doc).iter().enumerate() {
        xml.push_str(&format!(
            r#"<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{}" name="{}"><vt:lpwstr>{}</vt:lpwstr></property>"#,
            i + 2,
            xml_escape(name),
            xml_escape(value)
        ));
    }
    xml.push_str("</Properties>");
    xml
}

/// The same, in one line for `dc:identifier`: `kyotei 協定番号=R8-001; 書類=協定書; 版=2; 確定;
/// IR=sha256:…`.
fn identifier(doc: &ir::Document) -> Option<String> {
    let issued = doc.issued.as_ref()?;
    let props = identity(doc);
    let get = |k: &str| props.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
    let mut parts = vec![
        format!("協定番号={}", issued.agreement),
        format!("書類={}", doc.kind.file_stem()),
    ];
    if let Some(n) = issued.edition {
        parts.push(format!("版={n}"));
    }
    parts.push(if doc.draft { "案" } else { "確定" }.to_string());
    parts.push(format!(
        "IR=sha256:{}",
        get("kyotei.ir-sha256").unwrap_or_default()
    ));
    Some(format!("kyotei {}", parts.join("; ")))
}

/// docProps/core.xml with title, creator, identifier, language and fixed dates.
fn core_xml(doc: &ir::Document) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            "<dc:title>{title}</dc:title>",
            "<dc:creator>{author}</dc:creator>",
            "{identifier}",
            "<cp:lastModifiedBy>{author}</cp:lastModifiedBy>",
            "<dc:language>ja-JP</dc:language>",
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified>"#,
            "<cp:revision>1</cp:revision>",
            "</cp:coreProperties>"
        ),
        title = xml_escape(&doc.title),
        author = xml_escape(&doc.author),
        identifier = identifier(doc)
            .map(|i| format!("<dc:identifier>{}</dc:identifier>", xml_escape(&i)))
            .unwrap_or_default(),
        date = FIXED_DATE,
    )
}

/// word/fontTable.xml naming the two fonts (with the Windows names as alternatives).
const FONT_TABLE: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    r#"<w:font w:name="BIZ UD明朝"><w:altName w:val="BIZ UD明朝 Medium" /><w:charset w:val="80" /><w:family w:val="roman" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="BIZ UDゴシック"><w:altName w:val="BIZ UDGothic" /><w:charset w:val="80" /><w:family w:val="modern" /><w:pitch w:val="fixed" /></w:font>"#,
    r#"<w:font w:name="Times New Roman"><w:charset w:val="00" /><w:family w:val="roman" /><w:pitch w:val="variable" /></w:font>"#,
    "</w:fonts>"
);
