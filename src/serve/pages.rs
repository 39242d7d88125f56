//! The pages, in Japanese: 台帳 (`/`), 協定 (`/agreements/<協定番号>`), 予定 (`/schedule`),
//! 報告 (`/report`), 確認 (`/check`), and the forms that start renders.
//!
//! Each page is a minijinja template (`templates/serve/*.html`, from the asset table, so
//! `--templates` can replace it) drawn from a view built here from the snapshot. Autoescaping
//! is on for every `.html` template: nothing the register holds is ever read as markup.
//! The one script (`app.js`) only filters the table and swaps in a fresh copy of the page
//! when the pulse (`/events`) says the register or the documents changed.

use super::job::{JobView, Request};
use super::state::{App, Loaded, Snapshot};
use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::model::AgreementKey;
use crate::output::{DRAFT_DIR, ManifestFile, sanitize_component};
use crate::report::schedule::Entry;
use crate::revision;
use crate::text;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Redirect, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::WatchStream;

/// What is not encoded in a path segment of a link.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A path segment for a link (a 協定番号 may hold `/`, `?`, `#` or anything else; a segment
/// that is only dots is encoded too, or the browser would take it as a step up).
pub fn segment(s: &str) -> String {
    match s {
        "." => "%2E".into(),
        ".." => "%2E%2E".into(),
        s => utf8_percent_encode(s, SEGMENT).to_string(),
    }
}

/// The link to an agreement's page.
pub fn agreement_href(id: &str) -> String {
    format!("/agreements/{}", segment(id))
}

/// The link to a file of the output folder (`R8-001/協定書.pdf`).
pub fn file_href(rel: &str) -> String {
    let parts: Vec<String> = rel.split('/').map(segment).collect();
    format!("/files/{}", parts.join("/"))
}

/// What every page has: the city, the navigation, the reading and the job.
#[derive(Serialize)]
pub(super) struct Base {
    title: String,
    nav: &'static str,
    city: String,
    register: String,
    read_at: String,
    as_of: String,
    /// The pulse versions the page was drawn from (the script compares them).
    register_version: u64,
    files_version: u64,
    /// The page follows the pulse (a result of an upload does not).
    live: bool,
    job: Option<JobView>,
    error: Option<ErrorView>,
}

#[derive(Serialize)]
struct ErrorView {
    message: String,
    findings: Vec<FindingView>,
}

pub(super) fn base(
    app: &App,
    snap: &Snapshot,
    title: String,
    nav: &'static str,
    live: bool,
) -> Base {
    let pulse = app.pulse.borrow().clone();
    Base {
        title,
        nav,
        city: app.profile.identity.city.clone(),
        register: app
            .register
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        read_at: snap.read_at.clone(),
        as_of: snap.as_of.wareki(),
        register_version: pulse.register,
        files_version: pulse.files,
        live,
        job: app.job().map(|j| j.view()),
        error: snap.error.as_ref().map(|e| ErrorView {
            message: e.message.clone(),
            findings: e.findings.iter().map(FindingView::of).collect(),
        }),
    }
}

#[derive(Serialize)]
struct FindingView {
    severity: &'static str,
    label: &'static str,
    agreement: Option<String>,
    cell: String,
    rule: String,
    message: String,
    hint: String,
}

impl FindingView {
    fn of(f: &Finding) -> FindingView {
        FindingView {
            severity: match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            },
            label: f.severity.label(),
            agreement: f.agreement.clone(),
            cell: f.cell.clone().unwrap_or_else(|| "—".into()),
            rule: f.rule.label(),
            message: f.message.clone(),
            hint: f.hint.clone(),
        }
    }
}

/// Findings in groups: the register-wide ones, then one group per agreement.
#[derive(Serialize)]
struct Group {
    title: String,
    href: Option<String>,
    findings: Vec<FindingView>,
}

fn groups(findings: &[Finding]) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut keys: Vec<Option<AgreementKey>> = Vec::new();
    for f in findings {
        let key = f.key.clone();
        let i = match keys.iter().position(|k| *k == key) {
            Some(i) => i,
            None => {
                keys.push(key);
                out.push(Group {
                    title: match &f.agreement {
                        Some(id) => format!("協定 {id}"),
                        None => "台帳全体".into(),
                    },
                    href: None,
                    findings: Vec::new(),
                });
                out.len() - 1
            }
        };
        out[i].findings.push(FindingView::of(f));
    }
    out
}

/// Errors and warnings per agreement (by key), from the reading's verdict.
fn counts(l: &Loaded) -> HashMap<AgreementKey, (usize, usize)> {
    l.input
        .register
        .agreements
        .iter()
        .enumerate()
        .map(|(i, a)| (a.key.clone(), l.verdict.counts(i)))
        .collect()
}

