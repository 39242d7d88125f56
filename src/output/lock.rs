//! One writer per output folder: an advisory lock on `<out>/.kyotei-lock`, held for a whole
//! run, so two commands (two `render`s, a `render` beside the page's job) never interleave
//! their files and manifests in one folder.
//!
//! ```text
//! let lock = OutputLock::acquire(out, "kyotei render", "2026-12-07 12:00:01",
//!                                Duration::from_secs(60), &|h| eprintln!("{}", h.waiting_message(out)))?;
//! // … write the folder …
//! drop(lock); // or let it go out of scope
//! ```
//!
//! - [`OutputLock::acquire`]`(out: &Path, command: &str, since: &str, wait: Duration,
//!   on_wait: &dyn Fn(&Holder)) -> Result<OutputLock>` creates `out` if it is missing and
//!   takes the lock (std's `File::try_lock`, an exclusive `flock` on Unix). When another
//!   process (or another handle in this one) holds it, `on_wait` is called once with the
//!   [`Holder`] read from the file, the lock is tried again every 100 ms, and after `wait`
//!   the result is [`Error::Busy`] naming the holder (the CLI exits 2). `Duration::ZERO`
//!   tries once.
//! - The holder writes its process id, `command` and `since` (the caller's clock: nothing here
//!   reads one) into the file, as JSON, once it holds the lock.
//! - Dropping the [`OutputLock`] removes the file while still holding the lock, then releases
//!   it; if the folder was created by `acquire` and is still empty, it goes too, so a run
//!   that wrote nothing leaves nothing. A process that dies releases the lock through the OS;
//!   the file it leaves is taken over by the next writer (whoever locks a file checks that it
//!   is still the one at the path, so a writer never holds a removed file).
//! - A link at `.kyotei-lock` is refused ([`Error::Link`]): the holder's record is never
//!   written elsewhere.
//!
//! Nothing lists the file: the manifest names only what kyotei made, and the page serves only
//! those names.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The lock file's name inside the output folder.
pub const LOCK_FILE: &str = ".kyotei-lock";

/// How often a waiting writer tries the lock again.
const RETRY: Duration = Duration::from_millis(100);

/// The writer holding the lock, as it recorded itself in the lock file. A record that
/// cannot be read (being written, removed) has every field empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    /// The holder's process id.
    pub pid: Option<u32>,
    /// `kyotei render`, `kyotei serve`…
    pub command: String,
    /// When it started, as its caller wrote it (`2026-12-07 12:00:01`).
    pub since: String,
}

impl Holder {
    /// `別の kyotei（プロセス 1234、kyotei render、2026-12-07 12:00:01 から）`, or
    /// `別の kyotei` when the record could not be read.
    pub fn who(&self) -> String {
        let mut parts = Vec::new();
        if let Some(pid) = self.pid {
            parts.push(format!("プロセス {pid}"));
        }
        if !self.command.is_empty() {
            parts.push(self.command.clone());
        }
        if !self.since.is_empty() {
            parts.push(format!("{} から", self.since));
        }
        if parts.is_empty() {
            "別の kyotei".into()
        } else {
            format!("別の kyotei（{}）", parts.join("、"))
        }
    }

    /// The line to print while waiting: 「出力先 出力/ は別の kyotei（…）が書き込み中です。
    /// 終わるのを待っています」.
    pub fn waiting_message(&self, out: &Path) -> String {
        format!(
            "出力先 {} は{}が書き込み中です。終わるのを待っています",
            out.display(),
            self.who()
        )
    }
}

/// The lock of one output folder, held until dropped.
#[derive(Debug)]
pub struct OutputLock {
    file: Option<File>,
    path: PathBuf,
    /// The folder `acquire` created (removed on drop when it is still empty).
    created: Option<PathBuf>,
}

