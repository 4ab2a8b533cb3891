//! The screening-list model: one [`ListEntry`] per record of a Consolidated Screening List
//! file, whichever format it came in, and the loading entry points that decode the bytes,
//! sniff the format and hand over to the JSON or CSV reader.
//!
//! Kept apart from the readers so that the matcher and the reports depend on the model alone,
//! and a third format would add a reader without touching either.

use std::path::Path;
use std::sync::Arc;

use crate::country::Country;
use crate::date::Date;
use crate::diag::{Code, Diagnostic, Error};
use crate::limits::Limits;
use crate::source::{SourceFile, Span};

/// Most entries one list file may hold (5,000,000). The CSL has about 30,000 records today;
/// a million must load, and the ceiling keeps a hostile file's memory bounded (an entry costs
/// a few hundred bytes). Documented in `docs/screening.md`.
pub const MAX_LIST_ENTRIES: usize = 5_000_000;

/// Most problems reported for one list file (100): past that, one last diagnostic says how
/// many more there were, so a file of garbage gives a readable report, not a million lines.
pub const MAX_LIST_DIAGNOSTICS: usize = 100;

/// Deepest JSON nesting accepted in a list file (128, serde_json's own recursion limit),
/// checked by the reader's own iterative scan before any recursive parsing.
pub const MAX_JSON_DEPTH: usize = 128;

/// Which list a record comes from (the CSL `source` field), with the code kept for the rest.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum ListSource {
    /// BIS Entity List (EL), Supp. No. 4 to 15 CFR 744.
    EntityList,
    /// BIS Military End-User List (MEU), Supp. No. 7 to 744.
    MilitaryEndUser,
    /// BIS Unverified List (UVL), Supp. No. 6 to 744.
    Unverified,
    /// BIS Denied Persons List (DPL).
    DeniedPersons,
    /// OFAC Specially Designated Nationals (SDN).
    Sdn,
    /// The approved UAE entities of Supp. No. 8 to 15 CFR Part 740 (an approval, not a
    /// restriction; shipped with the rule pack under the code `UAE`).
    UaeApproved,
    /// Any other list, by its code (`FSE`, `SSI`, `ISN`, `DTC`, …) or its text if it has none.
    Other(String),
}

impl ListSource {
    /// Reads a CSL `source` value: a bare code (`EL`) or the long form the CSL publishes
    /// (`Entity List (EL) - Bureau of Industry and Security`).
    pub fn parse(text: &str) -> ListSource {
        let text = text.trim();
        let code = text
            .find('(')
            .and_then(|open| {
                let rest = text.get(open + 1..)?;
                let close = rest.find(')')?;
                rest.get(..close)
            })
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(text);
        match code.to_ascii_uppercase().as_str() {
            "EL" => ListSource::EntityList,
            "MEU" => ListSource::MilitaryEndUser,
            "UVL" => ListSource::Unverified,
            "DPL" => ListSource::DeniedPersons,
            "SDN" => ListSource::Sdn,
            "UAE" => ListSource::UaeApproved,
            _ => ListSource::Other(code.to_string()),
        }
    }

    /// The restricted-party list of the rule language this list is, if it is one of them.
    pub fn list_kind(&self) -> Option<crate::vocab::ListKind> {
        use crate::vocab::ListKind;
        match self {
            ListSource::EntityList => Some(ListKind::EntityList),
            ListSource::MilitaryEndUser => Some(ListKind::MeuList),
            ListSource::Unverified => Some(ListKind::UnverifiedList),
            ListSource::DeniedPersons => Some(ListKind::Dpl),
            ListSource::Sdn => Some(ListKind::Sdn),
            ListSource::UaeApproved => Some(ListKind::UaeApproved),
            ListSource::Other(code) if code.eq_ignore_ascii_case("IS-INFORMED-NVIDIA") => {
                Some(ListKind::IsInformedNvidia)
            }
            ListSource::Other(code) if code.eq_ignore_ascii_case("IS-INFORMED-AMD") => {
                Some(ListKind::IsInformedAmd)
            }
            ListSource::Other(_) => None,
        }
    }

