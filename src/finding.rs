//! Findings: what the reader and the guideline checks report, in Japanese, each with the
//! rule it comes from, the cell to fix and a hint. Printed as text for people or as JSON.

use crate::model::CellRef;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "エラー",
            Severity::Warning => "警告",
            Severity::Info => "情報",
        }
    }
}

/// One finding. Serialised with exactly the keys of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The guideline clause (`3(2)`, `5`, `附則`) or `入力` for input problems.
    pub rule: String,
    /// 協定番号, as typed.
    pub agreement: Option<String>,
    /// `連携事業!F7`.
    pub cell: Option<String>,
    pub message: String,
    pub hint: String,
}

impl Finding {
    pub fn new(
        severity: Severity,
        rule: &str,
        agreement: Option<&str>,
        cell: Option<CellRef>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            rule: rule.to_string(),
            agreement: agreement.map(str::to_string),
            cell: cell.map(|c| c.to_string()),
            message: message.into(),
            hint: hint.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Whether any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(Finding::is_error)
}

/// Findings as a JSON array (the `--format json` contract).
pub fn to_json(findings: &[Finding]) -> String {
    serde_json::to_string_pretty(findings).expect("findings serialise")
}

/// Findings as text for people: grouped by agreement (register-wide findings first), one line
/// per finding with its cell and rule, and a closing count.
pub fn to_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    let mut groups: Vec<(Option<&str>, Vec<&Finding>)> = Vec::new();
    for f in findings {
        let key = f.agreement.as_deref();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(f),
            None => groups.push((key, vec![f])),
        }
    }
    groups.sort_by_key(|(k, _)| k.is_some());
    for (key, list) in &groups {
        match key {
            Some(id) => out.push_str(&format!("■ 協定 {id}\n")),
            None => out.push_str("■ 台帳全体\n"),
        }
        for f in list {
            let cell = f.cell.as_deref().unwrap_or("-");
            out.push_str(&format!(
                "  [{}] {} （{}）{}\n",
                f.severity.label(),
                cell,
                rule_label(&f.rule),
                f.message
            ));
            if !f.hint.is_empty() {
                out.push_str(&format!("      → {}\n", f.hint));
            }
        }
    }
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    out.push_str(&format!(
        "エラー {} 件、警告 {} 件、情報 {} 件\n",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    ));
    out
}

/// The rule as printed: `ガイドライン3(2)`, `入力`.
pub fn rule_label(rule: &str) -> String {
    match rule {
        "入力" => "入力".to_string(),
        "附則" => "ガイドライン附則".to_string(),
        r => format!("ガイドライン{r}"),
    }
}
