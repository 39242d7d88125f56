//! The commands as the CLI calls them: one function per command, each returning a report.
//! A report's `Display` is what the command prints on standard output; [`Report::notes`] is
//! what it prints on standard error (findings of a render, warnings, notes); [`Report::failed`]
//! decides exit status 1. Errors (exit status 2) are the library's [`Error`].
//!
//! `main.rs` is then arguments, printing and exit statuses, as in ripgrep.

use super::render::Summary;
use super::verdict::Verdict;
use super::{Engine, EngineOptions, Format, Input};
use crate::date::Date;
use crate::error::{Error, Result};
use crate::finding::{self, Finding};
use crate::guideline::profile::Profile;
use crate::output::Outcome;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a command did, for the CLI to print.
pub trait Report: fmt::Display {
    /// What goes to standard error (each line ends with a line break).
    fn notes(&self) -> String {
        String::new()
    }
    /// Exit status 1: errors were found (or documents refused for them).
    fn failed(&self) -> bool {
        false
    }
}

/// Who writes an output folder (`render`, `diff`, the page's job), for the folder's lock: one
/// writer at a time ([`crate::output::lock`]).
pub struct Writer<'a> {
    /// `kyotei render`.
    pub command: &'a str,
    /// The time now, as the holder's record says it (the caller's clock).
    pub now: &'a dyn Fn() -> String,
    /// How long to wait for another writer before giving up (exit 2).
    pub wait: std::time::Duration,
    /// Told once when another writer holds the folder (`out`).
    pub on_wait: &'a dyn Fn(&Path, &crate::output::lock::Holder),
}

impl Writer<'_> {
    /// Takes the lock of `out` for the whole of a run.
    pub fn lock(&self, out: &Path) -> Result<crate::output::lock::OutputLock> {
        crate::output::lock::OutputLock::acquire(
            out,
            self.command,
            &(self.now)(),
            self.wait,
            &|h| (self.on_wait)(out, h),
        )
    }
}

/// How `check` and `schedule` print: for people or for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    #[default]
    Text,
    Json,
}

/// What happened to a file, as the end of a sentence: `作成しました`, `置き換えました`…
pub fn verb(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Created => "作成しました",
        Outcome::Replaced { .. } => "更新しました",
        Outcome::Overwritten => "置き換えました",
        Outcome::Unchanged => "確認しました（内容は同じで、変更はありません）",
    }
}

/// The register, read. Its errors name the file once: an unreadable file's error already
/// says which file it is (「台帳を読み込めません: PATH: …」); a structural one is given the path.
pub fn read(path: &Path, profile: &Profile) -> Result<Input> {
    super::read(path, profile).map_err(|e| match e {
        Error::Structure(_) => e.during(path.display().to_string()),
        e => e,
    })
}

/// One file a command wrote (`init`, `report`, `export`).
pub struct Written {
    pub path: PathBuf,
    pub outcome: Outcome,
    /// A sentence after the first (`記入例を参考に…`).
    pub then: &'static str,
    /// The note on the register's input errors, if any.
    pub note: Option<String>,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} を{}{}",
            self.path.display(),
            verb(&self.outcome),
            self.then
        )
    }
}

impl Report for Written {
    fn notes(&self) -> String {
        self.note.clone().unwrap_or_default()
    }
}

/// `kyotei init`.
pub fn init(path: &Path, profile: &Profile, force: bool) -> Result<Written> {
    Ok(Written {
        outcome: super::files::init(path, profile, force)?,
        path: path.to_path_buf(),
        then: "。記入例（協定番号 例-001）を参考に入力してください。",
        note: None,
    })
}

/// A register for a report: cell-level input problems are a note (the report shows what
/// could be read); structural problems end the command (exit 2).
fn read_for_report(path: &Path, profile: &Profile) -> Result<(Input, Option<String>)> {
    let input = read(path, profile)?;
    let errors = input.findings.iter().filter(|f| f.is_error()).count();
    let note = (errors > 0).then(|| {
        format!(
            "注意: 台帳に入力エラーが {errors} 件あり、そのセルは空欄として扱いました（kyotei check {} で確認できます）\n",
            path.display()
        )
    });
    Ok((input, note))
}

