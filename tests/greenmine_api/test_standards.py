"""The pass rule of the 2020 national form at its edges: 800 of 1000, every category at least
75 % of its points, every prerequisite met. The result is computed, never typed in."""

from decimal import Decimal

import pytest
from greenmine_api.standards import service
from greenmine_api.standards.models import Standard
from servicekit.errors import ProblemError
from sqlmodel import select

from tests.greenmine_api.support import prerequisites, scores


async def national_form(gm) -> Standard:
    async with gm.runtime.db.transaction() as session:
        return (await session.exec(select(Standard).where(Standard.is_default))).one()


async def test_the_seeded_default_is_the_2020_national_form(gm):
    response = await gm.client.get("/standards")
    assert response.status_code == 200
    [form] = response.json()["items"]
    assert form["code"] == "national-2020" and form["is_default"]
    assert (form["total_points"], form["pass_total"]) == (1000, 800)
    assert Decimal(form["category_min_ratio"]) == Decimal("0.75")
    assert len(form["categories"]) == 6
    assert sum(Decimal(c["points"]) for c in form["categories"]) == 1000
    # the sources give no category points: they are marked as the bureau's configuration
    assert {c["points_source"] for c in form["categories"]} == {"configuration"}
    assert {p["code"] for p in form["prerequisites"]} == {
        "valid_licence",
        "no_penalty_or_accident_3y",
        "not_abnormal_listed",
        "reserves_3y",
        "outside_protected_areas",
    }


async def test_800_passes_and_799_does_not(gm):
    form = await national_form(gm)
    at_800 = service.evaluate(form, scores=_dec(scores()), prerequisites=prerequisites())
    assert at_800.total == 800 and at_800.passed and at_800.reasons == []
    at_799 = service.evaluate(
        form, scores=_dec(scores(environment__greening=63)), prerequisites=prerequisites()
    )
    assert at_799.total == 799 and not at_799.passed
    assert all(c.passed for c in at_799.categories)  # only the total fails
    assert at_799.reasons == ["total 799 < 800"]


async def test_a_category_under_75_percent_fails_whatever_the_total(gm):
    form = await national_form(gm)
    # 矿区环境 112 of 150 (< 112.5), everything else at full marks: 962 in all
    high = scores("1", environment__appearance=56, environment__greening=56)
    result = service.evaluate(form, scores=_dec(high), prerequisites=prerequisites())
    assert result.total == 962 and not result.passed
    [env] = [c for c in result.categories if c.code == "environment"]
    assert (env.points, env.min_required, env.passed) == (112, Decimal("112.5"), False)
    # half a point more and the category holds
    enough = scores("1", environment__appearance="56.5", environment__greening=56)
    assert service.evaluate(form, scores=_dec(enough), prerequisites=prerequisites()).passed


async def test_a_failed_prerequisite_fails_full_marks(gm):
    form = await national_form(gm)
    result = service.evaluate(
        form, scores=_dec(scores("1")), prerequisites=prerequisites(reserves_3y=False)
    )
    assert result.total == 1000 and not result.passed
    assert result.failed_prerequisites == ["reserves_3y"]


async def test_every_item_and_prerequisite_must_be_answered_within_range(gm):
    form = await national_form(gm)
    bad = _dec(scores())
    del bad["energy.saving"]
    bad["innovation.digital"] = Decimal(71)
    bad["made.up"] = Decimal(1)
    answers = prerequisites()
    del answers["valid_licence"]
    with pytest.raises(ProblemError) as caught:
        service.evaluate(form, scores=bad, prerequisites=answers)
    fields = {e["field"] for e in caught.value.extensions["errors"]}
    assert fields == {
        "scores.energy.saving",
        "scores.innovation.digital",
        "scores.made.up",
        "prerequisites.valid_licence",
    }


async def test_a_new_version_must_add_up_and_only_admins_issue_it(gm):
    form = (await gm.client.get("/standards")).json()["items"][0]
    body = {k: form[k] for k in ("code", "title", "source", "total_points", "pass_total")}
    body |= {
        "category_min_ratio": "0.75",
        "categories": form["categories"],
        "prerequisites": form["prerequisites"],
    }
    reviewer = gm.auth(_role("bureau_reviewer"))
    assert (await gm.client.post("/standards", json=body, headers=reviewer)).status_code == 403
    admin = gm.auth(_role("bureau_admin"))
    created = await gm.client.post("/standards", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["version"] == 2 and not created.json()["is_default"]
    body["total_points"] = 999
    wrong = await gm.client.post("/standards", json=body, headers=admin)
    assert wrong.status_code == 422
    assert "add up" in wrong.text


def _dec(values: dict) -> dict:
    return {k: Decimal(v) for k, v in values.items()}


def _role(name):
    from servicekit.auth import Role

    return Role(name)
