//! `kyotei collect`: the departments' filled forms applied to a copy of the register.
//!
//! Each reply is read with the capped reader and recognised by its record
//! ([`crate::forms::provenance`]). Its answers are checked as the register's own cells are
//! (they are read through the register's reader, in a register of their own, and an error
//! is reported at the reply's cell). An answer is applied only when nothing stands against
//! it; these are conflicts, shown and never resolved:
//! - the register's cell changed since the form was issued (its value is not the one recorded);
//! - two replies give different answers for one row;
//! - the agreement was terminated or deleted since;
//! - a locked cell of the form was edited anyway.
//!
//! Survey answers go into their rows of `連携事業`; results are appended to `実績` with the
//! next 報告番号 of their agreement. An answer the register already holds is not applied
//! again (the same reply collected twice applies once). The new workbook is the register
//! patched ([`crate::writer::patch`]), verified by reading it back — every cell outside the
//! applied ones equal, the applied ones as intended — and only then written, to a new file
//! (never the register, never an existing file). Its `check` findings are part of the report.

use super::verdict::Verdict;
use super::{Input, check};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{self, Finding};
use crate::forms::provenance::{IssuedRow, Provenance, text_of};
use crate::forms::reply::{self, Reply, ReplyRow};
use crate::forms::{FormKind, SURVEY_HEADERS, results, survey, survey_open};
use crate::guideline::profile::Profile;
use crate::input::xlsx::{self, Limits, Sheet, Value};
use crate::model::{AgreementKey, CellRef, Closed, Evaluation, Project, Register, header, sheet};
use crate::output::Outcome;
use crate::output::file::{self, Policy};
use crate::text;
use crate::writer::patch::{self, Cell, SheetEdit};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

/// What to collect and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    /// Show what would be applied; write nothing.
    pub dry_run: bool,
    /// For the `check` of the result.
    pub as_of: Date,
}

/// What `kyotei collect` did.
#[derive(Debug, Default)]
pub struct Collected {
    /// One line per cell applied: `連携事業!E14 ← 調査!F3（file）: 「」→「×」`.
    pub applied: Vec<String>,
    /// Answers not applied because something stands against them (both files and cells named).
    pub conflicts: Vec<String>,
    /// Answers not applied because they are not valid register values (the reply's cell named).
    pub errors: Vec<String>,
    /// Answers the register already holds, duplicates, ignored rows.
    pub notes: Vec<String>,
    /// The `check` findings of the new register.
    pub findings: Vec<Finding>,
    pub out: PathBuf,
    /// What was written; `None` with `--dry-run` or when nothing was to be applied.
    pub written: Option<Outcome>,
    pub dry_run: bool,
}

impl fmt::Display for Collected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in &self.applied {
            writeln!(f, "適用  {line}")?;
        }
        let n = self.applied.len();
        match (&self.written, self.dry_run) {
            (_, true) => writeln!(
                f,
                "--dry-run: 適用できる回答 {n} 件（{} には書き込んでいません）",
                self.out.display()
            )?,
            (Some(_), false) => writeln!(
                f,
                "{} を作成しました（回答 {n} 件を適用。台帳そのものは変えていません）",
                self.out.display()
            )?,
            (None, false) => writeln!(
                f,
                "適用する回答がないため、{} は作成しませんでした",
                self.out.display()
            )?,
        }
        if n > 0 {
            writeln!(f, "\n適用後の台帳の確認（kyotei check）:")?;
            f.write_str(&finding::to_text(&self.findings))?;
        }
        Ok(())
    }
}

impl super::command::Report for Collected {
    fn notes(&self) -> String {
        let mut out = String::new();
        for c in &self.conflicts {
            out.push_str(&format!("競合（適用しません）: {c}\n"));
        }
        for e in &self.errors {
            out.push_str(&format!("エラー（適用しません）: {e}\n"));
        }
        for n in &self.notes {
            out.push_str(&format!("{n}\n"));
        }
        out
    }

    fn failed(&self) -> bool {
        !self.conflicts.is_empty() || !self.errors.is_empty() || finding::has_errors(&self.findings)
    }
}

/// A reply as handed in: where it came from (its name is what messages say) and its bytes.
pub struct ReplyFile {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
}

