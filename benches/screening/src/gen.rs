//! A seeded synthetic Consolidated Screening List: company names in the styles of the
//! countries most listed parties are in (China and Hong Kong, Russia, Iran, the UAE,
//! Malaysia, Singapore) and individuals, with aliases (hanzi for some Chinese companies,
//! Cyrillic for some Russian ones, short forms, other legal forms), plus some real listed
//! names. Nothing here knows how the matcher works: the vocabularies are how such names are
//! written.

/// splitmix64: small, seeded, deterministic.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % (n.max(1) as u64)) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Which family of names an entry comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Chinese,
    HongKong,
    Russian,
    Iranian,
    Emirati,
    Malaysian,
    Singaporean,
    Person,
    Real,
}

/// One generated entry, with the parts the variants need.
#[derive(Clone, Debug)]
pub struct Synth {
    pub family: Family,
    /// The name without its legal form.
    pub core: String,
    /// The legal form as written ("Co., Ltd."), empty for individuals.
    pub legal: String,
    /// Whether the legal form comes first ("OOO Radiopribor").
    pub legal_first: bool,
    pub name: String,
    /// (simplified, traditional) hanzi of a Chinese company's name.
    pub hanzi: Option<(String, String)>,
    pub hanzi_listed: bool,
    pub aliases: Vec<String>,
    pub country: &'static str,
    pub city: &'static str,
    pub individual: bool,
    /// The words picked from the generator's vocabularies of distinctive words (a pinyin
    /// brand, a Russian compound, "Vertex", a person's names), as opposed to its industry
    /// words, cities and legal forms.
    pub brand: Vec<String>,
}

/// Syllables of brand names with a character that has this one common reading:
/// (pinyin, simplified, traditional).
const SYLLABLES: &[(&str, &str, &str)] = &[
    ("hua", "华", "華"),
    ("xin", "芯", "芯"),
    ("zhong", "中", "中"),
    ("xing", "星", "星"),
    ("tian", "天", "天"),
    ("yu", "宇", "宇"),
    ("hai", "海", "海"),
    ("guang", "光", "光"),
    ("ming", "明", "明"),
    ("da", "达", "達"),
    ("tong", "通", "通"),
    ("chuang", "创", "創"),
    ("rui", "瑞", "瑞"),
    ("kang", "康", "康"),
    ("tai", "泰", "泰"),
    ("hong", "宏", "宏"),
    ("wei", "伟", "偉"),
    ("lian", "联", "聯"),
    ("jing", "晶", "晶"),
    ("long", "龙", "龍"),
    ("teng", "腾", "騰"),
    ("fei", "飞", "飛"),
    ("kai", "凯", "凱"),
    ("bo", "博", "博"),
    ("jia", "嘉", "嘉"),
    ("jin", "金", "金"),
    ("heng", "恒", "恆"),
    ("run", "润", "潤"),
    ("de", "德", "德"),
    ("ying", "英", "英"),
    ("feng", "丰", "豐"),
    ("dong", "东", "東"),
    ("bao", "宝", "寶"),
    ("fu", "富", "富"),
    ("rong", "荣", "榮"),
    ("yuan", "远", "遠"),
    ("hao", "浩", "浩"),
    ("chen", "辰", "辰"),
    ("yi", "亿", "億"),
    ("xun", "讯", "訊"),
    ("qi", "启", "啟"),
    ("lan", "蓝", "藍"),
    ("yun", "云", "雲"),
    ("sen", "森", "森"),
    ("lin", "林", "林"),
    ("pu", "普", "普"),
    ("cheng", "诚", "誠"),
    ("xiang", "翔", "翔"),
    ("peng", "鹏", "鵬"),
    ("li", "立", "立"),
    ("ding", "鼎", "鼎"),
    ("xin", "鑫", "鑫"),
    ("sheng", "昇", "昇"),
    ("tuo", "拓", "拓"),
    ("yao", "耀", "耀"),
    ("shun", "顺", "順"),
    ("wen", "文", "文"),
    ("hui", "辉", "輝"),
    ("jun", "骏", "駿"),
    ("chao", "超", "超"),
];

