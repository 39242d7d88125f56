//! Following the register as it is saved (`render --watch`, and the page of `serve`): the only
//! user of `notify`. [`follow`] is the one loop both use.
//!
//! Excel and LibreOffice do not write the file in place: they write a temporary file beside it
//! and rename it over the register (or delete and recreate it), so for a moment the register
//! is missing or half-written. The watcher therefore watches the register's folder, not the
//! file, and takes only the events that can change the register's content, for its own name:
//! created, written and closed, renamed onto it, removed. Opening or reading it (kyotei's own
//! readings, a virus scanner, `cat`) and `touch` are not changes. The events of one save are
//! gathered until the folder has been quiet for [`DEBOUNCE`]; [`read_settled`] then reads the
//! register, retrying for a short while when it is missing or unreadable, so a save in
//! progress is never reported as broken input. Last, the bytes are compared with the last
//! reading's: a save that changed nothing causes nothing.

use super::Input;
use crate::error::{Error, Result};
use crate::guideline::profile::Profile;
use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher as _};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long the events of one save are gathered into one change.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// A watch on one register file.
pub struct Watcher {
    rx: mpsc::Receiver<notify::Result<notify::Event>>,
    name: OsString,
    _watcher: RecommendedWatcher,
}

fn watch_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::Unreadable {
        path: path.to_path_buf(),
        reason: format!("変更を監視できません（{e}）"),
    }
}

impl Watcher {
    /// Starts watching `register` (its folder, for the saves that replace the file).
    pub fn new(register: &Path) -> Result<Watcher> {
        let name = register
            .file_name()
            .ok_or_else(|| watch_error(register, "ファイル名がありません"))?
            .to_os_string();
        let dir = match register.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(tx).map_err(|e| watch_error(register, e))?;
        watcher
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(|e| watch_error(register, e))?;
        Ok(Watcher {
            rx,
            name,
            _watcher: watcher,
        })
    }

    /// Whether an event can have changed the register's content.
    fn is_change(&self, event: &notify::Result<notify::Event>) -> bool {
        let Ok(e) = event else {
            // The watch itself reports a problem (events lost): read again to be sure.
            return true;
        };
        let content = matches!(
            e.kind,
            EventKind::Create(_)
                | EventKind::Remove(_)
                | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Name(_) | ModifyKind::Any)
                | EventKind::Access(AccessKind::Close(AccessMode::Write))
                | EventKind::Any
        );
        content
            && e.paths
                .iter()
                .any(|p| p.file_name() == Some(self.name.as_os_str()))
    }

    /// Waits until the register may have changed (or `timeout` passed: false), then until the
    /// folder has been quiet for [`DEBOUNCE`], so one save is one change. Events for other
    /// files of the folder (Excel's temporary files, the lock file `~$…`) and events that
    /// change no content (opening, reading, `touch`) are ignored.
    pub fn changed(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| std::time::Instant::now() + t);
        loop {
            let got = match deadline {
                Some(d) => {
                    let left = d.saturating_duration_since(std::time::Instant::now());
                    match self.rx.recv_timeout(left) {
                        Ok(r) => r,
                        Err(_) => return false,
                    }
                }
                None => match self.rx.recv() {
                    Ok(r) => r,
                    Err(_) => return false,
                },
            };
            if self.is_change(&got) {
                break;
            }
        }
        // The rest of the same save.
        loop {
            match self.rx.recv_timeout(DEBOUNCE) {
                Ok(_) => continue,
                Err(mpsc::RecvTimeoutError::Timeout) => return true,
                Err(mpsc::RecvTimeoutError::Disconnected) => return true,
            }
        }
    }
}

/// What [`follow`] hands on.
pub enum Change {
    /// A new reading of the register, after a save that changed its bytes (or the reason it
    /// cannot be read).
    Read(Box<Result<Input>>),
    /// `idle` passed without a change (`serve` checks the date then).
    Idle,
}

/// Follows the register: waits for each save, reads the register once the save has settled
/// and, when its bytes differ from the last reading (`last`, the bytes already handled),
/// hands the reading to `on_change`; with `idle`, also says when that long passed without a
/// change. Runs until the watch ends (in practice, until the process does).
pub fn follow(
    watcher: Watcher,
    register: &Path,
    profile: &Profile,
    last: Option<&[u8]>,
    idle: Option<Duration>,
    mut on_change: impl FnMut(Change),
) {
    let mut last: Option<String> = last.map(crate::output::sha256_hex);
    let step = Duration::from_millis(100);
    loop {
        let started = std::time::Instant::now();
        if watcher.changed(idle) {
            let read = read_settled(register, profile, step, 20 * step);
            let hash = read
                .as_ref()
                .ok()
                .map(|i| crate::output::sha256_hex(&i.bytes));
            if hash.is_some() && hash == last {
                continue;
            }
            last = hash;
            on_change(Change::Read(Box::new(read)));
        } else if idle.is_some_and(|t| started.elapsed() >= t) {
            on_change(Change::Idle);
        } else {
            // The watch itself has ended (its thread is gone).
            return;
        }
    }
}

/// Reads the register after a change: while it is missing or cannot be read as a workbook
/// (a save in progress), tries again every `step` for up to `patience`; what is still wrong
/// then is returned as the error it is.
pub fn read_settled(
    path: &Path,
    profile: &Profile,
    step: Duration,
    patience: Duration,
) -> Result<Input> {
    let mut waited = Duration::ZERO;
    loop {
        match super::read(path, profile) {
            Err(Error::Unreadable { .. }) if waited < patience => {
                std::thread::sleep(step);
                waited += step;
            }
            other => return other,
        }
    }
}
