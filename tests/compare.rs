//! `kyotei compare`: a partner's returned Word file read back against what kyotei issued.
//! The returned files are made by other programs — python-docx edits (`tests/py/`), then a
//! LibreOffice round trip that rewrites every part — and pandoc reads them as a second
//! opinion.

use crate::common::{
    AS_OF, SAMPLE, audit, files, kyotei, python, root, soffice, stderr, temp, tool,
};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// A scratch folder with the sample as `台帳.xlsx` and R8-001 rendered into `出力/`.
fn rendered(name: &str) -> PathBuf {
    let dir = temp(name);
    std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
    let o = kyotei(
        &[
            "render",
            "台帳.xlsx",
            "--agreement",
            "R8-001",
            "--as-of",
            AS_OF,
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    dir
}

/// `kyotei compare … --format json`: exit status and the report.
fn compare(dir: &Path, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["compare"];
    all.extend_from_slice(args);
    all.extend(["--format", "json"]);
    let o = kyotei(&all, dir);
    let code = o.status.code().unwrap();
    let json = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&o.stdout), stderr(&o)));
    (code, json)
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

/// The differences as (kind, place, cell, old, new) for an exact comparison.
fn differences(report: &Value) -> Vec<(String, String, String, String, String)> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                s(&d["kind"]),
                s(&d["place"]),
                s(&d["cell"]),
                s(&d["old"]),
                s(&d["new"]),
            )
        })
        .collect()
}

const ARTICLE4_OLD: &str = "第4条\u{3000}甲又は乙のいずれかが本協定の解除を希望する場合は、甲乙協議の上、解除予定日の1箇月前までに書面をもって相手方に通知することにより、本協定を解除できるものとする。";
const ARTICLE4_NEW: &str = "第4条\u{3000}甲又は乙のいずれかが本協定の解除を希望する場合は、甲乙協議の上、速やかに解除予定日の1箇月前までに相手方に通知することにより、本協定を解除できるものとする。";

