//! Guideline 5 (有効期間と自動更新) and 8① (解除の検討): the term of an agreement, its
//! renewals, the notice deadline, its status on a given day and whether termination may be
//! reviewed for lack of results.
//!
//! Every period comes from the profile (`profile.term`, `profile.review_years`); nothing
//! here knows "3月31日", "1年" or "1箇月". "Today" is the `as_of` argument.
//!
//! The first term, when no end was agreed, follows the profile's rule: to a month and day
//! some years after the start (Isesaki: 翌年3月31日) or for a period from the start (1年間
//! from 2026-06-15 ends 2027-06-14).
//!
//! Periods are counted as the 民法 (第143条) counts them and as 第3条 of the model agreement
//! says: a renewed term runs "当該期間の満了の翌日から起算して1年間", so after a term ending
//! 2027-03-31 the next runs 2027-04-01..2028-03-31, and after an agreed end of 2027-09-15
//! it runs to 2028-09-15.

use crate::date::Date;
use crate::guideline::profile::{FirstTerm, Profile, Term};
use crate::model::{Agreement, Register, Report};
use serde::Serialize;

/// Where an agreement stands on a given day. Serialised as the Japanese name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Status {
    /// No 締結日 yet: still being negotiated.
    協議中,
    /// Signed, but the term starts after `as_of`.
    未発効,
    /// In force.
    有効,
    /// Terminated: 解除日 on or before `as_of`.
    解除,
}

impl Status {
    /// The status as printed (`有効`).
    pub fn label(self) -> &'static str {
        match self {
            Status::協議中 => "協議中",
            Status::未発効 => "未発効",
            Status::有効 => "有効",
            Status::解除 => "解除",
        }
    }
}

/// The term of a signed agreement as of a given day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TermInfo {
    /// 有効期間開始日, else 締結日.
    pub start: Date,
    /// 有効期間満了日 if agreed, else the profile's month/day of the start year plus the
    /// offset ("翌年3月31日").
    pub first_end: Date,
    /// The term containing `as_of` (for a terminated agreement: containing the 解除日; for one
    /// not yet in force: the first term).
    pub current_start: Date,
    pub current_end: Date,
    /// How many automatic renewals led to the current term (0 = first term).
    pub renewals: u32,
    /// The last day to give notice that the current term shall not be renewed:
    /// `current_end` minus `notice_months`, clamped to the month end (31 March → 28/29 Feb).
    pub notice_deadline: Date,
    /// The end of the term that follows the current one if it is renewed.
    pub next_end: Date,
    pub status: Status,
    /// The date of the latest result (実績), see [`last_result`].
    pub last_result: Option<Date>,
    /// Why termination may be reviewed under 8① (Japanese), if it may.
    pub review: Option<String>,
}

/// The status of an agreement on `as_of`.
pub fn status(agreement: &Agreement, as_of: Date) -> Status {
    let Some(signed) = agreement.signed_on.as_ref().map(|d| d.value) else {
        return Status::協議中;
    };
    if agreement
        .terminated_on
        .as_ref()
        .is_some_and(|d| d.value <= as_of)
    {
        return Status::解除;
    }
    let start = start_of(agreement).unwrap_or(signed);
    if signed > as_of || start > as_of {
        Status::未発効
    } else {
        Status::有効
    }
}

/// 有効期間開始日, else 締結日; `None` when neither is filled in.
pub fn start_of(agreement: &Agreement) -> Option<Date> {
    agreement
        .starts_on
        .as_ref()
        .or(agreement.signed_on.as_ref())
        .map(|d| d.value)
}

/// The end of the first term when no end date was agreed. For a month and day: that day of
/// the start year plus the offset (Isesaki: 翌年3月31日); a day that does not exist in that
/// year (29 February) is clamped to the month end. For a period: the day before the
/// corresponding day `months` later (民法143条), as a renewal counts.
pub fn default_first_end(start: Date, term: &Term) -> Date {
    match term.first {
        FirstTerm::FiscalEnd {
            month,
            day,
            year_offset,
        } => {
            let year = start.year + year_offset;
            let day = day.min(crate::date::days_in_month(year, month));
            Date::new(year, month, day).expect("profile month/day validated")
        }
        FirstTerm::Period { months } => renewed_end(start.add_days(-1), months),
    }
}

