//! The render pipeline: register → rules → documents (IR) → DOCX/PDF bytes → output folder.
//!
//! Three steps: [`Plan`] (pure: which agreements, which are refused and what is reported, from
//! the reading's [`Verdict`]), [`execute`] (agreements laid out in parallel on a bounded pool
//! of threads sharing the PDF writer, its fonts and the templates; one writer thread stages
//! each agreement's files as they are ready, so memory stays flat on long batches) and the
//! commit (the staged files, the edition records and the manifest put in place together
//! through [`output::stage`]: an interrupted run uses up no edition number).

use super::verdict::Verdict;
use super::{Engine, Format, Input, select_positions};
use crate::date::Date;
use crate::document::build::{self, Options as DocOptions};
use crate::document::ir::{DocKind, Document, Issued};
use crate::error::{Error, Result};
use crate::finding::Finding;
use crate::guideline::profile::Profile;
use crate::model::{Agreement, Register};
use crate::output::{self, ManifestFile, Outcome, Planned};
use crate::revision::{self, Edition};
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
    /// A draft run (errors do not fail it).
    pub draft: bool,
}

impl Summary {
    /// Whether the run did all it was asked: no agreement refused for its errors and, for a
    /// final render, no error anywhere in what it reports (a row of no agreement included,
    /// as for `check`). The CLI's exit status (0 or 1) and the page's job say the same.
    pub fn ok(&self) -> bool {
        self.skipped.is_empty() && (self.draft || !crate::finding::has_errors(&self.findings))
    }

    /// The closing line: `作成 3 件、更新 0 件、変更なし 28 件（組版した書類 3 件）`.
    pub fn counts_line(&self) -> String {
        let (created, replaced, unchanged) = output::tally(self.files.iter().map(|(_, o)| o));
        format!(
            "作成 {created} 件、更新 {replaced} 件、変更なし {unchanged} 件（組版した書類 {} 件）",
            self.laid_out
        )
    }
}

/// Renders the agreements `opts` selects from a register as read, with the verdict of that
/// reading (what blocks a final), into `opts.out`: plan the work, lay out the documents on a
/// pool of threads, staging their files, then commit the files, the editions and the
/// manifest together.
pub fn run(
    input: &Input,
    verdict: &Verdict,
    engine: &Engine,
    profile: &Profile,
    opts: &Options,
) -> Result<Summary> {
    let reg = &input.register;
    let plan = Plan::new(reg, verdict, opts)?;
    let store = output::Store::new(&opts.out, &[input.path.as_path()]);
    let mut stage = store.stage()?;
    let before = output::Manifest::load(&store);
    let previous = Previous {
        files: before
            .iter()
            .flat_map(|m| m.files.iter())
            .filter(|f| f.draft == opts.draft)
            .map(|f| (f.path.clone(), f.clone()))
            .collect(),
        profile: profile.fingerprint(),
    };
    let ctx = Ctx {
        engine,
        store: &store,
        previous: &previous,
        opts,
        profile,
        reg,
    };
    let layouts = engine.pdf.layouts();
    let done = execute(&ctx, &plan, &mut stage)?;
    let mut summary = Summary {
        findings: plan.findings,
        warnings: plan.boxes,
        draft: opts.draft,
        ..Summary::default()
    };
    summary.warnings.extend(done.warnings);
    summary.skipped = done.skipped;
    summary.laid_out = engine.pdf.layouts() - layouts;
    // Commit: the files, then the manifest. A run that produced no file (every agreement
    // refused) leaves the last manifest as it is: it still describes the files in the folder.
    let manifest = (!done.manifest.is_empty()).then(|| {
        // The manifest lists every file kyotei made here: this run's, and the earlier ones of
        // the folders (and documents, with --docs) it did not make again. A final render
        // replaces the final entries of its agreements, a draft the drafts'.
        let dirs: HashSet<&str> = done.folders.iter().map(String::as_str).collect();
        let drafts = format!("{}/", output::DRAFT_DIR);
        output::Manifest::update(
            before,
            &input.bytes,
            &profile.name,
            done.manifest.clone(),
            |f| {
                opts.kinds.is_empty()
                    && !f.diff
                    && f.path.split_once('/').is_some_and(|(dir, rest)| {
                        dirs.contains(dir) && rest.starts_with(&drafts) == opts.draft
                    })
            },
        )
    });
    summary.files = stage.commit(manifest.as_ref())?;
    let committed: HashSet<String> = summary.files.iter().map(|(p, _)| p.clone()).collect();
    summary.files.extend(
        done.kept
            .into_iter()
            .filter(|p| !committed.contains(p))
            .map(|p| (p, Outcome::Unchanged)),
    );
    summary
        .files
        .sort_by(|a, b| (a.0 == output::MANIFEST, &a.0).cmp(&(b.0 == output::MANIFEST, &b.0)));
    Ok(summary)
}

