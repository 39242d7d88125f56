//! The documents' wording against the guideline (参考資料), built from a register made by
//! hand.

use crate::common::model::d as date;
use kyotei::date::Date;
use kyotei::document::assets::Assets;
use kyotei::document::build::{self, Options};
use kyotei::document::ir::{Align, Block, DocKind, Document, Orientation, Span};
use kyotei::document::markup::Templates;
use kyotei::guideline::profile::Profile;
use kyotei::model::*;

const ID: &str = "R8-001";
const COMPANY: &str = "株式会社サンプル";
const EVIL: &str = "株式会社#panic(\"x\")*太字*$x$]|列|\n@title 偽の表題 {{ x }} <u>下線</u>";

fn at(sheet: &'static str) -> CellRef {
    CellRef::new(sheet, 2, 0)
}
fn t(sheet: &'static str, s: &str) -> Text {
    Located {
        value: s.to_string(),
        cell: at(sheet),
    }
}
fn ot(sheet: &'static str, s: &str) -> Option<Text> {
    Some(t(sheet, s))
}
fn od(y: i32, m: u32, d: u32) -> Option<Located<Date>> {
    Some(Located {
        value: date(y, m, d),
        cell: at(sheet::AGREEMENTS),
    })
}

fn agreement(company: &str) -> Agreement {
    let a = sheet::AGREEMENTS;
    Agreement {
        row: 2,
        id: t(a, ID),
        key: kyotei::model::AgreementKey::of(ID),
        company: t(a, company),
        address: ot(a, "群馬県伊勢崎市本町1番地"),
        rep_title: ot(a, "代表取締役社長"),
        rep_name: ot(a, "山田太郎"),
        contact_name: ot(a, "佐藤花子"),
        contact_phone: ot(a, "0270-00-0000"),
        contact_email: ot(a, "sato@example.jp"),
        applied_on: od(2026, 2, 10),
        apply_purpose: ot(a, "地域の子育て支援と防災に貢献するため。"),
        apply_other: None,
        purpose: ot(a, "子育て支援、教育、防災"),
        signed_on: od(2026, 4, 1),
        starts_on: None,
        ends_on: None,
        seal: SealStyle::署名捺印,
        terminated_on: None,
        termination_reason: None,
        amended_on: None,
        memo_on: None,
        memo_revised_on: None,
    }
}

fn field_row(field: FieldId, wording: Option<&str>) -> FieldRow {
    FieldRow {
        row: 2,
        agreement: t(sheet::FIELDS, ID),
        field: Located {
            value: field,
            cell: at(sheet::FIELDS),
        },
        wording: wording.map(|w| t(sheet::FIELDS, w)),
        wording_cell: kyotei::model::CellRef::new(sheet::FIELDS, 2, 2),
    }
}

fn project(number: u32, field: FieldId, content: &str) -> Project {
    let s = sheet::PROJECTS;
    Project {
        row: number + 1,
        agreement: t(s, ID),
        number: Some(Located {
            value: number,
            cell: at(s),
        }),
        field: Some(Located {
            value: field,
            cell: at(s),
        }),
        content: ot(s, content),
        evaluation: None,
        comment: None,
        department: None,
        division: None,
        contact: None,
        city_pays: Located {
            value: false,
            cell: at(s),
        },
        prohibited: None,
    }
}

fn memo(field: Option<&str>, project: &str, division: &str) -> MemoRow {
    let s = sheet::MEMO;
    MemoRow {
        row: 2,
        agreement: t(s, ID),
        field: field.map(|f| t(s, f)),
        project: ot(s, project),
        division: ot(s, division),
    }
}

