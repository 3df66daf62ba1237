"""The spatial layer catalogue 空间图层目录: every layer the planning database export and the OGC
API serve, once, with its fields' Chinese and English names and their short codes.

The codes follow the national standard for mineral-resources planning databases (DZ/T 0226,
矿产资源规划数据库标准) where its text was found: the planning-area table's GHQBH 规划区编号,
GHQMC 规划区名称, GHQMJ 规划区面积 (km²), QHQLB 规划区类别 (330103 禁止开采区) and GEO_CODE
行政区划代码 (``standard=True``). The other codes were not found in the standard's available text;
they are this system's, made the standard's way (pinyin initials, at most 10 characters, so the
Shapefile's field-name limit never cuts them). See the README, "Spatial layers".
"""

from dataclasses import dataclass
from enum import StrEnum

from servicekit.auth import BUREAU, Principal, Role

# who reads every field of every feature: bureau staff, inspectors, other government systems
OFFICIALS = (*BUREAU, Role.inspector, Role.gov_system)
ERENHOT_GEO_CODE = "152501"  # 二连浩特市, GB/T 2260


class FieldType(StrEnum):
    text = "text"
    real = "real"
    integer = "integer"
    date = "date"  # ISO 8601 local date, 'YYYY-MM-DD'
    boolean = "boolean"


class Audience(StrEnum):
    public = "public"  # anyone, without a token
    officials = "officials"  # bureau, inspectors, gov_system; an enterprise for its own rights


@dataclass(frozen=True)
class LayerField:
    key: str  # the attribute's name in GeoJSON, the OGC API and the GeoPackage
    code: str  # the attribute's name in the Shapefile (≤ 10 characters)
    name_zh: str
    name_en: str
    type: FieldType = FieldType.text
    audience: Audience = Audience.public
    standard: bool = False  # the code is the standard's own (DZ/T 0226)


class Source(StrEnum):
    plan = "plan"  # the plan edition's content (rights-api)
    register = "register"  # the rights table (rights-api)
    restoration = "restoration"  # restoration-api over HTTP


@dataclass(frozen=True)
class Layer:
    id: str
    title_zh: str
    title_en: str
    description: str
    source: Source
    fields: tuple[LayerField, ...]
    temporal: str  # what the layer's datetime means, for the docs and the OGC extent

    def field(self, key: str) -> LayerField | None:
        return next((f for f in self.fields if f.key == key), None)

    def public_fields(self) -> tuple[LayerField, ...]:
        return tuple(f for f in self.fields if f.audience is Audience.public)


def _f(key, code, zh, en, type=FieldType.text, audience=Audience.public, standard=False):
    return LayerField(key, code, zh, en, FieldType(type), audience, standard)


EDITION = _f("edition", "GHBB", "规划版本", "plan edition code")
GEO_CODE = _f("geo_code", "GEO_CODE", "行政区划代码", "administrative division code", standard=True)
ILLUSTRATIVE = _f(
    "illustrative", "SYBZ", "示意标志", "geometry is demo data (示意)", FieldType.boolean
)
CLAUSE = _f("clause", "GHTK", "规划条款", "plan clause")
PLAN_TIME = "the edition's period 规划期 (period_start/period_end)"

ZONES = Layer(
    id="zones",
    title_zh="集中开采区",
    title_en="Concentrated mining zones",
    description="The plan's concentrated mining zones (专栏三; 第三章第四节) of the edition.",
    source=Source.plan,
    fields=(
        _f("code", "GHQBH", "规划区编号", "zone code", standard=True),
        _f("name_zh", "GHQMC", "规划区名称", "zone name", standard=True),
        _f("kind", "GHQLX", "规划区类型", "kind (concentrated_zone, planned_block)"),
        _f("minerals", "GHKZ", "规划矿种", "minerals planned (comma-separated codes)"),
        _f("area_km2", "GHQMJ", "规划区面积", "area given by the plan, km²", "real", standard=True),
        ILLUSTRATIVE,
        CLAUSE,
        EDITION,
        GEO_CODE,
    ),
    temporal=PLAN_TIME,
)

PLANNED_BLOCKS = Layer(
    id="planned_blocks",
    title_zh="开采规划区块",
    title_en="Planned mining blocks",
    description="Ground set aside for new mining rights, granted by market grant only "
    "(第五章第一节, 第五章第二节).",
    source=Source.plan,
    fields=(
        _f("code", "GHQBH", "规划区编号", "block id", standard=True),
        _f("name_zh", "GHQMC", "规划区名称", "block name", standard=True),
        _f("mineral", "GHKZ", "规划矿种", "mineral planned"),
        _f("area_km2", "GHQMJ", "规划区面积", "area, km²", "real", standard=True),
        _f("scale_value", "GHGM", "规划生产规模", "planned production scale", "real"),
        _f("scale_unit", "GMDW", "规模单位", "scale unit"),
        ILLUSTRATIVE,
        CLAUSE,
        EDITION,
        GEO_CODE,
    ),
    temporal=PLAN_TIME,
)

PROHIBITED_AREAS = Layer(
    id="prohibited_areas",
    title_zh="禁止开采区",
    title_en="Prohibited areas",
    description="Ecological red line, nature-reserve cores, water-source protection, urban "
    "boundary and the other areas no new mine may touch (第三章第一节).",
    source=Source.plan,
    fields=(
        _f("code", "GHQBH", "规划区编号", "area id (kind and order in the edition)", standard=True),
        _f("name_zh", "GHQMC", "规划区名称", "area name", standard=True),
        _f("category", "QHQLB", "规划区类别", "category: 330103 禁止开采区", standard=True),
        _f("kind", "JZLX", "禁止类型", "kind (ecological_red_line, urban_boundary, ...)"),
        ILLUSTRATIVE,
        CLAUSE,
        EDITION,
        GEO_CODE,
    ),
    temporal=PLAN_TIME,
)

