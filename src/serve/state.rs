//! What the server knows: the latest reading of the register ([`Snapshot`]), the pulse the
//! open pages follow ([`Pulse`]), the render job, and the output folder's manifest.
//!
//! One thread follows the register ([`App::follow`]): after each save it reads and checks
//! the register again, off the request path, and swaps the snapshot in whole. A request never
//! reads the register; it takes the snapshot it finds (an `Arc`) and draws the page from it.

use super::job::{Job, JobView};
use super::pages::Html;
use super::{Clock, Options};
use crate::date::Date;
use crate::document::assets::Assets;
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::guideline::profile::Profile;
use crate::output::{Manifest, Store};
use crate::report::schedule::{self, Entry};
use crate::run::{self, Engine, Format, Input};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime};

/// A register as read and checked.
pub struct Loaded {
    pub input: Input,
    /// Every finding, as `kyotei check` gives them (input, glyphs, guideline).
    pub findings: Vec<Finding>,
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

/// What the open pages follow (`/events`): the reading, the documents and the render job.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pulse {
    /// The snapshot's version.
    pub register: u64,
    /// Raised each time a render ends (the documents may have changed).
    pub files: u64,
    /// The current or last render.
    pub job: Option<JobView>,
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
    pub pulse: tokio::sync::watch::Sender<Pulse>,
    pub(super) job: Mutex<Option<Arc<Job>>>,
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
        let (pulse, _) = tokio::sync::watch::channel(Pulse::default());
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
            pulse,
            job: Mutex::new(None),
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
        let findings = run::check::check(&input, &self.profile, as_of, &[], &|c| {
            self.engine.pdf.covers(c)
        })?;
        let schedule = schedule::schedule(&input.register, &self.profile, as_of);
        Ok(Loaded {
            input,
            findings,
            schedule,
        })
    }

    /// Starts the thread that follows the register: each save is read (once it has settled)
    /// into a new snapshot; at the turn of the day, without a fixed `--as-of`, the register
    /// is checked again for the new date.
    pub fn follow(app: Arc<App>) -> Result<()> {
        let watcher = run::watch::Watcher::new(&app.register)?;
        std::thread::Builder::new()
            .name("kyotei-follow".into())
            .spawn(move || {
                let wait = Duration::from_secs(30);
                loop {
                    let started = std::time::Instant::now();
                    if watcher.changed(Some(wait)) {
                        let step = Duration::from_millis(100);
                        app.reload(run::watch::read_settled(
                            &app.register,
                            &app.profile,
                            step,
                            20 * step,
                        ));
                    } else if app.fixed_as_of.is_none() && app.as_of() != app.snapshot().as_of {
                        app.reload(run::read(&app.register, &app.profile));
                    } else if started.elapsed() < wait {
                        // The watch itself has ended (its thread is gone): no busy loop.
                        std::thread::sleep(wait);
                    }
                }
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
