//! The guideline checks (`rules::check`) on registers built by hand: every rule with a case
//! that passes and one that fails, the transitional rule (附則2), and the order of findings.

use crate::common::model::d;
use kyotei::date::Date;
use kyotei::finding::{Finding, Severity};
use kyotei::guideline::profile::Profile;
use kyotei::guideline::rules::{check, findings_for, is_transitional};
use kyotei::model::{
    Agreement, Applies, CellRef, Evaluation, FieldId, FieldRow, Located, ProhibitedCheck, Project,
    Register, Report, Requirement, SealStyle, YesNo, sheet,
};

// ----------------------------------------------------------------------------------------
// Builders: cells sit where the standard layout (`sheet::SHEETS`) puts them.
// ----------------------------------------------------------------------------------------

fn col(sheet_name: &str, column: &str) -> u32 {
    sheet::sheet(sheet_name).unwrap().position(column).unwrap() as u32
}

fn at<T>(value: T, sheet_name: &'static str, row: u32, column: &str) -> Located<T> {
    Located {
        value,
        cell: CellRef::new(sheet_name, row, col(sheet_name, column)),
    }
}

fn text(value: &str, sheet_name: &'static str, row: u32, column: &str) -> Located<String> {
    at(value.to_string(), sheet_name, row, column)
}

const AS_OF: (i32, u32, u32) = (2026, 6, 1);

fn as_of() -> Date {
    d(AS_OF.0, AS_OF.1, AS_OF.2)
}

struct B {
    reg: Register,
}

impl B {
    fn new() -> B {
        B {
            reg: Register::default(),
        }
    }

    /// A complete agreement, ready for signing (all "for signing" columns filled).
    fn agreement(&mut self, id: &str, signed: Option<Date>) -> &mut Agreement {
        let s = sheet::AGREEMENTS;
        let row = self.reg.agreements.len() as u32 + 2;
        self.reg.agreements.push(Agreement {
            row,
            id: text(id, s, row, "協定番号"),
            key: kyotei::model::AgreementKey::of(id),
            company: text("株式会社いせさき", s, row, "企業等名"),
            address: Some(text("群馬県伊勢崎市曲輪町1番地", s, row, "企業等所在地")),
            rep_title: Some(text("代表取締役", s, row, "代表者役職")),
            rep_name: Some(text("伊勢崎太郎", s, row, "代表者氏名")),
            contact_name: None,
            contact_phone: None,
            contact_email: None,
            applied_on: Some(at(d(2026, 4, 10), s, row, "申出日")),
            apply_purpose: None,
            apply_other: None,
            purpose: Some(text("子育て支援、教育、防災", s, row, "目的")),
            signed_on: signed.map(|x| at(x, s, row, "締結日")),
            starts_on: None,
            ends_on: None,
            seal: SealStyle::署名捺印,
            terminated_on: None,
            termination_reason: None,
            amended_on: None,
            memo_on: None,
            memo_revised_on: None,
        });
        self.reg.agreements.last_mut().unwrap()
    }

    /// A requirements row with every requirement met.
    fn requirement(&mut self, id: &str) -> &mut Requirement {
        let s = sheet::REQUIREMENTS;
        let row = self.reg.requirements.len() as u32 + 2;
        let cols = [
            "3(4)①破産者等",
            "3(4)②更生再生手続",
            "3(4)③暴力団関与",
            "3(4)④暴力団援助",
            "3(4)⑤公租公課滞納",
            "3(4)⑥入札資格取消",
            "3(4)⑦指名停止",
            "3(4)⑧その他不適当",
        ];
        self.reg.requirements.push(Requirement {
            row,
            agreement: text(id, s, row, "協定番号"),
            checked_on: Some(at(d(2026, 4, 20), s, row, "確認日")),
            checked_by: Some(text("戦略推進課", s, row, "確認者")),
            willing: Some(at(YesNo::はい, s, row, "3(1)意欲")),
            dialogue: Some(at(YesNo::はい, s, row, "3(3)継続的対話")),
            disqualifications: cols.map(|c| Some(at(Applies::該当しない, s, row, c))),
        });
        self.reg.requirements.last_mut().unwrap()
    }

