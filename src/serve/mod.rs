//! `kyotei serve`: the register as a local page in Japanese, for staff who never open a
//! terminal. The only user of axum and tokio.
//!
//! The register on disk stays the single source of truth. A thread follows it with
//! [`crate::run::watch`] and, after each save, reads and checks it again into a new
//! [`state::Snapshot`]; the pages are drawn from the latest snapshot and the open page follows
//! through server-sent events (`/events`). Documents are made by the same planner as `render`
//! ([`crate::run::render::run`]): only what changed is laid out, one render at a time
//! ([`job`]), into the same output folder and manifest.
//!
//! - [`state`]: the snapshot of the register, the pulse the pages follow, the render job.
//! - [`guard`]: Host, token, Origin and the security headers of every response.
//! - [`pages`]: the HTML pages (minijinja, autoescaped) and the forms that start renders.
//! - [`files`]: downloads: documents from the output folder, the ZIP, ICS, CSV, XLSX, assets.
//!
//! Like every other command, it reads no clock of its own: the CLI hands it one ([`Clock`]).

pub mod collect;
pub mod files;
pub mod guard;
pub mod html;
pub mod job;
pub mod pages;
pub mod state;

use crate::date::Date;
use crate::error::{Error, Result};
use crate::guideline::profile::Profile;
use crate::run::{EngineOptions, Format};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// The default address: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8421";

/// What the clock says: today (in Japan) and the time of day, for "last read at".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Now {
    pub today: Date,
    /// Hours, minutes, seconds.
    pub time: (u32, u32, u32),
}

impl Now {
    /// `令和8年12月6日 13:05:09`.
    pub fn label(&self) -> String {
        let (h, m, s) = self.time;
        format!("{} {h:02}:{m:02}:{s:02}", self.today.wareki())
    }
}

/// The clock the server reads "today" and the time from (the CLI's; a fixed one in tests).
pub type Clock = Arc<dyn Fn() -> Now + Send + Sync>;

/// How to serve.
pub struct Options {
    /// The register (協定台帳) followed as it is saved.
    pub register: PathBuf,
    /// The output folder the documents go to (`出力/`), as for `render`.
    pub out: PathBuf,
    /// The address to listen on (port 0: any free port).
    pub listen: SocketAddr,
    /// A fixed reference date; else today, from the clock, at each reading.
    pub as_of: Option<Date>,
    /// The access token. Required for an address other than loopback: when none is given
    /// there, one is generated and printed in the address to open.
    pub token: Option<String>,
    /// `--templates`, `--font-dir`.
    pub engine: EngineOptions,
    /// The formats of the documents.
    pub formats: Vec<Format>,
    pub clock: Clock,
}

/// A server bound to its address, ready to run.
pub struct Server {
    listener: std::net::TcpListener,
    app: Arc<state::App>,
    runtime: tokio::runtime::Runtime,
    url: String,
}

impl Server {
    /// Loads the engine, reads the register once and binds the address. Nothing is served
    /// until [`Server::run`].
    pub fn bind(opts: Options, profile: Profile) -> Result<Server> {
        let loopback = opts.listen.ip().is_loopback();
        let token = match (&opts.token, loopback) {
            (Some(t), _) if t.trim().is_empty() => {
                return Err(Error::Serve("--token が空です".into()));
            }
            (Some(t), _) => Some(t.clone()),
            (None, true) => None,
            (None, false) => Some(guard::new_token()?),
        };
        let listener = std::net::TcpListener::bind(opts.listen).map_err(|e| {
            Error::Serve(format!(
                "{} で待ち受けできません（{}）。--listen で別のポートを指定してください",
                opts.listen,
                crate::error::io_message(&e)
            ))
        })?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::Serve(crate::error::io_message(&e)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Serve(crate::error::io_message(&e)))?;
        let host = match addr.ip() {
            ip if ip.is_unspecified() => "localhost".to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let url = match &token {
            Some(t) => format!("http://{host}:{}/?token={t}", addr.port()),
            None => format!("http://{host}:{}/", addr.port()),
        };
        let app = state::App::new(opts, profile, token, loopback)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_name("kyotei-serve")
            .build()
            .map_err(|e| Error::Serve(crate::error::io_message(&e)))?;
        Ok(Server {
            listener,
            app,
            runtime,
            url,
        })
    }

    /// The address to open in a browser (with the token, when there is one).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Serves until the process ends, following the register as it is saved.
    pub fn run(self) -> Result<()> {
        state::App::follow(self.app.clone())?;
        let router = router(self.app);
        self.runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(self.listener)
                .map_err(|e| Error::Serve(crate::error::io_message(&e)))?;
            axum::serve(listener, router)
                .await
                .map_err(|e| Error::Serve(crate::error::io_message(&e)))
        })
    }
}

/// Every route. Each response passes through [`guard::guard`].
pub fn router(app: Arc<state::App>) -> Router {
    // Forms are small. The uploads (`/check`, an agreement's `/compare`) have no body limit
    // here: `pages::receive` bounds them itself (the reader's limit, a few uploads at a time) and answers every
    // refused one in Japanese, which a limit here would cut off in English.
    let form_limit = 64 * 1024;
    Router::new()
        .route("/", get(pages::index))
        .route("/agreements/{id}", get(pages::agreement))
        .route("/agreements/{id}/render", post(pages::render_one))
        .route("/agreements/{id}/documents.zip", get(files::zip))
        .route(
            "/agreements/{id}/compare",
            post(pages::compare_upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/render", post(pages::render_all))
        .route("/job", get(pages::job))
        .route("/events", get(pages::events))
        .route("/schedule", get(pages::schedule))
        .route("/schedule.ics", get(files::ics))
        .route("/report", get(pages::report))
        .route("/report/annual.xlsx", get(files::annual))
        .route("/report/open-data.csv", get(files::open_data))
        .route(
            "/check",
            get(pages::check_form)
                .post(pages::check_upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/collect",
            get(collect::form)
                .post(collect::upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/files/{*path}", get(files::document))
        .route("/static/{*path}", get(files::asset))
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(form_limit))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            pages::japanese_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            guard::guard,
        ))
        .with_state(app)
}
