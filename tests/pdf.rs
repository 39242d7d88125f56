//! Tests of the PDF writer (`kyotei::writer::pdf`): text against `Document::plain_text`, injection
//! safety, determinism, metadata, landscape, draft highlighting, page numbers, merged cells,
//! font coverage and the `--templates` override. Text is extracted with poppler's
//! `pdftotext`/`pdfinfo`/`pdftoppm` (poppler-utils).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use crate::common::{pdf_text, tool as run};
use kyotei::date::Date;
use kyotei::document::assets::Assets;
use kyotei::document::ir::{
    Align, Block, Cell, DocKind, Document, Inline, Item, Orientation, Party, Span,
};
use kyotei::writer::pdf::{Pdf, PdfOutput};

const INJECTION: &str = "株式会社#panic(\"x\")*太字*$x$]";

fn pdf() -> &'static Pdf {
    static PDF: OnceLock<Pdf> = OnceLock::new();
    PDF.get_or_init(|| Pdf::new(&Assets::new(None), &[]).expect("Pdf::new"))
}

fn created() -> Date {
    Date::new(2026, 4, 1).unwrap()
}

fn write(doc: &Document) -> PdfOutput {
    let out = pdf().write(doc, created()).expect("write");
    assert!(out.bytes.starts_with(b"%PDF-"), "not a PDF");
    assert!(
        out.warnings.is_empty(),
        "typst warnings: {:?}",
        out.warnings
    );
    out
}

// ---- IR builders ---------------------------------------------------------------------------

fn t(s: &str) -> Inline {
    vec![Span::plain(s)]
}

fn para(s: &str) -> Block {
    Block::Paragraph {
        align: Align::Left,
        indent: 0,
        hanging: 0,
        first_line: 1,
        text: t(s),
    }
}

fn cell(s: &str) -> Cell {
    Cell {
        content: vec![t(s)],
        colspan: 1,
        rowspan: 1,
        align: Align::Left,
        header: false,
    }
}

fn head(s: &str) -> Cell {
    Cell {
        align: Align::Center,
        header: true,
        ..cell(s)
    }
}

fn doc(kind: DocKind, title: &str, blocks: Vec<Block>) -> Document {
    Document {
        kind,
        title: title.to_string(),
        author: "伊勢崎市".to_string(),
        orientation: Orientation::Portrait,
        draft: false,
        edition: None,
        issued: None,
        blocks,
    }
}

const FIELDS: [&str; 14] = [
    "子ども・子育て支援に関すること。",
    "学校教育・生涯学習に関すること。",
    "健康増進・保健衛生・医療に関すること。",
    "文化・スポーツ振興に関すること。",
    "高齢者福祉・障害者福祉に関すること。",
    "地域産業の振興・雇用促進に関すること。",
    "防犯・防災に関すること。",
    "環境に関すること。",
    "日本一暑さに強いまちに関すること。",
    "シティプロモーションに関すること。",
    "地域活性化に関すること。",
    "人材育成に関すること。",
    "その他、企業等の特性により連携事業が実施できる分野に関すること。",
    "前各号に掲げるもののほか、前条の目的を達成するために必要な事項に関すること。",
];

fn article(caption: &str, n: u32, body: Inline, paragraphs: Vec<Inline>) -> Block {
    Block::Article {
        caption: Some(format!("（{caption}）")),
        number: format!("第{n}条"),
        body,
        items: vec![],
        paragraphs,
    }
}

