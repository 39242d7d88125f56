//! Revisions: the editions of the documents kyotei generated before (申し合わせ事項, 協定書)
//! and the 新旧対照表 that shows the partner exactly what changed.
//!
//! # The comparison
//! A document is compared as lines of text ([`lines`]): a paragraph, a title line, a heading,
//! an article's caption, the article's first sentence (`第2条　…`), an item, a further
//! paragraph, a line of the signature block, and a table row with its cells joined by a
//! full-width space (a cell spanning several rows is repeated in each, so every row reads on
//! its own). The lines of the two versions are aligned by a longest common subsequence; in
//! each run of changed lines, removed and added lines are paired by similarity, and a pair
//! becomes one row of the table with a character-exact diff: only the changed characters are
//! underlined (傍線) on each side. A one- or two-character coincidence inside a rewritten
//! phrase (the `部` of `福祉こども部…` → `健康推進部…`) is counted as changed, so a rewritten
//! phrase is underlined as one. An added line has an empty 改正前 column, a removed line an
//! empty 改正後 column.
//!
//! As in the official 新旧対照表, only what changed is shown, with the
//! heading of its section, the caption and first sentence of its article and the header row
//! of its table for orientation; each stretch of unchanged lines left out is one row
//! `（略）｜（略）`.
//!
//! # Editions
//! The last edition of each tracked document is recorded in
//! `OUT/<協定番号>/版/<書類>.json` ([`State`]: edition number, label, 改訂日, the SHA-256 of
//! the files written and the IR without its label). A render compares the document's text
//! with the record:
//! - no record: edition 1, printed with whatever label the template gives (none, or the
//!   memorandum's `令和…改訂` when 申し合わせ改訂日 is already filled in);
//! - same text: the recorded edition and label are reused, so the files come out
//!   byte-identical (the label and the layout are not "text": a change of the 改訂日 alone, or
//!   of kyotei's layout, makes no new edition);
//! - different text: edition n+1, labelled `第n+1版（令和8年9月1日改訂）` (申し合わせ改訂日;
//!   for the 協定書 `（…改正）` with 協定締結後の改正日), and a 新旧対照表
//!   `新旧対照表_<書類>_第n+1版` (DOCX and PDF) against the record.
//!
//! A replaced file that is exactly the recorded edition n goes to
//! `履歴/<書類>_第n版.<ext>`; anything else replaced (a draft, a file older than the record)
//! keeps `render`'s numbered name. The record is written last, through `output::commit_as`,
//! so an interrupted run is redone by the next one; its previous version goes to
//! `版/履歴/<書類>_第n版.json`.
//!
//! Drafts (`--draft`) preview the next edition: their final (not draft) text is compared with
//! the record, they carry the coming edition's label and a 新旧対照表（案）, but they never
//! write the record, so only final renders make editions.

use crate::date::Date;
use crate::document::build::{self, Options as DocOptions};
use crate::document::ir::{Block, Cell, DocKind, Document, Inline, Span, inline_text};
use crate::document::markup::Templates;
use crate::error::{Error, Result};
use crate::guideline::profile::Profile;
use crate::model::{Agreement, Register};
use crate::output::{self, Planned};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder, inside each agreement's folder, that records the last edition of each
/// document.
pub const STATE_DIR: &str = "版";
/// A row standing for unchanged lines left out of a 新旧対照表.
pub const OMITTED: &str = "（略）";
/// Between the cells of a table row.
const CELL_SEP: &str = "　";
/// Lines of a pair are only paired by similarity (in runs with unequal numbers of removed and
/// added lines) at least this similar (2 × common characters / total characters).
const PAIR_SIMILARITY: f64 = 0.3;

/// What a line of a document is, for the context shown around a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Title,
    /// A section heading (`1. 乙が行う業務活動における連携協力`).
    Section,
    /// An article's caption (`（連携事項）`).
    Caption,
    /// An article's number and first sentence.
    Article,
    /// A header row of a table.
    TableHeader,
    /// Any other row of a table.
    TableRow,
    Body,
}

/// One line of a document's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub role: Role,
}

