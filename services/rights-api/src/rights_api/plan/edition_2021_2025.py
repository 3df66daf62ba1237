"""The first edition: 二连浩特市矿产资源总体规划（2021-2025年）, with the plan's own numbers.

The plan gives the zones' areas (专栏三) but not their boundaries, and no prohibited-area
geometry: those shapes here are demo data 示意, centred on invented points, with the plan's area.
Every one says so in its ``illustrative`` flag; names carry the plan's words only. Real
boundaries are loaded by updating the edition (PATCH /plan-editions/{id}).
"""

from datetime import date

from rights_api.geometry import square
from rights_api.plan.schemas import PlanEditionCreate

CODE = "2021-2025"


def _zone(code, name, minerals, area, lon, lat):
    return {
        "type": "Feature",
        "geometry": square(lon, lat, area),
        "properties": {
            "code": code,
            "name_zh": name,
            "kind": "concentrated_zone",
            "minerals": minerals,
            "area_km2": str(area),
            "illustrative": True,
            "clause": "第三章第四节, 专栏三",
        },
    }


def _prohibited(name, kind, area, lon, lat, clause):
    return {
        "type": "Feature",
        "geometry": square(lon, lat, area),
        "properties": {
            "name_zh": name,
            "kind": kind,
            "illustrative": True,
            "clause": clause,
        },
    }


def _block(block_id, mineral, name, area, lon, lat):
    """A planned block of 第五章第一节. The plan gives the count (5: 建筑用砂2个、建筑用花岗岩3个)
    and the total area (0.777平方千米) only: the split, the places (blank ground inside the city,
    clear of the zones, the prohibited areas and the mines of 专栏一) and the shapes are demo
    data, which the ``illustrative`` flag says (never the name)."""
    return {
        "id": block_id,
        "name_zh": name,
        "mineral": mineral,
        "area_km2": f"{area:.4f}",
        "boundary": square(lon, lat, area),
        "illustrative": True,
        "clause": "第五章第一节",
        "scale": {"value": "10", "unit": "10k_m3_per_year"},
    }


SAND_BLOCK = "建筑用砂开采规划区块"
GRANITE_BLOCK = "建筑用花岗岩开采规划区块"
# 0.160 + 0.150 + 0.157 + 0.155 + 0.155 = 0.777 km² (第五章第一节)
PLANNED_BLOCKS = [
    _block("KQ-01", "construction_sand", SAND_BLOCK, 0.160, 111.80, 43.05),
    _block("KQ-02", "construction_sand", SAND_BLOCK, 0.150, 111.95, 43.10),
    _block("KQ-03", "construction_granite", GRANITE_BLOCK, 0.157, 111.85, 43.75),
    _block("KQ-04", "construction_granite", GRANITE_BLOCK, 0.155, 112.30, 43.55),
    _block("KQ-05", "construction_granite", GRANITE_BLOCK, 0.155, 111.40, 43.60),
]

# 东经111°21′10″～112°28′10″，北纬42°57′00″～43°47′20″ (第一章第一节)
CITY_WEST, CITY_EAST = 111 + 21 / 60 + 10 / 3600, 112 + 28 / 60 + 10 / 3600
CITY_SOUTH, CITY_NORTH = 42 + 57 / 60, 43 + 47 / 60 + 20 / 3600

# Three rates 三率 (第四章第三节). The plan's own number: 第八章第三节
# 一、总量调控环境影响减缓措施 "重点开展萤石矿的开采废石综合利用，用于矿区道路建设和采空区回填，
# 综合利用率达到80%以上". Every other minimum is configuration: 第四章第三节 only says
# "严格执行《内蒙古自治区矿产资源“三率”管理暂行规定》" and gives no number; the values below
# are the bureau's settings (not checked against the regional rules' text) until it loads
# those rules' values with PATCH /plan-editions/{id}.
THREE_RATES_CLAUSE = "第四章第三节（《内蒙古自治区矿产资源“三率”管理暂行规定》）"
CONFIGURATION_NOTE = (
    "规划未给出数值；取值为本局配置，未经与自治区“三率”规定原文核对 "
    "(the plan gives no number: configuration, not the plan's)"
)


def _configured(mineral, method, rule, minimum):
    return {
        "mineral": mineral,
        "method": method,
        "rule": rule,
        "minimum_pct": minimum,
        "source": "configuration",
        "clause": THREE_RATES_CLAUSE,
        "note": CONFIGURATION_NOTE,
    }


UTILISATION_THRESHOLDS = [
    {
        "mineral": "fluorite",
        "method": None,
        "rule": "waste_rock_utilisation",
        "minimum_pct": "80",
        "source": "plan",
        "clause": "第八章第三节",
        "note": "一、总量调控环境影响减缓措施：重点开展萤石矿的开采废石综合利用，用于矿区道路建设和"
        "采空区回填，综合利用率达到80%以上。",
    },
    _configured("fluorite", "underground", "mining_recovery", "75"),
    _configured("fluorite", "open_pit", "mining_recovery", "85"),
    _configured("fluorite", None, "processing_recovery", "75"),
    _configured("fluorite", None, "comprehensive_utilisation", "50"),
    _configured("construction_granite", "open_pit", "mining_recovery", "90"),
    _configured("construction_sand", "open_pit", "mining_recovery", "90"),
    _configured("slate", "open_pit", "mining_recovery", "85"),
]


