//! Single files the user names (`init`, `report -o`, `export --open-data`,
//! `schedule --ics`): one policy for all of them.
//!
//! - A new file is created atomically; one that appears meanwhile is not clobbered.
//! - An existing file with the same bytes is left as it is (a rerun is harmless), except for
//!   `init`, which refuses any existing file.
//! - An existing file with other bytes is replaced only with `--force`.
//! - A file the command reads (the register) is never written, not even with `--force`.

use super::{FileId, Outcome, atomic};
use crate::error::{Error, Result};
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
        Ok(m) if m.is_dir() => {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a directory"),
            ));
        }
        Ok(_) => true,
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
    if !policy.new_only && std::fs::read(path).is_ok_and(|old| old == bytes) {
        return Ok(Outcome::Unchanged);
    }
    if !policy.force {
        return Err(Error::Exists(path.to_path_buf()));
    }
    atomic::write(path, bytes, atomic::Mode::Replace).map_err(|e| Error::io(path, e))?;
    Ok(Outcome::Overwritten)
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
