//! Han script: traditional characters to simplified (OpenCC's tables, through
//! `ferrous-opencc`), then a run of characters to the units a romanized name is made of.
//!
//! Chinese company names are romanized by transliterating the distinctive part and
//! translating the generic part: 华为技术有限公司 is "Huawei Technologies Co., Ltd.", not
//! "Huawei Jishu". So a run is segmented greedily, longest word first, against a small
//! glossary of the generic words of company names (技术 → technology, 进出口 → import
//! export), of the big cities (whose readings are fixed: 重庆 is Chongqing) and of the Han
//! legal forms; every other character becomes its pinyin syllable (crate `pinyin`, default
//! reading, no tones). Joining syllables back into words ("hua wei" → "huawei") is the
//! index's business.

use std::collections::HashMap;
use std::sync::OnceLock;

use pinyin::ToPinyin;

use super::legal_forms::HAN_LEGAL_FORMS;

/// Generic words of Chinese company names, with the English that romanized names use.
/// Empty English: dropped (市 "city", 省 "province" after a place name).
const GLOSSARY: &[(&str, &str)] = &[
    ("科技", "technology"),
    ("技术", "technology"),
    ("高科技", "high technology"),
    ("高新技术", "high technology"),
    ("电子", "electronics"),
    ("微电子", "microelectronics"),
    ("光电", "optoelectronics"),
    ("光电子", "optoelectronics"),
    ("半导体", "semiconductor"),
    ("集成电路", "integrated circuit"),
    ("芯片", "chip"),
    ("通信", "communication"),
    ("通讯", "communication"),
    ("信息", "information"),
    ("网络", "network"),
    ("软件", "software"),
    ("智能", "intelligent"),
    ("数据", "data"),
    ("数字", "digital"),
    ("系统", "systems"),
    ("设备", "equipment"),
    ("装备", "equipment"),
    ("仪器", "instruments"),
    ("仪表", "instruments"),
    ("精密", "precision"),
    ("机械", "machinery"),
    ("电气", "electric"),
    ("电器", "electric appliance"),
    ("电力", "power"),
    ("能源", "energy"),
    ("新能源", "new energy"),
    ("材料", "materials"),
    ("新材料", "new materials"),
    ("化工", "chemical"),
    ("化学", "chemical"),
    ("工业", "industrial"),
    ("实业", "industrial"),
    ("重工", "heavy industries"),
    ("工程", "engineering"),
    ("制造", "manufacturing"),
    ("贸易", "trading"),
    ("商贸", "trading"),
    ("国际", "international"),
    ("进出口", "import export"),
    ("物流", "logistics"),
    ("供应链", "supply chain"),
    ("发展", "development"),
    ("投资", "investment"),
    ("控股", "holdings"),
    ("集团", "group"),
    ("研究所", "research institute"),
    ("研究院", "research institute"),
    ("研究", "research"),
    ("大学", "university"),
    ("学院", "institute"),
    ("实验室", "laboratory"),
    ("中心", "center"),
    ("航空", "aviation"),
    ("航天", "aerospace"),
    ("光学", "optics"),
    ("激光", "laser"),
    ("船舶", "shipbuilding"),
    ("汽车", "automotive"),
    ("医疗", "medical"),
    ("生物", "biological"),
    ("计算机", "computer"),
    ("计算", "computing"),
    ("服务", "services"),
    ("咨询", "consulting"),
    ("管理", "management"),
    ("自动化", "automation"),
    ("雷达", "radar"),
    ("导航", "navigation"),
    ("卫星", "satellite"),
    ("无人机", "uav"),
    ("分公司", "branch"),
    ("中国", "china"),
    ("北京", "beijing"),
    ("上海", "shanghai"),
    ("深圳", "shenzhen"),
    ("广州", "guangzhou"),
    ("重庆", "chongqing"),
    ("天津", "tianjin"),
    ("杭州", "hangzhou"),
    ("南京", "nanjing"),
    ("武汉", "wuhan"),
    ("成都", "chengdu"),
    ("西安", "xian"),
    ("长沙", "changsha"),
    ("长春", "changchun"),
    ("厦门", "xiamen"),
    ("苏州", "suzhou"),
    ("合肥", "hefei"),
    ("东莞", "dongguan"),
    ("青岛", "qingdao"),
    ("大连", "dalian"),
    ("沈阳", "shenyang"),
    ("哈尔滨", "harbin"),
    ("珠海", "zhuhai"),
    ("无锡", "wuxi"),
    ("宁波", "ningbo"),
    ("郑州", "zhengzhou"),
    ("济南", "jinan"),
    ("昆明", "kunming"),
    ("南昌", "nanchang"),
    ("香港", "hong kong"),
    ("澳门", "macau"),
    ("台湾", "taiwan"),
    ("广东", "guangdong"),
    ("江苏", "jiangsu"),
    ("浙江", "zhejiang"),
    ("四川", "sichuan"),
    ("湖北", "hubei"),
    ("湖南", "hunan"),
    ("山东", "shandong"),
    ("陕西", "shaanxi"),
    ("福建", "fujian"),
    ("安徽", "anhui"),
    ("市", ""),
    ("省", ""),
];

