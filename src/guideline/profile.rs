//! The guideline profile: the guideline's parameters as data (fields, minimum count, term,
//! renewal, notice and review periods, effective dates). Isesaki's profile is embedded
//! (`templates/guideline/isesaki.json`); `--guideline FILE` loads another city's.

use crate::date::Date;
use crate::error::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::path::Path;

/// The embedded profile of Isesaki City.
pub const ISESAKI: &str = include_str!("../../templates/guideline/isesaki.json");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    /// The first term ends on this month and day …
    pub first_end_month: u32,
    pub first_end_day: u32,
    /// … of the start year plus this many years (1 = 翌年).
    pub first_end_year_offset: i32,
    /// Each automatic renewal adds this many months (12 = 1年間).
    pub renewal_months: i32,
    /// Notice must be given this many months before the term ends (1 = 1箇月前).
    pub notice_months: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The guideline's title.
    pub name: String,
    pub city: String,
    /// 施行日 of the guideline (附則1).
    #[serde(with = "iso")]
    pub effective: Date,
    /// 施行日 of the latest revision.
    #[serde(with = "iso")]
    pub revised: Date,
    /// The fields of 3(2), exact wording, in order (① first).
    pub fields: Vec<String>,
    /// 1-based number of the "その他" field whose 協定書表記 says what it is.
    pub other_field: usize,
    /// The last item of 第2条, always present.
    pub closing_item: String,
    /// Minimum number of distinct fields (3(2)).
    pub min_fields: usize,
    pub term: Term,
    /// Years without results after which termination may be reviewed (8①).
    pub review_years: i32,
    /// The disqualifications of 3(4), in order.
    pub disqualifications: Vec<String>,
    /// The prohibited projects of 3(5), in order.
    pub prohibited: Vec<String>,
}

impl Profile {
    /// Isesaki's profile.
    pub fn isesaki() -> Profile {
        Profile::parse(ISESAKI).expect("the embedded profile is valid")
    }

    pub fn parse(json: &str) -> Result<Profile> {
        let p: Profile = serde_json::from_str(json).map_err(|e| Error::Profile(e.to_string()))?;
        p.validate()?;
        Ok(p)
    }

    pub fn load(path: &Path) -> Result<Profile> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Profile::parse(&text).map_err(|e| match e {
            Error::Profile(m) => Error::Profile(format!("{}: {m}", path.display())),
            e => e,
        })
    }

    fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(Error::Profile(m.to_string()));
        if self.fields.is_empty() {
            return bad("fields が空です");
        }
        if self.other_field > self.fields.len() {
            return bad("other_field が fields の範囲外です");
        }
        if self.min_fields == 0 || self.min_fields > self.fields.len() {
            return bad("min_fields が不正です");
        }
        if Date::new(2000, self.term.first_end_month, self.term.first_end_day).is_none() {
            return bad("term の満了月日が不正です");
        }
        if self.term.renewal_months <= 0 || self.term.notice_months < 0 || self.review_years <= 0 {
            return bad("term または review_years が不正です");
        }
        Ok(())
    }

    /// The field number as printed: ① for 0.
    pub fn field_mark(index: usize) -> String {
        circled(index + 1)
    }

    /// The 0-based index of a field name (matched as a key), if it is one of the fields.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        let k = crate::text::key(name);
        self.fields.iter().position(|f| crate::text::key(f) == k)
    }
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

mod iso {
    use super::*;
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&d.iso())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse(&s).map_err(|_| serde::de::Error::custom(format!("invalid date {s}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_profile_matches_the_guideline() {
        let p = Profile::isesaki();
        assert_eq!(p.fields.len(), 13);
        assert_eq!(p.fields[9], "シティプロモーションに関すること。");
        assert_eq!(p.min_fields, 3);
        assert_eq!(p.effective, Date::new(2026, 4, 1).unwrap());
        assert_eq!(p.field_index("ｼﾃｨﾌﾟﾛﾓｰｼｮﾝに関すること。"), Some(9));
        assert_eq!(circled(1), "①");
        assert_eq!(circled(13), "⑬");
        assert_eq!(circled(21), "㉑");
    }

    #[test]
    fn rejects_a_broken_profile() {
        let mut v: serde_json::Value = serde_json::from_str(ISESAKI).unwrap();
        v["min_fields"] = 0.into();
        assert!(Profile::parse(&v.to_string()).is_err());
        assert!(Profile::parse("{}").is_err());
    }
}
