"""Life on the list: review, rectification with benefits suspended, re-listing after
publicity, removal with numbered exit notices, events from rights-api and restoration-api,
change requests, voluntary exit."""

import csv as csv_module
import io
import uuid
from datetime import UTC, datetime, timedelta

from contracts.deadline import Audience, Deadline
from contracts.restoration import RectificationOverdue
from contracts.rights import ComplianceOverdue, MineClosed, RightTransferred
from greenmine_api.calendar_months import add_months
from greenmine_api.exits import service as exits
from greenmine_api.listings import service as listings
from greenmine_api.rectifications import service as rectifications
from servicekit.clock import local_today

from tests.greenmine_api.support import (
    admin,
    apply,
    assign,
    deliver,
    enterprise,
    events,
    granted,
    listed_mine,
    scores,
    submit,
)
from tests.greenmine_api.support import (
    close as close_pub,
)
from tests.servicekit.test_csv_export import FORMULAS


async def failed_review(gm):
    mine, listing = await listed_mine(gm)
    review = await apply(gm, mine, kind="review")
    assert review["listing_id"] == listing["id"]
    await assign(gm, review)
    response = await submit(gm, review, item_scores=scores(environment__greening=63))  # 799 points
    assert response.status_code == 201 and response.json()["status"] == "failed"
    return mine, listing


async def test_a_failed_review_opens_a_six_month_rectification_with_benefits_suspended(gm):
    mine, listing = await failed_review(gm)
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "rectifying" and detail["benefits_suspended"]
    [rect] = detail["rectifications"]
    today = local_today()
    assert rect["reason"] == "review_failed" and "total 799 < 800" in rect["detail"]
    assert rect["due_on"] == add_months(today, 6).isoformat()
    [ordered] = await events(gm, "greenmine.rectification.ordered")
    assert ordered["deadline"]["due_at"] == rect["due_on"]
    assert ordered["deadline"]["audience"]["holder_id"] == str(mine.holder_id)
    [suspended] = await events(gm, "greenmine.benefits.suspended")
    assert suspended["reason"] == "review_failed"
    # the review application met its deadline
    assert [e["deadline"]["action"] for e in await events(gm, "greenmine.review.due")] == [
        "set",
        "met",
    ]
    # GET /listings?status= filters by the contract's states
    rectifying = (await gm.client.get("/listings", params={"status": "rectifying"})).json()
    assert [i["id"] for i in rectifying["items"]] == [listing["id"]]
    assert (await gm.client.get("/listings", params={"status": "listed"})).json()["items"] == []


async def test_failed_rectification_removes_the_mine_with_a_numbered_exit_notice(gm):
    _, listing = await failed_review(gm)
    [rect] = (await gm.client.get("/rectifications", headers=admin(gm))).json()["items"]
    decided = await gm.client.post(
        f"/rectifications/{rect['id']}/decision",
        json={"passed": False, "note": "复核仍不合格"},
        headers=admin(gm),
    )
    assert decided.status_code == 200, decided.text
    year = local_today().year
    assert decided.json()["number"] == f"二自然资绿退〔{year}〕1号"
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "delisted"
    assert detail["exit_notice"]["reason"] == "rectification_failed"
    assert "移出二连浩特市绿色矿山名录" in detail["exit_notice"]["text_zh"]
    assert [h["action"] for h in detail["history"]][-2:] == ["rectification_failed", "delisted"]
    [delisted] = await events(gm, "greenmine.mine.delisted")
    assert delisted["exit_notice_no"] == decided.json()["number"]
    [resolved] = await events(gm, "greenmine.rectification.resolved")
    assert resolved["passed"] is False and resolved["deadline"]["action"] == "met"


