//! The `kyotei` command line: arguments ([`args`]), printing and exit statuses; each command is
//! one call of `kyotei::run::command` returning a report. The only place that reads the clock.
//!
//! Exit statuses: 0 no errors (warnings allowed), 1 guideline or input errors found, 2 the
//! workbook (or another input) could not be read or used, 130 interrupted by Ctrl-C.

mod args;
mod console;

use args::Command;
use console::{Stop, progress_bar, stop_cleanly_on_ctrl_c};
use kyotei::date::Date;
use kyotei::error::Error;
use kyotei::guideline::profile::Profile;
use kyotei::run::command::{self as cmd, Report};
use kyotei::run::{self, Engine};
use std::process::ExitCode;

/// mimalloc instead of the system allocator: typst and the PDF writer allocate and free
/// millions of small objects per batch, and glibc's malloc took about 13 % of a render's CPU
/// time (bench/README.md has the measurement).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

fn main() -> ExitCode {
    let cli = match args::parse() {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            // Structural problems print their findings as the check would.
            if let Some(findings) = e.findings() {
                eprint!("{}", kyotei::finding::to_text(findings));
            }
            eprintln!("エラー: {e}");
            ExitCode::from(2)
        }
    }
}

/// Prints a report: its notes on standard error, itself on standard output.
fn print(report: &dyn Report) -> ExitCode {
    eprint!("{}", report.notes());
    print!("{report}");
    match report.failed() {
        true => ExitCode::from(1),
        false => ExitCode::SUCCESS,
    }
}

fn run(cli: args::Cli) -> Result<ExitCode, Error> {
    let profile = match &cli.guideline {
        Some(p) => Profile::load(p)?,
        None => Profile::isesaki(),
    };
    let today = || now().today;
    let code = match cli.command {
        Command::Init { path, force } => print(&cmd::init(&path, &profile, force.force)?),
        Command::Check {
            register,
            as_of,
            agreements,
            format,
            fonts,
            templates,
        } => print(&cmd::check(
            &register.register,
            &profile,
            as_of.as_of.unwrap_or_else(today),
            &agreements.agreement,
            &fonts.font_dir,
            templates.as_deref(),
            format.into(),
        )?),
        Command::Render {
            register,
            out,
            agreements,
            docs,
            draft,
            as_of,
            layout,
            jobs,
            quiet,
            force,
            watch,
        } => {
            let input = cmd::read(&register.register, &profile)?;
            let (bar, progress) = progress_bar(quiet);
            let opts = run::render::Options {
                out: out.out,
                agreements: agreements.agreement,
                kinds: docs,
                formats: layout.format.clone(),
                draft,
                as_of: as_of.as_of.unwrap_or_else(today),
                jobs: jobs.unwrap_or(0),
                progress,
                force,
            };
            let engine = Engine::new(&layout.engine())?;
            // Watch before the first render, so a save during it is not missed.
            let watcher = match watch {
                true => Some(run::watch::Watcher::new(&register.register)?),
                false => None,
            };
            stop_cleanly_on_ctrl_c(if watch { Stop::Watch } else { Stop::Interrupt });
            let renderer = cmd::Renderer {
                engine: &engine,
                profile: &profile,
                opts,
                quiet,
                writer: console::writer("kyotei render", &|| now().label()),
            };
            let first = renderer.render(&input);
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            let Some(watcher) = watcher else {
                return first.map(|r| print(&r));
            };
            let show = |r: Result<cmd::Rendered, Error>| match r {
                Ok(r) => drop(print(&r)),
                Err(e) => eprintln!("エラー: {e}"),
            };
            show(first);
            renderer.watch(watcher, &input, &mut |w| {
                eprint!("{w}");
                if let cmd::Watching::Rendered(r) = w {
                    show(r);
                }
            });
            ExitCode::SUCCESS
        }
        Command::Diff {
            old,
            new,
            agreements,
            out,
            layout,
        } => {
            let opts = run::diff::Options {
                out: out.out,
                agreements: agreements.agreement,
                formats: layout.format.clone(),
            };
            stop_cleanly_on_ctrl_c(Stop::Interrupt);
            let writer = console::writer("kyotei diff", &|| now().label());
            print(&cmd::diff(
                &old,
                &new,
                &profile,
                &layout.engine(),
                &opts,
                &writer,
            )?)
        }
        Command::Compare {
            returned,
            register,
            out,
            agreement,
            kind,
            current,
            format,
            templates,
            fonts,
        } => {
            let opts = run::compare::Options {
                write: out.is_some(),
                out: out.unwrap_or_else(|| "出力".into()),
                agreement,
                kind,
                current,
                formats: vec![run::Format::Docx, run::Format::Pdf],
            };
            let engine = run::EngineOptions {
                templates,
                font_dirs: fonts.font_dir,
            };
            stop_cleanly_on_ctrl_c(Stop::Interrupt);
            let writer = console::writer("kyotei compare", &|| now().label());
            print(&cmd::compare(
                &returned,
                &register.register,
                &profile,
                &engine,
                &opts,
                format.into(),
                &writer,
            )?)
        }
        Command::Serve {
            register,
            out,
            listen,
            as_of,
            token,
            layout,
        } => {
            let register = register.register;
            let opts = kyotei::serve::Options {
                register: register.clone(),
                out: out.out,
                listen,
                as_of: as_of.as_of,
                token,
                engine: layout.engine(),
                formats: layout.format.clone(),
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
            ExitCode::SUCCESS
        }
        Command::Schedule {
            register,
            as_of,
            within,
            format,
            ics,
            force,
        } => print(&cmd::schedule(
            &register.register,
            &profile,
            as_of.as_of.unwrap_or_else(today),
            within.map(|m| m as u32),
            format.into(),
            ics.as_deref().map(|p| (p, force.force)),
        )?),
        Command::Report {
            register,
            fiscal_year,
            out,
            force,
        } => print(&cmd::annual(
            &register.register,
            &profile,
            fiscal_year,
            out,
            force.force,
        )?),
        Command::Export {
            register,
            open_data,
            as_of,
            force,
        } => print(&cmd::export(
            &register.register,
            &profile,
            as_of.as_of.unwrap_or_else(today),
            &open_data,
            force.force,
        )?),
        Command::Forms {
            register,
            out,
            agreements,
            as_of,
        } => {
            let opts = run::forms::Options {
                out: out.out,
                agreements: agreements.agreement,
                as_of: as_of.as_of.unwrap_or_else(today),
            };
            stop_cleanly_on_ctrl_c(Stop::Interrupt);
            let writer = console::writer("kyotei forms", &|| now().label());
            print(&cmd::forms(&register.register, &profile, &opts, &writer)?)
        }
        Command::Collect {
            register,
            replies,
            out,
            dry_run,
            as_of,
        } => {
            let opts = run::collect::Options {
                out,
                dry_run,
                as_of: as_of.as_of.unwrap_or_else(today),
            };
            stop_cleanly_on_ctrl_c(Stop::Interrupt);
            print(&cmd::collect(
                &register.register,
                &replies,
                &profile,
                &opts,
            )?)
        }
    };
    Ok(code)
}