/// The lines a document is compared by, in reading order; the edition label is not one of
/// them, and empty lines are left out.
pub fn lines(doc: &Document) -> Vec<Line> {
    let mut out = Vec::new();
    let mut push = |text: String, role: Role| {
        if !text.trim().is_empty() {
            out.push(Line { text, role });
        }
    };
    for b in &doc.blocks {
        match b {
            Block::Title(ls) => ls.iter().for_each(|l| push(inline_text(l), Role::Title)),
            Block::Heading(t) => push(inline_text(t), Role::Section),
            Block::Paragraph { text, .. } => push(inline_text(text), Role::Body),
            Block::Article {
                caption,
                number,
                body,
                items,
                paragraphs,
            } => {
                if let Some(c) = caption {
                    push(c.clone(), Role::Caption);
                }
                push(
                    format!("{number}{CELL_SEP}{}", inline_text(body)),
                    Role::Article,
                );
                for i in items {
                    push(
                        format!("{}{CELL_SEP}{}", i.label, inline_text(&i.text)),
                        Role::Body,
                    );
                }
                for p in paragraphs {
                    push(inline_text(p), Role::Body);
                }
            }
            Block::Table {
                widths,
                header_rows,
                rows,
            } => {
                for (i, row) in table_rows(rows, widths.len()).into_iter().enumerate() {
                    let role = if (i as u32) < *header_rows {
                        Role::TableHeader
                    } else {
                        Role::TableRow
                    };
                    push(row, role);
                }
            }
            Block::Signature { date, parties } => {
                push(inline_text(date), Role::Body);
                for p in parties {
                    for (i, l) in p.lines.iter().enumerate() {
                        if i == 0 {
                            push(
                                format!("{}{CELL_SEP}{}", p.label, inline_text(l)),
                                Role::Body,
                            );
                        } else {
                            push(inline_text(l), Role::Body);
                        }
                    }
                }
            }
            Block::Blank | Block::PageBreak => {}
        }
    }
    out
}

/// The rows of a table as text: non-empty cells joined by a full-width space, a cell that
/// spans rows repeated in each of them.
fn table_rows(rows: &[Vec<Cell>], columns: usize) -> Vec<String> {
    let cell_text = |c: &Cell| -> String {
        c.content
            .iter()
            .map(|p| inline_text(p))
            .filter(|t| !t.trim().is_empty())
            .collect::<Vec<_>>()
            .join(CELL_SEP)
    };
    // Per column: (rows still covered, text of the covering cell, is its first column).
    let mut covered: Vec<(u32, String, bool)> = vec![(0, String::new(), false); columns];
    let mut out = Vec::new();
    for row in rows {
        let mut texts: Vec<String> = Vec::new();
        let mut cells = row.iter();
        let mut col = 0;
        loop {
            if col < covered.len() && covered[col].0 > 0 {
                covered[col].0 -= 1;
                if covered[col].2 {
                    texts.push(covered[col].1.clone());
                }
                col += 1;
                continue;
            }
            let Some(cell) = cells.next() else { break };
            let text = cell_text(cell);
            let span = cell.colspan.max(1) as usize;
            if cell.rowspan > 1 {
                for c in col..(col + span).min(covered.len()) {
                    covered[c] = (cell.rowspan - 1, text.clone(), c == col);
                }
            }
            texts.push(text);
            col += span;
        }
        // Columns still covered after the last cell of this row.
        while col < covered.len() {
            if covered[col].0 > 0 {
                covered[col].0 -= 1;
                if covered[col].2 {
                    texts.push(covered[col].1.clone());
                }
            }
            col += 1;
        }
        out.push(
            texts
                .into_iter()
                .filter(|t| !t.trim().is_empty())
                .collect::<Vec<_>>()
                .join(CELL_SEP),
        );
    }
    out
}

/// Whether two documents read the same (their [`lines`] are equal).
pub fn reads_same(a: &Document, b: &Document) -> bool {
    let (a, b) = (lines(a), lines(b));
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.text == y.text)
}

/// One step of an alignment of `a` (old) with `b` (new).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Equal(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// An alignment of `a` with `b` by the `similar` crate (Myers' diff, no deadline, so the
/// same input always gives the same alignment); within a change, deletions come first.
fn lcs_ops<T: Eq + Ord + std::hash::Hash>(a: &[T], b: &[T]) -> Vec<Op> {
    use similar::DiffOp;
    let mut ops = Vec::with_capacity(a.len().max(b.len()));
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, a, b) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => ops.extend((0..len).map(|k| Op::Equal(old_index + k, new_index + k))),
            DiffOp::Delete {
                old_index, old_len, ..
            } => ops.extend((old_index..old_index + old_len).map(Op::Delete)),
            DiffOp::Insert {
                new_index, new_len, ..
            } => ops.extend((new_index..new_index + new_len).map(Op::Insert)),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                ops.extend((old_index..old_index + old_len).map(Op::Delete));
                ops.extend((new_index..new_index + new_len).map(Op::Insert));
            }
        }
    }
    ops
}

/// A stretch of a character diff.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Same(String),
    Changed { old: String, new: String },
}

