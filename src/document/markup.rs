//! Templates: renders `templates/*.j2` (minijinja, the only module that uses it) into the
//! document IR through a small line markup.
//!
//! A template renders to lines; each line is one directive. User data never reaches the
//! markup: every value printed from the context is replaced by an opaque token
//! (U+E000 index U+E001) that points into a side table, and the parser turns tokens back
//! into [`Span`]s (`var: true` for register data). U+E000/U+E001 are removed from the
//! context first, so a company named `株式会社#panic("x")*太字*$x$]`, or one containing
//! `|`, a line break or `@title`, prints exactly as typed.
//!
//! # The markup
//!
//! One directive per line; leading and trailing ASCII blanks are ignored (full-width
//! spaces are kept) and empty lines are skipped. `@name{key=value,flag} text`:
//!
//! | line | block |
//! |---|---|
//! | `@doctitle TEXT` | metadata title (default: the title lines joined) |
//! | `@orientation landscape` | `portrait` (default) or `landscape` |
//! | `@edition TEXT` | the edition label printed at the top right |
//! | `@title TEXT` | a title line; consecutive `@title` lines form one title |
//! | `@heading TEXT` | a heading |
//! | `@p{align=right,indent=1,hanging=1,first=1} TEXT` | a paragraph (`align`: left, center, right) |
//! | `TEXT` (no `@`) | a plain paragraph; `@@…` is a paragraph starting with `@` |
//! | `@blank`, `@pagebreak` | an empty line, a page break |
//! | `@article{number=第1条,caption=（目的）} TEXT` | an article and its body |
//! | `@item LABEL TEXT` | an item of the last article (`@item 1) 子ども…`) |
//! | `@para TEXT` | a further paragraph of the last article (`@para 2 甲及び乙は…`) |
//! | `@table{widths=1:3:1,header=1}` | a table; the rows follow |
//! | `@row` | a row of the last table |
//! | `@cell{colspan=2,rowspan=3,align=center,header} TEXT` | a cell (empty TEXT: empty cell) |
//! | `@cellp TEXT` | a further paragraph of the last cell |
//! | `@signature TEXT` | the signature block and its date line |
//! | `@party LABEL TEXT` | a party (`甲`) and its first line |
//! | `@line TEXT` | a further line of the last party |
//!
//! Inside TEXT, `<u>`…`</u>` underlines (傍線) and `<br>` breaks the line.
//!
//! Filters: `v` (register data, highlighted in drafts), `fixed` (data printed without
//! highlight, e.g. the city's settings), `circled` (1 → ①). A value printed without a filter
//! counts as `v`; numbers print as they are.

use crate::document::assets::Assets;
use crate::document::ir::{
    Align, Block, Cell, DocKind, Document, Inline, Item, Orientation, Party, Span,
};
use crate::error::{Error, Result};
use minijinja::value::{Object, Value, ValueKind};
use minijinja::{Environment, ErrorKind, State, UndefinedBehavior};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// The templates every run loads, by name (`templates/<name>.j2`).
pub const NAMES: &[&str] = &[
    "application",
    "proposal",
    "agreement",
    "memorandum",
    "report",
    "comparison",
];

/// Start and end of a token.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';
/// The context key under which the side table travels through a render.
const TABLE_KEY: &str = "__kyotei_side_table";

/// The loaded templates: one minijinja environment per run, rendered many times.
pub struct Templates {
    env: Environment<'static>,
}

/// The side table of one render: the text of each token, whether it is register data, and
/// the cell it came from (when the context said so).
#[derive(Debug, Default)]
struct SideTable(Mutex<Vec<Var>>);

/// One token: text, register data or not, the cell.
type Var = (String, bool, Option<String>);

impl Object for SideTable {}

