//! The blank register workbook (`kyotei init`): every sheet and header of the input
//! contract (`model::sheet::COLUMNS`), dropdowns for the closed lists, 和暦 date columns,
//! frozen headers, widths set by hand for Japanese, an explanation sheet `説明` and one
//! filled example agreement (`例-001`).
//!
//! [`register_book`] builds the same workbook around any rows; the sample register
//! (`examples/make_sample.rs`) uses it.

use crate::date::Date;
use crate::error::Result;
use crate::guideline::profile::{FirstTerm, Profile, circled};
use crate::guideline::words;
use crate::model::{NOT_PROHIBITED, Settings, header, sheet};
use crate::writer::xlsx::{self, Book, CellValue, Column, Kind, ListSpec, SheetSpec, Strictness};

/// The explanation sheet, written first.
pub const GUIDE_SHEET: &str = "説明";
/// The example agreement's ID.
pub const EXAMPLE_ID: &str = "例-001";

/// Rows of one sheet, one value per header of `model::sheet::COLUMNS`.
pub type Rows = Vec<Vec<CellValue>>;

/// Header fill: required in every row.
const REQUIRED: u32 = 0xF8CBAD;
/// Header fill: needed to sign (the 協定書 cannot be made without it).
const FOR_SIGNING: u32 = 0xFFE699;
/// The last row that gets dropdowns.
const INPUT_ROWS: u32 = 1000;

/// The blank register with its example agreement.
pub fn blank_register(profile: &Profile) -> Book {
    register_book(profile, &example_rows(profile))
}

/// The register workbook holding `rows` (sheet name → rows in `COLUMNS` order). Sheets not
/// named get no rows, except `設定`, which defaults to [`settings_rows`] of the profile's
/// identity (`Profile::settings`).
pub fn register_book(profile: &Profile, rows: &[(&str, Rows)]) -> Book {
    let has_example = rows.iter().any(|(n, r)| {
        *n == sheet::AGREEMENTS
            && r.iter()
                .any(|row| row.first() == Some(&CellValue::text(EXAMPLE_ID)))
    });
    let mut sheets = vec![guide_sheet(profile, has_example)];
    for sheet in sheet::SHEETS {
        let name = sheet.name;
        let columns = sheet
            .columns
            .iter()
            .map(|c| column(profile, name, c))
            .collect();
        let mut spec = SheetSpec::new(name, columns);
        spec.input_rows = INPUT_ROWS;
        spec.autofilter = name != sheet::SETTINGS;
        spec.landscape = name != sheet::SETTINGS;
        spec.rows = match rows.iter().find(|(n, _)| *n == name) {
            Some((_, r)) => r.clone(),
            None if name == sheet::SETTINGS => settings_rows(&profile.settings()),
            None => Vec::new(),
        };
        sheets.push(spec);
    }
    Book {
        sheets,
        title: format!("{} 包括連携協定台帳", profile.identity.city),
        author: profile.identity.city.clone(),
    }
}

/// The XLSX bytes of the blank register.
pub fn init_bytes(profile: &Profile) -> Result<Vec<u8>> {
    xlsx::write(&blank_register(profile))
}

/// The `設定` rows: every key of `SETTINGS_KEYS` with its value.
pub fn settings_rows(settings: &Settings) -> Rows {
    sheet::SETTINGS_KEYS
        .iter()
        .map(|&k| {
            vec![
                CellValue::text(k),
                settings.value(k).unwrap_or_default().into(),
            ]
        })
        .collect()
}

/// A row of `sheet` from `(header, value)` pairs, in `COLUMNS` order; headers not given
/// are blank.
///
/// # Panics
/// If the sheet or a header is not in `COLUMNS` (a programming error in literal rows).
pub fn named_row(sheet_name: &str, cells: &[(&str, CellValue)]) -> Vec<CellValue> {
    let headers = headers(sheet_name).unwrap_or_else(|| panic!("no sheet {sheet_name}"));
    let mut row = vec![CellValue::Empty; headers.len()];
    for (h, v) in cells {
        let i = headers
            .iter()
            .position(|x| x == h)
            .unwrap_or_else(|| panic!("no column {h} in {sheet_name}"));
        row[i] = v.clone();
    }
    row
}

/// The headers of a sheet of the contract.
pub fn headers(sheet_name: &str) -> Option<Vec<&'static str>> {
    sheet::sheet(sheet_name).map(|s| s.headers().collect())
}