/// The character diff of two lines as (改正後, 改正前): the same text plain, the changed
/// characters underlined on each side.
///
/// ```
/// use kyotei::document::ir::inline_text;
/// let (new, old) = kyotei::revision::char_diff("長寿社会部高齢政策課", "長寿社会部介護保険課");
/// let underlined = |i: &kyotei::document::ir::Inline| -> String {
///     i.iter().filter(|s| s.underline).map(|s| s.text.as_str()).collect()
/// };
/// assert_eq!(underlined(&new), "介護保険");
/// assert_eq!(underlined(&old), "高齢政策");
/// assert_eq!(inline_text(&new), "長寿社会部介護保険課");
/// ```
pub fn char_diff(old: &str, new: &str) -> (Inline, Inline) {
    let pieces = pieces(old, new);
    let mut new_side = Inline::new();
    let mut old_side = Inline::new();
    for p in pieces {
        match p {
            Piece::Same(s) => {
                push_span(&mut new_side, &s, false);
                push_span(&mut old_side, &s, false);
            }
            Piece::Changed { old, new } => {
                push_span(&mut new_side, &new, true);
                push_span(&mut old_side, &old, true);
            }
        }
    }
    (new_side, old_side)
}

/// One change between two texts: the characters `old` of the old text became the characters
/// `new` of the new one (either may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub old: std::ops::Range<usize>,
    pub new: std::ops::Range<usize>,
}

/// The changes between two texts, in character positions, in order: the same changes a
/// 新旧対照表 underlines ([`char_diff`]).
pub fn edits(old: &str, new: &str) -> Vec<Edit> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    for p in pieces(old, new) {
        match p {
            Piece::Same(s) => {
                let n = s.chars().count();
                i += n;
                j += n;
            }
            Piece::Changed { old, new } => {
                let (n, m) = (old.chars().count(), new.chars().count());
                out.push(Edit {
                    old: i..i + n,
                    new: j..j + m,
                });
                i += n;
                j += m;
            }
        }
    }
    out
}

/// Aligns two lists of lines (paragraphs): each pair is (old, new), `None` on the side
/// where a line was removed or added; lines rewritten are paired when similar.
pub fn align_texts(old: &[&str], new: &[&str]) -> Vec<(Option<usize>, Option<usize>)> {
    align_strs(old, new)
        .into_iter()
        .map(|e| match e {
            Entry::Same(i, j) => (Some(i), Some(j)),
            Entry::Changed(i, j) => (i, j),
        })
        .collect()
}

fn pieces(old: &str, new: &str) -> Vec<Piece> {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let mut pieces: Vec<Piece> = Vec::new();
    for op in lcs_ops(&a, &b) {
        match op {
            Op::Equal(i, _) => match pieces.last_mut() {
                Some(Piece::Same(s)) => s.push(a[i]),
                _ => pieces.push(Piece::Same(a[i].to_string())),
            },
            Op::Delete(i) => match pieces.last_mut() {
                Some(Piece::Changed { old, .. }) => old.push(a[i]),
                _ => pieces.push(Piece::Changed {
                    old: a[i].to_string(),
                    new: String::new(),
                }),
            },
            Op::Insert(j) => match pieces.last_mut() {
                Some(Piece::Changed { new, .. }) => new.push(b[j]),
                _ => pieces.push(Piece::Changed {
                    old: String::new(),
                    new: b[j].to_string(),
                }),
            },
        }
    }
    slide_left(&mut pieces);
    merge_coincidences(&mut pieces);
    pieces
}

/// Moves a pure insertion or deletion left while the text before it ends with the character
/// it ends with (`防[犯・防]災` → `[防犯・]防災`), so that an edit does not split a word the two
/// versions share.
fn slide_left(pieces: &mut Vec<Piece>) {
    let mut k = 1;
    while k < pieces.len() {
        let moved = match (&pieces[k - 1], &pieces[k]) {
            (Piece::Same(before), Piece::Changed { old, new })
                if old.is_empty() != new.is_empty() =>
            {
                let edit = if old.is_empty() { new } else { old };
                match (before.chars().last(), edit.chars().last()) {
                    (Some(b), Some(e)) if b == e => Some(b),
                    _ => None,
                }
            }
            _ => None,
        };
        let Some(c) = moved else {
            k += 1;
            continue;
        };
        if let Piece::Same(before) = &mut pieces[k - 1] {
            before.pop();
        }
        if let Piece::Changed { old, new } = &mut pieces[k] {
            let edit = if old.is_empty() { new } else { old };
            edit.pop();
            edit.insert(0, c);
        }
        match pieces.get_mut(k + 1) {
            Some(Piece::Same(after)) => after.insert(0, c),
            _ => pieces.insert(k + 1, Piece::Same(c.to_string())),
        }
        if matches!(&pieces[k - 1], Piece::Same(s) if s.is_empty()) {
            pieces.remove(k - 1);
            k -= 1;
            // Two changes now side by side become one.
            if k > 0
                && let (Piece::Changed { .. }, Piece::Changed { old: o2, new: n2 }) =
                    (&pieces[k - 1], pieces[k].clone())
            {
                if let Piece::Changed { old, new } = &mut pieces[k - 1] {
                    old.push_str(&o2);
                    new.push_str(&n2);
                }
                pieces.remove(k);
                k -= 1;
            }
            k = k.max(1);
        }
    }
}

