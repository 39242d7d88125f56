//! What the server knows: the latest reading of the register ([`Snapshot`], with its one
//! [`Verdict`]), the pulse the open pages follow, the render jobs, and the output folder's
//! manifest.
//!
//! One thread follows the register ([`App::follow`]): after each save it reads and checks
//! the register again, off the request path, and swaps the snapshot in whole. A request never
//! reads the register; it takes the snapshot it finds (an `Arc`) and draws the page from it.

use super::html::Html;
use super::job::{Ended, Job, Jobs, PulseSender, Request};
use super::{Clock, Options};
use crate::date::Date;
use crate::document::assets::Assets;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::guideline::profile::Profile;
use crate::output::{Manifest, Store};
use crate::report::schedule::{self, Entry};
use crate::run::verdict::Verdict;
use crate::run::{self, Engine, Format, Input};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

/// How long the page's render waits for another writer of the output folder.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// A register as read and checked.
pub struct Loaded {
    pub input: Input,
    /// The findings, as `kyotei check` gives them, and what blocks a final: the same verdict
    /// the page shows and its render job uses.
    pub verdict: Verdict,
    /// The schedule of every agreement on the snapshot's `as_of`.
    pub schedule: Vec<Entry>,
}

/// Why the register could not be used at the last reading.
#[derive(Debug, Clone)]
pub struct ReadError {
    pub message: String,
    /// The cells of a structural problem (a missing sheet or column).
    pub findings: Vec<Finding>,
}

/// One reading of the register.
pub struct Snapshot {
    /// Counts the readings: 1 for the first.
    pub version: u64,
    /// When it was read (`令和8年12月6日 13:05:09`).
    pub read_at: String,
    /// The reference date of the checks and the schedule.
    pub as_of: Date,
    /// The register as last read successfully (kept while a later save cannot be read).
    pub loaded: Option<Arc<Loaded>>,
    /// What was wrong with the latest reading, if anything.
    pub error: Option<ReadError>,
}

/// The server's state, shared by every request.
pub struct App {
    pub register: PathBuf,
    pub out: PathBuf,
    pub profile: Profile,
    pub engine: Engine,
    /// The built-in assets (or `--templates`): the pages, their style, script and fonts.
    pub assets: Assets,
    pub html: Html,
    pub formats: Vec<Format>,
    pub fixed_as_of: Option<Date>,
    pub clock: Clock,
    /// The access token, when one is required.
    pub token: Option<String>,
    /// Listening on a loopback address (the Host header is then checked).
    pub loopback: bool,
    snapshot: RwLock<Arc<Snapshot>>,
    pub pulse: PulseSender,
    pub jobs: Jobs,
    manifest: Mutex<ManifestCache>,
}

/// The manifest as last read, with the file's modification time and size then.
#[derive(Default)]
struct ManifestCache {
    stamp: Option<(SystemTime, u64)>,
    manifest: Arc<Option<Manifest>>,
}

impl App {
    /// The state, with the register read once (a register that cannot be read is shown as
    /// such on the page: the server still starts).
    pub fn new(
        opts: Options,
        profile: Profile,
        token: Option<String>,
        loopback: bool,
    ) -> Result<Arc<App>> {
        let engine = Engine::new(&opts.engine)?;
        let assets = Assets::new(opts.engine.templates.as_deref());
        let html = Html::new(&assets)?;
        let pulse: PulseSender = Arc::new(tokio::sync::watch::channel(Default::default()).0);
        let empty = Snapshot {
            version: 0,
            read_at: String::new(),
            as_of: opts.as_of.unwrap_or_else(|| (opts.clock)().today),
            loaded: None,
            error: None,
        };
        let app = Arc::new(App {
            register: opts.register,
            out: opts.out,
            profile,
            engine,
            assets,
            html,
            formats: opts.formats,
            fixed_as_of: opts.as_of,
            clock: opts.clock,
            token,
            loopback,
            snapshot: RwLock::new(Arc::new(empty)),
            jobs: Jobs::new(pulse.clone()),
            pulse,
            manifest: Mutex::new(ManifestCache::default()),
        });
        app.reload(run::read(&app.register, &app.profile));
        Ok(app)
    }

    /// The latest snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The reference date now: the fixed one, or today.
    pub fn as_of(&self) -> Date {
        self.fixed_as_of.unwrap_or_else(|| (self.clock)().today)
    }

    /// The output store (the register is an input no write may replace).
    pub fn store(&self) -> Store {
        Store::new(&self.out, &[self.register.as_path()])
    }

    /// A new snapshot from a reading of the register: checked and scheduled when it could be
    /// read, else the error, with the last good reading kept.
    pub fn reload(&self, read: Result<Input>) {
        let now = (self.clock)();
        let as_of = self.fixed_as_of.unwrap_or(now.today);
        let last = self.snapshot();
        let (loaded, error) = match read.and_then(|input| self.check(input, as_of)) {
            Ok(loaded) => (Some(Arc::new(loaded)), None),
            Err(e) => (last.loaded.clone(), Some(read_error(e))),
        };
        let snap = Snapshot {
            version: last.version + 1,
            read_at: now.label(),
            as_of,
            loaded,
            error,
        };
        let version = snap.version;
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(snap);
        self.pulse.send_modify(|p| p.register = version);
    }

