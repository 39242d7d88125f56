//! Word and Excel validity, checked by an outside tool: every kind of DOCX kyotei writes
//! (申出書, 連携事業提案書, 協定書, 申し合わせ事項, 実績報告書, 新旧対照表; final and draft) and the
//! `init` and `report` workbooks get 0 findings from `openxml-audit -m 0` (the Open XML
//! SDK's schema and semantic rules; `.ci/run` installs it).

use crate::common::{AS_OF, SAMPLE, audit, files, kyotei, root, stderr, temp};
use std::path::Path;
use std::process::Command;

#[test]
fn every_docx_and_xlsx_passes_the_office_open_xml_validator() {
    let dir = temp("ooxml");
    std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
    let run = |args: &[&str]| {
        let o = kyotei(args, &dir);
        assert!(o.status.code() == Some(0), "{args:?}: {}", stderr(&o));
    };
    run(&[
        "render",
        "台帳.xlsx",
        "-o",
        "案",
        "--draft",
        "--as-of",
        AS_OF,
        "-q",
    ]);
    // A final render, then a changed memorandum: a second edition with its 新旧対照表.
    run(&["init", "例.xlsx"]);
    run(&["render", "例.xlsx", "-o", "確定", "--as-of", AS_OF, "-q"]);
    let changed = crate::common::reader_fixtures::rewrite_zip(
        &std::fs::read(dir.join("例.xlsx")).unwrap(),
        |name, data| {
            if name == "xl/sharedStrings.xml" {
                let s = String::from_utf8(data.to_vec()).unwrap();
                assert!(
                    s.contains("高齢政策課"),
                    "the example memorandum names 高齢政策課"
                );
                Some(s.replace("高齢政策課", "介護保険課").into_bytes())
            } else {
                None
            }
        },
    );
    std::fs::write(dir.join("例2.xlsx"), changed).unwrap();
    run(&["render", "例2.xlsx", "-o", "確定", "--as-of", AS_OF, "-q"]);
    run(&[
        "report",
        "台帳.xlsx",
        "--fiscal-year",
        "2026",
        "-o",
        "年次報告.xlsx",
    ]);

    let all = files(&dir);
    let mut checked = Vec::new();
    for rel in all
        .keys()
        .filter(|k| k.ends_with(".docx") || k.ends_with(".xlsx"))
    {
        if rel.starts_with("台帳") || rel.starts_with("例2") {
            continue; // inputs: the sample was not written by kyotei
        }
        let (n, text) = audit(&dir.join(rel));
        assert_eq!(n, 0, "{rel}: {text}");
        checked.push(rel.clone());
    }
    // Every kind was there to check.
    for kind in [
        "案/R8-001/案/申出書.docx",
        "案/R8-001/案/連携事業提案書.docx",
        "案/R8-001/案/協定書.docx",
        "案/R8-001/案/申し合わせ事項.docx",
        "案/R8-001/案/実績報告書_1.docx",
        "確定/例-001/協定書.docx",
        "確定/例-001/申し合わせ事項.docx",
        "確定/例-001/新旧対照表_申し合わせ事項_第2版.docx",
        "例.xlsx",
        "年次報告.xlsx",
    ] {
        assert!(
            checked.iter().any(|c| c == kind),
            "{kind} not checked: {checked:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The text of a PDF (pdftotext), footer page numbers (`- n -`) left out, whitespace removed,
/// as a sorted list of characters: LibreOffice and typst put a cell spanning rows at
/// different places of the content stream, but every character must be there.
fn pdf_chars(pdf: &Path) -> Vec<char> {
    let o = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    let text = String::from_utf8_lossy(&o.stdout);
    let mut chars: Vec<char> = text
        .lines()
        .filter(|l| {
            // A footer `- 2 -`, however the renderer spaces it.
            let t: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            !(t.starts_with('-')
                && t.ends_with('-')
                && t.len() > 2
                && t[1..t.len() - 1].chars().all(|c| c.is_ascii_digit()))
        })
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    chars.sort_unstable();
    chars
}

#[test]
fn libreoffice_reads_every_docx_as_the_same_text_as_the_pdf() {
    let dir = temp("libreoffice");
    std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
    let o = kyotei(
        &[
            "render",
            "台帳.xlsx",
            "--agreement",
            "R8-001",
            "--draft",
            "--as-of",
            AS_OF,
            "-q",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.join("出力/R8-001/案");
    let docx: Vec<std::path::PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "docx"))
        .collect();
    assert!(docx.len() >= 5, "{docx:?}");
    let lo = dir.join("lo");
    let o = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            dir.join("profile").display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&lo)
        .args(&docx)
        .output()
        .expect("LibreOffice (soffice) is installed (bash .ci/run installs it)");
    assert!(o.status.success(), "{}", stderr(&o));
    for d in &docx {
        let name = d.file_stem().unwrap().to_string_lossy().into_owned();
        let theirs = pdf_chars(&lo.join(format!("{name}.pdf")));
        let ours = pdf_chars(&out.join(format!("{name}.pdf")));
        assert!(!ours.is_empty(), "{name}");
        // Word processors choose their own page breaks, and a table's header row repeats on
        // each page it continues on: the two may differ by repeated header rows, nothing else.
        let (lacking, extra) = (
            multiset_minus(&ours, &theirs),
            multiset_minus(&theirs, &ours),
        );
        let sorted = |s: &str| {
            let mut v: Vec<char> = s.chars().collect();
            v.sort_unstable();
            v
        };
        // So the difference may only be text printed again: every character one side has
        // more of, the other side has too, and no more than a quarter of the document.
        let repeated = |more: &str, other: &[char]| {
            multiset_minus(&sorted(more), other).is_empty()
                && more.chars().count() * 4 <= ours.len()
        };
        assert!(
            repeated(&extra, &ours) && repeated(&lacking, &theirs),
            "{name}: LibreOffice's text of the DOCX differs from kyotei's PDF: lacks {lacking:?}, adds {extra:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The characters of sorted `a` that sorted `b` does not have (counted with multiplicity).
fn multiset_minus(a: &[char], b: &[char]) -> String {
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() {
        if j < b.len() && b[j] < a[i] {
            j += 1;
        } else if j < b.len() && b[j] == a[i] {
            i += 1;
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out
}

/// The custom properties of a DOCX (name → value) and its `dc:identifier`.
fn identity(docx: &Path) -> (std::collections::BTreeMap<String, String>, String) {
    use std::io::Read;
    let bytes = std::fs::read(docx).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut part = |name: &str| {
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    };
    let custom = part("docProps/custom.xml");
    let core = part("docProps/core.xml");
    let mut props = std::collections::BTreeMap::new();
    for p in custom.split("<property ").skip(1) {
        let name = p
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let value = p
            .split("<vt:lpwstr>")
            .nth(1)
            .unwrap()
            .split("</vt:lpwstr>")
            .next()
            .unwrap();
        props.insert(name.to_string(), value.to_string());
    }
    let id = core
        .split("<dc:identifier>")
        .nth(1)
        .map(|s| s.split("</dc:identifier>").next().unwrap().to_string())
        .unwrap_or_default();
    (props, id)
}

#[test]
fn every_docx_says_what_it_is_and_libreoffice_keeps_it() {
    let dir = temp("ooxml-identity");
    std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
    let o = kyotei(
        &["render", "台帳.xlsx", "-o", "出力", "--as-of", AS_OF],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = kyotei(
        &[
            "render",
            "台帳.xlsx",
            "-o",
            "出力",
            "--as-of",
            AS_OF,
            "--draft",
            "--agreement",
            "R8-002",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = dir.join("出力");
    let cases = [
        ("R8-001/協定書.docx", "R8-001", "協定書", Some("1"), "false"),
        ("R8-001/申出書.docx", "R8-001", "申出書", None, "false"),
        (
            "R2-005/申し合わせ事項.docx",
            "R2-005",
            "申し合わせ事項",
            Some("1"),
            "false",
        ),
        (
            "R8-002/案/協定書.docx",
            "R8-002",
            "協定書",
            Some("1"),
            "true",
        ),
    ];
    let lo = dir.join("lo");
    for (rel, agreement, kind, edition, draft) in cases {
        let file = out.join(rel);
        let (props, id) = identity(&file);
        assert_eq!(props["kyotei.agreement"], agreement, "{rel}");
        assert_eq!(props["kyotei.kind"], kind, "{rel}");
        assert_eq!(props["kyotei.draft"], draft, "{rel}");
        assert_eq!(
            props.get("kyotei.edition").map(String::as_str),
            edition,
            "{rel}"
        );
        let sha = &props["kyotei.ir-sha256"];
        assert!(
            sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "{rel}"
        );
        assert!(
            id.contains(&format!("協定番号={agreement}")) && id.contains(sha.as_str()),
            "{id}"
        );
        // Saved by LibreOffice (which rewrites every part), the file still says the same.
        let target = lo.join(rel.replace('/', "_").trim_end_matches(".docx"));
        std::fs::create_dir_all(&target).unwrap();
        let s = Command::new("soffice")
            .args(["--headless", "--convert-to", "docx", "--outdir"])
            .arg(&target)
            .arg(&file)
            .output()
            .expect("LibreOffice (soffice) is installed (bash .ci/run installs it)");
        assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
        let saved = std::fs::read_dir(&target)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let (again, id_again) = identity(&saved);
        assert_eq!(again, props, "{rel} after LibreOffice");
        assert_eq!(id_again, id, "{rel} after LibreOffice");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
