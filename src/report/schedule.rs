//! The agreements' life after signing: the renewal and termination schedule (guideline 5 and
//! 8①) for people (text), programs (JSON) and calendars (ICS, RFC 5545), and the open-data
//! list of signed agreements (CSV).
//!
//! Every term, renewal, notice deadline and review comes from [`crate::guideline::term`]; this module
//! only arranges them. "Today" is the `as_of` argument; nothing reads the clock, so the same
//! register and day always give the same bytes.

use crate::date::Date;
use crate::guideline::profile::Profile;
use crate::guideline::term::{self, Status, TermInfo};
use crate::guideline::words;
use crate::model::{Agreement, FieldRow, Register};
use crate::writer::xlsx::display_width;
use serde::Serialize;

/// Where one agreement stands on `as_of`, with its coming deadlines.
///
/// Dates serialise as `YYYY-MM-DD`; a value that does not apply is `null` (an agreement still
/// 協議中 has no term; a terminated one has no notice deadline or next term).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// 協定番号, as typed.
    pub agreement: String,
    /// 企業等名.
    pub company: String,
    /// 協議中 / 未発効 / 有効 / 解除 on `as_of`.
    pub status: Status,
    /// First day of the current term (the first term while not yet in force; for a
    /// terminated agreement, the term in which it was terminated).
    pub term_start: Option<Date>,
    /// Last day of the current term; the 解除日 when the agreement was (or is to be)
    /// terminated within it.
    pub term_end: Option<Date>,
    /// The next last day to give notice against a renewal, on or after `as_of` (the same
    /// date `check` gives): the current term's, or the next term's once that has passed.
    pub notice_deadline: Option<Date>,
    /// The end of the term that `notice_deadline` is for (the current term's end, or the next
    /// term's once the current deadline has passed).
    pub notice_for_term_end: Option<Date>,
    /// The current term's notice deadline when it has already passed (the term is then
    /// renewed): labelled as passed in the text and the calendar.
    pub passed_notice_deadline: Option<Date>,
    /// The end of the term that follows `notice_for_term_end` if no notice is given. Not part
    /// of the JSON.
    #[serde(skip)]
    pub notice_renewed_to: Option<Date>,
    /// The end of the next term if the current one is renewed.
    pub next_term_end: Option<Date>,
    /// The date of the latest result (終了日, else 開始日, else 報告日).
    pub last_result: Option<Date>,
    /// Why termination may be reviewed under guideline 8①, when it may (Japanese).
    pub review: Option<String>,
    /// The day from which termination may be reviewed under 8① unless a new result is
    /// recorded (on or before `as_of` when `review` is set). Not part of the JSON.
    #[serde(skip)]
    pub review_date: Option<Date>,
}

/// The schedule of every agreement of the register on `as_of`, in register order.
pub fn schedule(reg: &Register, profile: &Profile, as_of: Date) -> Vec<Entry> {
    reg.agreements
        .iter()
        .map(|a| entry(reg, a, profile, as_of))
        .collect()
}

fn entry(reg: &Register, a: &Agreement, profile: &Profile, as_of: Date) -> Entry {
    let mut e = Entry {
        agreement: a.id.value.clone(),
        company: a.company.value.clone(),
        status: term::status(a, as_of),
        term_start: None,
        term_end: None,
        notice_deadline: None,
        notice_for_term_end: None,
        passed_notice_deadline: None,
        notice_renewed_to: None,
        next_term_end: None,
        last_result: term::last_result(reg, a),
        review: None,
        review_date: None,
    };
    let Some(t) = term::term(reg, a, profile, as_of) else {
        return e;
    };
    e.status = t.status;
    e.term_start = Some(t.current_start);
    e.term_end = Some(t.current_end);
    e.last_result = t.last_result;
    e.review = t.review.clone();
    let terminated = a.terminated_on.as_ref().map(|d| d.value);
    match terminated {
        // Terminated (or to be terminated) within the current term: no renewal follows.
        Some(day) if day <= t.current_end => {
            e.term_end = Some(day.max(t.current_start));
        }
        _ => {
            if t.status != Status::解除 {
                let next = term::next_notice(&t, &profile.term, as_of);
                e.notice_deadline = Some(next.deadline);
                e.notice_for_term_end = Some(next.term_end);
                e.passed_notice_deadline = next.passed;
                e.notice_renewed_to = Some(next.renewed_to);
                e.next_term_end = Some(t.next_end);
                e.review_date = review_date(&t, profile.review_years);
            }
        }
    }
    e
}

