//! The guideline profile: a city's guideline as data — the city's identity (the defaults of
//! the `設定` sheet), the fields and how many of them (or how many 連携事業) an agreement
//! needs, the term rule with its renewal and notice periods, the review period, the lists of
//! 3(4) and 3(5) with the city's extra exclusions, and the effective dates. Isesaki's profile
//! is embedded (`templates/guideline/isesaki.json`); `--guideline FILE` loads another city's.
//!
//! A profile is checked when it is loaded: a key it does not know, a key it lacks, a value of
//! the wrong kind, a minimum above the number of fields, a day that does not exist, a list
//! with the same item twice — each is an [`Error::Profile`] naming the key, in Japanese.

use crate::date::Date;
use crate::error::{Error, Result};
use crate::model::Settings;
use serde::Serialize;
use serde_json::{Map, Value};
use std::path::Path;

/// The embedded profile of Isesaki City.
pub const ISESAKI: &str = include_str!("../../templates/guideline/isesaki.json");

/// The number of 欠格事由 columns of the `要件確認` sheet (the input contract fixes them).
pub const DISQUALIFICATIONS: usize = 8;

/// The city as its documents name it: the defaults that the register's `設定` sheet
/// overrides, key by key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// 市名 (`伊勢崎市`).
    pub city: String,
    /// 市所在地, printed by 甲 in the signature.
    pub address: String,
    /// 市長職名 (`市長`).
    pub mayor_title: String,
    /// 市長氏名; usually blank in the profile and filled in on the `設定` sheet.
    pub mayor_name: String,
    /// 所管部課.
    pub office: String,
    /// 所管係.
    pub section: String,
    /// 所管電話.
    pub phone: String,
    /// 所管メール.
    pub email: String,
}

/// How the first term ends when the parties agreed no end date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FirstTerm {
    /// To a month and day of the start year plus `year_offset` (Isesaki: 翌年3月31日).
    FiscalEnd {
        month: u32,
        day: u32,
        year_offset: i32,
    },
    /// For `months` months from the start, counted as the 民法 counts them: it ends the day
    /// before the corresponding day (1年間 from 2026-06-15 ends 2027-06-14).
    Period { months: i32 },
}

/// Guideline 5: the first term, the automatic renewals and the notice against renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    pub first: FirstTerm,
    /// Each automatic renewal adds this many months (12 = 1年間).
    pub renewal_months: i32,
    /// Notice must be given this many months before the term ends (1 = 1箇月前).
    pub notice_months: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// The guideline's title.
    pub name: String,
    /// The city's identity (the `設定` defaults).
    pub identity: Identity,
    /// 施行日 of the guideline (附則1).
    pub effective: Date,
    /// 施行日 of the latest revision.
    pub revised: Date,
    /// The fields of 3(2), exact wording, in order (① first).
    pub fields: Vec<String>,
    /// 1-based number of the "その他" field whose 協定書表記 says what it is.
    pub other_field: usize,
    /// The last item of 第2条, always present.
    pub closing_item: String,
    /// Minimum number of distinct fields (3(2)); `None` when only projects count.
    pub min_fields: Option<usize>,
    /// Minimum number of 連携事業 that count; `None` when only fields count.
    pub min_projects: Option<usize>,
    pub term: Term,
    /// Years without results after which termination may be reviewed (8①).
    pub review_years: i32,
    /// The disqualifications of 3(4), in order.
    pub disqualifications: Vec<String>,
    /// The prohibited projects of 3(5), in order.
    pub prohibited: Vec<String>,
    /// The city's further exclusions (projects that cannot be 連携事業), numbered after
    /// `prohibited` in the `禁止事業確認` column.
    pub exclusions: Vec<String>,
}

impl Profile {
    /// Isesaki's profile.
    pub fn isesaki() -> Profile {
        Profile::parse(ISESAKI).expect("the embedded profile is valid")
    }

    /// The profile as it enters every document's key in the manifest: its serialised form
    /// (the fields in declaration order, so the same profile gives the same text).
    pub fn fingerprint(&self) -> String {
        serde_json::to_string(self).expect("the profile serialises")
    }

