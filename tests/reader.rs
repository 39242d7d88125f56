//! The workbook reader end to end: workbooks built with rust_xlsxwriter (and hostile files
//! built by hand) go through `xlsx_in` and `register`; every input problem must name its cell.

use crate::common::model::d as date;
use crate::common::reader_fixtures;

use kyotei::error::Error;
use kyotei::finding::{Finding, Severity};
use kyotei::guideline::profile::Profile;
use kyotei::input::register;
use kyotei::input::xlsx::{self, Limits, Value};
use kyotei::model::{Evaluation, Party, ProhibitedCheck, Register, SealStyle, YesNo, sheet};
use reader_fixtures::{Book, C, padded_sheet_xml, rewrite_zip, rewrite_zip_streaming, s, serial};
use std::path::{Path, PathBuf};

fn read(book: &Book) -> kyotei::error::Result<(Register, Vec<Finding>)> {
    let sheets = xlsx::read_bytes(&book.bytes(), &Limits::default())?;
    register::from_sheets(sheets, &Profile::isesaki())
}

fn ok(book: &Book) -> (Register, Vec<Finding>) {
    read(book).unwrap_or_else(|e| panic!("read failed: {e:?}"))
}

fn structure(book: &Book) -> Vec<Finding> {
    match read(book) {
        Err(Error::Structure(f)) => f,
        other => panic!("expected a structure error, got {other:?}"),
    }
}

/// The finding about a cell; fails if there is none.
fn at<'a>(findings: &'a [Finding], cell: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| f.cell.as_deref() == Some(cell))
        .unwrap_or_else(|| panic!("no finding at {cell}: {findings:#?}"))
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reader-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn unreadable(path: &Path) -> String {
    match register::read(path, &Profile::isesaki()) {
        Err(Error::Unreadable { reason, .. }) => reason,
        other => panic!("expected Unreadable, got {other:?}"),
    }
}

#[test]
fn reads_every_sheet_of_the_example() {
    let path = temp_file("example.xlsx", &Book::example().bytes());
    let (r, findings) = register::read(&path, &Profile::isesaki()).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");

    assert_eq!(r.settings.mayor_name, "伊勢崎 一郎");
    assert_eq!(r.settings.office_phone, "0270-27-0000");
    assert_eq!(
        r.settings.city_name, "伊勢崎市",
        "unset keys keep their default"
    );

    assert_eq!(r.agreements.len(), 1);
    let a = &r.agreements[0];
    assert_eq!(a.row, 2);
    assert_eq!(a.id.value, "R8-001");
    assert_eq!(a.id.cell.to_string(), "協定!A2");
    assert_eq!(a.company.value, "株式会社サンプル");
    assert_eq!(
        a.contact_phone.as_ref().unwrap().value,
        "270000000",
        "a number in a text column has no .0"
    );
    assert_eq!(a.applied_on.as_ref().unwrap().value, date(2026, 3, 1));
    assert_eq!(a.signed_on.as_ref().unwrap().value, date(2026, 4, 1));
    assert_eq!(a.signed_on.as_ref().unwrap().cell.to_string(), "協定!M2");
    assert_eq!(a.seal, SealStyle::記名押印);
    assert!(a.ends_on.is_none() && a.terminated_on.is_none());

    let q = &r.requirements[0];
    assert_eq!(q.checked_on.as_ref().unwrap().value, date(2026, 3, 15));
    assert_eq!(q.willing.as_ref().unwrap().value, YesNo::はい);
    assert!(q.disqualifications.iter().all(|d| d.is_some()));

    assert_eq!(
        r.fields.iter().map(|f| f.field.value).collect::<Vec<_>>(),
        vec![0, 6, 9]
    );
    assert_eq!(r.fields[2].row, 4);

    let p = &r.projects[0];
    assert_eq!(p.number.as_ref().unwrap().value, 1);
    assert_eq!(p.field.as_ref().unwrap().value, 0);
    assert_eq!(p.evaluation.as_ref().unwrap().value, Evaluation::Feasible);
    assert!(!p.city_pays.value);
    assert_eq!(p.prohibited.as_ref().unwrap().value, ProhibitedCheck::None);

    assert_eq!(
        r.memo[0].division.as_ref().unwrap().value,
        "長寿社会部高齢政策課"
    );
    assert_eq!(r.publicity[0].copies.as_ref().unwrap().value, 100);
    assert_eq!(
        r.contacts.iter().map(|c| c.party.value).collect::<Vec<_>>(),
        vec![Party::市, Party::企業等]
    );

    let rep = &r.reports[0];
    assert_eq!(rep.number.value, "1");
    assert_eq!(rep.field.as_ref().unwrap().value, 6);
    assert_eq!(rep.starts_on.as_ref().unwrap().value, date(2026, 5, 10));
    assert_eq!(rep.ends_on.as_ref().unwrap().value, date(2026, 5, 10));
    assert_eq!(rep.participants.as_ref().unwrap().value, 120);
    assert_eq!(rep.reported_on.as_ref().unwrap().value, date(2026, 5, 20));
    assert_eq!(rep.city_cost.as_ref().unwrap().value, 0);
}