/// One agreement's line in the tables.
#[derive(Serialize)]
struct Row {
    id: String,
    href: String,
    company: String,
    status: &'static str,
    term: String,
    notice: String,
    passed_notice: String,
    next_term_end: String,
    last_result: String,
    review: String,
    errors: usize,
    warnings: usize,
}

fn row(e: &Entry, counts: &HashMap<AgreementKey, (usize, usize)>) -> Row {
    let (errors, warnings) = counts
        .get(&AgreementKey::of(&e.agreement))
        .copied()
        .unwrap_or_default();
    let date = |d: Option<crate::date::Date>| d.map(|d| d.wareki()).unwrap_or_default();
    Row {
        id: e.agreement.clone(),
        href: agreement_href(&e.agreement),
        company: e.company.clone(),
        status: e.status.label(),
        term: match (e.term_start, e.term_end) {
            (Some(s), Some(t)) => format!("{}〜{}", s.wareki(), t.wareki()),
            _ => "（締結前）".into(),
        },
        notice: date(e.notice_deadline),
        passed_notice: date(e.passed_notice_deadline),
        next_term_end: date(e.next_term_end),
        last_result: date(e.last_result),
        review: e.review.clone().unwrap_or_default(),
        errors,
        warnings,
    }
}

#[derive(Deserialize)]
pub struct IndexQuery {
    /// The filter: rows whose 協定番号, 企業等名 or 状態 contain it (NFKC, any case).
    q: Option<String>,
}

/// 台帳: every agreement, the register-wide findings, a filter box.
pub async fn index(State(app): State<Arc<App>>, Query(query): Query<IndexQuery>) -> Response {
    let snap = app.snapshot();
    let q = query.q.unwrap_or_default().trim().to_string();
    let needle = text::nfkc(&q).to_lowercase();
    let base = base(&app, &snap, "台帳".into(), "index", true);
    let (rows, register_findings) = match &snap.loaded {
        Some(l) => {
            let c = counts(l);
            let rows: Vec<Row> = l
                .schedule
                .iter()
                .map(|e| row(e, &c))
                .filter(|r| {
                    needle.is_empty()
                        || [r.id.as_str(), r.company.as_str(), r.status]
                            .iter()
                            .any(|s| text::nfkc(s).to_lowercase().contains(&needle))
                })
                .collect();
            let wide: Vec<FindingView> = l.verdict.unowned().map(FindingView::of).collect();
            (rows, wide)
        }
        None => (Vec::new(), Vec::new()),
    };
    let totals = snap.loaded.as_ref().map(|l| {
        let n = |s| {
            l.verdict
                .findings()
                .iter()
                .filter(|f| f.severity == s)
                .count()
        };
        (n(Severity::Error), n(Severity::Warning), n(Severity::Info))
    });
    app.html.render(
        StatusCode::OK,
        "index.html",
        serde_json::json!({ "base": base, "rows": rows, "register_findings": register_findings, "totals": totals, "q": q, "out": app.out.display().to_string(), "loaded": snap.loaded.is_some() }),
    )
}

/// A document of the agreement, in its formats.
#[derive(Serialize, Default)]
struct DocView {
    name: String,
    draft: bool,
    pdf: Option<String>,
    docx: Option<String>,
    preview: Option<String>,
}

/// One edition of a tracked document.
#[derive(Serialize)]
struct EditionView {
    document: String,
    number: u32,
    label: String,
    current: bool,
    pdf: Option<String>,
    docx: Option<String>,
    comparison_pdf: Option<String>,
    comparison_docx: Option<String>,
}

/// The documents of one agreement's folder in the manifest: finals, then drafts.
fn documents(files: &[ManifestFile], dir: &str) -> Vec<DocView> {
    let prefix = format!("{dir}/");
    let mut docs: Vec<DocView> = Vec::new();
    for f in files {
        let Some(rest) = f.path.strip_prefix(&prefix) else {
            continue;
        };
        let (draft, name) = match rest.split_once('/') {
            Some((d, name)) if d == DRAFT_DIR => (true, name),
            Some(_) => continue,
            None => (false, rest),
        };
        let Some((stem, ext)) = name.rsplit_once('.') else {
            continue;
        };
        if ext != "pdf" && ext != "docx" {
            continue;
        }
        let i = match docs.iter().position(|d| d.name == stem && d.draft == draft) {
            Some(i) => i,
            None => {
                docs.push(DocView {
                    name: stem.to_string(),
                    draft,
                    ..DocView::default()
                });
                docs.len() - 1
            }
        };
        let href = file_href(&f.path);
        if ext == "pdf" {
            docs[i].preview = Some(format!("{href}?inline=1"));
            docs[i].pdf = Some(href);
        } else {
            docs[i].docx = Some(href);
        }
    }
    docs.sort_by_key(|d| (d.draft, doc_order(&d.name), d.name.clone()));
    docs
}