async def test_passed_rectification_relists_after_publicity_and_restores_benefits(gm):
    mine, listing = await failed_review(gm)
    [rect] = (
        await gm.client.get("/rectifications", headers=enterprise(gm, mine.holder_id))
    ).json()["items"]
    decided = await gm.client.post(
        f"/rectifications/{rect['id']}/decision",
        json={"passed": True, "note": "整改完成，复核合格", "publicity_starts_on": "2026-01-05"},
        headers=admin(gm),
    )
    assert decided.status_code == 200, decided.text
    pub = decided.json()
    assert pub["ends_on"] == "2026-01-09"
    still = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert still["status"] == "rectifying" and still["benefits_suspended"]
    closed = await gm.client.post(f"/publicities/{pub['id']}/close", headers=admin(gm))
    assert closed.status_code == 200, closed.text
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "listed" and not detail["benefits_suspended"]
    assert detail["entry_date"] == listing["entry_date"]  # the same listing, re-listed
    assert detail["next_review_due"] == add_months(local_today(), 36).isoformat()
    assert "relisted" in [h["action"] for h in detail["history"]]
    [restored] = await events(gm, "greenmine.benefits.restored")
    assert restored["listing_id"] == listing["id"]
    relisted = [e for e in await events(gm, "greenmine.mine.listed") if e["relisted"]]
    assert len(relisted) == 1


async def test_an_overdue_rectification_removes_the_mine_through_the_job(gm):
    _, listing = await failed_review(gm)
    [rect] = (await gm.client.get("/rectifications", headers=admin(gm))).json()["items"]
    due = datetime.fromisoformat(rect["due_on"]).replace(tzinfo=UTC)
    assert await gm.runtime.run_job("rectifications_overdue", now=due) == 0  # the last day
    assert await gm.runtime.run_job("rectifications_overdue", now=due + timedelta(days=1)) == 1
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "delisted"
    assert detail["exit_notice"]["reason"] == "rectification_overdue"
    [overdue] = await events(gm, "greenmine.rectification.overdue")
    assert overdue["deadline"]["action"] == "overdue"
    assert await gm.runtime.run_job("rectifications_overdue", now=due + timedelta(days=2)) == 0


async def test_a_passed_review_keeps_the_mine_listed_for_three_more_years(gm):
    mine, listing = await listed_mine(gm)
    review = await apply(gm, mine, kind="review")
    await assign(gm, review)
    assert (await submit(gm, review, item_scores=scores("0.9"))).json()["status"] == "passed"
    pub = await gm.client.post(
        f"/applications/{review['id']}/publicity",
        json={"starts_on": "2026-02-02"},
        headers=admin(gm),
    )
    assert (
        await gm.client.post(f"/publicities/{pub.json()['id']}/close", headers=admin(gm))
    ).status_code == 200
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "listed"
    assert detail["next_review_due"] == add_months(local_today(), 36).isoformat()
    assert "review_passed" in [h["action"] for h in detail["history"]]


async def test_a_transfer_ends_the_title_with_an_exit_notice(gm):
    mine, listing = await listed_mine(gm)
    buyer = uuid.uuid4()
    await deliver(
        gm,
        RightTransferred(
            right_id=mine.right_id,
            licence_no=mine.licence_no,
            from_holder_id=mine.holder_id,
            to_holder_id=buyer,
            to_holder_name="内蒙古新购矿业有限公司",
            transferred_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        ),
    )
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "delisted" and detail["delisted_on"] == "2026-11-20"
    assert detail["exit_notice"]["reason"] == "transferred"
    [delisted] = await events(gm, "greenmine.mine.delisted")
    assert delisted["reason"] == "transferred" and delisted["holder_id"] == str(mine.holder_id)
    # the buyer starts from scratch: a new entry application of its own
    reapply = await gm.client.post(
        "/applications", json={"right_id": str(mine.right_id)}, headers=enterprise(gm, buyer)
    )
    assert reapply.status_code == 201, reapply.text


async def test_a_closed_mine_is_delisted_and_its_open_application_cancelled(gm):
    mine, listing = await listed_mine(gm)
    review = await apply(gm, mine, kind="review")
    closed = MineClosed(
        right_id=mine.right_id,
        holder_id=mine.holder_id,
        licence_no=mine.licence_no,
        status="closed",
        closed_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        reason="闭坑治理验收通过",
    )
    await deliver(gm, closed)
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["exit_notice"]["reason"] == "mine_closed"
    cancelled = await gm.client.get(f"/applications/{review['id']}", headers=admin(gm))
    assert cancelled.json()["status"] == "cancelled"


