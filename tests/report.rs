//! The annual report workbook, written with `xlsx::write` and read back with calamine,
//! checked cell by cell on a small register (fiscal year 2026 = 令和8年度).

use crate::common::model::{agreement, d};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use kyotei::date::Date;
use kyotei::guideline::profile::Profile;
use kyotei::model::{FieldRow, Located, Register, Report, Text, sheet};
use kyotei::report::annual;
use kyotei::writer::xlsx;
use std::io::Cursor;

fn loc<T>(value: T, sheet: &'static str, col: u32) -> Located<T> {
    crate::common::model::loc(value, sheet, 2, col)
}

fn text(s: &str, sheet: &'static str, col: u32) -> Text {
    crate::common::model::text(s, sheet, 2, col)
}

/// A result dated by its 終了日 (or, if none, its 開始日 or 報告日).
struct R {
    id: &'static str,
    number: &'static str,
    field: usize,
    starts: Option<Date>,
    ends: Option<Date>,
    reported: Option<Date>,
    participants: Option<u64>,
    cost: Option<u64>,
    name: &'static str,
}

fn result(r: R) -> Report {
    let s = sheet::RESULTS;
    let t = |v: &str, c| Some(text(v, s, c));
    Report {
        row: 2,
        agreement: text(r.id, s, 0),
        number: text(r.number, s, 1),
        field: Some(loc(r.field, s, 2)),
        name: t(r.name, 3),
        starts_on: r.starts.map(|x| loc(x, s, 4)),
        ends_on: r.ends.map(|x| loc(x, s, 5)),
        place: t("市役所", 6),
        content: t("内容", 7),
        participants: r.participants.map(|x| loc(x, s, 8)),
        outcome: t("成果", 9),
        next_steps: None,
        department: t("健康推進部", 11),
        division: t("健康づくり課", 12),
        person: t("上州", 13),
        reported_on: r.reported.map(|x| loc(x, s, 14)),
        city_cost: r.cost.map(|x| loc(x, s, 15)),
    }
}

fn field(id: &str, index: usize) -> FieldRow {
    FieldRow {
        row: 2,
        agreement: text(id, sheet::FIELDS, 0),
        field: loc(index, sheet::FIELDS, 1),
        wording: None,
        wording_cell: kyotei::model::CellRef::new(sheet::FIELDS, 2, 2),
    }
}

const BASE: R = R {
    id: "",
    number: "",
    field: 0,
    starts: None,
    ends: None,
    reported: None,
    participants: None,
    cost: None,
    name: "",
};

/// Five agreements: R8-001 signed in the year with two results in it (and one after it),
/// R2-005 renewed on 1 April and without results for years, R6-010 terminated in the year,
/// R8-002 still in negotiation, R8-003 signed in March and in force from 1 April.
fn small_register() -> Register {
    let mut reg = Register::default();
    reg.agreements.push(agreement(
        "R8-001",
        "株式会社あかぎ商事",
        Some(d(2026, 7, 1)),
    ));
    reg.agreements.push(agreement(
        "R2-005",
        "北関東ガス株式会社",
        Some(d(2021, 10, 1)),
    ));
    let mut c = agreement("R6-010", "株式会社みどり", Some(d(2024, 5, 1)));
    c.terminated_on = Some(loc(d(2026, 12, 31), sheet::AGREEMENTS, 16));
    reg.agreements.push(c);
    reg.agreements
        .push(agreement("R8-002", "ひまわり株式会社", None));
    let mut e = agreement("R8-003", "株式会社はるな", Some(d(2027, 3, 10)));
    e.starts_on = Some(loc(d(2027, 4, 1), sheet::AGREEMENTS, 13));
    reg.agreements.push(e);
    for (id, f) in [
        ("R8-001", 0),
        ("R8-001", 6),
        ("R8-001", 8),
        ("R2-005", 7),
        ("R6-010", 7),
    ] {
        reg.fields.push(field(id, f));
    }
    reg.reports.push(result(R {
        id: "R8-001",
        number: "1",
        field: 0,
        starts: Some(d(2026, 10, 5)),
        ends: Some(d(2026, 10, 5)),
        participants: Some(30),
        cost: Some(0),
        name: "親子ワークショップ",
        ..BASE
    }));
    reg.reports.push(result(R {
        id: "R8-001",
        number: "2",
        field: 6,
        starts: Some(d(2027, 1, 20)),
        participants: Some(120),
        cost: Some(5000),
        name: "防災訓練",
        ..BASE
    }));
    reg.reports.push(result(R {
        id: "R8-001",
        number: "3",
        field: 8,
        reported: Some(d(2027, 4, 10)),
        name: "クールシェア",
        ..BASE
    }));
    reg.reports.push(result(R {
        id: "R2-005",
        number: "1",
        field: 7,
        ends: Some(d(2023, 3, 15)),
        name: "省エネ講座",
        ..BASE
    }));
    reg.reports.push(result(R {
        id: "R6-010",
        number: "1",
        field: 7,
        starts: Some(d(2026, 6, 1)),
        ends: Some(d(2026, 6, 15)),
        participants: Some(15),
        cost: Some(2000),
        name: "植樹活動",
        ..BASE
    }));
    reg
}