fn register(company: &str) -> Register {
    let s = sheet::RESULTS;
    Register {
        settings: Profile::isesaki().settings(),
        agreements: vec![agreement(company)],
        requirements: vec![],
        // Out of order on purpose; ⑬ with its 協定書表記.
        fields: vec![
            field_row(6, None),
            field_row(0, None),
            field_row(12, Some("デジタル化の推進に関すること。")),
            field_row(1, None),
            field_row(9, None),
        ],
        projects: vec![
            project(2, 1, "出前講座の実施"),
            project(1, 0, "子育てイベントへの協力"),
        ],
        memo: vec![
            memo(
                Some("高齢者、障がい者及び子どもの支援に関すること"),
                "高齢者の異変等を発見したとき。",
                "長寿社会部高齢政策課",
            ),
            memo(
                Some("高齢者、障がい者及び子どもの支援に関すること"),
                "子どもの異変等を発見したとき。",
                "福祉こども部こども家庭センター",
            ),
            memo(
                None,
                "市営住宅入居者の異変等を発見したとき。",
                "建設部住宅課",
            ),
            memo(
                Some("防災・災害対策及び防犯に関すること"),
                "道路等の異状を発見したとき。",
                "建設部道路管理課",
            ),
            memo(
                Some("防災・災害対策及び防犯に関すること"),
                "危険な家屋を発見したとき。",
                "都市計画部建築指導課",
            ),
        ],
        publicity: vec![Publicity {
            row: 2,
            agreement: t(sheet::PUBLICITY, ID),
            project: ot(sheet::PUBLICITY, "チラシの配架"),
            copies: Some(Located {
                value: 300,
                cell: at(sheet::PUBLICITY),
            }),
            note: ot(sheet::PUBLICITY, "店頭に配架"),
        }],
        contacts: vec![],
        reports: vec![Report {
            row: 2,
            agreement: t(s, ID),
            number: t(s, "1"),
            field: Some(Located {
                value: 0,
                cell: at(s),
            }),
            name: ot(s, "子育て応援フェア"),
            starts_on: od(2026, 7, 1),
            ends_on: od(2026, 7, 2),
            place: ot(s, "伊勢崎市文化会館"),
            content: ot(s, "親子向けの体験ブースを出展"),
            participants: Some(Located {
                value: 120,
                cell: at(s),
            }),
            outcome: ot(s, "子育て世帯への情報提供ができた。"),
            next_steps: ot(s, "来年度も継続する。"),
            department: ot(s, "福祉こども部"),
            division: ot(s, "こども保育課"),
            person: ot(s, "鈴木一郎"),
            reported_on: od(2026, 8, 1),
            city_cost: Some(Located {
                value: 12000,
                cell: at(s),
            }),
        }],
        ..Register::default()
    }
}

fn templates() -> Templates {
    Templates::new(&Assets::default()).unwrap()
}

fn build(reg: &Register, draft: bool) -> Vec<(String, Document)> {
    build::build_all(
        &templates(),
        reg,
        &reg.agreements[0],
        &Profile::isesaki(),
        &Options { draft },
    )
    .unwrap()
    .into_iter()
    .map(|b| (b.stem, b.doc))
    .collect()
}

fn doc(reg: &Register, stem: &str) -> Document {
    build(reg, false)
        .into_iter()
        .find(|(s, _)| s == stem)
        .unwrap()
        .1
}

fn has(lines: &[String], expected: &str) {
    assert!(
        lines.iter().any(|l| l == expected),
        "missing line:\n{expected}\nin:\n{}",
        lines.join("\n")
    );
}

/// Every span of a document, in reading order.
fn spans(d: &Document) -> Vec<Span> {
    let mut out = Vec::new();
    for b in &d.blocks {
        match b {
            Block::Title(lines) => lines.iter().for_each(|l| out.extend(l.iter().cloned())),
            Block::Heading(t) | Block::Paragraph { text: t, .. } => out.extend(t.iter().cloned()),
            Block::Article {
                body,
                items,
                paragraphs,
                ..
            } => {
                out.extend(body.iter().cloned());
                items
                    .iter()
                    .for_each(|i| out.extend(i.text.iter().cloned()));
                paragraphs
                    .iter()
                    .for_each(|p| out.extend(p.iter().cloned()));
            }
            Block::Table { rows, .. } => {
                for cell in rows.iter().flatten() {
                    cell.content
                        .iter()
                        .for_each(|p| out.extend(p.iter().cloned()));
                }
            }
            Block::Signature { date, parties } => {
                out.extend(date.iter().cloned());
                for p in parties {
                    p.lines.iter().for_each(|l| out.extend(l.iter().cloned()));
                }
            }
            Block::Blank | Block::PageBreak => {}
        }
    }
    out
}

