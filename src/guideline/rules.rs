//! The guideline's checks: requirements for signing (3(1)–3(5)), the city's costs (1(5)),
//! the term (5), termination review (8), the transitional rule (附則2) and the consistency of
//! the register itself (`入力`), turned into findings that name the cell to fix.
//!
//! Findings come in a fixed order: agreements in sheet order, and within one agreement by
//! rule (`入力`, `1(5)`, `3(1)`…`3(5)`, `5`, `8`, `附則`); rows of other sheets that name no
//! agreement of the `協定` sheet come last, sheet by sheet.
//!
//! Which agreements are checked for signing: every agreement that is not terminated (解除日
//! on or before `as_of`), signed or not. Section-3 failures are errors for them.

use crate::date::Date;
use crate::finding::{Finding, Rule, Severity};
use crate::guideline::profile::{FirstTerm, Profile, circled};
use crate::guideline::term::{self, Status, TermInfo};
use crate::guideline::words;
use crate::model::header;
use crate::model::{
    Agreement, AgreementKey, Applies, CellRef, Evaluation, FieldId, FieldRow, Located,
    ProhibitedCheck, Project, Register, Report, Requirement, Text, YesNo, sheet,
};
use std::collections::{HashMap, HashSet};

/// Prefix of section-3 and 1(5) findings on agreements that 附則2 keeps under the old rules.
pub const TRANSITIONAL_PREFIX: &str = "（附則2により従前の例）";

/// Check the whole register against the guideline as of `as_of`.
pub fn check(reg: &Register, profile: &Profile, as_of: Date) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut first: HashMap<&AgreementKey, &Agreement> = HashMap::new();
    for a in &reg.agreements {
        let key = a.key();
        if let Some(prev) = first.get(key) {
            out.push(Finding::new(
                Severity::Error,
                Rule::Input,
                Some(&a.id.value),
                Some(a.id.cell),
                format!(
                    "協定番号「{}」が重複しています（{} と同じ番号です）。",
                    a.id.value, prev.id.cell
                ),
                "協定番号は協定ごとに別の番号にしてください。同じ協定の行が重複しているなら一方を削除してください。この行は他のシートと照合できないため、ほかの確認をしていません。",
            ));
            continue;
        }
        first.insert(key, a);
        out.extend(check_agreement(reg, profile, as_of, a));
    }
    out.extend(orphans(reg, &first));
    out
}

/// The findings that belong to one agreement (協定番号 compared as a key: width and spaces
/// do not matter).
pub fn findings_for<'a>(
    findings: &'a [Finding],
    agreement_id: &str,
) -> impl Iterator<Item = &'a Finding> + 'a {
    let key = crate::model::AgreementKey::of(agreement_id);
    findings
        .iter()
        .filter(move |f| f.key.as_ref() == Some(&key))
}

/// Whether 附則2 keeps the agreement under the old rules: signed before the guideline took
/// effect and not amended since (協定締結後の改正日 blank or before the effective date).
pub fn is_transitional(agreement: &Agreement, profile: &Profile) -> bool {
    let signed_before = agreement
        .signed_on
        .as_ref()
        .is_some_and(|d| d.value < profile.effective);
    let amended_since = agreement
        .amended_on
        .as_ref()
        .is_some_and(|d| d.value >= profile.effective);
    signed_before && !amended_since
}

/// The fields (0-based, in the order of the 連携事項 sheet) that count towards 3(2): each has
/// at least one 連携事業 of the same agreement that is not evaluated × and lists no
/// prohibited category. Unevaluated projects count.
pub fn counted_fields(reg: &Register, agreement: &Agreement) -> Vec<FieldId> {
    let projects: Vec<&Project> = reg.rows::<Project>(agreement).collect();
    agreement_fields(reg, agreement)
        .into_iter()
        .filter(|&f| {
            projects
                .iter()
                .any(|p| p.field.as_ref().is_some_and(|x| x.value == f) && counts(p))
        })
        .collect()
}

/// The 連携事業 that count towards a minimum number of projects (`min_projects`): not
/// evaluated ×, no prohibited category, and in one of the agreement's fields (the same test
/// as for the fields). Unevaluated projects count.
pub fn counted_projects<'a>(reg: &'a Register, agreement: &Agreement) -> Vec<&'a Project> {
    let fields = agreement_fields(reg, agreement);
    reg.rows::<Project>(agreement)
        .filter(|p| p.field.as_ref().is_some_and(|f| fields.contains(&f.value)) && counts(p))
        .collect()
}

/// The distinct fields of an agreement's 連携事項 rows, in sheet order.
fn agreement_fields(reg: &Register, agreement: &Agreement) -> Vec<FieldId> {
    let mut fields = Vec::new();
    for r in reg.rows::<FieldRow>(agreement) {
        if !fields.contains(&r.field.value) {
            fields.push(r.field.value);
        }
    }
    fields
}