/// A realistic 協定書: title, preamble, 8 articles with captions, items 1)…14), signature.
fn agreement(company: &str, draft: bool) -> Document {
    let items = FIELDS
        .iter()
        .enumerate()
        .map(|(i, f)| Item {
            label: format!("{})", i + 1),
            text: t(f),
        })
        .collect();
    let mut preamble = t("伊勢崎市（以下「甲」という。）と");
    preamble.push(Span::var(company));
    preamble.extend(t(
        "（以下「乙」という。）は、以下のとおり包括連携協定（以下「本協定」という。）を締結する。",
    ));
    let blocks = vec![
        Block::Title(vec![vec![
            Span::plain("伊勢崎市と"),
            Span::var(company),
            Span::plain("との包括連携協定書"),
        ]]),
        Block::Paragraph {
            align: Align::Left,
            indent: 0,
            hanging: 0,
            first_line: 1,
            text: preamble,
        },
        article(
            "目的",
            1,
            t(
                "本協定は、甲及び乙が、子ども・子育て支援、学校教育・生涯学習、環境等、相互の連携強化を図ることにより、地域の成長及び発展並びに市民サービスのより一層の向上に資することを目的とする。",
            ),
            vec![],
        ),
        Block::Article {
            caption: Some("（連携事項）".into()),
            number: "第2条".into(),
            body: t(
                "甲及び乙は、前条の目的を達成するため、次に掲げる事項について連携し、協力する。",
            ),
            items,
            paragraphs: vec![t(
                "2 甲及び乙は、前項各号に定める連携事項に係る取組を効果的に推進するため、必要に応じて協議を行うものとし、取組毎に別途取り決めるものとする。",
            )],
        },
        article(
            "協定の有効期間",
            3,
            vec![
                Span::plain("本協定の有効期間は、"),
                Span::var("令和8年4月1日"),
                Span::plain(
                    "から翌年3月31日までとする。ただし、有効期間満了の日の1箇月前までに、甲及び乙のいずれからも特段の申出がない場合は、当該期間の満了の翌日から起算して1年間、この協定を更新するものとし、以降もまた同様とする。",
                ),
            ],
            vec![],
        ),
        article(
            "協定の解除",
            4,
            t(
                "甲又は乙のいずれかが本協定の解除を希望する場合は、甲乙協議の上、解除予定日の1箇月前までに書面をもって相手方に通知することにより、本協定を解除できるものとする。",
            ),
            vec![],
        ),
        article(
            "協定の見直し",
            5,
            t(
                "甲又は乙のいずれかが、本協定の内容について変更を申し出たときは、その都度甲乙協議の上、変更を行うものとする。",
            ),
            vec![],
        ),
        article(
            "守秘義務",
            6,
            t(
                "甲及び乙は、本協定に基づく活動において知り得た秘密については、本協定の有効期間中及び有効期間終了後を問わず、第三者に漏らさず、また、本協定の目的外に利用してはならない。ただし、事前に相手方の承諾を得た場合は、この限りではない。",
            ),
            vec![],
        ),
        article(
            "免責",
            7,
            t(
                "甲及び乙は、本協定に基づく連携として情報を提供した事項に関し生じた問題等については、その責を負わないものとする。",
            ),
            vec![],
        ),
        article(
            "その他",
            8,
            t(
                "本協定に定めのない事項又は本協定の解釈に関する疑義が生じた場合は、甲乙協議の上、これを決定するものとする。",
            ),
            vec![],
        ),
        para(
            "本協定の締結を証するため、本書2通を作成し、甲乙それぞれ署名捺印の上、各自の1通を保有する。",
        ),
        Block::Signature {
            date: vec![Span::var("令和8年4月1日")],
            parties: vec![
                Party {
                    label: "甲".into(),
                    lines: vec![
                        t("群馬県伊勢崎市今泉町二丁目410番地"),
                        t("伊勢崎市"),
                        t("伊勢崎市長　臂　泰雄"),
                    ],
                },
                Party {
                    label: "乙".into(),
                    lines: vec![
                        vec![Span::var("群馬県伊勢崎市連取町3000番地1")],
                        vec![Span::var(company)],
                        vec![Span::var("代表取締役　伊勢崎　太郎")],
                    ],
                },
            ],
        },
    ];
    Document {
        draft,
        ..doc(
            DocKind::Agreement,
            &format!("伊勢崎市と{company}との包括連携協定書"),
            blocks,
        )
    }
}