/// The 0-based column of a header.
fn col_of(sheet_name: &str, header: &str) -> u16 {
    sheet::sheet(sheet_name)
        .and_then(|s| s.position(header))
        .unwrap_or(0) as u16
}

/// The column of the blank workbook, as the column table ([`sheet::SHEETS`]) describes it:
/// width, format, dropdown, note and header colour.
pub(super) fn column(profile: &Profile, sheet_name: &str, c: &sheet::Column) -> Column {
    let kind = match c.kind {
        sheet::Kind::Text => Kind::Text,
        sheet::Kind::Date => Kind::Date,
        sheet::Kind::Integer => Kind::Integer,
        sheet::Kind::Yen => Kind::Yen,
    };
    // Width: set by hand in the table, or the header's display width plus room.
    let width = match c.width {
        w if w > 0.0 => w,
        _ => (xlsx::display_width(c.header) as f64 * 1.1 + 4.0).max(8.0),
    };
    let mut col = Column::new(c.header, width, kind);
    if c.wrap {
        col = col.wrap();
    }
    col = match c.choices {
        sheet::Choices::Free => col,
        sheet::Choices::Closed(offered) => col.list(offered()),
        sheet::Choices::Suggested(items) => col.open_list(items.iter().copied()),
        sheet::Choices::Fields => col.with_list(ListSpec::items(
            profile.fields.iter().cloned(),
            Strictness::Stop,
        )),
        sheet::Choices::Agreements => col.with_list(ListSpec::range(
            sheet::AGREEMENTS,
            col_of(sheet::AGREEMENTS, header::協定番号),
            2,
            INPUT_ROWS,
            Strictness::Warning,
        )),
        sheet::Choices::Prohibited => col.open_list(prohibited_choices(profile)),
        sheet::Choices::SettingsKeys => col.open_list(sheet::SETTINGS_KEYS.iter().copied()),
    };
    col = match c.need {
        sheet::Need::Always => col.header_color(REQUIRED),
        sheet::Need::ForSigning => col.header_color(FOR_SIGNING),
        sheet::Need::Optional => col,
    };
    let note = match c.note {
        sheet::Note::None => None,
        sheet::Note::Text(t) => Some(t.to_string()),
        sheet::Note::FromProfile => profile_note(profile, sheet_name, c.header),
    };
    match note {
        Some(text) => col.note(text),
        None => col,
    }
}

/// The values offered for 禁止事業確認: 該当なし, then the numbers of 3(5) and the exclusions.
pub fn prohibited_choices(profile: &Profile) -> Vec<String> {
    std::iter::once(NOT_PROHIBITED.to_string())
        .chain((1..=profile.banned_count()).map(circled))
        .collect()
}

/// What 3(2) asks for, as the 分野 note says it: `3以上`, `連携事業3事業以上`.
fn needed(profile: &Profile) -> Option<String> {
    match (profile.min_fields, profile.min_projects) {
        (Some(f), None) => Some(format!("{f}以上")),
        (None, Some(p)) => Some(format!("連携事業{p}事業以上")),
        (Some(f), Some(p)) => Some(format!("{f}以上、連携事業{p}事業以上")),
        (None, None) => None,
    }
}

/// The notes the column table leaves to the profile: the term, the fields, the lists of 3(4)
/// and 3(5), in the guideline's words.
fn profile_note(profile: &Profile, sheet_name: &str, col: &str) -> Option<String> {
    let numbered = |items: &[String]| {
        items
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}{}", circled(i + 1), s))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if let Some(i) = header::DISQUALIFICATIONS.iter().position(|h| *h == col) {
        return Some(format!(
            "ガイドライン3(4){}: {}",
            circled(i + 1),
            profile.disqualifications.get(i)?
        ));
    }
    let text = match col {
        header::有効期間満了日 => match profile.term.first {
            FirstTerm::FiscalEnd { .. } => format!(
                "両者で協議して決めた満了日。空欄のときは開始の{}です。",
                words::first_end(&profile.term)
            ),
            FirstTerm::Period { .. } => format!(
                "両者で協議して決めた満了日。空欄のときは開始から{}（終わりは応当日の前日）です。",
                words::first_end(&profile.term)
            ),
        },
        header::協定締結後の改正日 => format!(
            "ガイドライン施行（{}）前に締結した協定を、施行後に改正した日（附則2）。",
            profile.effective.wareki()
        ),
        header::分野 if sheet_name == sheet::FIELDS => format!(
            "ガイドライン3(2)の分野{}:\n{}",
            needed(profile).map_or(String::new(), |n| format!("（{n}が必要）")),
            numbered(&profile.fields)
        ),
        header::協定書表記 => format!(
            "協定書第2条の書き方を変えるときに入力します。{}を選んだときは、実際の分野名を必ず書きます。",
            circled(profile.other_field)
        ),
        header::禁止事業確認 => {
            let mut text = format!(
                "ガイドライン3(5){}に当たらなければ「該当なし」、当たるときはその番号（例: ①）:\n{}",
                if profile.exclusions.is_empty() {
                    ""
                } else {
                    "と除外事項"
                },
                numbered(&profile.prohibited)
            );
            if !profile.exclusions.is_empty() {
                let n = profile.prohibited.len();
                let more: Vec<String> = profile
                    .exclusions
                    .iter()
                    .enumerate()
                    .map(|(i, s)| format!("{}{}", circled(n + i + 1), s))
                    .collect();
                text.push_str(&format!("\n除外事項:\n{}", more.join("\n")));
            }
            text
        }
        _ => return None,
    };
    Some(text)
}

