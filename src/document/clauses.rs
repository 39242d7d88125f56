//! Places in a document and agreed wording: where each paragraph of a 協定書 or 申し合わせ事項
//! sits (`第6条`, `第2条第2項`, `第2条第1号`, `前文`, `末文`, `3.第2段落`…), and the `条文`
//! sheet's wording printed there in place of the guideline's model text.
//!
//! The same names serve both ways: `kyotei compare` reports a change in the model text at a
//! place, and staff copy that place and the agreed wording into `条文`; `render` then prints
//! the wording there (as register data: highlighted in drafts, traced to its `文言` cell), so
//! the next render never silently reverts an agreed change.
//!
//! The wording replaces the whole text of the place, without its number (`第6条`, `2`, `1)`):
//! register values inside that text are printed as the wording has them.

use crate::document::ir::{Block, Document, Inline, Span, inline_text};
use crate::model::Clause;

/// One paragraph of a document as a writer lays it out, in reading order: its spans (the
/// number of an article or item included, as the DOCX has it) and its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Para {
    pub spans: Inline,
    /// Where it is, in the words of the `条文` sheet (`第6条`, `前文`, `2.の表`…).
    pub place: String,
    /// The length, in characters, of the number that starts it (`第6条　`, `1)　`, `2 `):
    /// not part of the agreed wording of the place.
    pub prefix: usize,
}

impl Para {
    pub fn text(&self) -> String {
        inline_text(&self.spans)
    }
}

/// The place of the edition label printed at the top right.
pub const LABEL: &str = "版の表示";

/// The full-width space between an article's or item's number and its text, as the DOCX
/// writer prints it.
pub const SEP: &str = "\u{3000}";

/// Every non-empty paragraph of `doc` in the order the DOCX writer writes them (the edition
/// label first), each with its place.
pub fn paragraphs(doc: &Document) -> Vec<Para> {
    let mut out = Vec::new();
    let mut push = |spans: Inline, place: String, prefix: usize| {
        if !inline_text(&spans).trim().is_empty() {
            out.push(Para {
                spans,
                place,
                prefix,
            });
        }
    };
    if let Some(e) = &doc.edition {
        push(vec![Span::plain(e.clone())], LABEL.into(), 0);
    }
    let mut walk = Walk::default();
    for b in &doc.blocks {
        match b {
            Block::Title(lines) => {
                walk.titled = true;
                for l in lines {
                    push(l.clone(), "表題".into(), 0);
                }
            }
            Block::Heading(t) => {
                walk.section = Some(section_number(&inline_text(t)));
                walk.count = 0;
                push(t.clone(), format!("{}の見出し", walk.section_label()), 0);
            }
            Block::Paragraph { text, .. } => {
                if inline_text(text).trim().is_empty() {
                    continue;
                }
                walk.count += 1;
                let place = walk.paragraph_place();
                let prefix = if walk.section.is_none() {
                    0
                } else {
                    number_prefix(text)
                };
                push(text.clone(), place, prefix);
            }
            Block::Article {
                caption,
                number,
                body,
                items,
                paragraphs,
            } => {
                walk.articles_seen = true;
                if let Some(c) = caption {
                    push(vec![Span::plain(c.clone())], format!("{number}の見出し"), 0);
                }
                let head = format!("{number}{SEP}");
                let n = head.chars().count();
                let mut spans = vec![Span::plain(head)];
                spans.extend(body.iter().cloned());
                push(spans, number.clone(), n);
                for (k, item) in items.iter().enumerate() {
                    let head = format!("{}{SEP}", item.label);
                    let n = head.chars().count();
                    let mut spans = vec![Span::plain(head)];
                    spans.extend(item.text.iter().cloned());
                    push(spans, format!("{number}第{}号", k + 1), n);
                }
                for (m, p) in paragraphs.iter().enumerate() {
                    push(
                        p.clone(),
                        format!("{number}第{}項", m + 2),
                        number_prefix(p),
                    );
                }
            }
            Block::Table { rows, .. } => {
                let place = match &walk.section {
                    Some(_) => format!("{}の表", walk.section_label()),
                    None => "表".into(),
                };
                for row in rows {
                    for cell in row {
                        for p in &cell.content {
                            push(p.clone(), place.clone(), 0);
                        }
                    }
                }
            }
            Block::Signature { date, parties } => {
                walk.signed = true;
                push(date.clone(), "署名欄".into(), 0);
                for p in parties {
                    for (i, l) in p.lines.iter().enumerate() {
                        if i == 0 && !p.label.is_empty() {
                            let mut spans = vec![Span::plain(format!("{}{SEP}", p.label))];
                            spans.extend(l.iter().cloned());
                            push(spans, "署名欄".into(), 0);
                        } else {
                            push(l.clone(), "署名欄".into(), 0);
                        }
                    }
                }
            }
            Block::Blank | Block::PageBreak => {}
        }
    }
    out
}

