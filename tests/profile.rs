//! A second city: the guideline profile (`--guideline FILE`) drives every city-specific word
//! and number. The fictional 架空市 of `samples/kakuu.json` end to end (init → check →
//! render → schedule), a profile with a 1年間 term and a minimum of 3 projects, `init` then
//! `check` clean for every profile, exclusions as data, and broken profiles refused (exit 2)
//! with the key named.

use crate::common::model::d;
use crate::common::{kyotei, pdf_text, root, stderr, temp};
use kyotei::date::Date;
use kyotei::document::assets::Assets;
use kyotei::document::build::{self, Options};
use kyotei::document::markup::Templates;
use kyotei::finding::{Finding, Severity};
use kyotei::forms::blank::{self, Rows, named_row};
use kyotei::guideline::profile::Profile;
use kyotei::guideline::{rules, term};
use kyotei::input::register;
use kyotei::model::{Register, sheet};
use kyotei::writer::xlsx::{self, CellValue};
use serde_json::{Value, json};
use std::io::Read;
use std::path::{Path, PathBuf};

const KAKUU: &str = "samples/kakuu.json";

fn kakuu_json() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(KAKUU)).unwrap()).unwrap()
}

fn kakuu() -> Profile {
    Profile::load(&root().join(KAKUU)).expect("the shipped sample profile is valid")
}

/// 架空市 with a 1年間 term (renewed for 1年, notice 1箇月) and, instead of a minimum of
/// fields, a minimum of 3 連携事業.
fn yearly_json() -> Value {
    let mut v = kakuu_json();
    v["term"] = json!({"kind": "period", "months": 12, "renewal_months": 12, "notice_months": 1});
    v["min_fields"] = Value::Null;
    v["min_projects"] = 3.into();
    v
}

fn parse(v: &Value) -> Profile {
    Profile::parse(&v.to_string()).unwrap()
}

fn write_profile(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(v).unwrap()).unwrap();
    path
}

/// The text of the parts of a zip package (DOCX, XLSX) whose names start with `prefix`: the
/// XML with its tags removed.
fn zip_text(bytes: &[u8], prefix: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = String::new();
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).unwrap();
        if !part.name().starts_with(prefix) {
            continue;
        }
        let mut xml = String::new();
        part.read_to_string(&mut xml).unwrap();
        let mut in_tag = false;
        for c in xml.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
    }
    out
}

/// The register `init` writes for a profile, read back.
fn init_register(profile: &Profile) -> (Register, Vec<Finding>) {
    let bytes = blank::init_bytes(profile).unwrap();
    register::read_bytes(&bytes, profile).unwrap()
}

