//! `kyotei compare RETURNED.docx REGISTER.xlsx`: the partner's Word file read back against
//! what kyotei issued, each difference said where it belongs.
//!
//! 1. **What the file is**: the custom properties kyotei wrote (`kyotei.agreement`, `.kind`,
//!    `.edition`, `.draft`; `dc:identifier` when a program dropped them), or `--agreement` and
//!    `--kind` for a file without them. A file of another agreement or kind than the options
//!    name is refused.
//! 2. **What it is compared with**: the IR of that edition recorded in `OUT/<ID>/版/` (the
//!    latest record or `版/履歴/`), else — a document kind without editions, a draft of an
//!    edition not yet made final, no record at all, or `--current` — what the register makes
//!    now. The report says which. A final edition with no record is refused.
//! 3. **The differences**, paragraph by paragraph in reading order (the returned file with
//!    every tracked change accepted, see [`crate::input::docx`]), aligned with the issued
//!    paragraphs and compared character by character ([`revision::edits`]):
//!    - a change inside text that came from the register (a span of the IR that knows its
//!      cell) is a **register** difference: the cell, the old and the new value;
//!    - any other change is a **model** difference: the place (`第6条`, `前文`…), the old and
//!      the new paragraph, and the wording to record in `条文` if it is agreed;
//!    - a draft's title ends with `（案）`: not a difference.
//! 4. Tracked changes and comments are listed with their authors, dates and places.
//!
//! With `-o`, the 新旧対照表 (returned against issued) is written into the store beside the
//! agreement's documents, marked in the manifest as `render` never supersedes it.

use super::{Engine, Format, Input};
use crate::document::build::{self, Options as DocOptions};
use crate::document::clauses::{self, Para};
use crate::document::ir::{Align, Block, DocKind, Document, Span};
use crate::error::{Error, Result};
use crate::guideline::profile::Profile;
use crate::input::docx::Returned;
use crate::model::{Agreement, AgreementKey, Register, Report as ReportRow};
use crate::output::{self, Manifest, ManifestFile, Outcome, Store};
use crate::revision::{self, Edit, Edition};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What to compare with, and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The output folder whose edition records say what was issued.
    pub out: PathBuf,
    /// Write the 新旧対照表 into `out` (`-o` was given).
    pub write: bool,
    /// `--agreement`: the agreement, for a file without kyotei's properties.
    pub agreement: Option<String>,
    /// `--kind`: the document kind, likewise.
    pub kind: Option<DocKind>,
    /// `--current`: compare with what the register makes now, not with the issued record.
    pub current: bool,
    pub formats: Vec<Format>,
}

/// A difference's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// A value that came from the register: type the new value into its cell.
    #[serde(rename = "台帳")]
    Register,
    /// The guideline's model text: 戦略推進課 decides, and records agreed wording in `条文`.
    #[serde(rename = "雛形")]
    Model,
}

/// One difference between the issued and the returned text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub kind: Kind,
    /// Where in the document (`第6条`, `署名欄`, `1.の表`; several for one value printed in
    /// several places).
    pub place: String,
    /// The register cell of a register difference (`協定!E3`); none when the record is older
    /// than cells in the IR.
    pub cell: Option<String>,
    /// The issued text: the value, or the whole paragraph of a model difference.
    pub old: String,
    /// The returned text.
    pub new: String,
    /// For a model difference at a place that takes agreed wording: the `文言` to record in
    /// `条文` if the change is agreed.
    pub wording: Option<String>,
}

/// A tracked change not yet accepted, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tracked {
    /// 挿入 or 削除.
    pub kind: &'static str,
    pub moved: bool,
    pub author: String,
    pub date: Option<String>,
    pub text: String,
    pub place: String,
}

/// A comment, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remark {
    pub author: String,
    pub date: Option<String>,
    pub text: String,
    pub anchor: String,
    pub place: String,
}

/// What `kyotei compare` found.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The returned file, as named.
    pub file: String,
    pub agreement: String,
    /// The document kind (`協定書`).
    pub document: String,
    pub edition: Option<u32>,
    pub draft: bool,
    /// Whether the file said what it is (kyotei's properties), rather than the options.
    pub identified: bool,
    /// What it was compared with, as a sentence.
    pub against: String,
    /// The issued edition's record was used (else what the register makes now).
    pub recorded: bool,
    pub differences: Vec<Difference>,
    pub changes: Vec<Tracked>,
    pub comments: Vec<Remark>,
    /// Files written with `-o` (relative to the output folder).
    #[serde(skip)]
    pub files: Vec<(String, Outcome)>,
    #[serde(skip)]
    pub warnings: Vec<String>,
}

