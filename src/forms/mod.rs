//! The workbooks kyotei writes for people to fill in, built from the column table
//! ([`crate::model::sheet`]) as [`crate::writer::xlsx::Book`] specs: what `input` reads back.
//!
//! - [`blank`]: the blank register of `kyotei init`, with dropdowns, notes and an example
//!   agreement valid under the profile (the sample register is built with it too).
//! - [`survey`] and [`results`]: the departments' forms of `kyotei forms` (連携事業調査,
//!   実績報告), each with its hidden, protected record of what it was made from
//!   ([`provenance`]); [`reply`] reads a filled form back for `kyotei collect`.

pub mod blank;
pub mod provenance;
pub mod reply;
pub mod results;
pub mod survey;

use crate::model::{Register, header};
use crate::text;

/// The two forms of `kyotei forms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// 連携事業調査 (guideline 4④): the department's 評価, コメント and contact for the
    /// proposals of agreements not yet signed.
    Survey,
    /// 実績報告 (guideline 6): the results of finished 連携事業.
    Results,
}

impl FormKind {
    /// The form's name, the start of its file name and its provenance's 種類.
    pub fn label(self) -> &'static str {
        match self {
            FormKind::Survey => "連携事業調査",
            FormKind::Results => "実績報告",
        }
    }

    pub fn parse(s: &str) -> Option<FormKind> {
        [FormKind::Survey, FormKind::Results]
            .into_iter()
            .find(|k| k.label() == s)
    }

    /// The sheet the department fills in.
    pub fn sheet(self) -> &'static str {
        match self {
            FormKind::Survey => "調査",
            FormKind::Results => "実績報告",
        }
    }
}

/// A department (担当部 + 担当課 as the register spells them). `None` for both: the
/// proposals no department has yet, for the register's owner (戦略推進課) to route.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Department {
    pub bu: String,
    pub ka: String,
}

impl Department {
    /// The rows with no 担当課.
    pub fn unassigned() -> Department {
        Department {
            bu: String::new(),
            ka: String::new(),
        }
    }

    pub fn is_unassigned(&self) -> bool {
        self.ka.is_empty()
    }

    /// 福祉こども部こども家庭センター, or 担当課未定.
    pub fn label(&self) -> String {
        if self.is_unassigned() {
            "担当課未定".to_string()
        } else {
            format!("{}{}", self.bu, self.ka)
        }
    }

    /// Whether a row's 担当部 and 担当課 name this department (NFKC, spaces ignored).
    pub fn is(&self, bu: Option<&str>, ka: Option<&str>) -> bool {
        let k = |s: Option<&str>| text::key(s.unwrap_or(""));
        if self.is_unassigned() {
            return k(ka).is_empty();
        }
        k(Some(&self.ka)) == k(ka) && k(Some(&self.bu)) == k(bu)
    }

    /// The form's file name without `.xlsx`: `連携事業調査_福祉こども部こども家庭センター`
    /// (made safe by the store before use).
    pub fn file_stem(&self, kind: FormKind) -> String {
        format!("{}_{}", kind.label(), self.label())
    }
}

/// The departments of the 連携事業 rows `keep` accepts, in register order (first spelling).
pub fn departments(
    reg: &Register,
    keep: &dyn Fn(&crate::model::Project) -> bool,
) -> Vec<Department> {
    let mut out: Vec<Department> = Vec::new();
    for p in reg.projects.iter().filter(|p| keep(p)) {
        let bu = p.department.as_ref().map(|t| t.value.as_str());
        let ka = p.division.as_ref().map(|t| t.value.as_str());
        if out.iter().any(|d| d.is(bu, ka)) {
            continue;
        }
        out.push(match ka {
            Some(ka) => Department {
                bu: bu.unwrap_or("").to_string(),
                ka: ka.to_string(),
            },
            None => Department::unassigned(),
        });
    }
    out
}

/// The 連携事業 headers of the survey, in the form's order. The department's answers are
/// 評価, コメント and 担当者連絡先 (and, in the routing form, 担当部 and 担当課).
pub const SURVEY_HEADERS: &[&str] = &[
    header::協定番号,
    header::番号,
    header::企業等名,
    header::連携事項,
    header::事業内容,
    header::評価,
    header::コメント,
    header::担当部,
    header::担当課,
    header::担当者連絡先,
];

/// Whether a survey column is an answer (open) in a department's form.
pub fn survey_open(h: &str, routing: bool) -> bool {
    matches!(h, header::評価 | header::コメント | header::担当者連絡先)
        || (routing && matches!(h, header::担当部 | header::担当課))
}