fn tables(d: &Document) -> Vec<&Block> {
    d.blocks
        .iter()
        .filter(|b| matches!(b, Block::Table { .. }))
        .collect()
}

// The fixed sentences of the guideline's 協定書（雛形）, copied from the guideline.
const ARTICLES_4_TO_8: &[&str] = &[
    "（協定の解除）",
    "第4条 甲又は乙のいずれかが本協定の解除を希望する場合は、甲乙協議の上、解除予定日の1箇月前までに書面をもって相手方に通知することにより、本協定を解除できるものとする。",
    "（協定の見直し）",
    "第5条 甲又は乙のいずれかが、本協定の内容について変更を申し出たときは、その都度甲乙協議の上、変更を行うものとする。",
    "（守秘義務）",
    "第6条 甲及び乙は、本協定に基づく活動において知り得た秘密については、本協定の有効期間中及び有効期間終了後を問わず、第三者に漏らさず、また、本協定の目的外に利用してはならない。ただし、事前に相手方の承諾を得た場合は、この限りではない。",
    "（免責）",
    "第7条 甲及び乙は、本協定に基づく連携として情報を提供した事項に関し生じた問題等については、その責を負わないものとする。",
    "（その他）",
    "第8条 本協定に定めのない事項又は本協定の解釈に関する疑義が生じた場合は、甲乙協議の上、これを決定するものとする。",
];

#[test]
fn agreement_follows_the_template_word_for_word() {
    let reg = register(COMPANY);
    let d = doc(&reg, "協定書");
    assert_eq!(d.kind, DocKind::Agreement);
    assert_eq!(d.author, "伊勢崎市");
    assert!(!d.draft);
    assert_eq!(d.title, "伊勢崎市と株式会社サンプルとの包括連携協定書");
    let l = d.plain_text();
    let expected = [
        "伊勢崎市と株式会社サンプルとの包括連携協定書",
        "伊勢崎市（以下「甲」という。）と株式会社サンプル（以下「乙」という。）は、以下のとおり包括連携協定（以下「本協定」という。）を締結する。",
        "（目的）",
        "第1条 本協定は、甲及び乙が、子育て支援、教育、防災等、相互の連携強化を図ることにより、地域の成長及び発展並びに市民サービスのより一層の向上に資することを目的とする。",
        "（連携事項）",
        "第2条 甲及び乙は、前条の目的を達成するため、次に掲げる事項について連携し、協力する。",
        "1) 子ども・子育て支援に関すること。",
        "2) 学校教育・生涯学習に関すること。",
        "3) 防犯・防災に関すること。",
        "4) シティプロモーションに関すること。",
        "5) デジタル化の推進に関すること。",
        "6) 前各号に掲げるもののほか、前条の目的を達成するために必要な事項に関すること。",
        "2 甲及び乙は、前項各号に定める連携事項に係る取組を効果的に推進するため、必要に応じて協議を行うものとし、取組毎に別途取り決めるものとする。",
        "（協定の有効期間）",
        "第3条 本協定の有効期間は、締結の日から翌年3月31日までとする。ただし、有効期間満了の日の1箇月前までに、甲及び乙のいずれからも特段の申出がない場合は、当該期間の満了の翌日から起算して1年間、この協定を更新するものとし、以降もまた同様とする。",
    ];
    assert_eq!(&l[..expected.len()], &expected[..], "{}", l.join("\n"));
    assert_eq!(&l[expected.len()..expected.len() + 10], ARTICLES_4_TO_8);
    let rest = &l[expected.len() + 10..];
    assert_eq!(
        rest,
        [
            "本協定の締結を証するため、本書2通を作成し、甲乙それぞれ「署名捺印」の上、各自の1通を保有する。",
            "令和8年4月1日",
            "甲 群馬県伊勢崎市今泉町二丁目410番地",
            "伊勢崎市",
            "市長",
            "乙 群馬県伊勢崎市本町1番地",
            "株式会社サンプル",
            "代表取締役社長　山田太郎",
        ]
    );
    // The template's editor notes are not reproduced.
    assert!(
        !l.iter()
            .any(|x| x.contains("黄色の網掛け") || x.contains("場合によっては"))
    );
    // Items are the agreement's choices (var); the closing item is fixed wording.
    let Some(Block::Article { items, .. }) = d
        .blocks
        .iter()
        .find(|b| matches!(b, Block::Article { number, .. } if number == "第2条"))
    else {
        panic!()
    };
    assert!(items[..5].iter().all(|i| i.text.iter().all(|s| s.var)));
    assert!(items[5].text.iter().all(|s| !s.var));
    assert_eq!(
        items.iter().map(|i| i.label.as_str()).collect::<Vec<_>>(),
        ["1)", "2)", "3)", "4)", "5)", "6)"]
    );
}