fn prohibited_numbers(p: &Project) -> &[u8] {
    match p.prohibited.as_ref().map(|x| &x.value) {
        Some(ProhibitedCheck::Applies(v)) => v,
        _ => &[],
    }
}

/// Whether a project can count as a 連携事業 for 3(2).
fn counts(p: &Project) -> bool {
    let rejected = p
        .evaluation
        .as_ref()
        .is_some_and(|e| e.value == Evaluation::Infeasible);
    !rejected && prohibited_numbers(p).is_empty()
}

/// Collects one agreement's findings.
struct Out<'a> {
    id: &'a str,
    list: Vec<Finding>,
}

impl Out<'_> {
    fn push(
        &mut self,
        severity: Severity,
        rule: Rule,
        cell: CellRef,
        message: String,
        hint: String,
    ) {
        self.list.push(Finding::new(
            severity,
            rule,
            Some(self.id),
            Some(cell),
            message,
            hint,
        ));
    }
}

fn check_agreement(reg: &Register, profile: &Profile, as_of: Date, a: &Agreement) -> Vec<Finding> {
    let mut out = Out {
        id: &a.id.value,
        list: Vec::new(),
    };
    let status = term::status(a, as_of);
    let signing = status != Status::解除;
    let transitional = is_transitional(a, profile);

    consistency(reg, profile, a, signing, &mut out);
    signing_date_range(a, as_of, &mut out);

    if signing {
        let mut sec3 = Out {
            id: &a.id.value,
            list: Vec::new(),
        };
        requirements(reg, profile, a, &mut sec3);
        fields(reg, profile, a, &mut sec3);
        projects(reg, profile, a, &mut sec3);
        let mut failed: Vec<Rule> = Vec::new();
        for f in &sec3.list {
            if f.is_error() && f.rule.of_signing() && !failed.contains(&f.rule) {
                failed.push(f.rule);
            }
        }
        for mut f in sec3.list {
            if transitional && f.rule.of_signing() {
                f.severity = Severity::Info;
                f.message = format!("{TRANSITIONAL_PREFIX}{}", f.message);
            }
            out.list.push(f);
        }
        if let Some(t) = term::term(reg, a, profile, as_of) {
            let cell = a.signed_on.as_ref().map_or(a.id.cell, |d| d.cell);
            let before = out.list.len();
            term_findings(profile, a, &t, as_of, cell, &mut out);
            if transitional {
                // 附則2: section 5 is not among the rules that apply; the term is the one the
                // agreement itself says. Say how it was computed here.
                for f in &mut out.list[before..] {
                    match a.ends_on {
                        None => {
                            f.message.push_str("（附則2により有効期間は従前の例（協定書の定め）によります。この期間はガイドライン5の方法で計算した目安です。）");
                            f.hint = "協定書に定めた有効期間と異なる場合は、協定書が優先します。協定書の満了日を「有効期間満了日」に入力すると、その日から計算し直します。".into();
                        }
                        Some(_) => f.message.push_str("（附則2により有効期間は従前の例によるため、台帳の「有効期間満了日」から計算しています。）"),
                    }
                }
            }
            review_findings(&t, transitional, &failed, cell, &mut out);
        }
        if transitional {
            let cell = a.signed_on.as_ref().map_or(a.id.cell, |d| d.cell);
            out.push(
                Severity::Info,
                Rule::Transitional,
                cell,
                format!(
                    "ガイドライン施行日（{}）より前に締結され、施行日以後の改正がない協定です。附則2により6から8までの規定のみを適用し、それ以外（締結の要件3、1(5)など）は従前の例によるため、該当する指摘は情報として表示しています。",
                    profile.effective.wareki()
                ),
                "協定を改正するときからガイドラインのすべての規定が適用されます。改正したら「協定締結後の改正日」を入力してください。有効期間（5）の計算はガイドラインによるもので、従前の協定書の定めと異なる場合は協定書を優先してください。".to_string(),
            );
        }
    }

    // The rules' declaration order is the order of listing (a stable sort).
    out.list.sort_by_key(|f| f.rule);
    out.list
}

// ---------------------------------------------------------------------------------------
// Cells of blank columns
// ---------------------------------------------------------------------------------------

fn cell_of<T>(x: &Option<Located<T>>) -> Option<CellRef> {
    x.as_ref().map(|l| l.cell)
}

/// The column index of a header in the standard layout (the order `init` writes).
fn standard_col(sheet_name: &str, column: &str) -> Option<u32> {
    sheet::sheet(sheet_name)?.position(column).map(|i| i as u32)
}

