//! The orchestration layer: one planner per command, all built on one [`Engine`] and handing
//! their files to the one output store ([`crate::output`]).
//!
//! - [`verdict`]: one reading's findings, by agreement, and what blocks a final.
//! - [`check`]: read and check, findings grouped by agreement.
//! - [`render`]: every document of the selected agreements, in parallel, into the store.
//! - [`diff`]: the 新旧対照表 between two registers, into the store.
//! - [`files`]: the single-file commands (`init`, `report`, `export`, `schedule --ics`).
//! - [`glyphs`]: characters no font can show, for `check` and `render` alike.
//! - [`watch`]: following the register as it is saved (`render --watch`).
//! - [`forms`] and [`collect`]: the departments' forms out, their replies into a copy of the
//!   register.
//!
//! Every command reads the register through [`read`], selects agreements with [`select`]
//! and, where it writes documents, lays them out with [`Engine::plan`].

pub mod check;
pub mod collect;
pub mod command;
pub mod compare;
pub mod diff;
pub mod files;
pub mod forms;
pub mod glyphs;
pub mod render;
pub mod verdict;
pub mod watch;

use crate::date::Date;
use crate::document::assets::Assets;
use crate::document::ir::Document;
use crate::document::markup::Templates;
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::guideline::profile::Profile;
use crate::model::{Agreement, AgreementKey, Register};
use crate::output::Planned;
use crate::writer::pdf::Pdf;
use std::path::{Path, PathBuf};

/// The formats a document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    Docx,
    Pdf,
}

impl Format {
    pub fn ext(self) -> &'static str {
        match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }
}

/// What every command that makes documents is built from (`--templates`, `--font-dir`).
#[derive(Debug, Clone, Default)]
pub struct EngineOptions {
    /// A folder whose templates replace the built-in ones.
    pub templates: Option<PathBuf>,
    /// Extra font folders.
    pub font_dirs: Vec<PathBuf>,
}

/// The shared, read-only state of a run: templates and the PDF writer with its fonts, loaded
/// once and used by every worker of every command.
pub struct Engine {
    pub templates: Templates,
    pub pdf: Pdf,
    /// SHA-256 of what, besides a document (its IR, the templates' output) and its format,
    /// decides the bytes kyotei writes: its version, the layout (built in or from
    /// `--templates`) and the fonts. Part of every file's key in the manifest.
    pub fingerprint: String,
}

impl Engine {
    pub fn new(opts: &EngineOptions) -> Result<Engine> {
        let assets = Assets::new(opts.templates.as_deref());
        let pdf = Pdf::new(&assets, &opts.font_dirs)?;
        // The templates (`*.j2`) are not here: what they say is the document's IR, which is
        // in every key, so a changed template remakes exactly the documents it changes.
        let mut parts = vec![env!("CARGO_PKG_VERSION").to_string()];
        parts.extend(pdf.fingerprint());
        Ok(Engine {
            templates: Templates::new(&assets)?,
            pdf,
            fingerprint: crate::output::sha256_hex(parts.join("\n").as_bytes()),
        })
    }

    /// The key of one file: the engine's fingerprint, the profile, the format, the PDF date
    /// and the document (`ir`: its IR as JSON, which says draft or final).
    pub fn key(&self, profile: &str, format: Format, created: Date, ir: &str) -> String {
        crate::output::sha256_hex(
            format!(
                "{}\n{profile}\n{}\n{}\n{ir}",
                self.fingerprint,
                format.ext(),
                created.iso()
            )
            .as_bytes(),
        )
    }

