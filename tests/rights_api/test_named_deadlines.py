"""The plan's named deadlines as obligations (第二章第三节, 专栏二, 第六章): each judged met,
missed or open as of a day (clock pinned before and after the dates), with the evidence present
or absent; a missed one in conformance; the daily job publishing each change once."""

import uuid
from datetime import UTC, date, datetime

from contracts.greenmine import MineDelisted, MineListed
from contracts.mining import RightStatus
from contracts.restoration import AcceptancePassed, LegacySiteAccepted
from rights_api.app import SERVICE
from rights_api.rights import service as rights_service
from rights_api.rights.models import Right
from servicekit import clock
from servicekit.auth import Role
from servicekit.events.envelope import CloudEvent, Record
from sqlmodel import select

from tests.rights_api.support import events

YANCHIBEI = "二连浩特市盐池北建筑用碳质板岩石料矿"
SANHAO = "二连浩特市乌希根楚三号建筑用花岗岩矿"
BEISHAN = "二连浩特市乌希根楚北山建筑用花岗岩矿"
ERHAO = "二连浩特市乌希根楚二号建筑用花岗岩矿"
OIL = "内蒙古二连盆地包尔-吉格森油田开采"
CHANGED = "rights.named_deadline.changed"
MID_2021 = datetime(2021, 6, 1, 4, tzinfo=UTC)
TODAY = datetime(2026, 12, 6, 4, tzinfo=UTC)


async def seeded(rights, at: datetime = TODAY) -> str:
    with clock.pinned(at):
        async with rights.runtime.db.transaction() as session:
            await SERVICE.seed(session)
    return (await rights.client.get("/plan-editions/current")).json()["id"]


async def right_id(rights, mine: str) -> str:
    async with rights.runtime.db.transaction() as session:
        right = (await session.exec(select(Right).where(Right.mine_name == mine))).first()
        return str(right.id)


def record(payload, source: str, subject: str) -> Record:
    event = CloudEvent(
        type=payload.event_type,
        source=source,
        data=payload.model_dump(mode="json"),
        subject=subject,
    )
    return Record(
        payload.topic,
        subject.encode(),
        event.value(),
        tuple((k, v.encode()) for k, v in event.headers()),
    )


async def deliver(rights, payload, source: str, subject: str) -> None:
    consumer = rights.runtime.consumers[rights.settings.topic("rights")]
    outcome = await consumer.process(record(payload, source, subject))
    assert outcome.status == "applied", outcome


async def accepted(rights, mine: str, on: date) -> None:
    rid = await right_id(rights, mine)
    payload = AcceptancePassed(
        acceptance_id=uuid.uuid4(),
        right_id=rid,
        closure=False,
        accepted_area_ha="5.6",
        accepted_on=on,
    )
    await deliver(rights, payload, "/services/restoration", rid)


async def listed(rights, mine: str, on: date) -> str:
    rid = await right_id(rights, mine)
    listing = uuid.uuid4()
    payload = MineListed(
        listing_id=listing,
        right_id=rid,
        holder_id=uuid.uuid4(),
        entry_date=on,
        next_review_due=date(on.year + 3, on.month, on.day),
    )
    await deliver(rights, payload, "/services/greenmine", rid)
    return str(listing)


async def legacy(rights, ha: str, on: date) -> None:
    site = uuid.uuid4()
    payload = LegacySiteAccepted(
        acceptance_id=uuid.uuid4(),
        legacy_site_id=site,
        site_name="盐池废弃采区",
        accepted_area_ha=ha,
        accepted_on=on,
    )
    await deliver(rights, payload, "/services/restoration", str(site))


async def close(rights, mine: str, at: datetime) -> None:
    with clock.pinned(at):
        async with rights.runtime.db.transaction() as session:
            right = (await session.exec(select(Right).where(Right.mine_name == mine))).first()
            await rights_service.change_status(
                session=session,
                right=right,
                to=RightStatus.closed,
                actor="test",
                reason="闭坑手续办结",
            )