    fn field(&mut self, id: &str, field: FieldId, wording: Option<&str>) -> &mut FieldRow {
        let s = sheet::FIELDS;
        let row = self.reg.fields.len() as u32 + 2;
        self.reg.fields.push(FieldRow {
            row,
            agreement: text(id, s, row, "協定番号"),
            field: at(field, s, row, "分野"),
            wording: wording.map(|w| text(w, s, row, "協定書表記")),
            wording_cell: kyotei::model::CellRef::new(s, row, 2),
        });
        self.reg.fields.last_mut().unwrap()
    }

    /// A project evaluated ○, 該当なし, no city costs.
    fn project(&mut self, id: &str, field: FieldId, content: &str) -> &mut Project {
        let s = sheet::PROJECTS;
        let row = self.reg.projects.len() as u32 + 2;
        let number = self
            .reg
            .projects
            .iter()
            .filter(|p| p.agreement.value == id)
            .count() as u32
            + 1;
        self.reg.projects.push(Project {
            row,
            agreement: text(id, s, row, "協定番号"),
            number: Some(at(number, s, row, "番号")),
            field: Some(at(field, s, row, "連携事項")),
            content: Some(text(content, s, row, "事業内容")),
            evaluation: Some(at(Evaluation::Feasible, s, row, "評価")),
            comment: None,
            department: Some(text("福祉こども部", s, row, "担当部")),
            division: Some(text("こども未来課", s, row, "担当課")),
            contact: None,
            city_pays: at(false, s, row, "市の費用負担"),
            prohibited: Some(at(ProhibitedCheck::None, s, row, "禁止事業確認")),
        });
        self.reg.projects.last_mut().unwrap()
    }

    fn report(&mut self, id: &str, number: &str, ends: Option<Date>) -> &mut Report {
        let s = sheet::RESULTS;
        let row = self.reg.reports.len() as u32 + 2;
        self.reg.reports.push(Report {
            row,
            agreement: text(id, s, row, "協定番号"),
            number: text(number, s, row, "報告番号"),
            field: None,
            name: Some(text("親子ワークショップ", s, row, "事業名")),
            starts_on: None,
            ends_on: ends.map(|x| at(x, s, row, "終了日")),
            place: None,
            content: None,
            participants: None,
            outcome: None,
            next_steps: None,
            department: None,
            division: None,
            person: None,
            reported_on: None,
            city_cost: None,
        });
        self.reg.reports.last_mut().unwrap()
    }

    /// An agreement that meets every requirement: three fields (①②⑦) with a ○ project each.
    fn good(&mut self, id: &str, signed: Option<Date>) -> &mut Self {
        self.agreement(id, signed);
        self.requirement(id);
        for (f, what) in [
            (0, "子育て講座の講師派遣"),
            (1, "出前授業"),
            (6, "防災訓練への協力"),
        ] {
            self.field(id, f, None);
            self.project(id, f, what);
        }
        self
    }

    fn check(&self) -> Vec<Finding> {
        check(&self.reg, &Profile::isesaki(), as_of())
    }
}

fn is_japanese(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{3040}'..='\u{30FF}').contains(&c) || ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// The findings of one rule with one severity.
fn of<'a>(fs: &'a [Finding], rule: &str, sev: Severity) -> Vec<&'a Finding> {
    fs.iter()
        .filter(|f| f.rule.code() == rule && f.severity == sev)
        .collect()
}

/// Exactly one finding of the rule and severity at the cell whose message names `names`.
fn one<'a>(fs: &'a [Finding], rule: &str, sev: Severity, cell: &str, names: &str) -> &'a Finding {
    let hits: Vec<&Finding> = of(fs, rule, sev)
        .into_iter()
        .filter(|f| f.cell.as_deref() == Some(cell) && f.message.contains(names))
        .collect();
    assert_eq!(
        hits.len(),
        1,
        "one {sev:?} {rule} at {cell} naming {names} in {fs:#?}"
    );
    let f = hits[0];
    assert!(is_japanese(&f.message) && is_japanese(&f.hint), "{f:?}");
    assert!(!f.hint.is_empty());
    f
}

fn problems(fs: &[Finding]) -> Vec<&Finding> {
    fs.iter().filter(|f| f.severity != Severity::Info).collect()
}

