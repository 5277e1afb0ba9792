//! The words around the numbers: issuing bodies, titles and the narrative of
//! sections 一、五、六, drawn from phrasings seen in published reports.

use crate::model::{Body, BodyKind, ReportModel};
use rand::seq::IndexedRandom;
use rand::Rng;

const CITIES: &[&str] = &[
    "嘉兴市",
    "宁波市",
    "杭州市",
    "温州市",
    "湖州市",
    "绍兴市",
    "金华市",
    "衢州市",
    "舟山市",
    "台州市",
    "丽水市",
    "淮安市",
    "南京市",
    "苏州市",
    "无锡市",
    "常州市",
    "扬州市",
    "泰州市",
    "盐城市",
    "徐州市",
    "合肥市",
    "芜湖市",
    "福州市",
    "厦门市",
    "泉州市",
    "济南市",
    "青岛市",
    "成都市",
    "武汉市",
    "长沙市",
];

const COUNTIES: &[&str] = &[
    "海盐县",
    "平湖市",
    "镇海区",
    "三门县",
    "洪泽区",
    "秀洲区",
    "南湖区",
    "桐乡市",
    "鄞州区",
    "北仑区",
    "余杭区",
    "西湖区",
    "江宁区",
    "吴江区",
    "江阴市",
    "溧阳市",
    "仪征市",
    "兴化市",
    "东台市",
    "邳州市",
    "肥西县",
    "平潭县",
    "晋江市",
    "章丘区",
    "黄岛区",
    "双流区",
    "江夏区",
    "浏阳市",
];

const DEPARTMENTS: &[(&str, &str)] = &[
    ("经济和信息化局", "我局"),
    ("发展和改革委员会", "我委"),
    ("教育局", "我局"),
    ("科学技术局", "我局"),
    ("民政局", "我局"),
    ("司法局", "我局"),
    ("财政局", "我局"),
    ("人力资源和社会保障局", "我局"),
    ("自然资源和规划局", "我局"),
    ("生态环境局", "我局"),
    ("住房和城乡建设局", "我局"),
    ("交通运输局", "我局"),
    ("水利局", "我局"),
    ("农业农村局", "我局"),
    ("商务局", "我局"),
    ("文化广电旅游局", "我局"),
    ("卫生健康委员会", "我委"),
    ("应急管理局", "我局"),
    ("审计局", "我局"),
    ("市场监督管理局", "我局"),
    ("统计局", "我局"),
    ("医疗保障局", "我局"),
    ("行政审批局", "我局"),
    ("退役军人事务局", "我局"),
    ("体育局", "我局"),
];

const TOWNS: &[&str] = &[
    "城关镇",
    "新城街道",
    "城东街道",
    "城西街道",
    "临江镇",
    "青山镇",
    "白沙镇",
    "永安街道",
    "长安镇",
    "桥头镇",
];

fn pick<'a>(rng: &mut impl Rng, items: &'a [&'a str]) -> &'a str {
    items.choose(rng).copied().unwrap_or_default()
}

/// An issuing body, with the kind that decides its plausible numbers.
pub fn body(rng: &mut impl Rng) -> Body {
    let city = pick(rng, CITIES);
    let county = pick(rng, COUNTIES);
    let roll: f64 = rng.random();
    if roll < 0.08 {
        Body {
            name: format!("{city}人民政府"),
            kind: BodyKind::CityGovernment,
            self_reference: "我市",
        }
    } else if roll < 0.22 {
        let short = if county.ends_with('区') {
            "我区"
        } else {
            "本级政府"
        };
        Body {
            name: format!("{county}人民政府"),
            kind: BodyKind::CountyGovernment,
            self_reference: short,
        }
    } else if roll < 0.35 {
        let town = pick(rng, TOWNS);
        let (suffix, short) = if town.ends_with("街道") {
            ("办事处", "我街道")
        } else {
            ("人民政府", "我镇")
        };
        Body {
            name: format!("{county}{town}{suffix}"),
            kind: BodyKind::Township,
            self_reference: short,
        }
    } else {
        let (dept, short) = DEPARTMENTS.choose(rng).copied().unwrap_or(("统计局", "我局"));
        let prefix = if rng.random_bool(0.5) {
            city.to_string()
        } else if rng.random_bool(0.5) {
            county.to_string()
        } else {
            format!("{city}{county}")
        };
        Body {
            name: format!("{prefix}{dept}"),
            kind: BodyKind::Department,
            self_reference: short,
        }
    }
}

/// A piece of a paragraph. Wrapping (in PDF-like layouts) happens only
/// between pieces and inside `Breakable` ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Breakable(String),
    /// Kept on one line (a sentence a rule reads a number from).
    Whole(String),
    /// The number of requests received, as quoted for rule 8.
    Received(i64),
}

pub type Paragraph = Vec<Piece>;

fn text(s: impl Into<String>) -> Piece {
    Piece::Breakable(s.into())
}

/// Review counts as the narrative quotes them (from the printed table).
pub struct ReviewCounts {
    pub reconsideration: i64,
    pub litigation: i64,
}