type Sheets = Vec<(String, Vec<Vec<String>>)>;

/// Every sheet as rows of strings: text as is, numbers as integers, dates as `D:YYYY-MM-DD`.
fn read_back(bytes: &[u8]) -> (Sheets, Vec<(String, String)>) {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        let (h, w) = range.get_size();
        let rows = (0..h as u32)
            .map(|r| {
                (0..w as u32)
                    .map(|c| match range.get_value((r, c)) {
                        None | Some(Data::Empty) => String::new(),
                        Some(Data::String(s)) => s.clone(),
                        Some(Data::Float(f)) => format!("{f}"),
                        Some(Data::Int(i)) => i.to_string(),
                        Some(Data::DateTime(dt)) => {
                            format!("D:{}", Date::from_excel_serial(dt.as_f64()).unwrap().iso())
                        }
                        Some(other) => format!("{other:?}"),
                    })
                    .collect()
            })
            .collect();
        out.push((name, rows));
    }
    wb.load_tables().unwrap();
    let tables = wb
        .table_names()
        .into_iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| {
            let sheet = wb
                .sheet_names()
                .into_iter()
                .find(|s| wb.table_names_in_sheet(s).iter().any(|x| **x == t))
                .unwrap();
            (t, sheet)
        })
        .collect();
    (out, tables)
}

fn sheet<'a>(sheets: &'a Sheets, name: &str) -> &'a Vec<Vec<String>> {
    &sheets
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("sheet {name}"))
        .1
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

