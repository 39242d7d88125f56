//! The documents of one agreement: builds each document's template context from the
//! register and renders it through `templates` into an [`ir::Document`](crate::document::ir::Document).
//!
//! Wording lives in `templates/*.j2`; this module only picks and formats the data (和暦
//! dates, numbers, the order of fields and projects, merged rows). Every fixed sentence is
//! the guideline's (参考資料), word for word, with these corrections of its slips:
//!
//! - `参 考 资 料` (a simplified 资 in the guideline's heading): not reproduced; no document
//!   prints that heading.
//! - `シニアプロモーションに関すること。` (記入例 of the 連携事業提案書): the field is
//!   `シティプロモーションに関すること。` (guideline 3(2) ⑩).
//! - `乙及び丙の業務活動における…` (申し合わせ事項 2.): there is no 丙; it reads
//!   `乙の業務活動における…`.
//! - `※チラシ配架及ポスター掲出については…` (申し合わせ事項 2.): `チラシ配架及びポスター掲出`.
//!
//! What the forms say to the person filling them in is left out of a filled document:
//! - 申出書: `市と包括連携協定を締結する目的について記入してください。`,
//!   `※「伊勢崎市包括連携協定に関するガイドライン」2ページの3(2)に記載している連携事項から
//!   企業等において連携できる事項を選択して記載してください。`,
//!   `※上記2で記載の連携事項に関する…添付してください。` and
//!   `その他に必要な事項があれば記載してください。` are replaced by the register's data; the
//!   form's structure stays, including `(3以上の分野に係る連携事項の実施(予定含む))`.
//! - 連携事業提案書: `市が記入しますので、記入不要です。` is kept only while the city's columns
//!   (評価 to 担当部署) are still empty, i.e. while the company fills the form in.
//! - 協定書: the editor's notes `黄色の網掛け部分については、企業等との協議により決定します。`
//!   and `場合によっては、「記名押印」` are not printed (the draft highlights the variable
//!   parts instead, and 押印方式 chooses `「署名捺印」` or `「記名押印」`).
//! - 申し合わせ事項: `<全庁的に共通事項がある場合（チラシの配架等の連携事業）等に活用>` and
//!   `毎年の定例会議等で企業に確認し、全庁周知を図る。` are notes to the city's staff: omitted.
//!
//! The 実績報告書 is not printed in the guideline; it is designed in the style of the 申出書.

use crate::date::Date;
use crate::document::clauses;
use crate::document::ir::{DocKind, Document, Inline};
use crate::document::markup;
use crate::document::markup::Templates;
use crate::error::Result;
use crate::finding::{Finding, Rule, Severity};
use crate::guideline::profile::{FirstTerm, Profile};
use crate::guideline::words;
use crate::model::{
    Agreement, CellRef, Clause, ClauseDoc, Contact, FieldId, FieldRow, Located, MemoRow, Party,
    Project, Publicity, Register, Report, Settings, Text,
};
use serde_json::{Map, Value, json};

/// How documents are produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// A draft: titles end with `（案）` and the writers highlight the register's data.
    pub draft: bool,
}

/// One document of an agreement as a run makes it.
#[derive(Debug, Clone)]
pub struct Built {
    /// The file stem: `協定書`, `実績報告書_1`…
    pub stem: String,
    /// The document as asked for (a draft in a draft run).
    pub doc: Document,
    /// In a draft run, the same document as a final render makes it, for the documents whose
    /// editions are tracked (協定書, 申し合わせ事項): editions compare what the final says.
    pub final_doc: Option<Document>,
}

