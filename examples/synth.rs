//! Writes a synthetic register of N clean agreements for the benchmark (`bench/run.sh`):
//! each agreement has 4–8 fields, 8 projects, 6 memorandum rows and 5 results, with
//! realistic Japanese text that varies from one agreement to the next.
//!
//! `cargo run --release --example synth -- N FILE [RESULTS] [--edit-one]`: RESULTS results per
//! agreement instead of 5 (the benchmark's `report` row uses 2); `--edit-one` renames the first
//! agreement's company (the benchmark's edit of one agreement).

use kyotei::date::Date;
use kyotei::forms::blank::{self, Rows, named_row};
use kyotei::guideline::profile::Profile;
use kyotei::model::sheet;
use kyotei::writer::xlsx::{self, CellValue};

fn t(s: &str) -> CellValue {
    CellValue::from(s)
}

fn d(y: i32, m: u32, day: u32) -> CellValue {
    CellValue::Date(Date::new(y, m, day).expect("valid date"))
}

fn n(v: i64) -> CellValue {
    CellValue::Int(v)
}

const COMPANIES: &[&str] = &[
    "あかぎ商事",
    "はるな物産",
    "みょうぎ運輸",
    "とね電機",
    "からっ風食品",
    "いせさき印刷",
    "赤堀建設",
    "境町ガス",
    "上州メディカル",
    "群馬情報システム",
    "あずま農産",
    "かみうえ書店",
];
const KINDS: &[&str] = &["株式会社", "有限会社", "合同会社", "株式会社"];
const TOWNS: &[&str] = &[
    "宮子町",
    "連取町",
    "今泉町",
    "韮塚町",
    "境百々",
    "東小保方町",
    "茂呂町",
];
const SURNAMES: &[&str] = &[
    "赤城",
    "榛名",
    "妙義",
    "利根",
    "渡良瀬",
    "碓氷",
    "吾妻",
    "片品",
];
const GIVEN: &[&str] = &[
    "一郎",
    "さくら",
    "誠",
    "明美",
    "健太",
    "陽子",
    "大輔",
    "由紀",
];
const DEPTS: &[(&str, &str)] = &[
    ("福祉こども部", "こども家庭センター"),
    ("教育部", "学校教育課"),
    ("長寿社会部", "高齢政策課"),
    ("総務部", "危機管理室"),
    ("市長戦略部", "戦略推進課"),
    ("産業部", "商工労働課"),
    ("文化観光部", "スポーツ振興課"),
    ("環境部", "環境政策課"),
];
const PROJECTS: &[&str] = &[
    "店舗の一角を活用し、親子で参加できる食育ワークショップを開催する。",
    "子育て支援情報のチラシを全店舗で配架する。",
    "市内の小学校で、仕事の流れを学ぶ出前授業を行う。",
    "配送時に高齢者の異変等に気付いたとき、市に情報を提供する。",
    "店舗で認知症サポーター養成講座を開催する。",
    "災害時に、在庫から飲料水や食料品を優先して供給する。",
    "業務中に道路等の異状を発見したとき、市に情報を提供する。",
    "夏の間、店舗を「クーリングシェルター」として開放し、給水を行う。",
    "市の観光パンフレットを店舗と自社ウェブサイトで紹介する。",
    "従業員が地域の清掃活動に参加し、ごみの減量を呼び掛ける。",
];
const MEMO: &[&str] = &[
    "高齢者の異変等を発見したとき。",
    "子どもの異変等を発見したとき。",
    "市営住宅入居者の異変等を発見したとき。",
    "道路等の異状を発見したとき。",
    "危険な家屋を発見したとき。",
    "不法投棄が疑われる廃棄物等を発見したとき。",
];

fn pick<'a>(list: &[&'a str], i: usize) -> &'a str {
    list[i % list.len()]
}

struct Synth<'a> {
    /// Results (実績) per agreement.
    results: usize,
    p: &'a Profile,
    /// `--edit-one`: the first agreement's company is renamed (the benchmark's "one
    /// agreement edited" case: only its documents change).
    edit_one: bool,
}

