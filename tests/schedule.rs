//! The schedule (term cases pinned through `schedule::schedule`), its text and JSON forms,
//! the ICS calendar parsed back event by event, and the open-data CSV.

use crate::common::model::{agreement, d, loc, text};
use kyotei::date::Date;
use kyotei::guideline::profile::Profile;
use kyotei::guideline::term::Status;
use kyotei::model::{Contact, FieldRow, Party, Register, Report, sheet};
use kyotei::report::schedule::{self, Entry};

fn result(id: &str, number: &str, ends: Option<Date>) -> Report {
    let s = sheet::RESULTS;
    Report {
        row: 2,
        agreement: text(id, s, 2, 0),
        number: text(number, s, 2, 1),
        field: None,
        name: None,
        starts_on: None,
        ends_on: ends.map(|x| loc(x, s, 2, 5)),
        place: None,
        content: None,
        participants: None,
        outcome: None,
        next_steps: None,
        department: None,
        division: None,
        person: None,
        reported_on: None,
        city_cost: None,
    }
}

fn field(id: &str, index: usize, wording: Option<&str>) -> FieldRow {
    let s = sheet::FIELDS;
    FieldRow {
        row: 2,
        agreement: text(id, s, 2, 0),
        field: loc(index, s, 2, 1),
        wording: wording.map(|w| text(w, s, 2, 2)),
        wording_cell: kyotei::model::CellRef::new(s, 2, 2),
    }
}

/// One agreement of the term table and what `schedule` must say about it.
struct Case {
    name: &'static str,
    signed: Option<Date>,
    starts: Option<Date>,
    ends: Option<Date>,
    terminated: Option<Date>,
    results: &'static [(i32, u32, u32)],
    as_of: Date,
    status: Status,
    term: Option<(Date, Date)>,
    notice: Option<Date>,
    next_end: Option<Date>,
    review: Option<&'static str>,
}

fn cases() -> Vec<Case> {
    let base = Case {
        name: "",
        signed: None,
        starts: None,
        ends: None,
        terminated: None,
        results: &[],
        as_of: d(2026, 6, 1),
        status: Status::有効,
        term: None,
        notice: None,
        next_end: None,
        review: None,
    };
    vec![
        Case {
            name: "April signing: to the next 31 March",
            signed: Some(d(2026, 4, 10)),
            as_of: d(2026, 6, 1),
            term: Some((d(2026, 4, 10), d(2027, 3, 31))),
            notice: Some(d(2027, 2, 28)),
            next_end: Some(d(2028, 3, 31)),
            ..base
        },
        Case {
            name: "December signing: to the next 31 March, a few months away",
            signed: Some(d(2026, 12, 24)),
            as_of: d(2027, 1, 10),
            term: Some((d(2026, 12, 24), d(2027, 3, 31))),
            notice: Some(d(2027, 2, 28)),
            next_end: Some(d(2028, 3, 31)),
            ..base
        },
        Case {
            name: "January–March signing: 翌年3月31日 is more than a year away (leap February)",
            signed: Some(d(2027, 2, 15)),
            as_of: d(2027, 3, 1),
            term: Some((d(2027, 2, 15), d(2028, 3, 31))),
            notice: Some(d(2028, 2, 29)),
            next_end: Some(d(2029, 3, 31)),
            ..base
        },
        Case {
            name: "agreed end date",
            signed: Some(d(2026, 9, 16)),
            ends: Some(d(2027, 9, 15)),
            as_of: d(2027, 1, 1),
            term: Some((d(2026, 9, 16), d(2027, 9, 15))),
            notice: Some(d(2027, 8, 15)),
            next_end: Some(d(2028, 9, 15)),
            ..base
        },
        Case {
            name: "leap year: notice deadline 2028-02-29",
            signed: Some(d(2027, 4, 1)),
            as_of: d(2027, 5, 1),
            term: Some((d(2027, 4, 1), d(2028, 3, 31))),
            notice: Some(d(2028, 2, 29)),
            next_end: Some(d(2029, 3, 31)),
            ..base
        },
        Case {
            name: "several renewals rolled forward, with a recent result",
            signed: Some(d(2026, 5, 1)),
            results: &[(2029, 1, 20)],
            as_of: d(2029, 6, 1),
            term: Some((d(2029, 4, 1), d(2030, 3, 31))),
            notice: Some(d(2030, 2, 28)),
            next_end: Some(d(2031, 3, 31)),
            ..base
        },
        Case {
            name: "terminated: the term ends on the 解除日, nothing follows",
            signed: Some(d(2026, 5, 1)),
            terminated: Some(d(2028, 6, 30)),
            as_of: d(2029, 1, 1),
            status: Status::解除,
            term: Some((d(2028, 4, 1), d(2028, 6, 30))),
            ..base
        },
        Case {
            name: "termination ahead within the term: no notice deadline",
            signed: Some(d(2026, 5, 1)),
            terminated: Some(d(2026, 12, 31)),
            as_of: d(2026, 10, 1),
            term: Some((d(2026, 5, 1), d(2026, 12, 31))),
            ..base
        },
        Case {
            name: "not yet effective: start date ahead",
            signed: Some(d(2026, 5, 20)),
            starts: Some(d(2026, 7, 1)),
            as_of: d(2026, 6, 1),
            status: Status::未発効,
            term: Some((d(2026, 7, 1), d(2027, 3, 31))),
            notice: Some(d(2027, 2, 28)),
            next_end: Some(d(2028, 3, 31)),
            ..base
        },
        Case {
            name: "results only older than two years: review",
            signed: Some(d(2026, 4, 1)),
            results: &[(2026, 6, 30), (2025, 1, 1)],
            as_of: d(2028, 8, 1),
            term: Some((d(2028, 4, 1), d(2029, 3, 31))),
            notice: Some(d(2029, 2, 28)),
            next_end: Some(d(2030, 3, 31)),
            review: Some("2年以上連携実績がありません（最終実績: 令和8年6月30日）"),
            ..base
        },
        Case {
            name: "still in negotiation: no term at all",
            as_of: d(2026, 6, 1),
            status: Status::協議中,
            ..base
        },
    ]
}