/// `kyotei report`: the annual workbook of fiscal year `fy` at `out` (or its default name).
pub fn annual(
    register: &Path,
    profile: &Profile,
    fy: i32,
    out: Option<PathBuf>,
    force: bool,
) -> Result<Written> {
    let (input, note) = read_for_report(register, profile)?;
    let path = out.unwrap_or_else(|| PathBuf::from(crate::report::annual::default_file_name(fy)));
    Ok(Written {
        outcome: super::files::annual_report(&input, profile, fy, &path, force)?,
        path,
        then: "",
        note,
    })
}

/// `kyotei export --open-data`.
pub fn export(
    register: &Path,
    profile: &Profile,
    as_of: Date,
    path: &Path,
    force: bool,
) -> Result<Written> {
    let (input, note) = read_for_report(register, profile)?;
    Ok(Written {
        outcome: super::files::open_data(&input, profile, as_of, path, force)?,
        path: path.to_path_buf(),
        then: "",
        note,
    })
}

/// What `kyotei check` found.
pub struct Checked {
    pub findings: Vec<Finding>,
    pub style: Style,
}

impl fmt::Display for Checked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.style {
            Style::Text => f.write_str(&finding::to_text(&self.findings)),
            Style::Json => writeln!(f, "{}", finding::to_json(&self.findings)),
        }
    }
}

impl Report for Checked {
    fn failed(&self) -> bool {
        finding::has_errors(&self.findings)
    }
}

/// `kyotei check`: the verdict of one reading, for the agreements `only` names (all when
/// empty). `font_dirs` are the extra fonts `render` would use.
pub fn check(
    register: &Path,
    profile: &Profile,
    as_of: Date,
    only: &[String],
    font_dirs: &[PathBuf],
    templates: Option<&Path>,
    style: Style,
) -> Result<Checked> {
    let input = read(register, profile)?;
    let fonts = crate::writer::pdf::Coverage::new(font_dirs)?;
    // The templates `render` would use (built in, or `--templates`): the places `条文` may
    // name are those of the documents they make.
    let templates =
        crate::document::markup::Templates::new(&crate::document::assets::Assets::new(templates))?;
    let verdict = Verdict::new(&input, profile, as_of, &|c| fonts.covers(c), &templates);
    Ok(Checked {
        findings: super::check::check(&input.register, &verdict, only)?,
        style,
    })
}

/// What `kyotei render` did.
pub struct Rendered {
    pub summary: Summary,
    pub out: PathBuf,
    /// Print no list of files (`--quiet`).
    pub quiet: bool,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quiet {
            return Ok(());
        }
        write_files(f, &self.out, &self.summary.files)?;
        writeln!(f, "{}", self.summary.counts_line())
    }
}

impl Report for Rendered {
    fn notes(&self) -> String {
        let s = &self.summary;
        let errors: Vec<Finding> = s
            .findings
            .iter()
            .filter(|f| f.is_error())
            .cloned()
            .collect();
        let mut out = String::new();
        if !errors.is_empty() {
            out.push_str(&finding::to_text(&errors));
        }
        for w in &s.warnings {
            out.push_str(&format!("警告: {w}\n"));
        }
        for id in &s.skipped {
            out.push_str(&format!(
                "協定 {id}: エラーがあるため作成しませんでした（--draft で案として作成できます）\n"
            ));
        }
        out
    }

    fn failed(&self) -> bool {
        !self.summary.ok()
    }
}

/// One line per file made or updated.
fn write_files(f: &mut fmt::Formatter<'_>, out: &Path, files: &[(String, Outcome)]) -> fmt::Result {
    for (path, outcome) in files {
        match outcome {
            Outcome::Created => writeln!(f, "作成  {}", out.join(path).display())?,
            Outcome::Replaced { history } => writeln!(
                f,
                "更新  {}（旧版は {}）",
                out.join(path).display(),
                out.join(history).display()
            )?,
            Outcome::Overwritten => writeln!(f, "置き換え  {}", out.join(path).display())?,
            Outcome::Unchanged => {}
        }
    }
    Ok(())
}