/// The cell of a blank column on a row. A blank cell was not located by the reader; when every
/// located cell of the row sits where the standard layout puts its column, the layout is taken
/// as standard and the blank column's cell is named; otherwise the row's 協定番号 cell is.
fn blank_cell(
    sheet_name: &'static str,
    row: u32,
    column: &str,
    located: &[(&str, Option<CellRef>)],
    fallback: CellRef,
) -> CellRef {
    let standard = located
        .iter()
        .filter_map(|(name, c)| c.map(|c| (name, c)))
        .all(|(name, c)| standard_col(sheet_name, name) == Some(c.col));
    match standard_col(sheet_name, column) {
        Some(col) if standard => CellRef::new(sheet_name, row, col),
        _ => fallback,
    }
}

fn agreement_cells(a: &Agreement) -> Vec<(&'static str, Option<CellRef>)> {
    vec![
        (header::協定番号, Some(a.id.cell)),
        (header::企業等名, Some(a.company.cell)),
        (header::企業等所在地, cell_of(&a.address)),
        (header::代表者役職, cell_of(&a.rep_title)),
        (header::代表者氏名, cell_of(&a.rep_name)),
        (header::担当者名, cell_of(&a.contact_name)),
        (header::担当者電話, cell_of(&a.contact_phone)),
        (header::担当者メール, cell_of(&a.contact_email)),
        (header::申出日, cell_of(&a.applied_on)),
        (header::申出目的, cell_of(&a.apply_purpose)),
        (header::申出その他, cell_of(&a.apply_other)),
        (header::目的, cell_of(&a.purpose)),
        (header::締結日, cell_of(&a.signed_on)),
        (header::有効期間開始日, cell_of(&a.starts_on)),
        (header::有効期間満了日, cell_of(&a.ends_on)),
        (header::解除日, cell_of(&a.terminated_on)),
        (header::解除理由, cell_of(&a.termination_reason)),
        (header::協定締結後の改正日, cell_of(&a.amended_on)),
        (header::申し合わせ日, cell_of(&a.memo_on)),
        (header::申し合わせ改訂日, cell_of(&a.memo_revised_on)),
    ]
}

fn requirement_cells(r: &Requirement) -> Vec<(&'static str, Option<CellRef>)> {
    let mut v = vec![
        (header::協定番号, Some(r.agreement.cell)),
        (header::確認日, cell_of(&r.checked_on)),
        (header::確認者, cell_of(&r.checked_by)),
        (header::要件3_1意欲, cell_of(&r.willing)),
        (header::要件3_3継続的対話, cell_of(&r.dialogue)),
    ];
    for (name, d) in header::DISQUALIFICATIONS.iter().zip(&r.disqualifications) {
        v.push((name, cell_of(d)));
    }
    v
}

fn field_cells(r: &FieldRow) -> Vec<(&'static str, Option<CellRef>)> {
    vec![
        (header::協定番号, Some(r.agreement.cell)),
        (header::分野, Some(r.field.cell)),
        (header::協定書表記, cell_of(&r.wording)),
    ]
}

fn project_cells(p: &Project) -> Vec<(&'static str, Option<CellRef>)> {
    vec![
        (header::協定番号, Some(p.agreement.cell)),
        (header::番号, cell_of(&p.number)),
        (header::連携事項, cell_of(&p.field)),
        (header::事業内容, cell_of(&p.content)),
        (header::評価, cell_of(&p.evaluation)),
        (header::コメント, cell_of(&p.comment)),
        (header::担当部, cell_of(&p.department)),
        (header::担当課, cell_of(&p.division)),
        (header::担当者連絡先, cell_of(&p.contact)),
        (header::市の費用負担, Some(p.city_pays.cell)),
        (header::禁止事業確認, cell_of(&p.prohibited)),
    ]
}

fn agreement_blank(a: &Agreement, column: &str) -> CellRef {
    blank_cell(
        sheet::AGREEMENTS,
        a.row,
        column,
        &agreement_cells(a),
        a.id.cell,
    )
}

fn project_blank(p: &Project, column: &str) -> CellRef {
    blank_cell(
        sheet::PROJECTS,
        p.row,
        column,
        &project_cells(p),
        p.agreement.cell,
    )
}

// ---------------------------------------------------------------------------------------
// Wording helpers
// ---------------------------------------------------------------------------------------

/// `①「子ども・子育て支援に関すること」` (the closing 。 dropped so it reads inside a sentence).
fn field_label(profile: &Profile, f: FieldId) -> String {
    match profile.fields.get(f) {
        Some(name) => format!("{}「{}」", circled(f + 1), name.trim_end_matches('。')),
        None => circled(f + 1),
    }
}

/// `連携事業（番号2「講師の派遣」）`
fn project_label(p: &Project) -> String {
    let content = p.content.as_ref().map(|c| short(&c.value, 24));
    match (&p.number, content) {
        (Some(n), Some(c)) => format!("連携事業（番号{}「{c}」）", n.value),
        (Some(n), None) => format!("連携事業（番号{}）", n.value),
        (None, Some(c)) => format!("連携事業「{c}」"),
        (None, None) => format!("連携事業（{}行目）", p.row),
    }
}

