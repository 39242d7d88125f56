//! Stage 6, the output store: where every byte kyotei makes ends up, by one policy.
//!
//! - [`Store`]: the output folder of `render` and `diff` (`出力/`). File names are made safe
//!   from user data ([`sanitize_component`]); nothing is written outside the folder and no
//!   link inside it is followed; a changed file's old version moves into `履歴/` first;
//!   `manifest.json` lists every file with its SHA-256 ([`Manifest`]).
//! - [`file`]: a single file the user named (`init`, `report`, `export`, `schedule --ics`):
//!   never written over unless the user says `--force`, and never the register being read.
//! - [`stage`]: a run's files are staged and committed together with the manifest, so an
//!   interrupted run leaves the folder as it was (or is completed by the next run).
//! - [`atomic`]: the one temporary-file-and-rename write both use.
//! - [`lock`]: one writer per output folder (`.kyotei-lock`, an advisory lock held for a run).
//!
//! This module decides *where* bytes go; the bytes come from the writers. Nothing here reads
//! the clock.

pub mod atomic;
pub mod file;
pub mod lock;
pub mod stage;

/// Ctrl-C: waits until no file is half-written and no commit is under way, removes what the
/// runs under way had staged (so the folder is as it was before them), and returns a guard
/// that keeps every later write waiting. The CLI calls it and exits while holding it.
pub fn stop_writes() -> std::sync::MutexGuard<'static, ()> {
    let guard = atomic::stop_writes();
    stage::abandon();
    lock::abandon();
    guard
}

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The folder that keeps earlier outputs, inside each agreement's folder.
pub const HISTORY_DIR: &str = "履歴";
/// The folder, inside each agreement's folder, that holds its drafts (`render --draft`), so a
/// draft never displaces a final document.
pub const DRAFT_DIR: &str = "案";

/// The longest file-name component kyotei writes, in characters (most file systems allow 255
/// bytes; a kanji is 3 bytes in UTF-8).
const MAX_COMPONENT_CHARS: usize = 60;

/// A file name component built from user data: no path separators, no `..`, no control
/// characters, no characters Windows forbids, no leading or trailing dots or spaces.
/// An empty result becomes `_`.
pub fn sanitize_component(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => continue,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => continue,
            c => c,
        };
        out.push(c);
    }
    let trimmed = out.trim_matches(|c: char| c == '.' || c.is_whitespace());
    let mut name: String = trimmed.chars().take(MAX_COMPONENT_CHARS).collect();
    // Windows reserved device names.
    let upper = name.to_ascii_uppercase();
    let stem = upper.split('.').next().unwrap_or("");
    if matches!(stem, "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT")) && stem.len() == 4)
    {
        name.insert(0, '_');
    }
    if name.is_empty() {
        "_".to_string()
    } else {
        name
    }
}

/// SHA-256 of bytes, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file to write, relative to the output folder.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Relative path: `<協定番号>/<name>.<ext>` or `manifest.json`. Every component must
    /// already be sanitised; [`commit`] refuses anything that could leave the folder.
    pub rel: PathBuf,
    pub bytes: Vec<u8>,
}

/// What happened to one planned file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// New file.
    Created,
    /// Same bytes as before: left untouched.
    Unchanged,
    /// Different bytes: the old file was moved into `履歴/` first.
    Replaced { history: String },
    /// A single file the user named, replaced because they said `--force`.
    Overwritten,
}

/// How many files of a run were created, replaced (moved to `履歴/` first, or overwritten
/// with `--force`) and left unchanged: the counts of the closing line of `render`, `diff`
/// and the page's render.
pub fn tally<'a>(outcomes: impl IntoIterator<Item = &'a Outcome>) -> (usize, usize, usize) {
    let mut t = (0, 0, 0);
    for o in outcomes {
        match o {
            Outcome::Created => t.0 += 1,
            Outcome::Replaced { .. } | Outcome::Overwritten => t.1 += 1,
            Outcome::Unchanged => t.2 += 1,
        }
    }
    t
}

