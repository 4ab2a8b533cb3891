//! Name normalization: the same party written in different scripts, cases, spacings and
//! legal forms becomes the same sequence of units, so the matcher compares words, not bytes.
//!
//! The steps, in order, and why:
//! 1. Unicode NFKC: full-width letters, ligatures and circled forms (㈱) become their plain
//!    forms, so that what looks the same compares the same.
//! 2. Han text is converted from traditional to simplified characters (OpenCC `t2s`), so
//!    華為 and 华为 are one name.
//! 3. Every other character is folded to lower-case ASCII: Latin diacritics are dropped
//!    (é → e, ß → ss), and other scripts are transliterated (`any_ascii`: Cyrillic, Greek,
//!    Arabic, Hangul, kana); `&` becomes "and"; apostrophes join (O'Neil → oneil); every
//!    other punctuation mark separates words.
//! 4. Words of 5 letters or more lose an English plural ("technologies" → "technology",
//!    "systems" → "system"), the commonest variation between listings of one company.
//! 5. Han runs are segmented into glossary words (translated) and pinyin syllables
//!    (see `han`).
//! 6. Legal forms are dropped as whole tokens (see `legal_forms`) and kept aside for the
//!    explanation.

use any_ascii::any_ascii_char;
use unicode_normalization::UnicodeNormalization;

use super::han::{self, HanPiece};
use super::legal_forms;

/// Longest name considered, in units: a hostile ten-thousand-word "name" is cut here.
pub const MAX_UNITS: usize = 32;

/// Where a unit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UnitKind {
    /// A word written in Latin letters (or transliterated to them from a non-Han script).
    Word,
    /// One Han character, compared by its pinyin syllable (and by the character itself
    /// against another Han character).
    Syllable(char),
    /// The English of a Han glossary word (技术 → "technology").
    Translated,
}

/// One unit of a normalized name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub text: String,
    pub kind: UnitKind,
    /// The word as written (folded), before its plural was dropped; equal to `text` when
    /// nothing was dropped. Joins are made from it ("Zagros Kimia" is "zagroskimia", not
    /// "zagrokimia"), and misspellings are compared with it too ("Devies" is one edit from
    /// "devices" but two from "device").
    pub surface: String,
}

impl Unit {
    /// Whether the unit came from Han script.
    pub fn is_han(&self) -> bool {
        !matches!(self.kind, UnitKind::Word)
    }
}

/// A normalized name: its units in order, and the legal forms dropped from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    pub units: Vec<Unit>,
    /// The dropped legal forms, normalized ("co ltd", "有限公司").
    pub legal_forms: Vec<String>,
}

impl Normalized {
    /// The units' texts joined by spaces: the name as the matcher sees it.
    pub fn text(&self) -> String {
        let words: Vec<&str> = self.units.iter().map(|u| u.text.as_str()).collect();
        words.join(" ")
    }

    /// The Han characters of the name, in order (for CJK bigrams).
    pub fn han_chars(&self) -> Vec<char> {
        self.units
            .iter()
            .filter_map(|u| match u.kind {
                UnitKind::Syllable(c) => Some(c),
                _ => None,
            })
            .collect()
    }
}

/// Drops an English plural from a word of 5 letters or more.
pub fn stem(word: &mut String) {
    if word.len() < 5 || !word.is_ascii() {
        return;
    }
    if word.ends_with("ies") {
        word.truncate(word.len() - 3);
        word.push('y');
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word.pop();
    }
}

/// Folds one non-Han character into `out` as lower-case ASCII letters and digits, with a
/// space for anything that separates words.
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
    } else if c == '&' {
        out.push_str(" and ");
    } else if matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '`' | '\u{02bc}') {
        // Apostrophes join: O'Neil, Xi'an.
    } else if c.is_ascii() || c.is_whitespace() {
        out.push(' ');
    } else {
        for b in any_ascii_char(c).bytes() {
            if b.is_ascii_alphanumeric() {
                out.push(char::from(b.to_ascii_lowercase()));
            } else if b != b'\'' {
                out.push(' ');
            }
        }
    }
}

/// The Latin pipeline alone (steps 1, 3 and 4): lower-case ASCII words, plurals dropped.
pub fn latin_words(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len());
    for c in text.nfkc() {
        fold_char(c, &mut folded);
    }
    folded
        .split_ascii_whitespace()
        .map(|w| {
            let mut w = w.to_string();
            stem(&mut w);
            w
        })
        .collect()
}

/// A unit still to be placed, with whether it is a Han legal form.
struct Pending {
    unit: Unit,
    han_legal: bool,
}

fn push_words(folded: &mut String, kind: UnitKind, out: &mut Vec<Pending>) {
    for w in folded.split_ascii_whitespace() {
        let surface = w.to_string();
        let mut w = surface.clone();
        stem(&mut w);
        out.push(Pending {
            unit: Unit {
                text: w,
                kind,
                surface,
            },
            han_legal: false,
        });
    }
    folded.clear();
}