/// Every document of one agreement, in the order they are written: 申出書, 連携事業提案書,
/// 協定書, 申し合わせ事項, then one 実績報告書 per result row. Each is built here once; a draft
/// of a tracked document also gets its final text here, so no later stage builds it again.
pub fn build_all(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<Vec<Built>> {
    let final_opts = Options { draft: false };
    let plain = |stem: String, doc: Document| Built {
        stem,
        doc,
        final_doc: None,
    };
    let mut out = vec![
        plain(
            DocKind::Application.file_stem().to_string(),
            application(t, reg, agreement, profile, opts)?,
        ),
        plain(
            DocKind::Proposal.file_stem().to_string(),
            proposal(t, reg, agreement, profile, opts)?,
        ),
    ];
    for kind in [DocKind::Agreement, DocKind::Memorandum] {
        let build = |o: &Options| match kind {
            DocKind::Agreement => self::agreement(t, reg, agreement, profile, o),
            _ => memorandum(t, reg, agreement, profile, o),
        };
        out.push(Built {
            stem: kind.file_stem().to_string(),
            doc: build(opts)?,
            final_doc: if opts.draft {
                Some(build(&final_opts)?)
            } else {
                None
            },
        });
    }
    for r in reg.rows::<Report>(agreement) {
        let stem = format!("{}_{}", DocKind::Report.file_stem(), r.number.value);
        out.push(plain(stem, report(t, reg, agreement, r, profile, opts)?));
    }
    Ok(out)
}

/// 包括連携協定締結の申出書.
pub fn application(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<Document> {
    let mut ctx = base(reg, agreement, profile, opts);
    let fields = agreement_fields(reg, agreement, profile);
    let listed: Vec<Value> = fields
        .iter()
        .map(|(id, _)| field(profile, &fields, Some(*id)))
        .collect();
    ctx.insert("fields".into(), listed.into());
    ctx.insert("min_fields".into(), profile.min_fields.into());
    ctx.insert("min_projects".into(), profile.min_projects.into());
    ctx.insert("applied_on".into(), date(&agreement.applied_on));
    ctx.insert("contact_name".into(), text(&agreement.contact_name));
    ctx.insert("contact_phone".into(), text(&agreement.contact_phone));
    ctx.insert("contact_email".into(), text(&agreement.contact_email));
    ctx.insert("apply_purpose".into(), text(&agreement.apply_purpose));
    ctx.insert("apply_other".into(), text(&agreement.apply_other));
    render(t, "application", DocKind::Application, ctx, reg, opts)
}

/// 連携事業提案書: one row per project in 番号 order, at least eight rows.
pub fn proposal(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<Document> {
    let mut ctx = base(reg, agreement, profile, opts);
    let fields = agreement_fields(reg, agreement, profile);
    let mut projects: Vec<_> = reg.rows::<Project>(agreement).collect();
    // 番号 order; rows without a number keep their sheet order after the numbered ones.
    projects.sort_by_key(|p| (p.number.as_ref().map_or(u32::MAX, |n| n.value), p.row));
    let city_filled = projects.iter().any(|p| {
        p.evaluation.is_some()
            || [&p.comment, &p.department, &p.division, &p.contact]
                .iter()
                .any(|t| !is_blank(t))
    });
    let rows: Vec<Value> = projects
        .iter()
        .map(|p| {
            json!({
                "field": field(profile, &fields, p.field.as_ref().map(|f| f.value)),
                "content": text(&p.content),
                "evaluation": p.evaluation.as_ref().map(|e| e.value.symbol()),
                "comment": text(&p.comment),
                "department": text(&p.department),
                "division": text(&p.division),
                "contact": text(&p.contact),
            })
        })
        .collect();
    ctx.insert("rows".into(), rows.into());
    ctx.insert("city_filled".into(), city_filled.into());
    render(t, "proposal", DocKind::Proposal, ctx, reg, opts)
}

/// 包括連携協定書.
pub fn agreement(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<Document> {
    let mut doc = agreement_raw(t, reg, agreement, profile, opts)?;
    clauses::apply(&mut doc, &agreed(reg, agreement, ClauseDoc::協定書));
    Ok(doc)
}

/// The 協定書 with the model text throughout.
fn agreement_raw(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<Document> {
    let mut ctx = base(reg, agreement, profile, opts);
    // An item prints the 協定書表記 or the guideline's wording of its field; either way a
    // change to it is typed into the 協定書表記 cell.
    let items: Vec<Value> = field_rows(reg, agreement, profile)
        .into_iter()
        .map(|(id, wording, cell)| {
            let w = wording.map_or_else(|| profile.fields[id].clone(), |w| w.value.clone());
            at(&w, &cell)
        })
        .collect();
    ctx.insert("items".into(), items.into());
    ctx.insert("closing_item".into(), profile.closing_item.clone().into());
    ctx.insert("purpose".into(), purpose(&agreement.purpose));
    ctx.insert("starts_on".into(), date(&agreement.starts_on));
    ctx.insert("ends_on".into(), date(&agreement.ends_on));
    ctx.insert("signed_on".into(), date(&agreement.signed_on));
    ctx.insert("seal".into(), agreement.seal.label().into());
    render(t, "agreement", DocKind::Agreement, ctx, reg, opts)
}

/// The `条文` rows of an agreement for one document, in sheet order.
fn agreed<'r>(reg: &'r Register, agreement: &Agreement, doc: ClauseDoc) -> Vec<&'r Clause> {
    reg.rows::<Clause>(agreement)
        .filter(|c| c.document.value == doc)
        .collect()
}

/// What `check` says of the `条文` rows of every agreement: each agreed wording as
/// information, a place its document does not have (or that takes no wording) as an error,
/// a second wording for one place as a warning (the later row is printed).
pub fn clause_findings(t: &Templates, reg: &Register, profile: &Profile) -> Vec<Finding> {
    let mut out = Vec::new();
    for a in &reg.agreements {
        if reg.rows::<Clause>(a).next().is_none() {
            continue;
        }
        for kind in [ClauseDoc::協定書, ClauseDoc::申し合わせ事項] {
            let rows = agreed(reg, a, kind);
            if rows.is_empty() {
                continue;
            }
            let opts = Options { draft: false };
            let raw = match kind {
                ClauseDoc::協定書 => agreement_raw(t, reg, a, profile, &opts),
                ClauseDoc::申し合わせ事項 => memorandum_raw(t, reg, a, profile, &opts),
            };
            let Ok(mut doc) = raw else { continue };
            let missing = clauses::apply(&mut doc, &rows);
            let mut seen: Vec<String> = Vec::new();
            for c in rows {
                let id = &a.id.value;
                let place = &c.place.value;
                let doc_name = kind.label();
                let key = clauses::place_key(place);
                if missing.iter().any(|m| std::ptr::eq(*m, c)) {
                    out.push(Finding::new(
                        Severity::Error,
                        Rule::Model,
                        Some(id.as_str()),
                        Some(c.place.cell),
                        format!("{doc_name}に「{place}」はありません（または文言を入れられない箇所です）"),
                        format!("{doc_name}にある条・項を、第6条、第2条第2項、第2条第1号、前文、末文、3.第2段落 のように書いてください。見出し・表・署名欄には書けません"),
                    ));
                    continue;
                }
                if seen.contains(&key) {
                    out.push(Finding::new(
                        Severity::Warning,
                        Rule::Model,
                        Some(id.as_str()),
                        Some(c.place.cell),
                        format!("{doc_name}の「{place}」の文言が2行以上あります。後の行の文言を印刷します"),
                        "使わない行を消してください",
                    ));
                } else {
                    seen.push(key);
                }
                out.push(Finding::new(
                    Severity::Info,
                    Rule::Model,
                    Some(id.as_str()),
                    Some(c.wording.cell),
                    format!("{doc_name}の{place}は雛形から変更して合意した文言です"),
                    "雛形の文言に戻すときは、この行を消してください",
                ));
            }
        }
    }
    out
}

/// 連携事項の実施に関する申し合わせ事項.
pub fn memorandum(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<Document> {
    let mut doc = memorandum_raw(t, reg, agreement, profile, opts)?;
    clauses::apply(&mut doc, &agreed(reg, agreement, ClauseDoc::申し合わせ事項));
    Ok(doc)
}

/// The 申し合わせ事項 with the model text throughout.
fn memorandum_raw(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<Document> {
    let mut ctx = base(reg, agreement, profile, opts);
    ctx.insert("signed_on".into(), date(&agreement.signed_on));
    ctx.insert(
        "memo_on".into(),
        date(
            &agreement
                .memo_on
                .clone()
                .or_else(|| agreement.signed_on.clone()),
        ),
    );
    ctx.insert("revised_on".into(), date(&agreement.memo_revised_on));

    // Consecutive rows with the same 連携事項 form one group (one merged cell); a blank
    // 連携事項 continues the group above, as a merged cell looks in Excel.
    let mut groups: Vec<(Option<&Text>, Vec<Value>)> = Vec::new();
    for m in reg.rows::<MemoRow>(agreement) {
        let row = json!({"project": text(&m.project), "division": text(&m.division)});
        let f = m.field.as_ref().filter(|f| !f.value.trim().is_empty());
        match (groups.last_mut(), f) {
            (Some((Some(prev), rows)), Some(f))
                if crate::text::key(&prev.value) == crate::text::key(&f.value) =>
            {
                rows.push(row)
            }
            (Some((_, rows)), None) => rows.push(row),
            _ => groups.push((f, vec![row])),
        }
    }
    // A merged group prints the 連携事項 of its first row: that is the cell it came from.
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(f, rows)| json!({"field": f.map_or(Value::Null, |f| at(&f.value, &f.cell)), "rows": rows}))
        .collect();
    ctx.insert("groups".into(), groups.into());

    let publicity: Vec<Value> = reg
        .rows::<Publicity>(agreement)
        .map(|p| {
            json!({
                "project": text(&p.project),
                "copies": number(p.copies.as_ref()),
                "note": text(&p.note),
            })
        })
        .collect();
    ctx.insert("publicity".into(), publicity.into());

    let contacts = |party: Party| -> Vec<Value> {
        reg.rows::<Contact>(agreement)
            .filter(|c| c.party.value == party)
            .map(|c| {
                json!({"office": text(&c.office), "person": text(&c.person),
                       "phone": text(&c.phone), "email": text(&c.email)})
            })
            .collect()
    };
    let city_contacts = contacts(Party::市);
    let mut company_contacts = contacts(Party::企業等);
    if company_contacts.is_empty()
        && [
            &agreement.contact_name,
            &agreement.contact_phone,
            &agreement.contact_email,
        ]
        .iter()
        .any(|t| !is_blank(t))
    {
        company_contacts.push(json!({
            "office": null,
            "person": text(&agreement.contact_name),
            "phone": text(&agreement.contact_phone),
            "email": text(&agreement.contact_email),
        }));
    }
    ctx.insert("city_contacts".into(), city_contacts.into());
    ctx.insert("company_contacts".into(), company_contacts.into());
    render(t, "memorandum", DocKind::Memorandum, ctx, reg, opts)
}

/// 包括連携協定に係る実績報告書 for one row of `実績`.
pub fn report(
    t: &Templates,
    reg: &Register,
    agreement: &Agreement,
    report: &Report,
    profile: &Profile,
    opts: &Options,
) -> Result<Document> {
    let mut ctx = base(reg, agreement, profile, opts);
    let fields = agreement_fields(reg, agreement, profile);
    ctx.insert("reported_on".into(), date(&report.reported_on));
    ctx.insert("department".into(), text(&report.department));
    ctx.insert("division".into(), text(&report.division));
    ctx.insert("person".into(), text(&report.person));
    ctx.insert(
        "field".into(),
        field(profile, &fields, report.field.as_ref().map(|f| f.value)),
    );
    ctx.insert("name".into(), text(&report.name));
    ctx.insert("starts_on".into(), date(&report.starts_on));
    ctx.insert("ends_on".into(), date(&report.ends_on));
    ctx.insert("place".into(), text(&report.place));
    ctx.insert("content".into(), text(&report.content));
    ctx.insert("participants".into(), number(report.participants.as_ref()));
    ctx.insert("outcome".into(), text(&report.outcome));
    ctx.insert("next_steps".into(), text(&report.next_steps));
    ctx.insert(
        "city_cost".into(),
        number(report.city_cost.as_ref().filter(|c| c.value > 0)),
    );
    render(t, "report", DocKind::Report, ctx, reg, opts)
}

/// 新旧対照表 (a stub until revisions come): a heading and rows of (改正後, 改正前) text
/// whose underlined spans are the changed parts.
pub fn comparison(
    t: &Templates,
    settings: &Settings,
    heading: &str,
    rows: &[(Inline, Inline)],
    returned: bool,
    opts: &Options,
) -> Result<Document> {
    let side = |inline: &Inline| -> Vec<Value> {
        inline
            .iter()
            .map(|s| json!({"text": s.text, "var": s.var, "underline": s.underline}))
            .collect()
    };
    let rows: Vec<Value> = rows
        .iter()
        .map(|(new, old)| json!({"new": side(new), "old": side(old)}))
        .collect();
    let ctx = json!({"draft": opts.draft, "heading": heading, "rows": rows, "returned": returned});
    let mut doc = t.render("comparison", DocKind::Comparison, &ctx)?;
    doc.author = settings.city_name.clone();
    doc.draft = opts.draft;
    Ok(doc)
}

fn render(
    t: &Templates,
    name: &str,
    kind: DocKind,
    ctx: Map<String, Value>,
    reg: &Register,
    opts: &Options,
) -> Result<Document> {
    let mut doc = t.render(name, kind, &Value::Object(ctx))?;
    doc.author = reg.settings.city_name.clone();
    doc.draft = opts.draft;
    Ok(doc)
}

/// What every document may use: the city's settings, the company's particulars and the
/// guideline's term in words (`term`, see [`term_words`]).
fn base(reg: &Register, a: &Agreement, profile: &Profile, opts: &Options) -> Map<String, Value> {
    let s = &reg.settings;
    let ctx = json!({
        "term": term_words(profile),
        "draft": opts.draft,
        "city": s.city_name,
        "city_address": s.city_address,
        "mayor_title": s.mayor_title,
        "mayor_name": nonempty(&s.mayor_name),
        "office": s.office,
        "office_section": s.office_section,
        "office_phone": s.office_phone,
        "office_email": s.office_email,
        "company": at(&a.company.value, &a.company.cell),
        "address": text(&a.address),
        "rep_title": text(&a.rep_title),
        "rep_name": text(&a.rep_name),
    });
    match ctx {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// The profile's term in words, for 第3条 and any sentence about the term:
/// - `kind`: `fiscal_end` (to a month and day) or `period` (for a period from the start);
/// - `first_end`: `翌年3月31日`, `3年後の3月31日` (fiscal_end; else null);
/// - `period`: `1年間`, `6箇月間` (period; else null);
/// - `renewal`: `1年`, `2年` (a renewal lasts it: `{{ term.renewal }}間`);
/// - `notice`: `1箇月`, `3箇月` (notice by then: `{{ term.notice }}前`).
fn term_words(profile: &Profile) -> Value {
    let t = &profile.term;
    let (kind, first_end, period) = match t.first {
        FirstTerm::FiscalEnd { .. } => ("fiscal_end", Some(words::first_end(t)), None),
        FirstTerm::Period { .. } => ("period", None, Some(words::first_end(t))),
    };
    json!({
        "kind": kind,
        "first_end": first_end,
        "period": period,
        "renewal": words::months(t.renewal_months),
        "notice": words::months(t.notice_months),
    })
}

fn nonempty(s: &str) -> Value {
    if s.trim().is_empty() {
        Value::Null
    } else {
        Value::String(s.to_string())
    }
}

fn is_blank(t: &Option<Text>) -> bool {
    t.as_ref().is_none_or(|t| t.value.trim().is_empty())
}

/// A value printed from the register cell `cell`: the template prints `text`, and the span
/// it becomes knows its cell (see [`markup::located`]). Null when blank.
fn at(text: &str, cell: &CellRef) -> Value {
    if text.trim().is_empty() {
        Value::Null
    } else {
        Value::String(markup::located(text, &cell.to_string()))
    }
}

/// A text cell: its text, or null when blank.
fn text(t: &Option<Text>) -> Value {
    t.as_ref().map_or(Value::Null, |t| at(&t.value, &t.cell))
}

/// A date cell as 和暦, or null when blank.
fn date(d: &Option<Located<Date>>) -> Value {
    d.as_ref()
        .map_or(Value::Null, |d| at(&d.value.wareki(), &d.cell))
}

/// A number cell with thousands separators, or null.
fn number<T: Copy + Into<u64>>(n: Option<&Located<T>>) -> Value {
    n.map_or(Value::Null, |n| at(&grouped(n.value.into()), &n.cell))
}

/// 目的 fills `甲及び乙が、〇〇、〇〇、〇〇等、`; a trailing `等` or `、` typed by the user
/// would double the form's own.
fn purpose(t: &Option<Text>) -> Value {
    let Some(t) = t else { return Value::Null };
    let mut p = t.value.trim_end().trim_end_matches('、');
    if let Some(q) = p.strip_suffix('等') {
        p = q.trim_end().trim_end_matches('、');
    }
    at(p, &t.cell)
}

/// Thousands separators: 12000 → `12,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The agreement's fields in the guideline's order (① first), each once, with its
/// 協定書表記 if one was given. Fields outside the profile are skipped.
fn agreement_fields(
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
) -> Vec<(FieldId, Option<String>)> {
    field_rows(reg, agreement, profile)
        .into_iter()
        .map(|(id, w, _)| (id, w.map(|w| w.value.clone())))
        .collect()
}

/// The same with the cells: each field's first non-blank 協定書表記, and the cell a wording
/// of it belongs in (that one, or the field's first row's 協定書表記 cell).
fn field_rows<'r>(
    reg: &'r Register,
    agreement: &Agreement,
    profile: &Profile,
) -> Vec<(FieldId, Option<&'r Text>, CellRef)> {
    let mut out: Vec<(FieldId, Option<&Text>, CellRef)> = Vec::new();
    for f in reg.rows::<FieldRow>(agreement) {
        let id = f.field.value;
        if id >= profile.fields.len() {
            continue;
        }
        let wording = f.wording.as_ref().filter(|w| !w.value.trim().is_empty());
        match out.iter_mut().find(|(i, _, _)| *i == id) {
            Some((_, w, cell)) => {
                if w.is_none() && wording.is_some() {
                    *w = wording;
                    *cell = wording.map_or(*cell, |w| w.cell);
                }
            }
            None => out.push((id, wording, wording.map_or(f.wording_cell, |w| w.cell))),
        }
    }
    out.sort_by_key(|(id, _, _)| *id);
    out
}

/// A field for the forms: the guideline's wording and, for the "その他" field, what it is
/// (its 協定書表記 in this agreement). Blank when the row names no field.
fn field(profile: &Profile, fields: &[(FieldId, Option<String>)], id: Option<FieldId>) -> Value {
    let Some(id) = id else {
        return json!({"name": null, "wording": null, "other": false});
    };
    let wording = fields
        .iter()
        .find(|(i, _)| *i == id)
        .and_then(|(_, w)| w.clone());
    json!({
        "name": profile.fields.get(id).cloned(),
        "wording": wording,
        "other": id + 1 == profile.other_field,
    })
}
