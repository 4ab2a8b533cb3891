//! Rego via `regorus`, both its tree-walking interpreter and its bytecode VM (RVM).
//!
//! The data document is what a Rego author would load: `owners` maps every party to its owners
//! holding 50% or more (the share filter is applied when the document is written, as it is for
//! Cedar's parents), `hq` maps parties to countries, `items` holds the item figures. The policy
//! walks the chain itself with `graph.reachable`, per request, which is cycle-safe.

use std::collections::BTreeMap;

use regorus::languages::rego::compiler::Compiler;
use regorus::rvm::RegoVM;
use regorus::{Engine as RegoEngine, Rc, Value};

use super::Engine;
use crate::data::{Request, Verdict, World, D5};

const ENTRY_POINT: &str = "data.chipgate.deny";

fn policy() -> String {
    let d5: Vec<String> = D5.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        r#"package chipgate

import rego.v1

d5 := {{{}}}

default deny := false

deny if {{
	not input.licensed
	covered_item
	chain_in_d5
}}

covered_item if data.items[input.item].tpp >= 4800

covered_item if {{
	item := data.items[input.item]
	item.tpp >= 1600
	item.performance_density >= 5.92
}}

# The recipient and everyone reachable over >= 50% ownership edges.
chain_in_d5 if {{
	some party in graph.reachable(data.owners, [input.recipient])
	data.hq[party] in d5
}}
"#,
        d5.join(", ")
    )
}

/// Ids as Rego strings, built once so that a request only clones reference-counted strings.
struct Ids {
    parties: Vec<Value>,
    items: Vec<Value>,
}

impl Ids {
    fn new(world: &World) -> Self {
        Ids {
            parties: (0..world.parties.len())
                .map(|i| Value::from(format!("p{i}")))
                .collect(),
            items: (0..world.items.len())
                .map(|i| Value::from(format!("i{i}")))
                .collect(),
        }
    }

    fn input(&self, r: &Request) -> Result<Value, String> {
        let recipient = self
            .parties
            .get(r.recipient as usize)
            .ok_or("unknown party")?;
        let item = self.items.get(r.item as usize).ok_or("unknown item")?;
        Ok(Value::from(BTreeMap::from([
            (Value::from("recipient"), recipient.clone()),
            (Value::from("item"), item.clone()),
            (Value::from("licensed"), Value::from(r.licensed)),
        ])))
    }

    /// The `data` document: `owners`, `hq` and `items`.
    fn data(&self, world: &World) -> Value {
        let owners = world.controlling_owners();
        let owners: BTreeMap<Value, Value> = owners
            .iter()
            .zip(&self.parties)
            .map(|(os, id)| {
                let os: Vec<Value> = os
                    .iter()
                    .map(|&o| self.parties[o as usize].clone())
                    .collect();
                (id.clone(), Value::from(os))
            })
            .collect();
        let hq: BTreeMap<Value, Value> = world
            .parties
            .iter()
            .zip(&self.parties)
            .map(|(p, id)| (id.clone(), Value::from(p.hq)))
            .collect();
        let items: BTreeMap<Value, Value> = world
            .items
            .iter()
            .zip(&self.items)
            .map(|(item, id)| {
                let fields = BTreeMap::from([
                    (Value::from("tpp"), Value::from(item.tpp.to_f64())),
                    (
                        Value::from("performance_density"),
                        Value::from(item.performance_density.to_f64()),
                    ),
                ]);
                (id.clone(), Value::from(fields))
            })
            .collect();
        Value::from(BTreeMap::from([
            (Value::from("owners"), Value::from(owners)),
            (Value::from("hq"), Value::from(hq)),
            (Value::from("items"), Value::from(items)),
        ]))
    }
}

fn verdict(v: &Value) -> Result<Verdict, String> {
    match v {
        Value::Bool(true) => Ok(Verdict::Deny),
        Value::Bool(false) => Ok(Verdict::Allow),
        other => Err(format!("rego: `deny` is {other}, not a boolean")),
    }
}

fn engine_with_policy() -> Result<RegoEngine, String> {
    let mut engine = RegoEngine::new();
    engine
        .add_policy("chipgate.rego".to_string(), policy())
        .map_err(|e| format!("rego policy: {e}"))?;
    Ok(engine)
}

/// regorus's interpreter: `Engine::set_input` + `Engine::eval_rule` per request.
pub struct RegoInterpreter {
    engine: RegoEngine,
    ids: Ids,
}

impl Engine for RegoInterpreter {
    const NAME: &'static str = "regorus-interpreter";

    fn build(world: &World) -> Result<Self, String> {
        let ids = Ids::new(world);
        let mut engine = engine_with_policy()?;
        engine
            .add_data(ids.data(world))
            .map_err(|e| format!("rego data: {e}"))?;
        Ok(RegoInterpreter { engine, ids })
    }

    fn check(&mut self, r: &Request) -> Result<Verdict, String> {
        self.engine.set_input(self.ids.input(r)?);
        let v = self
            .engine
            .eval_rule(ENTRY_POINT.to_string())
            .map_err(|e| format!("rego evaluation: {e}"))?;
        verdict(&v)
    }
}

/// regorus's bytecode VM: the policy is compiled to an RVM program once;
/// `RegoVM::set_input` + `RegoVM::execute` per request.
pub struct RegoVm {
    vm: RegoVM,
    ids: Ids,
}

impl Engine for RegoVm {
    const NAME: &'static str = "regorus-rvm";

    fn build(world: &World) -> Result<Self, String> {
        let ids = Ids::new(world);
        let mut engine = engine_with_policy()?;
        let entry: Rc<str> = ENTRY_POINT.into();
        let compiled = engine
            .compile_with_entrypoint(&entry)
            .map_err(|e| format!("rego compile: {e}"))?;
        let program = Compiler::compile_from_policy(&compiled, &[ENTRY_POINT])
            .map_err(|e| format!("rvm compile: {e}"))?;
        let mut vm = RegoVM::new();
        vm.load_program(program);
        vm.set_data(ids.data(world))
            .map_err(|e| format!("rvm data: {e}"))?;
        Ok(RegoVm { vm, ids })
    }

    fn check(&mut self, r: &Request) -> Result<Verdict, String> {
        self.vm.set_input(self.ids.input(r)?);
        let v = self
            .vm
            .execute()
            .map_err(|e| format!("rvm evaluation: {e}"))?;
        verdict(&v)
    }
}
