//! The command line's arguments (clap), each defined once: groups shared by several commands
//! (`--as-of`, `--force`, `--agreement`, the output folder, the layout options) are flattened
//! into each. Every argument is explained in Japanese, the help's headings and clap's errors
//! are in Japanese too ([`parse`]).

use clap::{Arg, ArgAction, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use kyotei::date::Date;
use kyotei::document::ir::DocKind;
use kyotei::run::{self, command::Style};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "kyotei",
    version,
    about = "包括連携協定の台帳（Excel）から、ガイドラインに沿った確認と協定書類の作成を行います"
)]
pub struct Cli {
    /// 別の自治体のガイドライン設定（JSON）を使う（既定: 伊勢崎市）
    #[arg(long, global = true, value_name = "ファイル")]
    pub guideline: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

/// The register read by most commands.
#[derive(Args)]
pub struct Register {
    /// 協定台帳（.xlsx）のファイル。kyotei init で作った形式のもの
    #[arg(value_name = "台帳")]
    pub register: PathBuf,
}

/// `--as-of`.
#[derive(Args)]
pub struct AsOf {
    /// 基準日（既定: 今日）。書き方: 2026-04-01、2026/4/1、令和8年4月1日、R8.4.1
    #[arg(long, value_name = "日付", value_parser = parse_date)]
    pub as_of: Option<Date>,
}

/// `--force` for a file the user names.
#[derive(Args)]
pub struct Force {
    /// 同じ名前のファイルが既にあるとき置き換える（読み込んでいる台帳は置き換えません）
    #[arg(long)]
    pub force: bool,
}

/// `--agreement`.
#[derive(Args)]
pub struct Agreements {
    /// 対象の協定番号（繰り返して複数指定可。既定: すべての協定）。全角・半角は区別しません
    #[arg(long, value_name = "協定番号")]
    pub agreement: Vec<String>,
}

/// The output folder of `render`, `diff` and `serve`.
#[derive(Args)]
pub struct OutDir {
    /// 書類の出力先フォルダ（既定: 出力）
    #[arg(
        short,
        long,
        value_name = "フォルダ",
        default_value = "出力",
        hide_default_value = true
    )]
    pub out: PathBuf,
}

/// `--font-dir`.
#[derive(Args)]
pub struct Fonts {
    /// 追加のフォントフォルダ（異体字など。繰り返して複数指定可）。フォントにない文字の確認にも使います
    #[arg(long, value_name = "フォルダ")]
    pub font_dir: Vec<PathBuf>,
}

/// The options of every command that lays out documents.
#[derive(Args)]
pub struct Layout {
    /// 組み込みのテンプレートの代わりに使うテンプレートのフォルダ
    #[arg(long, value_name = "フォルダ")]
    pub templates: Option<PathBuf>,
    #[command(flatten)]
    pub fonts: Fonts,
    /// 出力形式（カンマ区切り。既定: docx,pdf）
    #[arg(long, value_name = "形式", value_delimiter = ',', default_value = "docx,pdf", hide_default_value = true, value_parser = run::command::parse_format)]
    pub format: Vec<run::Format>,
}

impl Layout {
    pub fn engine(&self) -> run::EngineOptions {
        run::EngineOptions {
            templates: self.templates.clone(),
            font_dirs: self.fonts.font_dir.clone(),
        }
    }
}

/// `--format text|json` of `check` and `schedule`.
#[derive(Args)]
pub struct Printed {
    /// 表示の形式: text（人が読む）、json（プログラム向け）。既定: text
    #[arg(
        long,
        value_enum,
        value_name = "形式",
        default_value = "text",
        hide_default_value = true,
        hide_possible_values = true
    )]
    pub format: Output,
}

/// The values of `--format text|json`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Output {
    Text,
    Json,
}

