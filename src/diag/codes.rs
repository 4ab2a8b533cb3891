//! Every diagnostic code, one entry each: the variant, the string users see (and snapshots
//! pin), a one-line title and an explanation (what triggers it, an example, how to fix it).
//! `docs/diagnostics.md` is generated from [`Code::ALL`] (tests/diagnostics_page.rs checks it
//! is current), and tests/diagnostics_page.rs also checks that every code is produced by a
//! case file under `tests/cases/` or by a command snapshotted elsewhere.
//!
//! A code names a kind of problem, not one message: `rules::unknown-name` covers every name
//! that is not declared. Adding a code is adding an entry here, a case file that produces it,
//! and running `CHIPGATE_BLESS=1 cargo test --test diagnostics_page`.

use std::fmt;

macro_rules! codes {
    ($(
        $(#[$meta:meta])*
        $variant:ident = $text:literal {
            title: $title:literal,
            explanation: $explanation:literal $(,)?
        }
    )*) => {
        /// A diagnostic's code. Shown (and serialized) as its string, e.g. `rules::unknown-name`.
        #[non_exhaustive]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $( $(#[$meta])* #[doc = concat!("`", $text, "`: ", $title, ".")] $variant, )*
        }

        impl Code {
            /// Every code, in the order of the documentation page.
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The code as users see it: `rules::unknown-name`. Stable: snapshots and
            /// scripts that read diagnostics depend on it.
            pub const fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $text, )* }
            }

            /// One line saying what the code is about.
            pub const fn title(self) -> &'static str {
                match self { $( Code::$variant => $title, )* }
            }

            /// What triggers the diagnostic, an example, and how to fix it.
            pub const fn explanation(self) -> &'static str {
                match self { $( Code::$variant => $explanation, )* }
            }

            /// The code a string names (`rules::unknown-name`), if any.
            pub fn parse(text: &str) -> Option<Code> {
                match text {
                    $( $text => Some(Code::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

codes! {
    // ------------------------------------------------------------------ rule files

    RulesSyntax = "rules::syntax" {
        title: "a declaration does not parse",
        explanation: "The rule file does not follow the grammar of the rule language \
            (docs/language.md) at the place shown: a misspelt keyword, an operator from another \
            language, a missing `}` or a value of the wrong shape. For example \
            `when item.tpp >= 4800 && destination in D5` is refused: conditions join with \
            `and` and `or`. Each declaration is parsed on its own, so one mistake gives one \
            diagnostic and the other declarations are still checked. Fix the text at the \
            location given; the message says what was expected there.",
    }
    RulesUnknownName = "rules::unknown-name" {
        title: "a name is not declared or not known",
        explanation: "A rule names something that does not exist: a country or group \
            (`destination in D55`), a law, an exception, a `define`, a transaction kind, an \
            outcome, an item attribute (`item.tpq`), a value, a party, a list (`entity_list`), \
            a placeholder in an explanation (`{enduser}`), an ECCN no classification yields \
            (`item is 3A090.z`), or a code that is not an ECCN, HTS code or region. The help \
            suggests the closest known name where there is one (`did you mean D5?`). Correct \
            the spelling, or declare the name.",
    }
    RulesTypeMismatch = "rules::type-mismatch" {
        title: "a value is tested in a way its type does not allow",
        explanation: "Each value has a type, and each type its tests: numbers and dates are \
            compared, countries are tested with `in`, end uses and kinds with `is` or `in`. \
            `item.tpp in D5` and `destination >= 5` are refused, as is a date compared with a \
            number or an item form tested against a list. The help shows how the value is \
            tested, e.g. `compare it: item.tpp >= 4800`.",
    }
    RulesBadDate = "rules::bad-date" {
        title: "a date in a rule file is not a valid date",
        explanation: "Dates in rule files are written YYYY-MM-DD and must exist on the \
            calendar. `effective 2023-13-45` is refused (there is no month 13). Write the date \
            as it appears in the Federal Register notice, e.g. `effective 2023-11-17`.",
    }
    RulesEmptyWindow = "rules::empty-window" {
        title: "a date window ends before it starts",
        explanation: "An `effective`, `member`, or `unenforced` window whose `until` is not \
            after its start contains no day at all, e.g. \
            `effective 2025-11-10 until 2025-09-29`. `until` is the first day no longer in \
            force, so it must come after the start: swap or correct the dates.",
    }
    RulesDuplicateId = "rules::duplicate-id" {
        title: "two rules have the same id",
        explanation: "Rule ids name findings in every report and in test expectations, so \
            they are unique across the rule set, all files included. Two `rule \
            example.twice { … }` blocks are refused at the second; the help gives the location \
            of the first. Rename one of them.",
    }
    RulesDuplicateName = "rules::duplicate-name" {
        title: "a law, group, define or exception is declared twice",
        explanation: "Names of laws, groups, defines and exceptions are unique within their \
            kind across the rule set: two `group D5 { … }` blocks would leave it unclear which \
            one `destination in D5` means. The second declaration is refused; the help gives \
            the location of the first. Rename or merge them.",
    }
    RulesGroupShadowsCountry = "rules::group-shadows-country" {
        title: "a group is named like a country code",
        explanation: "A group may not take the name of an ISO 3166-1 alpha-2 country code: in \
            `destination in CN`, `CN` must always mean China. `group CN \"China and Macau\" { … }` \
            is refused. Choose a name that is not a country code, e.g. `D5`, `CNMO` or `HUBS`.",
    }
    RulesCycle = "rules::cycle" {
        title: "a group, define or exception contains itself",
        explanation: "A group that includes itself (directly or through other groups), a \
            `define` that uses itself, or an exception whose condition requires itself has no \
            meaning: expanding it never ends. The message shows the chain, e.g. \
            `group A contains itself (A → B → A)`. Break the chain by listing the members or \
            the condition directly.",
    }
    RulesMissing = "rules::missing" {
        title: "a declaration lacks a required attribute",
        explanation: "Every rule has a `title`, a `cite`, an `effective` date, an `on` line, a \
            `when` condition and an `outcome`; classifications need `cite`, `effective` and \
            `when`; exceptions need `cite`, `effective` and `when`. A rule without `cite` is \
            refused: a finding must say which regulation it applies. Add the attribute named \
            in the message; the help shows its form.",
    }
    RulesRepeated = "rules::repeated" {
        title: "an attribute is given twice in one declaration",
        explanation: "Attributes that hold one value (`title`, `when`, `on`, `outcome`, `law`, \
            `explain`, `help`, `compliance`) may appear once per declaration. Two `when` lines \
            in one rule are refused, since it would be unclear whether both or either must \
            hold: join the conditions with `and` or `or`. (Several `unless` lines are allowed: \
            each lifts the requirement.)",
    }
    RulesEmptyCitation = "rules::empty-citation" {
        title: "a citation is empty",
        explanation: "A `cite` string with nothing in it (`cite \"\"`) cites nothing, and every \
            finding reports its citations. Cite the CFR section or Federal Register notice, e.g. \
            `cite \"15 CFR 744.23(a)(3)\", \"88 FR 73458\"`.",
    }
    RulesPointless = "rules::pointless" {
        title: "an attribute can have no effect where it is",
        explanation: "Some attributes change a requirement into a warning, so they mean nothing \
            on a rule whose outcome is already `warning`: `unenforced` and `compliance` there \
            are refused. A `compliance` date that is not after the rule's first effective date \
            defers nothing and is refused too. Drop the attribute, or correct the date.",
    }
    RulesMisplaced = "rules::misplaced" {
        title: "a note's `when` outside a rule",
        explanation: "`note \"…\" when COND` says when a rule's caveat matters, and is reported \
            with the transactions the condition holds for; only rules are judged against \
            transactions, so a group, define, classification or exception cannot have one. \
            Write the note without `when`, or move the caveat into the rules it concerns.",
    }
    RulesWrongRole = "rules::wrong-role" {
        title: "a party that the rule's transactions do not have",
        explanation: "Exports, reexports and transfers have a `sender` and a `consignee`; \
            leases have a `lessor`, a `lessee` and an `operator`. A condition or explanation \
            placeholder that names a party the rule's transaction kinds do not have could \
            never hold, e.g. `sender is listed on entity-list` in a rule `on lease`. Name a \
            party of those transactions, or change the rule's `on` line.",
    }
    RulesClassifyScope = "rules::classify-scope" {
        title: "a test that does not belong in (or outside) a classification",
        explanation: "A `classify` block says when an item is an ECCN, from the item's own \
            specifications alone: it may not test the destination, the parties or another \
            classification (`item is 3A090.a`). Conversely `declared` (the item's declared \
            ECCN says so) belongs in a classification only. Move the other conditions into the \
            rules that use the classification, or share the specification test with `define`.",
    }
    RulesArity = "rules::arity" {
        title: "a define is used with the wrong number of parties",
        explanation: "A `define` with parameters is used with one party per parameter: \
            `define hq_d5_mo(p) { p is headquartered in [D5, MO] }` is used as \
            `hq_d5_mo(end_user)`, and `hq_d5_mo` alone is refused. The help shows the define's \
            parameters.",
    }
    RulesTemplate = "rules::template" {
        title: "a rule's explanation template is malformed",
        explanation: "A rule's `explain` text may hold placeholders in braces such as \
            `{item}` or `{end_user.country}`; a `{` that is never closed is refused, e.g. \
            `explain \"{item} to {destination\"`. Close the placeholder, or write `{{` for a \
            literal brace.",
    }
    RulesBadNumber = "rules::bad-number" {
        title: "a number in a rule file is out of range",
        explanation: "A number that cannot be what it stands for: a threshold too large to be \
            a number, a share of ownership outside 0–100% (`holding at least 150%`), or a lead \
            time that is not a whole number of days up to ten years \
            (`notified at least 2.5 days before`). Give a plain number in range.",
    }
    RulesInclude = "rules::include" {
        title: "an included file cannot be read",
        explanation: "`include \"path\"` names a rule file relative to the including file; \
            when it is missing or unreadable the diagnostic points at the `include`. Names the \
            missing file may have declared are then not reported as unknown: fix the path \
            first.",
    }
    RulesTooDeep = "rules::too-deep" {
        title: "conditions or groups nest past the nesting limit",
        explanation: "Brackets, `not`s, defines, exceptions that use one another and groups \
            within groups are each a level of nesting; past `--max-rule-nesting` (at most 256) \
            the rule file is refused before anything recurses that deep, so a hostile file \
            cannot exhaust the stack. Real rules nest a few levels: name part of the condition \
            with `define`, flatten the chain, or raise the limit.",
    }
    RulesTooManyDeclarations = "rules::too-many-declarations" {
        title: "a rule file holds more declarations than the limit",
        explanation: "One rule file may hold at most `--max-rule-declarations` declarations \
            (10,000 by default), which bounds the memory a hostile file can take. Split the \
            rules into several files joined with `include`, or raise the limit.",
    }
    RulesLimit = "rules::limit" {
        title: "the rule set passes a resource limit",
        explanation: "The rule set as a whole is larger than a limit allows: more files \
            joined by `include` than `--max-rule-files`, more dated group memberships once \
            nested groups are expanded than `--max-group-members`, more tests in one condition \
            once its defines are expanded than `--max-rule-tests` (a define that uses another \
            twice doubles at each link), or more declarations of a kind than the compiled form \
            can number. Share less between defines, include fewer groups, or raise the limit.",
    }
    RulesInternal = "rules::internal" {
        title: "a bug in chipgate: a declaration failed and no reason was found",
        explanation: "The parser and the syntax tree disagreed, or a declaration failed to \
            compile without any diagnostic saying why. Rather than drop the declaration and \
            judge transactions with a weaker rule set, chipgate refuses the rule set. No rule \
            file should produce this: please report it, with the rule files.",
    }
    RulesUnreadable = "rules::unreadable" {
        title: "a rule file given with `--rules` cannot be read",
        explanation: "The path given to `--rules` does not exist or cannot be opened, e.g. \
            `chipgate check --rules rules/us-ear.cgg deal.yaml`. Check the path; a folder \
            contributes every `.cg` file under it.",
    }
    RulesEmptyFolder = "rules::empty-folder" {
        title: "a folder given with `--rules` holds no rule files",
        explanation: "`--rules FOLDER` compiles every `.cg` file under the folder; a folder \
            with none would silently judge against no rules at all, so it is refused. Name the \
            folder that holds the rules, or check that the files end in `.cg`.",
    }

    // ------------------------------------------------------------------ transaction files

    FactsEmpty = "facts::empty" {
        title: "the transaction file is empty",
        explanation: "A file with nothing in it, or only comments, has no transactions to \
            judge, and an empty file passing as \"nothing flagged\" would be a false clearance. \
            A transaction file lists `parties`, `items` and `transactions` (docs/transaction-file.md).",
    }
    FactsYamlSyntax = "facts::yaml-syntax" {
        title: "the file is not valid YAML",
        explanation: "The YAML parser could not read the file at the place shown: an \
            unclosed bracket or quote, a tab used for indentation, or a key at the wrong \
            indentation. For example `parties: [ {id: a, name: A, country: US }` followed by \
            another key leaves the list open. Check the indentation and quoting around the \
            line given.",
    }
    FactsJsonSyntax = "facts::json-syntax" {
        title: "a JSON request body is not valid JSON",
        explanation: "`chipgate serve` reads a request body as JSON when its `Content-Type` is \
            `application/json` (or ends in `+json`) or, without one, when it starts with `{` \
            or `[`. JSON is read by the YAML loader (JSON is YAML), but when such a body is \
            refused and is not JSON at all, the JSON parser's complaint, with its line and \
            column, is given instead of the YAML reader's, which would mislead: \
            `{\"parties\": [ {\"id\": } ]}` is refused at the `}`. Fix the syntax, or send \
            YAML as `application/yaml`.",
    }
    FactsUnknownKey = "facts::unknown-key" {
        title: "a key the contract does not define",
        explanation: "Every key of a transaction file is defined in docs/transaction-file.md; an unknown \
            key is refused rather than ignored, since a misspelt `destinaton:` ignored would \
            judge the transaction on the wrong destination. The help suggests the closest key \
            and lists the keys the entry takes.",
    }
    FactsMissingKey = "facts::missing-key" {
        title: "a required key is missing",
        explanation: "An entry lacks a key it needs: every party has an `id`, a `name` and a \
            `country`; every transaction an `id`, `kind`, `date` and `item`; an export, \
            reexport or transfer needs `from` and `to`, a lease `facility`, `lessor` and \
            `lessee`. Add the key named in the message.",
    }
    FactsDuplicateKey = "facts::duplicate-key" {
        title: "a key appears twice in one entry",
        explanation: "YAML allows a mapping to repeat a key, keeping the last value; chipgate \
            refuses it, since which of two `country:` lines a party meant cannot be known. \
            Keep one of them.",
    }
    FactsWrongType = "facts::wrong-type" {
        title: "a value of the wrong type",
        explanation: "A value is not of the type its key takes: text where a number is \
            expected (`tpp: high`), a number too large to be one (`tpp: 1e400`), a single \
            value where a list is expected, or `yes` where `true` or `false` is expected. The \
            message names the entry and what was expected.",
    }
    FactsInvalid = "facts::invalid" {
        title: "a value the YAML reader refuses for another reason",
        explanation: "The YAML reader refused a value at the place shown for a reason other \
            than an unknown, missing or repeated key or a wrong type; the message carries its \
            words. Correct the value as the message says.",
    }
    FactsLimit = "facts::limit" {
        title: "the file passes a resource limit",
        explanation: "The file holds more than a limit allows: YAML nested deeper than \
            `--max-yaml-depth`, more aliases than `--max-yaml-aliases`, more values than \
            `--max-yaml-nodes`, or more parties, items, transactions, ownership edges or route \
            hops than their limits (docs/reliability.md). The diagnostic points at the first \
            entry past the limit. Split the file, or raise the limit.",
    }
    FactsNoTransactions = "facts::no-transactions" {
        title: "the file has no transactions",
        explanation: "`transactions: []` leaves nothing to judge, and a run that judged \
            nothing must not pass as \"nothing flagged\". Add at least one transaction.",
    }
    FactsEmptyId = "facts::empty-id" {
        title: "an entry has an empty `id`",
        explanation: "Parties, items, facilities and transactions are referred to by their \
            `id`, so each needs one: `id: \"\"` is refused. Give every entry a unique id.",
    }
    FactsDuplicateId = "facts::duplicate-id" {
        title: "two entries of a kind share an `id`",
        explanation: "Two parties (or items, facilities, transactions) with the same `id` \
            would make every reference to it ambiguous. The second is refused; the help gives \
            the line of the first. Give each its own id.",
    }
    FactsDanglingId = "facts::dangling-id" {
        title: "a reference to an id that is not in the file",
        explanation: "A transaction's `item`, `from`, `to`, `end_user`, `facility`, a party's \
            owner or an authorization's scope names an id no entry has, e.g. `to: sz-buyr` \
            when the party is `sz-buyer`. The help suggests the closest id. (`end_user: \
            unknown` is the way to say the end user is not known.)",
    }
    FactsDanglingIndex = "facts::dangling-index" {
        title: "facts built in memory refer to an entry that is not there",
        explanation: "`TransactionFile::from_parts` (the library's way to build facts without \
            YAML) checks the indices its parties, items, facilities and transactions use: an \
            owner, operator, party, item or facility index past the end of its list, or a \
            transaction with nothing to take its destination from, is refused. Only programs \
            using the library see it: fix the indices they build.",
    }
    FactsEmptyName = "facts::empty-name" {
        title: "a party or item has an empty name",
        explanation: "Findings name the parties and items they concern, and screening lists \
            are searched by name: `name: \"\"` is refused. Give the entry its legal or \
            product name.",
    }
    FactsUnknownCountry = "facts::unknown-country" {
        title: "a country that is not an ISO 3166-1 alpha-2 code",
        explanation: "Countries are written as ISO 3166-1 alpha-2 codes (`CN`, `SG`, `MY`); \
            `country: China` or `country: CHN` is refused, with the code meant as a \
            suggestion where one is clear.",
    }
    FactsUnknownRegion = "facts::unknown-region" {
        title: "a region that is not an ISO 3166-2 code",
        explanation: "Regions (for the sanctioned regions of Ukraine, for instance) are ISO \
            3166-2 subdivision codes such as `UA-43` (Crimea) or `UA-14` (Donetsk); \
            `region: Crimea` is refused. The help suggests the upper-case form of a code \
            written in lower case.",
    }
    FactsBadDate = "facts::bad-date" {
        title: "a date in the file is not a valid date",
        explanation: "Dates are written YYYY-MM-DD and must exist on the calendar: \
            `date: 2025-02-30` and `notified: 2025-13-01` are refused. Write the date as \
            YYYY-MM-DD, e.g. `2025-02-10`.",
    }
    FactsEmptyWindow = "facts::empty-window" {
        title: "a designation ends before it starts",
        explanation: "A designation's `until` is the first day it no longer holds, so it must \
            come after `since`: `since: 2024-05-01` with `until: 2024-04-01` is refused. \
            Correct or swap the dates.",
    }
    FactsImpossibleNumber = "facts::impossible-number" {
        title: "a number outside what it can be",
        explanation: "A figure outside its physical or legal range: a negative TPP, a die area \
            of zero, a share of 0% or over 100%, a quantity that is not a whole number of \
            units. The help gives the range the key takes.",
    }
    FactsUnknownWord = "facts::unknown-word" {
        title: "a word that is not one of the values its key takes",
        explanation: "Keys such as `kind`, `end_use`, `form`, a designation's `list` and an \
            authorization's `type` take one of a fixed set of words; `kind: exports` or \
            `type: NAK` is refused. The help suggests the closest word and lists them all.",
    }
    FactsWrongKey = "facts::wrong-key" {
        title: "a key that does not apply to this kind of transaction",
        explanation: "Exports, reexports and transfers name `from` and `to`; leases name \
            `facility`, `lessor` and `lessee`. A lease with a `from:` is refused, since the \
            party it names would play no part in the checks.",
    }
    FactsDuplicateOwner = "facts::duplicate-owner" {
        title: "the same owner is listed twice for one party",
        explanation: "A party's `owners` list each owner once, with its share of the equity; \
            two entries for the same owner would count its share twice in the ownership \
            arithmetic. Give one entry with the combined share.",
    }
    FactsSharesOver100 = "facts::shares-over-100" {
        title: "a party's owners hold more than 100% in total",
        explanation: "The shares of a party's owners are percentages of the same equity, so \
            they add up to at most 100%: owners with 60% and 50% are refused. Check each \
            `share`.",
    }
    FactsInconsistent = "facts::inconsistent" {
        title: "two facts contradict each other",
        explanation: "A given figure disagrees with the ones it derives from \
            (`performance_density` not equal to tpp / die_area_mm2, allowing for rounding), or \
            a region lies in another country than the party, facility or destination it is \
            given for (`region: UA-43` with `country: CN`). Correct one of them, or leave out \
            the derived one.",
    }
    FactsBadEccn = "facts::bad-eccn" {
        title: "a declared ECCN that is not an ECCN",
        explanation: "An item's `eccn` is an Export Control Classification Number such as \
            `3A090.a`, `4A090.b` or `5A992.c`, or `EAR99`; `eccn: 3A90` is refused, since the \
            rules that test the declared classification could not read it.",
    }
    FactsBadHts = "facts::bad-hts" {
        title: "an HTS code that is not one",
        explanation: "An item's `hts` is a Harmonized Tariff Schedule code of 2 to 10 digits, \
            with or without dots: `8542.31` or `8471.50.0150`; `hts: 85A2` is refused.",
    }
    FactsConflictingId = "facts::conflicting-id" {
        title: "an id defined differently in two files",
        explanation: "A party, item or facility id given both in a `--facts` file and in a \
            transaction file (or in two facts files) must mean the same thing in both: an id \
            defined differently in two places is refused, since a transaction would otherwise \
            be judged on whichever definition came last. Give the id once, or make both \
            definitions equal.",
    }
    FactsCsvSyntax = "facts::csv-syntax" {
        title: "a CSV transaction file that is not valid CSV",
        explanation: "A `.csv` transaction file is read with a header row naming transaction \
            keys and one transaction a row; a row with an unterminated quote, or with more or \
            fewer fields than the header, is refused with its line and the column it is in.",
    }
    InputEmptyFolder = "input::empty-folder" {
        title: "a folder with no transaction files in it",
        explanation: "`chipgate check FOLDER` judges every transaction file inside (`.yaml`, \
            `.yml`, `.json`, `.jsonl`, `.csv`, at any depth); a folder with none would \
            otherwise pass as nothing flagged, so it is refused.",
    }
    FactsUnknownModel = "facts::unknown-model" {
        title: "a `model` the catalogue does not know, or names twice",
        explanation: "An item's `model` names a product of the built-in catalogue \
            (`rules/catalogue.yaml`, listed in docs/catalogue.md), as people write it: case, \
            spacing and punctuation do not matter, and the vendor's name may be left out \
            (`H20`, `NVIDIA H20`, `4090D`, `Instinct MI300X`). A name that matches no product \
            is refused with the closest one, and a name that matches several (a family name) \
            with the products it could mean; give the item's figures instead when the \
            product is not in the catalogue.",
    }
    FactsInternal = "facts::internal" {
        title: "a bug in chipgate: an entry was left out and no reason was found",
        explanation: "An entry of the transaction file (a party, item, facility or \
            transaction) was not read, and no diagnostic said why. Rather than judge the file \
            without it (a transaction left out would get no verdict at all), chipgate refuses \
            the file. No transaction file should produce this: please report it, with the file.",
    }

    // ------------------------------------------------------------------ reading input

    InputTooLarge = "input::too-large" {
        title: "a file is larger than the size limit",
        explanation: "A transaction, rule or case file larger than `--max-file-bytes` is \
            refused before it is read whole, so a mistaken or hostile input cannot exhaust \
            memory. Split the file, or raise the limit.",
    }
    InputBinary = "input::binary" {
        title: "a file holds binary content",
        explanation: "A NUL byte shows the file is not text (a spreadsheet or an archive given \
            by mistake); chipgate reads YAML transaction files and `.cg` rule files only. The \
            diagnostic points where the binary content starts.",
    }
    InputNotUtf8 = "input::not-utf8" {
        title: "a file is not valid UTF-8",
        explanation: "Input files are UTF-8 text; a file saved as Latin-1 or UTF-16 is refused \
            at the first byte that is not UTF-8, rather than read with replacement characters \
            in names that screening compares. Save the file as UTF-8.",
    }
    InputNotFound = "input::not-found" {
        title: "a file or folder named on the command line does not exist",
        explanation: "A path given to `chipgate test` or `chipgate diff` names nothing, e.g. \
            `chipgate test tests/casse`. Name a YAML file or a folder of them.",
    }
    InputUnreadable = "input::unreadable" {
        title: "a file named on the command line cannot be read",
        explanation: "Opening or reading a transaction or case file failed: it does not exist, \
            permission is denied, or it is a folder where a file is expected. The message \
            carries the system's reason. Check the path; `-` reads standard input.",
    }

    // ------------------------------------------------------------------ test cases

    CaseEmpty = "case::empty" {
        title: "a test case file is empty",
        explanation: "A case file for `chipgate test` with nothing in it tests nothing. A case \
            has a `description`, `facts` (or `facts_file`) and `expect` (docs/testing-rules.md).",
    }
    CaseBadDate = "case::bad-date" {
        title: "a case's `as_of` is not a valid date",
        explanation: "`as_of` is the date on which every transaction of the case is judged, \
            written YYYY-MM-DD: `as_of: 2025-02-30` is refused.",
    }
    CaseUnreadable = "case::unreadable" {
        title: "a case's `facts_file` cannot be read",
        explanation: "`facts_file` names a transaction file relative to the case file; when it \
            does not exist or cannot be read the diagnostic points at the key, with the \
            system's reason. Correct the path.",
    }
    CaseBothFacts = "case::both-facts" {
        title: "a case gives both `facts` and `facts_file`",
        explanation: "A case's facts are either written in it (`facts:`) or read from a \
            transaction file (`facts_file:`); with both it would be unclear which the \
            expectations are about. Keep one.",
    }
    CaseNoFacts = "case::no-facts" {
        title: "a case has no facts",
        explanation: "A case needs transactions to judge: add `facts:` with parties, items and \
            transactions, or `facts_file:` naming a transaction file.",
    }
    CaseMissingExpectation = "case::missing-expectation" {
        title: "a transaction of the case has no expectation",
        explanation: "Every transaction of a case has an entry under `expect` with at least its \
            `verdict`, so that a case cannot pass by not saying what it expects. The help shows \
            the entry to add, e.g. `T2:` with its `verdict`.",
    }
    CaseUnknownVerdict = "case::unknown-verdict" {
        title: "an expected verdict that is not a verdict",
        explanation: "Verdicts are `prohibited`, `license_required`, `indeterminate`, \
            `warning` and `allowed`; `verdict: licence_required` is refused, with the closest \
            verdict as a suggestion.",
    }
    CaseUnknownRule = "case::unknown-rule" {
        title: "an expectation names a rule that is not in the rule set",
        explanation: "`fires` and `not_fires` list rule ids of the rule set under test; an id \
            that is not in it could never fire, so `not_fires: [us.ear.3a09a]` would pass for \
            the wrong reason. The help suggests the closest rule id.",
    }
    CaseUnknownTransaction = "case::unknown-transaction" {
        title: "an expectation for a transaction the case does not have",
        explanation: "Each key under `expect` is the id of one of the case's transactions; an \
            expectation for `T3` when the facts have `T1` and `T2` would never be checked. \
            Correct the id, or remove the entry.",
    }
    CaseNoneFound = "case::none-found" {
        title: "no test case files were found",
        explanation: "The paths given to `chipgate test` hold no `.yaml` or `.yml` file, so a \
            mistyped folder does not pass as \"0 failed\". Name the case files or the folder \
            that holds them.",
    }

    // ------------------------------------------------------------------ screening lists

    ScreeningUnreadable = "screening::unreadable" {
        title: "a screening list file cannot be read",
        explanation: "Opening or reading the list file failed: it does not exist, permission \
            is denied, or the path names a folder. The message carries the system's reason, \
            e.g. cannot read the screening list `csl.json`: No such file or directory. Check \
            the path, and that the file is readable.",
    }
    ScreeningTooLarge = "screening::too-large" {
        title: "a screening list is larger than the file size limit",
        explanation: "A list file over `Limits::max_file_bytes` (256 MiB by default; the \
            Consolidated Screening List is about 20 MB) is refused before it is read, so a \
            wrong file or an endless stream cannot exhaust memory. Check that the file is the \
            list, or raise the limit (`Limits::max_file_bytes`).",
    }
    ScreeningBinary = "screening::binary" {
        title: "a screening list is a binary file",
        explanation: "A NUL byte shows the file is not text: a zipped download, a spreadsheet \
            or an image given by mistake. The diagnostic points where the binary content \
            starts. Give the Consolidated Screening List as published, `consolidated.json` or \
            `consolidated.csv`, uncompressed.",
    }
    ScreeningNotUtf8 = "screening::not-utf8" {
        title: "a screening list is not valid UTF-8",
        explanation: "List files are UTF-8 text; a list saved as Latin-1 or UTF-16 (as some \
            spreadsheet exports are) is refused at the first byte that is not UTF-8, rather \
            than read with replacement characters in the names that are screened. Save the \
            list as UTF-8, as the CSL is published.",
    }
    ScreeningBadJson = "screening::bad-json" {
        title: "a JSON screening list is not valid JSON",
        explanation: "The file starts like JSON (`{` or `[`) or is named `.json`, but outside \
            its records it is not JSON: a syntax error, a string or bracket never closed (a \
            truncated download), or text after the end, e.g. `{\"results\": []} trailing`. The \
            diagnostic points at the place, and the message says what was expected there. \
            Download the list again, or correct the file.",
    }
    ScreeningBadList = "screening::bad-list" {
        title: "a JSON file is not shaped like a screening list",
        explanation: "A CSL JSON file is an object `{\"results\": [ … ]}` with one object per \
            listed party. A JSON array at the top (`[{\"name\": …}]`), an object without \
            `results`, a `results` that is not an array or that appears twice, and an empty \
            file are refused. Give the file as data.trade.gov publishes it, or wrap the \
            records in `{\"results\": …}`.",
    }
    ScreeningTooDeep = "screening::too-deep" {
        title: "a JSON screening list nests brackets too deeply",
        explanation: "A list's records are flat, so brackets nested deeper than 128 levels \
            (`MAX_JSON_DEPTH`), at the top, in `results` or inside a record, show a file that \
            is not a list, or one made to exhaust the reader; it is refused where the depth \
            passes the ceiling, never parsed recursively. Check that the file is a Consolidated \
            Screening List.",
    }
    ScreeningBadEntry = "screening::bad-entry" {
        title: "an entry of a JSON screening list is not a valid record",
        explanation: "Each element of `results` is an object whose fields are scalars (a \
            list of them for `alt_names` and `programs`, objects or lines for `addresses`). A \
            number or string in place of a record, a field of the wrong shape \
            (`\"name\": [\"not\", \"a\", \"string\"]`) or a syntax error inside a record \
            (a trailing comma) is refused, located in the record; the other records are still \
            read and every bad one is reported. Correct or remove the entry.",
    }
    ScreeningMissingName = "screening::missing-name" {
        title: "an entry of a screening list has no name",
        explanation: "Screening compares names, so an entry (a JSON record or a CSV row) \
            without a `name`, or with only white space in it, could never match and is \
            refused rather than silently dropped: `{\"id\": \"7\", \"source\": \"EL\"}` has \
            none. Fill in the name, or remove the entry.",
    }
    ScreeningBadDate = "screening::bad-date" {
        title: "a date of a screening-list entry is not a valid date",
        explanation: "An entry's `start_date` and `end_date` are written YYYY-MM-DD (a time \
            after a `T` is tolerated) and must exist on the calendar; `2023-02-30` and \
            `05/16/2019` are refused, located at the value. Leave the field empty when the \
            entry has no date.",
    }
    ScreeningNoNameColumn = "screening::no-name-column" {
        title: "a CSV screening list has no `name` column",
        explanation: "Columns of a CSV list are found by the names in its header row, in any \
            order, and only `name` is required. A header without it, an empty file, or a text \
            file that is not a list at all (its first line is taken as the header) is refused \
            at the first line. Give the list with its header row \
            (`_id,source,entity_number,type,programs,name,…`).",
    }
    ScreeningBadCsv = "screening::bad-csv" {
        title: "the CSV reader refused a screening list",
        explanation: "The CSV parser reported an error of its own while reading the rows; the \
            message carries its reason and the diagnostic its position. The reader accepts \
            rows of any length and the text is checked as UTF-8 before, so no list file is \
            known to reach it. Check that the file is CSV.",
    }
    ScreeningTooManyEntries = "screening::too-many-entries" {
        title: "a screening list has more entries than the ceiling",
        explanation: "A list holds at most 5,000,000 entries (`MAX_LIST_ENTRIES`; the CSL has \
            about 30,000), so a generated or corrupted file cannot exhaust memory. The \
            diagnostic points at the first entry past the ceiling. Split the list into \
            several files.",
    }
    ScreeningTooManyProblems = "screening::too-many-problems" {
        title: "more problems in a screening list than are shown",
        explanation: "Every problem in a list's entries is reported at once, up to 100 \
            (`MAX_LIST_DIAGNOSTICS`); past that, this last diagnostic gives how many more \
            there are, so a file of garbage gives a readable report, not a million lines. Fix \
            the problems shown first, or check that the file is a screening list.",
    }

    // ------------------------------------------------------------------ commands

    CheckLimit = "check::limit" {
        title: "checking one transaction took more steps than the limit",
        explanation: "Each transaction is checked within `--max-steps-per-transaction` steps \
            (tests evaluated, owners and ownership edges walked), so a hostile ownership graph \
            cannot keep the checker busy for hours. The run is refused (exit code 2) rather than \
            reported with the transaction unjudged; the diagnostic points at the transaction. \
            Raise the limit if the graph is real.",
    }
    DiffBadBase = "diff::bad-base" {
        title: "`chipgate diff --base` names no rules",
        explanation: "`--base` is a rule file, a rule folder, or a git revision (`HEAD~1` reads \
            `rules/` at that commit; `REV:PATH` another folder). The message says why the \
            value is none of these, e.g. not a revision of this repository, or a revision with \
            no `.cg` files under the folder.",
    }
    ExplainUnknownTransaction = "explain::unknown-transaction" {
        title: "`chipgate explain` names a transaction the file does not have",
        explanation: "`chipgate explain -t ID FILE` explains one transaction of the file; an \
            `ID` no transaction has is refused, with the closest id or the file's ids as help.",
    }

    // ------------------------------------------------------------------ the service

    ServeToken = "serve::token" {
        title: "the service's bearer token cannot be read or is empty",
        explanation: "`chipgate serve` takes its bearer token from the first line of \
            `--token-file`, else from the `CHIPGATE_TOKEN` environment variable. A token file \
            that cannot be read, or a token that is empty (a blank first line, \
            `CHIPGATE_TOKEN=`), stops the service from starting, since an empty token would \
            guard nothing. Put the token in the file or the variable, or give neither to run \
            without one.",
    }
    ServeBind = "serve::bind" {
        title: "the service cannot listen on its address",
        explanation: "`--listen ADDR` names the address and port the service binds at \
            start-up. One that another process holds, that is not assigned to this machine \
            (`--listen 192.0.2.1:8181`), or a privileged port the service may not bind stops \
            it from starting, with the system's reason. Choose another address; port 0 picks \
            a free one (the address bound is printed on stderr).",
    }
    ServeRuntime = "serve::runtime" {
        title: "the service's worker threads cannot start",
        explanation: "The service runs on a pool of worker threads (`--workers`, one per core \
            by default); when the system refuses to start them (a limit on processes or \
            memory) the service does not start. Lower `--workers`, or raise the limit that \
            refused the threads.",
    }
    ServeDecisionLog = "serve::decision-log" {
        title: "the decision log cannot be opened or written",
        explanation: "With `--decision-log FILE`, the decision record of every transaction the \
            service judges is written before the answer is sent. A log that cannot be opened \
            (its folder does not exist or is not writable) stops the service from starting; \
            one that cannot be written later (a full disk) makes the request answer 503 with \
            this code: the decision is then not given, never given unlogged. Give the log a \
            file in a folder the service can write to, and retry once it is fixed.",
    }
    ServeNotReady = "serve::not-ready" {
        title: "the service's rules are still loading",
        explanation: "The service listens at once and compiles its rules meanwhile; until they \
            are in, `GET /health` answers 503 and so does every request that needs them, with \
            this code. Retry when `GET /health` answers 200.",
    }
    ServeUnauthorized = "serve::unauthorized" {
        title: "a request lacks the service's bearer token",
        explanation: "With a token configured (`--token-file` or `CHIPGATE_TOKEN`), every \
            endpoint but `/health` needs `Authorization: Bearer TOKEN`. A request without it, \
            with another scheme, or with a wrong token is answered 401, with \
            `WWW-Authenticate: Bearer`. Send the token the service was started with.",
    }
    ServeNotFound = "serve::not-found" {
        title: "a request names no endpoint",
        explanation: "The service answers `POST /v1/check`, `/v1/explain`, `/v1/classify`, \
            `/v1/reload` and `GET /health`, `/metrics`; any other path, e.g. `/v1/checks`, is \
            answered 404 with this code (a known path with the wrong method gets a plain \
            405). Correct the path.",
    }
    ServeBadQuery = "serve::bad-query" {
        title: "a request's query is not understood",
        explanation: "The query of `/v1/check` and `/v1/classify` takes `as_of=YYYY-MM-DD` and \
            `name=NAME` (the file name reports give the body: 1 to 256 characters, no control \
            characters); `/v1/explain` also requires `id=T`, the transaction to explain. An \
            unknown parameter (`asof=2025-01-01`), a date that is not one \
            (`as_of=2025-13-01`), an empty name or a missing `id` is answered 400. Correct the \
            query.",
    }
    ServeTimeout = "serve::timeout" {
        title: "a request's body did not arrive in time",
        explanation: "A request's whole body must arrive within `--body-timeout` seconds (30 \
            by default), so that a client that trickles a byte at a time cannot hold a \
            request open; past it the request is answered 408. Send the body at once, or \
            raise `--body-timeout` for a slow link.",
    }
    ServeBodyUnreadable = "serve::body-unreadable" {
        title: "a request's body could not be read",
        explanation: "The body's framing is broken (a chunked body whose chunk sizes are not \
            hexadecimal numbers) or the connection failed while the body was read; the \
            request is answered 400 with the HTTP layer's reason. Check the client, or the \
            proxy in front of the service.",
    }
    ServeFactsFile = "serve::facts-file" {
        title: "a case sent to `/v1/explain` names a `facts_file`",
        explanation: "`/v1/explain` accepts, as `chipgate explain` does, a rule test case with \
            its facts written in it (`facts:`). A case naming a `facts_file` is answered 400, \
            since the service reads no file a request names. Put the facts in the case, or \
            send the transaction file itself.",
    }
    ServeInternal = "serve::internal" {
        title: "a bug in the service",
        explanation: "A request handler, a judgement or a compilation of the rules panicked. \
            The crate denies `unwrap`, `expect`, `panic!` and indexing outside tests, so no \
            input is known to cause it; the panic is caught and reported with this code (a \
            request is answered 500 and counted in `chipgate_panics_total`). Please report it \
            with the request or the rule files that caused it.",
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_parses_back_and_is_distinct() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert_eq!(Code::parse(code.as_str()), Some(code));
            assert!(seen.insert(code.as_str()), "{code} twice");
            assert!(!code.title().is_empty() && !code.explanation().is_empty());
            let (wing, name) = code.as_str().split_once("::").unwrap();
            assert!(!wing.is_empty() && !name.is_empty(), "{code}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{code}"
            );
        }
        assert_eq!(Code::parse("rules::no-such-code"), None);
    }

    #[test]
    fn codes_serialize_as_their_strings() {
        assert_eq!(
            serde_json::to_string(&Code::RulesUnknownName).unwrap(),
            "\"rules::unknown-name\""
        );
        assert_eq!(Code::FactsBadDate.to_string(), "facts::bad-date");
    }
}
