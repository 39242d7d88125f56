//! The document IR: one small, format-neutral model of a document that every writer renders.
//!
//! Templates (`templates/*.j2`, minijinja) produce it through `docs`; the DOCX writer
//! (`docx`) and the PDF writer (`pdf`) read only this. Text that came from the register is
//! marked `var` so a draft can highlight it (黄色の網掛け) and tests can find it.

use serde::{Deserialize, Serialize};

/// Which document this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DocKind {
    /// 包括連携協定締結の申出書
    Application,
    /// 連携事業提案書
    Proposal,
    /// 包括連携協定書
    Agreement,
    /// 連携事項の実施に関する申し合わせ事項
    Memorandum,
    /// 包括連携協定に係る実績報告書
    Report,
    /// 新旧対照表
    Comparison,
}

impl DocKind {
    /// A kind as `render --docs` names it (Japanese or English, full- and half-width alike).
    pub fn parse(s: &str) -> Option<DocKind> {
        Some(match crate::text::key(s).as_str() {
            "申出書" | "application" => DocKind::Application,
            "提案書" | "連携事業提案書" | "proposal" => DocKind::Proposal,
            "協定書" | "agreement" => DocKind::Agreement,
            "申し合わせ" | "申し合わせ事項" | "memorandum" => DocKind::Memorandum,
            "実績報告書" | "report" => DocKind::Report,
            _ => return None,
        })
    }

    /// Every kind, in the order of the guideline's forms (the 新旧対照表 last).
    pub const ALL: [DocKind; 6] = [
        DocKind::Application,
        DocKind::Proposal,
        DocKind::Agreement,
        DocKind::Memorandum,
        DocKind::Report,
        DocKind::Comparison,
    ];

    /// The Japanese base name used for files and titles.
    pub fn file_stem(self) -> &'static str {
        match self {
            DocKind::Application => "申出書",
            DocKind::Proposal => "連携事業提案書",
            DocKind::Agreement => "協定書",
            DocKind::Memorandum => "申し合わせ事項",
            DocKind::Report => "実績報告書",
            DocKind::Comparison => "新旧対照表",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Orientation {
    #[default]
    Portrait,
    Landscape,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
}

/// A run of text. `var`: it came from the register (highlighted in drafts).
/// `underline`: 傍線 (changed part in a 新旧対照表). `cell`: for register data, the cell that
/// holds it (`協定!E3`), so a change made to the text in a returned file can be traced back
/// to the cell to type it into (`kyotei compare`); records written before it existed have
/// none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Span {
    pub text: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub var: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub underline: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Inline content: a sequence of spans. A `\n` inside a span is a line break.
pub type Inline = Vec<Span>;

/// An item of an article's list: `1) 子ども・子育て支援に関すること。`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub label: String,
    pub text: Inline,
}

/// A table cell. Cells covered by another cell's span are omitted from later rows/columns,
/// as in HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Paragraphs of the cell.
    pub content: Vec<Inline>,
    #[serde(default = "one")]
    pub colspan: u32,
    #[serde(default = "one")]
    pub rowspan: u32,
    #[serde(default)]
    pub align: Align,
    /// A header cell: shaded, bold gothic.
    #[serde(default)]
    pub header: bool,
}

fn one() -> u32 {
    1
}

/// A party of the signature block: `甲` and its lines (address, name, title and name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub label: String,
    pub lines: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// The document title, centred, gothic; one entry per line.
    Title(Vec<Inline>),
    /// A section heading (`1 目的`, `1. 乙が行う業務活動における連携協力`), gothic.
    Heading(Inline),
    /// A paragraph. `indent`: left indent in characters (全角). `hanging`: the first
    /// `hanging` characters hang out to the left (for `※` notes and numbered lines).
    /// `first_line`: first-line indent in characters (the Japanese 字下げ of body text).
    Paragraph {
        align: Align,
        indent: u32,
        hanging: u32,
        first_line: u32,
        text: Inline,
    },
    /// An article of an agreement: `（目的）` caption, `第1条` and its body, items `1)`…,
    /// then further paragraphs numbered `2`, `3`… (the number is part of the text).
    Article {
        caption: Option<String>,
        number: String,
        body: Inline,
        items: Vec<Item>,
        paragraphs: Vec<Inline>,
    },
    /// A table; `widths` are relative column widths, `header_rows` rows repeat on each page.
    Table {
        widths: Vec<u32>,
        header_rows: u32,
        rows: Vec<Vec<Cell>>,
    },
    /// The signature block: date line, then each party.
    Signature {
        date: Inline,
        parties: Vec<Party>,
    },
    /// An empty line.
    Blank,
    PageBreak,
}

