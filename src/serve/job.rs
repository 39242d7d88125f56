//! The render job and the pulse the open pages follow: one render at a time per output
//! folder. The job is given its work (the state runs `kyotei render`'s planner on the
//! snapshot the page shows) and the pulse; its progress is part of the pulse, so every open
//! page sees the running job, and a second request while it runs is told so.

use crate::run::render::Progress;
use serde::Serialize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the open pages follow (`/events`): the reading, the documents and the render job.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Pulse {
    /// The snapshot's version.
    pub register: u64,
    /// Raised each time a render ends (the documents may have changed).
    pub files: u64,
    /// The current or last render.
    pub job: Option<JobView>,
}

/// The pulse, shared by the state (new readings), the jobs and the pages.
pub type PulseSender = Arc<tokio::sync::watch::Sender<Pulse>>;

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

/// The current or last job, and the pulse it reports to.
pub struct Jobs {
    slot: Mutex<Option<Arc<Job>>>,
    pulse: PulseSender,
}

impl Jobs {
    pub fn new(pulse: PulseSender) -> Jobs {
        Jobs {
            slot: Mutex::new(None),
            pulse,
        }
    }

    /// The current or last job.
    pub fn current(&self) -> Option<Arc<Job>> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts `work` on a thread of its own unless a job is running (`Err` with the running
    /// one then). `work` is given the progress callback to hand to the render.
    pub fn start(
        &self,
        request: Request,
        work: impl FnOnce(Progress) -> Ended + Send + 'static,
    ) -> Result<Arc<Job>, Arc<Job>> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
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
        publish(&self.pulse, &job);
        let (pulse, j) = (self.pulse.clone(), job.clone());
        let progress = {
            let (pulse, j) = (self.pulse.clone(), job.clone());
            Progress(Arc::new(move |done, total| {
                j.done.store(done, Ordering::Relaxed);
                j.total.store(total, Ordering::Relaxed);
                publish(&pulse, &j);
            }))
        };
        let spawned = std::thread::Builder::new()
            .name("kyotei-render".into())
            .spawn(move || {
                // A bug in a render must not leave the job running for ever (no render could
                // start again): it ends the job with an error instead.
                let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(progress)))
                    .unwrap_or_else(|_| Ended {
                        ok: false,
                        message: "作成の途中で失敗しました（kyotei の内部エラー）。出力先のファイルは書きかけのまま残っていません".into(),
                    });
                *j.ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(ended);
                pulse.send_modify(|p| {
                    p.files += 1;
                    p.job = Some(j.view());
                });
            });
        if let Err(e) = spawned {
            *job.ended.lock().unwrap_or_else(|e| e.into_inner()) = Some(Ended {
                ok: false,
                message: format!("作成を始められませんでした（{e}）"),
            });
            publish(&self.pulse, &job);
        }
        Ok(job)
    }
}

/// Puts the job's view on the pulse when it changed.
fn publish(pulse: &PulseSender, job: &Job) {
    let view = job.view();
    pulse.send_if_modified(|p| {
        let changed = p.job.as_ref() != Some(&view);
        p.job = Some(view);
        changed
    });
}