impl From<Printed> for Style {
    fn from(p: Printed) -> Style {
        match p.format {
            Output::Text => Style::Text,
            Output::Json => Style::Json,
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// 空の協定台帳（記入例つき）を作成する
    Init {
        /// 作成する台帳のファイル（既定: 協定台帳.xlsx）
        #[arg(
            value_name = "ファイル",
            default_value = "協定台帳.xlsx",
            hide_default_value = true
        )]
        path: PathBuf,
        #[command(flatten)]
        force: Force,
    },
    /// 台帳をガイドラインに照らして確認する
    Check {
        #[command(flatten)]
        register: Register,
        #[command(flatten)]
        as_of: AsOf,
        #[command(flatten)]
        agreements: Agreements,
        #[command(flatten)]
        format: Printed,
        #[command(flatten)]
        fonts: Fonts,
        /// render と同じテンプレートのフォルダ（条文シートの条・項を、そのテンプレートの書類で確かめます）
        #[arg(long, value_name = "フォルダ")]
        templates: Option<PathBuf>,
    },
    /// 申出書・連携事業提案書・協定書・申し合わせ事項・実績報告書を DOCX と PDF で作成する
    Render {
        #[command(flatten)]
        register: Register,
        #[command(flatten)]
        out: OutDir,
        #[command(flatten)]
        agreements: Agreements,
        /// 作成する書類（カンマ区切り。既定: すべて）: 申出書,提案書,協定書,申し合わせ,実績報告書
        #[arg(long, value_name = "書類", value_delimiter = ',', value_parser = parse_kind)]
        docs: Vec<DocKind>,
        /// 案として作成する（表題に「案」、台帳の値を黄色で表示、エラーがあっても作成）
        #[arg(long)]
        draft: bool,
        #[command(flatten)]
        as_of: AsOf,
        #[command(flatten)]
        layout: Layout,
        /// 同時に処理する数（既定: この PC の CPU コア数）
        #[arg(long, value_name = "数", value_parser = parse_count)]
        jobs: Option<usize>,
        /// 進捗と作成したファイルの一覧を表示しない
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
        /// 改正前の台帳（.xlsx）
        #[arg(value_name = "改正前の台帳")]
        old: PathBuf,
        /// 改正後の台帳（.xlsx）
        #[arg(value_name = "改正後の台帳")]
        new: PathBuf,
        #[command(flatten)]
        agreements: Agreements,
        #[command(flatten)]
        out: OutDir,
        #[command(flatten)]
        layout: Layout,
    },
    /// 企業等から返ってきた Word 文書（.docx）を、発行した書類と比べる（台帳のどのセルの変更か、雛形のどの条の変更か、変更履歴とコメント）
    Compare {
        /// 返ってきた Word 文書（.docx）
        #[arg(value_name = "返送された文書")]
        returned: PathBuf,
        #[command(flatten)]
        register: Register,
        /// 発行した版の記録を読む出力フォルダ（既定: 出力）。指定すると、違いの新旧対照表をここに作ります
        #[arg(short, long, value_name = "フォルダ")]
        out: Option<PathBuf>,
        /// 文書に kyotei の情報がないときの協定番号
        #[arg(long, value_name = "協定番号")]
        agreement: Option<String>,
        /// 文書に kyotei の情報がないときの書類（協定書・申し合わせ事項・申出書・連携事業提案書・実績報告書）
        #[arg(long, value_name = "書類", value_parser = parse_kind)]
        kind: Option<kyotei::document::ir::DocKind>,
        /// 発行した版の記録ではなく、いまの台帳から作る書類と比べる（台帳と条文を直した後の確認に）
        #[arg(long)]
        current: bool,
        #[command(flatten)]
        format: Printed,
        /// 組み込みのテンプレートの代わりに使うテンプレートのフォルダ
        #[arg(long, value_name = "フォルダ")]
        templates: Option<PathBuf>,
        #[command(flatten)]
        fonts: Fonts,
    },
    /// 台帳をブラウザのページで開く（確認・書類の作成・予定・報告。保存のたびに新しくなる）
    Serve {
        #[command(flatten)]
        register: Register,
        #[command(flatten)]
        out: OutDir,
        /// 待ち受けるアドレスとポート（既定: 127.0.0.1:8421、このコンピューターの中だけ）
        #[arg(long, value_name = "アドレス:ポート", default_value = kyotei::serve::DEFAULT_LISTEN, hide_default_value = true, value_parser = parse_listen)]
        listen: std::net::SocketAddr,
        #[command(flatten)]
        as_of: AsOf,
        /// アクセスに必要なトークン（127.0.0.1 以外で待ち受けるとき。省略すると作って表示します）
        #[arg(long, value_name = "トークン")]
        token: Option<String>,
        #[command(flatten)]
        layout: Layout,
    },
    /// 協定ごとの有効期間・更新・申出期限・解除の検討の予定表
    Schedule {
        #[command(flatten)]
        register: Register,
        #[command(flatten)]
        as_of: AsOf,
        /// この月数以内に期限が来るものだけを表示する
        #[arg(long, value_name = "月数", value_parser = parse_count)]
        within: Option<usize>,
        #[command(flatten)]
        format: Printed,
        /// 期限を iCalendar ファイル（Outlook・Google カレンダーに取り込み可）にも書き出す
        #[arg(long, value_name = "ファイル")]
        ics: Option<PathBuf>,
        #[command(flatten)]
        force: Force,
    },
    /// 年度の実績報告の Excel ブックを作る
    Report {
        #[command(flatten)]
        register: Register,
        /// 年度: 2026、R8、令和8年度 のいずれかの書き方
        #[arg(long, value_name = "年度", value_parser = parse_fiscal_year)]
        fiscal_year: i32,
        /// 出力ファイル（既定: 年次報告_令和8年度.xlsx のように年度の名前）
        #[arg(short, long, value_name = "ファイル")]
        out: Option<PathBuf>,
        #[command(flatten)]
        force: Force,
    },
    /// 公開用の協定一覧（オープンデータ CSV）を書き出す
    Export {
        #[command(flatten)]
        register: Register,
        /// 出力する CSV ファイル
        #[arg(long, value_name = "ファイル")]
        open_data: PathBuf,
        #[command(flatten)]
        as_of: AsOf,
        #[command(flatten)]
        force: Force,
    },
    /// 担当課ごとの連携事業調査と実績報告の様式（Excel）を作成する
    Forms {
        #[command(flatten)]
        register: Register,
        #[command(flatten)]
        out: OutDir,
        #[command(flatten)]
        agreements: Agreements,
        #[command(flatten)]
        as_of: AsOf,
    },
    /// 担当課から戻った様式の回答を、台帳の写し（新しいファイル）に取り込む
    Collect {
        #[command(flatten)]
        register: Register,
        /// 回答の様式（kyotei forms で作り、担当課が記入したもの。複数指定可）
        #[arg(value_name = "回答", required = true)]
        replies: Vec<PathBuf>,
        /// 回答を取り込んだ台帳の保存先（新しいファイル。既にあるファイルや台帳には書きません）
        #[arg(short, long, value_name = "ファイル")]
        out: PathBuf,
        /// 適用できる回答と競合を表示するだけで、ファイルは作らない
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        as_of: AsOf,
    },
}

