//! Legal forms ("Co., Ltd.", "GmbH", "ООО", "有限公司", …) and weak words ("technology",
//! "group", "shenzhen", …): the two curated word tables of the matcher.
//!
//! A legal form says what kind of company a party is, not which one, and the same company is
//! written with different forms (or none) across lists, invoices and languages; so forms are
//! dropped before matching and recorded for the explanation. They are dropped only as whole
//! tokens, matched with Aho-Corasick over the normalized token sequence, and where they are
//! dropped depends on how ambiguous they are: long unambiguous forms ("gmbh", "limited
//! liability company", "sdn bhd") anywhere in the name; short ones that are also words or
//! initials ("as", "sa", "ag", "co", "pt") only at the end (or, for prefixes such as "pt" and
//! "ooo", at the start), where a form stands. A name is never reduced to nothing.
//!
//! Weak words are not dropped: they carry little weight (see `index`), so that they count a
//! little when they agree but can never make a match on their own.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};

/// Where in a name a legal form is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Only as the name's last tokens ("AG", "SA", "Co").
    End,
    /// Only as the name's first tokens ("PT").
    Start,
    /// At either end ("ООО", "AO", "JSC": Russian forms come first or last).
    Edge,
    /// Anywhere, as whole tokens ("GmbH", "Limited", "Sdn Bhd", "有限公司").
    Anywhere,
}

/// The curated table, as written; each entry is normalized with the matcher's own pipeline
/// when the automaton is built, so "Co., Ltd.", "Co Ltd" and "CO.,LTD" are one entry, and
/// Cyrillic or Hangul forms meet their transliterations.
pub const LEGAL_FORMS: &[(&str, Place)] = &[
    // English, and the forms used across the Commonwealth and Asia.
    ("Co., Ltd.", Place::Anywhere),
    ("Co. Ltd.", Place::Anywhere),
    ("Co. Limited", Place::Anywhere),
    ("Company Limited", Place::Anywhere),
    ("Company Ltd", Place::Anywhere),
    ("Public Company Limited", Place::Anywhere),
    ("Public Limited Company", Place::Anywhere),
    ("Limited", Place::Anywhere),
    ("Ltd.", Place::Anywhere),
    ("Ltda.", Place::End),
    ("Pte. Ltd.", Place::Anywhere),
    ("Pte Ltd", Place::Anywhere),
    ("Pte.", Place::End),
    ("Private Limited", Place::Anywhere),
    ("Pvt. Ltd.", Place::Anywhere),
    ("Pvt.", Place::End),
    ("Sdn. Bhd.", Place::Anywhere),
    ("Sdn Bhd", Place::Anywhere),
    ("Bhd.", Place::End),
    ("Berhad", Place::Anywhere),
    ("LLC", Place::Anywhere),
    ("L.L.C.", Place::Anywhere),
    ("Limited Liability Company", Place::Anywhere),
    ("Limited Liability Partnership", Place::Anywhere),
    ("Inc.", Place::End),
    ("Incorporated", Place::Anywhere),
    ("Corp.", Place::End),
    ("Corporation", Place::Anywhere),
    ("Company", Place::End),
    ("Co.", Place::End),
    ("PLC", Place::End),
    ("P.L.C.", Place::End),
    ("LLP", Place::End),
    ("LP", Place::End),
    ("L.P.", Place::End),
    // Hong Kong companies carry their jurisdiction in the form: "X (HK) Limited", "X (Hong
    // Kong) Limited" are X's Hong Kong company, written "X Limited" as often.
    ("HK Limited", Place::End),
    ("HK Ltd.", Place::End),
    ("HK Co., Limited", Place::End),
    ("HK Co., Ltd.", Place::End),
    ("HK Company Limited", Place::End),
    ("Hong Kong Limited", Place::End),
    ("Hong Kong Ltd.", Place::End),
    ("Hong Kong Co., Limited", Place::End),
    ("Hong Kong Co., Ltd.", Place::End),
    ("Hong Kong Company Limited", Place::End),
    // German, Dutch, Nordic, Romance.
    ("GmbH", Place::Anywhere),
    ("GmbH & Co. KG", Place::Anywhere),
    ("mbH", Place::End),
    ("AG", Place::End),
    ("KG", Place::End),
    ("KGaA", Place::End),
    ("SE", Place::End),
    ("SA", Place::End),
    ("S.A.", Place::End),
    ("S.A.S.", Place::End),
    ("SAS", Place::End),
    ("SARL", Place::End),
    ("S.à r.l.", Place::End),
    ("SpA", Place::End),
    ("S.p.A.", Place::End),
    ("S.r.l.", Place::End),
    ("Srl", Place::End),
    ("S.L.", Place::End),
    ("S.A. de C.V.", Place::End),
    ("BV", Place::End),
    ("B.V.", Place::End),
    ("NV", Place::End),
    ("N.V.", Place::End),
    ("AB", Place::End),
    ("AS", Place::End),
    ("A/S", Place::End),
    ("ASA", Place::End),
    ("Oy", Place::End),
    ("Oyj", Place::End),
    // Japanese and Korean, romanized.
    ("KK", Place::End),
    ("K.K.", Place::End),
    ("Kabushiki Kaisha", Place::Anywhere),
    // Russian and CIS, romanized and in Cyrillic.
    ("JSC", Place::Edge),
    ("PJSC", Place::Edge),
    ("OJSC", Place::Edge),
    ("CJSC", Place::Edge),
    ("Joint Stock Company", Place::Anywhere),
    ("Public Joint Stock Company", Place::Anywhere),
    ("Open Joint Stock Company", Place::Anywhere),
    ("Closed Joint Stock Company", Place::Anywhere),
    ("Private Joint Stock Company", Place::Anywhere),
    ("Joint-Stock Company", Place::Anywhere),
    ("OOO", Place::Edge),
    ("OAO", Place::Edge),
    ("ZAO", Place::Edge),
    ("PAO", Place::Edge),
    ("AO", Place::Edge),
    ("TOO", Place::Edge),
    ("ТОВ", Place::Edge),
    ("ООО", Place::Edge),
    ("ОАО", Place::Edge),
    ("ЗАО", Place::Edge),
    ("АО", Place::Edge),
    ("ПАО", Place::Edge),
    ("Общество с ограниченной ответственностью", Place::Anywhere),
    ("Акционерное общество", Place::Anywhere),
    ("Публичное акционерное общество", Place::Anywhere),
    // Gulf free zones.
    ("FZE", Place::Anywhere),
    ("FZCO", Place::Anywhere),
    ("FZ-LLC", Place::Anywhere),
    ("FZC", Place::End),
    ("DMCC", Place::Anywhere),
    ("Est.", Place::End),
    ("Establishment", Place::End),
    // Indonesia.
    ("PT", Place::Start),
    ("P.T.", Place::Start),
    ("Tbk", Place::End),
    ("Tbk.", Place::End),
    ("(Persero)", Place::Anywhere),
    // Korean in Hangul ((주) is rewritten to 주식회사 first).
    ("주식회사", Place::Anywhere),
    ("유한회사", Place::Anywhere),
];