#[test]
fn agreement_variants_term_seal_and_blank_date() {
    let mut reg = register(COMPANY);
    {
        let a = &mut reg.agreements[0];
        a.starts_on = od(2026, 5, 1);
        a.ends_on = od(2027, 9, 30);
        a.seal = SealStyle::記名押印;
        a.signed_on = None;
        a.purpose = ot(sheet::AGREEMENTS, "子育て支援、教育、防災等");
    }
    reg.settings.mayor_name = "臂泰雄".into();
    let l = doc(&reg, "協定書").plain_text();
    has(
        &l,
        "第1条 本協定は、甲及び乙が、子育て支援、教育、防災等、相互の連携強化を図ることにより、地域の成長及び発展並びに市民サービスのより一層の向上に資することを目的とする。",
    );
    has(
        &l,
        "第3条 本協定の有効期間は、令和8年5月1日から令和9年9月30日までとする。ただし、有効期間満了の日の1箇月前までに、甲及び乙のいずれからも特段の申出がない場合は、当該期間の満了の翌日から起算して1年間、この協定を更新するものとし、以降もまた同様とする。",
    );
    has(
        &l,
        "本協定の締結を証するため、本書2通を作成し、甲乙それぞれ「記名押印」の上、各自の1通を保有する。",
    );
    has(&l, "令和　年　月　日");
    has(&l, "市長　臂泰雄");
}

#[test]
fn draft_titles_end_with_an_and_mark_variables() {
    let reg = register(COMPANY);
    let all = build(&reg, true);
    let stems: Vec<&str> = all.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        stems,
        [
            "申出書",
            "連携事業提案書",
            "協定書",
            "申し合わせ事項",
            "実績報告書_1"
        ]
    );
    for (stem, d) in &all {
        assert!(d.draft, "{stem}");
        assert!(d.title.ends_with("（案）"), "{stem}: {}", d.title);
        let Some(Block::Title(lines)) = d.blocks.iter().find(|b| matches!(b, Block::Title(_)))
        else {
            panic!("{stem}")
        };
        assert!(
            kyotei::document::ir::inline_text(lines.last().unwrap()).ends_with("（案）"),
            "{stem}"
        );
        assert!(spans(d).iter().any(|s| s.var), "{stem}");
    }
    let agreement = &all[2].1;
    assert_eq!(
        agreement.title,
        "伊勢崎市と株式会社サンプルとの包括連携協定書（案）"
    );
    let Block::Title(lines) = &agreement.blocks[0] else {
        panic!()
    };
    // The company's span knows its cell; the rest of the title is the template's.
    assert_eq!(lines[0][1].cell.as_deref(), Some("協定!A2"));
    let uncelled: Vec<Span> = lines[0]
        .iter()
        .map(|s| Span {
            cell: None,
            ..s.clone()
        })
        .collect();
    assert_eq!(
        uncelled,
        vec![
            Span::plain("伊勢崎市と"),
            Span::var(COMPANY),
            Span::plain("との包括連携協定書（案）")
        ]
    );
    let memo = &all[3].1;
    let Some(Block::Title(lines)) = memo.blocks.iter().find(|b| matches!(b, Block::Title(_)))
    else {
        panic!()
    };
    assert_eq!(lines.len(), 2);
    assert_eq!(
        kyotei::document::ir::inline_text(&lines[0]),
        "伊勢崎市と株式会社サンプルとの包括連携協定に定める"
    );
    assert_eq!(
        kyotei::document::ir::inline_text(&lines[1]),
        "連携事項の実施に関する申し合わせ事項（案）"
    );
}

