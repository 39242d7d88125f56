//! The library's typed errors, every message in Japanese with what to do. `anyhow` is used
//! only in `main.rs`.

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
    /// The file would be overwritten.
    #[error(
        "{0} は既に存在します。上書きしません（別のファイル名を指定するか、置き換えてよければ --force を付けてください）"
    )]
    Exists(PathBuf),
    /// The file is an input of the command (the register being read).
    #[error(
        "{0} は読み込んでいる台帳です。台帳には書き込みません。出力には別のファイル名を指定してください"
    )]
    WouldOverwriteInput(PathBuf),
    /// A symbolic link inside the output folder: following it could write elsewhere.
    #[error(
        "{0} はリンク（シンボリックリンク）です。出力フォルダの外に書かないよう、リンクの先には書き込みません。リンクを消すか、別の出力先を指定してください"
    )]
    Link(PathBuf),
    /// The output folder named is a file (or another non-folder).
    #[error(
        "{0} はフォルダではありません（ファイルがあります）。出力先にはフォルダを指定してください"
    )]
    NotAFolder(PathBuf),
    /// A single-file output that is not a regular file (a device node, a FIFO, a socket, or a
    /// link to one): never opened to compare, never replaced, even with `--force`.
    #[error(
        "{0} は通常のファイルではありません（デバイス・FIFO・ソケット、またはそれへのリンクです）。読み込みも置き換えもしません（--force でも同じです）。出力には新しいファイル名か、通常のファイルを指定してください"
    )]
    NotAFile(PathBuf),
    /// Another kyotei writes into the same output folder and did not finish in time.
    /// `holder` names it (「別の kyotei（プロセス 1234、kyotei render、… から）」).
    #[error(
        "出力先 {} は{holder}が書き込み中です。待ちましたが終わりませんでした。その処理が終わってからやり直すか、別の出力先を指定してください",
        .dir.display()
    )]
    Busy { dir: PathBuf, holder: String },
    /// A Word document handed to `kyotei compare` could not be read (exit status 2).
    #[error("文書を読み込めません: {path}: {reason}")]
    Document { path: PathBuf, reason: String },
    /// `kyotei compare` cannot tell what to compare the document with (exit status 2).
    #[error("{0}")]
    Compare(String),
    /// `serve` could not start (the address is taken, no randomness for a token…).
    #[error("ページを開始できません: {0}")]
    Serve(String),
    /// What a command was doing when an error stopped it (`… から書類を作成できませんでした`).
    #[error("{what}: {error}")]
    During { what: String, error: Box<Error> },
    /// A file could not be read or written. The OS error is translated ([`io_message`]) and
    /// deliberately not a `source`, so that it is not printed a second time in English.
    #[error("{}: {}", .path.display(), io_message(.error))]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A reply of `kyotei collect` could not be read as a filled form (exit status 2).
    #[error("回答を読み込めません: {}: {reason}", .path.display())]
    Reply { path: PathBuf, reason: String },
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The error, saying what was being done.
    pub fn during(self, what: impl Into<String>) -> Error {
        Error::During {
            what: what.into(),
            error: Box::new(self),
        }
    }

    /// The findings of a structural problem, however deep in [`Error::During`].
    pub fn findings(&self) -> Option<&[Finding]> {
        match self {
            Error::Structure(f) => Some(f),
            Error::During { error, .. } => error.findings(),
            _ => None,
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            error: source,
        }
    }
}

/// ELOOP on Linux (std has no stable kind for it).
const ELOOP: i32 = 40;

/// An operating-system error in Japanese, with what to do about it.
pub fn io_message(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "ファイルまたはフォルダがありません。名前と場所を確かめてください".into(),
        K::PermissionDenied => {
            "書き込み（読み込み）の権限がありません。別の場所を指定するか、権限を確かめてください"
                .into()
        }
        K::AlreadyExists => "既に存在します".into(),
        K::NotADirectory => {
            "途中にフォルダではなくファイルがあります。出力先のフォルダを確かめてください".into()
        }
        K::IsADirectory => "フォルダです。ファイルの名前を指定してください".into(),
        K::ReadOnlyFilesystem => "読み取り専用の場所です。別の出力先を指定してください".into(),
        K::StorageFull => "ディスクの空きがありません。空きを作ってからやり直してください".into(),
        K::DirectoryNotEmpty => "フォルダが空ではありません".into(),
        // ENAMETOOLONG (and a name the file system does not take).
        K::InvalidFilename => {
            "ファイル名かフォルダ名が長すぎるか、この場所では使えない名前です。短い名前にしてください（1つの名前は多くの場所で 255 バイト、漢字なら 85 文字まで）"
                .into()
        }
        K::QuotaExceeded => {
            "使える容量（クォータ）を超えました。不要なファイルを消すか、別の出力先を指定してください"
                .into()
        }
        K::FileTooLarge => "ファイルが大きすぎて、この場所には書けません。別の出力先を指定してください".into(),
        K::ResourceBusy => {
            "ファイルかフォルダが使用中です。開いているアプリを閉じてから、やり直してください".into()
        }
        K::TooManyLinks => "リンクが多すぎます。別の出力先を指定してください".into(),
        K::CrossesDevices => {
            "別のディスクをまたいで移動できません。出力先を同じディスクの中にしてください".into()
        }
        K::InvalidData => {
            let inner = e.get_ref().map(|i| i.to_string()).unwrap_or_default();
            if inner.is_empty() {
                "内容を読み取れません".into()
            } else {
                inner
            }
        }
        // ELOOP: links that lead in a circle (or too many links in a row).
        _ if e.raw_os_error() == Some(ELOOP) => {
            "リンクが循環しているか、リンクが何重にもなっていて、たどれません。リンクを確かめるか、別の場所を指定してください".into()
        }
        _ => format!(
            "ファイルを読み書きできませんでした（{}）",
            e.raw_os_error()
                .map(|c| format!("OS のエラー {c}"))
                .unwrap_or_else(|| "原因不明".into())
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_are_japanese_and_say_what_to_do() {
        // ENAMETOOLONG, EDQUOT, EBUSY, EROFS, ENOSPC, EACCES, ELOOP on Linux.
        for (code, part) in [
            (36, "長すぎる"),
            (122, "容量"),
            (16, "使用中"),
            (30, "読み取り専用"),
            (28, "ディスクの空き"),
            (13, "権限"),
            (40, "リンク"),
        ] {
            let m = io_message(&std::io::Error::from_raw_os_error(code));
            assert!(m.contains(part), "{code}: {m}");
            assert!(!m.contains("OS のエラー"), "{code}: {m}");
        }
        // A real over-long name.
        let dir = std::env::temp_dir().join("あ".repeat(100));
        let e = std::fs::create_dir(&dir).unwrap_err();
        assert!(io_message(&e).contains("短い名前にしてください"), "{e}");
    }
}