/// City, hanzi.
const CN_CITIES: &[(&str, &str)] = &[
    ("Shenzhen", "深圳"),
    ("Beijing", "北京"),
    ("Shanghai", "上海"),
    ("Guangzhou", "广州"),
    ("Hangzhou", "杭州"),
    ("Wuhan", "武汉"),
    ("Chengdu", "成都"),
    ("Nanjing", "南京"),
    ("Tianjin", "天津"),
    ("Suzhou", "苏州"),
    ("Hefei", "合肥"),
    ("Xiamen", "厦门"),
    ("Qingdao", "青岛"),
    ("Dongguan", "东莞"),
    ("Changsha", "长沙"),
    ("Xi'an", "西安"),
];

/// Industry words: English, simplified, traditional. The last three are words a glossary
/// of company words may not hold (textiles, pharmaceuticals, optical fibre).
const CN_INDUSTRIES: &[(&str, &str, &str)] = &[
    ("Technology", "科技", "科技"),
    ("Electronics", "电子", "電子"),
    ("Microelectronics", "微电子", "微電子"),
    ("Semiconductor", "半导体", "半導體"),
    ("Optoelectronics", "光电", "光電"),
    ("Communication Technology", "通信技术", "通信技術"),
    ("Information Technology", "信息技术", "信息技術"),
    ("Intelligent Technology", "智能科技", "智能科技"),
    ("Precision Machinery", "精密机械", "精密機械"),
    ("Trading", "贸易", "貿易"),
    ("Import and Export", "进出口", "進出口"),
    ("International Trading", "国际贸易", "國際貿易"),
    ("New Materials", "新材料", "新材料"),
    ("Instruments", "仪器", "儀器"),
    ("Network Technology", "网络科技", "網絡科技"),
    ("Software", "软件", "軟件"),
    ("Aerospace Technology", "航天科技", "航天科技"),
    ("Electric", "电气", "電氣"),
    ("Logistics", "物流", "物流"),
    ("Automation Equipment", "自动化设备", "自動化設備"),
    ("Industrial", "实业", "實業"),
    ("Textile", "纺织", "紡織"),
    ("Pharmaceutical", "制药", "製藥"),
    ("Optical Fiber", "光纤", "光纖"),
];

/// Legal form as written in English, hanzi.
const CN_LEGAL: &[(&str, &str)] = &[
    ("Co., Ltd.", "有限公司"),
    ("Co., Ltd.", "有限公司"),
    ("Co., Ltd.", "有限公司"),
    ("Co. Ltd.", "有限公司"),
    ("Company Limited", "有限公司"),
    ("Corporation", "股份有限公司"),
    ("Group Co., Ltd.", "集团有限公司"),
    ("Limited", "有限公司"),
];

const RU_ROOTS: &[&str] = &[
    "Tekhno", "Radio", "Elektro", "Avia", "Mikro", "Spets", "Neft", "Gaz", "Energo", "Stroy",
    "Prom", "Opto", "Signal", "Avto", "Sever", "Vostok", "Ural", "Sibir", "Volga", "Baltic",
    "Kvant", "Impuls", "Granit", "Almaz", "Kristall", "Polyus", "Zenit", "Orion", "Vega", "Sapfir",
    "Rubin", "Korund", "Kometa", "Luch", "Start", "Progress", "Istok", "Elbrus",
];
const RU_SUFFIXES: &[&str] = &[
    "prom",
    "tekh",
    "servis",
    "snab",
    "komplekt",
    "eksport",
    "trans",
    "sistem",
    "pribor",
    "resurs",
    "invest",
    "montazh",
    "avtomatika",
    "elektronika",
    "mash",
    "optika",
    "svyaz",
];
const RU_TAILS: &[&str] = &[
    "",
    "",
    "",
    "Trading House",
    "Scientific Production Enterprise",
    "Research Institute",
    "Plant",
    "Group",
    "Engineering Center",
];
const RU_LEGAL: &[&str] = &["OOO", "OOO", "AO", "JSC", "LLC", "PJSC", "ZAO", "OAO"];
const RU_CITIES: &[&str] = &[
    "Moscow",
    "Saint Petersburg",
    "Yekaterinburg",
    "Novosibirsk",
    "Kazan",
    "Nizhny Novgorod",
    "Samara",
    "Tomsk",
];

