//! Characters no font can show: found in the register's cells before anything is laid out,
//! so `check` says what `render` would refuse. A final render refuses such an agreement; a
//! draft is made anyway and these findings say which cells will print as empty boxes.
//!
//! The fonts are those `render` uses: the bundled ones and `--font-dir`
//! ([`crate::writer::pdf::Coverage`]).

use crate::finding::{Finding, Severity};
use crate::model::sheet::SETTINGS_KEYS;
use crate::model::{
    Agreement, CellRef, Contact, FieldRow, MemoRow, Project, Publicity, Register, Report, Text,
};

const HINT: &str = "--font-dir でこの文字を含むフォント（例: IPAmj明朝 /usr/share/fonts/truetype/ipamj）のフォルダを指定するか、常用の字体に直してください。--draft の案はこのまま作れます（その文字は空白の四角になります）";

/// Characters of one cell (or one 設定 value) that no font has.
#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// The agreement (None for a 設定 value, which every document prints).
    pub agreement: Option<String>,
    pub cell: Option<CellRef>,
    /// `設定シートの「市名」` for a 設定 value, else empty.
    pub what: String,
    /// The characters, each once, in order.
    pub chars: Vec<char>,
}

impl Missing {
    /// The error finding (the same in `check` and `render`).
    pub fn finding(&self) -> Finding {
        let shown: String = self.chars.iter().collect();
        let codes = self
            .chars
            .iter()
            .map(|c| format!("U+{:04X}", *c as u32))
            .collect::<Vec<_>>()
            .join("、");
        Finding::new(
            Severity::Error,
            crate::finding::Rule::Input,
            self.agreement.as_deref(),
            self.cell,
            format!(
                "{}「{shown}」（{codes}）を表示できるフォントがありません。このままでは空白の四角になるため、最終版の書類は作れません",
                self.what
            ),
            HINT,
        )
    }

    /// What a draft says of the cell: `R8-001 連携事業!C7: 「😀」は案では空白の四角で印刷されます`.
    pub fn draft_warning(&self) -> String {
        let shown: String = self.chars.iter().collect();
        let place = match (&self.agreement, &self.cell) {
            (Some(a), Some(c)) => format!("{a} {c}"),
            (Some(a), None) => a.clone(),
            (None, _) => self.what.clone(),
        };
        format!("{place}: 「{shown}」は案では空白の四角で印刷されます")
    }
}

/// Every cell of `agreements` (and every 設定 value) whose text has a character that
/// `covers` rejects. Whitespace and variation selectors (異体字 IVS U+E0100–E01EF, U+FE00–
/// FE0F, Mongolian U+180B–180F, which choose a form of the character before them and have no
/// glyph of their own) are not looked up; neither are the joiners and tags kept in an emoji
/// sequence (its pictographs are).
pub fn missing(
    covers: &dyn Fn(char) -> bool,
    reg: &Register,
    agreements: &[&Agreement],
) -> Vec<Missing> {
    let mut cache = std::collections::HashMap::new();
    let mut uncovered = |s: &str| -> Vec<char> {
        let mut v: Vec<char> = Vec::new();
        for c in s.chars() {
            if c.is_whitespace() || c.is_control() || is_selector_or_joiner(c) {
                continue;
            }
            if !*cache.entry(c).or_insert_with(|| covers(c)) && !v.contains(&c) {
                v.push(c);
            }
        }
        v
    };
    let mut out = Vec::new();
    for key in SETTINGS_KEYS {
        if let Some(value) = reg.settings.value(key) {
            let chars = uncovered(&value);
            if !chars.is_empty() {
                out.push(Missing {
                    agreement: None,
                    cell: None,
                    what: format!("設定シートの「{key}」の"),
                    chars,
                });
            }
        }
    }
    for a in agreements {
        for t in agreement_texts(reg, a) {
            let chars = uncovered(&t.value);
            if !chars.is_empty() {
                out.push(Missing {
                    agreement: Some(a.id.value.clone()),
                    cell: Some(t.cell),
                    what: String::new(),
                    chars,
                });
            }
        }
    }
    out
}

fn is_selector_or_joiner(c: char) -> bool {
    matches!(c, '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}' | '\u{180B}'..='\u{180F}' | '\u{200D}' | '\u{E0020}'..='\u{E007F}')
}

/// Every text cell of the register that belongs to an agreement.
fn agreement_texts<'a>(reg: &'a Register, a: &'a Agreement) -> Vec<&'a Text> {
    let mut v: Vec<&Text> = vec![&a.id, &a.company];
    v.extend(
        [
            &a.address,
            &a.rep_title,
            &a.rep_name,
            &a.contact_name,
            &a.contact_phone,
            &a.contact_email,
            &a.apply_purpose,
            &a.apply_other,
            &a.purpose,
            &a.termination_reason,
        ]
        .into_iter()
        .flatten(),
    );
    for f in reg.rows::<FieldRow>(a) {
        v.extend(f.wording.iter());
    }
    for p in reg.rows::<Project>(a) {
        v.extend(
            [
                &p.content,
                &p.comment,
                &p.department,
                &p.division,
                &p.contact,
            ]
            .into_iter()
            .flatten(),
        );
    }
    for m in reg.rows::<MemoRow>(a) {
        v.extend([&m.field, &m.project, &m.division].into_iter().flatten());
    }
    for p in reg.rows::<Publicity>(a) {
        v.extend([&p.project, &p.note].into_iter().flatten());
    }
    for c in reg.rows::<Contact>(a) {
        v.extend(
            [&c.office, &c.person, &c.phone, &c.email]
                .into_iter()
                .flatten(),
        );
    }
    for r in reg.rows::<Report>(a) {
        v.push(&r.number);
        v.extend(
            [
                &r.name,
                &r.place,
                &r.content,
                &r.outcome,
                &r.next_steps,
                &r.department,
                &r.division,
                &r.person,
            ]
            .into_iter()
            .flatten(),
        );
    }
    v
}