fn register_of(cases: &[Case]) -> Register {
    let mut reg = Register::default();
    for (i, c) in cases.iter().enumerate() {
        let id = format!("T-{:02}", i + 1);
        let mut a = agreement(&id, &format!("株式会社{}", i + 1), c.signed);
        a.row = i as u32 + 2;
        a.starts_on = c.starts.map(|x| loc(x, sheet::AGREEMENTS, a.row, 13));
        a.ends_on = c.ends.map(|x| loc(x, sheet::AGREEMENTS, a.row, 14));
        a.terminated_on = c.terminated.map(|x| loc(x, sheet::AGREEMENTS, a.row, 16));
        reg.agreements.push(a);
        for (n, &(y, m, day)) in c.results.iter().enumerate() {
            reg.reports
                .push(result(&id, &(n + 1).to_string(), Some(d(y, m, day))));
        }
    }
    reg
}

#[test]
fn term_cases_through_the_schedule() {
    let cases = cases();
    let reg = register_of(&cases);
    let p = Profile::isesaki();
    for (i, c) in cases.iter().enumerate() {
        let entries = schedule::schedule(&reg, &p, c.as_of);
        assert_eq!(entries.len(), cases.len());
        let e = &entries[i];
        assert_eq!(e.agreement, format!("T-{:02}", i + 1), "{}", c.name);
        assert_eq!(e.status, c.status, "{}", c.name);
        assert_eq!(
            (e.term_start, e.term_end),
            c.term.map_or((None, None), |(s, t)| (Some(s), Some(t))),
            "{}",
            c.name
        );
        assert_eq!(e.notice_deadline, c.notice, "{}", c.name);
        assert_eq!(e.next_term_end, c.next_end, "{}", c.name);
        assert_eq!(e.review.as_deref(), c.review, "{}", c.name);
        let last = c.results.iter().map(|&(y, m, day)| d(y, m, day)).max();
        assert_eq!(e.last_result, last, "{}", c.name);
    }
}

