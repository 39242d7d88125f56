//! Raw cells → [`model::Register`]: sheets and columns found by header name, dates, closed
//! lists and numbers parsed, and every input problem reported as a finding naming its cell.
//!
//! Structure problems (a missing sheet or column) stop reading: they are returned together as
//! [`Error::Structure`]. Problems in a cell are findings (rule `入力`): the value is left
//! blank and reading goes on, so one run reports every mistake. Register-wide consistency
//! (duplicate IDs, rows of unknown agreements…) is the rules module's business, not this one.
//!
//! Rows in the model carry 1-based Excel row numbers. Blank rows are skipped; columns and
//! sheets the contract does not name are ignored; the optional `設定` sheet falls back,
//! key by key, to the profile's identity ([`Profile::settings`]). Hidden sheets are read like visible ones (hiding a sheet in Excel
//! does not take it out of the register).

use crate::date::{Date, DateError};
use crate::error::{Error, Result};
use crate::finding::{Finding, Rule, Severity};
use crate::guideline::profile::Profile;
use crate::input::xlsx::{self, Limits, Sheet, Value};
use crate::model::header;
use crate::model::{
    Agreement, Applies, CellRef, Clause, ClauseDoc, Closed, Contact, Evaluation, FieldId, FieldRow,
    Located, MemoRow, Party, ProhibitedCheck, Project, Publicity, Register, Report, Requirement,
    SealStyle, Settings, Text, YesNo, sheet,
};
use crate::text;
use std::collections::BTreeMap;
use std::path::Path;

const RULE: Rule = Rule::Input;

/// Read the register workbook at `path` (with the default [`Limits`]).
pub fn read(path: &Path, profile: &Profile) -> Result<(Register, Vec<Finding>)> {
    let sheets = xlsx::read_filtered(path, &Limits::default(), &is_register_sheet)?;
    from_sheets(sheets, profile)
}

/// Read a register workbook already in memory (e.g. to hash the same bytes for a manifest).
pub fn read_bytes(bytes: &[u8], profile: &Profile) -> Result<(Register, Vec<Finding>)> {
    let sheets = xlsx::read_bytes_filtered(bytes, &Limits::default(), &is_register_sheet)?;
    from_sheets(sheets, profile)
}

/// Whether a sheet is one of the contract's (others are not read cell by cell).
fn is_register_sheet(name: &str) -> bool {
    let k = text::key(name);
    sheet::SHEETS.iter().any(|s| text::key(s.name) == k)
}

/// Build the register from raw sheets. `Err(Error::Structure)` when a required sheet or
/// column is missing; otherwise the register and the findings about its cells.
pub fn from_sheets(sheets: Vec<Sheet>, profile: &Profile) -> Result<(Register, Vec<Finding>)> {
    let mut findings = Vec::new();
    let tables = tables(sheets, &mut findings)?;
    let mut r = Reader { profile, findings };
    let mut register = Register {
        settings: profile.settings(),
        ..Register::default()
    };
    let table = |name: &str| {
        tables
            .iter()
            .find(|t| t.name == name)
            .expect("required sheets were checked")
    };
    if let Some(t) = tables.iter().find(|t| t.name == sheet::SETTINGS) {
        register.settings = r.settings(t);
    }
    for row in table(sheet::AGREEMENTS).rows() {
        if let Some(a) = r.agreement(row) {
            register.agreements.push(a);
        }
    }
    for row in table(sheet::REQUIREMENTS).rows() {
        if let Some(v) = r.requirement(row) {
            register.requirements.push(v);
        }
    }
    for row in table(sheet::FIELDS).rows() {
        if let Some(v) = r.field_row(row) {
            register.fields.push(v);
        }
    }
    for row in table(sheet::PROJECTS).rows() {
        if let Some(v) = r.project(row) {
            register.projects.push(v);
        }
    }
    for row in table(sheet::MEMO).rows() {
        if let Some(v) = r.memo(row) {
            register.memo.push(v);
        }
    }
    for row in table(sheet::PUBLICITY).rows() {
        if let Some(v) = r.publicity(row) {
            register.publicity.push(v);
        }
    }
    for row in table(sheet::CONTACTS).rows() {
        if let Some(v) = r.contact(row) {
            register.contacts.push(v);
        }
    }
    for row in table(sheet::RESULTS).rows() {
        if let Some(v) = r.report(row) {
            register.reports.push(v);
        }
    }
    if let Some(t) = tables.iter().find(|t| t.name == sheet::CLAUSES) {
        for row in t.rows() {
            if let Some(v) = r.clause(row) {
                register.clauses.push(v);
            }
        }
    }
    Ok((register, r.findings))
}