    /// A profile from its JSON text.
    pub fn parse(json: &str) -> Result<Profile> {
        let value: Value = serde_json::from_str(json).map_err(|e| {
            Error::Profile(format!(
                "JSON の書き方に誤りがあります（{}行目 {}文字目）",
                e.line(),
                e.column()
            ))
        })?;
        let p = from_value(value).map_err(Error::Profile)?;
        p.validate().map_err(Error::Profile)?;
        Ok(p)
    }

    /// The profile in the file at `path`; errors name the file.
    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        Profile::parse(&text).map_err(|e| match e {
            Error::Profile(m) => Error::Profile(format!("{name}: {m}")),
            e => e,
        })
    }

    /// The `設定` defaults: the identity as [`Settings`].
    pub fn settings(&self) -> Settings {
        let i = &self.identity;
        Settings {
            city_name: i.city.clone(),
            city_address: i.address.clone(),
            mayor_title: i.mayor_title.clone(),
            mayor_name: i.mayor_name.clone(),
            office: i.office.clone(),
            office_section: i.section.clone(),
            office_phone: i.phone.clone(),
            office_email: i.email.clone(),
        }
    }

    /// The 禁止事業確認 items: 3(5) then the city's exclusions, numbered ① on.
    pub fn banned(&self) -> impl Iterator<Item = &str> {
        self.prohibited
            .iter()
            .chain(&self.exclusions)
            .map(String::as_str)
    }

    /// The number of 禁止事業確認 items.
    pub fn banned_count(&self) -> usize {
        self.prohibited.len() + self.exclusions.len()
    }

    /// A 禁止事業確認 item by its 1-based number, as findings name it: `3(5)①「…」` for
    /// the guideline's list, `⑩「…」（除外事項）` for the city's exclusions.
    pub fn banned_label(&self, n: usize) -> String {
        let what = self.banned().nth(n.wrapping_sub(1)).unwrap_or("禁止事業");
        if n <= self.prohibited.len() || n > self.banned_count() {
            format!("3(5){}「{what}」", circled(n))
        } else {
            format!("{}「{what}」（除外事項）", circled(n))
        }
    }

    /// The field number as printed: ① for 0.
    pub fn field_mark(index: usize) -> String {
        circled(index + 1)
    }

    /// The 0-based index of a field name (matched as a key), if it is one of the fields.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        // Most cells hold the name exactly as the dropdown offered it: no NFKC needed.
        if let Some(i) = self.fields.iter().position(|f| f == name) {
            return Some(i);
        }
        let k = crate::text::key(name);
        self.fields.iter().position(|f| crate::text::key(f) == k)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        nonempty("name", &self.name)?;
        for (key, v) in [
            ("identity.city", &self.identity.city),
            ("identity.address", &self.identity.address),
            ("identity.mayor_title", &self.identity.mayor_title),
        ] {
            nonempty(key, v)?;
        }
        if self.revised < self.effective {
            return Err(format!(
                "\"revised\"（{}）が \"effective\"（{}）より前です",
                self.revised.iso(),
                self.effective.iso()
            ));
        }
        if self.fields.is_empty() {
            return Err("\"fields\" が空です。3(2) の分野を1つ以上書いてください".into());
        }
        distinct("fields", &self.fields)?;
        distinct("disqualifications", &self.disqualifications)?;
        let banned: Vec<String> = self.banned().map(String::from).collect();
        distinct("prohibited\" と \"exclusions", &banned)?;
        nonempty("closing_item", &self.closing_item)?;
        let n = self.fields.len();
        if !(1..=n).contains(&self.other_field) {
            return Err(format!(
                "\"other_field\"（{}）は \"fields\" の番号（1〜{n}）で書いてください",
                self.other_field
            ));
        }
        match (self.min_fields, self.min_projects) {
            (None, None) => {
                return Err(
                    "\"min_fields\" と \"min_projects\" の少なくとも一方に数を書いてください"
                        .into(),
                );
            }
            (Some(m), _) if m == 0 || m > n => {
                return Err(format!(
                    "\"min_fields\"（{m}）は1から \"fields\" の数（{n}）までにしてください"
                ));
            }
            (_, Some(0)) => return Err("\"min_projects\" は1以上にしてください".into()),
            _ => {}
        }
        if self.disqualifications.len() != DISQUALIFICATIONS {
            return Err(format!(
                "\"disqualifications\" は{DISQUALIFICATIONS}項目です（要件確認シートの欠格事由の列は①〜⑧の8列です）。{}項目あります",
                self.disqualifications.len()
            ));
        }
        let t = &self.term;
        match t.first {
            FirstTerm::FiscalEnd {
                month,
                day,
                year_offset,
            } => {
                if !(1..=12).contains(&month) {
                    return Err(format!("\"term.month\"（{month}）は1〜12にしてください"));
                }
                // 2月29日 exists (in leap years); a shorter year ends on the 28th.
                if Date::new(2000, month, day).is_none() {
                    return Err(format!(
                        "\"term.day\": {month}月{day}日という日はありません"
                    ));
                }
                let year_end = (month, day) == (12, 31);
                if !(0..=10).contains(&year_offset) || (year_offset == 0 && !year_end) {
                    return Err(format!(
                        "\"term.year_offset\"（{year_offset}）は1〜10にしてください（0は12月31日のときだけ使えます。ほかの月日では開始より前に満了することがあります）"
                    ));
                }
            }
            FirstTerm::Period { months } => {
                if !(1..=120).contains(&months) {
                    return Err(format!("\"term.months\"（{months}）は1〜120にしてください"));
                }
            }
        }
        if !(1..=120).contains(&t.renewal_months) {
            return Err(format!(
                "\"term.renewal_months\"（{}）は1〜120にしてください",
                t.renewal_months
            ));
        }
        if t.notice_months < 1 || t.notice_months >= t.renewal_months {
            return Err(format!(
                "\"term.notice_months\"（{}）は1以上で、\"term.renewal_months\"（{}）より小さくしてください",
                t.notice_months, t.renewal_months
            ));
        }
        if let FirstTerm::Period { months } = t.first
            && t.notice_months >= months
        {
            return Err(format!(
                "\"term.notice_months\"（{}）は \"term.months\"（{months}）より小さくしてください",
                t.notice_months
            ));
        }
        if !(1..=50).contains(&self.review_years) {
            return Err(format!(
                "\"review_years\"（{}）は1〜50にしてください",
                self.review_years
            ));
        }
        Ok(())
    }
}