/// One document, ready for any writer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocKind,
    /// Metadata title (PDF /Title, DOCX dc:title).
    pub title: String,
    /// Metadata author (the city).
    pub author: String,
    pub orientation: Orientation,
    /// A draft: variable spans are highlighted yellow.
    pub draft: bool,
    /// An edition label printed at the top right (`第2版（令和8年9月1日改訂）`), if any.
    pub edition: Option<String>,
    /// What kyotei issued the document as (agreement, edition), written into the DOCX so a
    /// file that comes back can be matched to it; `None` for a document of no agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued: Option<Issued>,
    pub blocks: Vec<Block>,
}

/// The agreement and edition a document was issued for (its kind and whether it is a draft
/// are the document's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issued {
    /// 協定番号, as typed.
    pub agreement: String,
    /// The edition of a tracked document (協定書, 申し合わせ事項); `None` for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edition: Option<u32>,
}

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            ..Span::default()
        }
    }
    pub fn var(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            var: true,
            ..Span::default()
        }
    }
}

/// The plain text of inline content.
pub fn inline_text(inline: &[Span]) -> String {
    inline.iter().map(|s| s.text.as_str()).collect()
}

impl Document {
    /// Every span of the document, in reading order (the edition label is not a span).
    pub fn spans(&self) -> Vec<&Span> {
        let mut out: Vec<&Span> = Vec::new();
        for b in &self.blocks {
            match b {
                Block::Title(lines) => out.extend(lines.iter().flatten()),
                Block::Heading(t) | Block::Paragraph { text: t, .. } => out.extend(t),
                Block::Article {
                    body,
                    items,
                    paragraphs,
                    ..
                } => {
                    out.extend(body);
                    out.extend(items.iter().flat_map(|i| &i.text));
                    out.extend(paragraphs.iter().flatten());
                }
                Block::Table { rows, .. } => out.extend(
                    rows.iter()
                        .flatten()
                        .flat_map(|c| c.content.iter().flatten()),
                ),
                Block::Signature { date, parties } => {
                    out.extend(date);
                    out.extend(parties.iter().flat_map(|p| p.lines.iter().flatten()));
                }
                Block::Blank | Block::PageBreak => {}
            }
        }
        out
    }

    /// Drops every span's cell (see [`Span::cell`]).
    pub fn forget_cells(&mut self) {
        let clear = |inline: &mut Inline| inline.iter_mut().for_each(|s| s.cell = None);
        for b in &mut self.blocks {
            match b {
                Block::Title(lines) => lines.iter_mut().for_each(clear),
                Block::Heading(t) | Block::Paragraph { text: t, .. } => clear(t),
                Block::Article {
                    body,
                    items,
                    paragraphs,
                    ..
                } => {
                    clear(body);
                    items.iter_mut().for_each(|i| clear(&mut i.text));
                    paragraphs.iter_mut().for_each(clear);
                }
                Block::Table { rows, .. } => rows
                    .iter_mut()
                    .flatten()
                    .for_each(|c| c.content.iter_mut().for_each(clear)),
                Block::Signature { date, parties } => {
                    clear(date);
                    parties
                        .iter_mut()
                        .for_each(|p| p.lines.iter_mut().for_each(clear));
                }
                Block::Blank | Block::PageBreak => {}
            }
        }
    }

    /// The document's text, block by block, one line per paragraph, cell or item, in reading
    /// order. Writers' outputs are compared against this in tests.
    pub fn plain_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(e) = &self.edition {
            out.push(e.clone());
        }
        for b in &self.blocks {
            match b {
                Block::Title(lines) => out.extend(lines.iter().map(|l| inline_text(l))),
                Block::Heading(t) => out.push(inline_text(t)),
                Block::Paragraph { text, .. } => out.push(inline_text(text)),
                Block::Article {
                    caption,
                    number,
                    body,
                    items,
                    paragraphs,
                } => {
                    if let Some(c) = caption {
                        out.push(c.clone());
                    }
                    out.push(format!("{number} {}", inline_text(body)));
                    for i in items {
                        out.push(format!("{} {}", i.label, inline_text(&i.text)));
                    }
                    out.extend(paragraphs.iter().map(|p| inline_text(p)));
                }
                Block::Table { rows, .. } => {
                    for row in rows {
                        for cell in row {
                            out.extend(cell.content.iter().map(|p| inline_text(p)));
                        }
                    }
                }
                Block::Signature { date, parties } => {
                    out.push(inline_text(date));
                    for p in parties {
                        for (i, l) in p.lines.iter().enumerate() {
                            if i == 0 {
                                out.push(format!("{} {}", p.label, inline_text(l)));
                            } else {
                                out.push(inline_text(l));
                            }
                        }
                    }
                }
                Block::Blank | Block::PageBreak => {}
            }
        }
        out
    }
}
