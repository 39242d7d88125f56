//! The annual report workbook (年次報告): a fiscal year of the register in five sheets —
//! `概要` (counts, results by field and by month, two charts), `協定一覧` (every agreement as
//! on 31 March), `実績一覧` (the year's results), `分野別` (agreements × fields) and
//! `期限管理` (notice deadlines and term ends of the following fiscal year).
//!
//! Terms, statuses and reviews come from [`crate::guideline::term`] through [`crate::report::schedule`]; the
//! workbook is an [`xlsx::Book`] (values, not formulas) for [`xlsx::write`], so the
//! same register and year always give the same bytes.

use crate::date::Date;
use crate::guideline::profile::{Profile, circled};
use crate::guideline::term::{self, Status};
use crate::model::{Agreement, AgreementKey, FieldRow, Register, Report};
use crate::report::schedule::{self, short_field_name};
use crate::writer::xlsx::{Book, CellValue, ChartKind, ChartSpec, Column, Kind, SheetSpec};
use std::collections::HashMap;

pub const SUMMARY_SHEET: &str = "概要";
pub const AGREEMENTS_SHEET: &str = "協定一覧";
pub const RESULTS_SHEET: &str = "実績一覧";
pub const FIELDS_SHEET: &str = "分野別";
pub const DEADLINES_SHEET: &str = "期限管理";

/// Width of a date column: `令和10年12月31日` and a margin.
const DATE_WIDTH: f64 = 18.0;
/// Fill of the unused header cells between the blocks of `概要`.
const WHITE: u32 = 0xFFFFFF;