/// The first day on which [`term::term`] reports a review under 8① if no new result is
/// recorded: `years` after the start, and after the latest result (a result on 29 February
/// counts until the day after 28 February `years` later).
pub fn review_date(t: &TermInfo, years: i32) -> Option<Date> {
    if !matches!(t.status, Status::有効 | Status::未発効) {
        return None;
    }
    let from_start = t.start.add_years(years);
    let from_result = t.last_result.map(|last| {
        let d = last.add_years(years);
        // term: reviewed when last <= as_of - years.
        if d.add_years(-years) < last {
            d.add_days(1)
        } else {
            d
        }
    });
    Some(from_result.map_or(from_start, |r| r.max(from_start)))
}

/// The kinds of deadline an entry has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DeadlineKind {
    /// 申出期限: the last day to say the term shall not be renewed.
    Notice,
    /// 有効期間満了日 (or the day a scheduled termination takes effect).
    TermEnd,
    /// 解除の検討: from this day termination may be reviewed under 8①.
    Review,
}

impl DeadlineKind {
    /// The word used in UIDs.
    fn slug(self) -> &'static str {
        match self {
            DeadlineKind::Notice => "notice",
            DeadlineKind::TermEnd => "end",
            DeadlineKind::Review => "review",
        }
    }
}

/// The deadlines of an entry, in date order: notice deadlines (a passed one of the current
/// term, then the next), term end, review date.
pub fn deadlines(e: &Entry) -> Vec<(DeadlineKind, Date)> {
    let mut out = Vec::new();
    for d in [e.passed_notice_deadline, e.notice_deadline]
        .into_iter()
        .flatten()
    {
        out.push((DeadlineKind::Notice, d));
    }
    if let (Some(d), true) = (e.term_end, e.status != Status::解除) {
        out.push((DeadlineKind::TermEnd, d));
    }
    if let Some(d) = e.review_date {
        out.push((DeadlineKind::Review, d));
    }
    out.sort_by_key(|&(k, d)| (d, k));
    out
}

/// The entries with a deadline (notice deadline, term end, review date) from `as_of` to
/// `months` months later, both days included. A review already due (`review` set) counts
/// as outstanding whatever its date.
pub fn within(entries: &[Entry], as_of: Date, months: i32) -> Vec<Entry> {
    let until = as_of.add_months(months);
    entries
        .iter()
        .filter(|e| {
            e.review.is_some() || deadlines(e).iter().any(|&(_, d)| as_of <= d && d <= until)
        })
        .cloned()
        .collect()
}