fn short(s: &str, max: usize) -> String {
    let line = s.lines().next().unwrap_or("");
    if line.chars().count() > max || line.len() < s.len() {
        let mut t: String = line.chars().take(max).collect();
        t.push('…');
        t
    } else {
        line.to_string()
    }
}

// ---------------------------------------------------------------------------------------
// 入力: consistency of the register
// ---------------------------------------------------------------------------------------

fn consistency(reg: &Register, profile: &Profile, a: &Agreement, signing: bool, out: &mut Out) {
    let start = term::start_of(a);
    if let (Some(end), Some(start)) = (&a.ends_on, start)
        && end.value < start
    {
        let which = if a.starts_on.is_some() {
            header::有効期間開始日
        } else {
            header::締結日
        };
        out.push(
            Severity::Error,
            Rule::Input,
            end.cell,
            format!(
                "有効期間満了日（{}）が{which}（{}）より前です。",
                end.value.wareki(),
                start.wareki()
            ),
            format!(
                "日付を確認してください。満了日を両者で協議していなければ空欄にします（{}。ガイドライン5）。",
                words::first_term(&profile.term)
            ),
        );
    }
    // An agreed end less than one notice period away: the first term's notice deadline falls
    // before the agreement is even signed, so it renews without any chance to say no.
    let from = a.signed_on.as_ref().map(|s| s.value).or(start);
    if let (Some(end), Some(start), Some(from)) = (&a.ends_on, start, from)
        && end.value >= start
        && term::notice_deadline(end.value, &profile.term) < from
    {
        let notice = words::months(profile.term.notice_months);
        let which = if a.signed_on.is_some() {
            header::締結日
        } else {
            header::有効期間開始日
        };
        out.push(
            Severity::Warning,
            Rule::Term,
            end.cell,
            format!(
                "有効期間満了日（{}）が{which}（{}）から{notice}以内のため、最初の期間の申出期限（{}）が{which}より前になります。このままでは更新しない申出ができないまま自動更新されます。",
                end.value.wareki(),
                from.wareki(),
                term::notice_deadline(end.value, &profile.term).wareki()
            ),
            format!(
                "満了日を{which}の{notice}より後にするか、空欄にしてください（{}。ガイドライン5）。",
                words::first_term(&profile.term)
            ),
        );
    }
    if let Some(t) = &a.terminated_on {
        match &a.signed_on {
            Some(s) if t.value < s.value => out.push(
                Severity::Error,
                Rule::Input,
                t.cell,
                format!(
                    "解除日（{}）が締結日（{}）より前です。",
                    t.value.wareki(),
                    s.value.wareki()
                ),
                "解除日と締結日を確認してください。".into(),
            ),
            Some(_) => {}
            None => out.push(
                Severity::Warning,
                Rule::Input,
                t.cell,
                format!("解除日（{}）がありますが、締結日が空欄です。", t.value.wareki()),
                "締結された協定なら締結日を入力してください。締結に至らなかった協議なら解除日は不要です。".into(),
            ),
        }
    }
    if let (Some(s), Some(ap)) = (&a.signed_on, &a.applied_on)
        && s.value < ap.value
    {
        out.push(
            Severity::Warning,
            Rule::Input,
            s.cell,
            format!(
                "締結日（{}）が申出日（{}）より前です。",
                s.value.wareki(),
                ap.value.wareki()
            ),
            "締結は申出の後になるはずです。締結日と申出日を確認してください。".into(),
        );
    }
    if signing && a.signed_on.is_some() {
        let needed: [(&str, bool, &str); 4] = [
            (
                header::企業等所在地,
                a.address.is_none(),
                "協定書の署名欄に記載します",
            ),
            (
                header::代表者役職,
                a.rep_title.is_none(),
                "協定書の署名欄に記載します",
            ),
            (
                header::代表者氏名,
                a.rep_name.is_none(),
                "協定書の署名欄に記載します",
            ),
            (
                header::目的,
                a.purpose.is_none(),
                "協定書第1条（目的）の「〇〇、〇〇、〇〇等」に入ります",
            ),
        ];
        for (column, missing, why) in needed {
            if missing {
                out.push(
                    Severity::Error,
                    Rule::Input,
                    agreement_blank(a, column),
                    format!("締結日がある協定の「{column}」が空欄です。"),
                    format!("{why}。協定シートの「{column}」を入力してください。"),
                );
            }
        }
    }

    // 要件確認: more than one row.
    let reqs: Vec<&Requirement> = reg.rows::<Requirement>(a).collect();
    if let Some((last, earlier)) = reqs.split_last()
        && !earlier.is_empty()
    {
        out.push(
            Severity::Warning,
            Rule::Input,
            last.agreement.cell,
            format!(
                "要件確認シートにこの協定の行が{}行あります。最後の行（{}行目）で判定しました。",
                reqs.len(),
                last.row
            ),
            "古い確認結果の行は削除し、1協定1行にしてください。".into(),
        );
    }

    // 連携事項: the same field twice.
    let mut seen: HashSet<FieldId> = HashSet::new();
    for r in reg.rows::<FieldRow>(a) {
        if !seen.insert(r.field.value) {
            out.push(
                Severity::Warning,
                Rule::Input,
                r.field.cell,
                format!(
                    "連携事項「{}」が同じ協定に重複しています。",
                    field_label(profile, r.field.value)
                ),
                "重複する行を削除してください（協定書第2条に同じ号が2回載ります）。".into(),
            );
        }
    }

    // 連携事業: its 連携事項 must be one of the agreement's.
    let fields = agreement_fields(reg, a);
    for p in reg.rows::<Project>(a) {
        match &p.field {
            Some(f) if !fields.contains(&f.value) => out.push(
                Severity::Error,
                Rule::Input,
                f.cell,
                format!(
                    "{}の連携事項「{}」が、この協定の連携事項（連携事項シート）にありません。",
                    project_label(p),
                    field_label(profile, f.value)
                ),
                "連携事項シートにこの分野を追加するか、連携事業の連携事項を協定の分野に合わせてください。この事業は3(2)の分野数に数えていません。".into(),
            ),
            Some(_) => {}
            None => out.push(
                Severity::Warning,
                Rule::Input,
                project_blank(p, header::連携事項),
                format!("{}の連携事項が空欄です。", project_label(p)),
                "どの分野の連携事業かを選んでください。空欄のままでは3(2)の分野数に数えません。".into(),
            ),
        }
    }

    // 実績: 報告番号 unique within the agreement.
    let mut numbers: HashMap<String, &Text> = HashMap::new();
    for r in reg.rows::<Report>(a) {
        let key = crate::text::key(&r.number.value);
        if let Some(prev) = numbers.get(&key) {
            out.push(
                Severity::Error,
                Rule::Input,
                r.number.cell,
                format!(
                    "報告番号「{}」が同じ協定の実績に重複しています（{} と同じ番号です）。",
                    r.number.value, prev.cell
                ),
                "報告番号は協定ごとに別の番号にしてください。".into(),
            );
        } else {
            numbers.insert(key, &r.number);
        }
    }
}