impl Comparison {
    /// The text reads the same (tracked changes accepted); comments and changes are listed
    /// all the same.
    pub fn same(&self) -> bool {
        self.differences.is_empty()
    }
}

/// The file's own word on what it is: agreement, kind, edition, draft.
struct Identity {
    agreement: Option<String>,
    kind: Option<String>,
    edition: Option<u32>,
    draft: bool,
}

fn identity(r: &Returned) -> Identity {
    let p = &r.properties;
    let mut id = Identity {
        agreement: p.get("kyotei.agreement").cloned(),
        kind: p.get("kyotei.kind").cloned(),
        edition: p.get("kyotei.edition").and_then(|e| e.trim().parse().ok()),
        draft: p.get("kyotei.draft").is_some_and(|d| d.trim() == "true"),
    };
    // `kyotei 協定番号=R8-001; 書類=協定書; 版=2; 確定; IR=sha256:…`, for a file whose custom
    // properties were dropped by the program that saved it.
    if id.agreement.is_none()
        && let Some(rest) = r
            .identifier
            .as_deref()
            .and_then(|s| s.trim().strip_prefix("kyotei "))
    {
        use crate::model::header;
        for part in rest.split(';').map(str::trim) {
            match part.split_once('=') {
                Some((k, v)) if k == header::協定番号 => id.agreement = Some(v.to_string()),
                Some((k, v)) if k == header::書類 => id.kind = Some(v.to_string()),
                Some(("版", v)) => id.edition = v.parse().ok(),
                None if part == "案" => id.draft = true,
                _ => {}
            }
        }
    }
    id
}

/// The document kinds `compare` reads.
fn kind_of(name: &str) -> Option<DocKind> {
    DocKind::parse(name).filter(|k| *k != DocKind::Comparison)
}

