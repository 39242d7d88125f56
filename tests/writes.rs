//! The one write path: every command that writes a file goes through the output store or the
//! single-file policy. An existing file is replaced only with `--force`, the register being
//! read never (not even with `--force`), `render` and `diff` keep history instead, and no
//! temporary file is left behind.

use crate::common::{AS_OF, SAMPLE, files, kyotei, root, stderr, temp};
use std::path::Path;

/// A scratch folder holding a copy of the sample register as `台帳.xlsx`.
fn with_register(name: &str) -> std::path::PathBuf {
    let dir = temp(name);
    std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
    dir
}

fn no_temporary_files(dir: &Path) {
    let left: Vec<String> = files(dir)
        .into_keys()
        .filter(|k| k.contains("kyotei-tmp") || k.contains(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// The single-file commands, each writing `target`.
fn commands(target: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        v(&["init", target]),
        v(&["report", "台帳.xlsx", "--fiscal-year", "2026", "-o", target]),
        v(&[
            "export",
            "台帳.xlsx",
            "--open-data",
            target,
            "--as-of",
            AS_OF,
        ]),
        v(&["schedule", "台帳.xlsx", "--as-of", AS_OF, "--ics", target]),
    ]
}

#[test]
fn single_files_are_replaced_only_with_force() {
    let dir = with_register("writes-force");
    for cmd in commands("出力ファイル") {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        let target = dir.join("出力ファイル");
        std::fs::write(&target, b"staff notes").unwrap();
        let o = kyotei(&args, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("既に存在します"),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(stderr(&o).contains("--force"), "{args:?}: {}", stderr(&o));
        assert_eq!(std::fs::read(&target).unwrap(), b"staff notes", "{args:?}");

        let mut forced = args.clone();
        forced.push("--force");
        let o = kyotei(&forced, &dir);
        assert_eq!(o.status.code(), Some(0), "{forced:?}: {}", stderr(&o));
        let made = std::fs::read(&target).unwrap();
        assert_ne!(made, b"staff notes", "{forced:?}");

        // A rerun that would write the same bytes is harmless, except for init, whose file
        // is the one staff then fill in.
        let o = kyotei(&args, &dir);
        let expected = if args[0] == "init" { 2 } else { 0 };
        assert_eq!(o.status.code(), Some(expected), "{args:?}: {}", stderr(&o));
        assert_eq!(std::fs::read(&target).unwrap(), made);
        std::fs::remove_file(&target).unwrap();
        no_temporary_files(&dir);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_register_being_read_is_never_written_even_with_force() {
    let dir = with_register("writes-register");
    let before = std::fs::read(dir.join("台帳.xlsx")).unwrap();
    // The register under its own name and through a link to it.
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.join("台帳.xlsx"), dir.join("link.xlsx")).unwrap();
    for target in ["台帳.xlsx", "./台帳.xlsx", "link.xlsx"] {
        if !cfg!(unix) && target == "link.xlsx" {
            continue;
        }
        for cmd in commands(target).into_iter().skip(1) {
            let mut args: Vec<&str> = cmd.iter().map(String::as_str).collect();
            args.push("--force");
            let o = kyotei(&args, &dir);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            assert!(
                stderr(&o).contains("読み込んでいる台帳"),
                "{args:?}: {}",
                stderr(&o)
            );
            assert_eq!(
                std::fs::read(dir.join("台帳.xlsx")).unwrap(),
                before,
                "{args:?}"
            );
        }
    }
    // render and diff: a register lying where the store would write is not replaced either.
    std::fs::create_dir_all(dir.join("出力")).unwrap();
    std::fs::copy(dir.join("台帳.xlsx"), dir.join("出力/manifest.json")).unwrap();
    let o = kyotei(
        &[
            "render",
            "出力/manifest.json",
            "--agreement",
            "R8-001",
            "--as-of",
            AS_OF,
            "-q",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("読み込んでいる台帳"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(dir.join("出力/manifest.json")).unwrap(),
        before
    );
    no_temporary_files(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn render_keeps_history_instead_of_overwriting() {
    let dir = with_register("writes-history");
    let args = [
        "render",
        "台帳.xlsx",
        "--agreement",
        "R8-001",
        "--as-of",
        AS_OF,
        "-q",
    ];
    assert_eq!(kyotei(&args, &dir).status.code(), Some(0));
    let pdf = dir.join("出力/R8-001/申出書.pdf");
    let made = std::fs::read(&pdf).unwrap();
    std::fs::write(&pdf, b"edited by hand").unwrap();
    assert_eq!(kyotei(&args, &dir).status.code(), Some(0));
    assert_eq!(std::fs::read(&pdf).unwrap(), made);
    assert_eq!(
        std::fs::read(dir.join("出力/R8-001/履歴/申出書_1.pdf")).unwrap(),
        b"edited by hand"
    );
    no_temporary_files(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_write_leaves_no_temporary_file() {
    let dir = with_register("writes-failed");
    // The output "folder" is a file: every write fails, and nothing is left.
    std::fs::write(dir.join("出力"), b"not a folder").unwrap();
    let o = kyotei(&["render", "台帳.xlsx", "--as-of", AS_OF, "-q"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // In Japanese, once, and saying what to do.
    let err = stderr(&o);
    assert!(!err.contains("os error"), "{err}");
    assert!(err.contains("フォルダ"), "{err}");
    // A report into a folder that does not exist.
    let o = kyotei(
        &[
            "report",
            "台帳.xlsx",
            "--fiscal-year",
            "2026",
            "-o",
            "ない/年次報告.xlsx",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(!stderr(&o).contains("os error"), "{}", stderr(&o));
    no_temporary_files(&dir);
    assert_eq!(files(&dir).len(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_agreement_is_the_same_error_for_check_render_and_diff() {
    let dir = with_register("writes-unknown");
    let message = "協定番号「NOSUCH」は台帳の「協定」シートにありません";
    for args in [
        vec![
            "check",
            "台帳.xlsx",
            "--agreement",
            "NOSUCH",
            "--as-of",
            AS_OF,
        ],
        vec![
            "render",
            "台帳.xlsx",
            "--agreement",
            "NOSUCH",
            "--as-of",
            AS_OF,
        ],
        vec!["diff", "台帳.xlsx", "台帳.xlsx", "--agreement", "NOSUCH"],
    ] {
        let o = kyotei(&args, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(files(&dir).len(), 1, "nothing written");
    std::fs::remove_dir_all(&dir).unwrap();
}