/// The `説明` sheet.
fn guide_sheet(profile: &Profile, has_example: bool) -> SheetSpec {
    let e = profile.effective.wareki();
    let n_fields = profile.fields.len();
    let t = &profile.term;
    let first_term = match t.first {
        FirstTerm::FiscalEnd { .. } => format!("の{}までとなり", words::first_end(t)),
        FirstTerm::Period { .. } => format!("から{}となり", words::first_end(t)),
    };
    let (notice, renewal) = (
        words::months(t.notice_months),
        words::months(t.renewal_months),
    );
    let need = match (profile.min_fields, profile.min_projects) {
        (Some(f), None) => format!("連携事業がある分野が{f}以上必要です"),
        (None, Some(p)) => format!("連携事業が{p}事業以上必要です"),
        (Some(f), Some(p)) => {
            format!("連携事業がある分野が{f}以上、その連携事業が{p}事業以上必要です")
        }
        (None, None) => "連携事業が必要です".to_string(),
    };
    let banned = format!(
        "ガイドライン3(5){}①～{}",
        if profile.exclusions.is_empty() {
            ""
        } else {
            "と除外事項"
        },
        circled(profile.banned_count())
    );
    let other = circled(profile.other_field);
    let years = profile.review_years;
    let mut intro: Vec<(String, String)> = vec![
        (
            "この台帳について".into(),
            format!(
                "{}の包括連携協定を1つのブックで管理する台帳です。kyotei はこの台帳から、申出書・連携事業提案書・協定書・申し合わせ事項・実績報告書などを作成し、「{}」に沿っているかを確認します。",
                profile.identity.city, profile.name
            ),
        ),
        (
            "見出しと列".into(),
            "各シートの1行目（見出し）の名前で列を探します。見出しの名前は変えないでください。列の並べ替えや、メモ用の列・シートの追加はかまいません。\n見出しの色: オレンジ＝必ず入力、黄色＝協定書の作成（締結）に必要、青＝任意。見出しの右上に赤い印があるセルは、カーソルを合わせると入力のしかたが表示されます。".into(),
        ),
        (
            "日付の入力".into(),
            "日付の列は 2026/7/1 のように入力すると日付として保存され、令和8年7月1日 と表示されます。文字で 令和8年7月1日、R8.7.1、2026-07-01、令和元年5月1日、平成31年4月30日 と入力してもかまいません。これ以外の書き方はエラーになります。".into(),
        ),
        (
            "選択肢".into(),
            "セルを選ぶと右に▼が出る列は、一覧から選びます（評価の ○×△、はい／いいえ など）。全角・半角の違いは同じものとして扱います。空白の行は読み飛ばします。".into(),
        ),
    ];
    let per_sheet: Vec<(&str, String)> = vec![
        (
            sheet::SETTINGS,
            "市の側の情報です。1行が1項目で、項目と値を入力します。空欄の項目は既定値を使います。市長氏名が空欄のときは、協定書の署名欄の氏名を空けて作成します。".into(),
        ),
        (
            sheet::AGREEMENTS,
            format!(
                "1行が1つの協定です。協定番号（例: R8-001）は他のシートとの結び付けとファイル名に使うので、重複しないようにします。\n協定書の作成（締結）には、企業等名・企業等所在地・代表者役職・代表者氏名・目的・締結日が必要です。交渉中は締結日を空欄にします。\n目的は協定書第1条の「〇〇、〇〇、〇〇等」に入る言葉です（例: 子育て支援、教育、防災）。\n有効期間満了日が空欄のときは、締結日（または有効期間開始日）{first_term}、満了日の{notice}前までに申出がなければ{renewal}間ずつ更新します（ガイドライン5）。\n押印方式は 署名捺印（既定）か 記名押印 を選びます。協定を解除したときは解除日と解除理由を入力します。\nガイドライン施行（{e}）前に締結した協定を施行後に改正したときは、協定締結後の改正日を入力します（附則2）。"
            ),
        ),
        (
            sheet::REQUIREMENTS,
            "1行が1つの協定の要件確認（ガイドライン3）です。3(1)意欲と3(3)継続的対話は はい／いいえ、3(4)①～⑧は 該当しない／該当する を選びます（見出しにカーソルを合わせるとガイドラインの文言が表示されます）。締結には、すべてが はい／該当しない であることが必要です。確認日と確認者も記録します。".into(),
        ),
        (
            sheet::FIELDS,
            format!(
                "1行が1つの協定の1つの連携事項（分野）です。分野はガイドライン3(2)の{n_fields}分野から選びます。締結には、実現可能性のある（評価が ○ か △ の）{need}。\n{other}（その他）を選んだときは、協定書表記に実際の分野名を書きます（協定書第2条にその文言が入ります）。"
            ),
        ),
        (
            sheet::PROJECTS,
            format!("1行が1つの連携事業の提案（連携事業提案書の1行）です。番号は提案書での並び順です。連携事項は、連携事項シートで選んだ分野から選びます。\n評価・コメント・担当部・担当課・担当者連絡先は市が記入します（○＝実現可能性あり、×＝実現不可、△＝提案事項の調整（代替案）により実現可能性があるもの）。\n市の費用負担が あり の事業は、原則として連携事業になりません（ガイドライン1(5)）。禁止事業確認には、{banned}のどれにも当たらなければ 該当なし、当たるときはその番号（例: ①）を入力します。"),
        ),
        (
            sheet::MEMO,
            "1行が申し合わせ事項の表1（乙が行う業務活動における連携協力）の1行です。連携事項は申し合わせ事項での書き方（例: 高齢者、障がい者及び子どもの支援に関すること）で自由に書きます。同じ連携事項を続けて入力した行は、1つのセルにまとめて印刷します。連携事業には情報を提供する場面、担当課には提供先の課を書きます。".into(),
        ),
        (
            sheet::PUBLICITY,
            "1行が申し合わせ事項の表2（周知に係る連携協力）の1行です。連携事業は チラシの配架 ／ ポスターの掲出 から選びます（ほかの内容も入力できます）。部数は数字で入力します。".into(),
        ),
        (
            sheet::CONTACTS,
            "1行が申し合わせ事項「4. 包括連携協定に関する担当窓口」の1行です。当事者は 市 か 企業等 を選び、部署・担当者・電話・メールを入力します。市の行がないときは、設定シートの所管部課・所管電話・所管メールを使います。".into(),
        ),
        (
            sheet::RESULTS,
            format!(
                "1行が、終了した1つの連携事業の実績報告（ガイドライン6、実績報告書）です。報告番号は協定ごとに重複しないように付けます。参加者数と市の費用負担額は数字で入力します。\n{years}年以上連携実績がない協定は、解除を検討する対象になります（ガイドライン8①）。"
            ),
        ),
        (
            sheet::CLAUSES,
            "使うときだけ入力します（なくてもかまいません）。企業等との協議で、協定書・申し合わせ事項の雛形の文言を変えることに合意したとき、1行に1か所、その文言を記録します。条・項は 第6条、第2条第2項、第2条第1号、前文、末文（申し合わせ事項は 前文、3.、3.第2段落）のように書き、文言にはその箇所の本文全体（条番号などを除く）を入れます。書類を作るとき、雛形の代わりにこの文言を使います。kyotei compare の報告に、記録する条・項と文言が出ます。".into(),
        ),
    ];
    if has_example {
        intro.insert(
            2,
            (
                "記入例".into(),
                format!("各シートに協定番号「{EXAMPLE_ID}」（株式会社サンプル商事）の記入例が入っています。実際の協定を入力するときは、記入例の行を削除してください。"),
            ),
        );
    }
    let mut rows: Rows = intro
        .into_iter()
        .map(|(a, b)| vec![CellValue::Text(a), CellValue::Text(b)])
        .collect();
    for (name, text) in per_sheet {
        rows.push(vec![
            CellValue::text(format!("{name}シート")),
            CellValue::Text(text),
        ]);
    }
    let columns = vec![
        Column::new(header::項目, 16.0, Kind::Text).wrap(),
        Column::new("説明", 96.0, Kind::Text).wrap(),
    ];
    let mut spec = SheetSpec::new(GUIDE_SHEET, columns).with_rows(rows);
    spec.input_rows = 1;
    spec.landscape = false;
    spec.tab_color = Some(0x70AD47);
    spec
}