// ----------------------------------------------------------------------------------------
// A clean agreement
// ----------------------------------------------------------------------------------------

#[test]
fn a_complete_agreement_has_only_the_term_info() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    let fs = b.check();
    assert!(problems(&fs).is_empty(), "{fs:#?}");
    let info = one(&fs, "5", Severity::Info, "協定!M2", "令和9年3月31日");
    assert!(info.message.contains("令和8年5月1日"), "{}", info.message);
    assert!(
        info.message.contains("令和9年2月28日"),
        "notice deadline: {}",
        info.message
    );
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert!(fs.iter().all(|f| f.agreement.as_deref() == Some("R8-001")));
}

// ----------------------------------------------------------------------------------------
// 3(1), 3(3)
// ----------------------------------------------------------------------------------------

#[test]
fn willingness_must_be_yes() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.reg.requirements[0].willing = Some(at(YesNo::いいえ, sheet::REQUIREMENTS, 2, "3(1)意欲"));
    let fs = b.check();
    let f = one(&fs, "3(1)", Severity::Error, "要件確認!D2", "いいえ");
    assert_eq!(f.agreement.as_deref(), Some("R8-001"));
    assert!(f.message.contains("意欲"));

    // Blank: not confirmed, still an error, at the blank cell.
    b.reg.requirements[0].willing = None;
    let fs = b.check();
    one(&fs, "3(1)", Severity::Error, "要件確認!D2", "空欄");

    b.reg.requirements[0].willing = Some(at(YesNo::はい, sheet::REQUIREMENTS, 2, "3(1)意欲"));
    assert!(of(&b.check(), "3(1)", Severity::Error).is_empty());
}

#[test]
fn dialogue_must_be_yes() {
    let mut b = B::new();
    b.good("R8-001", None);
    assert!(of(&b.check(), "3(3)", Severity::Error).is_empty());
    b.reg.requirements[0].dialogue =
        Some(at(YesNo::いいえ, sheet::REQUIREMENTS, 2, "3(3)継続的対話"));
    let fs = b.check();
    one(&fs, "3(3)", Severity::Error, "要件確認!E2", "継続的に対話");
    b.reg.requirements[0].dialogue = None;
    one(
        &b.check(),
        "3(3)",
        Severity::Error,
        "要件確認!E2",
        "3(3)継続的対話",
    );
}

// ----------------------------------------------------------------------------------------
// 3(2)
// ----------------------------------------------------------------------------------------

#[test]
fn three_fields_with_projects_are_needed() {
    let mut b = B::new();
    b.good("R8-001", None);
    assert!(of(&b.check(), "3(2)", Severity::Error).is_empty());

    // The third field's only project is evaluated ×: two fields remain.
    b.reg.projects[2].evaluation = Some(at(Evaluation::Infeasible, sheet::PROJECTS, 4, "評価"));
    let fs = b.check();
    let f = one(&fs, "3(2)", Severity::Error, "協定!A2", "2分野");
    assert!(f.message.contains("3分野以上"), "{}", f.message);
    assert!(
        f.message
            .contains("⑦「防犯・防災に関すること」（×または禁止事業のみ）"),
        "{}",
        f.message
    );
    assert!(f.message.contains("①「子ども・子育て支援"), "{}", f.message);
    let info = one(&fs, "3(2)", Severity::Info, "協定!A2", "個別協定");
    assert!(info.message.contains("担当課の判断"));

    // A second, feasible project in the same field restores it.
    b.project("R8-001", 6, "防災マップの配布");
    assert!(of(&b.check(), "3(2)", Severity::Error).is_empty());
}

#[test]
fn prohibited_projects_and_fields_without_projects_do_not_count() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.reg.projects[1].prohibited = Some(at(
        ProhibitedCheck::Applies(vec![1]),
        sheet::PROJECTS,
        3,
        "禁止事業確認",
    ));
    b.field("R8-001", 7, None); // ⑧環境: no project at all
    let fs = b.check();
    let f = one(&fs, "3(2)", Severity::Error, "協定!A2", "2分野");
    assert!(
        f.message
            .contains("②「学校教育・生涯学習に関すること」（×または禁止事業のみ）"),
        "{}",
        f.message
    );
    assert!(
        f.message.contains("⑧「環境に関すること」（連携事業なし）"),
        "{}",
        f.message
    );
}