/// `kyotei render`: what to render, with what, and who writes the folder.
pub struct Renderer<'a> {
    pub engine: &'a Engine,
    pub profile: &'a Profile,
    pub opts: super::render::Options,
    /// Print no list of files (`--quiet`).
    pub quiet: bool,
    pub writer: Writer<'a>,
}

impl Renderer<'_> {
    /// One render of a register as read: the verdict of this reading, then the documents,
    /// holding the output folder's lock.
    pub fn render(&self, input: &Input) -> Result<Rendered> {
        let (engine, profile, opts) = (self.engine, self.profile, &self.opts);
        let during = |e: Error| {
            e.during(format!(
                "{} から書類を作成できませんでした",
                input.path.display()
            ))
        };
        let verdict = Verdict::new(
            input,
            profile,
            opts.as_of,
            &|c| engine.pdf.covers(c),
            &engine.templates,
        );
        // An unknown --agreement is told before the folder is touched.
        super::select_positions(&input.register, &opts.agreements)?;
        let _lock = self.writer.lock(&opts.out).map_err(during)?;
        let summary = super::render::run(input, &verdict, engine, profile, opts).map_err(during)?;
        Ok(Rendered {
            summary,
            out: opts.out.clone(),
            quiet: self.quiet,
        })
    }

    /// `render --watch` after the first render: each save that changes the register renders
    /// again what changed (`--force` applies to the first render only, and the progress bar
    /// too). `say` is told each step.
    pub fn watch(
        mut self,
        watcher: super::watch::Watcher,
        first: &Input,
        say: &mut dyn FnMut(Watching),
    ) {
        self.opts.force = false;
        self.opts.progress = None;
        say(Watching::Waiting(first.path.clone()));
        super::watch::follow(
            watcher,
            &first.path,
            self.profile,
            Some(&first.bytes),
            None,
            |change| {
                if let super::watch::Change::Read(read) = change {
                    match *read {
                        Ok(input) => {
                            say(Watching::Saved);
                            say(Watching::Rendered(self.render(&input)));
                        }
                        Err(e) => say(Watching::Unreadable(e)),
                    }
                    say(Watching::Waiting(first.path.clone()));
                }
            },
        );
    }
}

/// What `render --watch` says as it follows the register.
pub enum Watching {
    /// Waiting for the next save.
    Waiting(PathBuf),
    /// A save changed the register: it is rendered again now.
    Saved,
    /// The render after a save, done.
    Rendered(Result<Rendered>),
    /// A save left the register unreadable; the documents stay as they were.
    Unreadable(Error),
}

impl fmt::Display for Watching {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Watching::Waiting(p) => {
                writeln!(f, "{} の保存を待っています（Ctrl-C で終了）", p.display())
            }
            Watching::Saved => writeln!(f, "台帳が保存されました。変わった書類を作り直します"),
            // The render's own report says what it did.
            Watching::Rendered(_) => Ok(()),
            Watching::Unreadable(e) => writeln!(
                f,
                "エラー: {e}\n前回作成した書類はそのままです。台帳を直して保存すると、もう一度作成します"
            ),
        }
    }
}

/// What `kyotei diff` did.
pub struct Diffed {
    pub summary: super::diff::Summary,
    pub out: PathBuf,
}

impl fmt::Display for Diffed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_files(f, &self.out, &self.summary.files)?;
        let (created, replaced, unchanged) =
            crate::output::tally(self.summary.files.iter().map(|(_, o)| o));
        writeln!(
            f,
            "作成 {created} 件、更新 {replaced} 件、変更なし {unchanged} 件"
        )?;
        for s in &self.summary.same {
            writeln!(f, "変更なし  {s}（新旧対照表は作成しません）")?;
        }
        Ok(())
    }
}

