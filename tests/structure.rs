//! The structure the commands stand on: one verdict per reading (the page and `render` agree
//! on what blocks a final), one manifest update (`diff` keeps what `render` made), and every
//! argument of every command explained in Japanese.

use crate::common::serve::Served;
use crate::common::{AS_OF, SAMPLE, files, kyotei, renamed, root, stderr, temp};
use kyotei::forms::blank;
use kyotei::guideline::profile::Profile;
use kyotei::writer::xlsx::{self, CellValue};
use std::path::Path;
use std::time::Duration;

/// The init workbook's example agreement plus a 連携事業 row naming a 協定番号 that is not in
/// the register (an orphan row): an error of no agreement.
fn register_with_an_orphan_row(dir: &Path) {
    let profile = Profile::isesaki();
    let mut rows = blank::example_rows(&profile);
    let orphan = blank::named_row(
        "連携事業",
        &[
            ("協定番号", CellValue::text("例-999")),
            ("番号", CellValue::Number(1.0)),
            ("事業内容", CellValue::text("協定のない行")),
        ],
    );
    match rows.iter_mut().find(|(name, _)| *name == "連携事業") {
        Some((_, r)) => r.push(orphan),
        None => rows.push(("連携事業", vec![orphan])),
    }
    let bytes = xlsx::write(&blank::register_book(&profile, &rows)).unwrap();
    std::fs::write(dir.join("台帳.xlsx"), bytes).unwrap();
}

/// The path of a file of the output folder as the page links it.
fn href(rel: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                b => format!("%{b:02X}"),
            })
            .collect()
    };
    let segments: Vec<String> = rel.split('/').map(enc).collect();
    format!("/files/{}", segments.join("/"))
}

const LIMIT: Duration = Duration::from_secs(300);

#[test]
fn an_orphan_row_blocks_no_final_in_render_or_on_the_page() {
    // Through the CLI: the orphan is reported (exit 1), the example agreement's finals made.
    let cli = temp("orphan-cli");
    register_with_an_orphan_row(&cli);
    let o = kyotei(
        &["render", "台帳.xlsx", "-o", "出力", "--as-of", AS_OF],
        &cli,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("例-999"), "{}", stderr(&o));
    assert!(cli.join("出力/例-001/協定書.pdf").is_file());

    // Through the page: the final is not disabled, and the page's render makes the same files.
    let page = temp("orphan-page");
    register_with_an_orphan_row(&page);
    let s = Served::start(&page, &[]);
    let html = s.get("/agreements/%E4%BE%8B-001").text();
    assert!(!html.contains("確定版は作れません"), "{html}");
    let index = s.get("/").text();
    assert!(
        index.contains("例-999"),
        "the orphan is listed with the register's findings"
    );
    let r = s.post_form("/render", "mode=final");
    assert_eq!(r.status, 303, "{}", r.text());
    let job = s.wait_for_job(LIMIT);
    // The job says what the CLI's exit status says: the run was not clean (the orphan).
    assert_eq!(job["ok"], false, "{job}");
    assert!(
        !job["message"].as_str().unwrap().contains("作成しなかった"),
        "{job}"
    );
    drop(s);
    assert_eq!(files(&cli.join("出力")), files(&page.join("出力")));
    let _ = std::fs::remove_dir_all(&cli);
    let _ = std::fs::remove_dir_all(&page);
}

