//! kyotei: turns a city's register of partnership agreements (協定台帳) into signing-ready
//! documents, following the city's guideline (伊勢崎市包括連携協定に関するガイドライン).
//!
//! The folders are the stages, in the order data flows through them:
//!
//! ```text
//! input ──▶ model ──▶ guideline ──▶ document ──▶ writer ──▶ output
//!   (xlsx)   (register)  (rules, term)  (IR, templates)  (docx, pdf, xlsx)  (the store)
//!                                    revision (editions, 新旧対照表)   report (schedule, 年次報告, CSV)
//! forms: the workbooks people fill in (`init`'s blank register), from the column table.
//! run: one planner per command, built on one Engine; serve: the same as a local page;
//! main.rs: arguments and printing.
//! ```
//!
//! A module only uses the stages before it; `run` is the only one that uses them all.
//! ARCHITECTURE.md has one line per module and the rules of the code.

pub mod date;
pub mod document;
pub mod error;
pub mod finding;
pub mod forms;
pub mod guideline;
pub mod input;
pub mod model;
pub mod output;
pub mod report;
pub mod revision;
pub mod run;
pub mod serve;
pub mod text;
pub mod writer;