/// Compares the returned document `returned` (the file `file`) with what kyotei issued.
pub fn compare(
    engine: &Engine,
    input: &Input,
    profile: &Profile,
    returned: &Returned,
    file: &str,
    opts: &Options,
) -> Result<Comparison> {
    let reg = &input.register;
    let own = identity(returned);
    let identified = own.agreement.is_some() && own.kind.is_some();
    let refuse = |s: String| Err(Error::Compare(s));
    // The agreement and kind: the file's, checked against the options.
    let agreement_id = match (&own.agreement, &opts.agreement) {
        (Some(mine), Some(given)) if AgreementKey::of(mine) != AgreementKey::of(given) => {
            return refuse(format!(
                "{file} は協定 {mine} の文書です（kyotei が文書に書き込んだ情報）。--agreement {given} の文書ではありません。ファイルと協定番号を確かめてください"
            ));
        }
        (Some(mine), _) => mine.clone(),
        (None, Some(given)) => given.clone(),
        (None, None) => {
            return refuse(format!(
                "{file} には kyotei が書き込んだ情報（協定番号・書類・版）がありません。どの書類と比べるかを --agreement 協定番号 --kind 協定書 のように指定してください"
            ));
        }
    };
    let kind = match (&own.kind, opts.kind) {
        (Some(mine), given) => {
            let Some(k) = kind_of(mine) else {
                return refuse(format!(
                    "{file} は「{mine}」で、比べられる書類（申出書・連携事業提案書・協定書・申し合わせ事項・実績報告書）ではありません"
                ));
            };
            if let Some(g) = given
                && g != k
            {
                return refuse(format!(
                    "{file} は協定 {agreement_id} の{}です。--kind {} の文書ではありません。ファイルと書類の種類を確かめてください",
                    k.file_stem(),
                    g.file_stem()
                ));
            }
            k
        }
        (None, Some(k)) if k != DocKind::Comparison => k,
        _ => {
            return refuse(format!(
                "{file} には kyotei が書き込んだ書類の種類がありません。--kind 協定書 のように指定してください（協定書・申し合わせ事項・申出書・連携事業提案書・実績報告書）"
            ));
        }
    };
    let Some(a) = reg.find(&AgreementKey::of(&agreement_id)) else {
        return refuse(format!(
            "{file} は協定 {agreement_id} の{}ですが、台帳 {} に協定番号「{agreement_id}」がありません。正しい台帳を指定してください",
            kind.file_stem(),
            input.path.display()
        ));
    };
    let store = Store::new(&opts.out, &[input.path.as_path()]);
    let dir = PathBuf::from(output::sanitize_component(&a.id.value));
    let t = &engine.templates;

    // The returned paragraphs that hold text, with their positions in the file.
    let mut returned_paras: Vec<(usize, String)> = returned
        .paragraphs
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.trim().is_empty())
        .map(|(i, p)| (i, p.clone()))
        .collect();
    let returned_text: Vec<String> = returned_paras.iter().map(|(_, p)| p.clone()).collect();

    let (issued, against, recorded) = if revision::is_tracked(kind) && !opts.current {
        issued_record(t, reg, a, profile, kind, &store, &dir, &own)?
    } else {
        let why = if opts.current {
            "--current の指定により"
        } else {
            "この書類には版の記録がないため"
        };
        let (doc, stem) = fresh(t, reg, a, profile, kind, &store, &dir, &returned_text)?;
        (
            doc,
            format!("{why}、いまの台帳から作る{stem}と比べました"),
            false,
        )
    };

    // The edition label is not the text: compared apart, and not at all with --current (the
    // label a render would print next is not the one the file was issued with).
    let label = issued.edition.clone();
    let old: Vec<Para> = clauses::paragraphs(&issued)
        .into_iter()
        .filter(|p| p.place != clauses::LABEL)
        .collect();
    let first_title = old.iter().find(|p| p.place == "表題").map(Para::text);
    let returned_label = returned_paras.first().and_then(|(_, p)| {
        let before_title = first_title
            .as_deref()
            .is_some_and(|t| p.as_str() != t && !p.starts_with(t));
        let looks = Some(p) == label.as_ref()
            || p.trim_end().ends_with("改訂")
            || (p.starts_with('第') && p.contains('版'));
        (before_title && looks).then(|| p.clone())
    });
    if returned_label.is_some() {
        returned_paras.remove(0);
    }
    let returned_text: Vec<String> = returned_paras.iter().map(|(_, p)| p.clone()).collect();
    let old_text: Vec<String> = old.iter().map(Para::text).collect();
    // A draft's title says （案）: the same title.
    let new_text: Vec<String> = returned_text
        .iter()
        .map(|p| match p.strip_suffix("（案）") {
            Some(s) if old.iter().any(|o| o.place == "表題" && o.text() == s) => s.to_string(),
            _ => p.clone(),
        })
        .collect();
    let a_refs: Vec<&str> = old_text.iter().map(String::as_str).collect();
    let b_refs: Vec<&str> = new_text.iter().map(String::as_str).collect();
    let pairs = revision::align_texts(&a_refs, &b_refs);

    let mut differences: Vec<Difference> = Vec::new();
    if !opts.current && returned_label != label {
        differences.push(Difference {
            kind: Kind::Model,
            place: clauses::LABEL.to_string(),
            cell: None,
            old: label.clone().unwrap_or_default(),
            new: returned_label.clone().unwrap_or_default(),
            wording: None,
        });
    }
    let mut place_of_new: Vec<String> = vec![String::new(); new_text.len()];
    let mut last_place = "冒頭".to_string();
    for (i, j) in pairs {
        match (i, j) {
            (Some(i), Some(j)) => {
                place_of_new[j] = old[i].place.clone();
                last_place = old[i].place.clone();
                if old_text[i] != new_text[j] {
                    classify(&old[i], &new_text[j], &mut differences);
                }
            }
            (Some(i), None) => {
                last_place = old[i].place.clone();
                removed(&old[i], &mut differences);
            }
            (None, Some(j)) => {
                let place = format!("{last_place}の後");
                place_of_new[j] = place.clone();
                differences.push(Difference {
                    kind: Kind::Model,
                    place,
                    cell: None,
                    old: String::new(),
                    new: new_text[j].clone(),
                    wording: None,
                });
            }
            (None, None) => {}
        }
    }
    let differences = merge_register(differences);

    // A tracked change or comment in a paragraph of the file: the place of that paragraph
    // (or the nearest before it that holds text).
    let place_at = |raw: usize| -> String {
        returned_paras
            .iter()
            .rposition(|(i, _)| *i <= raw)
            .map(|k| place_of_new[k].clone())
            .unwrap_or_else(|| "冒頭".to_string())
    };
    let changes = returned
        .changes
        .iter()
        .map(|c| Tracked {
            kind: c.kind.label(),
            moved: c.moved,
            author: c.author.clone(),
            date: c.date.clone(),
            text: c.text.clone(),
            place: place_at(c.paragraph),
        })
        .collect();
    let comments = returned
        .comments
        .iter()
        .map(|c| Remark {
            author: c.author.clone(),
            date: c.date.clone(),
            text: c.text.clone(),
            anchor: c.anchor.clone(),
            place: place_at(c.paragraph),
        })
        .collect();

    let mut out = Comparison {
        file: file.to_string(),
        agreement: a.id.value.clone(),
        document: kind.file_stem().to_string(),
        edition: own.edition,
        draft: own.draft,
        identified,
        against,
        recorded,
        differences,
        changes,
        comments,
        files: Vec::new(),
        warnings: Vec::new(),
    };
    if opts.write && !out.same() {
        let old_doc = paragraphs_doc(kind, &old_text);
        let new_doc = paragraphs_doc(kind, &new_text);
        let doc = revision::returned_comparison_document(t, reg, a, kind, &old_doc, &new_doc)?;
        let name = output::sanitize_component(&format!(
            "{}_{}_返送",
            DocKind::Comparison.file_stem(),
            kind.file_stem()
        ));
        let created = revision::revised_on(kind, a)
            .or(a.signed_on.as_ref().map(|d| d.value))
            .unwrap_or(profile.effective);
        let (plans, warnings) =
            engine.plan(&opts.formats, &a.id.value, &dir, &name, &doc, created)?;
        out.warnings = warnings;
        let mut stage = store.stage()?;
        let mut made = Vec::new();
        for plan in plans {
            stage.add(&plan, None)?;
            made.push(ManifestFile {
                diff: true,
                draft: false,
                key: String::new(),
                path: plan.rel.to_string_lossy().replace('\\', "/"),
                sha256: output::sha256_hex(&plan.bytes),
            });
        }
        let manifest = Manifest::update(
            Manifest::load(&store),
            &input.bytes,
            &profile.name,
            made,
            |_| false,
        );
        out.files = stage.commit(Some(&manifest))?;
    }
    Ok(out)
}

