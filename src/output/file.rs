//! Single files the user names (`init`, `report -o`, `export --open-data`,
//! `schedule --ics`): one policy for all of them.
//!
//! - A new file is created atomically; one that appears meanwhile is not clobbered.
//! - An existing file with the same bytes is left as it is (a rerun is harmless), except for
//!   `init`, which refuses any existing file.
//! - An existing file with other bytes is replaced only with `--force`.
//! - A file the command reads (the register) is never written, not even with `--force`.
//! - Only a regular file (or a link to one) is ever compared or replaced: a device node, a
//!   FIFO, a socket, or a link to one (`/dev/full`, `/proc/self/fd/1`) is refused before it is
//!   opened, even with `--force`, and the comparison reads at most one byte more than the new
//!   content, so neither a FIFO nor an endless device can make it hang or fill the memory.

use super::{FileId, Outcome, atomic};
use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// What a single-file write may do.
#[derive(Debug, Clone, Copy, Default)]
pub struct Policy<'a> {
    /// Replace an existing file with other bytes (`--force`).
    pub force: bool,
    /// Files the command reads: never written.
    pub inputs: &'a [&'a Path],
    /// Refuse any existing file without `force`, even one with the same bytes (`init`: the
    /// file it makes is the one users then fill in).
    pub new_only: bool,
}

/// Writes `bytes` to `path` under `policy`.
pub fn write(path: &Path, bytes: &[u8], policy: Policy<'_>) -> Result<Outcome> {
    if let Some(id) = FileId::of(path)
        && policy
            .inputs
            .iter()
            .any(|i| FileId::of(i).as_ref() == Some(&id))
    {
        return Err(Error::WouldOverwriteInput(path.to_path_buf()));
    }
    let existing = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => return Err(is_a_directory(path)),
        Ok(m) if m.is_file() => true,
        // A link: what it resolves to decides (a dangling link is replaced like a file).
        Ok(m) if m.file_type().is_symlink() => match std::fs::metadata(path) {
            Ok(t) if t.is_file() => true,
            Ok(t) if t.is_dir() => return Err(is_a_directory(path)),
            Ok(_) => return Err(Error::NotAFile(path.to_path_buf())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
            Err(e) => return Err(Error::io(path, e)),
        },
        Ok(_) => return Err(Error::NotAFile(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(Error::io(path, e)),
    };
    if !existing {
        return match atomic::write(path, bytes, atomic::Mode::CreateNew) {
            Ok(()) => Ok(Outcome::Created),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(Error::Exists(path.to_path_buf()))
            }
            Err(e) => Err(Error::io(path, e)),
        };
    }
    if !policy.new_only && same_bytes(path, bytes)? {
        return Ok(Outcome::Unchanged);
    }
    if !policy.force {
        return Err(Error::Exists(path.to_path_buf()));
    }
    atomic::write(path, bytes, atomic::Mode::Replace).map_err(|e| Error::io(path, e))?;
    Ok(Outcome::Overwritten)
}

fn is_a_directory(path: &Path) -> Error {
    Error::io(
        path,
        std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
    )
}

/// Whether the regular file at `path` holds exactly `bytes`. It is opened without blocking
/// (a FIFO swapped in after the check above would otherwise wait for a writer), checked again
/// to be a regular file once open, and read no further than `bytes.len() + 1`.
fn same_bytes(path: &Path, bytes: &[u8]) -> Result<bool> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        // Unreadable (no permission, a dangling link): not the same; `--force` decides.
        Err(_) => return Ok(false),
    };
    match file.metadata() {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(Error::NotAFile(path.to_path_buf())),
        Err(_) => return Ok(false),
    }
    if file.metadata().is_ok_and(|m| m.len() != bytes.len() as u64) {
        return Ok(false);
    }
    let mut old = Vec::with_capacity(bytes.len() + 1);
    match file.take(bytes.len() as u64 + 1).read_to_end(&mut old) {
        Ok(_) => Ok(old == bytes),
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_keeps_same_bytes_refuses_others_and_forces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("年次報告.xlsx");
        let none = Policy::default();
        assert_eq!(write(&p, b"a", none).unwrap(), Outcome::Created);
        assert_eq!(write(&p, b"a", none).unwrap(), Outcome::Unchanged);
        assert!(matches!(write(&p, b"b", none), Err(Error::Exists(_))));
        assert_eq!(std::fs::read(&p).unwrap(), b"a");
        let force = Policy {
            force: true,
            ..none
        };
        assert_eq!(write(&p, b"b", force).unwrap(), Outcome::Overwritten);
        assert_eq!(std::fs::read(&p).unwrap(), b"b");
    }

    #[cfg(unix)]
    #[test]
    fn refuses_special_files_and_links_to_them_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("予定.ics");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let link = dir.path().join("null.csv");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        let to_fifo = dir.path().join("fifo.csv");
        std::os::unix::fs::symlink(&fifo, &to_fifo).unwrap();
        let force = Policy {
            force: true,
            ..Policy::default()
        };
        for p in [fifo.as_path(), &link, &to_fifo, Path::new("/dev/zero")] {
            for policy in [Policy::default(), force] {
                // Would block forever on the FIFO, or read /dev/zero without end, if it opened it.
                assert!(
                    matches!(write(p, b"new", policy), Err(Error::NotAFile(ref q)) if q == p),
                    "{}",
                    p.display()
                );
            }
        }
        assert!(std::fs::read_link(&link).unwrap() == Path::new("/dev/null"));
    }

    #[test]
    fn a_longer_file_is_not_the_same_and_is_not_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("公開.csv");
        // Starts with the new bytes, then goes on: not the same.
        std::fs::write(&p, b"abcdef").unwrap();
        assert!(!same_bytes(&p, b"abc").unwrap());
        assert!(same_bytes(&p, b"abcdef").unwrap());
        assert!(matches!(
            write(&p, b"abc", Policy::default()),
            Err(Error::Exists(_))
        ));
        // A 1 GiB file: its length already says it differs (at most len + 1 bytes are read).
        let big = dir.path().join("big.csv");
        std::fs::File::create(&big)
            .unwrap()
            .set_len(1 << 30)
            .unwrap();
        assert!(!same_bytes(&big, b"abc").unwrap());
    }

    #[test]
    fn never_writes_over_an_input_even_by_another_name() {
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("台帳.xlsx");
        std::fs::write(&reg, b"register").unwrap();
        let inputs = [reg.as_path()];
        let force = Policy {
            force: true,
            inputs: &inputs,
            new_only: false,
        };
        assert!(matches!(
            write(&reg, b"ics", force),
            Err(Error::WouldOverwriteInput(_))
        ));
        let other = dir.path().join("sub/../台帳.xlsx");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        assert!(matches!(
            write(&other, b"ics", force),
            Err(Error::WouldOverwriteInput(_))
        ));
        #[cfg(unix)]
        {
            let link = dir.path().join("link.ics");
            std::os::unix::fs::symlink(&reg, &link).unwrap();
            assert!(matches!(
                write(&link, b"ics", force),
                Err(Error::WouldOverwriteInput(_))
            ));
        }
        assert_eq!(std::fs::read(&reg).unwrap(), b"register");
    }
}
