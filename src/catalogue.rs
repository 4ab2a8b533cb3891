//! The built-in product catalogue (`rules/catalogue.yaml`): the accelerators, memory stacks
//! and servers that matter for 3A090/4A090, each figure with its source and certainty. An
//! item may name a product (`model: NVIDIA H20`, or as people write it: `H20`, `4090D`,
//! `Instinct MI300X`); the figures the file gives win over the catalogue's, and the report
//! says which came from where.
//!
//! Names are matched after folding case and dropping everything but letters and digits, with
//! or without the vendor's name and its product-family words ("GeForce", "Instinct"); only a
//! name that matches no product, or several, is an error.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::vocab::NumAttr;

const TEXT: &str = include_str!("../rules/catalogue.yaml");

/// One figure of a product, with where it comes from.
#[derive(Clone, Debug, Deserialize, serde::Serialize, PartialEq)]
pub struct Figure {
    pub value: f64,
    #[serde(default)]
    pub basis: Option<String>,
    pub source: String,
    /// `datasheet`, `derived`, `estimate`, `reported` or `uncertain`.
    pub certainty: String,
}

/// A product of the catalogue.
#[derive(Clone, Debug, Deserialize)]
pub struct Product {
    pub model: String,
    pub vendor: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub developer: String,
    pub developer_hq: String,
    pub origin: String,
    pub form: String,
    pub datacenter: bool,
    #[serde(default)]
    pub released: Option<String>,
    #[serde(default)]
    pub figures: HashMap<String, Figure>,
    #[serde(default)]
    pub notes: Vec<String>,
}

impl Product {
    /// The catalogue's figure for an attribute, if it has one.
    pub fn figure(&self, attr: NumAttr) -> Option<&Figure> {
        self.figures.get(attr.key())
    }
}

#[derive(Deserialize)]
struct Raw {
    products: Vec<Product>,
}

/// The catalogue, indexed by folded name.
pub struct Catalogue {
    pub products: Vec<Product>,
    /// Folded name → the products it names (more than one: ambiguous).
    names: HashMap<String, Vec<usize>>,
}

/// Why a model name found no single product.
#[derive(Debug)]
pub enum Lookup<'a> {
    Found(&'a Product),
    Unknown { suggestion: Option<&'a str> },
    Ambiguous(Vec<&'a str>),
}

/// Words a name may carry or leave out: vendors and product families.
const OPTIONAL_WORDS: &[&str] = &[
    "nvidia", "amd", "intel", "huawei", "habana", "skhynix", "hynix", "sk", "micron", "geforce",
    "instinct", "ascend",
];

/// Case, spacing and punctuation folded away: "RTX 4090 D", "rtx-4090d" → "rtx4090d".
fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The folded forms a name is known by: as written, and without its optional leading words
/// ("NVIDIA GeForce RTX 4090" → "nvidiageforcertx4090", "geforcertx4090", "rtx4090").
fn forms(name: &str) -> Vec<String> {
    let words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .map(fold)
        .filter(|w| !w.is_empty())
        .collect();
    let mut out = vec![words.concat()];
    let mut start = 0;
    while start + 1 < words.len()
        && words
            .get(start)
            .is_some_and(|w| OPTIONAL_WORDS.contains(&w.as_str()))
    {
        start += 1;
        if let Some(rest) = words.get(start..) {
            out.push(rest.concat());
        }
    }
    out
}

impl Catalogue {
    /// The built-in catalogue (parsed once).
    pub fn builtin() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            // The catalogue is part of the build: tests/catalogue.rs holds it to parse.
            let raw: Raw = serde_yaml::from_str(TEXT).unwrap_or(Raw {
                products: Vec::new(),
            });
            Catalogue::new(raw.products)
        })
    }

    pub fn new(products: Vec<Product>) -> Catalogue {
        let mut names: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, p) in products.iter().enumerate() {
            for n in std::iter::once(&p.model).chain(&p.aliases) {
                for f in forms(n) {
                    let slot = names.entry(f).or_default();
                    if !slot.contains(&i) {
                        slot.push(i);
                    }
                }
            }
        }
        Catalogue { products, names }
    }

    /// The product a name names, as people write it.
    pub fn lookup(&self, name: &str) -> Lookup<'_> {
        for f in forms(name) {
            if let Some(found) = self.names.get(&f) {
                return match found.as_slice() {
                    [one] => match self.products.get(*one) {
                        Some(p) => Lookup::Found(p),
                        None => Lookup::Unknown { suggestion: None },
                    },
                    many => Lookup::Ambiguous(
                        many.iter()
                            .filter_map(|i| self.products.get(*i))
                            .map(|p| p.model.as_str())
                            .collect(),
                    ),
                };
            }
        }
        let all = self.products.iter().flat_map(|p| {
            std::iter::once(p.model.as_str()).chain(p.aliases.iter().map(String::as_str))
        });
        // Suggest the product's model name, whichever of its names came closest.
        let suggestion = crate::diag::did_you_mean(name, all)
            .map(|alias| self.lookup_exact(alias).map_or(alias, |p| p.model.as_str()));
        Lookup::Unknown { suggestion }
    }

    fn lookup_exact(&self, name: &str) -> Option<&Product> {
        let found = self.names.get(&fold(name))?;
        match found.as_slice() {
            [one] => self.products.get(*one),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_parses_and_has_the_products_that_matter() {
        let c = Catalogue::builtin();
        assert!(c.products.len() >= 38);
        for name in [
            "NVIDIA H20",
            "H20",
            "h100",
            "H100 SXM",
            "NVIDIA H100 SXM5",
            "RTX 4090 D",
            "4090D",
            "Instinct MI300X",
            "MI300X",
            "AMD MI308X",
            "Gaudi 3",
            "Ascend 910B",
            "Huawei Ascend 910C",
        ] {
            assert!(
                matches!(c.lookup(name), Lookup::Found(_)),
                "{name}: {:?}",
                c.lookup(name)
            );
        }
        assert!(matches!(c.lookup("H2O"), Lookup::Unknown { .. }));
    }

    /// docs/catalogue.md lists every product, so the page cannot leave one out.
    #[test]
    fn the_catalogue_page_lists_every_product() {
        let page = include_str!("../docs/catalogue.md");
        for p in &Catalogue::builtin().products {
            assert!(
                page.contains(&format!("| {} |", p.model)),
                "docs/catalogue.md does not list {}",
                p.model
            );
        }
    }
}
