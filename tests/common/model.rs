//! The register as data, built by hand for the tests of the rules, the schedule and the
//! reports: one date helper, located values, and one agreement with a company's particulars.

use kyotei::date::Date;
use kyotei::model::{Agreement, CellRef, Located, SealStyle, Text, sheet};

/// A date that exists.
pub fn d(y: i32, m: u32, day: u32) -> Date {
    Date::new(y, m, day).unwrap()
}

pub fn loc<T>(value: T, sheet: &'static str, row: u32, col: u32) -> Located<T> {
    Located {
        value,
        cell: CellRef::new(sheet, row, col),
    }
}

pub fn text(s: &str, sheet: &'static str, row: u32, col: u32) -> Text {
    loc(s.to_string(), sheet, row, col)
}

/// An agreement on row 2 of `協定` with the particulars of a company; signed or not.
pub fn agreement(id: &str, company: &str, signed: Option<Date>) -> Agreement {
    let s = sheet::AGREEMENTS;
    Agreement {
        row: 2,
        id: text(id, s, 2, 0),
        key: kyotei::model::AgreementKey::of(id),
        company: text(company, s, 2, 1),
        address: Some(text("群馬県伊勢崎市今泉町一丁目1番地", s, 2, 2)),
        rep_title: Some(text("代表取締役", s, 2, 3)),
        rep_name: Some(text("赤城 太郎", s, 2, 4)),
        contact_name: Some(text("榛名 花子", s, 2, 5)),
        contact_phone: Some(text("0270-99-1234", s, 2, 6)),
        contact_email: Some(text("hanako@example.jp", s, 2, 7)),
        applied_on: None,
        apply_purpose: None,
        apply_other: None,
        purpose: None,
        signed_on: signed.map(|x| loc(x, s, 2, 12)),
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