/// A one- or two-character stretch that happens to be the same inside a rewritten phrase
/// (shorter than the changes on both sides of it) counts as changed.
fn merge_coincidences(pieces: &mut Vec<Piece>) {
    let size = |p: &Piece| match p {
        Piece::Changed { old, new } => old.chars().count().max(new.chars().count()),
        Piece::Same(_) => 0,
    };
    let mut k = 1;
    while k + 1 < pieces.len() {
        let merge = match (&pieces[k - 1], &pieces[k], &pieces[k + 1]) {
            (before @ Piece::Changed { .. }, Piece::Same(s), after @ Piece::Changed { .. }) => {
                let n = s.chars().count();
                n <= 2 && n < size(before) && n < size(after)
            }
            _ => false,
        };
        if !merge {
            k += 1;
            continue;
        }
        let after = pieces.remove(k + 1);
        let Piece::Same(same) = pieces.remove(k) else {
            unreachable!("checked above")
        };
        if let (
            Piece::Changed { old, new },
            Piece::Changed {
                old: old2,
                new: new2,
            },
        ) = (&mut pieces[k - 1], after)
        {
            old.push_str(&same);
            old.push_str(&old2);
            new.push_str(&same);
            new.push_str(&new2);
        }
        // The merged piece may now swallow the stretch before it.
        k = k.saturating_sub(2).max(1);
    }
}

fn push_span(side: &mut Inline, text: &str, underline: bool) {
    if text.is_empty() {
        return;
    }
    match side.last_mut() {
        Some(last) if last.underline == underline => last.text.push_str(text),
        _ => side.push(Span {
            text: text.to_string(),
            underline,
            ..Span::default()
        }),
    }
}

/// 2 × common characters / total characters.
fn similarity(a: &str, b: &str) -> f64 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let common = lcs_ops(&a, &b)
        .iter()
        .filter(|o| matches!(o, Op::Equal(..)))
        .count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// Pairs removed lines with added lines of one run of changes, in order: as many as there
/// are when the numbers are equal, else the most similar ones.
fn pair_run(old: &[&str], new: &[&str]) -> Vec<(Option<usize>, Option<usize>)> {
    let (n, m) = (old.len(), new.len());
    if n == m {
        return (0..n).map(|k| (Some(k), Some(k))).collect();
    }
    if n == 0 || m == 0 || n * m > 2_500 {
        let mut out: Vec<_> = (0..n.min(m)).map(|k| (Some(k), Some(k))).collect();
        out.extend((n.min(m)..n).map(|i| (Some(i), None)));
        out.extend((n.min(m)..m).map(|j| (None, Some(j))));
        return out;
    }
    let sim: Vec<Vec<f64>> = old
        .iter()
        .map(|o| new.iter().map(|x| similarity(o, x)).collect())
        .collect();
    // best[i][j]: the best total similarity pairing old[i..] with new[j..].
    let mut best = vec![vec![0.0f64; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            let mut b = best[i + 1][j].max(best[i][j + 1]);
            if sim[i][j] >= PAIR_SIMILARITY {
                b = b.max(sim[i][j] + best[i + 1][j + 1]);
            }
            best[i][j] = b;
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n
            && j < m
            && sim[i][j] >= PAIR_SIMILARITY
            && best[i][j] == sim[i][j] + best[i + 1][j + 1]
        {
            out.push((Some(i), Some(j)));
            i += 1;
            j += 1;
        } else if j == m || (i < n && best[i][j] == best[i + 1][j]) {
            out.push((Some(i), None));
            i += 1;
        } else {
            out.push((None, Some(j)));
            j += 1;
        }
    }
    out
}

/// An aligned line: the same in both, or changed (removed, added or rewritten).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    Same(usize, usize),
    Changed(Option<usize>, Option<usize>),
}

/// Aligns the lines of two versions.
fn align(old: &[Line], new: &[Line]) -> Vec<Entry> {
    let a: Vec<&str> = old.iter().map(|l| l.text.as_str()).collect();
    let b: Vec<&str> = new.iter().map(|l| l.text.as_str()).collect();
    align_strs(&a, &b)
}