fn date(y: i32, m: u32, d: u32) -> CellValue {
    CellValue::Date(Date::new(y, m, d).expect("valid example date"))
}

fn t(s: &str) -> CellValue {
    CellValue::from(s)
}

/// The example's words for fields of Isesaki's guideline: (field, word in 目的, 事業内容,
/// 評価, コメント, 担当部, 担当課, 担当者連絡先). A profile with these fields gets them;
/// another gets plain words made from its own field names.
const KNOWN_FIELDS: [[&str; 8]; 3] = [
    [
        "子ども・子育て支援に関すること。",
        "子育て支援",
        "親子で参加できる食育ワークショップを開催し、講師を派遣する。",
        "○",
        "令和8年秋ごろ、30人規模のワークショップを予定しているので、講師の派遣をお願いしたい。",
        "福祉こども部",
        "こども支援課",
        "子育て係（内線0000）",
    ],
    [
        "学校教育・生涯学習に関すること。",
        "教育",
        "市内の小学校で、仕事の体験を交えた出前授業を行う。",
        "○",
        "学校の希望を取りまとめて連絡する。",
        "教育部",
        "学校教育課",
        "指導係（内線0000）",
    ],
    [
        "防犯・防災に関すること。",
        "防災",
        "災害時に、店舗の在庫から飲料水や食料品を供給する。",
        "△",
        "品目と数量を協議したうえで、別に協定を結ぶことを検討したい。",
        "総務部",
        "危機管理室",
        "防災係（内線0000）",
    ],
];

