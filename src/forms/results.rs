//! 実績報告 (guideline 6): an empty table of the `実績` sheet's columns for a department to
//! report its finished 連携事業 — dropdowns of its agreements in force and their 連携事項,
//! date-checked date columns, whole numbers for 参加者数 and 市の費用負担額 — and one filled
//! example row (協定番号 [`EXAMPLE`]) that `collect` ignores. 報告番号 is not asked: `collect`
//! gives each report the next number of its agreement.

use super::provenance::{IssuedRow, Provenance};
use super::survey::{Issue, guide};
use super::{Department, FormKind};
use crate::guideline::profile::Profile;
use crate::model::{Agreement, FieldRow, Register, header, sheet};
use crate::writer::xlsx::{Book, CellValue, Column, Kind, ListSpec, SheetSpec, Strictness};

/// The 協定番号 of the example row.
pub const EXAMPLE: &str = "記入例";
/// The rows offered for typing.
const INPUT_ROWS: u32 = 300;
/// The example row's fill (light grey).
const EXAMPLE_FILL: u32 = 0xEDEDED;

/// The headers of the form: the `実績` sheet's, without 報告番号.
pub fn headers() -> Vec<&'static str> {
    sheet::sheet(sheet::RESULTS)
        .expect("実績 is in the column table")
        .headers()
        .filter(|h| *h != header::報告番号)
        .collect()
}

