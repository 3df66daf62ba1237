"""After a fault: nothing lost, nothing doubled, checked where the guarantees live (each
service's outbox, inbox and dead letters) and in the effects a client sees (one fund per
mining right, ledgers that recompute to their balances, one listing and one exit notice per
mine).

Reads the services' databases directly: an operator's audit, not a client's request."""

from collections import Counter, defaultdict
from typing import Any

from devkit.testing import eventually
from servicekit.auth import Role
from servicekit.services import installed_services
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.e2e.journeys import ok
from tests.e2e.system import SERVICES, System


async def query(system: System, service: str, sql: str) -> list[Any]:
    engine = create_async_engine(system.database_urls[service])
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(sql))).all())
    finally:
        await engine.dispose()


async def outboxes_drained(system: System) -> bool:
    for service in SERVICES:
        [(unsent,)] = await query(
            system, service, "SELECT count(*) FROM outbox WHERE sent_at IS NULL"
        )
        if unsent:
            return False
    return True


async def every_event_applied_once(system: System) -> dict[str, int]:
    """Each consumer's inbox holds exactly the events it handles from every outbox. Returns
    how many each consumer applied."""
    published: dict[str, str] = {}  # event id → type, from every service's outbox
    for service in SERVICES:
        for event_id, type_ in await query(
            system, service, "SELECT event_id::text, type FROM outbox WHERE topic NOT LIKE '%.dlq'"
        ):
            assert event_id not in published, f"event {event_id} published twice"
            published[event_id] = type_
    applied = {}
    for service in SERVICES:
        handlers = installed_services()[service].handlers
        expected = {e for e, t in published.items() if handlers.get(t) is not None}
        rows = await query(system, service, "SELECT event_id::text FROM inbox")
        counts = Counter(event_id for (event_id,) in rows)
        doubled = {e: n for e, n in counts.items() if n > 1}
        assert not doubled, f"{service} applied events more than once: {doubled}"
        missing = expected - set(counts)
        assert not missing, f"{service} never applied: {sorted(published[e] for e in missing)}"
        stray = set(counts) - expected
        assert not stray, f"{service} applied events nobody published: {stray}"
        applied[service] = len(counts)
    return applied


async def nothing_lost_nothing_doubled(system: System) -> dict[str, int]:
    await eventually(
        lambda: outboxes_drained(system), timeout=90, what="every outbox sent to the broker"
    )
    for service in SERVICES:
        response = await system.call(
            service, "GET", "/admin/dead-letters", headers=system.auth(Role.bureau_admin)
        )
        assert ok(response)["items"] == [], f"{service} has dead letters: {response.text}"
    try:
        applied = await eventually(
            lambda: _applied_or_none(system), timeout=90, what="every event applied"
        )
    except AssertionError:
        await every_event_applied_once(system)  # names what is still missing or doubled
        raise

    # the effects: the notifier's journal holds each event it handled once; one fund per
    # granted mining right, ledgers that recompute; one listing and one exit notice per mine
    journal = Counter(
        e for (e,) in await query(system, "notifier", "SELECT event_id::text FROM received_events")
    )
    handled = {e for (e,) in await query(system, "notifier", "SELECT event_id::text FROM inbox")}
    assert set(journal) == handled and set(journal.values()) == {1}, journal
    granted = {
        right_id
        for (right_id,) in await query(
            system,
            "rights",
            "SELECT DISTINCT key FROM outbox WHERE type = 'rights.right.granted'",
        )
    }
    funds = await query(
        system, "restoration", "SELECT right_id::text FROM funds WHERE kind = 'mine'"
    )
    per_right = Counter(right_id for (right_id,) in funds)
    assert set(per_right) == granted and set(per_right.values()) == {1}, per_right
    audit = ok(
        await system.call(
            "restoration", "GET", "/ledger/audit", headers=system.auth(Role.bureau_admin)
        )
    )
    assert audit["ok"] is True, audit
    listings = await query(system, "greenmine", "SELECT right_id::text, status FROM listings")
    by_right = defaultdict(list)
    for right_id, status in listings:
        by_right[right_id].append(status)
    assert all(len(s) == 1 for s in by_right.values()), by_right
    notices = await query(
        system, "greenmine", "SELECT listing_id, count(*) FROM exit_notices GROUP BY listing_id"
    )
    assert all(n == 1 for _, n in notices), notices
    return applied


async def _applied_or_none(system: System) -> dict[str, int] | None:
    try:
        return await every_event_applied_once(system)
    except AssertionError:
        return None