#[test]
fn headers_in_another_order_and_extra_columns_and_sheets_are_fine() {
    let mut b = Book::example();
    for sh in &mut b.sheets {
        sh.headers.reverse();
        sh.headers.insert(1, "メモ".into());
        if let Some(row) = sh.rows.first_mut() {
            row.insert("メモ".into(), s("自由記入"));
        }
    }
    b.sheets.insert(0, Book::empty().sheets[1].clone());
    b.sheets[0].name = "説明".into();
    b.sheets.reverse();
    let (r, findings) = ok(&b);
    assert!(findings.is_empty(), "{findings:#?}");
    let (plain, _) = ok(&Book::example());
    assert_eq!(
        r.agreements[0].company.value,
        plain.agreements[0].company.value
    );
    assert_eq!(
        r.agreements[0].signed_on.as_ref().unwrap().value,
        date(2026, 4, 1)
    );
    // 締結日 is the 13th of 21 headers: reversed it is the 9th, then メモ pushes it to J.
    assert_eq!(
        r.agreements[0].signed_on.as_ref().unwrap().cell.to_string(),
        "協定!J2"
    );
    assert_eq!(r.projects.len(), 1);
    assert_eq!(r.reports[0].participants.as_ref().unwrap().value, 120);
    assert_eq!(r.settings, plain.settings);
    assert_eq!(r.fields.len(), 3);
    assert_eq!(r.contacts.len(), 2);
}

#[test]
fn settings_sheet_is_optional() {
    let mut b = Book::example();
    b.remove_sheet(sheet::SETTINGS);
    let (r, _) = ok(&b);
    assert_eq!(r.settings, Profile::isesaki().settings());
}

#[test]
fn a_missing_sheet_is_named_and_a_near_miss_suggested() {
    let mut b = Book::example();
    b.remove_sheet(sheet::RESULTS);
    b.sheet(sheet::PROJECTS).name = "連係事業".into();
    let f = structure(&b);
    assert_eq!(f.len(), 2, "{f:#?}");
    assert!(
        f.iter()
            .all(|f| f.rule.code() == "入力" && f.severity == Severity::Error)
    );
    assert!(
        f.iter().any(|f| f.message == "シート「実績」がありません"),
        "{f:#?}"
    );
    assert!(
        f.iter()
            .any(|f| f.message.contains("シート「連携事業」がありません")
                && f.message
                    .contains("「連係事業」は「連携事業」の誤りではありませんか")),
        "{f:#?}"
    );
}

