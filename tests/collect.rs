//! `kyotei forms` and `kyotei collect`: forms issued for the sample, filled the way a
//! department would (openpyxl, and once through LibreOffice), collected into a new register
//! that holds the answers and is otherwise unchanged (openpyxl compares every cell,
//! validation, note, width and sheet state); each conflict; openxml-audit on the forms and
//! the result; LibreOffice recomputing a formula of the result.

use crate::common::{AS_OF, SAMPLE, kyotei, root, stderr, temp, tool};
use std::path::{Path, PathBuf};

const SURVEY: &str = "連携事業調査_産業部商工労働課.xlsx";
const RESULTS: &str = "実績報告_教育部学校教育課.xlsx";

/// Runs a python script (openpyxl) with arguments; its standard output.
fn py(script: &str, args: &[&str]) -> String {
    let mut a = vec!["-c", script];
    a.extend(args);
    tool("python3", &a, None)
}

/// Issues the forms of `register` into `dir/out`.
fn issue(register: &Path, dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let o = kyotei(
        &[
            "forms",
            register.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    out
}

/// Sets cells of a form's first sheet (`A1`-style, value) with openpyxl, saved to `to`.
/// Values starting with `date:` are dates, `int:` whole numbers.
fn fill(form: &Path, to: &Path, cells: &[(&str, &str)]) {
    let mut args = vec![form.to_str().unwrap(), to.to_str().unwrap()];
    for (c, v) in cells {
        args.push(c);
        args.push(v);
    }
    py(
        r#"
import sys, datetime, openpyxl
wb = openpyxl.load_workbook(sys.argv[1]); ws = wb.worksheets[0]
a = sys.argv[3:]
for c, v in zip(a[::2], a[1::2]):
    if v.startswith('date:'): v = datetime.datetime.fromisoformat(v[5:])
    elif v.startswith('int:'): v = int(v[4:])
    ws[c] = v
wb.save(sys.argv[2])
"#,
        &args,
    );
}

fn collect(dir: &Path, register: &Path, replies: &[&Path], out: &str) -> std::process::Output {
    let mut args = vec!["collect", register.to_str().unwrap()];
    args.extend(replies.iter().map(|p| p.to_str().unwrap()));
    args.extend(["-o", out, "--as-of", AS_OF]);
    kyotei(&args, dir)
}

/// Everything openpyxl sees of a workbook, except the cells named (`sheet!A1`), as text:
/// sheets and their state, every cell value and style, data validations, notes, column widths,
/// merged cells.
const SNAPSHOT: &str = r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
skip = set(sys.argv[2:])
out = []
for ws in wb.worksheets:
    out.append(('sheet', ws.title, ws.sheet_state))
    for row in ws.iter_rows():
        for c in row:
            if f'{ws.title}!{c.coordinate}' in skip: continue
            if c.value is None and not c.has_style: continue
            out.append((ws.title, c.coordinate, repr(c.value), c.number_format, c.font.b, c.fill.fgColor.rgb, c.border.left.style, c.protection.locked, c.alignment.wrap_text))
            if c.comment: out.append(('note', ws.title, c.coordinate, c.comment.text))
    for dv in ws.data_validations.dataValidation:
        out.append(('dv', ws.title, str(dv.sqref), dv.type, dv.formula1, dv.errorStyle))
    for k, d in sorted(ws.column_dimensions.items()):
        out.append(('width', ws.title, k, d.width, d.hidden))
    out.append(('merged', ws.title, sorted(str(m) for m in ws.merged_cells.ranges)))
    out.append(('filter', ws.title, ws.auto_filter.ref))
    for n, d in sorted(ws.defined_names.items()):
        out.append(('name', ws.title, n, d.attr_text))
    for t in ws.tables.values():
        out.append(('table', ws.title, t.name, t.ref))
for n in sorted(wb.defined_names):
    out.append(('name', n, wb.defined_names[n].attr_text))
print('\n'.join(map(repr, out)))
"#;

/// The cells of a sheet's row as text: `['R8-001', '4', …]`.
fn row(path: &Path, sheet: &str, r: u32) -> String {
    py(
        "import sys, openpyxl\nws = openpyxl.load_workbook(sys.argv[1])[sys.argv[2]]\nprint([c.value for c in ws[int(sys.argv[3])]])",
        &[path.to_str().unwrap(), sheet, &r.to_string()],
    )
}

/// openxml-audit (every finding counted, as `ooxml` runs it) finds nothing.
fn audit(path: &Path) {
    let (n, findings) = crate::common::audit(path);
    assert_eq!(n, 0, "{}: {findings}", path.display());
}

/// openxml-audit's error count (every finding counted, as `ooxml` runs it).
fn audit_count(path: &Path) -> u64 {
    crate::common::audit(path).0
}

/// The fills of the department's replies used by most tests: a changed 評価 and コメント on
/// the survey, one result.
fn filled(out: &Path, dir: &Path) -> (PathBuf, PathBuf) {
    let survey = dir.join("survey.xlsx");
    fill(
        &out.join(SURVEY),
        &survey,
        &[
            ("F2", "△"),
            ("G2", "内容を調整すれば\n実施できる。_x0041_ <&>"),
        ],
    );
    let results = dir.join("results.xlsx");
    fill(
        &out.join(RESULTS),
        &results,
        &[
            ("A3", "R8-001"),
            ("B3", "学校教育・生涯学習に関すること。"),
            ("C3", "出前授業 第2回"),
            ("D3", "date:2026-11-20"),
            ("E3", "date:2026-11-20"),
            ("F3", "市立北小学校"),
            ("G3", "4年生に出前授業を行った。"),
            ("H3", "int:40"),
            ("I3", "好評だった。"),
            ("M3", "山田"),
            ("N3", "date:2026-11-24"),
            ("O3", "int:0"),
        ],
    );
    (survey, results)
}

#[test]
fn forms_are_issued_per_department_the_same_each_time_and_pass_the_schema_check() {
    let dir = temp("forms-issued");
    let sample = root().join(SAMPLE);
    let out = issue(&sample, &dir);
    let first = crate::common::files(&out);
    for name in [
        SURVEY,
        RESULTS,
        "連携事業調査_福祉こども部こども支援課.xlsx",
    ] {
        assert!(first.contains_key(name), "{name}: {:?}", first.keys());
    }
    // R8-002 is not signed: its proposals are surveyed; R8-001 is in force: results.
    let s = py(
        r#"
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['調査']
print([c.value for c in ws[1]])
print(ws['A2'].value, ws['B2'].value, ws['E2'].value, ws['F2'].value)
print(ws.protection.sheet, ws['A2'].protection.locked, ws['F2'].protection.locked, ws['G2'].protection.locked)
print([(str(d.sqref), d.formula1) for d in ws.data_validations.dataValidation])
print(wb['発行記録'].sheet_state, wb['発行記録'].protection.sheet)
"#,
        &[out.join(SURVEY).to_str().unwrap()],
    );
    assert!(
        s.contains("['協定番号', '番号', '企業等名', '連携事項', '事業内容', '評価', 'コメント', '担当部', '担当課', '担当者連絡先']"),
        "{s}"
    );
    assert!(s.contains("R8-002 4 自社の新商品の販売会"), "{s}");
    assert!(
        s.contains("True True False False"),
        "locked and open cells: {s}"
    );
    assert!(s.contains("'\"○,×,△\"'"), "評価 dropdown: {s}");
    assert!(
        s.contains("hidden True"),
        "provenance hidden and protected: {s}"
    );
    let r = py(
        r#"
import sys, openpyxl
ws = openpyxl.load_workbook(sys.argv[1])['実績報告']
print([c.value for c in ws[1]])
print(ws['A2'].value)
print(sorted((str(d.sqref), d.type, d.formula1) for d in ws.data_validations.dataValidation))
print(ws['D2'].number_format)
"#,
        &[out.join(RESULTS).to_str().unwrap()],
    );
    assert!(!r.contains("報告番号"), "{r}");
    assert!(r.contains("記入例"), "{r}");
    assert!(r.contains("('A2:A300', 'list', '\"R8-001\"')"), "{r}");
    assert!(
        r.contains("('H2:H300', 'whole'"),
        "参加者数 whole numbers: {r}"
    );
    assert!(
        r.contains("('O2:O300', 'whole'"),
        "市の費用負担額 whole numbers: {r}"
    );
    assert!(r.contains("('D2:D300', 'date'"), "{r}");
    assert!(r.contains("ggge"), "和暦 date format: {r}");
    // The same register and date: the same bytes.
    let again = temp("forms-issued-again");
    let out2 = issue(&sample, &again);
    assert_eq!(first, crate::common::files(&out2));
    for name in [SURVEY, RESULTS] {
        audit(&out.join(name));
    }
}

#[test]
fn collect_applies_answers_to_a_copy_of_the_sample_and_changes_nothing_else() {
    let dir = temp("collect-sample");
    let sample = root().join(SAMPLE);
    let out = issue(&sample, &dir);
    let (survey, results) = filled(&out, &dir);
    let o = collect(&dir, &sample, &[&survey, &results], "new.xlsx");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "check finds R8-002's errors: {text}{}",
        stderr(&o)
    );
    assert!(
        text.contains("連携事業!E13 ← 調査!F2（survey.xlsx）: 「×」→「△」"),
        "{text}"
    );
    assert!(
        text.contains("連携事業!F13 ← 調査!G2（survey.xlsx）"),
        "{text}"
    );
    assert!(
        text.contains("実績 の7行目 ← 実績報告!A3（results.xlsx）: 協定 R8-001 の報告番号 4"),
        "{text}"
    );
    assert!(text.contains("適用後の台帳の確認"), "{text}");
    let new = dir.join("new.xlsx");
    let projects = row(&new, "連携事業", 13);
    assert!(
        projects.contains("'△'") && projects.contains("内容を調整すれば\\n実施できる。A <&>"),
        "{projects}"
    );
    let report = row(&new, "実績", 7);
    assert!(
        report.contains("['R8-001', '4', '学校教育・生涯学習に関すること。', '出前授業 第2回', datetime.datetime(2026, 11, 20, 0, 0)"),
        "{report}"
    );
    assert!(
        report.contains("'教育部', '学校教育課', '山田'"),
        "department filled in: {report}"
    );
    // Everything else as it was: cells (row 7 of 実績 is new), validations, notes, widths.
    let applied = ["連携事業!E13", "連携事業!F13"];
    let mut skip: Vec<String> = applied.iter().map(|s| s.to_string()).collect();
    skip.extend((b'A'..=b'P').map(|c| format!("実績!{}7", c as char)));
    let mut args = vec![sample.to_str().unwrap()];
    args.extend(skip.iter().map(String::as_str));
    let before = py(SNAPSHOT, &args);
    let mut args = vec![new.to_str().unwrap()];
    args.extend(skip.iter().map(String::as_str));
    let after = py(SNAPSHOT, &args);
    let (b, a): (Vec<&str>, Vec<&str>) = (before.lines().collect(), after.lines().collect());
    let differ: Vec<(&&str, &&str)> = b.iter().zip(&a).filter(|(x, y)| x != y).collect();
    // The sheet's autofilter and its defined name grew by the appended row; nothing else.
    assert_eq!(b.len(), a.len());
    assert_eq!(differ.len(), 1, "{differ:#?}");
    assert!(differ[0].1.contains("A1:P7"), "{differ:#?}");
    // The filter's defined name (which openpyxl does not show) grew too.
    let names = py(
        "import sys, zipfile\nprint(zipfile.ZipFile(sys.argv[1]).read('xl/workbook.xml').decode())",
        &[new.to_str().unwrap()],
    );
    assert!(names.contains(">実績!$A$1:$P$7<"), "{names}");
    assert!(
        differ.iter().all(|(x, _)| x.contains("実績")),
        "{differ:#?}"
    );
    // The new register reads, checks and passes the schema check; the register is untouched.
    let c = kyotei(&["check", "new.xlsx", "--as-of", AS_OF], &dir);
    assert_ne!(c.status.code(), Some(2), "{}", stderr(&c));
    audit(&new);
    // Never over an existing file.
    let again = collect(&dir, &sample, &[&survey], "new.xlsx");
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("既に存在します"),
        "{}",
        stderr(&again)
    );
    // Collected again into the new register: already there, nothing applied.
    let twice = collect(&dir, &new, &[&survey, &results], "newer.xlsx");
    let t = String::from_utf8_lossy(&twice.stdout);
    assert!(t.contains("適用する回答がない"), "{t}{}", stderr(&twice));
    assert!(stderr(&twice).contains("既に"), "{}", stderr(&twice));
    assert!(!dir.join("newer.xlsx").exists());
}

