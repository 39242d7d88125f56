//! End-to-end tests of the `kyotei` binary on the bundled sample and on `init`'s workbook:
//! the documented findings, exit statuses, every document of every agreement, determinism,
//! and DOCX and PDF carrying the same text.

use crate::common::{example_with, files, kyotei, root, temp};
use std::path::Path;

const SAMPLE: &str = "samples/sample.xlsx";
const AS_OF: &str = "2026-11-25";

#[test]
fn the_sample_gives_exactly_the_documented_findings() {
    let out = kyotei(
        &["check", SAMPLE, "--as-of", AS_OF, "--format", "json"],
        &root(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<(String, String, String, String)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let keys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
            let mut keys = keys.clone();
            keys.sort();
            assert_eq!(
                keys,
                ["agreement", "cell", "hint", "message", "rule", "severity"]
            );
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("severity"), s("rule"), s("agreement"), s("cell"))
        })
        .collect();
    let expected = [
        ("info", "5", "R8-001", "協定!M2"),
        ("error", "入力", "R8-002", "連携事項!B10"),
        ("warning", "1(5)", "R8-002", "連携事業!J11"),
        ("error", "3(2)", "R8-002", "協定!A3"),
        ("info", "3(2)", "R8-002", "協定!A3"),
        ("error", "3(3)", "R8-002", "要件確認!E3"),
        ("error", "3(4)", "R8-002", "要件確認!J3"),
        ("warning", "3(5)", "R8-002", "連携事業!K12"),
        ("error", "3(5)", "R8-002", "連携事業!K13"),
        ("info", "3(2)", "R2-005", "協定!A4"),
        ("info", "3(2)", "R2-005", "協定!A4"),
        ("info", "3(4)", "R2-005", "協定!A4"),
        ("info", "5", "R2-005", "協定!M4"),
        ("warning", "8", "R2-005", "協定!M4"),
        ("info", "附則", "R2-005", "協定!M4"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect();
    assert_eq!(got, expected);

    // The text form: grouped by agreement, with a closing count.
    let out = kyotei(&["check", SAMPLE, "--as-of", AS_OF], &root());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("■ 協定 R8-002"), "{text}");
    assert!(text.contains("連携事項!B10"), "{text}");
    assert!(
        text.contains("シティプロモーションに関すること。"),
        "{text}"
    );
    assert!(
        text.trim_end()
            .ends_with("エラー 5 件、警告 3 件、情報 7 件"),
        "{text}"
    );

    // One agreement only.
    let out = kyotei(
        &[
            "check",
            SAMPLE,
            "--as-of",
            AS_OF,
            "--agreement",
            "Ｒ８－００１",
        ],
        &root(),
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("R8-002"), "{text}");
}