#[test]
fn a_missing_column_is_named_and_a_near_miss_suggested() {
    let mut b = Book::example();
    b.rename_header(sheet::AGREEMENTS, "締結日", "締結曰");
    b.sheet(sheet::MEMO).headers.retain(|h| h != "担当課");
    let f = structure(&b);
    assert_eq!(f.len(), 2, "{f:#?}");
    let near = at(&f, "協定!M1");
    assert!(
        near.message.contains("列「締結日」がありません"),
        "{near:?}"
    );
    assert!(
        near.message
            .contains("「締結曰」は「締結日」の誤りではありませんか"),
        "{near:?}"
    );
    let plain = f.iter().find(|f| f.cell.is_none()).unwrap();
    assert_eq!(
        plain.message,
        "シート「申し合わせ」に列「担当課」がありません"
    );
}

#[test]
fn headers_match_by_nfkc_and_trimmed() {
    let mut b = Book::example();
    b.rename_header(sheet::REQUIREMENTS, "3(1)意欲", " ３（１）意欲　");
    b.set(sheet::REQUIREMENTS, 0, " ３（１）意欲　", s("はい"));
    let (r, findings) = ok(&b);
    assert!(findings.is_empty(), "{findings:#?}");
    assert_eq!(
        r.requirements[0].willing.as_ref().unwrap().value,
        YesNo::はい
    );
}

#[test]
fn every_date_form_of_the_contract_is_read() {
    let mut b = Book::example();
    let forms = [
        C::D(serial(2026, 4, 1)),
        C::N(serial(2026, 4, 1)),
        s("2026-04-01"),
        s("2026/4/1"),
        s("2026年4月1日"),
        s("令和8年4月1日"),
        s("R8.4.1"),
        s("２０２６/４/１"),
        s(" 令和８年４月１日 "),
    ];
    for (i, c) in forms.iter().enumerate() {
        if i > 0 {
            b.add(
                sheet::AGREEMENTS,
                &[
                    ("協定番号", s(&format!("R8-{i:03}"))),
                    ("企業等名", s("株式会社テスト")),
                ],
            );
        }
        b.set(sheet::AGREEMENTS, i, "締結日", c.clone());
    }
    b.add(
        sheet::AGREEMENTS,
        &[
            ("協定番号", s("R1-001")),
            ("企業等名", s("元年商事")),
            ("締結日", s("令和元年5月1日")),
            ("解除日", s("平成31年4月30日")),
        ],
    );
    let (r, findings) = ok(&b);
    assert!(findings.is_empty(), "{findings:#?}");
    for a in &r.agreements[..forms.len()] {
        assert_eq!(
            a.signed_on.as_ref().unwrap().value,
            date(2026, 4, 1),
            "row {}",
            a.row
        );
    }
    let last = r.agreements.last().unwrap();
    assert_eq!(last.signed_on.as_ref().unwrap().value, date(2019, 5, 1));
    assert_eq!(
        last.terminated_on.as_ref().unwrap().value,
        date(2019, 4, 30)
    );
}

#[test]
fn impossible_and_unreadable_dates_name_their_cell() {
    let mut b = Book::example();
    b.set(sheet::AGREEMENTS, 0, "締結日", s("令和8年2月30日"));
    b.set(sheet::AGREEMENTS, 0, "解除日", s("平成32年1月1日"));
    b.set(sheet::AGREEMENTS, 0, "申出日", s("来年の春"));
    b.set(sheet::RESULTS, 0, "開始日", C::N(99_999_999.0));
    let (r, findings) = ok(&b);
    let a = &r.agreements[0];
    assert!(a.signed_on.is_none() && a.terminated_on.is_none() && a.applied_on.is_none());
    assert_eq!(a.company.value, "株式会社サンプル", "reading went on");
    let f = at(&findings, "協定!M2");
    assert!(f.message.contains("存在しない日付"), "{f:?}");
    assert_eq!(
        (f.severity, f.rule.code(), f.agreement.as_deref()),
        (Severity::Error, "入力", Some("R8-001"))
    );
    let f = at(&findings, "協定!Q2");
    assert!(
        f.message.contains("平成は31年（2019年4月30日）までです"),
        "{f:?}"
    );
    let f = at(&findings, "協定!I2");
    assert!(
        f.message.contains("「来年の春」は日付として読めません"),
        "{f:?}"
    );
    assert!(f.hint.contains("R8.4.1"));
    let f = at(&findings, "実績!E2");
    assert!(f.message.contains("日付として読めません"), "{f:?}");
    assert!(r.reports[0].starts_on.is_none());
    assert_eq!(findings.len(), 4, "{findings:#?}");
}