/// One 連携事業 of the example.
struct ExampleProject {
    field: usize,
    words: [String; 6],
}

/// `子ども・子育て支援に関すること。` → `子ども・子育て支援`.
fn short_name(field: &str) -> &str {
    let f = field.trim_end_matches('。');
    f.strip_suffix("に関すること").unwrap_or(f)
}

/// The fields (0-based) and 連携事業 of the example, valid under the profile: as many fields
/// as `min_fields` asks (at least one) and as many projects as `min_projects` asks (at
/// least one per field). Isesaki's ①②⑦ with their own words where the profile has them.
fn example_projects(profile: &Profile) -> (Vec<usize>, Vec<String>, Vec<ExampleProject>) {
    let need_fields = profile.min_fields.unwrap_or(1).max(1);
    let known: Vec<(usize, &[&str; 8])> = KNOWN_FIELDS
        .iter()
        .filter_map(|k| profile.field_index(k[0]).map(|i| (i, k)))
        .collect();
    let mut projects: Vec<ExampleProject> = Vec::new();
    let (fields, words): (Vec<usize>, Vec<String>) = if known.len() >= need_fields {
        for (i, k) in &known {
            projects.push(ExampleProject {
                field: *i,
                words: [k[2], k[3], k[4], k[5], k[6], k[7]].map(String::from),
            });
        }
        known.iter().map(|(i, k)| (*i, k[1].to_string())).unzip()
    } else {
        // Plain fields first; the その他 field (which needs a 協定書表記) only if needed.
        let other = profile.other_field - 1;
        let order = (0..profile.fields.len())
            .filter(|&i| i != other)
            .chain([other]);
        let chosen: Vec<usize> = order.take(need_fields).collect();
        chosen
            .iter()
            .map(|&i| (i, short_name(&profile.fields[i]).to_string()))
            .unzip()
    };
    let need_projects = profile.min_projects.unwrap_or(0).max(fields.len());
    let generic = |field: usize, n: usize| {
        let what = if field + 1 == profile.other_field {
            "地域の特性に応じた取組".to_string()
        } else {
            format!("「{}」の取組", short_name(&profile.fields[field]))
        };
        let content = if n == 0 {
            format!("{what}に、社員の知識や店舗を生かして協力する。")
        } else {
            format!(
                "{what}について、市が行うイベントの周知に協力する（{}件目）。",
                n + 1
            )
        };
        ExampleProject {
            field,
            words: [
                content,
                "○".to_string(),
                "実施の時期と内容を協議したい。".to_string(),
                "企画部".to_string(),
                "政策課".to_string(),
                "連携係（内線0000）".to_string(),
            ],
        }
    };
    for k in projects.len()..need_projects {
        let field = fields[k % fields.len()];
        projects.push(generic(field, k / fields.len()));
    }
    (fields, words, projects)
}