/// The order documents are listed in: the order of the guideline's forms.
fn doc_order(stem: &str) -> usize {
    crate::document::ir::DocKind::ALL
        .iter()
        .position(|k| stem.starts_with(k.file_stem()))
        .unwrap_or(usize::MAX)
}

/// Every edition of the agreement's tracked documents, from their records (`版/`): the
/// current file, earlier ones in `履歴/`, and each new edition's 新旧対照表, where on disk.
fn editions(app: &App, dir: &str) -> Vec<EditionView> {
    let store = app.store();
    let mut out = Vec::new();
    for kind in revision::TRACKED {
        let stem = kind.file_stem();
        let rel = revision::state_rel(std::path::Path::new(dir), stem);
        let Ok(Some(bytes)) = store.read(&rel) else {
            continue;
        };
        let Ok(state) = revision::parse_state(&store.root().join(&rel), &bytes) else {
            continue;
        };
        for n in (1..=state.edition).rev() {
            let current = n == state.edition;
            let file = |ext: &str| {
                let rel = match current {
                    true => format!("{dir}/{stem}.{ext}"),
                    false => format!("{dir}/{}/{stem}_第{n}版.{ext}", crate::output::HISTORY_DIR),
                };
                store
                    .holds_file(std::path::Path::new(&rel))
                    .then(|| file_href(&rel))
            };
            let comparison = |ext: &str| {
                let rel = format!(
                    "{dir}/{}_{stem}_第{n}版.{ext}",
                    crate::document::ir::DocKind::Comparison.file_stem()
                );
                (n > 1 && store.holds_file(std::path::Path::new(&rel))).then(|| file_href(&rel))
            };
            out.push(EditionView {
                document: stem.to_string(),
                number: n,
                label: match (current, &state.label) {
                    (true, Some(l)) => l.clone(),
                    _ => format!("第{n}版"),
                },
                current,
                pdf: file("pdf"),
                docx: file("docx"),
                comparison_pdf: comparison("pdf"),
                comparison_docx: comparison("docx"),
            });
        }
    }
    out
}

/// Whether `rel` (relative to the output folder, `/`-separated) is a file kyotei made there:
/// one the manifest lists, or an edition of a tracked document (its file in `履歴/`, its
/// 新旧対照表), named as kyotei names them and listed by [`editions`].
pub fn is_served(app: &App, rel: &str) -> bool {
    if let Some(m) = app.manifest().as_ref()
        && m.files.iter().any(|f| f.path == rel)
    {
        return true;
    }
    let Some((dir, _)) = rel.split_once('/') else {
        return false;
    };
    editions(app, dir).iter().any(|e| {
        [&e.pdf, &e.docx, &e.comparison_pdf, &e.comparison_docx]
            .into_iter()
            .flatten()
            .any(|href| *href == file_href(rel))
    })
}

/// The agreement whose 協定番号 is `id` (full- and half-width alike).
pub fn find<'a>(l: &'a Loaded, id: &str) -> Option<&'a crate::model::Agreement> {
    l.input.register.find(&AgreementKey::of(id))
}

/// 協定: its findings with their cells, its documents with a preview, the render buttons,
/// its editions and 新旧対照表, the ZIP.
pub async fn agreement(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let snap = app.snapshot();
    let Some(l) = snap.loaded.as_ref() else {
        return not_found_page(&app, &snap);
    };
    let Some(a) = find(l, &id) else {
        return not_found_page(&app, &snap);
    };
    let base = base(
        &app,
        &snap,
        format!("協定 {}（{}）", a.id.value, a.company.value),
        "index",
        true,
    );
    let key = a.key();
    // The one verdict of this reading: what `kyotei render` refuses is what is disabled here.
    let position = l.input.register.position(key).unwrap_or_default();
    let own = l.verdict.own(position);
    let blocked = match snap.error.is_some() {
        true => Some(
            "最新の台帳を読み込めないため、作成できません。台帳を直して保存してください".into(),
        ),
        false => l.verdict.blocked(position).map(|b| b.reason()),
    };
    let entry = l
        .schedule
        .iter()
        .find(|e| AgreementKey::of(&e.agreement) == *key)
        .map(|e| row(e, &counts(l)));
    let dir = sanitize_component(&a.id.value);
    let manifest = app.manifest();
    let docs = manifest
        .as_ref()
        .as_ref()
        .map(|m| documents(&m.files, &dir))
        .unwrap_or_default();
    let has_finals = docs.iter().any(|d| !d.draft);
    let preview = docs
        .iter()
        .find(|d| d.name == crate::document::ir::DocKind::Agreement.file_stem())
        .or(docs.first())
        .and_then(|d| d.preview.clone());
    let findings: Vec<FindingView> = own.iter().map(FindingView::of).collect();
    app.html.render(
        StatusCode::OK,
        "agreement.html",
        serde_json::json!({ "base": base, "id": a.id.value.clone(), "company": a.company.value.clone(), "entry": entry, "findings": findings, "blocked": blocked, "render_href": format!("{}/render", agreement_href(&a.id.value)), "compare_href": format!("{}/compare", agreement_href(&a.id.value)), "docs": docs, "preview": preview, "editions": editions(&app, &dir), "zip": has_finals.then(|| format!("{}/documents.zip", agreement_href(&a.id.value))) }),
    )
}

