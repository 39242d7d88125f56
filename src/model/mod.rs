//! The register as data: what the workbook (協定台帳) says, typed and located.
//!
//! The reader (`register`) builds these values; the rules, the document builders and the
//! reports read them. Every row remembers its sheet row so a finding can name its cell.

use crate::date::Date;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;

pub mod sheet;

/// Every column header of the contract, one constant each: the reader, the rules' cell
/// references and the tests name headers through these, so a misspelt header is a compile
/// error, not a panic at run time. The column table ([`sheet::SHEETS`]) is built from them.
#[allow(non_upper_case_globals)]
pub mod header {
    pub const 項目: &str = "項目";
    pub const 値: &str = "値";
    pub const 協定番号: &str = "協定番号";
    pub const 企業等名: &str = "企業等名";
    pub const 企業等所在地: &str = "企業等所在地";
    pub const 代表者役職: &str = "代表者役職";
    pub const 代表者氏名: &str = "代表者氏名";
    pub const 担当者名: &str = "担当者名";
    pub const 担当者電話: &str = "担当者電話";
    pub const 担当者メール: &str = "担当者メール";
    pub const 申出日: &str = "申出日";
    pub const 申出目的: &str = "申出目的";
    pub const 申出その他: &str = "申出その他";
    pub const 目的: &str = "目的";
    pub const 締結日: &str = "締結日";
    pub const 有効期間開始日: &str = "有効期間開始日";
    pub const 有効期間満了日: &str = "有効期間満了日";
    pub const 押印方式: &str = "押印方式";
    pub const 解除日: &str = "解除日";
    pub const 解除理由: &str = "解除理由";
    pub const 協定締結後の改正日: &str = "協定締結後の改正日";
    pub const 申し合わせ日: &str = "申し合わせ日";
    pub const 申し合わせ改訂日: &str = "申し合わせ改訂日";
    pub const 確認日: &str = "確認日";
    pub const 確認者: &str = "確認者";
    pub const 要件3_1意欲: &str = "3(1)意欲";
    pub const 要件3_3継続的対話: &str = "3(3)継続的対話";
    pub const 欠格1破産者等: &str = "3(4)①破産者等";
    pub const 欠格2更生再生手続: &str = "3(4)②更生再生手続";
    pub const 欠格3暴力団関与: &str = "3(4)③暴力団関与";
    pub const 欠格4暴力団援助: &str = "3(4)④暴力団援助";
    pub const 欠格5公租公課滞納: &str = "3(4)⑤公租公課滞納";
    pub const 欠格6入札資格取消: &str = "3(4)⑥入札資格取消";
    pub const 欠格7指名停止: &str = "3(4)⑦指名停止";
    pub const 欠格8その他不適当: &str = "3(4)⑧その他不適当";
    pub const 分野: &str = "分野";
    pub const 協定書表記: &str = "協定書表記";
    pub const 番号: &str = "番号";
    pub const 連携事項: &str = "連携事項";
    pub const 事業内容: &str = "事業内容";
    pub const 評価: &str = "評価";
    pub const コメント: &str = "コメント";
    pub const 担当部: &str = "担当部";
    pub const 担当課: &str = "担当課";
    pub const 担当者連絡先: &str = "担当者連絡先";
    pub const 市の費用負担: &str = "市の費用負担";
    pub const 禁止事業確認: &str = "禁止事業確認";
    pub const 連携事業: &str = "連携事業";
    pub const 部数: &str = "部数";
    pub const 備考: &str = "備考";
    pub const 当事者: &str = "当事者";
    pub const 部署: &str = "部署";
    pub const 担当者: &str = "担当者";
    pub const 電話: &str = "電話";
    pub const メール: &str = "メール";
    pub const 報告番号: &str = "報告番号";
    pub const 事業名: &str = "事業名";
    pub const 開始日: &str = "開始日";
    pub const 終了日: &str = "終了日";
    pub const 実施場所: &str = "実施場所";
    pub const 参加者数: &str = "参加者数";
    pub const 成果: &str = "成果";
    pub const 課題今後の予定: &str = "課題・今後の予定";
    pub const 報告日: &str = "報告日";
    pub const 市の費用負担額: &str = "市の費用負担額";
    pub const 書類: &str = "書類";
    pub const 条項: &str = "条・項";
    pub const 文言: &str = "文言";

