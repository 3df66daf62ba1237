"""Honest reference data: demo 示意 is a flag (`illustrative`, `boundary_illustrative`), never
part of a name or an address; names are the plan's own words."""

import json
from pathlib import Path

from rights_api.app import SERVICE
from servicekit.auth import Role

from tests.rights_api.support import count

ROOT = Path(__file__).resolve().parents[2]
DEMO_WORDS = ("示意", "演示", "demo", "DEMO")


async def seeded(rights) -> None:
    async with rights.runtime.db.transaction() as session:
        await SERVICE.seed(session)


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


async def test_zone_area_and_city_names_are_the_plans_words_and_demo_is_a_flag(rights):
    await seeded(rights)
    edition = (await rights.client.get("/plan-editions/current")).json()
    zones = {f["properties"]["code"]: f["properties"] for f in edition["zones"]["features"]}
    assert {code: p["name_zh"] for code, p in zones.items()} == {  # 专栏三
        "SCJ001": "乌希根楚建筑用花岗岩矿集中开采区",
        "SCJ002": "乌敦花建筑用砂、建筑用板岩矿集中开采区",
        "SCJ003": "白音敖包南砂坑",
        "SCJ004": "忠耐石料场",
    }
    assert all(p["illustrative"] is True for p in zones.values())
    areas = [f["properties"] for f in edition["prohibited_areas"]["features"]]
    assert {a["name_zh"] for a in areas} == {
        "二连浩特市城镇开发边界",
        "生态保护红线",
        "饮用水水源地保护区",
    }
    assert all(a["illustrative"] is True for a in areas)
    assert edition["city"]["name_zh"] == "二连浩特市"
    assert edition["city"]["illustrative"] is True
    names = [
        *[p["name_zh"] for p in zones.values()],
        *[a["name_zh"] for a in areas],
        edition["city"]["name_zh"],
        *[t["name_zh"] for t in edition["targets"]],
    ]
    assert not [n for n in names if any(w in n for w in DEMO_WORDS)]


async def test_mine_names_and_holder_addresses_carry_no_demo_marks(rights):
    await seeded(rights)
    admin = rights.auth(Role.bureau_admin)
    geo = (await rights.client.get("/rights.geojson", headers=admin)).json()
    features = geo["features"]
    assert len(features) == 8
    assert all(f["properties"]["boundary_illustrative"] is True for f in features)
    assert "二连浩特市乌希根楚二号建筑用花岗岩矿" in {
        f["properties"]["mine_name"] for f in features
    }
    for f in features:
        assert not any(w in f["properties"]["mine_name"] for w in DEMO_WORDS), f
    holders = (await rights.client.get("/holders?limit=50", headers=admin)).json()["items"]
    assert len(holders) == 8
    addresses = [h["address"] for h in holders if h["address"] is not None]
    assert addresses and all(a == "内蒙古自治区二连浩特市" for a in addresses)
    assert (
        await count(rights, "SELECT count(*) FROM holders WHERE credit_code LIKE '________DEM%'")
        == 7
    )


def test_no_seed_or_example_in_the_services_puts_shiyi_in_a_name():
    """示意 may appear in comments and descriptions (to say what the flag means), never inside a
    string that becomes a name: scan every string literal assigned to a name-like key."""
    offenders = []
    for path in (ROOT / "services").glob("*/src/**/*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            stripped = line.strip()
            if "示意" not in stripped or stripped.startswith("#"):
                continue
            if any(key in stripped for key in ('"name', "name_zh", "mine_name", "address")):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {stripped}")
    assert offenders == []


def test_the_edition_module_has_no_name_suffix():
    from rights_api.plan.edition_2021_2025 import edition

    data = edition().model_dump(mode="json")
    named = strings(
        [f["properties"]["name_zh"] for f in data["zones"]["features"]]
        + [f["properties"]["name_zh"] for f in data["prohibited_areas"]["features"]]
        + [data["city"]["name_zh"]]
    )
    assert not [n for n in named if "示意" in n or "（" in n]
    assert json.dumps(data, ensure_ascii=False).count("示意") == 0
