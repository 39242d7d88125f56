//! A filled form read back: its record ([`super::provenance`]) and the rows of the sheet the
//! department filled in, each cell by the header of its column (the form's header row, found
//! by name as the register's are). The workbook's cells come from the capped reader
//! (`input::xlsx`); what the answers mean is `run::collect`'s business.

use super::provenance::{Provenance, text_of};
use crate::input::xlsx::{Sheet, Value};
use crate::model::CellRef;
use crate::text;
use std::collections::BTreeMap;

/// One filled form.
#[derive(Debug, Clone)]
pub struct Reply {
    pub provenance: Provenance,
    /// The form's sheet as found in the reply.
    pub sheet: String,
    /// The non-blank rows below the header, in order.
    pub rows: Vec<ReplyRow>,
}

/// One row of the form's sheet.
#[derive(Debug, Clone)]
pub struct ReplyRow {
    /// 1-based row number.
    pub row: u32,
    /// header → (0-based column, value).
    pub cells: BTreeMap<String, (u32, Value)>,
}

impl ReplyRow {
    /// The value under `header`, `Value::Empty` when blank or not on the form.
    pub fn value(&self, header: &str) -> &Value {
        self.cells.get(header).map_or(&Value::Empty, |(_, v)| v)
    }

    /// The value as text, trimmed.
    pub fn text(&self, header: &str) -> String {
        text::clean(&text_of(self.value(header)))
            .0
            .trim()
            .to_string()
    }

    /// `調査!E7`: the cell of `header` in this row, `None` when the form has no such column.
    pub fn cell(&self, sheet: &str, header: &str) -> Option<String> {
        self.cells
            .get(header)
            .map(|(c, _)| format!("{sheet}!{}{}", CellRef::col_letters(*c), self.row))
    }
}

/// The reply in `sheets`; `Err` with a reason (in Japanese) when it is not a kyotei form.
pub fn read(
    sheets: &[Sheet],
    headers: &dyn Fn(super::FormKind) -> Vec<&'static str>,
) -> Result<Reply, String> {
    let provenance = match Provenance::read(sheets) {
        None => {
            return Err(format!(
                "kyotei forms で作った様式ではありません（シート「{}」がありません）",
                super::provenance::SHEET
            ));
        }
        Some(p) => p?,
    };
    let name = provenance.kind.sheet();
    let headers = headers(provenance.kind);
    let sheet = sheets
        .iter()
        .find(|s| text::key(&s.name) == text::key(name))
        .ok_or_else(|| format!("シート「{name}」がありません"))?;
    let mut head: BTreeMap<u32, String> = BTreeMap::new();
    let mut grid: BTreeMap<u32, BTreeMap<u32, Value>> = BTreeMap::new();
    for (r, c, v) in &sheet.cells {
        if *r == 0 {
            head.insert(*c, text::clean(&text_of(v)).0.trim().to_string());
        } else {
            grid.entry(*r).or_default().insert(*c, v.clone());
        }
    }
    let mut cols: Vec<(String, u32)> = Vec::new();
    for h in &headers {
        match head.iter().find(|(_, t)| text::key(t) == text::key(h)) {
            Some((c, _)) => cols.push((h.to_string(), *c)),
            None => {
                return Err(format!(
                    "シート「{name}」に列「{h}」がありません（見出しを変えないでください）"
                ));
            }
        }
    }
    let rows = grid
        .into_iter()
        .map(|(r, cells)| ReplyRow {
            row: r + 1,
            cells: cols
                .iter()
                .map(|(h, c)| {
                    (
                        h.clone(),
                        (*c, cells.get(c).cloned().unwrap_or(Value::Empty)),
                    )
                })
                .collect(),
        })
        .filter(|row| {
            row.cells
                .values()
                .any(|(_, v)| !text_of(v).trim().is_empty())
        })
        .collect();
    Ok(Reply {
        provenance,
        sheet: sheet.name.clone(),
        rows,
    })
}
