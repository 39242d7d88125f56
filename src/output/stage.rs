//! A run's files are staged, then committed together: nothing a run makes is in place until
//! all of it is, with its manifest.
//!
//! A render or diff writes each new file into `.kyotei-stage/` inside the output folder (the
//! same file system, so the commit is renames). When every file is staged, [`Stage::commit`]
//! writes a journal (the list of staged files with their history names), moves each file into
//! place (the old version into `履歴/` first), moves the new `manifest.json` in last, and then
//! removes the journal and the staging folder. Ctrl-C during the commit waits for it to end.
//!
//! - Interrupted before the commit (Ctrl-C, a crash, `kill -9` while documents are laid out):
//!   the folder is as it was; the staging folder is removed by the next run
//!   ([`super::Store::recover`]). No edition record was written, so no edition number is used.
//! - Killed during the commit: the journal is there, and the next run completes it (every
//!   step can be done twice), so the folder ends as the interrupted run meant it to.

use super::{Manifest, Outcome, Planned, Store, atomic, check_rel};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// The staging folder, at the root of the output folder.
pub const STAGE_DIR: &str = ".kyotei-stage";
/// The journal of a commit under way, inside the staging folder.
const JOURNAL: &str = "journal.json";
/// Where staged files sit inside the staging folder.
const FILES: &str = "files";

/// One staged file and where it goes.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// The path relative to the output folder (`/`-separated).
    rel: String,
    /// The name its old version takes in `履歴/` (`協定書_第1版`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    history: Option<String>,
}

/// The files of one run, staged until [`Stage::commit`]. Dropped without a commit (an error
/// stopped the run), it removes what it staged.
pub struct Stage<'a> {
    store: &'a Store,
    entries: Vec<Entry>,
    /// Files whose destination already holds the same bytes: nothing to stage or move.
    unchanged: Vec<String>,
    /// Committed (or being committed): nothing to remove.
    done: bool,
}