/// Check that a relative path stays inside the output folder.
fn check_rel(rel: &Path) -> Result<()> {
    let ok =
        !rel.as_os_str().is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
    if ok {
        Ok(())
    } else {
        Err(Error::Writer {
            format: "出力",
            reason: format!("出力先の外を指すパス: {}", rel.display()),
        })
    }
}

/// The history path for an old version of `path`: `<dir>/履歴/<stem>_<n>.<ext>` with the
/// first free `n`, counting from 1. With `named` (e.g. `申し合わせ事項_第1版`), the old version
/// goes to `<dir>/履歴/<named>.<ext>`, or `<named>_2.<ext>`, `<named>_3.<ext>`… when that is
/// taken by different bytes; a history file already holding the same bytes is reused.
fn history_path(path: &Path, named: Option<&str>, old: &[u8]) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new(".")).join(HISTORY_DIR);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path.extension().map(|s| s.to_string_lossy().into_owned());
    let file = |base: String| match &ext {
        Some(e) => dir.join(format!("{base}.{e}")),
        None => dir.join(base),
    };
    if let Some(named) = named {
        let named = sanitize_component(named);
        return (1..)
            .map(|n| match n {
                1 => file(named.clone()),
                n => file(format!("{named}_{n}")),
            })
            .find(|p| fs::read(p).map_or(true, |b| b == old))
            .expect("some number is free");
    }
    (1..)
        .map(|n| file(format!("{stem}_{n}")))
        .find(|p| !p.exists())
        .expect("some number is free")
}

/// A folder kyotei owns (`出力/`): every file of `render` and `diff` goes in through
/// [`Store::commit`]. Nothing is written outside it, no link inside it is followed, an input
/// being read is never written over, and a changed file's old version is kept in `履歴/`.
#[derive(Debug, Clone)]
pub struct Store {
    root: PathBuf,
    inputs: Vec<FileId>,
}