/// Legal forms in Han script, dropped by the Han segmenter wherever they stand (a Han name
/// has no spaces, so "whole token" means a whole dictionary word). Traditional forms are
/// converted to simplified before lookup. `(株)` and `(有)` are rewritten to their full forms
/// first. 集团 ("group") is not here: it is a weak word.
pub const HAN_LEGAL_FORMS: &[&str] = &[
    "有限公司",
    "有限责任公司",
    "股份有限公司",
    "股份公司",
    "控股有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "公司",
];

/// Weak words: common in listed names but saying nothing about which party is meant. Their
/// weight is capped (see `index`), whatever their frequency in the list; they are written
/// here normalized (lower case, plural `s` dropped), as the matcher compares them.
pub const WEAK_WORDS: &[&str] = &[
    "technology",
    "tech",
    "trading",
    "trade",
    "international",
    "intl",
    "group",
    "electronic",
    "electronics",
    "industrial",
    "industry",
    "science",
    "scientific",
    "development",
    "company",
    "holding",
    "limited",
    "global",
    "import",
    "export",
    "and",
    "the",
    "of",
    "for",
    "general",
    "service",
    "system",
    "solution",
    "engineering",
    "manufacturing",
    "semiconductor",
    "equipment",
    "information",
    "communication",
    "network",
    "software",
    "digital",
    "intelligent",
    "research",
    "institute",
    "university",
    "center",
    "centre",
    "branch",
    "office",
    "investment",
    "enterprise",
    "logistic",
    "supply",
    "material",
    "energy",
    "machinery",
    "precision",
    "instrument",
    "product",
    "resource",
    "national",
    "state",
    "federal",
    "new",
    "first",
    "united",
    "east",
    "west",
    "north",
    "south",
    "asia",
    "pacific",
    "middle",
    "gulf",
    "world",
    "star",
    "al",
    "el",
    "bin",
    "de",
    "la",
    "du",
    "und",
    "et",
    "y",
    "sdn",
    "bhd",
    "microelectronic",
    "optoelectronic",
    "automation",
    "power",
    "electric",
    "chemical",
    "aerospace",
    "aviation",
    "defense",
    "defence",
    "military",
    "research",
    "laboratory",
    "computer",
    "computing",
    "data",
    "valley",
    "park",
    "zone",
    "free",
    "city",
    "province",
    "industrie",
    "industria",
    "technologie",
    "tekhnologii",
    "zavod",
    "nauchno",
];