fn align_strs(a: &[&str], b: &[&str]) -> Vec<Entry> {
    let ops = lcs_ops(a, b);
    let mut out = Vec::new();
    let mut k = 0;
    while k < ops.len() {
        if let Op::Equal(i, j) = ops[k] {
            out.push(Entry::Same(i, j));
            k += 1;
            continue;
        }
        let (mut dels, mut ins) = (Vec::new(), Vec::new());
        while let Some(op) = ops.get(k) {
            match *op {
                Op::Delete(i) => dels.push(i),
                Op::Insert(j) => ins.push(j),
                Op::Equal(..) => break,
            }
            k += 1;
        }
        let old_text: Vec<&str> = dels.iter().map(|&i| a[i]).collect();
        let new_text: Vec<&str> = ins.iter().map(|&j| b[j]).collect();
        for (i, j) in pair_run(&old_text, &new_text) {
            out.push(Entry::Changed(i.map(|i| dels[i]), j.map(|j| ins[j])));
        }
    }
    out
}

/// The rows (改正後, 改正前) of a 新旧対照表 comparing `old` with `new`; empty when they read
/// the same.
pub fn compare(old: &Document, new: &Document) -> Vec<(Inline, Inline)> {
    let (old_lines, new_lines) = (lines(old), lines(new));
    let entries = align(&old_lines, &new_lines);
    if entries.iter().all(|e| matches!(e, Entry::Same(..))) {
        return Vec::new();
    }
    let role = |e: &Entry| match *e {
        Entry::Same(_, j) | Entry::Changed(_, Some(j)) => new_lines[j].role,
        Entry::Changed(Some(i), None) => old_lines[i].role,
        Entry::Changed(None, None) => Role::Body,
    };
    let mut shown = vec![false; entries.len()];
    // The anchors in force: section heading, article caption, article, table header rows.
    let (mut section, mut caption, mut article) = (None, None, None);
    let mut header: Vec<usize> = Vec::new();
    for (k, e) in entries.iter().enumerate() {
        match role(e) {
            Role::Section => {
                (section, caption, article) = (Some(k), None, None);
                header.clear();
            }
            Role::Caption => {
                (caption, article) = (Some(k), None);
                header.clear();
            }
            Role::Article => {
                if caption != k.checked_sub(1) {
                    caption = None;
                }
                article = Some(k);
                header.clear();
            }
            Role::TableHeader => {
                if header.last().map(|h| h + 1) != Some(k) {
                    header.clear();
                }
                header.push(k);
            }
            Role::TableRow => {}
            Role::Title | Role::Body => header.clear(),
        }
        if matches!(e, Entry::Changed(..)) {
            shown[k] = true;
            for a in [section, caption, article].into_iter().flatten() {
                shown[a] = true;
            }
            for &h in &header {
                shown[h] = true;
            }
        }
    }
    let plain = |t: &str| vec![Span::plain(t)];
    let underlined = |t: &str| {
        vec![Span {
            text: t.to_string(),
            underline: true,
            ..Span::default()
        }]
    };
    let mut rows = Vec::new();
    let mut omitted = false;
    for (k, e) in entries.iter().enumerate() {
        if !shown[k] {
            if !omitted {
                rows.push((plain(OMITTED), plain(OMITTED)));
                omitted = true;
            }
            continue;
        }
        omitted = false;
        rows.push(match *e {
            Entry::Same(i, _) => (plain(&old_lines[i].text), plain(&old_lines[i].text)),
            Entry::Changed(Some(i), Some(j)) => char_diff(&old_lines[i].text, &new_lines[j].text),
            Entry::Changed(None, Some(j)) => (underlined(&new_lines[j].text), Vec::new()),
            Entry::Changed(Some(i), None) => (Vec::new(), underlined(&old_lines[i].text)),
            Entry::Changed(None, None) => (Vec::new(), Vec::new()),
        });
    }
    rows
}

/// The kinds of document kyotei keeps editions of, in the order they are listed.
pub const TRACKED: [DocKind; 2] = [DocKind::Agreement, DocKind::Memorandum];

/// Whether kyotei keeps editions of a kind of document.
pub fn is_tracked(kind: DocKind) -> bool {
    TRACKED.contains(&kind)
}

/// The name of a document, as its 新旧対照表 is headed (`<name> 新旧対照表`).
pub fn document_name(kind: DocKind, city: &str, company: &str) -> String {
    match kind {
        DocKind::Memorandum => {
            format!("{city}と{company}との包括連携協定に定める連携事項の実施に関する申し合わせ事項")
        }
        DocKind::Agreement => format!("{city}と{company}との包括連携協定書"),
        other => format!("{city}と{company}との{}", other.file_stem()),
    }
}

