//! Cedar (`cedar-policy`): parties are entities whose parents are their >= 50% owners and their
//! headquarters country; D:5 countries have the parent `CountryGroup::"D:5"`. So
//! `principal in CountryGroup::"D:5"` walks the whole chain, and Cedar's entity store answers it
//! from the transitive closure it computes at build time.
//!
//! Cedar rejects cycles in the entity hierarchy, so build first condenses each ownership cycle
//! (strongly connected component) into one `OwnershipCycle` entity: its members have it as their
//! only parent, and it carries the members' countries and outside owners as its parents.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;

use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
    PolicySet, Request, RestrictedExpression,
};

use super::Engine;
use crate::data::{self, is_d5, Verdict, World};
use crate::graph::strongly_connected;

pub const POLICY: &str = r#"
permit (principal, action, resource);

forbid (principal in CountryGroup::"D:5", action == Action::"transfer", resource)
when {
  resource.tpp.greaterThanOrEqual(decimal("4800.0")) ||
  (resource.tpp.greaterThanOrEqual(decimal("1600.0")) &&
   resource.performance_density.greaterThanOrEqual(decimal("5.92")))
}
unless { context.licensed };
"#;

pub struct Cedar {
    authorizer: Authorizer,
    policies: PolicySet,
    entities: Entities,
    parties: Vec<EntityUid>,
    items: Vec<EntityUid>,
    action: EntityUid,
}

fn uid(type_name: &str, id: &str) -> EntityUid {
    let type_name = EntityTypeName::from_str(type_name).expect("entity type names are constants");
    EntityUid::from_type_name_and_id(type_name, EntityId::new(id))
}

impl Engine for Cedar {
    const NAME: &'static str = "cedar";

    fn build(world: &World) -> Result<Self, String> {
        let policies = PolicySet::from_str(POLICY).map_err(|e| format!("cedar policy: {e}"))?;
        let group = uid("CountryGroup", "D:5");
        let country = |code: &str| uid("Country", code);
        let parties: Vec<EntityUid> = (0..world.parties.len())
            .map(|i| uid("Party", &format!("p{i}")))
            .collect();

        let owners = world.controlling_owners();
        let component = strongly_connected(&owners);
        let mut entities = Vec::with_capacity(parties.len() + 64);
        // Countries: D:5 members sit under the group.
        let mut countries: Vec<&str> = world.parties.iter().map(|p| p.hq).collect();
        countries.sort_unstable();
        countries.dedup();
        entities.push(Entity::new_no_attrs(group.clone(), HashSet::new()));
        for code in countries {
            let parents = if is_d5(code) {
                HashSet::from([group.clone()])
            } else {
                HashSet::new()
            };
            entities.push(Entity::new_no_attrs(country(code), parents));
        }
        // Parties outside cycles: parents are their owners and their country.
        // Parties in a cycle: their cycle entity, which collects the members' parents.
        let mut cycles: HashMap<u32, HashSet<EntityUid>> = HashMap::new();
        for (p, party) in world.parties.iter().enumerate() {
            let mut parents: HashSet<EntityUid> = owners[p]
                .iter()
                .filter(|&&o| component.of[o as usize] != component.of[p])
                .map(|&o| parties[o as usize].clone())
                .collect();
            parents.insert(country(party.hq));
            let c = component.of[p];
            if component.size[c as usize] > 1 {
                cycles.entry(c).or_default().extend(parents);
                parents = HashSet::from([uid("OwnershipCycle", &c.to_string())]);
            }
            entities.push(Entity::new_no_attrs(parties[p].clone(), parents));
        }
        for (c, parents) in cycles {
            entities.push(Entity::new_no_attrs(
                uid("OwnershipCycle", &c.to_string()),
                parents,
            ));
        }
        // Items carry their figures as Cedar decimals.
        let items: Vec<EntityUid> = (0..world.items.len())
            .map(|i| uid("Item", &format!("i{i}")))
            .collect();
        for (item, id) in world.items.iter().zip(&items) {
            let attrs = HashMap::from([
                ("tpp".to_string(), decimal(item.tpp)),
                (
                    "performance_density".to_string(),
                    decimal(item.performance_density),
                ),
            ]);
            let entity = Entity::new(id.clone(), attrs, HashSet::new())
                .map_err(|e| format!("cedar item entity: {e}"))?;
            entities.push(entity);
        }
        let entities =
            Entities::from_entities(entities, None).map_err(|e| format!("cedar entities: {e}"))?;
        Ok(Cedar {
            authorizer: Authorizer::new(),
            policies,
            entities,
            parties,
            items,
            action: uid("Action", "transfer"),
        })
    }

    fn check(&mut self, r: &data::Request) -> Result<Verdict, String> {
        let principal = self
            .parties
            .get(r.recipient as usize)
            .ok_or("unknown party")?;
        let resource = self.items.get(r.item as usize).ok_or("unknown item")?;
        let context = Context::from_pairs([(
            "licensed".to_string(),
            RestrictedExpression::new_bool(r.licensed),
        )])
        .map_err(|e| format!("cedar context: {e}"))?;
        let request = Request::new(
            principal.clone(),
            self.action.clone(),
            resource.clone(),
            context,
            None,
        )
        .map_err(|e| format!("cedar request: {e}"))?;
        let response = self
            .authorizer
            .is_authorized(&request, &self.policies, &self.entities);
        if let Some(error) = response.diagnostics().errors().next() {
            return Err(format!("cedar evaluation: {error}"));
        }
        Ok(match response.decision() {
            Decision::Allow => Verdict::Allow,
            Decision::Deny => Verdict::Deny,
        })
    }
}

fn decimal(x: data::Fixed4) -> RestrictedExpression {
    RestrictedExpression::new_decimal(x.to_decimal_string())
}
