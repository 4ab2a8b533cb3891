//! Companies that design advanced-computing chips, with where each is headquartered, so that
//! an item's `developer: Huawei` can be judged without the user restating the company's
//! headquarters (BIS's GP10 guidance of 2025-05-13 keys on who developed a chip, not where it
//! was fabricated). A name that is not in this table, and is not a party of the file, leaves
//! the developer's headquarters unknown: the rules that ask then cannot clear.

use crate::country::Country;

/// A known developer.
#[derive(Clone, Copy, Debug)]
pub struct Known {
    pub headquarters: Country,
    /// Where the headquarters come from.
    pub source: &'static str,
}

/// `(name tokens, headquarters, source)`. A name matches when its leading words (lower-cased,
/// punctuation and legal forms dropped) are the tokens given.
const TABLE: &[(&str, &str, &str)] = &[
    (
        "nvidia",
        "US",
        "NVIDIA Corporation, Form 10-K (Santa Clara, California)",
    ),
    (
        "advanced micro devices",
        "US",
        "Advanced Micro Devices, Inc., Form 10-K (Santa Clara, California)",
    ),
    (
        "amd",
        "US",
        "Advanced Micro Devices, Inc., Form 10-K (Santa Clara, California)",
    ),
    (
        "intel",
        "US",
        "Intel Corporation, Form 10-K (Santa Clara, California)",
    ),
    (
        "habana",
        "US",
        "Habana Labs, an Intel company (Intel Corporation, Form 10-K)",
    ),
    (
        "google",
        "US",
        "Alphabet Inc., Form 10-K (Mountain View, California)",
    ),
    (
        "alphabet",
        "US",
        "Alphabet Inc., Form 10-K (Mountain View, California)",
    ),
    (
        "amazon",
        "US",
        "Amazon.com, Inc., Form 10-K (Seattle, Washington)",
    ),
    (
        "annapurna",
        "US",
        "Annapurna Labs, an Amazon company (Amazon.com, Inc., Form 10-K)",
    ),
    (
        "microsoft",
        "US",
        "Microsoft Corporation, Form 10-K (Redmond, Washington)",
    ),
    (
        "meta",
        "US",
        "Meta Platforms, Inc., Form 10-K (Menlo Park, California)",
    ),
    (
        "cerebras",
        "US",
        "15 CFR Part 740, Supp. No. 6 (approved IC designers); Sunnyvale, California",
    ),
    ("groq", "US", "Groq, Inc. (Mountain View, California)"),
    (
        "sambanova",
        "US",
        "SambaNova Systems, Inc. (Palo Alto, California)",
    ),
    (
        "qualcomm",
        "US",
        "Qualcomm Incorporated, Form 10-K (San Diego, California)",
    ),
    (
        "broadcom",
        "US",
        "Broadcom Inc., Form 10-K (Palo Alto, California)",
    ),
    (
        "micron",
        "US",
        "Micron Technology, Inc., Form 10-K (Boise, Idaho)",
    ),
    ("tenstorrent", "CA", "Tenstorrent Inc. (Toronto, Ontario)"),
    (
        "graphcore",
        "GB",
        "Graphcore Limited (Bristol, United Kingdom)",
    ),
    (
        "samsung",
        "KR",
        "Samsung Electronics Co., Ltd., annual report (Suwon, Republic of Korea)",
    ),
    (
        "sk hynix",
        "KR",
        "SK hynix Inc., annual report (Icheon, Republic of Korea)",
    ),
    (
        "rebellions",
        "KR",
        "Rebellions Inc. (Seongnam, Republic of Korea)",
    ),
    (
        "furiosaai",
        "KR",
        "FuriosaAI, Inc. (Seoul, Republic of Korea)",
    ),
    (
        "preferred networks",
        "JP",
        "Preferred Networks, Inc. (Tokyo, Japan)",
    ),
    (
        "huawei",
        "CN",
        "Entity List entry for Huawei Technologies Co., Ltd. (Shenzhen), 84 FR 22961",
    ),
    (
        "hisilicon",
        "CN",
        "Entity List entry for HiSilicon (Shenzhen), a Huawei affiliate, 84 FR 22961",
    ),
    (
        "cambricon",
        "CN",
        "Entity List entry for Cambricon Technologies (Beijing), 87 FR 77505",
    ),
    (
        "biren",
        "CN",
        "Entity List entry for Beijing/Shanghai Biren Technology, 88 FR 71991",
    ),
    (
        "moore threads",
        "CN",
        "Entity List entry for Moore Threads Technology (Beijing), 88 FR 71991",
    ),
    (
        "hygon",
        "CN",
        "Entity List entry for Higon/Hygon (Tianjin), 84 FR 29371",
    ),
    (
        "higon",
        "CN",
        "Entity List entry for Higon/Hygon (Tianjin), 84 FR 29371",
    ),
    (
        "sophgo",
        "CN",
        "Sophgo Technologies Ltd. (Beijing), named in 2024-2025 reporting on TSMC-made Huawei dies",
    ),
    (
        "enflame",
        "CN",
        "Shanghai Enflame Technology Co., Ltd. (Shanghai)",
    ),
    (
        "iluvatar",
        "CN",
        "Shanghai Iluvatar CoreX Semiconductor Co., Ltd. (Shanghai)",
    ),
    (
        "metax",
        "CN",
        "MetaX Integrated Circuits (Shanghai) Co., Ltd. (Shanghai)",
    ),
    (
        "kunlunxin",
        "CN",
        "Kunlunxin (Beijing) Technology Co., Ltd., a Baidu company (Beijing)",
    ),
    ("baidu", "CN", "Baidu, Inc., Form 20-F (Beijing)"),
    (
        "alibaba",
        "CN",
        "Alibaba Group Holding Limited, Form 20-F (Hangzhou)",
    ),
    (
        "t head",
        "CN",
        "T-Head Semiconductor, an Alibaba company (Hangzhou)",
    ),
    (
        "zhaoxin",
        "CN",
        "Shanghai Zhaoxin Semiconductor Co., Ltd. (Shanghai)",
    ),
    (
        "loongson",
        "CN",
        "Loongson Technology Corporation Limited (Beijing)",
    ),
    (
        "tencent",
        "CN",
        "Tencent Holdings Limited, annual report (Shenzhen)",
    ),
];

