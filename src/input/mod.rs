//! Stage 1, input: the register workbook (協定台帳) read into [`crate::model::Register`], and
//! the blank workbook `kyotei init` writes.
//!
//! - [`xlsx`]: the only user of calamine and zip; raw cells under size caps.
//! - [`register`]: raw cells → the model, headers by name, input findings with their cells.
//! - [`blank`]: the blank register with dropdowns and an example agreement (as a
//!   [`crate::writer::xlsx::Book`] spec).

pub mod blank;
pub mod register;
pub mod xlsx;