impl OutputLock {
    /// Takes the lock of the output folder `out` for `command` (`kyotei render`), started at
    /// `since`; waits at most `wait` for another writer, calling `on_wait` once with it.
    pub fn acquire(
        out: &Path,
        command: &str,
        since: &str,
        wait: Duration,
        on_wait: &dyn Fn(&Holder),
    ) -> Result<OutputLock> {
        let created = match std::fs::symlink_metadata(out) {
            Ok(_) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
                Some(out.to_path_buf())
            }
            Err(e) => return Err(Error::io(out, e)),
        };
        let path = out.join(LOCK_FILE);
        // From here on, dropping `lock` undoes what was made (the folder, the file).
        let mut lock = OutputLock {
            file: None,
            path: path.clone(),
            created,
        };
        let start = Instant::now();
        let mut waited = false;
        loop {
            let file = open(&path)?;
            match file.try_lock() {
                Ok(()) => {
                    // The file may have been removed (and another made) by the writer that
                    // held it before: only the file still at the path counts.
                    if same_file(&file, &path) {
                        record(&file, command, since).map_err(|e| Error::io(&path, e))?;
                        lock.file = Some(file);
                        held().push(path.clone());
                        return Ok(lock);
                    }
                    continue;
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    if !waited {
                        waited = true;
                        on_wait(&read_holder(&file));
                    }
                    if start.elapsed() >= wait {
                        return Err(Error::Busy {
                            dir: out.to_path_buf(),
                            holder: read_holder(&file).who(),
                        });
                    }
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
            drop(file);
            std::thread::sleep(RETRY.min(wait.saturating_sub(start.elapsed())));
        }
    }

    /// The lock file's path (`<out>/.kyotei-lock`).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The lock files this process holds, which Ctrl-C removes ([`abandon`]) before it exits
/// (an exit runs no `Drop`; the OS releases the locks themselves).
static HELD: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

fn held() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    HELD.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the lock files this process holds (Ctrl-C, just before the process exits).
pub fn abandon() {
    for path in held().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        held().retain(|p| *p != self.path);
        if let Some(file) = self.file.take() {
            // Removed while still locked: a writer waiting on this file finds it gone and
            // opens the path again.
            let _ = std::fs::remove_file(&self.path);
            drop(file);
        }
        if let Some(dir) = &self.created {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Opens (creating) the lock file, refusing a link or anything but a regular file.
fn open(path: &Path) -> Result<File> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => return Err(Error::Link(path.to_path_buf())),
        Ok(m) if !m.is_file() => return Err(Error::NotAFile(path.to_path_buf())),
        _ => {}
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    // A link made between the check and the open: what was opened is not the path's own file.
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Error::Link(path.to_path_buf()));
    }
    Ok(file)
}

/// Whether `file` is the file at `path` now (a link there is not).
fn same_file(file: &File, path: &Path) -> bool {
    let (Ok(open), Ok(now)) = (file.metadata(), std::fs::symlink_metadata(path)) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        open.dev() == now.dev() && open.ino() == now.ino()
    }
    #[cfg(not(unix))]
    {
        now.is_file() && open.len() == now.len()
    }
}

/// Writes the holder's record over the file's content.
fn record(file: &File, command: &str, since: &str) -> std::io::Result<()> {
    let holder = Holder {
        pid: Some(std::process::id()),
        command: command.to_string(),
        since: since.to_string(),
    };
    let json = serde_json::to_vec(&holder).map_err(std::io::Error::other)?;
    let mut f = file;
    f.set_len(0)?;
    f.rewind()?;
    f.write_all(&json)?;
    f.flush()
}