/// Rows of other sheets whose 協定番号 is not on the `協定` sheet.
fn orphans(reg: &Register, known: &HashMap<&AgreementKey, &Agreement>) -> Vec<Finding> {
    let ids: Vec<&str> = reg.agreements.iter().map(|a| a.id.value.as_str()).collect();
    let mut rows: Vec<&Text> = Vec::new();
    rows.extend(reg.requirements.iter().map(|r| &r.agreement));
    rows.extend(reg.fields.iter().map(|r| &r.agreement));
    rows.extend(reg.projects.iter().map(|r| &r.agreement));
    rows.extend(reg.memo.iter().map(|r| &r.agreement));
    rows.extend(reg.publicity.iter().map(|r| &r.agreement));
    rows.extend(reg.contacts.iter().map(|r| &r.agreement));
    rows.extend(reg.reports.iter().map(|r| &r.agreement));
    rows.extend(reg.clauses.iter().map(|r| &r.agreement));
    let mut out = Vec::new();
    for id in rows {
        let key = AgreementKey::of(&id.value);
        if known.contains_key(&key) {
            continue;
        }
        let (message, hint) = if key.as_str().is_empty() {
            (
                format!(
                    "{}シートの{}行目の協定番号が空欄です。",
                    id.cell.sheet, id.cell.row
                ),
                "どの協定の行かわかるよう、協定シートにある協定番号を入力してください。"
                    .to_string(),
            )
        } else {
            let hint = match crate::text::suggest(&id.value, ids.iter().copied()) {
                Some(s) => format!(
                    "「{s}」の誤りではありませんか。協定シートにある協定番号を入力してください。"
                ),
                None => "協定シートに協定を追加するか、協定シートにある協定番号に直してください。"
                    .to_string(),
            };
            (
                format!(
                    "協定番号「{}」は協定シートにありません。この行は使われません。",
                    id.value
                ),
                hint,
            )
        };
        out.push(Finding::new(
            Severity::Error,
            Rule::Input,
            (!key.as_str().is_empty()).then_some(id.value.as_str()),
            Some(id.cell),
            message,
            hint,
        ));
    }
    out
}

// ---------------------------------------------------------------------------------------
// 3(1), 3(3), 3(4): the requirements check
// ---------------------------------------------------------------------------------------