/// The form of the render buttons.
#[derive(Deserialize)]
pub struct RenderForm {
    /// `draft` or `final`.
    mode: String,
}

/// Makes the documents of one agreement (`mode=draft|final`).
pub async fn render_one(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<RenderForm>,
) -> Response {
    let snap = app.snapshot();
    let Some(a) = snap.loaded.as_ref().and_then(|l| find(l, &id)) else {
        return not_found_page(&app, &snap);
    };
    let back = agreement_href(&a.id.value);
    start(
        &app,
        &snap,
        Request {
            agreement: Some(a.id.value.clone()),
            draft: form.mode == "draft",
        },
        back,
    )
}

/// Makes the documents of every agreement (`mode=draft|final`).
pub async fn render_all(
    State(app): State<Arc<App>>,
    axum::Form(form): axum::Form<RenderForm>,
) -> Response {
    let snap = app.snapshot();
    start(
        &app,
        &snap,
        Request {
            agreement: None,
            draft: form.mode == "draft",
        },
        "/".into(),
    )
}

fn start(app: &Arc<App>, snap: &Snapshot, request: Request, back: String) -> Response {
    match app.start_render(request) {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(running) => {
            let base = base(app, snap, "作成中".into(), "", false);
            app.html.render(
                StatusCode::CONFLICT,
                "message.html",
                serde_json::json!({ "base": base, "heading": "ほかの作成が実行中です", "message": format!(
                        "「{}」を作成しています（{}）。終わってから、もう一度押してください。",
                        running.request.label(),
                        running.view().message
                    ), "back": back }),
            )
        }
    }
}

/// The job as JSON (`null` when none has run).
pub async fn job(State(app): State<Arc<App>>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_string(&app.job().map(|j| j.view())).unwrap_or_default(),
    )
        .into_response()
}

