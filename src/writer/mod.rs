//! Stage 5, writers: one exported function per format. A writer sees only what it is given
//! (the IR for DOCX and PDF, a sheet spec for XLSX) and returns bytes; it never writes files.
//!
//! - [`docx`]: the only user of docx-rs.
//! - [`pdf`]: the only user of typst (fonts loaded once, one `World`).
//! - [`xlsx`]: the only user of rust_xlsxwriter.
//! - [`patch`]: cells set and rows appended in a workbook someone else made (the register
//!   of `kyotei collect`), every other part copied byte for byte.
//! - [`archive`]: a ZIP of named files (an agreement's documents in `serve`).

pub mod archive;
pub mod docx;
pub mod patch;
pub mod pdf;
pub mod xlsx;
