//! Restricted-party name screening: is a party's name, or one of its aliases, on a
//! Consolidated Screening List?
//!
//! The stages, one module each: [`list`] (the model) read by the JSON and CSV readers →
//! [`normalize`] (NFKC, folding, transliteration, [`han`], [`legal_forms`]) → the index
//! (built once per set of lists, in [`Screener::new`]) → [`score`] (a weighted F-beta of
//! token precision and recall). Results are data ([`Match`]); [`describe`] words one for
//! people. `docs/screening.md` says why each stage is as it is.
//!
//! ```
//! use chipgate::screen::{describe, MatchOptions, Query, Screener, ScreeningList, Strength};
//! use chipgate::Limits;
//!
//! let json = r#"{"results": [{"id": "e1", "source": "Entity List (EL) - Bureau of Industry and Security",
//!   "name": "Huawei Technologies Co., Ltd.", "alt_names": ["华为技术有限公司"],
//!   "addresses": [{"city": "Shenzhen", "country": "CN"}], "start_date": "2019-05-16"}]}"#;
//! let list = ScreeningList::from_str("csl.json", json, &Limits::default()).expect("a valid list");
//! let lists = [list];
//! let screener = Screener::new(&lists, &MatchOptions::default());
//! let found = screener.screen(&Query::name("HUAWEI TECHNOLOGIES GmbH"));
//! assert_eq!(found[0].strength, Strength::Strong);
//! println!("{}", describe(&found[0], &lists));
//! ```

mod apply;
mod csl_csv;
mod csl_json;
mod explain;
pub mod han;
mod index;
pub mod legal_forms;
pub mod list;
pub mod normalize;
pub mod score;
mod screener;

pub use apply::{PartyMatches, Resolution, Screening, PACK_LISTS, PACK_WORD};
pub use explain::describe;
pub use list::{
    Address, EntryKind, EntryLocation, ListEntry, ListFormat, ListSource, ScreeningList,
    MAX_JSON_DEPTH, MAX_LIST_DIAGNOSTICS, MAX_LIST_ENTRIES,
};
pub use score::{CountryAgreement, How, Match, MatchOptions, Reasons, Strength, TokenMatch};
pub use screener::{Query, Screener};