impl ReplyFile {
    /// A reply read from disk through the reader's capped read.
    pub fn read(path: &Path) -> Result<ReplyFile> {
        let bytes = xlsx::read_file(path, &Limits::default()).map_err(|e| as_reply(e, path))?;
        Ok(ReplyFile {
            path: path.to_path_buf(),
            bytes,
        })
    }

    fn name(&self) -> String {
        self.path.file_name().map_or_else(
            || self.path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        )
    }
}

/// A reader's error about a reply, said of the reply.
fn as_reply(e: Error, path: &Path) -> Error {
    match e {
        Error::Unreadable { reason, .. } => Error::Reply {
            path: path.to_path_buf(),
            reason,
        },
        Error::Structure(f) => Error::Reply {
            path: path.to_path_buf(),
            reason: f
                .iter()
                .map(|f| f.message.clone())
                .collect::<Vec<_>>()
                .join("。"),
        },
        e => e,
    }
}

/// One cell to set in `連携事業`, and where the answer came from.
#[derive(Debug, Clone)]
struct Answer {
    /// The register's row and the header.
    row: u32,
    header: &'static str,
    value: String,
    /// `調査!F3（file）`.
    source: String,
    before: String,
}

/// A row's values by header, as the register's reader is given them.
type Values = Vec<(&'static str, Value)>;

/// A result row to append.
#[derive(Debug, Clone)]
struct NewResult {
    agreement: String,
    key: AgreementKey,
    /// header → value.
    cells: Vec<(&'static str, Cell)>,
    source: String,
    /// 事業名 as typed.
    name: String,
    /// 事業名, 開始日, 終了日 as compared for duplicates.
    identity: (String, String, String),
}

/// Collects `replies` into a copy of `register` at `opts.out`.
pub fn collect(
    register: &Path,
    replies: &[ReplyFile],
    profile: &Profile,
    opts: &Options,
) -> Result<Collected> {
    let (mut c, bytes) = apply(register, replies, profile, opts)?;
    if let Some(bytes) = bytes.filter(|_| !opts.dry_run) {
        let mut inputs: Vec<&Path> = vec![register];
        inputs.extend(replies.iter().map(|r| r.path.as_path()));
        let policy = Policy {
            force: false,
            inputs: &inputs,
            new_only: true,
        };
        c.written = Some(file::write(&opts.out, &bytes, policy)?);
    }
    Ok(c)
}

/// What [`collect`] would write: the report and the new register's bytes (`None` when there
/// is nothing to apply), verified, written nowhere (the page's download).
pub fn apply(
    register: &Path,
    replies: &[ReplyFile],
    profile: &Profile,
    opts: &Options,
) -> Result<(Collected, Option<Vec<u8>>)> {
    let limits = Limits::default();
    let bytes = xlsx::read_file(register, &limits)?;
    // The contract's sheets, as `check` reads them (the others are listed without cells: the
    // patch copies them byte for byte).
    let old_sheets =
        xlsx::read_bytes_filtered(&bytes, &limits, &is_contract).map_err(|e| match e {
            Error::Unreadable { reason, .. } => Error::Unreadable {
                path: register.to_path_buf(),
                reason,
            },
            e => e,
        })?;
    // The model of the register as it is, for matching answers to rows: only the sheets
    // collect looks at are read in full (the others by their header row, so the reader
    // accepts the workbook).
    let looked_at = [
        sheet::AGREEMENTS,
        sheet::FIELDS,
        sheet::PROJECTS,
        sheet::RESULTS,
    ];
    let for_model: Vec<Sheet> = old_sheets
        .iter()
        .map(|s| Sheet {
            name: s.name.clone(),
            hidden: s.hidden,
            cells: if looked_at.iter().any(|n| text::key(n) == text::key(&s.name)) {
                s.cells.clone()
            } else {
                s.cells
                    .iter()
                    .filter(|(r, _, _)| *r == 0)
                    .cloned()
                    .collect()
            },
        })
        .collect();
    let input = input_of(register, bytes, for_model, profile)
        .map_err(|e| e.during(register.display().to_string()))?;
    let reg = &input.register;
    let mut c = Collected {
        out: opts.out.clone(),
        dry_run: opts.dry_run,
        ..Collected::default()
    };
    let mut answers: Vec<Answer> = Vec::new();
    let mut results_new: Vec<NewResult> = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    let register_sha256 = crate::output::sha256_hex(&input.bytes);
    for file in replies {
        let hash = crate::output::sha256_hex(&file.bytes);
        if let Some(first) = seen.get(&hash) {
            c.notes.push(format!(
                "{} は {first} と同じ内容です。1回だけ取り込みます",
                file.name()
            ));
            continue;
        }
        seen.insert(hash, file.name());
        // The form's sheet and its record (not the lists beside them).
        let wanted = |n: &str| {
            n == crate::forms::provenance::SHEET
                || [FormKind::Survey, FormKind::Results]
                    .iter()
                    .any(|k| text::key(n) == text::key(k.sheet()))
        };
        let sheets = xlsx::read_bytes_filtered(&file.bytes, &limits, &wanted)
            .map_err(|e| as_reply(e, &file.path))?;
        let reply = reply::read(&sheets, &|k| match k {
            FormKind::Survey => SURVEY_HEADERS.to_vec(),
            FormKind::Results => results::headers(),
        })
        .map_err(|reason| Error::Reply {
            path: file.path.clone(),
            reason,
        })?;
        if reply.provenance.register_sha256 != register_sha256 {
            c.notes.push(format!(
                "{} は別の版の台帳（発行日 {}）から作った様式です。発行時の値と今の台帳を比べて取り込みます",
                file.name(),
                reply.provenance.issued_on.wareki()
            ));
        }
        match reply.provenance.kind {
            FormKind::Survey => {
                survey_answers(reg, profile, &reply, &file.name(), &mut c, &mut answers)
            }
            FormKind::Results => {
                result_rows(reg, profile, &reply, &file.name(), &mut c, &mut results_new)
            }
        }
    }

    // Two replies, different answers for one row: neither is applied.
    let mut by_cell: BTreeMap<(u32, &str), Vec<&Answer>> = BTreeMap::new();
    for a in &answers {
        by_cell.entry((a.row, a.header)).or_default().push(a);
    }
    let mut refused_rows: HashSet<u32> = HashSet::new();
    for ((row, h), list) in &by_cell {
        if let Some(other) = list.iter().find(|a| a.value != list[0].value) {
            refused_rows.insert(*row);
            c.conflicts.push(format!(
                "連携事業の{row}行目の「{h}」に、{} は「{}」、{} は「{}」と、違う回答があります。どちらも適用しません。どちらが正しいか確かめて、台帳を直接直すか、一方の回答を直してください",
                list[0].source, list[0].value, other.source, other.value
            ));
        }
    }
    let cols = columns(&old_sheets);
    let col =
        |sheet_name: &str, h: &str| cols.get(&(sheet_name.to_string(), h.to_string())).copied();
    let mut projects = SheetEdit {
        sheet: sheet::PROJECTS.into(),
        ..SheetEdit::default()
    };
    let mut done: HashSet<(u32, &str)> = HashSet::new();
    let mut intended: BTreeMap<(String, u32, u32), Cell> = BTreeMap::new();
    for a in &answers {
        if refused_rows.contains(&a.row) || !done.insert((a.row, a.header)) {
            continue;
        }
        let Some(cc) = col(sheet::PROJECTS, a.header) else {
            continue;
        };
        let cell = if a.value.is_empty() {
            Cell::Blank
        } else {
            Cell::Text(a.value.clone())
        };
        projects.cells.insert((a.row, cc), cell.clone());
        intended.insert((sheet::PROJECTS.into(), a.row, cc), cell);
        c.applied.push(format!(
            "{} ← {}: 「{}」→「{}」",
            CellRef::new(sheet::PROJECTS, a.row, cc),
            a.source,
            a.before,
            a.value
        ));
    }

    // Results: the next 報告番号 of each agreement, rows after the sheet's last.
    let mut reports = SheetEdit {
        sheet: sheet::RESULTS.into(),
        ..SheetEdit::default()
    };
    let last_row = old_sheets
        .iter()
        .find(|s| s.name == sheet::RESULTS)
        .and_then(|s| s.cells.iter().map(|(r, _, _)| *r).max())
        .map_or(1, |r| r + 1);
    let mut next_row = last_row + 1;
    let mut numbers: HashMap<AgreementKey, u64> = HashMap::new();
    let mut identities: HashSet<(AgreementKey, (String, String, String))> = reg
        .reports
        .iter()
        .map(|r| (AgreementKey::of(&r.agreement.value), report_identity(r)))
        .collect();
    for r in &results_new {
        if !identities.insert((r.key.clone(), r.identity.clone())) {
            c.notes.push(format!(
                "{}: 協定 {} の「{}」（{}～{}）は台帳に既にあります。もう一度は追加しません",
                r.source, r.agreement, r.name, r.identity.1, r.identity.2
            ));
            continue;
        }
        let next = numbers.entry(r.key.clone()).or_insert_with(|| {
            reg.reports
                .iter()
                .filter(|x| AgreementKey::of(&x.agreement.value) == r.key)
                .filter_map(|x| text::key(&x.number.value).parse::<u64>().ok())
                .max()
                .unwrap_or(0)
        });
        *next += 1;
        let row = next_row;
        next_row += 1;
        let mut cells = r.cells.clone();
        cells.push((header::報告番号, Cell::Text(next.to_string())));
        for (h, v) in cells {
            if let Some(cc) = col(sheet::RESULTS, h) {
                intended.insert((sheet::RESULTS.into(), row, cc), v.clone());
                reports.cells.insert((row, cc), v);
            }
        }
        c.applied.push(format!(
            "{} の{row}行目 ← {}: 協定 {} の報告番号 {next}「{}」を追加",
            sheet::RESULTS,
            r.source,
            r.agreement,
            r.name
        ));
    }
    if next_row > last_row + 1 {
        reports.appended = Some((last_row + 1, next_row - 1));
    }
    let edits: Vec<SheetEdit> = [projects, reports]
        .into_iter()
        .filter(|e| !e.cells.is_empty())
        .collect();
    if edits.is_empty() {
        return Ok((c, None));
    }
    let new_bytes = patch::patch(&input.bytes, &edits, limits.max_uncompressed_bytes)
        .map_err(|e| e.during("回答を台帳に適用できませんでした"))?;
    // Read back: the edited sheets cell by cell (every other part was copied byte for byte).
    let edited: Vec<String> = edits.iter().map(|e| e.sheet.clone()).collect();
    let read_back =
        xlsx::read_bytes_filtered(&new_bytes, &limits, &|n| edited.iter().any(|e| e == n))
            .map_err(|e| e.during("適用後の台帳を読み返せませんでした（書き込んでいません）"))?;
    verify(&old_sheets, &read_back, &edited, &intended).map_err(|reason| Error::Writer {
        format: "XLSX（台帳への書き込み）",
        reason: format!("適用後の台帳を読み返した内容が合いません（{reason}）。書き込んでいません"),
    })?;
    // The new register's contract sheets: the edited ones as read back, the others as they
    // were (their parts are the same bytes).
    let new_sheets: Vec<Sheet> = read_back
        .into_iter()
        .zip(old_sheets)
        .map(|(n, o)| if edited.contains(&n.name) { n } else { o })
        .collect();
    let new_input = input_of(&opts.out, new_bytes, new_sheets, profile)?;
    let fonts = crate::writer::pdf::Coverage::new(&[])?;
    // The built-in templates, as `check` uses them (the places `条文` may name).
    let templates =
        crate::document::markup::Templates::new(&crate::document::assets::Assets::new(None))?;
    let verdict = Verdict::new(
        &new_input,
        profile,
        opts.as_of,
        &|ch| fonts.covers(ch),
        &templates,
    );
    c.findings = check::check(&new_input.register, &verdict, &[])?;
    Ok((c, Some(new_input.bytes)))
}

/// Whether a sheet is one of the contract's.
fn is_contract(name: &str) -> bool {
    let k = text::key(name);
    sheet::SHEETS.iter().any(|t| text::key(t.name) == k)
}

/// The register's model from sheets already read (the contract's sheets only).
fn input_of(path: &Path, bytes: Vec<u8>, sheets: Vec<Sheet>, profile: &Profile) -> Result<Input> {
    let (register, findings) = crate::input::register::from_sheets(sheets, profile)?;
    Ok(Input {
        path: path.to_path_buf(),
        bytes,
        register,
        findings,
    })
}

/// (sheet, header) → 0-based column of the register's header row, for 連携事業 and 実績
/// (the first column of a header, as the reader takes it).
fn columns(sheets: &[Sheet]) -> HashMap<(String, String), u32> {
    let mut out = HashMap::new();
    for name in [sheet::PROJECTS, sheet::RESULTS] {
        let Some(s) = sheets
            .iter()
            .find(|s| text::key(&s.name) == text::key(name))
        else {
            continue;
        };
        let t = sheet::sheet(name).expect("contract sheet");
        let mut head: Vec<(u32, String)> = s
            .cells
            .iter()
            .filter(|(r, _, _)| *r == 0)
            .map(|(_, c, v)| (*c, text::key(&text_of(v))))
            .collect();
        head.sort();
        for h in t.headers() {
            if let Some((c, _)) = head.iter().find(|(_, k)| *k == text::key(h)) {
                out.insert((name.to_string(), h.to_string()), *c);
            }
        }
    }
    out
}

fn report_identity(r: &crate::model::Report) -> (String, String, String) {
    let d = |d: &Option<crate::model::Located<Date>>| {
        d.as_ref().map_or(String::new(), |d| d.value.iso())
    };
    (
        r.name
            .as_ref()
            .map_or(String::new(), |t| text::key(&t.value)),
        d(&r.starts_on),
        d(&r.ends_on),
    )
}

/// `調査!F3（file）`.
fn at(reply: &Reply, row: &ReplyRow, h: &str, file: &str) -> String {
    let cell = row
        .cell(&reply.sheet, h)
        .unwrap_or_else(|| format!("{}の{}行目", reply.sheet, row.row));
    format!("{cell}（{file}）")
}

/// The reply's rows read as rows of `sheet_name` through the register's reader: the
/// synthetic register and the errors, each at the reply's own cell.
fn validate(
    reply: &Reply,
    rows: &[(&ReplyRow, Values)],
    sheet_name: &'static str,
    profile: &Profile,
    file: &str,
) -> (Register, HashMap<u32, Vec<String>>) {
    let mut sheets = Vec::new();
    for t in sheet::SHEETS {
        let mut cells: Vec<(u32, u32, Value)> = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| (0, i as u32, Value::Text(c.header.to_string())))
            .collect();
        if t.name == sheet_name {
            for (row, values) in rows {
                for (h, v) in values {
                    if let Some(i) = t.position(h) {
                        cells.push((row.row - 1, i as u32, v.clone()));
                    }
                }
            }
        }
        sheets.push(Sheet {
            name: t.name.to_string(),
            hidden: false,
            cells,
        });
    }
    let table = sheet::sheet(sheet_name).expect("contract sheet");
    let mut errors: HashMap<u32, Vec<String>> = HashMap::new();
    match crate::input::register::from_sheets(sheets, profile) {
        Ok((reg, findings)) => {
            for f in findings.iter().filter(|f| f.is_error()) {
                let Some((r, c)) = f.cell.as_deref().and_then(parse_ref) else {
                    continue;
                };
                let Some(row) = rows.iter().find(|(row, _)| row.row == r) else {
                    continue;
                };
                let h = table.columns.get(c as usize).map_or("", |c| c.header);
                errors.entry(r).or_default().push(format!(
                    "{}: {}（{}）",
                    at(reply, row.0, h, file),
                    f.message,
                    f.hint
                ));
            }
            (reg, errors)
        }
        Err(e) => {
            for (row, _) in rows {
                errors
                    .entry(row.row)
                    .or_default()
                    .push(format!("{}: {e}", at(reply, row, "", file)));
            }
            (Register::default(), errors)
        }
    }
}

/// `連携事業!E7` → (7, 4).
fn parse_ref(cell: &str) -> Option<(u32, u32)> {
    let (_, r) = cell.rsplit_once('!')?;
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    let col = letters.bytes().try_fold(0u32, |n, b| {
        b.is_ascii_uppercase()
            .then(|| n * 26 + u32::from(b - b'A' + 1))
    })?;
    Some((digits.parse().ok()?, col.checked_sub(1)?))
}

fn survey_answers(
    reg: &Register,
    profile: &Profile,
    reply: &Reply,
    file: &str,
    c: &mut Collected,
    answers: &mut Vec<Answer>,
) {
    let p = &reply.provenance;
    let routing = p.department.is_unassigned();
    let mut checked: Vec<(&ReplyRow, &IssuedRow, Values)> = Vec::new();
    for row in &reply.rows {
        let Some(issued) = p.rows.iter().find(|i| i.form_row == row.row) else {
            c.conflicts.push(format!(
                "{}: この行は様式を発行したときの行ではありません（行を足したり動かしたりしないでください）。取り込みません",
                at(reply, row, header::協定番号, file)
            ));
            continue;
        };
        // Locked cells edited anyway.
        let edited: Vec<String> = SURVEY_HEADERS
            .iter()
            .filter(|h| !survey_open(h, routing))
            .filter(|h| row.text(h) != p.value(issued, h).trim())
            .map(|h| {
                format!(
                    "{} の「{h}」（発行時「{}」、回答「{}」）",
                    at(reply, row, h, file),
                    p.value(issued, h),
                    row.text(h)
                )
            })
            .collect();
        if !edited.is_empty() {
            c.conflicts.push(format!(
                "変更できない列が変更されています: {}。この行は取り込みません。台帳の値を変えるときは、台帳を直接直してください",
                edited.join("、")
            ));
            continue;
        }
        let mut values: Values = vec![
            (
                header::協定番号,
                Value::Text(p.value(issued, header::協定番号).to_string()),
            ),
            (
                header::連携事項,
                Value::Text(p.value(issued, header::連携事項).to_string()),
            ),
            (
                header::事業内容,
                Value::Text(p.value(issued, header::事業内容).to_string()),
            ),
        ];
        for h in SURVEY_HEADERS.iter().filter(|h| survey_open(h, routing)) {
            values.push((h, row.value(h).clone()));
        }
        checked.push((row, issued, values));
    }
    let pairs: Vec<(&ReplyRow, Values)> = checked.iter().map(|(r, _, v)| (*r, v.clone())).collect();
    let (parsed, errors) = validate(reply, &pairs, sheet::PROJECTS, profile, file);
    for (row, issued, _) in &checked {
        if let Some(errs) = errors.get(&row.row) {
            c.errors.extend(errs.iter().cloned());
            continue;
        }
        let Some(answer) = parsed.projects.iter().find(|q| q.row == row.row) else {
            continue;
        };
        let id = p.value(issued, header::協定番号);
        let key = AgreementKey::of(id);
        let Some(a) = reg.find(&key) else {
            c.conflicts.push(format!(
                "{}: 協定 {id} は台帳の「協定」シートにありません（様式の発行後に削除されました）。取り込みません",
                at(reply, row, header::協定番号, file)
            ));
            continue;
        };
        if let Some(d) = &a.terminated_on {
            c.conflicts.push(format!(
                "{}: 協定 {id} は様式の発行後に解除されています（{} {}）。取り込みません",
                at(reply, row, header::協定番号, file),
                d.cell,
                d.value.wareki()
            ));
            continue;
        }
        // The register's row: where it was, else by 協定番号 and 番号.
        let number = p.value(issued, header::番号);
        let same = |q: &&Project| {
            AgreementKey::of(&q.agreement.value) == key
                && q.number
                    .as_ref()
                    .map_or(String::new(), |n| n.value.to_string())
                    == number
        };
        let target = reg
            .projects
            .iter()
            .find(|q| q.row == issued.register_row && same(q))
            .or_else(|| {
                let mut it = reg.projects.iter().filter(same);
                match (it.next(), it.next()) {
                    (Some(q), None) => Some(q),
                    _ => None,
                }
            });
        let Some(target) = target else {
            c.conflicts.push(format!(
                "{}: 協定 {id} の番号 {number} の連携事業が台帳に見つかりません（発行時は 連携事業 の{}行目。削除されたか、協定番号・番号が変わりました）。取り込みません",
                at(reply, row, header::協定番号, file),
                issued.register_row
            ));
            continue;
        };
        for h in SURVEY_HEADERS
            .iter()
            .copied()
            .filter(|h| survey_open(h, routing))
        {
            let given = match h {
                header::評価 => answer
                    .evaluation
                    .as_ref()
                    .map_or(String::new(), |e| e.value.symbol().to_string()),
                _ => survey::value(profile, a, answer, h),
            };
            let issued_value = canonical(h, p.value(issued, h));
            if given == issued_value {
                continue; // not answered (unchanged)
            }
            let now = survey::value(profile, a, target, h);
            let source = at(reply, row, h, file);
            if now == given {
                c.notes.push(format!(
                    "{source}: 「{h}」の「{given}」は台帳（連携事業 の{}行目）に既にあります",
                    target.row
                ));
                continue;
            }
            if now != issued_value {
                c.conflicts.push(format!(
                    "{source} の「{h}」は「{given}」ですが、台帳の 連携事業 の{}行目の「{h}」は様式の発行後に「{issued_value}」から「{now}」に変わっています。適用しません。どちらが正しいか確かめてください",
                    target.row
                ));
                continue;
            }
            answers.push(Answer {
                row: target.row,
                header: h,
                value: given,
                source,
                before: now,
            });
        }
    }
}

/// An issued value as the register's reader would give it (評価 as its symbol).
fn canonical(h: &str, v: &str) -> String {
    let v = v.trim();
    if h == header::評価 {
        let k = text::key(v);
        if let Some((_, e)) = Evaluation::ACCEPTED.iter().find(|(s, _)| text::key(s) == k) {
            return e.symbol().to_string();
        }
    }
    v.to_string()
}

fn result_rows(
    reg: &Register,
    profile: &Profile,
    reply: &Reply,
    file: &str,
    c: &mut Collected,
    out: &mut Vec<NewResult>,
) {
    let p: &Provenance = &reply.provenance;
    let heads = results::headers();
    let offered: Vec<AgreementKey> = p
        .rows
        .iter()
        .filter(|r| r.form_row == 0)
        .map(|r| AgreementKey::of(p.value(r, header::協定番号)))
        .collect();
    let mut rows: Vec<(&ReplyRow, Values)> = Vec::new();
    for row in &reply.rows {
        if text::key(&row.text(header::協定番号)) == text::key(results::EXAMPLE) {
            continue;
        }
        let mut values: Vec<(&'static str, Value)> =
            heads.iter().map(|h| (*h, row.value(h).clone())).collect();
        values.push((header::報告番号, Value::Text("1".into())));
        for (h, v) in values.iter_mut() {
            if matches!(*h, header::担当部 | header::担当課) && text_of(v).trim().is_empty() {
                let d = &p.department;
                *v = Value::Text(if *h == header::担当部 {
                    d.bu.clone()
                } else {
                    d.ka.clone()
                });
            }
        }
        rows.push((row, values));
    }
    let (parsed, errors) = validate(reply, &rows, sheet::RESULTS, profile, file);
    for (row, _) in &rows {
        if let Some(errs) = errors.get(&row.row) {
            c.errors.extend(errs.iter().cloned());
            continue;
        }
        let Some(r) = parsed.reports.iter().find(|x| x.row == row.row) else {
            continue;
        };
        let id = r.agreement.value.clone();
        let key = AgreementKey::of(&id);
        let source = at(reply, row, header::協定番号, file);
        let Some(a) = reg.find(&key) else {
            c.conflicts.push(format!(
                "{source}: 協定 {id} は台帳の「協定」シートにありません（削除されたか、様式にない協定番号です）。取り込みません"
            ));
            continue;
        };
        if let Some(d) = &a.terminated_on {
            c.conflicts.push(format!(
                "{source}: 協定 {id} は様式の発行後に解除されています（{} {}）。取り込みません",
                d.cell,
                d.value.wareki()
            ));
            continue;
        }
        if !offered.contains(&key) {
            c.errors.push(format!(
                "{source}: 協定 {id} はこの様式で報告できる協定ではありません（ドロップダウンから選んでください）"
            ));
            continue;
        }
        if let Some(f) = &r.field
            && !reg
                .rows::<crate::model::FieldRow>(a)
                .any(|x| x.field.value == f.value)
        {
            c.errors.push(format!(
                "{}: 「{}」は協定 {id} の連携事項にありません（協定一覧シートの連携事項から選んでください）",
                at(reply, row, header::連携事項, file),
                profile.fields.get(f.value).map_or("", String::as_str)
            ));
            continue;
        }
        let t = |v: &Option<crate::model::Text>| v.as_ref().map(|t| Cell::Text(t.value.clone()));
        let d = |v: &Option<crate::model::Located<Date>>| v.as_ref().map(|d| Cell::Date(d.value));
        let n = |v: &Option<crate::model::Located<u64>>| {
            v.as_ref().map(|n| Cell::Number(n.value as f64))
        };
        let cells: Vec<(&'static str, Option<Cell>)> = vec![
            (header::協定番号, Some(Cell::Text(id.clone()))),
            (
                header::連携事項,
                r.field
                    .as_ref()
                    .and_then(|f| profile.fields.get(f.value))
                    .map(|s| Cell::Text(s.clone())),
            ),
            (header::事業名, t(&r.name)),
            (header::開始日, d(&r.starts_on)),
            (header::終了日, d(&r.ends_on)),
            (header::実施場所, t(&r.place)),
            (header::事業内容, t(&r.content)),
            (header::参加者数, n(&r.participants)),
            (header::成果, t(&r.outcome)),
            (header::課題今後の予定, t(&r.next_steps)),
            (header::担当部, t(&r.department)),
            (header::担当課, t(&r.division)),
            (header::担当者, t(&r.person)),
            (header::報告日, d(&r.reported_on)),
            (header::市の費用負担額, n(&r.city_cost)),
        ];
        out.push(NewResult {
            agreement: id,
            key,
            cells: cells
                .into_iter()
                .filter_map(|(h, v)| v.map(|v| (h, v)))
                .collect(),
            source,
            name: r.name.as_ref().map_or(String::new(), |t| t.value.clone()),
            identity: report_identity(r),
        });
    }
}

/// The same sheets, hidden as they were; in the `edited` ones every cell of `old` is in `new`
/// unchanged, except the `intended` ones, which hold what was meant, and `new` has no other
/// cell. (The other sheets' parts are copied byte for byte by the patch.)
fn verify(
    old: &[Sheet],
    new: &[Sheet],
    edited: &[String],
    intended: &BTreeMap<(String, u32, u32), Cell>,
) -> std::result::Result<(), String> {
    if old.len() != new.len() {
        return Err("シートの数が違います".into());
    }
    for (o, n) in old.iter().zip(new) {
        if o.name != n.name || o.hidden != n.hidden {
            return Err(format!("シート「{}」", o.name));
        }
        if !edited.contains(&o.name) {
            continue;
        }
        let map = |s: &Sheet| -> BTreeMap<(u32, u32), Value> {
            s.cells
                .iter()
                .map(|(r, c, v)| ((*r, *c), v.clone()))
                .collect()
        };
        let (mut om, nm) = (map(o), map(n));
        for ((name, r, c), cell) in
            intended.range((o.name.clone(), 0, 0)..=(o.name.clone(), u32::MAX, u32::MAX))
        {
            let _ = name;
            let key = (r - 1, *c);
            om.remove(&key);
            let got = nm.get(&key);
            let ok = match (cell, got) {
                (Cell::Blank, None) => true,
                (Cell::Text(t), Some(Value::Text(v))) => {
                    text::clean(t).0.trim() == v.trim() || t == v
                }
                (Cell::Number(x), Some(Value::Number(y) | Value::DateSerial(y))) => x == y,
                (Cell::Date(d), Some(Value::Number(y) | Value::DateSerial(y))) => {
                    Date::from_excel_serial(*y) == Some(*d)
                }
                _ => false,
            };
            if !ok {
                return Err(format!(
                    "{}!{}{} が書き込んだ値になっていません",
                    o.name,
                    CellRef::col_letters(*c),
                    r
                ));
            }
        }
        for (k, v) in &om {
            if nm.get(k) != Some(v) {
                return Err(format!(
                    "{}!{}{} が変わっています",
                    o.name,
                    CellRef::col_letters(k.1),
                    k.0 + 1
                ));
            }
        }
        let extra = nm
            .keys()
            .filter(|k| !om.contains_key(k))
            .find(|k| !intended.contains_key(&(o.name.clone(), k.0 + 1, k.1)));
        if let Some(k) = extra {
            return Err(format!(
                "{}!{}{} が増えています",
                o.name,
                CellRef::col_letters(k.1),
                k.0 + 1
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cell_references() {
        assert_eq!(parse_ref("連携事業!E7"), Some((7, 4)));
        assert_eq!(parse_ref("実績!AA12"), Some((12, 26)));
        assert_eq!(parse_ref("E7"), None);
    }

    #[test]
    fn evaluations_compare_by_symbol() {
        assert_eq!(canonical(header::評価, "〇"), "○");
        assert_eq!(canonical(header::コメント, " a "), "a");
    }
}
