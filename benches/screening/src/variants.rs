//! Name variants, made the way people and systems garble names: case, legal forms dropped
//! or changed, words swapped, typos, spacing, Chinese script. Each takes an entry and a
//! seeded generator and says `None` when it does not apply to that entry.

use crate::gen::{Family, Rng, Synth};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    Exact,
    Upper,
    LegalDropped,
    LegalChanged,
    WordsSwapped,
    OneTypo,
    TwoTyposLong,
    MissingSpace,
    ExtraSpace,
    Hanzi,
    Traditional,
    Alias,
}

pub const ALL: &[Variant] = &[
    Variant::Exact,
    Variant::Upper,
    Variant::LegalDropped,
    Variant::LegalChanged,
    Variant::WordsSwapped,
    Variant::OneTypo,
    Variant::TwoTyposLong,
    Variant::MissingSpace,
    Variant::ExtraSpace,
    Variant::Hanzi,
    Variant::Traditional,
    Variant::Alias,
];

impl Variant {
    pub fn label(self) -> &'static str {
        match self {
            Variant::Exact => "exact",
            Variant::Upper => "upper-cased",
            Variant::LegalDropped => "legal form dropped",
            Variant::LegalChanged => "legal form changed",
            Variant::WordsSwapped => "two words swapped",
            Variant::OneTypo => "one typo",
            Variant::TwoTyposLong => "two typos (name ≥ 20 chars)",
            Variant::MissingSpace => "missing space",
            Variant::ExtraSpace => "extra space",
            Variant::Hanzi => "hanzi for a romanized name",
            Variant::Traditional => "traditional hanzi",
            Variant::Alias => "an alias, exact",
        }
    }
}

const OTHER_LEGAL: &[&str] = &[
    "Co., Ltd.",
    "Limited",
    "LLC",
    "GmbH",
    "Inc.",
    "Corp.",
    "Pte. Ltd.",
    "Company Limited",
    "S.A.",
    "JSC",
    "Sdn. Bhd.",
    "FZE",
    "Corporation",
    "Ltd",
];

const PREFIX_LEGAL: &[&str] = &["OOO", "AO", "JSC", "PJSC", "ZAO", "OAO", "TOO"];

fn with_legal(s: &Synth, core: &str, legal: &str) -> String {
    if legal.is_empty() {
        core.to_string()
    } else if s.legal_first {
        format!("{legal} {core}")
    } else {
        format!("{core} {legal}")
    }
}

/// One typo at a random letter of `text`: a substitution, deletion, insertion or
/// transposition.
pub fn typo(text: &str, rng: &mut Rng, avoid: &[usize]) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|i| chars[*i].is_ascii_alphabetic() && !avoid.contains(i))
        .collect();
    if letters.is_empty() {
        return (text.to_string(), 0);
    }
    let at = letters[rng.below(letters.len())];
    let mut out = chars.clone();
    let random_letter = |rng: &mut Rng, like: char| {
        let c = (b'a' + rng.below(26) as u8) as char;
        if like.is_ascii_uppercase() {
            c.to_ascii_uppercase()
        } else {
            c
        }
    };
    match rng.below(4) {
        0 => {
            let mut c = random_letter(rng, chars[at]);
            while c.eq_ignore_ascii_case(&chars[at]) {
                c = random_letter(rng, chars[at]);
            }
            out[at] = c;
        }
        1 => {
            out.remove(at);
        }
        2 => {
            let c = random_letter(rng, chars[at]);
            out.insert(at + 1, c.to_ascii_lowercase());
        }
        _ => {
            if at + 1 < chars.len()
                && chars[at + 1].is_ascii_alphabetic()
                && chars[at + 1] != chars[at]
            {
                out.swap(at, at + 1);
            } else {
                out.remove(at);
            }
        }
    }
    (out.into_iter().collect(), at)
}

/// The variant of an entry's name, or `None` if it does not apply.
pub fn make(v: Variant, s: &Synth, rng: &mut Rng) -> Option<String> {
    let words: Vec<&str> = s.core.split(' ').collect();
    match v {
        Variant::Exact => Some(s.name.clone()),
        Variant::Upper => Some(s.name.to_uppercase()),
        Variant::LegalDropped => (!s.legal.is_empty()).then(|| s.core.clone()),
        Variant::LegalChanged => {
            if s.legal.is_empty() {
                return None;
            }
            // A form that stands first (OOO, AO) is changed for another one that does;
            // the others are written last.
            let pool = if s.legal_first {
                PREFIX_LEGAL
            } else {
                OTHER_LEGAL
            };
            let mut other = *rng.pick(pool);
            while other == s.legal {
                other = *rng.pick(pool);
            }
            Some(with_legal(s, &s.core, other))
        }
        Variant::WordsSwapped => {
            if words.len() < 2 {
                return None;
            }
            let i = rng.below(words.len() - 1);
            let mut w = words.clone();
            w.swap(i, i + 1);
            Some(with_legal(s, &w.join(" "), &s.legal))
        }
        Variant::OneTypo => Some(with_legal(s, &typo(&s.core, rng, &[]).0, &s.legal)),
        Variant::TwoTyposLong => {
            if s.core.chars().count() < 20 {
                return None;
            }
            let (once, at) = typo(&s.core, rng, &[]);
            let avoid: Vec<usize> = (at.saturating_sub(1)..=at + 1).collect();
            let (twice, _) = typo(&once, rng, &avoid);
            Some(with_legal(s, &twice, &s.legal))
        }
        Variant::MissingSpace => {
            if words.len() < 2 {
                return None;
            }
            let i = rng.below(words.len() - 1);
            let mut out = String::new();
            for (k, w) in words.iter().enumerate() {
                if k > 0 && k != i + 1 {
                    out.push(' ');
                }
                out.push_str(w);
            }
            Some(with_legal(s, &out, &s.legal))
        }
        Variant::ExtraSpace => {
            let long: Vec<usize> = (0..words.len())
                .filter(|i| words[*i].chars().count() >= 4)
                .collect();
            if long.is_empty() {
                return None;
            }
            let i = long[rng.below(long.len())];
            let w: Vec<char> = words[i].chars().collect();
            let cut = 1 + rng.below(w.len() - 1);
            let split = format!(
                "{} {}",
                w[..cut].iter().collect::<String>(),
                w[cut..].iter().collect::<String>()
            );
            let mut out = words.clone();
            out[i] = &split;
            Some(with_legal(s, &out.join(" "), &s.legal))
        }
        Variant::Hanzi => match (&s.hanzi, s.hanzi_listed, s.family) {
            (Some((simp, _)), false, Family::Chinese | Family::HongKong | Family::Person) => {
                Some(simp.clone())
            }
            _ => None,
        },
        Variant::Traditional => match (&s.hanzi, s.hanzi_listed, s.family) {
            (Some((simp, trad)), false, Family::Chinese | Family::HongKong | Family::Person)
                if simp != trad =>
            {
                Some(trad.clone())
            }
            _ => None,
        },
        Variant::Alias => {
            if s.aliases.is_empty() {
                None
            } else {
                Some(s.aliases[rng.below(s.aliases.len())].clone())
            }
        }
    }
}