/// Where the walk through a document's blocks is.
#[derive(Default)]
struct Walk {
    /// The number of the last section heading (`3`), if any.
    section: Option<String>,
    /// Paragraphs (outside articles) since the last heading, or since the start or the last
    /// article.
    count: u32,
    articles_seen: bool,
    /// After the last article: the closing text (`末文`) begins.
    in_closing: bool,
    signed: bool,
    /// Past the title: a paragraph before it is the document's date.
    titled: bool,
}

impl Walk {
    fn section_label(&self) -> String {
        format!("{}.", self.section.as_deref().unwrap_or(""))
    }

    fn paragraph_place(&mut self) -> String {
        let (base, n) = if !self.titled {
            ("日付".to_string(), 1)
        } else if self.signed {
            ("署名欄".to_string(), 1)
        } else if let Some(_s) = &self.section {
            (self.section_label(), self.count)
        } else if self.articles_seen {
            if !self.in_closing {
                self.in_closing = true;
                self.count = 1;
            }
            ("末文".to_string(), self.count)
        } else {
            ("前文".to_string(), self.count)
        };
        if n <= 1 {
            base
        } else {
            format!("{base}第{n}段落")
        }
    }
}

/// The number of a section heading: `1. 乙が行う…` → `1`, `3 その他` → `3`; a heading without
/// one is named by its text.
fn section_number(heading: &str) -> String {
    let t = heading.trim();
    let digits: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .collect();
    if digits.is_empty() {
        format!("「{t}」")
    } else {
        crate::text::key(&digits)
    }
}

/// The length of a paragraph number at the start (`2 `, `２　`), or 0.
fn number_prefix(text: &[Span]) -> usize {
    let t = inline_text(text);
    let digits = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || ('０'..='９').contains(c))
        .count();
    if digits == 0 {
        return 0;
    }
    match t.chars().nth(digits) {
        Some(' ' | '\u{3000}') => digits + 1,
        _ => 0,
    }
}

/// The key a place is compared by: NFKC, no blanks, `第1項` of an article is the article.
pub fn place_key(place: &str) -> String {
    let k = crate::text::key(place).replace('．', ".");
    match k.strip_suffix("第1項") {
        Some(article) if article.ends_with('条') => article.to_string(),
        _ => match k.strip_suffix("第1段落") {
            Some(base) => base.to_string(),
            _ => k,
        },
    }
}

/// Whether a place may carry agreed wording (a paragraph of text, not a heading, a table or
/// the signature block).
pub fn takes_wording(place: &str) -> bool {
    !(place.ends_with("の見出し")
        || place.ends_with("の表")
        || place == "表"
        || place == "表題"
        || place == "署名欄"
        || place == "日付"
        || place == "版の表示")
}

/// Prints each clause's wording at its place in `doc`; returns the clauses whose place the
/// document does not have (or that cannot carry wording).
pub fn apply<'c>(doc: &mut Document, clauses: &[&'c Clause]) -> Vec<&'c Clause> {
    let mut missing = Vec::new();
    for c in clauses {
        if !apply_one(doc, c) {
            missing.push(*c);
        }
    }
    missing
}

fn apply_one(doc: &mut Document, c: &Clause) -> bool {
    let want = place_key(&c.place.value);
    let wording = Span {
        text: c.wording.value.clone(),
        var: true,
        underline: false,
        cell: Some(c.wording.cell.to_string()),
    };
    let mut walk = Walk::default();
    for b in doc.blocks.iter_mut() {
        match b {
            Block::Title(_) => walk.titled = true,
            Block::Heading(t) => {
                walk.section = Some(section_number(&inline_text(t)));
                walk.count = 0;
            }
            Block::Paragraph { text, .. } => {
                if inline_text(text).trim().is_empty() {
                    continue;
                }
                walk.count += 1;
                let place = walk.paragraph_place();
                if place_key(&place) == want && takes_wording(&place) {
                    let prefix = if walk.section.is_none() {
                        0
                    } else {
                        number_prefix(text)
                    };
                    *text = replaced(text, prefix, wording);
                    return true;
                }
            }
            Block::Article {
                number,
                body,
                items,
                paragraphs,
                ..
            } => {
                walk.articles_seen = true;
                if place_key(number) == want {
                    *body = vec![wording];
                    return true;
                }
                for (k, item) in items.iter_mut().enumerate() {
                    if place_key(&format!("{number}第{}号", k + 1)) == want {
                        item.text = vec![wording];
                        return true;
                    }
                }
                for (m, p) in paragraphs.iter_mut().enumerate() {
                    if place_key(&format!("{number}第{}項", m + 2)) == want {
                        let prefix = number_prefix(p);
                        *p = replaced(p, prefix, wording);
                        return true;
                    }
                }
            }
            Block::Signature { .. } => walk.signed = true,
            _ => {}
        }
    }
    false
}

