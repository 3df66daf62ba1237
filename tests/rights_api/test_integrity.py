"""The integrity record 诚信体系 (第五章第二节): entries from events, once per CloudEvent id, never
edited (the database refuses UPDATE, DELETE and TRUNCATE), corrected only by a new entry; the
holder sees its own record only, the public the serious entries without contact data, credit
systems a feed in commit order."""

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from contracts.deadline import Audience, Deadline
from contracts.greenmine import MineDelisted, MineListed
from contracts.restoration import RectificationOverdue
from contracts.rights import FilingOverdue, FilingSubmitted, RightSuspended
from rights_api.integrity import service as integrity
from servicekit.auth import Role
from servicekit.events.envelope import CloudEvent
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.rights_api.operations_support import make_right, rights_service, scalar

JAN = datetime(2027, 1, 1, 0, 5, tzinfo=UTC)


@pytest.fixture
async def rights(databases, tmp_path):
    async with rights_service(databases, tmp_path / "attachments") as service:
        yield service


def deadline(right, kind="annual_mining_plan", due=date(2026, 12, 31)) -> Deadline:
    return Deadline(
        id=f"test.{uuid.uuid4()}",
        kind=kind,
        due_at=due,
        subject=str(right.id),
        audience=Audience(holder_id=str(right.holder_id)),
        title_zh="2026年度采掘计划报送",
    )


def overdue_filing(right) -> FilingOverdue:
    return FilingOverdue(
        filing_id=uuid.uuid4(),
        right_id=right.id,
        holder_id=right.holder_id,
        kind="annual_mining_plan",
        year=2026,
        deadline=deadline(right),
    )


async def consume(rights, payload, source="/services/rights", event_id=None, at=JAN) -> bool:
    event = CloudEvent(
        type=payload.event_type,
        source=source,
        data=payload.model_dump(mode="json"),
        subject=str(payload.right_id),
        id=event_id or uuid.uuid4(),
        time=at,
    )
    async with rights.runtime.db.transaction() as session:
        return await integrity.record_event(session=session, event=event, payload=payload)


def ent(rights, right) -> dict:
    return rights.auth(Role.enterprise, holder_id=str(right.holder_id))


async def test_entries_from_events_once_each_and_the_holder_sees_only_its_own(rights):
    a, b = await make_right(rights, 1), await make_right(rights, 2)
    event_id = uuid.uuid4()
    assert await consume(rights, overdue_filing(a), event_id=event_id)
    assert not await consume(rights, overdue_filing(a), event_id=event_id)  # redelivered
    on_time = FilingSubmitted(
        filing_id=uuid.uuid4(),
        right_id=a.id,
        holder_id=a.holder_id,
        kind="reserve_verification",
        year=2026,
        submitted_at=datetime(2026, 12, 20, 3, 0, tzinfo=UTC),
        deadline=deadline(a, "reserve_verification"),
    )
    assert await consume(rights, on_time)
    rectification = RectificationOverdue(
        rectification_id=uuid.uuid4(), right_id=a.id, holder_id=a.holder_id, deadline=deadline(a)
    )
    assert await consume(rights, rectification, source="/services/restoration")
    # a suspension caused by an overdue is recorded by the overdue, not twice
    follows = RightSuspended(
        right_id=a.id,
        holder_id=a.holder_id,
        reason="restoration_rectification_overdue",
        cause="restoration_rectification_overdue",
        suspended_at=JAN,
    )
    assert not await consume(rights, follows)
    listed = MineListed(
        listing_id=uuid.uuid4(),
        right_id=b.id,
        holder_id=b.holder_id,
        entry_date=date(2024, 6, 1),
        next_review_due=date(2027, 6, 1),
    )
    assert await consume(rights, listed, source="/services/greenmine")

    record = await rights.client.get(f"/holders/{a.holder_id}/integrity", headers=ent(rights, a))
    assert record.status_code == 200, record.text
    body = record.json()
    assert body["holder_id"] == str(a.holder_id)
    entries = body["entries"]
    assert [(e["kind"], e["severity"], e["clause"]) for e in entries] == [
        ("filing_overdue", "serious", "第五章第二节"),
        ("filing_submitted_on_time", "info", "第五章第二节"),
        ("restoration_rectification_overdue", "serious", "第六章第二节二"),
    ]
    assert entries[0]["source_event_id"] == str(event_id)
    assert entries[0]["occurred_at"] == "2027-01-01T00:05:00Z"
    assert entries[2]["source_type"] == "restoration.rectification.overdue"
    assert body["grade"] == {
        "rule": "integrity-grade-v1",
        "grade": "D",
        "serious": 2,
        "minor": 0,
        "window_from": body["grade"]["window_from"],
    }
    # another enterprise: 404, as for a holder that does not exist; staff see every record
    assert (
        await rights.client.get(f"/holders/{a.holder_id}/integrity", headers=ent(rights, b))
    ).status_code == 404
    assert (await rights.client.get(f"/holders/{a.holder_id}/integrity")).status_code == 401
    for role in (Role.bureau_admin, Role.bureau_reviewer, Role.inspector, Role.gov_system):
        seen = await rights.client.get(
            f"/holders/{b.holder_id}/integrity", headers=rights.auth(role)
        )
        assert seen.status_code == 200, seen.text
        assert [e["kind"] for e in seen.json()["entries"]] == ["green_mine_listed"]
        assert seen.json()["grade"]["grade"] == "A"
    missing = await rights.client.get(
        f"/holders/{uuid.uuid4()}/integrity", headers=rights.auth(Role.bureau_admin)
    )
    assert missing.status_code == 404


