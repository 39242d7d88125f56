//! Reports from the register, beside the documents: the renewal and termination schedule
//! with its ICS calendar and the open-data CSV ([`schedule`]), and the annual report workbook
//! ([`annual`], 年次報告, as a [`crate::writer::xlsx::Book`] spec).

pub mod annual;
pub mod schedule;