#[test]
fn review_date_is_the_first_day_term_reports_a_review() {
    let p = Profile::isesaki();
    // Started 2026-04-01; last result on 29 February 2028: reviewable from 2030-03-01
    // (two years after the result, the day after 28 February).
    let mut reg = Register::default();
    reg.agreements
        .push(agreement("R8-001", "株式会社うるう", Some(d(2026, 4, 1))));
    reg.reports
        .push(result("R8-001", "1", Some(d(2028, 2, 29))));
    let at = |reg: &Register, day: Date| schedule::schedule(reg, &p, day).remove(0);
    let e = at(&reg, d(2029, 6, 1));
    assert_eq!(e.review_date, Some(d(2030, 3, 1)));
    assert_eq!(at(&reg, d(2030, 2, 28)).review, None);
    assert!(at(&reg, d(2030, 3, 1)).review.is_some());
    // No results at all: two years after the start.
    reg.reports.clear();
    assert_eq!(at(&reg, d(2027, 1, 1)).review_date, Some(d(2028, 4, 1)));
    assert_eq!(at(&reg, d(2028, 3, 31)).review, None);
    assert!(at(&reg, d(2028, 4, 1)).review.is_some());
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let cases = cases();
    let reg = register_of(&cases);
    let entries = schedule::schedule(&reg, &Profile::isesaki(), d(2028, 8, 1));
    let v: serde_json::Value = serde_json::from_str(&schedule::to_json(&entries)).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), cases.len());
    let mut keys: Vec<&str> = arr[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "agreement",
            "company",
            "last_result",
            "next_term_end",
            "notice_deadline",
            "notice_for_term_end",
            "passed_notice_deadline",
            "review",
            "status",
            "term_end",
            "term_start"
        ]
    );
    let review = &arr[9];
    assert_eq!(review["agreement"], "T-10");
    assert_eq!(review["status"], "有効");
    assert_eq!(review["term_start"], "2028-04-01");
    assert_eq!(review["notice_deadline"], "2029-02-28");
    assert_eq!(review["last_result"], "2026-06-30");
    assert_eq!(
        review["review"],
        "2年以上連携実績がありません（最終実績: 令和8年6月30日）"
    );
    let negotiating = &arr[10];
    assert_eq!(negotiating["status"], "協議中");
    for k in [
        "term_start",
        "term_end",
        "notice_deadline",
        "next_term_end",
        "last_result",
        "review",
    ] {
        assert!(negotiating[k].is_null(), "{k}");
    }
    let terminated = &arr[6];
    assert_eq!(terminated["status"], "解除");
    assert_eq!(terminated["term_end"], "2028-06-30");
    assert!(terminated["notice_deadline"].is_null());
}

#[test]
fn within_keeps_only_coming_deadlines() {
    let cases = cases();
    let reg = register_of(&cases);
    let p = Profile::isesaki();
    let as_of = d(2027, 1, 15);
    let entries = schedule::schedule(&reg, &p, as_of);
    let ids = |es: &[Entry]| es.iter().map(|e| e.agreement.clone()).collect::<Vec<_>>();
    // Two months: notice deadlines of 2027-02-28 and term ends on 2027-03-31 are out of
    // reach (2027-03-15 is the limit) except the notices.
    let two = schedule::within(&entries, as_of, 2);
    assert_eq!(ids(&two), ["T-01", "T-02", "T-06", "T-07", "T-09", "T-10"]);
    // One month: nothing until 2027-02-15.
    assert!(schedule::within(&entries, as_of, 1).is_empty());
    // Seven months reach the agreed end's notice deadline (2027-08-15).
    let seven = ids(&schedule::within(&entries, as_of, 7));
    assert!(seven.contains(&"T-04".to_string()));
    assert!(
        !seven.contains(&"T-03".to_string()),
        "T-03 is not signed on 2027-01-15"
    );
    // An overdue review is always listed.
    let late = schedule::schedule(&reg, &p, d(2028, 8, 1));
    let listed = ids(&schedule::within(&late, d(2028, 8, 1), 1));
    assert!(listed.contains(&"T-10".to_string()));
}