/// The fiscal year (年度) named on the command line: `2026`, `R8`, `令和8年度`, `令和8`,
/// `令和元年度`, `H30` (full-width digits allowed). `None` if it is none of these.
pub fn fiscal_year_arg(s: &str) -> Option<i32> {
    let s: String = crate::text::nfkc(s).split_whitespace().collect();
    let s = s
        .strip_suffix("年度")
        .or_else(|| s.strip_suffix('年'))
        .or_else(|| s.strip_suffix('度'))
        .unwrap_or(&s);
    let number = |t: &str| -> Option<i32> {
        if t == "元" {
            return Some(1);
        }
        if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    // (era name, Latin initial, year before the first year, last era year)
    const ERAS: [(&str, char, i32, i32); 2] = [("令和", 'R', 2018, 9999), ("平成", 'H', 1988, 31)];
    for (name, initial, base, last) in ERAS {
        let rest = s
            .strip_prefix(name)
            .or_else(|| s.strip_prefix(initial))
            .or_else(|| s.strip_prefix(initial.to_ascii_lowercase()));
        if let Some(rest) = rest {
            let n = number(rest)?;
            return (1..=last).contains(&n).then_some(base + n);
        }
    }
    let y = number(s)?;
    (s.len() == 4 && (1900..=9998).contains(&y)).then_some(y)
}

/// `令和8年度` (`令和元年度` for 2019).
pub fn fiscal_year_label(fy: i32) -> String {
    match Date::new(fy, 12, 31).and_then(|d| d.era()) {
        Some((era, 1)) => format!("{era}元年度"),
        Some((era, y)) => format!("{era}{y}年度"),
        None => format!("{fy}年度"),
    }
}

/// `年次報告_令和8年度.xlsx`.
pub fn default_file_name(fy: i32) -> String {
    format!("年次報告_{}.xlsx", fiscal_year_label(fy))
}

/// 1 April of the fiscal year and 31 March of the next calendar year.
pub fn fiscal_bounds(fy: i32) -> (Date, Date) {
    (
        Date::new(fy, 4, 1).expect("1 April exists"),
        Date::new(fy + 1, 3, 31).expect("31 March exists"),
    )
}

/// The fiscal year a result counts in, by its 終了日, else 開始日, else 報告日.
pub fn result_year(r: &Report) -> Option<i32> {
    term::report_date(r).map(Date::fiscal_year)
}

/// A field as a short label: `⑦ 防犯・防災`.
pub fn field_label(profile: &Profile, index: usize) -> String {
    let name = profile.fields.get(index).map_or("", String::as_str);
    let short = if index + 1 == profile.other_field {
        "その他"
    } else {
        short_field_name(name)
    };
    format!("{} {short}", circled(index + 1))
}

/// Everything the sheets are made of, computed once. Lookups by agreement go through maps
/// built here, so the report is linear in the size of the register.
struct Year<'a> {
    reg: &'a Register,
    profile: &'a Profile,
    fy: i32,
    start: Date,
    end: Date,
    /// The register as it stood on 31 March: results dated later left out.
    at_end: Register,
    /// The year's results, by date, then agreement, then row.
    results: Vec<&'a Report>,
    /// The year's results of each agreement (by key), in the order of `results`.
    by_agreement: HashMap<AgreementKey, Vec<&'a Report>>,
    /// Each agreement's position in the register and company name, by key.
    agreements: HashMap<AgreementKey, (usize, &'a str)>,
}

impl<'a> Year<'a> {
    fn new(reg: &'a Register, profile: &'a Profile, fy: i32) -> Year<'a> {
        let (start, end) = fiscal_bounds(fy);
        let mut at_end = reg.clone();
        at_end
            .reports
            .retain(|r| term::report_date(r).is_none_or(|d| d <= end));
        let mut agreements = HashMap::with_capacity(reg.agreements.len());
        for (i, a) in reg.agreements.iter().enumerate() {
            // The first of a duplicated number, as a scan would find it.
            agreements
                .entry(a.key().clone())
                .or_insert((i, a.company.value.as_str()));
        }
        let mut results: Vec<(Option<Date>, usize, u32, AgreementKey, &Report)> = reg
            .reports
            .iter()
            .filter(|r| result_year(r) == Some(fy))
            .map(|r| {
                let k = AgreementKey::of(&r.agreement.value);
                let order = agreements.get(&k).map_or(usize::MAX, |(i, _)| *i);
                (term::report_date(r), order, r.row, k, r)
            })
            .collect();
        results.sort_by_key(|(date, order, row, _, _)| (*date, *order, *row));
        let mut by_agreement: HashMap<AgreementKey, Vec<&Report>> = HashMap::new();
        for (_, _, _, k, r) in &results {
            by_agreement.entry(k.clone()).or_default().push(r);
        }
        Year {
            reg,
            profile,
            fy,
            start,
            end,
            at_end,
            results: results.into_iter().map(|(.., r)| r).collect(),
            by_agreement,
            agreements,
        }
    }

    fn in_year(&self, d: Date) -> bool {
        self.start <= d && d <= self.end
    }

    fn results_of(&self, a: &Agreement) -> impl Iterator<Item = &&'a Report> {
        self.by_agreement
            .get(a.key())
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
    }

    fn company_of(&self, id: &str) -> String {
        self.agreements
            .get(&AgreementKey::of(id))
            .map(|(_, c)| c.to_string())
            .unwrap_or_default()
    }

    /// The position of an agreement in the register (unknown ones last).
    fn order_of(&self, id: &str) -> usize {
        self.agreements
            .get(&AgreementKey::of(id))
            .map_or(usize::MAX, |(i, _)| *i)
    }

    /// Renewed in the year: the term in force on 31 March (or the term in which it was
    /// terminated) began by renewal within the year.
    fn renewed(&self, a: &Agreement) -> bool {
        term::term(&self.at_end, a, self.profile, self.end)
            .is_some_and(|t| t.renewals > 0 && self.in_year(t.current_start))
    }
}

