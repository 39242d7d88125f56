//! `kyotei forms`: the departments' forms of a register, written into the output folder
//! through the store (staged and committed together, the folder's lock held by the caller):
//! per department, `連携事業調査_<部><課>.xlsx` for the proposals of agreements not yet signed
//! (and `連携事業調査_担当課未定.xlsx` for the rows with no 担当課, to route), and
//! `実績報告_<部><課>.xlsx` for the agreements in force.

use super::{Input, select};
use crate::date::Date;
use crate::error::Result;
use crate::forms::survey::Issue;
use crate::forms::{Department, FormKind, departments, results, survey};
use crate::guideline::profile::Profile;
use crate::guideline::term::{Status, status};
use crate::model::{Agreement, AgreementKey};
use crate::output::{self, Manifest, ManifestFile, Outcome, Planned, Store};
use std::path::{Path, PathBuf};

/// What to issue and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub out: PathBuf,
    /// Only these agreements (協定番号; empty = all).
    pub agreements: Vec<String>,
    /// The date of issue (today), also the date agreements are in force at.
    pub as_of: Date,
}

/// What `kyotei forms` wrote: each file with its kind and department.
#[derive(Debug, Default)]
pub struct Summary {
    pub files: Vec<(String, Outcome)>,
    /// (form, department, rows or agreements) per file, in the order written.
    pub issued: Vec<(FormKind, String, usize)>,
}

/// Issues the forms of `input` into `opts.out`.
pub fn forms(input: &Input, profile: &Profile, opts: &Options) -> Result<Summary> {
    let reg = &input.register;
    let chosen = select(reg, &opts.agreements)?;
    let sha = output::sha256_hex(&input.bytes);
    let issue = Issue {
        register_sha256: &sha,
        date: opts.as_of,
    };
    // Not yet signed (and not terminated): their proposals are surveyed.
    let open: Vec<&Agreement> = chosen
        .iter()
        .copied()
        .filter(|a| a.signed_on.is_none() && a.terminated_on.is_none())
        .collect();
    let in_force: Vec<&Agreement> = chosen
        .iter()
        .copied()
        .filter(|a| status(a, opts.as_of) == Status::有効)
        .collect();
    let of =
        |list: &[&Agreement]| -> Vec<AgreementKey> { list.iter().map(|a| a.key.clone()).collect() };
    let (open_keys, force_keys) = (of(&open), of(&in_force));
    let key_of = |p: &crate::model::Project| AgreementKey::of(&p.agreement.value);
    let mut plans: Vec<(FormKind, Department, Vec<u8>, usize)> = Vec::new();
    for dept in departments(reg, &|p| open_keys.contains(&key_of(p))) {
        if let Some(book) = survey::survey(reg, profile, &open, &dept, issue) {
            let n = book.sheets[0].rows.len();
            plans.push((
                FormKind::Survey,
                dept,
                crate::writer::xlsx::write(&book)?,
                n,
            ));
        }
    }
    for dept in departments(reg, &|p| force_keys.contains(&key_of(p))) {
        if let Some(book) = results::results(reg, profile, &in_force, &dept, issue) {
            let n = in_force
                .iter()
                .filter(|a| {
                    reg.rows::<crate::model::Project>(a).any(|p| {
                        dept.is(
                            p.department.as_ref().map(|t| t.value.as_str()),
                            p.division.as_ref().map(|t| t.value.as_str()),
                        )
                    })
                })
                .count();
            plans.push((
                FormKind::Results,
                dept,
                crate::writer::xlsx::write(&book)?,
                n,
            ));
        }
    }
    let store = Store::new(&opts.out, &[input.path.as_path()]);
    let mut stage = store.stage()?;
    let mut made = Vec::new();
    let mut summary = Summary::default();
    for (kind, dept, bytes, n) in plans {
        let rel = PathBuf::from(format!(
            "{}.xlsx",
            output::sanitize_component(&dept.file_stem(kind))
        ));
        made.push(ManifestFile {
            path: rel_string(&rel),
            sha256: output::sha256_hex(&bytes),
            key: String::new(),
            draft: false,
            diff: false,
        });
        stage.add(&Planned { rel, bytes }, None)?;
        summary.issued.push((kind, dept.label(), n));
    }
    let manifest = (!made.is_empty()).then(|| {
        Manifest::update(
            Manifest::load(&store),
            &input.bytes,
            &profile.name,
            made,
            |_| false,
        )
    });
    summary.files = stage.commit(manifest.as_ref())?;
    summary.files.retain(|(p, _)| p != output::MANIFEST);
    Ok(summary)
}

fn rel_string(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}
