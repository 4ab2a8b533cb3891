//! The transaction file exactly as docs/transaction-file.md spells it, read straight into
//! typed structs (no generic value tree). Values stay raw here (strings for dates and
//! countries, floats for numbers); `validate` checks them and reports every problem at once.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default)]
    pub parties: Vec<RawParty>,
    #[serde(default)]
    pub items: Vec<RawItem>,
    #[serde(default)]
    pub facilities: Vec<RawFacility>,
    pub transactions: Vec<RawTransaction>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawParty {
    #[serde(deserialize_with = "scalar_text")]
    pub id: String,
    #[serde(deserialize_with = "scalar_text")]
    pub name: String,
    pub country: String,
    #[serde(default)]
    pub headquarters: Option<String>,
    #[serde(default)]
    pub owners: Vec<RawOwner>,
    #[serde(default)]
    pub lists: Vec<RawDesignation>,
    /// Extension: whether the party is a distributor (License Exception HBM is not
    /// available to distributors, 15 CFR 740.25(d)(1)).
    #[serde(default)]
    pub distributor: Option<bool>,
    /// Extension: ISO 3166-2 subdivision of the party's location (`UA-43`).
    #[serde(default)]
    pub region: Option<String>,
    /// Extension: reviewers' decisions on screening matches.
    #[serde(default)]
    pub screening: Vec<RawDecision>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawDecision {
    #[serde(deserialize_with = "scalar_text")]
    pub entry: String,
    pub decision: String,
    #[serde(deserialize_with = "scalar_text")]
    pub by: String,
    pub on: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawOwner {
    #[serde(deserialize_with = "scalar_text")]
    pub party: String,
    /// Percent of equity; may be left out when unknown (questions that need it become
    /// indeterminate).
    #[serde(default)]
    pub share: Option<f64>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawDesignation {
    pub list: String,
    #[serde(default)]
    pub since: Option<String>,
    /// Extension: the first day the designation no longer holds (removed or expired).
    #[serde(default)]
    pub until: Option<String>,
    /// Extension: the list entry's identifier, requirement, policy and notice, as the list
    /// publishes them.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub entry: Option<String>,
    #[serde(default)]
    pub license_requirement: Option<String>,
    #[serde(default)]
    pub license_policy: Option<String>,
    #[serde(default)]
    pub federal_register_notice: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    #[serde(deserialize_with = "scalar_text")]
    pub id: String,
    #[serde(deserialize_with = "scalar_text")]
    pub name: String,
    #[serde(default)]
    pub tpp: Option<f64>,
    #[serde(default)]
    pub die_area_mm2: Option<f64>,
    #[serde(default)]
    pub performance_density: Option<f64>,
    #[serde(default)]
    pub interconnect_gbps: Option<f64>,
    #[serde(default)]
    pub memory_bandwidth_gbps: Option<f64>,
    #[serde(default)]
    pub memory_bandwidth_density: Option<f64>,
    #[serde(default)]
    pub datacenter: Option<bool>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub eccn: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    /// Extension: `ic` (default), `computer` (a computer, assembly or component containing
    /// such ICs, ECCN 4A090) or `memory` (an HBM stack or other memory part, 3A090.c).
    #[serde(default)]
    pub form: Option<String>,
    /// Extension: the Harmonized Tariff Schedule code (`8542.31.0000`).
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub hts: Option<String>,
    /// Extension: the company that designed the item: a party id or a company name.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub developer: Option<String>,
    /// Extension: a product of the built-in catalogue (`NVIDIA H20`), whose figures fill in
    /// those the file does not give.
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub model: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFacility {
    #[serde(deserialize_with = "scalar_text")]
    pub id: String,
    #[serde(deserialize_with = "scalar_text")]
    pub name: String,
    pub country: String,
    #[serde(deserialize_with = "scalar_text")]
    pub operator: String,
    /// Extension: ISO 3166-2 subdivision of the facility.
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawTransaction {
    #[serde(deserialize_with = "scalar_text")]
    pub id: String,
    pub kind: String,
    pub date: String,
    #[serde(deserialize_with = "scalar_text")]
    pub item: String,
    #[serde(default)]
    pub quantity: Option<f64>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub from: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub to: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub end_user: Option<String>,
    #[serde(default)]
    pub destination: Option<String>,
    #[serde(default)]
    pub route: Option<Vec<String>>,
    #[serde(default)]
    pub end_use: Option<String>,
    #[serde(default)]
    pub authorizations: Vec<RawAuthorization>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub facility: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub lessor: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub lessee: Option<String>,
    /// Extension: ISO 3166-2 subdivision of the destination (`UA-43`, Crimea).
    #[serde(default)]
    pub region: Option<String>,
    /// Extension: the order this transaction is a line of (transactions sharing it are
    /// summed per order in every report).
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub order: Option<String>,
}

#[derive(Deserialize, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawAuthorization {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub number: Option<String>,
    #[serde(default)]
    pub issued: Option<String>,
    #[serde(default)]
    pub notified: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub confirmation: Option<String>,
    /// Extension: the last day before which the authorization is valid (exclusive).
    #[serde(default)]
    pub expires: Option<String>,
    /// Extension: the scope the authorization states (15 CFR 750.7): item ids, consignee
    /// and end user party ids, destination country, and the units it covers in all.
    #[serde(default)]
    pub items: Option<Vec<ScalarText>>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub consignee: Option<String>,
    #[serde(default, deserialize_with = "opt_scalar_text")]
    pub end_user: Option<String>,
    #[serde(default)]
    pub destination: Option<String>,
    #[serde(default)]
    pub quantity: Option<f64>,
}

/// A list entry read as text (`items: [h100, 1001]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScalarText(pub String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ScalarText, D::Error> {
        scalar_text(d).map(ScalarText)
    }
}

impl RawItem {
    /// The figure the file gives for an attribute (the one place the raw format's figure
    /// fields meet the vocabulary).
    pub fn figure(&self, attr: crate::vocab::NumAttr) -> Option<f64> {
        use crate::vocab::NumAttr::*;
        match attr {
            Tpp => self.tpp,
            DieArea => self.die_area_mm2,
            PerformanceDensity => self.performance_density,
            Interconnect => self.interconnect_gbps,
            MemoryBandwidth => self.memory_bandwidth_gbps,
            MemoryBandwidthDensity => self.memory_bandwidth_density,
        }
    }
}

/// Ids and names written as numbers (`id: 1001`) are read as their text. A visitor (not an
/// untagged enum) so that YAML syntax errors inside the value still reach the user.
fn scalar_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Text;
    impl serde::de::Visitor<'_> for Text {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a single value such as a name or a number")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(Text)
}

fn opt_scalar_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    scalar_text(d).map(Some)
}