fn counts(y: &Year) -> Vec<(String, i64)> {
    let entries = schedule::schedule(&y.at_end, y.profile, y.end);
    let n = |it: usize| it as i64;
    let agreements = &y.reg.agreements;
    let signed = agreements
        .iter()
        .filter(|a| a.signed_on.as_ref().is_some_and(|d| y.in_year(d.value)))
        .count();
    let terminated = agreements
        .iter()
        .filter(|a| a.terminated_on.as_ref().is_some_and(|d| y.in_year(d.value)))
        .count();
    let participants: u64 = y
        .results
        .iter()
        .filter_map(|r| r.participants.as_ref())
        .map(|p| p.value)
        .sum();
    let cost: u64 = y
        .results
        .iter()
        .filter_map(|r| r.city_cost.as_ref())
        .map(|c| c.value)
        .sum();
    vec![
        (
            format!("有効な協定（{}現在）", y.end.wareki()),
            n(entries.iter().filter(|e| e.status == Status::有効).count()),
        ),
        ("年度中に締結した協定".into(), n(signed)),
        (
            "年度中に自動更新された協定".into(),
            n(agreements.iter().filter(|a| y.renewed(a)).count()),
        ),
        ("年度中に解除された協定".into(), n(terminated)),
        (
            format!("解除の検討対象（8①、{}現在）", y.end.wareki()),
            n(entries.iter().filter(|e| e.review.is_some()).count()),
        ),
        ("年度中の連携実績（件）".into(), n(y.results.len())),
        (
            "参加者数（年度計・人）".into(),
            i64::try_from(participants).unwrap_or(i64::MAX),
        ),
        (
            "市の費用負担額（年度計・円）".into(),
            i64::try_from(cost).unwrap_or(i64::MAX),
        ),
    ]
}

/// The annual report of fiscal year `fy` (April `fy` to March `fy + 1`).
pub fn annual_report(reg: &Register, profile: &Profile, fiscal_year: i32) -> Book {
    let y = Year::new(reg, profile, fiscal_year);
    let city = if reg.settings.city_name.is_empty() {
        profile.identity.city.clone()
    } else {
        reg.settings.city_name.clone()
    };
    Book {
        sheets: vec![
            summary_sheet(&y),
            agreements_sheet(&y),
            results_sheet(&y),
            fields_sheet(&y),
            deadlines_sheet(&y),
        ],
        title: format!(
            "{city} 包括連携協定 年次報告（{}）",
            fiscal_year_label(fiscal_year)
        ),
        author: city,
    }
}

fn int(n: usize) -> CellValue {
    CellValue::Int(n as i64)
}

fn summary_sheet(y: &Year) -> SheetSpec {
    let counts = counts(y);
    let nfields = y.profile.fields.len();
    // Results by field (and those with no field, when there are any).
    let mut by_field: Vec<(String, usize, u64)> = (0..nfields)
        .map(|i| {
            let of = || {
                y.results
                    .iter()
                    .filter(|r| r.field.as_ref().map(|f| f.value) == Some(i))
            };
            (
                field_label(y.profile, i),
                of().count(),
                of().filter_map(|r| r.participants.as_ref())
                    .map(|p| p.value)
                    .sum(),
            )
        })
        .collect();
    let unfielded: Vec<_> = y.results.iter().filter(|r| r.field.is_none()).collect();
    if !unfielded.is_empty() {
        by_field.push((
            "（分野未記入）".into(),
            unfielded.len(),
            unfielded
                .iter()
                .filter_map(|r| r.participants.as_ref())
                .map(|p| p.value)
                .sum(),
        ));
    }
    let by_month: Vec<(String, usize)> = (0..12)
        .map(|i| {
            let first = y.start.add_months(i);
            let count = y
                .results
                .iter()
                .filter_map(|r| term::report_date(r))
                .filter(|d| (d.year, d.month) == (first.year, first.month))
                .count();
            (format!("{}月", first.month), count)
        })
        .collect();

    let blank = || Column::new("", 2.0, Kind::General).header_color(WHITE);
    let columns = vec![
        Column::new(
            format!("{} 概要", fiscal_year_label(y.fy)),
            44.0,
            Kind::Text,
        ),
        Column::new("件数等", 12.0, Kind::Integer),
        blank(),
        Column::new("分野", 30.0, Kind::Text),
        Column::new("実績件数", 10.0, Kind::Integer),
        Column::new("参加者数", 10.0, Kind::Integer),
        blank(),
        Column::new("月", 8.0, Kind::Text),
        Column::new("実績件数", 10.0, Kind::Integer),
    ];
    let nrows = counts.len().max(by_field.len()).max(by_month.len());
    let rows: Vec<Vec<CellValue>> = (0..nrows)
        .map(|i| {
            let mut row = vec![CellValue::Empty; columns.len()];
            if let Some((label, v)) = counts.get(i) {
                row[0] = label.as_str().into();
                row[1] = CellValue::Int(*v);
            }
            if let Some((label, n, p)) = by_field.get(i) {
                row[3] = label.as_str().into();
                row[4] = int(*n);
                row[5] = CellValue::Int(i64::try_from(*p).unwrap_or(i64::MAX));
            }
            if let Some((label, n)) = by_month.get(i) {
                row[7] = label.as_str().into();
                row[8] = int(*n);
            }
            row
        })
        .collect();
    let chart_row = nrows as u32 + 2;
    let mut field_chart = ChartSpec::bar("分野別の連携実績（件）", 3, 4);
    field_chart.rows = Some((1, by_field.len() as u32));
    field_chart.anchor = Some((chart_row, 0));
    field_chart.integer_values = true;
    field_chart.width = 520;
    field_chart.height = 400;
    let mut month_chart = ChartSpec::bar("月別の連携実績（件）", 7, 8);
    month_chart.kind = ChartKind::Column;
    month_chart.rows = Some((1, 12));
    month_chart.anchor = Some((chart_row, 3));
    month_chart.integer_values = true;
    month_chart.width = 600;
    month_chart.height = 400;

    let mut sheet = SheetSpec::new(SUMMARY_SHEET, columns).with_rows(rows);
    sheet.input_rows = 1;
    sheet.charts = vec![field_chart, month_chart];
    sheet.tab_color = Some(0x4472C4);
    sheet.fit_to_page = true;
    sheet
}