#[test]
fn fields_accept_marks_and_a_missing_full_stop_and_suggest_near_misses() {
    let mut b = Book::example();
    b.set(
        sheet::FIELDS,
        0,
        "分野",
        s("⑩シティプロモーションに関すること。"),
    );
    b.set(sheet::FIELDS, 1, "分野", s("ｼﾃｨﾌﾟﾛﾓｰｼｮﾝに関すること"));
    b.set(
        sheet::FIELDS,
        2,
        "分野",
        s("シニアプロモーションに関すること。"),
    );
    b.set(
        sheet::PROJECTS,
        0,
        "連携事項",
        s("①シティプロモーションに関すること。"),
    );
    let (r, findings) = ok(&b);
    assert_eq!(
        r.fields.iter().map(|f| f.field.value).collect::<Vec<_>>(),
        vec![9, 9],
        "the bad row is skipped"
    );
    let f = at(&findings, "連携事項!B4");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message
            .contains("「シティプロモーションに関すること。」の誤りではありませんか"),
        "{f:?}"
    );
    assert_eq!(f.agreement.as_deref(), Some("R8-001"));
    // A mark that disagrees with the name: the name wins, with a warning.
    assert_eq!(r.projects[0].field.as_ref().unwrap().value, 9);
    let w = at(&findings, "連携事業!C2");
    assert_eq!(w.severity, Severity::Warning);
    assert_eq!(findings.len(), 2, "{findings:#?}");
}

#[test]
fn closed_lists_accept_variants_and_suggest_near_misses() {
    let mut b = Book::example();
    b.set(sheet::PROJECTS, 0, "評価", s("〇"));
    b.set(sheet::PROJECTS, 0, "市の費用負担", s("あり"));
    b.set(sheet::PROJECTS, 0, "禁止事業確認", s("①、③"));
    for (eval, prohibited) in [("ｘ", "1,3"), ("✕", "①③"), ("△", "該当なし"), ("", "")]
    {
        b.add(
            sheet::PROJECTS,
            &[
                ("協定番号", s("R8-001")),
                ("事業内容", s("追加")),
                ("評価", s(eval)),
                ("禁止事業確認", s(prohibited)),
            ],
        );
    }
    b.add(
        sheet::PROJECTS,
        &[
            ("協定番号", s("R8-001")),
            ("評価", s("◎")),
            ("市の費用負担", s("有り")),
            ("禁止事業確認", s("該当無し")),
        ],
    );
    b.set(sheet::REQUIREMENTS, 0, "3(1)意欲", s("いいえ"));
    b.set(sheet::REQUIREMENTS, 0, "3(3)継続的対話", s("はいい"));
    b.set(sheet::AGREEMENTS, 0, "押印方式", s(""));
    b.set(sheet::CONTACTS, 1, "当事者", s("会社"));
    let (r, findings) = ok(&b);
    let p: Vec<_> = r
        .projects
        .iter()
        .map(|p| (p.evaluation.as_ref().map(|e| e.value), p.city_pays.value))
        .collect();
    assert_eq!(
        p,
        vec![
            (Some(Evaluation::Feasible), true),
            (Some(Evaluation::Infeasible), false),
            (Some(Evaluation::Infeasible), false),
            (Some(Evaluation::Adjust), false),
            (None, false),
            (None, false),
        ]
    );
    let pro: Vec<_> = r
        .projects
        .iter()
        .map(|p| p.prohibited.as_ref().map(|x| x.value.clone()))
        .collect();
    let both = Some(ProhibitedCheck::Applies(vec![1, 3]));
    assert_eq!(
        pro,
        vec![
            both.clone(),
            both.clone(),
            both,
            Some(ProhibitedCheck::None),
            None,
            None
        ]
    );
    assert_eq!(
        r.agreements[0].seal,
        SealStyle::署名捺印,
        "blank means 署名捺印"
    );
    assert_eq!(
        r.requirements[0].willing.as_ref().unwrap().value,
        YesNo::いいえ
    );
    assert!(r.requirements[0].dialogue.is_none());
    assert_eq!(
        r.contacts.len(),
        1,
        "a contact without a valid party is skipped"
    );

    assert!(at(&findings, "連携事業!E7").message.contains("「◎」"));
    assert!(
        at(&findings, "連携事業!J7")
            .message
            .contains("「なし／あり」")
            || at(&findings, "連携事業!J7").message.contains("なし／あり")
    );
    assert!(
        at(&findings, "連携事業!K7")
            .message
            .contains("「該当なし」の誤りではありませんか")
    );
    assert!(
        at(&findings, "要件確認!E2")
            .message
            .contains("「はい」の誤りではありませんか")
    );
    assert!(at(&findings, "担当窓口!B3").message.contains("「会社」"));
    assert_eq!(findings.len(), 5, "{findings:#?}");
}