const IR_WORDS: &[&str] = &[
    "Pars", "Kavosh", "Sepehr", "Farayand", "Mobin", "Arya", "Tavan", "Nasr", "Hoda", "Shahab",
    "Fajr", "Saba", "Kish", "Mehr", "Raad", "Sanam", "Payam", "Aseman", "Kimia", "Pishro", "Toos",
    "Zagros", "Alborz", "Kaveh", "Behin", "Andisheh", "Rayan", "Dana", "Negin", "Parsian", "Artin",
    "Bonyan", "Hamgam", "Navid", "Pouya", "Sahand",
];
const IR_INDUSTRY: &[&str] = &[
    "Electronics",
    "Industries",
    "Engineering",
    "Trading",
    "Sanat",
    "Tejarat",
    "Kala",
    "Technology",
    "Commercial",
    "Electronic Industries",
    "Aviation Industries",
];
const IR_LEGAL: &[&str] = &[
    "Company",
    "Co.",
    "Private Joint Stock Company",
    "Co. Ltd.",
    "Company",
];
const IR_CITIES: &[&str] = &["Tehran", "Isfahan", "Shiraz", "Tabriz", "Mashhad", "Karaj"];

const AE_FIRST: &[&str] = &[
    "Al Noor",
    "Al Rashid",
    "Al Baraka",
    "Gulf",
    "Falcon",
    "Oasis",
    "Desert",
    "Zenith",
    "Pearl",
    "Emerald",
    "Royal",
    "Crescent",
    "Horizon",
    "Sahara",
    "Dune",
    "Marina",
    "Jumeirah",
    "Bin Saeed",
    "Al Safa",
    "Al Waha",
    "Al Fajer",
    "Al Masa",
    "Arabian Sky",
    "Silver Sands",
    "Blue Lagoon",
    "Golden Palm",
    "Al Khaleej",
    "Nakheel Star",
];
const AE_SECOND: &[&str] = &[
    "", "", "Star", "Line", "Bridge", "Wave", "Link", "Point", "Way", "Gate", "Eye", "Crest",
];
const AE_INDUSTRY: &[&str] = &[
    "General Trading",
    "Electronics",
    "Technologies",
    "Logistics",
    "International",
    "Trading",
    "Electronic Devices Trading",
    "Computer Trading",
];
const AE_LEGAL: &[&str] = &[
    "LLC", "FZE", "FZCO", "FZ-LLC", "DMCC", "L.L.C.", "LLC", "FZE",
];
const AE_CITIES: &[&str] = &["Dubai", "Sharjah", "Abu Dhabi", "Ajman", "Ras Al Khaimah"];

const MY_WORDS: &[&str] = &[
    "Sinar", "Cahaya", "Mega", "Jaya", "Maju", "Bintang", "Permata", "Setia", "Gemilang",
    "Harapan", "Mutiara", "Puncak", "Teguh", "Wawasan", "Bumi", "Intan", "Seri", "Delima",
    "Kencana", "Suria", "Murni", "Indah", "Perdana", "Sentosa",
];
const MY_INDUSTRY: &[&str] = &[
    "Teknologi",
    "Elektronik",
    "Engineering",
    "Resources",
    "Trading",
    "Components",
    "Industries",
    "Semiconductor",
    "Solutions",
    "Enterprise",
];
const MY_LEGAL: &[&str] = &["Sdn. Bhd.", "Sdn Bhd", "Sdn. Bhd.", "Berhad"];
const MY_CITIES: &[&str] = &[
    "Kuala Lumpur",
    "Penang",
    "Johor Bahru",
    "Shah Alam",
    "Kulim",
];

const SG_WORDS: &[&str] = &[
    "Pinnacle",
    "Everbright",
    "Apex",
    "Summit",
    "Vertex",
    "Quantum",
    "Nexus",
    "Orion",
    "Lumen",
    "Strata",
    "Titan",
    "Vector",
    "Zenix",
    "Aurora",
    "Polaris",
    "Meridian",
    "Sterling",
    "Vanguard",
    "Keystone",
    "Crest",
    "Ascend",
    "Helix",
    "Kinetic",
    "Luminar",
    "Novus",
    "Optima",
    "Prism",
    "Radiant",
    "Sapphire",
    "Trident",
];
const SG_INDUSTRY: &[&str] = &[
    "Tech",
    "Technologies",
    "Components",
    "Solutions",
    "Electronics",
    "Trading",
    "Semiconductor",
    "Systems",
    "Logistics",
    "Supply Chain",
    "Microsystems",
    "Devices",
];
const SG_LEGAL: &[&str] = &["Pte. Ltd.", "Pte Ltd", "Pte. Ltd.", "Private Limited"];

