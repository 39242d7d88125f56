//! `kyotei diff OLD NEW`: the 新旧対照表 of each tracked document (協定書, 申し合わせ事項)
//! that reads differently in two versions of the register, written into the output store
//! as `<協定番号>/新旧対照表_<書類>.{docx,pdf}`; the folder's manifest gains them and keeps
//! what `render` made there. No edition history is read or written: this is the comparison
//! without `render`'s records.

use super::{Engine, Format, Input, select};
use crate::document::ir::DocKind;
use crate::error::Result;
use crate::guideline::profile::Profile;
use crate::model::AgreementKey;
use crate::model::Register;
use crate::output::{self, Manifest, ManifestFile, Outcome, Store};
use crate::revision::{comparison_document, final_document, reads_same, revised_on};
use std::path::{Path, PathBuf};

/// What to compare and where to write.
#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    /// Only these agreements (協定番号; empty = every agreement in both registers).
    pub agreements: Vec<String>,
    pub formats: Vec<Format>,
}

/// What `kyotei diff` did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Files written (relative to the output folder) and what happened to them.
    pub files: Vec<(String, Outcome)>,
    /// Documents that read the same in both registers (`例-001 申し合わせ事項`).
    pub same: Vec<String>,
    /// Agreements that could not be compared, a sentence each (in only one register).
    pub missing: Vec<String>,
    /// Warnings of the PDF writer.
    pub warnings: Vec<String>,
}

/// Compares `old` with `new` and writes the 新旧対照表 into `opts.out`.
pub fn diff(
    engine: &Engine,
    old: &Input,
    new: &Input,
    profile: &Profile,
    opts: &Options,
) -> Result<Summary> {
    let t = &engine.templates;
    let (old_reg, new_reg) = (&old.register, &new.register);
    let mut summary = Summary::default();
    let in_reg = |reg: &Register, k: &AgreementKey| reg.position(k).is_some();
    let keys: Vec<AgreementKey> = opts
        .agreements
        .iter()
        .map(|s| AgreementKey::of(s))
        .collect();
    if keys.is_empty() {
        for (reg, other, side) in [(old_reg, new_reg, "改正後"), (new_reg, old_reg, "改正前")]
        {
            for a in &reg.agreements {
                if !in_reg(other, a.key()) {
                    summary
                        .missing
                        .push(format!("協定 {} は{side}の台帳にありません", a.id.value));
                }
            }
        }
    } else {
        for (k, id) in keys.iter().zip(&opts.agreements) {
            let missing = match (in_reg(old_reg, k), in_reg(new_reg, k)) {
                (true, true) => continue,
                // Neither register has it: the same error as every other command.
                (false, false) => {
                    select(new_reg, std::slice::from_ref(id))?;
                    continue;
                }
                (true, false) => "改正後の台帳にありません",
                (false, true) => "改正前の台帳にありません",
            };
            summary.missing.push(format!("協定番号「{id}」は{missing}"));
        }
    }
    let store = Store::new(&opts.out, &[old.path.as_path(), new.path.as_path()]);
    let mut stage = store.stage()?;
    let mut manifest = Vec::new();
    for a_new in &new_reg.agreements {
        let key = a_new.key();
        if !keys.is_empty() && !keys.contains(key) {
            continue;
        }
        let Some(a_old) = old_reg.find(key) else {
            continue;
        };
        let dir = PathBuf::from(output::sanitize_component(&a_new.id.value));
        for kind in crate::revision::TRACKED {
            let (Some(before), Some(after)) = (
                final_document(t, old_reg, a_old, profile, kind)?,
                final_document(t, new_reg, a_new, profile, kind)?,
            ) else {
                continue;
            };
            if reads_same(&before, &after) {
                summary
                    .same
                    .push(format!("{} {}", a_new.id.value, kind.file_stem()));
                continue;
            }
            let doc = comparison_document(t, new_reg, a_new, kind, &before, &after, false)?;
            let created = revised_on(kind, a_new)
                .or(a_new.signed_on.as_ref().map(|d| d.value))
                .unwrap_or(profile.effective);
            let name = output::sanitize_component(&format!(
                "{}_{}",
                DocKind::Comparison.file_stem(),
                kind.file_stem()
            ));
            let (plans, warnings) =
                engine.plan(&opts.formats, &a_new.id.value, &dir, &name, &doc, created)?;
            summary.warnings.extend(warnings);
            for plan in plans {
                stage.add(&plan, None)?;
                manifest.push(ManifestFile {
                    diff: true,
                    draft: false,
                    key: String::new(),
                    path: rel_string(&plan.rel),
                    sha256: output::sha256_hex(&plan.bytes),
                });
            }
        }
    }
    // The folder's manifest gains these files and keeps every other (render's among them).
    let manifest = (!manifest.is_empty()).then(|| {
        Manifest::update(
            Manifest::load(&store),
            &new.bytes,
            &profile.name,
            manifest,
            |_| false,
        )
    });
    summary.files = stage.commit(manifest.as_ref())?;
    Ok(summary)
}

fn rel_string(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