async def test_entries_are_never_edited_and_a_correction_is_a_new_entry(rights):
    a = await make_right(rights, 1)
    async with rights.runtime.db.transaction() as session:
        await session.exec(
            text("UPDATE holders SET contact_phone = '13812345678' WHERE id = :id").bindparams(
                id=a.holder_id
            )
        )
    await consume(rights, overdue_filing(a))
    entry = await scalar(rights, "SELECT id FROM integrity_entries")
    for sql in (
        "UPDATE integrity_entries SET severity = 'info'",
        "DELETE FROM integrity_entries",
        "TRUNCATE integrity_entries",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with rights.runtime.db.transaction() as session:
                await session.exec(text(sql))
    assert await scalar(rights, "SELECT severity FROM integrity_entries") == "serious"

    # public 异常名录: the enterprise's name and credit code, no personal contact data
    public = await rights.client.get("/integrity/abnormal")
    assert public.status_code == 200, public.text
    [listed] = public.json()["items"]
    assert (listed["entry_id"], listed["kind"]) == (str(entry), "filing_overdue")
    assert listed["holder_name"] == "测试矿业1" and listed["credit_code"]
    assert "13812345678" not in public.text and "contact" not in public.text

    url = f"/integrity/entries/{entry}/corrections"
    reason = {"reason": "该年度采掘计划已于2026年12月28日纸质报送备案，逾期记录有误"}
    for role in (Role.bureau_reviewer, Role.inspector, Role.gov_system):
        assert (
            await rights.client.post(url, json=reason, headers=rights.auth(role))
        ).status_code == 403
    assert (await rights.client.post(url, json=reason, headers=ent(rights, a))).status_code == 403
    admin = rights.auth(Role.bureau_admin)
    empty = await rights.client.post(url, json={"reason": ""}, headers=admin)
    assert empty.status_code == 422
    assert [e["field"] for e in empty.json()["errors"]] == ["body.reason"]
    unknown = f"/integrity/entries/{uuid.uuid4()}/corrections"
    assert (await rights.client.post(unknown, json=reason, headers=admin)).status_code == 404
    fixed = await rights.client.post(url, json=reason, headers=admin)
    assert fixed.status_code == 201, fixed.text
    assert fixed.json()["kind"] == "correction"
    assert fixed.json()["corrects_entry_id"] == str(entry)
    again = await rights.client.post(url, json=reason, headers=admin)
    assert again.status_code == 409
    correcting_a_correction = await rights.client.post(
        f"/integrity/entries/{fixed.json()['id']}/corrections", json=reason, headers=admin
    )
    assert correcting_a_correction.status_code == 409

    record = (await rights.client.get(f"/holders/{a.holder_id}/integrity", headers=admin)).json()
    wrong, correction = record["entries"]
    assert wrong["severity"] == "serious" and wrong["corrected_by_entry_id"] == correction["id"]
    assert record["grade"]["grade"] == "A" and record["grade"]["serious"] == 0
    assert (await rights.client.get("/integrity/abnormal")).json()["items"] == []


async def test_the_feed_pages_every_entry_in_commit_order(rights):
    a, b = await make_right(rights, 1), await make_right(rights, 2)
    for right in (a, b, a):
        await consume(rights, overdue_filing(right))
    removal = MineDelisted(
        listing_id=uuid.uuid4(),
        right_id=b.id,
        holder_id=b.holder_id,
        exit_notice_no="二自然资绿退〔2026〕1号",
        reason="violation",
        delisted_on=date(2026, 11, 2),
    )
    await consume(rights, removal, source="/services/greenmine", at=JAN + timedelta(hours=1))
    gov = rights.auth(Role.gov_system)
    first = await rights.client.get("/integrity/feed", params={"limit": 3}, headers=gov)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["holder_id"] for e in page["entries"]] == [
        str(a.holder_id),
        str(b.holder_id),
        str(a.holder_id),
    ]
    seqs = [e["seq"] for e in page["entries"]]
    assert seqs == sorted(seqs) and page["next_after"] == seqs[-1]
    rest = await rights.client.get(
        "/integrity/feed", params={"after": page["next_after"]}, headers=gov
    )
    [last] = rest.json()["entries"]
    assert (last["kind"], last["severity"], last["clause"]) == (
        "green_mine_removed",
        "serious",
        "第六章第一节四",
    )
    empty = await rights.client.get("/integrity/feed", params={"after": last["seq"]}, headers=gov)
    assert empty.json() == {"entries": [], "next_after": last["seq"]}
    assert (await rights.client.get("/integrity/feed", headers=ent(rights, a))).status_code == 403
    assert (await rights.client.get("/integrity/feed")).status_code == 401
    bad = await rights.client.get("/integrity/feed", params={"after": -1}, headers=gov)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["query.after"]


