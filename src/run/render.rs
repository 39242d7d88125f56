//! The render pipeline: register → rules → documents (IR) → DOCX/PDF bytes → output folder.
//!
//! Agreements are rendered in parallel on a bounded pool of threads (the PDF writer, its fonts
//! and the templates are shared); the files of each agreement are handed to one writer thread
//! as soon as they are ready, so memory stays flat on long batches.

use super::{Engine, Format, Input, select};
use crate::date::Date;
use crate::document::build::{self, Options as DocOptions};
use crate::document::ir::{DocKind, Document};
use crate::error::{Error, Result};
use crate::finding::{Finding, Severity};
use crate::guideline::profile::Profile;
use crate::model::{Agreement, Register};
use crate::output::{self, ManifestFile, Outcome, Planned};
use crate::revision::{self, Edition};
use crate::text;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// What to render and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder (`出力/` by default in the CLI).
    pub out: PathBuf,
    /// Only these agreements (協定番号; empty = all).
    pub agreements: Vec<String>,
    /// Only these kinds (empty = all).
    pub kinds: Vec<DocKind>,
    /// The formats to write.
    pub formats: Vec<Format>,
    /// Drafts: titles marked 案, register data highlighted, rendered even with errors.
    pub draft: bool,
    /// The reference date for the rules (today in the CLI).
    pub as_of: Date,
    /// Worker threads (0 = the number of cores).
    pub jobs: usize,
    /// Called by the writer after each agreement: (agreements done, agreements selected).
    pub progress: Option<Progress>,
    /// Make every file again, even those whose inputs are unchanged (`--force`).
    pub force: bool,
}

/// A progress callback (the CLI draws a bar with it).
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(usize, usize) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Every finding of the selected agreements (and the register-wide ones).
    pub findings: Vec<Finding>,
    /// Files written or left unchanged, relative to the output folder.
    pub files: Vec<(String, Outcome)>,
    /// Agreements that got no files because of errors.
    pub skipped: Vec<String>,
    /// Warnings of the writers (typst).
    pub warnings: Vec<String>,
    /// Documents laid out in this run: files whose inputs were unchanged cost none.
    pub laid_out: usize,
}

/// Checks a register as read and renders it with `engine` into `opts.out`.
pub fn run(input: &Input, engine: &Engine, profile: &Profile, opts: &Options) -> Result<Summary> {
    let reg = &input.register;
    let mut findings = input.findings.clone();
    let selected = select(reg, &opts.agreements)?;
    let glyphs = super::glyphs::missing(&|c| engine.pdf.covers(c), reg, &selected);
    // A draft is made anyway: say where the boxes will be.
    let boxes: Vec<String> = match opts.draft {
        true => glyphs.iter().map(|m| m.draft_warning()).collect(),
        false => Vec::new(),
    };
    findings.extend(glyphs.iter().map(|m| m.finding()));
    findings.extend(crate::guideline::rules::check(reg, profile, opts.as_of));
    let mut summary = render_register(engine, reg, findings, input, profile, opts)?;
    summary.warnings.splice(0..0, boxes);
    Ok(summary)
}