#[test]
fn application_fills_the_form() {
    let reg = register(COMPANY);
    let d = doc(&reg, "申出書");
    assert_eq!(d.kind, DocKind::Application);
    assert!(
        matches!(&d.blocks[0], Block::Paragraph { align: Align::Right, text, .. } if kyotei::document::ir::inline_text(text) == "令和8年2月10日")
    );
    let l = d.plain_text();
    let order = [
        "令和8年2月10日",
        "(宛先) 伊勢崎市市長戦略部戦略推進課",
        "企業等名 株式会社サンプル",
        "代表者名 代表取締役社長　山田太郎",
        "担当者名 佐藤花子",
        "連絡先 電話：0270-00-0000 Email：sato@example.jp",
        "伊勢崎市との包括連携協定の締結について（申出書）",
        "1 目的",
        "地域の子育て支援と防災に貢献するため。",
        "2 連携事項案",
        "① 子ども・子育て支援に関すること。",
        "② 学校教育・生涯学習に関すること。",
        "③ 防犯・防災に関すること。",
        "④ シティプロモーションに関すること。",
        "⑤ その他、企業等の特性により連携事業が実施できる分野に関すること。（デジタル化の推進に関すること。）",
        "(3以上の分野に係る連携事項の実施(予定含む))",
        "3 連携事業の提案",
        "別紙「連携事業提案書」のとおり",
        "4 その他",
    ];
    let mut pos = 0;
    for e in order {
        pos += l[pos..]
            .iter()
            .position(|x| x == e)
            .unwrap_or_else(|| panic!("{e} (in order) in\n{}", l.join("\n")));
    }
    assert!(!l.iter().any(|x| x.contains("記入してください")
        || x.contains("記載してください")
        || x.contains("添付してください")));
}

