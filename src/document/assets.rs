//! Built-in assets (templates, the typst layout, the pages of `serve`, fonts), embedded in
//! the binary as one `(path, bytes)` table and overridable from a directory on disk, as
//! mdBook does with its theme.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

/// Every built-in asset, by its path relative to the project root.
pub const ASSETS: &[(&str, &[u8])] = &[
    (
        "templates/application.j2",
        include_bytes!("../../templates/application.j2"),
    ),
    (
        "templates/proposal.j2",
        include_bytes!("../../templates/proposal.j2"),
    ),
    (
        "templates/agreement.j2",
        include_bytes!("../../templates/agreement.j2"),
    ),
    (
        "templates/memorandum.j2",
        include_bytes!("../../templates/memorandum.j2"),
    ),
    (
        "templates/report.j2",
        include_bytes!("../../templates/report.j2"),
    ),
    (
        "templates/comparison.j2",
        include_bytes!("../../templates/comparison.j2"),
    ),
    (
        "templates/layout.typ",
        include_bytes!("../../templates/layout.typ"),
    ),
    (
        "templates/serve/base.html",
        include_bytes!("../../templates/serve/base.html"),
    ),
    (
        "templates/serve/macros.html",
        include_bytes!("../../templates/serve/macros.html"),
    ),
    (
        "templates/serve/index.html",
        include_bytes!("../../templates/serve/index.html"),
    ),
    (
        "templates/serve/agreement.html",
        include_bytes!("../../templates/serve/agreement.html"),
    ),
    (
        "templates/serve/schedule.html",
        include_bytes!("../../templates/serve/schedule.html"),
    ),
    (
        "templates/serve/report.html",
        include_bytes!("../../templates/serve/report.html"),
    ),
    (
        "templates/serve/check.html",
        include_bytes!("../../templates/serve/check.html"),
    ),
    (
        "templates/serve/compare.html",
        include_bytes!("../../templates/serve/compare.html"),
    ),
    (
        "templates/serve/message.html",
        include_bytes!("../../templates/serve/message.html"),
    ),
    (
        "templates/serve/collect.html",
        include_bytes!("../../templates/serve/collect.html"),
    ),
    (
        "templates/serve/style.css",
        include_bytes!("../../templates/serve/style.css"),
    ),
    (
        "templates/serve/app.js",
        include_bytes!("../../templates/serve/app.js"),
    ),
    (
        "fonts/BIZUDMincho-Regular.ttf",
        include_bytes!("../../fonts/BIZUDMincho-Regular.ttf"),
    ),
    (
        "fonts/BIZUDGothic-Regular.ttf",
        include_bytes!("../../fonts/BIZUDGothic-Regular.ttf"),
    ),
    (
        "fonts/BIZUDGothic-Bold.ttf",
        include_bytes!("../../fonts/BIZUDGothic-Bold.ttf"),
    ),
];

/// The built-in assets, with an optional directory whose files take precedence.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    /// A directory laid out like `templates/` (e.g. `--templates DIR` holds `agreement.j2`).
    templates_dir: Option<PathBuf>,
}

impl Assets {
    pub fn new(templates_dir: Option<&Path>) -> Assets {
        Assets {
            templates_dir: templates_dir.map(Path::to_path_buf),
        }
    }

    /// The asset at `path` (e.g. `templates/agreement.j2`): from the override directory when
    /// it has the file, else built in.
    pub fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        if let (Some(dir), Some(rel)) = (&self.templates_dir, path.strip_prefix("templates/"))
            && let Ok(bytes) = std::fs::read(dir.join(rel))
        {
            return Some(Cow::Owned(bytes));
        }
        builtin(path).map(Cow::Borrowed)
    }

    /// A template's text.
    pub fn text(&self, path: &str) -> Option<String> {
        self.get(path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

/// A built-in asset.
pub fn builtin(path: &str) -> Option<&'static [u8]> {
    ASSETS.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
}

/// The built-in fonts, in table order.
pub fn fonts() -> impl Iterator<Item = (&'static str, &'static [u8])> {
    ASSETS
        .iter()
        .filter(|(p, _)| p.starts_with("fonts/"))
        .copied()
}