/// The schedule for people: one line per agreement with its term, notice deadline, next
/// term end and last result in 和暦, columns aligned; a second line when termination may be
/// reviewed.
pub fn to_text(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return "該当する協定はありません。\n".to_string();
    }
    let period = |e: &Entry| match (e.term_start, e.term_end) {
        (Some(s), Some(t)) => format!("{}〜{}", s.wareki(), t.wareki()),
        _ => "（締結前）".to_string(),
    };
    let w_id = entries
        .iter()
        .map(|e| display_width(&e.agreement))
        .max()
        .unwrap_or(0);
    let w_co = entries
        .iter()
        .map(|e| display_width(&e.company))
        .max()
        .unwrap_or(0);
    let w_term = entries
        .iter()
        .map(|e| display_width(&period(e)))
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for e in entries {
        let mut line = format!(
            "{}  {}  {}  {}",
            pad(&e.agreement, w_id),
            pad(&e.company, w_co),
            pad(e.status.label(), 6),
            pad(&period(e), w_term),
        );
        if let Some(d) = e.notice_deadline {
            line.push_str(&format!("  申出期限 {}", d.wareki()));
            if let Some(p) = e.passed_notice_deadline {
                line.push_str(&format!("（今期の申出期限 {} は経過）", p.wareki()));
            }
        }
        if let Some(d) = e.next_term_end {
            line.push_str(&format!("  更新後の満了日 {}", d.wareki()));
        }
        if e.status != Status::解除
            && e.next_term_end.is_none()
            && let Some(d) = e.term_end
        {
            line.push_str(&format!("  {}をもって終了", d.wareki()));
        }
        match e.last_result {
            Some(d) => line.push_str(&format!("  最終実績 {}", d.wareki())),
            None if e.status != Status::協議中 => line.push_str("  最終実績 なし"),
            None => {}
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if let Some(r) = &e.review {
            out.push_str(&format!(
                "{}  ※解除の検討（ガイドライン8①）: {r}\n",
                pad("", w_id)
            ));
        }
    }
    out
}

/// `s` padded with spaces to `width` display columns (a kanji counts 2).
fn pad(s: &str, width: usize) -> String {
    let w = display_width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// The schedule as a JSON array of entries (pretty-printed).
pub fn to_json(entries: &[Entry]) -> String {
    serde_json::to_string_pretty(entries).expect("entries serialise")
}

/// The calendar's name (X-WR-CALNAME).
pub const CALENDAR_NAME: &str = "包括連携協定の期限";

/// The deadlines as an iCalendar file (RFC 5545): one all-day event per notice deadline,
/// term end and review date, with UIDs made of agreement, kind and date so that importing
/// a newer file updates the same events. DTSTAMP is `as_of` at 00:00 UTC.
pub fn to_ics(entries: &[Entry], as_of: Date) -> String {
    let mut events: Vec<(Date, DeadlineKind, &Entry)> = entries
        .iter()
        .flat_map(|e| deadlines(e).into_iter().map(move |(k, d)| (d, k, e)))
        .collect();
    events.sort_by(|a, b| (a.0, &a.2.agreement, a.1).cmp(&(b.0, &b.2.agreement, b.1)));

    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//kyotei//kyotei 0.1//JA".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape_text(CALENDAR_NAME)),
        "X-WR-TIMEZONE:Asia/Tokyo".into(),
    ];
    let stamp = format!("{}T000000Z", ymd(as_of));
    for (date, kind, e) in events {
        let (summary, description) = event_text(e, kind, date);
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", uid(&e.agreement, kind, date)));
        lines.push(format!("DTSTAMP:{stamp}"));
        lines.push(format!("DTSTART;VALUE=DATE:{}", ymd(date)));
        lines.push(format!("DTEND;VALUE=DATE:{}", ymd(date.add_days(1))));
        lines.push(format!("SUMMARY:{}", escape_text(&summary)));
        lines.push(format!("DESCRIPTION:{}", escape_text(&description)));
        lines.push("TRANSP:TRANSPARENT".into());
        if kind == DeadlineKind::Notice {
            // A reminder two weeks ahead: time to ask the departments.
            lines.push("BEGIN:VALARM".into());
            lines.push("ACTION:DISPLAY".into());
            lines.push("TRIGGER:-P14D".into());
            lines.push(format!("DESCRIPTION:{}", escape_text(&summary)));
            lines.push("END:VALARM".into());
        }
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for l in lines {
        out.push_str(&fold(&l));
    }
    out
}

fn event_text(e: &Entry, kind: DeadlineKind, date: Date) -> (String, String) {
    let name = format!("{} 包括連携協定（{}）", e.company, e.agreement);
    let last = match e.last_result {
        Some(d) => format!("最終実績: {}", d.wareki()),
        None => "最終実績: なし".to_string(),
    };
    match kind {
        DeadlineKind::Notice if e.passed_notice_deadline == Some(date) => {
            let end = e.term_end.map(Date::wareki).unwrap_or_default();
            let next = e.next_term_end.map(Date::wareki).unwrap_or_default();
            let upcoming = e.notice_deadline.map(Date::wareki).unwrap_or_default();
            (
                format!("【申出期限・経過】{name}"),
                format!(
                    "有効期間（{end}まで）の申出期限は過ぎました。申出がなかった場合は、{next}まで自動更新されます。\n次の申出期限は{upcoming}です。\n{last}"
                ),
            )
        }
        DeadlineKind::Notice => {
            let end = e.notice_for_term_end.map(Date::wareki).unwrap_or_default();
            let next = e.notice_renewed_to.map(Date::wareki).unwrap_or_default();
            (
                format!("【申出期限】{name}"),
                format!(
                    "有効期間の満了日は{end}です。更新しない場合は、この日までに相手方へ申し出てください。\n申出がなければ、{next}まで自動更新されます。\n{last}"
                ),
            )
        }
        DeadlineKind::TermEnd => match e.next_term_end {
            Some(next) => (
                format!("【有効期間満了】{name}"),
                format!(
                    "有効期間の満了日です。申出がなければ、翌日から{}まで自動更新されます。\n{last}",
                    next.wareki()
                ),
            ),
            None => (
                format!("【協定終了】{name}"),
                format!("協定は、{}をもって終了します（解除）。", date.wareki()),
            ),
        },
        DeadlineKind::Review => {
            let text = match &e.review {
                Some(r) => format!(
                    "{r}。\nガイドライン8①により、将来的な連携の可能性を確認の上、協定の解除を検討できます。"
                ),
                None => "この日までに新たな連携実績がなければ、連携実績のない期間がガイドライン8①の期間に達し、協定の解除を検討できるようになります。".to_string(),
            };
            (format!("【解除の検討】{name}"), format!("{text}\n{last}"))
        }
    }
}

/// `20270228`.
fn ymd(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year, d.month, d.day)
}