#[test]
fn numbers_must_be_whole() {
    let mut b = Book::example();
    b.set(sheet::PROJECTS, 0, "番号", s("2.5"));
    b.set(sheet::PUBLICITY, 0, "部数", s("１,０００"));
    b.set(sheet::RESULTS, 0, "参加者数", C::N(12.5));
    b.set(sheet::RESULTS, 0, "市の費用負担額", C::N(-100.0));
    let (r, findings) = ok(&b);
    assert!(r.projects[0].number.is_none());
    assert_eq!(r.publicity[0].copies.as_ref().unwrap().value, 1000);
    assert!(r.reports[0].participants.is_none() && r.reports[0].city_cost.is_none());
    assert!(
        at(&findings, "連携事業!B2")
            .message
            .contains("「2.5」は0以上の整数ではありません")
    );
    assert!(at(&findings, "実績!I2").message.contains("12.5"));
    assert!(at(&findings, "実績!P2").message.contains("-100"));
    assert_eq!(findings.len(), 3, "{findings:#?}");
}

#[test]
fn control_characters_are_removed_with_a_warning_naming_the_cell() {
    let mut b = Book::example();
    b.set(sheet::AGREEMENTS, 0, "企業等名", s("株式会社\u{7}サンプル"));
    b.set(
        sheet::AGREEMENTS,
        0,
        "目的",
        s("\t子育て支援、\u{202E}防災"),
    );
    b.set(sheet::AGREEMENTS, 0, "申出目的", s("一行目\r\n二行目"));
    let (r, findings) = ok(&b);
    let a = &r.agreements[0];
    assert_eq!(a.company.value, "株式会社サンプル");
    assert_eq!(a.purpose.as_ref().unwrap().value, "子育て支援、防災");
    assert_eq!(
        a.apply_purpose.as_ref().unwrap().value,
        "一行目\n二行目",
        "CRLF is a plain line break"
    );
    let w = at(&findings, "協定!B2");
    assert_eq!((w.severity, w.rule.code()), (Severity::Warning, "入力"));
    assert!(w.message.contains("制御文字"));
    at(&findings, "協定!L2");
    assert_eq!(findings.len(), 2, "{findings:#?}");
}