/// The end of the term that follows a term ending on `prev_end`, when it is renewed for
/// `months` months counted from the next day (民法143条: it ends the day before the
/// corresponding day; with no corresponding day, on the last day of that month).
pub fn renewed_end(prev_end: Date, months: i32) -> Date {
    let from = prev_end.add_days(1);
    let corresponding = from.add_months(months);
    if corresponding.day == from.day {
        corresponding.add_days(-1)
    } else {
        // No corresponding day (the month is shorter): the last day of that month.
        corresponding
    }
}

/// The last day to give notice against renewal of a term ending on `end`.
pub fn notice_deadline(end: Date, term: &Term) -> Date {
    end.add_months(-term.notice_months)
}

/// The next notice deadline on a given day: what `check`, `schedule` and the ICS all say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextNotice {
    /// The last day to give notice, on or after the day asked about.
    pub deadline: Date,
    /// The end of the term that the notice would stop from being renewed …
    pub term_end: Date,
    /// … and the end of the term that follows it if no notice is given.
    pub renewed_to: Date,
    /// The current term's deadline, when it has already passed (the current term will then
    /// be renewed, and `deadline` is the next term's).
    pub passed: Option<Date>,
}

/// The next notice deadline of a term on `as_of`: the current term's, or the next term's
/// once the current one's has passed.
pub fn next_notice(t: &TermInfo, term: &Term, as_of: Date) -> NextNotice {
    if t.notice_deadline >= as_of {
        NextNotice {
            deadline: t.notice_deadline,
            term_end: t.current_end,
            renewed_to: t.next_end,
            passed: None,
        }
    } else {
        NextNotice {
            deadline: notice_deadline(t.next_end, term),
            term_end: t.next_end,
            renewed_to: renewed_end(t.next_end, term.renewal_months),
            passed: Some(t.notice_deadline),
        }
    }
}

/// The date a result counts from: 終了日, else 開始日, else 報告日.
pub fn report_date(report: &Report) -> Option<Date> {
    report
        .ends_on
        .as_ref()
        .or(report.starts_on.as_ref())
        .or(report.reported_on.as_ref())
        .map(|d| d.value)
}

/// The date of the agreement's latest result (実績), by [`report_date`].
pub fn last_result(reg: &Register, agreement: &Agreement) -> Option<Date> {
    reg.rows::<Report>(agreement).filter_map(report_date).max()
}

/// The term of an agreement as of `as_of`.
///
/// Returns `None` while the agreement is 協議中 (no 締結日): an unsigned agreement has no term.
/// Use [`status`] to tell 協議中 apart.
pub fn term(
    reg: &Register,
    agreement: &Agreement,
    profile: &Profile,
    as_of: Date,
) -> Option<TermInfo> {
    agreement.signed_on.as_ref()?;
    let t = &profile.term;
    let status = status(agreement, as_of);
    let start = start_of(agreement)?;
    let first_end = match &agreement.ends_on {
        Some(d) => d.value,
        None => default_first_end(start, t),
    };
    // The day whose term we want: the 解除日 of a terminated agreement, else today.
    let target = match (status, &agreement.terminated_on) {
        (Status::解除, Some(d)) => d.value,
        _ => as_of,
    };
    let (mut current_start, mut current_end, mut renewals) = (start, first_end, 0u32);
    while current_end < target {
        current_start = current_end.add_days(1);
        current_end = renewed_end(current_end, t.renewal_months);
        renewals += 1;
    }
    let last = last_result(reg, agreement);
    let review = if status == Status::有効 && start.add_years(profile.review_years) <= as_of {
        review_reason(last, profile.review_years, as_of)
    } else {
        None
    };
    Some(TermInfo {
        start,
        first_end,
        current_start,
        current_end,
        renewals,
        notice_deadline: notice_deadline(current_end, t),
        next_end: renewed_end(current_end, t.renewal_months),
        status,
        last_result: last,
        review,
    })
}

