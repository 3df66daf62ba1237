"""Conditional GETs (servicekit.http_cache, servicekit.change_stamps) on real PostgreSQL: every
cached route answers ETag and Cache-Control, a repeat with If-None-Match is a 304 that runs no
query but the stamp's, and any committed write to a covered table changes the ETag."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from greenmine_api.seed import seed
from servicekit import change_stamps
from servicekit.auth import Role
from servicekit.request_checks import dependants
from sqlalchemy import event, text

from tests.greenmine_api.support import listed_mine
from tests.restoration_api.support import grant, transfer
from tests.rights_api.support import SCJ001, add_right, holder, load_edition

STAMP_SQL = "FROM change_totals"


@pytest.fixture
async def gm(greenmine):
    async with greenmine.runtime.db.transaction() as session:
        await seed(session)
    return greenmine


@contextmanager
def statements(service) -> Iterator[list[str]]:
    """Every statement the service's read pool sends while the block runs."""
    seen: list[str] = []
    connections: set[int] = set()
    engine = service.runtime.db.reads_engine.sync_engine

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(statement)
        connections.add(id(conn.connection.dbapi_connection))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # the stamp and the body are read on one connection (one server, in that order)
    assert len(connections) <= 1, connections


async def conditional(service, path: str, headers: dict[str, str] | None = None):
    """The first answer, then the same request with its ETag: (first, second, statements)."""
    headers = headers or {}
    first = await service.client.get(path, headers=headers)
    assert first.status_code == 200, first.text
    with statements(service) as seen:
        second = await service.client.get(
            path, headers={**headers, "If-None-Match": first.headers["etag"]}
        )
    return first, second, seen


def assert_not_modified(first, second, seen) -> None:
    assert first.headers["etag"].startswith('W/"')
    assert second.status_code == 304, second.text
    assert second.content == b""
    for name in ("etag", "cache-control", "vary"):
        assert second.headers.get(name) == first.headers.get(name), name
    # the stamp was read, and nothing else: not the query that builds the body
    assert len(seen) == 1 and STAMP_SQL in seen[0], seen


async def test_zones_answer_a_304_without_reading_the_plan(rights):
    await load_edition(rights)
    first, second, seen = await conditional(rights, "/zones")
    assert first.headers["cache-control"] == "public, max-age=60"
    assert_not_modified(first, second, seen)
    with statements(rights) as full:
        again = await rights.client.get("/zones")
    assert again.headers["etag"] == first.headers["etag"]
    assert len(full) > 1 and STAMP_SQL in full[0]  # a 200 reads the stamp, then the plan
    one, other, seen = await conditional(rights, "/zones/SCJ001")
    assert_not_modified(one, other, seen)
    assert one.headers["etag"] != first.headers["etag"]  # another path, another answer