/// A landscape 連携事業提案書-like table with a two-row header and merged cells.
fn proposal() -> Document {
    let mut header1 = vec![
        Cell {
            colspan: 3,
            ..head("連携事業の提案")
        },
        Cell {
            colspan: 5,
            ..head("市の意見等")
        },
    ];
    header1[0].align = Align::Center;
    let header2 = vec![
        Cell {
            rowspan: 2,
            ..head("番号")
        },
        Cell {
            rowspan: 2,
            ..head("連携事項")
        },
        Cell {
            rowspan: 2,
            ..head("事業内容")
        },
        Cell {
            rowspan: 2,
            ..head("評価")
        },
        Cell {
            rowspan: 2,
            ..head("コメント ※提案内容へのご質問など")
        },
        Cell {
            colspan: 3,
            ..head("担当部署")
        },
    ];
    let header3 = vec![head("部"), head("課"), head("担当者・連絡先")];
    let mut rows = vec![header1, header2, header3];
    let numbers = ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧"];
    for (i, n) in numbers.iter().enumerate() {
        let content = if i == 0 {
            "令和8年秋ごろ、30人規模の親子向けワークショップを開催予定。講師の派遣と会場の提供を提案します。"
        } else {
            "店舗でのチラシ配架"
        };
        rows.push(vec![
            Cell {
                align: Align::Center,
                ..cell(n)
            },
            cell(FIELDS[i]),
            cell(content),
            Cell {
                align: Align::Center,
                ..cell(if i == 0 { "○" } else { "" })
            },
            cell(if i == 0 {
                "講師の人数を教えてください。"
            } else {
                ""
            }),
            cell(if i == 0 { "福祉こども部" } else { "" }),
            cell(if i == 0 { "こども支援課" } else { "" }),
            cell(if i == 0 {
                "伊勢崎（内線1234）"
            } else {
                ""
            }),
        ]);
    }
    let blocks = vec![
        Block::Title(vec![t("連携事業提案書")]),
        Block::Paragraph {
            align: Align::Left,
            indent: 0,
            hanging: 1,
            first_line: 0,
            text: t(
                "※市の意見等の評価　○＝実現可能性あり　×＝実現不可　△＝提案事項の調整（代替案）により実現可能性があるもの",
            ),
        },
        Block::Paragraph {
            align: Align::Right,
            indent: 0,
            hanging: 0,
            first_line: 0,
            text: vec![Span::plain("事業者名　"), Span::var("株式会社サンプル商事")],
        },
        Block::Table {
            widths: vec![3, 12, 22, 4, 18, 8, 8, 12],
            header_rows: 3,
            rows,
        },
        Block::Paragraph {
            align: Align::Right,
            indent: 0,
            hanging: 0,
            first_line: 0,
            text: t("市の意見等の欄は市が記入しますので、記入不要です。"),
        },
    ];
    Document {
        orientation: Orientation::Landscape,
        ..doc(
            DocKind::Proposal,
            "連携事業提案書（株式会社サンプル商事）",
            blocks,
        )
    }
}

/// Every block kind, an edition line and the injection name.
fn every_block() -> Document {
    let blocks = vec![
        Block::Title(vec![t("包括連携協定に係る"), t("実績報告書")]),
        para("令和8年4月1日"),
        Block::Heading(t("1 目的")),
        Block::Paragraph {
            align: Align::Left,
            indent: 2,
            hanging: 1,
            first_line: 0,
            text: vec![
                Span::plain("※"),
                Span::var(INJECTION),
                Span::plain("の実績を報告します。"),
            ],
        },
        Block::Paragraph {
            align: Align::Center,
            indent: 0,
            hanging: 0,
            first_line: 0,
            text: t("記"),
        },
        Block::Paragraph {
            align: Align::Right,
            indent: 0,
            hanging: 0,
            first_line: 0,
            text: vec![
                Span::plain("一行目\n二行目"),
                Span {
                    text: "傍線部".into(),
                    var: false,
                    underline: true,
                    cell: None,
                },
            ],
        },
        Block::Blank,
        Block::Article {
            caption: None,
            number: "第1条".into(),
            body: t("本文。"),
            items: vec![Item {
                label: "1)".into(),
                text: t("号その一。"),
            }],
            paragraphs: vec![t("2 第二項。")],
        },
        Block::Table {
            widths: vec![1, 2, 2],
            header_rows: 1,
            rows: vec![
                vec![head("連携事項"), head("連携事業"), head("担当課")],
                vec![
                    Cell {
                        rowspan: 2,
                        ..cell("高齢者の支援に関すること")
                    },
                    cell("異変等を発見したとき。"),
                    cell("高齢政策課"),
                ],
                vec![cell("道路等の異状を発見したとき。"), cell("道路管理課")],
                vec![Cell {
                    colspan: 3,
                    ..cell("※個別事業は担当者と協議する。")
                }],
            ],
        },
        Block::PageBreak,
        Block::Signature {
            date: t("令和8年4月1日"),
            parties: vec![Party {
                label: "乙".into(),
                lines: vec![vec![Span::var(INJECTION)], t("代表取締役　山田　花子")],
            }],
        },
    ];
    Document {
        edition: Some("第2版（令和8年9月1日改訂）".into()),
        issued: None,
        ..doc(DocKind::Report, "実績報告書", blocks)
    }
}

