//! The sheets of the register and their columns (`../shared/spec/input-workbook.md`): one
//! table per sheet, the one place a column is described. The reader finds columns by these
//! headers and parses closed lists with the enums named here; the rules name cells by them;
//! the blank workbook of `kyotei init` takes its headers, widths, formats, dropdowns, colours
//! and notes from them; any form made from the register reads them too. Renaming a header
//! here renames it everywhere, dropdown and note included.
//!
//! `設定` is optional (defaults built in); every other sheet and column is required.

use super::header as h;
use super::{Applies, CITY_PAYS, ClauseDoc, Closed, Evaluation, Party, SealStyle, YesNo};

pub const SETTINGS: &str = "設定";
pub const AGREEMENTS: &str = "協定";
pub const REQUIREMENTS: &str = "要件確認";
pub const FIELDS: &str = "連携事項";
pub const PROJECTS: &str = "連携事業";
pub const MEMO: &str = "申し合わせ";
pub const PUBLICITY: &str = "周知協力";
pub const CONTACTS: &str = "担当窓口";
pub const RESULTS: &str = "実績";
pub const CLAUSES: &str = "条文";

/// Whether a sheet may be left out of a register (`設定` falls back to the profile's
/// identity, `条文` to the guideline's model text).
pub fn is_optional(name: &str) -> bool {
    name == SETTINGS || name == CLAUSES
}

/// The settings keys of `設定`, in order.
pub const SETTINGS_KEYS: &[&str] = &[
    "市名",
    "市所在地",
    "市長職名",
    "市長氏名",
    "所管部課",
    "所管係",
    "所管電話",
    "所管メール",
];

/// What a column holds: how the reader reads it and how the blank workbook formats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A date (an Excel date, or 和暦 and ISO text).
    Date,
    /// A whole number.
    Integer,
    /// Whole yen.
    Yen,
}

/// Whether a column must be filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// In every row (an orange header).
    Always,
    /// To sign: the 協定書 cannot be made without it (a yellow header).
    ForSigning,
    /// Optional (a blue header).
    Optional,
}

/// The values a column may take, and where they come from.
#[derive(Debug, Clone, Copy)]
pub enum Choices {
    /// Anything.
    Free,
    /// A closed list, owned by the type the reader parses it into: the first spelling of
    /// each value is offered (any other value is an error).
    Closed(fn() -> Vec<&'static str>),
    /// Suggestions (other values are accepted).
    Suggested(&'static [&'static str]),
    /// The guideline profile's fields of 3(2) (closed).
    Fields,
    /// The 協定番号 of the `協定` sheet (another value is an orphan row).
    Agreements,
    /// `該当なし`, or the numbers of 3(5) and the city's exclusions (open).
    Prohibited,
    /// The keys of `設定` (open).
    SettingsKeys,
}

/// What the note on a header cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    None,
    Text(&'static str),
    /// Worded from the guideline profile by whoever writes the note (the term, the fields,
    /// the lists of 3(4) and 3(5)).
    FromProfile,
}

/// One column of a sheet.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub kind: Kind,
    pub need: Need,
    /// Width in Excel character units (a kanji is about 2); 0 for one from the header.
    pub width: f64,
    /// Long text, wrapped in the cell.
    pub wrap: bool,
    pub choices: Choices,
    pub note: Note,
}

const fn col(header: &'static str) -> Column {
    Column {
        header,
        kind: Kind::Text,
        need: Need::Optional,
        width: 0.0,
        wrap: false,
        choices: Choices::Free,
        note: Note::None,
    }
}

impl Column {
    const fn w(mut self, width: f64) -> Column {
        self.width = width;
        self
    }
    const fn date(mut self) -> Column {
        self.kind = Kind::Date;
        self.width = 17.0;
        self
    }
    const fn integer(mut self, width: f64) -> Column {
        self.kind = Kind::Integer;
        self.width = width;
        self
    }
    const fn yen(mut self, width: f64) -> Column {
        self.kind = Kind::Yen;
        self.width = width;
        self
    }
    const fn wrap(mut self) -> Column {
        self.wrap = true;
        self
    }
    const fn always(mut self) -> Column {
        self.need = Need::Always;
        self
    }
    const fn signing(mut self) -> Column {
        self.need = Need::ForSigning;
        self
    }
    const fn choices(mut self, c: Choices) -> Column {
        self.choices = c;
        self
    }
    const fn note(mut self, text: &'static str) -> Column {
        self.note = Note::Text(text);
        self
    }
    const fn profile_note(mut self) -> Column {
        self.note = Note::FromProfile;
        self
    }
}