async def test_a_write_through_the_api_changes_the_etag(rights):
    await load_edition(rights)
    before = await rights.client.get("/plan-editions")
    edition = (await rights.client.get("/plan-editions/current")).json()
    changed = await rights.client.patch(
        f"/plan-editions/{edition['id']}",
        json={"small_mine_cap": {**edition["small_mine_cap"], "max_mines": 5}},
        headers={**rights.auth(Role.bureau_admin), "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    after = await rights.client.get(
        "/plan-editions", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]


async def test_any_committed_write_to_a_covered_table_changes_the_etag_and_a_rollback_none(
    rights,
):
    await load_edition(rights)
    before = (await rights.client.get("/zones")).headers["etag"]
    async with rights.runtime.db.engine.connect() as conn:
        transaction = await conn.begin()
        await conn.execute(text("UPDATE plan_editions SET title = title"))
        await transaction.rollback()
    assert (await rights.client.get("/zones")).headers["etag"] == before
    async with rights.runtime.db.transaction() as session:
        await session.exec(text("UPDATE plan_editions SET title = title"))
    after = await rights.client.get("/zones", headers={"If-None-Match": before})
    assert after.status_code == 200
    assert after.headers["etag"] != before
    # compaction folds the log into the totals: the stamp, and so the ETag, stay
    await change_stamps.compact(rights.runtime.db)
    async with rights.runtime.db.engine.connect() as conn:
        assert await conn.scalar(text("SELECT count(*) FROM change_log")) == 0
    same = await rights.client.get("/zones", headers={"If-None-Match": after.headers["etag"]})
    assert same.status_code == 304


async def test_if_none_match_takes_a_list_and_a_star(rights):
    await load_edition(rights)
    tag = (await rights.client.get("/zones")).headers["etag"]
    listed = await rights.client.get("/zones", headers={"If-None-Match": f'W/"other", {tag}'})
    assert listed.status_code == 304
    strong = tag.removeprefix("W/")  # compared weakly
    assert (await rights.client.get("/zones", headers={"If-None-Match": strong})).status_code == 304
    star = await rights.client.get("/zones", headers={"If-None-Match": "*"})
    assert star.status_code == 304 and star.content == b"" and star.headers["etag"] == tag
    stale = await rights.client.get("/zones", headers={"If-None-Match": 'W/"other"'})
    assert stale.status_code == 200 and stale.json()["type"] == "FeatureCollection"


async def test_an_answer_that_differs_by_caller_is_private_and_tagged_per_caller(rights):
    await load_edition(rights)
    owner, other = await holder(rights, 1), await holder(rights, 2)
    await add_right(rights, owner, at=SCJ001)
    mine = rights.auth(Role.enterprise, holder_id=owner)
    first, second, seen = await conditional(rights, "/rights.geojson", mine)
    assert first.headers["cache-control"] == "private, no-cache"
    assert "Authorization" in first.headers["vary"]
    assert_not_modified(first, second, seen)
    theirs = await rights.client.get(
        "/rights.geojson",
        headers={
            **rights.auth(Role.enterprise, holder_id=other),
            "If-None-Match": first.headers["etag"],
        },
    )
    assert theirs.status_code == 200 and theirs.json()["features"] == []
    # no token: refused before anything is compared
    anonymous = await rights.client.get(
        "/rights.geojson", headers={"If-None-Match": first.headers["etag"]}
    )
    assert anonymous.status_code == 401
    await add_right(rights, owner, at=SCJ001)
    newer = await rights.client.get(
        "/rights.geojson", headers={**mine, "If-None-Match": first.headers["etag"]}
    )
    assert newer.status_code == 200 and len(newer.json()["features"]) == 2


async def test_a_refusal_carries_no_etag(rights):
    await load_edition(rights)
    missing = await rights.client.get("/zones/NOPE")
    assert missing.status_code == 404
    assert "etag" not in missing.headers


async def test_disclosures_and_their_export_are_conditional_and_change_with_a_posting(
    restoration,
):
    fund = await grant(restoration)
    await transfer(restoration, fund["id"], "accrual", "120000.00")
    for path in (f"/disclosures/{fund['right_id']}", "/disclosures/export.csv?year=2026"):
        first, second, seen = await conditional(restoration, path)
        assert first.headers["cache-control"] == "public, max-age=60"
        assert_not_modified(first, second, seen)
    before = await restoration.client.get(f"/disclosures/{fund['right_id']}")
    await transfer(restoration, fund["id"], "deposit", "30000.00")  # a posting through the API
    after = await restoration.client.get(
        f"/disclosures/{fund['right_id']}", headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
    assert after.json()["years"][0]["deposited"] == "30000.00"


async def test_the_public_map_layers_are_conditional_and_tagged_per_caller(restoration):
    for path in ("/legacy-sites.geojson", "/restoration-areas.geojson"):
        first, second, seen = await conditional(restoration, path)
        assert first.headers["cache-control"] == "public, max-age=60"
        assert "Authorization" in first.headers["vary"]
        assert_not_modified(first, second, seen)
        official = await restoration.client.get(
            path,
            headers={**restoration.auth(Role.bureau_admin), "If-None-Match": first.headers["etag"]},
        )
        assert official.status_code == 200  # officials read more: never the public's copy
        assert official.headers["cache-control"] == "private, no-cache"


async def test_the_green_mine_list_and_its_csv_are_conditional(gm):
    _, listing = await listed_mine(gm)
    for path in (
        "/listings",
        "/listings.csv",
        "/listings?status=listed",
        f"/listings/{listing['id']}",
    ):
        first, second, seen = await conditional(gm, path)
        assert first.headers["cache-control"] == "public, max-age=60"
        assert_not_modified(first, second, seen)
    before = await gm.client.get("/listings.csv")
    await listed_mine(gm)
    after = await gm.client.get("/listings.csv", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]


async def test_the_documents_name_the_304_and_the_headers(rights, restoration, gm):
    for service, path in (
        (rights, "/zones"),
        (rights, "/rights.geojson"),
        (restoration, "/disclosures/export.csv"),
        (gm, "/listings.csv"),
    ):
        operation = service.app.openapi()["paths"][path]["get"]
        assert "If-None-Match" in {p["name"] for p in operation["parameters"]}
        assert set(operation["responses"]["304"]["headers"]) == {"ETag", "Cache-Control", "Vary"}
        assert {"ETag", "Cache-Control"} <= set(operation["responses"]["200"]["headers"])


def declared_tables(service) -> set[str]:
    """Every table a cached route of the service names."""
    return {
        table
        for context in iter_route_contexts(service.app.routes)
        if isinstance(context.original_route, APIRoute)
        for dependant in dependants(context.original_route.dependant)
        for table in getattr(dependant.call, "cached_tables", ())
    }


async def test_every_table_a_cached_route_names_has_its_trigger(rights, restoration, gm):
    for service in (rights, restoration, gm):
        tables = declared_tables(service)
        assert tables
        async with service.runtime.db.engine.connect() as conn:
            triggered = set(
                (
                    await conn.execute(
                        text(
                            "SELECT c.relname FROM pg_trigger t "
                            "JOIN pg_class c ON c.oid = t.tgrelid "
                            "WHERE t.tgname = c.relname || '_changes'"
                        )
                    )
                ).scalars()
            )
        assert tables <= triggered, tables - triggered


async def test_the_other_public_lists_are_conditional_and_follow_their_tables(rights, gm):
    await load_edition(rights)
    for service, path, table in (
        (rights, "/patrol-draws", "patrol_draws"),
        (rights, "/integrity/abnormal", "holders"),
        (gm, "/standards", "standards"),
        (gm, "/spot-checks", "spot_check_findings"),
        (gm, "/publicities", "publicities"),
    ):
        first, second, seen = await conditional(service, path)
        assert_not_modified(first, second, seen)
        async with service.runtime.db.transaction() as session:
            await session.exec(text(f"DELETE FROM {table} WHERE false"))
        after = await service.client.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert after.status_code == 200, path
    standard = (await gm.client.get("/standards")).json()["items"][0]
    one, other, seen = await conditional(gm, f"/standards/{standard['id']}")
    assert_not_modified(one, other, seen)


async def test_after_a_restore_no_etag_handed_out_before_comes_back(rights):
    await load_edition(rights)
    backup = (await rights.client.get("/zones")).headers["etag"]
    async with rights.runtime.db.transaction() as session:  # written after the backup, lost
        await session.exec(text("UPDATE plan_editions SET title = title"))
    lost = (await rights.client.get("/zones")).headers["etag"]
    async with rights.runtime.db.engine.begin() as conn:  # the restore: the backup's stamps
        await conn.execute(text("TRUNCATE change_log, change_totals"))
    await rights.client.get("/zones")
    await change_stamps.after_restore(rights.runtime.db)
    async with rights.runtime.db.transaction() as session:  # the same count of writes again
        await session.exec(text("UPDATE plan_editions SET title = title"))
    again = await rights.client.get("/zones", headers={"If-None-Match": f"{backup}, {lost}"})
    assert again.status_code == 200
    assert again.headers["etag"] not in (backup, lost)