STONE = ["construction_granite", "slate"]

YANCHIBEI = "二连浩特市盐池北建筑用碳质板岩石料矿"
WUXIGENCHU_3 = "二连浩特市乌希根楚三号建筑用花岗岩矿"
WUXIGENCHU_BEISHAN = "二连浩特市乌希根楚北山建筑用花岗岩矿"

# The plan's dated targets, in its own words (checked against the seed text). The 2023-12-31
# minimum-scale exit (第四章第二节) is not here: conformance's below_min_scale judges it from
# rules.min_scale_deadline.
NAMED_DEADLINES = [
    {
        "id": "yanchibei-restoration",
        "title_zh": "盐池北建筑用碳质板岩石料矿退出保护区环境治理与生态修复（需经验收）",
        "due_on": date(2021, 12, 31),
        "clause": "第二章第三节",
        "words_zh": "2021年底前，完成盐池北建筑用碳质板岩石料矿退出保护区的环境治理与生态修复工作，"
        "治理修复工程需经过验收",
        "evidence": "restoration_accepted",
        "mines": [YANCHIBEI],
    },
    {
        "id": "wuxigenchu-closure",
        "title_zh": "乌希根楚三号、乌希根楚北山建筑用花岗岩矿环境治理与闭坑",
        "due_on": date(2021, 12, 31),
        "clause": "第二章第三节",
        "words_zh": "2021年底前，……完成乌希根楚三号和乌希根楚北山建筑用花岗岩矿矿山环境治理工程，"
        "依法依规办理闭坑手续",
        "evidence": "right_closed",
        "mines": [WUXIGENCHU_3, WUXIGENCHU_BEISHAN],
    },
    {
        "id": "green-mine-standard",
        "title_zh": "生产矿山达到绿色矿山建设标准或退出矿业市场",
        "due_on": date(2025, 12, 31),
        "clause": "第二章第三节, 专栏二; 第六章第一节",
        # 提出 is the plan's own wording (退出 is meant)
        "words_zh": "新建矿山按照绿色矿山标准建设，生产矿山进行改造升级，"
        "2025年底达不到绿色矿山建设标准依法依规提出矿业市场（专栏二）",
        "evidence": "green_mine_or_exit",
    },
    {
        "id": "legacy-restoration",
        "title_zh": "历史遗留及无责任主体矿山地质环境治理恢复0.52平方千米",
        "due_on": date(2025, 12, 31),
        "clause": "第二章第三节, 专栏二; 第六章第二节",
        "words_zh": "规划恢复治理面积0.52平方千米（专栏二：约束性）；"
        "至2025年底，分批、分阶段完成所有历史遗留及无责任主体矿山的地质环境治理恢复工作",
        "evidence": "legacy_area_restored",
        "area_km2": "0.52",
    },
]


