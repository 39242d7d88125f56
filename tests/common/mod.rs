//! Helpers shared by the test modules: running the binary, scratch folders, reading a folder
//! back, and the workbook fixtures of the reader tests.

pub mod browser;
pub mod model;
pub mod reader_fixtures;
pub mod serve;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The bundled sample register, relative to the project root.
pub const SAMPLE: &str = "samples/sample.xlsx";
/// The reference date the sample's documented findings are for.
pub const AS_OF: &str = "2026-11-25";

/// The project root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the `kyotei` binary in `cwd`.
pub fn kyotei(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyotei"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("kyotei runs")
}

/// A fresh, empty scratch folder for one test (removed first if an earlier run left it).
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kyotei-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every file under `dir`, relative path (with `/`) → bytes. Links are listed, not followed.
pub fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let rel = p
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if meta.is_dir() {
                stack.push(p);
            } else if meta.file_type().is_symlink() {
                out.insert(rel, b"<link>".to_vec());
            } else {
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The sample with R8-001's company renamed (only its documents change).
pub fn renamed(bytes: &[u8]) -> Vec<u8> {
    reader_fixtures::rewrite_zip(bytes, |name, data| {
        (name == "xl/sharedStrings.xml").then(|| {
            let s = String::from_utf8(data.to_vec()).unwrap();
            assert!(s.contains("株式会社あかぎ商事"));
            s.replace("株式会社あかぎ商事", "株式会社あかぎ商会")
                .into_bytes()
        })
    })
}

/// Saves `bytes` over `path` as Excel does: a temporary file beside it, renamed over it.
pub fn save_as_excel_does(path: &Path, bytes: &[u8]) {
    let tmp = path.with_file_name(format!(
        "~${}.tmp",
        path.file_name().unwrap().to_string_lossy()
    ));
    std::fs::write(&tmp, bytes).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// The standard error of a run, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The init workbook with one cell of the example agreement replaced.
pub fn example_with(dir: &Path, file: &str, header: &str, value: &str) -> PathBuf {
    use kyotei::writer::xlsx::CellValue;
    let profile = kyotei::guideline::profile::Profile::isesaki();
    let mut rows = kyotei::forms::blank::example_rows(&profile);
    let col = kyotei::forms::blank::headers("協定")
        .unwrap()
        .iter()
        .position(|h| *h == header)
        .unwrap();
    for (name, sheet_rows) in rows.iter_mut() {
        if *name == "協定" {
            sheet_rows[0][col] = CellValue::text(value);
        }
    }
    let book = kyotei::forms::blank::register_book(&profile, &rows);
    let path = dir.join(file);
    std::fs::write(&path, kyotei::writer::xlsx::write(&book).unwrap()).unwrap();
    path
}

/// A tool's standard output, `input` on its standard input; the test fails if it is missing
/// (`bash .ci/run` installs the tools) or fails.
pub fn tool(cmd: &str, args: &[&str], input: Option<&[u8]>) -> String {
    use std::io::Write;
    let mut child = Command::new(cmd)
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd} (poppler-utils) is needed: {e}"));
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{cmd} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// pdftotext (reading order, `-raw`, UTF-8) of a whole PDF or of one of its pages.
pub fn pdf_text(bytes: &[u8], page: Option<u32>) -> String {
    let p = page.map(|p| p.to_string());
    let mut args: Vec<&str> = Vec::new();
    if let Some(p) = &p {
        args.extend(["-f", p, "-l", p]);
    }
    args.extend(["-raw", "-enc", "UTF-8", "-", "-"]);
    tool("pdftotext", &args, Some(bytes))
}

/// openxml-audit's error count for `file`, with its findings when there are any.
pub fn audit(file: &Path) -> (u64, String) {
    let o = Command::new("openxml-audit")
        .args(["-m", "0", "-o", "json"])
        .arg(file)
        .output()
        .expect("openxml-audit is installed (bash .ci/run installs it)");
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    let json: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: {e}: {text}{}", file.display(), stderr(&o)));
    let report = if json.is_array() { &json[0] } else { &json };
    let n = report["error_count"]
        .as_u64()
        .unwrap_or_else(|| panic!("{}: no error_count in {text}", file.display()));
    (n, text)
}

/// LibreOffice converts `files` to `to` (`docx`, `xlsx`, `pdf`) into `outdir`, with its own
/// profile folder under `scratch` (so tests can run it side by side); returns the converted
/// files in the order given.
pub fn soffice(scratch: &Path, to: &str, outdir: &Path, files: &[&Path]) -> Vec<PathBuf> {
    let o = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            scratch.join("lo-profile").display()
        ))
        .args(["--headless", "--convert-to", to, "--outdir"])
        .arg(outdir)
        .args(files)
        .output()
        .expect("LibreOffice (soffice) is installed (bash .ci/run installs it)");
    assert!(o.status.success(), "{}", stderr(&o));
    let ext = to.split(':').next().unwrap();
    files
        .iter()
        .map(|f| {
            let out = outdir.join(format!(
                "{}.{ext}",
                f.file_stem().unwrap().to_string_lossy()
            ));
            assert!(
                out.exists(),
                "LibreOffice made no {}: {}",
                out.display(),
                stderr(&o)
            );
            out
        })
        .collect()
}

/// Runs the Python script `tests/py/<script>` with `args` (python-docx and openpyxl, which
/// `bash .ci/run` installs); the test fails if it fails.
pub fn python(script: &str, args: &[&std::ffi::OsStr]) -> String {
    let o = Command::new("python3")
        .arg(root().join("tests/py").join(script))
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "{script}: {}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}