/// 8①: the reason to review, if no result falls within the last `years` years.
fn review_reason(last: Option<Date>, years: i32, as_of: Date) -> Option<String> {
    let cutoff = as_of.add_years(-years);
    match last {
        Some(d) if d > cutoff => None,
        Some(d) => Some(format!(
            "{years}年以上連携実績がありません（最終実績: {}）",
            d.wareki()
        )),
        None => Some(format!(
            "{years}年以上連携実績がありません（実績の記録がありません）"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CellRef, Located, SealStyle, sheet};

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::new(y, m, day).unwrap()
    }

    fn loc<T>(value: T, sheet: &'static str, col: u32) -> Located<T> {
        Located {
            value,
            cell: CellRef::new(sheet, 2, col),
        }
    }

    fn agreement(signed: Option<Date>) -> Agreement {
        Agreement {
            row: 2,
            id: loc("R8-001".to_string(), sheet::AGREEMENTS, 0),
            key: crate::model::AgreementKey::of("R8-001"),
            company: loc("株式会社テスト".to_string(), sheet::AGREEMENTS, 1),
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
            signed_on: signed.map(|s| loc(s, sheet::AGREEMENTS, 12)),
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

    fn report(
        number: &str,
        starts: Option<Date>,
        ends: Option<Date>,
        reported: Option<Date>,
    ) -> Report {
        let s = sheet::RESULTS;
        Report {
            row: 2,
            agreement: loc("R8-001".to_string(), s, 0),
            number: loc(number.to_string(), s, 1),
            field: None,
            name: None,
            starts_on: starts.map(|x| loc(x, s, 4)),
            ends_on: ends.map(|x| loc(x, s, 5)),
            place: None,
            content: None,
            participants: None,
            outcome: None,
            next_steps: None,
            department: None,
            division: None,
            person: None,
            reported_on: reported.map(|x| loc(x, s, 14)),
            city_cost: None,
        }
    }

    struct Case {
        name: &'static str,
        signed: Date,
        starts: Option<Date>,
        ends: Option<Date>,
        terminated: Option<Date>,
        as_of: Date,
        first_end: Date,
        current: (Date, Date),
        renewals: u32,
        notice: Date,
        next_end: Date,
        status: Status,
    }

    #[test]
    fn term_table() {
        let cases = [
            Case {
                name: "April signing: first term to next 31 March",
                signed: d(2026, 4, 10),
                starts: None,
                ends: None,
                terminated: None,
                as_of: d(2026, 6, 1),
                first_end: d(2027, 3, 31),
                current: (d(2026, 4, 10), d(2027, 3, 31)),
                renewals: 0,
                notice: d(2027, 2, 28),
                next_end: d(2028, 3, 31),
                status: Status::有効,
            },
            Case {
                name: "December signing",
                signed: d(2026, 12, 24),
                starts: None,
                ends: None,
                terminated: None,
                as_of: d(2026, 12, 24),
                first_end: d(2027, 3, 31),
                current: (d(2026, 12, 24), d(2027, 3, 31)),
                renewals: 0,
                notice: d(2027, 2, 28),
                next_end: d(2028, 3, 31),
                status: Status::有効,
            },
            Case {
                name: "February signing: 翌年3月31日 is more than a year away",
                signed: d(2027, 2, 15),
                starts: None,
                ends: None,
                terminated: None,
                as_of: d(2027, 3, 31),
                first_end: d(2028, 3, 31),
                current: (d(2027, 2, 15), d(2028, 3, 31)),
                renewals: 0,
                notice: d(2028, 2, 29),
                next_end: d(2029, 3, 31),
                status: Status::有効,
            },
            Case {
                name: "agreed end date renews on its own day",
                signed: d(2026, 9, 16),
                starts: None,
                ends: Some(d(2027, 9, 15)),
                terminated: None,
                as_of: d(2027, 9, 16),
                first_end: d(2027, 9, 15),
                current: (d(2027, 9, 16), d(2028, 9, 15)),
                renewals: 1,
                notice: d(2028, 8, 15),
                next_end: d(2029, 9, 15),
                status: Status::有効,
            },
            Case {
                name: "leap year: notice by 29 February",
                signed: d(2027, 4, 1),
                starts: None,
                ends: None,
                terminated: None,
                as_of: d(2027, 5, 1),
                first_end: d(2028, 3, 31),
                current: (d(2027, 4, 1), d(2028, 3, 31)),
                renewals: 0,
                notice: d(2028, 2, 29),
                next_end: d(2029, 3, 31),
                status: Status::有効,
            },
            Case {
                name: "several renewals rolled forward; the end day itself is still in the term",
                signed: d(2026, 5, 1),
                starts: None,
                ends: None,
                terminated: None,
                as_of: d(2030, 3, 31),
                first_end: d(2027, 3, 31),
                current: (d(2029, 4, 1), d(2030, 3, 31)),
                renewals: 3,
                notice: d(2030, 2, 28),
                next_end: d(2031, 3, 31),
                status: Status::有効,
            },
            Case {
                name: "the day after the end starts the next term",
                signed: d(2026, 5, 1),
                starts: None,
                ends: None,
                terminated: None,
                as_of: d(2030, 4, 1),
                first_end: d(2027, 3, 31),
                current: (d(2030, 4, 1), d(2031, 3, 31)),
                renewals: 4,
                notice: d(2031, 2, 28),
                next_end: d(2032, 3, 31),
                status: Status::有効,
            },
            Case {
                name: "terminated: the term containing the 解除日",
                signed: d(2026, 5, 1),
                starts: None,
                ends: None,
                terminated: Some(d(2028, 6, 30)),
                as_of: d(2031, 1, 1),
                first_end: d(2027, 3, 31),
                current: (d(2028, 4, 1), d(2029, 3, 31)),
                renewals: 2,
                notice: d(2029, 2, 28),
                next_end: d(2030, 3, 31),
                status: Status::解除,
            },
            Case {
                name: "a 解除日 still ahead leaves it in force",
                signed: d(2026, 5, 1),
                starts: None,
                ends: None,
                terminated: Some(d(2027, 3, 31)),
                as_of: d(2027, 3, 1),
                first_end: d(2027, 3, 31),
                current: (d(2026, 5, 1), d(2027, 3, 31)),
                renewals: 0,
                notice: d(2027, 2, 28),
                next_end: d(2028, 3, 31),
                status: Status::有効,
            },
            Case {
                name: "not yet effective: start date ahead",
                signed: d(2026, 5, 20),
                starts: Some(d(2026, 7, 1)),
                ends: None,
                terminated: None,
                as_of: d(2026, 6, 1),
                first_end: d(2027, 3, 31),
                current: (d(2026, 7, 1), d(2027, 3, 31)),
                renewals: 0,
                notice: d(2027, 2, 28),
                next_end: d(2028, 3, 31),
                status: Status::未発効,
            },
        ];
        let profile = Profile::isesaki();
        let reg = Register::default();
        for c in cases {
            let mut a = agreement(Some(c.signed));
            a.starts_on = c.starts.map(|x| loc(x, sheet::AGREEMENTS, 13));
            a.ends_on = c.ends.map(|x| loc(x, sheet::AGREEMENTS, 14));
            a.terminated_on = c.terminated.map(|x| loc(x, sheet::AGREEMENTS, 16));
            let t = term(&reg, &a, &profile, c.as_of).expect(c.name);
            assert_eq!(t.start, c.starts.unwrap_or(c.signed), "{}", c.name);
            assert_eq!(t.first_end, c.first_end, "{}", c.name);
            assert_eq!((t.current_start, t.current_end), c.current, "{}", c.name);
            assert_eq!(t.renewals, c.renewals, "{}", c.name);
            assert_eq!(t.notice_deadline, c.notice, "{}", c.name);
            assert_eq!(t.next_end, c.next_end, "{}", c.name);
            assert_eq!(t.status, c.status, "{}", c.name);
        }
    }

    #[test]
    fn unsigned_agreement_has_no_term() {
        let a = agreement(None);
        let p = Profile::isesaki();
        assert_eq!(status(&a, d(2026, 6, 1)), Status::協議中);
        assert_eq!(term(&Register::default(), &a, &p, d(2026, 6, 1)), None);
    }

    #[test]
    fn renewal_follows_the_civil_code() {
        assert_eq!(renewed_end(d(2027, 3, 31), 12), d(2028, 3, 31));
        assert_eq!(renewed_end(d(2027, 9, 15), 12), d(2028, 9, 15));
        // From 29 February there is no corresponding day a year later: the month's last day.
        assert_eq!(renewed_end(d(2028, 2, 28), 12), d(2029, 2, 28));
        assert_eq!(renewed_end(d(2027, 1, 30), 1), d(2027, 2, 28));
        assert_eq!(renewed_end(d(2027, 3, 31), 6), d(2027, 9, 30));
    }

    #[test]
    fn parameters_come_from_the_profile() {
        let mut p = Profile::isesaki();
        p.term = Term {
            first: FirstTerm::FiscalEnd {
                month: 12,
                day: 31,
                year_offset: 0,
            },
            renewal_months: 24,
            notice_months: 3,
        };
        let a = agreement(Some(d(2026, 5, 1)));
        let t = term(&Register::default(), &a, &p, d(2027, 6, 1)).unwrap();
        assert_eq!(t.first_end, d(2026, 12, 31));
        assert_eq!(
            (t.current_start, t.current_end),
            (d(2027, 1, 1), d(2028, 12, 31))
        );
        assert_eq!(t.notice_deadline, d(2028, 9, 30));
        assert_eq!(t.next_end, d(2030, 12, 31));
    }

    #[test]
    fn a_period_term_ends_the_day_before_the_anniversary() {
        let mut p = Profile::isesaki();
        p.term.first = FirstTerm::Period { months: 12 };
        let a = agreement(Some(d(2026, 6, 15)));
        let reg = Register::default();
        let t = term(&reg, &a, &p, d(2026, 6, 15)).unwrap();
        assert_eq!(t.first_end, d(2027, 6, 14));
        assert_eq!(t.notice_deadline, d(2027, 5, 14));
        assert_eq!(t.next_end, d(2028, 6, 14));
        let t = term(&reg, &a, &p, d(2027, 6, 15)).unwrap();
        assert_eq!(
            (t.current_start, t.current_end),
            (d(2027, 6, 15), d(2028, 6, 14))
        );
        assert_eq!(t.renewals, 1);
        // From 29 February: no 29th a year later, the month's last day.
        let a = agreement(Some(d(2028, 2, 29)));
        assert_eq!(
            term(&reg, &a, &p, d(2028, 3, 1)).unwrap().first_end,
            d(2029, 2, 28)
        );
        // Six months from 31 August: the day before 28 February has no corresponding day
        // in February; the month's last day.
        p.term.first = FirstTerm::Period { months: 6 };
        let a = agreement(Some(d(2026, 8, 31)));
        assert_eq!(
            term(&reg, &a, &p, d(2026, 9, 1)).unwrap().first_end,
            d(2027, 2, 28)
        );
    }

    #[test]
    fn review_after_two_years_without_results() {
        let p = Profile::isesaki();
        let a = agreement(Some(d(2026, 4, 1)));
        let mut reg = Register::default();
        reg.agreements.push(a.clone());
        // Less than two years in force: never reviewed.
        let t = term(&reg, &a, &p, d(2028, 3, 31)).unwrap();
        assert_eq!(t.review, None);
        // Two years in force, no results at all.
        let t = term(&reg, &a, &p, d(2028, 4, 1)).unwrap();
        assert_eq!(
            t.review.as_deref(),
            Some("2年以上連携実績がありません（実績の記録がありません）")
        );
        // Only results older than two years (終了日 counts over 開始日).
        reg.reports.push(report(
            "1",
            Some(d(2024, 5, 1)),
            Some(d(2024, 5, 31)),
            Some(d(2026, 6, 1)),
        ));
        let t = term(&reg, &a, &p, d(2028, 4, 1)).unwrap();
        assert_eq!(t.last_result, Some(d(2024, 5, 31)));
        assert_eq!(
            t.review.as_deref(),
            Some("2年以上連携実績がありません（最終実績: 令和6年5月31日）")
        );
        // A recent result dated only by its 報告日 clears the review.
        reg.reports
            .push(report("2", None, None, Some(d(2027, 1, 10))));
        let t = term(&reg, &a, &p, d(2028, 4, 1)).unwrap();
        assert_eq!(t.last_result, Some(d(2027, 1, 10)));
        assert_eq!(t.review, None);
        // review_years from the profile.
        let mut p3 = p.clone();
        p3.review_years = 1;
        let t = term(&reg, &a, &p3, d(2028, 4, 1)).unwrap();
        assert_eq!(
            t.review.as_deref(),
            Some("1年以上連携実績がありません（最終実績: 令和9年1月10日）")
        );
    }

    #[test]
    fn terminated_agreements_are_not_reviewed() {
        let p = Profile::isesaki();
        let mut a = agreement(Some(d(2026, 4, 1)));
        a.terminated_on = Some(loc(d(2029, 1, 1), sheet::AGREEMENTS, 16));
        let t = term(&Register::default(), &a, &p, d(2030, 1, 1)).unwrap();
        assert_eq!(t.status, Status::解除);
        assert_eq!(t.review, None);
    }

    #[test]
    fn status_serialises_in_japanese() {
        assert_eq!(
            serde_json::to_string(&Status::未発効).unwrap(),
            "\"未発効\""
        );
        assert_eq!(Status::有効.label(), "有効");
    }
}