fn table(mut sheet: SheetSpec) -> SheetSpec {
    sheet.table = true;
    sheet.input_rows = 1;
    sheet
}

fn agreements_sheet(y: &Year) -> SheetSpec {
    let entries = schedule::schedule(&y.at_end, y.profile, y.end);
    let columns = vec![
        Column::new("協定番号", 12.0, Kind::Text),
        Column::new("企業等名", 30.0, Kind::Text).wrap(),
        Column::new("年度末の状態", 13.0, Kind::Text),
        Column::new("締結日", DATE_WIDTH, Kind::Date),
        Column::new("有効期間開始日", DATE_WIDTH, Kind::Date),
        Column::new("有効期間満了日", DATE_WIDTH, Kind::Date),
        Column::new("申出期限", DATE_WIDTH, Kind::Date),
        Column::new("解除日", DATE_WIDTH, Kind::Date),
        Column::new("年度内実績", 11.0, Kind::Integer),
        Column::new("累計実績", 11.0, Kind::Integer),
        Column::new("最終実績日", DATE_WIDTH, Kind::Date),
        Column::new("解除の検討（8①）", 48.0, Kind::Text).wrap(),
    ];
    let rows = y
        .reg
        .agreements
        .iter()
        .zip(&entries)
        .map(|(a, e)| {
            let total = y.at_end.rows::<Report>(a).count();
            vec![
                a.id.value.as_str().into(),
                a.company.value.as_str().into(),
                e.status.label().into(),
                a.signed_on.as_ref().map(|d| d.value).into(),
                e.term_start.into(),
                e.term_end.into(),
                // The deadline of the term shown, passed or not.
                e.passed_notice_deadline.or(e.notice_deadline).into(),
                a.terminated_on.as_ref().map(|d| d.value).into(),
                int(y.results_of(a).count()),
                int(total),
                e.last_result.into(),
                e.review.clone().into(),
            ]
        })
        .collect();
    table(SheetSpec::new(AGREEMENTS_SHEET, columns).with_rows(rows))
}