/// The pulse as server-sent events: one `pulse` event now and one after each change.
pub async fn events(
    State(app): State<Arc<App>>,
) -> Sse<impl tokio_stream::Stream<Item = std::result::Result<Event, Infallible>>> {
    let stream = WatchStream::new(app.pulse.subscribe()).map(|p| {
        Ok(Event::default()
            .event("pulse")
            .data(serde_json::to_string(&p).unwrap_or_default()))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[derive(Deserialize)]
pub struct ScheduleQuery {
    months: Option<u32>,
}

impl ScheduleQuery {
    /// The window asked for, in months: one of [`WINDOWS`], 3 when none (or another) is asked.
    /// The page and its ICS use the same.
    pub fn months(&self) -> u32 {
        self.months.filter(|m| WINDOWS.contains(m)).unwrap_or(3)
    }
}

/// The choices of the schedule's window, in months (0: every agreement).
const WINDOWS: [u32; 5] = [1, 3, 6, 12, 0];

/// 予定: deadlines within the chosen number of months, with the ICS.
pub async fn schedule(State(app): State<Arc<App>>, Query(q): Query<ScheduleQuery>) -> Response {
    let snap = app.snapshot();
    let months = q.months();
    let base = base(&app, &snap, "予定".into(), "schedule", true);
    let rows: Vec<Row> = snap
        .loaded
        .as_ref()
        .map(|l| {
            let c = counts(l);
            window(&l.schedule, snap.as_of, months)
                .iter()
                .map(|e| row(e, &c))
                .collect()
        })
        .unwrap_or_default();
    let windows: Vec<serde_json::Value> = WINDOWS
        .iter()
        .map(|&m| {
            serde_json::json!({ "value": m, "label": if m == 0 { "すべて".to_string() } else { format!("{m}箇月以内") }, "selected": m == months })
        })
        .collect();
    app.html.render(
        StatusCode::OK,
        "schedule.html",
        serde_json::json!({ "base": base, "rows": rows, "months": months, "windows": windows, "ics": format!("/schedule.ics?months={months}") }),
    )
}

/// The entries with a deadline within `months` (all of them for 0).
pub fn window(entries: &[Entry], as_of: crate::date::Date, months: u32) -> Vec<Entry> {
    match months {
        0 => entries.to_vec(),
        m => crate::report::schedule::within(entries, as_of, m as i32),
    }
}

#[derive(Deserialize)]
pub struct ReportQuery {
    fy: Option<String>,
}

impl ReportQuery {
    /// The fiscal year asked for (`2026`, `R8`, `令和8年度`), else the one of `as_of`.
    pub fn fiscal_year(&self, as_of: crate::date::Date) -> i32 {
        self.fy
            .as_deref()
            .and_then(crate::report::annual::fiscal_year_arg)
            .unwrap_or(as_of.fiscal_year())
    }
}

/// 報告: the annual report workbook of a chosen fiscal year, and the open-data CSV.
pub async fn report(State(app): State<Arc<App>>, Query(q): Query<ReportQuery>) -> Response {
    let snap = app.snapshot();
    let base = base(&app, &snap, "報告".into(), "report", true);
    let this_year = snap.as_of.fiscal_year();
    let fy = q.fiscal_year(snap.as_of);
    // The fiscal years of the results, this year and the one asked for, newest first.
    let result_years: Vec<i32> = snap
        .loaded
        .as_ref()
        .map(|l| {
            l.input
                .register
                .reports
                .iter()
                .filter_map(crate::report::annual::result_year)
                .collect()
        })
        .unwrap_or_default();
    let results = result_years.iter().filter(|&&y| y == fy).count();
    let mut years = result_years;
    years.extend([this_year, fy]);
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let choices: Vec<serde_json::Value> = years
        .iter()
        .map(|&y| {
            serde_json::json!({ "value": y, "label": crate::report::annual::fiscal_year_label(y), "selected": y == fy })
        })
        .collect();
    app.html.render(
        StatusCode::OK,
        "report.html",
        serde_json::json!({ "base": base, "fy": fy, "fy_label": crate::report::annual::fiscal_year_label(fy), "years": choices, "results": results, "annual": format!("/report/annual.xlsx?fy={fy}"), "annual_name": crate::report::annual::default_file_name(fy), "open_data": "/report/open-data.csv", "loaded": snap.loaded.is_some() }),
    )
}

/// 確認: the upload form.
pub async fn check_form(State(app): State<Arc<App>>) -> Response {
    let snap = app.snapshot();
    let base = base(&app, &snap, "確認".into(), "check", false);
    app.html.render(
        StatusCode::OK,
        "check.html",
        serde_json::json!({ "base": base, "checked": false, "limit": crate::input::xlsx::limit_label() }),
    )
}

/// Uploads read and checked at the same time, at most: each holds up to the reader's limit
/// (50 MB) in memory, so a burst of uploads cannot take the server's memory.
pub(super) static UPLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// How long an upload waits for its turn before the page says 「混み合っています」 (503).
const UPLOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Room for the form's framing around the file (boundaries, headers).
pub(super) const FORM_OVERHEAD: u64 = 64 * 1024;

/// How much of a refused upload is read (and thrown away) so the client, still sending, reads
/// the answer instead of a reset connection; a client that sends more is cut off.
const DRAIN_MAX: u64 = 512 * 1024 * 1024;
const DRAIN_TIME: std::time::Duration = std::time::Duration::from_secs(30);

/// 確認: checks an uploaded workbook from memory (never stored) and shows its findings. The
/// upload is read by [`receive`], the one bounded reader of every upload.
pub async fn check_upload(State(app): State<Arc<App>>, req: axum::extract::Request) -> Response {
    let snap = app.snapshot();
    let base = base(&app, &snap, "確認".into(), "check", false);
    let mut upload = match receive(req, "register", 1, "台帳（.xlsx）", "確認する台帳（.xlsx）")
        .await
    {
        Ok(r) => r,
        Err(refused) => {
            return refused.answer(check_result(
                &app,
                base,
                "",
                Err(refused.message.clone()),
                refused.status,
            ));
        }
    };
    let (name, bytes) = upload.files.remove(0);
    let label = match sanitize_component(&name) {
        n if n == "_" => "アップロードした台帳".to_string(),
        n => n,
    };
    let as_of = snap.as_of;
    let checked = tokio::task::spawn_blocking({
        let app = app.clone();
        let label = label.clone();
        move || {
            let input =
                crate::run::Input::from_bytes(std::path::Path::new(&label), bytes, &app.profile)?;
            let verdict = crate::run::verdict::Verdict::new(
                &input,
                &app.profile,
                as_of,
                &|c| app.engine.pdf.covers(c),
                &app.engine.templates,
            );
            Ok::<_, Error>(verdict.findings().to_vec())
        }
    })
    .await;
    let result = match checked {
        Ok(Ok(findings)) => Ok(findings),
        Ok(Err(Error::Structure(findings))) => Ok(findings),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("確認の途中で失敗しました".into()),
    };
    check_result(&app, base, &label, result, StatusCode::OK)
}

/// 返送された文書と比べる: a returned DOCX of this agreement, uploaded and compared from
/// memory with what kyotei issued (the edition records of this server's output folder), as
/// `kyotei compare` does; nothing is stored, the register cells shown as text to copy.
pub async fn compare_upload(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    req: axum::extract::Request,
) -> Response {
    let snap = app.snapshot();
    let Some(l) = snap.loaded.as_ref() else {
        return not_found_page(&app, &snap);
    };
    let Some(a) = find(l, &id) else {
        return not_found_page(&app, &snap);
    };
    let (agreement, company) = (a.id.value.clone(), a.company.value.clone());
    let base = base(
        &app,
        &snap,
        format!("協定 {agreement}（{company}）返送された文書との比較"),
        "index",
        false,
    );
    let page = |status: StatusCode,
                name: &str,
                result: std::result::Result<serde_json::Value, String>| {
        let (report, error) = match result {
            Ok(r) => (Some(r), None),
            Err(e) => (None, Some(e)),
        };
        app.html.render(
            status,
            "compare.html",
            serde_json::json!({ "base": base, "id": agreement, "company": company, "back": agreement_href(&agreement), "action": format!("{}/compare", agreement_href(&agreement)), "name": name, "report": report, "upload_error": error, "limit": crate::input::xlsx::limit_label() }),
        )
    };
    let mut upload = match receive(
        req,
        "returned",
        1,
        "Word 文書（.docx）",
        "返ってきた Word 文書（.docx）",
    )
    .await
    {
        Ok(r) => r,
        Err(refused) => {
            return refused.answer(page(refused.status, "", Err(refused.message.clone())));
        }
    };
    let (name, bytes) = upload.files.remove(0);
    let label = match sanitize_component(&name) {
        n if n == "_" => "アップロードした文書".to_string(),
        n => n,
    };
    let compared = tokio::task::spawn_blocking({
        let (app, snap, label, id) = (app.clone(), snap.clone(), label.clone(), agreement.clone());
        move || {
            let Some(l) = snap.loaded.as_ref() else {
                return Err("台帳を読み込めていません".to_string());
            };
            let returned =
                crate::input::docx::read_bytes(&bytes, &crate::input::xlsx::Limits::default())
                    .map_err(|reason| format!("{label} を読み込めません: {reason}"))?;
            let opts = crate::run::compare::Options {
                out: app.out.clone(),
                write: false,
                agreement: Some(id),
                kind: None,
                current: false,
                formats: Vec::new(),
            };
            crate::run::compare::compare(
                &app.engine,
                &l.input,
                &app.profile,
                &returned,
                &label,
                &opts,
            )
            .map_err(|e| e.to_string())
        }
    })
    .await;
    match compared {
        Ok(Ok(c)) => {
            let text = crate::run::command::compare_text(&c);
            let mut report = serde_json::to_value(&c).unwrap_or_default();
            // The changed parts of each model difference, for <mark>.
            if let Some(diffs) = report["differences"].as_array_mut() {
                for d in diffs {
                    let (old, new) = (
                        d["old"].as_str().unwrap_or(""),
                        d["new"].as_str().unwrap_or(""),
                    );
                    let (new_side, old_side) = crate::revision::char_diff(old, new);
                    let parts = |side: &crate::document::ir::Inline| {
                        side.iter()
                            .map(|s| serde_json::json!({"text": s.text, "changed": s.underline}))
                            .collect::<Vec<_>>()
                    };
                    d["old_parts"] = parts(&old_side).into();
                    d["new_parts"] = parts(&new_side).into();
                }
            }
            // Dates as the report says them (令和8年12月1日 10:00).
            for list in ["changes", "comments"] {
                if let Some(items) = report[list].as_array_mut() {
                    for item in items {
                        item["date"] =
                            crate::run::command::date_label(item["date"].as_str()).into();
                    }
                }
            }
            report["text"] = text.into();
            page(StatusCode::OK, &label, Ok(report))
        }
        Ok(Err(e)) => page(StatusCode::UNPROCESSABLE_ENTITY, &label, Err(e)),
        Err(_) => page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &label,
            Err("比較の途中で失敗しました".into()),
        ),
    }
}

/// An upload refused: the status and what to tell the user.
pub(super) struct Refused {
    pub status: StatusCode,
    pub message: String,
}

impl Refused {
    /// The page of the refusal, with `Retry-After` when the server was busy.
    pub fn answer(&self, mut page: Response) -> Response {
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            page.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("10"));
        }
        page
    }
}