/// The issued IR of a tracked document: the record of the file's edition, or — a draft of
/// an edition not yet made final, a document never made final — what the register makes now.
#[allow(clippy::too_many_arguments)]
fn issued_record(
    t: &crate::document::markup::Templates,
    reg: &Register,
    a: &Agreement,
    profile: &Profile,
    kind: DocKind,
    store: &Store,
    dir: &Path,
    own: &Identity,
) -> Result<(Document, String, bool)> {
    let stem = kind.file_stem();
    let rel = revision::state_rel(dir, stem);
    let read = |rel: &Path| -> Result<Option<revision::State>> {
        store
            .read(rel)?
            .map(|b| revision::parse_state(&store.root().join(rel), &b))
            .transpose()
    };
    let latest = read(&rel)?;
    let with_label = |s: revision::State| {
        let mut doc = s.ir;
        doc.edition = s.label;
        doc
    };
    let shown = |rel: &Path| store.root().join(rel).display().to_string();
    match (own.edition, latest) {
        (Some(n), Some(s)) if s.edition == n => Ok((
            with_label(s),
            format!("第{n}版の記録（{}）と比べました", shown(&rel)),
            true,
        )),
        (Some(n), latest) => {
            let hist = dir.join(revision::STATE_DIR).join("履歴").join(format!(
                "{}.json",
                output::sanitize_component(&format!("{stem}_第{n}版"))
            ));
            if let Some(s) = read(&hist)? {
                return Ok((
                    with_label(s),
                    format!("第{n}版の記録（{}）と比べました", shown(&hist)),
                    true,
                ));
            }
            let next = latest.as_ref().map_or(1, |s| s.edition + 1);
            if own.draft && n == next {
                let (doc, _) = fresh(t, reg, a, profile, kind, store, dir, &[])?;
                return Ok((
                    doc,
                    format!(
                        "第{n}版の案で、確定版の記録はまだないため、いまの台帳から作る{stem}と比べました"
                    ),
                    false,
                ));
            }
            Err(Error::Compare(format!(
                "協定 {} の{stem} 第{n}版の記録が {} にありません（記録があるのは{}）。その版を作った出力フォルダを -o で指定するか、--current でいまの台帳と比べてください",
                a.id.value,
                store.root().join(dir).join(revision::STATE_DIR).display(),
                latest.map_or("どの版もありません".to_string(), |s| format!(
                    "第{}版まで",
                    s.edition
                ))
            )))
        }
        (None, Some(s)) => {
            let n = s.edition;
            Ok((
                with_label(s),
                format!(
                    "文書に版の情報がないため、最新の第{n}版の記録（{}）と比べました",
                    shown(&rel)
                ),
                true,
            ))
        }
        (None, None) => {
            let (doc, _) = fresh(t, reg, a, profile, kind, store, dir, &[])?;
            Ok((
                doc,
                format!("版の記録がないため、いまの台帳から作る{stem}と比べました"),
                false,
            ))
        }
    }
}