    /// The eight columns of 3(4)①–⑧, in order.
    pub const DISQUALIFICATIONS: [&str; 8] = [
        欠格1破産者等,
        欠格2更生再生手続,
        欠格3暴力団関与,
        欠格4暴力団援助,
        欠格5公租公課滞納,
        欠格6入札資格取消,
        欠格7指名停止,
        欠格8その他不適当,
    ];
}

/// A 協定番号 as compared: NFKC, without whitespace ([`crate::text::key`]), so full- and
/// half-width and stray spaces do not matter. Computed once when the register is read (held
/// by [`Agreement`] and [`crate::finding::Finding`]); every match is then a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AgreementKey(String);

impl AgreementKey {
    /// The key of a 協定番号 as typed.
    pub fn of(id: &str) -> AgreementKey {
        AgreementKey(crate::text::key(id))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AgreementKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A cell of the register: sheet name, 1-based row and 0-based column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    pub sheet: &'static str,
    /// 1-based row number as Excel shows it.
    pub row: u32,
    /// 0-based column index (0 = A).
    pub col: u32,
}

impl CellRef {
    pub fn new(sheet: &'static str, row: u32, col: u32) -> Self {
        CellRef { sheet, row, col }
    }
    /// Column letters as Excel shows them (0 → A, 25 → Z, 26 → AA).
    pub fn col_letters(col: u32) -> String {
        let mut n = col + 1;
        let mut s = Vec::new();
        while n > 0 {
            let r = ((n - 1) % 26) as u8;
            s.push(b'A' + r);
            n = (n - 1) / 26;
        }
        s.reverse();
        String::from_utf8(s).expect("ASCII")
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}!{}{}",
            self.sheet,
            Self::col_letters(self.col),
            self.row
        )
    }
}

/// A value read from a cell, with the cell it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub cell: CellRef,
}

/// A text cell: the text as the user typed it (trimmed, control characters removed).
pub type Text = Located<String>;

/// Settings (`設定`): the city's side of every document. The defaults are the guideline
/// profile's identity (`Profile::settings`); `Settings::default()` is all blank.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Settings {
    pub city_name: String,      // 市名
    pub city_address: String,   // 市所在地
    pub mayor_title: String,    // 市長職名
    pub mayor_name: String,     // 市長氏名 (may be empty)
    pub office: String,         // 所管部課
    pub office_section: String, // 所管係
    pub office_phone: String,   // 所管電話
    pub office_email: String,   // 所管メール
}

impl Settings {
    /// The field behind a `設定` key ([`sheet::SETTINGS_KEYS`]): the one map between the
    /// sheet's keys and the fields, used to read the sheet and to write it (`init`).
    pub fn slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "市名" => &mut self.city_name,
            "市所在地" => &mut self.city_address,
            "市長職名" => &mut self.mayor_title,
            "市長氏名" => &mut self.mayor_name,
            "所管部課" => &mut self.office,
            "所管係" => &mut self.office_section,
            "所管電話" => &mut self.office_phone,
            "所管メール" => &mut self.office_email,
            _ => return None,
        })
    }

    /// The value of a `設定` key.
    pub fn value(&self, key: &str) -> Option<String> {
        self.clone().slot(key).map(std::mem::take)
    }
}

/// A closed list of the register: the spellings the reader accepts for each value. The first
/// spelling of each value is the one the dropdown of `init`'s workbook offers and messages
/// show; the others are accepted variants (`〇` for `○`).
pub trait Closed: Copy + PartialEq + 'static {
    const ACCEPTED: &'static [(&'static str, Self)];

    /// The spellings the dropdown offers, one per value, in order.
    fn offered() -> Vec<&'static str> {
        offered(Self::ACCEPTED)
    }
}

/// The first spelling of each value of a closed list.
pub fn offered<T: PartialEq>(accepted: &[(&'static str, T)]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for (i, (s, v)) in accepted.iter().enumerate() {
        if !accepted[..i].iter().any(|(_, w)| w == v) {
            out.push(*s);
        }
    }
    out
}

/// 市の費用負担: なし (blank is なし too) or あり.
pub const CITY_PAYS: &[(&str, bool)] = &[("なし", false), ("あり", true)];

/// 押印方式: how the parties sign (closing sentence of the 協定書).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum SealStyle {
    #[default]
    署名捺印,
    記名押印,
}