#[test]
fn text_is_aligned_and_in_wareki() {
    let mut reg = Register::default();
    reg.agreements.push(agreement(
        "R8-001",
        "株式会社あかぎ商事",
        Some(d(2026, 7, 1)),
    ));
    reg.agreements.push(agreement(
        "R2-5",
        "北関東ガス株式会社グループ",
        Some(d(2021, 10, 1)),
    ));
    reg.agreements.push(agreement("R8-002", "ひまわり", None));
    reg.reports
        .push(result("R8-001", "1", Some(d(2026, 10, 1))));
    let entries = schedule::schedule(&reg, &Profile::isesaki(), d(2026, 8, 1));
    let text = schedule::to_text(&entries);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "R8-001  株式会社あかぎ商事          有効    令和8年7月1日〜令和9年3月31日  申出期限 令和9年2月28日  更新後の満了日 令和10年3月31日  最終実績 令和8年10月1日"
    );
    assert!(
        lines[1].starts_with(
            "R2-5    北関東ガス株式会社グループ  有効    令和8年4月1日〜令和9年3月31日"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].ends_with(
            "※解除の検討（ガイドライン8①）: 2年以上連携実績がありません（実績の記録がありません）"
        ),
        "{}",
        lines[2]
    );
    assert_eq!(
        lines[3].trim_end(),
        "R8-002  ひまわり                    協議中  （締結前）"
    );
    assert_eq!(lines.len(), 4);
    assert_eq!(schedule::to_text(&[]), "該当する協定はありません。\n");
}

/// A parsed VEVENT or VCALENDAR: (name, params, value) in order.
type Props = Vec<(String, String, String)>;

/// Unfold the lines and split each into name, parameters and value.
fn parse_ics(ics: &str) -> (Props, Vec<Props>) {
    assert!(ics.ends_with("\r\n"));
    assert!(
        !ics.replace("\r\n", "").contains(['\r', '\n']),
        "bare CR or LF"
    );
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line}");
    }
    let unfolded = ics.replace("\r\n ", "");
    let mut calendar = Vec::new();
    let mut events = Vec::new();
    let mut current: Option<Props> = None;
    let mut depth_alarm = false;
    for line in unfolded.split("\r\n").filter(|l| !l.is_empty()) {
        let (head, value) = line.split_once(':').unwrap();
        let (name, params) = head.split_once(';').unwrap_or((head, ""));
        let prop = (name.to_string(), params.to_string(), value.to_string());
        match (name, value) {
            ("BEGIN", "VEVENT") => current = Some(Vec::new()),
            ("END", "VEVENT") => events.push(current.take().unwrap()),
            ("BEGIN", "VALARM") => depth_alarm = true,
            ("END", "VALARM") => depth_alarm = false,
            _ if depth_alarm => {}
            _ => match &mut current {
                Some(ev) => ev.push(prop),
                None => calendar.push(prop),
            },
        }
    }
    (calendar, events)
}