impl Store {
    /// The store at `root`; `inputs` are the files the command reads (the register), which no
    /// commit may replace.
    pub fn new(root: &Path, inputs: &[&Path]) -> Store {
        Store {
            root: root.to_path_buf(),
            inputs: inputs.iter().filter_map(|p| FileId::of(p)).collect(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The bytes kyotei wrote at `rel` earlier, if the file is there (links are not followed).
    pub fn read(&self, rel: &Path) -> Result<Option<Vec<u8>>> {
        check_rel(rel)?;
        let path = self.root.join(rel);
        self.refuse_links(rel)?;
        match fs::read(&path) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }

    /// Whether there is a regular file at `rel` (not reached through a link).
    pub fn holds_file(&self, rel: &Path) -> bool {
        check_rel(rel).is_ok()
            && self.refuse_links(rel).is_ok()
            && fs::symlink_metadata(self.root.join(rel)).is_ok_and(|m| m.is_file())
    }

    /// Whether the file at `rel` is still the one whose SHA-256 is `sha256` (false when it is
    /// missing, unreadable, a link or different).
    pub fn holds(&self, rel: &Path, sha256: &str) -> bool {
        matches!(self.read(rel), Ok(Some(bytes)) if sha256_hex(&bytes) == sha256)
    }

    /// Write one planned file: unchanged files are left alone, changed ones are moved into
    /// `履歴/` first (as `<history>.<ext>` when given, e.g. `申し合わせ事項_第1版`, else
    /// numbered), then the new bytes are written atomically.
    pub fn commit(&self, plan: &Planned, history: Option<&str>) -> Result<Outcome> {
        let path = self.prepare(&plan.rel)?;
        let outcome = match fs::read(&path) {
            Ok(old) if old == plan.bytes => return Ok(Outcome::Unchanged),
            Ok(old) => self.keep_old(&path, history, &old)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Created,
            Err(e) => return Err(Error::io(&path, e)),
        };
        atomic::write(&path, &plan.bytes, atomic::Mode::Replace)
            .map_err(|e| Error::io(&path, e))?;
        Ok(outcome)
    }

    /// As [`Store::commit`], for a file already written (staged) inside the store: it is
    /// renamed into place, or removed when the file in place has the same bytes.
    fn move_in(&self, staged: &Path, rel: &Path, history: Option<&str>) -> Result<Outcome> {
        let path = self.prepare(rel)?;
        let outcome = match fs::read(&path) {
            // The staged bytes are read only when there is a file to compare them with.
            Ok(old) if fs::read(staged).map_err(|e| Error::io(staged, e))? == old => {
                fs::remove_file(staged).map_err(|e| Error::io(staged, e))?;
                return Ok(Outcome::Unchanged);
            }
            Ok(old) => self.keep_old(&path, history, &old)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Created,
            Err(e) => return Err(Error::io(&path, e)),
        };
        fs::rename(staged, &path).map_err(|e| Error::io(&path, e))?;
        Ok(outcome)
    }

    /// Checks that `rel` may be written (inside the store, no link, not an input), makes its
    /// folder and clears it of a killed process's temporary files; the full path.
    fn prepare(&self, rel: &Path) -> Result<PathBuf> {
        check_rel(rel)?;
        let path = self.root.join(rel);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        self.refuse_links(rel)?;
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        atomic::remove_stale_temps(&dir);
        self.refuse_input(&path)?;
        Ok(path)
    }

    /// An error if `path` is a file the command reads (the register).
    fn refuse_input(&self, path: &Path) -> Result<()> {
        if self
            .inputs
            .iter()
            .any(|i| FileId::of(path).as_ref() == Some(i))
        {
            return Err(Error::WouldOverwriteInput(path.to_path_buf()));
        }
        Ok(())
    }

    /// Keeps the old version (`old`, the bytes at `path`) in `履歴/` before it is replaced.
    fn keep_old(&self, path: &Path, history: Option<&str>, old: &[u8]) -> Result<Outcome> {
        let hist = history_path(path, history, old);
        let hdir = hist.parent().expect("history has a parent");
        let hrel = hist.strip_prefix(&self.root).unwrap_or(&hist).to_path_buf();
        self.refuse_links(&hrel)?;
        fs::create_dir_all(hdir).map_err(|e| Error::io(hdir, e))?;
        // A hard link keeps the old file in place until the new one is renamed over it, so an
        // interruption leaves either the old or the new file, never none.
        if hist.exists() {
            // A named history file that already holds these bytes.
        } else if fs::hard_link(path, &hist).is_err() {
            fs::copy(path, &hist).map_err(|e| Error::io(&hist, e))?;
        }
        Ok(Outcome::Replaced {
            history: hrel.to_string_lossy().replace('\\', "/"),
        })
    }

    /// An error if the root or any folder or file on the way to `rel` is a symbolic link:
    /// following it could write outside the store.
    fn refuse_links(&self, rel: &Path) -> Result<()> {
        let mut p = self.root.clone();
        for c in rel.components() {
            p.push(c);
            if fs::symlink_metadata(&p).is_ok_and(|m| m.file_type().is_symlink()) {
                return Err(Error::Link(p));
            }
        }
        Ok(())
    }
}

/// A file's identity (device and inode on Unix, the canonical path elsewhere): two paths
/// name the same file, links and `..` included, when their ids are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileId(IdInner);

#[cfg(unix)]
type IdInner = (u64, u64);
#[cfg(not(unix))]
type IdInner = PathBuf;

impl FileId {
    pub(crate) fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = fs::metadata(path).ok()?;
            Some(FileId((m.dev(), m.ino())))
        }
        #[cfg(not(unix))]
        {
            fs::canonicalize(path).ok().map(FileId)
        }
    }
}

/// One file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    /// SHA-256 of everything that decides the file's bytes (its document, format, draft or
    /// final, templates, fonts, profile, kyotei version): a later render with the same key
    /// and this file still on disk skips it. Empty (absent) for files not made that way.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub key: String,
    /// A draft (`render --draft`, in `<協定番号>/案/`); absent for final documents.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub draft: bool,
    /// Made by `kyotei diff` (a 新旧対照表 of two registers), which a render neither makes
    /// nor supersedes; absent for `render`'s files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub diff: bool,
}