fn nonempty(key: &str, v: &str) -> std::result::Result<(), String> {
    if v.trim().is_empty() {
        Err(format!("\"{key}\" が空です"))
    } else {
        Ok(())
    }
}

/// A list whose items are all different (compared as keys: width and spaces do not matter).
fn distinct(key: &str, items: &[String]) -> std::result::Result<(), String> {
    for (j, b) in items.iter().enumerate() {
        let k = crate::text::key(b);
        if let Some(i) = items[..j].iter().position(|a| crate::text::key(a) == k) {
            return Err(format!(
                "\"{key}\" の{}番目と{}番目が同じです（「{b}」）",
                i + 1,
                j + 1
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reading: every key by name, so that an error can say which key is wrong
// ---------------------------------------------------------------------------------------

/// Keys of the format before the identity and the term kind, with where they went.
const MOVED: &[(&str, &str)] = &[
    ("city", "\"identity.city\""),
    (
        "term.first_end_month",
        "\"term.month\"（\"term.kind\" は \"fiscal_end\"）",
    ),
    (
        "term.first_end_day",
        "\"term.day\"（\"term.kind\" は \"fiscal_end\"）",
    ),
    (
        "term.first_end_year_offset",
        "\"term.year_offset\"（\"term.kind\" は \"fiscal_end\"）",
    ),
];

/// The message for a key the format does not know, with where an old key went.
fn unknown(key: &str) -> String {
    let mut m = format!("未知のキー \"{key}\" があります");
    if let Some((_, to)) = MOVED.iter().find(|(from, _)| *from == key) {
        m.push_str(&format!("（今の形式では {to} に書きます）"));
    }
    m
}

/// One JSON object being read: keys are taken one by one; what is left is unknown.
struct Obj {
    path: &'static str,
    map: Map<String, Value>,
}

type R<T> = std::result::Result<T, String>;

impl Obj {
    fn new(path: &'static str, v: Value) -> R<Obj> {
        match v {
            Value::Object(map) => Ok(Obj { path, map }),
            other => Err(format!(
                "{} はオブジェクト（{{ … }}）で書いてください（{} があります）",
                if path.is_empty() {
                    "ガイドライン設定".to_string()
                } else {
                    format!("\"{path}\"")
                },
                kind_of(&other)
            )),
        }
    }

    fn key(&self, k: &str) -> String {
        if self.path.is_empty() {
            k.to_string()
        } else {
            format!("{}.{k}", self.path)
        }
    }

    fn opt(&mut self, k: &str) -> Option<Value> {
        self.map.remove(k).filter(|v| !v.is_null())
    }

    fn req(&mut self, k: &str) -> R<Value> {
        self.opt(k)
            .ok_or_else(|| format!("キー \"{}\" がありません", self.key(k)))
    }

    fn string(&mut self, k: &str) -> R<String> {
        let v = self.req(k)?;
        self.as_string(k, v)
    }

    fn opt_string(&mut self, k: &str) -> R<String> {
        match self.opt(k) {
            Some(v) => self.as_string(k, v),
            None => Ok(String::new()),
        }
    }

    fn as_string(&self, k: &str, v: Value) -> R<String> {
        match v {
            Value::String(s) => Ok(s),
            other => Err(self.wrong(k, "文字列（\"…\"）", &other)),
        }
    }

    fn strings(&mut self, k: &str, required: bool) -> R<Vec<String>> {
        let v = match (self.opt(k), required) {
            (Some(v), _) => v,
            (None, false) => return Ok(Vec::new()),
            (None, true) => return Err(format!("キー \"{}\" がありません", self.key(k))),
        };
        let Value::Array(items) = v else {
            return Err(self.wrong(k, "文字列の配列（[\"…\", \"…\"]）", &v));
        };
        items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) if !s.trim().is_empty() => Ok(s),
                other => Err(format!(
                    "\"{}\" の{}番目が空か文字列ではありません（{}）",
                    self.key(k),
                    i + 1,
                    kind_of(&other)
                )),
            })
            .collect()
    }

    fn int(&mut self, k: &str) -> R<i64> {
        let v = self.req(k)?;
        self.as_int(k, v)
    }

    fn opt_int(&mut self, k: &str) -> R<Option<i64>> {
        self.opt(k).map(|v| self.as_int(k, v)).transpose()
    }

    fn as_int(&self, k: &str, v: Value) -> R<i64> {
        match v.as_i64() {
            Some(n) if n.unsigned_abs() <= 100_000 => Ok(n),
            _ => Err(self.wrong(k, "整数", &v)),
        }
    }

    fn date(&mut self, k: &str) -> R<Date> {
        let s = self.string(k)?;
        let ok = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
        match Date::parse(&s) {
            Ok(d) if ok => Ok(d),
            _ => Err(format!(
                "\"{}\" の \"{s}\" は日付として読めません（2026-04-01 の形で書いてください）",
                self.key(k)
            )),
        }
    }

    fn wrong(&self, k: &str, expected: &str, got: &Value) -> String {
        format!(
            "\"{}\" は{expected}で書いてください（{} があります）",
            self.key(k),
            kind_of(got)
        )
    }

    /// Ends reading: any key left is unknown.
    fn done(self) -> R<()> {
        let path = self.path;
        match self.map.into_iter().next() {
            None => Ok(()),
            Some((k, _)) => {
                let key = if path.is_empty() {
                    k
                } else {
                    format!("{path}.{k}")
                };
                Err(unknown(&key))
            }
        }
    }
}

fn kind_of(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("数 {n}"),
        Value::String(s) => format!("文字列 \"{}\"", s.chars().take(20).collect::<String>()),
        Value::Array(_) => "配列".into(),
        Value::Object(_) => "オブジェクト".into(),
    }
}

fn count(o: &mut Obj, k: &str) -> R<Option<usize>> {
    match o.opt_int(k)? {
        Some(n) if n >= 0 => Ok(Some(n as usize)),
        Some(n) => Err(format!(
            "\"{}\"（{n}）は0以上の整数にしてください",
            o.key(k)
        )),
        None => Ok(None),
    }
}

fn from_value(v: Value) -> R<Profile> {
    let mut o = Obj::new("", v)?;
    let name = o.string("name")?;
    let identity = identity(Obj::new("identity", o.req("identity")?)?)?;
    let effective = o.date("effective")?;
    let revised = o.date("revised")?;
    let fields = o.strings("fields", true)?;
    let other_field = count(&mut o, "other_field")?
        .ok_or_else(|| "キー \"other_field\" がありません".to_string())?;
    let closing_item = o.string("closing_item")?;
    let min_fields = count(&mut o, "min_fields")?;
    let min_projects = count(&mut o, "min_projects")?;
    let term = term(Obj::new("term", o.req("term")?)?)?;
    let review_years = o.int("review_years")? as i32;
    let disqualifications = o.strings("disqualifications", true)?;
    let prohibited = o.strings("prohibited", true)?;
    let exclusions = o.strings("exclusions", false)?;
    o.done()?;
    Ok(Profile {
        name,
        identity,
        effective,
        revised,
        fields,
        other_field,
        closing_item,
        min_fields,
        min_projects,
        term,
        review_years,
        disqualifications,
        prohibited,
        exclusions,
    })
}

fn identity(mut o: Obj) -> R<Identity> {
    let i = Identity {
        city: o.string("city")?,
        address: o.string("address")?,
        mayor_title: o.string("mayor_title")?,
        mayor_name: o.opt_string("mayor_name")?,
        office: o.string("office")?,
        section: o.string("section")?,
        phone: o.string("phone")?,
        email: o.string("email")?,
    };
    o.done()?;
    Ok(i)
}

fn term(mut o: Obj) -> R<Term> {
    // A term in the old format has no kind: name its first old key rather than the kind.
    if !o.map.contains_key("kind")
        && let Some((old, _)) = MOVED.iter().find(|(k, _)| {
            k.strip_prefix("term.")
                .is_some_and(|k| o.map.contains_key(k))
        })
    {
        return Err(unknown(old));
    }
    let kind = o.string("kind")?;
    let first = match kind.as_str() {
        "fiscal_end" => FirstTerm::FiscalEnd {
            month: o.int("month")?.clamp(0, 99) as u32,
            day: o.int("day")?.clamp(0, 99) as u32,
            year_offset: o.int("year_offset")? as i32,
        },
        "period" => FirstTerm::Period {
            months: o.int("months")? as i32,
        },
        other => {
            return Err(format!(
                "\"term.kind\" の \"{other}\" は使えません（\"fiscal_end\": 開始から所定の年数後の月日まで、\"period\": 開始から所定の期間）"
            ));
        }
    };
    let t = Term {
        first,
        renewal_months: o.int("renewal_months")? as i32,
        notice_months: o.int("notice_months")? as i32,
    };
    o.done()?;
    Ok(t)
}

/// ①…⑳, then (21)… for larger numbers.
pub fn circled(n: usize) -> String {
    match n {
        1..=20 => char::from_u32(0x2460 + n as u32 - 1)
            .expect("circled digit")
            .to_string(),
        21..=35 => char::from_u32(0x3251 + n as u32 - 21)
            .expect("circled digit")
            .to_string(),
        36..=50 => char::from_u32(0x32B1 + n as u32 - 36)
            .expect("circled digit")
            .to_string(),
        _ => format!("({n})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn isesaki_json() -> Value {
        serde_json::from_str(ISESAKI).unwrap()
    }

    fn error_of(v: &Value) -> String {
        match Profile::parse(&v.to_string()) {
            Err(Error::Profile(m)) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn embedded_profile_matches_the_guideline() {
        let p = Profile::isesaki();
        assert_eq!(p.fields.len(), 13);
        assert_eq!(p.fields[9], "シティプロモーションに関すること。");
        assert_eq!(p.min_fields, Some(3));
        assert_eq!(p.min_projects, None);
        assert_eq!(p.effective, Date::new(2026, 4, 1).unwrap());
        assert_eq!(p.field_index("ｼﾃｨﾌﾟﾛﾓｰｼｮﾝに関すること。"), Some(9));
        assert_eq!(
            p.term,
            Term {
                first: FirstTerm::FiscalEnd {
                    month: 3,
                    day: 31,
                    year_offset: 1
                },
                renewal_months: 12,
                notice_months: 1,
            }
        );
        assert_eq!(p.identity.city, "伊勢崎市");
        assert!(p.exclusions.is_empty());
        assert_eq!(circled(1), "①");
        assert_eq!(circled(13), "⑬");
        assert_eq!(circled(21), "㉑");
    }

    #[test]
    fn the_identity_is_the_settings_default() {
        let s = Profile::isesaki().settings();
        assert_eq!(s.city_name, "伊勢崎市");
        assert_eq!(s.city_address, "群馬県伊勢崎市今泉町二丁目410番地");
        assert_eq!(s.mayor_title, "市長");
        assert_eq!(s.mayor_name, "");
        assert_eq!(s.office, "市長戦略部戦略推進課");
        assert_eq!(s.office_section, "戦略係");
        assert_eq!(s.office_phone, "0270-27-6281");
        assert_eq!(s.office_email, "senryaku@city.isesaki.lg.jp");
    }

    #[test]
    fn each_broken_profile_is_named_by_its_key() {
        type Change = Box<dyn Fn(&mut Value)>;
        let cases: Vec<(&str, Change, &str)> = vec![
            (
                "unknown key",
                Box::new(|v| v["foo"] = 1.into()),
                "未知のキー \"foo\" があります",
            ),
            (
                "unknown nested key",
                Box::new(|v| v["identity"]["fax"] = "0".into()),
                "未知のキー \"identity.fax\" があります",
            ),
            (
                "old key",
                Box::new(|v| v["city"] = "伊勢崎市".into()),
                "未知のキー \"city\" があります（今の形式では \"identity.city\" に書きます）",
            ),
            (
                "old term",
                Box::new(|v| {
                    v["term"] = serde_json::json!({"first_end_month": 3, "first_end_day": 31,
                        "first_end_year_offset": 1, "renewal_months": 12, "notice_months": 1});
                }),
                "未知のキー \"term.first_end_month\" があります（今の形式では \"term.month\"（\"term.kind\" は \"fiscal_end\"） に書きます）",
            ),
            (
                "missing key",
                Box::new(|v| {
                    v["identity"].as_object_mut().unwrap().remove("address");
                }),
                "キー \"identity.address\" がありません",
            ),
            (
                "wrong type",
                Box::new(|v| v["min_fields"] = "3".into()),
                "\"min_fields\" は整数で書いてください（文字列 \"3\" があります）",
            ),
            (
                "minimum above the fields",
                Box::new(|v| v["min_fields"] = 14.into()),
                "\"min_fields\"（14）は1から \"fields\" の数（13）までにしてください",
            ),
            (
                "no minimum at all",
                Box::new(|v| v["min_fields"] = Value::Null),
                "\"min_fields\" と \"min_projects\" の少なくとも一方に数を書いてください",
            ),
            (
                "zero projects",
                Box::new(|v| v["min_projects"] = 0.into()),
                "\"min_projects\" は1以上にしてください",
            ),
            (
                "impossible day",
                Box::new(|v| {
                    v["term"]["month"] = 4.into();
                    v["term"]["day"] = 31.into();
                }),
                "\"term.day\": 4月31日という日はありません",
            ),
            (
                "impossible month",
                Box::new(|v| v["term"]["month"] = 13.into()),
                "\"term.month\"（13）は1〜12にしてください",
            ),
            (
                "impossible date",
                Box::new(|v| v["effective"] = "2026-02-30".into()),
                "\"effective\" の \"2026-02-30\" は日付として読めません（2026-04-01 の形で書いてください）",
            ),
            (
                "duplicate field",
                Box::new(|v| v["fields"][4] = "子ども・子育て支援に関すること。".into()),
                "\"fields\" の1番目と5番目が同じです（「子ども・子育て支援に関すること。」）",
            ),
            (
                "unknown term kind",
                Box::new(|v| v["term"]["kind"] = "annual".into()),
                "\"term.kind\" の \"annual\" は使えません",
            ),
            (
                "period without months",
                Box::new(|v| v["term"]["kind"] = "period".into()),
                "キー \"term.months\" がありません",
            ),
            (
                "notice as long as the renewal",
                Box::new(|v| v["term"]["notice_months"] = 12.into()),
                "\"term.notice_months\"（12）は1以上で、\"term.renewal_months\"（12）より小さくしてください",
            ),
            (
                "seven disqualifications",
                Box::new(|v| {
                    v["disqualifications"].as_array_mut().unwrap().pop();
                }),
                "\"disqualifications\" は8項目です",
            ),
            (
                "other_field out of range",
                Box::new(|v| v["other_field"] = 0.into()),
                "\"other_field\"（0）は \"fields\" の番号（1〜13）で書いてください",
            ),
            (
                "an exclusion repeating a prohibited project",
                Box::new(|v| {
                    v["exclusions"] = serde_json::json!(["政治的又は宗教的目的を有する事業"])
                }),
                "\"prohibited\" と \"exclusions\" の4番目と10番目が同じです",
            ),
        ];
        for (name, change, expected) in cases {
            let mut v = isesaki_json();
            change(&mut v);
            let m = error_of(&v);
            assert!(m.starts_with(expected), "{name}: {m}");
        }
        assert!(matches!(Profile::parse("{}"), Err(Error::Profile(_))));
        assert_eq!(
            Profile::parse("{\n  \"name\": ,\n}")
                .unwrap_err()
                .to_string(),
            "ガイドライン設定を読み込めません: JSON の書き方に誤りがあります（2行目 11文字目）"
        );
    }

    #[test]
    fn a_period_term_and_a_minimum_of_projects() {
        let mut v = isesaki_json();
        v["term"] = serde_json::json!({"kind": "period", "months": 12, "renewal_months": 12, "notice_months": 1});
        v["min_fields"] = Value::Null;
        v["min_projects"] = 3.into();
        v["exclusions"] = serde_json::json!(["民間事業者等の利益誘導のおそれがあるもの"]);
        let p = Profile::parse(&v.to_string()).unwrap();
        assert_eq!(p.term.first, FirstTerm::Period { months: 12 });
        assert_eq!((p.min_fields, p.min_projects), (None, Some(3)));
        assert_eq!(p.banned_count(), 10);
        assert_eq!(
            p.banned_label(10),
            "⑩「民間事業者等の利益誘導のおそれがあるもの」（除外事項）"
        );
        assert_eq!(
            p.banned_label(4),
            "3(5)④「政治的又は宗教的目的を有する事業」"
        );
    }

    #[test]
    fn load_names_the_file() {
        let dir = std::env::temp_dir().join(format!("kyotei-profile-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("kakuu.json");
        let mut v = isesaki_json();
        v["foo"] = 1.into();
        std::fs::write(&path, v.to_string()).unwrap();
        assert_eq!(
            Profile::load(&path).unwrap_err().to_string(),
            "ガイドライン設定を読み込めません: kakuu.json: 未知のキー \"foo\" があります"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