/// One row of `協定`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreement {
    pub row: u32,
    pub id: Text, // 協定番号 (as typed; compare `key`)
    /// The 協定番号 as compared, computed once from `id`.
    pub key: AgreementKey,
    pub company: Text,                          // 企業等名
    pub address: Option<Text>,                  // 企業等所在地
    pub rep_title: Option<Text>,                // 代表者役職
    pub rep_name: Option<Text>,                 // 代表者氏名
    pub contact_name: Option<Text>,             // 担当者名
    pub contact_phone: Option<Text>,            // 担当者電話
    pub contact_email: Option<Text>,            // 担当者メール
    pub applied_on: Option<Located<Date>>,      // 申出日
    pub apply_purpose: Option<Text>,            // 申出目的
    pub apply_other: Option<Text>,              // 申出その他
    pub purpose: Option<Text>,                  // 目的
    pub signed_on: Option<Located<Date>>,       // 締結日
    pub starts_on: Option<Located<Date>>,       // 有効期間開始日
    pub ends_on: Option<Located<Date>>,         // 有効期間満了日
    pub seal: SealStyle,                        // 押印方式
    pub terminated_on: Option<Located<Date>>,   // 解除日
    pub termination_reason: Option<Text>,       // 解除理由
    pub amended_on: Option<Located<Date>>,      // 協定締結後の改正日
    pub memo_on: Option<Located<Date>>,         // 申し合わせ日
    pub memo_revised_on: Option<Located<Date>>, // 申し合わせ改訂日
}

impl Agreement {
    /// The ID as used for matching rows of other sheets (NFKC, no whitespace).
    pub fn key(&self) -> &AgreementKey {
        &self.key
    }
}

impl Closed for SealStyle {
    const ACCEPTED: &'static [(&'static str, SealStyle)] = &[
        ("署名捺印", SealStyle::署名捺印),
        ("記名押印", SealStyle::記名押印),
    ];
}

impl SealStyle {
    /// As printed in the 協定書's closing sentence.
    pub fn label(self) -> &'static str {
        match self {
            SealStyle::署名捺印 => "署名捺印",
            SealStyle::記名押印 => "記名押印",
        }
    }
}

/// 書類 of a `条文` row: the negotiated documents whose wording may be agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ClauseDoc {
    協定書,
    申し合わせ事項,
}

impl Closed for ClauseDoc {
    const ACCEPTED: &'static [(&'static str, ClauseDoc)] = &[
        ("協定書", ClauseDoc::協定書),
        ("包括連携協定書", ClauseDoc::協定書),
        ("申し合わせ事項", ClauseDoc::申し合わせ事項),
        ("申し合わせ", ClauseDoc::申し合わせ事項),
    ];
}

impl ClauseDoc {
    /// As the documents' file names say it.
    pub fn label(self) -> &'static str {
        match self {
            ClauseDoc::協定書 => "協定書",
            ClauseDoc::申し合わせ事項 => "申し合わせ事項",
        }
    }
}

/// はい / いいえ, or blank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum YesNo {
    はい,
    いいえ,
}

impl Closed for YesNo {
    const ACCEPTED: &'static [(&'static str, YesNo)] =
        &[("はい", YesNo::はい), ("いいえ", YesNo::いいえ)];
}

/// 該当しない / 該当する.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Applies {
    該当しない,
    該当する,
}

impl Closed for Applies {
    const ACCEPTED: &'static [(&'static str, Applies)] = &[
        ("該当しない", Applies::該当しない),
        ("該当する", Applies::該当する),
    ];
}

/// One row of `要件確認` (guideline 3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub row: u32,
    pub agreement: Text,                   // 協定番号
    pub checked_on: Option<Located<Date>>, // 確認日
    pub checked_by: Option<Text>,          // 確認者
    pub willing: Option<Located<YesNo>>,   // 3(1)意欲
    pub dialogue: Option<Located<YesNo>>,  // 3(3)継続的対話
    /// 3(4)①–⑧, in order; `None` when blank.
    pub disqualifications: [Option<Located<Applies>>; 8],
}

/// One of the profile's fields (分野), by its index in the profile (0 = ①).
pub type FieldId = usize;

/// One row of `連携事項`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    pub row: u32,
    pub agreement: Text,
    pub field: Located<FieldId>, // 分野
    pub wording: Option<Text>,   // 協定書表記
    /// The 協定書表記 cell, blank or not: where the wording of this field in the 協定書 is
    /// typed (a changed 第2条 item in a returned file belongs there).
    pub wording_cell: CellRef,
}