/// `manifest.json`: every file kyotei made in the folder, the hash of the register of the
/// latest run, the kyotei version and the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub kyotei_version: String,
    pub input_sha256: String,
    pub guideline: String,
    pub files: Vec<ManifestFile>,
}

impl Manifest {
    /// A manifest of `files` (sorted here by path, so the order of writing does not matter).
    pub fn new(input: &[u8], guideline: &str, mut files: Vec<ManifestFile>) -> Manifest {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Manifest {
            kyotei_version: env!("CARGO_PKG_VERSION").to_string(),
            input_sha256: sha256_hex(input),
            guideline: guideline.to_string(),
            files,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serialises");
        s.push('\n');
        s.into_bytes()
    }

    /// The manifest after a run: the files the run made (`made`), and those of `before` that
    /// it did not make again and that `superseded` does not name (a render's agreements'
    /// earlier files). What another command made in the folder is kept: `render` and `diff`
    /// share it.
    pub fn update(
        before: Option<Manifest>,
        input: &[u8],
        guideline: &str,
        made: Vec<ManifestFile>,
        superseded: impl Fn(&ManifestFile) -> bool,
    ) -> Manifest {
        let new: std::collections::HashSet<&str> = made.iter().map(|f| f.path.as_str()).collect();
        let mut files: Vec<ManifestFile> = before
            .map(|m| m.files)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| !new.contains(f.path.as_str()) && !superseded(f))
            .collect();
        files.extend(made);
        Manifest::new(input, guideline, files)
    }