/// The date a new edition of a tracked document is made for: 申し合わせ改訂日 for the
/// memorandum, 協定締結後の改正日 for the agreement.
pub fn revised_on(kind: DocKind, a: &Agreement) -> Option<Date> {
    match kind {
        DocKind::Memorandum => a.memo_revised_on.as_ref().map(|d| d.value),
        DocKind::Agreement => a.amended_on.as_ref().map(|d| d.value),
        _ => None,
    }
}

/// The register column that holds [`revised_on`].
fn revised_column(kind: DocKind) -> &'static str {
    match kind {
        DocKind::Agreement => crate::model::header::協定締結後の改正日,
        _ => crate::model::header::申し合わせ改訂日,
    }
}

/// The label of edition `n` ≥ 2: `第2版（令和8年9月1日改訂）`; a 協定書 is `改正`.
pub fn edition_label(kind: DocKind, n: u32, on: Option<Date>) -> String {
    let verb = if kind == DocKind::Agreement {
        "改正"
    } else {
        "改訂"
    };
    match on {
        Some(d) => format!("第{n}版（{}{verb}）", d.wareki()),
        None => format!("第{n}版"),
    }
}

/// The record of a document's last edition (`版/<書類>.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The format of this record and of its IR ([`STATE_FORMAT`]). Records written before
    /// the field existed are format 1.
    #[serde(default = "first_format")]
    pub format: u32,
    /// 1, 2, 3…
    pub edition: u32,
    /// The label printed on it, if any.
    pub label: Option<String>,
    /// The 改訂日 it was made for (`2026-09-01`).
    pub revised_on: Option<String>,
    /// SHA-256 of the files written for it, by extension (`docx`, `pdf`).
    pub files: BTreeMap<String, String>,
    /// What it says: the final (not draft) IR, without its label.
    pub ir: Document,
}

/// The format of the records kyotei writes. Raise it whenever [`Document`]'s serialised
/// shape changes; a record of another format is refused, never misread into a wrong 新旧対照表.
pub const STATE_FORMAT: u32 = 1;

fn first_format() -> u32 {
    1
}

/// Where the record of `stem` lives, relative to the output folder.
pub fn state_rel(dir: &Path, stem: &str) -> PathBuf {
    dir.join(STATE_DIR)
        .join(format!("{}.json", output::sanitize_component(stem)))
}