/// A stable UID: `<協定番号>-<kind>-<YYYYMMDD>@kyotei`, the ID NFKC-normalised and
/// percent-encoded outside `A–Z a–z 0–9 - _ .`.
pub fn uid(agreement: &str, kind: DeadlineKind, date: Date) -> String {
    let mut id = String::new();
    for b in crate::text::key(agreement).bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            id.push(b as char);
        } else {
            id.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{id}-{}-{}@kyotei", kind.slug(), ymd(date))
}

/// RFC 5545 3.3.11: backslash, semicolon, comma and line breaks escaped.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 5545 3.1: a content line folded so that no line exceeds 75 octets (continuation
/// lines start with a space), never inside a UTF-8 character, each ended by CRLF.
pub fn fold(line: &str) -> String {
    const MAX: usize = 75;
    let mut out = String::with_capacity(line.len() + 8);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > MAX {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// The columns of the open-data list.
pub const OPEN_DATA_COLUMNS: [&str; 5] = ["締結先", "締結日", "連携事項", "状態", "有効期間"];

/// The open-data list of signed agreements (UTF-8 with BOM, CRLF, RFC 4180 quoting): 締結先,
/// 締結日 (`YYYY-MM-DD`), 連携事項, 状態 on `as_of`, 有効期間. Public facts only: no contacts,
/// no evaluations, nothing of agreements still 協議中. Rows by 締結日, then register order.
pub fn open_data_csv(reg: &Register, profile: &Profile, as_of: Date) -> Vec<u8> {
    let mut signed: Vec<(Date, &Agreement)> = reg
        .agreements
        .iter()
        .filter_map(|a| a.signed_on.as_ref().map(|d| (d.value, a)))
        .collect();
    signed.sort_by_key(|&(d, _)| d);
    // The csv crate (RFC 4180 quoting, CRLF) is used here only.
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer("\u{FEFF}".as_bytes().to_vec());
    let record = |out: &mut csv::Writer<Vec<u8>>, fields: &[String]| {
        out.write_record(fields)
            .expect("writing to memory cannot fail")
    };
    record(&mut out, &OPEN_DATA_COLUMNS.map(String::from));
    for (signed_on, a) in signed {
        let status = term::status(a, as_of);
        let period = term::term(reg, a, profile, as_of)
            .map(|t| period_text(a, &t, profile, as_of))
            .unwrap_or_default();
        record(
            &mut out,
            &[
                a.company.value.clone(),
                signed_on.iso(),
                field_names(reg, a, profile).join("、"),
                status.label().to_string(),
                period,
            ],
        );
    }
    out.into_inner().expect("writing to memory cannot fail")
}

/// 有効期間 as published: `令和8年7月1日〜令和9年3月31日（以後1年ごとに自動更新）`.
fn period_text(a: &Agreement, t: &TermInfo, profile: &Profile, as_of: Date) -> String {
    let start = t.start.wareki();
    match a.terminated_on.as_ref().map(|d| d.value) {
        Some(day) if day <= as_of => format!("{start}〜{}（解除）", day.wareki()),
        Some(day) => format!("{start}〜{}（解除予定）", day.wareki()),
        None => format!(
            "{start}〜{}（以後{}ごとに自動更新）",
            t.first_end.wareki(),
            words::months(profile.term.renewal_months)
        ),
    }
}

/// The agreement's fields in the profile's order, short names (`子ども・子育て支援`); the
/// "その他" field by its 協定書表記.
pub fn field_names(reg: &Register, a: &Agreement, profile: &Profile) -> Vec<String> {
    let mut rows: Vec<_> = reg.rows::<FieldRow>(a).collect();
    rows.sort_by_key(|f| f.field.value);
    rows.dedup_by_key(|f| f.field.value);
    rows.iter()
        .filter_map(|f| {
            let i = f.field.value;
            let name = profile.fields.get(i)?;
            if i + 1 == profile.other_field {
                let wording = f.wording.as_ref().map(|w| w.value.trim()).unwrap_or("");
                Some(if wording.is_empty() {
                    "その他".to_string()
                } else {
                    short_field_name(wording).to_string()
                })
            } else {
                Some(short_field_name(name).to_string())
            }
        })
        .collect()
}

/// A field name without its closing `に関すること。`: `子ども・子育て支援`.
pub fn short_field_name(name: &str) -> &str {
    let s = name.trim();
    let s = s.strip_suffix('。').unwrap_or(s);
    let s = s.strip_suffix("に関すること").unwrap_or(s);
    if s.is_empty() { name } else { s }
}

/// One CSV record with RFC 4180 quoting, ended by CRLF.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "あ".repeat(40));
        let folded = fold(&line);
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l}");
        }
        let unfolded = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        assert_eq!(fold("A"), "A\r\n");
        assert_eq!(fold(&"a".repeat(75)), format!("{}\r\n", "a".repeat(75)));
        assert_eq!(
            fold(&"a".repeat(76)),
            format!("{}\r\n a\r\n", "a".repeat(75))
        );
    }

    #[test]
    fn escapes_text_and_encodes_uids() {
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
        let d = Date::new(2027, 2, 28).unwrap();
        assert_eq!(
            uid("R8-001", DeadlineKind::Notice, d),
            "R8-001-notice-20270228@kyotei"
        );
        assert_eq!(
            uid("Ｒ８－００１", DeadlineKind::Notice, d),
            "R8-001-notice-20270228@kyotei"
        );
        assert_eq!(
            uid("例 1", DeadlineKind::Review, d),
            "%E4%BE%8B1-review-20270228@kyotei"
        );
    }

    #[test]
    fn shortens_field_names() {
        assert_eq!(
            short_field_name("子ども・子育て支援に関すること。"),
            "子ども・子育て支援"
        );
        assert_eq!(short_field_name("農業振興"), "農業振興");
    }
}