// ---- poppler helpers -----------------------------------------------------------------------

fn tmp_pdf(name: &str, bytes: &[u8]) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("kyotei-pdf-test-{}-{name}.pdf", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn pdf_info(bytes: &[u8], name: &str) -> String {
    let path = tmp_pdf(name, bytes);
    let out = run("pdfinfo", &[path.to_str().unwrap()], None);
    std::fs::remove_file(&path).ok();
    out
}

fn info_field(info: &str, key: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .unwrap_or_else(|| panic!("no {key} in pdfinfo output:\n{info}"))
        .trim()
        .to_string()
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The extracted text without page-number lines, whitespace removed.
/// A footer line `- 3 -` (the same style as the DOCX footer).
fn is_page_number(line: &str) -> bool {
    let t = line.trim();
    t.strip_prefix("- ")
        .and_then(|t| t.strip_suffix(" -"))
        .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

fn body_text(bytes: &[u8]) -> String {
    let text = pdf_text(bytes, None);
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| l.trim().is_empty() || !is_page_number(l))
        .collect();
    squash(&kept.join("\n"))
}

/// The PDF carries exactly the text of `plain_text`. Order: typst draws a cell spanning
/// several rows after the other cells of those rows, so in the content stream (what
/// pdftotext reads) such a cell comes late; the tag tree keeps the logical order. For a
/// document with row spans the check is therefore: the same characters, and every line of
/// `plain_text` appears unbroken.
fn assert_same_text(doc: &Document, bytes: &[u8]) {
    let expected = squash(&doc.plain_text().join("\n"));
    let got = body_text(bytes);
    let has_rowspan = doc.blocks.iter().any(
        |b| matches!(b, Block::Table { rows, .. } if rows.iter().flatten().any(|c| c.rowspan > 1)),
    );
    if !has_rowspan {
        assert_eq!(got, expected, "PDF text differs from plain_text");
        return;
    }
    let sorted = |s: &str| {
        let mut v: Vec<char> = s.chars().collect();
        v.sort();
        v
    };
    assert!(
        sorted(&got) == sorted(&expected),
        "PDF text differs from plain_text:\n{got}\n{expected}"
    );
    for line in doc.plain_text() {
        let line = squash(&line);
        assert!(
            got.contains(&line),
            "{line:?} is not in the PDF text:\n{got}"
        );
    }
}

// ---- tests ---------------------------------------------------------------------------------

#[test]
fn every_block_kind_carries_the_plain_text() {
    let d = every_block();
    let out = write(&d);
    assert_same_text(&d, &out.bytes);
    assert_eq!(out.pages, 2, "PageBreak starts a second page");
    // "\n" inside a span is a line break.
    let text = pdf_text(&out.bytes, None);
    assert!(text.lines().any(|l| l.trim() == "一行目"), "{text}");
}

#[test]
fn injection_name_is_printed_verbatim() {
    let d = every_block();
    let text = pdf_text(&write(&d).bytes, None);
    let hits = text.lines().filter(|l| l.contains(INJECTION)).count();
    assert_eq!(hits, 2, "the name should appear exactly, twice:\n{text}");
    assert!(!text.contains("panicked"));
}

#[test]
fn markup_characters_everywhere_are_text() {
    let nasty = [
        "= 見出しではない",
        "- 箇条書きではない",
        "+ 番号付きでもない",
        "// コメントではない",
        "/* 閉じない",
        "@ref <label> \\ _x_ `raw` ~ \\u{41} #{1+1} #let a = 1",
    ];
    let blocks = nasty.iter().map(|s| para(s)).collect();
    let d = doc(DocKind::Application, "#set text(red)", blocks);
    let out = write(&d);
    let text = pdf_text(&out.bytes, None);
    for s in nasty {
        assert!(
            text.lines().any(|l| l.trim() == s),
            "{s:?} missing in:\n{text}"
        );
    }
    assert_eq!(
        info_field(&pdf_info(&out.bytes, "nasty"), "Title"),
        "#set text(red)"
    );
}

#[test]
fn same_document_same_bytes() {
    let d = agreement("株式会社サンプル商事", true);
    let a = write(&d).bytes;
    let b = write(&d).bytes;
    assert!(a == b, "two writes of one document differ");
    // Another thread, same bytes: Pdf is shared across threads.
    let c = std::thread::scope(|s| s.spawn(|| write(&d).bytes).join().unwrap());
    assert!(a == c, "a write from another thread differs");
    // A different document gives a different file.
    let other = write(&agreement("有限会社べつ", true)).bytes;
    assert!(a != other);
}

#[test]
fn pdf_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Pdf>();
}

#[test]
fn metadata_title_author_language_and_standards() {
    let d = agreement("株式会社サンプル商事", false);
    let out = write(&d);
    let info = pdf_info(&out.bytes, "meta");
    assert_eq!(info_field(&info, "Title"), d.title);
    assert_eq!(info_field(&info, "Author"), "伊勢崎市");
    assert_eq!(info_field(&info, "Tagged"), "yes");
    assert!(info_field(&info, "CreationDate").contains("2026"), "{info}");
    assert!(info_field(&info, "Page size").contains("(A4)"), "{info}");
    // XMP metadata is plain text in typst's output.
    let raw = String::from_utf8_lossy(&out.bytes);
    assert!(raw.contains(&d.title), "title not in the XMP metadata");
    assert!(raw.contains("<pdfaid:part>2</pdfaid:part>"), "not PDF/A-2");
    assert!(
        raw.contains("<pdfaid:conformance>A</pdfaid:conformance>"),
        "not PDF/A-2a"
    );
    assert!(
        raw.contains("<pdfuaid:part>1</pdfuaid:part>"),
        "not PDF/UA-1"
    );
    assert!(
        raw.contains("<dc:language>") && raw.contains("ja"),
        "no document language"
    );
}

#[test]
fn agreement_text_and_single_page_has_no_page_number() {
    let d = agreement("株式会社サンプル商事", false);
    let out = write(&d);
    assert_same_text(&d, &out.bytes);
    if out.pages == 1 {
        let text = pdf_text(&out.bytes, Some(1));
        assert!(
            !text.lines().any(|l| l.trim() == "1"),
            "page number on a one-page document"
        );
    }
}

#[test]
fn page_numbers_only_when_more_than_one_page() {
    let one = write(&doc(DocKind::Memorandum, "一枚", vec![para("本文のみ。")]));
    assert_eq!(one.pages, 1);
    assert_eq!(squash(&pdf_text(&one.bytes, None)), "本文のみ。");

    let long: Vec<Block> = (1..=80)
        .map(|i| para(&format!("第{i}段落の本文です。")))
        .collect();
    let d = doc(DocKind::Memorandum, "複数枚", long);
    let out = write(&d);
    assert!(out.pages >= 2, "expected several pages, got {}", out.pages);
    for p in 1..=out.pages as u32 {
        let text = pdf_text(&out.bytes, Some(p));
        let last = text
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or_default();
        assert_eq!(last.trim(), format!("- {p} -"), "page {p} footer");
    }
    assert_same_text(&d, &out.bytes);
}

#[test]
fn landscape_proposal_with_merged_header_cells() {
    let d = proposal();
    let out = write(&d);
    let size = info_field(&pdf_info(&out.bytes, "landscape"), "Page size");
    let dims: Vec<f64> = size
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        dims.len() == 2 && dims[0] > dims[1],
        "not landscape: {size}"
    );
    assert_same_text(&d, &out.bytes);
}