impl Report for Diffed {
    fn notes(&self) -> String {
        let mut out = String::new();
        for m in &self.summary.missing {
            out.push_str(&format!("{m}\n"));
        }
        for w in &self.summary.warnings {
            out.push_str(&format!("警告: {w}\n"));
        }
        out
    }
}

/// `kyotei diff OLD NEW`.
pub fn diff(
    old: &Path,
    new: &Path,
    profile: &Profile,
    engine: &EngineOptions,
    opts: &super::diff::Options,
    writer: &Writer<'_>,
) -> Result<Diffed> {
    let (old, new) = (read(old, profile)?, read(new, profile)?);
    let engine = Engine::new(engine)?;
    let _lock = writer
        .lock(&opts.out)
        .map_err(|e| e.during("新旧対照表を作成できませんでした"))?;
    let summary = super::diff::diff(&engine, &old, &new, profile, opts)
        .map_err(|e| e.during("新旧対照表を作成できませんでした"))?;
    Ok(Diffed {
        summary,
        out: opts.out.clone(),
    })
}

/// What `kyotei schedule` found (and wrote, with `--ics`).
pub struct Scheduled {
    pub entries: Vec<crate::report::schedule::Entry>,
    pub style: Style,
    pub note: Option<String>,
    pub ics: Option<(PathBuf, Outcome)>,
}

impl fmt::Display for Scheduled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.style {
            Style::Text => f.write_str(&crate::report::schedule::to_text(&self.entries)),
            Style::Json => writeln!(f, "{}", crate::report::schedule::to_json(&self.entries)),
        }
    }
}

impl Report for Scheduled {
    fn notes(&self) -> String {
        let mut out = self.note.clone().unwrap_or_default();
        if let Some((path, outcome)) = &self.ics {
            out.push_str(&format!(
                "{} に期限を書き出しました（{}）\n",
                path.display(),
                verb(outcome)
            ));
        }
        out
    }
}

/// `kyotei schedule`: the deadlines as of `as_of` (within `within` months), and the ICS.
pub fn schedule(
    register: &Path,
    profile: &Profile,
    as_of: Date,
    within: Option<u32>,
    style: Style,
    ics: Option<(&Path, bool)>,
) -> Result<Scheduled> {
    let (input, note) = read_for_report(register, profile)?;
    let mut entries = crate::report::schedule::schedule(&input.register, profile, as_of);
    if let Some(months) = within {
        entries = crate::report::schedule::within(&entries, as_of, months as i32);
    }
    let ics = match ics {
        Some((path, force)) => Some((
            path.to_path_buf(),
            super::files::ics(&input, &entries, as_of, path, force)?,
        )),
        None => None,
    };
    Ok(Scheduled {
        entries,
        style,
        note,
        ics,
    })
}

/// The formats of `--format`: `docx`, `pdf`.
pub fn parse_format(s: &str) -> std::result::Result<Format, String> {
    match crate::text::key(s).to_ascii_lowercase().as_str() {
        "docx" => Ok(Format::Docx),
        "pdf" => Ok(Format::Pdf),
        _ => Err(format!("出力形式が不明です: {s}（docx, pdf）")),
    }
}

/// What `kyotei compare` found.
pub struct Compared {
    pub comparison: super::compare::Comparison,
    pub style: Style,
    pub out: PathBuf,
}

impl fmt::Display for Compared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.comparison;
        if self.style == Style::Json {
            let json = serde_json::to_string_pretty(c).map_err(|_| fmt::Error)?;
            return writeln!(f, "{json}");
        }
        f.write_str(&compare_text(c))?;
        if !c.files.is_empty() {
            writeln!(f)?;
            write_files(f, &self.out, &c.files)?;
        }
        Ok(())
    }
}

