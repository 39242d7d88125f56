//! 連携事業調査 (guideline 4④): the proposals that concern one department, for it to
//! enter its 評価 (○ × △, with the form's legend), コメント and 担当者連絡先. 協定番号,
//! 番号, 企業等名, 連携事項 and 事業内容 are locked (and 担当部, 担当課, except in the
//! routing form of the rows with no 担当課, where 戦略推進課 fills them in); the header row
//! uses the register's column names, the columns are the column table's.

use super::provenance::{IssuedRow, Provenance};
use super::{Department, FormKind, SURVEY_HEADERS, survey_open};
use crate::date::Date;
use crate::guideline::profile::Profile;
use crate::model::{Agreement, Project, Register, header, sheet};
use crate::writer::xlsx::{Book, CellValue, Column, Kind, SheetSpec};

/// What every form records of its issue.
#[derive(Debug, Clone, Copy)]
pub struct Issue<'a> {
    pub register_sha256: &'a str,
    pub date: Date,
}

/// The legend of the reference form.
pub const LEGEND: &str =
    "○＝実現可能性あり　×＝実現不可　△＝提案事項の調整（代替案）により実現可能性があるもの";

/// The form's column for a header of [`SURVEY_HEADERS`], as the column table describes it.
fn column(profile: &Profile, h: &str, routing: bool) -> Column {
    let table = if h == header::企業等名 {
        sheet::AGREEMENTS
    } else {
        sheet::PROJECTS
    };
    let c = sheet::column(table, h).expect("survey headers are in the column table");
    let mut col = super::blank::column(profile, table, c);
    col.header_color = None;
    if survey_open(h, routing) {
        col = col.open();
    } else {
        // Locked: no dropdown, and the note says so.
        col.list = None;
        col.note = Some("台帳の値です。変更しないでください（保護されています）。".into());
    }
    if h == header::評価 {
        col.note = Some(format!(
            "ドロップダウンから選びます。\n{}",
            LEGEND.replace('　', "\n")
        ));
    }
    if h == header::企業等名 {
        col.width = 22.0;
    }
    col
}

/// A project's value for a survey header, as the form shows it and the record keeps it.
pub fn value(profile: &Profile, a: &Agreement, p: &Project, h: &str) -> String {
    let t = |v: &Option<crate::model::Text>| v.as_ref().map_or(String::new(), |t| t.value.clone());
    match h {
        header::協定番号 => p.agreement.value.clone(),
        header::番号 => p
            .number
            .as_ref()
            .map_or(String::new(), |n| n.value.to_string()),
        header::企業等名 => a.company.value.clone(),
        header::連携事項 => p
            .field
            .as_ref()
            .and_then(|f| profile.fields.get(f.value))
            .cloned()
            .unwrap_or_default(),
        header::事業内容 => t(&p.content),
        header::評価 => p
            .evaluation
            .as_ref()
            .map_or(String::new(), |e| e.value.symbol().to_string()),
        header::コメント => t(&p.comment),
        header::担当部 => t(&p.department),
        header::担当課 => t(&p.division),
        header::担当者連絡先 => t(&p.contact),
        _ => String::new(),
    }
}

/// The survey of `dept` over the proposals of `agreements` (those not yet signed), `None`
/// when none concerns it.
pub fn survey(
    reg: &Register,
    profile: &Profile,
    agreements: &[&Agreement],
    dept: &Department,
    issue: Issue<'_>,
) -> Option<Book> {
    let routing = dept.is_unassigned();
    let mut rows = Vec::new();
    let mut issued = Vec::new();
    for a in agreements {
        for p in reg.rows::<Project>(a) {
            let (bu, ka) = (
                p.department.as_ref().map(|t| t.value.as_str()),
                p.division.as_ref().map(|t| t.value.as_str()),
            );
            if !dept.is(bu, ka) {
                continue;
            }
            let values: Vec<String> = SURVEY_HEADERS
                .iter()
                .map(|h| value(profile, a, p, h))
                .collect();
            rows.push(
                SURVEY_HEADERS
                    .iter()
                    .zip(&values)
                    .map(|(h, v)| match (*h, v.parse::<i64>()) {
                        (header::番号, Ok(n)) => CellValue::Int(n),
                        _ => CellValue::from(v.as_str()),
                    })
                    .collect(),
            );
            issued.push(IssuedRow {
                form_row: rows.len() as u32 + 1,
                register_row: p.row,
                values,
            });
        }
    }
    if rows.is_empty() {
        return None;
    }
    let columns = SURVEY_HEADERS
        .iter()
        .map(|h| column(profile, h, routing))
        .collect();
    let n = rows.len() as u32;
    let mut form = SheetSpec::new(FormKind::Survey.sheet(), columns).with_rows(rows);
    form.input_rows = n + 1;
    form.autofilter = true;
    form.protect = true;
    let record = Provenance {
        kind: FormKind::Survey,
        register_sha256: issue.register_sha256.to_string(),
        issued_on: issue.date,
        department: dept.clone(),
        headers: SURVEY_HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: issued,
    };
    let whose = if routing {
        format!(
            "担当課が決まっていない提案です。{}で担当部・担当課を入力して振り分けてください（評価・コメント・担当者連絡先も入力できます）。",
            profile.identity.office
        )
    } else {
        format!("{}が担当する提案です。", dept.label())
    };
    let guide = guide(&[
        ("この様式", format!("連携事業調査（ガイドライン4④）: 協定を申し出た企業等が提案した連携事業に対する、市のニーズの調査です。{whose}")),
        ("記入する列", "評価・コメント・担当者連絡先（白いセル）を記入します。協定番号・番号・企業等名・連携事項・事業内容は台帳の値で、変更できません（シートの保護はパスワードなしで、誤って変えないためのものです）。".into()),
        (header::評価, format!("ドロップダウンから選びます。{LEGEND}")),
        ("提出", format!("記入したらこのファイルを保存し、{}へ提出してください。シート「{}」は取り込みに使う記録です。消したり変えたりしないでください。", profile.identity.office, super::provenance::SHEET)),
        ("発行", format!("{}（台帳 SHA-256 {}…）", issue.date.wareki(), &issue.register_sha256[..issue.register_sha256.len().min(12)])),
    ]);
    Some(Book {
        sheets: vec![form, guide, record.sheet()],
        title: format!("{}（{}）", FormKind::Survey.label(), dept.label()),
        author: profile.identity.city.clone(),
    })
}

/// The visible explanation sheet of a form.
pub(super) fn guide(rows: &[(&str, String)]) -> SheetSpec {
    let columns = vec![
        Column::new(header::項目, 16.0, Kind::Text).wrap(),
        Column::new("説明", 90.0, Kind::Text).wrap(),
    ];
    let rows = rows
        .iter()
        .map(|(k, v)| vec![CellValue::text(*k), CellValue::text(v.as_str())])
        .collect();
    let mut spec = SheetSpec::new("記入のしかた", columns).with_rows(rows);
    spec.input_rows = 1;
    spec.landscape = false;
    spec.protect = true;
    spec
}