const CN_SURNAMES: &[(&str, &str)] = &[
    ("Zhang", "张"),
    ("Wang", "王"),
    ("Li", "李"),
    ("Liu", "刘"),
    ("Chen", "陈"),
    ("Yang", "杨"),
    ("Huang", "黄"),
    ("Zhou", "周"),
    ("Wu", "吴"),
    ("Xu", "徐"),
    ("Sun", "孙"),
    ("Hu", "胡"),
    ("Zhu", "朱"),
    ("Guo", "郭"),
    ("He", "何"),
    ("Lin", "林"),
    ("Luo", "罗"),
    ("Gao", "高"),
];
const RU_FIRST: &[&str] = &[
    "Ivan", "Sergei", "Dmitry", "Alexei", "Nikolai", "Andrei", "Mikhail", "Vladimir", "Yuri",
    "Oleg", "Pavel", "Igor", "Viktor", "Boris", "Anatoly", "Gennady", "Elena", "Olga", "Tatiana",
    "Natalia",
];
const RU_PATRONYMIC: &[&str] = &[
    "Ivanovich",
    "Sergeevich",
    "Petrovich",
    "Alexandrovich",
    "Nikolaevich",
    "Vladimirovich",
    "Mikhailovich",
    "Viktorovich",
    "Borisovich",
    "Yurievich",
];
const RU_LAST: &[&str] = &[
    "Sokolov",
    "Ivanov",
    "Petrov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Volkov",
    "Morozov",
    "Novikov",
    "Fedorov",
    "Orlov",
    "Lebedev",
    "Kozlov",
    "Egorov",
    "Pavlov",
    "Semenov",
    "Golubev",
    "Vinogradov",
    "Bogdanov",
    "Vorobyov",
    "Zaitsev",
    "Solovyov",
    "Borisov",
    "Yakovlev",
    "Grigoriev",
];
const IR_FIRST: &[&str] = &[
    "Mohammad", "Ali", "Hossein", "Reza", "Mehdi", "Hamid", "Saeed", "Majid", "Abbas", "Hassan",
    "Javad", "Amir", "Mahmoud", "Morteza", "Behrouz",
];
const IR_LAST: &[&str] = &[
    "Karimi",
    "Hosseini",
    "Rezaei",
    "Mohammadi",
    "Ahmadi",
    "Jafari",
    "Moradi",
    "Rahimi",
    "Sadeghi",
    "Ghorbani",
    "Kazemi",
    "Azizi",
    "Shahbazi",
    "Nouri",
    "Tehrani",
    "Ebrahimi",
    "Sharifi",
    "Rostami",
];