// ---------------------------------------------------------------------------------------
// Structure: sheets and headers.

/// One sheet of the contract, its columns located.
struct Table {
    name: &'static str,
    /// The sheet's columns in the column table.
    columns: &'static [sheet::Column],
    /// The column of each header, in the order of `columns`.
    cols: Vec<u32>,
    /// Data rows (0-based row > 0) → column → value, known columns only.
    data: BTreeMap<u32, BTreeMap<u32, Value>>,
}

impl Table {
    fn col(&self, header: &str) -> u32 {
        let i = self
            .columns
            .iter()
            .position(|c| c.header == header)
            .unwrap_or_else(|| panic!("column {header} is not in model::sheet::SHEETS"));
        self.cols[i]
    }

    /// The non-blank data rows.
    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.data
            .iter()
            .filter(|(_, cells)| cells.values().any(|v| !is_blank(v)))
            .map(|(&row0, cells)| Row {
                table: self,
                row: row0 + 1,
                cells,
                agreement: None,
            })
    }
}

fn is_blank(v: &Value) -> bool {
    match v {
        Value::Empty => true,
        Value::Text(s) => text::clean(s).0.trim().is_empty(),
        _ => false,
    }
}

fn structure(cell: Option<CellRef>, message: String, hint: impl Into<String>) -> Finding {
    Finding::new(Severity::Error, RULE, None, cell, message, hint)
}

fn tables(sheets: Vec<Sheet>, findings: &mut Vec<Finding>) -> Result<Vec<Table>> {
    let mut problems = Vec::new();
    let mut slots: Vec<Option<Sheet>> = sheets.into_iter().map(Some).collect();
    let contract_keys: Vec<String> = sheet::SHEETS.iter().map(|s| text::key(s.name)).collect();
    let mut tables = Vec::new();
    for &sheet::Sheet { name, columns } in sheet::SHEETS {
        let k = text::key(name);
        let matching: Vec<usize> = slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.as_ref().is_some_and(|s| text::key(&s.name) == k))
            .map(|(i, _)| i)
            .collect();
        let Some(&first) = matching.first() else {
            if sheet::is_optional(name) {
                continue;
            }
            let others = slots
                .iter()
                .flatten()
                .map(|s| s.name.as_str())
                .filter(|n| !contract_keys.contains(&text::key(n)));
            let near = others
                .filter(|n| text::suggest(n, [name]).is_some())
                .min_by_key(|n| text::distance(&text::key(n), name));
            problems.push(match near {
                Some(n) => structure(
                    None,
                    format!("シート「{name}」がありません。シート「{n}」は「{name}」の誤りではありませんか"),
                    format!("シート名を「{name}」に直してください"),
                ),
                None => structure(
                    None,
                    format!("シート「{name}」がありません"),
                    format!("「{name}」という名前のシートを追加してください（kyotei init で作る台帳と同じ形にします）"),
                ),
            });
            continue;
        };
        for &dup in &matching[1..] {
            let dup_name = slots[dup]
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default();
            findings.push(Finding::new(
                Severity::Warning,
                RULE,
                None,
                None,
                format!("シート「{name}」にあたるシートが複数あります。「{dup_name}」は読みません"),
                "同じ内容のシートは1つにまとめてください",
            ));
        }
        let sheet = slots[first].take().expect("matched sheet");
        if let Some(t) = table(name, columns, sheet, &mut problems, findings) {
            tables.push(t);
        }
    }
    if problems.is_empty() {
        Ok(tables)
    } else {
        Err(Error::Structure(problems))
    }
}

