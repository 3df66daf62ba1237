"""Three rates 三率 (第四章第三节): reports judged against the edition's thresholds (the plan's
fluorite waste-rock utilisation ≥ 80 %, 第八章第三节), GET /utilisation and its CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from contracts.mining import LicensingLevel, Mineral, MiningMethod, RightKind, RightStatus
from rights_api.holders.models import Holder
from rights_api.rights.models import Right
from servicekit.auth import Role

from tests.rights_api.operations_support import events, rights_service
from tests.rights_api.support import load_edition
from tests.samples import credit_code


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        await load_edition(service)
        yield service


async def mine(
    service,
    serial: int,
    *,
    mineral: Mineral = Mineral.fluorite,
    method: MiningMethod | None = MiningMethod.underground,
    status: RightStatus = RightStatus.producing,
    kind: RightKind = RightKind.mining,
    holder_id=None,
    name: str = "二连浩特市白音敖包萤石矿",
) -> Right:
    async with service.runtime.db.transaction() as session:
        if holder_id is None:
            holder = Holder(credit_code=credit_code(800 + serial), name=f"测试矿业{serial}")
            session.add(holder)
            await session.flush()
            holder_id = holder.id
        right = Right(
            licence_no=f"C150000201206212{serial:07d}",
            kind=kind,
            holder_id=holder_id,
            mine_name=f"{name}{serial}",
            mineral=mineral,
            method=method,
            area_km2=Decimal("0.1307"),
            status=status,
            valid_from=date(2019, 1, 1),
            valid_to=date(2029, 12, 31),
            licensing_level=LicensingLevel.region,
        )
        session.add(right)
    return right


def report(right: Right, **changes) -> dict:
    body = {
        "right_id": str(right.id),
        "year": 2025,
        "ore_mined_t": "10000",
        "mining_recovery_pct": "82.5",
        "processing_recovery_pct": "78.0",
        "comprehensive_utilisation_pct": "55.0",
        "waste_rock_t": "4000",
        "waste_rock_reused_t": "2500",  # 62.50 % < 80 %
    }
    return body | changes


def owner(service, right: Right) -> dict:
    return service.auth(Role.enterprise, holder_id=str(right.holder_id))


async def test_fluorite_waste_rock_below_80_percent_is_a_finding_with_its_clause(rights):
    right = await mine(rights, 1)
    response = await rights.client.post(
        "/utilisation-reports", json=report(right), headers=owner(rights, right)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/utilisation-reports/{body['id']}"
    assert body["edition_code"] == "2021-2025"
    assert Decimal(body["waste_rock_utilisation_pct"]) == Decimal("62.50")
    assert [
        (f["rule"], f["clause"], Decimal(f["threshold"]), Decimal(f["actual"]), f["source"])
        for f in body["findings"]
    ] == [("waste_rock_utilisation", "第八章第三节", Decimal(80), Decimal("62.50"), "plan")]

    [(type_, key, data)] = await events(rights, "rights.utilisation")
    assert type_ == "rights.utilisation.flagged"
    assert key == str(right.id)
    assert data["holder_id"] == str(right.holder_id)
    assert data["report_id"] == body["id"]
    assert data["year"] == 2025
    assert [(f["rule"], f["clause"], f["source"]) for f in data["findings"]] == [
        ("waste_rock_utilisation", "第八章第三节", "plan")
    ]

    # at 80 % exactly the plan's number is met ("达到80%以上"); a configured minimum below is
    # a finding marked configuration, never the plan's
    other = await mine(rights, 2)
    met = await rights.client.post(
        "/utilisation-reports",
        json=report(other, waste_rock_reused_t="3200", mining_recovery_pct="60"),
        headers=rights.auth(Role.bureau_reviewer),
    )
    assert met.status_code == 201, met.text
    [finding] = met.json()["findings"]
    assert finding["rule"] == "mining_recovery"
    assert finding["source"] == "configuration"
    assert finding["clause"].startswith("第四章第三节")
    assert Decimal(finding["threshold"]) == Decimal(75)  # underground fluorite, configured
    assert len(await events(rights, "rights.utilisation.flagged")) == 2

    # a report without findings publishes nothing
    fine = await mine(rights, 3)
    clean = await rights.client.post(
        "/utilisation-reports",
        json=report(fine, waste_rock_reused_t="4000"),
        headers=rights.auth(Role.bureau_admin),
    )
    assert clean.status_code == 201
    assert clean.json()["findings"] == []
    assert len(await events(rights, "rights.utilisation.flagged")) == 2


async def test_refusals(rights):
    right = await mine(rights, 1)
    stranger = await mine(rights, 2)
    url = "/utilisation-reports"

    other_holder = await rights.client.post(
        url, json=report(right), headers=owner(rights, stranger)
    )
    assert other_holder.status_code == 404
    inspector = await rights.client.post(
        url, json=report(right), headers=rights.auth(Role.inspector)
    )
    assert inspector.status_code == 403
    gov = await rights.client.post(url, json=report(right), headers=rights.auth(Role.gov_system))
    assert gov.status_code == 403
    anonymous = await rights.client.post(url, json=report(right))
    assert anonymous.status_code == 401

    async def field_of(response):
        assert response.status_code == 422, response.text
        return {e["field"] for e in response.json()["errors"]}

    mine_owner = owner(rights, right)
    too_much = await rights.client.post(
        url, json=report(right, waste_rock_reused_t="4001"), headers=mine_owner
    )
    assert await field_of(too_much) == {"body.waste_rock_reused_t"}
    future = await rights.client.post(url, json=report(right, year=2100), headers=mine_owner)
    assert await field_of(future) == {"body.year"}
    over = await rights.client.post(
        url, json=report(right, mining_recovery_pct="100.5"), headers=mine_owner
    )
    assert "body.mining_recovery_pct" in await field_of(over)
    exploring = await mine(rights, 3, kind=RightKind.exploration)
    explored = await rights.client.post(
        url, json=report(exploring), headers=owner(rights, exploring)
    )
    assert await field_of(explored) == {"body.right_id"}
    assert await events(rights, "rights.utilisation") == []

    first = await rights.client.post(url, json=report(right), headers=mine_owner)
    assert first.status_code == 201
    second = await rights.client.post(
        url, json=report(right), headers=rights.auth(Role.bureau_admin)
    )
    assert second.status_code == 409
    assert second.json()["report_id"] == first.json()["id"]

    shown = f"{url}/{first.json()['id']}"
    assert (await rights.client.get(shown, headers=mine_owner)).status_code == 200
    assert (await rights.client.get(shown, headers=owner(rights, stranger))).status_code == 404
    listed = await rights.client.get(url, headers=owner(rights, stranger))
    assert listed.status_code == 200 and listed.json()["items"] == []
    listed = await rights.client.get(url, params={"year": 2025}, headers=mine_owner)
    assert [r["id"] for r in listed.json()["items"]] == [first.json()["id"]]


async def test_thresholds_are_the_editions_and_a_patched_edition_changes_the_judgement(rights):
    admin = rights.auth(Role.bureau_admin)
    current = (await rights.client.get("/plan-editions/current")).json()
    thresholds = current["utilisation_thresholds"]
    plan_own = [t for t in thresholds if t["source"] == "plan"]
    assert [
        (t["mineral"], t["rule"], Decimal(t["minimum_pct"]), t["clause"]) for t in plan_own
    ] == [("fluorite", "waste_rock_utilisation", Decimal(80), "第八章第三节")]
    assert "80%以上" in plan_own[0]["note"]
    assert all(t["clause"].startswith("第四章第三节") for t in thresholds if t["source"] != "plan")

    before = await mine(rights, 1)
    flagged = await rights.client.post("/utilisation-reports", json=report(before), headers=admin)
    assert [f["rule"] for f in flagged.json()["findings"]] == ["waste_rock_utilisation"]

    # the bureau lowers the (plan) number in an adjustment of the edition: 60 %
    adjusted = [
        t | {"minimum_pct": "60"} if t["rule"] == "waste_rock_utilisation" else t
        for t in thresholds
    ]
    patched = await rights.client.patch(
        f"/plan-editions/{current['id']}",
        json={"utilisation_thresholds": adjusted},
        headers={**admin, "If-Match": f'"{current["version"]}"'},
    )
    assert patched.status_code == 200, patched.text
    after = await mine(rights, 2)
    judged = await rights.client.post("/utilisation-reports", json=report(after), headers=admin)
    assert judged.status_code == 201
    assert judged.json()["findings"] == []
    assert judged.json()["edition_version"] == current["version"] + 1
    # the first report keeps what it was judged by; the overview judges by the edition now
    kept = await rights.client.get(f"/utilisation-reports/{flagged.json()['id']}", headers=admin)
    assert [f["rule"] for f in kept.json()["findings"]] == ["waste_rock_utilisation"]
    overview = (
        await rights.client.get("/utilisation", params={"year": 2025}, headers=admin)
    ).json()
    assert overview["edition_version"] == current["version"] + 1
    assert all(m["below"] == [] for m in overview["mines"])

    duplicated = await rights.client.patch(
        f"/plan-editions/{current['id']}",
        json={"utilisation_thresholds": [*adjusted, adjusted[0]]},
        headers={**admin, "If-Match": f'"{current["version"] + 1}"'},
    )
    assert duplicated.status_code == 422


async def test_every_producing_mine_against_the_thresholds_and_as_csv(rights):
    reported = await mine(rights, 1)
    missing = await mine(rights, 2, name="二连浩特市哈达呼苏萤石矿")
    granite = await mine(
        rights,
        3,
        mineral=Mineral.construction_granite,
        method=MiningMethod.open_pit,
        name="二连浩特市乌希根楚二号建筑用花岗岩矿",
    )
    await mine(rights, 4, status=RightStatus.suspended)  # not producing, no report: not listed
    await mine(rights, 5, kind=RightKind.exploration)
    admin = rights.auth(Role.bureau_admin)
    filed = await rights.client.post("/utilisation-reports", json=report(reported), headers=admin)
    assert filed.status_code == 201
    granite_report = report(
        granite,
        processing_recovery_pct=None,
        comprehensive_utilisation_pct=None,
        mining_recovery_pct="92",
        waste_rock_t="0",
        waste_rock_reused_t="0",
    )
    assert (
        await rights.client.post("/utilisation-reports", json=granite_report, headers=admin)
    ).status_code == 201

    for role in (Role.bureau_reviewer, Role.inspector, Role.gov_system):
        response = await rights.client.get(
            "/utilisation", params={"year": 2025}, headers=rights.auth(role)
        )
        assert response.status_code == 200, response.text
    body = response.json()
    assert (body["producing"], body["reported"], body["missing"], body["below_threshold"]) == (
        3,
        2,
        1,
        1,
    )
    by_right = {m["right_id"]: m for m in body["mines"]}
    assert set(by_right) == {str(reported.id), str(missing.id), str(granite.id)}
    assert by_right[str(missing.id)]["standing"] == "missing"
    assert by_right[str(missing.id)]["below"] == []
    assert by_right[str(reported.id)]["below"] == ["waste_rock_utilisation"]
    waste = next(
        r for r in by_right[str(reported.id)]["rates"] if r["rule"] == "waste_rock_utilisation"
    )
    assert (Decimal(waste["actual"]), Decimal(waste["threshold"]), waste["source"]) == (
        Decimal("62.50"),
        Decimal(80),
        "plan",
    )
    assert [r["rule"] for r in by_right[str(granite.id)]["rates"]] == ["mining_recovery"]

    # the holder sees its own mine only
    own = await rights.client.get(
        "/utilisation", params={"year": 2025}, headers=owner(rights, missing)
    )
    assert [m["right_id"] for m in own.json()["mines"]] == [str(missing.id)]
    assert (await rights.client.get("/utilisation", params={"year": 2025})).status_code == 401
    bad_year = await rights.client.get("/utilisation", params={"year": "x"}, headers=admin)
    assert bad_year.status_code == 422
    assert bad_year.json()["errors"][0]["field"] == "query.year"
    assert (await rights.client.get("/utilisation", headers=admin)).status_code == 422
    before_the_plan = await rights.client.get("/utilisation", params={"year": 2015}, headers=admin)
    assert before_the_plan.status_code == 422
    assert before_the_plan.json()["errors"][0]["field"] == "query.year"

    csv_file = await rights.client.get("/utilisation.csv", params={"year": 2025}, headers=admin)
    negotiated = await rights.client.get(
        "/utilisation", params={"year": 2025}, headers={**admin, "Accept": "text/csv"}
    )
    for answer in (csv_file, negotiated):
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/csv; charset=utf-8"
        assert answer.content.startswith(b"\xef\xbb\xbf")  # BOM
    assert csv_file.content == negotiated.content
    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert len(rows) == 3
    row = next(r for r in rows if r["right_id"] == str(reported.id))
    assert row["mine_name"] == reported.mine_name
    assert row["year"] == "2025"
    assert row["standing"] == "reported"
    assert Decimal(row["waste_rock_utilisation_pct"]) == Decimal("62.50")
    assert Decimal(row["waste_rock_utilisation_min_pct"]) == Decimal(80)
    assert row["waste_rock_utilisation_source"] == "plan"
    assert row["waste_rock_utilisation_below"] == "yes"
    assert row["below"] == "waste_rock_utilisation"
    gap = next(r for r in rows if r["right_id"] == str(missing.id))
    assert (gap["standing"], gap["ore_mined_t"], gap["waste_rock_utilisation_pct"]) == (
        "missing",
        "",
        "",
    )
    own_csv = await rights.client.get(
        "/utilisation.csv", params={"year": 2025}, headers=owner(rights, granite)
    )
    own_rows = list(csv.DictReader(io.StringIO(own_csv.content.decode("utf-8-sig"))))
    assert [r["right_id"] for r in own_rows] == [str(granite.id)]


async def test_the_producing_mines_of_the_plan_without_reports_are_missing(databases, tmp_path):
    from rights_api.app import SERVICE

    async with rights_service(databases, tmp_path / "attachments") as service:
        async with service.runtime.db.transaction() as session:
            await SERVICE.seed(session)
        response = await service.client.get(
            "/utilisation", params={"year": 2025}, headers=service.auth(Role.gov_system)
        )
    assert response.status_code == 200, response.text
    body = response.json()
    # 专栏一: the oilfield and 乌希根楚二号 produce; the fluorite mines are stopped or closing
    assert sorted(m["mine_name"] for m in body["mines"]) == sorted(
        ["内蒙古二连盆地包尔-吉格森油田开采", "二连浩特市乌希根楚二号建筑用花岗岩矿"]
    )
    assert (body["producing"], body["reported"], body["missing"]) == (2, 0, 2)
    granite = next(m for m in body["mines"] if m["mineral"] == "construction_granite")
    assert granite["method"] == "open_pit"
    assert [(r["rule"], r["threshold"], r["source"]) for r in granite["rates"]] == [
        ("mining_recovery", "90", "configuration")
    ]
