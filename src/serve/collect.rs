//! 「回答を取り込む」: the departments' filled forms uploaded, what `kyotei collect` would
//! apply to the register and its conflicts shown, and the updated register downloaded. The
//! replies are read from memory and the new register is made for the response: nothing is
//! stored on the server, and the register on disk is never written.
//!
//! The upload is bounded like the check's (`pages::check_upload`): the replies together up to
//! the reader's limit, a few uploads at a time, a refused one drained and answered in
//! Japanese. POST passes the same guard as every other (Host, token, same origin).

use super::pages::{FORM_OVERHEAD, UPLOADS, base, drain, too_large};
use super::state::App;
use crate::run::collect::{self, Options, ReplyFile};
use axum::extract::{FromRequest, Multipart, State};
use axum::http::{StatusCode, header};
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
    let limit = crate::input::xlsx::Limits::default().max_file_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + FORM_OVERHEAD) {
        drain(req.into_body().into_data_stream()).await;
        return refused(&app, StatusCode::PAYLOAD_TOO_LARGE, too_large(limit));
    }
    let _turn =
        match tokio::time::timeout(std::time::Duration::from_secs(10), UPLOADS.acquire()).await {
            Ok(Ok(permit)) => permit,
            _ => {
                drain(req.into_body().into_data_stream()).await;
                return refused(
                    &app,
                    StatusCode::SERVICE_UNAVAILABLE,
                    "混み合っています。少し待ってから、もう一度送ってください",
                );
            }
        };
    let Ok(mut form) = Multipart::from_request(req, &()).await else {
        return refused(
            &app,
            StatusCode::BAD_REQUEST,
            "アップロードを読み取れませんでした",
        );
    };
    let mut replies: Vec<ReplyFile> = Vec::new();
    let mut download = false;
    let mut total = 0u64;
    loop {
        match form.next_field().await {
            Ok(Some(mut field)) if field.name() == Some("reply") => {
                let name = crate::output::sanitize_component(field.file_name().unwrap_or(""));
                let mut bytes = Vec::new();
                loop {
                    match field.chunk().await {
                        Ok(Some(chunk)) => {
                            total += chunk.len() as u64;
                            if total > limit {
                                return refused(
                                    &app,
                                    StatusCode::PAYLOAD_TOO_LARGE,
                                    too_large(limit),
                                );
                            }
                            bytes.extend_from_slice(&chunk);
                        }
                        Ok(None) => break,
                        Err(_) => {
                            return refused(
                                &app,
                                StatusCode::BAD_REQUEST,
                                "アップロードを読み取れませんでした",
                            );
                        }
                    }
                }
                if !bytes.is_empty() {
                    if replies.len() == MAX_REPLIES {
                        return refused(
                            &app,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            format!("一度に取り込める回答は {MAX_REPLIES} 件までです"),
                        );
                    }
                    replies.push(ReplyFile {
                        path: PathBuf::from(name),
                        bytes,
                    });
                }
            }
            Ok(Some(field)) if field.name() == Some("action") => {
                download = field.text().await.is_ok_and(|t| t == "download");
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => {
                return refused(
                    &app,
                    StatusCode::BAD_REQUEST,
                    "アップロードを読み取れませんでした",
                );
            }
        }
    }
    if replies.is_empty() {
        return refused(
            &app,
            StatusCode::BAD_REQUEST,
            "ファイルが選ばれていません。担当課から戻った様式（.xlsx）を選んでください",
        );
    }
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