#[test]
fn diff_keeps_what_render_made_and_the_next_render_lays_out_nothing() {
    let dir = temp("render-diff-render");
    let sample = std::fs::read(root().join(SAMPLE)).unwrap();
    std::fs::write(dir.join("台帳.xlsx"), &sample).unwrap();
    std::fs::write(dir.join("新.xlsx"), renamed(&sample)).unwrap();
    let render = || {
        kyotei(
            &["render", "台帳.xlsx", "-o", "出力", "--as-of", AS_OF],
            &dir,
        )
    };
    let first = render();
    assert_eq!(first.status.code(), Some(1), "{}", stderr(&first));
    let made: Vec<String> = manifest_paths(&dir.join("出力"));
    let o = kyotei(&["diff", "台帳.xlsx", "新.xlsx", "-o", "出力"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let after_diff = manifest_paths(&dir.join("出力"));
    for p in &made {
        assert!(after_diff.contains(p), "diff dropped {p} from the manifest");
    }
    assert!(
        after_diff.iter().any(|p| p.contains("新旧対照表")),
        "{after_diff:?}"
    );
    let again = render();
    let out = String::from_utf8_lossy(&again.stdout);
    assert!(out.contains("（組版した書類 0 件）"), "{out}");
    assert_eq!(manifest_paths(&dir.join("出力")), after_diff);
    // The page serves every document of the manifest.
    let s = Served::start(&dir, &[]);
    for p in after_diff
        .iter()
        .filter(|p| p.ends_with(".pdf") || p.ends_with(".docx"))
    {
        assert_eq!(s.get(&href(p)).status, 200, "{p}");
    }
    drop(s);
    let _ = std::fs::remove_dir_all(&dir);
}

fn manifest_paths(out: &Path) -> Vec<String> {
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect()
}

/// The lines of a help text that describe an argument: `  -o, --out <フォルダ>  説明`.
fn undocumented(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let is_arg =
            l.starts_with("  ") && (t.starts_with('-') || t.starts_with('<') || t.starts_with('['));
        if !is_arg {
            continue;
        }
        // The explanation follows on the same line after two spaces, or on the next line.
        let spec_end = t.find("  ").map(|i| t[i..].trim());
        let same_line = spec_end.is_some_and(|rest| !rest.is_empty());
        let next_line = lines.get(i + 1).is_some_and(|n| {
            n.starts_with("          ") && !n.trim().is_empty() && !n.trim().starts_with('-')
        });
        if !same_line && !next_line {
            out.push(l.to_string());
        }
    }
    out
}

#[test]
fn every_command_and_argument_is_explained_in_japanese() {
    let dir = temp("help");
    let top = kyotei(&["--help"], &dir);
    assert!(top.status.success());
    let top = String::from_utf8(top.stdout).unwrap();
    let commands: Vec<String> = top
        .split("コマンド:\n")
        .nth(1)
        .unwrap()
        .lines()
        .take_while(|l| l.starts_with("  "))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    for c in [
        "init", "check", "render", "diff", "serve", "schedule", "report", "export",
    ] {
        assert!(commands.iter().any(|x| x == c), "{c} missing: {top}");
    }
    let english = [
        "Usage",
        "Options",
        "Arguments",
        "Print help",
        "[default",
        "possible values",
        "Commands:",
    ];
    let mut helps = vec![("kyotei".to_string(), top.clone())];
    for c in &commands {
        let o = kyotei(&[c, "--help"], &dir);
        assert!(o.status.success(), "{c}");
        helps.push((c.clone(), String::from_utf8(o.stdout).unwrap()));
    }
    for (name, help) in &helps {
        assert!(
            undocumented(help).is_empty(),
            "{name}: {:?}\n{help}",
            undocumented(help)
        );
        for e in english {
            assert!(!help.contains(e), "{name} says {e:?}: {help}");
        }
        assert!(help.contains("--help"), "{name}");
    }
    // The register and the forms of a date are explained.
    let check = &helps.iter().find(|(n, _)| n == "check").unwrap().1;
    assert!(
        check.contains("<台帳>") && check.contains("協定台帳（.xlsx）"),
        "{check}"
    );
    assert!(check.contains("令和8年4月1日"), "{check}");
    // Mistakes are told in Japanese with what to do, exit 2.
    for (args, says) in [
        (
            vec!["check", "--no-such"],
            "知らないオプションです: --no-such",
        ),
        (vec!["render", "x.xlsx", "--jobs", "abc"], "0 以上の整数"),
        (vec!["check"], "必要な引数がありません"),
        (vec!["nosuch"], "知らないコマンドです"),
        (vec!["check", "x.xlsx", "--format", "xml"], "使える値"),
    ] {
        let o = kyotei(&args, &dir);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains(says), "{args:?}: {e}");
        for w in ["error:", "Usage", "unexpected", "invalid"] {
            assert!(!e.contains(w), "{args:?} says {w:?}: {e}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The register with `value` in the first example row's `header` column of `sheet_name`, read
/// back: the input findings at that cell.
fn findings_at(sheet_name: &str, header: &str, value: &str) -> Vec<String> {
    use kyotei::model::{CellRef, sheet};
    let profile = Profile::isesaki();
    let mut rows = blank::example_rows(&profile);
    let col = sheet::sheet(sheet_name).unwrap().position(header).unwrap();
    // An optional sheet the example leaves empty (`条文`) gets a row of the example agreement.
    if !rows.iter().any(|(n, r)| *n == sheet_name && !r.is_empty()) {
        let width = sheet::sheet(sheet_name).unwrap().columns.len();
        let mut row = vec![CellValue::Empty; width];
        row[0] = CellValue::text(blank::EXAMPLE_ID);
        rows.retain(|(n, _)| *n != sheet_name);
        rows.push((sheet::sheet(sheet_name).unwrap().name, vec![row]));
    }
    let (_, r) = rows.iter_mut().find(|(n, _)| *n == sheet_name).unwrap();
    r[0][col] = CellValue::text(value);
    let bytes = xlsx::write(&blank::register_book(&profile, &rows)).unwrap();
    let input = kyotei::run::Input::from_bytes(Path::new("台帳.xlsx"), bytes, &profile).unwrap();
    let cell = CellRef::new(sheet::sheet(sheet_name).unwrap().name, 2, col as u32).to_string();
    input
        .findings
        .iter()
        .filter(|f| f.cell.as_deref() == Some(cell.as_str()))
        .map(|f| f.message.clone())
        .collect()
}

#[test]
fn init_and_the_reader_agree_column_by_column() {
    use kyotei::model::sheet::{self, Choices, Need};
    use kyotei::writer::xlsx::{ListSource, Strictness};
    let profile = Profile::isesaki();
    let book = blank::blank_register(&profile);
    let mut closed = 0;
    for sh in sheet::SHEETS {
        let spec = book.sheets.iter().find(|s| s.name == sh.name).unwrap();
        let written: Vec<&str> = spec.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(written, sh.headers().collect::<Vec<_>>(), "{}", sh.name);
        for (c, col) in sh.columns.iter().zip(&spec.columns) {
            // The colour says what the table says.
            assert_eq!(
                col.header_color.is_some(),
                c.need != Need::Optional,
                "{} {}",
                sh.name,
                c.header
            );
            let Choices::Closed(offered) = c.choices else {
                continue;
            };
            // The strict dropdown offers what the reader accepts, in its order…
            let list = col.list.as_ref().expect("a dropdown");
            assert_eq!(list.strictness, Strictness::Stop, "{}", c.header);
            let ListSource::Items(items) = &list.source else {
                panic!("{}: a list of items", c.header)
            };
            assert_eq!(items, &offered(), "{}", c.header);
            // …every value it offers reads without a finding, and another is an error there.
            for v in offered() {
                assert_eq!(
                    findings_at(sh.name, c.header, v),
                    Vec::<String>::new(),
                    "{} {v}",
                    c.header
                );
            }
            let other = findings_at(sh.name, c.header, "ほかの値");
            assert!(
                other.iter().any(|m| m.contains("選べる値")),
                "{}: {other:?}",
                c.header
            );
            closed += 1;
        }
    }
    // 押印方式, 3(1), 3(3), 3(4)①–⑧, 評価, 市の費用負担, 当事者, 書類 (条文).
    assert_eq!(closed, 15);
}

#[test]
fn no_header_is_spelt_outside_the_column_table() {
    // Every header of the contract, as the column table spells it.
    let headers: Vec<&str> = kyotei::model::sheet::SHEETS
        .iter()
        .flat_map(|s| s.headers())
        .collect();
    let mut found = Vec::new();
    for dir in [
        "input",
        "forms",
        "guideline",
        "document",
        "revision",
        "run",
        "serve",
    ] {
        let mut stack = vec![root().join("src").join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let text = std::fs::read_to_string(&p).unwrap();
                // The code, not its unit tests (which may well say 連携事業 as a word).
                let code = text.split("#[cfg(test)]").next().unwrap();
                for (i, line) in code.lines().enumerate() {
                    for h in &headers {
                        if line.contains(&format!("\"{h}\"")) {
                            found.push(format!("{}:{}: {h}", p.display(), i + 1));
                        }
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "header literals outside model::sheet: {found:#?}"
    );
}

#[test]
fn a_duplicated_number_blocks_both_rows_and_its_findings_are_listed_once() {
    let dir = temp("duplicate-number");
    let profile = Profile::isesaki();
    let mut rows = blank::example_rows(&profile);
    let (_, agreements) = rows.iter_mut().find(|(n, _)| *n == "協定").unwrap();
    let copy = agreements[0].clone();
    agreements.push(copy);
    let bytes = xlsx::write(&blank::register_book(&profile, &rows)).unwrap();
    std::fs::write(dir.join("台帳.xlsx"), bytes).unwrap();
    let o = kyotei(
        &["check", "台帳.xlsx", "--as-of", AS_OF, "--format", "json"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&o.stdout).unwrap();
    let duplicate: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["message"].as_str().unwrap().contains("重複"))
        .collect();
    assert_eq!(duplicate.len(), 1, "{findings:#?}");
    let mut seen = std::collections::HashSet::new();
    for f in &findings {
        assert!(seen.insert(f.to_string()), "listed twice: {f}");
    }
    // Neither row's documents are made: they would share one folder.
    let o = kyotei(
        &["render", "台帳.xlsx", "-o", "出力", "--as-of", AS_OF],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!dir.join("出力").join("例-001").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