/// ○ × △.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Evaluation {
    #[serde(rename = "○")]
    Feasible,
    #[serde(rename = "×")]
    Infeasible,
    #[serde(rename = "△")]
    Adjust,
}

impl Closed for Evaluation {
    const ACCEPTED: &'static [(&'static str, Evaluation)] = &[
        ("○", Evaluation::Feasible),
        ("×", Evaluation::Infeasible),
        ("△", Evaluation::Adjust),
        ("〇", Evaluation::Feasible),
        ("◯", Evaluation::Feasible),
        ("x", Evaluation::Infeasible),
        ("X", Evaluation::Infeasible),
        ("✕", Evaluation::Infeasible),
    ];
}

impl Evaluation {
    pub fn symbol(self) -> &'static str {
        match self {
            Evaluation::Feasible => "○",
            Evaluation::Infeasible => "×",
            Evaluation::Adjust => "△",
        }
    }
}

/// 禁止事業確認 when none of 3(5) applies.
pub const NOT_PROHIBITED: &str = "該当なし";

/// 禁止事業確認: `該当なし`, or the numbers ①–⑨ of guideline 3(5) that apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProhibitedCheck {
    None,
    /// 1-based numbers of the prohibited categories that apply (1 = ①).
    Applies(Vec<u8>),
}

/// One row of `連携事業` (the 連携事業提案書).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub row: u32,
    pub agreement: Text,
    pub number: Option<Located<u32>>,            // 番号
    pub field: Option<Located<FieldId>>,         // 連携事項
    pub content: Option<Text>,                   // 事業内容
    pub evaluation: Option<Located<Evaluation>>, // 評価
    pub comment: Option<Text>,                   // コメント
    pub department: Option<Text>,                // 担当部
    pub division: Option<Text>,                  // 担当課
    pub contact: Option<Text>,                   // 担当者連絡先
    /// 市の費用負担: `true` = あり. Blank = なし.
    pub city_pays: Located<bool>,
    pub prohibited: Option<Located<ProhibitedCheck>>, // 禁止事業確認
}

/// One row of `申し合わせ` (memorandum table 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoRow {
    pub row: u32,
    pub agreement: Text,
    pub field: Option<Text>,    // 連携事項 (free text)
    pub project: Option<Text>,  // 連携事業
    pub division: Option<Text>, // 担当課
}

/// One row of `周知協力` (memorandum table 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publicity {
    pub row: u32,
    pub agreement: Text,
    pub project: Option<Text>,        // 連携事業
    pub copies: Option<Located<u32>>, // 部数
    pub note: Option<Text>,           // 備考
}

/// 市 / 企業等.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Party {
    市,
    企業等,
}

impl Closed for Party {
    const ACCEPTED: &'static [(&'static str, Party)] =
        &[("市", Party::市), ("企業等", Party::企業等)];
}

/// One row of `担当窓口` (memorandum section 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub row: u32,
    pub agreement: Text,
    pub party: Located<Party>, // 当事者
    pub office: Option<Text>,  // 部署
    pub person: Option<Text>,  // 担当者
    pub phone: Option<Text>,   // 電話
    pub email: Option<Text>,   // メール
}

/// One row of `実績` (guideline 6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub row: u32,
    pub agreement: Text,
    pub number: Text,                       // 報告番号
    pub field: Option<Located<FieldId>>,    // 連携事項
    pub name: Option<Text>,                 // 事業名
    pub starts_on: Option<Located<Date>>,   // 開始日
    pub ends_on: Option<Located<Date>>,     // 終了日
    pub place: Option<Text>,                // 実施場所
    pub content: Option<Text>,              // 事業内容
    pub participants: Option<Located<u64>>, // 参加者数
    pub outcome: Option<Text>,              // 成果
    pub next_steps: Option<Text>,           // 課題・今後の予定
    pub department: Option<Text>,           // 担当部
    pub division: Option<Text>,             // 担当課
    pub person: Option<Text>,               // 担当者
    pub reported_on: Option<Located<Date>>, // 報告日
    pub city_cost: Option<Located<u64>>,    // 市の費用負担額 (yen)
}

/// One row of `条文` (optional sheet): wording agreed with the company in place of the
/// guideline's model text of one article, paragraph or item (`kyotei compare` finds such
/// changes in a returned file; `render` prints the agreed wording from then on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clause {
    pub row: u32,
    pub agreement: Text,
    pub document: Located<ClauseDoc>, // 書類
    pub place: Text,                  // 条・項 (`第6条`, `第2条第2項`, `前文`…)
    pub wording: Text,                // 文言
}