/// Places: the big cities, regions and countries of the listed parties. Where a party is,
/// not which it is: weak words.
pub const PLACE_WORDS: &[&str] = &[
    "shenzhen",
    "beijing",
    "shanghai",
    "guangzhou",
    "hong",
    "kong",
    "china",
    "chinese",
    "moscow",
    "tehran",
    "dubai",
    "hangzhou",
    "tianjin",
    "chongqing",
    "wuhan",
    "chengdu",
    "nanjing",
    "xian",
    "suzhou",
    "hefei",
    "changsha",
    "changchun",
    "xiamen",
    "dongguan",
    "qingdao",
    "jinan",
    "harbin",
    "dalian",
    "shenyang",
    "zhuhai",
    "wuxi",
    "ningbo",
    "zhengzhou",
    "kunming",
    "nanchang",
    "guangdong",
    "jiangsu",
    "zhejiang",
    "sichuan",
    "hubei",
    "hunan",
    "shandong",
    "shaanxi",
    "fujian",
    "anhui",
    "macau",
    "taiwan",
    "saint",
    "petersburg",
    "isfahan",
    "shiraz",
    "sharjah",
    "abu",
    "dhabi",
    "kuala",
    "lumpur",
    "penang",
    "johor",
    "singapore",
    "russia",
    "russian",
    "iran",
    "iranian",
    "emirate",
    "uae",
    "malaysia",
    "hongkong",
    "hk",
];

struct Automaton {
    ac: AhoCorasick,
    places: Vec<Place>,
}

fn automaton() -> Option<&'static Automaton> {
    static AUTOMATON: OnceLock<Option<Automaton>> = OnceLock::new();
    AUTOMATON
        .get_or_init(|| {
            let mut patterns = Vec::new();
            let mut places = Vec::new();
            for (text, place) in LEGAL_FORMS {
                let words = super::normalize::latin_words(text);
                if words.is_empty() {
                    continue;
                }
                // A trailing space: a match always ends at a token boundary.
                patterns.push(format!("{} ", words.join(" ")));
                places.push(*place);
            }
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .start_kind(StartKind::Anchored)
                .build(&patterns)
                .ok()?;
            Some(Automaton { ac, places })
        })
        .as_ref()
}

/// One legal form found in a run of words: the first word, how many words, where it may be
/// dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub len: usize,
    pub place: Place,
}

/// Every legal form starting at each word of `words` (the longest at each start).
pub fn find(words: &[&str]) -> Vec<Found> {
    let Some(a) = automaton() else {
        return Vec::new();
    };
    let mut text = String::with_capacity(words.iter().map(|w| w.len() + 1).sum());
    let mut starts = Vec::with_capacity(words.len());
    for w in words {
        starts.push(text.len());
        text.push_str(w);
        text.push(' ');
    }
    let mut out = Vec::new();
    for (i, &at) in starts.iter().enumerate() {
        let input = Input::new(&text).range(at..).anchored(Anchored::Yes);
        if let Some(m) = a.ac.find(input) {
            let end = m.end();
            let len = starts.iter().skip(i).take_while(|s| **s < end).count();
            if let Some(place) = a.places.get(m.pattern().as_usize()) {
                out.push(Found {
                    start: i,
                    len,
                    place: *place,
                });
            }
        }
    }
    out
}