fn parse_kind(s: &str) -> Result<DocKind, String> {
    DocKind::parse(s).ok_or_else(|| {
        format!("書類の種類が不明です: {s}（申出書,提案書,協定書,申し合わせ,実績報告書）")
    })
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s)
        .map_err(|_| format!("日付として読めません: {s}（例: 2026-04-01, 令和8年4月1日, R8.4.1）"))
}

fn parse_count(s: &str) -> Result<usize, String> {
    kyotei::text::nfkc(s)
        .trim()
        .parse::<usize>()
        .map_err(|_| format!("0 以上の整数を指定してください: {s}"))
}

fn parse_fiscal_year(s: &str) -> Result<i32, String> {
    kyotei::report::annual::fiscal_year_arg(s)
        .ok_or_else(|| format!("年度として読めません: {s}（例: 2026, R8, 令和8年度）"))
}

fn parse_listen(s: &str) -> Result<std::net::SocketAddr, String> {
    s.parse()
        .map_err(|_| format!("アドレスとポートとして読めません: {s}（例: 127.0.0.1:8421）"))
}

const TOP: &str = "{about}\n\n使い方: {usage}\n\nコマンド:\n{subcommands}\n\nオプション:\n{options}\n\nコマンドごとの説明: kyotei <コマンド> --help\n";
const SUB: &str = "{about}\n\n使い方: {usage}\n\n引数:\n{positionals}\n\nオプション:\n{options}\n";

