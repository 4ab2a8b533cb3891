//! ISO 3166-1 alpha-2 country codes, validated against the `rust_iso3166` tables and stored
//! as a small index so group membership is a table lookup.

use std::fmt;

/// A valid ISO 3166-1 alpha-2 code, stored as `(first - 'A') * 26 + (second - 'A')`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country(u16);

/// Number of possible two-letter codes: the size of per-country tables.
pub const TABLE_SIZE: usize = 26 * 26;

impl Country {
    /// The code if `text` is an assigned ISO 3166-1 alpha-2 code (upper case).
    pub fn parse(text: &str) -> Option<Country> {
        let bytes = text.as_bytes();
        let [a, b] = bytes else { return None };
        if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
            return None;
        }
        rust_iso3166::from_alpha2(text)?;
        Some(Country(u16::from(a - b'A') * 26 + u16::from(b - b'A')))
    }

    pub fn index(self) -> usize {
        usize::from(self.0)
    }

    pub fn code(self) -> [u8; 2] {
        // The index was built from two upper-case letters, so both fit in a byte.
        let hi = u8::try_from(self.0 / 26).unwrap_or(25);
        let lo = u8::try_from(self.0 % 26).unwrap_or(25);
        [b'A' + hi, b'A' + lo]
    }

    /// The English short name from ISO 3166-1.
    pub fn name(self) -> &'static str {
        let code = self.code();
        let text = std::str::from_utf8(&code).unwrap_or("");
        rust_iso3166::from_alpha2(text)
            .map(|c| c.name)
            .unwrap_or("")
    }

    /// What the user probably meant by a string that is not a valid code: an alpha-3 code,
    /// a country name (`China` → `CN`), a lower-case code, or a close spelling of a name.
    pub fn suggest(text: &str) -> Option<&'static str> {
        let trimmed = text.trim();
        let upper = trimmed.to_uppercase();
        if let Some(c) = rust_iso3166::from_alpha2(&upper) {
            return Some(c.alpha2);
        }
        if let Some(c) = rust_iso3166::from_alpha3(&upper) {
            return Some(c.alpha2);
        }
        let lower = trimmed.to_lowercase();
        if let Some((_, code)) = ALIASES.iter().find(|(name, _)| *name == lower) {
            return Some(code);
        }
        let mut best: Option<(f64, &'static str)> = None;
        for c in rust_iso3166::ALL {
            let name = c.name.to_lowercase();
            let score = if name == lower {
                1.0
            } else if name.starts_with(&lower) && lower.len() >= 4 {
                0.95
            } else {
                strsim::jaro_winkler(&lower, &name)
            };
            if score >= 0.85 && best.is_none_or(|(s, _)| score > s) {
                best = Some((score, c.alpha2));
            }
        }
        best.map(|(_, code)| code)
    }
}

/// Common names that the ISO short names spell differently.
const ALIASES: &[(&str, &str)] = &[
    ("china", "CN"),
    ("prc", "CN"),
    ("mainland china", "CN"),
    ("hong kong", "HK"),
    ("macau", "MO"),
    ("taiwan", "TW"),
    ("south korea", "KR"),
    ("korea", "KR"),
    ("north korea", "KP"),
    ("russia", "RU"),
    ("iran", "IR"),
    ("syria", "SY"),
    ("vietnam", "VN"),
    ("laos", "LA"),
    ("uk", "GB"),
    ("united kingdom", "GB"),
    ("britain", "GB"),
    ("usa", "US"),
    ("united states", "US"),
    ("america", "US"),
    ("uae", "AE"),
    ("emirates", "AE"),
    ("burma", "MM"),
    ("turkey", "TR"),
    ("czechia", "CZ"),
    ("venezuela", "VE"),
    ("bolivia", "BO"),
    ("moldova", "MD"),
    ("tanzania", "TZ"),
];

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code();
        f.write_str(std::str::from_utf8(&code).unwrap_or("??"))
    }
}

impl serde::Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A set of countries as a bitset over [`TABLE_SIZE`] codes: union and intersection in a few
/// word operations.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CountrySet([u64; 11]);

impl fmt::Debug for CountrySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

impl CountrySet {
    pub const EMPTY: CountrySet = CountrySet([0; 11]);

    pub fn insert(&mut self, c: Country) {
        let i = c.index();
        if let Some(word) = self.0.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    pub fn remove(&mut self, c: Country) {
        let i = c.index();
        if let Some(word) = self.0.get_mut(i / 64) {
            *word &= !(1 << (i % 64));
        }
    }

    pub fn contains(&self, c: Country) -> bool {
        let i = c.index();
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub fn union_with(&mut self, other: &CountrySet) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a |= b;
        }
    }

    pub fn intersects(&self, other: &CountrySet) -> bool {
        self.0.iter().zip(other.0.iter()).any(|(a, b)| a & b != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }

    pub fn iter(&self) -> impl Iterator<Item = Country> + '_ {
        (0..TABLE_SIZE)
            .filter_map(|i| u16::try_from(i).ok())
            .map(Country)
            .filter(|c| self.contains(*c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_codes_only() {
        assert_eq!(
            Country::parse("CN").map(|c| c.to_string()),
            Some("CN".into())
        );
        assert!(Country::parse("XX").is_none());
        assert!(Country::parse("cn").is_none());
        assert!(Country::parse("CHN").is_none());
        assert_eq!(Country::parse("MO").map(|c| c.name()), Some("Macao"));
    }

    #[test]
    fn suggests_codes_for_names() {
        assert_eq!(Country::suggest("China"), Some("CN"));
        assert_eq!(Country::suggest("CHN"), Some("CN"));
        assert_eq!(Country::suggest("sg"), Some("SG"));
        assert_eq!(Country::suggest("Malaysia"), Some("MY"));
        assert_eq!(Country::suggest("Singapor"), Some("SG"));
        assert_eq!(Country::suggest("zzzzzz"), None);
    }

    #[test]
    fn sets() {
        let mut s = CountrySet::EMPTY;
        let cn = Country::parse("CN").unwrap();
        let zw = Country::parse("ZW").unwrap();
        s.insert(cn);
        s.insert(zw);
        assert!(s.contains(cn) && s.contains(zw));
        assert_eq!(s.iter().count(), 2);
    }
}