#[test]
fn init_writes_a_clean_register_and_never_overwrites() {
    let dir = temp("init");
    let out = kyotei(&["init"], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.join("協定台帳.xlsx");
    let before = std::fs::read(&path).unwrap();

    let out = kyotei(
        &[
            "check",
            "協定台帳.xlsx",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "error")
    );

    let out = kyotei(&["init"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("既に存在します"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn unreadable_input_exits_2() {
    let dir = temp("unreadable");
    std::fs::write(dir.join("x.xlsx"), b"not a workbook").unwrap();
    for cmd in ["check", "render"] {
        let out = kyotei(&[cmd, "x.xlsx", "--as-of", AS_OF], &dir);
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("x.xlsx"),
            "{cmd}"
        );
    }
    assert!(
        !dir.join("出力").exists(),
        "nothing written for a bad input"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// All whitespace removed: typst splits runs by script, Word by formatting.
fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn render_makes_every_document_deterministically_with_the_same_text_in_docx_and_pdf() {
    let dir = temp("render");
    let sample = root().join(SAMPLE);
    let sample = sample.to_str().unwrap();
    let out = kyotei(
        &["render", sample, "-o", "a", "--as-of", AS_OF, "--quiet"],
        &dir,
    );
    // R8-002 has errors: no files for it, exit 1.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("R8-002"));
    let a = files(&dir.join("a"));
    assert!(!a.keys().any(|k| k.starts_with("R8-002")), "{:?}", a.keys());
    for id in ["R8-001", "R2-005"] {
        for stem in ["申出書", "連携事業提案書", "協定書", "申し合わせ事項"] {
            for ext in ["docx", "pdf"] {
                assert!(
                    a.contains_key(&format!("{id}/{stem}.{ext}")),
                    "{id}/{stem}.{ext}"
                );
            }
        }
        assert!(
            a.keys()
                .any(|k| k.starts_with(&format!("{id}/実績報告書_"))),
            "{id} reports"
        );
    }

    // The manifest lists every file with its hash, and the input's.
    let manifest: serde_json::Value = serde_json::from_slice(&a["manifest.json"]).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), a.len() - 1);
    for f in listed {
        let path = f["path"].as_str().unwrap();
        let bytes = &a[path];
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            kyotei::output::sha256_hex(bytes),
            "{path}"
        );
    }
    let input = std::fs::read(root().join(SAMPLE)).unwrap();
    assert_eq!(manifest["input_sha256"], kyotei::output::sha256_hex(&input));
    assert_eq!(manifest["kyotei_version"], env!("CARGO_PKG_VERSION"));

    // Same input, same bytes: a second run into another folder, and a rerun in place.
    kyotei(
        &["render", sample, "-o", "b", "--as-of", AS_OF, "--quiet"],
        &dir,
    );
    assert_eq!(a, files(&dir.join("b")));
    let out = kyotei(&["render", sample, "-o", "a", "--as-of", AS_OF], &dir);
    assert!(String::from_utf8_lossy(&out.stdout).contains("作成 0 件、更新 0 件"));
    assert_eq!(a, files(&dir.join("a")), "a rerun changes nothing");

    // DOCX and PDF carry the same text: every DOCX paragraph appears in the PDF (PDF content
    // order may differ from reading order around merged table cells), and what is left of the
    // PDF once they are taken out is page numbers.
    let mut compared = 0;
    for (path, bytes) in &a {
        let Some(stem) = path.strip_suffix(".docx") else {
            continue;
        };
        let docx = kyotei::writer::docx::docx_text(bytes).unwrap();
        let pdf = pdf_extract::extract_text_from_mem(&a[&format!("{stem}.pdf")]).unwrap();
        let mut rest = squash(&pdf);
        let mut paras: Vec<String> = docx.iter().map(|p| squash(p)).collect();
        // Longest first, so a short paragraph cannot take text out of a longer one.
        paras.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in paras.iter().filter(|p| !p.is_empty()) {
            let at = rest
                .find(p.as_str())
                .unwrap_or_else(|| panic!("{path}: 「{p}」 not in the PDF: {rest}"));
            rest.replace_range(at..at + p.len(), "|");
        }
        // Header rows repeat on every page of a table.
        for p in paras.iter().filter(|p| !p.is_empty()) {
            rest = rest.replace(p.as_str(), "|");
        }
        let left: String = rest.chars().filter(|&c| c != '|').collect();
        assert!(
            left.chars().all(|c| c.is_ascii_digit() || c == '-'),
            "{path}: PDF has extra text 「{left}」"
        );
        compared += 1;
    }
    assert!(compared >= 10, "compared {compared} documents");

    // --draft renders an agreement with errors, marked 案.
    let out = kyotei(
        &[
            "render",
            sample,
            "-o",
            "c",
            "--as-of",
            AS_OF,
            "--draft",
            "--agreement",
            "R8-002",
            "--quiet",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = files(&dir.join("c"));
    let text = kyotei::writer::docx::docx_text(&c["R8-002/案/協定書.docx"])
        .unwrap()
        .join("\n");
    assert!(text.contains("包括連携協定書（案）"), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn schedule_report_and_export_on_the_sample() {
    let dir = temp("life");
    let sample = root().join(SAMPLE);
    let sample = sample.to_str().unwrap();

    let out = kyotei(
        &[
            "schedule", sample, "--as-of", AS_OF, "--format", "json", "--ics", "cal.ics",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let by_id = |id: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|e| e["agreement"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(by_id("R8-001")["notice_deadline"], "2027-02-28");
    assert_eq!(by_id("R8-001")["review"], serde_json::Value::Null);
    assert_eq!(by_id("R8-002")["status"], "協議中");
    assert_eq!(by_id("R8-002")["term_end"], serde_json::Value::Null);
    assert!(
        by_id("R2-005")["review"]
            .as_str()
            .unwrap()
            .contains("2年以上連携実績がありません")
    );
    let ics = std::fs::read_to_string(dir.join("cal.ics")).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.contains("UID:R8-001-notice-20270228@kyotei"));

    // --within 3 keeps only deadlines in the next three months: R2-005's overdue review.
    let out = kyotei(
        &[
            "schedule", sample, "--as-of", AS_OF, "--format", "json", "--within", "3",
        ],
        &dir,
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["agreement"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["R2-005"]);

    let out = kyotei(&["report", sample, "--fiscal-year", "令和8年度"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = dir.join("年次報告_令和8年度.xlsx");
    let bytes = std::fs::read(&report).unwrap();
    // A rerun with the same input is fine; a different file at that path is not replaced.
    assert_eq!(
        kyotei(&["report", sample, "--fiscal-year", "2026"], &dir)
            .status
            .code(),
        Some(0)
    );
    std::fs::write(&report, b"someone's edits").unwrap();
    assert_eq!(
        kyotei(&["report", sample, "--fiscal-year", "R8"], &dir)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(std::fs::read(&report).unwrap(), b"someone's edits");
    assert!(bytes.starts_with(b"PK"));

    let out = kyotei(
        &["export", sample, "--open-data", "od.csv", "--as-of", AS_OF],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0));
    let csv = std::fs::read(dir.join("od.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}締結先,締結日,連携事項,状態,有効期間\r\n".as_bytes()));
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.contains("株式会社あかぎ商事,2026-07-01,"));
    assert!(
        !csv.contains("ひまわり"),
        "agreements in negotiation are not published"
    );
    assert!(!csv.contains("@"), "no contact data");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_character_no_font_has_is_an_error_naming_its_cell() {
    let dir = temp("glyph");
    let path = example_with(&dir, "a.xlsx", "代表者氏名", "𠮷野 太郎");
    let out = kyotei(
        &[
            "render",
            path.to_str().unwrap(),
            "-o",
            "out",
            "--as-of",
            AS_OF,
        ],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("協定!E2") && stderr.contains("𠮷"),
        "{stderr}"
    );
    assert!(
        !dir.join("out/例-001").exists(),
        "no document with a silent box"
    );

    // With a font that has it (Debian's fonts-ipamj-mincho), the documents are made.
    let ipamj = Path::new("/usr/share/fonts/truetype/ipamj");
    if ipamj.exists() {
        let out = kyotei(
            &[
                "render",
                path.to_str().unwrap(),
                "-o",
                "out",
                "--as-of",
                AS_OF,
                "--font-dir",
                ipamj.to_str().unwrap(),
            ],
            &dir,
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pdf = std::fs::read(dir.join("out/例-001/協定書.pdf")).unwrap();
        let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
        assert!(squash(&text).contains("𠮷野太郎"), "{text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_hostile_company_name_prints_exactly_and_stays_in_the_output_folder() {
    let dir = temp("inject");
    let name = "株式会社#panic(\"x\")*太字*$x$]<w:t>&@title";
    let path = example_with(&dir, "a.xlsx", "企業等名", name);
    let out = kyotei(
        &[
            "render",
            path.to_str().unwrap(),
            "-o",
            "out",
            "--as-of",
            AS_OF,
            "-q",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let docx = std::fs::read(dir.join("out/例-001/協定書.docx")).unwrap();
    let text = kyotei::writer::docx::docx_text(&docx).unwrap().join("\n");
    assert!(
        text.contains(&format!("伊勢崎市と{name}との包括連携協定書")),
        "{text}"
    );
    let pdf = std::fs::read(dir.join("out/例-001/協定書.pdf")).unwrap();
    let text = squash(&pdf_extract::extract_text_from_mem(&pdf).unwrap());
    assert!(
        text.contains(&squash(&format!("伊勢崎市と{name}との包括連携協定書"))),
        "{text}"
    );

    // An ID that tries to leave the folder is only a name: drafts (its other sheets no longer
    // match, so it has errors) are written inside the output folder.
    let path = example_with(&dir, "b.xlsx", "協定番号", "../../etc/例");
    let out = kyotei(
        &[
            "render",
            path.to_str().unwrap(),
            "-o",
            "out2",
            "--as-of",
            AS_OF,
            "-q",
            "--draft",
        ],
        &dir,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = files(&dir.join("out2"));
    assert!(
        written
            .keys()
            .any(|k| k.starts_with("_.._etc_例/案/協定書")),
        "{:?}",
        written.keys()
    );
    let outside: Vec<_> = files(&dir)
        .into_keys()
        .filter(|k| !k.starts_with("out") && !k.ends_with(".xlsx"))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_run_that_writes_nothing_leaves_no_manifest() {
    let dir = temp("nothing");
    let sample = root().join(SAMPLE);
    let out = kyotei(
        &[
            "render",
            sample.to_str().unwrap(),
            "-o",
            "out",
            "--as-of",
            AS_OF,
            "--agreement",
            "R8-002",
        ],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !dir.join("out/manifest.json").exists(),
        "an empty run writes no manifest"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