fn get<'a>(props: &'a Props, name: &str) -> &'a str {
    let found: Vec<_> = props.iter().filter(|p| p.0 == name).collect();
    assert_eq!(found.len(), 1, "{name} once");
    &found[0].2
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(x) => out.push(x),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn ics_round_trips_event_by_event() {
    let p = Profile::isesaki();
    let mut reg = Register::default();
    let long =
        "株式会社とても長い名前の協定先,カンマ;セミコロン\\バックスラッシュ入りホールディングス";
    reg.agreements
        .push(agreement("R8-001", long, Some(d(2026, 7, 1))));
    let mut ended = agreement("R7-9", "終了株式会社", Some(d(2025, 5, 1)));
    ended.terminated_on = Some(loc(d(2026, 6, 30), sheet::AGREEMENTS, 3, 16));
    reg.agreements.push(ended);
    reg.agreements
        .push(agreement("例-001", "株式会社サンプル", None));
    let as_of = d(2026, 8, 1);
    let entries = schedule::schedule(&reg, &p, as_of);
    let ics = schedule::to_ics(&entries, as_of);
    assert_eq!(
        ics,
        schedule::to_ics(&schedule::schedule(&reg, &p, as_of), as_of),
        "deterministic"
    );

    let (cal, events) = parse_ics(&ics);
    assert_eq!(cal[0], ("BEGIN".into(), "".into(), "VCALENDAR".into()));
    assert_eq!(get(&cal, "VERSION"), "2.0");
    assert_eq!(get(&cal, "CALSCALE"), "GREGORIAN");
    assert!(!get(&cal, "PRODID").is_empty());
    assert_eq!(get(&cal, "X-WR-CALNAME"), "包括連携協定の期限");
    assert_eq!(cal.last().unwrap().2, "VCALENDAR");

    // R8-001: notice 2027-02-28, term end 2027-03-31, review 2028-07-01. The terminated
    // and the unsigned agreement have none.
    let expect = [
        (
            "R8-001-notice-20270228@kyotei",
            "20270228",
            "20270301",
            format!("【申出期限】{long} 包括連携協定（R8-001）"),
        ),
        (
            "R8-001-end-20270331@kyotei",
            "20270331",
            "20270401",
            format!("【有効期間満了】{long} 包括連携協定（R8-001）"),
        ),
        (
            "R8-001-review-20280701@kyotei",
            "20280701",
            "20280702",
            format!("【解除の検討】{long} 包括連携協定（R8-001）"),
        ),
    ];
    assert_eq!(events.len(), expect.len());
    for (ev, (uid, start, end, summary)) in events.iter().zip(&expect) {
        assert_eq!(get(ev, "UID"), *uid);
        assert_eq!(get(ev, "DTSTAMP"), "20260801T000000Z");
        let dtstart = ev.iter().find(|p| p.0 == "DTSTART").unwrap();
        assert_eq!(
            (dtstart.1.as_str(), dtstart.2.as_str()),
            ("VALUE=DATE", *start)
        );
        let dtend = ev.iter().find(|p| p.0 == "DTEND").unwrap();
        assert_eq!((dtend.1.as_str(), dtend.2.as_str()), ("VALUE=DATE", *end));
        assert_eq!(unescape(get(ev, "SUMMARY")), *summary);
        assert!(get(ev, "SUMMARY").contains("\\,カンマ\\;セミコロン\\\\バックスラッシュ"));
    }
    let notice = unescape(get(&events[0], "DESCRIPTION"));
    assert!(notice.contains("令和9年3月31日"), "{notice}");
    assert!(notice.contains("令和10年3月31日まで自動更新"), "{notice}");

    // A later run (another day, a result recorded) keeps the UIDs of unchanged deadlines.
    reg.reports
        .push(result("R8-001", "1", Some(d(2026, 11, 3))));
    let later = d(2026, 12, 1);
    let (_, again) = parse_ics(&schedule::to_ics(
        &schedule::schedule(&reg, &p, later),
        later,
    ));
    let uids: Vec<&str> = again.iter().map(|e| get(e, "UID")).collect();
    assert_eq!(
        uids,
        [
            "R8-001-notice-20270228@kyotei",
            "R8-001-end-20270331@kyotei",
            "R8-001-review-20281103@kyotei"
        ]
    );
    assert_eq!(get(&again[0], "DTSTAMP"), "20261201T000000Z");
}

#[test]
fn ics_folds_long_japanese_lines_on_character_boundaries() {
    let p = Profile::isesaki();
    let mut reg = Register::default();
    reg.agreements
        .push(agreement("R8-001", &"あ".repeat(60), Some(d(2026, 7, 1))));
    let as_of = d(2026, 8, 1);
    let ics = schedule::to_ics(&schedule::schedule(&reg, &p, as_of), as_of);
    let mut folded = 0;
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75);
        // Every physical line is valid UTF-8 by itself: no character was split.
        assert!(std::str::from_utf8(line.as_bytes()).is_ok());
        if line.starts_with(' ') {
            folded += 1;
        }
    }
    assert!(folded >= 3, "long summaries are folded");
    let (_, events) = parse_ics(&ics);
    assert_eq!(
        unescape(get(&events[0], "SUMMARY")),
        format!("【申出期限】{} 包括連携協定（R8-001）", "あ".repeat(60))
    );
}