/// Render already-read register data. `findings` are every finding of the register.
pub fn render_register(
    engine: &Engine,
    reg: &Register,
    findings: Vec<Finding>,
    input: &Input,
    profile: &Profile,
    opts: &Options,
) -> Result<Summary> {
    let store = output::Store::new(&opts.out, &[input.path.as_path()]);
    let selected = select(reg, &opts.agreements)?;
    let keys: HashSet<String> = selected.iter().map(|a| a.key()).collect();
    // A whole-register run also reports the rows of no agreement (an orphan row, a row whose
    // 協定番号 is refused): `check` does, and they would otherwise go unsaid.
    let known: HashSet<String> = reg.agreements.iter().map(|a| a.key()).collect();
    let mut summary = Summary {
        findings: findings
            .into_iter()
            .filter(|f| {
                f.agreement.as_deref().is_none_or(|a| {
                    let k = text::key(a);
                    keys.contains(&k) || (opts.agreements.is_empty() && !known.contains(&k))
                })
            })
            .collect(),
        ..Summary::default()
    };
    let register_wide_error = summary
        .findings
        .iter()
        .any(|f| f.agreement.is_none() && f.severity == Severity::Error);
    // Agreements with an error of their own (keys), looked up once per agreement.
    let with_errors: HashSet<String> = summary
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .filter_map(|f| f.agreement.as_deref().map(text::key))
        .collect();

    let jobs = if opts.jobs == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        opts.jobs
    };
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<AgreementOutput>)>(jobs * 2);
    let mut results: Vec<Option<AgreementOutput>> = (0..selected.len()).map(|_| None).collect();
    let mut first_error: Option<Error> = None;
    let mut manifest_files: Vec<output::ManifestFile> = Vec::new();
    // The folders (協定番号) whose files this run made or kept.
    let mut rendered: Vec<String> = Vec::new();
    // What earlier runs made: files whose key is unchanged are kept as they are.
    let before = output::Manifest::load(&store);
    let previous = Previous {
        files: before
            .iter()
            .flat_map(|m| m.files.iter())
            .filter(|f| f.draft == opts.draft)
            .map(|f| (f.path.clone(), f.clone()))
            .collect(),
        // Debug output is deterministic here (the profile holds no maps).
        profile: format!("{profile:?}"),
    };
    let layouts = engine.pdf.layouts();

    std::thread::scope(|s| {
        for _ in 0..jobs.min(selected.len()).max(1) {
            let tx = tx.clone();
            let next = &next;
            let selected = &selected;
            let with_errors = &with_errors;
            let store = &store;
            let previous = &previous;
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(a) = selected.get(i) else { break };
                    let has_errors = register_wide_error || with_errors.contains(&a.key());
                    let out = if has_errors && !opts.draft {
                        Ok(AgreementOutput::Skipped)
                    } else {
                        render_agreement(engine, store, previous, reg, a, profile, opts)
                    };
                    if tx.send((i, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // The writer: commits each agreement's files as they arrive.
        let total = selected.len();
        for (done, (i, out)) in rx.into_iter().enumerate() {
            match out {
                Ok(AgreementOutput::Files {
                    plans,
                    kept,
                    warnings,
                    history,
                }) => {
                    if first_error.is_none() {
                        rendered.push(output::sanitize_component(&selected[i].id.value));
                        for k in &plans {
                            let p = &k.plan;
                            let named = history.iter().find(|(r, _)| *r == p.rel);
                            match store.commit(p, named.map(|(_, h)| h.as_str())) {
                                Ok(o) => {
                                    manifest_files.push(output::ManifestFile {
                                        draft: opts.draft,
                                        path: rel_string(&p.rel),
                                        sha256: k.sha256.clone(),
                                        key: k.key.clone(),
                                    });
                                    summary.files.push((rel_string(&p.rel), o));
                                }
                                Err(e) => {
                                    first_error = Some(e);
                                    break;
                                }
                            }
                        }
                        for f in kept {
                            summary.files.push((f.path.clone(), Outcome::Unchanged));
                            manifest_files.push(f);
                        }
                    }
                    summary.warnings.extend(warnings);
                    results[i] = Some(AgreementOutput::Done);
                }
                Ok(other) => results[i] = Some(other),
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(e);
                    }
                }
            }
            if let Some(p) = &opts.progress {
                (p.0)(done + 1, total);
            }
            if first_error.is_some() {
                // Dropping the receiver stops the workers: no point rendering what cannot be written.
                break;
            }
        }
    });
    if let Some(e) = first_error {
        return Err(e);
    }
    for (a, r) in selected.iter().zip(&results) {
        if let Some(AgreementOutput::Skipped) = r {
            summary.skipped.push(a.id.value.clone());
        }
    }
    summary.files.sort_by(|a, b| a.0.cmp(&b.0));
    summary.laid_out = engine.pdf.layouts() - layouts;
    // A run that produced no file (every agreement refused) leaves the last manifest as it is:
    // it still describes the files in the folder.
    if !manifest_files.is_empty() {
        // The manifest lists every file kyotei made here: this run's, and the earlier ones of
        // the folders (and documents, with --docs) it did not make again. A final render
        // replaces the final entries of its agreements, a draft the drafts'.
        let made: HashSet<&str> = manifest_files.iter().map(|f| f.path.as_str()).collect();
        let dirs: HashSet<&str> = rendered.iter().map(String::as_str).collect();
        let drafts = format!("{}/", output::DRAFT_DIR);
        let redone = |path: &str| {
            made.contains(path)
                || (opts.kinds.is_empty()
                    && path.split_once('/').is_some_and(|(dir, rest)| {
                        dirs.contains(dir) && rest.starts_with(&drafts) == opts.draft
                    }))
        };
        let mut files: Vec<output::ManifestFile> = before
            .map(|m| m.files)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| !redone(&f.path))
            .collect();
        files.extend(manifest_files);
        let manifest = output::Manifest::new(&input.bytes, &profile.name, files);
        let outcome = manifest.commit(&store)?;
        summary.files.push(("manifest.json".into(), outcome));
    }
    Ok(summary)
}

