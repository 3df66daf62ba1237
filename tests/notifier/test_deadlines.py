"""Deadlines learned from events become reminders at the right times (explicit clock), on the
working-day calendar; moves, met deadlines, closures and licence validity are followed."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from contracts import DeadlineAction
from contracts.greenmine import GreenRectificationOrdered
from contracts.restoration import RectificationOrdered, RectificationOverdue, RectificationResolved
from contracts.rights import (
    FilingRequired,
    FilingSubmitted,
    MineClosed,
    RightGranted,
    RightRenewed,
    RightTransferred,
)
from notifier.deadlines.models import SHANGHAI
from servicekit.auth import Role

from tests.notifier.support import (
    HOLDER,
    OTHER_HOLDER,
    RIGHT,
    alerts,
    consume,
    deadline,
    sql,
    subscribe,
    sweep,
)

FILING = UUID("0c0ffee0-0000-4000-8000-000000000001")


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def filing_required(dl) -> FilingRequired:
    return FilingRequired(
        filing_id=FILING, right_id=RIGHT, holder_id=HOLDER, kind=dl.kind, year=2027, deadline=dl
    )


async def inbox_subscription(notifier, user="inspector-wang"):
    return await subscribe(
        notifier, channel="inbox", holder_id=HOLDER, inbox_user=user, name="王工 收件箱"
    )


async def steps(notifier) -> list[str]:
    return [a["step"] for a in await alerts(notifier)]


async def test_reminders_go_out_30_7_and_1_days_before_moved_off_the_national_day_holiday(
    notifier,
):
    await inbox_subscription(notifier)
    # due Saturday 2026-10-10, a make-up working day; 7 days before is 2026-10-03, inside the
    # National Day break (10-01..10-07), so that reminder goes out on Wednesday 09-30
    await consume(notifier, filing_required(deadline(due=date(2026, 10, 10))))
    [(step, fire)] = await sql(notifier, "SELECT next_step, next_fire_at FROM deadlines")
    assert (step, fire) == ("reminder-30", at(date(2026, 9, 10)))

    assert await sweep(notifier, at(date(2026, 9, 10), 8, 59)) == 0
    assert await sweep(notifier, at(date(2026, 9, 10))) == 1
    assert await steps(notifier) == ["reminder-30"]
    assert await sweep(notifier, at(date(2026, 9, 10), 10)) == 0  # nothing twice

    assert (
        await sweep(
            notifier,
            at(
                date(
                    2026,
                    9,
                    29,
                ),
                23,
            ),
        )
        == 0
    )
    assert await sweep(notifier, at(date(2026, 9, 30))) == 1
    assert await steps(notifier) == ["reminder-30", "reminder-7"]

    assert await sweep(notifier, at(date(2026, 10, 8))) == 0
    assert await sweep(notifier, at(date(2026, 10, 9))) == 1
    assert await steps(notifier) == ["reminder-30", "reminder-7", "reminder-1"]
    assert await sql(notifier, "SELECT next_step FROM deadlines") == [(None,)]

    inbox = await notifier.client.get(
        "/inbox", headers=notifier.auth(Role.inspector, subject="inspector-wang")
    )
    assert inbox.status_code == 200
    items = inbox.json()["items"]
    assert [(i["stage"], i["read"]) for i in items] == [("reminder", False)] * 3
    assert items[0]["deadline_id"] == "filing:2026:annual_mining_plan:b2f4"
    assert items[0]["title"].startswith("【提醒】二连浩特市乌希根楚二号建筑用花岗岩矿")
    assert "剩余1天" in items[0]["title"]
    assert "12月报送下一年度采掘计划" in items[0]["body"]  # the kind's own Chinese template


async def test_lead_times_are_configuration_per_kind(start_notifier):
    async with start_notifier(reminder_lead_days_by_kind={"rectification": [14, 3]}) as notifier:
        await inbox_subscription(notifier)
        order = RectificationOrdered(
            rectification_id=FILING,
            right_id=RIGHT,
            holder_id=HOLDER,
            reason="复垦未达标",
            deadline=deadline("rect:1", kind="rectification", due=date(2026, 12, 18)),
        )
        await consume(notifier, order)
        # 14 days before 12-18 is Friday 12-04, a working day
        assert await sql(notifier, "SELECT next_step, next_fire_at FROM deadlines") == [
            ("reminder-14", at(date(2026, 12, 4)))
        ]
        await sweep(notifier, at(date(2026, 12, 4)))
        await sweep(notifier, at(date(2026, 12, 15)))
        assert await steps(notifier) == ["reminder-14", "reminder-3"]


async def test_a_moved_deadline_reschedules_its_reminders(notifier):
    await inbox_subscription(notifier)
    await consume(notifier, filing_required(deadline(due=date(2026, 10, 10))))
    await sweep(notifier, at(date(2026, 9, 10)))  # the 30-day reminder for 10-10 went out

    await consume(notifier, filing_required(deadline(due=date(2026, 11, 20))))  # extended
    [(step, fire, due)] = await sql(
        notifier, "SELECT next_step, next_fire_at, due_at FROM deadlines"
    )
    assert (step, due) == ("reminder-7", date(2026, 11, 20))
    assert fire == at(date(2026, 11, 13))
    assert await sweep(notifier, at(date(2026, 9, 30))) == 0  # the old date's reminder is gone
    assert await sweep(notifier, at(date(2026, 11, 13))) == 1
    assert await steps(notifier) == ["reminder-30", "reminder-7"]


async def test_a_deadline_set_late_gets_only_the_nearest_reminder_not_a_burst(notifier):
    await inbox_subscription(notifier)
    await consume(notifier, filing_required(deadline(due=date(2026, 12, 18))))
    assert await sweep(notifier, at(date(2026, 12, 14))) == 1  # 30 and 7 both past: only 7
    assert await steps(notifier) == ["reminder-7"]
    await sweep(notifier, at(date(2026, 12, 17)))
    assert await steps(notifier) == ["reminder-7", "reminder-1"]


async def test_a_met_deadline_stops_its_reminders_and_unsent_alerts(notifier):
    await inbox_subscription(notifier)
    await subscribe(notifier, channel="email", holder_id=HOLDER, email="anquan@xianfeng.example.cn")
    dl = deadline(due=date(2026, 10, 10))
    await consume(notifier, filing_required(dl))
    await sweep(notifier, at(date(2026, 9, 10)))
    assert sorted(a["status"] for a in await alerts(notifier)) == ["delivered", "pending"]

    met = dl.model_copy(update={"action": DeadlineAction.met})
    await consume(
        notifier,
        FilingSubmitted(
            filing_id=FILING,
            right_id=RIGHT,
            holder_id=HOLDER,
            kind=dl.kind,
            year=2027,
            submitted_at=datetime(2026, 9, 12, tzinfo=UTC),
            deadline=met,
        ),
    )
    assert await sql(notifier, "SELECT state, next_fire_at FROM deadlines") == [("met", None)]
    assert sorted(a["status"] for a in await alerts(notifier)) == ["cancelled", "delivered"]
    for day in (date(2026, 9, 30), date(2026, 10, 9), date(2026, 10, 11)):
        assert await sweep(notifier, at(day)) == 0
    response = await notifier.client.get(
        "/deadlines",
        params={"subject": RIGHT, "state": "met"},
        headers=notifier.auth(Role.bureau_admin),
    )
    [item] = response.json()["items"]
    assert {k: item[k] for k in ("id", "kind", "due_at", "state", "subject")} == {
        "id": dl.id,
        "kind": "annual_mining_plan",
        "due_at": "2026-10-10",
        "state": "met",
        "subject": RIGHT,
    }


async def test_the_owners_overdue_event_produces_one_overdue_alert(notifier):
    await inbox_subscription(notifier)
    dl = deadline("rect:2", kind="rectification", due=date(2026, 10, 10))
    order = dict(rectification_id=FILING, right_id=RIGHT, holder_id=HOLDER)
    await consume(notifier, RectificationOrdered(**order, reason="边坡未治理", deadline=dl))
    overdue = RectificationOverdue(
        **order, deadline=dl.model_copy(update={"action": DeadlineAction.overdue})
    )
    await consume(notifier, overdue)
    assert await sweep(notifier, at(date(2026, 10, 10), 23, 59)) == 0
    assert await sweep(notifier, at(date(2026, 10, 11), 0, 1)) == 1
    assert await sweep(notifier, at(date(2026, 10, 12))) == 0
    [alert] = await alerts(notifier)
    assert (alert["stage"], alert["step"]) == ("overdue", "overdue")
    assert alert["title"].startswith("【逾期】")
    resolved = RectificationResolved(
        **order,
        resolved_at=datetime(2026, 10, 20, tzinfo=UTC),
        deadline=dl.model_copy(update={"action": DeadlineAction.met}),
    )
    await consume(notifier, resolved)
    assert await sql(notifier, "SELECT state FROM deadlines") == [("met",)]


async def test_closing_a_mine_cancels_every_open_deadline_of_it(notifier):
    await inbox_subscription(notifier)
    other_right = "e1d2c3b4-0000-4000-8000-00000000abcd"
    await consume(
        notifier,
        filing_required(deadline("filing:a", due=date(2026, 12, 18))),
        RectificationOrdered(
            rectification_id=FILING,
            right_id=RIGHT,
            holder_id=HOLDER,
            reason="x",
            deadline=deadline("rect:a", kind="rectification", due=date(2026, 12, 31)),
        ),
        GreenRectificationOrdered(
            rectification_id=FILING,
            listing_id=FILING,
            right_id=other_right,
            holder_id=OTHER_HOLDER,
            reason="y",
            deadline=deadline(
                "green:b",
                kind="green_mine_rectification",
                due=date(2027, 3, 31),
                subject=other_right,
                holder_id=OTHER_HOLDER,
            ),
        ),
        MineClosed(
            right_id=RIGHT,
            holder_id=HOLDER,
            licence_no="C1500002009062120023456",
            status="closed",
            closed_at=datetime(2026, 11, 28, tzinfo=UTC),
        ),
    )
    rows = await sql(notifier, "SELECT id, state, next_fire_at IS NULL FROM deadlines ORDER BY id")
    assert rows == [
        ("filing:a", "cancelled", True),
        ("green:b", "open", False),
        ("rect:a", "cancelled", True),
    ]
    assert await sweep(notifier, at(date(2026, 12, 17))) == 0


async def test_a_transferred_rights_deadlines_are_reminded_to_the_new_holder_only(notifier):
    await subscribe(notifier, channel="inbox", holder_id=HOLDER, inbox_user="u-seller")
    seller_mail = await subscribe(notifier, channel="email", holder_id=HOLDER, email="s@ex.cn")
    await subscribe(notifier, channel="inbox", holder_id=OTHER_HOLDER, inbox_user="u-buyer")
    other_right = "9a0e7c52-1111-4e2f-8d1a-0b8c6e4d2f00"
    await consume(
        notifier,
        filing_required(deadline(due=date(2026, 10, 10))),
        FilingRequired(
            filing_id=FILING,
            right_id=other_right,
            holder_id=HOLDER,
            kind="annual_mining_plan",
            year=2027,
            deadline=deadline("filing:other", due=date(2026, 10, 10), subject=other_right),
        ),
    )
    await sweep(notifier, at(date(2026, 9, 10)))  # the 30-day reminders, to the seller
    await consume(
        notifier,
        RightTransferred(
            right_id=RIGHT,
            licence_no="C1500002009062120023456",
            from_holder_id=HOLDER,
            to_holder_id=OTHER_HOLDER,
            transferred_at=datetime(2026, 9, 15, tzinfo=UTC),
        ),
    )
    rows = await sql(notifier, "SELECT subject, holder_id, next_step FROM deadlines ORDER BY id")
    assert rows == [
        (RIGHT, OTHER_HOLDER, "reminder-7"),  # the transferred right's: now the buyer's
        (other_right, HOLDER, "reminder-7"),  # the seller's other mine: still its own
    ]
    # the seller's e-mail about the mine it sold, not yet out, stays unsent
    [sold, kept] = sorted(
        await alerts(notifier, subscription_id=seller_mail["id"]),
        key=lambda a: a["deadline_id"] != "filing:2026:annual_mining_plan:b2f4",
    )
    assert (sold["status"], kept["status"]) == ("cancelled", "pending")

    await sweep(notifier, at(date(2026, 9, 30)))  # the 7-day reminders
    to = [
        (a["recipient"], a["deadline_id"])
        for a in await alerts(notifier)
        if a["step"] == "reminder-7"
    ]
    assert sorted(to) == sorted(
        [
            ("u-buyer", "filing:2026:annual_mining_plan:b2f4"),
            ("u-seller", "filing:other"),
            ("s@ex.cn", "filing:other"),
        ]
    )


async def test_an_event_read_after_a_transfer_that_still_names_the_seller_goes_to_the_buyer(
    notifier,
):
    """rights.events and restoration.events are not ordered against each other: a deadline set
    before the transfer may be read after it."""
    other_right = "9a0e7c52-1111-4e2f-8d1a-0b8c6e4d2f00"
    transferred = RightTransferred(
        right_id=RIGHT,
        licence_no="C1500002009062120023456",
        from_holder_id=HOLDER,
        to_holder_id=OTHER_HOLDER,
        transferred_at=datetime(2026, 9, 15, tzinfo=UTC),
    )
    await consume(notifier, transferred)

    def ordered(name: str, right_id: str, holder_id: str) -> RectificationOrdered:
        return RectificationOrdered(
            rectification_id=uuid4(),
            right_id=right_id,
            holder_id=holder_id,
            reason="排土场边坡未复绿",
            deadline=deadline(
                f"rectification:{name}", kind="rectification", subject=right_id, holder_id=holder_id
            ),
        )

    await consume(notifier, ordered("late", RIGHT, HOLDER), ordered("kept", other_right, HOLDER))
    assert await sql(notifier, "SELECT id, holder_id FROM deadlines ORDER BY id") == [
        ("rectification:kept", HOLDER),  # the seller's other mine: its own
        ("rectification:late", OTHER_HOLDER),  # the sold mine's: the buyer's
    ]
    # and the right back to its first holder: the buyer is now the former one
    back = {"from_holder_id": UUID(OTHER_HOLDER), "to_holder_id": UUID(HOLDER)}
    await consume(
        notifier, transferred.model_copy(update=back), ordered("later", RIGHT, OTHER_HOLDER)
    )
    assert await sql(notifier, "SELECT id, holder_id FROM deadlines ORDER BY id") == [
        ("rectification:kept", HOLDER),
        ("rectification:late", HOLDER),  # readdressed back with the right
        ("rectification:later", HOLDER),  # named the buyer, a former holder by now
    ]


async def test_licence_expiry_comes_from_the_validity_of_a_granted_then_renewed_right(notifier):
    await inbox_subscription(notifier)
    granted = RightGranted(
        right_id=RIGHT,
        licence_no="C1500002009062120023456",
        kind="mining",
        holder_id=HOLDER,
        mine_name="二连浩特市乌希根楚二号建筑用花岗岩矿",
        mineral="construction_granite",
        area_km2="0.0386",
        status="producing",
        licensing_level="city",
        valid_from=date(2021, 12, 31),
        valid_to=date(2026, 12, 31),
        granted_at=datetime(2021, 12, 31, tzinfo=UTC),
    )
    await consume(notifier, granted)
    [(kind, due, fire)] = await sql(notifier, "SELECT kind, due_at, next_fire_at FROM deadlines")
    assert (kind, due, fire) == ("licence_expiry", date(2026, 12, 31), at(date(2026, 12, 1)))
    await sweep(notifier, at(date(2026, 12, 1)))
    [alert] = await alerts(notifier)
    assert "许可证C1500002009062120023456有效期届满" in alert["title"]

    renewed = RightRenewed(
        right_id=RIGHT,
        holder_id=HOLDER,
        licence_no="C1500002009062120023456",
        valid_from=date(2027, 1, 1),
        valid_to=date(2031, 12, 31),
        renewed_at=datetime(2026, 12, 10, tzinfo=UTC),
    )
    await consume(notifier, renewed)
    assert await sql(notifier, "SELECT due_at, next_step, state FROM deadlines") == [
        (date(2031, 12, 31), "reminder-7", "open")
    ]
    assert await sweep(notifier, at(date(2026, 12, 24))) == 0


async def test_audience_selectors_and_kinds_route_alerts_to_the_right_recipients(notifier):
    mine = await subscribe(notifier, channel="inbox", holder_id=HOLDER, inbox_user="u-mine")
    await subscribe(notifier, channel="inbox", holder_id=OTHER_HOLDER, inbox_user="u-other")
    filings = await subscribe(
        notifier, channel="inbox", inbox_user="u-bureau", kinds=["annual_mining_plan"]
    )
    await subscribe(notifier, channel="inbox", inbox_user="u-rect", kinds=["rectification"])
    reviewers = await subscribe(
        notifier, channel="inbox", role="bureau_reviewer", inbox_user="u-rev"
    )
    await consume(
        notifier,
        filing_required(deadline(due=date(2026, 10, 10))),
        FilingRequired(
            filing_id=FILING,
            right_id=RIGHT,
            holder_id=HOLDER,
            kind="application_review",
            year=2026,
            deadline=deadline(
                "review:1",
                kind="application_review",
                due=date(2026, 10, 10),
                holder_id=None,
                role="bureau_reviewer",
            ),
        ),
    )
    await sweep(notifier, at(date(2026, 9, 10)))
    got = {(a["deadline_id"], a["subscription_id"]) for a in await alerts(notifier)}
    assert got == {
        ("filing:2026:annual_mining_plan:b2f4", mine["id"]),
        ("filing:2026:annual_mining_plan:b2f4", filings["id"]),
        ("review:1", reviewers["id"]),
    }


async def test_deadlines_are_listed_by_filter_and_enterprises_see_only_their_own(notifier):
    await consume(
        notifier,
        filing_required(deadline("a", due=date(2026, 12, 1))),
        filing_required(deadline("b", due=date(2027, 1, 5), holder_id=OTHER_HOLDER, subject="r2")),
    )
    admin = notifier.auth(Role.bureau_admin)
    window = await notifier.client.get(
        "/deadlines", params={"due_from": "2026-12-01", "due_to": "2026-12-31"}, headers=admin
    )
    assert [d["id"] for d in window.json()["items"]] == ["a"]
    assert [
        d["id"] for d in (await notifier.client.get("/deadlines", headers=admin)).json()["items"]
    ] == ["a", "b"]

    own = notifier.auth(Role.enterprise, holder_id=HOLDER)
    assert [
        d["id"] for d in (await notifier.client.get("/deadlines", headers=own)).json()["items"]
    ] == ["a"]
    other = await notifier.client.get("/deadlines", params={"holder_id": OTHER_HOLDER}, headers=own)
    assert other.status_code == 403
    assert (await notifier.client.get("/deadlines/b", headers=own)).status_code == 404
    assert (await notifier.client.get("/deadlines/a", headers=own)).status_code == 200
    assert (await notifier.client.get("/deadlines")).status_code == 401
    bad = await notifier.client.get("/deadlines", params={"state": "late"}, headers=admin)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "query.state"
    page = await notifier.client.get("/deadlines", params={"limit": 1}, headers=admin)
    cursor = page.json()["next_cursor"]
    rest = await notifier.client.get(
        "/deadlines", params={"limit": 1, "cursor": cursor}, headers=admin
    )
    assert [d["id"] for d in rest.json()["items"]] == ["b"]


async def test_a_later_year_uses_a_holiday_schedule_loaded_through_the_calendar_admin(notifier):
    # 2027's schedule is not in chinesecalendar: loaded as data, it moves the reminder
    schedule = {"holidays": [{"day": f"2027-10-0{d}", "name": "国庆节"} for d in range(1, 8)]}
    response = await notifier.client.put(
        "/admin/calendar/2027", json=schedule, headers=notifier.auth(Role.bureau_admin)
    )
    assert response.status_code in (200, 204), response.text
    await inbox_subscription(notifier)
    await consume(notifier, filing_required(deadline(due=date(2027, 10, 8))))
    await sweep(notifier, at(date(2027, 9, 8)))
    [(step, fire)] = await sql(notifier, "SELECT next_step, next_fire_at FROM deadlines")
    assert (step, fire) == ("reminder-7", at(date(2027, 9, 30)))  # 10-01 is a holiday
    assert timedelta(0) < at(date(2027, 10, 1)) - fire


async def test_reminders_planned_before_a_schedule_was_loaded_are_moved_by_the_replan_job(
    notifier,
):
    await inbox_subscription(notifier)
    # 2027 is beyond chinesecalendar: planned on weekends only, 30 days before Wednesday
    # 2027-11-03 is Monday 2027-10-04
    await consume(notifier, filing_required(deadline(due=date(2027, 11, 3))))
    assert await sql(notifier, "SELECT next_fire_at FROM deadlines") == [(at(date(2027, 10, 4)),)]
    schedule = {"holidays": [{"day": f"2027-10-0{d}", "name": "国庆节"} for d in range(1, 8)]}
    loaded = await notifier.client.put(
        "/admin/calendar/2027", json=schedule, headers=notifier.auth(Role.bureau_admin)
    )
    assert loaded.status_code in (200, 204), loaded.text
    assert await notifier.runtime.run_job("reminder-replan", now=at(date(2027, 9, 1))) == 1
    assert await sql(notifier, "SELECT next_fire_at FROM deadlines") == [(at(date(2027, 9, 30)),)]
    assert await notifier.runtime.run_job("reminder-replan", now=at(date(2027, 9, 1))) == 0


async def test_messages_come_from_the_kinds_chinese_template_or_the_fallbacks(notifier):
    await subscribe(notifier, channel="inbox", holder_id=HOLDER, inbox_user="zh-user")
    await subscribe(
        notifier, channel="inbox", holder_id=HOLDER, inbox_user="en-user", language="en"
    )
    await consume(
        notifier,
        filing_required(deadline("k1", kind="licence_expiry", due=date(2026, 10, 10))),
        filing_required(deadline("k2", kind="something_new", due=date(2026, 10, 10))),
    )
    await sweep(notifier, at(date(2026, 9, 10)))
    got = {(a["deadline_id"], a["recipient"]): a for a in await alerts(notifier)}
    assert "请在到期前提出延续申请" in (await _body(notifier, got["k1", "zh-user"]))
    assert got["k2", "zh-user"]["title"].startswith("【提醒】")  # the Chinese default
    assert "请按时办理" in (await _body(notifier, got["k2", "zh-user"]))
    assert got["k1", "en-user"]["title"].startswith("[Reminder] ")  # English fallback
    assert got["k1", "en-user"]["title"].endswith("(30 days left)")


async def _body(notifier, alert: dict) -> str:
    [(body,)] = await sql(notifier, "SELECT body FROM alerts WHERE id = :id", id=alert["id"])
    return body