/// One unit of a Han run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HanPiece {
    /// A character read as its pinyin syllable.
    Syllable(char, &'static str),
    /// A glossary word and its English (possibly several words, possibly none).
    Word(&'static str, &'static str),
    /// A Han legal form.
    Legal(&'static str),
}

#[derive(Clone, Copy)]
enum Known {
    Word(&'static str, &'static str),
    Legal(&'static str),
}

/// The dictionary, by word, and the longest word's length in characters.
fn dictionary() -> &'static (HashMap<&'static str, Known>, usize) {
    static DICT: OnceLock<(HashMap<&'static str, Known>, usize)> = OnceLock::new();
    DICT.get_or_init(|| {
        let mut map = HashMap::new();
        let mut longest = 1;
        for (han, english) in GLOSSARY {
            map.insert(*han, Known::Word(han, english));
            longest = longest.max(han.chars().count());
        }
        for han in HAN_LEGAL_FORMS {
            map.insert(*han, Known::Legal(han));
            longest = longest.max(han.chars().count());
        }
        (map, longest)
    })
}

/// Whether a character is a Han ideograph (CJK Unified Ideographs and their extensions,
/// and the compatibility block).
pub fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2EBEF | 0x30000..=0x323AF)
}

/// Traditional characters to simplified (OpenCC `t2s`); the text unchanged if the tables
/// cannot be loaded (they are built into the binary, so that would be a packaging bug).
pub fn to_simplified(text: &str) -> String {
    static T2S: OnceLock<Option<ferrous_opencc::OpenCC>> = OnceLock::new();
    match T2S
        .get_or_init(|| {
            ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s).ok()
        })
        .as_ref()
    {
        Some(cc) => cc.convert(text),
        None => text.to_string(),
    }
}

/// Segments a run of (simplified) Han characters, longest dictionary word first.
pub fn segment(run: &[char]) -> Vec<HanPiece> {
    let (dict, longest) = dictionary();
    let mut out = Vec::new();
    let mut i = 0;
    let mut word = String::new();
    while i < run.len() {
        let mut matched = None;
        for len in (2..=(*longest).min(run.len() - i)).rev() {
            word.clear();
            word.extend(run.iter().skip(i).take(len));
            if let Some(k) = dict.get(word.as_str()) {
                matched = Some((len, *k));
                break;
            }
        }
        if matched.is_none() {
            word.clear();
            if let Some(c) = run.get(i) {
                word.push(*c);
            }
            if let Some(k) = dict.get(word.as_str()) {
                matched = Some((1, *k));
            }
        }
        match matched {
            Some((len, Known::Word(han, english))) => {
                out.push(HanPiece::Word(han, english));
                i += len;
            }
            Some((len, Known::Legal(han))) => {
                out.push(HanPiece::Legal(han));
                i += len;
            }
            None => {
                if let Some(&c) = run.get(i) {
                    if let Some(p) = c.to_pinyin() {
                        out.push(HanPiece::Syllable(c, p.plain()));
                    }
                }
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_becomes_simplified() {
        assert_eq!(to_simplified("華為技術有限公司"), "华为技术有限公司");
    }

    #[test]
    fn runs_segment_into_words_and_syllables() {
        let run: Vec<char> = "深圳市华为技术有限公司".chars().collect();
        let pieces = segment(&run);
        assert_eq!(
            pieces,
            vec![
                HanPiece::Word("深圳", "shenzhen"),
                HanPiece::Word("市", ""),
                HanPiece::Syllable('华', "hua"),
                HanPiece::Syllable('为', "wei"),
                HanPiece::Word("技术", "technology"),
                HanPiece::Legal("有限公司"),
            ]
        );
    }
}
