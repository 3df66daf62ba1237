"""The bureau's own actions on a right (issue 17): suspend / resume / revoke / policy-close with
their events and refusals, expiry by the daily job (pinned clock), an overdue restoration
rectification suspending the mine until it is met (第六章第二节二), and an ended right closed only
by its closure restoration's acceptance."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from contracts.deadline import Audience, Deadline, DeadlineAction
from contracts.restoration import RectificationOverdue, RectificationResolved
from servicekit.auth import Role

from tests.rights_api.support import (
    BLANK,
    acceptance,
    add_right,
    count,
    events,
    holder,
    load_edition,
    restoration_record,
)

BEIJING = ZoneInfo("Asia/Shanghai")
WHY = {"reason": "已停产多年且资源量接近枯竭，退出矿业市场", "clause": "第五章第二节"}


@pytest.fixture
async def plan(rights):
    await load_edition(rights)
    return rights


async def act(service, right_id, action, body=None, role=Role.bureau_admin, **claims):
    return await service.client.post(
        f"/rights/{right_id}/{action}", json=body or WHY, headers=service.auth(role, **claims)
    )


async def status_of(service, right_id) -> str:
    got = await service.client.get(f"/rights/{right_id}", headers=service.auth(Role.bureau_admin))
    return got.json()["status"]


def overdue(right_id, rectification_id, holder_id) -> RectificationOverdue:
    return RectificationOverdue(
        rectification_id=rectification_id,
        right_id=right_id,
        holder_id=holder_id,
        deadline=_deadline(right_id, rectification_id, holder_id, DeadlineAction.overdue),
    )


def resolved(right_id, rectification_id, holder_id) -> RectificationResolved:
    return RectificationResolved(
        rectification_id=rectification_id,
        right_id=right_id,
        holder_id=holder_id,
        resolved_at=datetime.now(UTC),
        deadline=_deadline(right_id, rectification_id, holder_id, DeadlineAction.met),
    )


def _deadline(right_id, rectification_id, holder_id, action) -> Deadline:
    return Deadline(
        id=f"restoration.rectification.{rectification_id}",
        kind="rectification",
        action=action,
        due_at=date(2026, 10, 31),
        subject=str(right_id),
        audience=Audience(holder_id=str(holder_id)),
        title_zh="矿山地质环境治理限期整改",
    )


async def test_suspend_and_resume_return_the_mine_to_the_status_it_had(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK, status="under_construction")
    suspended = await act(plan, right["id"], "suspend", {"reason": "边坡安全隐患，停产整治"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    assert suspended.headers["etag"] == '"2"'
    [(_, key, data)] = await events(plan, "rights.right.suspended")
    assert (key, data["cause"], data["right_version"]) == (right["id"], "bureau", 2)

    resumed = await act(plan, right["id"], "resume", {"reason": "整治完成，复查合格"})
    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "under_construction"  # what it was, not producing
    [(_, key, data)] = await events(plan, "rights.right.resumed")
    assert data["from_status"] == "suspended"
    assert data["to_status"] == "under_construction"
    assert (data["cause"], data["right_version"]) == ("bureau", 3)
    history = (
        await plan.client.get(
            f"/rights/{right['id']}/history", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]
    assert [h["action"] for h in history] == ["granted", "status_changed", "resumed"]
    assert history[2]["reason"] == "整治完成，复查合格"


async def test_a_mine_loaded_as_suspended_resumes_to_producing(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK, status="suspended")
    resumed = await act(plan, right["id"], "resume", {"reason": "复产验收合格"})
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "producing"


async def test_revoke_and_policy_close_enter_the_closure_path(plan):
    owner = await holder(plan, 1)
    revoked = await add_right(plan, owner, at=BLANK)
    closing = await add_right(plan, owner, at=(111.40, 43.72), status="suspended")
    answer = await act(plan, revoked["id"], "revoke", {"reason": "越界开采拒不停止，吊销许可证"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "revoked"
    answer = await act(plan, closing["id"], "policy-close")
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "closing"

    [(_, key, data)] = await events(plan, "rights.right.revoked")
    assert key == revoked["id"]
    assert (data["from_status"], data["status"], data["clause"]) == ("producing", "revoked", None)
    assert data["right_version"] == 2 and data["ending_id"]
    [(_, key, data)] = await events(plan, "rights.right.policy_closed")
    assert (key, data["from_status"], data["status"]) == (closing["id"], "suspended", "closing")
    assert data["clause"] == "第五章第二节"
    assert await events(plan, "rights.mine.closed") == []  # closed only after acceptance

    # an ended right takes no more applications
    check = await plan.client.post(
        "/applications/check",
        json={"kind": "renewal", "right_id": revoked["id"], "term_years": 3, "reason": "延续"},
        headers=plan.auth(Role.bureau_admin),
    )
    assert "right_ended" in [v["code"] for v in check.json()["violations"]]
    check = await plan.client.post(
        "/applications/check",
        json={"kind": "closure", "right_id": closing["id"], "reason": "闭坑",
              "documents": ["restoration_plan"]},
        headers=plan.auth(Role.bureau_admin),
    )  # fmt: skip
    assert [v["code"] for v in check.json()["violations"]] == ["right_ended"]


async def test_refusals_change_nothing(plan):
    owner, other = await holder(plan, 1), await holder(plan, 2)
    right = await add_right(plan, owner, at=BLANK)
    for action in ("suspend", "resume", "revoke", "policy-close"):
        for role, claims in (
            (Role.enterprise, {"holder_id": owner}),
            (Role.enterprise, {"holder_id": other}),
            (Role.inspector, {}),
            (Role.gov_system, {}),
        ):
            refused = await act(plan, right["id"], action, WHY, role, **claims)
            assert refused.status_code == 403, (action, role)
        missing = await act(plan, uuid.uuid4(), action, WHY)
        assert missing.status_code == 404
        bad = await act(plan, right["id"], action, {"clause": "第五章第二节"})
        assert bad.status_code == 422
        assert [e["field"] for e in bad.json()["errors"]] == ["body.reason"]
    # a producing mine cannot be resumed
    resumed = await act(plan, right["id"], "resume", {"reason": "恢复"})
    assert resumed.status_code == 409
    assert resumed.json()["status"] == 409  # RFC 9457: the HTTP status, never the right's
    assert resumed.json()["right_status"] == "producing"
    assert await status_of(plan, right["id"]) == "producing"
    assert await count(plan, "SELECT count(*) FROM outbox WHERE type LIKE 'rights.right.%'") == 1
    assert await count(plan, "SELECT count(*) FROM suspension_holds") == 0

    suspended = await act(plan, right["id"], "suspend", {"reason": "停产整治"})
    assert suspended.status_code == 200
    assert (await act(plan, right["id"], "suspend", {"reason": "再次"})).status_code == 409
    revoked = await act(plan, right["id"], "revoke", {"reason": "吊销"})
    assert revoked.status_code == 200
    for action in ("suspend", "resume", "revoke", "policy-close"):
        assert (await act(plan, right["id"], action, WHY)).status_code == 409, action
    closed = await add_right(plan, owner, at=(111.40, 43.72), status="closed")
    for action in ("suspend", "resume", "revoke", "policy-close"):
        assert (await act(plan, closed["id"], action, WHY)).status_code == 409, action


async def test_expiry_by_the_daily_job_after_the_grace_days(plan):
    owner = await holder(plan, 1)
    ended = await add_right(plan, owner, at=BLANK)
    renewing = await add_right(plan, owner, at=(111.40, 43.72))
    exploring = await add_right(plan, owner, at=(111.50, 43.74), kind="exploration", scale=None)
    closed = await add_right(plan, owner, at=(111.55, 43.74), status="closed")
    async with plan.runtime.db.transaction() as session:
        from sqlalchemy import text

        await session.exec(text("UPDATE rights SET valid_to = '2026-01-31'"))
    renewal = await plan.client.post(
        "/applications",
        json={"kind": "renewal", "right_id": renewing["id"], "term_years": 5, "reason": "延续"},
        headers=plan.auth(Role.enterprise, holder_id=owner),
    )
    assert renewal.status_code == 201, renewal.text
    assert plan.settings.expiry_grace_days == 30

    # 30 days of grace: 2026-03-02 (Beijing) is the last day of it, 2026-03-03 the first past it
    last_grace_day = datetime(2026, 3, 2, 15, 59, tzinfo=UTC)  # 23:59 in Beijing
    assert await plan.runtime.run_job("right_expiry", now=last_grace_day) == 0
    first_day_past = last_grace_day + timedelta(minutes=1)
    assert await plan.runtime.run_job("right_expiry", now=first_day_past) == 1
    assert await plan.runtime.run_job("right_expiry", now=first_day_past) == 0  # once

    assert await status_of(plan, ended["id"]) == "expired"
    assert await status_of(plan, renewing["id"]) == "producing"  # its renewal is under review
    assert await status_of(plan, exploring["id"]) == "producing"
    assert await status_of(plan, closed["id"]) == "closed"
    [(_, key, data)] = await events(plan, "rights.right.expired")
    assert key == ended["id"]
    assert (data["valid_to"], data["grace_days"], data["status"]) == ("2026-01-31", 30, "expired")
    assert data["ended_at"].startswith("2026-03-02T16:00")
    # the licence-expiry deadline the notifier keeps from the grant, now overdue
    assert data["deadline"]["id"] == f"licence-expiry:{ended['id']}"
    assert (data["deadline"]["action"], data["deadline"]["due_at"]) == ("overdue", "2026-01-31")
    assert data["deadline"]["audience"]["holder_id"] == owner
    history = (
        await plan.client.get(
            f"/rights/{ended['id']}/history", headers=plan.auth(Role.bureau_admin)
        )
    ).json()["items"]
    [entry] = [h for h in history if h["action"] == "expired"]
    assert (entry["actor"], entry["from_status"], entry["to_status"]) == (
        "job:right_expiry",
        "producing",
        "expired",
    )


async def test_an_overdue_rectification_suspends_until_it_is_met(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    consumer = plan.runtime.consumers["rights"]
    rectification = uuid.uuid4()
    late = restoration_record(overdue(right["id"], rectification, owner))
    assert (await consumer.process(late)).status == "applied"
    assert (await consumer.process(late)).status == "duplicate"
    assert await status_of(plan, right["id"]) == "suspended"
    [(_, _, data)] = await events(plan, "rights.right.suspended")
    assert data["cause"] == "restoration_rectification_overdue"
    assert data["clause"] == "第六章第二节二"
    assert data["rectification_id"] == str(rectification)

    # the same rectification reported overdue again (a new event): no second suspension
    assert (
        await consumer.process(restoration_record(overdue(right["id"], rectification, owner)))
    ).status == ("applied")
    assert len(await events(plan, "rights.right.suspended")) == 1
    # the bureau cannot resume it while the rectification holds it
    held = await act(plan, right["id"], "resume", {"reason": "恢复"})
    assert held.status_code == 409
    assert held.json()["held_by"] == [
        {"cause": "restoration_rectification", "id": str(rectification)}
    ]

    met = restoration_record(resolved(right["id"], rectification, owner))
    assert (await consumer.process(met)).status == "applied"
    assert await status_of(plan, right["id"]) == "producing"
    [(_, _, data)] = await events(plan, "rights.right.resumed")
    assert (data["cause"], data["to_status"]) == ("restoration_rectification_resolved", "producing")
    assert data["rectification_id"] == str(rectification)


async def test_a_mine_suspended_for_another_reason_is_not_resumed_by_the_rectification(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    consumer = plan.runtime.consumers["rights"]
    assert (await act(plan, right["id"], "suspend", {"reason": "边坡安全隐患"})).status_code == 200
    rectification = uuid.uuid4()
    await consumer.process(restoration_record(overdue(right["id"], rectification, owner)))
    assert len(await events(plan, "rights.right.suspended")) == 1  # not suspended twice
    await consumer.process(restoration_record(resolved(right["id"], rectification, owner)))
    assert await status_of(plan, right["id"]) == "suspended"  # the bureau's suspension stands
    assert await events(plan, "rights.right.resumed") == []
    resumed = await act(plan, right["id"], "resume", {"reason": "整治完成"})
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "producing"


async def test_two_rectifications_the_mine_resumes_when_the_last_is_met(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    consumer = plan.runtime.consumers["rights"]
    first, second = uuid.uuid4(), uuid.uuid4()
    await consumer.process(restoration_record(overdue(right["id"], first, owner)))
    await consumer.process(restoration_record(overdue(right["id"], second, owner)))
    await consumer.process(restoration_record(resolved(right["id"], first, owner)))
    assert await status_of(plan, right["id"]) == "suspended"  # the second still holds it
    await consumer.process(restoration_record(resolved(right["id"], second, owner)))
    assert await status_of(plan, right["id"]) == "producing"
    assert len(await events(plan, "rights.right.resumed")) == 1


async def test_the_bureau_may_close_a_suspended_mine_instead(plan):
    """逾期不能达标的，实行停产整治或者关闭: a mine held by a rectification can be closed by policy;
    the rectification met later changes nothing."""
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    consumer = plan.runtime.consumers["rights"]
    rectification = uuid.uuid4()
    await consumer.process(restoration_record(overdue(right["id"], rectification, owner)))
    why = {"reason": "逾期不能达标，关闭", "clause": "第六章第二节二"}
    closing = await act(plan, right["id"], "policy-close", why)
    assert closing.status_code == 200
    assert closing.json()["status"] == "closing"
    await consumer.process(restoration_record(resolved(right["id"], rectification, owner)))
    assert await status_of(plan, right["id"]) == "closing"
    assert await events(plan, "rights.right.resumed") == []


async def test_an_ended_right_is_closed_only_by_its_closure_acceptance(plan):
    owner = await holder(plan, 1)
    by_policy = await add_right(plan, owner, at=BLANK)
    revoked = await add_right(plan, owner, at=(111.40, 43.72))
    untouched = await add_right(plan, owner, at=(111.50, 43.74))
    await act(plan, by_policy["id"], "policy-close")
    await act(plan, revoked["id"], "revoke", {"reason": "吊销"})
    consumer = plan.runtime.consumers["rights"]

    # an acceptance that is not a closure, or names a closure application, closes nothing
    not_closure = acceptance(by_policy["id"]).model_copy(update={"closure": False})
    await consumer.process(restoration_record(not_closure))
    await consumer.process(
        restoration_record(acceptance(revoked["id"], application_id=uuid.uuid4()))
    )
    await consumer.process(restoration_record(acceptance(untouched["id"])))
    assert [await status_of(plan, r["id"]) for r in (by_policy, revoked, untouched)] == [
        "closing",
        "revoked",
        "producing",
    ]

    for right in (by_policy, revoked):
        done = restoration_record(acceptance(right["id"]))
        assert (await consumer.process(done)).status == "applied"
        assert (await consumer.process(done)).status == "duplicate"
    assert await status_of(plan, by_policy["id"]) == "closed_by_policy"
    assert await status_of(plan, revoked["id"]) == "closed"
    closed = {key: data for _, key, data in await events(plan, "rights.mine.closed")}
    assert closed[by_policy["id"]]["status"] == "closed_by_policy"
    assert closed[revoked["id"]]["status"] == "closed"
    assert set(closed) == {by_policy["id"], revoked["id"]}
    # a second acceptance of a closed mine changes nothing
    await consumer.process(restoration_record(acceptance(revoked["id"])))
    assert len(await events(plan, "rights.mine.closed")) == 2


async def _overdue_order(service, right_id) -> str:
    due = datetime.now(BEIJING).date() + timedelta(days=30)
    order = await service.client.post(
        "/compliance-orders",
        json={
            "right_id": right_id,
            "violation": "environmental_damage",
            "description": "排土场未按方案覆土，责令限期整改。",
            "due_on": due.isoformat(),
        },
        headers=service.auth(Role.bureau_reviewer),
    )
    assert order.status_code == 201, order.text
    day_after = datetime.combine(due + timedelta(days=1), time(10), BEIJING)
    assert await service.runtime.run_job("compliance_overdue", now=day_after) == 1
    return order.json()["id"]


async def _resolve_order(service, order_id) -> dict:
    resolved = await service.client.post(
        f"/compliance-orders/{order_id}/resolve",
        json={"resolution": "已覆土复绿，复查合格。"},
        headers=service.auth(Role.bureau_reviewer),
    )
    assert resolved.status_code == 200, resolved.text
    return resolved.json()


async def test_a_compliance_order_and_a_rectification_the_last_one_met_resumes(plan):
    """Whichever suspended the mine, it resumes when both the compliance order and the
    restoration rectification are met, not before: the first hands its duty to the other."""
    owner = await holder(plan, 1)
    consumer = plan.runtime.consumers["rights"]
    # the order first, then the rectification; the order is resolved first
    first = await add_right(plan, owner, at=BLANK, status="under_construction")
    order = await _overdue_order(plan, first["id"])
    rectification = uuid.uuid4()
    await consumer.process(restoration_record(overdue(first["id"], rectification, owner)))
    assert (await _resolve_order(plan, order))["mine_resumed"] is False
    assert await status_of(plan, first["id"]) == "suspended"
    await consumer.process(restoration_record(resolved(first["id"], rectification, owner)))
    assert await status_of(plan, first["id"]) == "under_construction"

    # the rectification first, then the order; the rectification is met first
    second = await add_right(plan, owner, at=(111.40, 43.72))
    rectification = uuid.uuid4()
    await consumer.process(restoration_record(overdue(second["id"], rectification, owner)))
    order = await _overdue_order(plan, second["id"])
    await consumer.process(restoration_record(resolved(second["id"], rectification, owner)))
    assert await status_of(plan, second["id"]) == "suspended"
    assert (await _resolve_order(plan, order))["mine_resumed"] is True
    assert await status_of(plan, second["id"]) == "producing"


async def test_an_overdue_compliance_order_leaves_a_mine_closing_by_policy_in_its_path(plan):
    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    due = datetime.now(BEIJING).date() + timedelta(days=30)
    order = await plan.client.post(
        "/compliance-orders",
        json={
            "right_id": right["id"],
            "violation": "environmental_damage",
            "description": "排土场未按方案覆土，责令限期整改。",
            "due_on": due.isoformat(),
        },
        headers=plan.auth(Role.bureau_reviewer),
    )
    assert order.status_code == 201
    assert (await act(plan, right["id"], "policy-close")).status_code == 200
    day_after = datetime.combine(due + timedelta(days=1), time(10), BEIJING)
    assert await plan.runtime.run_job("compliance_overdue", now=day_after) == 1
    assert await status_of(plan, right["id"]) == "closing"
    assert await events(plan, "rights.right.suspended") == []


async def test_a_right_is_not_entered_already_revoked_or_expired(plan):
    owner = await holder(plan, 1)
    for status in ("revoked", "expired"):
        refused = await plan.client.post(
            "/rights",
            json={
                "licence_no": "C1525012019000000000777",
                "kind": "mining",
                "holder_id": owner,
                "mine_name": "测试建筑用花岗岩矿",
                "mineral": "construction_granite",
                "area_km2": "0.0500",
                "status": status,
                "valid_from": "2019-01-01",
                "valid_to": "2029-12-31",
            },
            headers=plan.auth(Role.bureau_admin),
        )
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["body.status"]
    assert await count(plan, "SELECT count(*) FROM rights") == 0


async def test_policy_close_as_a_function_for_other_areas_and_its_ending(plan):
    """`endings.service.policy_close` is what a conformance finding calls; `ending_of` finds
    the ending again, so a second call can open nothing new."""
    from rights_api.endings import service as endings
    from rights_api.rights.models import Right

    owner = await holder(plan, 1)
    right = await add_right(plan, owner, at=BLANK)
    async with plan.runtime.db.transaction() as session:
        loaded = await session.get(Right, uuid.UUID(right["id"]))
        assert await endings.ending_of(session=session, right_id=loaded.id) is None
        closed = await endings.policy_close(
            session=session,
            right=loaded,
            actor="conformance",
            reason="位于禁止开采区，依规划关闭退出",
            clause="第五章第三节",
        )
        assert closed.status == "closing"
        ending = await endings.ending_of(session=session, right_id=loaded.id)
        assert (ending.kind, ending.clause, ending.status_before) == (
            "policy_closed",
            "第五章第三节",
            "producing",
        )
    [(_, _, data)] = await events(plan, "rights.right.policy_closed")
    assert data["ending_id"] == str(ending.id)