#[test]
fn the_same_reply_twice_applies_once_and_a_dry_run_writes_nothing() {
    let dir = temp("collect-twice");
    let sample = root().join(SAMPLE);
    let out = issue(&sample, &dir);
    let (survey, results) = filled(&out, &dir);
    let copy = dir.join("copy.xlsx");
    std::fs::copy(&results, &copy).unwrap();
    let o = kyotei(
        &[
            "collect",
            sample.to_str().unwrap(),
            survey.to_str().unwrap(),
            results.to_str().unwrap(),
            copy.to_str().unwrap(),
            "-o",
            "new.xlsx",
            "--dry-run",
            "--as-of",
            AS_OF,
        ],
        &dir,
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(text.matches("の報告番号 4").count(), 1, "{text}");
    assert!(stderr(&o).contains("同じ内容です"), "{}", stderr(&o));
    assert!(text.contains("--dry-run"), "{text}");
    assert!(!dir.join("new.xlsx").exists());
}

#[test]
fn a_reply_saved_by_libreoffice_is_collected() {
    let dir = temp("collect-libreoffice");
    let sample = root().join(SAMPLE);
    let out = issue(&sample, &dir);
    let (survey, _) = filled(&out, &dir);
    let lo = dir.join("lo");
    std::fs::create_dir_all(&lo).unwrap();
    tool(
        "soffice",
        &[
            "--headless",
            &format!("-env:UserInstallation=file://{}/profile", dir.display()),
            "--convert-to",
            "xlsx",
            "--outdir",
            lo.to_str().unwrap(),
            survey.to_str().unwrap(),
        ],
        None,
    );
    let o = collect(&dir, &sample, &[&lo.join("survey.xlsx")], "new.xlsx");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("連携事業!E13 ← 調査!F2（survey.xlsx）: 「×」→「△」"),
        "{text}{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("競合"), "{}", stderr(&o));
    assert!(row(&dir.join("new.xlsx"), "連携事業", 13).contains("'△'"));
}

/// The sample after openpyxl changed it: `script` runs with `wb` loaded; saved to `to`.
fn edited(to: &Path, script: &str) -> PathBuf {
    let full = format!(
        "import sys, datetime, openpyxl\nwb = openpyxl.load_workbook(sys.argv[1])\n{script}\nwb.save(sys.argv[2])\n"
    );
    py(
        &full,
        &[root().join(SAMPLE).to_str().unwrap(), to.to_str().unwrap()],
    );
    to.to_path_buf()
}

#[test]
fn a_register_cell_changed_since_the_form_was_issued_is_a_conflict() {
    let dir = temp("collect-changed");
    let out = issue(&root().join(SAMPLE), &dir);
    let (survey, _) = filled(&out, &dir);
    // Someone set 評価 of that row in the register meanwhile.
    let reg = edited(&dir.join("reg.xlsx"), "wb['連携事業']['E13'] = '○'");
    let o = collect(&dir, &reg, &[&survey], "new.xlsx");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("競合（適用しません）: 調査!F2（survey.xlsx） の「評価」は「△」ですが、台帳の 連携事業 の13行目の「評価」は様式の発行後に「×」から「○」に変わっています"),
        "{err}"
    );
    // The コメント of the same row had not changed: it is applied.
    assert!(String::from_utf8_lossy(&o.stdout).contains("連携事業!F13"));
}