/// Marks a context string as the value of a register cell: [`located`] writes
/// `U+E002 cell U+E003 text`, and [`to_value`] turns it into a [`Located`] object, so the
/// span printed from it knows its cell.
const CELL_OPEN: char = '\u{E002}';
const CELL_CLOSE: char = '\u{E003}';

/// A context string carrying the cell it came from (`協定!E3`), for the document builder.
pub fn located(text: &str, cell: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(|&c| !matches!(c, OPEN | CLOSE | CELL_OPEN | CELL_CLOSE))
            .collect()
    };
    format!("{CELL_OPEN}{}{CELL_CLOSE}{}", clean(cell), clean(text))
}

/// A register value in the template context: prints, tests and compares as its text, and
/// tells the filters its cell.
#[derive(Debug)]
struct Located {
    text: String,
    cell: String,
}

impl Object for Located {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Plain
    }
    fn is_true(self: &Arc<Self>) -> bool {
        !self.text.is_empty()
    }
    fn custom_cmp(
        self: &Arc<Self>,
        other: &minijinja::value::DynObject,
    ) -> Option<std::cmp::Ordering> {
        let other = other.downcast_ref::<Self>()?;
        Some(self.text.cmp(&other.text))
    }
    fn render(self: &Arc<Self>, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// The text and cell of a value printed by a filter or `{{ … }}`.
fn text_of(value: &Value) -> (String, Option<String>) {
    if let Some(l) = value.downcast_object_ref::<Located>() {
        return (l.text.clone(), Some(l.cell.clone()));
    }
    match value.as_str() {
        Some(s) => (s.to_string(), None),
        None => (value.to_string(), None),
    }
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").finish_non_exhaustive()
    }
}

fn path_of(name: &str) -> String {
    format!("templates/{name}.j2")
}

impl Templates {
    /// Load every template of [`NAMES`] from the assets (built in, or the `--templates`
    /// directory).
    pub fn new(assets: &Assets) -> Result<Templates> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        env.set_formatter(format_value);
        env.add_filter("v", |state: &State, value: Value| {
            filter(state, value, true)
        });
        env.add_filter("fixed", |state: &State, value: Value| {
            filter(state, value, false)
        });
        env.add_filter("circled", |state: &State, n: usize| {
            Ok::<_, minijinja::Error>(Value::from(tokenize(
                state,
                &crate::guideline::profile::circled(n),
                false,
                None,
            )?))
        });
        for name in NAMES {
            let path = path_of(name);
            let source = assets.text(&path).ok_or_else(|| Error::Template {
                name: path.clone(),
                reason: "テンプレートが見つかりません".into(),
            })?;
            env.add_template_owned(path.clone(), source)
                .map_err(|e| template_error(&path, &e))?;
        }
        Ok(Templates { env })
    }

    /// Render the template `name` (e.g. `agreement`) with a JSON context into a document
    /// of the given kind. Author and draft flag are left for the caller to set.
    pub fn render(&self, name: &str, kind: DocKind, ctx: &serde_json::Value) -> Result<Document> {
        let path = path_of(name);
        let tmpl = self
            .env
            .get_template(&path)
            .map_err(|e| template_error(&path, &e))?;
        let table = Arc::new(SideTable::default());
        let obj = ctx.as_object().ok_or_else(|| Error::Template {
            name: path.clone(),
            reason: "コンテキストがオブジェクトではありません".into(),
        })?;
        let mut root: BTreeMap<String, Value> =
            obj.iter().map(|(k, v)| (strip(k), to_value(v))).collect();
        root.insert(TABLE_KEY.to_string(), Value::from_dyn_object(table.clone()));
        let out = tmpl
            .render(Value::from(root))
            .map_err(|e| template_error(&path, &e))?;
        let vars = table.0.lock().map(|v| v.clone()).unwrap_or_default();
        parse(&out, &vars, kind).map_err(|reason| Error::Template { name: path, reason })
    }
}

