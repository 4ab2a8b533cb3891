//! Restricted-party name screening: is a party's name, or one of its aliases, on a
//! Consolidated Screening List?
//!
//! The stages, one module each: [`list`] (the model) read by the JSON and CSV readers →
//! [`normalize`] (NFKC, folding, transliteration, [`legal_forms`]) → [`index`] (built once per
//! set of lists) → [`score`] (a weighted F-beta of token precision and recall). Results are
//! data ([`Match`]); [`describe`] words one for people. `docs/screening.md` says why each
//! stage is as it is.

mod csl_csv;
mod csl_json;
pub mod han;
pub mod legal_forms;
pub mod list;
pub mod normalize;

pub use list::{
    Address, EntryKind, EntryLocation, ListEntry, ListFormat, ListSource, ScreeningList,
    MAX_LIST_ENTRIES,
};