/// A register made of the profile's example rows, with some sheets replaced.
fn register_with(profile: &Profile, replace: Vec<(&'static str, Rows)>) -> Register {
    let mut rows = blank::example_rows(profile);
    for (name, r) in replace {
        match rows.iter_mut().find(|(n, _)| *n == name) {
            Some(slot) => slot.1 = r,
            None => rows.push((name, r)),
        }
    }
    let bytes = xlsx::write(&blank::register_book(profile, &rows)).unwrap();
    let (reg, findings) = register::read_bytes(&bytes, profile).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
    reg
}

fn errors(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

fn agreement_text(reg: &Register, profile: &Profile) -> Vec<String> {
    let t = Templates::new(&Assets::default()).unwrap();
    build::agreement(
        &t,
        reg,
        &reg.agreements[0],
        profile,
        &Options { draft: false },
    )
    .unwrap()
    .plain_text()
}

fn s(x: &str) -> CellValue {
    CellValue::from(x)
}

#[test]
fn the_fictional_city_end_to_end() {
    let dir = temp("profile-kakuu");
    let guideline = root().join(KAKUU);
    let g = guideline.to_str().unwrap();
    let o = kyotei(&["--guideline", g, "init", "台帳.xlsx"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // The workbook: 架空市's settings, fields, lists and notes; nothing of Isesaki's.
    let book = std::fs::read(dir.join("台帳.xlsx")).unwrap();
    // Cells, dropdown lists and header notes.
    let strings = zip_text(&book, "xl/");
    for expected in [
        "架空県架空市中央一丁目1番1号",
        "架空市長",
        "企画部政策課",
        "連携推進係",
        "観光振興・地域活性化に関すること。",
        "民間事業者等の利益誘導のおそれがあるもの",
        "3年後の3月31日",
    ] {
        assert!(strings.contains(expected), "{expected} in the workbook");
    }
    // The 禁止事業確認 dropdown goes on to the exclusion (⑤ after 3(5)'s four).
    assert!(strings.contains("④,⑤"), "{strings}");
    assert!(!strings.contains("⑤,⑥"));
    for absent in ["伊勢崎", "日本一暑さに強いまち", "0270-27-6281"] {
        assert!(!strings.contains(absent), "{absent} in the workbook");
    }

    // check: no error and no warning.
    let o = kyotei(
        &[
            "--guideline",
            g,
            "check",
            "台帳.xlsx",
            "--as-of",
            "2026-11-25",
        ],
        &dir,
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    assert!(out.contains("エラー 0 件、警告 0 件"), "{out}");
    assert!(out.contains("3箇月前"), "{out}");

    // render: the 協定書 names only 架空市 and words 第3条 from the profile.
    let o = kyotei(
        &[
            "--guideline",
            g,
            "render",
            "台帳.xlsx",
            "--as-of",
            "2026-11-25",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let docs = dir.join("出力").join("例-001");
    let pdf = pdf_text(&std::fs::read(docs.join("協定書.pdf")).unwrap(), None);
    let flat: String = pdf.split_whitespace().collect();
    for expected in [
        "架空市と株式会社サンプル商事との包括連携協定書",
        "架空市（以下「甲」という。）",
        "本協定の有効期間は、締結の日から3年後の3月31日までとする。ただし、有効期間満了の日の3箇月前までに、甲及び乙のいずれからも特段の申出がない場合は、当該期間の満了の翌日から起算して2年間、この協定を更新するものとし、以降もまた同様とする。",
        "甲架空県架空市中央一丁目1番1号",
        "架空市長",
        "乙架空県架空市本町1番2号",
    ] {
        assert!(flat.contains(expected), "{expected} in\n{pdf}");
    }
    let docx = std::fs::read(docs.join("協定書.docx")).unwrap();
    let docx_text = zip_text(&docx, "word/document.xml");
    assert!(
        docx_text.contains("3年後の3月31日までとする"),
        "{docx_text}"
    );
    assert!(docx_text.contains("架空県架空市中央一丁目1番1号"));
    // No document of the agreement says 伊勢崎.
    for e in std::fs::read_dir(&docs).unwrap() {
        let p = e.unwrap().path();
        let text = match p.extension().and_then(|x| x.to_str()) {
            Some("pdf") => pdf_text(&std::fs::read(&p).unwrap(), None),
            Some("docx") => zip_text(&std::fs::read(&p).unwrap(), "word/document.xml"),
            _ => continue,
        };
        assert!(!text.contains("伊勢崎"), "{}:\n{text}", p.display());
    }

    // schedule: the same term as the 協定書 says.
    let o = kyotei(
        &[
            "--guideline",
            g,
            "schedule",
            "台帳.xlsx",
            "--as-of",
            "2026-11-25",
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let e = &v.as_array().unwrap()[0];
    assert_eq!(e["term_end"], "2029-03-31");
    assert_eq!(e["notice_deadline"], "2028-12-31");
    assert_eq!(e["next_term_end"], "2031-03-31");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_then_check_gives_no_error_for_any_profile() {
    let mut all_fields = kakuu_json();
    all_fields["min_fields"] = 5.into();
    let mut both = kakuu_json();
    both["min_projects"] = 4.into();
    let mut later = yearly_json();
    later["effective"] = "2027-10-01".into();
    later["revised"] = "2027-10-01".into();
    let mut few_fields = kakuu_json();
    few_fields["fields"] = json!(["地域づくりに関すること。", "その他に関すること。"]);
    few_fields["other_field"] = 2.into();
    few_fields["min_fields"] = 2.into();
    let profiles = [
        ("isesaki", Profile::isesaki()),
        ("kakuu", kakuu()),
        ("yearly", parse(&yearly_json())),
        ("all fields", parse(&all_fields)),
        ("fields and projects", parse(&both)),
        ("effective later", parse(&later)),
        ("two fields", parse(&few_fields)),
    ];
    for (name, p) in profiles {
        let (reg, input) = init_register(&p);
        assert!(input.is_empty(), "{name}: {input:#?}");
        let signed = reg.agreements[0].signed_on.as_ref().unwrap().value;
        assert!(signed >= p.effective, "{name}: signed under the guideline");
        let findings = rules::check(&reg, &p, signed.add_days(30));
        let bad: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.severity != Severity::Info)
            .collect();
        assert!(bad.is_empty(), "{name}: {bad:#?}");
        // The example names the profile's city, never Isesaki unless it is Isesaki.
        let text = agreement_text(&reg, &p).join("\n");
        assert!(text.contains(&p.identity.city), "{name}");
        if name != "isesaki" {
            assert!(!text.contains("伊勢崎"), "{name}:\n{text}");
        }
    }
}

#[test]
fn isesaki_init_example_is_unchanged() {
    // The example written for Isesaki's guideline keeps its words: ①②⑦ with their projects.
    let p = Profile::isesaki();
    let (reg, _) = init_register(&p);
    let a = &reg.agreements[0];
    assert_eq!(a.purpose.as_ref().unwrap().value, "子育て支援、教育、防災");
    assert_eq!(
        a.address.as_ref().unwrap().value,
        "群馬県伊勢崎市本町1番2号"
    );
    let fields: Vec<usize> = reg.fields.iter().map(|f| f.field.value).collect();
    assert_eq!(fields, [0, 1, 6]);
    assert_eq!(reg.projects.len(), 3);
    assert_eq!(
        reg.requirements[0].checked_by.as_ref().unwrap().value,
        "戦略推進課 戦略係"
    );
    assert_eq!(reg.settings, p.settings());
}

#[test]
fn a_one_year_term_ends_the_day_before_the_anniversary_and_renews() {
    let p = parse(&yearly_json());
    let mut agreements = blank::example_rows(&p)
        .into_iter()
        .find(|(n, _)| *n == sheet::AGREEMENTS)
        .unwrap()
        .1;
    let col = blank::headers(sheet::AGREEMENTS)
        .unwrap()
        .iter()
        .position(|h| *h == "締結日")
        .unwrap();
    agreements[0][col] = CellValue::Date(d(2026, 6, 15));
    let reg = register_with(&p, vec![(sheet::AGREEMENTS, agreements)]);
    let a = &reg.agreements[0];

    let t = term::term(&reg, a, &p, d(2026, 7, 1)).unwrap();
    assert_eq!(t.first_end, d(2027, 6, 14));
    assert_eq!(t.notice_deadline, d(2027, 5, 14));
    assert_eq!(t.next_end, d(2028, 6, 14));
    let t = term::term(&reg, a, &p, d(2027, 6, 15)).unwrap();
    assert_eq!(
        (t.current_start, t.current_end),
        (d(2027, 6, 15), d(2028, 6, 14))
    );
    assert_eq!(t.renewals, 1);

    // 第3条 says it in the same words.
    let text = agreement_text(&reg, &p);
    assert!(
        text.iter().any(|l| l
            == "第3条 本協定の有効期間は、締結の日から1年間とする。ただし、有効期間満了の日の1箇月前までに、甲及び乙のいずれからも特段の申出がない場合は、当該期間の満了の翌日から起算して1年間、この協定を更新するものとし、以降もまた同様とする。"),
        "{}",
        text.join("\n")
    );
    // A 6箇月 period, for the words.
    let mut six = yearly_json();
    six["term"]["months"] = 6.into();
    let p6 = parse(&six);
    let text = agreement_text(&reg, &p6).join("\n");
    assert!(text.contains("締結の日から6箇月間とする。"), "{text}");

    // The findings word the term the same way.
    let findings = rules::check(&reg, &p, d(2026, 7, 1));
    let term5: Vec<&Finding> = findings.iter().filter(|f| f.rule.code() == "5").collect();
    assert!(
        term5.iter().any(|f| f
            .message
            .contains("現在の有効期間は令和8年6月15日から令和9年6月14日まで")),
        "{term5:#?}"
    );
    assert!(
        term5
            .iter()
            .any(|f| f.hint.contains("満了日の1箇月前までに") && f.hint.contains("1年間自動更新")),
        "{term5:#?}"
    );
}

/// `n` fields (the profile's first ones) and one 連携事業 in each of the first `projects`.
fn fields_and_projects(p: &Profile, n: usize, projects: usize) -> Vec<(&'static str, Rows)> {
    let id = || s(blank::EXAMPLE_ID);
    let fields = (0..n)
        .map(|i| {
            named_row(
                sheet::FIELDS,
                &[("協定番号", id()), ("分野", s(&p.fields[i]))],
            )
        })
        .collect();
    let projects = (0..projects)
        .map(|i| {
            named_row(
                sheet::PROJECTS,
                &[
                    ("協定番号", id()),
                    ("番号", CellValue::Int(i as i64 + 1)),
                    ("連携事項", s(&p.fields[i % n])),
                    ("事業内容", s(&format!("事業{}", i + 1))),
                    ("評価", s("○")),
                    ("市の費用負担", s("なし")),
                    ("禁止事業確認", s("該当なし")),
                ],
            )
        })
        .collect();
    vec![(sheet::FIELDS, fields), (sheet::PROJECTS, projects)]
}

#[test]
fn a_profile_needing_three_projects_rejects_three_fields_with_two() {
    let p = parse(&yearly_json());
    let reg = register_with(&p, fields_and_projects(&p, 3, 2));
    let findings = rules::check(&reg, &p, d(2026, 8, 1));
    let errs = errors(&findings);
    assert_eq!(errs.len(), 1, "{errs:#?}");
    assert_eq!(errs[0].rule.code(), "3(2)");
    assert!(
        errs[0]
            .message
            .starts_with("3(2) 実施が見込める連携事業が2事業です（3事業以上が必要）。"),
        "{}",
        errs[0].message
    );
    // Three projects in one field are enough: this profile counts no fields.
    let reg = register_with(&p, fields_and_projects(&p, 1, 3));
    assert!(errors(&rules::check(&reg, &p, d(2026, 8, 1))).is_empty());

    // Both minimums: each is checked.
    let mut both = yearly_json();
    both["min_fields"] = 3.into();
    let pb = parse(&both);
    let reg = register_with(&pb, fields_and_projects(&pb, 2, 2));
    let errs: Vec<String> = errors(&rules::check(&reg, &pb, d(2026, 8, 1)))
        .iter()
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(errs.len(), 2, "{errs:#?}");
    assert!(errs[0].contains("分野が2分野です（3分野以上が必要）"));
    assert!(errs[1].contains("連携事業が2事業です（3事業以上が必要）"));
    // The 申出書 states what this guideline asks for.
    let t = Templates::new(&Assets::default()).unwrap();
    let lines = build::application(&t, &reg, &reg.agreements[0], &pb, &Options { draft: false })
        .unwrap()
        .plain_text();
    assert!(
        lines
            .iter()
            .any(|l| l == "(3以上の分野に係る連携事項の実施(予定含む))")
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "(3以上の連携事業の実施(予定含む))")
    );
}

#[test]
fn exclusions_are_numbered_after_the_prohibited_projects() {
    let p = kakuu();
    assert_eq!(p.prohibited.len(), 4);
    let mut projects = fields_and_projects(&p, 2, 2);
    let col = blank::headers(sheet::PROJECTS)
        .unwrap()
        .iter()
        .position(|h| *h == "禁止事業確認")
        .unwrap();
    projects[1].1[1][col] = s("⑤");
    let reg = register_with(&p, projects.clone());
    let findings = rules::check(&reg, &p, d(2026, 8, 1));
    let banned: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.rule.code() == "3(5)")
        .collect();
    assert_eq!(banned.len(), 1, "{banned:#?}");
    assert!(
        banned[0]
            .message
            .contains("⑤「民間事業者等の利益誘導のおそれがあるもの」（除外事項）に該当するため"),
        "{}",
        banned[0].message
    );
    // The excluded project no longer counts: one field left, two needed.
    assert!(
        findings
            .iter()
            .any(|f| f.rule.code() == "3(2)" && f.message.contains("分野が1分野です"))
    );
    // ⑥ is beyond the list: an input finding.
    projects[1].1[1][col] = s("⑥");
    let mut rows = blank::example_rows(&p);
    for (name, r) in projects {
        rows.iter_mut().find(|(n, _)| *n == name).unwrap().1 = r;
    }
    let bytes = xlsx::write(&blank::register_book(&p, &rows)).unwrap();
    let (_, input) = register::read_bytes(&bytes, &p).unwrap();
    assert_eq!(input.len(), 1, "{input:#?}");
    assert!(
        input[0]
            .hint
            .contains("ガイドライン3(5)と除外事項の当てはまる番号（①〜⑤")
    );
}

#[test]
fn the_settings_sheet_overrides_the_profile_identity() {
    let p = kakuu();
    let settings = vec![
        vec![s("市名"), s("架空市")],
        vec![s("市長氏名"), s("架空 一郎")],
        vec![s("所管電話"), s("0000-11-2222")],
    ];
    let reg = register_with(&p, vec![(sheet::SETTINGS, settings)]);
    assert_eq!(reg.settings.mayor_name, "架空 一郎");
    assert_eq!(reg.settings.office_phone, "0000-11-2222");
    // Keys not on the sheet keep the profile's values.
    assert_eq!(reg.settings.city_address, "架空県架空市中央一丁目1番1号");
    assert_eq!(reg.settings.office_email, "renkei@city.kakuu.example.jp");
    let text = agreement_text(&reg, &p);
    assert!(text.iter().any(|l| l == "架空市長　架空 一郎"), "{text:#?}");
}

#[test]
fn a_broken_profile_is_refused_with_its_key_named() {
    let dir = temp("profile-broken");
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "unknown.json",
            {
                let mut v = kakuu_json();
                v["foo"] = 1.into();
                v
            },
            "unknown.json: 未知のキー \"foo\" があります",
        ),
        (
            "minimum.json",
            {
                let mut v = kakuu_json();
                v["min_fields"] = 6.into();
                v
            },
            "minimum.json: \"min_fields\"（6）は1から \"fields\" の数（5）までにしてください",
        ),
        (
            "date.json",
            {
                let mut v = kakuu_json();
                v["term"]["month"] = 2.into();
                v["term"]["day"] = 30.into();
                v
            },
            "date.json: \"term.day\": 2月30日という日はありません",
        ),
        (
            "duplicates.json",
            {
                let mut v = kakuu_json();
                v["fields"][3] = "観光振興・地域活性化に関すること。".into();
                v
            },
            "duplicates.json: \"fields\" の1番目と4番目が同じです",
        ),
        (
            "old.json",
            {
                let mut v = kakuu_json();
                v["term"] = json!({"first_end_month": 3, "first_end_day": 31,
                    "first_end_year_offset": 1, "renewal_months": 12, "notice_months": 1});
                v
            },
            "old.json: 未知のキー \"term.first_end_month\" があります",
        ),
    ];
    for (name, v, expected) in cases {
        let path = write_profile(&dir, name, &v);
        let o = kyotei(
            &["--guideline", path.to_str().unwrap(), "init", "x.xlsx"],
            &dir,
        );
        assert_eq!(o.status.code(), Some(2), "{name}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("ガイドライン設定を読み込めません: {expected}")),
            "{name}: {err}"
        );
        assert!(!dir.join("x.xlsx").exists(), "{name}: nothing written");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_readme_shows_the_sample_profile_in_full() {
    // The README's complete example is the shipped sample, key for key.
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("```json\n{\n  \"name\": \"架空市")
        .expect("the README has the 架空市 profile");
    let body = &readme[start + "```json\n".len()..];
    let end = body.find("```").unwrap();
    let shown: Value = serde_json::from_str(&body[..end]).unwrap();
    assert_eq!(shown, kakuu_json());
}

/// The profile's example register with its 締結日 set to `signed`.
fn signed_on(p: &Profile, signed: Date) -> Register {
    let mut agreements = blank::example_rows(p)
        .into_iter()
        .find(|(n, _)| *n == sheet::AGREEMENTS)
        .unwrap()
        .1;
    let col = |h: &str| {
        blank::headers(sheet::AGREEMENTS)
            .unwrap()
            .iter()
            .position(|x| *x == h)
            .unwrap()
    };
    agreements[0][col("締結日")] = CellValue::Date(signed);
    agreements[0][col("申出日")] = CellValue::Empty;
    register_with(p, vec![(sheet::AGREEMENTS, agreements)])
}

#[test]
fn the_long_first_term_note_comes_only_from_a_rule_that_depends_on_the_start_month() {
    // A `period` rule (2年間, renewed for 1年): every first term is 2年 whenever it starts, as
    // the profile says; Isesaki's note that a January signing runs past a year is wrong here.
    let mut two_years = yearly_json();
    two_years["term"]["months"] = 24.into();
    let p = parse(&two_years);
    let reg = signed_on(&p, d(2027, 1, 15));
    let findings = rules::check(&reg, &p, d(2027, 2, 1));
    let term5: Vec<&Finding> = findings.iter().filter(|f| f.rule.code() == "5").collect();
    assert!(
        term5
            .iter()
            .any(|f| f.message.contains("令和11年1月14日まで")),
        "{term5:#?}"
    );
    assert!(
        findings.iter().all(|f| !f.message.contains("を超えます")),
        "{findings:#?}"
    );
    // The 1年間 rule neither.
    let p = parse(&yearly_json());
    let reg = signed_on(&p, d(2027, 1, 15));
    let findings = rules::check(&reg, &p, d(2027, 2, 1));
    assert!(
        findings.iter().all(|f| !f.message.contains("を超えます")),
        "{findings:#?}"
    );
    // A `fiscal_end` rule (架空市: 3年後の3月31日, renewed for 2年) does run past its renewal
    // period, and says why.
    let k = kakuu();
    let reg = signed_on(&k, d(2027, 1, 15));
    let findings = rules::check(&reg, &k, d(2027, 2, 1));
    let note = findings
        .iter()
        .find(|f| f.message.contains("を超えます"))
        .unwrap_or_else(|| panic!("{findings:#?}"));
    assert!(
        note.message
            .contains("令和12年3月31日までとなり、2年を超えます"),
        "{}",
        note.message
    );
}