#[test]
fn proposal_has_the_form_headers_and_eight_rows() {
    let reg = register(COMPANY);
    let d = doc(&reg, "連携事業提案書");
    assert_eq!(d.orientation, Orientation::Landscape);
    let l = d.plain_text();
    has(&l, "連携事業提案書");
    has(&l, "※市の意見等の評価");
    has(
        &l,
        "○ = 実現可能性あり × = 実現不可 △ = 提案事項の調整（代替案）により実現可能性があるもの",
    );
    has(&l, "事業者名 株式会社サンプル");
    has(&l, "市が記入しますので、記入不要です。");
    let [
        Block::Table {
            widths,
            header_rows,
            rows,
        },
    ] = tables(&d)[..]
    else {
        panic!()
    };
    assert_eq!(widths.len(), 8);
    assert_eq!(*header_rows, 3);
    let text = |c: &kyotei::document::ir::Cell| {
        c.content
            .iter()
            .map(|p| kyotei::document::ir::inline_text(p))
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        rows[0]
            .iter()
            .map(|c| (text(c), c.colspan))
            .collect::<Vec<_>>(),
        [("連携事業の提案".into(), 3), ("市の意見等".into(), 5)]
    );
    assert_eq!(
        rows[1].iter().map(text).collect::<Vec<_>>(),
        [
            "",
            "連携事項",
            "事業内容",
            "評価",
            "コメント ※提案内容へのご質問など",
            "担当部署"
        ]
    );
    assert_eq!(
        rows[2].iter().map(text).collect::<Vec<_>>(),
        ["部", "課", "担当者・連絡先"]
    );
    assert!(rows[..3].iter().flatten().all(|c| c.header));
    let body = &rows[3..];
    assert_eq!(body.len(), 8);
    let marks: Vec<String> = body.iter().map(|r| text(&r[0])).collect();
    assert_eq!(marks, ["①", "②", "③", "④", "⑤", "⑥", "⑦", "⑧"]);
    // 番号 order: 1 before 2 although the sheet lists 2 first.
    assert_eq!(text(&body[0][1]), "子ども・子育て支援に関すること。");
    assert_eq!(text(&body[0][2]), "子育てイベントへの協力");
    assert_eq!(text(&body[1][2]), "出前講座の実施");
    assert!(
        body[2..]
            .iter()
            .all(|r| r.len() == 8 && r[1..].iter().all(|c| c.content.is_empty()))
    );

    // Ten projects: ten rows; once the city has evaluated, the note for the company goes.
    let mut reg = register(COMPANY);
    reg.projects = (1..=10).map(|n| project(n, 9, "PR動画の制作")).collect();
    reg.projects[0].evaluation = Some(Located {
        value: Evaluation::Feasible,
        cell: at(sheet::PROJECTS),
    });
    reg.projects[0].department = ot(sheet::PROJECTS, "市長戦略部");
    let d = doc(&reg, "連携事業提案書");
    let [Block::Table { rows, .. }] = tables(&d)[..] else {
        panic!()
    };
    assert_eq!(rows.len(), 13);
    assert_eq!(text(&rows[12][0]), "⑩");
    assert_eq!(text(&rows[3][3]), "○");
    assert_eq!(text(&rows[3][5]), "市長戦略部");
    assert!(!d.plain_text().iter().any(|x| x.contains("記入不要")));
}