def _overdue(mine, id_: str, kind: str, title_zh: str) -> Deadline:
    """An overdue deadline another service announces for ``mine``."""
    return Deadline(
        id=id_,
        kind=kind,
        action="overdue",
        due_at="2026-11-01",
        subject=str(mine.right_id),
        audience=Audience(holder_id=str(mine.holder_id)),
        title_zh=title_zh,
    )


async def test_overdue_orders_elsewhere_suspend_benefits_and_open_a_case(gm):
    mine, listing = await listed_mine(gm)
    deadline = _overdue(mine, "x", "compliance", "限期整改")
    await deliver(
        gm,
        ComplianceOverdue(
            order_id=uuid.uuid4(),
            right_id=mine.right_id,
            holder_id=mine.holder_id,
            deadline=deadline,
        ),
    )
    await deliver(
        gm,
        RectificationOverdue(
            rectification_id=uuid.uuid4(),
            right_id=mine.right_id,
            holder_id=mine.holder_id,
            deadline=deadline,
        ),
    )
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "rectifying" and detail["benefits_suspended"]
    [rect] = detail["rectifications"]  # one case, the second reason added to it
    assert rect["reason"] == "compliance_overdue"
    assert "rectification_reason_added" in [h["action"] for h in detail["history"]]
    assert len(await events(gm, "greenmine.benefits.suspended")) == 1
    # an overdue order for a mine not on the list changes nothing
    other = granted()
    await deliver(gm, other)
    await deliver(
        gm,
        ComplianceOverdue(
            order_id=uuid.uuid4(),
            right_id=other.right_id,
            holder_id=other.holder_id,
            deadline=deadline,
        ),
    )
    assert len(await events(gm, "greenmine.rectification.ordered")) == 1


async def test_removal_for_a_violation_and_voluntary_exit_number_their_notices(gm):
    first, one = await listed_mine(gm)
    second, two = await listed_mine(gm, granted(mine_name="二连浩特市乌希根楚北山建筑用花岗岩矿"))
    stranger = await gm.client.post(
        f"/listings/{two['id']}/exit",
        json={"reason": "转型"},
        headers=enterprise(gm, first.holder_id),
    )
    assert stranger.status_code == 403
    removed = await gm.client.post(
        f"/listings/{one['id']}/removal",
        json={"reason": "major_accident", "detail": "2026年10月发生重大环境污染事故"},
        headers=admin(gm),
    )
    assert removed.status_code == 200
    left = await gm.client.post(
        f"/listings/{two['id']}/exit",
        json={"reason": "企业转型"},
        headers=enterprise(gm, second.holder_id),
    )
    assert left.status_code == 200
    year = local_today().year
    assert [removed.json()["number"], left.json()["number"]] == [
        f"二自然资绿退〔{year}〕1号",
        f"二自然资绿退〔{year}〕2号",
    ]
    twice = await gm.client.post(
        f"/listings/{two['id']}/exit",
        json={"reason": "再次"},
        headers=enterprise(gm, second.holder_id),
    )
    assert twice.status_code == 409
    public = await gm.client.post(
        f"/listings/{one['id']}/removal", json={"reason": "violation", "detail": "x"}
    )
    assert public.status_code == 401


