//! The pages' templates (`templates/serve/*.html`): one minijinja environment with HTML
//! autoescaping (by the `.html` names), loaded once from the assets (or `--templates`).

use crate::document::assets::Assets;
use crate::error::{Error, Result};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::Environment;

/// The page templates, by name.
const PAGES: &[&str] = &[
    "base.html",
    "macros.html",
    "index.html",
    "agreement.html",
    "schedule.html",
    "report.html",
    "check.html",
    "compare.html",
    "message.html",
    "collect.html",
];

/// The loaded page templates.
pub struct Html {
    env: Environment<'static>,
}

impl Html {
    pub fn new(assets: &Assets) -> Result<Html> {
        let mut env = Environment::new();
        for name in PAGES {
            let path = format!("templates/serve/{name}");
            let source = assets.text(&path).ok_or_else(|| Error::Template {
                name: path.clone(),
                reason: "見つかりません".into(),
            })?;
            env.add_template_owned(name.to_string(), source)
                .map_err(|e| Error::Template {
                    name: path.clone(),
                    reason: e.to_string(),
                })?;
        }
        Ok(Html { env })
    }

    /// A page, or a plain error page when its template fails.
    pub fn render(&self, status: StatusCode, name: &str, ctx: serde_json::Value) -> Response {
        let body = self
            .env
            .get_template(name)
            .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&ctx))))
            .map_err(|e| format!("ページ {name} を表示できません: {e}"));
        match body {
            Ok(html) => (
                status,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                e,
            )
                .into_response(),
        }
    }
}