    /// The manifest of the store, if there is one kyotei can read (anything else is as if
    /// there were none: every file is then made again).
    pub fn load(store: &Store) -> Option<Manifest> {
        let bytes = store.read(Path::new(MANIFEST)).ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    /// Writes `manifest.json` at the store's root.
    pub fn commit(&self, store: &Store) -> Result<Outcome> {
        let plan = Planned {
            rel: PathBuf::from(MANIFEST),
            bytes: self.to_bytes(),
        };
        store.commit(&plan, None)
    }
}

/// The manifest's file name, at the root of the output folder.
pub const MANIFEST: &str = "manifest.json";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitises_hostile_names() {
        assert_eq!(sanitize_component("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(sanitize_component(".."), "_");
        assert_eq!(sanitize_component("R8-001"), "R8-001");
        assert_eq!(sanitize_component("a\u{0}b\nc"), "abc");
        assert_eq!(sanitize_component("C:\\x"), "C__x");
        assert_eq!(sanitize_component("CON"), "_CON");
        assert_eq!(sanitize_component("  .隠し. "), "隠し");
        assert_eq!(
            sanitize_component(&"長".repeat(300)).chars().count(),
            MAX_COMPONENT_CHARS
        );
        for hostile in ["../x", "/abs", "a/../../b", "..\\..\\w"] {
            let s = sanitize_component(hostile);
            assert!(check_rel(Path::new(&s)).is_ok(), "{hostile} → {s}");
        }
    }

    #[test]
    fn refuses_paths_outside() {
        assert!(check_rel(Path::new("../x")).is_err());
        assert!(check_rel(Path::new("/x")).is_err());
        assert!(check_rel(Path::new("a/./b")).is_ok());
    }

    #[test]
    fn named_history_reuses_same_bytes_and_numbers_different_ones() {
        let dir = std::env::temp_dir().join(format!("kyotei-render-named-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let plan = |b: &[u8]| Planned {
            rel: PathBuf::from("R8-001/申し合わせ事項.pdf"),
            bytes: b.to_vec(),
        };
        let named = Some("申し合わせ事項_第1版");
        assert_eq!(
            Store::new(&dir, &[]).commit(&plan(b"v1"), named).unwrap(),
            Outcome::Created
        );
        let first = "R8-001/履歴/申し合わせ事項_第1版.pdf".to_string();
        assert_eq!(
            Store::new(&dir, &[])
                .commit(&plan(b"draft"), named)
                .unwrap(),
            Outcome::Replaced {
                history: first.clone()
            }
        );
        // The same bytes again under the same name: the history file is reused.
        fs::write(dir.join("R8-001/申し合わせ事項.pdf"), b"v1").unwrap();
        assert_eq!(
            Store::new(&dir, &[]).commit(&plan(b"v2"), named).unwrap(),
            Outcome::Replaced { history: first }
        );
        // Different bytes under a taken name get a number.
        fs::write(dir.join("R8-001/申し合わせ事項.pdf"), b"other").unwrap();
        assert_eq!(
            Store::new(&dir, &[]).commit(&plan(b"v2"), named).unwrap(),
            Outcome::Replaced {
                history: "R8-001/履歴/申し合わせ事項_第1版_2.pdf".into()
            }
        );
        assert_eq!(
            fs::read(dir.join("R8-001/履歴/申し合わせ事項_第1版.pdf")).unwrap(),
            b"v1"
        );
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn keeps_history_and_leaves_unchanged_files() {
        let dir = std::env::temp_dir().join(format!("kyotei-render-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let plan = |b: &[u8]| Planned {
            rel: PathBuf::from("R8-001/協定書.pdf"),
            bytes: b.to_vec(),
        };
        assert_eq!(
            Store::new(&dir, &[]).commit(&plan(b"one"), None).unwrap(),
            Outcome::Created
        );
        assert_eq!(
            Store::new(&dir, &[]).commit(&plan(b"one"), None).unwrap(),
            Outcome::Unchanged
        );
        assert_eq!(
            Store::new(&dir, &[]).commit(&plan(b"two"), None).unwrap(),
            Outcome::Replaced {
                history: "R8-001/履歴/協定書_1.pdf".into()
            }
        );
        assert_eq!(
            Store::new(&dir, &[]).commit(&plan(b"three"), None).unwrap(),
            Outcome::Replaced {
                history: "R8-001/履歴/協定書_2.pdf".into()
            }
        );
        assert_eq!(
            fs::read(dir.join("R8-001/履歴/協定書_1.pdf")).unwrap(),
            b"one"
        );
        assert_eq!(
            fs::read(dir.join("R8-001/履歴/協定書_2.pdf")).unwrap(),
            b"two"
        );
        assert_eq!(fs::read(dir.join("R8-001/協定書.pdf")).unwrap(), b"three");
        let leftovers: Vec<_> = fs::read_dir(dir.join("R8-001"))
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains("kyotei-tmp"))
            .collect();
        assert!(leftovers.is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn never_follows_a_link_inside_the_store() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let elsewhere = dir.path().join("elsewhere");
        fs::create_dir_all(&out).unwrap();
        fs::create_dir_all(&elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("R8-001")).unwrap();
        let store = Store::new(&out, &[]);
        let plan = Planned {
            rel: PathBuf::from("R8-001/協定書.pdf"),
            bytes: b"x".to_vec(),
        };
        assert!(
            matches!(store.commit(&plan, None), Err(Error::Link(p)) if p == out.join("R8-001"))
        );
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
        // A link to the history folder is refused too, and the old file stays.
        fs::remove_file(out.join("R8-001")).unwrap();
        fs::create_dir_all(out.join("R8-001")).unwrap();
        fs::write(out.join("R8-001/協定書.pdf"), b"old").unwrap();
        std::os::unix::fs::symlink(&elsewhere, out.join("R8-001/履歴")).unwrap();
        assert!(matches!(store.commit(&plan, None), Err(Error::Link(_))));
        assert_eq!(fs::read(out.join("R8-001/協定書.pdf")).unwrap(), b"old");
        assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    }
}