/// The results form of `dept` over `agreements` (those in force that it has 連携事業 of),
/// `None` when it has none.
pub fn results(
    reg: &Register,
    profile: &Profile,
    agreements: &[&Agreement],
    dept: &Department,
    issue: Issue<'_>,
) -> Option<Book> {
    let mine: Vec<&Agreement> = agreements
        .iter()
        .copied()
        .filter(|a| {
            reg.rows::<crate::model::Project>(a).any(|p| {
                dept.is(
                    p.department.as_ref().map(|t| t.value.as_str()),
                    p.division.as_ref().map(|t| t.value.as_str()),
                )
            })
        })
        .collect();
    if mine.is_empty() || dept.is_unassigned() {
        return None;
    }
    let fields_of = |a: &Agreement| -> Vec<String> {
        reg.rows::<FieldRow>(a)
            .filter_map(|f| profile.fields.get(f.field.value).cloned())
            .collect()
    };
    let mut all_fields: Vec<String> = Vec::new();
    for a in &mine {
        for f in fields_of(a) {
            if !all_fields.contains(&f) {
                all_fields.push(f);
            }
        }
    }
    // Keep the profile's order.
    all_fields.sort_by_key(|f| profile.fields.iter().position(|p| p == f));
    let heads = headers();
    let columns: Vec<Column> = heads
        .iter()
        .map(|h| {
            let c = sheet::column(sheet::RESULTS, h).expect("実績 header");
            let mut col = super::blank::column(profile, sheet::RESULTS, c).open();
            col.header_color = None;
            match *h {
                header::協定番号 => {
                    col.list = Some(ListSpec::items(
                        mine.iter().map(|a| a.id.value.clone()),
                        Strictness::Stop,
                    ));
                    col.note = Some("ドロップダウンから協定番号を選びます（協定一覧シートに企業等名と連携事項があります）。".into());
                }
                header::連携事項 => {
                    col.list = Some(ListSpec::items(all_fields.clone(), Strictness::Stop));
                    col.note = Some("その協定の連携事項から選びます（協定一覧シート）。".into());
                }
                _ => {}
            }
            if matches!(col.kind, Kind::Date | Kind::Integer | Kind::Yen) {
                col = col.checked();
            }
            col
        })
        .collect();
    let example = example_row(&heads, profile, dept, all_fields.first(), issue);
    let mut form = SheetSpec::new(FormKind::Results.sheet(), columns).with_rows(vec![example]);
    form.input_rows = INPUT_ROWS;
    form.protect = true;
    form.row_fill = Some((vec![0], EXAMPLE_FILL));

    // The agreements offered, with their fields: a protected list to look at.
    let list_cols = vec![
        Column::new(header::協定番号, 12.0, Kind::Text),
        Column::new(header::企業等名, 28.0, Kind::Text),
        Column::new(header::連携事項, 44.0, Kind::Text).wrap(),
    ];
    let mut list_rows = Vec::new();
    let mut issued = vec![IssuedRow {
        form_row: 2,
        register_row: 0,
        values: vec![EXAMPLE.into()],
    }];
    for a in &mine {
        // The record keeps only the agreements offered (the list beside the form shows their
        // names and fields; a reply is read without it).
        issued.push(IssuedRow {
            form_row: 0,
            register_row: a.row,
            values: vec![a.id.value.clone()],
        });
        list_rows.push(vec![
            CellValue::text(a.id.value.as_str()),
            CellValue::text(a.company.value.as_str()),
            CellValue::text(fields_of(a).join("\n")),
        ]);
    }
    let mut list = SheetSpec::new("協定一覧", list_cols).with_rows(list_rows);
    list.input_rows = 1;
    list.protect = true;
    list.autofilter = true;
    let record = Provenance {
        kind: FormKind::Results,
        register_sha256: issue.register_sha256.to_string(),
        issued_on: issue.date,
        department: dept.clone(),
        headers: vec![header::協定番号.into()],
        rows: issued,
    };
    let guide = guide(&[
        (
            "この様式",
            format!(
                "実績報告（ガイドライン6、実績報告書）: {}が担当した連携事業が終了したら、1行に1事業を記入します。",
                dept.label()
            ),
        ),
        (
            "記入のしかた",
            format!(
                "2行目（灰色）は記入例です。3行目から記入してください（記入例の行は取り込みません）。協定番号と連携事項はドロップダウンから選びます。日付は 2026/7/1 のように、参加者数と市の費用負担額は整数で入力します。担当部・担当課が空欄の行は{}として取り込みます。報告番号は取り込むときに協定ごとの続きの番号を付けます。",
                dept.label()
            ),
        ),
        (
            "提出",
            format!(
                "記入したらこのファイルを保存し、{}へ提出してください。シート「{}」は取り込みに使う記録です。消したり変えたりしないでください。",
                profile.identity.office,
                super::provenance::SHEET
            ),
        ),
        ("発行", issue.date.wareki()),
    ]);
    Some(Book {
        sheets: vec![form, list, guide, record.sheet()],
        title: format!("{}（{}）", FormKind::Results.label(), dept.label()),
        author: profile.identity.city.clone(),
    })
}

fn example_row(
    heads: &[&str],
    profile: &Profile,
    dept: &Department,
    field: Option<&String>,
    issue: Issue<'_>,
) -> Vec<CellValue> {
    let _ = profile;
    let d = issue.date;
    heads
        .iter()
        .map(|h| match *h {
            header::協定番号 => CellValue::text(EXAMPLE),
            header::連携事項 => field.map_or(CellValue::Empty, |f| CellValue::text(f.as_str())),
            header::事業名 => CellValue::text("（記入例）親子料理教室"),
            header::開始日 | header::終了日 => CellValue::Date(d),
            header::実施場所 => CellValue::text("市民プラザ"),
            header::事業内容 => CellValue::text("親子を対象に料理教室を開催した。"),
            header::参加者数 => CellValue::Int(24),
            header::成果 => CellValue::text("参加者の9割が「また参加したい」と回答した。"),
            header::課題今後の予定 => CellValue::text("来年度も開催を検討する。"),
            header::担当部 => CellValue::text(dept.bu.as_str()),
            header::担当課 => CellValue::text(dept.ka.as_str()),
            header::担当者 => CellValue::text("○○"),
            header::報告日 => CellValue::Date(d),
            header::市の費用負担額 => CellValue::Int(0),
            _ => CellValue::Empty,
        })
        .collect()
}