#[test]
fn memorandum_merges_rows_and_corrects_the_slips() {
    let mut reg = register(COMPANY);
    reg.agreements[0].memo_revised_on = od(2026, 9, 1);
    let d = doc(&reg, "申し合わせ事項");
    assert_eq!(d.edition.as_deref(), Some("令和8年9月1日改訂"));
    let l = d.plain_text();
    for e in [
        "伊勢崎市と株式会社サンプルとの包括連携協定に定める",
        "連携事項の実施に関する申し合わせ事項",
        "伊勢崎市（以下「甲」という。）と株式会社サンプル（以下「乙」という。）において、令和8年4月1日付締結の包括連携協定に定める連携事項の実施に関し、以下のとおり申し合わせ事項として定める。",
        "1. 乙が行う業務活動における連携協力",
        "情報の提供先の担当課については、以下のとおりとする。",
        "2. 甲が実施するイベント事業等の周知に係る連携協力",
        "乙の業務活動におけるチラシの配布数については、以下のとおりとする。",
        "300部",
        "※チラシ配架及びポスター掲出については、要相談の上、実施することとする。",
        "3. その他",
        "本申し合わせ事項に変更等が生じた場合には、その都度、情報を更新し、共有することとする。",
        "また、本申し合わせ事項以外の連携事業の実施にあたっては、別途、甲と乙において協議し、実施するものとする。",
        "4. 包括連携協定に関する担当窓口",
        "市長戦略部戦略推進課 戦略係 電話：0270-27-6281 Email：senryaku@city.isesaki.lg.jp",
        "※なお、個別事業の実施にあたっては、当該事業の担当者との協議によることとする。",
    ] {
        has(&l, e);
    }
    assert!(
        !l.iter()
            .any(|x| x.contains("全庁的に共通事項") || x.contains("全庁周知"))
    );
    let tb = tables(&d);
    assert_eq!(tb.len(), 3);
    let Block::Table { rows, .. } = tb[0] else {
        panic!()
    };
    let heads: Vec<String> = rows[0]
        .iter()
        .map(|c| kyotei::document::ir::inline_text(&c.content[0]))
        .collect();
    assert_eq!(heads, ["連携事項", "連携事業", "担当課"]);
    // Three rows of the first 連携事項 (the blank one continues it), two of the second.
    assert_eq!(rows.len(), 6);
    assert_eq!((rows[1].len(), rows[1][0].rowspan), (3, 3));
    assert_eq!((rows[2].len(), rows[3].len()), (2, 2));
    assert_eq!(
        kyotei::document::ir::inline_text(&rows[3][0].content[0]),
        "市営住宅入居者の異変等を発見したとき。"
    );
    assert_eq!((rows[4].len(), rows[4][0].rowspan), (3, 2));
    assert_eq!(
        kyotei::document::ir::inline_text(&rows[4][0].content[0]),
        "防災・災害対策及び防犯に関すること"
    );
    // Contacts: the city from 設定, the company from its 担当者.
    let Block::Table { rows, .. } = tb[2] else {
        panic!()
    };
    let heads: Vec<String> = rows[0]
        .iter()
        .map(|c| {
            c.content
                .iter()
                .map(|p| kyotei::document::ir::inline_text(p))
                .collect()
        })
        .collect();
    assert_eq!(heads, ["", "担当者", "連絡先"]);
    assert_eq!(
        kyotei::document::ir::inline_text(&rows[1][0].content[0]),
        "伊勢崎市"
    );
    assert_eq!(
        kyotei::document::ir::inline_text(&rows[1][1].content[0]),
        "市長戦略部戦略推進課"
    );
    assert_eq!(
        kyotei::document::ir::inline_text(&rows[2][0].content[0]),
        COMPANY
    );
    assert_eq!(
        kyotei::document::ir::inline_text(&rows[2][1].content[0]),
        "佐藤花子"
    );
    assert_eq!(
        kyotei::document::ir::inline_text(&rows[2][2].content[0]),
        "電話：0270-00-0000 Email：sato@example.jp"
    );

    // A 担当窓口 row for the city replaces the settings.
    reg.contacts.push(Contact {
        row: 2,
        agreement: t(sheet::CONTACTS, ID),
        party: Located {
            value: Party::市,
            cell: at(sheet::CONTACTS),
        },
        office: ot(sheet::CONTACTS, "福祉こども部こども保育課"),
        person: ot(sheet::CONTACTS, "高橋"),
        phone: ot(sheet::CONTACTS, "0270-11-1111"),
        email: None,
    });
    let l = doc(&reg, "申し合わせ事項").plain_text();
    has(&l, "福祉こども部こども保育課 電話：0270-11-1111");
    has(&l, "高橋");
    assert!(!l.iter().any(|x| x.contains("senryaku@")));

    // Without rows of 周知協力, the form's two rows.
    reg.publicity.clear();
    let d = doc(&reg, "申し合わせ事項");
    let Block::Table { rows, .. } = tables(&d)[1] else {
        panic!()
    };
    let cells: Vec<String> = rows[1..]
        .iter()
        .flatten()
        .map(|c| {
            c.content
                .iter()
                .map(|p| kyotei::document::ir::inline_text(p))
                .collect()
        })
        .collect();
    assert_eq!(
        cells,
        ["チラシの配架", "部", "", "ポスターの掲出", "部", ""]
    );
}

#[test]
fn report_lists_the_results() {
    let reg = register(COMPANY);
    let d = doc(&reg, "実績報告書_1");
    assert_eq!(d.kind, DocKind::Report);
    let l = d.plain_text();
    let order = [
        "令和8年8月1日",
        "(宛先) 伊勢崎市市長戦略部戦略推進課",
        "担当部署 福祉こども部 こども保育課",
        "担当者 鈴木一郎",
        "包括連携協定に係る実績報告書",
        "包括連携協定に基づく連携事業を実施したので、下記のとおり報告します。",
        "記",
        "項目",
        "内容",
        "協定企業等名",
        COMPANY,
        "連携事項",
        "子ども・子育て支援に関すること。",
        "事業名",
        "子育て応援フェア",
        "実施期間",
        "令和8年7月1日から令和8年7月2日まで",
        "実施場所",
        "伊勢崎市文化会館",
        "事業内容",
        "親子向けの体験ブースを出展",
        "参加者数",
        "120人",
        "成果",
        "子育て世帯への情報提供ができた。",
        "課題・今後の予定",
        "来年度も継続する。",
        "市の費用負担",
        "12,000円",
    ];
    assert_eq!(&l[..order.len()], &order[..], "{}", l.join("\n"));
    let mut reg = reg;
    reg.reports[0].city_cost = None;
    has(&doc(&reg, "実績報告書_1").plain_text(), "なし");
}