#[test]
fn open_data_lists_signed_agreements_and_public_facts_only() {
    let p = Profile::isesaki();
    let mut reg = Register::default();
    let quoted = "株式会社\"ダブル\",カンマ";
    reg.agreements
        .push(agreement("R8-001", quoted, Some(d(2026, 7, 1))));
    let mut ended = agreement("R2-005", "北関東ガス株式会社", Some(d(2021, 10, 1)));
    ended.terminated_on = Some(loc(d(2026, 9, 30), sheet::AGREEMENTS, 3, 16));
    reg.agreements.push(ended);
    reg.agreements
        .push(agreement("R8-002", "協議中株式会社", None));
    let mut later = agreement("R8-003", "未発効株式会社", Some(d(2026, 8, 20)));
    later.starts_on = Some(loc(d(2026, 10, 1), sheet::AGREEMENTS, 5, 13));
    reg.agreements.push(later);
    reg.fields.push(field("R8-001", 6, None));
    reg.fields.push(field("R8-001", 0, None));
    reg.fields
        .push(field("R8-001", 12, Some("農業振興に関すること。")));
    reg.fields.push(field("R2-005", 7, None));
    reg.contacts.push(Contact {
        row: 2,
        agreement: text("R8-001", sheet::CONTACTS, 2, 0),
        party: loc(Party::企業等, sheet::CONTACTS, 2, 1),
        office: Some(text("地域貢献室", sheet::CONTACTS, 2, 2)),
        person: Some(text("妙義 次郎", sheet::CONTACTS, 2, 3)),
        phone: Some(text("0270-00-0000", sheet::CONTACTS, 2, 4)),
        email: Some(text("jiro@example.jp", sheet::CONTACTS, 2, 5)),
    });

    let bytes = schedule::open_data_csv(&reg, &p, d(2026, 9, 1));
    assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "BOM");
    let csv = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(csv.ends_with("\r\n"));
    assert!(!csv.replace("\r\n", "").contains('\n'));
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines,
        [
            "締結先,締結日,連携事項,状態,有効期間",
            "北関東ガス株式会社,2021-10-01,環境,有効,令和3年10月1日〜令和8年9月30日（解除予定）",
            "\"株式会社\"\"ダブル\"\",カンマ\",2026-07-01,子ども・子育て支援、防犯・防災、農業振興,有効,令和8年7月1日〜令和9年3月31日（以後1年ごとに自動更新）",
            "未発効株式会社,2026-08-20,,未発効,令和8年10月1日〜令和9年3月31日（以後1年ごとに自動更新）",
        ]
    );
    for private in [
        "榛名",
        "0270",
        "example.jp",
        "妙義",
        "協議中株式会社",
        "今泉町",
    ] {
        assert!(!csv.contains(private), "{private}");
    }
    // After the termination: 解除.
    let after = String::from_utf8(schedule::open_data_csv(&reg, &p, d(2026, 10, 1))).unwrap();
    assert!(after.contains(
        "北関東ガス株式会社,2021-10-01,環境,解除,令和3年10月1日〜令和8年9月30日（解除）\r\n"
    ));
}

/// On 2027-03-01 the current term's deadline (2027-02-28) has passed: `schedule`, its ICS and
/// `check` all give the next one (2028-02-29), and the passed one is labelled as passed.
#[test]
fn schedule_ics_and_check_give_the_same_next_deadline() {
    let a = agreement("R8-001", "株式会社テスト", Some(d(2026, 7, 1)));
    let reg = Register {
        agreements: vec![a],
        ..Default::default()
    };
    let as_of = d(2027, 3, 1);
    let p = Profile::isesaki();
    let e = &schedule::schedule(&reg, &p, as_of)[0];
    assert_eq!(e.notice_deadline, Some(d(2028, 2, 29)));
    assert_eq!(e.notice_for_term_end, Some(d(2028, 3, 31)));
    assert_eq!(e.passed_notice_deadline, Some(d(2027, 2, 28)));
    let text = schedule::to_text(std::slice::from_ref(e));
    assert!(
        text.contains("申出期限 令和10年2月29日（今期の申出期限 令和9年2月28日 は経過）"),
        "{text}"
    );
    let ics = schedule::to_ics(std::slice::from_ref(e), as_of).replace("\r\n ", "");
    assert!(ics.contains("SUMMARY:【申出期限・経過】"), "{ics}");
    assert!(ics.contains("DTSTART;VALUE=DATE:20280229"), "{ics}");
    assert!(ics.contains("次の申出期限は令和10年2月29日です"), "{ics}");
    let findings = kyotei::guideline::rules::check(&reg, &p, as_of);
    let term = findings
        .iter()
        .find(|f| f.rule.code() == "5")
        .expect("a term finding");
    assert!(
        term.message.contains("次の申出期限は令和10年2月29日"),
        "{}",
        term.message
    );
    // Within the next 12 months the one deadline due is the next one.
    let soon = schedule::within(std::slice::from_ref(e), as_of, 12);
    assert_eq!(soon.len(), 1);
}