def edition() -> PlanEditionCreate:
    return PlanEditionCreate.model_validate(
        {
            "code": CODE,
            "title": "二连浩特市矿产资源总体规划（2021-2025年）",
            "period_start": date(2021, 1, 1),
            "period_end": date(2025, 12, 31),
            "effective_from": date(2021, 1, 1),
            "minerals": [
                {"mineral": "petroleum", "licensing_level": "state", "clause": "第三章第二节"},
                {"mineral": "uranium", "licensing_level": "state", "clause": "第三章第二节"},
                {
                    "mineral": "fluorite",
                    "licensing_level": "region",  # 自治区自然资源厅登记发证
                    "min_scale": {"value": "10", "unit": "10k_t_per_year"},
                    "clause": "专栏五",
                },
                {"mineral": "agate", "licensing_level": "city", "clause": "第三章第二节"},
                {"mineral": "mirabilite", "licensing_level": "city", "clause": "第三章第二节"},
                {
                    "mineral": "construction_sand",
                    "licensing_level": "city",
                    "min_scale": {"value": "6", "unit": "10k_m3_per_year"},
                    "competitive_grant": True,
                    "market_grant_only": True,  # 第五章第二节
                    "clause": "专栏五",
                },
                {
                    "mineral": "brick_clay",
                    "licensing_level": "city",
                    "competitive_grant": True,
                    "clause": "第五章第二节",
                },
                *[
                    {
                        "mineral": mineral,  # 建筑用石
                        "licensing_level": "city",
                        "min_scale": {"value": "6", "unit": "10k_m3_per_year"},
                        "competitive_grant": True,
                        "clause": "专栏五",
                    }
                    for mineral in STONE
                ],
            ],
            "small_mine_cap": {
                "max_mines": 4,
                "minerals": [
                    "construction_sand",
                    "brick_clay",
                    "construction_granite",
                    "slate",
                    "agate",
                    "mirabilite",
                ],
                "clause": "第二章第三节, 专栏二",
            },
            "mine_caps": [
                {
                    "name_zh": "建筑用花岗岩",
                    "minerals": ["construction_granite"],
                    "max_mines": 3,
                    "max_output": {"value": "45", "unit": "10k_m3_per_year"},
                    "clause": "第四章第二节, 专栏四",
                },
                {
                    "name_zh": "建筑用砂",
                    "minerals": ["construction_sand"],
                    "max_mines": 1,
                    "max_output": {"value": "35", "unit": "10k_m3_per_year"},
                    "clause": "第四章第二节, 专栏四",
                },
                {
                    "name_zh": "合计",
                    "minerals": ["construction_granite", "construction_sand"],
                    "max_mines": 4,
                    "max_output": {"value": "80", "unit": "10k_m3_per_year"},
                    "clause": "第四章第二节, 专栏四",
                },
            ],
            "city": {
                "name_zh": "二连浩特市",
                "area_km2": "4015",
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [CITY_WEST, CITY_SOUTH],
                            [CITY_EAST, CITY_SOUTH],
                            [CITY_EAST, CITY_NORTH],
                            [CITY_WEST, CITY_NORTH],
                            [CITY_WEST, CITY_SOUTH],
                        ]
                    ],
                },
                "illustrative": True,
                "clause": "第一章第一节",
            },
            "zones": {
                "type": "FeatureCollection",
                "features": [
                    _zone(
                        "SCJ001",
                        "乌希根楚建筑用花岗岩矿集中开采区",
                        ["construction_granite"],
                        36.55,
                        111.70,
                        43.55,
                    ),
                    _zone(
                        "SCJ002",
                        "乌敦花建筑用砂、建筑用板岩矿集中开采区",
                        ["construction_sand", "slate"],
                        27.98,
                        112.15,
                        43.25,
                    ),
                    _zone("SCJ003", "白音敖包南砂坑", ["construction_sand"], 1.72, 111.55, 43.15),
                    _zone("SCJ004", "忠耐石料场", STONE, 0.25, 112.35, 43.70),
                ],
            },
            "prohibited_areas": {
                "type": "FeatureCollection",
                "features": [
                    _prohibited(
                        "二连浩特市城镇开发边界",
                        "urban_boundary",
                        40,
                        111.98,
                        43.65,
                        "第三章第一节",
                    ),
                    _prohibited(
                        "生态保护红线", "ecological_red_line", 50, 111.50, 43.40, "第三章第一节"
                    ),
                    _prohibited(
                        "饮用水水源地保护区",
                        "water_source_protection",
                        10,
                        112.05,
                        43.74,
                        "第三章第一节",
                    ),
                ],
            },
            "targets": [
                {
                    "code": "city_small_mines",
                    "name_zh": "本市发证普通建筑用砂石矿及小型非金属矿山数量",
                    "value": "4",
                    "unit": "个",
                    "binding": False,
                    "clause": "专栏二",
                },
                {
                    "code": "green_mines",
                    "name_zh": "绿色矿山数量",
                    "value": "4",
                    "unit": "个",
                    "binding": False,
                    "clause": "专栏二",
                },
                {
                    "code": "legacy_restoration_km2",
                    "name_zh": "历史遗留矿山地质环境治理恢复",
                    "value": "0.52",
                    "unit": "km2",
                    "binding": True,
                    "clause": "专栏二",
                },
                {
                    "code": "land_reclamation_ha",
                    "name_zh": "矿山土地复垦面积",
                    "value": "46",
                    "unit": "ha",
                    "binding": True,
                    "clause": "专栏二",
                },
                {
                    "code": "restoration_rate",
                    "name_zh": "矿山地质环境与土地复垦“应治尽治”率",
                    "value": "100",
                    "unit": "%",
                    "binding": False,
                    "clause": "专栏二",
                },
            ],
            "planned_new_rights": {
                "count": 5,
                "by_mineral": {"construction_sand": 2, "construction_granite": 3},
                "area_km2": "0.777",
                "clause": "第五章第一节",
            },
            "planned_blocks": PLANNED_BLOCKS,
            "market_grant": {
                "notice_workdays": 20,
                "tender_workdays": 1,
                "auction_workdays": 1,
                "listing_workdays": 10,
                "min_increment_yuan": "10000",
                "instalments": [
                    {"percent": "20", "due_after_days": 30},
                    *[{"percent": "20", "due_after_days": 365 * n} for n in range(1, 5)],
                ],
            },
            "utilisation_thresholds": UTILISATION_THRESHOLDS,
            "rules": {
                "area_tolerance": "0.01",
                "borrow_pit_max_years": 3,
                "min_scale_deadline": date(2023, 12, 31),
                "required_documents": [
                    "development_plan",
                    "eia",
                    "soil_water_plan",
                    "restoration_plan",
                    "safety_assessment",
                ],
                "review_workdays": 20,
                "default_term_years": 10,
            },
            "named_deadlines": NAMED_DEADLINES,
        }
    )