fn table(
    name: &'static str,
    columns: &'static [sheet::Column],
    sheet: Sheet,
    problems: &mut Vec<Finding>,
    findings: &mut Vec<Finding>,
) -> Option<Table> {
    // Header texts of row 1, in column order.
    let mut row1: BTreeMap<u32, String> = BTreeMap::new();
    for (row, col, v) in &sheet.cells {
        if *row == 0
            && let Some(s) = plain(v)
        {
            row1.insert(*col, text::clean(&s).0.trim().to_string());
        }
    }
    let header_keys: Vec<String> = columns.iter().map(|c| text::key(c.header)).collect();
    let mut cols = Vec::with_capacity(columns.len());
    let mut missing = false;
    for (h, hk) in columns.iter().map(|c| &c.header).zip(&header_keys) {
        let found: Vec<u32> = row1
            .iter()
            .filter(|(_, t)| text::key(t) == *hk)
            .map(|(c, _)| *c)
            .collect();
        if let Some(&c) = found.first() {
            cols.push(c);
            if found.len() > 1 {
                findings.push(Finding::new(
                    Severity::Warning,
                    RULE,
                    None,
                    Some(CellRef::new(name, 1, found[1])),
                    format!(
                        "シート「{name}」に列「{h}」が複数あります。左の列（{}列）を読みます",
                        CellRef::col_letters(c)
                    ),
                    "同じ見出しの列は1つにしてください",
                ));
            }
            continue;
        }
        missing = true;
        let near = row1
            .iter()
            .filter(|(_, t)| {
                !header_keys.contains(&text::key(t)) && text::suggest(t, [*h]).is_some()
            })
            .min_by_key(|(_, t)| text::distance(&text::key(t), h));
        problems.push(match near {
            Some((&c, t)) => structure(
                Some(CellRef::new(name, 1, c)),
                format!("シート「{name}」に列「{h}」がありません。「{t}」は「{h}」の誤りではありませんか"),
                format!("1行目の見出し「{t}」を「{h}」に直してください"),
            ),
            None => structure(
                None,
                format!("シート「{name}」に列「{h}」がありません"),
                format!("1行目（見出しの行）に「{h}」の列を追加してください。列の順番は自由です"),
            ),
        });
    }
    if missing {
        return None;
    }
    let mut data: BTreeMap<u32, BTreeMap<u32, Value>> = BTreeMap::new();
    for (row, col, v) in sheet.cells {
        if row > 0 && cols.contains(&col) {
            data.entry(row).or_default().insert(col, v);
        }
    }
    Some(Table {
        name,
        columns,
        cols,
        data,
    })
}

/// Whether reading the value has already reported it (an error value, a formula without a
/// cached result), so "blank" is not said as well.
fn reported(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Error(_) | Value::Uncomputed(_)))
}

/// A value as plain text, before cleaning (numbers without a trailing `.0`).
fn plain(v: &Value) -> Option<String> {
    match v {
        Value::Empty | Value::Error(_) | Value::Uncomputed(_) => None,
        Value::Text(s) => Some(s.clone()),
        Value::Number(n) => Some(number_text(*n)),
        Value::Bool(b) => Some(if *b { "TRUE" } else { "FALSE" }.to_string()),
        Value::DateSerial(n) => Some(match Date::from_excel_serial(*n) {
            Some(d) => d.iso(),
            None => number_text(*n),
        }),
    }
}

/// `1234` for 1234.0, `0.5` for 0.5: a number typed in a text column becomes its text.
fn number_text(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

// ---------------------------------------------------------------------------------------
// Rows and cells.

struct Row<'a> {
    table: &'a Table,
    /// 1-based Excel row.
    row: u32,
    cells: &'a BTreeMap<u32, Value>,
    /// The row's 協定番号, once known (for findings).
    agreement: Option<String>,
}

impl<'a> Row<'a> {
    fn cell(&self, header: &str) -> CellRef {
        CellRef::new(self.table.name, self.row, self.table.col(header))
    }
    fn value(&self, header: &str) -> Option<&'a Value> {
        self.cells.get(&self.table.col(header))
    }
}

struct Reader<'p> {
    profile: &'p Profile,
    findings: Vec<Finding>,
}

const DATE_HINT: &str = "日付は 2026-04-01、2026/4/1、2026年4月1日、令和8年4月1日、R8.4.1 のいずれかの形か、Excel の日付として入力してください";

/// The last year and day of the eras that have ended, for the "平成32年" message.
const ERA_ENDS: [(&str, i32, &str); 4] = [
    ("平成", 31, "2019年4月30日"),
    ("昭和", 64, "1989年1月7日"),
    ("大正", 15, "1926年12月24日"),
    ("明治", 45, "1912年7月29日"),
];