/// The staging folders of the runs under way in this process, which Ctrl-C removes
/// ([`abandon`]) before the process exits.
static ACTIVE: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn active() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the staging folders of the runs under way (called on Ctrl-C, holding the write
/// guard, so no commit is under way): the folder is left as it was before they started.
pub fn abandon() {
    for dir in active().drain(..) {
        // A worker may be making a folder for its next file at this moment (it then waits
        // for the write guard the caller holds): try again until the folder is gone.
        for _ in 0..50 {
            let _ = fs::remove_dir_all(&dir);
            if !dir.exists() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }
}

impl Drop for Stage<'_> {
    fn drop(&mut self) {
        let dir = self.store.root.join(STAGE_DIR);
        active().retain(|d| *d != dir);
        if !self.done {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

impl Store {
    /// Finishes what an earlier run left: completes a commit whose journal is there (the run
    /// was killed while moving its files into place), or removes the files of a run that was
    /// interrupted before committing. Call it before reading the manifest, holding the
    /// folder's lock.
    pub fn recover(&self) -> Result<()> {
        let dir = self.root.join(STAGE_DIR);
        let meta = match fs::symlink_metadata(&dir) {
            Ok(m) => m,
            Err(_) => return Ok(()),
        };
        if !meta.is_dir() {
            return Err(Error::Link(dir));
        }
        if let Ok(bytes) = fs::read(dir.join(JOURNAL))
            && let Ok(entries) = serde_json::from_slice::<Vec<Entry>>(&bytes)
        {
            let mut stage = Stage {
                store: self,
                entries,
                unchanged: Vec::new(),
                done: true,
            };
            stage.finish().map_err(|e| {
                e.during(format!(
                    "{} に前回の実行が中断して残した書き込みを完了できませんでした",
                    self.root.display()
                ))
            })?;
            return Ok(());
        }
        fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))
    }

    /// A new stage for this run's files (an earlier run's leftovers are dealt with first).
    /// The output folder must be a folder, or not exist yet.
    pub fn stage(&self) -> Result<Stage<'_>> {
        if let Ok(m) = fs::symlink_metadata(&self.root)
            && !m.is_dir()
        {
            return Err(Error::NotAFolder(self.root.clone()));
        }
        self.recover()?;
        active().push(self.root.join(STAGE_DIR));
        Ok(Stage {
            store: self,
            entries: Vec::new(),
            unchanged: Vec::new(),
            done: false,
        })
    }
}

impl Stage<'_> {
    fn staged_path(&self, rel: &str) -> PathBuf {
        self.store.root.join(STAGE_DIR).join(FILES).join(rel)
    }

    /// Stages one file (written to disk now, put in place by [`Stage::commit`]); with
    /// `history`, its old version moves to `履歴/<history>.<ext>`.
    pub fn add(&mut self, plan: &Planned, history: Option<&str>) -> Result<()> {
        check_rel(&plan.rel)?;
        self.store.refuse_links(&plan.rel)?;
        self.store.refuse_input(&self.store.root.join(&plan.rel))?;
        // What would stop the commit half-way (a file where a folder goes) stops the run now,
        // before anything is in place.
        let mut p = self.store.root.clone();
        let parts: Vec<_> = plan.rel.components().collect();
        for c in &parts[..parts.len().saturating_sub(1)] {
            p.push(c);
            if fs::symlink_metadata(&p).is_ok_and(|m| !m.is_dir()) {
                return Err(Error::io(
                    &p,
                    std::io::Error::from(std::io::ErrorKind::NotADirectory),
                ));
            }
        }
        let rel = rel_string(&plan.rel);
        self.entries.retain(|e| e.rel != rel);
        self.unchanged.retain(|r| *r != rel);
        // A file already in place with these bytes is left alone (the manifest of a run that
        // changed nothing, a record that did not change): nothing is written or synced.
        let dest = self.store.root.join(&plan.rel);
        let same_len = fs::symlink_metadata(&dest)
            .is_ok_and(|m| m.is_file() && m.len() == plan.bytes.len() as u64);
        if same_len && fs::read(&dest).is_ok_and(|b| b == plan.bytes) {
            self.unchanged.push(rel);
            return Ok(());
        }
        let path = self.staged_path(&rel);
        let dir = path.parent().expect("a staged file has a folder");
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        atomic::write(&path, &plan.bytes, atomic::Mode::Replace)
            .map_err(|e| Error::io(&path, e))?;
        self.entries.retain(|e| e.rel != rel);
        self.entries.push(Entry {
            rel,
            history: history.map(str::to_string),
        });
        Ok(())
    }

    /// Puts every staged file in place, then `manifest` (when given) last, and says what
    /// happened to each (in the order staged, the manifest last). Ctrl-C waits until it ends.
    pub fn commit(mut self, manifest: Option<&Manifest>) -> Result<Vec<(String, Outcome)>> {
        if let Some(m) = manifest {
            self.add(
                &Planned {
                    rel: PathBuf::from(super::MANIFEST),
                    bytes: m.to_bytes(),
                },
                None,
            )?;
        }
        let unchanged: Vec<(String, Outcome)> = std::mem::take(&mut self.unchanged)
            .into_iter()
            .map(|rel| (rel, Outcome::Unchanged))
            .collect();
        if self.entries.is_empty() {
            return Ok(unchanged);
        }
        let _hold = atomic::stop_writes();
        self.done = true;
        let journal = self.store.root.join(STAGE_DIR).join(JOURNAL);
        let bytes = serde_json::to_vec(&self.entries).expect("the journal serialises");
        write_synced(&journal, &bytes)?;
        let mut outcomes = self.finish()?;
        outcomes.extend(unchanged);
        Ok(outcomes)
    }

    /// Moves each staged file into place (those already moved are skipped), then removes the
    /// staging folder. Safe to run again after an interruption.
    fn finish(&mut self) -> Result<Vec<(String, Outcome)>> {
        let mut outcomes = Vec::new();
        for e in &self.entries {
            let staged = self.staged_path(&e.rel);
            if !staged.exists() {
                continue;
            }
            let outcome = self
                .store
                .move_in(&staged, Path::new(&e.rel), e.history.as_deref())?;
            outcomes.push((e.rel.clone(), outcome));
        }
        let dir = self.store.root.join(STAGE_DIR);
        fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(outcomes)
    }
}

