//! Stage 1, input: the register workbook (協定台帳) read into [`crate::model::Register`].
//!
//! - [`xlsx`]: the only user of calamine and zip (for reading); raw cells under size caps.
//! - [`register`]: raw cells → the model, headers by name from the column table
//!   ([`crate::model::sheet`]), input findings with their cells.

pub mod register;
pub mod xlsx;