/// What a run will do, decided before anything is laid out (pure).
struct Plan {
    /// The selected agreements' positions, in sheet order.
    selected: Vec<usize>,
    /// Whether each selected agreement is refused (its final is blocked and this is no draft).
    refused: Vec<bool>,
    /// The findings the run reports.
    findings: Vec<Finding>,
    /// A draft's warnings of characters that will print as boxes.
    boxes: Vec<String>,
}

impl Plan {
    fn new(reg: &Register, verdict: &Verdict, opts: &Options) -> Result<Plan> {
        let selected = select_positions(reg, &opts.agreements)?;
        let refused = selected
            .iter()
            .map(|&i| !opts.draft && verdict.blocked(i).is_some())
            .collect();
        Ok(Plan {
            findings: verdict.for_selection(&selected, opts.agreements.is_empty()),
            boxes: match opts.draft {
                true => verdict.draft_warnings(reg, &selected),
                false => Vec::new(),
            },
            refused,
            selected,
        })
    }
}

/// What the pool made: the manifest entries of the staged and the kept files.
#[derive(Default)]
struct Done {
    manifest: Vec<ManifestFile>,
    /// Files left as they are (their inputs unchanged).
    kept: Vec<String>,
    /// The folders (協定番号) whose files this run made or kept.
    folders: Vec<String>,
    skipped: Vec<String>,
    warnings: Vec<String>,
}

/// Lays out the planned agreements on a bounded pool of threads; one writer stages each
/// agreement's files as they arrive, so memory stays flat on long batches.
fn execute(ctx: &Ctx<'_>, plan: &Plan, stage: &mut output::stage::Stage<'_>) -> Result<Done> {
    let opts = ctx.opts;
    let n = plan.selected.len();
    let jobs = if opts.jobs == 0 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    } else {
        opts.jobs
    };
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<AgreementOutput>)>(jobs * 2);
    let mut done = Done::default();
    let mut first_error: Option<Error> = None;
    std::thread::scope(|s| {
        for _ in 0..jobs.min(n).max(1) {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let a = &ctx.reg.agreements[plan.selected[i]];
                    let out = match plan.refused[i] {
                        true => Ok(AgreementOutput::Skipped),
                        false => render_agreement(ctx, a),
                    };
                    if tx.send((i, out)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // The writer: stages each agreement's files as they arrive.
        let mut skipped = vec![false; n];
        for (count, (i, out)) in rx.into_iter().enumerate() {
            match out {
                Ok(AgreementOutput::Files {
                    plans,
                    kept,
                    warnings,
                    history,
                }) => {
                    let a = &ctx.reg.agreements[plan.selected[i]];
                    done.folders.push(output::sanitize_component(&a.id.value));
                    for k in &plans {
                        let named = history.iter().find(|(r, _)| *r == k.plan.rel);
                        if let Err(e) = stage.add(&k.plan, named.map(|(_, h)| h.as_str())) {
                            first_error = Some(e);
                            break;
                        }
                        done.manifest.push(ManifestFile {
                            diff: false,
                            draft: opts.draft,
                            path: rel_string(&k.plan.rel),
                            sha256: k.sha256.clone(),
                            key: k.key.clone(),
                        });
                    }
                    done.kept.extend(kept.iter().map(|f| f.path.clone()));
                    done.manifest.extend(kept);
                    done.warnings.extend(warnings);
                }
                Ok(AgreementOutput::Skipped) => skipped[i] = true,
                Err(e) => first_error = first_error.take().or(Some(e)),
            }
            if let Some(p) = &opts.progress {
                (p.0)(count + 1, n);
            }
            if first_error.is_some() {
                // Dropping the receiver stops the workers: no point rendering what cannot be written.
                break;
            }
        }
        done.skipped = (0..n)
            .filter(|&i| skipped[i])
            .map(|i| ctx.reg.agreements[plan.selected[i]].id.value.clone())
            .collect();
    });
    match first_error {
        Some(e) => Err(e),
        None => Ok(done),
    }
}

/// What every worker shares.
struct Ctx<'a> {
    engine: &'a Engine,
    store: &'a output::Store,
    previous: &'a Previous,
    opts: &'a Options,
    profile: &'a Profile,
    reg: &'a Register,
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

/// One document of an agreement, to be written as `<dir>/<name>.<ext>` in each format.
struct Doc<'a> {
    id: &'a str,
    dir: &'a Path,
    name: &'a str,
    doc: &'a Document,
    /// The date stored in the PDF's metadata.
    created: Date,
}