#[test]
fn a_returned_agreement_says_each_change_where_it_belongs_and_agreed_wording_stays() {
    let dir = rendered("compare-agreement");
    let issued = dir.join("出力/R8-001/協定書.docx");
    let returned = dir.join("返送.docx");
    python(
        "return_agreement.py",
        &[issued.as_os_str(), returned.as_os_str()],
    );
    // The same file saved again by LibreOffice, which rewrites every part (runs split by
    // script, its own rsids, its own comment and change markup).
    let lo = soffice(&dir, "docx", &dir.join("lo"), &[&returned])
        .pop()
        .unwrap();
    let before = files(&dir.join("出力"));
    for file in [&returned, &lo] {
        let f = file.to_str().unwrap();
        let (code, report) = compare(&dir, &[f, "台帳.xlsx"]);
        assert_eq!(code, 1, "{file:?}: {report:#}");
        assert_eq!(report["agreement"], "R8-001");
        assert_eq!(report["document"], "協定書");
        assert_eq!(report["edition"], 1);
        assert_eq!(report["recorded"], true, "{report:#}");
        let d = differences(&report);
        let sixth = d
            .iter()
            .find(|x| x.1 == "第6条")
            .unwrap_or_else(|| panic!("{d:#?}"));
        assert!(sixth.3.ends_with("この限りではない。") && sixth.4.ends_with("この限りでない。"));
        assert_eq!(
            d,
            vec![
                (
                    "雛形".into(),
                    "第4条".into(),
                    "".into(),
                    ARTICLE4_OLD.into(),
                    ARTICLE4_NEW.into()
                ),
                sixth.clone(),
                (
                    "台帳".into(),
                    "署名欄".into(),
                    "協定!E2".into(),
                    "赤城 一郎".into(),
                    "赤城 次郎".into()
                ),
            ],
            "{file:?}"
        );
        let changes: Vec<(String, String, String, String)> = report["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["kind"].as_str().unwrap().to_string(),
                    c["author"].as_str().unwrap().to_string(),
                    c["text"].as_str().unwrap().to_string(),
                    c["place"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(
            changes,
            vec![
                (
                    "挿入".into(),
                    "乙社".into(),
                    "速やかに".into(),
                    "第4条".into()
                ),
                (
                    "削除".into(),
                    "乙社".into(),
                    "書面をもって".into(),
                    "第4条".into()
                ),
            ],
            "{file:?}"
        );
        let comments = report["comments"].as_array().unwrap();
        assert_eq!(comments.len(), 1, "{file:?}: {comments:?}");
        assert_eq!(comments[0]["author"], "乙社");
        assert_eq!(comments[0]["anchor"], "秘密");
        assert_eq!(comments[0]["place"], "第6条");
        assert_eq!(comments[0]["text"], "「秘密」の範囲を定義してください");
    }
    // Nothing is written without -o.
    assert_eq!(files(&dir.join("出力")), before);

    // pandoc, a second reader, sees the same accepted text of 第4条 and the same name.
    let plain = tool(
        "pandoc",
        &[
            "-t",
            "plain",
            "--wrap=none",
            "--track-changes=accept",
            lo.to_str().unwrap(),
        ],
        None,
    );
    let squash = |s: &str| s.split_whitespace().collect::<String>();
    assert!(
        squash(&plain).contains(&squash(ARTICLE4_NEW.split_once('\u{3000}').unwrap().1)),
        "{plain}"
    );
    assert!(squash(&plain).contains("赤城次郎"), "{plain}");

    // With -o, the 新旧対照表 of the returned file goes into the store, valid for Word.
    let o = kyotei(
        &["compare", lo.to_str().unwrap(), "台帳.xlsx", "-o", "出力"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("協定!E2") && text.contains("【は】"),
        "{text}"
    );
    let table = dir.join("出力/R8-001/新旧対照表_協定書_返送.docx");
    let (errors, findings) = audit(&table);
    assert_eq!(errors, 0, "{findings}");
    let manifest = std::fs::read_to_string(dir.join("出力/manifest.json")).unwrap();
    assert!(
        manifest.contains("新旧対照表_協定書_返送.docx"),
        "{manifest}"
    );
    let pdf = std::fs::read(dir.join("出力/R8-001/新旧対照表_協定書_返送.pdf")).unwrap();
    let pdf = crate::common::pdf_text(&pdf, None);
    assert!(squash(&pdf).contains("この限りでない"), "{pdf}");
    // Its columns say which is which: the returned file on the left, the issued one right.
    assert!(
        squash(&pdf).contains("返ってきた文書発行した文書")
            && squash(&pdf).contains("傍線部分は発行した文書から変わった部分"),
        "{pdf}"
    );

    // Staff copy the value and the wording the report gives into the register.
    let (_, report) = compare(&dir, &[lo.to_str().unwrap(), "台帳.xlsx"]);
    let clauses: Vec<Value> = report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "雛形")
        .map(|d| serde_json::json!(["R8-001", "協定書", d["place"], d["wording"]]))
        .collect();
    assert_eq!(clauses.len(), 2);
    let spec = serde_json::json!({
        "set": [["協定", "R8-001", "代表者氏名", "赤城 次郎"]],
        "clauses": clauses,
    });
    python(
        "agree.py",
        &[
            dir.join("台帳.xlsx").as_os_str(),
            dir.join("合意後.xlsx").as_os_str(),
            os(&spec.to_string()),
        ],
    );
    // Against what the register makes now: the same text.
    let (code, report) = compare(&dir, &[lo.to_str().unwrap(), "合意後.xlsx", "--current"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["differences"], serde_json::json!([]));
    // check says each agreed wording is the register's, not the model's.
    let o = kyotei(
        &[
            "check",
            "合意後.xlsx",
            "--agreement",
            "R8-001",
            "--as-of",
            AS_OF,
        ],
        &dir,
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("協定書の第6条は雛形から変更して合意した文言です")
            && out.contains("協定書の第4条は雛形から変更して合意した文言です"),
        "{out}"
    );
    assert_eq!(o.status.code(), Some(0), "{out}");
    // The next render prints the agreed wording: a second edition, not a silent revert.
    let o = kyotei(
        &[
            "render",
            "合意後.xlsx",
            "--agreement",
            "R8-001",
            "--as-of",
            AS_OF,
            "--format",
            "pdf",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let pdf = std::fs::read(dir.join("出力/R8-001/協定書.pdf")).unwrap();
    let pdf = squash(&crate::common::pdf_text(&pdf, None));
    assert!(
        pdf.contains("この限りでない") && pdf.contains("速やかに解除予定日"),
        "{pdf}"
    );
    assert!(pdf.contains("赤城次郎"), "{pdf}");
}

#[test]
fn a_changed_division_in_a_merged_group_belongs_to_its_cell() {
    let dir = rendered("compare-memo");
    let issued = dir.join("出力/R8-001/申し合わせ事項.docx");
    let returned = dir.join("申し合わせ_返送.docx");
    python(
        "return_memorandum.py",
        &[
            issued.as_os_str(),
            returned.as_os_str(),
            os("建設部道路管理課"),
            os("建設部道路維持課"),
        ],
    );
    let lo = soffice(&dir, "docx", &dir.join("lo"), &[&returned])
        .pop()
        .unwrap();
    for file in [&returned, &lo] {
        let (code, report) = compare(&dir, &[file.to_str().unwrap(), "台帳.xlsx"]);
        assert_eq!(code, 1, "{report:#}");
        assert_eq!(
            differences(&report),
            vec![(
                "台帳".into(),
                "1.の表".into(),
                "申し合わせ!D5".into(),
                "建設部道路管理課".into(),
                "建設部道路維持課".into()
            )],
            "{file:?}"
        );
    }
}

#[test]
fn every_document_kyotei_issues_reads_back_the_same() {
    let dir = rendered("compare-same");
    let out = dir.join("出力/R8-001");
    let mut seen = 0;
    for e in std::fs::read_dir(&out).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "docx") {
            let (code, report) = compare(&dir, &[p.to_str().unwrap(), "台帳.xlsx"]);
            assert_eq!(code, 0, "{p:?}: {report:#}");
            assert_eq!(report["identified"], true);
            seen += 1;
        }
    }
    assert!(seen >= 6, "{seen}");
    // A draft (its title says （案）, its edition not yet made final) reads the same too.
    let o = kyotei(
        &[
            "render",
            "台帳.xlsx",
            "--agreement",
            "R8-001",
            "--as-of",
            AS_OF,
            "--draft",
            "-o",
            "案",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let draft = files(&dir.join("案"))
        .into_keys()
        .find(|k| k.ends_with("協定書.docx"))
        .unwrap();
    let (code, report) = compare(
        &dir,
        &[
            dir.join("案").join(&draft).to_str().unwrap(),
            "台帳.xlsx",
            "-o",
            "案",
        ],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["draft"], true);
    assert_eq!(report["recorded"], false, "{report:#}");
}

/// Replaces entries of a zip (by name) and drops those mapped to `None`.
fn rezip(bytes: &[u8], edit: impl Fn(&str, &[u8]) -> Option<Option<Vec<u8>>>) -> Vec<u8> {
    use std::io::{Cursor, Read, Write};
    let mut src = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        let data = match edit(&name, &data) {
            Some(Some(new)) => new,
            Some(None) => continue,
            None => data,
        };
        out.start_file(name.as_str(), opts).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[test]
fn bad_returned_files_are_refused_with_a_reason_and_nothing_is_written() {
    let dir = rendered("compare-bad");
    let docx = std::fs::read(dir.join("出力/R8-001/協定書.docx")).unwrap();
    let replace = |from: &str, to: &str| {
        let (from, to) = (from.to_string(), to.to_string());
        move |_: &str, data: &[u8]| {
            let s = String::from_utf8_lossy(data);
            s.contains(from.as_str())
                .then(|| Some(s.replace(from.as_str(), to.as_str()).into_bytes()))
        }
    };
    let mut zeros = Vec::new();
    {
        use std::io::Write;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zeros));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("[Content_Types].xml", opts).unwrap();
        let block = vec![b' '; 1 << 20];
        for _ in 0..210 {
            w.write_all(&block).unwrap();
        }
        w.finish().unwrap();
    }
    let cases: Vec<(&str, Vec<u8>, Vec<&str>, &str)> = vec![
        (
            "古い.doc",
            [
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
                &[0u8; 600][..],
            ]
            .concat(),
            vec![],
            "古い Word 形式（.doc）か、パスワードで保護",
        ),
        (
            "文字.docx",
            "これは文書ではありません".as_bytes().to_vec(),
            vec![],
            "zip 形式ではありません",
        ),
        ("爆弾.docx", zeros, vec![], "展開後のサイズが上限"),
        (
            "マクロ.docm",
            rezip(
                &docx,
                replace(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                    "application/vnd.ms-word.document.macroEnabled.main+xml",
                ),
            ),
            vec![],
            "マクロ付き",
        ),
        (
            "情報なし.docx",
            rezip(&docx, |name, data| {
                if name == "docProps/custom.xml" {
                    return Some(None);
                }
                let s = String::from_utf8_lossy(data);
                s.contains("dc:identifier").then(|| {
                    let a = s.find("<dc:identifier>").unwrap();
                    let b = s.find("</dc:identifier>").unwrap() + "</dc:identifier>".len();
                    Some(format!("{}{}", &s[..a], &s[b..]).into_bytes())
                })
            }),
            vec![],
            "--agreement 協定番号 --kind 協定書",
        ),
        (
            "他の協定.docx",
            docx.clone(),
            vec!["--agreement", "R2-005"],
            "--agreement R2-005 の文書ではありません",
        ),
        (
            "他の書類.docx",
            docx.clone(),
            vec!["--kind", "申し合わせ事項"],
            "--kind 申し合わせ事項 の文書ではありません",
        ),
        (
            "第5版.docx",
            rezip(
                &docx,
                replace(
                    r#"name="kyotei.edition"><vt:lpwstr>1<"#,
                    r#"name="kyotei.edition"><vt:lpwstr>5<"#,
                ),
            ),
            vec![],
            "第5版の記録が",
        ),
    ];
    let before = files(&dir.join("出力"));
    for (name, bytes, extra, says) in cases {
        std::fs::write(dir.join(name), &bytes).unwrap();
        let mut args = vec!["compare", name, "台帳.xlsx", "-o", "出力"];
        args.extend(extra);
        let o = kyotei(&args, &dir);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(says), "{name}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{name}");
        assert_eq!(files(&dir.join("出力")), before, "{name} wrote something");
    }
    // Without kyotei's properties, the options say what it is.
    let o = kyotei(
        &[
            "compare",
            "情報なし.docx",
            "台帳.xlsx",
            "--agreement",
            "R8-001",
            "--kind",
            "協定書",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("指定された協定番号と書類として読みました")
    );
}

#[test]
fn the_page_compares_an_uploaded_file_and_stores_nothing() {
    use crate::common::serve::Served;
    let dir = rendered("compare-page");
    let returned = dir.join("返送.docx");
    python(
        "return_agreement.py",
        &[
            dir.join("出力/R8-001/協定書.docx").as_os_str(),
            returned.as_os_str(),
        ],
    );
    let bytes = std::fs::read(&returned).unwrap();
    let other = std::fs::read(dir.join("出力/R8-001/申出書.docx")).unwrap();
    let s = Served::start(&dir, &[]);
    let page = s.get("/agreements/R8-001");
    let page = crate::common::serve::unescape(&page.text());
    assert!(
        page.contains("action=\"/agreements/R8-001/compare\""),
        "{page}"
    );
    let before = files(&dir);
    let r = s.post_file(
        "/agreements/R8-001/compare",
        "returned",
        "<b>返送</b>.docx",
        &bytes,
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let html = crate::common::serve::unescape(&r.text());
    for want in [
        "value=\"協定!E2\"",
        "value=\"赤城 次郎\"",
        "<mark>速やかに</mark>",
        "<del>書面をもって</del>",
        "この限りでない。</textarea>",
        "乙社",
        "「秘密」の範囲を定義してください",
        "第1版の記録",
    ] {
        assert!(html.contains(want), "{want}: {html}");
    }
    // The file's name is data: escaped, never markup.
    assert!(
        !r.text().contains("<b>") && r.text().contains("返送"),
        "{html}"
    );
    // Another document of the same agreement reads the same; a file of no agreement's
    // documents is refused in Japanese.
    let same = s.post_file(
        "/agreements/R8-001/compare",
        "returned",
        "申出書.docx",
        &other,
    );
    assert!(same.text().contains("本文は同じです"), "{}", same.text());
    let bad = s.post_file(
        "/agreements/R8-001/compare",
        "returned",
        "x.docx",
        b"PK not a zip",
    );
    assert_eq!(bad.status, 422, "{}", bad.text());
    assert!(bad.text().contains("壊れているか"), "{}", bad.text());
    let wrong = s.post_file(
        "/agreements/R2-005/compare",
        "returned",
        "返送.docx",
        &bytes,
    );
    assert_eq!(wrong.status, 422);
    assert!(
        wrong
            .text()
            .contains("--agreement R2-005 の文書ではありません")
            || wrong.text().contains("R2-005 の文書ではありません"),
        "{}",
        wrong.text()
    );
    assert_eq!(files(&dir), before, "the page stored something");
}

#[test]
fn agreed_wording_is_checked_against_the_places_the_documents_have() {
    let dir = temp("compare-clauses");
    std::fs::copy(root().join(SAMPLE), dir.join("台帳.xlsx")).unwrap();
    let spec = serde_json::json!({"clauses": [
        ["R8-001", "申し合わせ事項", "3.第2段落", "本申し合わせ事項以外の連携事業は、その都度協議する。"],
        ["R8-001", "協定書", "第12条", "ない条"],
        ["R8-001", "協定書", "第2条の見出し", "見出しは変えられない"],
        ["R9-999", "協定書", "第1条", "ない協定"],
    ]});
    python(
        "agree.py",
        &[
            dir.join("台帳.xlsx").as_os_str(),
            dir.join("条文.xlsx").as_os_str(),
            os(&spec.to_string()),
        ],
    );
    let o = kyotei(
        &["check", "条文.xlsx", "--as-of", AS_OF, "--format", "json"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    let findings: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    let at = |cell: &str| -> Vec<(String, String)> {
        findings
            .iter()
            .filter(|f| f["cell"] == cell)
            .map(|f| {
                (
                    f["severity"].as_str().unwrap().to_string(),
                    f["message"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        at("条文!D2"),
        vec![(
            "info".into(),
            "申し合わせ事項の3.第2段落は雛形から変更して合意した文言です".into()
        )]
    );
    assert_eq!(at("条文!C3")[0].0, "error", "{findings:#?}");
    assert!(at("条文!C3")[0].1.contains("「第12条」はありません"));
    assert_eq!(at("条文!C4")[0].0, "error");
    assert!(
        findings
            .iter()
            .any(|f| f["severity"] == "error" && f["cell"] == "条文!A5"),
        "the row of no agreement: {findings:#?}"
    );
    let rule: Vec<&Value> = findings.iter().filter(|f| f["rule"] == "雛形").collect();
    assert_eq!(rule.len(), 3, "{rule:#?}");
    // With the templates render uses: a memorandum template without a second paragraph in
    // section 3 makes that row an error too.
    let custom = dir.join("テンプレート");
    std::fs::create_dir_all(&custom).unwrap();
    let memo = std::fs::read_to_string(root().join("templates/memorandum.j2")).unwrap();
    let short: String = memo
        .lines()
        .filter(|l| !l.contains("また、本申し合わせ事項以外の連携事業"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(short, memo);
    std::fs::write(custom.join("memorandum.j2"), short).unwrap();
    let o = kyotei(
        &[
            "check",
            "条文.xlsx",
            "--as-of",
            AS_OF,
            "--format",
            "json",
            "--templates",
            "テンプレート",
        ],
        &dir,
    );
    let findings: Vec<Value> = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["cell"] == "条文!C2" && f["severity"] == "error"),
        "{findings:#?}"
    );
    // render refuses what check reports: R8-001's final is not made; its draft prints the
    // agreed wording of the memorandum.
    let o = kyotei(
        &[
            "render",
            "条文.xlsx",
            "--agreement",
            "R8-001",
            "--as-of",
            AS_OF,
            "--format",
            "pdf",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(!dir.join("出力/R8-001/申し合わせ事項.pdf").exists());
    let o = kyotei(
        &[
            "render",
            "条文.xlsx",
            "--agreement",
            "R8-001",
            "--as-of",
            AS_OF,
            "--format",
            "pdf",
            "--draft",
        ],
        &dir,
    );
    // A draft is made in spite of the errors.
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let memo = files(&dir.join("出力"))
        .into_iter()
        .find(|(k, _)| k.ends_with("申し合わせ事項.pdf"))
        .unwrap_or_else(|| panic!("no draft memorandum: {}", stderr(&o)));
    let text: String = crate::common::pdf_text(&memo.1, None)
        .split_whitespace()
        .collect();
    assert!(
        text.contains("本申し合わせ事項以外の連携事業は、その都度協議する。"),
        "{text}"
    );
    assert!(!text.contains("別途、甲と乙において協議し"), "{text}");
}