async def test_listed_information_changes_only_when_the_bureau_approves(gm):
    mine, listing = await listed_mine(gm)
    holder = enterprise(gm, mine.holder_id)
    refused = await gm.client.post(
        f"/listings/{listing['id']}/change-requests",
        json={"changes": {"holder_id": str(uuid.uuid4())}, "reason": "转让"},
        headers=holder,
    )
    assert refused.status_code == 422  # the holder is not listed information one can change
    request = await gm.client.post(
        f"/listings/{listing['id']}/change-requests",
        json={"changes": {"contact_phone": "0479-7519999"}, "reason": "联系电话变更"},
        headers=holder,
    )
    assert request.status_code == 201
    unchanged = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert unchanged["contact_phone"] is None
    as_holder = await gm.client.post(
        f"/change-requests/{request.json()['id']}/decision", json={"approve": True}, headers=holder
    )
    assert as_holder.status_code == 403
    approved = await gm.client.post(
        f"/change-requests/{request.json()['id']}/decision",
        json={"approve": True},
        headers=admin(gm),
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    changed = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert changed["contact_phone"] == "0479-7519999"
    [entry] = [h for h in changed["history"] if h["action"] == "information_changed"]
    assert entry["detail"]["before"] == {"contact_phone": None}


async def test_the_listing_is_public_with_history_and_exports_as_csv(gm):
    mine, listing = await listed_mine(gm)
    detail = await gm.client.get(f"/listings/{listing['id']}")
    assert detail.status_code == 200
    assert [h["action"] for h in detail.json()["history"]] == ["listed"]
    assert detail.json()["exit_notice"] is None
    csv = await gm.client.get("/listings.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("id,right_id,mine_name")
    assert str(mine.right_id) in lines[1] and mine.mine_name in lines[1]
    missing = await gm.client.get(f"/listings/{uuid.uuid4()}")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_rectification_for_a_removed_mine_is_refused(gm):
    _, listing = await listed_mine(gm)
    async with gm.runtime.db.transaction() as session:
        row = await listings.get(session, listing["id"], for_update=True)
        await exits.delist(session=session, listing=row, reason="violation", today=local_today())
    async with gm.runtime.db.transaction() as session:
        row = await listings.get(session, listing["id"])
        try:
            await rectifications.order(
                session=session, listing=row, reason="complaint", today=local_today()
            )
            raise AssertionError("rectification ordered for a removed mine")
        except Exception as exc:
            assert "no longer on the list" in str(exc)


def _at(day: str, days: int = 0) -> datetime:
    return datetime.fromisoformat(day).replace(hour=4, tzinfo=UTC) + timedelta(days=days)


async def test_a_review_not_applied_for_is_reported_overdue_then_removes_the_mine(gm):
    _, listing = await listed_mine(gm)
    [due] = await events(gm, "greenmine.review.due")
    application_due = due["deadline"]["due_at"]
    assert await gm.runtime.run_job("reviews_overdue", now=_at(application_due)) == 0
    assert await gm.runtime.run_job("reviews_overdue", now=_at(application_due, 1)) == 1
    assert await gm.runtime.run_job("reviews_overdue", now=_at(application_due, 2)) == 0  # once
    overdue = (await events(gm, "greenmine.review.due"))[-1]
    assert overdue["deadline"]["action"] == "overdue"
    assert overdue["deadline"]["id"] == due["deadline"]["id"]
    assert (await gm.client.get(f"/listings/{listing['id']}")).json()["status"] == "listed"
    removed = await gm.runtime.run_job("reviews_overdue", now=_at(listing["next_review_due"], 1))
    assert removed == 1
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "delisted"
    assert detail["exit_notice"]["reason"] == "review_overdue"


async def test_a_review_under_way_is_not_overdue(gm):
    mine, listing = await listed_mine(gm)
    await apply(gm, mine, kind="review")
    late = _at(listing["next_review_due"], 1)
    assert await gm.runtime.run_job("reviews_overdue", now=late) == 0
    assert (await gm.client.get(f"/listings/{listing['id']}")).json()["status"] == "listed"


async def test_events_about_mines_this_service_never_saw_change_nothing(gm):
    stranger = granted()
    await deliver(
        gm,
        MineClosed(
            right_id=stranger.right_id,
            holder_id=stranger.holder_id,
            licence_no=stranger.licence_no,
            status="closed_by_policy",
            closed_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        ),
    )
    assert await events(gm) == []


async def relisting_publicity(gm):
    mine, listing = await failed_review(gm)
    [rect] = (await gm.client.get("/rectifications", headers=admin(gm))).json()["items"]
    decided = await gm.client.post(
        f"/rectifications/{rect['id']}/decision",
        json={"passed": True, "note": "整改完成", "publicity_starts_on": "2026-01-05"},
        headers=admin(gm),
    )
    return mine, listing, decided.json()


async def test_the_job_closes_publicities_once_their_period_is_over(gm):
    _, listing, pub = await relisting_publicity(gm)
    assert await gm.runtime.run_job("close_publicities", now=_at(pub["ends_on"])) == 0
    assert await gm.runtime.run_job("close_publicities", now=_at(pub["ends_on"], 1)) == 1
    assert (await gm.client.get(f"/listings/{listing['id']}")).json()["status"] == "listed"
    assert await gm.runtime.run_job("close_publicities", now=_at(pub["ends_on"], 2)) == 0


async def test_a_mine_closed_during_its_relisting_publicity_stays_removed(gm):
    mine, listing, pub = await relisting_publicity(gm)
    await deliver(
        gm,
        MineClosed(
            right_id=mine.right_id,
            holder_id=mine.holder_id,
            licence_no=mine.licence_no,
            status="closed",
            closed_at=datetime(2026, 11, 25, 2, 0, tzinfo=UTC),
        ),
    )
    assert (await gm.client.get(f"/publicities/{pub['id']}")).json()["status"] == "failed"
    assert (await close_pub(gm, pub["id"])).status_code == 409
    assert await gm.runtime.run_job("close_publicities", now=_at(pub["ends_on"], 1)) == 0
    assert (await gm.client.get(f"/listings/{listing['id']}")).json()["status"] == "delisted"


async def test_a_new_case_during_relisting_publicity_defers_the_relisting(gm):
    mine, listing, pub = await relisting_publicity(gm)
    deadline = _overdue(mine, "y", "restoration_rectification", "治理恢复整改")
    await deliver(
        gm,
        RectificationOverdue(
            rectification_id=uuid.uuid4(),
            right_id=mine.right_id,
            holder_id=mine.holder_id,
            deadline=deadline,
        ),
    )
    assert (await close_pub(gm, pub["id"])).status_code == 200
    detail = (await gm.client.get(f"/listings/{listing['id']}")).json()
    assert detail["status"] == "rectifying" and detail["benefits_suspended"]
    assert "relisting_deferred" in [h["action"] for h in detail["history"]]
    assert await events(gm, "greenmine.benefits.restored") == []


async def test_the_list_csv_writes_formula_like_names_as_text(gm):
    """CSV injection: a mine or holder name a spreadsheet would run is quoted (OWASP's rule)."""
    by_change = "@SUM(1+1)*cmd|' /C calc'!A0"
    for name in FORMULAS:
        if name != by_change:
            await listed_mine(gm, granted(mine_name=name, holder_name=name))
    # the sixth through an approved change request of the listed information
    mine, listing = await listed_mine(gm, granted(holder_name=by_change))
    holder = enterprise(gm, mine.holder_id)
    path = f"/listings/{listing['id']}/change-requests"
    tabbed = {"changes": {"mine_name": "\t=1+1"}, "reason": "更名"}
    assert (await gm.client.post(path, json=tabbed, headers=holder)).status_code == 422
    request = await gm.client.post(
        path, json={"changes": {"mine_name": by_change}, "reason": "更名"}, headers=holder
    )
    assert request.status_code == 201, request.text
    decision = await gm.client.post(
        f"/change-requests/{request.json()['id']}/decision",
        json={"approve": True},
        headers=admin(gm),
    )
    assert decision.status_code == 200, decision.text
    export = await gm.client.get("/listings.csv")
    assert export.status_code == 200
    assert export.headers["content-disposition"] == 'attachment; filename="green-mines.csv"'
    assert export.headers["x-content-type-options"] == "nosniff"
    rows = list(csv_module.DictReader(io.StringIO(export.text.lstrip("\ufeff"), newline="")))
    assert sorted(r["mine_name"] for r in rows) == sorted("'" + n for n in FORMULAS)
    assert sorted(r["holder_name"] for r in rows) == sorted("'" + n for n in FORMULAS)
    assert {r["status"] for r in rows} == {"listed"}