#[test]
fn unevaluated_projects_count_with_a_warning() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.reg.projects[2].evaluation = None;
    let fs = b.check();
    assert!(of(&fs, "3(2)", Severity::Error).is_empty(), "{fs:#?}");
    one(
        &fs,
        "3(2)",
        Severity::Warning,
        "連携事業!E4",
        "防災訓練への協力",
    );
}

#[test]
fn the_other_field_needs_its_wording() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.field("R8-001", 12, None);
    b.project("R8-001", 12, "eスポーツ大会");
    let fs = b.check();
    one(&fs, "3(2)", Severity::Warning, "連携事項!C5", "⑬「その他");
    b.reg.fields[3].wording = Some(text(
        "デジタル活用に関すること。",
        sheet::FIELDS,
        5,
        "協定書表記",
    ));
    assert!(of(&b.check(), "3(2)", Severity::Warning).is_empty());
}

#[test]
fn min_fields_comes_from_the_profile() {
    let mut b = B::new();
    b.good("R8-001", None);
    let mut p = Profile::isesaki();
    p.min_fields = Some(4);
    let fs = check(&b.reg, &p, as_of());
    one(&fs, "3(2)", Severity::Error, "協定!A2", "4分野以上");
}

// ----------------------------------------------------------------------------------------
// 3(4)
// ----------------------------------------------------------------------------------------

#[test]
fn disqualifications_are_errors_and_named() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.reg.requirements[0].disqualifications[2] = Some(at(
        Applies::該当する,
        sheet::REQUIREMENTS,
        2,
        "3(4)③暴力団関与",
    ));
    let fs = b.check();
    one(
        &fs,
        "3(4)",
        Severity::Error,
        "要件確認!H2",
        "3(4)③「暴力団員による不当な行為の防止等",
    );
}

#[test]
fn blank_disqualifications_are_not_confirmed() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.reg.requirements[0].disqualifications[4] = None;
    b.reg.requirements[0].disqualifications[7] = None;
    let fs = b.check();
    one(
        &fs,
        "3(4)",
        Severity::Error,
        "要件確認!J2",
        "3(4)⑤⑧の確認欄が空欄",
    );
}

#[test]
fn a_missing_requirements_row_is_an_error() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.reg.requirements.clear();
    let fs = b.check();
    one(&fs, "3(4)", Severity::Error, "協定!A2", "要件確認シート");
}

// ----------------------------------------------------------------------------------------
// 3(5), 1(5)
// ----------------------------------------------------------------------------------------

#[test]
fn prohibited_projects_are_errors() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.project("R8-001", 0, "選挙啓発イベント").prohibited = Some(at(
        ProhibitedCheck::Applies(vec![4]),
        sheet::PROJECTS,
        5,
        "禁止事業確認",
    ));
    let fs = b.check();
    let f = one(
        &fs,
        "3(5)",
        Severity::Error,
        "連携事業!K5",
        "3(5)④「政治的又は宗教的目的を有する事業」",
    );
    assert!(f.message.contains("選挙啓発イベント"));
    assert!(of(&b.check(), "3(5)", Severity::Warning).is_empty());

    b.reg.projects[3].prohibited = None;
    let fs = b.check();
    assert!(of(&fs, "3(5)", Severity::Error).is_empty());
    one(
        &fs,
        "3(5)",
        Severity::Warning,
        "連携事業!K5",
        "禁止事業確認が空欄",
    );
}

#[test]
fn city_costs_are_a_warning() {
    let mut b = B::new();
    b.good("R8-001", None);
    assert!(of(&b.check(), "1(5)", Severity::Warning).is_empty());
    b.reg.projects[0].city_pays = at(true, sheet::PROJECTS, 2, "市の費用負担");
    one(
        &b.check(),
        "1(5)",
        Severity::Warning,
        "連携事業!J2",
        "市の費用負担が「あり」",
    );
}

// ----------------------------------------------------------------------------------------
// 入力
// ----------------------------------------------------------------------------------------

