//! Writing the output folder: file names made safe from user data, atomic writes (temporary
//! file, then rename), earlier outputs moved into `履歴/` instead of being overwritten, and
//! `manifest.json` with every file's SHA-256.
//!
//! This module decides *where* bytes go; the documents themselves come from `docs` and the
//! writers. Nothing here reads the clock.

use crate::error::{Error, Result};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// The folder that keeps earlier outputs, inside each agreement's folder.
pub const HISTORY_DIR: &str = "履歴";

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

/// Held while a temporary file exists (from its creation to its rename), so that an
/// interruption (Ctrl-C) can wait for the file in progress and then stop: see [`stop_writes`].
static WRITING: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Waits until no file is half-written and returns a guard that keeps every later
/// [`write_atomic`] waiting. The CLI calls it on Ctrl-C and exits while holding it, so no
/// temporary file is left behind.
pub fn stop_writes() -> std::sync::MutexGuard<'static, ()> {
    WRITING.lock().unwrap_or_else(|e| e.into_inner())
}

/// The part of a temporary file's name before the process id.
const TMP_MARK: &str = ".kyotei-tmp-";

/// Removes the temporary files that an earlier, killed run left in `dir`
/// (`.<name>.kyotei-tmp-<pid>` of a process that no longer runs). Errors are ignored: a file
/// that cannot be removed is simply left.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let own = std::process::id().to_string();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(pid) = name.rsplit_once(TMP_MARK).map(|(_, pid)| pid) else {
            continue;
        };
        // A process that still runs (another kyotei writing here) keeps its file.
        let alive = pid == own
            || (Path::new("/proc/self").exists() && Path::new("/proc").join(pid).exists());
        if name.starts_with('.') && !alive {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Write `bytes` to `path` atomically: a temporary file in the same folder, flushed, then
/// renamed over the target. A failure leaves no partial file behind.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let _writing = WRITING.lock().unwrap_or_else(|e| e.into_inner());
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}{TMP_MARK}{}", std::process::id()));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
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

/// Write one planned file under `out`: unchanged files are left alone, changed ones are moved
/// into `履歴/` first, then the new bytes are written atomically.
pub fn commit_one(out: &Path, plan: &Planned) -> Result<Outcome> {
    commit_as(out, plan, None)
}

/// [`commit_one`], naming the history file of a replaced file `<history>.<ext>` (e.g.
/// `申し合わせ事項_第1版`) instead of numbering it.
pub fn commit_as(out: &Path, plan: &Planned, history: Option<&str>) -> Result<Outcome> {
    check_rel(&plan.rel)?;
    let path = out.join(&plan.rel);
    let dir = path.parent().unwrap_or(out);
    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    remove_stale_temps(dir);
    let outcome = match fs::read(&path) {
        Ok(old) if old == plan.bytes => return Ok(Outcome::Unchanged),
        Ok(old) => {
            let hist = history_path(&path, history, &old);
            let hdir = hist.parent().expect("history has a parent");
            fs::create_dir_all(hdir).map_err(|e| Error::io(hdir, e))?;
            // A hard link keeps the old file in place until the new one is renamed over it,
            // so an interruption leaves either the old or the new file, never none.
            if hist.exists() {
                // A named history file that already holds these bytes.
            } else if fs::hard_link(&path, &hist).is_err() {
                fs::copy(&path, &hist).map_err(|e| Error::io(&hist, e))?;
            }
            let rel = hist.strip_prefix(out).unwrap_or(&hist);
            Outcome::Replaced {
                history: rel.to_string_lossy().into_owned(),
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Outcome::Created,
        Err(e) => return Err(Error::io(&path, e)),
    };
    write_atomic(&path, &plan.bytes)?;
    Ok(outcome)
}

/// One file of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
}

/// `manifest.json`: every file written, the input's hash, the kyotei version and the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

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
            commit_as(&dir, &plan(b"v1"), named).unwrap(),
            Outcome::Created
        );
        let first = "R8-001/履歴/申し合わせ事項_第1版.pdf".to_string();
        assert_eq!(
            commit_as(&dir, &plan(b"draft"), named).unwrap(),
            Outcome::Replaced {
                history: first.clone()
            }
        );
        // The same bytes again under the same name: the history file is reused.
        fs::write(dir.join("R8-001/申し合わせ事項.pdf"), b"v1").unwrap();
        assert_eq!(
            commit_as(&dir, &plan(b"v2"), named).unwrap(),
            Outcome::Replaced { history: first }
        );
        // Different bytes under a taken name get a number.
        fs::write(dir.join("R8-001/申し合わせ事項.pdf"), b"other").unwrap();
        assert_eq!(
            commit_as(&dir, &plan(b"v2"), named).unwrap(),
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
        assert_eq!(commit_one(&dir, &plan(b"one")).unwrap(), Outcome::Created);
        assert_eq!(commit_one(&dir, &plan(b"one")).unwrap(), Outcome::Unchanged);
        assert_eq!(
            commit_one(&dir, &plan(b"two")).unwrap(),
            Outcome::Replaced {
                history: "R8-001/履歴/協定書_1.pdf".into()
            }
        );
        assert_eq!(
            commit_one(&dir, &plan(b"three")).unwrap(),
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
}