fn requirements(reg: &Register, profile: &Profile, a: &Agreement, out: &mut Out) {
    let Some(r) = reg.rows::<Requirement>(a).last() else {
        out.push(
            Severity::Error,
            Rule::Disqualified,
            a.id.cell,
            "要件確認シートにこの協定の行がありません。締結の要件3(1)・3(3)・3(4)を確認できていません。".into(),
            format!(
                "要件確認シートに協定番号「{}」の行を追加し、意欲・継続的対話・欠格事由（3(4)①〜⑧）の確認結果を入力してください。",
                a.id.value
            ),
        );
        return;
    };
    let cells = requirement_cells(r);
    let yes_no = [
        (
            Rule::Will,
            header::要件3_1意欲,
            &r.willing,
            "市と共通の目標に向けて自らの資源を活用し、継続的な事業を行う意欲",
        ),
        (
            Rule::Dialogue,
            header::要件3_3継続的対話,
            &r.dialogue,
            "市と継続的に対話し、積極的に連携事業を実施できること",
        ),
    ];
    for (rule, column, value, what) in yes_no {
        match value {
            Some(v) if v.value == YesNo::はい => {}
            Some(v) => out.push(
                Severity::Error,
                rule,
                v.cell,
                format!("{rule}（{what}）が「いいえ」と確認されています。"),
                "締結の要件を満たさないため締結できません。企業等の意向を改めて確認し、要件を満たす場合は「はい」に直してください。".into(),
            ),
            None => out.push(
                Severity::Error,
                rule,
                blank_cell(sheet::REQUIREMENTS, r.row, column, &cells, r.agreement.cell),
                format!("{rule}（{what}）の確認欄「{column}」が空欄です（未確認）。"),
                "企業等に確認し「はい」または「いいえ」を入力してください。".into(),
            ),
        }
    }
    let mut blanks: Vec<(usize, CellRef)> = Vec::new();
    for (i, d) in r.disqualifications.iter().enumerate() {
        let what = profile
            .disqualifications
            .get(i)
            .map(String::as_str)
            .unwrap_or("欠格事由");
        match d {
            Some(x) if x.value == Applies::該当しない => {}
            Some(x) => out.push(
                Severity::Error,
                Rule::Disqualified,
                x.cell,
                format!("3(4){}「{what}」に該当すると確認されています。", circled(i + 1)),
                "3(4)に該当する企業等とは包括連携協定を締結できません。誤りであれば「該当しない」に直してください。".into(),
            ),
            None => blanks.push((
                i,
                blank_cell(
                    sheet::REQUIREMENTS,
                    r.row,
                    header::DISQUALIFICATIONS[i],
                    &cells,
                    r.agreement.cell,
                ),
            )),
        }
    }
    if let Some(&(_, cell)) = blanks.first() {
        let marks: String = blanks.iter().map(|(i, _)| circled(i + 1)).collect();
        out.push(
            Severity::Error,
            Rule::Disqualified,
            cell,
            format!("3(4){marks}の確認欄が空欄です（未確認）。"),
            "各項目を確認し「該当しない」または「該当する」を入力してください。".into(),
        );
    }
}

// ---------------------------------------------------------------------------------------
// 3(2): at least min_fields fields with a project, at least min_projects projects
// ---------------------------------------------------------------------------------------