fn results_sheet(y: &Year) -> SheetSpec {
    let columns = vec![
        Column::new("協定番号", 12.0, Kind::Text),
        Column::new("企業等名", 24.0, Kind::Text).wrap(),
        Column::new("報告番号", 10.0, Kind::Text),
        Column::new("連携事項", 24.0, Kind::Text).wrap(),
        Column::new("事業名", 28.0, Kind::Text).wrap(),
        Column::new("開始日", DATE_WIDTH, Kind::Date),
        Column::new("終了日", DATE_WIDTH, Kind::Date),
        Column::new("実施場所", 20.0, Kind::Text).wrap(),
        Column::new("事業内容", 40.0, Kind::Text).wrap(),
        Column::new("参加者数", 10.0, Kind::Integer),
        Column::new("成果", 40.0, Kind::Text).wrap(),
        Column::new("課題・今後の予定", 40.0, Kind::Text).wrap(),
        Column::new("担当部", 16.0, Kind::Text),
        Column::new("担当課", 16.0, Kind::Text),
        Column::new("担当者", 14.0, Kind::Text),
        Column::new("報告日", DATE_WIDTH, Kind::Date),
        Column::new("市の費用負担額", 14.0, Kind::Yen),
    ];
    let text = |t: &Option<crate::model::Text>| -> CellValue {
        t.as_ref().map(|x| x.value.as_str()).unwrap_or("").into()
    };
    let date = |d: &Option<crate::model::Located<Date>>| -> CellValue {
        d.as_ref().map(|x| x.value).into()
    };
    let rows = y
        .results
        .iter()
        .map(|r| {
            vec![
                r.agreement.value.as_str().into(),
                y.company_of(&r.agreement.value).into(),
                r.number.value.as_str().into(),
                r.field
                    .as_ref()
                    .map(|f| field_label(y.profile, f.value))
                    .into(),
                text(&r.name),
                date(&r.starts_on),
                date(&r.ends_on),
                text(&r.place),
                text(&r.content),
                r.participants
                    .as_ref()
                    .map(|p| CellValue::Int(i64::try_from(p.value).unwrap_or(i64::MAX)))
                    .unwrap_or(CellValue::Empty),
                text(&r.outcome),
                text(&r.next_steps),
                text(&r.department),
                text(&r.division),
                text(&r.person),
                date(&r.reported_on),
                r.city_cost
                    .as_ref()
                    .map(|c| CellValue::Int(i64::try_from(c.value).unwrap_or(i64::MAX)))
                    .unwrap_or(CellValue::Empty),
            ]
        })
        .collect();
    table(SheetSpec::new(RESULTS_SHEET, columns).with_rows(rows))
}

/// Agreements that count in the year: signed by 31 March and not terminated before 1 April,
/// or with a result in the year.
fn agreements_of_year<'a>(y: &'a Year) -> impl Iterator<Item = &'a Agreement> + 'a {
    y.reg.agreements.iter().filter(move |a| {
        let signed = a.signed_on.as_ref().is_some_and(|d| d.value <= y.end);
        let gone = a.terminated_on.as_ref().is_some_and(|d| d.value < y.start);
        (signed && !gone) || y.results_of(a).next().is_some()
    })
}

fn fields_sheet(y: &Year) -> SheetSpec {
    let nfields = y.profile.fields.len();
    let mut columns = vec![
        Column::new("協定番号", 12.0, Kind::Text),
        Column::new("企業等名", 26.0, Kind::Text).wrap(),
    ];
    for i in 0..nfields {
        columns.push(Column::new(field_label(y.profile, i), 12.0, Kind::Integer));
    }
    columns.push(Column::new("合計", 8.0, Kind::Integer));
    let rows = agreements_of_year(y)
        .map(|a| {
            let agreed: Vec<usize> = y.reg.rows::<FieldRow>(a).map(|f| f.field.value).collect();
            let mut row: Vec<CellValue> =
                vec![a.id.value.as_str().into(), a.company.value.as_str().into()];
            for i in 0..nfields {
                let n = y
                    .results_of(a)
                    .filter(|r| r.field.as_ref().map(|f| f.value) == Some(i))
                    .count();
                // A field of the agreement shows 0; a field it does not have stays blank.
                row.push(if n > 0 || agreed.contains(&i) {
                    int(n)
                } else {
                    CellValue::Empty
                });
            }
            row.push(int(y.results_of(a).count()));
            row
        })
        .collect();
    let mut sheet = table(SheetSpec::new(FIELDS_SHEET, columns).with_rows(rows));
    sheet.freeze_header = true;
    sheet
}

/// One deadline of the following fiscal year.
struct Deadline {
    date: Date,
    kind: &'static str,
    agreement: String,
    company: String,
    term_end: Date,
    next_end: Option<Date>,
    note: String,
}