/// 一、总体情况: five parts, the second quoting the requests received (or,
/// when there were none, sometimes saying so without a number).
pub fn overview(rng: &mut impl Rng, model: &ReportModel, review: &ReviewCounts) -> Vec<Paragraph> {
    let (body, year, received) = (&model.body, model.year, model.narrative_received);
    let me = body.self_reference;
    let published: i64 = rng.random_range(12..2000);
    let site = ["门户网站", "政府信息公开专栏", "政务新媒体"]
        .choose(rng)
        .copied()
        .unwrap_or("门户网站");
    let phrasing = rng.random_range(0..3);
    let received_sentence: Vec<Piece> = match phrasing {
        _ if model.narrative_says_none => vec![Piece::Whole(format!("{year}年，{me}未收到政府信息公开申请"))],
        0 => vec![
            Piece::Whole(format!("{year}年，{me}共收到政府信息公开申请")),
            Piece::Received(received),
            Piece::Whole("件".into()),
        ],
        1 => vec![
            Piece::Whole(format!("{year}年，{me}共收到依申请公开事项")),
            Piece::Received(received),
            Piece::Whole("件".into()),
        ],
        _ => vec![
            Piece::Whole("本年度共收到政府信息公开申请".into()),
            Piece::Received(received),
            Piece::Whole("件".into()),
        ],
    };
    let review_sentence = if review.reconsideration == 0 && review.litigation == 0 {
        "，未发生政府信息公开行政复议、行政诉讼案件。".to_string()
    } else {
        format!(
            "，因政府信息公开引发行政复议{}件、行政诉讼{}件。",
            review.reconsideration, review.litigation
        )
    };
    let mut requests = vec![text(
        "（二）依申请公开情况。进一步规范依申请公开办理流程，严格把好受理、办理、答复三个关键环节。",
    )];
    requests.extend(received_sentence);
    requests.push(text(format!("，均在法定期限内答复{review_sentence}")));
    vec![
        vec![text(format!(
            "{year}年，{me}认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署要求，\
             围绕中心工作，深化重点领域信息公开，持续提升政务公开质量和实效。"
        ))],
        vec![text(format!(
            "（一）主动公开情况。{me}通过{site}主动公开政府信息{published}条，及时发布政策文件、通知公告、\
             财政预决算等信息，做好政策解读和回应关切工作。"
        ))],
        requests,
        vec![text(
            "（三）政府信息管理情况。严格落实“三审三校”制度，按照“谁公开、谁审查、谁负责”的原则，\
             对拟公开信息进行保密审查和内容审核，定期开展信息清理。",
        )],
        vec![text(
            "（四）政府信息公开平台建设情况。加强政府网站和政务新媒体日常管理，及时更新栏目内容，\
             完善适老化和无障碍改造，提升平台服务能力。",
        )],
        vec![text(
            "（五）监督保障情况。将政务公开工作纳入年度目标考核，明确分管领导和具体责任人，\
             全年未发生因政府信息公开工作被责任追究的情况。",
        )],
    ]
}

/// 五、存在的主要问题及改进情况: a real problem and real measures.
pub fn problems(rng: &mut impl Rng) -> Vec<Paragraph> {
    let problem = [
        "一是信息公开的深度和广度有待进一步提升，部分信息更新不够及时；二是政策解读形式较为单一，图解、视频解读偏少。",
        "一是依申请公开办理的规范性有待提高；二是政务公开队伍业务能力参差不齐，培训力度有待加强。",
        "一是主动公开栏目内容不够充实；二是公众参与度不高，互动回应渠道有待拓展。",
    ]
    .choose(rng)
    .copied()
    .unwrap_or_default();
    let measure = [
        "下一步，一是对照政府信息公开目录查漏补缺，做到全面、准确、及时公开；二是丰富政策解读形式，提高解读质量。",
        "下一步，一是健全依申请公开工作机制，规范答复文书；二是定期组织业务培训，提升工作人员业务水平。",
        "下一步，一是加强栏目建设，丰富公开内容；二是拓展互动渠道，及时回应社会关切。",
    ]
    .choose(rng)
    .copied()
    .unwrap_or_default();
    vec![
        vec![text(format!("（一）存在的主要问题。{problem}"))],
        vec![text(format!("（二）改进情况。{measure}"))],
    ]
}

/// 六、其他需要报告的事项: no 信息处理费 was collected.
pub fn other(rng: &mut impl Rng, body: &Body, year: i32) -> Vec<Paragraph> {
    let sentence = [
        format!("{}{year}年未收取政府信息公开信息处理费。", body.name),
        "依据《政府信息公开信息处理费管理办法》规定，本年度未收取政府信息公开信息处理费。".to_string(),
        format!(
            "{year}年度，{}未收取信息处理费，无其他需要报告的事项。",
            body.self_reference
        ),
    ]
    .choose(rng)
    .cloned()
    .unwrap_or_default();
    vec![vec![text(sentence)]]
}

/// The introduction that states the statistics period (rule 9).
pub fn intro(body: &Body, year: i32) -> Paragraph {
    vec![text(format!(
        "本报告由{}根据《中华人民共和国政府信息公开条例》要求编制。报告中所列数据统计期限自{year}年1月1日起至\
         {year}年12月31日止。如对本报告有疑问，请与{}办公室联系。",
        body.name, body.name
    ))]
}