#[test]
fn duplicate_agreement_ids_are_errors() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.agreement("Ｒ８－００１", None);
    let fs = b.check();
    let f = one(&fs, "入力", Severity::Error, "協定!A3", "重複");
    assert!(f.message.contains("協定!A2"), "{}", f.message);
    // The duplicate row gets no other findings (its rows cannot be told apart).
    assert_eq!(
        findings_for(&fs, "Ｒ８－００１")
            .filter(|f| f.cell.as_deref() == Some("協定!A3"))
            .count(),
        1
    );
}

#[test]
fn rows_naming_an_unknown_agreement_are_errors() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.project("R8-010", 0, "どこにも属さない事業");
    let fs = b.check();
    let f = one(&fs, "入力", Severity::Error, "連携事業!A5", "R8-010");
    assert!(f.message.contains("協定シートにありません"));
    assert!(
        f.hint.contains("R8-001"),
        "suggests the near miss: {}",
        f.hint
    );
    assert_eq!(fs.last().unwrap(), f, "orphans come last");
}

#[test]
fn a_project_outside_the_agreements_fields_is_an_error() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.project("R8-001", 9, "市のPR動画への出演");
    let fs = b.check();
    one(
        &fs,
        "入力",
        Severity::Error,
        "連携事業!C5",
        "⑩「シティプロモーションに関すること」",
    );
}

#[test]
fn date_order_is_checked() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    let s = sheet::AGREEMENTS;
    {
        let a = &mut b.reg.agreements[0];
        a.starts_on = Some(at(d(2026, 5, 10), s, 2, "有効期間開始日"));
        a.ends_on = Some(at(d(2026, 5, 9), s, 2, "有効期間満了日"));
        a.terminated_on = Some(at(d(2026, 4, 30), s, 2, "解除日"));
    }
    let fs = b.check();
    one(
        &fs,
        "入力",
        Severity::Error,
        "協定!O2",
        "有効期間開始日（令和8年5月10日）より前",
    );
    one(
        &fs,
        "入力",
        Severity::Error,
        "協定!Q2",
        "締結日（令和8年5月1日）より前",
    );

    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    b.reg.agreements[0].applied_on = Some(at(d(2026, 5, 2), s, 2, "申出日"));
    let fs = b.check();
    one(
        &fs,
        "入力",
        Severity::Warning,
        "協定!M2",
        "申出日（令和8年5月2日）",
    );
    b.reg.agreements[0].applied_on = Some(at(d(2026, 5, 1), s, 2, "申出日"));
    assert!(problems(&b.check()).is_empty());
}

#[test]
fn duplicate_report_numbers_are_errors() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    b.report("R8-001", "1", Some(d(2026, 5, 20)));
    b.report("R8-001", "2", Some(d(2026, 5, 21)));
    assert!(problems(&b.check()).is_empty());
    b.report("R8-001", "１", Some(d(2026, 5, 22)));
    let fs = b.check();
    let f = one(&fs, "入力", Severity::Error, "実績!B4", "報告番号「１」");
    assert!(f.message.contains("実績!B2"));
}

#[test]
fn signed_agreements_need_the_signature_block_and_purpose() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.reg.agreements[0].address = None;
    b.reg.agreements[0].purpose = None;
    // Not signed yet: nothing to print.
    assert!(of(&b.check(), "入力", Severity::Error).is_empty());
    b.reg.agreements[0].signed_on = Some(at(d(2026, 5, 1), sheet::AGREEMENTS, 2, "締結日"));
    let fs = b.check();
    one(&fs, "入力", Severity::Error, "協定!C2", "企業等所在地");
    one(&fs, "入力", Severity::Error, "協定!L2", "目的");
}

#[test]
fn a_blank_cell_in_a_moved_column_is_named_by_its_row() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    // The user inserted a column: 企業等名 is not where the standard layout has it.
    let a = &mut b.reg.agreements[0];
    a.company.cell.col = 5;
    a.rep_name = None;
    let fs = b.check();
    one(&fs, "入力", Severity::Error, "協定!A2", "代表者氏名");
}

// ----------------------------------------------------------------------------------------
// 5, 8
// ----------------------------------------------------------------------------------------

