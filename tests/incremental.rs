//! Incremental rendering: a render skips every document whose inputs are unchanged and whose
//! file is still the one it wrote; `--force` makes everything; `--watch` follows saves.
//!
//! "Skipped" is proved by the render's own count of documents laid out (the summary line's
//! 組版した書類 N 件, counted by the PDF writer) and by the files' bytes and modification
//! times, never by timing.

use crate::common::{AS_OF, SAMPLE, files, kyotei, renamed, root, stderr, temp};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;

/// Every file under `dir` with its bytes and modification time.
fn stamped(dir: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    files(dir)
        .into_iter()
        .map(|(k, v)| {
            let t = std::fs::metadata(dir.join(&k)).unwrap().modified().unwrap();
            (k, (v, t))
        })
        .collect()
}

/// `kyotei render` of `register` into `out` (in `dir`) with `extra` options: (documents laid
/// out, stdout).
fn render(dir: &Path, register: &str, extra: &[&str]) -> (usize, String) {
    let mut args = vec!["render", register, "-o", "出力", "--as-of", AS_OF];
    args.extend(extra);
    let o = kyotei(&args, dir);
    // The sample's R8-002 has errors: exit 1, its documents refused.
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let n = out
        .split("組版した書類 ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in: {out}"));
    (n, out)
}

fn setup(name: &str) -> std::path::PathBuf {
    let dir = temp(name);
    std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
    dir
}

fn under<'a, V>(m: &'a BTreeMap<String, V>, prefix: &str) -> BTreeMap<&'a String, &'a V> {
    m.iter().filter(|(k, _)| k.starts_with(prefix)).collect()
}