/// The files of one document: kept when their keys are unchanged and they are still on disk
/// as written, else laid out anew.
fn make(ctx: &Ctx<'_>, d: &Doc<'_>) -> Result<Made> {
    let (engine, opts) = (ctx.engine, ctx.opts);
    let ir = serde_json::to_string(d.doc).expect("the IR serialises");
    let keys: Vec<(PathBuf, String)> = opts
        .formats
        .iter()
        .map(|&f| {
            (
                d.dir.join(format!("{}.{}", d.name, f.ext())),
                engine.key(&ctx.previous.profile, f, d.created, &ir),
            )
        })
        .collect();
    let kept: Option<Vec<ManifestFile>> = keys
        .iter()
        .map(|(rel, key)| {
            let e = ctx.previous.files.get(&rel_string(rel))?;
            (e.key == *key && ctx.store.holds(rel, &e.sha256)).then(|| e.clone())
        })
        .collect();
    if let Some(kept) = kept.filter(|_| !opts.force) {
        return Ok(Made::Kept(kept));
    }
    let (files, warnings) = engine.plan(&opts.formats, d.id, d.dir, d.name, d.doc, d.created)?;
    let keyed = files
        .into_iter()
        .zip(keys)
        .map(|(plan, (_, key))| Keyed::new(plan, key))
        .collect();
    Ok(Made::Fresh(keyed, warnings))
}

/// Every document and format of one agreement, as planned files.
fn render_agreement(ctx: &Ctx<'_>, a: &Agreement) -> Result<AgreementOutput> {
    let Ctx {
        engine,
        store,
        reg,
        profile,
        opts,
        ..
    } = *ctx;
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
        doc.issued = Some(Issued {
            agreement: a.id.value.clone(),
            edition: None,
        });
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
            ctx,
            &Doc {
                id: &a.id.value,
                dir: &files_dir,
                name: &name,
                doc: &doc,
                created,
            },
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
            if let Some((cstem, mut cdoc)) = e.comparison(&engine.templates, reg, a)? {
                cdoc.issued = Some(Issued {
                    agreement: a.id.value.clone(),
                    edition: Some(e.number),
                });
                let cname = output::sanitize_component(&cstem);
                let on = revised_on.unwrap_or(created);
                make(
                    ctx,
                    &Doc {
                        id: &a.id.value,
                        dir: &files_dir,
                        name: &cname,
                        doc: &cdoc,
                        created: on,
                    },
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
    // The records of editions are staged with the documents: they are committed together.
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