#[test]
fn header_rows_repeat_on_every_page() {
    let mut rows = vec![vec![head("見出し甲"), head("見出し乙")]];
    for i in 0..90 {
        rows.push(vec![cell(&format!("行{i}")), cell("内容")]);
    }
    let d = doc(
        DocKind::Report,
        "長い表",
        vec![Block::Table {
            widths: vec![1, 3],
            header_rows: 1,
            rows,
        }],
    );
    let out = write(&d);
    assert!(out.pages >= 2);
    for p in 1..=out.pages as u32 {
        assert!(
            pdf_text(&out.bytes, Some(p)).contains("見出し甲"),
            "header missing on page {p}"
        );
    }
}

/// Counts strongly yellow pixels of page 1 (rendered as PPM by pdftoppm).
fn yellow_pixels(bytes: &[u8], name: &str) -> usize {
    let path = tmp_pdf(name, bytes);
    let prefix = path.with_extension("");
    run(
        "pdftoppm",
        &[
            "-r",
            "30",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            path.to_str().unwrap(),
            prefix.to_str().unwrap(),
        ],
        None,
    );
    let ppm_path = prefix.with_extension("ppm");
    let ppm = std::fs::read(&ppm_path).unwrap();
    std::fs::remove_file(&path).ok();
    std::fs::remove_file(&ppm_path).ok();
    // Header: "P6\n<w> <h>\n255\n" then RGB triples.
    let mut fields = 0;
    let mut i = 0;
    while fields < 4 {
        while ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        while !ppm[i].is_ascii_whitespace() {
            i += 1;
        }
        fields += 1;
    }
    ppm[i + 1..]
        .chunks(3)
        .filter(|p| p.len() == 3 && p[0] > 200 && p[1] > 200 && p[2] < 120)
        .count()
}