/// What a form with files sent, received into memory (never stored).
pub(super) struct Upload {
    /// The files of the file field, in order: the name as sent and the bytes (empty ones
    /// left out).
    pub files: Vec<(String, Vec<u8>)>,
    /// The form's other (text) fields, each cut at 1 KB.
    pub fields: Vec<(String, String)>,
    /// The upload's turn, held while its files are read and used.
    _turn: tokio::sync::SemaphorePermit<'static>,
}

/// Receives the files of the form field `field_name` (at most `max_files`, all together
/// within the reader's limit) and the form's text fields. `what` names a file in the messages
/// (`台帳（.xlsx）`), `choose` what to choose (`確認する台帳（.xlsx）`).
///
/// The one bounded reader of every upload (the register checked, a returned DOCX compared,
/// the departments' replies): a body announced larger than the limit is refused at once
/// (413); at most [`UPLOADS`] uploads are read and used at a time, the others wait
/// [`UPLOAD_WAIT`] and are then refused (503, with `Retry-After`); the files are read chunk by
/// chunk and refused (413) as soon as they pass the limit together. A refused upload is read
/// to its end and thrown away (bounded), so every request gets its answer. The routes that
/// take files have no body limit of their own ([`super::router`]): this is it.
pub(super) async fn receive(
    req: axum::extract::Request,
    field_name: &str,
    max_files: usize,
    what: &str,
    choose: &str,
) -> std::result::Result<Upload, Refused> {
    use axum::extract::FromRequest;
    let limit = crate::input::xlsx::Limits::default().max_file_bytes;
    let refuse = |status: StatusCode| Refused {
        status,
        message: upload_error(status, limit, what),
    };
    let expects_continue = req
        .headers()
        .get(header::EXPECT)
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + FORM_OVERHEAD) {
        // A client waiting for 100 Continue sends nothing more: nothing to drain.
        if !expects_continue {
            drain(req.into_body().into_data_stream()).await;
        }
        return Err(refuse(StatusCode::PAYLOAD_TOO_LARGE));
    }
    let turn = match tokio::time::timeout(UPLOAD_WAIT, UPLOADS.acquire()).await {
        Ok(Ok(permit)) => permit,
        _ => {
            if !expects_continue {
                drain(req.into_body().into_data_stream()).await;
            }
            return Err(Refused {
                status: StatusCode::SERVICE_UNAVAILABLE,
                message:
                    "ほかのファイルの確認で混み合っています。少し待ってから、もう一度送ってください"
                        .into(),
            });
        }
    };
    let mut form = match Multipart::from_request(req, &()).await {
        Ok(f) => f,
        Err(_) => return Err(refuse(StatusCode::BAD_REQUEST)),
    };
    // A multipart error: too large stays 413, anything else is 400.
    let status_of = |s: StatusCode| match s {
        StatusCode::PAYLOAD_TOO_LARGE => s,
        _ => StatusCode::BAD_REQUEST,
    };
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut total = 0u64;
    let mut problem: Option<Refused> = None;
    'fields: loop {
        match form.next_field().await {
            Ok(Some(mut field)) if field.name() == Some(field_name) && problem.is_none() => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut bytes = Vec::new();
                if files.is_empty() {
                    // Reserved at once for the first file (pages are only resident once
                    // written): no copy on growth.
                    bytes.reserve(declared.unwrap_or(limit).min(limit) as usize);
                }
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) if total + chunk.len() as u64 <= limit => {
                            total += chunk.len() as u64;
                            bytes.extend_from_slice(&chunk)
                        }
                        // Too large: let go of what was read, read the rest without keeping it.
                        Ok(Some(_)) => {
                            problem = Some(refuse(StatusCode::PAYLOAD_TOO_LARGE));
                            files = Vec::new();
                            bytes = Vec::new();
                        }
                        Ok(None) => break,
                        Err(e) => {
                            problem = Some(refuse(status_of(e.status())));
                            break 'fields;
                        }
                    }
                    if problem.is_some() {
                        drain_field(&mut field).await;
                        break;
                    }
                }
                if problem.is_none() && !bytes.is_empty() {
                    if files.len() == max_files {
                        problem = Some(Refused {
                            status: StatusCode::PAYLOAD_TOO_LARGE,
                            message: format!("一度に送れるファイルは {max_files} 件までです"),
                        });
                        files = Vec::new();
                    } else {
                        files.push((name, bytes));
                    }
                }
            }
            // A small text field (a button's value).
            Ok(Some(mut field)) if field.file_name().is_none() && problem.is_none() => {
                let name = field.name().unwrap_or("").to_string();
                let mut raw: Vec<u8> = Vec::new();
                while raw.len() < 1024 {
                    match field.chunk().await {
                        Ok(Some(chunk)) => raw.extend_from_slice(&chunk),
                        _ => break,
                    }
                }
                drain_field(&mut field).await;
                let text = String::from_utf8_lossy(&raw);
                fields.push((name, text[..text.floor_char_boundary(1024)].to_string()));
            }
            // Another field (or a file after a refused one): skipped unread.
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => {
                problem = Some(refuse(status_of(e.status())));
                break;
            }
        }
    }
    match problem {
        Some(p) => Err(p),
        None if files.is_empty() => Err(Refused {
            status: StatusCode::BAD_REQUEST,
            message: format!("ファイルが選ばれていません。{choose}を選んでください"),
        }),
        None => Ok(Upload {
            files,
            fields,
            _turn: turn,
        }),
    }
}