/// Real listed names (Entity List and others), so that unlisted names sharing their generic
/// words are stressed: (name, hanzi alias or "", country).
const REAL: &[(&str, &str, &str)] = &[
    ("Huawei Technologies Co., Ltd.", "华为技术有限公司", "CN"),
    (
        "Semiconductor Manufacturing International Corporation",
        "中芯国际集成电路制造有限公司",
        "CN",
    ),
    ("Inspur Group Co., Ltd.", "浪潮集团有限公司", "CN"),
    ("Inspur Electronic Information Industry Co., Ltd.", "", "CN"),
    (
        "Dawning Information Industry Co., Ltd.",
        "曙光信息产业股份有限公司",
        "CN",
    ),
    ("Sugon", "", "CN"),
    (
        "Hangzhou Hikvision Digital Technology Co., Ltd.",
        "杭州海康威视数字技术股份有限公司",
        "CN",
    ),
    (
        "Zhejiang Dahua Technology Co., Ltd.",
        "浙江大华技术股份有限公司",
        "CN",
    ),
    ("iFlytek Co., Ltd.", "科大讯飞股份有限公司", "CN"),
    (
        "SZ DJI Technology Co., Ltd.",
        "深圳市大疆创新科技有限公司",
        "CN",
    ),
    ("SenseTime Group Limited", "", "CN"),
    ("Megvii Technology Limited", "", "CN"),
    (
        "Yangtze Memory Technologies Co., Ltd.",
        "长江存储科技有限责任公司",
        "CN",
    ),
    ("ChangXin Memory Technologies, Inc.", "", "CN"),
    ("Tianjin Phytium Information Technology Co., Ltd.", "", "CN"),
    (
        "Shanghai Micro Electronics Equipment (Group) Co., Ltd.",
        "",
        "CN",
    ),
    (
        "China Electronics Technology Group Corporation",
        "中国电子科技集团公司",
        "CN",
    ),
    (
        "Aviation Industry Corporation of China",
        "中国航空工业集团有限公司",
        "CN",
    ),
    ("Beijing Institute of Technology", "北京理工大学", "CN"),
    ("Harbin Institute of Technology", "哈尔滨工业大学", "CN"),
    (
        "Beijing University of Aeronautics and Astronautics",
        "北京航空航天大学",
        "CN",
    ),
    (
        "National University of Defense Technology",
        "国防科技大学",
        "CN",
    ),
    ("CloudWalk Technology Co., Ltd.", "", "CN"),
    ("Iran Electronics Industries", "", "IR"),
    ("JSC Mikron", "", "RU"),
    ("Angstrem", "", "RU"),
];

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn chinese(rng: &mut Rng, hong_kong: bool) -> Synth {
    let n = if rng.chance(0.85) { 2 } else { 3 };
    let mut pinyin = String::new();
    let (mut simp, mut trad) = (String::new(), String::new());
    for _ in 0..n {
        let (p, s, t) = rng.pick(SYLLABLES);
        pinyin.push_str(p);
        simp.push_str(s);
        trad.push_str(t);
    }
    let brand = capitalize(&pinyin);
    let (ind_en, ind_s, ind_t) = rng.pick(CN_INDUSTRIES);
    if hong_kong {
        let legal = *rng.pick(&[
            "Limited",
            "Co., Limited",
            "(HK) Limited",
            "Hong Kong Limited",
            "International Limited",
        ]);
        let core = format!("{brand} {ind_en}");
        return Synth {
            family: Family::HongKong,
            name: format!("{core} {legal}"),
            core,
            legal: legal.to_string(),
            legal_first: false,
            hanzi: Some((
                format!("{simp}{ind_s}有限公司"),
                format!("{trad}{ind_t}有限公司"),
            )),
            hanzi_listed: false,
            aliases: Vec::new(),
            country: "HK",
            city: "Hong Kong",
            individual: false,
            brand: vec![brand.clone()],
        };
    }
    let city = if rng.chance(0.7) {
        Some(*rng.pick(CN_CITIES))
    } else {
        None
    };
    let (legal_en, legal_han) = *rng.pick(CN_LEGAL);
    let core = match city {
        Some((c, _)) => format!("{c} {brand} {ind_en}"),
        None => format!("{brand} {ind_en}"),
    };
    let shi = if city.is_some() && rng.chance(0.4) {
        "市"
    } else {
        ""
    };
    let city_han = city.map_or("", |c| c.1);
    let hanzi_s = format!("{city_han}{shi}{simp}{ind_s}{legal_han}");
    let hanzi_t = format!("{city_han}{shi}{trad}{ind_t}{legal_han}");
    Synth {
        family: Family::Chinese,
        name: format!("{core} {legal_en}"),
        core,
        legal: legal_en.to_string(),
        legal_first: false,
        hanzi: Some((hanzi_s, hanzi_t)),
        hanzi_listed: false,
        aliases: Vec::new(),
        country: "CN",
        city: city.map_or("Shenzhen", |c| c.0),
        individual: false,
        brand: vec![brand],
    }
}

fn russian(rng: &mut Rng) -> Synth {
    let word = format!("{}{}", rng.pick(RU_ROOTS), rng.pick(RU_SUFFIXES));
    let tail = *rng.pick(RU_TAILS);
    let brand = vec![word.clone()];
    let core = if tail.is_empty() {
        word
    } else {
        format!("{word} {tail}")
    };
    let legal = *rng.pick(RU_LEGAL);
    let first = legal != "LLC" && rng.chance(0.7);
    let name = if first {
        format!("{legal} {core}")
    } else {
        format!("{core} {legal}")
    };
    Synth {
        family: Family::Russian,
        core,
        legal: legal.to_string(),
        legal_first: first,
        name,
        hanzi: None,
        hanzi_listed: false,
        aliases: Vec::new(),
        country: "RU",
        city: RU_CITIES[rng.below(RU_CITIES.len())],
        individual: false,
        brand,
    }
}

