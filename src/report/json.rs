//! The JSON report of CONTRACT.md: stable keys `transactions[].id`, `.verdict`,
//! `.findings[].rule`, `.outcome` and `.citation`; the rest may grow.

use super::Report;

pub fn render(report: &Report<'_>) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
