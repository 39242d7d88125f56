//! kyotei's integration tests: one binary, one module per area, shared helpers in `common`.
//!
//! One binary because every test binary links typst: linking it once is most of the time
//! `cargo test` spends building.

mod common;

mod browser;
mod cli;
mod collect;
mod compare;
mod docs;
mod docx;
mod hostile;
mod incremental;
mod init;
mod layout;
mod ooxml;
mod pdf;
mod profile;
mod reader;
mod report;
mod revision;
mod rules;
mod schedule;
mod serve;
mod structure;
mod writes;