#[allow(clippy::too_many_arguments)]
fn simple(
    rng: &mut Rng,
    family: Family,
    words: &[&str],
    two: f64,
    industry: &[&str],
    legal: &[&str],
    country: &'static str,
    city: &'static str,
) -> Synth {
    let mut core = rng.pick(words).to_string();
    if rng.chance(two) {
        let second = rng.pick(words);
        if !core.contains(second) {
            core = format!("{core} {second}");
        }
    }
    let brand = vec![core.clone()];
    core = format!("{core} {}", rng.pick(industry));
    let legal = rng.pick(legal).to_string();
    Synth {
        family,
        name: format!("{core} {legal}"),
        core,
        legal,
        legal_first: false,
        hanzi: None,
        hanzi_listed: false,
        aliases: Vec::new(),
        country,
        city,
        individual: false,
        brand,
    }
}

fn person(rng: &mut Rng) -> Synth {
    let roll = rng.below(10);
    let (name, aliases, country, hanzi) = if roll < 4 {
        let (sur, sur_h) = rng.pick(CN_SURNAMES);
        let n = if rng.chance(0.6) { 2 } else { 1 };
        let (mut given, mut given_h, mut given_t) = (String::new(), String::new(), String::new());
        for _ in 0..n {
            let (p, s, t) = rng.pick(SYLLABLES);
            given.push_str(p);
            given_h.push_str(s);
            given_t.push_str(t);
        }
        let given = capitalize(&given);
        let name = format!("{} {given}", sur);
        let aliases = vec![format!("{}, {given}", sur.to_uppercase())];
        (
            name,
            aliases,
            "CN",
            Some((format!("{sur_h}{given_h}"), format!("{sur_h}{given_t}"))),
        )
    } else if roll < 7 {
        let (f, p, l) = (
            rng.pick(RU_FIRST),
            rng.pick(RU_PATRONYMIC),
            rng.pick(RU_LAST),
        );
        (
            format!("{f} {p} {l}"),
            vec![format!("{l}, {f} {p}"), format!("{f} {l}")],
            "RU",
            None,
        )
    } else {
        let (f, l) = (rng.pick(IR_FIRST), rng.pick(IR_LAST));
        let name = if rng.chance(0.4) {
            format!("{f} {} {l}", rng.pick(IR_FIRST))
        } else {
            format!("{f} {l}")
        };
        (name, Vec::new(), "IR", None)
    };
    Synth {
        family: Family::Person,
        core: name.clone(),
        legal: String::new(),
        legal_first: false,
        brand: vec![name.clone()],
        name,
        hanzi,
        hanzi_listed: false,
        aliases,
        country,
        city: "",
        individual: true,
    }
}

/// Cyrillic for a romanized Russian word (the generator's own table, longest first).
fn cyrillic(latin: &str) -> String {
    const MAP: &[(&str, &str)] = &[
        ("shch", "щ"),
        ("kh", "х"),
        ("ts", "ц"),
        ("ch", "ч"),
        ("sh", "ш"),
        ("zh", "ж"),
        ("yu", "ю"),
        ("ya", "я"),
        ("a", "а"),
        ("b", "б"),
        ("v", "в"),
        ("g", "г"),
        ("d", "д"),
        ("e", "е"),
        ("z", "з"),
        ("i", "и"),
        ("y", "ы"),
        ("k", "к"),
        ("l", "л"),
        ("m", "м"),
        ("n", "н"),
        ("o", "о"),
        ("p", "п"),
        ("r", "р"),
        ("s", "с"),
        ("t", "т"),
        ("u", "у"),
        ("f", "ф"),
        ("c", "к"),
        ("x", "кс"),
        ("h", "х"),
        ("w", "в"),
        ("j", "дж"),
        ("q", "к"),
    ];
    let mut out = String::new();
    for word in latin.split(' ') {
        if !out.is_empty() {
            out.push(' ');
        }
        let lower = word.to_lowercase();
        let mut rest = lower.as_str();
        let mut first = true;
        while !rest.is_empty() {
            let hit = MAP.iter().find(|(l, _)| rest.starts_with(l));
            match hit {
                Some((l, c)) => {
                    if first {
                        out.extend(c.chars().flat_map(char::to_uppercase));
                    } else {
                        out.push_str(c);
                    }
                    rest = &rest[l.len()..];
                }
                None => {
                    let ch = rest.chars().next().unwrap_or(' ');
                    out.push(ch);
                    rest = &rest[ch.len_utf8()..];
                }
            }
            first = false;
        }
    }
    out
}

