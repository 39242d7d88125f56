//! The render job: one render at a time per output folder, run by the same planner as
//! `kyotei render` on the snapshot the page shows. Its progress is part of the pulse, so
//! every open page sees the running job, and a second request while it runs is told so.

use super::state::App;
use crate::run::render::{Options, Progress};
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// One agreement (協定番号 as typed), or all.
    pub agreement: Option<String>,
    pub draft: bool,
}

impl Request {
    /// `R8-001 の確定版` / `すべての協定の案`.
    pub fn label(&self) -> String {
        let what = match &self.agreement {
            Some(id) => format!("協定 {id} "),
            None => "すべての協定".to_string(),
        };
        match self.draft {
            true => format!("{what}の書類（案）"),
            false => format!("{what}の書類（確定）"),
        }
    }
}

/// A render, running or ended.
pub struct Job {
    pub request: Request,
    done: AtomicUsize,
    total: AtomicUsize,
    ended: Mutex<Option<Ended>>,
}

/// How a render ended.
#[derive(Debug, Clone, Serialize)]
pub struct Ended {
    /// It ran to its end (some agreements may have been refused for their errors).
    pub ok: bool,
    /// One line for people: what was made, or what went wrong.
    pub message: String,
}

/// A job as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobView {
    pub label: String,
    pub running: bool,
    pub done: usize,
    pub total: usize,
    pub ok: bool,
    pub message: String,
}

impl Job {
    pub fn running(&self) -> bool {
        self.ended
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_none()
    }

    pub fn view(&self) -> JobView {
        let ended = self.ended.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let (done, total) = (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        );
        JobView {
            label: self.request.label(),
            running: ended.is_none(),
            done,
            total,
            ok: ended.as_ref().is_none_or(|e| e.ok),
            message: match ended {
                Some(e) => e.message,
                None if total == 0 => "準備しています".into(),
                None => format!("{done} / {total} 件"),
            },
        }
    }
}

impl App {
    /// The current or last job.
    pub fn job(&self) -> Option<Arc<Job>> {
        self.job.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts a render unless one is running: `Err` with the running one then.
    pub fn start_render(self: &Arc<App>, request: Request) -> Result<Arc<Job>, Arc<Job>> {
        let mut slot = self.job.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(j) = slot.as_ref().filter(|j| j.running()) {
            return Err(j.clone());
        }
        let job = Arc::new(Job {
            request,
            done: AtomicUsize::new(0),
            total: AtomicUsize::new(0),
            ended: Mutex::new(None),
        });
        *slot = Some(job.clone());
        drop(slot);
        self.publish_job(&job);
        let (app, j) = (self.clone(), job.clone());
        let spawned = std::thread::Builder::new()
            .name("kyotei-render".into())
            .spawn(move || {
                // A bug in a render must not leave the job running for ever (no render could
                // start again): it ends the job with an error instead.
                let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.render(&j)))
                    .unwrap_or_else(|_| Ended {
                        ok: false,
                        message: "作成の途中で失敗しました（kyotei の内部エラー）。出力先のファイルは書きかけのまま残っていません".into(),
                    });
                *j.ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(ended);
                app.pulse.send_modify(|p| {
                    p.files += 1;
                    p.job = Some(j.view());
                });
            });
        if let Err(e) = spawned {
            *job.ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(Ended {
                ok: false,
                message: format!("作成を始められませんでした（{e}）"),
            });
            self.publish_job(&job);
        }
        Ok(job)
    }

    fn publish_job(&self, job: &Job) {
        let view = job.view();
        self.pulse.send_if_modified(|p| {
            let changed = p.job.as_ref() != Some(&view);
            p.job = Some(view);
            changed
        });
    }

    /// Runs one render on the current snapshot and says how it ended.
    fn render(self: &Arc<App>, job: &Arc<Job>) -> Ended {
        let snap = self.snapshot();
        let Some(loaded) = snap.loaded.as_ref().filter(|_| snap.error.is_none()) else {
            return Ended {
                ok: false,
                message: "台帳を読み込めないため作成しませんでした。台帳を直して保存してください"
                    .into(),
            };
        };
        let (app, progress_job) = (self.clone(), job.clone());
        let opts = Options {
            out: self.out.clone(),
            agreements: job.request.agreement.iter().cloned().collect(),
            kinds: Vec::new(),
            formats: self.formats.clone(),
            draft: job.request.draft,
            as_of: snap.as_of,
            jobs: 0,
            progress: Some(Progress(Arc::new(move |done, total| {
                progress_job.done.store(done, Ordering::Relaxed);
                progress_job.total.store(total, Ordering::Relaxed);
                app.publish_job(&progress_job);
            }))),
            force: false,
        };
        match crate::run::render::run(&loaded.input, &self.engine, &self.profile, &opts) {
            Ok(summary) => {
                let (created, replaced, unchanged) =
                    crate::output::tally(summary.files.iter().map(|(_, o)| o));
                let mut message = format!(
                    "作成 {created} 件、更新 {replaced} 件、変更なし {unchanged} 件（組版した書類 {} 件）",
                    summary.laid_out
                );
                if !summary.skipped.is_empty() {
                    message.push_str(&format!(
                        "。エラーがあるため作成しなかった協定: {}",
                        summary.skipped.join("、")
                    ));
                }
                Ended {
                    ok: summary.skipped.is_empty(),
                    message,
                }
            }
            Err(e) => Ended {
                ok: false,
                message: format!("作成できませんでした: {e}"),
            },
        }
    }
}