/// Legal forms dropped from the end of a name before it is compared.
const LEGAL_FORMS: &[&str] = &[
    "co",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "llc",
    "plc",
    "gmbh",
    "ag",
    "sa",
    "kk",
    "company",
];

fn words(name: &str) -> Vec<String> {
    let lower = name.to_lowercase();
    let mut out: Vec<String> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    while out
        .last()
        .is_some_and(|w| LEGAL_FORMS.contains(&w.as_str()))
    {
        out.pop();
    }
    out
}

/// The headquarters of a developer named `name`, when the table knows it.
pub fn known(name: &str) -> Option<Known> {
    let w = words(name);
    TABLE.iter().find_map(|(tokens, hq, source)| {
        let key: Vec<&str> = tokens.split(' ').collect();
        let matches = w.len() >= key.len() && w.iter().zip(&key).all(|(a, b)| a == b);
        if matches {
            Some(Known {
                headquarters: Country::parse(hq)?,
                source,
            })
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_people_write_them() {
        let hq = |n: &str| known(n).map(|k| k.headquarters.to_string());
        assert_eq!(hq("Huawei").as_deref(), Some("CN"));
        assert_eq!(hq("Huawei Technologies Co., Ltd.").as_deref(), Some("CN"));
        assert_eq!(hq("NVIDIA Corporation").as_deref(), Some("US"));
        assert_eq!(hq("T-Head Semiconductor").as_deref(), Some("CN"));
        assert_eq!(hq("SK hynix Inc.").as_deref(), Some("KR"));
        assert_eq!(
            hq("Metaverse Chips Ltd"),
            None,
            "a prefix of a word is not a match"
        );
        assert_eq!(hq("Unknown Designs Ltd"), None);
    }
}