#[test]
fn draft_highlights_register_values() {
    let draft = write(&agreement("株式会社サンプル商事", true));
    let clean = write(&agreement("株式会社サンプル商事", false));
    assert!(
        yellow_pixels(&draft.bytes, "draft") > 50,
        "draft has no yellow highlight"
    );
    assert_eq!(
        yellow_pixels(&clean.bytes, "clean"),
        0,
        "final version is highlighted"
    );
    // Highlighting does not change the text.
    assert_eq!(body_text(&draft.bytes), body_text(&clean.bytes));
}

#[test]
fn font_coverage() {
    let p = pdf();
    assert!(p.covers('伊') && p.covers('勢') && p.covers('㈱') && p.covers('A'));
    assert!(!p.covers('𠮷'), "BIZ UD was expected to lack U+20BB7");
    // `check` sees the same fonts without the layout.
    let c = kyotei::writer::pdf::Coverage::new(&[]).unwrap();
    for ch in ['伊', '勢', '㈱', 'A', '𠮷', '😀'] {
        assert_eq!(c.covers(ch), p.covers(ch), "{ch}");
    }
    assert!(
        p.families().iter().any(|f| f == "BIZ UDMincho"),
        "{:?}",
        p.families()
    );

    // A missing glyph never becomes a silent tofu box: PDF/A refuses it.
    let d = doc(DocKind::Application, "外字", vec![para("𠮷野家")]);
    assert!(p.write(&d, created()).is_err());

    // Debian's fonts-ipamj-mincho, which `.ci/run` installs.
    let ipamj = Path::new("/usr/share/fonts/truetype/ipamj");
    assert!(
        ipamj.is_dir(),
        "{} is missing: apt-get install fonts-ipamj-mincho (bash .ci/run does)",
        ipamj.display()
    );
    let with = Pdf::new(&Assets::new(None), &[ipamj.to_path_buf()]).unwrap();
    assert!(with.covers('𠮷'));
    let out = with.write(&d, created()).expect("IPAmj has 𠮷");
    assert_eq!(squash(&pdf_text(&out.bytes, None)), "𠮷野家");
}

#[test]
fn missing_font_dir_is_an_error() {
    let err = Pdf::new(
        &Assets::new(None),
        &[PathBuf::from("/nonexistent/kyotei-fonts")],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/kyotei-fonts"),
        "{err}"
    );
}