#[test]
fn an_unchanged_rerun_lays_out_nothing_and_writes_nothing() {
    let dir = setup("inc-rerun");
    let (first, _) = render(&dir, "台帳.xlsx", &[]);
    assert!(first > 10, "{first}");
    let before = stamped(&dir.join("出力"));
    let (again, out) = render(&dir, "台帳.xlsx", &[]);
    assert_eq!(again, 0, "{out}");
    assert!(out.contains("作成 0 件、更新 0 件"), "{out}");
    assert_eq!(stamped(&dir.join("出力")), before, "bytes or times changed");
    // `--force` lays out every document again (the bytes come out the same).
    let (forced, _) = render(&dir, "台帳.xlsx", &["--force"]);
    assert_eq!(forced, first);
    assert_eq!(files(&dir.join("出力")).len(), before.len());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn editing_one_agreement_remakes_only_its_documents() {
    let dir = setup("inc-edit");
    render(&dir, "台帳.xlsx", &[]);
    let before = stamped(&dir.join("出力"));
    let bytes = std::fs::read(dir.join("台帳.xlsx")).unwrap();
    std::fs::write(dir.join("台帳.xlsx"), renamed(&bytes)).unwrap();
    let (n, out) = render(&dir, "台帳.xlsx", &[]);
    let after = stamped(&dir.join("出力"));
    // The other agreement's files: same bytes, same modification times.
    assert_eq!(under(&after, "R2-005/"), under(&before, "R2-005/"));
    // R8-001's documents name the company: each one was laid out and replaced.
    let r8: Vec<&String> = under(&before, "R8-001/")
        .into_keys()
        .filter(|k| !k.contains('/') || k.matches('/').count() == 1)
        .filter(|k| k.ends_with(".pdf") || k.ends_with(".docx"))
        .collect();
    assert!(!r8.is_empty());
    for k in &r8 {
        assert_ne!(after[*k].0, before[*k].0, "{k} was not remade:\n{out}");
    }
    assert!(
        n > 0 && n < r8.len() + 4,
        "{n} laid out for {} files:\n{out}",
        r8.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_changed_template_remakes_the_documents_that_use_it() {
    let dir = setup("inc-template");
    let t = dir.join("テンプレート");
    std::fs::create_dir_all(&t).unwrap();
    render(&dir, "台帳.xlsx", &["--templates", "テンプレート"]);
    let before = stamped(&dir.join("出力"));
    // The 実績報告書 template gains a sentence; nothing else uses it.
    let report = std::fs::read_to_string(root().join("templates/report.j2")).unwrap();
    std::fs::write(t.join("report.j2"), format!("{report}\n@p 以上\n")).unwrap();
    let (n, out) = render(&dir, "台帳.xlsx", &["--templates", "テンプレート"]);
    let after = stamped(&dir.join("出力"));
    let mut remade = 0;
    for (k, (bytes, time)) in &before {
        if k.contains("実績報告書") {
            assert_ne!(&after[k].0, bytes, "{k} not remade");
            remade += 1;
        } else if k != "manifest.json" {
            assert_eq!(&after[k], &(bytes.clone(), *time), "{k} touched");
        }
    }
    assert!(remade > 0);
    assert_eq!(n, remade / 2, "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_deleted_file_is_made_again_and_an_edited_one_goes_to_history() {
    let dir = setup("inc-hand");
    render(&dir, "台帳.xlsx", &[]);
    let out_dir = dir.join("出力/R8-001");
    let pdf = std::fs::read(out_dir.join("協定書.pdf")).unwrap();
    let docx = std::fs::read(out_dir.join("申出書.docx")).unwrap();
    std::fs::remove_file(out_dir.join("協定書.pdf")).unwrap();
    std::fs::write(out_dir.join("申出書.docx"), b"edited by hand").unwrap();
    let (n, out) = render(&dir, "台帳.xlsx", &[]);
    assert_eq!(n, 2, "{out}");
    assert_eq!(std::fs::read(out_dir.join("協定書.pdf")).unwrap(), pdf);
    assert_eq!(std::fs::read(out_dir.join("申出書.docx")).unwrap(), docx);
    assert_eq!(
        std::fs::read(out_dir.join("履歴/申出書_1.docx")).unwrap(),
        b"edited by hand"
    );
    assert!(out.contains("作成 1 件、更新 1 件"), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn drafts_and_finals_keep_their_own_records() {
    let dir = setup("inc-draft");
    let (finals, _) = render(&dir, "台帳.xlsx", &[]);
    let (drafts, _) = render(&dir, "台帳.xlsx", &["--draft"]);
    // Drafts are made for all three agreements (R8-002 too), in 案/.
    assert!(drafts > finals, "{drafts} {finals}");
    assert_eq!(render(&dir, "台帳.xlsx", &[]).0, 0);
    assert_eq!(render(&dir, "台帳.xlsx", &["--draft"]).0, 0);
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("出力/manifest.json")).unwrap()).unwrap();
    let entries = m["files"].as_array().unwrap();
    let draft = |e: &serde_json::Value| e["draft"].as_bool().unwrap_or(false);
    assert!(
        entries
            .iter()
            .all(|e| draft(e) == e["path"].as_str().unwrap().contains("/案/"))
    );
    assert!(entries.iter().any(draft) && entries.iter().any(|e| !draft(e)));
    // Every file listed is on disk with its digest.
    for e in entries {
        let bytes = std::fs::read(dir.join("出力").join(e["path"].as_str().unwrap())).unwrap();
        assert_eq!(
            kyotei::output::sha256_hex(&bytes),
            e["sha256"].as_str().unwrap()
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn watch_renders_again_after_a_save_by_rename() {
    use std::process::Command;
    let dir = setup("inc-watch");
    let mut w = Watching::start(&dir);
    w.wait_for("の保存を待っています", 1);
    // Save as Excel does: a temporary file beside the register, renamed over it.
    let bytes = std::fs::read(dir.join("台帳.xlsx")).unwrap();
    std::fs::write(dir.join("~$台帳.tmp"), renamed(&bytes)).unwrap();
    std::fs::rename(dir.join("~$台帳.tmp"), dir.join("台帳.xlsx")).unwrap();
    w.wait_for("台帳が保存されました", 1);
    w.wait_for("組版した書類", 2);
    w.wait_for("の保存を待っています", 2);
    let text = kyotei::writer::docx::docx_text(
        &std::fs::read(dir.join("出力/R8-001/協定書.docx")).unwrap(),
    )
    .unwrap()
    .join("\n");
    assert!(text.contains("株式会社あかぎ商会"), "{text}");
    // Ctrl-C ends the watch cleanly.
    let pid = w.child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = w.child.wait().unwrap();
    assert_eq!(
        status.code(),
        Some(0),
        "{}",
        w.lines.lock().unwrap().join("\n")
    );
    let leftovers: Vec<String> = files(&dir.join("出力"))
        .into_keys()
        .filter(|k| k.contains("kyotei-tmp") || k.starts_with(".kyotei"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `kyotei render 台帳.xlsx --watch` in `dir`, its output lines collected as they come.
struct Watching {
    child: std::process::Child,
    lines: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Watching {
    fn start(dir: &Path) -> Watching {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyotei"))
            .args([
                "render",
                "台帳.xlsx",
                "-o",
                "出力",
                "--as-of",
                AS_OF,
                "--watch",
            ])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            });
        }
        Watching { child, lines }
    }

    /// How many lines so far contain `what`.
    fn count(&self, what: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(what))
            .count()
    }

    /// Waits (at most two minutes) until `n` lines contain `what`.
    fn wait_for(&self, what: &str, n: usize) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        while self.count(what) < n {
            assert!(
                std::time::Instant::now() < deadline,
                "no {n}×{what:?} in:\n{}",
                self.lines.lock().unwrap().join("\n")
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn watch_renders_once_per_save_and_never_for_a_read_or_a_touch() {
    use std::time::Duration;
    const SAVED: &str = "台帳が保存されました";
    const WAITING: &str = "の保存を待っています";
    let dir = setup("inc-watch-once");
    let w = Watching::start(&dir);
    w.wait_for(WAITING, 1);
    let register = dir.join("台帳.xlsx");
    // Reading the register 20 times (kyotei's own reading did this to itself) renders nothing.
    for _ in 0..20 {
        let _ = std::fs::read(&register).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    // Neither does touch, nor writing the same bytes again.
    assert!(
        std::process::Command::new("touch")
            .arg(&register)
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(&register, std::fs::read(&register).unwrap()).unwrap();
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(w.count(SAVED), 0, "{}", w.lines.lock().unwrap().join("\n"));
    // One save (as Excel saves: a temporary file renamed over it) renders exactly once.
    let bytes = std::fs::read(&register).unwrap();
    std::fs::write(dir.join("~$台帳.tmp"), renamed(&bytes)).unwrap();
    std::fs::rename(dir.join("~$台帳.tmp"), &register).unwrap();
    w.wait_for(WAITING, 2);
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(w.count(SAVED), 1, "{}", w.lines.lock().unwrap().join("\n"));
    assert_eq!(
        w.count("組版した書類"),
        2,
        "the first render and the one after the save"
    );
    drop(w);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The edition records and the manifest of an output folder.
fn editions(out: &Path) -> BTreeMap<String, Vec<u8>> {
    files(out)
        .into_iter()
        .filter(|(k, _)| k.contains("/版/") || k == "manifest.json" || k.contains("新旧対照表"))
        .collect()
}

#[test]
fn an_interrupted_render_uses_up_no_edition() {
    use std::process::{Command, Stdio};
    use std::time::Duration;
    // The state before: the sample rendered once (every tracked document at 第1版).
    let base = setup("inc-interrupt-base");
    render(&base, "台帳.xlsx", &[]);
    let changed = renamed(&std::fs::read(base.join("台帳.xlsx")).unwrap());
    // What an uninterrupted render of the changed register makes: R8-001 at 第2版.
    let copy = |name: &str| {
        let d = temp(name);
        for (rel, bytes) in files(&base) {
            let p = d.join(&rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
        std::fs::write(d.join("新.xlsx"), &changed).unwrap();
        d
    };
    let reference = copy("inc-interrupt-ref");
    render(&reference, "新.xlsx", &[]);
    let expected = files(&reference.join("出力"));
    assert!(
        expected.keys().any(|k| k.contains("第2版")),
        "the change makes a second edition: {:?}",
        expected.keys()
    );
    let original = editions(&base.join("出力"));
    for (i, (signal, delay)) in [
        ("-INT", 0),
        ("-INT", 150),
        ("-INT", 400),
        ("-INT", 800),
        ("-KILL", 100),
        ("-KILL", 500),
        ("-KILL", 1000),
    ]
    .into_iter()
    .enumerate()
    {
        let d = copy(&format!("inc-interrupt-{i}"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_kyotei"))
            .args([
                "render", "新.xlsx", "-o", "出力", "--as-of", AS_OF, "--jobs", "1",
            ])
            .args(["--force"])
            .current_dir(&d)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status();
        let status = child.wait().unwrap();
        let interrupted = !matches!(status.code(), Some(0 | 1));
        let out = d.join("出力");
        // Interrupted before its commit, the folder is as it was: no edition used up, no file
        // the manifest does not know (killed during the commit, the next run completes it).
        if interrupted && signal == "-INT" {
            assert_eq!(editions(&out), original, "{signal} after {delay} ms");
            let leftover: Vec<String> = files(&out)
                .into_keys()
                .filter(|k| k.starts_with(".kyotei"))
                .collect();
            assert!(leftover.is_empty(), "{leftover:?}");
        }
        // The next run gives what an uninterrupted run gives.
        render(&d, "新.xlsx", &[]);
        assert_eq!(
            files(&out),
            expected,
            "{signal} after {delay} ms ({status:?}): the rerun differs from an uninterrupted run"
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
    std::fs::remove_dir_all(&base).unwrap();
    std::fs::remove_dir_all(&reference).unwrap();
}