/// Adds aliases in the styles of each family.
fn add_aliases(rng: &mut Rng, s: &mut Synth) {
    match s.family {
        Family::Chinese => {
            if rng.chance(0.35) {
                if let Some((h, _)) = &s.hanzi {
                    s.aliases.push(h.clone());
                    s.hanzi_listed = true;
                }
            }
            if rng.chance(0.2) {
                // The brand: after the city, when there is one.
                let words: Vec<&str> = s.core.split(' ').collect();
                let city = CN_CITIES.iter().any(|(c, _)| *c == words[0]);
                let brand = if city { words[1] } else { words[0] };
                s.aliases.push(format!("{brand} Tech"));
            }
            if rng.chance(0.15) {
                s.aliases.push(format!("{} (HK) Limited", s.core));
            }
        }
        Family::Russian => {
            if rng.chance(0.5) {
                let legal = match s.legal.as_str() {
                    "OOO" | "LLC" => "ООО",
                    "AO" | "JSC" => "АО",
                    "PJSC" => "ПАО",
                    "ZAO" => "ЗАО",
                    _ => "ОАО",
                };
                s.aliases.push(format!("{legal} {}", cyrillic(&s.core)));
            }
            if rng.chance(0.3) {
                s.aliases
                    .push(format!("Limited Liability Company {}", s.core));
            }
        }
        Family::Iranian | Family::Emirati | Family::Malaysian | Family::Singaporean => {
            if rng.chance(0.25) {
                // The first word, or the first two for "Al Noor", "Bin Saeed".
                let words: Vec<&str> = s.core.split(' ').collect();
                let first = if matches!(words[0], "Al" | "Bin") && words.len() > 1 {
                    format!("{} {}", words[0], words[1])
                } else {
                    words[0].to_string()
                };
                s.aliases.push(format!(
                    "{first} {}",
                    rng.pick(&["Group", "International", "Trading", "Company"])
                ));
            }
        }
        Family::HongKong | Family::Person | Family::Real => {}
    }
}

/// The synthetic list: `count` entries (the real names included), distinct names.
pub fn generate(count: usize, seed: u64) -> Vec<Synth> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count);
    let mut seen = std::collections::HashSet::new();
    for (name, hanzi, country) in REAL {
        seen.insert(name.to_lowercase());
        out.push(Synth {
            family: Family::Real,
            core: name.to_string(),
            legal: String::new(),
            legal_first: false,
            name: name.to_string(),
            hanzi: None,
            hanzi_listed: !hanzi.is_empty(),
            aliases: if hanzi.is_empty() {
                Vec::new()
            } else {
                vec![hanzi.to_string()]
            },
            country,
            city: "",
            individual: false,
            brand: Vec::new(),
        });
    }
    while out.len() < count {
        let roll = rng.below(1000);
        let mut s = match roll {
            0..=399 => chinese(&mut rng, false),
            400..=439 => chinese(&mut rng, true),
            440..=599 => russian(&mut rng),
            600..=699 => simple(
                &mut rng,
                Family::Iranian,
                IR_WORDS,
                0.6,
                IR_INDUSTRY,
                IR_LEGAL,
                "IR",
                IR_CITIES[roll % IR_CITIES.len()],
            ),
            700..=779 => simple(
                &mut rng,
                Family::Emirati,
                AE_FIRST,
                0.0,
                AE_INDUSTRY,
                AE_LEGAL,
                "AE",
                AE_CITIES[roll % AE_CITIES.len()],
            ),
            780..=829 => simple(
                &mut rng,
                Family::Malaysian,
                MY_WORDS,
                0.5,
                MY_INDUSTRY,
                MY_LEGAL,
                "MY",
                MY_CITIES[roll % MY_CITIES.len()],
            ),
            830..=879 => simple(
                &mut rng,
                Family::Singaporean,
                SG_WORDS,
                0.3,
                SG_INDUSTRY,
                SG_LEGAL,
                "SG",
                "Singapore",
            ),
            _ => person(&mut rng),
        };
        if s.family == Family::Emirati {
            // Emirati names often carry a second word ("Falcon Eye").
            let second = rng.pick(AE_SECOND);
            if !second.is_empty() {
                let mut words: Vec<&str> = s.core.split(' ').collect();
                let at = if s.core.starts_with("Al ") || s.core.starts_with("Bin ") {
                    2
                } else {
                    1
                };
                let at = at.min(words.len());
                words.insert(at, second);
                s.brand = vec![words[..=at].join(" ")];
                s.core = words.join(" ");
                s.name = format!("{} {}", s.core, s.legal);
            }
        }
        if !seen.insert(s.name.to_lowercase()) {
            continue;
        }
        add_aliases(&mut rng, &mut s);
        out.push(s);
    }
    out
}