/// The report of `kyotei compare` for people (the page shows the same).
pub fn compare_text(c: &super::compare::Comparison) -> String {
    use super::compare::Kind;
    use std::fmt::Write as _;
    let mut s = String::new();
    let edition = c.edition.map(|n| format!("第{n}版")).unwrap_or_default();
    let state = if c.draft { "案" } else { "確定" };
    let _ = writeln!(
        s,
        "{}: 協定 {} の{}（{edition}{}{state}）",
        c.file,
        c.agreement,
        c.document,
        if edition.is_empty() { "" } else { "・" }
    );
    if !c.identified {
        let _ = writeln!(
            s,
            "（文書に kyotei の情報がないため、指定された協定番号と書類として読みました）"
        );
    }
    let _ = writeln!(s, "{}", c.against);
    let regs: Vec<_> = c
        .differences
        .iter()
        .filter(|d| d.kind == Kind::Register)
        .collect();
    let models: Vec<_> = c
        .differences
        .iter()
        .filter(|d| d.kind == Kind::Model)
        .collect();
    let quote = |t: &str| {
        if t.is_empty() {
            "（なし）".to_string()
        } else {
            format!("「{}」", t.replace('\n', "↵"))
        }
    };
    // The changed parts of a rewritten paragraph in 【】.
    let marked = |side: &crate::document::ir::Inline| -> String {
        let mut out = String::new();
        for sp in side {
            if sp.underline {
                out.push('【');
                out.push_str(&sp.text);
                out.push('】');
            } else {
                out.push_str(&sp.text);
            }
        }
        format!("「{}」", out.replace('\n', "↵"))
    };
    if c.same() {
        let _ = writeln!(
            s,
            "\n本文は同じです（変更履歴はすべて承認した状態で比べました）。"
        );
    }
    if !regs.is_empty() {
        let _ = writeln!(
            s,
            "\n■ 台帳の値の変更 {} 件（合意したら台帳のセルに入力してください）",
            regs.len()
        );
        for d in &regs {
            let cell = d.cell.as_deref().unwrap_or("台帳のセル不明");
            let _ = writeln!(s, "  {cell}（{}）", d.place);
            let _ = writeln!(s, "    旧: {}", quote(&d.old));
            let _ = writeln!(s, "    新: {}", quote(&d.new));
        }
    }
    if !models.is_empty() {
        let _ = writeln!(
            s,
            "\n■ 雛形の文言の変更 {} 件（ガイドラインの雛形と違います。戦略推進課で判断してください）",
            models.len()
        );
        for d in &models {
            let _ = writeln!(s, "  {}", d.place);
            if d.old.is_empty() || d.new.is_empty() {
                let _ = writeln!(s, "    旧: {}", quote(&d.old));
                let _ = writeln!(s, "    新: {}", quote(&d.new));
            } else {
                let (new_side, old_side) = crate::revision::char_diff(&d.old, &d.new);
                let _ = writeln!(s, "    旧: {}", marked(&old_side));
                let _ = writeln!(s, "    新: {}", marked(&new_side));
            }
            if let Some(w) = &d.wording {
                let _ = writeln!(
                    s,
                    "    合意するときは「条文」シートに: 協定番号 {}／書類 {}／条・項 {}／文言 {}",
                    c.agreement,
                    c.document,
                    d.place,
                    quote(w)
                );
            }
        }
    }
    if !c.changes.is_empty() {
        let _ = writeln!(
            s,
            "\n■ 承認されていない変更履歴 {} 件（すべて承認した状態で比べました）",
            c.changes.len()
        );
        for t in &c.changes {
            let who = if t.author.is_empty() {
                "作成者不明"
            } else {
                &t.author
            };
            let when = date_label(t.date.as_deref());
            let moved = if t.moved { "（移動）" } else { "" };
            let _ = writeln!(
                s,
                "  {}{moved}  {}  {who}  {when}  {}",
                t.kind,
                t.place,
                quote(&t.text)
            );
        }
    }
    if !c.comments.is_empty() {
        let _ = writeln!(s, "\n■ コメント {} 件", c.comments.len());
        for r in &c.comments {
            let who = if r.author.is_empty() {
                "作成者不明"
            } else {
                &r.author
            };
            let when = date_label(r.date.as_deref());
            let anchor = if r.anchor.is_empty() {
                String::new()
            } else {
                format!("  対象 {}", quote(&r.anchor))
            };
            let _ = writeln!(s, "  {}  {who}  {when}{anchor}", r.place);
            let _ = writeln!(s, "    {}", quote(&r.text));
        }
    }
    s
}