/// Reads what is left of a field without keeping it (bounded like [`drain`]).
async fn drain_field(field: &mut axum::extract::multipart::Field<'_>) {
    let start = std::time::Instant::now();
    let mut read = 0u64;
    while read < DRAIN_MAX && start.elapsed() < DRAIN_TIME {
        match tokio::time::timeout(DRAIN_TIME, field.chunk()).await {
            Ok(Ok(Some(chunk))) => read += chunk.len() as u64,
            _ => return,
        }
    }
}

/// Reads a body to its end without keeping it, at most [`DRAIN_MAX`] bytes and
/// [`DRAIN_TIME`].
async fn drain(mut body: axum::body::BodyDataStream) {
    let start = std::time::Instant::now();
    let mut read = 0u64;
    while read < DRAIN_MAX && start.elapsed() < DRAIN_TIME {
        match tokio::time::timeout(DRAIN_TIME, body.next()).await {
            Ok(Some(Ok(chunk))) => read += chunk.len() as u64,
            _ => return,
        }
    }
}

pub(super) fn upload_error(status: StatusCode, limit: u64, what: &str) -> String {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "ファイルが大きすぎます（上限 {}）。{what}を選んでください",
            crate::input::xlsx::mb_label(limit)
        ),
        _ => "アップロードを読み取れませんでした。もう一度選んで送ってください".into(),
    }
}

