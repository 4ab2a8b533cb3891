//! Resource limits: every input that can grow has a documented ceiling, so a hostile file is
//! refused quickly with bounded memory instead of taking the machine down. Defaults suit
//! real books of business with a wide margin; the CLI and the library can change each one.

/// The ceilings applied while loading rules and transaction files.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest file read, in bytes (default 256 MiB).
    pub max_file_bytes: usize,
    /// Deepest YAML flow nesting (`[[[…`), checked before parsing (default 128, serde_yaml's
    /// own recursion limit).
    pub max_yaml_depth: usize,
    /// Most YAML aliases (`*name`) in one file (default 10,000).
    pub max_yaml_aliases: usize,
    /// Most parties in one file (default 2,000,000).
    pub max_parties: usize,
    /// Most ownership edges in one file (default 10,000,000).
    pub max_ownership_edges: usize,
    /// Most items (default 100,000).
    pub max_items: usize,
    /// Most transactions (default 10,000,000).
    pub max_transactions: usize,
    /// Most countries in one route (default 64).
    pub max_route_hops: usize,
    /// Most declarations in one rule file (default 10,000).
    pub max_rule_declarations: usize,
    /// Deepest nesting of a rule condition (default 64).
    pub max_rule_nesting: usize,
    /// Most rule files joined by `include` (default 1,000).
    pub max_rule_files: usize,
    /// Most graph steps one transaction's checks may take before it is refused as
    /// indeterminate (default 1,000,000).
    pub max_steps_per_transaction: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_yaml_depth: 128,
            max_yaml_aliases: 10_000,
            max_parties: 2_000_000,
            max_ownership_edges: 10_000_000,
            max_items: 100_000,
            max_transactions: 10_000_000,
            max_route_hops: 64,
            max_rule_declarations: 10_000,
            max_rule_nesting: 64,
            max_rule_files: 1_000,
            max_steps_per_transaction: 1_000_000,
        }
    }
}