#[test]
fn formula_cells_give_their_cached_value_and_errors_are_findings() {
    let mut b = Book::example();
    b.set(sheet::PUBLICITY, 0, "部数", C::F("=NA()", "#N/A"));
    b.set(sheet::RESULTS, 0, "参加者数", C::F("=100+20", "120"));
    b.set(sheet::RESULTS, 0, "事業名", C::F("=1/0", "#DIV/0!"));
    let (r, findings) = ok(&b);
    assert!(r.publicity[0].copies.is_none());
    assert_eq!(r.reports[0].participants.as_ref().unwrap().value, 120);
    assert!(r.reports[0].name.is_none());
    let f = at(&findings, "周知協力!C2");
    assert!(f.message.contains("#N/A"), "{f:?}");
    assert_eq!(f.severity, Severity::Error);
    assert!(at(&findings, "実績!D2").message.contains("#DIV/0!"));
    assert_eq!(findings.len(), 2, "{findings:#?}");

    let sheets = xlsx::read_bytes(&b.bytes(), &Limits::default()).unwrap();
    let publicity = sheets.iter().find(|s| s.name == sheet::PUBLICITY).unwrap();
    assert!(
        publicity
            .cells
            .contains(&(1, 2, Value::Error("#N/A".into())))
    );
}

#[test]
fn blank_required_values_are_findings() {
    let mut b = Book::example();
    b.add(sheet::AGREEMENTS, &[("企業等名", s("番号なし株式会社"))]);
    b.add(
        sheet::AGREEMENTS,
        &[("協定番号", s("R8-002")), ("企業等名", s("　"))],
    );
    b.set(sheet::RESULTS, 0, "報告番号", s(""));
    // Blank rows between rows are skipped without a word.
    b.add(
        sheet::FIELDS,
        &[("協定番号", s(" ")), ("協定書表記", s(""))],
    );
    let (r, findings) = ok(&b);
    assert_eq!(r.agreements.len(), 2);
    assert_eq!(r.agreements[1].company.value, "");
    assert_eq!(r.reports[0].number.value, "");
    assert!(
        at(&findings, "協定!A3")
            .message
            .contains("協定番号が空欄です")
    );
    let f = at(&findings, "協定!B4");
    assert!(f.message.contains("企業等名"));
    assert_eq!(f.agreement.as_deref(), Some("R8-002"));
    assert!(at(&findings, "実績!B2").message.contains("報告番号"));
    assert_eq!(findings.len(), 3, "{findings:#?}");
    assert_eq!(r.fields.len(), 3);
}

#[test]
fn a_hidden_sheet_is_still_read() {
    let mut b = Book::example();
    b.sheet(sheet::RESULTS).hidden = true;
    let sheets = xlsx::read_bytes(&b.bytes(), &Limits::default()).unwrap();
    let results = sheets.iter().find(|s| s.name == sheet::RESULTS).unwrap();
    assert!(results.hidden);
    assert!(
        !sheets
            .iter()
            .find(|s| s.name == sheet::AGREEMENTS)
            .unwrap()
            .hidden
    );
    let (r, _) = ok(&b);
    assert_eq!(r.reports.len(), 1);
}

// ---------------------------------------------------------------------------------------
// Files that are not registers, broken, or hostile.

#[test]
fn a_file_that_is_not_a_zip_is_refused() {
    let path = temp_file(
        "not-a-zip.xlsx",
        "協定番号,企業等名\nR8-001,株式会社\n".as_bytes(),
    );
    assert!(unreadable(&path).contains("zip 形式ではありません"));
    let missing = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("reader-tests/none.xlsx");
    assert!(unreadable(&missing).contains("ファイルまたはフォルダがありません"));
}

#[test]
fn a_truncated_workbook_is_refused() {
    let bytes = Book::example().bytes();
    let path = temp_file("truncated.xlsx", &bytes[..bytes.len() / 2]);
    assert!(unreadable(&path).contains("壊れているか、途中で切れています"));
    // Cut just before the end: the directory is gone.
    let path = temp_file("truncated2.xlsx", &bytes[..bytes.len() - 30]);
    assert!(unreadable(&path).contains("壊れて"));
}

#[test]
fn an_ole_file_renamed_xlsx_is_refused() {
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    let reason = unreadable(&temp_file("old.xlsx", &ole));
    assert!(
        reason.contains(".xls") && reason.contains("パスワード"),
        "{reason}"
    );
}

