//! Downloads: the documents of the output folder (only by the names kyotei made, never
//! through a link), an agreement's documents as one ZIP, the schedule (ICS), the annual
//! report (XLSX), the open data (CSV), and the page's own assets (CSS, script, fonts).
//!
//! Japanese file names download as they are: `Content-Disposition` carries them as
//! `filename*=UTF-8''…` (RFC 6266), with an ASCII `filename` for old clients.

use super::pages::{ReportQuery, ScheduleQuery, find, is_served, not_found_response};
use super::state::App;
use crate::output::sanitize_component;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use std::sync::Arc;

/// The media type of a file, by its extension.
fn media_type(name: &str) -> &'static str {
    match name.rsplit_once('.').map(|(_, e)| e) {
        Some("pdf") => "application/pdf",
        Some("docx") => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("zip") => "application/zip",
        Some("ics") => "text/calendar; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("ttf") => "font/ttf",
        _ => "application/octet-stream",
    }
}

/// `attachment` (or `inline`) with the name in UTF-8 and an ASCII fallback.
pub fn disposition(name: &str, inline: bool) -> String {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() || "-_.".contains(c) => c,
            _ => '_',
        })
        .collect();
    format!(
        "{}; filename=\"{ascii}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        utf8_percent_encode(name, NON_ALPHANUMERIC)
    )
}

/// A file to download (or show, with `inline`).
pub(super) fn download(name: &str, bytes: Vec<u8>, inline: bool) -> Response {
    let mut r = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, media_type(name))],
        bytes,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&disposition(name, inline)) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

#[derive(serde::Deserialize)]
pub struct FileQuery {
    inline: Option<String>,
}

/// A document of the output folder: `/files/R8-001/協定書.pdf`. Served only when kyotei made
/// it (the manifest, the editions), read through the store (no link followed); downloaded
/// as `R8-001_協定書.pdf` so files of several agreements do not collide.
pub async fn document(
    State(app): State<Arc<App>>,
    Path(rel): Path<String>,
    Query(q): Query<FileQuery>,
) -> Response {
    let parts: Vec<&str> = rel.split('/').collect();
    let plain = parts
        .iter()
        .all(|p| !p.is_empty() && *p != "." && *p != ".." && !p.contains('\\'));
    if !plain || !is_served(&app, &rel) {
        return not_found_response(&app);
    }
    let bytes = match app.store().read(std::path::Path::new(&rel)) {
        Ok(Some(b)) => b,
        _ => return not_found_response(&app),
    };
    let name = parts.join("_");
    download(&name, bytes, q.inline.is_some())
}

/// The current documents of an agreement as one ZIP (the final ones; the drafts when there
/// are none), named `R8-001_書類.zip`.
pub async fn zip(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let snap = app.snapshot();
    let Some(a) = snap.loaded.as_ref().and_then(|l| find(l, &id)) else {
        return not_found_response(&app);
    };
    let dir = sanitize_component(&a.id.value);
    let manifest = app.manifest();
    let Some(m) = manifest.as_ref() else {
        return not_found_response(&app);
    };
    let prefix = format!("{dir}/");
    let documents = |draft: bool| -> Vec<&str> {
        m.files
            .iter()
            .filter(|f| f.draft == draft && f.path.starts_with(&prefix))
            .filter(|f| f.path.ends_with(".pdf") || f.path.ends_with(".docx"))
            .map(|f| f.path.as_str())
            .collect()
    };
    let mut chosen = documents(false);
    if chosen.is_empty() {
        chosen = documents(true);
    }
    let store = app.store();
    let mut entries = Vec::new();
    for rel in chosen {
        if let Ok(Some(bytes)) = store.read(std::path::Path::new(rel)) {
            let inner = rel.strip_prefix(&prefix).unwrap_or(rel);
            entries.push((inner.to_string(), bytes));
        }
    }
    if entries.is_empty() {
        return not_found_response(&app);
    }
    match crate::writer::archive::zip(&entries) {
        Ok(bytes) => download(&format!("{dir}_書類.zip"), bytes, false),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            e.to_string(),
        )
            .into_response(),
    }
}

/// The schedule's deadlines within the chosen window, as an iCalendar file.
pub async fn ics(State(app): State<Arc<App>>, Query(q): Query<ScheduleQuery>) -> Response {
    let snap = app.snapshot();
    let Some(l) = snap.loaded.as_ref() else {
        return not_found_response(&app);
    };
    let entries = super::pages::window(&l.schedule, snap.as_of, q.months());
    let text = crate::report::schedule::to_ics(&entries, snap.as_of);
    download(
        &format!("{}.ics", crate::report::schedule::CALENDAR_NAME),
        text.into_bytes(),
        false,
    )
}

/// The annual report workbook of `?fy=` (as `kyotei report` writes it).
pub async fn annual(State(app): State<Arc<App>>, Query(q): Query<ReportQuery>) -> Response {
    let snap = app.snapshot();
    let Some(l) = snap.loaded.as_ref() else {
        return not_found_response(&app);
    };
    let fy = q.fiscal_year(snap.as_of);
    let book = crate::report::annual::annual_report(&l.input.register, &app.profile, fy);
    match crate::writer::xlsx::write(&book) {
        Ok(bytes) => download(&crate::report::annual::default_file_name(fy), bytes, false),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            e.to_string(),
        )
            .into_response(),
    }
}

/// The open-data CSV (as `kyotei export --open-data` writes it).
pub async fn open_data(State(app): State<Arc<App>>) -> Response {
    let snap = app.snapshot();
    let Some(l) = snap.loaded.as_ref() else {
        return not_found_response(&app);
    };
    let bytes = crate::report::schedule::open_data_csv(&l.input.register, &app.profile, snap.as_of);
    download("包括連携協定一覧.csv", bytes, false)
}

/// The page's assets: `style.css`, `app.js` and the bundled fonts, from the asset table.
pub async fn asset(State(app): State<Arc<App>>, Path(path): Path<String>) -> Response {
    let full = match path.as_str() {
        "style.css" | "app.js" => format!("templates/serve/{path}"),
        p if p.starts_with("fonts/") && p.ends_with(".ttf") && !p.contains("..") => p.to_string(),
        _ => return not_found_response(&app),
    };
    let Some(bytes) = app.assets.get(&full) else {
        return not_found_response(&app);
    };
    let mut r = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, media_type(&full))],
        bytes.into_owned(),
    )
        .into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_names_download_as_they_are() {
        assert_eq!(
            disposition("R8-001_協定書.pdf", false),
            "attachment; filename=\"R8-001____.pdf\"; filename*=UTF-8''R8%2D001%5F%E5%8D%94%E5%AE%9A%E6%9B%B8%2Epdf"
        );
        assert!(disposition("a\"b.pdf", true).starts_with("inline; filename=\"a_b.pdf\""));
    }
}
