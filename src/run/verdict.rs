//! One verdict per reading of the register: every finding (the reader's, the fonts' and the
//! guideline's), which agreement each belongs to, and whether a final render of an agreement
//! is blocked and why. `check`, `render`, the page and its render job all read this one
//! verdict, so they cannot disagree on what blocks a final.
//!
//! The findings are in `check`'s order: those of the whole register first (no 協定番号: a
//! `設定` value, a missing sheet), then each agreement's in sheet order, then the rows of the
//! other sheets that name a 協定番号 the `協定` sheet does not have (orphans).
//!
//! What blocks an agreement's final documents: an error of its own, or an error of the whole
//! register (every document prints the `設定` values). An orphan row blocks nothing: it belongs
//! to no agreement's documents (it is reported, and makes the exit status 1).

use super::Input;
use super::glyphs::{self, Missing};
use crate::date::Date;
use crate::document::markup::Templates;
use crate::finding::{Finding, Severity};
use crate::guideline::profile::Profile;
use crate::model::{Agreement, AgreementKey, Register};
use std::ops::Range;

/// The findings of one reading of the register, sorted and assigned to agreements.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// Every finding, in `check`'s order.
    findings: Vec<Finding>,
    /// The register-wide findings (no 協定番号).
    wide: Range<usize>,
    /// Per agreement of the register (by its position in the `協定` sheet): its findings.
    own: Vec<Range<usize>>,
    /// Per agreement: the position of the first agreement with its 協定番号 (itself, but for
    /// a duplicated number, whose findings and verdict are the first one's).
    canon: Vec<usize>,
    /// The findings naming a 協定番号 that is not in the register.
    orphans: Range<usize>,
    /// Cells with characters no font has, per agreement (for the drafts' warnings).
    glyphs: Vec<Missing>,
    /// The reference date of the rules.
    pub as_of: Date,
}

/// Why an agreement's final documents cannot be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// Errors of its own (their number).
    Own(usize),
    /// Errors of the whole register, such as a `設定` value (their number).
    Register(usize),
}

impl Blocked {
    /// The reason, in a sentence for the page.
    pub fn reason(self) -> String {
        match self {
            Blocked::Own(n) => format!(
                "エラーが {n} 件あるため、確定版は作れません。下の指摘を直して台帳を保存してください（案は作れます）"
            ),
            Blocked::Register(n) => {
                format!("台帳全体にエラーが {n} 件あるため、確定版は作れません（案は作れます）")
            }
        }
    }
}

impl Verdict {
    /// The verdict on a register as read, as of `as_of`. `covers` says whether the fonts a
    /// render would use can show a character ([`crate::writer::pdf::Coverage::covers`]).
    pub fn new(
        input: &Input,
        profile: &Profile,
        as_of: Date,
        covers: &dyn Fn(char) -> bool,
        templates: &Templates,
    ) -> Verdict {
        let reg = &input.register;
        let all: Vec<&Agreement> = reg.agreements.iter().collect();
        let glyphs = glyphs::missing(covers, reg, &all);
        let mut findings = input.findings.clone();
        findings.extend(glyphs.iter().map(Missing::finding));
        findings.extend(crate::guideline::rules::check(reg, profile, as_of));
        findings.extend(crate::document::build::clause_findings(
            templates, reg, profile,
        ));
        Verdict::from_findings(reg, findings, glyphs, as_of)
    }

    /// Sorts `findings` into the verdict's order and assigns them to the agreements.
    fn from_findings(
        reg: &Register,
        mut findings: Vec<Finding>,
        glyphs: Vec<Missing>,
        as_of: Date,
    ) -> Verdict {
        let n = reg.agreements.len();
        // None (the whole register) first, then agreements in sheet order, orphans last; a
        // stable sort keeps each agreement's findings in the order they were found.
        let place =
            |f: &Finding| -> Option<usize> { f.key.as_ref().map(|k| reg.position(k).unwrap_or(n)) };
        findings.sort_by_key(place);
        let mut own = vec![0..0; n];
        let mut wide = 0..0;
        let mut orphans = findings.len()..findings.len();
        let mut i = 0;
        while i < findings.len() {
            let p = place(&findings[i]);
            let start = i;
            while i < findings.len() && place(&findings[i]) == p {
                i += 1;
            }
            match p {
                None => wide = start..i,
                Some(p) if p < n => own[p] = start..i,
                Some(_) => orphans = start..i,
            }
        }
        let canon = reg
            .agreements
            .iter()
            .enumerate()
            .map(|(i, a)| reg.position(&a.key).unwrap_or(i))
            .collect();
        Verdict {
            findings,
            wide,
            own,
            canon,
            orphans,
            glyphs,
            as_of,
        }
    }

    /// Every finding, in `check`'s order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings of the agreement at `index` in the `協定` sheet (for a duplicated
    /// 協定番号, those of the number: the duplicate's error included).
    pub fn own(&self, index: usize) -> &[Finding] {
        let index = self.canon.get(index).copied().unwrap_or(index);
        self.own
            .get(index)
            .map_or(&[][..], |r| &self.findings[r.clone()])
    }

    /// The findings of the whole register (no 協定番号).
    pub fn register_wide(&self) -> &[Finding] {
        &self.findings[self.wide.clone()]
    }

    /// The findings of rows naming a 協定番号 that is not in the register.
    pub fn orphans(&self) -> &[Finding] {
        &self.findings[self.orphans.clone()]
    }

    /// The findings that belong to no agreement: the whole register's, then the orphans'.
    pub fn unowned(&self) -> impl Iterator<Item = &Finding> {
        self.register_wide().iter().chain(self.orphans())
    }

    /// Why the final documents of the agreement at `index` cannot be made, if they cannot.
    pub fn blocked(&self, index: usize) -> Option<Blocked> {
        let errors = |fs: &[Finding]| fs.iter().filter(|f| f.is_error()).count();
        match (errors(self.own(index)), errors(self.register_wide())) {
            (0, 0) => None,
            (0, n) => Some(Blocked::Register(n)),
            (n, _) => Some(Blocked::Own(n)),
        }
    }

    /// The findings a command on `selected` (positions in the `協定` sheet) reports: the whole
    /// register's, the selected agreements', and, when every agreement is selected
    /// (`whole`), the orphans'.
    pub fn for_selection(&self, selected: &[usize], whole: bool) -> Vec<Finding> {
        let mut out = self.register_wide().to_vec();
        // Each 協定番号 once, in sheet order (a duplicated number's rows share its findings).
        let mut numbers: Vec<usize> = selected
            .iter()
            .map(|&i| self.canon.get(i).copied().unwrap_or(i))
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        for i in numbers {
            out.extend_from_slice(self.own(i));
        }
        if whole {
            out.extend_from_slice(self.orphans());
        }
        out
    }

    /// What a draft says of the cells that will print as empty boxes, for the agreements at
    /// `selected` (and the `設定` values every document prints).
    pub fn draft_warnings(&self, reg: &Register, selected: &[usize]) -> Vec<String> {
        self.glyphs
            .iter()
            .filter(|m| match &m.agreement {
                None => true,
                Some(id) => reg
                    .position(&AgreementKey::of(id))
                    .is_some_and(|p| selected.contains(&p)),
            })
            .map(Missing::draft_warning)
            .collect()
    }

    /// Errors and warnings of the agreement at `index`.
    pub fn counts(&self, index: usize) -> (usize, usize) {
        let own = self.own(index);
        let n = |s| own.iter().filter(|f| f.severity == s).count();
        (n(Severity::Error), n(Severity::Warning))
    }
}
