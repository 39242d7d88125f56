//! Layout that holds at page breaks, in the PDF: a merged 連携事項 cell of the 申し合わせ事項
//! is never left on one page with its rows on the next, the signature block of the 協定書
//! (the sentence before it, the date, 甲 and 乙) stays on one page however long the
//! company's name and address, and a heading never ends a page alone.

use crate::common::{AS_OF, files, kyotei, stderr, temp};
use kyotei::forms::blank::{self, EXAMPLE_ID, Rows, named_row};
use kyotei::guideline::profile::Profile;
use kyotei::model::sheet;
use kyotei::writer::xlsx::{self, CellValue};
use std::path::Path;
use std::process::Command;

/// The text of each page of a PDF, whitespace removed.
fn page_texts(pdf: &Path) -> Vec<String> {
    let mut pages = Vec::new();
    for p in 1.. {
        let o = Command::new("pdftotext")
            .args(["-f", &p.to_string(), "-l", &p.to_string(), "-enc", "UTF-8"])
            .arg(pdf)
            .arg("-")
            .output()
            .unwrap();
        if !o.status.success() {
            break;
        }
        pages.push(
            String::from_utf8_lossy(&o.stdout)
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
        );
        if p > 50 {
            break;
        }
    }
    pages
}

/// The example register with `edit` applied to its rows, rendered; the output folder.
fn render(name: &str, edit: impl FnOnce(&mut Vec<(&'static str, Rows)>)) -> std::path::PathBuf {
    let profile = Profile::isesaki();
    let mut rows = blank::example_rows(&profile);
    edit(&mut rows);
    let dir = temp(name);
    let book = xlsx::write(&blank::register_book(&profile, &rows)).unwrap();
    std::fs::write(dir.join("台帳.xlsx"), book).unwrap();
    let o = kyotei(
        &[
            "render",
            "台帳.xlsx",
            "--as-of",
            AS_OF,
            "-q",
            "--format",
            "pdf",
        ],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(files(&dir).keys().any(|k| k.ends_with(".pdf")));
    dir
}

fn sheet_rows<'a>(rows: &'a mut [(&'static str, Rows)], name: &str) -> &'a mut Rows {
    &mut rows.iter_mut().find(|(n, _)| *n == name).unwrap().1
}

fn set(rows: &mut [(&'static str, Rows)], sheet_name: &str, header: &str, value: &str) {
    let col = blank::headers(sheet_name)
        .unwrap()
        .iter()
        .position(|h| *h == header)
        .unwrap();
    sheet_rows(rows, sheet_name)[0][col] = CellValue::text(value);
}

#[test]
fn a_merged_field_cell_never_leaves_its_rows_on_another_page() {
    let groups = ["子ども", "教育", "健康", "文化", "高齢者", "防災"];
    let dir = render("layout-memo", |rows| {
        let memo = sheet_rows(rows, sheet::MEMO);
        memo.clear();
        for n in 0..35 {
            let g = groups[n * groups.len() / 35];
            memo.push(named_row(
                sheet::MEMO,
                &[
                    ("協定番号", CellValue::text(EXAMPLE_ID)),
                    (
                        "連携事項",
                        CellValue::text(format!("{g}の支援に関すること")),
                    ),
                    (
                        "連携事業",
                        CellValue::text(format!("事業{n:02}の異変等を発見したとき。")),
                    ),
                    ("担当課", CellValue::text("市長戦略部戦略推進課")),
                ],
            ));
        }
    });
    let pages = page_texts(&dir.join(format!("出力/{EXAMPLE_ID}/申し合わせ事項.pdf")));
    assert!(pages.len() >= 2, "35 rows should take more than one page");
    for n in 0..35 {
        let g = groups[n * groups.len() / 35];
        let row = format!("事業{n:02}の異変等を発見したとき。");
        let page = pages
            .iter()
            .position(|p| p.contains(&row))
            .unwrap_or_else(|| panic!("{row} not found"));
        assert!(
            pages[page].contains(&format!("{g}の支援に関すること")),
            "{row} is on page {} without its 連携事項 「{g}…」",
            page + 1
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_signature_block_stays_on_one_page_with_a_long_name_and_address() {
    let company = format!("株式会社{}", "長い名前の商事".repeat(17));
    let address = format!("群馬県伊勢崎市{}", "今泉町二丁目四百十番地の一".repeat(15));
    assert!(company.chars().count() >= 120 && address.chars().count() >= 200);
    let dir = render("layout-signature", |rows| {
        set(rows, sheet::AGREEMENTS, "企業等名", &company);
        set(rows, sheet::AGREEMENTS, "企業等所在地", &address);
    });
    let pages = page_texts(&dir.join(format!("出力/{EXAMPLE_ID}/協定書.pdf")));
    let start = pages
        .iter()
        .position(|p| p.contains("本協定の締結を証するため"))
        .expect("the closing sentence");
    let tail: String = address
        .chars()
        .rev()
        .take(12)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    assert!(
        pages[start].contains("伊勢崎市長") || pages[start].contains("甲"),
        "甲 on the sentence's page"
    );
    assert!(
        pages[start].contains(&tail),
        "the end of 乙's address on the sentence's page"
    );
    assert_eq!(
        start,
        pages.len() - 1,
        "nothing of the signature on a later page"
    );
    // No page ends with a heading: every （…） caption is followed by its article there.
    for (i, p) in pages.iter().enumerate() {
        for cap in [
            "（目的）",
            "（連携事項）",
            "（協定の有効期間）",
            "（協定の解除）",
            "（その他）",
        ] {
            if let Some(at) = p.find(cap) {
                assert!(
                    p[at + cap.len()..].contains('第'),
                    "page {} ends with the heading {cap}",
                    i + 1
                );
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