fn check_result(
    app: &App,
    base: Base,
    name: &str,
    result: std::result::Result<Vec<Finding>, String>,
    status: StatusCode,
) -> Response {
    let (groups, totals, error) = match &result {
        Ok(findings) => {
            let n = |s| findings.iter().filter(|f| f.severity == s).count();
            (
                groups(findings),
                Some((n(Severity::Error), n(Severity::Warning), n(Severity::Info))),
                None,
            )
        }
        Err(e) => (Vec::new(), None, Some(e.clone())),
    };
    app.html.render(
        status,
        "check.html",
        serde_json::json!({ "base": base, "checked": true, "name": name, "groups": groups, "totals": totals, "upload_error": error, "limit": crate::input::xlsx::limit_label() }),
    )
}

fn not_found_page(app: &App, snap: &Snapshot) -> Response {
    let base = base(app, snap, "見つかりません".into(), "", false);
    app.html.render(
        StatusCode::NOT_FOUND,
        "message.html",
        serde_json::json!({ "base": base, "heading": "見つかりません", "message": "そのページ（協定・ファイル）はありません。台帳から選び直してください。", "back": "/" }),
    )
}

/// Any other address.
pub async fn not_found(State(app): State<Arc<App>>) -> Response {
    not_found_page(&app, &app.snapshot())
}

/// A 404 page for the file routes.
pub fn not_found_response(app: &App) -> Response {
    not_found_page(app, &app.snapshot())
}

/// Answers in Japanese where axum would answer in English or not at all: a request a route's
/// extractor refuses (a path that is not UTF-8 once decoded, such as the overlong `%C0%AE`; a
/// query or form that does not parse) or a method the route does not take gets the message
/// page, with the same status. Pages that already answer with HTML pass as they are.
pub async fn japanese_errors(
    State(app): State<Arc<App>>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if !status.is_client_error() || html {
        return response;
    }
    let (heading, message) = match status {
        StatusCode::NOT_FOUND => return not_found_response(&app),
        StatusCode::METHOD_NOT_ALLOWED => (
            "この操作はできません",
            "このアドレスではその操作はできません。ページのリンクやボタンから操作してください。"
                .to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "大きすぎます",
            "送られた内容が大きすぎます。ページのボタンから操作してください。".to_string(),
        ),
        _ => (
            "読み取れません",
            "アドレスか送られた内容を読み取れませんでした。ページのリンクやボタンから開き直してください。"
                .to_string(),
        ),
    };
    let snap = app.snapshot();
    let base = base(&app, &snap, heading.into(), "", false);
    let mut page = app.html.render(
        status,
        "message.html",
        serde_json::json!({ "base": base, "heading": heading, "message": message, "back": "/" }),
    );
    if let Some(allow) = response.headers().get(header::ALLOW) {
        page.headers_mut().insert(header::ALLOW, allow.clone());
    }
    page
}