async def deadlines(rights, edition_id: str, at: datetime = TODAY, role=Role.bureau_reviewer):
    with clock.pinned(at):
        response = await rights.client.get(
            f"/plan-editions/{edition_id}/deadlines", headers=rights.auth(role)
        )
    assert response.status_code == 200, response.text
    return {d["id"]: d for d in response.json()["deadlines"]}


async def test_the_plans_dates_and_words_are_the_editions_data(rights):
    edition_id = await seeded(rights)
    found = await deadlines(rights, edition_id)
    assert {k: (d["due_on"], d["clause"], d["evidence_kind"]) for k, d in found.items()} == {
        "yanchibei-restoration": ("2021-12-31", "第二章第三节", "restoration_accepted"),
        "wuxigenchu-closure": ("2021-12-31", "第二章第三节", "right_closed"),
        "green-mine-standard": (
            "2025-12-31",
            "第二章第三节, 专栏二; 第六章第一节",
            "green_mine_or_exit",
        ),
        "legacy-restoration": (
            "2025-12-31",
            "第二章第三节, 专栏二; 第六章第二节",
            "legacy_area_restored",
        ),
    }
    assert "治理修复工程需经过验收" in found["yanchibei-restoration"]["words_zh"]
    assert "依法依规办理闭坑手续" in found["wuxigenchu-closure"]["words_zh"]
    assert "2025年底达不到绿色矿山建设标准" in found["green-mine-standard"]["words_zh"]
    assert "0.52平方千米" in found["legacy-restoration"]["words_zh"]


async def test_before_the_dates_everything_is_open_after_them_missed_without_evidence(rights):
    edition_id = await seeded(rights, MID_2021)
    before = await deadlines(rights, edition_id, MID_2021)
    assert {k: d["state"] for k, d in before.items()} == dict.fromkeys(before, "open")
    assert not any(d["outstanding"] for d in before.values())

    after = await deadlines(rights, edition_id, TODAY)
    assert {k: d["state"] for k, d in after.items()} == dict.fromkeys(after, "missed")
    assert all(d["outstanding"] for d in after.values())
    closure = after["wuxigenchu-closure"]["evidence"]
    assert [(e["mine_name"], e["what"], e["right_status"]) for e in closure] == [
        (SANHAO, "not_closed", "closing"),
        (BEISHAN, "not_closed", "closing"),
    ]
    yanchibei = after["yanchibei-restoration"]["evidence"]
    assert [(e["mine_name"], e["what"]) for e in yanchibei] == [(YANCHIBEI, "not_accepted")]
    # 生产矿山 of 专栏一: the oilfield and 乌希根楚二号; neither is known listed here yet
    green = after["green-mine-standard"]["evidence"]
    assert {(e["mine_name"], e["what"]) for e in green} == {
        (OIL, "not_listed"),
        (ERHAO, "not_listed"),
    }
    assert after["legacy-restoration"]["numbers"] == {
        "required_km2": "0.52",
        "restored_km2": "0",
        "restored_km2_total": "0",
    }


async def test_evidence_in_time_meets_them_and_late_evidence_is_still_missed(rights):
    edition_id = await seeded(rights, MID_2021)
    await accepted(rights, YANCHIBEI, date(2021, 11, 20))
    await close(rights, SANHAO, datetime(2021, 10, 8, 2, tzinfo=UTC))
    await close(rights, BEISHAN, datetime(2022, 3, 1, 2, tzinfo=UTC))  # late
    await listed(rights, OIL, date(2021, 3, 28))  # 第一章第二节三
    await listed(rights, ERHAO, date(2025, 11, 30))
    await legacy(rights, "30", date(2023, 9, 1))
    await legacy(rights, "22", date(2025, 10, 15))  # 52 ha = 0.52 km²

    # mid-2021 the closures and the acceptance have not happened yet: still open
    early = await deadlines(rights, edition_id, MID_2021)
    assert early["wuxigenchu-closure"]["state"] == "open"

    found = await deadlines(rights, edition_id, TODAY)
    yanchibei = found["yanchibei-restoration"]
    assert (yanchibei["state"], yanchibei["met_on"]) == ("met", "2021-11-20")
    closure = found["wuxigenchu-closure"]
    assert (closure["state"], closure["met_on"], closure["outstanding"]) == (
        "missed",
        "2022-03-01",
        False,
    )
    assert [(e["what"], e["on"], e["late"]) for e in closure["evidence"]] == [
        ("right_closed", "2021-10-08", False),
        ("right_closed", "2022-03-01", True),
    ]
    green = found["green-mine-standard"]
    assert (green["state"], green["met_on"]) == ("met", "2025-11-30")
    area = found["legacy-restoration"]
    assert (area["state"], area["met_on"]) == ("met", "2025-10-15")
    assert area["numbers"]["restored_km2"] == "0.52"


