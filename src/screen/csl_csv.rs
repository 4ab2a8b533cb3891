//! The CSL CSV reader: columns are found by their header names, never by position, so a file
//! with reordered, added or removed columns reads the same (only `name` is required).
//!
//! Multi-valued cells (`alt_names`, `addresses`, `programs`) hold their values separated by
//! `; `, as the CSL writes them; an address cell is one line whose trailing part is taken as
//! the country when it is an ISO alpha-2 code.

use std::sync::Arc;

use super::list::{
    country_of, non_empty, parse_date, Address, EntryKind, EntryLocation, ListEntry, ListSource,
    Problems, MAX_LIST_ENTRIES,
};
use crate::diag::{Code, Diagnostic, Error};
use crate::source::{SourceFile, Span};

/// The columns the reader uses, by header name.
#[derive(Default)]
struct Columns {
    id: Option<usize>,
    source: Option<usize>,
    entity_number: Option<usize>,
    kind: Option<usize>,
    name: Option<usize>,
    alt_names: Option<usize>,
    programs: Option<usize>,
    title: Option<usize>,
    addresses: Option<usize>,
    federal_register_notice: Option<usize>,
    start_date: Option<usize>,
    end_date: Option<usize>,
    license_requirement: Option<usize>,
    license_policy: Option<usize>,
    remarks: Option<usize>,
    source_list_url: Option<usize>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord) -> Columns {
        let mut c = Columns::default();
        for (i, h) in header.iter().enumerate() {
            let h = h.trim_start_matches('\u{feff}').trim().to_ascii_lowercase();
            let slot = match h.as_str() {
                "_id" | "id" => &mut c.id,
                "source" => &mut c.source,
                "entity_number" => &mut c.entity_number,
                "type" => &mut c.kind,
                "name" => &mut c.name,
                "alt_names" => &mut c.alt_names,
                "programs" => &mut c.programs,
                "title" => &mut c.title,
                "addresses" => &mut c.addresses,
                "federal_register_notice" => &mut c.federal_register_notice,
                "start_date" => &mut c.start_date,
                "end_date" => &mut c.end_date,
                "license_requirement" => &mut c.license_requirement,
                "license_policy" => &mut c.license_policy,
                "remarks" => &mut c.remarks,
                "source_list_url" => &mut c.source_list_url,
                _ => continue,
            };
            // The first column of a name wins (`_id` before a later `id`).
            if slot.is_none() {
                *slot = Some(i);
            }
        }
        c
    }
}

/// Splits a multi-valued cell on `; `.
fn many(cell: Option<&str>) -> Vec<String> {
    cell.map(|c| {
        c.split("; ")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
            .collect()
    })
    .unwrap_or_default()
}

/// One address written on one line ("Room 1, Bldg 2, Shenzhen, Guangdong, 518000, CN"): the
/// trailing part is the country when it is an ISO alpha-2 code; the rest is the address.
pub(crate) fn address_cell(cell: &str) -> Option<Address> {
    let cell = cell.trim();
    if cell.is_empty() {
        return None;
    }
    let (rest, last) = match cell.rsplit_once(',') {
        Some((rest, last)) => (rest.trim(), last.trim()),
        None => ("", cell),
    };
    match country_of(Some(last)) {
        Some(country) => Some(Address {
            address: (!rest.is_empty()).then(|| rest.to_string()),
            country_text: Some(last.to_string()),
            country: Some(country),
            ..Address::default()
        }),
        None => Some(Address {
            address: Some(cell.to_string()),
            ..Address::default()
        }),
    }
}

/// The offset of `cell` in the record starting at `start` (best effort: its first
/// occurrence, else the record's start).
fn cell_offset(text: &str, start: usize, cell: &str) -> usize {
    let window = text
        .get(start..)
        .map(|t| {
            let mut end = t.len().min(65_536);
            while !t.is_char_boundary(end) {
                end -= 1;
            }
            t.get(..end).unwrap_or("")
        })
        .unwrap_or("");
    if cell.is_empty() {
        return start;
    }
    window.find(cell).map_or(start, |i| start + i)
}