/// Which of `words` are legal forms to drop, by the placement rules above; never all.
pub fn to_drop(words: &[&str]) -> Vec<bool> {
    let n = words.len();
    let mut drop = vec![false; n];
    if n == 0 {
        return drop;
    }
    let found = find(words);
    // From the end: forms that may stand last, each ending where the previous one began.
    let mut end = n;
    loop {
        let tail = found
            .iter()
            .filter(|f| f.start + f.len == end && f.place != Place::Start)
            .min_by_key(|f| f.start);
        match tail {
            Some(f) if f.start > 0 => {
                for d in drop.iter_mut().skip(f.start).take(f.len) {
                    *d = true;
                }
                end = f.start;
            }
            _ => break,
        }
    }
    // From the start.
    let mut start = 0;
    while let Some(f) = found
        .iter()
        .find(|f| f.start == start && f.start + f.len < end && f.place != Place::End)
    {
        for d in drop.iter_mut().skip(f.start).take(f.len) {
            *d = true;
        }
        start = f.start + f.len;
    }
    // In between: only the unambiguous forms.
    let mut next = start;
    for f in &found {
        if f.start >= next && f.start + f.len <= end && f.place == Place::Anywhere {
            for d in drop.iter_mut().skip(f.start).take(f.len) {
                *d = true;
            }
            next = f.start + f.len;
        }
    }
    if drop.iter().all(|d| *d) {
        return vec![false; n];
    }
    drop
}

/// Articles and conjunctions: a translation adds or drops them ("Import and Export" is
/// 进出口), so a name that lacks one still agrees with one that has it.
pub const STOPWORDS: &[&str] = &[
    "and", "of", "the", "for", "de", "la", "le", "du", "des", "et", "und", "y", "e", "di", "van",
    "der",
];

/// Whether a normalized word is an article or a conjunction.
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.contains(&word)
}

/// Whether a normalized word is a weak word.
pub fn is_weak(word: &str) -> bool {
    static WEAK: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    WEAK.get_or_init(|| WEAK_WORDS.iter().chain(PLACE_WORDS).copied().collect())
        .contains(word)
}

/// Words that say how a company is organized, not what it does or where: a name that
/// differs from another only by them still describes the same business ("Qide Trading
/// International" and 启德贸易). Places are not among them (see `score`): a romanized
/// Chinese name is made from the Han one, city first, so a Han name that lacks the city
/// (大立光電 against Xi'an Dali Optoelectronics) is less likely the same company.
pub const QUALIFIER_WORDS: &[&str] = &[
    "international",
    "intl",
    "group",
    "holding",
    "global",
    "worldwide",
    "overseas",
];

/// Whether a normalized word is one of [`PLACE_WORDS`].
pub fn is_place(word: &str) -> bool {
    PLACE_WORDS.contains(&word)
}

/// Whether a normalized word is one of [`QUALIFIER_WORDS`].
pub fn is_qualifier(word: &str) -> bool {
    QUALIFIER_WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dropped(name: &str) -> String {
        let words = super::super::normalize::latin_words(name);
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let drop = to_drop(&refs);
        refs.iter()
            .zip(drop)
            .filter(|(_, d)| !d)
            .map(|(w, _)| *w)
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn forms_are_dropped_by_their_place() {
        assert_eq!(
            dropped("Huawei Technologies Co., Ltd."),
            "huawei technology"
        );
        assert_eq!(dropped("HUAWEI TECHNOLOGIES CO.,LTD"), "huawei technology");
        assert_eq!(dropped("Acme GmbH & Co. KG"), "acme");
        assert_eq!(dropped("PT Bank Mandiri (Persero) Tbk"), "bank mandiri");
        assert_eq!(dropped("OOO Tekhnoprom"), "tekhnoprom");
        assert_eq!(dropped("ООО Технопром"), "tekhnoprom");
        assert_eq!(dropped("Tekhnoprom JSC"), "tekhnoprom");
        assert_eq!(dropped("Falcon Star FZ-LLC"), "falcon star");
        assert_eq!(dropped("Sinar Teknologi Sdn. Bhd."), "sinar teknologi");
        assert_eq!(dropped("Pinnacle Tech Pte. Ltd."), "pinnacle tech");
        assert_eq!(
            dropped("Dayu Semiconductor (HK) Limited"),
            "dayu semiconductor"
        );
        assert_eq!(
            dropped("Dayu Semiconductor Hong Kong Limited"),
            "dayu semiconductor"
        );
        assert_eq!(dropped("Hong Kong Telecom Limited"), "hong kong telecom");
        // Short forms stay where they are words.
        assert_eq!(dropped("AS Watson Group"), "as watson group");
        assert_eq!(dropped("SA Power Networks"), "sa power network");
        assert_eq!(dropped("Co-operative Bank"), "co operative bank");
        // Never everything.
        assert_eq!(dropped("Limited"), "limited");
        assert_eq!(dropped("L.L.C."), "l l c");
    }
}
