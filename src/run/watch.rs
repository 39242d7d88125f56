//! Following the register as it is saved (`render --watch`, and the page of `serve`): the only
//! user of `notify`.
//!
//! Excel and LibreOffice do not write the file in place: they write a temporary file beside it
//! and rename it over the register (or delete and recreate it), so for a moment the register
//! is missing or half-written. The watcher therefore watches the register's folder, not the
//! file, and reports a change of the register's name however it came (create, write, rename),
//! debounced so one save is one change. [`read_settled`] then reads the register, retrying
//! for a short while when it is missing or unreadable, so a save in progress is never
//! reported as broken input.

use super::Input;
use crate::error::{Error, Result};
use crate::guideline::profile::Profile;
use notify_debouncer_mini::notify::RecursiveMode;
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long the events of one save are gathered into one change.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// A watch on one register file.
pub struct Watcher {
    rx: mpsc::Receiver<DebounceEventResult>,
    name: OsString,
    _debouncer: Debouncer<notify_debouncer_mini::notify::RecommendedWatcher>,
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
        let mut debouncer = new_debouncer(DEBOUNCE, tx).map_err(|e| watch_error(register, e))?;
        debouncer
            .watcher()
            .watch(&dir, RecursiveMode::NonRecursive)
            .map_err(|e| watch_error(register, e))?;
        Ok(Watcher {
            rx,
            name,
            _debouncer: debouncer,
        })
    }

    /// Waits until the register has changed (or `timeout` passed: false). Events for other
    /// files of the folder (Excel's temporary files, the lock file `~$…`) are ignored.
    pub fn changed(&self, timeout: Option<Duration>) -> bool {
        loop {
            let got = match timeout {
                Some(t) => match self.rx.recv_timeout(t) {
                    Ok(r) => r,
                    Err(_) => return false,
                },
                None => match self.rx.recv() {
                    Ok(r) => r,
                    Err(_) => return false,
                },
            };
            if let Ok(events) = got
                && events
                    .iter()
                    .any(|e| e.path.file_name() == Some(self.name.as_os_str()))
            {
                // Drain what else arrived for the same save.
                while self.rx.try_recv().is_ok() {}
                return true;
            }
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