#[test]
fn injected_company_name_prints_exactly_and_only_as_data() {
    let clean = register(COMPANY);
    let evil = register(EVIL);
    let normal = build(&clean, true);
    for (i, (stem, d)) in build(&evil, true).iter().enumerate() {
        // Same structure as with an ordinary name: nothing in the name became markup.
        assert_eq!(d.blocks.len(), normal[i].1.blocks.len(), "{stem}");
        assert_eq!(d.edition, normal[i].1.edition, "{stem}");
        let sp = spans(d);
        assert!(
            sp.iter().any(|s| s.var && s.text == EVIL),
            "{stem}: exact name as one var span"
        );
        for s in sp.iter().filter(|s| !s.var) {
            for piece in [
                "#panic",
                "*太字*",
                "$x$",
                "|列|",
                "偽の表題",
                "{{",
                "<u>",
                "下線",
            ] {
                assert!(
                    !s.text.contains(piece),
                    "{stem}: {piece} outside a var span: {:?}",
                    s.text
                );
            }
        }
        assert!(sp.iter().all(|s| !s.underline), "{stem}");
    }
    let d = doc(&evil, "協定書");
    assert_eq!(d.title, format!("伊勢崎市と{EVIL}との包括連携協定書"));
    has(
        &d.plain_text(),
        &format!(
            "伊勢崎市（以下「甲」という。）と{EVIL}（以下「乙」という。）は、以下のとおり包括連携協定（以下「本協定」という。）を締結する。"
        ),
    );
    // The token characters themselves are removed from user data.
    let odd = register("株式会社\u{E000}0\u{E001}テスト");
    assert_eq!(
        doc(&odd, "協定書").title,
        "伊勢崎市と株式会社0テストとの包括連携協定書"
    );
}

#[test]
fn no_document_repeats_the_guidelines_slips() {
    let mut reg = register(COMPANY);
    reg.publicity.clear();
    for (stem, d) in build(&reg, false).iter().chain(build(&reg, true).iter()) {
        for l in d.plain_text() {
            for slip in [
                "资",
                "参 考",
                "シニアプロモーション",
                "丙",
                "配架及ポスター",
            ] {
                assert!(!l.contains(slip), "{stem}: {slip} in {l}");
            }
        }
    }
}

#[test]
fn comparison_stub_underlines_changes() {
    let rows = vec![(
        vec![
            Span::plain("有効期間は、"),
            Span {
                text: "令和9年3月31日".into(),
                var: true,
                underline: true,
                cell: None,
            },
        ],
        vec![
            Span::plain("有効期間は、"),
            Span {
                text: "翌年3月31日".into(),
                var: false,
                underline: true,
                cell: None,
            },
        ],
    )];
    let d = build::comparison(
        &templates(),
        &Profile::isesaki().settings(),
        "第3条",
        &rows,
        false,
        &Options { draft: false },
    )
    .unwrap();
    assert_eq!(d.kind, DocKind::Comparison);
    assert_eq!(d.author, "伊勢崎市");
    let [
        Block::Table {
            rows, header_rows, ..
        },
    ] = tables(&d)[..]
    else {
        panic!()
    };
    assert_eq!(*header_rows, 1);
    assert_eq!(
        rows[1][0].content[0][1],
        Span {
            text: "令和9年3月31日".into(),
            var: true,
            underline: true,
            cell: None,
        }
    );
    assert!(rows[1][1].content[0][1].underline);
    assert!(!rows[1][1].content[0][0].underline);
    has(&d.plain_text(), "第3条");
}
