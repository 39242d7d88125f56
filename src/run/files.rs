//! The single-file commands: `init` (the blank register), `report` (the annual report
//! workbook), `export --open-data` (CSV) and `schedule --ics`. Each makes its bytes and hands
//! them to [`crate::output::file::write`], the one policy for files the user names: an
//! existing file is replaced only with `--force`, and the register being read never.

use super::Input;
use crate::date::Date;
use crate::error::Result;
use crate::guideline::profile::Profile;
use crate::output::Outcome;
use crate::output::file::{self, Policy};
use crate::report::schedule::Entry;
use std::path::Path;

/// `kyotei init`: the blank register at `path`. Any existing file is refused unless `force`.
pub fn init(path: &Path, profile: &Profile, force: bool) -> Result<Outcome> {
    let bytes = crate::forms::blank::init_bytes(profile)?;
    let policy = Policy {
        force,
        inputs: &[],
        new_only: true,
    };
    file::write(path, &bytes, policy)
}

/// `kyotei report`: the annual report workbook of fiscal year `fy` (2026 = 令和8年度).
pub fn annual_report(
    input: &Input,
    profile: &Profile,
    fy: i32,
    path: &Path,
    force: bool,
) -> Result<Outcome> {
    let book = crate::report::annual::annual_report(&input.register, profile, fy);
    let bytes = crate::writer::xlsx::write(&book)?;
    write(input, path, &bytes, force)
}

/// `kyotei export --open-data`: the open-data CSV of the signed agreements.
pub fn open_data(
    input: &Input,
    profile: &Profile,
    as_of: Date,
    path: &Path,
    force: bool,
) -> Result<Outcome> {
    let bytes = crate::report::schedule::open_data_csv(&input.register, profile, as_of);
    write(input, path, &bytes, force)
}

/// `kyotei schedule --ics`: the schedule's dates as an iCalendar file.
pub fn ics(
    input: &Input,
    entries: &[Entry],
    as_of: Date,
    path: &Path,
    force: bool,
) -> Result<Outcome> {
    let text = crate::report::schedule::to_ics(entries, as_of);
    write(input, path, text.as_bytes(), force)
}

fn write(input: &Input, path: &Path, bytes: &[u8], force: bool) -> Result<Outcome> {
    let inputs = [input.path.as_path()];
    let policy = Policy {
        force,
        inputs: &inputs,
        new_only: false,
    };
    file::write(path, bytes, policy)
}