/// `子育て支援、教育及び防災`.
fn and_list(words: &[String]) -> String {
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{}及び{last}", rest.join("、")),
        _ => words.concat(),
    }
}

/// The example company's address: in the city, before its own office's street (the part
/// of the identity's address up to the city's name).
fn example_address(profile: &Profile) -> String {
    let i = &profile.identity;
    let town = match i.address.find(&i.city) {
        Some(at) => &i.address[..at + i.city.len()],
        None => &i.city,
    };
    format!("{town}本町1番2号")
}

/// The office that checks the requirements: the 課 of the identity's 所管部課.
fn example_checker(profile: &Profile) -> String {
    let i = &profile.identity;
    let office = i.office.rsplit('部').next().filter(|s| !s.is_empty());
    format!("{} {}", office.unwrap_or(&i.office), i.section)
}

/// The example agreement `例-001`, valid under the profile: signed 2026-07-01 (a year later
/// for each year the profile takes effect after 15 May 2026, when the example applies), with
/// the fields and projects of [`example_projects`].
pub fn example_rows(profile: &Profile) -> Vec<(&'static str, Rows)> {
    let shift = (0..)
        .find(|&n| Date::new(2026 + n, 5, 15).is_some_and(|d| d >= profile.effective))
        .unwrap_or(0);
    let date = |y: i32, m: u32, d: u32| date(y + shift, m, d);
    let id = || t(EXAMPLE_ID);
    let field = |i: usize| t(profile.fields.get(i).map_or("", String::as_str));
    let (fields, words, projects) = example_projects(profile);
    let purpose = words.join("、");
    let checker = example_checker(profile);
    let mut requirement = vec![
        (header::協定番号, id()),
        (header::確認日, date(2026, 6, 10)),
        (header::確認者, t(&checker)),
        (header::要件3_1意欲, t("はい")),
        (header::要件3_3継続的対話, t("はい")),
    ];
    let disq: Vec<String> = headers(sheet::REQUIREMENTS)
        .unwrap_or_default()
        .iter()
        .filter(|h| h.starts_with("3(4)"))
        .map(|h| h.to_string())
        .collect();
    for h in &disq {
        requirement.push((h.as_str(), t("該当しない")));
    }
    let project_rows: Rows = projects
        .iter()
        .enumerate()
        .map(|(n, p)| {
            let w = &p.words;
            named_row(
                sheet::PROJECTS,
                &[
                    (header::協定番号, id()),
                    (header::番号, CellValue::Int(n as i64 + 1)),
                    (header::連携事項, field(p.field)),
                    (header::事業内容, t(&w[0])),
                    (header::評価, t(&w[1])),
                    (header::コメント, t(&w[2])),
                    (header::担当部, t(&w[3])),
                    (header::担当課, t(&w[4])),
                    (header::担当者連絡先, t(&w[5])),
                    (header::市の費用負担, t("なし")),
                    (header::禁止事業確認, t("該当なし")),
                ],
            )
        })
        .collect();
    let field_rows: Rows = fields
        .iter()
        .map(|&i| {
            let mut cells = vec![(header::協定番号, id()), (header::分野, field(i))];
            if i + 1 == profile.other_field {
                cells.push((
                    header::協定書表記,
                    t("地域の特性に応じた連携に関すること。"),
                ));
            }
            named_row(sheet::FIELDS, &cells)
        })
        .collect();
    let memo = |f: &str, p: &str, d: &str| {
        named_row(
            sheet::MEMO,
            &[
                (header::協定番号, id()),
                (header::連携事項, t(f)),
                (header::連携事業, t(p)),
                (header::担当課, t(d)),
            ],
        )
    };
    let first = &projects[0];
    let isesaki_words = profile.field_index(KNOWN_FIELDS[0][0]) == Some(first.field);
    let result: Vec<(&str, CellValue)> = if isesaki_words {
        vec![
            (header::事業名, t("親子食育ワークショップ")),
            (header::実施場所, t("市内公民館")),
            (
                header::事業内容,
                t("親子を対象に、野菜を使った簡単な料理づくりと栄養のお話を行った。"),
            ),
            (header::参加者数, CellValue::Int(28)),
            (
                header::成果,
                t("参加者アンケートで9割が「家庭でも取り組みたい」と回答した。"),
            ),
            (
                header::課題今後の予定,
                t("定員を超える申込みがあったため、来年度は2回開催を検討する。"),
            ),
            (header::担当部, t("福祉こども部")),
            (header::担当課, t("こども支援課")),
            (header::担当者, t("子育て係")),
        ]
    } else {
        vec![
            (header::事業名, t(&format!("{}の連携事業", words[0]))),
            (header::実施場所, t("市内公民館")),
            (header::事業内容, t(&first.words[0])),
            (header::参加者数, CellValue::Int(28)),
            (
                header::成果,
                t("参加者アンケートで9割が「また参加したい」と回答した。"),
            ),
            (header::課題今後の予定, t("来年度も継続して実施する。")),
            (header::担当部, t(&first.words[3])),
            (header::担当課, t(&first.words[4])),
            (
                header::担当者,
                t(first.words[5].split('（').next().unwrap_or("")),
            ),
        ]
    };
    let mut result_cells = vec![
        (header::協定番号, id()),
        (header::報告番号, t("1")),
        (header::連携事項, field(first.field)),
        (header::開始日, date(2026, 10, 17)),
        (header::終了日, date(2026, 10, 17)),
        (header::報告日, date(2026, 10, 30)),
        (header::市の費用負担額, CellValue::Int(0)),
    ];
    result_cells.extend(result);
    let s = profile.settings();
    vec![
        (sheet::SETTINGS, settings_rows(&s)),
        (
            sheet::AGREEMENTS,
            vec![named_row(
                sheet::AGREEMENTS,
                &[
                    (header::協定番号, id()),
                    (header::企業等名, t("株式会社サンプル商事")),
                    (header::企業等所在地, t(&example_address(profile))),
                    (header::代表者役職, t("代表取締役社長")),
                    (header::代表者氏名, t("見本 太郎")),
                    (header::担当者名, t("見本 花子")),
                    (header::担当者電話, t("0270-00-0000")),
                    (header::担当者メール, t("renkei@sample.example.jp")),
                    (header::申出日, date(2026, 5, 15)),
                    (
                        header::申出目的,
                        t(&format!(
                            "地域に根ざした企業として、{}の分野で市と連携し、市民サービスの向上に貢献するため。",
                            and_list(&words)
                        )),
                    ),
                    (header::目的, t(&purpose)),
                    (header::締結日, date(2026, 7, 1)),
                    (header::押印方式, t("署名捺印")),
                ],
            )],
        ),
        (
            sheet::REQUIREMENTS,
            vec![named_row(sheet::REQUIREMENTS, &requirement)],
        ),
        (sheet::FIELDS, field_rows),
        (sheet::PROJECTS, project_rows),
        (
            sheet::MEMO,
            vec![
                memo(
                    "高齢者、障がい者及び子どもの支援に関すること",
                    "高齢者の異変等を発見したとき。",
                    "長寿社会部高齢政策課",
                ),
                memo(
                    "高齢者、障がい者及び子どもの支援に関すること",
                    "子どもの異変等を発見したとき。",
                    "福祉こども部こども家庭センター",
                ),
                memo(
                    "防災・災害対策及び防犯に関すること",
                    "道路等の異状を発見したとき。",
                    "建設部道路管理課",
                ),
            ],
        ),
        (
            sheet::PUBLICITY,
            vec![
                named_row(
                    sheet::PUBLICITY,
                    &[
                        (header::協定番号, id()),
                        (header::連携事業, t("チラシの配架")),
                        (header::部数, CellValue::Int(100)),
                        (header::備考, t("店舗のレジ横に配架")),
                    ],
                ),
                named_row(
                    sheet::PUBLICITY,
                    &[
                        (header::協定番号, id()),
                        (header::連携事業, t("ポスターの掲出")),
                        (header::部数, CellValue::Int(5)),
                        (header::備考, t("店舗入口の掲示板")),
                    ],
                ),
            ],
        ),
        (
            sheet::CONTACTS,
            vec![
                named_row(
                    sheet::CONTACTS,
                    &[
                        (header::協定番号, id()),
                        (header::当事者, t("市")),
                        (
                            header::部署,
                            t(&format!("{}{}", s.office, s.office_section)),
                        ),
                        (header::電話, t(&s.office_phone)),
                        (header::メール, t(&s.office_email)),
                    ],
                ),
                named_row(
                    sheet::CONTACTS,
                    &[
                        (header::協定番号, id()),
                        (header::当事者, t("企業等")),
                        (header::部署, t("総務部地域貢献課")),
                        (header::担当者, t("見本 花子")),
                        (header::電話, t("0270-00-0000")),
                        (header::メール, t("renkei@sample.example.jp")),
                    ],
                ),
            ],
        ),
        (
            sheet::RESULTS,
            vec![named_row(sheet::RESULTS, &result_cells)],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sheet_follows_columns_after_the_guide() {
        let book = blank_register(&Profile::isesaki());
        assert_eq!(book.sheets[0].name, GUIDE_SHEET);
        assert_eq!(book.sheets.len(), sheet::SHEETS.len() + 1);
        for (spec, s) in book.sheets[1..].iter().zip(sheet::SHEETS) {
            let (name, headers): (&str, Vec<&str>) = (s.name, s.headers().collect());
            assert_eq!(spec.name, name);
            let got: Vec<&str> = spec.columns.iter().map(|c| c.header.as_str()).collect();
            assert_eq!(got, headers);
            for row in &spec.rows {
                assert_eq!(row.len(), headers.len(), "{name}");
            }
        }
    }

    #[test]
    fn settings_rows_hold_every_key_with_defaults() {
        let rows = settings_rows(&Profile::isesaki().settings());
        assert_eq!(rows.len(), sheet::SETTINGS_KEYS.len());
        assert_eq!(
            rows[0],
            vec![CellValue::text("市名"), CellValue::text("伊勢崎市")]
        );
        assert_eq!(rows[3][1], CellValue::Empty, "市長氏名 is blank by default");
        assert_eq!(rows[7][1], CellValue::text("senryaku@city.isesaki.lg.jp"));
    }

    #[test]
    fn closed_lists_get_dropdowns() {
        let p = Profile::isesaki();
        let book = blank_register(&p);
        let col = |s: &str, h: &str| {
            book.sheets
                .iter()
                .find(|x| x.name == s)
                .unwrap()
                .columns
                .iter()
                .find(|c| c.header == h)
                .unwrap()
                .clone()
        };
        let items = |c: Column| match c.list.unwrap().source {
            xlsx::ListSource::Items(v) => v,
            other => panic!("{other:?}"),
        };
        assert_eq!(items(col(sheet::FIELDS, header::分野)), p.fields);
        assert_eq!(items(col(sheet::RESULTS, header::連携事項)).len(), 13);
        assert_eq!(items(col(sheet::PROJECTS, header::評価)), ["○", "×", "△"]);
        let banned = col(sheet::PROJECTS, header::禁止事業確認);
        assert_eq!(
            banned.list.as_ref().unwrap().strictness,
            Strictness::Information
        );
        assert_eq!(items(banned).last().unwrap(), "⑨");
        for h in headers(sheet::REQUIREMENTS)
            .unwrap()
            .iter()
            .filter(|h| h.starts_with("3(4)"))
        {
            assert_eq!(
                items(col(sheet::REQUIREMENTS, h)),
                ["該当しない", "該当する"],
                "{h}"
            );
            assert!(col(sheet::REQUIREMENTS, h).note.unwrap().contains("団体"));
        }
        assert_eq!(col(sheet::AGREEMENTS, header::締結日).kind, Kind::Date);
        assert_eq!(col(sheet::RESULTS, header::市の費用負担額).kind, Kind::Yen);
    }

    #[test]
    fn named_row_places_values_by_header() {
        let row = named_row(
            sheet::MEMO,
            &[
                (header::担当課, t("建設部住宅課")),
                (header::協定番号, t("R8-001")),
            ],
        );
        assert_eq!(
            row,
            vec![
                t("R8-001"),
                CellValue::Empty,
                CellValue::Empty,
                t("建設部住宅課")
            ]
        );
    }

    #[test]
    fn the_guide_mentions_every_sheet() {
        let guide = guide_sheet(&Profile::isesaki(), true);
        for name in sheet::SHEETS.iter().map(|s| s.name) {
            assert!(
                guide
                    .rows
                    .iter()
                    .any(|r| r[0] == CellValue::text(format!("{name}シート"))),
                "{name}"
            );
        }
    }
}
