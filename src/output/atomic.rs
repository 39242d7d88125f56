//! The one way kyotei writes a file: a temporary file in the target's folder (the `tempfile`
//! crate), flushed to disk, then renamed into place. An interrupted or failed write leaves
//! either the old file or the new one, never a half-written one, and no temporary file.
//!
//! Ctrl-C: [`stop_writes`] waits for the write in progress and keeps every later one waiting,
//! so the CLI can exit without leaving a temporary file. A process killed outright (no
//! chance to clean up) leaves `.<name>.kyotei-tmp-<pid>-<random>`; [`remove_stale_temps`]
//! removes those of processes that no longer run.

use std::io::Write;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// Held while a temporary file exists (from its creation to its rename).
static WRITING: Mutex<()> = Mutex::new(());

/// The part of a temporary file's name before the process id.
const TMP_MARK: &str = ".kyotei-tmp-";

/// Waits until no file is half-written and returns a guard that keeps every later write
/// waiting. The CLI calls it on Ctrl-C and exits while holding it.
pub fn stop_writes() -> MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(|e| e.into_inner())
}

/// How [`write`] treats an existing file at the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Replace it (the rename is atomic).
    Replace,
    /// Fail with `AlreadyExists` if anything exists there, even if it appears meanwhile.
    CreateNew,
}

/// Writes `bytes` to `path` through a temporary file in the same folder.
pub fn write(path: &Path, bytes: &[u8], mode: Mode) -> std::io::Result<()> {
    let _writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}{TMP_MARK}{}-", std::process::id()))
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    // On failure the temporary file is removed when `PersistError` drops it.
    match mode {
        Mode::Replace => tmp.persist(path).map(drop).map_err(|e| e.error),
        Mode::CreateNew => tmp.persist_noclobber(path).map(drop).map_err(|e| e.error),
    }
}

/// Removes the temporary files that an earlier, killed process left in `dir`. Errors are
/// ignored: a file that cannot be removed is simply left.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id().to_string();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some((_, rest)) = name.rsplit_once(TMP_MARK) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or("");
        if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) || !name.starts_with('.') {
            continue;
        }
        // A process that still runs (another kyotei writing here) keeps its file.
        let alive = pid == own
            || (Path::new("/proc/self").exists() && Path::new("/proc").join(pid).exists());
        if !alive {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(TMP_MARK))
            .collect()
    }

    #[test]
    fn replaces_creates_new_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write(&p, b"one", Mode::CreateNew).unwrap();
        let e = write(&p, b"two", Mode::CreateNew).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write(&p, b"two", Mode::Replace).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn removes_only_temporary_files_of_dead_processes() {
        let dir = tempfile::tempdir().unwrap();
        // pid 4194304 is above Linux's pid_max: never a running process.
        let dead = dir.path().join(".a.pdf.kyotei-tmp-4194304-abc123");
        let mine = dir
            .path()
            .join(format!(".b.pdf.kyotei-tmp-{}-xyz", std::process::id()));
        let other = dir.path().join("a.kyotei-tmp-notes.txt");
        for p in [&dead, &mine, &other] {
            std::fs::write(p, b"x").unwrap();
        }
        remove_stale_temps(dir.path());
        assert!(!dead.exists());
        assert!(mine.exists());
        assert!(other.exists());
    }
}
