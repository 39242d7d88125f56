//! 「回答を取り込む」: the departments' filled forms uploaded, what `kyotei collect` would
//! apply to the register and its conflicts shown, and the updated register downloaded. The
//! replies are read from memory and the new register is made for the response: nothing is
//! stored on the server, and the register on disk is never written.
//!
//! The upload is read by the pages' one bounded reader (`pages::receive`): the replies
//! together up to the reader's limit, at most [`MAX_REPLIES`], a few uploads at a time, a
//! refused one drained and answered in Japanese. POST passes the same guard as every other (Host, token, same origin).

use super::pages::{base, receive};
use super::state::App;
use crate::run::collect::{self, Options, ReplyFile};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use std::path::PathBuf;
use std::sync::Arc;

/// Most replies in one upload.
const MAX_REPLIES: usize = 200;

/// The upload form.
pub async fn form(State(app): State<Arc<App>>) -> Response {
    page(&app, StatusCode::OK, serde_json::json!({ "done": false }))
}

fn page(app: &App, status: StatusCode, view: serde_json::Value) -> Response {
    let snap = app.snapshot();
    let base = base(app, &snap, "回答を取り込む".into(), "collect", false);
    let mut v = serde_json::json!({
        "base": base,
        "limit": crate::input::xlsx::limit_label(),
        "register": app.register.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
    });
    if let (Some(v), serde_json::Value::Object(extra)) = (v.as_object_mut(), view) {
        v.extend(extra);
    }
    app.html.render(status, "collect.html", v)
}

fn refused(app: &App, status: StatusCode, message: impl Into<String>) -> Response {
    page(
        app,
        status,
        serde_json::json!({ "done": true, "upload_error": message.into() }),
    )
}

/// The replies applied to the register in memory: the result shown, or (`action=download`)
/// the new register as the response.
pub async fn upload(State(app): State<Arc<App>>, req: axum::extract::Request) -> Response {
    let mut upload = match receive(
        req,
        "reply",
        MAX_REPLIES,
        "回答の様式（.xlsx）",
        "担当課から戻った様式（.xlsx）",
    )
    .await
    {
        Ok(u) => u,
        Err(r) => return r.answer(refused(&app, r.status, r.message.clone())),
    };
    let download = upload
        .fields
        .iter()
        .any(|(k, v)| k == "action" && v == "download");
    // The files move out; the upload (its turn) lives to the end of the request.
    let replies: Vec<ReplyFile> = std::mem::take(&mut upload.files)
        .into_iter()
        .map(|(name, bytes)| ReplyFile {
            path: PathBuf::from(crate::output::sanitize_component(&name)),
            bytes,
        })
        .collect();
    let as_of = app.snapshot().as_of;
    let result = tokio::task::spawn_blocking({
        let app = app.clone();
        move || {
            let opts = Options {
                out: PathBuf::from("回答反映.xlsx"),
                dry_run: true,
                as_of,
            };
            collect::apply(&app.register, &replies, &app.profile, &opts)
        }
    })
    .await;
    let (c, bytes) = match result {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return refused(&app, StatusCode::OK, e.to_string()),
        Err(_) => {
            return refused(
                &app,
                StatusCode::INTERNAL_SERVER_ERROR,
                "取り込みの途中で失敗しました",
            );
        }
    };
    if download && let Some(bytes) = bytes {
        let stem = app
            .register
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "台帳".into());
        let name = format!("{}_回答反映.xlsx", crate::output::sanitize_component(&stem));
        return super::files::download(&name, bytes, false);
    }
    let errors = c.findings.iter().filter(|f| f.is_error()).count();
    page(
        &app,
        StatusCode::OK,
        serde_json::json!({
            "done": true,
            "applied": c.applied,
            "conflicts": c.conflicts,
            "errors": c.errors,
            "notes": c.notes,
            "check_errors": errors,
            "can_download": !c.applied.is_empty(),
        }),
    )
}