#[test]
fn templates_dir_overrides_the_layout() {
    let dir = std::env::temp_dir().join(format!("kyotei-pdf-layout-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("layout.typ"),
        "#let doc = json(\"/document.json\")\n#set document(title: doc.title)\n#set text(lang: \"ja\", font: \"BIZ UDGothic\")\n上書きレイアウト：#doc.title\n",
    )
    .unwrap();
    let custom = Pdf::new(&Assets::new(Some(&dir)), &[]).unwrap();
    let out = custom
        .write(&doc(DocKind::Report, "題名", vec![]), created())
        .unwrap();
    assert_eq!(
        squash(&pdf_text(&out.bytes, None)),
        "上書きレイアウト：題名"
    );

    // A broken layout is a Writer error that points at the line.
    std::fs::write(
        dir.join("layout.typ"),
        "#set document(title: \"x\")\n\n#panic(\"壊れた\")\n",
    )
    .unwrap();
    let broken = Pdf::new(&Assets::new(Some(&dir)), &[]).unwrap();
    let err = broken
        .write(&doc(DocKind::Report, "題名", vec![]), created())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("PDF") && err.contains("layout.typ:3") && err.contains("壊れた"),
        "{err}"
    );

    // Warnings are passed on (an unknown font family).
    std::fs::write(
        dir.join("layout.typ"),
        "#set document(title: \"x\")\n#set text(lang: \"ja\", font: (\"NoSuchFont\", \"BIZ UDMincho\"))\n本文\n",
    )
    .unwrap();
    let warn = Pdf::new(&Assets::new(Some(&dir)), &[]).unwrap();
    let out = warn
        .write(&doc(DocKind::Report, "題名", vec![]), created())
        .unwrap();
    assert!(
        out.warnings
            .iter()
            .any(|w| w.to_lowercase().contains("nosuchfont")),
        "{:?}",
        out.warnings
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// CPU time (user + system) of this process in seconds, from /proc (Linux), if available.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// Resident memory of this process in MiB, from /proc (Linux), if available.
fn rss_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024)
}

/// Renders the realistic samples; with KYOTEI_PDF_LOOK=DIR also writes them there for a
/// visual check. Prints the time per document (no assertion on time).
#[test]
fn realistic_documents_and_timing() {
    let docs = [
        agreement("株式会社サンプル商事", true),
        agreement("株式会社サンプル商事", false),
        proposal(),
        every_block(),
    ];
    if let Ok(dir) = std::env::var("KYOTEI_PDF_LOOK") {
        std::fs::create_dir_all(&dir).unwrap();
        for (name, d) in ["agreement-draft", "agreement", "proposal", "every-block"]
            .iter()
            .zip(&docs)
        {
            std::fs::write(Path::new(&dir).join(format!("{name}.pdf")), write(d).bytes).unwrap();
        }
    }
    for d in &docs {
        assert_same_text(d, &write(d).bytes);
    }
    // Timing: distinct documents (different names defeat typst's memo of whole documents).
    // The machine may be shared, so the CPU time of the process is printed beside wall time.
    let n: u32 = std::env::var("KYOTEI_PDF_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let rss0 = rss_mib();
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    for i in 0..n {
        let d = if i % 4 == 3 {
            Document {
                title: format!("連携事業提案書{i}"),
                ..proposal()
            }
        } else {
            agreement(&format!("株式会社テスト{i}"), i % 2 == 0)
        };
        pdf().write(&d, created()).unwrap();
    }
    let wall = start.elapsed() / n;
    let cpu = cpu_seconds()
        .zip(cpu0)
        .map(|(b, a)| (b - a) / f64::from(n) * 1000.0);
    eprintln!("PDF: {wall:?} wall, {cpu:.1?} ms CPU per document ({n} documents, one thread)");
    // The same on two threads sharing one Pdf.
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    std::thread::scope(|s| {
        for t in 0..2 {
            s.spawn(move || {
                for i in 0..n / 2 {
                    let d = agreement(&format!("株式会社並列{t}の{i}"), i % 2 == 0);
                    pdf().write(&d, created()).unwrap();
                }
            });
        }
    });
    let wall = start.elapsed() / (n / 2 * 2);
    let cpu = cpu_seconds()
        .zip(cpu0)
        .map(|(b, a)| (b - a) / f64::from(n / 2 * 2) * 1000.0);
    eprintln!("PDF: {wall:?} wall, {cpu:.1?} ms CPU per document on two threads");
    eprintln!(
        "PDF: resident memory {rss0:?} MiB before, {:?} MiB after",
        rss_mib()
    );
}