/// The whole register, rows in sheet order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Register {
    pub settings: Settings,
    pub agreements: Vec<Agreement>,
    pub requirements: Vec<Requirement>,
    pub fields: Vec<FieldRow>,
    pub projects: Vec<Project>,
    pub memo: Vec<MemoRow>,
    pub publicity: Vec<Publicity>,
    pub contacts: Vec<Contact>,
    pub reports: Vec<Report>,
    /// `条文` (optional sheet).
    pub clauses: Vec<Clause>,
    /// Rows of the other sheets grouped by 協定番号, built on first use (see
    /// [`Register::rows`]); a cache, `RowIndex::default()` when building a register by hand.
    pub index: RowIndex,
}

/// A row of a sheet that belongs to an agreement through its 協定番号 column.
pub trait AgreementRow: Sized {
    /// The slot of the sheet in the register's row index.
    const SLOT: usize;
    /// The sheet's rows in the register.
    fn all(reg: &Register) -> &[Self];
    /// The row's 協定番号 cell.
    fn agreement(&self) -> &Text;
}

/// The sheets whose rows belong to an agreement, each with its slot in the row index: the
/// one list from which the trait impls, the sheets' lengths and the index are all derived.
macro_rules! agreement_rows {
    ($($t:ty => $slot:literal, $field:ident;)*) => {
        $(
            impl AgreementRow for $t {
                const SLOT: usize = $slot;
                fn all(reg: &Register) -> &[Self] {
                    &reg.$field
                }
                fn agreement(&self) -> &Text {
                    &self.agreement
                }
            }
        )*

        const SLOTS: usize = [$($slot),*].len();

        /// The number of rows of each sheet, by slot.
        fn sheet_lens(reg: &Register) -> [usize; SLOTS] {
            [$(reg.$field.len()),*]
        }

        /// Every sheet's rows by agreement key.
        fn index_rows(reg: &Register) -> HashMap<AgreementKey, [Vec<u32>; SLOTS]> {
            let mut rows: HashMap<AgreementKey, [Vec<u32>; SLOTS]> = HashMap::new();
            $(
                for (i, r) in reg.$field.iter().enumerate() {
                    rows.entry(AgreementKey::of(&r.agreement.value)).or_default()[$slot]
                        .push(i as u32);
                }
            )*
            rows
        }
    };
}

agreement_rows! {
    Requirement => 0, requirements;
    FieldRow => 1, fields;
    Project => 2, projects;
    MemoRow => 3, memo;
    Publicity => 4, publicity;
    Contact => 5, contacts;
    Report => 6, reports;
    Clause => 7, clauses;
}

/// Row numbers (positions in the sheet's `Vec`) of every sheet, by agreement key. Built once
/// per register, so finding an agreement's rows costs one hash lookup instead of a scan of
/// every row (a register of 1,000 agreements has some 30,000 rows, and every rule and
/// document asks for them).
#[derive(Default)]
pub struct RowIndex(std::sync::OnceLock<Index>);

struct Index {
    /// The sheets' lengths when the index was built. A register edited afterwards (tests
    /// build registers by hand) no longer matches, and lookups fall back to a scan.
    lens: [usize; SLOTS],
    /// The number of agreements when the index was built.
    agreements: usize,
    rows: HashMap<AgreementKey, [Vec<u32>; SLOTS]>,
    /// Each 協定番号's first position in the `協定` sheet.
    positions: HashMap<AgreementKey, usize>,
}

impl Clone for RowIndex {
    /// A clone may be edited; it builds its own index.
    fn clone(&self) -> Self {
        RowIndex::default()
    }
}

impl PartialEq for RowIndex {
    /// A cache: never part of a register's value.
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for RowIndex {}

impl fmt::Debug for RowIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RowIndex")
    }
}

impl Register {
    /// The index, built on first use.
    fn index(&self) -> &Index {
        self.index.0.get_or_init(|| Index {
            lens: sheet_lens(self),
            agreements: self.agreements.len(),
            rows: index_rows(self),
            positions: self
                .agreements
                .iter()
                .enumerate()
                .rev()
                .map(|(i, a)| (a.key.clone(), i))
                .collect(),
        })
    }