fn fields(reg: &Register, profile: &Profile, a: &Agreement, out: &mut Out) {
    let other = profile.other_field.checked_sub(1);
    for r in reg.rows::<FieldRow>(a) {
        if Some(r.field.value) == other && r.wording.is_none() {
            out.push(
                Severity::Warning,
                Rule::Fields,
                blank_cell(sheet::FIELDS, r.row, header::協定書表記, &field_cells(r), r.agreement.cell),
                format!(
                    "連携事項「{}」の協定書表記が空欄です。",
                    field_label(profile, r.field.value)
                ),
                "協定書第2条には具体的な分野名が必要です。「〇〇に関すること。」の形で協定書表記を入力してください。".into(),
            );
        }
    }

    let projects: Vec<&Project> = reg.rows::<Project>(a).collect();
    for p in &projects {
        if p.evaluation.is_none() {
            out.push(
                Severity::Warning,
                Rule::Fields,
                project_blank(p, header::評価),
                format!(
                    "{}の評価が空欄です（未評価）。分野数には数えていますが、担当課の評価が必要です。",
                    project_label(p)
                ),
                "担当課の評価（○＝実現可能性あり、×＝実現不可、△＝調整により実現可能性あり）を入力してください。".into(),
            );
        }
    }

    let counted = counted_fields(reg, a);
    let fields_short = profile.min_fields.filter(|&m| counted.len() < m);
    let counted_projects = counted_projects(reg, a);
    let projects_short = profile.min_projects.filter(|&m| counted_projects.len() < m);
    if let Some(min) = fields_short {
        let mut not_counted = Vec::new();
        for f in agreement_fields(reg, a) {
            if counted.contains(&f) {
                continue;
            }
            let any = projects
                .iter()
                .any(|p| p.field.as_ref().is_some_and(|x| x.value == f));
            let why = if any {
                "×または禁止事業のみ"
            } else {
                "連携事業なし"
            };
            not_counted.push(format!("{}（{why}）", field_label(profile, f)));
        }
        let counted_words = if counted.is_empty() {
            "なし".to_string()
        } else {
            counted
                .iter()
                .map(|&f| field_label(profile, f))
                .collect::<Vec<_>>()
                .join("、")
        };
        let mut message = format!(
            "3(2) 連携事業の実施が見込める分野が{}分野です（{min}分野以上が必要）。数えた分野: {counted_words}。",
            counted.len(),
        );
        if !not_counted.is_empty() {
            message.push_str(&format!("数えていない分野: {}。", not_counted.join("、")));
        }
        out.push(
            Severity::Error,
            Rule::Fields,
            a.id.cell,
            message,
            format!(
                "連携事項シートと連携事業シートで、{min}以上の分野にそれぞれ×でなく禁止事業にも当たらない連携事業を登録してください。"
            ),
        );
    }
    if let Some(min) = projects_short {
        let counted_words = if counted_projects.is_empty() {
            "なし".to_string()
        } else {
            counted_projects
                .iter()
                .map(|p| project_label(p))
                .collect::<Vec<_>>()
                .join("、")
        };
        out.push(
            Severity::Error,
            Rule::Fields,
            a.id.cell,
            format!(
                "3(2) 実施が見込める連携事業が{}事業です（{min}事業以上が必要）。数えた連携事業: {counted_words}。",
                counted_projects.len()
            ),
            format!(
                "連携事業シートに、×でなく禁止事業にも当たらず、この協定の連携事項に属する連携事業を{min}事業以上登録してください。"
            ),
        );
    }
    if fields_short.is_some() || projects_short.is_some() {
        out.push(
            Severity::Info,
            Rule::Fields,
            a.id.cell,
            "包括連携協定の要件に届かない場合でも、特定の事業や分野に限った個別協定（ガイドライン2、担当課の判断）で連携できることがあります。".into(),
            "担当課と企業等で、個別協定の締結による連携事業の実施を検討してください。".into(),
        );
    }
}

/// "①〜⑨", and the city's exclusions after them: "①〜⑨・除外事項⑩".
fn banned_range(profile: &Profile) -> String {
    let range = |from: usize, to: usize| match to.saturating_sub(from) {
        0 if to < from => String::new(),
        0 => circled(from),
        _ => format!("{}〜{}", circled(from), circled(to)),
    };
    let n = profile.prohibited.len();
    let mut s = range(1, n);
    if !profile.exclusions.is_empty() {
        s.push_str(&format!(
            "・除外事項{}",
            range(n + 1, profile.banned_count())
        ));
    }
    s
}

// ---------------------------------------------------------------------------------------
// 3(5) and 1(5): each project
// ---------------------------------------------------------------------------------------

fn projects(reg: &Register, profile: &Profile, a: &Agreement, out: &mut Out) {
    for p in reg.rows::<Project>(a) {
        match &p.prohibited {
            None => out.push(
                Severity::Warning,
                Rule::Prohibited,
                project_blank(p, header::禁止事業確認),
                format!("{}の禁止事業確認が空欄です（未確認）。", project_label(p)),
                format!(
                    "ガイドライン3(5){}のいずれにも当たらなければ「該当なし」、当たれば該当する番号を入力してください。",
                    banned_range(profile)
                ),
            ),
            Some(x) => {
                if let ProhibitedCheck::Applies(nums) = &x.value
                    && !nums.is_empty()
                {
                    let names: Vec<String> = nums
                        .iter()
                        .map(|&n| profile.banned_label(usize::from(n)))
                        .collect();
                    out.push(
                        Severity::Error,
                        Rule::Prohibited,
                        x.cell,
                        format!(
                            "{}は{}に該当するため、連携事業とすることはできません。",
                            project_label(p),
                            names.join("、")
                        ),
                        "この事業を提案から外してください。該当しないのであれば禁止事業確認を「該当なし」に直してください。".into(),
                    );
                }
            }
        }
        if p.city_pays.value {
            out.push(
                Severity::Warning,
                Rule::Costs,
                p.city_pays.cell,
                format!(
                    "{}は市の費用負担が「あり」です。市が事業費を負担する事業は、原則として連携事業に含みません（ガイドライン1(5)）。",
                    project_label(p)
                ),
                "費用負担の内容を確認してください。市が費用を負担する場合は、契約など連携事業とは別の扱いを検討してください。".into(),
            );
        }
    }
}