fn push_han(run: &mut Vec<char>, out: &mut Vec<Pending>) {
    if run.is_empty() {
        return;
    }
    for piece in han::segment(run) {
        match piece {
            HanPiece::Syllable(c, syllable) => out.push(Pending {
                unit: Unit {
                    text: syllable.to_string(),
                    kind: UnitKind::Syllable(c),
                    surface: syllable.to_string(),
                },
                han_legal: false,
            }),
            HanPiece::Word(_, english) => {
                let mut folded = english.to_string();
                push_words(&mut folded, UnitKind::Translated, out);
            }
            HanPiece::Legal(form) => out.push(Pending {
                unit: Unit {
                    text: form.to_string(),
                    kind: UnitKind::Translated,
                    surface: form.to_string(),
                },
                han_legal: true,
            }),
        }
    }
    run.clear();
}

/// Normalizes a name (all six steps).
pub fn normalize(name: &str) -> Normalized {
    let mut text: String = name.nfkc().collect();
    for (short, long) in [
        ("(株)", "株式会社"),
        ("(有)", "有限会社"),
        ("(주)", "주식회사"),
    ] {
        if text.contains(short) {
            text = text.replace(short, &format!(" {long} "));
        }
    }
    if text.chars().any(han::is_han) {
        text = han::to_simplified(&text);
    }
    let mut pending = Vec::new();
    let mut folded = String::new();
    let mut run: Vec<char> = Vec::new();
    for c in text.chars() {
        if han::is_han(c) {
            if !folded.is_empty() {
                push_words(&mut folded, UnitKind::Word, &mut pending);
            }
            run.push(c);
        } else {
            if !run.is_empty() {
                push_han(&mut run, &mut pending);
            }
            fold_char(c, &mut folded);
        }
        if pending.len() > 4 * MAX_UNITS {
            break;
        }
    }
    push_words(&mut folded, UnitKind::Word, &mut pending);
    push_han(&mut run, &mut pending);
    pending.truncate(MAX_UNITS);

    // Legal forms: Han ones wherever they stand; Latin ones by their place, over the words
    // (a Han unit stands in as a word that is no legal form).
    let words: Vec<&str> = pending
        .iter()
        .map(|p| match p.unit.kind {
            UnitKind::Word => p.unit.text.as_str(),
            _ => "\u{1}",
        })
        .collect();
    let mut drop = legal_forms::to_drop(&words);
    for (d, p) in drop.iter_mut().zip(&pending) {
        if p.han_legal {
            *d = true;
        }
    }
    if drop.iter().all(|d| *d) {
        drop.iter_mut().for_each(|d| *d = false);
    }
    let mut out = Normalized::default();
    let mut legal = String::new();
    for (p, d) in pending.into_iter().zip(drop) {
        if d {
            if p.han_legal {
                out.legal_forms.push(p.unit.text);
            } else {
                if !legal.is_empty() {
                    legal.push(' ');
                }
                legal.push_str(&p.unit.text);
            }
        } else {
            if !legal.is_empty() {
                out.legal_forms.push(std::mem::take(&mut legal));
            }
            out.units.push(p.unit);
        }
    }
    if !legal.is_empty() {
        out.legal_forms.push(legal);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &str) -> String {
        normalize(name).text()
    }

    #[test]
    fn latin_scripts_fold() {
        assert_eq!(text("Société Générale S.A."), "societe generale");
        assert_eq!(text("Müller & Söhne GmbH"), "muller and sohne");
        assert_eq!(
            text("ＨＵＡＷＥＩ　ＴＥＣＨＮＯＬＯＧＩＥＳ"),
            "huawei technology"
        );
        assert_eq!(text("O'Neil Trading"), "oneil trading");
        assert_eq!(text("Straße"), "strasse");
        assert_eq!(
            text("Al-Noor General Trading L.L.C."),
            "al noor general trading"
        );
    }

    #[test]
    fn other_scripts_transliterate() {
        assert_eq!(text("ООО Ромашка"), "romashka");
        assert_eq!(text("Ελληνική Εταιρεία"), "elliniki etaireia");
    }

    #[test]
    fn han_names_become_syllables_and_words() {
        let n = normalize("华为技术有限公司");
        assert_eq!(n.text(), "hua wei technology");
        assert_eq!(n.legal_forms, vec!["有限公司"]);
        assert_eq!(text("華為技術有限公司"), "hua wei technology");
        assert_eq!(
            text("深圳市中兴通讯股份有限公司"),
            "shenzhen zhong xing communication"
        );
        assert_eq!(n.han_chars(), vec!['华', '为']);
    }

    #[test]
    fn japanese_forms_drop() {
        let n = normalize("トヨタ自動車㈱");
        assert_eq!(n.legal_forms, vec!["株式会社"]);
    }

    #[test]
    fn names_are_never_emptied() {
        assert_eq!(text("Limited"), "limited");
        assert_eq!(text("有限公司"), "有限公司");
        assert_eq!(text(""), "");
        assert_eq!(text("!!!"), "");
    }
}