#[test]
fn two_replies_with_different_answers_for_one_row_are_a_conflict() {
    let dir = temp("collect-two");
    let sample = root().join(SAMPLE);
    let out = issue(&sample, &dir);
    let a = dir.join("a.xlsx");
    let b = dir.join("b.xlsx");
    fill(&out.join(SURVEY), &a, &[("F2", "△")]);
    fill(&out.join(SURVEY), &b, &[("F2", "○")]);
    let o = collect(&dir, &sample, &[&a, &b], "new.xlsx");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("連携事業の13行目の「評価」に、調査!F2（a.xlsx） は「△」、調査!F2（b.xlsx） は「○」と、違う回答があります"),
        "{err}"
    );
    assert!(
        !dir.join("new.xlsx").exists(),
        "nothing else to apply: nothing written"
    );
}

#[test]
fn a_reply_for_an_agreement_terminated_or_deleted_since_is_a_conflict() {
    let dir = temp("collect-gone");
    let out = issue(&root().join(SAMPLE), &dir);
    let (survey, results) = filled(&out, &dir);
    let terminated = edited(
        &dir.join("terminated.xlsx"),
        "wb['協定']['Q3'] = datetime.datetime(2026, 11, 1)\nwb['協定']['Q2'] = datetime.datetime(2026, 11, 1)",
    );
    let o = collect(&dir, &terminated, &[&survey, &results], "new.xlsx");
    let err = stderr(&o);
    assert!(
        err.contains(
            "調査!A2（survey.xlsx）: 協定 R8-002 は様式の発行後に解除されています（協定!Q3"
        ),
        "{err}"
    );
    assert!(
        err.contains("実績報告!A3（results.xlsx）: 協定 R8-001 は様式の発行後に解除されています"),
        "{err}"
    );
    assert!(!dir.join("new.xlsx").exists());
    let deleted = edited(&dir.join("deleted.xlsx"), "wb['協定'].delete_rows(3)");
    let o = collect(&dir, &deleted, &[&survey], "new2.xlsx");
    assert!(
        stderr(&o)
            .contains("調査!A2（survey.xlsx）: 協定 R8-002 は台帳の「協定」シートにありません"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_locked_cell_edited_anyway_is_a_conflict_and_a_bad_value_an_error_at_its_cell() {
    let dir = temp("collect-locked");
    let sample = root().join(SAMPLE);
    let out = issue(&sample, &dir);
    let locked = dir.join("locked.xlsx");
    fill(
        &out.join(SURVEY),
        &locked,
        &[("E2", "別の事業"), ("F2", "△"), ("F3", "◎")],
    );
    let o = collect(&dir, &sample, &[&locked], "new.xlsx");
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("変更できない列が変更されています: 調査!E2（locked.xlsx） の「事業内容」（発行時「自社の新商品の販売会を市役所ロビーで開催し、市が広報する。」、回答「別の事業」）"),
        "{err}"
    );
    assert!(
        err.contains("エラー（適用しません）: 調査!F3（locked.xlsx）: 「評価」の「◎」は選べる値"),
        "{err}"
    );
    assert!(!dir.join("new.xlsx").exists());
    // A workbook that is not a form is refused, naming it.
    let o = collect(&dir, &sample, &[&sample], "x.xlsx");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("回答を読み込めません"),
        "{}",
        stderr(&o)
    );
}

/// The sample with what users add by hand: a table on 実績 (instead of its autofilter), a
/// formula column and a note on 連携事業, a hidden sheet, a memo column; saved by
/// LibreOffice so its formulas hold cached values.
fn hand_made(dir: &Path) -> PathBuf {
    let raw = edited(
        &dir.join("raw.xlsx"),
        r#"
from openpyxl.worksheet.table import Table
from openpyxl.comments import Comment
ws = wb['実績']
ws.auto_filter.ref = None
ws['Q1'] = 'メモ'; ws['Q2'] = '来年も'
ws.add_table(Table(displayName='実績表', ref='A1:Q6'))
p = wb['連携事業']
p['L1'] = '判定'
for r in range(2, 17): p[f'L{r}'] = f'=IF(E{r}="×","不可","可")'
p['F2'].comment = Comment('手で付けたメモ', '担当')
h = wb.create_sheet('内部メモ'); h['A1'] = '非公開'; h.sheet_state = 'hidden'
wb['説明']['C1'] = '=連携事業!E13'
"#,
    );
    let lo = dir.join("lo-reg");
    std::fs::create_dir_all(&lo).unwrap();
    tool(
        "soffice",
        &[
            "--headless",
            &format!("-env:UserInstallation=file://{}/profile", dir.display()),
            "--convert-to",
            "xlsx",
            "--outdir",
            lo.to_str().unwrap(),
            raw.to_str().unwrap(),
        ],
        None,
    );
    lo.join("raw.xlsx")
}

#[test]
fn a_register_with_a_table_formulas_a_note_a_hidden_sheet_and_a_memo_column_keeps_them() {
    let dir = temp("collect-handmade");
    let reg = hand_made(&dir);
    let out = issue(&reg, &dir);
    let (survey, results) = filled(&out, &dir);
    let o = collect(&dir, &reg, &[&survey, &results], "new.xlsx");
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
    let new = dir.join("new.xlsx");
    assert!(row(&new, "連携事業", 13).contains("'△'"));
    assert!(
        row(&new, "実績", 7).contains("'R8-001', '4'"),
        "{}",
        row(&new, "実績", 7)
    );
    let mut skip: Vec<String> = vec!["連携事業!E13".into(), "連携事業!F13".into()];
    skip.extend((b'A'..=b'Q').map(|c| format!("実績!{}7", c as char)));
    let snap = |p: &Path| {
        let mut args = vec![p.to_str().unwrap()];
        args.extend(skip.iter().map(String::as_str));
        py(SNAPSHOT, &args)
    };
    let (before, after) = (snap(&reg), snap(&new));
    let differ: Vec<(&str, &str)> = before
        .lines()
        .zip(after.lines())
        .filter(|(x, y)| x != y)
        .collect();
    assert_eq!(before.lines().count(), after.lines().count());
    // Only the table grew by the appended row.
    assert_eq!(differ.len(), 1, "{differ:#?}");
    assert!(
        differ[0].0.contains("'table', '実績', '実績表', 'A1:Q6'"),
        "{differ:#?}"
    );
    assert!(differ[0].1.contains("'A1:Q7'"), "{differ:#?}");
    assert!(after.contains("'内部メモ', 'hidden'"));
    assert!(after.contains("手で付けたメモ"));
    // LibreOffice's own VML notes have findings (duplicate shape ids); the patch adds none.
    assert_eq!(audit_count(&new), audit_count(&reg));
    // LibreOffice, told to recalculate on load, computes the formulas again: the first
    // sheet's formula shows the new 評価.
    let user = dir.join("lo-profile/user");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(user.join("registrymodifications.xcu"), RECALC).unwrap();
    let csv = crate::common::soffice(
        &dir,
        "csv:Text - txt - csv (StarCalc):44,34,76",
        &dir.join("csv"),
        &[&new, &reg],
    );
    let text = std::fs::read_to_string(&csv[0]).unwrap();
    let first = text.lines().next().unwrap_or("");
    assert!(first.ends_with(",△"), "{first}");
    let old = std::fs::read_to_string(&csv[1]).unwrap();
    assert!(old.lines().next().unwrap_or("").ends_with(",×"), "{old}");
}

/// A LibreOffice profile that recalculates every OOXML workbook on load (Tools ▸ Options ▸
/// Calc ▸ Formula ▸ Recalculation on file load: Always).
const RECALC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"#;

/// A multipart body of replies and an action.
fn multipart(files: &[(&str, &[u8])], action: &str) -> (String, Vec<u8>) {
    let boundary = "kyoteiCollect7MA4YWxk";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"reply\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\n{action}\r\n--{boundary}--\r\n")
            .as_bytes(),
    );
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn the_page_shows_what_would_be_applied_and_downloads_the_register_storing_nothing() {
    use crate::common::serve::{Served, http};
    let s = Served::sample("serve-collect", &[]);
    let out = issue(&s.dir.join("台帳.xlsx"), &s.dir);
    let (survey, results) = filled(&out, &s.dir);
    let other = s.dir.join("other.xlsx");
    fill(&out.join(SURVEY), &other, &[("F2", "○")]);
    let (survey, results, other) = (
        std::fs::read(survey).unwrap(),
        std::fs::read(results).unwrap(),
        std::fs::read(other).unwrap(),
    );
    let before = crate::common::files(&s.dir);
    let origin = format!("http://{}", s.addr);
    let post = |files: &[(&str, &[u8])], action: &str, origin: &str| {
        let (ct, body) = multipart(files, action);
        http(
            &s.addr,
            "POST",
            "/collect",
            &[("Origin", origin), ("Content-Type", ct.as_str())],
            &body,
        )
    };
    let page = s.get("/collect");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("回答を取り込む"));
    let r = post(
        &[("調査.xlsx", &survey), ("実績.xlsx", &results)],
        "preview",
        &origin,
    );
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        html.contains("適用できる回答 <strong>3</strong> 件"),
        "{html}"
    );
    assert!(
        html.contains("連携事業!E13 ← 調査!F2（調査.xlsx）"),
        "{html}"
    );
    let r = post(
        &[("調査.xlsx", &survey), ("別.xlsx", &other)],
        "preview",
        &origin,
    );
    let html = r.text();
    assert!(
        html.contains("競合（適用しません）") && html.contains("別.xlsx"),
        "{html}"
    );
    let d = post(
        &[("調査.xlsx", &survey), ("実績.xlsx", &results)],
        "download",
        &origin,
    );
    assert_eq!(d.status, 200);
    assert!(
        d.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    assert!(d.body.starts_with(b"PK"));
    let got = s.dir.join("downloaded.xlsx");
    std::fs::write(&got, &d.body).unwrap();
    assert!(row(&got, "連携事業", 13).contains("'△'"));
    std::fs::remove_file(&got).unwrap();
    // Another site's form cannot post replies.
    let r = post(&[("調査.xlsx", &survey)], "preview", "http://evil.example");
    assert_eq!(r.status, 403);
    assert_eq!(
        crate::common::files(&s.dir),
        before,
        "the page stored a file"
    );
}