pub(crate) fn read(file: &Arc<SourceFile>) -> Result<Vec<ListEntry>, Error> {
    let text = file.text();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let header_help = "a Consolidated Screening List CSV file starts with a header row naming its columns (`_id,source,entity_number,type,programs,name,…`); only `name` is required";
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(Error::one(csv_error(file, &e, header_help))),
    };
    let columns = Columns::from_header(&header);
    let Some(name_col) = columns.name else {
        let first = file.line_span(1);
        let shown: String = file.slice(first).chars().take(80).collect();
        let message = if text.trim().is_empty() {
            "the screening list is empty: it has no header row".to_string()
        } else {
            format!("the screening list has no `name` column (its first line is `{shown}`)")
        };
        return Err(Error::one(
            Diagnostic::error(Code::ScreeningNoNameColumn, message)
                .in_file(file)
                .label(first, "the header row")
                .help(header_help),
        ));
    };
    let mut problems = Problems::new(file);
    let mut entries = Vec::new();
    let mut record = csv::StringRecord::new();
    let (mut line, mut counted) = (1usize, 0usize);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.push(csv_error(file, &e, header_help));
                if problems.is_full() || !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
                continue;
            }
        }
        let mut start = record
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        // The csv crate places a record after blank lines at the first blank line.
        while matches!(text.as_bytes().get(start), Some(b'\n' | b'\r')) {
            start += 1;
        }
        // Lines counted from the bytes (the csv crate does not count blank lines).
        if let Some(between) = text.get(counted..start.max(counted)) {
            line += between.bytes().filter(|b| *b == b'\n').count();
        }
        counted = start.max(counted);
        if entries.len() >= MAX_LIST_ENTRIES {
            problems.push(
                Diagnostic::error(
                    Code::ScreeningTooManyEntries,
                    format!("the list has more than {MAX_LIST_ENTRIES} entries"),
                )
                .label(Span::new(start, start), "here")
                .help("split the list; the ceiling is documented in docs/screening.md"),
            );
            break;
        }
        // A blank line between records is no record.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |c: Option<usize>| c.and_then(|i| record.get(i));
        let text_of = |c: Option<usize>| non_empty(cell(c).map(str::to_string));
        let Some(name) = text_of(Some(name_col)) else {
            problems.push(
                Diagnostic::error(
                    Code::ScreeningMissingName,
                    format!("the entry on line {line} has no `name`"),
                )
                .label(Span::new(start, start), "this row")
                .help("every screening-list entry needs a name to be screened against; fix or remove the row"),
            );
            continue;
        };
        let mut bad = false;
        let mut date = |key: &str, c: Option<usize>| match parse_date(cell(c)) {
            Ok(d) => d,
            Err(why) => {
                let at = cell_offset(text, start, cell(c).unwrap_or("").trim());
                problems.push(
                    Diagnostic::error(
                        Code::ScreeningBadDate,
                        format!("the `{key}` of the entry on line {line} is not a date: {why}"),
                    )
                    .label(Span::new(at, at), "here")
                    .help("CSL dates are written YYYY-MM-DD; leave the cell empty when there is no date"),
                );
                bad = true;
                None
            }
        };
        let start_date = date("start_date", columns.start_date);
        let end_date = date("end_date", columns.end_date);
        if bad {
            continue;
        }
        entries.push(ListEntry {
            id: text_of(columns.id).unwrap_or_default(),
            source: ListSource::parse(cell(columns.source).unwrap_or("")),
            entity_number: text_of(columns.entity_number),
            kind: EntryKind::parse(cell(columns.kind).unwrap_or("")),
            name,
            alt_names: many(cell(columns.alt_names)),
            programs: many(cell(columns.programs)),
            title: text_of(columns.title),
            addresses: cell(columns.addresses)
                .map(|c| c.split("; ").filter_map(address_cell).collect())
                .unwrap_or_default(),
            federal_register_notice: text_of(columns.federal_register_notice),
            start_date,
            end_date,
            license_requirement: text_of(columns.license_requirement),
            license_policy: text_of(columns.license_policy),
            remarks: text_of(columns.remarks),
            source_list_url: text_of(columns.source_list_url),
            location: EntryLocation {
                line: u32::try_from(line).unwrap_or(u32::MAX),
                column: 1,
            },
        });
    }
    problems.finish(entries)
}

fn csv_error(file: &Arc<SourceFile>, e: &csv::Error, help: &str) -> Diagnostic {
    let at = e
        .position()
        .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
    let what = match e.kind() {
        csv::ErrorKind::Utf8 { err, .. } => format!("field {} is not valid UTF-8", err.field() + 1),
        _ => e.to_string(),
    };
    Diagnostic::error(
        Code::ScreeningBadCsv,
        format!("the screening list is not valid CSV: {what}"),
    )
    .in_file(file)
    .label(Span::new(at, at), "here")
    .help(help.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_cells_take_a_trailing_country_code() {
        let a = address_cell("Room 1, Bldg 2, Shenzhen, Guangdong, 518000, CN").unwrap();
        assert_eq!(a.country.map(|c| c.to_string()).as_deref(), Some("CN"));
        assert_eq!(
            a.address.as_deref(),
            Some("Room 1, Bldg 2, Shenzhen, Guangdong, 518000")
        );
        let b = address_cell("Moscow, Russia").unwrap();
        assert_eq!(b.country, None);
        assert_eq!(b.address.as_deref(), Some("Moscow, Russia"));
        assert_eq!(address_cell(" "), None);
    }

    /// The reader accepts rows of any length and the text is UTF-8 before it is parsed, so no
    /// list file is known to reach the CSV parser's own errors; one is made here.
    #[test]
    fn a_csv_parser_error_is_reported_as_bad_csv() {
        let file = SourceFile::new("list.csv", "name\nA\n".to_string());
        let e = csv::Error::from(std::io::Error::other("the disk went away"));
        let d = csv_error(&file, &e, "help");
        assert_eq!(d.code, Code::ScreeningBadCsv);
        assert_eq!(
            d.message,
            "the screening list is not valid CSV: the disk went away"
        );
        assert_eq!(d.location().as_deref(), Some("list.csv:1:1"));
    }

    #[test]
    fn many_splits_on_semicolon_space() {
        assert_eq!(many(Some("A; B;  ; C")), vec!["A", "B", "C"]);
        assert!(many(None).is_empty());
    }
}