impl Reader<'_> {
    fn error(&mut self, row: &Row, cell: CellRef, message: String, hint: impl Into<String>) {
        self.push(Severity::Error, row, cell, message, hint);
    }

    fn push(
        &mut self,
        sev: Severity,
        row: &Row,
        cell: CellRef,
        message: String,
        hint: impl Into<String>,
    ) {
        self.findings.push(Finding::new(
            sev,
            RULE,
            row.agreement.as_deref(),
            Some(cell),
            message,
            hint,
        ));
    }

    /// The cell's text (cleaned and trimmed), or `None` when blank. An error value and a
    /// formula with no cached value are reported as errors.
    fn raw(&mut self, row: &Row, header: &str) -> Option<(CellRef, String)> {
        self.raw_as(row, header, Severity::Error)
    }

    /// [`Self::raw`], reporting a formula with no cached value with the given severity (an
    /// optional text is a warning: it prints as blank).
    fn raw_as(
        &mut self,
        row: &Row,
        header: &str,
        uncomputed: Severity,
    ) -> Option<(CellRef, String)> {
        let cell = row.cell(header);
        let v = row.value(header)?;
        match v {
            Value::Error(e) => {
                self.error(
                    row,
                    cell,
                    format!("「{header}」がエラー値（{e}）です"),
                    "数式の結果がエラーになっています。数式を直すか、値を直接入力してください",
                );
                return None;
            }
            Value::Uncomputed(formula) => {
                self.push(
                    uncomputed,
                    row,
                    cell,
                    format!(
                        "「{header}」は数式（{formula}）ですが、計算結果が保存されていません。このままでは空欄として扱われます"
                    ),
                    "プログラムで作られ、Excel で一度も保存されていないブックです。Excel で開いて保存し直すか、値を直接入力してください",
                );
                return None;
            }
            _ => {}
        }
        let s = plain(v)?;
        let (cleaned, removed) = text::clean(&s.replace("\r\n", "\n"));
        let trimmed = cleaned.trim();
        if removed.any() && !trimmed.is_empty() {
            let what = match (removed.controls, removed.invisible.is_empty()) {
                (true, true) => "制御文字（タブなどの見えない文字）".to_string(),
                (false, _) => format!("見えない書式文字（{}）", removed.invisible_list()),
                (true, false) => {
                    format!("制御文字と見えない書式文字（{}）", removed.invisible_list())
                }
            };
            self.push(
                Severity::Warning,
                row,
                cell,
                format!("「{header}」から{what}を取り除きました"),
                "取り除いた後の内容で問題ないか確認し、セルを入力し直してください",
            );
        }
        (!trimmed.is_empty()).then(|| (cell, trimmed.to_string()))
    }

    /// An optional text.
    fn text(&mut self, row: &Row, header: &str) -> Option<Text> {
        self.raw_as(row, header, Severity::Warning)
            .map(|(cell, value)| Located { value, cell })
    }

    /// A required text: blank is an error, and the value is empty.
    fn required_text(&mut self, row: &Row, header: &str) -> Text {
        match self.raw(row, header) {
            Some((cell, value)) => Located { value, cell },
            None => {
                let cell = row.cell(header);
                if !reported(row.value(header)) {
                    self.error(
                        row,
                        cell,
                        format!("「{header}」が空欄です"),
                        format!("「{header}」を入力してください"),
                    );
                }
                Located {
                    value: String::new(),
                    cell,
                }
            }
        }
    }

    /// The 協定番号 of a non-blank row; reported (and the row skipped) when blank. An ID with
    /// an invisible or control character is an error: it would look identical to another on
    /// screen (「R8-0\u{200B}03」 and 「R8-003」).
    fn agreement_id(&mut self, row: &mut Row) -> Option<Text> {
        let cell = row.cell(header::協定番号);
        if let Some(Value::Text(s)) = row.value(header::協定番号) {
            let (cleaned, removed) = text::clean(s);
            if removed.any() && !cleaned.trim().is_empty() {
                row.agreement = Some(cleaned.trim().to_string());
                let what = if removed.invisible.is_empty() {
                    "制御文字（タブなどの見えない文字）".to_string()
                } else {
                    format!("見えない書式文字（{}）", removed.invisible_list())
                };
                self.error(
                    row,
                    cell,
                    format!(
                        "協定番号「{}」に{what}が含まれています。画面では同じに見える別の協定番号になります",
                        cleaned.trim()
                    ),
                    "セルを空にしてから、協定番号を半角で入力し直してください",
                );
                return None;
            }
        }
        let id = self.raw(row, header::協定番号);
        match id {
            Some((cell, value)) => {
                row.agreement = Some(value.clone());
                Some(Located { value, cell })
            }
            None => {
                if !reported(row.value(header::協定番号)) {
                    self.error(
                        row,
                        cell,
                        "協定番号が空欄です。この行は読み飛ばしました".into(),
                        "協定番号を入力するか、不要な行なら削除してください",
                    );
                }
                None
            }
        }
    }

    fn date(&mut self, row: &Row, header: &str) -> Option<Located<Date>> {
        let cell = row.cell(header);
        let got = match row.value(header) {
            Some(Value::Number(n) | Value::DateSerial(n)) => match Date::from_excel_serial(*n) {
                Some(d) => Ok(d),
                None if n.floor() as i64 == crate::date::EXCEL_FICTITIOUS_DAY => Err(format!(
                    "「{header}」の1900年2月29日（Excel の日付の番号 60）は存在しない日付です"
                )),
                None => Err(format!(
                    "「{header}」の数値 {} は日付として読めません",
                    number_text(*n)
                )),
            },
            Some(Value::Bool(_)) => Err(format!("「{header}」は日付として読めません")),
            _ => {
                let (_, s) = self.raw(row, header)?;
                Date::parse(&s).map_err(|e| match e {
                    DateError::Format => format!("「{s}」は日付として読めません"),
                    DateError::NoSuchDay => format!("「{s}」は存在しない日付です"),
                    DateError::NoSuchEraYear { era, year } => {
                        match ERA_ENDS.iter().find(|(e, ..)| *e == era) {
                            Some((_, last, end)) if year > *last => {
                                format!(
                                    "「{s}」は存在しない日付です。{era}は{last}年（{end}）までです"
                                )
                            }
                            _ => format!(
                                "「{s}」は存在しない日付です。{era}は元年（1年）から数えます"
                            ),
                        }
                    }
                })
            }
        };
        match got {
            Ok(d) => Some(Located { value: d, cell }),
            Err(message) => {
                self.error(row, cell, message, DATE_HINT);
                None
            }
        }
    }

    /// A whole number from 0 to `max`.
    fn whole(&mut self, row: &Row, header: &str, max: u64) -> Option<Located<u64>> {
        let cell = row.cell(header);
        let (shown, n) = match row.value(header) {
            // A number in a cell that happens to have a date format is still the number.
            Some(Value::Number(n) | Value::DateSerial(n)) => (
                number_text(*n),
                (n.is_finite() && n.fract() == 0.0 && *n >= 0.0).then_some(*n as u64),
            ),
            _ => {
                let (_, s) = self.raw(row, header)?;
                let digits = text::key(&s).replace(',', "");
                let n = (!digits.is_empty()
                    && digits.len() <= 18
                    && digits.bytes().all(|b| b.is_ascii_digit()))
                .then(|| digits.parse::<u64>().ok())
                .flatten();
                (s, n)
            }
        };
        match n {
            Some(n) if n <= max => Some(Located { value: n, cell }),
            _ => {
                self.error(
                    row,
                    cell,
                    format!("「{header}」の「{shown}」は0以上の整数ではありません"),
                    format!("「{header}」には0以上の整数（例: 3）を入力してください"),
                );
                None
            }
        }
    }

    fn whole32(&mut self, row: &Row, header: &str) -> Option<Located<u32>> {
        self.whole(row, header, u64::from(u32::MAX))
            .map(|l| Located {
                value: l.value as u32,
                cell: l.cell,
            })
    }

    /// One of a closed list. `options` are (accepted spelling, value); the first spelling of
    /// each value is the one shown in messages.
    fn choice<T: Copy + PartialEq>(
        &mut self,
        row: &Row,
        header: &str,
        options: &[(&str, T)],
    ) -> Option<Located<T>> {
        let (cell, s) = self.raw(row, header)?;
        let k = text::key(&s);
        if let Some((_, v)) = options.iter().find(|(o, _)| text::key(o) == k) {
            return Some(Located { value: *v, cell });
        }
        let mut shown: Vec<&str> = Vec::new();
        for (i, (o, v)) in options.iter().enumerate() {
            if !options[..i].iter().any(|(_, w)| w == v) {
                shown.push(o);
            }
        }
        let list = shown.join("／");
        let mut message = format!("「{header}」の「{s}」は選べる値（{list}）にありません");
        if let Some(near) = text::suggest(&s, shown.iter().copied()) {
            message.push_str(&format!("。「{near}」の誤りではありませんか"));
        }
        self.error(
            row,
            cell,
            message,
            format!("ドロップダウンから {list} のどれかを選んでください"),
        );
        None
    }

    /// A field of guideline 3(2), by its exact name; a circled-number prefix (`⑩…`) and a
    /// missing final `。` are accepted.
    fn field(&mut self, row: &Row, header: &str) -> Option<Located<FieldId>> {
        let (cell, s) = self.raw(row, header)?;
        let fields = &self.profile.fields;
        let (mark, rest) = match s.chars().next() {
            Some(c @ '\u{2460}'..='\u{2473}') => {
                (Some(c as usize - 0x2460), s[c.len_utf8()..].trim())
            }
            _ => (None, s.as_str()),
        };
        let lookup = |name: &str| {
            self.profile.field_index(name).or_else(|| {
                (!name.ends_with('。'))
                    .then(|| self.profile.field_index(&format!("{name}。")))
                    .flatten()
            })
        };
        if let Some(i) = lookup(rest) {
            if let Some(m) = mark
                && m != i
            {
                self.push(
                    Severity::Warning,
                    row,
                    cell,
                    format!(
                        "「{s}」の番号{}と分野名が合いません。分野名のとおり{}「{}」として読みました",
                        Profile::field_mark(m),
                        Profile::field_mark(i),
                        fields[i]
                    ),
                    "ドロップダウンから分野を選び直してください",
                );
            }
            return Some(Located { value: i, cell });
        }
        let near = text::suggest(rest, fields.iter().map(String::as_str));
        let mut message = format!("「{s}」はガイドライン3(2)の分野にありません");
        if let Some(near) = near {
            message.push_str(&format!("。「{near}」の誤りではありませんか"));
        }
        self.error(
            row,
            cell,
            message,
            "ドロップダウンから分野を選んでください（分野名はガイドライン3(2)の文言どおりです）",
        );
        None
    }

    /// 禁止事業確認: `該当なし`, or numbers ①–⑨ (`①③`, `1,3`, `①、③`).
    fn prohibited(&mut self, row: &Row, header: &str) -> Option<Located<ProhibitedCheck>> {
        const NONE: &str = crate::model::NOT_PROHIBITED;
        let (cell, s) = self.raw(row, header)?;
        if text::key(&s) == NONE {
            return Some(Located {
                value: ProhibitedCheck::None,
                cell,
            });
        }
        let max = self.profile.banned_count();
        match parse_numbers(&s, max) {
            Some(list) => Some(Located {
                value: ProhibitedCheck::Applies(list),
                cell,
            }),
            None => {
                let mut message = format!("「{header}」の「{s}」は読めません");
                if let Some(near) = text::suggest(&s, [NONE]) {
                    message.push_str(&format!("。「{near}」の誤りではありませんか"));
                }
                let last = Profile::field_mark(max.saturating_sub(1));
                let lists = if self.profile.exclusions.is_empty() {
                    "ガイドライン3(5)"
                } else {
                    "ガイドライン3(5)と除外事項"
                };
                self.error(
                    row,
                    cell,
                    message,
                    format!("「該当なし」か、{lists}の当てはまる番号（①〜{last}。例: ①③、1,3）を入力してください"),
                );
                None
            }
        }
    }

    // -- sheets ---------------------------------------------------------------------------

    fn settings(&mut self, t: &Table) -> Settings {
        let mut s = self.profile.settings();
        for row in t.rows() {
            let Some(key) = self.text(&row, header::項目) else {
                continue;
            };
            let k = text::key(&key.value);
            let Some(&name) = sheet::SETTINGS_KEYS.iter().find(|n| text::key(n) == k) else {
                let mut message = format!("設定の項目「{}」は使われません", key.value);
                if let Some(near) = text::suggest(&key.value, sheet::SETTINGS_KEYS.iter().copied())
                {
                    message.push_str(&format!("。「{near}」の誤りではありませんか"));
                }
                self.push(
                    Severity::Warning,
                    &row,
                    key.cell,
                    message,
                    format!("項目は {} のどれかです", sheet::SETTINGS_KEYS.join("、")),
                );
                continue;
            };
            let Some(value) = self.text(&row, header::値) else {
                continue; // blank: the default stays
            };
            let v = value.value;
            if let Some(slot) = s.slot(name) {
                *slot = v;
            }
        }
        s
    }

    fn agreement(&mut self, mut row: Row) -> Option<Agreement> {
        let row = &mut row;
        let id = self.agreement_id(row)?;
        let seal = self
            .choice(row, header::押印方式, SealStyle::ACCEPTED)
            .map(|l| l.value)
            .unwrap_or_default();
        Some(Agreement {
            row: row.row,
            key: crate::model::AgreementKey::of(&id.value),
            id,
            company: self.required_text(row, header::企業等名),
            address: self.text(row, header::企業等所在地),
            rep_title: self.text(row, header::代表者役職),
            rep_name: self.text(row, header::代表者氏名),
            contact_name: self.text(row, header::担当者名),
            contact_phone: self.text(row, header::担当者電話),
            contact_email: self.text(row, header::担当者メール),
            applied_on: self.date(row, header::申出日),
            apply_purpose: self.text(row, header::申出目的),
            apply_other: self.text(row, header::申出その他),
            purpose: self.text(row, header::目的),
            signed_on: self.date(row, header::締結日),
            starts_on: self.date(row, header::有効期間開始日),
            ends_on: self.date(row, header::有効期間満了日),
            seal,
            terminated_on: self.date(row, header::解除日),
            termination_reason: self.text(row, header::解除理由),
            amended_on: self.date(row, header::協定締結後の改正日),
            memo_on: self.date(row, header::申し合わせ日),
            memo_revised_on: self.date(row, header::申し合わせ改訂日),
        })
    }

    fn requirement(&mut self, mut row: Row) -> Option<Requirement> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        let yes_no = YesNo::ACCEPTED;
        let mut disqualifications: [Option<Located<Applies>>; 8] = Default::default();
        for (slot, h) in disqualifications.iter_mut().zip(header::DISQUALIFICATIONS) {
            *slot = self.choice(row, h, Applies::ACCEPTED);
        }
        Some(Requirement {
            row: row.row,
            agreement,
            checked_on: self.date(row, header::確認日),
            checked_by: self.text(row, header::確認者),
            willing: self.choice(row, header::要件3_1意欲, yes_no),
            dialogue: self.choice(row, header::要件3_3継続的対話, yes_no),
            disqualifications,
        })
    }

    fn field_row(&mut self, mut row: Row) -> Option<FieldRow> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        let field = self.field(row, header::分野);
        let wording = self.text(row, header::協定書表記);
        let field = match field {
            Some(f) => f,
            None => {
                if row.value(header::分野).is_none_or(is_blank) {
                    let cell = row.cell(header::分野);
                    self.error(
                        row,
                        cell,
                        "分野が空欄です。この行は読み飛ばしました".into(),
                        "ドロップダウンから分野を選んでください",
                    );
                }
                return None;
            }
        };
        Some(FieldRow {
            row: row.row,
            agreement,
            field,
            wording,
            wording_cell: row.cell(header::協定書表記),
        })
    }

    fn project(&mut self, mut row: Row) -> Option<Project> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        let city_pays = match self.choice(row, header::市の費用負担, crate::model::CITY_PAYS)
        {
            Some(l) => l,
            None => Located {
                value: false,
                cell: row.cell(header::市の費用負担),
            },
        };
        Some(Project {
            row: row.row,
            agreement,
            number: self.whole32(row, header::番号),
            field: self.field(row, header::連携事項),
            content: self.text(row, header::事業内容),
            evaluation: self.choice(row, header::評価, Evaluation::ACCEPTED),
            comment: self.text(row, header::コメント),
            department: self.text(row, header::担当部),
            division: self.text(row, header::担当課),
            contact: self.text(row, header::担当者連絡先),
            city_pays,
            prohibited: self.prohibited(row, header::禁止事業確認),
        })
    }

    fn memo(&mut self, mut row: Row) -> Option<MemoRow> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        Some(MemoRow {
            row: row.row,
            agreement,
            field: self.text(row, header::連携事項),
            project: self.text(row, header::連携事業),
            division: self.text(row, header::担当課),
        })
    }

    fn publicity(&mut self, mut row: Row) -> Option<Publicity> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        Some(Publicity {
            row: row.row,
            agreement,
            project: self.text(row, header::連携事業),
            copies: self.whole32(row, header::部数),
            note: self.text(row, header::備考),
        })
    }

    fn clause(&mut self, mut row: Row) -> Option<Clause> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        let document = self.choice(row, header::書類, ClauseDoc::ACCEPTED);
        let place = self.text(row, header::条項);
        let wording = self.text(row, header::文言);
        let missing = |r: &mut Self, header: &str, hint: &str| {
            if row.value(header).is_none_or(is_blank) {
                let cell = row.cell(header);
                r.error(
                    row,
                    cell,
                    format!("{header}が空欄です。この行は読み飛ばしました"),
                    hint.to_string(),
                );
            }
        };
        let (Some(document), Some(place), Some(wording)) = (document, place, wording) else {
            missing(
                self,
                header::書類,
                "「協定書」か「申し合わせ事項」を選んでください",
            );
            missing(
                self,
                header::条項,
                "第6条、第2条第2項、前文 のように、変えた箇所を書いてください",
            );
            missing(self, header::文言, "合意した文言を入れてください");
            return None;
        };
        Some(Clause {
            row: row.row,
            agreement,
            document,
            place,
            wording,
        })
    }

    fn contact(&mut self, mut row: Row) -> Option<Contact> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        let party = self.choice(row, header::当事者, Party::ACCEPTED);
        let office = self.text(row, header::部署);
        let person = self.text(row, header::担当者);
        let phone = self.text(row, header::電話);
        let email = self.text(row, header::メール);
        let Some(party) = party else {
            if row.value(header::当事者).is_none_or(is_blank) {
                let cell = row.cell(header::当事者);
                self.error(
                    row,
                    cell,
                    "当事者が空欄です。この行は読み飛ばしました".into(),
                    "当事者に「市」か「企業等」を選んでください",
                );
            }
            return None;
        };
        Some(Contact {
            row: row.row,
            agreement,
            party,
            office,
            person,
            phone,
            email,
        })
    }

    fn report(&mut self, mut row: Row) -> Option<Report> {
        let row = &mut row;
        let agreement = self.agreement_id(row)?;
        Some(Report {
            row: row.row,
            agreement,
            number: self.required_text(row, header::報告番号),
            field: self.field(row, header::連携事項),
            name: self.text(row, header::事業名),
            starts_on: self.date(row, header::開始日),
            ends_on: self.date(row, header::終了日),
            place: self.text(row, header::実施場所),
            content: self.text(row, header::事業内容),
            participants: self.whole(row, header::参加者数, u64::MAX),
            outcome: self.text(row, header::成果),
            next_steps: self.text(row, header::課題今後の予定),
            department: self.text(row, header::担当部),
            division: self.text(row, header::担当課),
            person: self.text(row, header::担当者),
            reported_on: self.date(row, header::報告日),
            city_cost: self.whole(row, header::市の費用負担額, u64::MAX),
        })
    }
}