#[test]
fn a_password_protected_zip_is_refused() {
    // Set the "encrypted" flag of every entry, in the local headers and the directory.
    let mut bytes = Book::example().bytes();
    for i in 0..bytes.len().saturating_sub(10) {
        if bytes[i..].starts_with(b"PK\x03\x04") {
            bytes[i + 6] |= 1;
        } else if bytes[i..].starts_with(b"PK\x01\x02") {
            bytes[i + 8] |= 1;
        }
    }
    let reason = unreadable(&temp_file("encrypted.xlsx", &bytes));
    assert!(reason.contains("パスワードで保護"), "{reason}");
}

#[test]
fn a_zip_that_is_not_a_workbook_is_refused() {
    // Rename [Content_Types].xml in place (same length: the zip stays valid).
    let mut renamed = Book::example().bytes();
    let needle = b"[Content_Types].xml";
    let mut i = 0;
    while let Some(p) = renamed[i..].windows(needle.len()).position(|w| w == needle) {
        renamed[i + p..i + p + needle.len()].copy_from_slice(b"[Content_Typez].xml");
        i += p + needle.len();
    }
    let reason = match xlsx::read_bytes(&renamed, &Limits::default()) {
        Err(Error::Unreadable { reason, .. }) => reason,
        other => panic!("{other:?}"),
    };
    assert!(
        reason.contains("Excel ブック（.xlsx）ではありません"),
        "{reason}"
    );
}

