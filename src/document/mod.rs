//! Stage 4, documents: the register turned into the document IR, the one model every writer
//! renders.
//!
//! - [`ir`]: the IR (blocks and spans, the "variable" mark) and its walk.
//! - [`build`]: each document's template context, from the register and the profile.
//! - [`markup`]: the only user of minijinja; renders `templates/*.j2` into the IR through a
//!   line markup, so no register value can change the markup.
//! - [`assets`]: the built-in `(path, bytes)` table (templates, layout, fonts, profile),
//!   overridable from `--templates DIR`.

pub mod assets;
pub mod build;
pub mod clauses;
pub mod ir;
pub mod markup;