fn help_arg() -> Arg {
    Arg::new("help")
        .short('h')
        .long("help")
        .action(ArgAction::Help)
        .help("この説明を表示する")
}

/// The command with its help in Japanese.
pub fn command() -> clap::Command {
    let mut cmd = Cli::command()
        .help_template(TOP)
        .override_usage("kyotei <コマンド> [オプション]")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .arg(help_arg())
        .arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("バージョンを表示する"),
        );
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(&name, |s| {
            let positionals: Vec<String> = s
                .get_positionals()
                .map(|a| {
                    let v = a.get_value_names().and_then(|v| v.first().cloned());
                    let v = v.map_or_else(|| a.get_id().to_string(), |v| v.to_string());
                    match a.is_required_set() {
                        true => format!("<{v}>"),
                        false => format!("[{v}]"),
                    }
                })
                .collect();
            let usage = format!("kyotei {name} [オプション] {}", positionals.join(" "));
            s.help_template(SUB)
                .override_usage(usage)
                .disable_help_flag(true)
                .arg(help_arg())
        });
    }
    cmd
}

/// The arguments; else the help, the version or the mistake (in Japanese) is printed and the
/// exit status returned (0 for `--help` and `--version`, 2 for a mistake).
pub fn parse() -> Result<Cli, std::process::ExitCode> {
    let mut cmd = command();
    let parsed = cmd
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|m| Cli::from_arg_matches(&m));
    parsed.map_err(|e| {
        let (message, code) = error(&mut cmd, &e);
        match code {
            0 => print!("{message}"),
            _ => eprint!("{message}"),
        }
        std::process::ExitCode::from(code)
    })
}

/// clap's error in Japanese, with what to do.
fn error(cmd: &mut clap::Command, e: &clap::Error) -> (String, u8) {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| match e.get(k) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    let sub = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .filter(|a| cmd.find_subcommand(a).is_some());
    let help = match &sub {
        Some(s) => format!("kyotei {s} --help"),
        None => "kyotei --help".to_string(),
    };
    let message = match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => return (e.to_string(), 0),
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand | ErrorKind::MissingSubcommand => {
            return (cmd.render_help().to_string(), 2);
        }
        ErrorKind::UnknownArgument => format!(
            "知らないオプションです: {}。使えるオプションは {help} で確かめてください",
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidSubcommand => format!(
            "知らないコマンドです: {}。コマンドの一覧は kyotei --help で確かめてください",
            ctx(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::MissingRequiredArgument => format!(
            "必要な引数がありません: {}。{help} で確かめてください",
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidValue => format!(
            "{} の値が正しくありません: 「{}」。使える値: {}",
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::InvalidValue),
            ctx(ContextKind::ValidValue)
        ),
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(e).map(|s| s.to_string());
            format!(
                "{} の値が正しくありません。{}",
                ctx(ContextKind::InvalidArg),
                why.unwrap_or_else(|| format!("「{}」", ctx(ContextKind::InvalidValue)))
            )
        }
        ErrorKind::ArgumentConflict => format!(
            "{} は {} と一緒に指定できません",
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::PriorArg)
        ),
        ErrorKind::NoEquals
        | ErrorKind::TooManyValues
        | ErrorKind::TooFewValues
        | ErrorKind::WrongNumberOfValues => format!(
            "{} の値の数が正しくありません。{help} で確かめてください",
            ctx(ContextKind::InvalidArg)
        ),
        _ => format!("引数の指定に誤りがあります。{help} で確かめてください"),
    };
    (format!("エラー: {message}\n"), 2)
}