/// `text` with everything after its first `prefix` characters replaced by `wording`.
fn replaced(text: &[Span], prefix: usize, wording: Span) -> Inline {
    let head: String = inline_text(text).chars().take(prefix).collect();
    let mut out = Vec::new();
    if !head.is_empty() {
        out.push(Span::plain(head));
    }
    out.push(wording);
    out
}

/// The agreed wording a place's new text gives: the text without its number.
pub fn wording_of(para_text: &str, prefix: usize) -> String {
    para_text.chars().skip(prefix).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::ir::{DocKind, Item};
    use crate::model::{CellRef, ClauseDoc, Located};

    fn doc() -> Document {
        Document {
            kind: DocKind::Agreement,
            title: String::new(),
            author: String::new(),
            orientation: Default::default(),
            draft: false,
            edition: None,
            issued: None,
            blocks: vec![
                Block::Title(vec![vec![Span::plain("協定書")]]),
                Block::Paragraph {
                    align: Default::default(),
                    indent: 0,
                    hanging: 0,
                    first_line: 1,
                    text: vec![Span::plain("前の文")],
                },
                Block::Article {
                    caption: Some("（連携事項）".into()),
                    number: "第2条".into(),
                    body: vec![Span::plain("次に掲げる")],
                    items: vec![Item {
                        label: "1)".into(),
                        text: vec![Span::var("子ども")],
                    }],
                    paragraphs: vec![vec![Span::plain("2 甲及び乙は")]],
                },
                Block::Paragraph {
                    align: Default::default(),
                    indent: 0,
                    hanging: 0,
                    first_line: 1,
                    text: vec![Span::plain("本協定の締結を証するため")],
                },
            ],
        }
    }

    fn clause(place: &str, wording: &str) -> Clause {
        let t = |v: &str, col| Located {
            value: v.to_string(),
            cell: CellRef::new("条文", 2, col),
        };
        Clause {
            row: 2,
            agreement: t("R8-001", 0),
            document: Located {
                value: ClauseDoc::協定書,
                cell: CellRef::new("条文", 2, 1),
            },
            place: t(place, 2),
            wording: t(wording, 3),
        }
    }

    #[test]
    fn places_name_every_paragraph() {
        let places: Vec<(String, String)> = paragraphs(&doc())
            .into_iter()
            .map(|p| (p.place.clone(), p.text()))
            .collect();
        let want = [
            ("表題", "協定書"),
            ("前文", "前の文"),
            ("第2条の見出し", "（連携事項）"),
            ("第2条", "第2条\u{3000}次に掲げる"),
            ("第2条第1号", "1)\u{3000}子ども"),
            ("第2条第2項", "2 甲及び乙は"),
            ("末文", "本協定の締結を証するため"),
        ];
        assert_eq!(
            places,
            want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
        );
    }

    #[test]
    fn wording_replaces_the_text_after_the_number() {
        let mut d = doc();
        let (a, b, c, e) = (
            clause("第２条第２項", "2項の新しい文"),
            clause("第2条第1項", "本文の新しい文"),
            clause("末文", "締めの文"),
            clause("第9条", "ない条"),
        );
        let missing = apply(&mut d, &[&a, &b, &c, &e]);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].place.value, "第9条");
        let texts: Vec<String> = paragraphs(&d).iter().map(Para::text).collect();
        assert!(texts.contains(&"2 2項の新しい文".to_string()), "{texts:?}");
        assert!(texts.contains(&"第2条\u{3000}本文の新しい文".to_string()));
        assert!(texts.contains(&"締めの文".to_string()));
        let p = paragraphs(&d);
        let para = p.iter().find(|p| p.place == "第2条第2項").unwrap();
        assert_eq!(para.spans[1].cell.as_deref(), Some("条文!D2"));
        assert_eq!(wording_of(&para.text(), para.prefix), "2項の新しい文");
    }

    #[test]
    fn headings_tables_and_the_signature_take_no_wording() {
        let mut d = doc();
        let c = clause("第2条の見出し", "x");
        assert_eq!(apply(&mut d, &[&c]).len(), 1);
    }
}
