//! The profile's numbers in words, said in one place: 「1箇月」「3箇月」「1年」「2年」,
//! 「翌年」「3年後の」, 「翌年3月31日」. Findings, the register's notes, the reports and
//! (through the template context) the documents word the term from here, so that what they
//! say is what `guideline::term` computes.

use crate::guideline::profile::{FirstTerm, Term};

/// A number of months: 12·n → 「n年」, else 「m箇月」 (「1年間」「6箇月前」 add 間 / 前).
pub fn months(m: i32) -> String {
    if m > 0 && m % 12 == 0 {
        format!("{}年", m / 12)
    } else {
        format!("{m}箇月")
    }
}

/// A year offset before a month and day: 0 → 「同年」, 1 → 「翌年」, n → 「n年後の」.
pub fn year_offset(n: i32) -> String {
    match n {
        0 => "同年".to_string(),
        1 => "翌年".to_string(),
        n => format!("{n}年後の"),
    }
}

/// How the first term ends, as the guideline says it after 「締結の日から」:
/// 「翌年3月31日」, 「3年後の3月31日」 or, for a period, 「1年間」.
pub fn first_end(t: &Term) -> String {
    match t.first {
        FirstTerm::FiscalEnd {
            month,
            day,
            year_offset: n,
        } => format!("{}{month}月{day}日", year_offset(n)),
        FirstTerm::Period { months: m } => format!("{}間", months(m)),
    }
}

/// The first term after 「締結の日から」 as a phrase: 「翌年3月31日まで」 or 「1年間」.
pub fn first_term(t: &Term) -> String {
    match t.first {
        FirstTerm::FiscalEnd { .. } => format!("{}まで", first_end(t)),
        FirstTerm::Period { .. } => first_end(t),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(first: FirstTerm) -> Term {
        Term {
            first,
            renewal_months: 12,
            notice_months: 1,
        }
    }

    #[test]
    fn numbers_in_words() {
        assert_eq!(months(1), "1箇月");
        assert_eq!(months(3), "3箇月");
        assert_eq!(months(6), "6箇月");
        assert_eq!(months(12), "1年");
        assert_eq!(months(24), "2年");
        assert_eq!(months(18), "18箇月");
        assert_eq!(year_offset(0), "同年");
        assert_eq!(year_offset(1), "翌年");
        assert_eq!(year_offset(3), "3年後の");
    }

    #[test]
    fn the_first_term_in_words() {
        let isesaki = term(FirstTerm::FiscalEnd {
            month: 3,
            day: 31,
            year_offset: 1,
        });
        assert_eq!(first_end(&isesaki), "翌年3月31日");
        assert_eq!(first_term(&isesaki), "翌年3月31日まで");
        let kakuu = term(FirstTerm::FiscalEnd {
            month: 3,
            day: 31,
            year_offset: 3,
        });
        assert_eq!(first_end(&kakuu), "3年後の3月31日");
        let year = term(FirstTerm::Period { months: 12 });
        assert_eq!(first_end(&year), "1年間");
        assert_eq!(first_term(&year), "1年間");
        assert_eq!(
            first_term(&term(FirstTerm::Period { months: 6 })),
            "6箇月間"
        );
    }
}
