//! The blank register written by `init`, read back as a user's Excel would see it.

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use kyotei::date::Date;
use kyotei::error::Error;
use kyotei::forms::blank::{self, EXAMPLE_ID, GUIDE_SHEET};
use kyotei::guideline::profile::Profile;
use kyotei::model::sheet;
use kyotei::writer::xlsx::LISTS_SHEET;
use std::io::{Cursor, Read};
use std::path::PathBuf;

fn bytes() -> Vec<u8> {
    blank::init_bytes(&Profile::isesaki()).expect("init workbook")
}

fn workbook(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
    open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("readable xlsx")
}

fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kyotei-init-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The XML of one part of the package.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn sheets_and_headers_follow_the_contract() {
    let b = bytes();
    let mut wb = workbook(&b);
    let mut expected = vec![GUIDE_SHEET.to_string()];
    expected.extend(sheet::SHEETS.iter().map(|s| s.name.to_string()));
    // Isesaki's 13 fields fit Excel's 255-character inline list: no hidden list sheet.
    assert_eq!(wb.sheet_names(), expected);
    assert!(!wb.sheet_names().iter().any(|n| n == LISTS_SHEET));

    for sh in sheet::SHEETS {
        let (name, headers): (&str, Vec<&str>) = (sh.name, sh.headers().collect());
        let range = wb.worksheet_range(name).unwrap();
        let got: Vec<String> = range.rows().next().unwrap().iter().map(text).collect();
        assert_eq!(got, headers, "{name}");
    }
}

#[test]
fn settings_are_prefilled_with_defaults() {
    let b = bytes();
    let mut wb = workbook(&b);
    let range = wb.worksheet_range(sheet::SETTINGS).unwrap();
    let rows: Vec<(String, String)> = range
        .rows()
        .skip(1)
        .map(|r| (text(&r[0]), r.get(1).map(text).unwrap_or_default()))
        .collect();
    let s = Profile::isesaki().settings();
    let keys: Vec<&str> = rows.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, sheet::SETTINGS_KEYS);
    for (k, v) in &rows {
        assert_eq!(Some(v.to_string()), s.value(k), "{k}");
    }
    assert_eq!(rows[1].1, "群馬県伊勢崎市今泉町二丁目410番地");
}

#[test]
fn the_example_agreement_is_on_every_sheet_with_real_dates() {
    let b = bytes();
    let mut wb = workbook(&b);
    // Every sheet but 設定 and the optional 条文 (the example keeps the guideline's model
    // text: no agreed wording).
    for name in sheet::SHEETS[1..]
        .iter()
        .map(|s| s.name)
        .filter(|n| !sheet::is_optional(n))
    {
        let range = wb.worksheet_range(name).unwrap();
        let ids: Vec<String> = range.rows().skip(1).map(|r| text(&r[0])).collect();
        assert!(
            !ids.is_empty() && ids.iter().all(|i| i == EXAMPLE_ID),
            "{name}: {ids:?}"
        );
    }
    let range = wb.worksheet_range(sheet::AGREEMENTS).unwrap();
    let header: Vec<String> = range.rows().next().unwrap().iter().map(text).collect();
    let col = header.iter().position(|h| h == "締結日").unwrap();
    let signed = &range.rows().nth(1).unwrap()[col];
    let Data::DateTime(dt) = signed else {
        panic!("{signed:?}")
    };
    assert_eq!(Date::from_excel_serial(dt.as_f64()), Date::new(2026, 7, 1));

    // Three fields or more, from the guideline's list.
    let p = Profile::isesaki();
    let fields = wb.worksheet_range(sheet::FIELDS).unwrap();
    let names: Vec<String> = fields.rows().skip(1).map(|r| text(&r[1])).collect();
    assert!(names.len() >= p.min_fields.unwrap());
    assert!(names.iter().all(|n| p.fields.contains(n)), "{names:?}");

    let guide = wb.worksheet_range(GUIDE_SHEET).unwrap();
    assert!(guide.rows().any(|r| text(&r[1]).contains("令和8年7月1日")));
}

#[test]
fn writes_identical_bytes_every_time() {
    assert_eq!(bytes(), bytes());
    let core = part(&bytes(), "docProps/core.xml");
    assert!(core.contains("2026-01-01T00:00:00Z"), "{core}");
}

#[test]
fn closed_lists_have_data_validation_and_dates_a_japanese_format() {
    let b = bytes();
    // Sheet order: 説明 is sheet1, then SHEETS in order.
    let index = |name: &str| sheet::SHEETS.iter().position(|s| s.name == name).unwrap() + 2;
    let sheet_xml = |name: &str| part(&b, &format!("xl/worksheets/sheet{}.xml", index(name)));

    let fields = sheet_xml(sheet::FIELDS);
    assert!(fields.contains("<dataValidation"), "連携事項");
    let p = Profile::isesaki();
    assert!(
        fields.contains(&format!("\"{}\"", p.fields.join(","))),
        "{fields}"
    );
    assert!(
        fields.contains("<formula1>'協定'!$A$2:$A$1000</formula1>"),
        "協定番号 from 協定"
    );
    assert!(
        fields.contains(r#"sqref="B2:B1000""#),
        "分野 dropdown on the data rows"
    );

    let reqs = sheet_xml(sheet::REQUIREMENTS);
    assert!(
        reqs.contains("&quot;該当しない,該当する&quot;")
            || reqs.contains("\"該当しない,該当する\""),
        "{reqs}"
    );
    let projects = sheet_xml(sheet::PROJECTS);
    assert!(
        projects.contains(r#"errorStyle="information""#),
        "禁止事業確認 accepts other input"
    );
    assert!(projects.contains("○,×,△"));
    for name in [sheet::AGREEMENTS, sheet::CONTACTS, sheet::PUBLICITY] {
        assert!(sheet_xml(name).contains("<dataValidation"), "{name}");
    }
    assert!(
        sheet_xml(sheet::AGREEMENTS).contains(r#"<pane ySplit="1""#),
        "frozen header"
    );

    let styles = part(&b, "xl/styles.xml");
    assert!(styles.contains("ggge"), "和暦 date format");
    assert!(styles.contains("BIZ UDゴシック"));
}

#[test]
fn write_init_creates_a_new_file_and_never_overwrites() {
    let dir = scratch("write");
    let path = dir.join("台帳.xlsx");
    let p = Profile::isesaki();
    kyotei::run::files::init(&path, &p, false).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), bytes());

    std::fs::write(&path, b"my own register").unwrap();
    match kyotei::run::files::init(&path, &p, false) {
        Err(Error::Exists(x)) => assert_eq!(x, path),
        other => panic!("expected Exists, got {other:?}"),
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"my own register");

    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_new_file_refuses_a_file_that_appeared_in_the_meantime() {
    let dir = scratch("race");
    let path = dir.join("x.xlsx");
    std::fs::write(&path, b"first").unwrap();
    let policy = kyotei::output::file::Policy {
        new_only: true,
        ..Default::default()
    };
    assert!(matches!(
        kyotei::output::file::write(&path, b"second", policy),
        Err(Error::Exists(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), b"first");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