#[test]
fn a_january_signing_runs_past_a_year() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 4, 1)));
    assert!(b.check().iter().all(|f| !f.message.contains("を超えます")));
    b.reg.agreements[0].signed_on = Some(at(d(2027, 1, 15), sheet::AGREEMENTS, 2, "締結日"));
    b.reg.agreements[0].applied_on = None;
    let fs = check(&b.reg, &Profile::isesaki(), d(2027, 2, 1));
    let f = one(&fs, "5", Severity::Info, "協定!M2", "翌年3月31日");
    assert!(f.message.contains("令和10年3月31日"), "{}", f.message);
    assert!(f.message.contains("1年を超えます"), "{}", f.message);
}

#[test]
fn the_term_info_follows_renewals() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    b.report("R8-001", "1", Some(d(2028, 1, 20)));
    let fs = check(&b.reg, &Profile::isesaki(), d(2028, 3, 10));
    let f = one(
        &fs,
        "5",
        Severity::Info,
        "協定!M2",
        "令和9年4月1日から令和10年3月31日まで（1回更新）",
    );
    assert!(f.message.contains("過ぎた"), "{}", f.message);
    assert!(f.message.contains("令和11年3月31日"), "{}", f.message);
}

#[test]
fn no_results_for_two_years_suggests_review() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    b.report("R8-001", "1", Some(d(2026, 7, 31)));
    let p = Profile::isesaki();
    assert!(of(&check(&b.reg, &p, d(2028, 7, 1)), "8", Severity::Warning).is_empty());
    let fs = check(&b.reg, &p, d(2028, 8, 1));
    one(
        &fs,
        "8",
        Severity::Warning,
        "協定!M2",
        "解除を検討できます: 2年以上連携実績がありません（最終実績: 令和8年7月31日）",
    );
}

#[test]
fn a_signed_agreement_failing_a_requirement_may_be_terminated() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 1)));
    b.reg.requirements[0].disqualifications[4] = Some(at(
        Applies::該当する,
        sheet::REQUIREMENTS,
        2,
        "3(4)⑤公租公課滞納",
    ));
    let fs = b.check();
    one(&fs, "3(4)", Severity::Error, "要件確認!J2", "公租公課");
    let f = one(&fs, "8", Severity::Warning, "協定!M2", "8②");
    assert!(f.message.contains("3(4)"), "{}", f.message);

    // Not signed: an error for signing, but nothing to terminate.
    b.reg.agreements[0].signed_on = None;
    assert!(of(&b.check(), "8", Severity::Warning).is_empty());
}

#[test]
fn terminated_agreements_are_not_checked_for_signing() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 4, 15)));
    b.reg.requirements.clear();
    b.reg.agreements[0].terminated_on = Some(at(d(2026, 5, 31), sheet::AGREEMENTS, 2, "解除日"));
    assert!(b.check().is_empty(), "{:#?}", b.check());
    // Before its 解除日 it is still in force and checked.
    let fs = check(&b.reg, &Profile::isesaki(), d(2026, 5, 30));
    one(&fs, "3(4)", Severity::Error, "協定!A2", "要件確認シート");
}

// ----------------------------------------------------------------------------------------
// 附則2
// ----------------------------------------------------------------------------------------

