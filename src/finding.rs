//! Findings: what the reader and the guideline checks report, in Japanese, each with the
//! rule it comes from, the cell to fix and a hint. Printed as text for people or as JSON.

use crate::model::{AgreementKey, CellRef};
use serde::{Serialize, Serializer};

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

/// The guideline clause a finding comes from, or `入力` for problems of the cells
/// themselves. Declared in the order findings are listed within one agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// `入力`: the cell itself (a date that is not a date, a missing value, a duplicate).
    Input,
    /// `1(5)`: the city's costs.
    Costs,
    /// `3(1)`: the will to work with the city.
    Will,
    /// `3(2)`: the fields and projects.
    Fields,
    /// `3(3)`: continuing dialogue.
    Dialogue,
    /// `3(4)`: the disqualifications.
    Disqualified,
    /// `3(5)`: the prohibited projects.
    Prohibited,
    /// `5`: the term.
    Term,
    /// `8`: the review of termination.
    Review,
    /// `附則`: the transitional rule.
    Transitional,
    /// `雛形`: the guideline's model text (参考資料3 協定書, 参考資料5 申し合わせ事項) and the
    /// wording agreed in its place (`条文`).
    Model,
}

impl Rule {
    /// As in the JSON contract and the guideline: `3(2)`, `入力`, `附則`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::Input => "入力",
            Rule::Costs => "1(5)",
            Rule::Will => "3(1)",
            Rule::Fields => "3(2)",
            Rule::Dialogue => "3(3)",
            Rule::Disqualified => "3(4)",
            Rule::Prohibited => "3(5)",
            Rule::Term => "5",
            Rule::Review => "8",
            Rule::Transitional => "附則",
            Rule::Model => "雛形",
        }
    }

    /// As printed: `ガイドライン3(2)`, `入力`.
    pub fn label(self) -> String {
        match self {
            Rule::Input => "入力".to_string(),
            Rule::Transitional => "ガイドライン附則".to_string(),
            Rule::Model => "ガイドライン参考資料の雛形".to_string(),
            r => format!("ガイドライン{}", r.code()),
        }
    }

    /// The rules of signing (1(5), 3(1)–3(5)), which 附則2 suspends for agreements signed
    /// before the guideline took effect.
    pub fn of_signing(self) -> bool {
        matches!(
            self,
            Rule::Costs
                | Rule::Will
                | Rule::Fields
                | Rule::Dialogue
                | Rule::Disqualified
                | Rule::Prohibited
        )
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Rule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One finding. Serialised with exactly the keys of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The guideline clause (`3(2)`, `5`, `附則`) or `入力` for input problems.
    pub rule: Rule,
    /// 協定番号, as typed.
    pub agreement: Option<String>,
    /// The 協定番号 as compared, computed once from `agreement`.
    #[serde(skip)]
    pub key: Option<AgreementKey>,
    /// `連携事業!F7`.
    pub cell: Option<String>,
    pub message: String,
    pub hint: String,
}

impl Finding {
    pub fn new(
        severity: Severity,
        rule: Rule,
        agreement: Option<&str>,
        cell: Option<CellRef>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> Finding {
        Finding {
            severity,
            rule,
            agreement: agreement.map(str::to_string),
            key: agreement.map(AgreementKey::of),
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
                f.rule.label(),
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