/// What the register makes now (a final, with the edition label a render would print); for
/// a 実績報告書, the report of the agreement that reads most like `returned`.
#[allow(clippy::too_many_arguments)]
fn fresh(
    t: &crate::document::markup::Templates,
    reg: &Register,
    a: &Agreement,
    profile: &Profile,
    kind: DocKind,
    store: &Store,
    dir: &Path,
    returned: &[String],
) -> Result<(Document, String)> {
    let opts = DocOptions { draft: false };
    Ok(match kind {
        DocKind::Agreement | DocKind::Memorandum => {
            let stem = kind.file_stem();
            let mut doc = match kind {
                DocKind::Agreement => build::agreement(t, reg, a, profile, &opts)?,
                _ => build::memorandum(t, reg, a, profile, &opts)?,
            };
            let rel = revision::state_rel(dir, stem);
            let recorded = store
                .read(&rel)?
                .map(|b| revision::parse_state(&store.root().join(&rel), &b))
                .transpose()?;
            let edition =
                Edition::track(recorded, stem, &doc, revision::revised_on(kind, a), false)?;
            edition.apply(&mut doc);
            (doc, stem.to_string())
        }
        DocKind::Application => (
            build::application(t, reg, a, profile, &opts)?,
            kind.file_stem().to_string(),
        ),
        DocKind::Proposal => (
            build::proposal(t, reg, a, profile, &opts)?,
            kind.file_stem().to_string(),
        ),
        DocKind::Report => {
            let mut best: Option<(usize, Document, String)> = None;
            for r in reg.rows::<ReportRow>(a) {
                let doc = build::report(t, reg, a, r, profile, &opts)?;
                let text: Vec<String> = clauses::paragraphs(&doc).iter().map(Para::text).collect();
                let cost: usize = revision::edits(&text.join("\n"), &returned.join("\n"))
                    .iter()
                    .map(|e| e.old.len() + e.new.len())
                    .sum();
                let stem = format!("{}_{}", kind.file_stem(), r.number.value);
                if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                    best = Some((cost, doc, stem));
                }
            }
            let Some((_, doc, stem)) = best else {
                return Err(Error::Compare(format!(
                    "協定 {} には実績の行がありません。実績シートに報告を入れてから比べてください",
                    a.id.value
                )));
            };
            (doc, stem)
        }
        DocKind::Comparison => {
            return Err(Error::Compare("新旧対照表は比べられません".into()));
        }
    })
}

/// A document of one plain paragraph per text, for the 新旧対照表 of a returned file (both
/// sides laid out alike, so a table cell is a line on either side).
fn paragraphs_doc(kind: DocKind, texts: &[String]) -> Document {
    Document {
        kind,
        title: String::new(),
        author: String::new(),
        orientation: Default::default(),
        draft: false,
        edition: None,
        issued: None,
        blocks: texts
            .iter()
            .map(|t| Block::Paragraph {
                align: Align::Left,
                indent: 0,
                hanging: 0,
                first_line: 0,
                text: vec![Span::plain(t.clone())],
            })
            .collect(),
    }
}

/// The position in the new text of the start of the old text's position `p`: an insertion
/// right at `p` belongs to what starts there.
fn map_start(p: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        if e.old.end < p || (e.old.end == p && !e.old.is_empty()) {
            delta += e.new.len() as isize - e.old.len() as isize;
        } else if e.old.start < p {
            return e.new.start;
        } else {
            break;
        }
    }
    (p as isize + delta) as usize
}