#[test]
fn old_agreements_are_held_to_sections_six_to_eight() {
    let mut b = B::new();
    b.good("H30-001", Some(d(2018, 10, 1)));
    b.reg.agreements[0].applied_on = None;
    b.reg.agreements[0].rep_name = None;
    b.reg.requirements.clear();
    b.reg.projects[0].city_pays = at(true, sheet::PROJECTS, 2, "市の費用負担");
    let p = Profile::isesaki();
    assert!(is_transitional(&b.reg.agreements[0], &p));
    let fs = b.check();

    let f = one(&fs, "3(4)", Severity::Info, "協定!A2", "要件確認シート");
    assert!(
        f.message.starts_with("（附則2により従前の例）"),
        "{}",
        f.message
    );
    let f = one(&fs, "1(5)", Severity::Info, "連携事業!J2", "市の費用負担");
    assert!(f.message.starts_with("（附則2により従前の例）"));
    one(&fs, "附則", Severity::Info, "協定!M2", "附則2");
    // Input problems stay what they are.
    one(&fs, "入力", Severity::Error, "協定!E2", "代表者氏名");
    // Section 8① applies: no results for two years.
    one(
        &fs,
        "8",
        Severity::Warning,
        "協定!M2",
        "2年以上連携実績がありません",
    );
    // No 8② for requirements that do not apply to it.
    assert!(!fs.iter().any(|f| f.message.contains("8②")));
    assert_eq!(of(&fs, "入力", Severity::Error).len(), 1);
    assert!(
        fs.iter()
            .filter(|f| f.rule.code() != "入力" && f.rule.code() != "8")
            .all(|f| f.severity == Severity::Info)
    );

    // Amended after the guideline took effect: the guideline applies in full.
    b.reg.agreements[0].amended_on = Some(at(
        d(2026, 4, 1),
        sheet::AGREEMENTS,
        2,
        "協定締結後の改正日",
    ));
    assert!(!is_transitional(&b.reg.agreements[0], &p));
    let fs = b.check();
    one(&fs, "3(4)", Severity::Error, "協定!A2", "要件確認シート");
    one(
        &fs,
        "1(5)",
        Severity::Warning,
        "連携事業!J2",
        "市の費用負担",
    );
    assert!(of(&fs, "附則", Severity::Info).is_empty());
    assert!(!fs.iter().any(|f| f.message.starts_with("（附則2")));

    // Amended before it took effect: still the old rules.
    b.reg.agreements[0].amended_on = Some(at(
        d(2026, 3, 31),
        sheet::AGREEMENTS,
        2,
        "協定締結後の改正日",
    ));
    assert!(is_transitional(&b.reg.agreements[0], &p));
}

// ----------------------------------------------------------------------------------------
// Order and lookup
// ----------------------------------------------------------------------------------------

#[test]
fn findings_are_ordered_by_agreement_then_rule() {
    let mut b = B::new();
    b.good("R8-002", Some(d(2026, 5, 1)));
    b.good("R8-001", None);
    b.reg.requirements[1].willing = None;
    b.reg.projects[3].city_pays = at(true, sheet::PROJECTS, 5, "市の費用負担");
    b.reg.agreements[0].rep_title = None;
    b.reg.requirements[0].dialogue = None;
    let fs = b.check();
    let seq: Vec<(&str, &str)> = fs
        .iter()
        .map(|f| (f.agreement.as_deref().unwrap(), f.rule.code()))
        .collect();
    assert_eq!(
        seq,
        [
            ("R8-002", "入力"),
            ("R8-002", "3(3)"),
            ("R8-002", "5"),
            ("R8-002", "8"),
            ("R8-001", "1(5)"),
            ("R8-001", "3(1)"),
        ]
    );
    assert_eq!(fs, b.check(), "deterministic");
    let mine: Vec<&Finding> = findings_for(&fs, " r8-001 ".to_uppercase().trim()).collect();
    assert_eq!(mine.len(), 2);
    assert_eq!(findings_for(&fs, "Ｒ８－００２").count(), 4);
}

#[test]
fn a_term_starting_later_is_announced() {
    let mut b = B::new();
    b.good("R8-001", Some(d(2026, 5, 20)));
    b.reg.agreements[0].starts_on = Some(at(d(2026, 7, 1), sheet::AGREEMENTS, 2, "有効期間開始日"));
    let fs = b.check();
    assert!(problems(&fs).is_empty(), "{fs:#?}");
    one(
        &fs,
        "5",
        Severity::Info,
        "協定!M2",
        "令和8年7月1日から有効になります（最初の有効期間は令和9年3月31日まで）",
    );
}

#[test]
fn repeated_rows_are_reported() {
    let mut b = B::new();
    b.good("R8-001", None);
    b.requirement("R8-001").willing = None;
    b.field("R8-001", 0, None);
    b.reg.agreements[0].terminated_on = Some(at(d(2026, 7, 1), sheet::AGREEMENTS, 2, "解除日"));
    let fs = b.check();
    one(&fs, "入力", Severity::Warning, "要件確認!A3", "2行");
    // The last requirements row is the one judged.
    one(&fs, "3(1)", Severity::Error, "要件確認!D3", "空欄");
    one(
        &fs,
        "入力",
        Severity::Warning,
        "連携事項!B5",
        "①「子ども・子育て支援に関すること」",
    );
    one(&fs, "入力", Severity::Warning, "協定!Q2", "締結日が空欄");
}