/// The list in the CSL JSON format.
pub fn to_csl_json(entries: &[Synth], seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x5eed);
    let sources = [
        ("Entity List (EL) - Bureau of Industry and Security", 60),
        (
            "Specially Designated Nationals (SDN) - Treasury Department",
            25,
        ),
        ("Unverified List (UVL) - Bureau of Industry and Security", 6),
        (
            "Military End User (MEU) List - Bureau of Industry and Security",
            4,
        ),
        (
            "Denied Persons List (DPL) - Bureau of Industry and Security",
            2,
        ),
        ("Nonproliferation Sanctions (ISN) - State Department", 3),
    ];
    // Written record by record: a tree of 30,000 records would cost more memory than the
    // screener does.
    let mut out = String::with_capacity(entries.len() * 1_200);
    out.push_str(&format!(
        "{{\n  \"total\": {},\n  \"sources_used\": [],\n  \"results\": [\n",
        entries.len()
    ));
    for (i, e) in entries.iter().enumerate() {
        let mut roll = rng.below(100);
        let mut source = sources[0].0;
        for (s, w) in sources {
            if roll < w {
                source = s;
                break;
            }
            roll -= w;
        }
        let year = 2005 + rng.below(21);
        let date = format!("{year}-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28));
        let record = serde_json::json!({
            "id": format!("synth-{i:06}"),
            "source": source,
            "entity_number": format!("{}", 10_000 + i),
            "type": if e.individual { "Individual" } else { "Entity" },
            "name": e.name,
            "alt_names": e.aliases,
            "programs": if source.contains("SDN") { vec!["RUSSIA-EO14024"] } else { Vec::new() },
            "title": null,
            "remarks": null,
            "federal_register_notice": format!("{} FR {}", 70 + (year - 2005), 10_000 + rng.below(80_000)),
            "start_date": date,
            "end_date": null,
            "standard_order": "Y",
            "license_requirement": "For all items subject to the EAR.",
            "license_policy": "Presumption of denial.",
            "addresses": [{"address": format!("No. {} Industrial Road", 1 + rng.below(999)), "city": e.city, "state": null, "postal_code": null, "country": e.country}],
            "ids": [],
            "nationalities": [],
            "citizenships": [],
            "dates_of_birth": [],
            "places_of_birth": [],
            "source_list_url": "https://www.bis.doc.gov/index.php/policy-guidance/lists-of-parties-of-concern/entity-list",
            "source_information_url": null,
        });
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str("    ");
        out.push_str(&serde_json::to_string(&record).unwrap_or_default());
    }
    out.push_str("\n  ]\n}\n");
    out
}

/// The distinctive parts of the list's names, as lower-case word sequences ("vertex",
/// "al noor star", "zhang wei"): an unlisted company whose name holds one as consecutive
/// whole words has a listed namesake in this synthetic world (a one-word part counts from 4
/// letters: "Li" is no namesake).
pub fn brand_phrases(entries: &[Synth]) -> std::collections::HashSet<Vec<String>> {
    entries
        .iter()
        .flat_map(|e| e.brand.iter())
        .map(|b| words_of(b))
        .filter(|w| w.len() > 1 || w.first().is_some_and(|w| w.chars().count() >= 4))
        .collect()
}

/// Whether `name` holds one of `phrases` as consecutive whole words, or, written in Han
/// characters, two or three consecutive characters whose pinyin is a one-word phrase (微星
/// is "weixing", the way this generator romanizes 伟星).
pub fn has_namesake(name: &str, phrases: &std::collections::HashSet<Vec<String>>) -> bool {
    let words = words_of(name);
    let latin = (0..words.len())
        .any(|i| (1..=3).any(|n| words.get(i..i + n).is_some_and(|w| phrases.contains(w))));
    let syllables: Vec<String> = chipgate::screen::normalize::normalize(name)
        .units
        .into_iter()
        .filter(|u| matches!(u.kind, chipgate::screen::normalize::UnitKind::Syllable(_)))
        .map(|u| u.text)
        .collect();
    let han = (0..syllables.len()).any(|i| {
        (2..=3).any(|n| {
            syllables
                .get(i..i + n)
                .is_some_and(|run| phrases.contains(&vec![run.concat()]))
        })
    });
    latin || han
}

/// Lower-case words of a name, split at anything that is not a letter or digit.
pub fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
