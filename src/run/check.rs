//! `kyotei check`: the register's input findings and the guideline's, grouped by agreement,
//! as the one [`Verdict`] of the reading gives them.

use super::select_positions;
use super::verdict::Verdict;
use crate::error::Result;
use crate::finding::Finding;
use crate::model::Register;

/// Every finding of the register (input and guideline), register-wide ones first, then by
/// agreement in sheet order, each agreement's findings in the order they were found, then the
/// rows of no agreement. With `only`, the findings of those agreements and the register-wide
/// ones; an unknown ID is an error, as for `render`.
pub fn check(reg: &Register, verdict: &Verdict, only: &[String]) -> Result<Vec<Finding>> {
    let selected = select_positions(reg, only)?;
    Ok(verdict.for_selection(&selected, only.is_empty()))
}