    /// Reads as `kyotei check` does, with the fonts of this server's engine.
    fn check(&self, input: Input, as_of: Date) -> Result<Loaded> {
        let verdict = Verdict::new(
            &input,
            &self.profile,
            as_of,
            &|c| self.engine.pdf.covers(c),
            &self.engine.templates,
        );
        let schedule = schedule::schedule(&input.register, &self.profile, as_of);
        Ok(Loaded {
            input,
            verdict,
            schedule,
        })
    }

    /// The current or last render job.
    pub fn job(&self) -> Option<Arc<Job>> {
        self.jobs.current()
    }

    /// Starts a render of the current snapshot unless one is running: `Err` with the running
    /// one then.
    pub fn start_render(self: &Arc<App>, request: Request) -> Result<Arc<Job>, Arc<Job>> {
        let app = self.clone();
        let req = request.clone();
        self.jobs
            .start(request, move |progress| app.render(&req, progress))
    }

    /// Runs one render on the current snapshot, with its verdict, and says how it ended.
    fn render(&self, request: &Request, progress: run::render::Progress) -> Ended {
        let snap = self.snapshot();
        let Some(loaded) = snap.loaded.as_ref().filter(|_| snap.error.is_none()) else {
            return Ended {
                ok: false,
                message: "台帳を読み込めないため作成しませんでした。台帳を直して保存してください"
                    .into(),
            };
        };
        let opts = run::render::Options {
            out: self.out.clone(),
            agreements: request.agreement.iter().cloned().collect(),
            kinds: Vec::new(),
            formats: self.formats.clone(),
            draft: request.draft,
            as_of: snap.as_of,
            jobs: 0,
            progress: Some(progress),
            force: false,
        };
        // One writer per output folder: a `kyotei render` into the same folder is waited for.
        let writer = run::command::Writer {
            command: "kyotei serve（ページからの作成）",
            now: &|| (self.clock)().label(),
            wait: LOCK_WAIT,
            on_wait: &|_, _| {},
        };
        let lock = writer.lock(&self.out);
        let result = lock.and_then(|_lock| {
            run::render::run(
                &loaded.input,
                &loaded.verdict,
                &self.engine,
                &self.profile,
                &opts,
            )
        });
        match result {
            Ok(summary) => {
                let mut message = summary.counts_line();
                if !summary.skipped.is_empty() {
                    message.push_str(&format!(
                        "。エラーがあるため作成しなかった協定: {}",
                        summary.skipped.join("、")
                    ));
                }
                Ended {
                    ok: summary.ok(),
                    message,
                }
            }
            Err(e) => Ended {
                ok: false,
                message: format!("作成できませんでした: {e}"),
            },
        }
    }

    /// Starts the thread that follows the register ([`run::watch::follow`], as `render
    /// --watch` does): each save that changes the register is read (once it has settled) into
    /// a new snapshot; at the turn of the day, without a fixed `--as-of`, the register is
    /// checked again for the new date.
    pub fn follow(app: Arc<App>) -> Result<()> {
        let watcher = run::watch::Watcher::new(&app.register)?;
        let last = app
            .snapshot()
            .loaded
            .as_ref()
            .map(|l| l.input.bytes.clone());
        std::thread::Builder::new()
            .name("kyotei-follow".into())
            .spawn(move || {
                let register = app.register.clone();
                let profile = app.profile.clone();
                run::watch::follow(
                    watcher,
                    &register,
                    &profile,
                    last.as_deref(),
                    Some(Duration::from_secs(30)),
                    |change| match change {
                        run::watch::Change::Read(read) => app.reload(*read),
                        run::watch::Change::Idle => {
                            if app.fixed_as_of.is_none() && app.as_of() != app.snapshot().as_of {
                                app.reload(run::read(&app.register, &app.profile));
                            }
                        }
                    },
                );
            })
            .map_err(|e| Error::Serve(crate::error::io_message(&e)))?;
        Ok(())
    }

    /// The manifest of the output folder, read again only when the file has changed.
    pub fn manifest(&self) -> Arc<Option<Manifest>> {
        let path = self.out.join(crate::output::MANIFEST);
        let stamp = std::fs::symlink_metadata(&path)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| Some((m.modified().ok()?, m.len())));
        let mut cache = self.manifest.lock().unwrap_or_else(|e| e.into_inner());
        if cache.stamp != stamp || stamp.is_none() {
            cache.manifest = Arc::new(stamp.and_then(|_| Manifest::load(&self.store())));
            cache.stamp = stamp;
        }
        cache.manifest.clone()
    }
}

fn read_error(e: Error) -> ReadError {
    match e {
        Error::Structure(findings) => ReadError {
            message: format!(
                "台帳の形式に問題があります（{} 件）。下の指摘を直して保存してください",
                findings.len()
            ),
            findings,
        },
        e => ReadError {
            message: e.to_string(),
            findings: Vec::new(),
        },
    }
}
