//! Writes the sample register `samples/sample.xlsx`: three agreements chosen to show what
//! kyotei finds.
//!
//! `cargo run --example make_sample -- samples/sample.xlsx`
//! (`-- --blank FILE` writes the blank register of `kyotei init` instead, for checking.)
//!
//! - `R8-001` 株式会社あかぎ商事: signed 2026-07-01, complete and clean.
//! - `R8-002` 株式会社ひまわりライフ: in negotiation, with errors (fewer than three
//!   countable fields, a prohibited project, 3(3) いいえ, a disqualification, a project the
//!   city would pay for, an unchecked project, a misspelt field name).
//! - `R2-005` 北関東ガス株式会社: signed 2021-10-01 before the guideline and never
//!   amended (附則2), two fields, no results for over two years (guideline 8①).

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

struct Sample<'a> {
    p: &'a Profile,
}

impl Sample<'_> {
    /// A field's exact name, by its guideline number (1 = ①).
    fn field(&self, no: usize) -> CellValue {
        t(&self.p.fields[no - 1])
    }

    fn agreements(&self) -> Rows {
        vec![
            named_row(
                sheet::AGREEMENTS,
                &[
                    ("協定番号", t("R8-001")),
                    ("企業等名", t("株式会社あかぎ商事")),
                    ("企業等所在地", t("群馬県伊勢崎市宮子町3400番地1")),
                    ("代表者役職", t("代表取締役社長")),
                    ("代表者氏名", t("赤城 一郎")),
                    ("担当者名", t("榛名 さくら")),
                    ("担当者電話", t("0270-11-2345")),
                    ("担当者メール", t("chiiki@akagi-shoji.example.jp")),
                    // Text in a date column, in the short era form.
                    ("申出日", t("R8.4.1")),
                    (
                        "申出目的",
                        t(
                            "市内に12店舗を展開する小売業者として、店舗網と配送網を活かし、子育て支援、高齢者の見守り、防災及び暑さ対策の分野で市と継続的に連携し、地域課題の解決と市民サービスの向上に貢献するため。",
                        ),
                    ),
                    (
                        "申出その他",
                        t("既に市内の小学校への出前授業を実施しており、その資料を添付します。"),
                    ),
                    (
                        "目的",
                        t("子育て支援、教育、高齢者の見守り、防災、暑さ対策"),
                    ),
                    ("締結日", d(2026, 7, 1)),
                    ("押印方式", t("署名捺印")),
                    // The written-out 和暦 form, as text.
                    ("申し合わせ日", t("令和8年7月1日")),
                ],
            ),
            named_row(
                sheet::AGREEMENTS,
                &[
                    ("協定番号", t("R8-002")),
                    ("企業等名", t("株式会社ひまわりライフ")),
                    ("企業等所在地", t("群馬県前橋市大手町一丁目1番1号")),
                    ("代表者役職", t("代表取締役")),
                    ("代表者氏名", t("日向 葵")),
                    ("担当者名", t("向日 明")),
                    ("担当者電話", t("027-210-0000")),
                    ("申出日", d(2026, 5, 20)),
                    (
                        "申出目的",
                        t(
                            "当社の健康関連商品とサービスを通じて、市民の健康づくりと地域の活性化に協力するため。",
                        ),
                    ),
                    ("目的", t("子育て支援、スポーツ振興、地域産業の振興")),
                ],
            ),
            named_row(
                sheet::AGREEMENTS,
                &[
                    ("協定番号", t("R2-005")),
                    ("企業等名", t("北関東ガス株式会社")),
                    ("企業等所在地", t("群馬県伊勢崎市連取町1500番地")),
                    ("代表者役職", t("代表取締役社長")),
                    ("代表者氏名", t("利根 誠")),
                    ("申出日", d(2021, 3, 15)),
                    ("目的", t("防災、環境")),
                    ("締結日", d(2021, 10, 1)),
                    ("押印方式", t("記名押印")),
                ],
            ),
        ]
    }

    fn requirements(&self) -> Rows {
        let disq: Vec<&str> = blank::headers(sheet::REQUIREMENTS)
            .unwrap()
            .iter()
            .copied()
            .filter(|h| h.starts_with("3(4)"))
            .collect();
        let row = |id: &str, on: CellValue, willing: &str, dialogue: &str, hit: Option<&str>| {
            let mut cells = vec![
                ("協定番号", t(id)),
                ("確認日", on),
                ("確認者", t("戦略推進課 戦略係")),
                ("3(1)意欲", t(willing)),
                ("3(3)継続的対話", t(dialogue)),
            ];
            for &h in &disq {
                cells.push((
                    h,
                    t(if Some(h) == hit {
                        "該当する"
                    } else {
                        "該当しない"
                    }),
                ));
            }
            named_row(sheet::REQUIREMENTS, &cells)
        };
        vec![
            row("R8-001", d(2026, 5, 25), "はい", "はい", None),
            // 3(3) いいえ and 3(4)⑤ 公租公課滞納: both block signing.
            row(
                "R8-002",
                d(2026, 6, 15),
                "はい",
                "いいえ",
                Some("3(4)⑤公租公課滞納"),
            ),
        ]
    }

    fn fields(&self) -> Rows {
        let row =
            |id: &str, f: CellValue| named_row(sheet::FIELDS, &[("協定番号", t(id)), ("分野", f)]);
        vec![
            row("R8-001", self.field(1)),
            row("R8-001", self.field(2)),
            row("R8-001", self.field(5)),
            row("R8-001", self.field(7)),
            row("R8-001", self.field(9)),
            row("R8-002", self.field(1)),
            row("R8-002", self.field(4)),
            row("R8-002", self.field(6)),
            // The near miss of the guideline's own 記入例: ⑩ シティプロモーション.
            row("R8-002", t("シニアプロモーションに関すること。")),
            row("R2-005", self.field(7)),
            row("R2-005", self.field(8)),
        ]
    }

    #[allow(clippy::too_many_arguments)]
    fn project(
        &self,
        id: &str,
        no: i64,
        field: usize,
        content: &str,
        eval: &str,
        comment: &str,
        dept: (&str, &str, &str),
        city_pays: &str,
        banned: &str,
    ) -> Vec<CellValue> {
        named_row(
            sheet::PROJECTS,
            &[
                ("協定番号", t(id)),
                ("番号", n(no)),
                ("連携事項", self.field(field)),
                ("事業内容", t(content)),
                ("評価", t(eval)),
                ("コメント", t(comment)),
                ("担当部", t(dept.0)),
                ("担当課", t(dept.1)),
                ("担当者連絡先", t(dept.2)),
                ("市の費用負担", t(city_pays)),
                ("禁止事業確認", t(banned)),
            ],
        )
    }

    fn projects(&self) -> Rows {
        let a = "R8-001";
        let kodomo = (
            "福祉こども部",
            "こども家庭センター",
            "家庭支援係（内線2345）",
        );
        let gakko = ("教育部", "学校教育課", "指導係（内線3456）");
        let chouju = ("長寿社会部", "高齢政策課", "地域包括ケア係（内線4567）");
        let bousai = ("総務部", "危機管理室", "防災係（内線5678）");
        let atsusa = ("市長戦略部", "戦略推進課", "戦略係（0270-27-6281）");
        let b = "R8-002";
        let sangyo = ("産業部", "商工労働課", "商工係（内線6789）");
        let sports = ("文化観光部", "スポーツ振興課", "スポーツ係（内線7890）");
        vec![
            self.project(a, 1, 1, "店舗の一角を活用し、親子で参加できる食育ワークショップを開催する。", "○",
                "令和8年秋ごろ、30人規模のワークショップを予定しているので、講師の派遣をお願いしたい。", kodomo, "なし", "該当なし"),
            self.project(a, 2, 1, "子育て支援情報のチラシを全店舗で配架する。", "○",
                "こども家庭センターの案内チラシの配架をお願いしたい。", kodomo, "なし", "該当なし"),
            self.project(a, 3, 2, "市内の小学校で、商品が店頭に並ぶまでを学ぶ出前授業を行う。", "○",
                "各校の希望を取りまとめて連絡する。", gakko, "なし", "該当なし"),
            self.project(a, 4, 5, "配送時に高齢者の異変等に気付いたとき、市に情報を提供する。", "○",
                "申し合わせ事項で連絡先を定めたい。", chouju, "なし", "該当なし"),
            self.project(a, 5, 5, "店舗で認知症サポーター養成講座を開催する。", "△",
                "開催時期と会場を調整すれば実施できる。", chouju, "なし", "該当なし"),
            self.project(a, 6, 7, "災害時に、店舗の在庫から飲料水や食料品を優先して供給する。", "○",
                "品目と数量は別に協定を結んで定めたい。", bousai, "なし", "該当なし"),
            self.project(a, 7, 7, "配送中に道路等の異状を発見したとき、市に情報を提供する。", "○",
                "道路管理課に連絡してほしい。", bousai, "なし", "該当なし"),
            self.project(a, 8, 9, "夏の間、全店舗を「クーリングシェルター」として開放し、給水を行う。", "○",
                "令和8年7月からの指定に向けて手続を進める。", atsusa, "なし", "該当なし"),
            // R8-002: ① and ④ are feasible; every ⑥ project is ×.
            self.project(b, 1, 1, "子育て世帯向けの健康相談会を開催する。", "○",
                "実施時期を相談したい。", ("福祉こども部", "こども支援課", "子育て係（内線2100）"), "なし", "該当なし"),
            self.project(b, 2, 4, "市民マラソン大会に給水所を出展する。", "△",
                "出展場所と費用負担を調整したい。", sports, "あり", "該当なし"),
            self.project(b, 3, 4, "スポーツ教室の参加者に自社商品のサンプルを配る。", "△",
                "商品の配布が目的とならないよう内容を調整したい。", sports, "なし", ""),
            self.project(b, 4, 6, "自社の新商品の販売会を市役所ロビーで開催し、市が広報する。", "×",
                "専ら自社の営業を目的とするため、連携事業とすることはできない。", sangyo, "なし", "①"),
            self.project(b, 5, 6, "市内の事業者向けに自社製品の導入説明会を開く。", "×",
                "特定企業の製品の紹介となるため実施できない。", sangyo, "なし", "該当なし"),
            // R2-005: proposals recorded before the guideline.
            self.project("R2-005", 1, 7, "災害時にガスの供給設備の点検と復旧を優先して行う。", "○",
                "", bousai, "なし", "該当なし"),
            self.project("R2-005", 2, 8, "家庭向けの省エネルギー教室を開催する。", "○",
                "", ("環境部", "環境政策課", "温暖化対策係（内線3300）"), "なし", "該当なし"),
        ]
    }

    fn memo(&self) -> Rows {
        let row = |f: &str, p: &str, div: &str| {
            named_row(
                sheet::MEMO,
                &[
                    ("協定番号", t("R8-001")),
                    ("連携事項", t(f)),
                    ("連携事業", t(p)),
                    ("担当課", t(div)),
                ],
            )
        };
        let care = "高齢者、障がい者及び子どもの支援に関すること";
        let safety = "防災・災害対策及び防犯に関すること";
        vec![
            row(
                care,
                "高齢者の異変等を発見したとき。",
                "長寿社会部高齢政策課",
            ),
            row(
                care,
                "子どもの異変等を発見したとき。",
                "福祉こども部こども家庭センター",
            ),
            row(
                care,
                "市営住宅入居者の異変等を発見したとき。",
                "建設部住宅課",
            ),
            row(safety, "道路等の異状を発見したとき。", "建設部道路管理課"),
            row(safety, "危険な家屋を発見したとき。", "都市計画部建築指導課"),
            row(
                safety,
                "不法投棄が疑われる廃棄物等を発見したとき。",
                "環境部環境政策課",
            ),
        ]
    }

    fn publicity(&self) -> Rows {
        let row = |p: &str, copies: i64, note: &str| {
            named_row(
                sheet::PUBLICITY,
                &[
                    ("協定番号", t("R8-001")),
                    ("連携事業", t(p)),
                    ("部数", n(copies)),
                    ("備考", t(note)),
                ],
            )
        };
        vec![
            row("チラシの配架", 600, "市内12店舗に各50部"),
            row("ポスターの掲出", 12, "各店舗の入口に1枚"),
        ]
    }

    fn contacts(&self) -> Rows {
        let s = self.p.settings();
        let row = |id: &str, party: &str, office: &str, person: &str, phone: &str, mail: &str| {
            named_row(
                sheet::CONTACTS,
                &[
                    ("協定番号", t(id)),
                    ("当事者", t(party)),
                    ("部署", t(office)),
                    ("担当者", t(person)),
                    ("電話", t(phone)),
                    ("メール", t(mail)),
                ],
            )
        };
        vec![
            row(
                "R8-001",
                "市",
                &format!("{}{}", s.office, s.office_section),
                "",
                &s.office_phone,
                &s.office_email,
            ),
            row(
                "R8-001",
                "企業等",
                "経営企画部地域連携室",
                "榛名 さくら",
                "0270-11-2345",
                "chiiki@akagi-shoji.example.jp",
            ),
            row(
                "R2-005",
                "企業等",
                "総務部総務課",
                "渡良瀬 進",
                "0270-22-3456",
                "",
            ),
        ]
    }

    #[allow(clippy::too_many_arguments)]
    fn report(
        &self,
        id: &str,
        no: &str,
        field: usize,
        name: &str,
        dates: (CellValue, CellValue),
        place: &str,
        content: &str,
        people: Option<i64>,
        outcome: &str,
        next: &str,
        dept: (&str, &str, &str),
        reported: CellValue,
        cost: i64,
    ) -> Vec<CellValue> {
        named_row(
            sheet::RESULTS,
            &[
                ("協定番号", t(id)),
                ("報告番号", t(no)),
                ("連携事項", self.field(field)),
                ("事業名", t(name)),
                ("開始日", dates.0),
                ("終了日", dates.1),
                ("実施場所", t(place)),
                ("事業内容", t(content)),
                ("参加者数", people.map(n).into()),
                ("成果", t(outcome)),
                ("課題・今後の予定", t(next)),
                ("担当部", t(dept.0)),
                ("担当課", t(dept.1)),
                ("担当者", t(dept.2)),
                ("報告日", reported),
                ("市の費用負担額", n(cost)),
            ],
        )
    }

    fn results(&self) -> Rows {
        vec![
            self.report("R8-001", "1", 9, "店舗のクーリングシェルター開放",
                (d(2026, 7, 15), d(2026, 9, 30)), "市内12店舗",
                "全店舗の休憩スペースをクーリングシェルターとして開放し、給水と熱中症予防の呼び掛けを行った。",
                Some(3120), "期間中の延べ利用者数は3,120人で、利用者から「買い物の途中で休めて助かった」との声があった。",
                "来年度は開放時間を延長し、市の広報紙で周知する。", ("市長戦略部", "戦略推進課", "戦略係"),
                d(2026, 10, 9), 0),
            self.report("R8-001", "2", 1, "親子食育ワークショップ",
                (d(2026, 10, 17), d(2026, 10, 17)), "あかぎ商事 宮子店",
                "親子を対象に、旬の野菜を使った料理づくりと栄養のお話を行った。",
                Some(32), "参加者アンケートで9割が「家庭でも取り組みたい」と回答した。",
                "定員を超える申込みがあったため、年2回の開催を検討する。", ("福祉こども部", "こども家庭センター", "家庭支援係"),
                d(2026, 10, 30), 0),
            self.report("R8-001", "3", 2, "小学校出前授業「お店の仕事」",
                (d(2026, 11, 12), d(2026, 11, 12)), "市立殖蓮小学校",
                "3年生を対象に、商品が店頭に並ぶまでの流れを体験を交えて紹介した。",
                Some(86), "児童の感想文で、働くことへの関心の高まりがみられた。",
                "他の学校にも案内する。", ("教育部", "学校教育課", "指導係"),
                d(2026, 11, 20), 0),
            // R2-005: nothing since 2023.
            self.report("R2-005", "1", 8, "家庭向け省エネルギー教室",
                (d(2022, 8, 6), d(2022, 8, 6)), "伊勢崎市民プラザ",
                "ガス機器の上手な使い方と家庭でできる省エネルギーを紹介した。",
                Some(45), "参加者の省エネルギーへの関心が高まった。",
                "", ("環境部", "環境政策課", "温暖化対策係"),
                d(2022, 8, 31), 0),
            self.report("R2-005", "2", 7, "地域防災訓練へのガス復旧体験コーナー出展",
                (d(2023, 11, 5), d(2023, 11, 5)), "市内小学校（防災訓練会場）",
                "防災訓練で、地震後のガスメーターの復帰方法を実演した。",
                Some(120), "訓練参加者がガスの復帰方法を実際に体験できた。",
                "", ("総務部", "危機管理室", "防災係"),
                d(2023, 11, 20), 0),
        ]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let profile = Profile::isesaki();
    if args.first().map(String::as_str) == Some("--blank") {
        let path = args
            .get(1)
            .ok_or("--blank の後に出力先を指定してください")?;
        std::fs::write(path, blank::init_bytes(&profile)?)?;
        println!("{path} を書き出しました");
        return Ok(());
    }
    let path = args
        .first()
        .cloned()
        .unwrap_or_else(|| "samples/sample.xlsx".into());
    let s = Sample { p: &profile };
    let rows: Vec<(&str, Rows)> = vec![
        (sheet::SETTINGS, blank::settings_rows(&profile.settings())),
        (sheet::AGREEMENTS, s.agreements()),
        (sheet::REQUIREMENTS, s.requirements()),
        (sheet::FIELDS, s.fields()),
        (sheet::PROJECTS, s.projects()),
        (sheet::MEMO, s.memo()),
        (sheet::PUBLICITY, s.publicity()),
        (sheet::CONTACTS, s.contacts()),
        (sheet::RESULTS, s.results()),
    ];
    let mut book = blank::register_book(&profile, &rows);
    book.title = format!("{} 包括連携協定台帳（サンプル）", profile.identity.city);
    let bytes = xlsx::write(&book)?;
    if let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, bytes)?;
    println!("{path} を書き出しました");
    Ok(())
}