/// A facts file (`--facts`): the parties, items and facilities shared by transaction files.
#[derive(Deserialize, Debug, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawFacts {
    #[serde(default)]
    pub parties: Vec<RawParty>,
    #[serde(default)]
    pub items: Vec<RawItem>,
    #[serde(default)]
    pub facilities: Vec<RawFacility>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::format::{self, Record};

    /// The keys serde's derive knows for `T`, read from its unknown-key error.
    fn serde_keys<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let err = serde_yaml::from_str::<T>("__not_a_key__: 1")
            .unwrap_err()
            .to_string();
        let expected = err.split("expected ").nth(1).unwrap_or("");
        let mut keys: Vec<String> = expected
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect();
        keys.sort();
        keys
    }

    fn table_keys(record: &Record) -> Vec<String> {
        let mut keys: Vec<String> = record.names().iter().map(|k| k.to_string()).collect();
        keys.sort();
        keys
    }

    /// The fast path's typed structs read exactly the keys the format's tables declare (which
    /// the complete reading, the CSV columns and the schema are generated from).
    #[test]
    fn the_serde_structs_agree_with_the_format_tables() {
        assert_eq!(serde_keys::<RawFile>(), table_keys(&format::FILE));
        assert_eq!(serde_keys::<RawFacts>(), table_keys(&format::FACTS));
        assert_eq!(serde_keys::<RawParty>(), table_keys(&format::PARTY));
        assert_eq!(serde_keys::<RawOwner>(), table_keys(&format::OWNER));
        assert_eq!(
            serde_keys::<RawDesignation>(),
            table_keys(&format::DESIGNATION)
        );
        assert_eq!(serde_keys::<RawItem>(), table_keys(&format::ITEM));
        assert_eq!(serde_keys::<RawFacility>(), table_keys(&format::FACILITY));
        assert_eq!(
            serde_keys::<RawTransaction>(),
            table_keys(&format::TRANSACTION)
        );
        assert_eq!(
            serde_keys::<RawAuthorization>(),
            table_keys(&format::AUTHORIZATION)
        );
    }
}