/// A 締結日 that is most likely mistyped: before 平成 began (1989-01-08; a serial number or
/// a 和暦 year typed as 西暦) or more than 5 years after the reference date (a wrong year).
/// A warning at its cell: the date is still used.
fn signing_date_range(a: &Agreement, as_of: Date, out: &mut Out) {
    let Some(signed) = &a.signed_on else {
        return;
    };
    let earliest = Date::new(1989, 1, 8).expect("平成元年1月8日 exists");
    let latest = as_of.add_years(5);
    let message = if signed.value < earliest {
        format!(
            "締結日（{}）が平成元年1月8日より前です。",
            signed.value.wareki()
        )
    } else if signed.value > latest {
        format!(
            "締結日（{}）が基準日（{}）の5年より先です。",
            signed.value.wareki(),
            as_of.wareki()
        )
    } else {
        return;
    };
    out.push(
        Severity::Warning,
        Rule::Input,
        signed.cell,
        message,
        "締結日の年を確かめてください（西暦と和暦の取り違え、数字の打ち間違いなど）。正しければこのままで構いません。".into(),
    );
}

// ---------------------------------------------------------------------------------------
// 5 and 8: term and review
// ---------------------------------------------------------------------------------------

fn term_findings(
    profile: &Profile,
    a: &Agreement,
    t: &TermInfo,
    as_of: Date,
    cell: CellRef,
    out: &mut Out,
) {
    let renew = words::months(profile.term.renewal_months);
    let notice = words::months(profile.term.notice_months);
    let hint = format!(
        "期間満了日の{notice}前までに甲乙いずれからも申出がなければ、満了日の翌日から{renew}間自動更新されます（ガイドライン5、協定書第3条）。"
    );
    match t.status {
        Status::未発効 => out.push(
            Severity::Info,
            Rule::Term,
            cell,
            format!(
                "{}から有効になります（最初の有効期間は{}まで）。",
                t.start.wareki(),
                t.first_end.wareki()
            ),
            hint.clone(),
        ),
        Status::有効 => {
            let period = if t.renewals == 0 {
                "最初の期間".to_string()
            } else {
                format!("{}回更新", t.renewals)
            };
            let mut message = format!(
                "現在の有効期間は{}から{}まで（{period}）です。",
                t.current_start.wareki(),
                t.current_end.wareki()
            );
            let next = term::next_notice(t, &profile.term, as_of);
            match next.passed {
                None => message.push_str(&format!(
                    "更新しない場合の申出期限は{}です。",
                    next.deadline.wareki()
                )),
                Some(passed) => message.push_str(&format!(
                    "今期の申出期限（{}）は過ぎたため、{}まで更新されます（次の申出期限は{}）。",
                    passed.wareki(),
                    next.term_end.wareki(),
                    next.deadline.wareki()
                )),
            }
            out.push(Severity::Info, Rule::Term, cell, message, hint.clone());
        }
        Status::協議中 | Status::解除 => {}
    }
    // A first term longer than one renewal period because of the month it starts in (Isesaki:
    // signed in January–March, it runs to the next year's 3月31日). Only a `fiscal_end` rule
    // does that: a `period` rule's first term is the same length whenever it starts, as the
    // profile says, so the note would be wrong about why.
    let one_period_end = term::renewed_end(t.start.add_days(-1), profile.term.renewal_months);
    let by_start_month = matches!(profile.term.first, FirstTerm::FiscalEnd { .. });
    if by_start_month && a.ends_on.is_none() && t.renewals == 0 && t.first_end > one_period_end {
        out.push(
            Severity::Info,
            Rule::Term,
            cell,
            format!(
                "{}に始まるため、ガイドライン5の「{}」により最初の有効期間は{}までとなり、{}を超えます。",
                t.start.wareki_month(),
                words::first_end(&profile.term),
                t.first_end.wareki(),
                renew
            ),
            "最初の期間を短くしたい場合は、両者で協議した満了日を「有効期間満了日」に入力してください（ガイドライン5「両者で協議した日」）。".into(),
        );
    }
}

fn review_findings(
    t: &TermInfo,
    transitional: bool,
    failed: &[Rule],
    cell: CellRef,
    out: &mut Out,
) {
    if let Some(reason) = &t.review {
        out.push(
            Severity::Warning,
            Rule::Review,
            cell,
            format!("解除を検討できます: {reason}。"),
            "ガイドライン8①: 将来的にも連携の可能性が低いと判断した場合は解除できます。定例会議等（ガイドライン7）で今後の連携予定を確認してください。".into(),
        );
    }
    let signed = matches!(t.status, Status::有効 | Status::未発効);
    if signed && !transitional && !failed.is_empty() {
        out.push(
            Severity::Warning,
            Rule::Review,
            cell,
            format!(
                "締結済みの協定が締結の要件（{}）を満たしていません。解除を検討できます（ガイドライン8②）。",
                failed.iter().map(|r| r.code()).collect::<Vec<_>>().join("、")
            ),
            "要件確認の内容が正しいか確認してください。要件を満たさなくなった場合は、甲乙協議の上、協定書の解除の規定に従って解除の手続きをしてください。".into(),
        );
    }
}