    /// The list's code: `EL`, `MEU`, `UVL`, `DPL`, `SDN`, `UAE`, or the other code as written.
    pub fn code(&self) -> &str {
        match self {
            ListSource::EntityList => "EL",
            ListSource::MilitaryEndUser => "MEU",
            ListSource::Unverified => "UVL",
            ListSource::DeniedPersons => "DPL",
            ListSource::Sdn => "SDN",
            ListSource::UaeApproved => "UAE",
            ListSource::Other(code) => code,
        }
    }
}

/// What kind of party a record names (the CSL `type` field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Entity,
    Individual,
    Vessel,
    Aircraft,
    /// Missing or another word.
    Other,
}

impl EntryKind {
    pub fn parse(text: &str) -> EntryKind {
        match text.trim().to_ascii_lowercase().as_str() {
            "entity" | "organization" | "company" => EntryKind::Entity,
            "individual" | "person" => EntryKind::Individual,
            "vessel" => EntryKind::Vessel,
            "aircraft" => EntryKind::Aircraft,
            _ => EntryKind::Other,
        }
    }
}

/// One address of a record; `country` is set when the country text is an ISO alpha-2 code.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Address {
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// The country as written.
    pub country_text: Option<String>,
    pub country: Option<Country>,
}

/// Where a record starts in its list file (1-based line, column in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EntryLocation {
    pub line: u32,
    pub column: u32,
}

/// One record of a screening list.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ListEntry {
    /// The CSL `id` (`_id` in CSV): opaque, unique within the file; empty when absent.
    pub id: String,
    pub source: ListSource,
    /// Not unique across sources: never a key.
    pub entity_number: Option<String>,
    pub kind: EntryKind,
    pub name: String,
    pub alt_names: Vec<String>,
    pub programs: Vec<String>,
    pub title: Option<String>,
    pub addresses: Vec<Address>,
    pub federal_register_notice: Option<String>,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub license_requirement: Option<String>,
    pub license_policy: Option<String>,
    pub remarks: Option<String>,
    pub source_list_url: Option<String>,
    pub location: EntryLocation,
}

impl ListEntry {
    /// The distinct valid countries of the entry's addresses, sorted.
    pub fn countries(&self) -> Vec<Country> {
        let mut out: Vec<Country> = self.addresses.iter().filter_map(|a| a.country).collect();
        out.sort();
        out.dedup();
        out
    }

    /// The entry's name (`None`) or alias `i` (`Some(i)`).
    pub fn name_or_alias(&self, alias: Option<usize>) -> Option<&str> {
        match alias {
            None => Some(self.name.as_str()),
            Some(i) => self.alt_names.get(i).map(String::as_str),
        }
    }
}

/// The two published formats of the Consolidated Screening List.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListFormat {
    /// `{"results": [ … ]}`.
    Json,
    /// A header row naming the columns, then one record per row.
    Csv,
}

impl ListFormat {
    /// The format of a file: a leading `{` or `[` (after a byte-order mark and white space)
    /// is JSON; otherwise a `.json` name is JSON, and anything else is read as CSV.
    pub fn detect(name: &str, bytes: &[u8]) -> ListFormat {
        let body = bytes
            .strip_prefix(b"\xEF\xBB\xBF".as_slice())
            .unwrap_or(bytes);
        match body.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{') | Some(b'[') => ListFormat::Json,
            _ if name.to_ascii_lowercase().ends_with(".json") => ListFormat::Json,
            _ => ListFormat::Csv,
        }
    }
}

/// A loaded screening list.
#[derive(Clone, Debug)]
pub struct ScreeningList {
    /// The file name it was read from (as given).
    pub name: String,
    pub format: ListFormat,
    pub entries: Vec<ListEntry>,
    /// `sha256:…` of the file's bytes: identifies the list version in reports.
    pub digest: String,
}

impl ScreeningList {
    /// Reads a list file from disk, refusing one larger than `limits.max_file_bytes` before
    /// reading it.
    pub fn from_path(path: &Path, limits: &Limits) -> Result<ScreeningList, Error> {
        let name = path.to_string_lossy().into_owned();
        let unreadable = |e: std::io::Error| {
            Error::one(
                Diagnostic::error(
                    Code::ScreeningUnreadable,
                    format!("cannot read the screening list `{name}`: {e}"),
                )
                .help("check the path, and that the file is readable"),
            )
        };
        let size = std::fs::metadata(path).map_err(unreadable)?.len();
        if usize::try_from(size).map_or(true, |s| s > limits.max_file_bytes) {
            return Err(too_large(&name, &[], limits));
        }
        let bytes = std::fs::read(path).map_err(unreadable)?;
        ScreeningList::from_bytes(&name, bytes, limits)
    }

