//! The doctor's report: the findings of one node, in the order checked.

use super::{Check, Finding, Severity};

/// All findings.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// In the order checked, grouped by section.
    pub findings: Vec<Finding>,
}

impl Report {
    /// How many findings have this severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    pub(crate) fn push(
        &mut self,
        severity: Severity,
        check: Check,
        section: &'static str,
        message: impl Into<String>,
        fix: Option<&str>,
    ) {
        self.findings.push(Finding {
            severity,
            check,
            section,
            message: message.into(),
            fix: fix.map(str::to_owned),
        });
    }
}