/// Notice deadlines, term ends and scheduled terminations from 1 April of `fy + 1` to
/// 31 March of `fy + 2`, by date.
fn next_year_deadlines(y: &Year) -> Vec<Deadline> {
    let (start, end) = fiscal_bounds(y.fy + 1);
    let inside = |d: Date| start <= d && d <= end;
    let mut out = Vec::new();
    for a in &y.reg.agreements {
        let terminated = a.terminated_on.as_ref().map(|d| d.value);
        if let Some(day) = terminated.filter(|&d| inside(d)) {
            out.push(Deadline {
                date: day,
                kind: "解除予定",
                agreement: a.id.value.clone(),
                company: a.company.value.clone(),
                term_end: day,
                next_end: None,
                note: "解除日として台帳に記録されています。".into(),
            });
        }
        let mut day = start;
        for _ in 0..1000 {
            let Some(t) = term::term(y.reg, a, y.profile, day) else {
                break;
            };
            if t.status == Status::解除 {
                break;
            }
            let alive = |d: Date| terminated.is_none_or(|x| x > d);
            let m = crate::guideline::words::months(y.profile.term.renewal_months);
            if inside(t.notice_deadline) && alive(t.current_end) {
                out.push(Deadline {
                    date: t.notice_deadline,
                    kind: "申出期限",
                    agreement: a.id.value.clone(),
                    company: a.company.value.clone(),
                    term_end: t.current_end,
                    next_end: Some(t.next_end),
                    note: format!("更新しない場合は、この日までに相手方へ申し出てください（申出がなければ{m}間更新されます）。"),
                });
            }
            if inside(t.current_end) && alive(t.current_end) {
                out.push(Deadline {
                    date: t.current_end,
                    kind: "有効期間満了",
                    agreement: a.id.value.clone(),
                    company: a.company.value.clone(),
                    term_end: t.current_end,
                    next_end: Some(t.next_end),
                    note: format!("申出がなければ、翌日から{m}間更新されます。"),
                });
            }
            if t.current_end >= end {
                break;
            }
            day = t.current_end.add_days(1);
        }
    }
    out.sort_by_key(|d| (d.date, y.order_of(&d.agreement), d.kind != "申出期限"));
    out
}

fn deadlines_sheet(y: &Year) -> SheetSpec {
    let columns = vec![
        Column::new("期限日", DATE_WIDTH, Kind::Date),
        Column::new("種別", 14.0, Kind::Text),
        Column::new("協定番号", 12.0, Kind::Text),
        Column::new("企業等名", 30.0, Kind::Text).wrap(),
        Column::new("有効期間満了日", DATE_WIDTH, Kind::Date),
        Column::new("更新後の満了日", DATE_WIDTH, Kind::Date),
        Column::new("備考", 50.0, Kind::Text).wrap(),
    ];
    let rows = next_year_deadlines(y)
        .into_iter()
        .map(|d| {
            vec![
                d.date.into(),
                d.kind.into(),
                d.agreement.into(),
                d.company.into(),
                d.term_end.into(),
                d.next_end.into(),
                d.note.into(),
            ]
        })
        .collect();
    table(SheetSpec::new(DEADLINES_SHEET, columns).with_rows(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fiscal_years() {
        for s in [
            "2026",
            "R8",
            "r8",
            "令和8年度",
            "令和8",
            "令和８年度",
            " R8 ",
            "2026年度",
        ] {
            assert_eq!(fiscal_year_arg(s), Some(2026), "{s}");
        }
        assert_eq!(fiscal_year_arg("令和元年度"), Some(2019));
        assert_eq!(fiscal_year_arg("H30"), Some(2018));
        for s in ["", "R", "令和", "8", "H32", "R0", "20266", "来年度", "R8.4"] {
            assert_eq!(fiscal_year_arg(s), None, "{s}");
        }
    }

    #[test]
    fn names_the_year() {
        assert_eq!(fiscal_year_label(2026), "令和8年度");
        assert_eq!(fiscal_year_label(2019), "令和元年度");
        assert_eq!(fiscal_year_label(2018), "平成30年度");
        assert_eq!(default_file_name(2026), "年次報告_令和8年度.xlsx");
    }
}
