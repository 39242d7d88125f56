//! Editions and 新旧対照表: renders of an edited register keep every earlier edition, number
//! the new one and compare it with the one before; unchanged documents stay byte-identical.
//! Registers are the `init` example workbook, edited cell by cell and read back from XLSX.

use crate::common::{files, temp};
use kyotei::date::Date;
use kyotei::document::ir::{DocKind, Inline, inline_text};
use kyotei::forms::blank::{self, Rows};
use kyotei::guideline::profile::Profile;
use kyotei::model::sheet;
use kyotei::output::Outcome;
use kyotei::revision::{self, State};
use kyotei::run::render::{self, Options, Summary};
use kyotei::run::verdict::Verdict;
use kyotei::run::{Engine, Format, Input};
use kyotei::writer::docx::docx_text;
use kyotei::writer::xlsx::{self, CellValue};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

const ID: &str = "例-001";

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::new(&Default::default()).expect("engine"))
}

/// The example register's rows, to edit.
struct Book {
    profile: Profile,
    rows: Vec<(&'static str, Rows)>,
}

impl Book {
    fn new() -> Book {
        let profile = Profile::isesaki();
        let rows = blank::example_rows(&profile);
        Book { profile, rows }
    }

    fn sheet(&mut self, name: &str) -> &mut Rows {
        &mut self.rows.iter_mut().find(|(n, _)| *n == name).unwrap().1
    }

    fn set(&mut self, sheet_name: &str, row: usize, header: &str, v: CellValue) -> &mut Book {
        let col = blank::headers(sheet_name)
            .unwrap()
            .iter()
            .position(|h| *h == header)
            .unwrap_or_else(|| panic!("{header}"));
        self.sheet(sheet_name)[row][col] = v;
        self
    }

    fn revised(&mut self, header: &str, y: i32, m: u32, d: u32) -> &mut Book {
        self.set(
            sheet::AGREEMENTS,
            0,
            header,
            CellValue::Date(Date::new(y, m, d).unwrap()),
        )
    }

    fn xlsx(&self) -> Vec<u8> {
        xlsx::write(&blank::register_book(&self.profile, &self.rows)).unwrap()
    }

