//! Stage 1, input: the register workbook (協定台帳) read into [`crate::model::Register`].
//!
//! - [`xlsx`]: the only user of calamine and zip (for reading); raw cells under size caps.
//! - [`docx`]: a Word document that comes back from a partner (`kyotei compare`): text,
//!   tracked changes, comments and kyotei's properties, on quick-xml and zip, within the
//!   same zip limits ([`xlsx::check_zip`]).
//! - [`register`]: raw cells → the model, headers by name from the column table
//!   ([`crate::model::sheet`]), input findings with their cells.

pub mod docx;
pub mod register;
pub mod xlsx;
