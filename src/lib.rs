//! kyotei: turns a city's register of partnership agreements (協定台帳) into signing-ready
//! documents, following the city's guideline (伊勢崎市包括連携協定に関するガイドライン).
//!
//! Data flows one way: workbook (`xlsx_in`, `register`) → model (`model`) → rules (`rules`,
//! `term`) → document IR (`docs`, `templates`, `ir`) → writers (`docx`, `pdf`, `xlsx_out`).
//! See ARCHITECTURE.md for one line per module.

pub mod assets;
pub mod date;
pub mod docs;
pub mod docx;
pub mod error;
pub mod finding;
pub mod init;
pub mod ir;
pub mod model;
pub mod pdf;
pub mod pipeline;
pub mod profile;
pub mod register;
pub mod render;
pub mod report;
pub mod revision;
pub mod rules;
pub mod schedule;
pub mod templates;
pub mod term;
pub mod text;
pub mod xlsx_in;
pub mod xlsx_out;
