//! The `kyotei` command line: argument handling and glue. The only place that reads the clock.
//!
//! Exit statuses: 0 no errors (warnings allowed), 1 guideline or input errors found, 2 the
//! workbook (or another input) could not be read or used, 130 interrupted by Ctrl-C.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use kyotei::date::Date;
use kyotei::document::ir::DocKind;
use kyotei::error::Error;
use kyotei::finding::{self, Finding};
use kyotei::guideline::profile::Profile;
use kyotei::output::Outcome;
use kyotei::run::{self, Input};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: typst and the PDF writer allocate and free
/// millions of small objects per batch, and glibc's malloc took about 13 % of a render's CPU
/// time (bench/README.md has the measurement).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "kyotei",
    version,
    about = "包括連携協定の台帳から、確認と協定書類の作成を行います"
)]
struct Cli {
    /// 別の自治体のガイドライン設定（JSON）を使う
    #[arg(long, global = true, value_name = "FILE")]
    guideline: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

/// How `check` and `schedule` print: for people or for programs.
#[derive(Clone, Copy, ValueEnum)]
enum Style {
    Text,
    Json,
}

/// The options of every command that lays out documents (`render`, `diff`).
#[derive(clap::Args)]
struct EngineArgs {
    /// テンプレートを置き換えるフォルダ
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// 追加のフォントフォルダ（異体字など）
    #[arg(long, value_name = "DIR")]
    font_dir: Vec<PathBuf>,
    /// 出力形式（カンマ区切り）
    #[arg(long, value_name = "FORMATS", value_delimiter = ',', default_value = "docx,pdf", value_parser = parse_format)]
    format: Vec<run::Format>,
}

impl EngineArgs {
    fn engine(&self) -> anyhow::Result<run::Engine> {
        Ok(run::Engine::new(&run::EngineOptions {
            templates: self.templates.clone(),
            font_dirs: self.font_dir.clone(),
        })?)
    }
}

#[derive(Subcommand)]
enum Command {
    /// 空の協定台帳（記入例つき）を作成する
    Init {
        /// 作成するファイル
        #[arg(default_value = "協定台帳.xlsx")]
        path: PathBuf,
        /// 既にあるファイルを置き換える
        #[arg(long)]
        force: bool,
    },
    /// 台帳をガイドラインに照らして確認する
    Check {
        register: PathBuf,
        /// 基準日（既定: 今日）。例: 2026-04-01, 令和8年4月1日
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// 確認する協定番号（複数可）
        #[arg(long, value_name = "ID")]
        agreement: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Style,
        /// 追加のフォントフォルダ（render と同じ。フォントにない文字の確認に使う）
        #[arg(long, value_name = "DIR")]
        font_dir: Vec<PathBuf>,
    },
    /// 申出書・連携事業提案書・協定書・申し合わせ事項・実績報告書を DOCX と PDF で作成する
    Render {
        register: PathBuf,
        /// 出力先フォルダ
        #[arg(short, long, default_value = "出力")]
        out: PathBuf,
        /// 作成する協定番号（複数可。既定: すべて）
        #[arg(long, value_name = "ID")]
        agreement: Vec<String>,
        /// 作成する書類（カンマ区切り）: 申出書,提案書,協定書,申し合わせ,実績報告書
        #[arg(long, value_name = "KINDS", value_delimiter = ',', value_parser = parse_kind)]
        docs: Vec<DocKind>,
        /// 案として作成する（表題に「案」、台帳の値を黄色で表示、エラーがあっても作成）
        #[arg(long)]
        draft: bool,
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        #[command(flatten)]
        engine: EngineArgs,
        /// 同時に処理する数（既定: CPU コア数）
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// 進捗と一覧を表示しない
        #[arg(short, long)]
        quiet: bool,
        /// 入力が変わっていない書類も作り直す
        #[arg(long)]
        force: bool,
        /// 作成したあと台帳を監視し、保存されるたびに変わった書類だけを作り直す（Ctrl-C で終了）
        #[arg(long)]
        watch: bool,
    },
    /// 2つの時点の台帳を比べ、申し合わせ事項と協定書の新旧対照表を DOCX と PDF で作成する
    Diff {
        /// 改正前の台帳
        old: PathBuf,
        /// 改正後の台帳
        new: PathBuf,
        /// 比べる協定番号（複数可。既定: 両方の台帳にあるすべて）
        #[arg(long, value_name = "ID")]
        agreement: Vec<String>,
        /// 出力先フォルダ
        #[arg(short, long, default_value = "出力")]
        out: PathBuf,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// 台帳をブラウザのページで開く（確認・書類の作成・予定・報告。保存のたびに新しくなる）
    Serve {
        register: PathBuf,
        /// 書類の出力先フォルダ（render と同じ）
        #[arg(short, long, default_value = "出力")]
        out: PathBuf,
        /// 待ち受けるアドレスとポート（既定はこのコンピューターの中だけ）
        #[arg(long, value_name = "ADDR:PORT", default_value = kyotei::serve::DEFAULT_LISTEN)]
        listen: std::net::SocketAddr,
        /// 基準日（既定: 毎日の今日）
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// アクセスに必要なトークン（127.0.0.1 以外では、省略すると作って表示します）
        #[arg(long, value_name = "TOKEN")]
        token: Option<String>,
        #[command(flatten)]
        engine: EngineArgs,
    },
    /// 協定ごとの有効期間・更新・申出期限・解除の検討の予定表
    Schedule {
        register: PathBuf,
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// この月数以内に期限が来るものだけを表示する
        #[arg(long, value_name = "MONTHS")]
        within: Option<u32>,
        #[arg(long, value_enum, default_value = "text")]
        format: Style,
        /// 期限を iCalendar ファイル（Outlook・Google カレンダーに取り込み可）にも書き出す
        #[arg(long, value_name = "FILE")]
        ics: Option<PathBuf>,
        /// --ics のファイルが既にあるとき置き換える
        #[arg(long)]
        force: bool,
    },
    /// 年度の実績報告の Excel ブックを作る
    Report {
        register: PathBuf,
        /// 年度: 2026, R8, 令和8年度
        #[arg(long, value_name = "YEAR")]
        fiscal_year: String,
        /// 出力ファイル（既定: 年次報告_令和8年度.xlsx）
        #[arg(short, long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// 既にあるファイルを置き換える
        #[arg(long)]
        force: bool,
    },
    /// 公開用の協定一覧（オープンデータ CSV）を書き出す
    Export {
        register: PathBuf,
        /// 出力する CSV ファイル
        #[arg(long, value_name = "FILE")]
        open_data: PathBuf,
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// 既にあるファイルを置き換える
        #[arg(long)]
        force: bool,
    },
}

fn parse_kind(s: &str) -> Result<DocKind, String> {
    Ok(match kyotei::text::key(s).as_str() {
        "申出書" | "application" => DocKind::Application,
        "提案書" | "連携事業提案書" | "proposal" => DocKind::Proposal,
        "協定書" | "agreement" => DocKind::Agreement,
        "申し合わせ" | "申し合わせ事項" | "memorandum" => DocKind::Memorandum,
        "実績報告書" | "report" => DocKind::Report,
        _ => {
            return Err(format!(
                "書類の種類が不明です: {s}（申出書,提案書,協定書,申し合わせ,実績報告書）"
            ));
        }
    })
}

fn parse_format(s: &str) -> Result<run::Format, String> {
    match kyotei::text::key(s).to_ascii_lowercase().as_str() {
        "docx" => Ok(run::Format::Docx),
        "pdf" => Ok(run::Format::Pdf),
        _ => Err(format!("出力形式が不明です: {s}（docx, pdf）")),
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
        .map_err(|_| format!("日付として読めません: {s}（例: 2026-04-01, 令和8年4月1日, R8.4.1）"))
}

/// Now in Japan (UTC+9). The only clock read of kyotei.
fn now() -> kyotei::serve::Now {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
        + 9 * 3600;
    let of_day = secs.rem_euclid(86_400) as u32;
    kyotei::serve::Now {
        today: Date::from_days(secs.div_euclid(86_400)),
        time: (of_day / 3600, of_day / 60 % 60, of_day % 60),
    }
}

/// Today in Japan.
fn today() -> Date {
    now().today
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Structural problems print their findings as the check would.
            if let Some(Error::Structure(findings)) = e.downcast_ref::<Error>() {
                eprint!("{}", finding::to_text(findings));
            }
            eprintln!("エラー: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn profile(cli_guideline: &Option<PathBuf>) -> anyhow::Result<Profile> {
    Ok(match cli_guideline {
        Some(p) => Profile::load(p)?,
        None => Profile::isesaki(),
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let profile = profile(&cli.guideline)?;
    match cli.command {
        Command::Init { path, force } => {
            let outcome = run::files::init(&path, &profile, force)?;
            println!(
                "{} を{}しました。記入例（協定番号 例-001）を参考に入力してください。",
                path.display(),
                verb(&outcome)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            register,
            as_of,
            agreement,
            format,
            font_dir,
        } => {
            let input = read(&register, &profile)?;
            let as_of = as_of.unwrap_or_else(today);
            let fonts = kyotei::writer::pdf::Coverage::new(&font_dir)?;
            let findings =
                run::check::check(&input, &profile, as_of, &agreement, &|c| fonts.covers(c))?;
            match format {
                Style::Text => print!("{}", finding::to_text(&findings)),
                Style::Json => println!("{}", finding::to_json(&findings)),
            }
            Ok(exit_for(&findings))
        }
        Command::Render {
            register,
            out,
            agreement,
            docs,
            draft,
            as_of,
            engine,
            jobs,
            quiet,
            force,
            watch,
        } => {
            let input = read(&register, &profile)?;
            let bar = progress_bar(quiet);
            let mut opts = run::render::Options {
                out,
                agreements: agreement,
                kinds: docs,
                formats: engine.format.clone(),
                draft,
                as_of: as_of.unwrap_or_else(today),
                jobs,
                progress: bar.clone().map(|bar| {
                    run::render::Progress(std::sync::Arc::new(move |done, total| {
                        bar.set_length(total as u64);
                        bar.set_position(done as u64);
                    }))
                }),
                force,
            };
            let engine = engine.engine()?;
            // Watch before the first render, so a save during it is not missed.
            let watcher = match watch {
                true => Some(run::watch::Watcher::new(&register)?),
                false => None,
            };
            stop_cleanly_on_ctrl_c(if watch { Stop::Watch } else { Stop::Interrupt });
            let code = render_once(&register, &input, &engine, &profile, &opts, quiet);
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            let Some(watcher) = watcher else {
                return code;
            };
            if let Err(e) = &code {
                eprintln!("エラー: {e:#}");
            }
            // `--force` applies to the first render only: later ones make what changed.
            opts.force = false;
            opts.progress = None;
            loop {
                eprintln!(
                    "{} の保存を待っています（Ctrl-C で終了）",
                    register.display()
                );
                watcher.changed(None);
                let step = std::time::Duration::from_millis(100);
                match run::watch::read_settled(&register, &profile, step, 20 * step) {
                    Ok(input) => {
                        eprintln!("台帳が保存されました。変わった書類を作り直します");
                        if let Err(e) =
                            render_once(&register, &input, &engine, &profile, &opts, quiet)
                        {
                            eprintln!("エラー: {e:#}");
                        }
                    }
                    Err(e) => eprintln!(
                        "エラー: {e}\n前回作成した書類はそのままです。台帳を直して保存すると、もう一度作成します"
                    ),
                }
            }
        }
        Command::Diff {
            old,
            new,
            agreement,
            out,
            engine,
        } => {
            let (old, new) = (read(&old, &profile)?, read(&new, &profile)?);
            let opts = run::diff::Options {
                out,
                agreements: agreement,
                formats: engine.format.clone(),
            };
            let engine = engine.engine()?;
            stop_cleanly_on_ctrl_c(Stop::Interrupt);
            let summary = run::diff::diff(&engine, &old, &new, &profile, &opts)
                .context("新旧対照表を作成できませんでした")?;
            for m in &summary.missing {
                eprintln!("{m}");
            }
            for w in &summary.warnings {
                eprintln!("警告: {w}");
            }
            print_files(&opts.out, &summary.files, None);
            for s in &summary.same {
                println!("変更なし  {s}（新旧対照表は作成しません）");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve {
            register,
            out,
            listen,
            as_of,
            token,
            engine,
        } => {
            // A register that is missing is a typo; one that cannot be read is shown on the
            // page, to be fixed in Excel while the server runs.
            if let Err(e) = std::fs::metadata(&register) {
                return Err(Error::Unreadable {
                    path: register,
                    reason: kyotei::error::io_message(&e),
                }
                .into());
            }
            let opts = kyotei::serve::Options {
                register: register.clone(),
                out,
                listen,
                as_of,
                token,
                engine: run::EngineOptions {
                    templates: engine.templates.clone(),
                    font_dirs: engine.font_dir.clone(),
                },
                formats: engine.format.clone(),
                clock: std::sync::Arc::new(now),
            };
            let server = kyotei::serve::Server::bind(opts, profile)?;
            println!(
                "台帳 {} のページを開きました。ブラウザで次のアドレスを開いてください（Ctrl-C で終了）:\n  {}",
                register.display(),
                server.url()
            );
            use std::io::Write;
            let _ = std::io::stdout().flush();
            stop_cleanly_on_ctrl_c(Stop::Serve);
            server.run()?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schedule {
            register,
            as_of,
            within,
            format,
            ics,
            force,
        } => {
            let as_of = as_of.unwrap_or_else(today);
            let input = read_for_report(&register, &profile)?;
            let mut entries = kyotei::report::schedule::schedule(&input.register, &profile, as_of);
            if let Some(months) = within {
                entries = kyotei::report::schedule::within(&entries, as_of, months as i32);
            }
            match format {
                Style::Text => print!("{}", kyotei::report::schedule::to_text(&entries)),
                Style::Json => println!("{}", kyotei::report::schedule::to_json(&entries)),
            }
            if let Some(path) = ics {
                let outcome = run::files::ics(&input, &entries, as_of, &path, force)?;
                eprintln!(
                    "{} に期限を書き出しました（{}）",
                    path.display(),
                    verb(&outcome)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            register,
            fiscal_year,
            out,
            force,
        } => {
            let fy = kyotei::report::annual::fiscal_year_arg(&fiscal_year).with_context(|| {
                format!("年度として読めません: {fiscal_year}（例: 2026, R8, 令和8年度）")
            })?;
            let input = read_for_report(&register, &profile)?;
            let path =
                out.unwrap_or_else(|| PathBuf::from(kyotei::report::annual::default_file_name(fy)));
            let outcome = run::files::annual_report(&input, &profile, fy, &path, force)?;
            println!("{} を{}しました", path.display(), verb(&outcome));
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            register,
            open_data,
            as_of,
            force,
        } => {
            let input = read_for_report(&register, &profile)?;
            let as_of = as_of.unwrap_or_else(today);
            let outcome = run::files::open_data(&input, &profile, as_of, &open_data, force)?;
            println!("{} を{}しました", open_data.display(), verb(&outcome));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The register. Its errors name the file once: an unreadable file's error already says
/// which file it is (「台帳を読み込めません: PATH: …」); a structural one is given the path.
fn read(path: &Path, profile: &Profile) -> anyhow::Result<Input> {
    run::read(path, profile).map_err(|e| match e {
        Error::Structure(_) => anyhow::Error::new(e).context(path.display().to_string()),
        e => e.into(),
    })
}

/// A register for a report: cell-level input problems are printed as a note (the report
/// shows what could be read), structural problems end the command (exit 2).
fn read_for_report(path: &Path, profile: &Profile) -> anyhow::Result<Input> {
    let input = read(path, profile)?;
    let errors = input.findings.iter().filter(|f| f.is_error()).count();
    if errors > 0 {
        eprintln!(
            "注意: 台帳に入力エラーが {errors} 件あり、そのセルは空欄として扱いました（kyotei check {} で確認できます）",
            path.display()
        );
    }
    Ok(input)
}

/// What Ctrl-C means to a command.
#[derive(Clone, Copy)]
enum Stop {
    /// An interruption (exit 130).
    Interrupt,
    /// The way `render --watch` ends (exit 0).
    Watch,
    /// The way `serve` ends (exit 0).
    Serve,
}

/// Ctrl-C: wait for the file being written, then stop; no temporary file is left and a
/// rerun finds the finished files unchanged.
fn stop_cleanly_on_ctrl_c(stop: Stop) {
    let _ = ctrlc::set_handler(move || {
        let _writes = kyotei::output::stop_writes();
        match stop {
            Stop::Watch => {
                eprintln!("\n監視を終了しました。書きかけのファイルは残っていません");
                std::process::exit(0);
            }
            Stop::Serve => {
                eprintln!("\nページを終了しました。書きかけのファイルは残っていません");
                std::process::exit(0);
            }
            Stop::Interrupt => {
                eprintln!(
                    "\n中断しました。書きかけのファイルは残っていません。もう一度実行すると、残りを作成します"
                );
                std::process::exit(130);
            }
        }
    });
}

/// One render, its findings, warnings and files printed; the exit code it deserves.
fn render_once(
    register: &Path,
    input: &Input,
    engine: &run::Engine,
    profile: &Profile,
    opts: &run::render::Options,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let summary = run::render::run(input, engine, profile, opts)
        .with_context(|| format!("{} から書類を作成できませんでした", register.display()))?;
    let errors: Vec<Finding> = summary
        .findings
        .iter()
        .filter(|f| f.is_error())
        .cloned()
        .collect();
    if !errors.is_empty() {
        eprint!("{}", finding::to_text(&errors));
    }
    for w in &summary.warnings {
        eprintln!("警告: {w}");
    }
    if !quiet {
        print_files(&opts.out, &summary.files, Some(summary.laid_out));
    }
    for id in &summary.skipped {
        eprintln!(
            "協定 {id}: エラーがあるため作成しませんでした（--draft で案として作成できます）"
        );
    }
    // Errors make the exit status 1 even when no agreement was skipped for them (a row of no
    // agreement), as for check; a draft is made despite them.
    Ok(
        if summary.skipped.is_empty() && (opts.draft || errors.is_empty()) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        },
    )
}

/// The progress bar of `render`: on a terminal only, and not with `--quiet`.
fn progress_bar(quiet: bool) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 件 作成中（残り {eta}）")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// What happened to a file, as a verb: 作成, 更新…
fn verb(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Created => "作成",
        Outcome::Replaced { .. } => "更新",
        Outcome::Overwritten => "置き換え",
        Outcome::Unchanged => "確認（変更なし）",
    }
}

/// One line per file made or updated, then the counts.
fn print_files(out: &Path, files: &[(String, Outcome)], laid_out: Option<usize>) {
    for (path, outcome) in files {
        match outcome {
            Outcome::Created => println!("作成  {}", out.join(path).display()),
            Outcome::Replaced { history } => println!(
                "更新  {}（旧版は {}）",
                out.join(path).display(),
                out.join(history).display()
            ),
            Outcome::Overwritten => println!("置き換え  {}", out.join(path).display()),
            Outcome::Unchanged => {}
        }
    }
    let (created, replaced, unchanged) = kyotei::output::tally(files.iter().map(|(_, o)| o));
    match laid_out {
        Some(n) => println!(
            "作成 {created} 件、更新 {replaced} 件、変更なし {unchanged} 件（組版した書類 {n} 件）"
        ),
        None => println!("作成 {created} 件、更新 {replaced} 件、変更なし {unchanged} 件"),
    }
}

fn exit_for(findings: &[Finding]) -> ExitCode {
    if finding::has_errors(findings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