/// The record of the writer holding the lock (empty fields when it cannot be read).
fn read_holder(file: &File) -> Holder {
    let mut f = file;
    let mut text = String::new();
    if f.rewind().is_err() || f.take(4096).read_to_string(&mut text).is_err() {
        return Holder::default();
    }
    serde_json::from_str(&text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    const SINCE: &str = "2026-12-07 12:00:01";

    #[test]
    fn a_second_writer_times_out_naming_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("出力");
        let first = OutputLock::acquire(&out, "kyotei render", SINCE, Duration::ZERO, &|_| {
            panic!("nobody holds it yet")
        })
        .unwrap();
        assert!(out.join(LOCK_FILE).is_file());
        let seen = RefCell::new(Vec::new());
        let start = Instant::now();
        let second = OutputLock::acquire(
            &out,
            "kyotei serve",
            "2026-12-07 12:00:05",
            Duration::from_millis(350),
            &|h| seen.borrow_mut().push(h.clone()),
        );
        let elapsed = start.elapsed();
        let holder = Holder {
            pid: Some(std::process::id()),
            command: "kyotei render".into(),
            since: SINCE.into(),
        };
        assert_eq!(
            *seen.borrow(),
            vec![holder.clone()],
            "on_wait is called once"
        );
        assert!(elapsed >= Duration::from_millis(350), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
        let e = second.unwrap_err();
        assert!(
            matches!(&e, Error::Busy { dir, .. } if dir == &out),
            "{e:?}"
        );
        let message = e.to_string();
        for part in [
            "出力 は別の kyotei（プロセス ",
            &format!(
                "プロセス {}、kyotei render、2026-12-07 12:00:01 から）",
                std::process::id()
            ),
            "が書き込み中です",
            "やり直すか、別の出力先を指定してください",
        ] {
            assert!(message.contains(part), "{part:?} in {message}");
        }
        assert_eq!(
            holder.waiting_message(Path::new("出力/")),
            format!(
                "出力先 出力/ は別の kyotei（プロセス {}、kyotei render、2026-12-07 12:00:01 から）が書き込み中です。終わるのを待っています",
                std::process::id()
            )
        );
        // The first is untouched by the second's attempts.
        assert_eq!(read_holder(first.file.as_ref().unwrap()), holder);
        drop(first);
    }

    #[test]
    fn dropping_releases_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("出力");
        let lock =
            OutputLock::acquire(&out, "kyotei render", SINCE, Duration::ZERO, &|_| {}).unwrap();
        drop(lock);
        assert!(!out.exists(), "the folder acquire made, still empty, goes");
        // A folder that was there stays, with what it holds; the lock file goes.
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("manifest.json"), b"{}").unwrap();
        let lock =
            OutputLock::acquire(&out, "kyotei render", SINCE, Duration::ZERO, &|_| {}).unwrap();
        drop(lock);
        let names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("manifest.json")]);
        // And the next writer gets it at once.
        let again = OutputLock::acquire(&out, "kyotei diff", SINCE, Duration::ZERO, &|_| {
            panic!("released")
        });
        assert!(again.is_ok());
    }

    #[test]
    fn a_waiting_writer_gets_the_lock_when_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("出力");
        let first =
            OutputLock::acquire(&out, "kyotei render", SINCE, Duration::ZERO, &|_| {}).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            drop(first);
        });
        let waited = RefCell::new(0);
        let second = OutputLock::acquire(
            &out,
            "kyotei render",
            SINCE,
            Duration::from_secs(30),
            &|h| {
                assert_eq!(h.command, "kyotei render");
                *waited.borrow_mut() += 1;
            },
        )
        .unwrap();
        releaser.join().unwrap();
        assert_eq!(*waited.borrow(), 1);
        // The second holds the file now at the path, with its own record.
        assert!(same_file(second.file.as_ref().unwrap(), second.path()));
        assert_eq!(
            read_holder(second.file.as_ref().unwrap()).pid,
            Some(std::process::id())
        );
    }

    #[test]
    fn a_stale_file_of_a_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(LOCK_FILE),
            br#"{"pid":4194304,"command":"kyotei render","since":"x"}"#,
        )
        .unwrap();
        let lock = OutputLock::acquire(dir.path(), "kyotei render", SINCE, Duration::ZERO, &|_| {
            panic!("nobody holds it")
        })
        .unwrap();
        assert_eq!(
            read_holder(lock.file.as_ref().unwrap()).pid,
            Some(std::process::id())
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_as_the_lock_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("よそ.txt");
        std::fs::write(&elsewhere, b"keep").unwrap();
        let out = dir.path().join("出力");
        std::fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join(LOCK_FILE)).unwrap();
        let e =
            OutputLock::acquire(&out, "kyotei render", SINCE, Duration::ZERO, &|_| {}).unwrap_err();
        assert!(matches!(e, Error::Link(_)), "{e:?}");
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"keep");
        assert!(out.join(LOCK_FILE).is_symlink());
    }
}
