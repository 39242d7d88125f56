//! The `kyotei` command line: argument handling and glue. The only place that reads the clock.
//!
//! Exit statuses: 0 no errors (warnings allowed), 1 guideline or input errors found, 2 the
//! workbook (or another input) could not be read or used.

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use kyotei::date::Date;
use kyotei::error::Error;
use kyotei::finding::{self, Finding};
use kyotei::ir::DocKind;
use kyotei::pipeline;
use kyotei::profile::Profile;
use kyotei::render::Outcome;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// 空の協定台帳（記入例つき）を作成する
    Init {
        /// 作成するファイル
        #[arg(default_value = "協定台帳.xlsx")]
        path: PathBuf,
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
        format: Format,
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
        /// 出力形式（カンマ区切り）
        #[arg(long, value_name = "FORMATS", value_delimiter = ',', default_value = "docx,pdf", value_parser = parse_format)]
        format: Vec<pipeline::Format>,
        /// 案として作成する（表題に「案」、台帳の値を黄色で表示、エラーがあっても作成）
        #[arg(long)]
        draft: bool,
        #[arg(long, value_name = "DATE", value_parser = parse_date)]
        as_of: Option<Date>,
        /// テンプレートを置き換えるフォルダ
        #[arg(long, value_name = "DIR")]
        templates: Option<PathBuf>,
        /// 追加のフォントフォルダ（異体字など）
        #[arg(long, value_name = "DIR")]
        font_dir: Vec<PathBuf>,
        /// 同時に処理する数（既定: CPU コア数）
        #[arg(long, default_value_t = 0)]
        jobs: usize,
        /// 進捗と一覧を表示しない
        #[arg(short, long)]
        quiet: bool,
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

fn parse_format(s: &str) -> Result<pipeline::Format, String> {
    match kyotei::text::key(s).to_ascii_lowercase().as_str() {
        "docx" => Ok(pipeline::Format::Docx),
        "pdf" => Ok(pipeline::Format::Pdf),
        _ => Err(format!("出力形式が不明です: {s}（docx, pdf）")),
    }
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
        .map_err(|_| format!("日付として読めません: {s}（例: 2026-04-01, 令和8年4月1日, R8.4.1）"))
}

/// Today in Japan (UTC+9). The only clock read of kyotei.
fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_days((secs + 9 * 3600).div_euclid(86_400))
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
        Command::Init { path } => {
            kyotei::init::write_init(&path, &profile)?;
            println!(
                "{} を作成しました。記入例（協定番号 例-001）を参考に入力してください。",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            register,
            as_of,
            agreement,
            format,
        } => {
            let as_of = as_of.unwrap_or_else(today);
            let findings = check(&register, &profile, as_of, &agreement)?;
            match format {
                Format::Text => print!("{}", finding::to_text(&findings)),
                Format::Json => println!("{}", finding::to_json(&findings)),
            }
            Ok(exit_for(&findings))
        }
        Command::Render {
            register,
            out,
            agreement,
            docs,
            format,
            draft,
            as_of,
            templates,
            font_dir,
            jobs,
            quiet,
        } => {
            let opts = pipeline::Options {
                out,
                agreements: agreement,
                kinds: docs,
                formats: format,
                draft,
                as_of: as_of.unwrap_or_else(today),
                templates,
                font_dirs: font_dir,
                jobs,
            };
            let summary = pipeline::run(&register, &profile, &opts).with_context(|| {
                format!("{} から書類を作成できませんでした", register.display())
            })?;
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
                print_files(&opts.out, &summary);
            }
            for id in &summary.skipped {
                eprintln!(
                    "協定 {id}: エラーがあるため作成しませんでした（--draft で案として作成できます）"
                );
            }
            Ok(if summary.skipped.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn print_files(out: &Path, summary: &pipeline::Summary) {
    let (mut created, mut replaced, mut unchanged) = (0, 0, 0);
    for (path, outcome) in &summary.files {
        match outcome {
            Outcome::Created => {
                created += 1;
                println!("作成  {}", out.join(path).display());
            }
            Outcome::Replaced { history } => {
                replaced += 1;
                println!(
                    "更新  {}（旧版は {}）",
                    out.join(path).display(),
                    out.join(history).display()
                );
            }
            Outcome::Unchanged => unchanged += 1,
        }
    }
    println!("作成 {created} 件、更新 {replaced} 件、変更なし {unchanged} 件");
}

/// Read and check a register; keep only the findings of the selected agreements (and the
/// register-wide ones) when a selection is given.
fn check(
    path: &Path,
    profile: &Profile,
    as_of: Date,
    only: &[String],
) -> anyhow::Result<Vec<Finding>> {
    let (reg, mut findings) = kyotei::register::read(path, profile)
        .with_context(|| format!("{} を読み込めませんでした", path.display()))?;
    findings.extend(kyotei::rules::check(&reg, profile, as_of));
    // Group by agreement in sheet order (register-wide findings first), keeping each
    // agreement's findings in the order they were found.
    let order: Vec<String> = reg.agreements.iter().map(|a| a.key()).collect();
    findings.sort_by_key(|f| {
        f.agreement.as_ref().map(|a| {
            let k = kyotei::text::key(a);
            order.iter().position(|o| *o == k).unwrap_or(order.len())
        })
    });
    if !only.is_empty() {
        let keys: Vec<String> = only.iter().map(|s| kyotei::text::key(s)).collect();
        findings.retain(|f| match &f.agreement {
            Some(a) => keys.contains(&kyotei::text::key(a)),
            None => true,
        });
    }
    Ok(findings)
}

fn exit_for(findings: &[Finding]) -> ExitCode {
    if finding::has_errors(findings) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
