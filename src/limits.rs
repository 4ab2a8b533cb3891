//! Resource limits: every input that can grow has a documented ceiling, so a hostile file is
//! refused quickly with bounded memory instead of taking the machine down. Defaults suit
//! real books of business with a wide margin; the CLI (`--max-…` flags of the same names)
//! and the library (fields of [`Limits`]) can change each one. `docs/reliability.md` lists
//! them with the error each one gives.

use std::cell::Cell;

/// The ceilings applied while loading rules and transaction files and while checking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read, rule file or transaction file, in bytes (default 256 MiB).
    pub max_file_bytes: usize,
    /// Deepest YAML flow nesting (`[[[…`, `{{{…`), and block nesting written on one line
    /// (`- - - …`), checked by a linear scan before parsing (default 128, serde_yaml's own
    /// recursion limit).
    pub max_yaml_depth: usize,
    /// Most YAML aliases (`*name`) in one file (default 10,000).
    pub max_yaml_aliases: usize,
    /// Most YAML values (scalars, collections and their entries) in one file, counted by the
    /// same scan (default 10,000,000). serde_yaml holds every one in memory before reading
    /// the file (about 130 bytes each), so this bounds the memory a file can take (about
    /// 1.3 GB); a realistic file has one value per 7 bytes or so (70 MB at the default).
    pub max_yaml_nodes: usize,
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
    /// Deepest nesting of a rule condition (default 64): brackets, `not`, and the defines
    /// and exceptions a condition uses each count one level, along the deepest path.
    pub max_rule_nesting: usize,
    /// Most tests in one condition once its defines are expanded (default 10,000): a chain
    /// of defines that each use the previous one twice doubles at every link.
    pub max_rule_tests: usize,
    /// Most rule files joined by `include` (default 1,000).
    pub max_rule_files: usize,
    /// Most dated group memberships across a rule set (default 100,000), counted after nested
    /// groups are expanded and a country's overlapping windows merged: every group that
    /// includes another holds a copy of its members, and each membership is a date the
    /// group's table of members by date must cover.
    pub max_group_members: usize,
    /// Most evaluation steps (tests evaluated, owners and ownership edges walked) that
    /// checking one transaction may take, explanations included (default 1,000,000).
    pub max_steps_per_transaction: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_yaml_depth: 128,
            max_yaml_aliases: 10_000,
            max_yaml_nodes: 10_000_000,
            max_parties: 2_000_000,
            max_ownership_edges: 10_000_000,
            max_items: 100_000,
            max_transactions: 10_000_000,
            max_route_hops: 64,
            max_rule_declarations: 10_000,
            max_rule_nesting: 64,
            max_rule_tests: 10_000,
            max_rule_files: 1_000,
            max_group_members: 100_000,
            max_steps_per_transaction: 1_000_000,
        }
    }
}

/// The evaluation work left for one transaction. Shared by reference through a check; once
/// spent, every further question answers "unknown" at once and the check reports the limit.
#[derive(Debug)]
pub struct Budget {
    used: Cell<u64>,
    max: u64,
}

impl Budget {
    pub fn new(max: u64) -> Budget {
        Budget {
            used: Cell::new(0),
            max,
        }
    }

    /// A budget that never runs out (classifying items, which is bounded by the rules).
    pub fn unlimited() -> Budget {
        Budget::new(u64::MAX)
    }

    /// Spends `steps`; false once the budget is exceeded.
    pub fn spend(&self, steps: u64) -> bool {
        let used = self.used.get().saturating_add(steps);
        self.used.set(used);
        used <= self.max
    }

    pub fn exhausted(&self) -> bool {
        self.used.get() > self.max
    }

    pub fn used(&self) -> u64 {
        self.used.get()
    }

    pub fn max(&self) -> u64 {
        self.max
    }
}
