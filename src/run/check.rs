//! `kyotei check`: the register's input findings and the guideline's, grouped by agreement.

use super::{Input, select};
use crate::date::Date;
use crate::error::Result;
use crate::finding::Finding;
use crate::guideline::profile::Profile;
use crate::text;

/// Every finding of the register (input and guideline), register-wide ones first, then by
/// agreement in sheet order, each agreement's findings in the order they were found. With
/// `only`, the findings of those agreements and the register-wide ones; an unknown ID is an
/// error, as for `render`.
///
/// `covers` says whether the fonts `render` would use can show a character
/// ([`crate::writer::pdf::Coverage::covers`]); cells with one they cannot are errors, as in
/// `render`.
pub fn check(
    input: &Input,
    profile: &Profile,
    as_of: Date,
    only: &[String],
    covers: &dyn Fn(char) -> bool,
) -> Result<Vec<Finding>> {
    let reg = &input.register;
    let selected = select(reg, only)?;
    let mut findings = input.findings.clone();
    let all: Vec<&crate::model::Agreement> = reg.agreements.iter().collect();
    findings.extend(
        super::glyphs::missing(covers, reg, &all)
            .iter()
            .map(|m| m.finding()),
    );
    findings.extend(crate::guideline::rules::check(reg, profile, as_of));
    let order: std::collections::HashMap<String, usize> = reg
        .agreements
        .iter()
        .enumerate()
        .map(|(i, a)| (a.key(), i))
        .collect();
    findings.sort_by_key(|f| {
        f.agreement
            .as_ref()
            .map(|a| order.get(&text::key(a)).copied().unwrap_or(order.len()))
    });
    if !only.is_empty() {
        let keys: std::collections::HashSet<String> = selected.iter().map(|a| a.key()).collect();
        findings.retain(|f| {
            f.agreement
                .as_ref()
                .is_none_or(|a| keys.contains(&text::key(a)))
        });
    }
    Ok(findings)
}