/// One sheet of the contract with its columns, in the order `init` writes them.
#[derive(Debug, Clone, Copy)]
pub struct Sheet {
    pub name: &'static str,
    pub columns: &'static [Column],
}

impl Sheet {
    /// The headers, in order.
    pub fn headers(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.columns.iter().map(|c| c.header)
    }

    /// The 0-based position of a column.
    pub fn position(&self, header: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.header == header)
    }
}

/// The sheet of the contract named `name`.
pub fn sheet(name: &str) -> Option<&'static Sheet> {
    SHEETS.iter().find(|s| s.name == name)
}

/// The column `header` of the sheet `name`.
pub fn column(name: &str, header: &str) -> Option<&'static Column> {
    sheet(name)?.columns.iter().find(|c| c.header == header)
}

/// 協定番号 in the sheets of rows that belong to an agreement.
const ID: Column = col(h::協定番号)
    .w(11.0)
    .always()
    .choices(Choices::Agreements)
    .note("協定シートの協定番号を選ぶか入力します。");
const NOTICE_MEMO_FIELD: &str =
    "申し合わせ事項での書き方で自由に入力します。同じ値が続く行は1つのセルにまとめて印刷します。";
const DISQ: Column = col("")
    .choices(Choices::Closed(Applies::offered))
    .profile_note();