#[test]
fn annual_report_cell_by_cell() {
    let p = Profile::isesaki();
    let reg = small_register();
    let book = annual::annual_report(&reg, &p, 2026);
    let bytes = xlsx::write(&book).unwrap();
    assert_eq!(
        bytes,
        xlsx::write(&annual::annual_report(&reg, &p, 2026)).unwrap(),
        "deterministic bytes"
    );
    assert_eq!(book.title, "伊勢崎市 包括連携協定 年次報告（令和8年度）");
    let (sheets, tables) = read_back(&bytes);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["概要", "協定一覧", "実績一覧", "分野別", "期限管理"]
    );
    // Every list sheet is a real table (with its filter); the summary is not.
    let mut table_sheets: Vec<&str> = tables.iter().map(|(_, s)| s.as_str()).collect();
    table_sheets.sort();
    assert_eq!(table_sheets, ["分野別", "協定一覧", "実績一覧", "期限管理"]);

    // 概要: the counts, results by field, results by month.
    let s = sheet(&sheets, "概要");
    assert_eq!(s[0][0], "令和8年度 概要");
    let counts: Vec<(&str, &str)> = s[1..9]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(
        counts,
        [
            ("有効な協定（令和9年3月31日現在）", "2"),
            ("年度中に締結した協定", "2"),
            ("年度中に自動更新された協定", "2"),
            ("年度中に解除された協定", "1"),
            ("解除の検討対象（8①、令和9年3月31日現在）", "1"),
            ("年度中の連携実績（件）", "3"),
            ("参加者数（年度計・人）", "165"),
            ("市の費用負担額（年度計・円）", "7000"),
        ]
    );
    let fields: Vec<(&str, &str, &str)> = s[1..14]
        .iter()
        .map(|r| (r[3].as_str(), r[4].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(fields[0], ("① 子ども・子育て支援", "1", "30"));
    assert_eq!(fields[6], ("⑦ 防犯・防災", "1", "120"));
    assert_eq!(fields[7], ("⑧ 環境", "1", "15"));
    assert_eq!(
        fields[8],
        ("⑨ 日本一暑さに強いまち", "0", "0"),
        "the April 2027 result is next year's"
    );
    assert_eq!(fields[12], ("⑬ その他", "0", "0"));
    assert_eq!(s.len(), 14, "13 fields, no unfielded row");
    let months: Vec<String> = s[1..13]
        .iter()
        .map(|r| format!("{}={}", r[7], r[8]))
        .collect();
    assert_eq!(
        months,
        [
            "4月=0", "5月=0", "6月=1", "7月=0", "8月=0", "9月=0", "10月=1", "11月=0", "12月=0",
            "1月=1", "2月=0", "3月=0"
        ]
    );

    // 協定一覧: every agreement as on 31 March 2027.
    let s = sheet(&sheets, "協定一覧");
    assert_eq!(
        s[0],
        row(&[
            "協定番号",
            "企業等名",
            "年度末の状態",
            "締結日",
            "有効期間開始日",
            "有効期間満了日",
            "申出期限",
            "解除日",
            "年度内実績",
            "累計実績",
            "最終実績日",
            "解除の検討（8①）"
        ])
    );
    assert_eq!(
        &s[1..],
        [
            row(&[
                "R8-001",
                "株式会社あかぎ商事",
                "有効",
                "D:2026-07-01",
                "D:2026-07-01",
                "D:2027-03-31",
                "D:2027-02-28",
                "",
                "2",
                "2",
                "D:2027-01-20",
                ""
            ]),
            row(&[
                "R2-005",
                "北関東ガス株式会社",
                "有効",
                "D:2021-10-01",
                "D:2026-04-01",
                "D:2027-03-31",
                "D:2027-02-28",
                "",
                "0",
                "1",
                "D:2023-03-15",
                "2年以上連携実績がありません（最終実績: 令和5年3月15日）"
            ]),
            row(&[
                "R6-010",
                "株式会社みどり",
                "解除",
                "D:2024-05-01",
                "D:2026-04-01",
                "D:2026-12-31",
                "",
                "D:2026-12-31",
                "1",
                "1",
                "D:2026-06-15",
                ""
            ]),
            row(&[
                "R8-002",
                "ひまわり株式会社",
                "協議中",
                "",
                "",
                "",
                "",
                "",
                "0",
                "0",
                "",
                ""
            ]),
            row(&[
                "R8-003",
                "株式会社はるな",
                "未発効",
                "D:2027-03-10",
                "D:2027-04-01",
                "D:2028-03-31",
                "D:2028-02-29",
                "",
                "0",
                "0",
                "",
                ""
            ]),
        ]
    );

    // 実績一覧: the year's three results, by date, every column.
    let s = sheet(&sheets, "実績一覧");
    assert_eq!(s.len(), 4);
    assert_eq!(
        s[0],
        row(&[
            "協定番号",
            "企業等名",
            "報告番号",
            "連携事項",
            "事業名",
            "開始日",
            "終了日",
            "実施場所",
            "事業内容",
            "参加者数",
            "成果",
            "課題・今後の予定",
            "担当部",
            "担当課",
            "担当者",
            "報告日",
            "市の費用負担額"
        ])
    );
    assert_eq!(
        s[1],
        row(&[
            "R6-010",
            "株式会社みどり",
            "1",
            "⑧ 環境",
            "植樹活動",
            "D:2026-06-01",
            "D:2026-06-15",
            "市役所",
            "内容",
            "15",
            "成果",
            "",
            "健康推進部",
            "健康づくり課",
            "上州",
            "",
            "2000"
        ])
    );
    assert_eq!(
        (s[2][0].as_str(), s[2][4].as_str(), s[2][9].as_str()),
        ("R8-001", "親子ワークショップ", "30")
    );
    assert_eq!(
        (
            s[3][4].as_str(),
            s[3][5].as_str(),
            s[3][6].as_str(),
            s[3][16].as_str()
        ),
        ("防災訓練", "D:2027-01-20", "", "5000")
    );

    // 分野別: agreements of the year × 13 fields; a field of the agreement shows 0.
    let s = sheet(&sheets, "分野別");
    assert_eq!(s[0].len(), 2 + 13 + 1);
    assert_eq!(s[0][2], "① 子ども・子育て支援");
    assert_eq!(s[0][15], "合計");
    let ids: Vec<&str> = s[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["R8-001", "R2-005", "R6-010", "R8-003"],
        "R8-002 is not signed"
    );
    let counts = |r: &Vec<String>| r[2..].join("|");
    assert_eq!(counts(&s[1]), "1||||||1||0|||||2");
    assert_eq!(counts(&s[2]), "|||||||0||||||0");
    assert_eq!(counts(&s[3]), "|||||||1||||||1");
    assert_eq!(counts(&s[4]), "|||||||||||||0");

    // 期限管理: deadlines of 令和9年度 (April 2027 – March 2028).
    let s = sheet(&sheets, "期限管理");
    assert_eq!(
        s[0],
        row(&[
            "期限日",
            "種別",
            "協定番号",
            "企業等名",
            "有効期間満了日",
            "更新後の満了日",
            "備考"
        ])
    );
    let brief: Vec<String> = s[1..]
        .iter()
        .map(|r| format!("{} {} {}", r[0], r[1], r[2]))
        .collect();
    assert_eq!(
        brief,
        [
            "D:2028-02-29 申出期限 R8-001",
            "D:2028-02-29 申出期限 R2-005",
            "D:2028-02-29 申出期限 R8-003",
            "D:2028-03-31 有効期間満了 R8-001",
            "D:2028-03-31 有効期間満了 R2-005",
            "D:2028-03-31 有効期間満了 R8-003",
        ]
    );
    assert_eq!(s[1][4..6], row(&["D:2028-03-31", "D:2029-03-31"]));
    assert_eq!(
        s[1][6],
        "更新しない場合は、この日までに相手方へ申し出てください（申出がなければ1年間更新されます）。"
    );

    // Nothing private leaks into the report.
    for (_, rows) in &sheets {
        assert!(!rows.iter().flatten().any(|c| c.contains("榛名")));
    }
}

#[test]
fn a_termination_in_the_following_year_is_a_deadline() {
    let p = Profile::isesaki();
    let mut reg = small_register();
    reg.agreements[0].terminated_on = Some(loc(d(2027, 9, 30), sheet::AGREEMENTS, 16));
    let bytes = xlsx::write(&annual::annual_report(&reg, &p, 2026)).unwrap();
    let (sheets, _) = read_back(&bytes);
    let s = sheet(&sheets, "期限管理");
    let brief: Vec<String> = s[1..]
        .iter()
        .map(|r| format!("{} {} {}", r[0], r[1], r[2]))
        .collect();
    assert_eq!(brief[0], "D:2027-09-30 解除予定 R8-001");
    assert!(
        !brief.iter().skip(1).any(|b| b.ends_with("R8-001")),
        "no renewal deadlines after a termination: {brief:?}"
    );
}

#[test]
fn an_empty_register_still_makes_a_workbook() {
    let p = Profile::isesaki();
    let bytes = xlsx::write(&annual::annual_report(&Register::default(), &p, 2027)).unwrap();
    let (sheets, _) = read_back(&bytes);
    assert_eq!(sheet(&sheets, "概要")[0][0], "令和9年度 概要");
    assert_eq!(
        sheet(&sheets, "概要")[1][0],
        "有効な協定（令和10年3月31日現在）"
    );
    assert_eq!(sheet(&sheets, "協定一覧").len(), 1, "headers only");
}

/// A fuller register for the README picture:
/// `cargo test --test report -- --ignored` writes `target/report-sample.xlsx`.
#[test]
#[ignore]
fn write_a_sample_report() {
    let p = Profile::isesaki();
    let mut reg = small_register();
    let extra = [
        ("R8-001", 0, (2026, 5, 12), 25),
        ("R8-001", 0, (2026, 8, 3), 40),
        ("R8-001", 8, (2026, 8, 20), 200),
        ("R8-001", 8, (2026, 7, 25), 150),
        ("R8-001", 6, (2026, 9, 1), 300),
        ("R6-010", 3, (2026, 11, 14), 80),
        ("R6-010", 10, (2026, 11, 30), 60),
        ("R8-001", 9, (2027, 2, 11), 500),
        ("R8-001", 4, (2026, 12, 5), 18),
        ("R8-001", 0, (2027, 3, 20), 35),
    ];
    for (i, (id, f, (y, m, day), n)) in extra.into_iter().enumerate() {
        let number: &'static str = Box::leak(format!("{}", 10 + i).into_boxed_str());
        reg.reports.push(result(R {
            id,
            number,
            field: f,
            ends: Some(d(y, m, day)),
            participants: Some(n),
            name: "連携事業",
            ..BASE
        }));
    }
    let bytes = xlsx::write(&annual::annual_report(&reg, &p, 2026)).unwrap();
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/report-sample.xlsx");
    std::fs::write(&out, bytes).unwrap();
}