enum AgreementOutput {
    Files {
        plans: Vec<Keyed>,
        /// Files left as they are: their inputs are unchanged.
        kept: Vec<ManifestFile>,
        warnings: Vec<String>,
        /// History names (`申し合わせ事項_第1版`) for files that replace an edition.
        history: Vec<(PathBuf, String)>,
    },
    Skipped,
    Done,
}

fn rel_string(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// What a render knows of the files it made before (`manifest.json`), and the profile as
/// it enters every key.
struct Previous {
    files: HashMap<String, ManifestFile>,
    profile: String,
}

/// A file to write, with its key and digest for the manifest (hashed once, here).
struct Keyed {
    plan: Planned,
    key: String,
    sha256: String,
}

impl Keyed {
    fn new(plan: Planned, key: String) -> Keyed {
        let sha256 = output::sha256_hex(&plan.bytes);
        Keyed { plan, key, sha256 }
    }
}

/// One document in every format: the files kept as they are (their inputs are unchanged and
/// they are still on disk as written: nothing is laid out), or the files made anew.
enum Made {
    Kept(Vec<ManifestFile>),
    Fresh(Vec<Keyed>, Vec<String>),
}

impl Made {
    /// The files' digests, in the order of the formats.
    fn digests(&self) -> Vec<String> {
        match self {
            Made::Kept(files) => files.iter().map(|f| f.sha256.clone()).collect(),
            Made::Fresh(files, _) => files.iter().map(|k| k.sha256.clone()).collect(),
        }
    }

    /// Adds the files to those to write or to keep, and the writer's warnings.
    fn add_to(
        self,
        plans: &mut Vec<Keyed>,
        kept: &mut Vec<ManifestFile>,
        warnings: &mut Vec<String>,
    ) {
        match self {
            Made::Kept(files) => kept.extend(files),
            Made::Fresh(files, w) => {
                plans.extend(files);
                warnings.extend(w);
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn make(
    engine: &Engine,
    store: &output::Store,
    previous: &Previous,
    opts: &Options,
    id: &str,
    dir: &Path,
    name: &str,
    doc: &Document,
    created: Date,
) -> Result<Made> {
    let ir = serde_json::to_string(doc).expect("the IR serialises");
    let keys: Vec<(PathBuf, String)> = opts
        .formats
        .iter()
        .map(|&f| {
            (
                dir.join(format!("{name}.{}", f.ext())),
                engine.key(&previous.profile, f, created, &ir),
            )
        })
        .collect();
    let kept: Option<Vec<ManifestFile>> = keys
        .iter()
        .map(|(rel, key)| {
            let e = previous.files.get(&rel_string(rel))?;
            (e.key == *key && store.holds(rel, &e.sha256)).then(|| e.clone())
        })
        .collect();
    if let Some(kept) = kept.filter(|_| !opts.force) {
        return Ok(Made::Kept(kept));
    }
    let (files, warnings) = engine.plan(&opts.formats, id, dir, name, doc, created)?;
    let keyed = files
        .into_iter()
        .zip(keys)
        .map(|(plan, (_, key))| Keyed::new(plan, key))
        .collect();
    Ok(Made::Fresh(keyed, warnings))
}

/// Every document and format of one agreement, as planned files.
fn render_agreement(
    engine: &Engine,
    store: &output::Store,
    previous: &Previous,
    reg: &Register,
    a: &Agreement,
    profile: &Profile,
    opts: &Options,
) -> Result<AgreementOutput> {
    let docs = build::build_all(
        &engine.templates,
        reg,
        a,
        profile,
        &DocOptions { draft: opts.draft },
    )?;
    let dir = PathBuf::from(output::sanitize_component(&a.id.value));
    // Drafts live apart (`<ID>/案/`): they never replace, or move to 履歴, a final document.
    let files_dir = match opts.draft {
        true => dir.join(output::DRAFT_DIR),
        false => dir.clone(),
    };
    let created = a
        .signed_on
        .as_ref()
        .or(a.applied_on.as_ref())
        .map(|d| d.value)
        .unwrap_or(profile.effective);
    let mut plans: Vec<Keyed> = Vec::new();
    let mut kept: Vec<ManifestFile> = Vec::new();
    let mut warnings = Vec::new();
    let mut history: Vec<(PathBuf, String)> = Vec::new();
    let mut records = Vec::new();
    for build::Built {
        stem,
        mut doc,
        final_doc,
    } in docs
        .into_iter()
        .filter(|b| opts.kinds.is_empty() || opts.kinds.contains(&b.doc.kind))
    {
        // Editions of the 申し合わせ事項 and the 協定書: see `revision`.
        let edition = if revision::is_tracked(doc.kind) {
            let rel = revision::state_rel(&dir, &stem);
            let recorded = match store.read(&rel)? {
                Some(bytes) => Some(revision::parse_state(&store.root().join(&rel), &bytes)?),
                None => None,
            };
            let revised_on = revision::revised_on(doc.kind, a);
            let e = Edition::track(
                recorded,
                &stem,
                final_doc.as_ref().unwrap_or(&doc),
                revised_on,
                opts.draft,
            )?;
            e.apply(&mut doc);
            warnings.extend(e.warnings.iter().map(|w| format!("{}: {w}", a.id.value)));
            Some((e, revised_on))
        } else {
            None
        };
        let name = output::sanitize_component(&stem);
        let made = make(
            engine,
            store,
            previous,
            opts,
            &a.id.value,
            &files_dir,
            &name,
            &doc,
            created,
        )?;
        if let Some((e, revised_on)) = edition {
            if let Made::Fresh(files, _) = &made {
                for (k, format) in files.iter().zip(&opts.formats).filter(|_| !opts.draft) {
                    if let Some(current) = store.read(&k.plan.rel)?
                        && let Some(h) = e.history_name(format.ext(), &current)
                    {
                        history.push((k.plan.rel.clone(), h));
                    }
                }
            }
            if let Some((cstem, cdoc)) = e.comparison(&engine.templates, reg, a)? {
                let cname = output::sanitize_component(&cstem);
                let on = revised_on.unwrap_or(created);
                make(
                    engine,
                    store,
                    previous,
                    opts,
                    &a.id.value,
                    &files_dir,
                    &cname,
                    &cdoc,
                    on,
                )?
                .add_to(&mut plans, &mut kept, &mut warnings);
            }
            // The digests of this document's files, by extension, for its edition record.
            let exts = opts.formats.iter().map(|f| f.ext());
            let written: Vec<(&str, String)> = exts.zip(made.digests()).collect();
            if let Some(record) = e.record(&dir, &written) {
                if let Some(h) = e.record_history_name() {
                    history.push((record.rel.clone(), h));
                }
                records.push(record);
            }
        }
        made.add_to(&mut plans, &mut kept, &mut warnings);
    }
    // The records of editions go last: an interrupted run is redone by the next one.
    plans.extend(
        records
            .into_iter()
            .map(|plan| Keyed::new(plan, String::new())),
    );
    Ok(AgreementOutput::Files {
        plans,
        kept,
        warnings,
        history,
    })
}