async def test_a_mine_removed_from_the_list_before_the_day_owes_the_standard(rights):
    edition_id = await seeded(rights)
    await listed(rights, OIL, date(2021, 3, 28))
    listing = await listed(rights, ERHAO, date(2024, 5, 6))
    rid = await right_id(rights, ERHAO)
    removal = MineDelisted(
        listing_id=listing,
        right_id=rid,
        holder_id=uuid.uuid4(),
        exit_notice_no="二自然资绿退〔2025〕1号",
        reason="review_failed",
        delisted_on=date(2025, 6, 30),
    )
    await deliver(rights, removal, "/services/greenmine", rid)
    green = (await deadlines(rights, edition_id))["green-mine-standard"]
    assert green["state"] == "missed"
    assert {(e["mine_name"], e["what"]) for e in green["evidence"]} == {
        (OIL, "listed"),
        (ERHAO, "not_listed"),
    }


async def test_a_missed_deadline_is_a_conformance_finding(rights):
    edition_id = await seeded(rights)
    await listed(rights, OIL, date(2021, 3, 28))
    await close(rights, SANHAO, datetime(2021, 10, 8, 2, tzinfo=UTC))
    with clock.pinned(TODAY):
        response = await rights.client.get(
            f"/plan-editions/{edition_id}/conformance", headers=rights.auth(Role.bureau_admin)
        )
    assert response.status_code == 200, response.text
    body = response.json()
    missed = {f["mine_name"]: f for f in body["deadline_findings"]}
    # the oilfield is listed, 三号 closed in time; the legacy area is the plan's own (None)
    assert set(missed) == {YANCHIBEI, BEISHAN, ERHAO, None}
    assert {f["rule"] for f in missed.values()} == {"named_deadline_missed"}
    assert (missed[ERHAO]["action"], missed[ERHAO]["clause"]) == (
        "exit",
        "第二章第三节, 专栏二; 第六章第一节",
    )
    assert missed[ERHAO]["deadline_ids"] == ["green-mine-standard"]
    assert (missed[BEISHAN]["action"], missed[BEISHAN]["clause"]) == ("restrict", "第二章第三节")
    assert missed[BEISHAN]["numbers"]["deadlines"] == [
        {"id": "wuxigenchu-closure", "due_on": "2021-12-31", "missing": "not_closed"}
    ]
    assert missed[YANCHIBEI]["right_status"] == "closed_by_policy"
    assert missed[YANCHIBEI]["deadline_ids"] == ["yanchibei-restoration"]
    plan = missed[None]
    assert (plan["deadline_ids"], plan["action"], plan["right_id"]) == (
        ["legacy-restoration"],
        "report",
        None,
    )
    assert plan["numbers"]["required_km2"] == "0.52"
    # the per-right rules are untouched by it
    assert "named_deadline_missed" not in {f["rule"] for f in body["findings"]}
    assert await events(rights, "rights.conformance.flagged") == []  # reading publishes nothing

    # before the dates nothing was missed
    with clock.pinned(MID_2021):
        early = await rights.client.get(
            f"/plan-editions/{edition_id}/conformance", headers=rights.auth(Role.bureau_admin)
        )
    assert early.json()["deadline_findings"] == []