    /// Reads a list held in memory, in the format [`ListFormat::detect`] finds.
    pub fn from_bytes(name: &str, bytes: Vec<u8>, limits: &Limits) -> Result<ScreeningList, Error> {
        let format = ListFormat::detect(name, &bytes);
        ScreeningList::from_bytes_as(name, bytes, format, limits)
    }

    /// Reads a list held in memory in the given format.
    pub fn from_bytes_as(
        name: &str,
        bytes: Vec<u8>,
        format: ListFormat,
        limits: &Limits,
    ) -> Result<ScreeningList, Error> {
        let digest = crate::report::sha256(&bytes);
        let file = decode(name, bytes, limits)?;
        let entries = match format {
            ListFormat::Json => super::csl_json::read(&file)?,
            ListFormat::Csv => super::csl_csv::read(&file)?,
        };
        Ok(ScreeningList {
            name: name.to_string(),
            format,
            entries,
            digest,
        })
    }

    /// Reads a list held in memory as text (format detected).
    pub fn from_str(name: &str, text: &str, limits: &Limits) -> Result<ScreeningList, Error> {
        ScreeningList::from_bytes(name, text.as_bytes().to_vec(), limits)
    }
}

fn too_large(name: &str, bytes: &[u8], limits: &Limits) -> Error {
    let head: Vec<u8> = bytes
        .iter()
        .take(120)
        .take_while(|b| **b != b'\n')
        .copied()
        .collect();
    let file = SourceFile::new(name, String::from_utf8_lossy(&head).into_owned());
    Diagnostic::error(
        Code::ScreeningTooLarge,
        format!(
            "the screening list `{name}` is larger than the limit of {} bytes",
            limits.max_file_bytes
        ),
    )
    .in_file(&file)
    .label(Span::new(0, 0), "this file")
    .help("raise the limit with --max-file-bytes (the CSL is about 20 MB), or check the file")
    .into()
}

/// Turns a list file's bytes into text: refuses files over the size limit, binary files and
/// invalid UTF-8, each with a located diagnostic. A UTF-8 byte-order mark is kept (the
/// readers skip it) so that offsets stay those of the file.
fn decode(name: &str, bytes: Vec<u8>, limits: &Limits) -> Result<Arc<SourceFile>, Error> {
    if bytes.len() > limits.max_file_bytes {
        return Err(too_large(name, &bytes, limits));
    }
    match crate::source::text_of(name, bytes) {
        Ok(file) => Ok(file),
        Err(crate::source::NotText::Binary { at, before }) => {
            let end = before.text().len();
            Err(Diagnostic::error(
                Code::ScreeningBinary,
                format!("the screening list `{name}` is a binary file (a NUL byte at offset {at})"),
            )
            .in_file(&before)
            .label(Span::new(end, end), "binary content starts here")
            .help("give the Consolidated Screening List as published: `consolidated.json` or `consolidated.csv`, uncompressed")
            .into())
        }
        Err(crate::source::NotText::NotUtf8 { at, before }) => Err(Diagnostic::error(
            Code::ScreeningNotUtf8,
            format!("the screening list `{name}` is not valid UTF-8 (invalid byte at offset {at})"),
        )
        .in_file(&before)
        .label(Span::new(at, at), "the invalid byte follows here")
        .help("save the list as UTF-8 (the CSL is published in UTF-8)")
        .into()),
    }
}

/// Collects a reader's diagnostics up to [`MAX_LIST_DIAGNOSTICS`], counting the rest.
pub(crate) struct Problems {
    file: Arc<SourceFile>,
    pub(crate) list: Vec<Diagnostic>,
    dropped: usize,
}

impl Problems {
    pub(crate) fn new(file: &Arc<SourceFile>) -> Problems {
        Problems {
            file: Arc::clone(file),
            list: Vec::new(),
            dropped: 0,
        }
    }