#[test]
fn proposals_with_no_department_go_to_one_routing_form_where_the_department_is_filled_in() {
    let dir = temp("collect-routing");
    let reg = edited(
        &dir.join("reg.xlsx"),
        "p = wb['連携事業']\np['G12'] = None\np['H12'] = None\np['I12'] = None",
    );
    let out = issue(&reg, &dir);
    let form = out.join("連携事業調査_担当課未定.xlsx");
    let s = py(
        "import sys, openpyxl\nws = openpyxl.load_workbook(sys.argv[1])['調査']\nprint(ws['B2'].value, ws['H2'].protection.locked, ws['I2'].protection.locked, ws['D2'].protection.locked)",
        &[form.to_str().unwrap()],
    );
    assert_eq!(
        s.trim(),
        "3 False False True",
        "番号 3, 担当部 and 担当課 open: {s}"
    );
    let reply = dir.join("routed.xlsx");
    fill(
        &form,
        &reply,
        &[("H2", "文化観光部"), ("I2", "スポーツ振興課")],
    );
    let o = collect(&dir, &reg, &[&reply], "new.xlsx");
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("連携事業!G12 ← 調査!H2（routed.xlsx）: 「」→「文化観光部」"),
        "{text}{}",
        stderr(&o)
    );
    assert!(
        text.contains("連携事業!H12 ← 調査!I2（routed.xlsx）: 「」→「スポーツ振興課」"),
        "{text}"
    );
    assert!(row(&dir.join("new.xlsx"), "連携事業", 12).contains("'文化観光部', 'スポーツ振興課'"));
}
