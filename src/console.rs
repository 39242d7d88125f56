//! What the terminal shows and does beside a command's output: the progress bar of `render`,
//! what Ctrl-C means (wait for the write or commit under way, leave no trace, exit), and the
//! wait for another writer of the output folder.

/// The output folder's lock for `command`: waits `KYOTEI_LOCK_WAIT` seconds (default 30) for
/// another writer, saying so once. `now` is the CLI's clock.
pub fn writer(
    command: &'static str,
    now: &'static (dyn Fn() -> String + Sync),
) -> kyotei::run::command::Writer<'static> {
    let wait = std::env::var("KYOTEI_LOCK_WAIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    kyotei::run::command::Writer {
        command,
        now,
        wait: std::time::Duration::from_secs(wait),
        on_wait: &|out, h| eprintln!("{}", h.waiting_message(out)),
    }
}

/// What Ctrl-C means to a command.
#[derive(Clone, Copy)]
pub enum Stop {
    /// An interruption (exit 130).
    Interrupt,
    /// The way `render --watch` ends (exit 0).
    Watch,
    /// The way `serve` ends (exit 0).
    Serve,
}

/// Ctrl-C: wait for the file (or the commit) being written, then stop; no temporary file is
/// left, and what a render had not committed is as if it had not run.
pub fn stop_cleanly_on_ctrl_c(stop: Stop) {
    let _ = ctrlc::set_handler(move || {
        let _writes = kyotei::output::stop_writes();
        let (message, code) = match stop {
            Stop::Watch => ("監視を終了しました。書きかけのファイルは残っていません", 0),
            Stop::Serve => (
                "ページを終了しました。書きかけのファイルは残っていません",
                0,
            ),
            Stop::Interrupt => (
                "中断しました。書きかけのファイルは残っていません。もう一度実行すると、残りを作成します",
                130,
            ),
        };
        eprintln!("\n{message}");
        std::process::exit(code);
    });
}

/// The progress bar of `render` (on a terminal only, and not with `--quiet`) and the
/// callback that moves it.
pub fn progress_bar(
    quiet: bool,
) -> (
    Option<indicatif::ProgressBar>,
    Option<kyotei::run::render::Progress>,
) {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return (None, None);
    }
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 件 作成中（残り {eta}）")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let moved = bar.clone();
    let progress = kyotei::run::render::Progress(std::sync::Arc::new(move |done, total| {
        moved.set_length(total as u64);
        moved.set_position(done as u64);
    }));
    (Some(bar), Some(progress))
}