/// Parses a record read from `path` (named in errors). A record of another format than
/// [`STATE_FORMAT`] is an error saying so.
pub fn parse_state(path: &Path, bytes: &[u8]) -> Result<State> {
    let bad = |reason: String| {
        Error::io(
            path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, reason),
        )
    };
    // The format first: a record of another format may not even parse as this one.
    #[derive(Deserialize)]
    struct Head {
        #[serde(default = "first_format")]
        format: u32,
    }
    let head: Head = serde_json::from_slice(bytes).map_err(|e| {
        bad(format!(
            "版の記録として読めません（{e}）。消すと次の作成で第1版からやり直します"
        ))
    })?;
    if head.format != STATE_FORMAT {
        return Err(bad(format!(
            "版の記録の形式 {} は、この kyotei（形式 {STATE_FORMAT}）では読めません。記録を作った版の kyotei を使うか、記録を別の場所に移してから作成し直してください（第1版からやり直します）",
            head.format
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        bad(format!(
            "版の記録として読めません（{e}）。消すと次の作成で第1版からやり直します"
        ))
    })
}

/// The edition of one tracked document in one render.
#[derive(Debug, Clone)]
pub struct Edition {
    pub kind: DocKind,
    /// The file stem (`申し合わせ事項`).
    pub stem: String,
    /// The edition this render writes (or previews, in a draft).
    pub number: u32,
    /// The label to print; set it on the document with [`Edition::apply`].
    pub label: Option<String>,
    /// It reads differently from the recorded edition: a new edition with a 新旧対照表.
    pub is_new: bool,
    /// Things staff should know (a missing 改訂日).
    pub warnings: Vec<String>,
    recorded: Option<State>,
    text: Document,
    revised_on: Option<Date>,
    draft: bool,
}

impl Edition {
    /// Decides the edition of a document from its last record (read by the caller from
    /// [`state_rel`]). `final_doc` is the document as a final (not draft) render makes it,
    /// with the template's label. Pure: no file is read or written.
    pub fn track(
        recorded: Option<State>,
        stem: &str,
        final_doc: &Document,
        revised_on: Option<Date>,
        draft: bool,
    ) -> Result<Edition> {
        let mut text = final_doc.clone();
        text.edition = None;
        text.draft = false;
        let kind = final_doc.kind;
        let mut warnings = Vec::new();
        let (number, label, is_new) = match &recorded {
            None => (1, final_doc.edition.clone(), false),
            Some(s) if reads_same(&s.ir, &text) => (s.edition, s.label.clone(), false),
            Some(s) => {
                let n = s.edition + 1;
                let iso = revised_on.map(Date::iso);
                if revised_on.is_none() {
                    warnings.push(format!(
                        "{stem}の内容が変わったため第{n}版としましたが、台帳の「{}」が空欄です。改訂日を入れて作成し直してください",
                        revised_column(kind)
                    ));
                } else if iso == s.revised_on {
                    warnings.push(format!(
                        "{stem}の内容が変わったため第{n}版としましたが、台帳の「{}」が第{}版と同じ日付です",
                        revised_column(kind),
                        s.edition
                    ));
                }
                (n, Some(edition_label(kind, n, revised_on)), true)
            }
        };
        Ok(Edition {
            kind,
            stem: stem.to_string(),
            number,
            label,
            is_new,
            warnings,
            recorded,
            text,
            revised_on,
            draft,
        })
    }

    /// Print this edition's label on `doc`.
    pub fn apply(&self, doc: &mut Document) {
        doc.edition = self.label.clone();
        if let Some(issued) = &mut doc.issued {
            issued.edition = Some(self.number);
        }
    }

    /// The recorded edition this one is compared with.
    pub fn recorded(&self) -> Option<&State> {
        self.recorded.as_ref()
    }

    /// The history name (`申し合わせ事項_第1版`) for `current`, the file of extension `ext`
    /// now in the output folder, if it is exactly the recorded edition's file.
    pub fn history_name(&self, ext: &str, current: &[u8]) -> Option<String> {
        let s = self.recorded.as_ref()?;
        let want = s.files.get(ext)?;
        (output::sha256_hex(current) == *want).then(|| format!("{}_第{}版", self.stem, s.edition))
    }

    /// The file stem of this edition's 新旧対照表: `新旧対照表_申し合わせ事項_第2版`.
    pub fn comparison_stem(&self) -> String {
        format!(
            "{}_{}_第{}版",
            DocKind::Comparison.file_stem(),
            self.stem,
            self.number
        )
    }

    /// The 新旧対照表 of a new edition against the recorded one (None when not new).
    pub fn comparison(
        &self,
        t: &Templates,
        reg: &Register,
        a: &Agreement,
    ) -> Result<Option<(String, Document)>> {
        let Some(old) = self.recorded.as_ref().filter(|_| self.is_new) else {
            return Ok(None);
        };
        let mut doc = comparison_document(t, reg, a, self.kind, &old.ir, &self.text, self.draft)?;
        doc.edition = self.label.clone();
        Ok(Some((self.comparison_stem(), doc)))
    }

    /// The record to write after the files of a final render: `written` are the extensions
    /// and SHA-256 digests (hex) of the document's files. None for drafts.
    pub fn record(&self, dir: &Path, written: &[(&str, String)]) -> Option<Planned> {
        if self.draft {
            return None;
        }
        let same = self.recorded.as_ref().filter(|_| !self.is_new);
        let mut files = same.map(|s| s.files.clone()).unwrap_or_default();
        for (ext, sha) in written {
            files.insert(ext.to_string(), sha.clone());
        }
        let revised_on = match same {
            Some(s) => s.revised_on.clone(),
            None => self.revised_on.map(Date::iso),
        };
        let state = State {
            format: STATE_FORMAT,
            edition: self.number,
            label: self.label.clone(),
            revised_on,
            files,
            ir: self.text.clone(),
        };
        let mut json = serde_json::to_string_pretty(&state).expect("the record serialises");
        json.push('\n');
        Some(Planned {
            rel: state_rel(dir, &self.stem),
            bytes: json.into_bytes(),
        })
    }

    /// The history name of the record it replaces, when this is a new edition.
    pub fn record_history_name(&self) -> Option<String> {
        let s = self.recorded.as_ref().filter(|_| self.is_new)?;
        Some(format!("{}_第{}版", self.stem, s.edition))
    }
}

/// A 新旧対照表 of two versions of a document of an agreement.
pub fn comparison_document(
    t: &Templates,
    reg: &Register,
    a: &Agreement,
    kind: DocKind,
    old: &Document,
    new: &Document,
    draft: bool,
) -> Result<Document> {
    comparison_of(t, reg, a, kind, old, new, false, draft)
}

/// The 新旧対照表 of a document returned by the company (`returned`, left) against the one
/// kyotei issued (`issued`, right): its headings say so (`kyotei compare -o`).
pub fn returned_comparison_document(
    t: &Templates,
    reg: &Register,
    a: &Agreement,
    kind: DocKind,
    issued: &Document,
    returned: &Document,
) -> Result<Document> {
    comparison_of(t, reg, a, kind, issued, returned, true, false)
}

#[allow(clippy::too_many_arguments)]
fn comparison_of(
    t: &Templates,
    reg: &Register,
    a: &Agreement,
    kind: DocKind,
    old: &Document,
    new: &Document,
    returned: bool,
    draft: bool,
) -> Result<Document> {
    let rows = compare(old, new);
    let heading = format!(
        "{} {}",
        document_name(kind, &reg.settings.city_name, &a.company.value),
        DocKind::Comparison.file_stem()
    );
    build::comparison(
        t,
        &reg.settings,
        &heading,
        &rows,
        returned,
        &DocOptions { draft },
    )
}

/// A tracked document as a final (not draft) render makes it.
pub fn final_document(
    t: &Templates,
    reg: &Register,
    a: &Agreement,
    profile: &Profile,
    kind: DocKind,
) -> Result<Option<Document>> {
    let opts = DocOptions { draft: false };
    Ok(match kind {
        DocKind::Memorandum => Some(build::memorandum(t, reg, a, profile, &opts)?),
        DocKind::Agreement => Some(build::agreement(t, reg, a, profile, &opts)?),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn underlined(i: &Inline) -> Vec<String> {
        i.iter()
            .filter(|s| s.underline)
            .map(|s| s.text.clone())
            .collect()
    }

    #[test]
    fn underlines_only_the_changed_characters() {
        let (new, old) = char_diff("長寿社会部高齢政策課", "長寿社会部介護保険課");
        assert_eq!(underlined(&new), ["介護保険"]);
        assert_eq!(underlined(&old), ["高齢政策"]);
        assert_eq!(inline_text(&new), "長寿社会部介護保険課");
        assert_eq!(inline_text(&old), "長寿社会部高齢政策課");
        let (new, old) = char_diff("チラシの配架　100部", "チラシの配架　300部");
        assert_eq!(
            (underlined(&new), underlined(&old)),
            (vec!["3".into()], vec!["1".into()])
        );
    }

    #[test]
    fn a_rewritten_phrase_is_underlined_as_one() {
        let (new, old) = char_diff("福祉こども部こども家庭センター", "健康推進部健康づくり課");
        assert_eq!(underlined(&new), ["健康推進部健康づくり課"]);
        assert_eq!(underlined(&old), ["福祉こども部こども家庭センター"]);
        // Separate small changes stay separate.
        let (new, _) = char_diff("令和8年4月1日", "令和9年5月1日");
        assert_eq!(underlined(&new), ["9", "5"]);
    }

    #[test]
    fn an_edit_does_not_split_a_shared_word() {
        let (new, old) = char_diff(
            "3)　防犯・防災に関すること。",
            "3)　防災及び災害時の物資供給に関すること。",
        );
        assert_eq!(underlined(&old), ["防犯・防災"]);
        assert_eq!(underlined(&new), ["防災及び災害時の物資供給"]);
        let (new, old) = char_diff("事業の実施", "事業の事業の実施");
        assert_eq!(underlined(&new), ["事業の"]);
        assert_eq!(inline_text(&new), "事業の事業の実施");
        assert_eq!(inline_text(&old), "事業の実施");
    }

    #[test]
    fn inserted_and_deleted_characters() {
        let (new, old) = char_diff("連携事業", "連携事業等");
        assert_eq!(underlined(&new), ["等"]);
        assert!(underlined(&old).is_empty());
        assert_eq!(inline_text(&old), "連携事業");
    }

    #[test]
    fn pairs_the_similar_line_in_an_uneven_run() {
        let old = ["まったく別の行です。", "長寿社会部高齢政策課"];
        let new = ["長寿社会部介護保険課"];
        assert_eq!(pair_run(&old, &new), [(Some(0), None), (Some(1), Some(0))]);
    }

    #[test]
    fn lcs_aligns_lines() {
        let a = ["a", "b", "c", "d"];
        let b = ["a", "x", "c", "d", "e"];
        assert_eq!(
            lcs_ops(&a, &b),
            [
                Op::Equal(0, 0),
                Op::Delete(1),
                Op::Insert(1),
                Op::Equal(2, 2),
                Op::Equal(3, 3),
                Op::Insert(4)
            ]
        );
    }

    #[test]
    fn table_rows_repeat_spanning_cells() {
        let c = |t: &str, rowspan: u32| Cell {
            content: vec![vec![Span::plain(t)]],
            colspan: 1,
            rowspan,
            align: Default::default(),
            header: false,
        };
        let rows = vec![
            vec![c("分野", 2), c("事業1", 1), c("課1", 1)],
            vec![c("事業2", 1), c("課2", 1)],
        ];
        assert_eq!(
            table_rows(&rows, 3),
            ["分野　事業1　課1", "分野　事業2　課2"]
        );
    }
}