/// The position in the new text of the end of the old text's position `p`: an insertion
/// right at `p` belongs to what ends there.
fn map_end(p: usize, edits: &[Edit]) -> usize {
    let mut delta: isize = 0;
    for e in edits {
        if e.old.end <= p {
            delta += e.new.len() as isize - e.old.len() as isize;
        } else if e.old.start < p {
            return e.new.end;
        } else {
            break;
        }
    }
    (p as isize + delta) as usize
}

fn chars(s: &str, r: std::ops::Range<usize>) -> String {
    s.chars()
        .skip(r.start)
        .take(r.end.saturating_sub(r.start))
        .collect()
}

/// The differences of one issued paragraph rewritten as `new`.
fn classify(para: &Para, new: &str, out: &mut Vec<Difference>) {
    let old = para.text();
    let edits = revision::edits(&old, new);
    let mut ranges = Vec::new();
    let mut pos = 0;
    for s in &para.spans {
        let n = s.text.chars().count();
        ranges.push((pos..pos + n, s));
        pos += n;
    }
    let mut touched: Vec<usize> = Vec::new();
    let mut model = false;
    for e in &edits {
        let mut inside = false;
        for (k, (r, s)) in ranges.iter().enumerate() {
            if !s.var {
                continue;
            }
            let overlaps = if e.old.is_empty() {
                r.start <= e.old.start && e.old.start <= r.end
            } else {
                e.old.start < r.end && r.start < e.old.end
            };
            if overlaps {
                if !touched.contains(&k) {
                    touched.push(k);
                }
                if r.start <= e.old.start && e.old.end <= r.end {
                    inside = true;
                }
            }
        }
        if !inside {
            model = true;
        }
    }
    for k in touched {
        let (r, s) = &ranges[k];
        let value = chars(new, map_start(r.start, &edits)..map_end(r.end, &edits));
        if value != s.text {
            out.push(Difference {
                kind: Kind::Register,
                place: para.place.clone(),
                cell: s.cell.clone(),
                old: s.text.clone(),
                new: value,
                wording: None,
            });
        }
    }
    if model {
        out.push(model_difference(para, &old, new));
    }
}

fn model_difference(para: &Para, old: &str, new: &str) -> Difference {
    let keeps_number = new
        .chars()
        .take(para.prefix)
        .eq(old.chars().take(para.prefix));
    Difference {
        kind: Kind::Model,
        place: para.place.clone(),
        cell: None,
        old: old.to_string(),
        new: new.to_string(),
        wording: (clauses::takes_wording(&para.place) && keeps_number && !new.is_empty())
            .then(|| clauses::wording_of(new, para.prefix)),
    }
}

/// An issued paragraph missing from the returned file: its register values emptied when it
/// held nothing else (a 第2条 item, a table cell), else the model text removed.
fn removed(para: &Para, out: &mut Vec<Difference>) {
    let fixed: String = para
        .spans
        .iter()
        .filter(|s| !s.var)
        .map(|s| s.text.as_str())
        .collect();
    let only_values = fixed.chars().count() <= para.prefix;
    if only_values {
        for s in para.spans.iter().filter(|s| s.var) {
            out.push(Difference {
                kind: Kind::Register,
                place: para.place.clone(),
                cell: s.cell.clone(),
                old: s.text.clone(),
                new: String::new(),
                wording: None,
            });
        }
    } else {
        let mut d = model_difference(para, &para.text(), "");
        d.wording = None;
        out.push(d);
    }
}

/// One register difference per cell and change, its places joined (a company name changed
/// alike in the title, the preamble and the signature block is one value to type).
fn merge_register(diffs: Vec<Difference>) -> Vec<Difference> {
    let mut out: Vec<Difference> = Vec::new();
    for d in diffs {
        if d.kind == Kind::Register
            && let Some(prev) = out.iter_mut().find(|p| {
                p.kind == Kind::Register && p.cell == d.cell && p.old == d.old && p.new == d.new
            })
        {
            if !prev.place.split('、').any(|p| p == d.place) {
                prev.place.push('、');
                prev.place.push_str(&d.place);
            }
            continue;
        }
        out.push(d);
    }
    out
}
