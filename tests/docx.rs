//! Tests of the DOCX writer: IR documents built by hand, rendered, unzipped, and the XML
//! parts (document, styles, core properties, footer) checked element by element.

use kyotei::document::ir::{Align, Block, Cell, DocKind, Document, Item, Orientation, Party, Span};
use kyotei::writer::docx;
use quick_xml::events::Event;
use std::io::Read;

// ---------------------------------------------------------------------------------------
// A tiny XML tree for assertions.

#[derive(Debug, Clone)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug, Clone)]
enum Node {
    El(El),
    Text(String),
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn elements(&self) -> impl Iterator<Item = &El> {
        self.children.iter().filter_map(|n| match n {
            Node::El(e) => Some(e),
            Node::Text(_) => None,
        })
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.elements().find(|e| e.name == name)
    }
    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> {
        self.elements().filter(move |e| e.name == name)
    }
    /// All descendants (depth first, document order) with this name.
    fn descendants(&self, name: &str) -> Vec<&El> {
        let mut out = Vec::new();
        fn walk<'a>(e: &'a El, name: &str, out: &mut Vec<&'a El>) {
            for c in e.elements() {
                if c.name == name {
                    out.push(c);
                }
                walk(c, name, out);
            }
        }
        walk(self, name, &mut out);
        out
    }
    fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            match n {
                Node::Text(t) => s.push_str(t),
                Node::El(e) => s.push_str(&e.text()),
            }
        }
        s
    }
    /// The paragraph's visible text: w:t contents, w:br as `\n`.
    fn para_text(&self) -> String {
        let mut s = String::new();
        fn walk(e: &El, s: &mut String) {
            for c in e.elements() {
                match c.name.as_str() {
                    "w:t" => s.push_str(&c.text()),
                    "w:br" if c.attr("w:type").is_none_or(|t| t == "textWrapping") => s.push('\n'),
                    "w:instrText" | "w:rPr" | "w:pPr" => {}
                    _ => walk(c, s),
                }
            }
        }
        walk(self, &mut s);
        s
    }
}