/// Every sheet of the contract, in the order `init` writes them.
pub const SHEETS: &[Sheet] = &[
    Sheet {
        name: SETTINGS,
        columns: &[
            col(h::項目)
                .w(14.0)
                .always()
                .choices(Choices::SettingsKeys),
            col(h::値).w(40.0),
        ],
    },
    Sheet {
        name: AGREEMENTS,
        columns: &[
            col(h::協定番号).w(11.0).always().note(
                "協定ごとに重複しない番号（例: R8-001）。他のシートでも同じ番号で結び付けます。",
            ),
            col(h::企業等名).w(26.0).always(),
            col(h::企業等所在地).w(34.0).signing(),
            col(h::代表者役職).w(18.0).signing(),
            col(h::代表者氏名).w(14.0).signing(),
            col(h::担当者名).w(14.0),
            col(h::担当者電話).w(15.0),
            col(h::担当者メール).w(28.0),
            col(h::申出日).date(),
            col(h::申出目的).w(40.0).wrap(),
            col(h::申出その他).w(40.0).wrap(),
            col(h::目的).w(30.0).signing().note(
                "協定書第1条「甲及び乙が、〇〇、〇〇、〇〇等、相互の連携強化を図る」の〇〇に入る言葉（例: 子育て支援、教育、防災）。",
            ),
            col(h::締結日)
                .date()
                .signing()
                .note("協定を締結した日。交渉中は空欄にします。"),
            col(h::有効期間開始日).date().note(
                "締結日と別の日から有効にするときだけ入力します（協定書第3条の「●年●月●日」）。",
            ),
            col(h::有効期間満了日).date().profile_note(),
            col(h::押印方式)
                .choices(Choices::Closed(SealStyle::offered)),
            col(h::解除日).date(),
            col(h::解除理由).w(24.0).wrap(),
            col(h::協定締結後の改正日).date().profile_note(),
            col(h::申し合わせ日)
                .date()
                .note("申し合わせ事項の日付。空欄のときは締結日です。"),
            col(h::申し合わせ改訂日).date(),
        ],
    },
    Sheet {
        name: REQUIREMENTS,
        columns: &[
            ID,
            col(h::確認日).date(),
            col(h::確認者).w(20.0),
            col(h::要件3_1意欲)
                .choices(Choices::Closed(YesNo::offered))
                .note("ガイドライン3(1): 地域課題や行政課題の解決及び市民サービスの向上を、市と共通目標として捉え、継続的な事業を行う意欲があるか。"),
            col(h::要件3_3継続的対話)
                .choices(Choices::Closed(YesNo::offered))
                .note("ガイドライン3(3): 市と継続的に対話し、積極的に連携事業を実施できる企業等であるか。"),
            Column { header: h::欠格1破産者等, ..DISQ },
            Column { header: h::欠格2更生再生手続, ..DISQ },
            Column { header: h::欠格3暴力団関与, ..DISQ },
            Column { header: h::欠格4暴力団援助, ..DISQ },
            Column { header: h::欠格5公租公課滞納, ..DISQ },
            Column { header: h::欠格6入札資格取消, ..DISQ },
            Column { header: h::欠格7指名停止, ..DISQ },
            Column { header: h::欠格8その他不適当, ..DISQ },
        ],
    },
    Sheet {
        name: FIELDS,
        columns: &[
            ID,
            col(h::分野)
                .w(44.0)
                .always()
                .choices(Choices::Fields)
                .profile_note(),
            col(h::協定書表記).w(30.0).wrap().profile_note(),
        ],
    },
    Sheet {
        name: PROJECTS,
        columns: &[
            ID,
            col(h::番号).integer(0.0),
            col(h::連携事項).w(44.0).choices(Choices::Fields),
            col(h::事業内容).w(40.0).wrap(),
            col(h::評価)
                .choices(Choices::Closed(Evaluation::offered))
                .note("○＝実現可能性あり\n×＝実現不可\n△＝提案事項の調整（代替案）により実現可能性があるもの"),
            col(h::コメント).w(40.0).wrap(),
            col(h::担当部).w(16.0),
            col(h::担当課).w(22.0),
            col(h::担当者連絡先).w(22.0),
            col(h::市の費用負担)
                .choices(Choices::Closed(city_pays))
                .note("ガイドライン1(5): 原則、市が事業費を負担する事業は連携事業から除きます。"),
            col(h::禁止事業確認)
                .w(14.0)
                .choices(Choices::Prohibited)
                .profile_note(),
        ],
    },
    Sheet {
        name: MEMO,
        columns: &[
            ID,
            col(h::連携事項).w(34.0).wrap().note(NOTICE_MEMO_FIELD),
            col(h::連携事業).w(32.0).wrap(),
            col(h::担当課).w(22.0).wrap(),
        ],
    },
    Sheet {
        name: PUBLICITY,
        columns: &[
            ID,
            col(h::連携事業)
                .w(32.0)
                .choices(Choices::Suggested(&["チラシの配架", "ポスターの掲出"])),
            col(h::部数).integer(11.0),
            col(h::備考).w(30.0).wrap(),
        ],
    },
    Sheet {
        name: CONTACTS,
        columns: &[
            ID,
            col(h::当事者)
                .always()
                .choices(Choices::Closed(Party::offered))
                .note("市 または 企業等。市の行がないときは設定シートの所管部課を使います。"),
            col(h::部署).w(22.0),
            col(h::担当者).w(14.0),
            col(h::電話).w(15.0),
            col(h::メール).w(28.0),
        ],
    },
    Sheet {
        name: RESULTS,
        columns: &[
            ID,
            col(h::報告番号)
                .w(10.0)
                .always()
                .note("協定ごとに重複しない番号（例: 1, 2, 3）。"),
            col(h::連携事項).w(44.0).choices(Choices::Fields),
            col(h::事業名).w(30.0).wrap(),
            col(h::開始日).date(),
            col(h::終了日).date(),
            col(h::実施場所).w(22.0).wrap(),
            col(h::事業内容).w(40.0).wrap(),
            col(h::参加者数).integer(11.0),
            col(h::成果).w(40.0).wrap(),
            col(h::課題今後の予定).w(40.0).wrap(),
            col(h::担当部).w(16.0),
            col(h::担当課).w(22.0),
            col(h::担当者).w(14.0),
            col(h::報告日).date(),
            col(h::市の費用負担額).yen(18.0),
        ],
    },
    Sheet {
        name: CLAUSES,
        columns: &[
            ID,
            col(h::書類)
                .w(16.0)
                .always()
                .choices(Choices::Closed(ClauseDoc::offered)),
            col(h::条項).w(16.0).always().note(
                "雛形から変えて合意した箇所。協定書は 前文／第6条／第2条第2項／第2条第1号／末文、申し合わせ事項は 前文／3.／3.第2段落 のように書きます（kyotei compare の報告に出る書き方です）。",
            ),
            col(h::文言).w(60.0).wrap().always().note(
                "合意した文言。その条・項の本文全体（条番号・項番号・号番号を除く）を入れます。台帳の値（企業名など）を含む文では、その値も文言のまま印刷します。",
            ),
        ],
    },
];

/// The spellings of 市の費用負担 the dropdown offers.
fn city_pays() -> Vec<&'static str> {
    super::offered(CITY_PAYS)
}