    /// The position in the `協定` sheet of the (first) agreement whose 協定番号 has `key`.
    pub fn position(&self, key: &AgreementKey) -> Option<usize> {
        let index = self.index();
        if index.agreements == self.agreements.len() {
            index.positions.get(key).copied()
        } else {
            // Edited since the index was built (registers built by hand in tests).
            self.agreements.iter().position(|a| &a.key == key)
        }
    }

    /// The (first) agreement whose 協定番号 has `key`.
    pub fn find(&self, key: &AgreementKey) -> Option<&Agreement> {
        self.position(key).map(|i| &self.agreements[i])
    }

    /// The rows of a sheet that belong to `agreement` (matched by `text::key` of the
    /// 協定番号), in sheet order: `reg.rows::<Project>(a)`.
    pub fn rows<'a, T: AgreementRow + 'a>(
        &'a self,
        agreement: &Agreement,
    ) -> impl Iterator<Item = &'a T> + 'a {
        let key = agreement.key.clone();
        let all = T::all(self);
        let index = self.index();
        // Either the index's rows, or (the sheets were edited since it was built) a scan.
        let fresh = index.lens == sheet_lens(self);
        let indexed: &[u32] = match index.rows.get(&key) {
            Some(rows) if fresh => &rows[T::SLOT],
            _ => &[],
        };
        let scanned: &[T] = if fresh { &[] } else { all };
        indexed.iter().map(move |&i| &all[i as usize]).chain(
            scanned
                .iter()
                .filter(move |r| crate::text::key_eq(&r.agreement().value, key.as_str())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(sheet: &'static str, row: u32, v: &str) -> Text {
        Located {
            value: v.to_string(),
            cell: CellRef { sheet, row, col: 0 },
        }
    }

    fn agreement(id: &str) -> Agreement {
        Agreement {
            row: 2,
            id: text(sheet::AGREEMENTS, 2, id),
            key: AgreementKey::of(id),
            company: text(sheet::AGREEMENTS, 2, "株式会社テスト"),
            address: None,
            rep_title: None,
            rep_name: None,
            contact_name: None,
            contact_phone: None,
            contact_email: None,
            applied_on: None,
            apply_purpose: None,
            apply_other: None,
            purpose: None,
            signed_on: None,
            starts_on: None,
            ends_on: None,
            seal: SealStyle::default(),
            terminated_on: None,
            termination_reason: None,
            amended_on: None,
            memo_on: None,
            memo_revised_on: None,
        }
    }

    fn field(row: u32, id: &str, field: FieldId) -> FieldRow {
        FieldRow {
            row,
            agreement: text(sheet::FIELDS, row, id),
            field: Located {
                value: field,
                cell: CellRef {
                    sheet: sheet::FIELDS,
                    row,
                    col: 1,
                },
            },
            wording: None,
            wording_cell: CellRef::new(sheet::FIELDS, row, 2),
        }
    }

    fn rows(reg: &Register, a: &Agreement) -> Vec<u32> {
        reg.rows::<FieldRow>(a).map(|f| f.row).collect()
    }

    #[test]
    fn rows_are_matched_by_key_in_sheet_order() {
        let mut reg = Register::default();
        let a = agreement("R8-001");
        let b = agreement("R8-002");
        reg.agreements = vec![a.clone(), b.clone()];
        reg.fields = vec![
            field(2, "R8-001", 0),
            field(3, "Ｒ８－００１", 1), // full-width: the same key
            field(4, "R8-002", 2),
            field(5, " R8-001 ", 3), // surrounding spaces: the same key
            field(6, "R8-0011", 4),
        ];
        assert_eq!(rows(&reg, &a), [2, 3, 5]);
        assert_eq!(rows(&reg, &b), [4]);
        assert_eq!(rows(&reg, &agreement("R9-999")), Vec::<u32>::new());
        assert_eq!(reg.rows::<Report>(&a).count(), 0);
    }

    #[test]
    fn rows_follow_edits_made_after_the_first_lookup() {
        let mut reg = Register::default();
        let a = agreement("R8-001");
        reg.agreements = vec![a.clone()];
        reg.fields = vec![field(2, "R8-001", 0), field(3, "R8-002", 1)];
        assert_eq!(rows(&reg, &a), [2]); // builds the index
        reg.fields.push(field(4, "R8-001", 2));
        assert_eq!(rows(&reg, &a), [2, 4]);

        let mut copy = reg.clone();
        copy.fields.retain(|f| f.row != 2);
        assert_eq!(rows(&copy, &a), [4]);
        assert_eq!(rows(&reg, &a), [2, 4]);
    }
}