fn parse(xml: &str) -> El {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack = vec![El {
        name: "#root".into(),
        attrs: vec![],
        children: vec![],
    }];
    let el = |e: &quick_xml::events::BytesStart| El {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        children: vec![],
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => stack.push(el(&e)),
            Event::Empty(e) => {
                let e = el(&e);
                stack.last_mut().unwrap().children.push(Node::El(e));
            }
            Event::End(_) => {
                let e = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(Node::El(e));
            }
            Event::Text(t) => {
                let t = t.decode().unwrap().into_owned();
                stack.last_mut().unwrap().children.push(Node::Text(t));
            }
            Event::GeneralRef(r) => {
                let s = if r.is_char_ref() {
                    r.resolve_char_ref().unwrap().unwrap().to_string()
                } else {
                    let name = r.decode().unwrap().into_owned();
                    quick_xml::escape::resolve_predefined_entity(&name)
                        .unwrap()
                        .to_string()
                };
                stack.last_mut().unwrap().children.push(Node::Text(s));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced XML");
    stack.pop().unwrap()
}

/// Every part of the package by name.
fn parts(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        if f.is_dir() {
            continue;
        }
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap();
        out.insert(f.name().to_string(), s);
    }
    out
}

fn part(bytes: &[u8], name: &str) -> El {
    let p = parts(bytes);
    parse(p.get(name).unwrap_or_else(|| panic!("no part {name}")))
}

fn body(bytes: &[u8]) -> El {
    let doc = part(bytes, "word/document.xml");
    doc.child("w:document")
        .unwrap()
        .child("w:body")
        .unwrap()
        .clone()
}

/// Texts of all paragraphs of the body (tables included), in order, empty ones dropped.
fn xml_paragraph_texts(bytes: &[u8]) -> Vec<String> {
    body(bytes)
        .descendants("w:p")
        .into_iter()
        .map(|p| p.para_text())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `plain_text` with empty lines dropped and U+3000 separators written as the ASCII space
/// `plain_text` uses.
fn norm(lines: impl IntoIterator<Item = String>) -> Vec<String> {
    lines
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(|l| l.replace('\u{3000}', " "))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Documents.

fn p(text: &str) -> Block {
    Block::Paragraph {
        align: Align::Left,
        indent: 0,
        hanging: 0,
        first_line: 1,
        text: vec![Span::plain(text)],
    }
}

fn cell(text: &str) -> Cell {
    Cell {
        content: vec![vec![Span::plain(text)]],
        colspan: 1,
        rowspan: 1,
        align: Align::Left,
        header: false,
    }
}

fn hcell(text: &str) -> Cell {
    Cell {
        header: true,
        align: Align::Center,
        ..cell(text)
    }
}

fn doc(kind: DocKind, blocks: Vec<Block>) -> Document {
    Document {
        kind,
        title: "包括連携協定書".into(),
        author: "伊勢崎市".into(),
        orientation: Orientation::Portrait,
        draft: false,
        edition: None,
        issued: None,
        blocks,
    }
}

/// A realistic 協定書: title, preamble, eight articles, closing, signature.
fn agreement(draft: bool) -> Document {
    let partner = "株式会社上州みらい銀行";
    let mut blocks = vec![
        Block::Title(vec![
            vec![
                Span::plain("伊勢崎市と"),
                Span::var(partner),
                Span::plain("との"),
            ],
            vec![Span::plain("包括連携協定書")],
        ]),
        Block::Paragraph {
            align: Align::Left,
            indent: 0,
            hanging: 0,
            first_line: 1,
            text: vec![
                Span::plain("伊勢崎市（以下「甲」という。）と"),
                Span::var(partner),
                Span::plain(
                    "（以下「乙」という。）は、相互の連携を強化し、地域の一層の活性化及び市民サービスの向上を図るため、次のとおり包括連携協定（以下「本協定」という。）を締結する。",
                ),
            ],
        },
    ];
    let articles: [(&str, &str); 8] = [
        (
            "目的",
            "本協定は、甲と乙が緊密な相互連携と協働による活動を推進し、地域の課題に迅速かつ適切に対応し、活力ある個性豊かな地域社会の形成と市民サービスの向上を図ることを目的とする。",
        ),
        (
            "連携事項",
            "甲及び乙は、前条の目的を達成するため、次に掲げる事項について連携し、協力する。",
        ),
        (
            "連携事項の実施",
            "甲及び乙は、前条に規定する事項を効果的に実施するため、定期的に協議を行うものとする。",
        ),
        (
            "経費の負担",
            "本協定に基づく連携事項の実施に要する経費は、原則としてそれぞれが負担するものとする。",
        ),
        (
            "秘密の保持",
            "甲及び乙は、本協定に基づく連携事項の実施に当たり知り得た秘密を、相手方の承諾なく第三者に漏らしてはならない。本協定の終了後も同様とする。",
        ),
        (
            "有効期間",
            "本協定の有効期間は、締結の日から令和9年3月31日までとする。ただし、期間満了の日の1か月前までに甲乙いずれからも書面による終了の申出がないときは、更に1年間更新するものとし、以後も同様とする。",
        ),
        (
            "協定の解除",
            "甲又は乙は、相手方が本協定に違反したときは、書面により通知して本協定を解除することができる。",
        ),
        (
            "協議",
            "本協定に定めのない事項又は本協定の内容に疑義が生じたときは、甲乙協議の上、決定するものとする。",
        ),
    ];
    for (i, (caption, body)) in articles.iter().enumerate() {
        let n = i + 1;
        let items = if n == 2 {
            [
                "子ども・子育て支援に関すること。",
                "地域経済の活性化及び中小企業の振興に関すること。",
                "防災・減災及び災害時の支援に関すること。",
                "その他甲乙が必要と認める事項に関すること。",
            ]
            .iter()
            .enumerate()
            .map(|(j, t)| Item {
                label: format!("{})", j + 1),
                text: vec![Span::plain(*t)],
            })
            .collect()
        } else {
            vec![]
        };
        let paragraphs = if n == 3 {
            vec![vec![
                Span::plain("2　前項の協議は、甲の担当課を"),
                Span::var("企画調整課"),
                Span::plain("とし、乙の担当部署と連絡調整の上、行うものとする。"),
            ]]
        } else {
            vec![]
        };
        blocks.push(Block::Article {
            caption: Some(format!("（{caption}）")),
            number: format!("第{n}条"),
            body: vec![Span::plain(*body)],
            items,
            paragraphs,
        });
    }
    blocks.push(Block::Blank);
    blocks.push(p(
        "本協定の締結を証するため、本書2通を作成し、甲乙記名押印の上、各自1通を保有する。",
    ));
    blocks.push(Block::Signature {
        date: vec![Span::var("令和8年4月1日")],
        parties: vec![
            Party {
                label: "甲".into(),
                lines: vec![
                    vec![Span::plain("群馬県伊勢崎市今泉町二丁目410番地")],
                    vec![Span::plain("伊勢崎市")],
                    vec![Span::plain("伊勢崎市長　臂　泰雄")],
                ],
            },
            Party {
                label: "乙".into(),
                lines: vec![
                    vec![Span::var("群馬県前橋市本町一丁目2番3号")],
                    vec![Span::var(partner)],
                    vec![Span::var("代表取締役社長　上州　太郎")],
                ],
            },
        ],
    });
    Document {
        draft,
        edition: Some("第2版（令和8年9月1日改訂）".into()),
        issued: None,
        ..doc(DocKind::Agreement, blocks)
    }
}

/// A landscape 提案書-like table document with merged cells.
fn proposal() -> Document {
    let mut rows = vec![
        vec![
            Cell {
                rowspan: 2,
                ..hcell("番号")
            },
            Cell {
                colspan: 2,
                ..hcell("連携事業")
            },
            Cell {
                rowspan: 2,
                ..hcell("実施時期")
            },
            Cell {
                rowspan: 2,
                ..hcell("担当課")
            },
        ],
        vec![hcell("事業名"), hcell("内容")],
    ];
    for i in 1..=3 {
        rows.push(vec![
            Cell {
                align: Align::Center,
                ..cell(&i.to_string())
            },
            Cell {
                content: vec![vec![Span::var(format!("事業{i}"))]],
                ..cell("")
            },
            Cell {
                content: vec![
                    vec![Span::plain(format!("事業{i}の内容（1行目）"))],
                    vec![Span::plain("改行を含む\n2行目")],
                ],
                ..cell("")
            },
            if i == 1 {
                Cell {
                    rowspan: 2,
                    ..cell("令和8年度")
                }
            } else {
                cell("令和9年度")
            },
            cell("企画調整課"),
        ]);
    }
    // Row 4 (index 3 of the body) had its 実施時期 covered by the rowspan above: remove it.
    rows[3].remove(3);
    // A row merged across the whole width.
    rows.push(vec![Cell {
        colspan: 5,
        ..cell("備考：本表は提案時点の計画である。")
    }]);
    let mut d = doc(
        DocKind::Proposal,
        vec![
            Block::Title(vec![vec![Span::plain("連携事業提案書")]]),
            Block::Heading(vec![Span::plain("1 提案する連携事業")]),
            Block::Table {
                widths: vec![1, 4, 8, 3, 3],
                header_rows: 2,
                rows,
            },
            Block::Paragraph {
                align: Align::Left,
                indent: 1,
                hanging: 1,
                first_line: 0,
                text: vec![Span::plain(
                    "※　記入欄が不足する場合は、別紙を添付してください。",
                )],
            },
        ],
    );
    d.orientation = Orientation::Landscape;
    d.title = "連携事業提案書".into();
    d
}

// ---------------------------------------------------------------------------------------
// Tests.

#[test]
fn text_order_equals_plain_text() {
    for d in [agreement(false), agreement(true), proposal()] {
        let bytes = docx::write(&d, &Default::default()).unwrap();
        let expected = norm(d.plain_text());
        assert_eq!(norm(xml_paragraph_texts(&bytes)), expected, "{:?}", d.kind);
        // The helper reads the same text back.
        assert_eq!(
            norm(docx::docx_text(&bytes).unwrap()),
            expected,
            "{:?}",
            d.kind
        );
    }
}

#[test]
fn article_layout_and_separators() {
    let bytes = docx::write(&agreement(false), &Default::default()).unwrap();
    let body = body(&bytes);
    let paras = body.descendants("w:p");
    let find = |prefix: &str| {
        *paras
            .iter()
            .find(|p| p.para_text().starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}"))
    };
    // 第1条 body: number, full-width space, text; hanging indent of one character.
    let art = find("第1条");
    assert!(art.para_text().starts_with("第1条\u{3000}本協定は"));
    let ind = art.descendants("w:ind")[0];
    assert_eq!(ind.attr("w:left"), Some("210"));
    assert_eq!(ind.attr("w:hanging"), Some("210"));
    // The caption is indented one character.
    let cap = find("（目的）");
    assert_eq!(cap.descendants("w:ind")[0].attr("w:left"), Some("210"));
    // Items: first line at one character, following lines at two.
    let item = find("1)");
    assert_eq!(
        item.para_text(),
        "1)\u{3000}子ども・子育て支援に関すること。"
    );
    let ind = item.descendants("w:ind")[0];
    assert_eq!(
        (ind.attr("w:left"), ind.attr("w:hanging")),
        (Some("420"), Some("210"))
    );
    // The edition is the first paragraph and right-aligned.
    let first = paras[0];
    assert_eq!(first.para_text(), "第2版（令和8年9月1日改訂）");
    assert_eq!(first.descendants("w:jc")[0].attr("w:val"), Some("right"));
    // Title: centred, gothic, 14 pt, bold.
    let title = find("包括連携協定書");
    assert_eq!(title.descendants("w:jc")[0].attr("w:val"), Some("center"));
    let rpr = title.descendants("w:r")[0].child("w:rPr").unwrap();
    assert_eq!(rpr.child("w:sz").unwrap().attr("w:val"), Some("28"));
    assert!(rpr.child("w:b").is_some());
    assert_eq!(
        rpr.child("w:rFonts").unwrap().attr("w:eastAsia"),
        Some(docx::GOTHIC)
    );
}

#[test]
fn paragraph_indents_in_characters() {
    let d = doc(
        DocKind::Application,
        vec![
            Block::Paragraph {
                align: Align::Left,
                indent: 0,
                hanging: 0,
                first_line: 1,
                text: vec![Span::plain("字下げ")],
            },
            Block::Paragraph {
                align: Align::Left,
                indent: 1,
                hanging: 1,
                first_line: 0,
                text: vec![Span::plain("※　注記")],
            },
            Block::Paragraph {
                align: Align::Right,
                indent: 2,
                hanging: 0,
                first_line: 0,
                text: vec![Span::plain("右寄せ")],
            },
            Block::Paragraph {
                align: Align::Center,
                indent: 0,
                hanging: 0,
                first_line: 0,
                text: vec![Span::plain("中央")],
            },
        ],
    );
    let body = body(&docx::write(&d, &Default::default()).unwrap());
    let paras = body.descendants("w:p");
    let ind = |i: usize| {
        let e = paras[i].descendants("w:ind");
        e.first().map(|e| {
            (
                e.attr("w:left").map(str::to_string),
                e.attr("w:firstLine").map(str::to_string),
                e.attr("w:hanging").map(str::to_string),
            )
        })
    };
    let s = |v: &str| Some(v.to_string());
    assert_eq!(ind(0), Some((s("0"), s("210"), None)));
    assert_eq!(ind(1), Some((s("420"), None, s("210"))));
    assert_eq!(ind(2), Some((s("420"), None, None)));
    assert_eq!(ind(3), None);
    let jc = |i: usize| {
        paras[i].descendants("w:jc")[0]
            .attr("w:val")
            .unwrap()
            .to_string()
    };
    assert_eq!(jc(0), "both");
    assert_eq!(jc(2), "right");
    assert_eq!(jc(3), "center");
}

#[test]
fn merged_cells_and_header_rows() {
    let bytes = docx::write(&proposal(), &Default::default()).unwrap();
    let body = body(&bytes);
    let tbl = &body.descendants("w:tbl")[0];
    // Grid: five columns filling the landscape text width (297 mm - 2 × 25 mm).
    let grid: Vec<u32> = tbl
        .descendants("w:gridCol")
        .iter()
        .map(|g| g.attr("w:w").unwrap().parse().unwrap())
        .collect();
    assert_eq!(grid.len(), 5);
    assert_eq!(grid.iter().sum::<u32>(), 16838 - 2 * 1418);
    assert!(grid[2] > grid[1] && grid[1] > grid[0], "{grid:?}");

    let rows: Vec<&El> = tbl.children_named("w:tr").collect();
    assert_eq!(rows.len(), 6);
    // Every row covers five grid columns (gridSpan counted).
    for (i, r) in rows.iter().enumerate() {
        let cols: u32 = r
            .children_named("w:tc")
            .map(|tc| {
                tc.descendants("w:gridSpan")
                    .first()
                    .map_or(1, |g| g.attr("w:val").unwrap().parse().unwrap())
            })
            .sum();
        assert_eq!(cols, 5, "row {i}");
    }
    let vmerge = |tc: &El| {
        tc.descendants("w:vMerge")
            .first()
            .map(|v| v.attr("w:val").unwrap_or("continue").to_string())
    };
    let tcs = |r: usize| rows[r].children_named("w:tc").cloned().collect::<Vec<El>>();
    // Row 0: 番号 (restart), 連携事業 (gridSpan 2), 実施時期 (restart), 担当課 (restart).
    let r0 = tcs(0);
    assert_eq!(r0.len(), 4);
    assert_eq!(vmerge(&r0[0]).as_deref(), Some("restart"));
    assert_eq!(r0[1].descendants("w:gridSpan")[0].attr("w:val"), Some("2"));
    assert_eq!(vmerge(&r0[2]).as_deref(), Some("restart"));
    // Row 1: continue, 事業名, 内容, continue, continue — the continuation cells inserted.
    let r1 = tcs(1);
    assert_eq!(r1.len(), 5);
    let merges: Vec<_> = r1.iter().map(vmerge).collect();
    assert_eq!(
        merges,
        vec![
            Some("continue".to_string()),
            None,
            None,
            Some("continue".to_string()),
            Some("continue".to_string())
        ]
    );
    assert_eq!(r1[1].descendants("w:p")[0].para_text(), "事業名");
    assert_eq!(r1[0].descendants("w:p")[0].para_text(), "");
    // Body row 1: 令和8年度 restarts; body row 2: the covered cell is a continuation in column 4.
    assert_eq!(vmerge(&tcs(2)[3]).as_deref(), Some("restart"));
    let r3 = tcs(3);
    assert_eq!(r3.len(), 5);
    assert_eq!(vmerge(&r3[3]).as_deref(), Some("continue"));
    assert_eq!(r3[4].descendants("w:p")[0].para_text(), "企画調整課");
    // Last row: one cell over five columns.
    let r5 = tcs(5);
    assert_eq!(r5.len(), 1);
    assert_eq!(r5[0].descendants("w:gridSpan")[0].attr("w:val"), Some("5"));
    // Header rows repeat and are shaded; body rows are not.
    for (i, r) in rows.iter().enumerate() {
        let is_header = r.descendants("w:tblHeader").len() == 1;
        assert_eq!(is_header, i < 2, "row {i}");
        for tc in r.children_named("w:tc") {
            let fill = tc
                .descendants("w:shd")
                .first()
                .and_then(|s| s.attr("w:fill"))
                .map(str::to_string);
            assert_eq!(fill.as_deref() == Some("D9D9D9"), i < 2, "row {i}");
        }
    }
    // Borders on all sides and inside.
    let borders = tbl.descendants("w:tblBorders")[0];
    for b in [
        "w:top",
        "w:left",
        "w:bottom",
        "w:right",
        "w:insideH",
        "w:insideV",
    ] {
        assert_eq!(
            borders.child(b).and_then(|e| e.attr("w:val")),
            Some("single"),
            "{b}"
        );
    }
    // A line break inside a cell paragraph.
    assert!(
        tbl.descendants("w:p")
            .iter()
            .any(|p| p.para_text() == "改行を含む\n2行目")
    );
}

#[test]
fn table_with_too_many_cells_is_an_error() {
    let d = doc(
        DocKind::Report,
        vec![Block::Table {
            widths: vec![1, 1],
            header_rows: 0,
            rows: vec![vec![cell("a"), cell("b"), cell("c")]],
        }],
    );
    let err = docx::write(&d, &Default::default()).unwrap_err();
    assert!(
        matches!(err, kyotei::error::Error::Writer { format: "DOCX", .. }),
        "{err}"
    );
}

#[test]
fn short_rows_are_padded_and_missing_widths_are_equal() {
    let d = doc(
        DocKind::Report,
        vec![Block::Table {
            widths: vec![],
            header_rows: 0,
            rows: vec![vec![cell("a"), cell("b"), cell("c")], vec![cell("d")]],
        }],
    );
    let body = body(&docx::write(&d, &Default::default()).unwrap());
    let grid: Vec<u32> = body
        .descendants("w:gridCol")
        .iter()
        .map(|g| g.attr("w:w").unwrap().parse().unwrap())
        .collect();
    assert_eq!(grid.len(), 3);
    assert!(grid.iter().all(|&w| w.abs_diff(grid[0]) <= 2), "{grid:?}");
    let rows = body.descendants("w:tr");
    assert_eq!(rows[1].children_named("w:tc").count(), 3);
}

#[test]
fn draft_highlights_variables_only() {
    for draft in [false, true] {
        let bytes = docx::write(&agreement(draft), &Default::default()).unwrap();
        let body = body(&bytes);
        let runs = body.descendants("w:r");
        let highlighted: Vec<String> = runs
            .iter()
            .filter(|r| {
                r.descendants("w:highlight")
                    .iter()
                    .any(|h| h.attr("w:val") == Some("yellow"))
            })
            .map(|r| r.para_text())
            .collect();
        if draft {
            assert_eq!(
                highlighted,
                vec![
                    "株式会社上州みらい銀行",
                    "株式会社上州みらい銀行",
                    "企画調整課",
                    "令和8年4月1日",
                    "群馬県前橋市本町一丁目2番3号",
                    "株式会社上州みらい銀行",
                    "代表取締役社長　上州　太郎",
                ]
            );
        } else {
            assert!(highlighted.is_empty(), "{highlighted:?}");
            assert!(body.descendants("w:highlight").is_empty());
        }
    }
}

#[test]
fn underline_spans() {
    let d = doc(
        DocKind::Comparison,
        vec![Block::Paragraph {
            align: Align::Left,
            indent: 0,
            hanging: 0,
            first_line: 0,
            text: vec![
                Span::plain("有効期間は"),
                Span {
                    text: "2年".into(),
                    var: false,
                    underline: true,
                    cell: None,
                },
                Span::plain("とする。"),
            ],
        }],
    );
    let body = body(&docx::write(&d, &Default::default()).unwrap());
    let runs = body.descendants("w:r");
    let underlined: Vec<String> = runs
        .iter()
        .filter(|r| {
            r.descendants("w:u")
                .iter()
                .any(|u| u.attr("w:val") == Some("single"))
        })
        .map(|r| r.para_text())
        .collect();
    assert_eq!(underlined, vec!["2年"]);
}

#[test]
fn page_setup_portrait_and_landscape() {
    let sect = |bytes: &[u8]| body(bytes).child("w:sectPr").unwrap().clone();
    let p = sect(&docx::write(&agreement(false), &Default::default()).unwrap());
    let sz = p.child("w:pgSz").unwrap();
    assert_eq!(
        (sz.attr("w:w"), sz.attr("w:h")),
        (Some("11906"), Some("16838"))
    );
    assert_ne!(sz.attr("w:orient"), Some("landscape"));
    let mar = p.child("w:pgMar").unwrap();
    assert_eq!(mar.attr("w:top"), Some("1701"));
    assert_eq!(mar.attr("w:bottom"), Some("1418"));
    assert_eq!(mar.attr("w:left"), Some("1418"));
    assert_eq!(mar.attr("w:right"), Some("1418"));
    let grid = p.child("w:docGrid").unwrap();
    assert_eq!(
        (grid.attr("w:type"), grid.attr("w:linePitch")),
        (Some("lines"), Some("360"))
    );

    let l = sect(&docx::write(&proposal(), &Default::default()).unwrap());
    let sz = l.child("w:pgSz").unwrap();
    assert_eq!(
        (sz.attr("w:w"), sz.attr("w:h")),
        (Some("16838"), Some("11906"))
    );
    assert_eq!(sz.attr("w:orient"), Some("landscape"));
}

#[test]
fn fonts_and_language_defaults() {
    let bytes = docx::write(&agreement(false), &Default::default()).unwrap();
    let styles = part(&bytes, "word/styles.xml");
    let rpr = styles.descendants("w:rPrDefault")[0]
        .child("w:rPr")
        .unwrap()
        .clone();
    let f = rpr.child("w:rFonts").unwrap();
    for a in ["w:eastAsia", "w:ascii", "w:hAnsi"] {
        assert_eq!(f.attr(a), Some("BIZ UD明朝"), "{a}");
    }
    assert_eq!(rpr.child("w:sz").unwrap().attr("w:val"), Some("21"));
    let lang = rpr.child("w:lang").unwrap();
    assert_eq!(lang.attr("w:eastAsia"), Some("ja-JP"));
    assert_eq!(lang.attr("w:val"), Some("ja-JP"));
    // The font table names both fonts.
    let fonts = part(&bytes, "word/fontTable.xml");
    let names: Vec<&str> = fonts
        .descendants("w:font")
        .iter()
        .filter_map(|f| f.attr("w:name"))
        .collect();
    assert!(
        names.contains(&"BIZ UD明朝") && names.contains(&"BIZ UDゴシック"),
        "{names:?}"
    );
    // Headings are gothic bold.
    let d = doc(
        DocKind::Memorandum,
        vec![Block::Heading(vec![Span::plain("1 目的")])],
    );
    let body = body(&docx::write(&d, &Default::default()).unwrap());
    let r = body.descendants("w:r")[0].child("w:rPr").unwrap().clone();
    assert_eq!(
        r.child("w:rFonts").unwrap().attr("w:eastAsia"),
        Some("BIZ UDゴシック")
    );
    assert_eq!(
        r.child("w:rFonts").unwrap().attr("w:ascii"),
        Some("BIZ UDゴシック")
    );
    assert!(r.child("w:b").is_some());
    assert!(body.descendants("w:keepNext").len() == 1);
}

#[test]
fn font_names_match_bundled_fonts() {
    // The names written must be the family names of the TTFs in fonts/ (the name table,
    // Japanese entries). Search the files' bytes for the UTF-16BE family names.
    let root = env!("CARGO_MANIFEST_DIR");
    for (file, name) in [
        ("BIZUDMincho-Regular.ttf", docx::MINCHO),
        ("BIZUDGothic-Regular.ttf", docx::GOTHIC),
    ] {
        let data = std::fs::read(format!("{root}/fonts/{file}")).unwrap();
        let utf16: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert!(
            data.windows(utf16.len()).any(|w| w == utf16.as_slice()),
            "{name} not in {file}"
        );
    }
}

#[test]
fn core_properties() {
    let mut d = agreement(false);
    d.title = "伊勢崎市と株式会社A&Bとの包括連携協定書".into();
    let core = part(
        &docx::write(&d, &Default::default()).unwrap(),
        "docProps/core.xml",
    );
    let cp = core.child("cp:coreProperties").unwrap();
    assert_eq!(
        cp.child("dc:title").unwrap().text(),
        "伊勢崎市と株式会社A&Bとの包括連携協定書"
    );
    assert_eq!(cp.child("dc:creator").unwrap().text(), "伊勢崎市");
    assert_eq!(cp.child("dc:language").unwrap().text(), "ja-JP");
    assert_eq!(
        cp.child("dcterms:created").unwrap().text(),
        "2000-01-01T00:00:00Z"
    );
}

#[test]
fn footer_has_centred_page_field_only_when_asked() {
    // One page: no footer at all, as the PDF shows no number on a one-page document.
    let single = docx::write(&agreement(false), &Default::default()).unwrap();
    assert!(!parts(&single).contains_key("word/footer1.xml"));
    assert!(
        body(&single)
            .child("w:sectPr")
            .unwrap()
            .descendants("w:footerReference")
            .is_empty()
    );
    let opts = docx::Options { page_numbers: true };
    let bytes = docx::write(&agreement(false), &opts).unwrap();
    let all = parts(&bytes);
    let footer = parse(all.get("word/footer1.xml").expect("footer part"));
    let p = footer.descendants("w:p")[0];
    assert_eq!(p.descendants("w:jc")[0].attr("w:val"), Some("center"));
    let instr: String = p
        .descendants("w:instrText")
        .iter()
        .map(|i| i.text())
        .collect();
    assert_eq!(instr.trim(), "PAGE");
    assert!(p.para_text().starts_with("- ") && p.para_text().ends_with(" -"));
    // The section refers to it.
    let sect = body(&bytes).child("w:sectPr").unwrap().clone();
    assert_eq!(sect.descendants("w:footerReference").len(), 1);
}

#[test]
fn blank_and_page_break() {
    let d = doc(
        DocKind::Report,
        vec![p("一"), Block::Blank, Block::PageBreak, p("二")],
    );
    let body = body(&docx::write(&d, &Default::default()).unwrap());
    let paras = body.children_named("w:p").collect::<Vec<_>>();
    assert_eq!(paras.len(), 4);
    assert_eq!(paras[1].para_text(), "");
    let br = paras[2].descendants("w:br");
    assert_eq!(br.len(), 1);
    assert_eq!(br[0].attr("w:type"), Some("page"));
}

#[test]
fn signature_parties_in_right_half() {
    let bytes = docx::write(&agreement(false), &Default::default()).unwrap();
    let body = body(&bytes);
    let paras = body.descendants("w:p");
    let find = |prefix: &str| {
        *paras
            .iter()
            .find(|p| p.para_text().starts_with(prefix))
            .unwrap()
    };
    let left = |p: &El| -> i32 {
        p.descendants("w:ind")[0]
            .attr("w:left")
            .unwrap()
            .parse()
            .unwrap()
    };
    let first = find("甲\u{3000}群馬県伊勢崎市");
    let second = find("伊勢崎市長");
    let text_width = 11906 - 2 * 1418;
    assert!(
        left(first) >= text_width / 2 - 210 && left(first) < text_width,
        "{}",
        left(first)
    );
    assert_eq!(
        left(first),
        left(second),
        "following lines align with the text after the label"
    );
    assert_eq!(first.descendants("w:ind")[0].attr("w:hanging"), Some("420"));
    // The date is not in the right half.
    assert!(left(find("令和8年4月1日")) < text_width / 4);
    // The block keeps together: every signature line but the last keeps with the next.
    let last = find("伊勢崎市長");
    assert!(!last.descendants("w:keepNext").is_empty());
}

#[test]
fn deterministic_output() {
    let a = docx::write(&agreement(true), &Default::default()).unwrap();
    // Other documents in between move docx-rs' global paragraph counter.
    for _ in 0..3 {
        docx::write(&proposal(), &Default::default()).unwrap();
    }
    let b = docx::write(&agreement(true), &Default::default()).unwrap();
    assert!(a == b, "same IR, different bytes");
    // In another thread (docx-rs' counter is thread-local) as well.
    let c = std::thread::spawn(|| docx::write(&agreement(true), &Default::default()).unwrap())
        .join()
        .unwrap();
    assert!(a == c, "same IR, different bytes in another thread");
    // Paragraph ids are unique within a document.
    let body = body(&a);
    let ids: Vec<&str> = body
        .descendants("w:p")
        .iter()
        .filter_map(|p| p.attr("w14:paraId"))
        .collect();
    let set: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), set.len());
}

#[test]
fn sample_files_for_visual_check() {
    // Writes the samples to $KYOTEI_DOCX_LOOK (if set) for conversion with LibreOffice;
    // always checks they are ZIP packages with a content-types part.
    let dir = std::env::var_os("KYOTEI_DOCX_LOOK");
    let mut long = proposal();
    if let Block::Table { rows, .. } = &mut long.blocks[2] {
        let row = rows[4].clone();
        for _ in 0..12 {
            rows.insert(4, row.clone());
        }
    }
    let samples = [
        ("agreement", agreement(false)),
        ("agreement-draft", agreement(true)),
        ("proposal", proposal()),
        ("long-table", long),
    ];
    for (name, d) in samples {
        let bytes = docx::write(&d, &Default::default()).unwrap();
        assert!(parts(&bytes).contains_key("[Content_Types].xml"));
        if let Some(dir) = &dir {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(
                std::path::Path::new(dir).join(format!("{name}.docx")),
                &bytes,
            )
            .unwrap();
        }
    }
}

#[test]
fn header_rows_counted_per_table() {
    let t = |header_rows: u32| Block::Table {
        widths: vec![1, 1],
        header_rows,
        rows: vec![
            vec![hcell("項目"), hcell("内容")],
            vec![cell("a"), cell("b")],
            vec![
                Cell {
                    header: true,
                    ..cell("小計")
                },
                cell("c"),
            ],
        ],
    };
    let empty = Block::Table {
        widths: vec![1],
        header_rows: 1,
        rows: vec![],
    };
    let d = doc(DocKind::Report, vec![t(0), p("間"), t(1), empty, t(2)]);
    let body = body(&docx::write(&d, &Default::default()).unwrap());
    let tables = body.descendants("w:tbl");
    assert_eq!(tables.len(), 3, "the empty table is left out");
    let marks: Vec<Vec<bool>> = tables
        .iter()
        .map(|t| {
            t.children_named("w:tr")
                .map(|r| !r.descendants("w:tblHeader").is_empty())
                .collect()
        })
        .collect();
    assert_eq!(
        marks,
        vec![
            vec![false, false, false],
            vec![true, false, false],
            vec![true, true, false]
        ]
    );
    // Every row is kept on one page.
    for t in &tables {
        assert!(
            t.children_named("w:tr")
                .all(|r| !r.descendants("w:cantSplit").is_empty())
        );
    }
    // A header cell outside the header rows is still shaded and gothic.
    let tc = tables[0]
        .children_named("w:tr")
        .nth(2)
        .unwrap()
        .children_named("w:tc")
        .next()
        .unwrap();
    assert_eq!(tc.descendants("w:shd")[0].attr("w:fill"), Some("D9D9D9"));
    assert_eq!(
        tc.descendants("w:rFonts")[0].attr("w:eastAsia"),
        Some(docx::GOTHIC)
    );
}
