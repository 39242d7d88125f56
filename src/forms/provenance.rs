//! What a form was made from, kept in the form itself: a hidden, protected sheet
//! ([`SHEET`]) with the register's SHA-256, the date, the department and, per row, the
//! values as issued. `kyotei collect` recognises a form by it and compares the register's
//! cells now with the values recorded, so a cell changed since the form was issued is a
//! conflict, never overwritten.
//!
//! Every value is written as text, so it reads back as written (also after Excel or
//! LibreOffice saved the reply).

use super::{Department, FormKind};
use crate::date::Date;
use crate::input::xlsx::{Sheet, Value};
use crate::model::header;
use crate::writer::xlsx::{CellValue, Column, Kind, SheetSpec};
use std::collections::BTreeMap;

/// The provenance sheet's name.
pub const SHEET: &str = "発行記録";
/// The first cell's value: what wrote the sheet, and the version of its layout.
pub const FORMAT: &str = "kyotei-forms 1";
/// The header of the first column of the rows' table.
const ROWS: &str = "フォームの行";
const REGISTER_ROW: &str = "台帳の行";

/// A form's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub kind: FormKind,
    /// SHA-256 of the register the form was made from.
    pub register_sha256: String,
    pub issued_on: Date,
    pub department: Department,
    /// The headers of the recorded values.
    pub headers: Vec<String>,
    pub rows: Vec<IssuedRow>,
}

/// One row as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedRow {
    /// The row of the form (1-based), 0 when the row is not on the form (the agreements a
    /// results form offers).
    pub form_row: u32,
    /// The register's row (1-based) the form's row came from, 0 for none.
    pub register_row: u32,
    /// One value per header, as text.
    pub values: Vec<String>,
}

impl Provenance {
    /// The value of `header` in `row`, "" when not recorded.
    pub fn value<'a>(&self, row: &'a IssuedRow, header: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == header)
            .and_then(|i| row.values.get(i))
            .map_or("", String::as_str)
    }

    /// The hidden, protected sheet holding the record.
    pub fn sheet(&self) -> SheetSpec {
        let width = 2 + self.headers.len();
        let mut columns = vec![
            Column::new(header::項目, 16.0, Kind::Text),
            Column::new(header::値, 20.0, Kind::Text),
        ];
        columns.extend((2..width).map(|_| Column::new("", 20.0, Kind::Text)));
        let pair = |k: &str, v: String| {
            let mut row = vec![CellValue::text(k), CellValue::from(v)];
            row.resize(width, CellValue::Empty);
            row
        };
        let mut rows = vec![
            pair("形式", FORMAT.to_string()),
            pair("種類", self.kind.label().to_string()),
            pair("台帳SHA-256", self.register_sha256.clone()),
            pair("発行日", self.issued_on.iso()),
            pair(header::担当部, self.department.bu.clone()),
            pair(header::担当課, self.department.ka.clone()),
            vec![CellValue::Empty; width],
        ];
        let mut head = vec![CellValue::text(ROWS), CellValue::text(REGISTER_ROW)];
        head.extend(self.headers.iter().map(|h| CellValue::text(h.as_str())));
        rows.push(head);
        for r in &self.rows {
            let mut row = vec![
                CellValue::text(r.form_row.to_string()),
                CellValue::text(r.register_row.to_string()),
            ];
            row.extend(r.values.iter().map(|v| CellValue::from(v.as_str())));
            rows.push(row);
        }
        let mut spec = SheetSpec::new(SHEET, columns).with_rows(rows);
        spec.freeze_header = false;
        spec.input_rows = 1;
        spec.hidden = true;
        spec.protect = true;
        spec
    }

    /// The record of a form read back, `None` when the workbook has no such sheet; `Err`
    /// with a reason when the sheet is there but not as kyotei wrote it.
    pub fn read(sheets: &[Sheet]) -> Option<Result<Provenance, String>> {
        let sheet = sheets.iter().find(|s| s.name == SHEET)?;
        Some(parse(sheet))
    }
}

/// A cell as the text it shows: numbers without `.0`, nothing for blanks.
pub fn text_of(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Number(n) | Value::DateSerial(n) => {
            if n.fract() == 0.0 && n.abs() < 1e15 {
                format!("{}", *n as i64)
            } else {
                format!("{n}")
            }
        }
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Value::Error(e) => e.clone(),
        Value::Empty | Value::Uncomputed(_) => String::new(),
    }
}

fn parse(sheet: &Sheet) -> Result<Provenance, String> {
    let mut grid: BTreeMap<u32, BTreeMap<u32, String>> = BTreeMap::new();
    for (r, c, v) in &sheet.cells {
        grid.entry(*r).or_default().insert(*c, text_of(v));
    }
    let cell = |r: u32, c: u32| {
        grid.get(&r)
            .and_then(|row| row.get(&c))
            .map_or("", String::as_str)
    };
    let key = |k: &str| {
        grid.iter()
            .find(|(_, row)| row.get(&0).is_some_and(|v| v == k))
            .and_then(|(_, row)| row.get(&1))
            .cloned()
            .unwrap_or_default()
    };
    if key("形式") != FORMAT {
        return Err(format!(
            "シート「{SHEET}」の形式が kyotei の様式のものではありません（{FORMAT} ではありません）"
        ));
    }
    let kind = FormKind::parse(&key("種類"))
        .ok_or_else(|| format!("シート「{SHEET}」の種類「{}」が分かりません", key("種類")))?;
    let issued_on = Date::parse(&key("発行日"))
        .map_err(|_| format!("シート「{SHEET}」の発行日が読めません"))?;
    let Some((&head, head_row)) = grid
        .iter()
        .find(|(_, row)| row.get(&0).is_some_and(|v| v == ROWS))
    else {
        return Err(format!("シート「{SHEET}」に行の記録がありません"));
    };
    let last = head_row.keys().next_back().copied().unwrap_or(1);
    let headers: Vec<String> = (2..=last).map(|c| cell(head, c).to_string()).collect();
    let number = |s: &str| s.trim().parse::<u32>().ok();
    let mut rows = Vec::new();
    for (&r, row) in grid.range(head + 1..) {
        let (Some(form_row), Some(register_row)) = (
            row.get(&0).and_then(|s| number(s)),
            row.get(&1).and_then(|s| number(s)),
        ) else {
            return Err(format!("シート「{SHEET}」の{}行目が読めません", r + 1));
        };
        rows.push(IssuedRow {
            form_row,
            register_row,
            values: (2..=last).map(|c| cell(r, c).to_string()).collect(),
        });
    }
    Ok(Provenance {
        kind,
        register_sha256: key("台帳SHA-256"),
        issued_on,
        department: Department {
            bu: key(header::担当部),
            ka: key(header::担当課),
        },
        headers,
        rows,
    })
}