/// Writes a small file and flushes it to disk (the journal; the write guard is held).
fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("tmp");
    let mut f = fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|_| f.sync_all())
        .map_err(|e| Error::io(&tmp, e))?;
    fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

fn rel_string(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(rel: &str, bytes: &[u8]) -> Planned {
        Planned {
            rel: PathBuf::from(rel),
            bytes: bytes.to_vec(),
        }
    }

    #[test]
    fn a_commit_killed_half_way_is_completed_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), &[]);
        fs::create_dir_all(dir.path().join("R8-001")).unwrap();
        fs::write(dir.path().join("R8-001/協定書.pdf"), b"old").unwrap();
        let mut stage = store.stage().unwrap();
        stage.add(&plan("R8-001/協定書.pdf", b"new"), None).unwrap();
        stage
            .add(&plan("R8-001/申出書.pdf", b"new too"), None)
            .unwrap();
        // What a kill after the journal and the first rename leaves: the journal, the second
        // file moved in, the first still staged.
        let journal = dir.path().join(STAGE_DIR).join(JOURNAL);
        write_synced(&journal, &serde_json::to_vec(&stage.entries).unwrap()).unwrap();
        fs::rename(
            stage.staged_path("R8-001/申出書.pdf"),
            dir.path().join("R8-001/申出書.pdf"),
        )
        .unwrap();
        stage.done = true;
        std::mem::forget(stage);
        let staged = dir.path().join(STAGE_DIR);
        active().retain(|d| *d != staged);
        // The next run completes it: every file in place, the old one in 履歴, no stage left.
        store.recover().unwrap();
        assert_eq!(
            fs::read(dir.path().join("R8-001/協定書.pdf")).unwrap(),
            b"new"
        );
        assert_eq!(
            fs::read(dir.path().join("R8-001/申出書.pdf")).unwrap(),
            b"new too"
        );
        assert_eq!(
            fs::read(dir.path().join("R8-001/履歴/協定書_1.pdf")).unwrap(),
            b"old"
        );
        assert!(!dir.path().join(STAGE_DIR).exists());
        // Done twice, nothing more happens.
        store.recover().unwrap();
        assert!(!dir.path().join("R8-001/履歴/協定書_2.pdf").exists());
    }

    #[test]
    fn a_run_stopped_before_its_commit_leaves_the_folder_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path(), &[]);
        fs::write(dir.path().join("manifest.json"), b"{}").unwrap();
        {
            let mut stage = store.stage().unwrap();
            stage.add(&plan("R8-001/協定書.pdf", b"new"), None).unwrap();
            stage
                .add(&plan("manifest.json", b"{\"new\":1}"), None)
                .unwrap();
            // Dropped without a commit (an error stopped the run).
        }
        assert!(!dir.path().join(STAGE_DIR).exists());
        assert!(!dir.path().join("R8-001").exists());
        assert_eq!(fs::read(dir.path().join("manifest.json")).unwrap(), b"{}");
        // And a file that already holds the bytes is not staged at all.
        let mut stage = store.stage().unwrap();
        stage.add(&plan("manifest.json", b"{}"), None).unwrap();
        assert!(stage.entries.is_empty());
        assert_eq!(
            stage.commit(None).unwrap(),
            vec![("manifest.json".to_string(), Outcome::Unchanged)]
        );
    }
}