/// `①③`, `1,3`, `①、③` → `[1, 3]` (each from 1 to `max`); `None` if anything else is there.
fn parse_numbers(s: &str, max: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::new();
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut Vec<u8>| -> Option<()> {
        if !digits.is_empty() {
            let n: usize = digits.parse().ok()?;
            if n == 0 || n > max || n > 255 {
                return None;
            }
            out.push(n as u8);
            digits.clear();
        }
        Some(())
    };
    for c in s.chars() {
        match c {
            '\u{2460}'..='\u{2473}' => {
                flush(&mut digits, &mut out)?;
                digits.push_str(&(c as u32 - 0x2460 + 1).to_string());
                flush(&mut digits, &mut out)?;
            }
            c if text::nfkc(&c.to_string())
                .chars()
                .all(|d| d.is_ascii_digit())
                && !c.is_whitespace() =>
            {
                if digits.len() > 3 {
                    return None;
                }
                digits.push_str(&text::nfkc(&c.to_string()));
            }
            ',' | '、' | '，' | '・' | '/' | ' ' | '　' => flush(&mut digits, &mut out)?,
            _ => return None,
        }
    }
    flush(&mut digits, &mut out)?;
    if out.is_empty() {
        return None;
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prohibited_numbers() {
        assert_eq!(parse_numbers("①③", 9), Some(vec![1, 3]));
        assert_eq!(parse_numbers("1,3", 9), Some(vec![1, 3]));
        assert_eq!(parse_numbers("①、③", 9), Some(vec![1, 3]));
        assert_eq!(parse_numbers("３，１", 9), Some(vec![1, 3]));
        assert_eq!(parse_numbers("13", 9), None);
        assert_eq!(parse_numbers("⑩", 9), None);
        assert_eq!(parse_numbers("あり", 9), None);
        assert_eq!(parse_numbers("", 9), None);
    }

    #[test]
    fn numbers_in_text_columns_lose_the_point_zero() {
        assert_eq!(number_text(270276281.0), "270276281");
        assert_eq!(number_text(0.5), "0.5");
    }
}