impl Synth<'_> {
    fn id(i: usize) -> String {
        format!("R8-{:04}", i + 1)
    }

    /// The fields of agreement `i`: 4–8 distinct countable fields (never その他).
    fn fields_of(&self, i: usize) -> Vec<usize> {
        let usable: Vec<usize> = (0..self.p.fields.len())
            .filter(|&f| f + 1 != self.p.other_field)
            .collect();
        let count = 4 + i % 5;
        (0..count)
            .map(|k| usable[(i + k * 3) % usable.len()])
            .fold(Vec::new(), |mut v, f| {
                if !v.contains(&f) {
                    v.push(f);
                }
                v
            })
    }

    fn company(i: usize) -> String {
        format!(
            "{}{}{}",
            pick(KINDS, i),
            pick(COMPANIES, i),
            if i >= COMPANIES.len() {
                format!("第{}", i / COMPANIES.len() + 1)
            } else {
                String::new()
            }
        )
    }

    fn agreement(&self, i: usize) -> Vec<CellValue> {
        let id = Self::id(i);
        let person = format!("{} {}", pick(SURNAMES, i), pick(GIVEN, i / 3));
        let contact = format!("{} {}", pick(SURNAMES, i + 3), pick(GIVEN, i + 1));
        let fields: Vec<String> = self
            .fields_of(i)
            .iter()
            .map(|&f| {
                self.p.fields[f]
                    .trim_end_matches("に関すること。")
                    .to_string()
            })
            .collect();
        named_row(
            sheet::AGREEMENTS,
            &[
                ("協定番号", t(&id)),
                (
                    "企業等名",
                    t(&match (i, self.edit_one) {
                        (0, true) => format!("{}（名称変更）", Self::company(i)),
                        _ => Self::company(i),
                    }),
                ),
                (
                    "企業等所在地",
                    t(&format!(
                        "群馬県伊勢崎市{}{}番地{}",
                        pick(TOWNS, i),
                        100 + i % 900,
                        1 + i % 7
                    )),
                ),
                ("代表者役職", t("代表取締役社長")),
                ("代表者氏名", t(&person)),
                ("担当者名", t(&contact)),
                (
                    "担当者電話",
                    t(&format!("0270-{:02}-{:04}", 10 + i % 89, i % 10_000)),
                ),
                ("担当者メール", t(&format!("renkei{}@example.jp", i + 1))),
                ("申出日", d(2026, 4, 1 + (i % 28) as u32)),
                (
                    "申出目的",
                    t(&format!(
                        "市内で事業を展開する事業者として、{}の分野で市と継続的に連携し、地域課題の解決と市民サービスの向上に貢献するため。",
                        fields.join("、")
                    )),
                ),
                ("目的", t(&fields.join("、"))),
                ("締結日", d(2026, 7, 1 + (i % 28) as u32)),
                (
                    "押印方式",
                    t(if i.is_multiple_of(2) {
                        "署名捺印"
                    } else {
                        "記名押印"
                    }),
                ),
                ("申し合わせ日", d(2026, 7, 1 + (i % 28) as u32)),
            ],
        )
    }

    fn requirement(&self, i: usize) -> Vec<CellValue> {
        let mut cells = vec![
            ("協定番号", t(&Self::id(i))),
            ("確認日", d(2026, 5, 1 + (i % 28) as u32)),
            ("確認者", t("戦略推進課 戦略係")),
            ("3(1)意欲", t("はい")),
            ("3(3)継続的対話", t("はい")),
        ];
        for h in blank::headers(sheet::REQUIREMENTS).unwrap() {
            if h.starts_with("3(4)") {
                cells.push((h, t("該当しない")));
            }
        }
        named_row(sheet::REQUIREMENTS, &cells)
    }

    fn rows(&self, count: usize) -> Vec<(&'static str, Rows)> {
        let (mut ag, mut req, mut fl, mut pr, mut me, mut co, mut re) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for i in 0..count {
            let id = Self::id(i);
            ag.push(self.agreement(i));
            req.push(self.requirement(i));
            let fields = self.fields_of(i);
            for &f in &fields {
                fl.push(named_row(
                    sheet::FIELDS,
                    &[("協定番号", t(&id)), ("分野", t(&self.p.fields[f]))],
                ));
            }
            for k in 0..8 {
                let f = fields[k % fields.len()];
                let (dept, div) = DEPTS[(i + k) % DEPTS.len()];
                pr.push(named_row(
                    sheet::PROJECTS,
                    &[
                        ("協定番号", t(&id)),
                        ("番号", n(k as i64 + 1)),
                        ("連携事項", t(&self.p.fields[f])),
                        ("事業内容", t(pick(PROJECTS, i + k))),
                        ("評価", t(if k % 4 == 3 { "△" } else { "○" })),
                        (
                            "コメント",
                            t("実施時期と内容を担当課と調整のうえ進めたい。"),
                        ),
                        ("担当部", t(dept)),
                        ("担当課", t(div)),
                        (
                            "担当者連絡先",
                            t(&format!("担当係（内線{}）", 2000 + (i * 8 + k) % 8000)),
                        ),
                        ("市の費用負担", t("なし")),
                        ("禁止事業確認", t("該当なし")),
                    ],
                ));
            }
            for k in 0..6 {
                let f = fields[k % fields.len()];
                let (dept, div) = DEPTS[(i + k) % DEPTS.len()];
                me.push(named_row(
                    sheet::MEMO,
                    &[
                        ("協定番号", t(&id)),
                        ("連携事項", t(self.p.fields[f].trim_end_matches('。'))),
                        ("連携事業", t(MEMO[k])),
                        ("担当課", t(&format!("{dept}{div}"))),
                    ],
                ));
            }
            co.push(named_row(
                sheet::CONTACTS,
                &[
                    ("協定番号", t(&id)),
                    ("当事者", t("企業等")),
                    ("部署", t("経営企画部地域連携室")),
                    (
                        "担当者",
                        t(&format!("{} {}", pick(SURNAMES, i + 3), pick(GIVEN, i + 1))),
                    ),
                    (
                        "電話",
                        t(&format!("0270-{:02}-{:04}", 10 + i % 89, i % 10_000)),
                    ),
                    ("メール", t(&format!("renkei{}@example.jp", i + 1))),
                ],
            ));
            for k in 0..self.results {
                let f = fields[k % fields.len()];
                let (dept, div) = DEPTS[(i + k) % DEPTS.len()];
                let month = 7 + (k % 6) as u32;
                re.push(named_row(
                    sheet::RESULTS,
                    &[
                        ("協定番号", t(&id)),
                        ("報告番号", t(&(k + 1).to_string())),
                        ("連携事項", t(&self.p.fields[f])),
                        ("事業名", t(&format!("連携事業その{}", k + 1))),
                        ("開始日", d(2026, month, 3)),
                        ("終了日", d(2026, month, 20)),
                        ("実施場所", t(&format!("市内{}店舗", 3 + (i + k) % 10))),
                        ("事業内容", t(pick(PROJECTS, i + k))),
                        ("参加者数", n(20 + ((i * 37 + k * 11) % 400) as i64)),
                        ("成果", t("参加者アンケートで9割が「今後も参加したい」と回答し、取組への関心の高まりがみられた。")),
                        ("課題・今後の予定", t("来年度は開催回数を増やし、市の広報紙で周知する。")),
                        ("担当部", t(dept)),
                        ("担当課", t(div)),
                        ("担当者", t("担当係")),
                        ("報告日", d(2026, month, 25)),
                        ("市の費用負担額", n(0)),
                    ],
                ));
            }
        }
        vec![
            (sheet::SETTINGS, blank::settings_rows(&self.p.settings())),
            (sheet::AGREEMENTS, ag),
            (sheet::REQUIREMENTS, req),
            (sheet::FIELDS, fl),
            (sheet::PROJECTS, pr),
            (sheet::MEMO, me),
            (sheet::CONTACTS, co),
            (sheet::RESULTS, re),
        ]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(count), Some(path)) = (args.first(), args.get(1)) else {
        return Err("使い方: synth N FILE [RESULTS] [--edit-one]".into());
    };
    let edit_one = args.iter().any(|a| a == "--edit-one");
    let count: usize = count.parse()?;
    let results: usize = args
        .iter()
        .skip(2)
        .find(|a| *a != "--edit-one")
        .map_or(Ok(5), |r| r.parse())?;
    let profile = Profile::isesaki();
    let rows = Synth {
        p: &profile,
        edit_one,
        results,
    }
    .rows(count);
    let mut book = blank::register_book(&profile, &rows);
    book.title = format!(
        "{} 包括連携協定台帳（ベンチマーク用 {count} 件）",
        profile.identity.city
    );
    std::fs::write(path, xlsx::write(&book)?)?;
    println!("{path} を書き出しました（{count} 件）");
    Ok(())
}
