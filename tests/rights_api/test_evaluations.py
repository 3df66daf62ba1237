"""The plan evaluation (第七章二) for the loaded 2021–2025 data: rights-api counts its register and
asks restoration-api and greenmine-api (real HTTP, its service token) for theirs, each as of
the end of the year asked. A mine closed and a listing removed in 2024 still count in 2023; a
legacy site accepted before the period never counts toward its 0.52 km²."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from servicekit import clock
from servicekit.auth import Role

from tests.rights_api.evaluation_support import (
    CLOSED_GRANITE,
    OILFIELD,
    Services,
    record_the_period,
    three_services,
)


@pytest.fixture
async def services(databases):
    async with three_services(databases) as found:
        await record_the_period(found)
        yield found


def by_code(body: dict) -> dict[str, dict]:
    return {i["code"]: i for i in body["indicators"]}


async def evaluation(s: Services, which: str, role: Role = Role.gov_system) -> dict:
    response = await s.rights.client.get(
        f"/plan-editions/{s.edition_id}/evaluations/{which}", headers=s.rights.auth(role)
    )
    assert response.status_code == 200, response.text
    return response.json()


def actual(indicator: dict) -> Decimal:
    return Decimal(indicator["actual"])


async def test_2023_counts_the_records_as_they_stood_at_the_end_of_2023(services):
    body = await evaluation(services, "2023")
    assert (body["edition_id"], body["year"], body["as_of"]) == (
        services.edition_id,
        2023,
        "2023-12-31",
    )
    found = by_code(body)
    # every indicator of 专栏二 and 专栏四, in the edition's order, targets from its data
    assert list(found) == [
        "city_small_mines",
        "green_mines",
        "legacy_restoration_km2",
        "land_reclamation_ha",
        "restoration_rate",
        "granite_mines",
        "granite_output",
        "sand_mines",
        "sand_output",
        "total_mines",
        "total_output",
    ]
    targets = {code: Decimal(i["target"]) for code, i in found.items()}
    assert targets == {
        "city_small_mines": 4,
        "green_mines": 4,
        "legacy_restoration_km2": Decimal("0.52"),
        "land_reclamation_ha": 46,
        "restoration_rate": 100,
        "granite_mines": 3,
        "granite_output": 45,
        "sand_mines": 1,
        "sand_output": 35,
        "total_mines": 4,
        "total_output": 80,
    }
    attributes = {code: i["attribute"] for code, i in found.items()}
    assert attributes["legacy_restoration_km2"] == attributes["land_reclamation_ha"] == "binding"
    binding = ("legacy_restoration_km2", "land_reclamation_ha")
    assert {attributes[c] for c in found if c not in binding} == {"expected"}
    sources = {code: i["source_service"] for code, i in found.items()}
    assert sources["green_mines"] == "greenmine"
    assert sources["legacy_restoration_km2"] == "restoration"
    assert sources["granite_mines"] == sources["city_small_mines"] == "rights"

    # the granite mine closed in 2024 still counts in 2023
    granite = found["granite_mines"]
    assert actual(granite) == 3 and granite["met"] is True
    assert CLOSED_GRANITE in {r["name"] for r in granite["records"]}
    assert actual(found["city_small_mines"]) == 4
    # the oilfield, listed 2021-03-28 and delisted in 2024, is on the list at the end of 2023
    green = found["green_mines"]
    assert actual(green) == 1 and green["met"] is False
    assert [(r["kind"], r["name"], r["on"]) for r in green["records"]] == [
        ("listing", OILFIELD, "2021-03-28")
    ]
    # 12 ha accepted in 2023 count; the 30 ha of 2020 (before the period) and 2024's 40 do not
    legacy = found["legacy_restoration_km2"]
    assert actual(legacy) == Decimal("0.12") and legacy["met"] is False
    assert [(r["on"], Decimal(r["value"])) for r in legacy["records"]] == [
        ("2023-09-30", Decimal("0.12"))
    ]
    assert actual(found["land_reclamation_ha"]) == 20
    assert actual(found["restoration_rate"]) == 90  # 18 of 20 ha over 2022–2023
    missed = {p["ref"] for p in body["problems"] if p["kind"] == "indicator_missed"}
    assert {"green_mines", "legacy_restoration_km2", "land_reclamation_ha",
            "restoration_rate"} <= missed  # fmt: skip
    assert "granite_mines" not in missed
    # named deadlines missed by the end of 2023, not those due later (judged that day)
    deadlines = {p["ref"] for p in body["problems"] if p["kind"] == "deadline_missed"}
    assert "wuxigenchu-closure" in deadlines and "green-mine-standard" not in deadlines
    # conformance findings of that day: the mines below the minimum scale (第四章第二节)
    below = [p for p in body["problems"] if p["kind"] == "conformance_open"]
    assert any("低于" in p["title_zh"] and "最低开采规模" in p["title_zh"] for p in below)

    # the mid-term evaluation is 2023's, the middle year computed from the period
    midterm = await evaluation(services, "midterm", Role.bureau_admin)
    assert (midterm["scope"], midterm["year"], midterm["as_of"]) == ("midterm", 2023, "2023-12-31")
    assert {c: i["actual"] for c, i in by_code(midterm).items()} == {
        c: i["actual"] for c, i in found.items()
    }


async def test_the_period_counts_to_its_end_and_year_by_year(services):
    body = await evaluation(services, "period")
    assert (body["scope"], body["year"], body["as_of"]) == ("period", 2025, "2025-12-31")
    found = by_code(body)
    # today's register: the granite mine closed in 2024, the oilfield off the list
    assert actual(found["granite_mines"]) == 2
    assert CLOSED_GRANITE not in {r["name"] for r in found["granite_mines"]["records"]}
    assert actual(found["city_small_mines"]) == 3
    assert actual(found["green_mines"]) == 0 and found["green_mines"]["records"] == []
    legacy = found["legacy_restoration_km2"]
    assert actual(legacy) == Decimal("0.52") and legacy["met"] is True
    deadlines = {p["ref"] for p in body["problems"] if p["kind"] == "deadline_missed"}
    assert "green-mine-standard" not in deadlines  # due 2025-12-31: still open on its day
    years = {y["year"]: y["actuals"] for y in body["by_year"]}
    assert list(years) == [2021, 2022, 2023, 2024, 2025]
    assert [Decimal(years[y]["granite_mines"]) for y in years] == [3, 3, 3, 2, 2]
    assert [Decimal(years[y]["green_mines"]) for y in years] == [1, 1, 1, 0, 0]
    assert [Decimal(years[y]["legacy_restoration_km2"]) for y in years] == [
        0, 0, Decimal("0.12"), Decimal("0.52"), Decimal("0.52")
    ]  # fmt: skip
    # GET /indicators answers as of today from the same functions
    today = (
        await services.rights.client.get(
            "/indicators", headers=services.rights.auth(Role.bureau_admin)
        )
    ).json()
    granite = next(c for c in today["mine_caps"] if c["name_zh"] == "建筑用花岗岩")
    assert granite["mines"] == 2
    listed = (await services.greenmine.client.get("/indicators")).json()
    assert listed["listed_count"] == 0


async def test_during_the_period_the_period_is_evaluated_as_of_today(services):
    rights = services.rights
    headers = rights.auth(Role.bureau_admin)  # minted now: the token's own clock is real
    base = f"/plan-editions/{services.edition_id}/evaluations"
    with clock.pinned(datetime(2024, 8, 1, 4, 0, tzinfo=UTC)):
        body = (await rights.client.get(f"{base}/period", headers=headers)).json()
        later = await rights.client.get(f"{base}/2025", headers=headers)
    assert (body["scope"], body["year"], body["as_of"]) == ("period", 2025, "2024-08-01")
    assert [(y["year"], y["as_of"]) for y in body["by_year"]] == [
        (2021, "2021-12-31"),
        (2022, "2022-12-31"),
        (2023, "2023-12-31"),
        (2024, "2024-08-01"),
    ]
    found = by_code(body)
    assert actual(found["granite_mines"]) == 2  # closed on 2024-06-30
    assert actual(found["legacy_restoration_km2"]) == Decimal("0.12")  # 2024's came in September
    assert later.status_code == 422
    [error] = later.json()["errors"]
    assert error["field"] == "path.year" and "2025 has not begun" in error["message"]