    /// Render through the library, as `kyotei render` does.
    fn render(&self, out: &Path, draft: bool) -> Summary {
        let input = Input::from_bytes(Path::new("台帳.xlsx"), self.xlsx(), &self.profile).unwrap();
        let as_of = Date::new(2026, 11, 25).unwrap();
        let opts = Options {
            out: out.to_path_buf(),
            agreements: vec![],
            kinds: vec![DocKind::Agreement, DocKind::Memorandum],
            formats: vec![Format::Docx, Format::Pdf],
            draft,
            as_of,
            jobs: 1,
            progress: None,
            force: false,
        };
        let verdict = Verdict::new(
            &input,
            &self.profile,
            as_of,
            &|c| engine().pdf.covers(c),
            &engine().templates,
        );
        let s = render::run(&input, &verdict, engine(), &self.profile, &opts).unwrap();
        assert!(s.skipped.is_empty(), "{:?}", s.findings);
        s
    }
}

/// The paths whose bytes differ between two snapshots (or are in only one).
fn differing(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

fn state(out: &Path, rel: &str) -> State {
    serde_json::from_slice(&std::fs::read(out.join(ID).join(rel)).unwrap()).unwrap()
}

fn underlined(i: &Inline) -> String {
    i.iter()
        .filter(|s| s.underline)
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join("|")
}

/// The changed rows (some side underlined) of the comparison between two records.
fn changes(old: &State, new: &State) -> Vec<(String, String, String, String)> {
    revision::compare(&old.ir, &new.ir)
        .into_iter()
        .filter(|(n, o)| n.iter().chain(o).any(|s| s.underline))
        .map(|(n, o)| {
            (
                inline_text(&n),
                underlined(&n),
                inline_text(&o),
                underlined(&o),
            )
        })
        .collect()
}

fn docx_lines(out: &Path, rel: &str) -> Vec<String> {
    docx_text(&std::fs::read(out.join(ID).join(rel)).unwrap()).unwrap()
}

const MEMO_CMP: &str = "新旧対照表_申し合わせ事項_第2版";

#[test]
fn a_changed_department_makes_edition_2_with_a_comparison() {
    let out = temp("department");
    let mut book = Book::new();
    book.render(&out, false);
    let first = files(&out);
    assert_eq!(state(&out, "版/申し合わせ事項.json").edition, 1);
    assert_eq!(state(&out, "版/申し合わせ事項.json").label, None);

    book.set(sheet::MEMO, 0, "担当課", "長寿社会部介護保険課".into())
        .revised("申し合わせ改訂日", 2026, 9, 1);
    let s = book.render(&out, false);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    let second = files(&out);

    // The first edition is kept in 履歴 under its edition's name, byte for byte.
    for ext in ["docx", "pdf"] {
        assert_eq!(
            second[&format!("{ID}/履歴/申し合わせ事項_第1版.{ext}")],
            first[&format!("{ID}/申し合わせ事項.{ext}")]
        );
        assert!(second.contains_key(&format!("{ID}/{MEMO_CMP}.{ext}")));
        // The agreement did not change: same bytes, no history, no comparison.
        assert_eq!(
            second[&format!("{ID}/協定書.{ext}")],
            first[&format!("{ID}/協定書.{ext}")]
        );
    }
    assert!(
        !second
            .keys()
            .any(|k| k.contains("協定書_第") || k.contains("履歴/協定書"))
    );
    let outcome = |p: &str| s.files.iter().find(|(f, _)| f == p).map(|(_, o)| o.clone());
    assert_eq!(
        outcome(&format!("{ID}/申し合わせ事項.pdf")),
        Some(Outcome::Replaced {
            history: format!("{ID}/履歴/申し合わせ事項_第1版.pdf")
        })
    );
    assert_eq!(
        outcome(&format!("{ID}/協定書.pdf")),
        Some(Outcome::Unchanged)
    );

    // The new edition says so at the top right.
    let st = state(&out, "版/申し合わせ事項.json");
    assert_eq!(st.edition, 2);
    assert_eq!(st.label.as_deref(), Some("第2版（令和8年9月1日改訂）"));
    assert_eq!(
        docx_lines(&out, "申し合わせ事項.docx")[0],
        "第2版（令和8年9月1日改訂）"
    );

    // The comparison: one changed row, only 介護保険 / 高齢政策 underlined.
    let old = state(&out, "版/履歴/申し合わせ事項_第1版.json");
    assert_eq!(old.edition, 1);
    let c = changes(&old, &st);
    assert_eq!(c.len(), 1, "{c:?}");
    assert!(c[0].0.ends_with("長寿社会部介護保険課"), "{c:?}");
    assert_eq!((c[0].1.as_str(), c[0].3.as_str()), ("介護保険", "高齢政策"));

    let text = docx_lines(&out, &format!("{MEMO_CMP}.docx"));
    assert_eq!(text[0], "第2版（令和8年9月1日改訂）");
    assert_eq!(
        text[1],
        "伊勢崎市と株式会社サンプル商事との包括連携協定に定める連携事項の実施に関する申し合わせ事項 新旧対照表"
    );
    assert_eq!(&text[2..4], ["改正後", "改正前"]);
    assert!(text.iter().any(|l| l.ends_with("長寿社会部介護保険課")));
    assert!(text.iter().any(|l| l.ends_with("長寿社会部高齢政策課")));
    assert!(
        text.iter()
            .any(|l| l == "1. 乙が行う業務活動における連携協力")
    );
    assert_eq!(text.last().unwrap(), "（傍線部分は改正部分）");

    // Rendering again changes nothing but the manifest (the workbook's bytes differ).
    let s = book.render(&out, false);
    let changed = differing(&files(&out), &second);
    assert!(
        changed.iter().all(|k| k.contains("manifest")),
        "{changed:?}"
    );
    assert!(
        s.files
            .iter()
            .all(|(f, o)| *o == Outcome::Unchanged || f == "manifest.json"),
        "{:?}",
        s.files
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn an_added_row_and_a_removed_row() {
    let out = temp("rows");
    let mut book = Book::new();
    book.render(&out, false);
    // A row added at the end of the 申し合わせ sheet…
    let mut added = book.sheet(sheet::MEMO)[2].clone();
    let col = |h: &str| {
        blank::headers(sheet::MEMO)
            .unwrap()
            .iter()
            .position(|x| *x == h)
            .unwrap()
    };
    added[col("連携事業")] = "不法投棄を発見したとき。".into();
    added[col("担当課")] = "環境部環境保全課".into();
    book.sheet(sheet::MEMO).push(added);
    book.revised("申し合わせ改訂日", 2026, 9, 1);
    book.render(&out, false);
    let v2 = state(&out, "版/申し合わせ事項.json");
    let c = changes(&state(&out, "版/履歴/申し合わせ事項_第1版.json"), &v2);
    assert_eq!(
        c,
        [(
            "防災・災害対策及び防犯に関すること　不法投棄を発見したとき。　環境部環境保全課"
                .to_string(),
            "防災・災害対策及び防犯に関すること　不法投棄を発見したとき。　環境部環境保全課"
                .to_string(),
            String::new(),
            String::new(),
        )]
    );

    // …and the second row removed.
    book.sheet(sheet::MEMO).remove(1);
    book.revised("申し合わせ改訂日", 2026, 10, 1);
    book.render(&out, false);
    let v3 = state(&out, "版/申し合わせ事項.json");
    assert_eq!(v3.edition, 3);
    let c = changes(&v2, &v3);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].0, "");
    assert_eq!(
        c[0].2,
        "高齢者、障がい者及び子どもの支援に関すること　子どもの異変等を発見したとき。　福祉こども部こども家庭センター"
    );
    assert_eq!(c[0].3, c[0].2);
    let text = docx_lines(&out, "新旧対照表_申し合わせ事項_第3版.docx");
    assert!(
        text.iter()
            .any(|l| l.contains("子どもの異変等を発見したとき。"))
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_changed_number_of_flyers() {
    let out = temp("flyers");
    let mut book = Book::new();
    book.render(&out, false);
    book.set(sheet::PUBLICITY, 0, "部数", CellValue::Int(300))
        .revised("申し合わせ改訂日", 2026, 9, 1);
    book.render(&out, false);
    let c = changes(
        &state(&out, "版/履歴/申し合わせ事項_第1版.json"),
        &state(&out, "版/申し合わせ事項.json"),
    );
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].0, "チラシの配架　300部　店舗のレジ横に配架");
    assert_eq!(c[0].2, "チラシの配架　100部　店舗のレジ横に配架");
    assert_eq!((c[0].1.as_str(), c[0].3.as_str()), ("3", "1"));
    // The table's header row is shown for orientation, the rest is （略）.
    let rows = revision::compare(
        &state(&out, "版/履歴/申し合わせ事項_第1版.json").ir,
        &state(&out, "版/申し合わせ事項.json").ir,
    );
    let news: Vec<String> = rows.iter().map(|(n, _)| inline_text(n)).collect();
    assert_eq!(
        news,
        [
            "（略）",
            "2. 甲が実施するイベント事業等の周知に係る連携協力",
            "（略）",
            "連携事業　部数　備考",
            "チラシの配架　300部　店舗のレジ横に配架",
            "（略）"
        ]
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn an_unchanged_memorandum_makes_no_edition() {
    let out = temp("unchanged");
    let mut book = Book::new();
    book.render(&out, false);
    let first = files(&out);
    // A change elsewhere in the register (the 実績 sheet) and a 改訂日 alone change no text.
    book.set(sheet::RESULTS, 0, "参加者数", CellValue::Int(30))
        .revised("申し合わせ改訂日", 2026, 9, 1);
    let s = book.render(&out, false);
    let second = files(&out);
    // Only the manifest changes (the register's hash), its old version kept in 履歴.
    assert_eq!(
        differing(&first, &second),
        ["manifest.json", "履歴/manifest_1.json"]
    );
    assert!(
        !second
            .keys()
            .any(|k| k.contains("新旧対照表") || k.starts_with(&format!("{ID}/履歴")))
    );
    assert!(
        s.files
            .iter()
            .filter(|(f, _)| f != "manifest.json")
            .all(|(_, o)| *o == Outcome::Unchanged)
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn three_successive_editions_are_all_kept_and_each_compared_with_the_one_before() {
    let out = temp("three");
    let mut book = Book::new();
    book.render(&out, false);
    let v1 = files(&out);
    book.set(sheet::MEMO, 0, "担当課", "長寿社会部介護保険課".into())
        .revised("申し合わせ改訂日", 2026, 9, 1);
    book.render(&out, false);
    let v2 = files(&out);
    book.set(sheet::MEMO, 2, "担当課", "建設部土木課".into())
        .revised("申し合わせ改訂日", 2027, 4, 1);
    book.render(&out, false);
    let v3 = files(&out);

    let memo = |ext: &str| format!("{ID}/申し合わせ事項.{ext}");
    for ext in ["docx", "pdf"] {
        assert_eq!(
            v3[&format!("{ID}/履歴/申し合わせ事項_第1版.{ext}")],
            v1[&memo(ext)]
        );
        assert_eq!(
            v3[&format!("{ID}/履歴/申し合わせ事項_第2版.{ext}")],
            v2[&memo(ext)]
        );
        for n in [2, 3] {
            assert!(v3.contains_key(&format!("{ID}/新旧対照表_申し合わせ事項_第{n}版.{ext}")));
        }
        // The second edition's comparison is left as it was.
        let c2 = format!("{ID}/新旧対照表_申し合わせ事項_第2版.{ext}");
        assert_eq!(v3[&c2], v2[&c2]);
    }
    let labels: Vec<String> = [
        "版/履歴/申し合わせ事項_第1版.json",
        "版/履歴/申し合わせ事項_第2版.json",
        "版/申し合わせ事項.json",
    ]
    .iter()
    .map(|p| {
        let s = state(&out, p);
        format!("{}:{}", s.edition, s.label.unwrap_or_default())
    })
    .collect();
    assert_eq!(
        labels,
        [
            "1:",
            "2:第2版（令和8年9月1日改訂）",
            "3:第3版（令和9年4月1日改訂）"
        ]
    );
    assert_eq!(
        docx_lines(&out, "申し合わせ事項.docx")[0],
        "第3版（令和9年4月1日改訂）"
    );

    // Edition 3 is compared with edition 2: only 道路管理 → 土木 changed.
    let c = changes(
        &state(&out, "版/履歴/申し合わせ事項_第2版.json"),
        &state(&out, "版/申し合わせ事項.json"),
    );
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!((c[0].1.as_str(), c[0].3.as_str()), ("土木", "道路管理"));
    let text = docx_lines(&out, "新旧対照表_申し合わせ事項_第3版.docx");
    assert_eq!(text[0], "第3版（令和9年4月1日改訂）");
    assert!(!text.iter().any(|l| l.ends_with("長寿社会部介護保険課")));
    assert!(text.iter().any(|l| l.ends_with("建設部土木課")));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_change_to_article_2_of_the_agreement() {
    let out = temp("article2");
    let mut book = Book::new();
    book.render(&out, false);
    // 分野 ⑦ (防災) gets its own wording in the agreement.
    book.set(
        sheet::FIELDS,
        2,
        "協定書表記",
        "防災及び災害時の物資供給に関すること。".into(),
    )
    .revised("協定締結後の改正日", 2027, 1, 15);
    book.render(&out, false);
    let st = state(&out, "版/協定書.json");
    assert_eq!(st.edition, 2);
    assert_eq!(st.label.as_deref(), Some("第2版（令和9年1月15日改正）"));
    let old = state(&out, "版/履歴/協定書_第1版.json");
    let rows = revision::compare(&old.ir, &st.ir);
    let news: Vec<String> = rows.iter().map(|(n, _)| inline_text(n)).collect();
    // The article's caption and first sentence give the context; the rest is （略）.
    assert_eq!(news[0], "（略）");
    assert_eq!(news[1], "（連携事項）");
    assert!(
        news[2].starts_with("第2条　甲及び乙は、前条の目的を達成するため"),
        "{news:?}"
    );
    assert_eq!(news[3], "（略）");
    assert!(
        news[4].starts_with("3)　防災及び災害時の物資供給に関すること。"),
        "{news:?}"
    );
    assert_eq!(news.last().unwrap(), "（略）");
    let c = changes(&old, &st);
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].2, "3)　防犯・防災に関すること。");
    assert_eq!(c[0].0, "3)　防災及び災害時の物資供給に関すること。");
    let text = docx_lines(&out, "新旧対照表_協定書_第2版.docx");
    assert_eq!(
        text[1],
        "伊勢崎市と株式会社サンプル商事との包括連携協定書 新旧対照表"
    );
    assert_eq!(text[0], "第2版（令和9年1月15日改正）");
    assert_eq!(
        docx_lines(&out, "協定書.docx")[0],
        "第2版（令和9年1月15日改正）"
    );
    for ext in ["docx", "pdf"] {
        assert!(
            out.join(ID)
                .join(format!("履歴/協定書_第1版.{ext}"))
                .exists()
        );
    }
    // The memorandum did not change.
    assert_eq!(state(&out, "版/申し合わせ事項.json").edition, 1);
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_missing_revision_date_is_a_warning() {
    let out = temp("nodate");
    let mut book = Book::new();
    book.render(&out, false);
    book.set(sheet::MEMO, 0, "担当課", "長寿社会部介護保険課".into());
    let s = book.render(&out, false);
    assert_eq!(
        state(&out, "版/申し合わせ事項.json").label.as_deref(),
        Some("第2版")
    );
    assert!(
        s.warnings
            .iter()
            .any(|w| w.contains("申し合わせ改訂日") && w.contains("空欄")),
        "{:?}",
        s.warnings
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn drafts_preview_the_next_edition_without_recording_it() {
    let out = temp("draft");
    let mut book = Book::new();
    book.render(&out, false);
    let record = std::fs::read(out.join(ID).join("版/申し合わせ事項.json")).unwrap();
    // A draft of the same text keeps the recorded edition: no comparison.
    book.render(&out, true);
    assert!(out.join(ID).join("案/申し合わせ事項.pdf").exists());
    assert!(!out.join(ID).join(format!("案/{MEMO_CMP}.pdf")).exists());
    // A draft of a change previews 第2版 and its 新旧対照表（案）, but records nothing.
    book.set(sheet::MEMO, 0, "担当課", "長寿社会部介護保険課".into())
        .revised("申し合わせ改訂日", 2026, 9, 1);
    book.render(&out, true);
    assert_eq!(
        std::fs::read(out.join(ID).join("版/申し合わせ事項.json")).unwrap(),
        record
    );
    let text = docx_lines(&out, &format!("案/{MEMO_CMP}.docx"));
    assert!(text[1].ends_with("新旧対照表（案）"), "{text:?}");
    // The drafts never touched the final documents.
    assert!(!out.join(ID).join(format!("{MEMO_CMP}.pdf")).exists());
    // The final render then makes the real 第2版, compared with 第1版.
    book.render(&out, false);
    let st = state(&out, "版/申し合わせ事項.json");
    assert_eq!(st.edition, 2);
    let text = docx_lines(&out, &format!("{MEMO_CMP}.docx"));
    assert!(text[1].ends_with("新旧対照表"), "{text:?}");
    // The first edition is in 履歴 under its name; no draft was ever moved there, and the
    // drafts stay in 案/.
    assert!(out.join(ID).join("履歴/申し合わせ事項_第1版.pdf").exists());
    let history: Vec<String> = std::fs::read_dir(out.join(ID).join("履歴"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(history.iter().all(|n| n.contains("_第1版")), "{history:?}");
    assert!(out.join(ID).join(format!("案/{MEMO_CMP}.pdf")).exists());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn diff_of_two_registers() {
    let out = temp("diff");
    let old = Book::new();
    let mut new = Book::new();
    new.set(sheet::MEMO, 0, "担当課", "長寿社会部介護保険課".into());
    let dir = temp("diff-in");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("old.xlsx"), old.xlsx()).unwrap();
    std::fs::write(dir.join("new.xlsx"), new.xlsx()).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kyotei"))
        .args(["diff", "old.xlsx", "new.xlsx", "-o"])
        .arg(&out)
        .current_dir(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(stdout.contains("新旧対照表_申し合わせ事項.pdf"), "{stdout}");
    let written: Vec<String> = files(&out).into_keys().collect();
    assert_eq!(
        written,
        [
            "manifest.json".to_string(),
            format!("{ID}/新旧対照表_申し合わせ事項.docx"),
            format!("{ID}/新旧対照表_申し合わせ事項.pdf")
        ]
    );
    let text = docx_lines(&out, "新旧対照表_申し合わせ事項.docx");
    assert!(text.iter().any(|l| l.ends_with("長寿社会部介護保険課")));
    // The manifest lists both files with their hashes, and the new register's hash.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["files"].as_array().unwrap().len(), 2);
    assert_eq!(
        manifest["input_sha256"],
        kyotei::output::sha256_hex(&std::fs::read(dir.join("new.xlsx")).unwrap())
    );
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn diff_uses_the_templates_fonts_and_formats_it_is_given() {
    let out = temp("diff-options");
    let dir = temp("diff-options-in");
    let templates = dir.join("templates");
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::create_dir_all(&fonts).unwrap();
    let builtin = String::from_utf8(
        kyotei::document::assets::builtin("templates/comparison.j2")
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    assert!(builtin.contains("@heading {{ heading|fixed }}"));
    std::fs::write(
        templates.join("comparison.j2"),
        builtin.replace(
            "@heading {{ heading|fixed }}",
            "@heading 差替様式 {{ heading|fixed }}",
        ),
    )
    .unwrap();
    let old = Book::new();
    let mut new = Book::new();
    new.set(sheet::MEMO, 0, "担当課", "長寿社会部介護保険課".into());
    std::fs::write(dir.join("old.xlsx"), old.xlsx()).unwrap();
    std::fs::write(dir.join("new.xlsx"), new.xlsx()).unwrap();
    let run = |out: &Path, extra: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kyotei"))
            .args(["diff", "old.xlsx", "new.xlsx", "-o"])
            .arg(out)
            .args(extra)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        files(out).into_keys().collect::<Vec<String>>()
    };
    let written = run(
        &out.join("a"),
        &["--templates", "templates", "--format", "docx"],
    );
    assert_eq!(
        written,
        [
            "manifest.json".to_string(),
            format!("{ID}/新旧対照表_申し合わせ事項.docx")
        ]
    );
    let text = docx_lines(&out.join("a"), "新旧対照表_申し合わせ事項.docx");
    assert!(text.iter().any(|l| l.starts_with("差替様式 ")), "{text:?}");
    let written = run(&out.join("b"), &["--font-dir", "fonts", "--format", "pdf"]);
    assert_eq!(
        written,
        [
            "manifest.json".to_string(),
            format!("{ID}/新旧対照表_申し合わせ事項.pdf")
        ]
    );
    std::fs::remove_dir_all(&out).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}