def test_the_rules_tell_serious_from_ordinary():
    """Rule integrity-entries-v1 on payloads alone: a late filing is minor, a patrol's violation
    serious and a clean patrol info, a closed mine leaving the green list an ordinary exit, an
    inspection without violations and outside a patrol nothing."""
    from contracts.rights import InspectionRecorded
    from rights_api.integrity.rules import RULES

    right, holder = uuid.uuid4(), uuid.uuid4()
    mine = type("Mine", (), {"id": right, "holder_id": holder})()
    late = FilingSubmitted(
        filing_id=uuid.uuid4(),
        right_id=right,
        holder_id=holder,
        kind="annual_mining_plan",
        year=2027,
        # 00:30 on 1 January in Beijing: the day after the due date
        submitted_at=datetime(2026, 12, 31, 16, 30, tzinfo=UTC),
        deadline=deadline(mine),
    )
    on_the_day = late.model_copy(
        update={"submitted_at": datetime(2026, 12, 31, 15, 59, tzinfo=UTC)}
    )
    assert RULES[FilingSubmitted](late, JAN).kind == "filing_submitted_late"
    assert RULES[FilingSubmitted](late, JAN).severity == "minor"
    assert RULES[FilingSubmitted](on_the_day, JAN).kind == "filing_submitted_on_time"

    def inspection(**fields) -> InspectionRecorded:
        return InspectionRecorded(
            inspection_id=uuid.uuid4(),
            right_id=right,
            holder_id=holder,
            inspected_at=JAN,
            out_of_bounds=None,
            **fields,
        )

    draw = uuid.uuid4()
    found = RULES[InspectionRecorded](
        inspection(violations=["out_of_bounds_mining"], patrol_draw_id=draw), JAN
    )
    assert (found.kind, found.severity, found.clause) == (
        "patrol_violation",
        "serious",
        "第五章第二节",
    )
    assert found.detail["patrol_draw_id"] == str(draw)
    clean = RULES[InspectionRecorded](inspection(violations=[], patrol_draw_id=draw), JAN)
    assert (clean.kind, clean.severity) == ("patrol_passed", "info")
    assert RULES[InspectionRecorded](inspection(violations=[]), JAN) is None
    assert RULES[InspectionRecorded](inspection(violations=["out_of_level_mining"]), JAN).kind == (
        "inspection_violation"
    )

    from contracts.rights import UtilisationFinding, UtilisationFlagged

    below = UtilisationFlagged(
        report_id=uuid.uuid4(),
        right_id=right,
        holder_id=holder,
        licence_no="C1525012021010000000001",
        mine_name="二连浩特市哈达呼苏萤石矿",
        mineral="fluorite",
        year=2025,
        edition_code="2021-2025",
        findings=[
            UtilisationFinding(
                rule="waste_rock_utilisation",
                clause="第八章第三节",
                threshold="80",
                actual="62.5",
                source="plan",
            )
        ],
        reported_at=JAN,
    )
    flagged = RULES[UtilisationFlagged](below, JAN)
    assert (flagged.kind, flagged.severity, flagged.clause) == (
        "utilisation_below_threshold",
        "minor",
        "第八章第三节",
    )
    assert flagged.detail["findings"][0]["actual"] == "62.5"

    closed = MineDelisted(
        listing_id=uuid.uuid4(),
        right_id=right,
        holder_id=holder,
        exit_notice_no="二自然资绿退〔2026〕2号",
        reason="mine_closed",
        delisted_on=date(2026, 11, 2),
    )
    exited = RULES[MineDelisted](closed, JAN)
    assert (exited.kind, exited.severity, exited.clause) == (
        "green_mine_exited",
        "info",
        "第六章第一节三",
    )
    for reason in ("violation", "rectification_failed", "rectification_overdue", "review_failed"):
        removed = RULES[MineDelisted](closed.model_copy(update={"reason": reason}), JAN)
        assert (removed.kind, removed.severity) == ("green_mine_removed", "serious"), reason