/// A tracked change's or comment's date as the file has it (`2026-12-01T10:00:00Z`), in
/// 和暦 with the time as written: `令和8年12月1日 10:00`.
pub fn date_label(date: Option<&str>) -> String {
    let Some(d) = date.map(str::trim).filter(|d| !d.is_empty()) else {
        return "日時なし".to_string();
    };
    let (day, time) = d.split_once('T').unwrap_or((d, ""));
    match Date::parse(day) {
        Ok(day) => {
            let hm: String = time.chars().take(5).collect();
            if hm.len() == 5 {
                format!("{} {hm}", day.wareki())
            } else {
                day.wareki()
            }
        }
        Err(_) => d.to_string(),
    }
}

impl Report for Compared {
    fn notes(&self) -> String {
        self.comparison
            .warnings
            .iter()
            .map(|w| format!("警告: {w}\n"))
            .collect()
    }
    /// Exit status 1: the text differs.
    fn failed(&self) -> bool {
        !self.comparison.same()
    }
}

/// `kyotei compare RETURNED.docx REGISTER.xlsx`.
pub fn compare(
    returned: &Path,
    register: &Path,
    profile: &Profile,
    engine: &EngineOptions,
    opts: &super::compare::Options,
    style: Style,
    writer: &Writer<'_>,
) -> Result<Compared> {
    let doc = crate::input::docx::read(returned)?;
    let input = read(register, profile)?;
    let engine = Engine::new(engine)?;
    let file = returned
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| returned.display().to_string());
    let _lock = match opts.write {
        true => Some(
            writer
                .lock(&opts.out)
                .map_err(|e| e.during("新旧対照表を作成できませんでした"))?,
        ),
        false => None,
    };
    let comparison = super::compare::compare(&engine, &input, profile, &doc, &file, opts)?;
    Ok(Compared {
        comparison,
        style,
        out: opts.out.clone(),
    })
}

// ---------------------------------------------------------------------------------------
// `kyotei forms` and `kyotei collect` (issue #23).

/// What `kyotei forms` wrote.
pub struct Issued {
    pub summary: super::forms::Summary,
    pub out: PathBuf,
}

impl fmt::Display for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_files(f, &self.out, &self.summary.files)?;
        for (kind, dept, n) in &self.summary.issued {
            let what = match kind {
                crate::forms::FormKind::Survey => "提案",
                crate::forms::FormKind::Results => "協定",
            };
            writeln!(f, "{}  {dept}（{what} {n} 件）", kind.label())?;
        }
        if self.summary.issued.is_empty() {
            writeln!(
                f,
                "様式を作る対象がありません（締結前の協定の提案も、有効な協定の担当課もありません）"
            )?;
        }
        Ok(())
    }
}

impl Report for Issued {}

/// `kyotei forms`: the departments' forms of the register, into the output folder.
pub fn forms(
    register: &Path,
    profile: &Profile,
    opts: &super::forms::Options,
    writer: &Writer<'_>,
) -> Result<Issued> {
    let input = read(register, profile)?;
    super::select_positions(&input.register, &opts.agreements)?;
    let _lock = writer
        .lock(&opts.out)
        .map_err(|e| e.during("様式を作成できませんでした"))?;
    let summary = super::forms::forms(&input, profile, opts)
        .map_err(|e| e.during("様式を作成できませんでした"))?;
    Ok(Issued {
        summary,
        out: opts.out.clone(),
    })
}

/// `kyotei collect`: the replies applied to a copy of the register.
pub fn collect(
    register: &Path,
    replies: &[PathBuf],
    profile: &Profile,
    opts: &super::collect::Options,
) -> Result<super::collect::Collected> {
    let files = replies
        .iter()
        .map(|p| super::collect::ReplyFile::read(p))
        .collect::<Result<Vec<_>>>()?;
    super::collect::collect(register, &files, profile, opts)
}