fn template_error(path: &str, e: &minijinja::Error) -> Error {
    let mut reason = match e.line() {
        Some(line) => format!("{line}行目: {}", e.kind()),
        None => e.kind().to_string(),
    };
    if let Some(d) = e.detail() {
        reason.push_str(": ");
        reason.push_str(d);
    }
    Error::Template {
        name: path.to_string(),
        reason,
    }
}

/// Remove the token characters from user data.
fn strip(s: &str) -> String {
    s.chars()
        .filter(|&c| !matches!(c, OPEN | CLOSE | CELL_OPEN | CELL_CLOSE))
        .collect()
}

/// JSON context → template values, with every string stripped of token characters.
fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                Value::from(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_json::Value::String(s) => match s
            .strip_prefix(CELL_OPEN)
            .and_then(|r| r.split_once(CELL_CLOSE))
        {
            Some((cell, text)) => Value::from_object(Located {
                text: strip(text),
                cell: strip(cell),
            }),
            None => Value::from(strip(s)),
        },
        serde_json::Value::Array(a) => Value::from(a.iter().map(to_value).collect::<Vec<_>>()),
        serde_json::Value::Object(o) => Value::from(
            o.iter()
                .map(|(k, v)| (strip(k), to_value(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

fn side_table_error() -> minijinja::Error {
    minijinja::Error::new(ErrorKind::InvalidOperation, "トークン表がありません")
}

/// Replace `text` by tokens: existing tokens are kept, every other run becomes a new token.
fn tokenize(
    state: &State,
    text: &str,
    var: bool,
    cell: Option<&str>,
) -> Result<String, minijinja::Error> {
    if text.is_empty() {
        return Ok(String::new());
    }
    let table = state.lookup(TABLE_KEY).ok_or_else(side_table_error)?;
    let table = table
        .downcast_object_ref::<SideTable>()
        .ok_or_else(side_table_error)?;
    let mut entries = table.0.lock().map_err(|_| side_table_error())?;
    let mut out = String::new();
    let mut push = |run: &str, out: &mut String| {
        if !run.is_empty() {
            entries.push((run.to_string(), var, cell.map(str::to_string)));
            out.push(OPEN);
            out.push_str(&(entries.len() - 1).to_string());
            out.push(CLOSE);
        }
    };
    let mut rest = text;
    while let Some(start) = rest.find(OPEN) {
        push(&rest[..start], &mut out);
        let after = &rest[start..];
        match after.find(CLOSE) {
            Some(end) => {
                out.push_str(&after[..end + CLOSE.len_utf8()]);
                rest = &after[end + CLOSE.len_utf8()..];
            }
            None => {
                push(&strip(after), &mut out);
                rest = "";
            }
        }
    }
    push(rest, &mut out);
    Ok(out)
}

fn filter(state: &State, value: Value, var: bool) -> Result<Value, minijinja::Error> {
    if value.is_none() || value.is_undefined() {
        return Ok(Value::from(""));
    }
    let (text, cell) = text_of(&value);
    Ok(Value::from(tokenize(state, &text, var, cell.as_deref())?))
}

/// Every `{{ … }}`: numbers and booleans as they are, anything else as tokens.
fn format_value(
    out: &mut minijinja::Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    let write_err = |_| minijinja::Error::new(ErrorKind::WriteFailure, "出力に失敗しました");
    if value.is_none() || value.is_undefined() {
        return Ok(());
    }
    match value.kind() {
        ValueKind::Number | ValueKind::Bool => out.write_str(&value.to_string()).map_err(write_err),
        _ => {
            let (text, cell) = text_of(value);
            let tok = tokenize(state, &text, true, cell.as_deref())?;
            out.write_str(&tok).map_err(write_err)
        }
    }
}

/// Parse rendered markup into a document (author empty, not a draft).
fn parse(out: &str, vars: &[Var], kind: DocKind) -> std::result::Result<Document, String> {
    let mut doc = Document {
        kind,
        title: String::new(),
        author: String::new(),
        orientation: Orientation::Portrait,
        draft: false,
        edition: None,
        issued: None,
        blocks: Vec::new(),
    };
    let mut doctitle = None;
    for (n, raw) in out.split('\n').enumerate() {
        let line = raw.trim_matches([' ', '\t', '\r']);
        if line.is_empty() {
            continue;
        }
        line_to_doc(line, vars, &mut doc, &mut doctitle)
            .map_err(|e| format!("出力の{}行目: {e}", n + 1))?;
    }
    for b in &doc.blocks {
        if let Block::Table { widths, rows, .. } = b {
            check_table(widths, rows)?;
        }
    }
    doc.title = match doctitle {
        Some(t) => t,
        None => doc
            .blocks
            .iter()
            .find_map(|b| match b {
                Block::Title(lines) => Some(
                    lines
                        .iter()
                        .map(|l| crate::document::ir::inline_text(l))
                        .collect::<Vec<_>>()
                        .join(""),
                ),
                _ => None,
            })
            .unwrap_or_default(),
    };
    Ok(doc)
}

/// Every row of a table must cover exactly the table's columns (spans included).
fn check_table(widths: &[u32], rows: &[Vec<Cell>]) -> std::result::Result<(), String> {
    let ncols = widths.len();
    if ncols == 0 {
        return Err("表に列幅 (widths) がありません".into());
    }
    // Remaining rowspan per column from cells above.
    let mut carry = vec![0u32; ncols];
    for (r, row) in rows.iter().enumerate() {
        let mut col = 0usize;
        let mut next = carry
            .iter()
            .map(|&c| c.saturating_sub(1))
            .collect::<Vec<_>>();
        for cell in row {
            while col < ncols && carry[col] > 0 {
                col += 1;
            }
            let span = cell.colspan.max(1) as usize;
            if col + span > ncols {
                return Err(format!(
                    "表の{}行目のセルが列数 {ncols} を超えています",
                    r + 1
                ));
            }
            for c in next.iter_mut().skip(col).take(span) {
                *c = cell.rowspan.max(1) - 1;
            }
            col += span;
        }
        while col < ncols && carry[col] > 0 {
            col += 1;
        }
        if col != ncols {
            return Err(format!(
                "表の{}行目のセルが列数 {ncols} に足りません",
                r + 1
            ));
        }
        carry = next;
    }
    Ok(())
}

/// Split `@name{opts} text` into its parts.
fn split_directive(line: &str) -> std::result::Result<(&str, Option<&str>, &str), String> {
    let body = &line[1..];
    let name_end = body.find(['{', ' ']).unwrap_or(body.len());
    let name = &body[..name_end];
    let mut rest = &body[name_end..];
    let mut opts = None;
    if let Some(r) = rest.strip_prefix('{') {
        let end = r
            .find('}')
            .ok_or_else(|| format!("@{name} の {{ が閉じていません"))?;
        opts = Some(&r[..end]);
        rest = &r[end + 1..];
    }
    let text = match rest.strip_prefix(' ') {
        Some(t) => t,
        None if rest.is_empty() => "",
        None => return Err(format!("@{name} の後に空白がありません")),
    };
    Ok((name, opts, text))
}

/// `key=value,flag` → pairs; a flag has the value `true`.
fn options<'a>(
    opts: Option<&'a str>,
    allowed: &[&str],
) -> std::result::Result<Vec<(&'a str, &'a str)>, String> {
    let mut out = Vec::new();
    for part in opts.unwrap_or("").split(',') {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let (k, v) = part
            .split_once('=')
            .map(|(k, v)| (k.trim(), v.trim()))
            .unwrap_or((part, "true"));
        if !allowed.contains(&k) {
            return Err(format!("不明なオプション「{k}」です"));
        }
        out.push((k, v));
    }
    Ok(out)
}

fn number(key: &str, v: &str) -> std::result::Result<u32, String> {
    v.parse()
        .map_err(|_| format!("{key} の値「{v}」が数ではありません"))
}

fn align(v: &str) -> std::result::Result<Align, String> {
    match v {
        "left" => Ok(Align::Left),
        "center" => Ok(Align::Center),
        "right" => Ok(Align::Right),
        _ => Err(format!(
            "align の値「{v}」は left / center / right のいずれかです"
        )),
    }
}

/// Split `LABEL TEXT` at the first ASCII space.
fn label_text(text: &str) -> (&str, &str) {
    text.split_once(' ').unwrap_or((text, ""))
}

fn line_to_doc(
    line: &str,
    vars: &[Var],
    doc: &mut Document,
    doctitle: &mut Option<String>,
) -> std::result::Result<(), String> {
    let blocks = &mut doc.blocks;
    if !line.starts_with('@') || line.starts_with("@@") {
        let text = if line.starts_with("@@") {
            &line[1..]
        } else {
            line
        };
        blocks.push(Block::Paragraph {
            align: Align::Left,
            indent: 0,
            hanging: 0,
            first_line: 0,
            text: inline(text, vars)?,
        });
        return Ok(());
    }
    let (name, opts, text) = split_directive(line)?;
    let no_opts = |allowed: &[&str]| options(opts, allowed).map(|_| ());
    match name {
        "doctitle" => {
            no_opts(&[])?;
            *doctitle = Some(crate::document::ir::inline_text(&inline(text, vars)?));
        }
        "orientation" => {
            no_opts(&[])?;
            doc.orientation = match text {
                "landscape" => Orientation::Landscape,
                "portrait" => Orientation::Portrait,
                _ => {
                    return Err(format!(
                        "orientation の値「{text}」は portrait / landscape のいずれかです"
                    ));
                }
            };
        }
        "edition" => {
            no_opts(&[])?;
            let t = crate::document::ir::inline_text(&inline(text, vars)?);
            doc.edition = (!t.is_empty()).then_some(t);
        }
        "title" => {
            no_opts(&[])?;
            let t = inline(text, vars)?;
            match blocks.last_mut() {
                Some(Block::Title(lines)) => lines.push(t),
                _ => blocks.push(Block::Title(vec![t])),
            }
        }
        "heading" => {
            no_opts(&[])?;
            blocks.push(Block::Heading(inline(text, vars)?));
        }
        "p" => {
            let mut p = (Align::Left, 0, 0, 0);
            for (k, v) in options(opts, &["align", "indent", "hanging", "first"])? {
                match k {
                    "align" => p.0 = align(v)?,
                    "indent" => p.1 = number(k, v)?,
                    "hanging" => p.2 = number(k, v)?,
                    _ => p.3 = number(k, v)?,
                }
            }
            blocks.push(Block::Paragraph {
                align: p.0,
                indent: p.1,
                hanging: p.2,
                first_line: p.3,
                text: inline(text, vars)?,
            });
        }
        "blank" => {
            no_opts(&[])?;
            blocks.push(Block::Blank);
        }
        "pagebreak" => {
            no_opts(&[])?;
            blocks.push(Block::PageBreak);
        }
        "article" => {
            let mut number = None;
            let mut caption = None;
            for (k, v) in options(opts, &["number", "caption"])? {
                if k == "number" {
                    number = Some(v.to_string());
                } else {
                    caption = Some(v.to_string());
                }
            }
            blocks.push(Block::Article {
                caption,
                number: number.ok_or("@article に number がありません")?,
                body: inline(text, vars)?,
                items: Vec::new(),
                paragraphs: Vec::new(),
            });
        }
        "item" | "para" => {
            no_opts(&[])?;
            let Some(Block::Article {
                items, paragraphs, ..
            }) = blocks.last_mut()
            else {
                return Err(format!("@{name} の前に @article がありません"));
            };
            if name == "item" {
                let (label, t) = label_text(text);
                items.push(Item {
                    label: label.to_string(),
                    text: inline(t, vars)?,
                });
            } else {
                paragraphs.push(inline(text, vars)?);
            }
        }
        "table" => {
            let mut widths = Vec::new();
            let mut header_rows = 0;
            for (k, v) in options(opts, &["widths", "header"])? {
                if k == "widths" {
                    widths = v
                        .split(':')
                        .map(|w| number(k, w.trim()))
                        .collect::<std::result::Result<_, _>>()?;
                } else {
                    header_rows = number(k, v)?;
                }
            }
            blocks.push(Block::Table {
                widths,
                header_rows,
                rows: Vec::new(),
            });
        }
        "row" => {
            no_opts(&[])?;
            let Some(Block::Table { rows, .. }) = blocks.last_mut() else {
                return Err("@row の前に @table がありません".into());
            };
            rows.push(Vec::new());
        }
        "cell" | "cellp" => {
            let Some(Block::Table { rows, .. }) = blocks.last_mut() else {
                return Err(format!("@{name} の前に @table がありません"));
            };
            let row = rows
                .last_mut()
                .ok_or_else(|| format!("@{name} の前に @row がありません"))?;
            let t = inline(text, vars)?;
            if name == "cellp" {
                no_opts(&[])?;
                let cell = row.last_mut().ok_or("@cellp の前に @cell がありません")?;
                cell.content.push(t);
                return Ok(());
            }
            let mut cell = Cell {
                content: if t.is_empty() { Vec::new() } else { vec![t] },
                colspan: 1,
                rowspan: 1,
                align: Align::Left,
                header: false,
            };
            for (k, v) in options(opts, &["colspan", "rowspan", "align", "header"])? {
                match k {
                    "colspan" => cell.colspan = number(k, v)?.max(1),
                    "rowspan" => cell.rowspan = number(k, v)?.max(1),
                    "align" => cell.align = align(v)?,
                    _ => cell.header = v == "true",
                }
            }
            row.push(cell);
        }
        "signature" => {
            no_opts(&[])?;
            blocks.push(Block::Signature {
                date: inline(text, vars)?,
                parties: Vec::new(),
            });
        }
        "party" | "line" => {
            no_opts(&[])?;
            let Some(Block::Signature { parties, .. }) = blocks.last_mut() else {
                return Err(format!("@{name} の前に @signature がありません"));
            };
            if name == "party" {
                let (label, t) = label_text(text);
                parties.push(Party {
                    label: label.to_string(),
                    lines: vec![inline(t, vars)?],
                });
            } else {
                let party = parties
                    .last_mut()
                    .ok_or("@line の前に @party がありません")?;
                party.lines.push(inline(text, vars)?);
            }
        }
        _ => return Err(format!("不明な指示「@{name}」です")),
    }
    Ok(())
}

/// Text with tokens and `<u>`/`</u>`/`<br>` → spans (adjacent spans alike are merged).
fn inline(text: &str, vars: &[Var]) -> std::result::Result<Inline, String> {
    let mut spans: Inline = Vec::new();
    let mut underline = false;
    let push =
        |text: &str, var: bool, cell: Option<&String>, underline: bool, spans: &mut Inline| {
            if text.is_empty() {
                return;
            }
            match spans.last_mut() {
                Some(last)
                    if last.var == var
                        && last.underline == underline
                        && last.cell.as_ref() == cell =>
                {
                    last.text.push_str(text)
                }
                _ => spans.push(Span {
                    text: text.to_string(),
                    var,
                    underline,
                    cell: cell.cloned(),
                }),
            }
        };
    let mut rest = text;
    while !rest.is_empty() {
        let next = rest.find([OPEN, '<']).unwrap_or(rest.len());
        push(&rest[..next], false, None, underline, &mut spans);
        rest = &rest[next..];
        if let Some(r) = rest.strip_prefix(OPEN) {
            let end = r.find(CLOSE).ok_or("トークンが閉じていません")?;
            let idx: usize = r[..end]
                .parse()
                .map_err(|_| "トークンが壊れています".to_string())?;
            let (t, var, cell) = vars.get(idx).ok_or("トークンが表にありません")?;
            push(t, *var, cell.as_ref(), underline, &mut spans);
            rest = &r[end + CLOSE.len_utf8()..];
        } else if let Some(r) = rest.strip_prefix("<u>") {
            underline = true;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("</u>") {
            underline = false;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("<br>") {
            push("\n", false, None, underline, &mut spans);
            rest = r;
        } else if let Some(r) = rest.strip_prefix('<') {
            push("<", false, None, underline, &mut spans);
            rest = r;
        }
    }
    Ok(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(markup: &str, vars: &[(&str, bool)]) -> Document {
        let vars: Vec<Var> = vars
            .iter()
            .map(|(t, v)| (t.to_string(), *v, None))
            .collect();
        parse(markup, &vars, DocKind::Agreement).unwrap()
    }

    #[test]
    fn parses_every_block() {
        let d = doc(
            "@orientation landscape\n@edition 改訂\n@title 一行目\n@title 二行目\n  @heading 見出し\n\
             @p{align=right,indent=2,hanging=1,first=1} 右\u{3000}寄せ\n本文 \u{E000}0\u{E001}\n@blank\n@pagebreak\n\
             @article{number=第1条,caption=（目的）} 本文\n@item 1) 項目\n@para 2 次の段落\n\
             @table{widths=1:2,header=1}\n@row\n@cell{colspan=2,header,align=center} 見出し\n@row\n@cell{rowspan=2} 左\n@cell\n@cellp 二段落目\n@row\n@cell 右\n\
             @signature 令和8年4月1日\n@party 甲 住所\n@line 伊勢崎市\n@@at",
            &[("会社", true)],
        );
        assert_eq!(doc_title_of(&d), "一行目二行目");
        assert_eq!(d.orientation, Orientation::Landscape);
        assert_eq!(d.edition.as_deref(), Some("改訂"));
        assert!(matches!(&d.blocks[0], Block::Title(l) if l.len() == 2));
        assert!(
            matches!(&d.blocks[2], Block::Paragraph { align: Align::Right, indent: 2, hanging: 1, first_line: 1, text } if text[0].text == "右\u{3000}寄せ")
        );
        assert_eq!(
            d.blocks[3],
            Block::Paragraph {
                align: Align::Left,
                indent: 0,
                hanging: 0,
                first_line: 0,
                text: vec![Span::plain("本文 "), Span::var("会社")]
            }
        );
        let Block::Article {
            caption,
            number,
            items,
            paragraphs,
            ..
        } = &d.blocks[6]
        else {
            panic!()
        };
        assert_eq!(
            (caption.as_deref(), number.as_str()),
            (Some("（目的）"), "第1条")
        );
        assert_eq!(items[0].label, "1)");
        assert_eq!(paragraphs[0][0].text, "2 次の段落");
        let Block::Table {
            widths,
            header_rows,
            rows,
        } = &d.blocks[7]
        else {
            panic!()
        };
        assert_eq!((widths.clone(), *header_rows), (vec![1, 2], 1));
        assert_eq!(
            (rows[0][0].colspan, rows[0][0].header, rows[0][0].align),
            (2, true, Align::Center)
        );
        assert_eq!(rows[1][0].rowspan, 2);
        assert_eq!(rows[1][1].content.len(), 1);
        assert_eq!(rows[2].len(), 1);
        let Block::Signature { parties, .. } = &d.blocks[8] else {
            panic!()
        };
        assert_eq!(parties[0].label, "甲");
        assert_eq!(parties[0].lines.len(), 2);
        assert_eq!(d.plain_text().last().unwrap(), "@at");
    }

    fn doc_title_of(d: &Document) -> &str {
        &d.title
    }

    #[test]
    fn inline_underline_and_breaks() {
        let i = inline(
            "a<u>b\u{E000}0\u{E001}</u><br>c<d",
            &[("x".into(), true, None)],
        )
        .unwrap();
        assert_eq!(
            i,
            vec![
                Span::plain("a"),
                Span {
                    text: "b".into(),
                    underline: true,
                    ..Span::default()
                },
                Span {
                    text: "x".into(),
                    var: true,
                    underline: true,
                    ..Span::default()
                },
                Span::plain("\nc<d"),
            ]
        );
    }

    #[test]
    fn rejects_bad_markup() {
        let bad = |m: &str| parse(m, &[], DocKind::Report).unwrap_err();
        assert!(bad("@nosuch x").contains("@nosuch"));
        assert!(bad("@item 1) x").contains("@article"));
        assert!(bad("@table{widths=1:1}\n@row\n@cell a").contains("足りません"));
        assert!(bad("@table{widths=1}\n@row\n@cell{colspan=2} a").contains("超えて"));
        assert!(bad("@p{align=middle} x").contains("align"));
        assert!(bad("@p{size=3} x").contains("size"));
        assert!(bad("\u{E000}9\u{E001}").contains("トークン"));
    }

    #[test]
    fn rowspans_are_accounted_for() {
        let ok = "@table{widths=1:1:1}\n@row\n@cell{rowspan=2} a\n@cell b\n@cell c\n@row\n@cell d\n@cell e";
        assert!(parse(ok, &[], DocKind::Report).is_ok());
        let bad = "@table{widths=1:1:1}\n@row\n@cell{rowspan=2} a\n@cell b\n@cell c\n@row\n@cell d\n@cell e\n@cell f";
        assert!(parse(bad, &[], DocKind::Report).is_err());
    }

    #[test]
    fn renders_user_data_as_opaque_tokens() {
        let dir =
            std::env::temp_dir().join(format!("kyotei-templates-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("report.j2"),
            "@title {{ name|v }}の報告\n@p {{ name }} {{ city|fixed }} {{ 3|circled }} {{ n }}\n{{ missing_ok|v }}",
        )
        .unwrap();
        let t = Templates::new(&Assets::new(Some(&dir))).unwrap();
        let evil = "株式会社#panic(\"x\")*太字*$x$]\n@title |x| <u>\u{E000}0\u{E001}";
        let ctx = serde_json::json!({"name": evil, "city": "伊勢崎市", "n": 7, "missing_ok": null});
        let d = t.render("report", DocKind::Report, &ctx).unwrap();
        let clean = "株式会社#panic(\"x\")*太字*$x$]\n@title |x| <u>0";
        assert_eq!(d.blocks.len(), 2);
        let Block::Title(lines) = &d.blocks[0] else {
            panic!()
        };
        assert_eq!(lines[0], vec![Span::var(clean), Span::plain("の報告")]);
        let Block::Paragraph { text, .. } = &d.blocks[1] else {
            panic!()
        };
        assert_eq!(*text, vec![Span::var(clean), Span::plain(" 伊勢崎市 ③ 7")]);
        assert_eq!(d.title, format!("{clean}の報告"));
        std::fs::write(dir.join("report.j2"), "{{ undefined_name }}").unwrap();
        let t = Templates::new(&Assets::new(Some(&dir))).unwrap();
        let e = t.render("report", DocKind::Report, &ctx).unwrap_err();
        assert!(
            matches!(e, Error::Template { ref name, .. } if name == "templates/report.j2"),
            "{e}"
        );
        std::fs::write(dir.join("report.j2"), "{% if %}").unwrap();
        assert!(matches!(
            Templates::new(&Assets::new(Some(&dir))),
            Err(Error::Template { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