OFFICIAL = Audience.officials
RIGHTS = Layer(
    id="rights",
    title_zh="矿业权",
    title_en="Exploration and mining rights",
    description="The register with each right's status. The public sees where the rights lie, "
    "their kind, mineral, status and area; the licence, holder, validity, scale and elevations "
    "only officials and the holder itself.",
    source=Source.register,
    fields=(
        _f("licence_no", "XKZH", "许可证号", "licence number", audience=OFFICIAL),
        _f("kind", "KQLX", "矿业权类型", "kind (exploration, mining)"),
        _f("mine_name", "KSMC", "矿山名称", "mine name"),
        _f("mineral", "KZ", "矿种", "mineral"),
        _f("mineral_zh", "KZMC", "矿种名称", "mineral, Chinese"),
        _f("status", "ZT", "状态", "status (producing, suspended, closed, ...)"),
        _f("area_km2", "MJ", "矿区面积", "licensed area, km²", "real"),
        _f("zone", "SZKQ", "所在开采区", "zone or block code"),
        _f("holder_id", "KQRID", "矿业权人标识", "holder id", audience=OFFICIAL),
        _f("holder_name", "KQR", "矿业权人", "holder name", audience=OFFICIAL),
        _f("scale_value", "SCGM", "生产规模", "production scale", "real", OFFICIAL),
        _f("scale_unit", "GMDW", "规模单位", "scale unit", audience=OFFICIAL),
        _f("method", "KCFS", "开采方式", "mining method", audience=OFFICIAL),
        _f("valid_from", "YXQQ", "有效期起", "valid from", "date", OFFICIAL),
        _f("valid_to", "YXQZ", "有效期止", "valid to", "date", OFFICIAL),
        _f("elevation_top_m", "KCBGS", "开采标高上限", "top elevation, m", "real", OFFICIAL),
        _f("elevation_bottom_m", "KCBGX", "开采标高下限", "bottom elevation, m", "real", OFFICIAL),
        _f("licensing_level", "FZJB", "发证级别", "licensing level", audience=OFFICIAL),
        ILLUSTRATIVE,
        GEO_CODE,
    ),
    temporal="the licence's validity (valid_from/valid_to)",
)

LEGACY_SITES = Layer(
    id="legacy_sites",
    title_zh="历史遗留矿山",
    title_en="Legacy and orphan mine sites",
    description="Legacy sites restored with public money (第六章第二节; 专栏二 0.52 km²), "
    "from restoration-api.",
    source=Source.restoration,
    fields=(
        _f("code", "BH", "编号", "site code"),
        _f("name", "MC", "名称", "site name"),
        _f("edition", "GHBB", "规划版本", "plan edition"),
        _f("damaged_area_ha", "SHMJ", "损毁面积", "damaged area, ha", "real"),
        _f("restored_area_ha", "ZLMJ", "治理面积", "restored area, ha", "real"),
        _f("status", "ZT", "状态", "status"),
        _f("accepted_on", "YSRQ", "验收日期", "accepted on", "date"),
        ILLUSTRATIVE,
        GEO_CODE,
    ),
    temporal="the acceptance day (accepted_on)",
)

RESTORATION_AREAS = Layer(
    id="restoration_areas",
    title_zh="矿山地质环境治理区",
    title_en="Restoration areas",
    description="Areas a mine restores under its protection-and-reclamation plan (第六章第二节), "
    "from restoration-api.",
    source=Source.restoration,
    fields=(
        _f("code", "BH", "编号", "area code"),
        _f("right_id", "KQID", "矿业权标识", "right id", audience=OFFICIAL),
        _f("kind", "LX", "类型", "kind"),
        _f("area_ha", "MJ", "面积", "area, ha", "real"),
        _f("status", "ZT", "状态", "status"),
        _f("accepted_on", "YSRQ", "验收日期", "accepted on", "date"),
        ILLUSTRATIVE,
        GEO_CODE,
    ),
    temporal="the acceptance day (accepted_on)",
)

LAYERS: dict[str, Layer] = {
    layer.id: layer
    for layer in (ZONES, PLANNED_BLOCKS, PROHIBITED_AREAS, RIGHTS, LEGACY_SITES, RESTORATION_AREAS)
}
# restoration-api's GeoJSON routes (part E's contract)
RESTORATION_PATHS = {
    "legacy_sites": "/legacy-sites.geojson",
    "restoration_areas": "/restoration-areas.geojson",
}


def is_official(caller: Principal | None) -> bool:
    return caller is not None and caller.has(*OFFICIALS)


def fields_seen(
    layer: Layer, caller: Principal | None, owner: str | None
) -> tuple[LayerField, ...]:
    """The fields of a feature ``caller`` reads: every field for officials and for the
    enterprise owning the feature (``owner``: its holder id), the public ones for anyone else."""
    if is_official(caller):
        return layer.fields
    if caller is not None and caller.own_holder is not None and caller.sees_holder(owner):
        return layer.fields
    return layer.public_fields()


def filterable(layer: Layer, caller: Principal | None) -> tuple[LayerField, ...]:
    """The fields ``caller`` may filter by: those it reads on every feature (filtering by a
    field it cannot read would tell it the hidden values)."""
    return layer.fields if is_official(caller) else layer.public_fields()