async def test_the_job_publishes_set_then_met_or_overdue_once_each(rights):
    await seeded(rights, MID_2021)  # seed time: each deadline set
    first = await events(rights, CHANGED)
    assert sorted((e[2]["deadline_id"], e[2]["deadline"]["action"]) for e in first) == [
        ("green-mine-standard", "set"),
        ("legacy-restoration", "set"),
        ("wuxigenchu-closure", "set"),
        ("yanchibei-restoration", "set"),
    ]
    assert all(e[2]["deadline"]["audience"]["role"] == "bureau_admin" for e in first)
    assert all(e[2]["deadline"]["kind"] == "plan_target" for e in first)
    await accepted(rights, YANCHIBEI, date(2021, 11, 20))

    assert await rights.runtime.run_job("named_deadlines", now=TODAY) == 4
    later = (await events(rights, CHANGED))[len(first) :]
    assert sorted((e[2]["deadline_id"], e[2]["deadline"]["action"]) for e in later) == [
        ("green-mine-standard", "overdue"),
        ("legacy-restoration", "overdue"),
        ("wuxigenchu-closure", "overdue"),
        ("yanchibei-restoration", "met"),
    ]
    assert await rights.runtime.run_job("named_deadlines", now=TODAY) == 0


async def test_who_may_read_them(rights):
    edition_id = await seeded(rights)
    url = f"/plan-editions/{edition_id}/deadlines"
    for role in (Role.bureau_admin, Role.inspector, Role.gov_system):
        assert (await rights.client.get(url, headers=rights.auth(role))).status_code == 200
    holder = str(uuid.uuid4())
    refused = await rights.client.get(url, headers=rights.auth(Role.enterprise, holder_id=holder))
    assert refused.status_code == 403
    assert (await rights.client.get(url)).status_code == 401
    missing = await rights.client.get(
        f"/plan-editions/{uuid.uuid4()}/deadlines", headers=rights.auth(Role.bureau_admin)
    )
    assert missing.status_code == 404
    bad = await rights.client.get(
        "/plan-editions/not-a-uuid/deadlines", headers=rights.auth(Role.bureau_admin)
    )
    assert bad.status_code == 422
    assert "edition_id" in bad.text


async def test_the_bureau_adjusts_them_as_edition_data_and_a_moved_date_is_set_again(rights):
    edition_id = await seeded(rights, MID_2021)
    read = await rights.client.get(f"/plan-editions/{edition_id}")
    named = read.json()["named_deadlines"]
    assert len(named) == 4
    admin = rights.auth(Role.bureau_admin)

    bad = [{**named[1], "mines": []}]  # right_closed naming no mine
    refused = await rights.client.patch(
        f"/plan-editions/{edition_id}",
        json={"named_deadlines": bad},
        headers={**admin, "If-Match": read.headers["ETag"]},
    )
    assert refused.status_code == 422, refused.text
    assert "named_deadlines" in refused.text
    twice = await rights.client.patch(
        f"/plan-editions/{edition_id}",
        json={"named_deadlines": [named[0], named[0]]},
        headers={**admin, "If-Match": read.headers["ETag"]},
    )
    assert twice.status_code == 422, twice.text
    assert "unique" in twice.text

    moved = [{**named[0], "due_on": "2022-06-30"}, *named[1:]]
    patched = await rights.client.patch(
        f"/plan-editions/{edition_id}",
        json={"named_deadlines": moved},
        headers={**admin, "If-Match": read.headers["ETag"]},
    )
    assert patched.status_code == 200, patched.text
    before = len(await events(rights, CHANGED))
    assert await rights.runtime.run_job("named_deadlines", now=MID_2021) == 1
    [(_, _, data)] = (await events(rights, CHANGED))[before:]
    assert (data["deadline_id"], data["due_on"]) == ("yanchibei-restoration", "2022-06-30")
    assert data["deadline"]["action"] == "set"
    assert data["deadline"]["due_at"] == "2022-06-30"