    /// One document in each of `formats`, as planned files `<dir>/<name>.<ext>`, and the
    /// writers' warnings (prefixed with `<id>/<name>.<ext>`). `created` is the date stored in
    /// the PDF's metadata.
    pub fn plan(
        &self,
        formats: &[Format],
        id: &str,
        dir: &Path,
        name: &str,
        doc: &Document,
        created: Date,
    ) -> Result<(Vec<Planned>, Vec<String>)> {
        let mut warnings = Vec::new();
        // The PDF first: its page count decides whether the DOCX footer numbers pages.
        let pdf = match formats.contains(&Format::Pdf) {
            true => {
                let out = self.pdf.write(doc, created)?;
                warnings.extend(out.warnings.iter().map(|w| format!("{id}/{name}.pdf: {w}")));
                Some(out)
            }
            false => None,
        };
        let pdf_pages = pdf.as_ref().map(|p| p.pages);
        let mut pdf_bytes = pdf.map(|p| p.bytes);
        let mut plans = Vec::new();
        for &format in formats {
            let bytes = match format {
                Format::Docx => {
                    let pages = match pdf_pages {
                        Some(n) => n,
                        None => self.pdf.pages(doc)?,
                    };
                    let opts = crate::writer::docx::Options {
                        page_numbers: pages > 1,
                    };
                    crate::writer::docx::write(doc, &opts)?
                }
                Format::Pdf => pdf_bytes.take().unwrap_or_default(),
            };
            plans.push(Planned {
                rel: dir.join(format!("{name}.{}", format.ext())),
                bytes,
            });
        }
        Ok((plans, warnings))
    }
}

/// A register as read: its bytes (hashed for the manifest), the model and the input findings.
pub struct Input {
    pub path: PathBuf,
    pub bytes: Vec<u8>,
    pub register: Register,
    /// Problems of the cells themselves (`入力`), before any guideline rule.
    pub findings: Vec<Finding>,
}

/// Reads a register through the reader's capped read ([`crate::input::xlsx::read_file`]): a
/// file larger than the reader accepts is refused before it is read, and never read past the
/// cap if it grows meanwhile.
pub fn read(path: &Path, profile: &Profile) -> Result<Input> {
    let limits = crate::input::xlsx::Limits::default();
    let bytes = crate::input::xlsx::read_file(path, &limits)?;
    Input::from_bytes(path, bytes, profile)
}

impl Input {
    /// A register from its bytes; `path` is where they came from (named in errors, and
    /// never written by a command that reads it).
    pub fn from_bytes(path: &Path, bytes: Vec<u8>, profile: &Profile) -> Result<Input> {
        let (register, findings) =
            crate::input::register::read_bytes(&bytes, profile).map_err(|e| match e {
                Error::Unreadable { reason, .. } => Error::Unreadable {
                    path: path.to_path_buf(),
                    reason,
                },
                e => e,
            })?;
        Ok(Input {
            path: path.to_path_buf(),
            bytes,
            register,
            findings,
        })
    }
}

/// The agreements named by `only` (協定番号, full- and half-width alike), in sheet order; all
/// of them when `only` is empty. An ID that is not in the register is an error (exit 2), the
/// same for every command.
pub fn select<'a>(reg: &'a Register, only: &[String]) -> Result<Vec<&'a Agreement>> {
    Ok(select_positions(reg, only)?
        .into_iter()
        .map(|i| &reg.agreements[i])
        .collect())
}

/// As [`select`], the agreements' positions in the `協定` sheet.
pub fn select_positions(reg: &Register, only: &[String]) -> Result<Vec<usize>> {
    if only.is_empty() {
        return Ok((0..reg.agreements.len()).collect());
    }
    let keys: Vec<AgreementKey> = only.iter().map(|s| AgreementKey::of(s)).collect();
    let missing: Vec<Finding> = keys
        .iter()
        .zip(only)
        .filter(|(k, _)| reg.position(k).is_none())
        .map(|(_, id)| unknown_agreement(id))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Structure(missing));
    }
    Ok((0..reg.agreements.len())
        .filter(|&i| keys.contains(&reg.agreements[i].key))
        .collect())
}

/// The finding for a 協定番号 given on the command line that the register does not have.
fn unknown_agreement(id: &str) -> Finding {
    Finding::new(
        Severity::Error,
        crate::finding::Rule::Input,
        Some(id),
        None,
        format!("協定番号「{id}」は台帳の「協定」シートにありません"),
        "協定番号を確認してください（全角・半角の違いは区別しません）",
    )
}