#[test]
fn a_zip_bomb_is_an_error_not_memory_exhaustion() {
    // Small limits: a sheet inflating to 5 MB against a 1 MB cap.
    let bytes = Book::example().bytes();
    let bomb = rewrite_zip_streaming(&bytes, |name, _, w| {
        (name == "xl/worksheets/sheet2.xml")
            .then(|| padded_sheet_xml(w, 5 << 20))
            .is_some()
    });
    assert!(bomb.len() < 200_000, "the bomb is small: {}", bomb.len());
    let limits = Limits {
        max_uncompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    match xlsx::read_bytes(&bomb, &limits) {
        Err(Error::Unreadable { reason, .. }) => {
            assert!(
                reason.contains("展開後のサイズが上限") && reason.contains("sheet2.xml"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
    // The same bytes under the default limits are a valid (if odd) workbook.
    assert!(xlsx::read_bytes(&bomb, &Limits::default()).is_ok());

    // A real bomb against the default limits: 300 MB of XML in well under 1 MB.
    let big = rewrite_zip_streaming(&bytes, |name, _, w| {
        (name == "xl/worksheets/sheet2.xml")
            .then(|| padded_sheet_xml(w, 300 << 20))
            .is_some()
    });
    assert!(big.len() < 1 << 20, "{}", big.len());
    let path = temp_file("bomb.xlsx", &big);
    assert!(unreadable(&path).contains("zip 爆弾"));
}

#[test]
fn a_lying_shared_strings_count_is_refused() {
    let bytes = Book::example().bytes();
    let lie = rewrite_zip(&bytes, |name, old| {
        (name == "xl/sharedStrings.xml").then(|| {
            let xml = String::from_utf8(old.to_vec()).unwrap();
            let start = xml.find("uniqueCount=\"").unwrap() + "uniqueCount=\"".len();
            let end = start + xml[start..].find('"').unwrap();
            format!("{}100000000000000{}", &xml[..start], &xml[end..]).into_bytes()
        })
    });
    match xlsx::read_bytes(&lie, &Limits::default()) {
        Err(Error::Unreadable { reason, .. }) => {
            assert!(reason.contains("uniqueCount"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_sparse_sheet_reaching_xfd1048576_is_an_error_not_an_abort() {
    let mut b = Book::example();
    b.sheet(sheet::AGREEMENTS)
        .extra
        .push((1_048_575, 16_383, s("最後のセル")));
    let f = structure(&b);
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].cell.as_deref(), Some("協定!XFD1048576"));
    assert!(f[0].message.contains("協定!XFD1048576"));
    assert_eq!(f[0].rule.code(), "入力");

    // The same through the file reader; a stray cell on a sheet the register ignores does not
    // matter there, but xlsx::read reads every sheet and reports it.
    let mut b = Book::example();
    b.sheets[0].name = "メモ".into();
    b.sheets[0].extra.push((1_048_575, 16_383, s("x")));
    b.sheets.push(Book::example().sheets[0].clone());
    let path = temp_file("sparse.xlsx", &b.bytes());
    register::read(&path, &Profile::isesaki()).unwrap();
    match xlsx::read(&path, &Limits::default()) {
        Err(Error::Structure(f)) => assert_eq!(f[0].cell.as_deref(), Some("メモ!XFD1048576")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn limits_on_rows_cells_and_text_length_name_the_cell() {
    let mut b = Book::example();
    b.sheet(sheet::MEMO).extra.push((10, 0, s("R8-001")));
    let limits = Limits {
        max_rows: 10,
        ..Limits::default()
    };
    match xlsx::read_bytes(&b.bytes(), &limits) {
        Err(Error::Structure(f)) => assert_eq!(f[0].cell.as_deref(), Some("申し合わせ!A11")),
        other => panic!("{other:?}"),
    }
    let limits = Limits {
        max_cell_chars: 10,
        ..Limits::default()
    };
    match xlsx::read_bytes(&Book::example().bytes(), &limits) {
        Err(Error::Structure(f)) => {
            assert!(
                f.iter()
                    .any(|f| f.cell.as_deref() == Some("協定!C2") && f.message.contains("文字数")),
                "{f:#?}"
            )
        }
        other => panic!("{other:?}"),
    }
    let limits = Limits {
        max_cells: 20,
        ..Limits::default()
    };
    assert!(matches!(
        xlsx::read_bytes(&Book::example().bytes(), &limits),
        Err(Error::Structure(_))
    ));
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    match xlsx::read_bytes(&Book::example().bytes(), &limits) {
        Err(Error::Unreadable { reason, .. }) => assert!(reason.contains("大きすぎます")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn mutated_workbook_xml_never_crashes_the_reader() {
    // Deterministic mutations of the XML inside a valid workbook: every outcome must be an
    // ordinary result (Ok or a typed error), never a panic escaping, an abort or a hang.
    let bytes = Book::example().bytes();
    let targets = [
        "xl/workbook.xml",
        "xl/worksheets/sheet2.xml",
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        "xl/_rels/workbook.xml.rels",
    ];
    let junk: &[&[u8]] = &[
        b"<",
        b">",
        b"\"",
        b"99999999999",
        b"XFD",
        b"\0",
        b"&#0;",
        b"</c>",
        b"<c r=\"A0\">",
        b"t=\"s\"",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let (mut ok, mut err) = (0, 0);
    for round in 0..150 {
        let target = targets[round % targets.len()];
        let picks: Vec<(u64, u64)> = (0..3).map(|_| (next(), next())).collect();
        let mutated = rewrite_zip(&bytes, |name, old| {
            (name == target).then(|| {
                let mut v = old.to_vec();
                for (at, what) in &picks {
                    let at = (*at as usize) % v.len();
                    let j = junk[(*what as usize) % junk.len()];
                    v.splice(at..(at + j.len()).min(v.len()), j.iter().copied());
                }
                v
            })
        });
        match xlsx::read_bytes(&mutated, &Limits::default()) {
            Ok(sheets) => {
                ok += 1;
                let _ = register::from_sheets(sheets, &Profile::isesaki());
            }
            Err(Error::Unreadable { .. } | Error::Structure(_)) => err += 1,
            Err(e) => panic!("unexpected error kind: {e:?}"),
        }
    }
    assert_eq!(ok + err, 150);
    assert!(
        err > 0 && ok > 0,
        "the mutations should break some files and spare others"
    );
}