    pub(crate) fn push(&mut self, d: Diagnostic) {
        if self.list.len() < MAX_LIST_DIAGNOSTICS {
            self.list.push(d.in_file(&self.file));
        } else {
            self.dropped += 1;
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.list.len() >= MAX_LIST_DIAGNOSTICS
    }

    /// `Ok(value)` when nothing went wrong, else every problem found.
    pub(crate) fn finish<T>(mut self, value: T) -> Result<T, Error> {
        if self.list.is_empty() {
            return Ok(value);
        }
        if self.dropped > 0 {
            let end = self.file.text().len();
            let d = Diagnostic::error(
                Code::ScreeningTooManyProblems,
                format!(
                    "{} more problems in `{}` are not shown",
                    self.dropped,
                    self.file.name()
                ),
            )
            .label(Span::new(end, end), "")
            .help(format!(
                "fix the {MAX_LIST_DIAGNOSTICS} problems above first, or check that this is a screening list"
            ))
            .in_file(&self.file);
            self.list.push(d);
        }
        Err(Error::from(self.list))
    }
}

/// A date cell: empty is no date; anything else must be `YYYY-MM-DD` (a time after a `T`
/// is tolerated, as some exports add one).
pub(crate) fn parse_date(text: Option<&str>) -> Result<Option<Date>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let day = match text.split_once('T') {
        Some((day, _)) if day.len() == 10 => day,
        _ => text,
    };
    Date::parse(day).map(Some)
}

/// Trims a cell; an empty one is absent.
pub(crate) fn non_empty(text: Option<String>) -> Option<String> {
    let text = text?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        None
    } else if trimmed.len() == text.len() {
        Some(text)
    } else {
        Some(trimmed.to_string())
    }
}

/// The country of an address cell's trailing part when it is an ISO alpha-2 code.
pub(crate) fn country_of(text: Option<&str>) -> Option<Country> {
    let text = text?.trim();
    if text.len() != 2 {
        return None;
    }
    Country::parse(&text.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_read_codes_and_long_forms() {
        assert_eq!(ListSource::parse("EL"), ListSource::EntityList);
        assert_eq!(
            ListSource::parse("Entity List (EL) - Bureau of Industry and Security"),
            ListSource::EntityList
        );
        assert_eq!(
            ListSource::parse("Specially Designated Nationals (SDN) - Treasury Department"),
            ListSource::Sdn
        );
        assert_eq!(
            ListSource::parse("Nonproliferation Sanctions (ISN) - State Department"),
            ListSource::Other("ISN".into())
        );
        assert_eq!(ListSource::parse("MEU").code(), "MEU");
    }

    #[test]
    fn formats_are_sniffed() {
        assert_eq!(
            ListFormat::detect("x.csv", b"  {\"results\":[]}"),
            ListFormat::Json
        );
        assert_eq!(ListFormat::detect("x", b"\xEF\xBB\xBF{}"), ListFormat::Json);
        assert_eq!(ListFormat::detect("x.JSON", b"oops"), ListFormat::Json);
        assert_eq!(ListFormat::detect("x.txt", b"_id,name"), ListFormat::Csv);
    }

    #[test]
    fn dates_tolerate_empty_and_times() {
        assert_eq!(parse_date(None), Ok(None));
        assert_eq!(parse_date(Some("  ")), Ok(None));
        assert!(parse_date(Some("2019-05-16")).unwrap().is_some());
        assert!(parse_date(Some("2019-05-16T00:00:00")).unwrap().is_some());
        assert!(parse_date(Some("16/05/2019")).is_err());
    }
}
