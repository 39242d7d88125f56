//! The library's typed errors. `anyhow` is used only in `main.rs`.

use crate::finding::Finding;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The workbook could not be opened or read as a register (exit status 2).
    #[error("台帳を読み込めません: {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    /// The workbook was read but its structure is unusable (missing sheet or column, a
    /// cell beyond the limits…); the findings say where (exit status 2).
    #[error("台帳の形式に問題があります（{} 件）", .0.len())]
    Structure(Vec<Finding>),
    /// A guideline profile could not be loaded.
    #[error("ガイドライン設定を読み込めません: {0}")]
    Profile(String),
    /// A template failed to render or produced invalid markup.
    #[error("テンプレート {name}: {reason}")]
    Template { name: String, reason: String },
    /// A writer failed (DOCX, PDF, XLSX).
    #[error("{format} の作成に失敗しました: {reason}")]
    Writer {
        format: &'static str,
        reason: String,
    },
    /// A character no loaded font has.
    #[error("{cell}: 「{ch}」(U+{code:04X}) を表示できるフォントがありません")]
    MissingGlyph { cell: String, ch: char, code: u32 },
    /// The file would be overwritten.
    #[error("{0} は既に存在します。上書きしません")]
    Exists(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
