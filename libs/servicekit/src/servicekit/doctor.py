"""``mineadmin doctor``: what an operator checks first, for every service, in one table.

Per service: readiness over HTTP (when ``<PREFIX>_PUBLIC_URL`` is set), database, migrations,
outbox backlog and the age of its oldest unsent row, dead letters not yet replayed, the
holiday calendar, the stores it declares (``ServiceSpec.probes``: object storage), the broker,
the topics it publishes to and consumes from (replication factor and ``min.insync.replicas`` as
the ``kafka_*`` settings plan them), the lag of the service's consumer group on each topic it
consumes, and whether the group has a live member at all. Thresholds are the ``doctor_*``
settings; anything past one is a FAIL.
"""

import asyncio
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from enum import StrEnum

import httpx
from alembic.script import ScriptDirectory
from contracts import registry
from sqlalchemy import func, select, text

from servicekit import workdays
from servicekit.events.kafka import group_lag, group_state
from servicekit.events.outbox import outbox_backlog
from servicekit.migrations import alembic_config
from servicekit.runtime import kafka_broker, service_database
from servicekit.settings import BrokerKind, Mode, ServiceSettings
from servicekit.spec import ServiceSpec
from servicekit.tables import dead_letters
from servicekit.topics import describe, kafka_admin, topic_plan

TIMEOUT_SECONDS = 5


class Level(StrEnum):
    ok = "ok"
    skip = "-"
    warn = "warn"
    fail = "FAIL"


@dataclass(frozen=True)
class Finding:
    service: str
    check: str
    level: Level
    detail: str

    def as_json(self) -> dict[str, str]:
        return asdict(self)


Note = Callable[[str, "Level", str], None]


def _unapplied(spec: ServiceSpec, settings: ServiceSettings, current: set[str]) -> list[str]:
    """The revisions ``upgrade heads`` would still apply to a database at ``current``. A
    revision another depends on (a shared read model's branch) is applied without being a
    head of its own, so the heads alone cannot be compared."""
    config = alembic_config(database_url=settings.database_url, service_versions=spec.migrations)
    script = ScriptDirectory.from_config(config)
    applied = {r.revision for r in script.iterate_revisions(tuple(current), "base")}
    return sorted(r.revision for r in script.walk_revisions() if r.revision not in applied)


def _failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


async def diagnose(spec: ServiceSpec, settings: ServiceSettings, *, today: date) -> list[Finding]:
    found: list[Finding] = []

    def note(check: str, level: Level, detail: str) -> None:
        found.append(Finding(spec.name, check, level, detail))

    if settings.mode is Mode.production and settings.broker is BrokerKind.inprocess:
        note("settings", Level.fail, "production with the in-process broker")
    await _readiness(settings, note)
    await _database(spec, settings, today, note)
    for probe in spec.probes:
        try:
            note(probe.name, Level.ok, await asyncio.wait_for(probe.run(settings), TIMEOUT_SECONDS))
        except Exception as exc:
            note(probe.name, Level.fail, _failure(exc))
    if settings.broker is BrokerKind.kafka:
        if await _broker(spec, settings, note):
            await _topics(spec, settings, note)
            await _consumer_lag(spec, settings, note)
    else:
        note("broker", Level.warn, "in-process broker (dev only)")
    return found


async def _readiness(settings: ServiceSettings, note: Note) -> None:
    if not settings.public_url:
        note("readiness", Level.skip, "not checked: set <PREFIX>_PUBLIC_URL")
        return
    url = settings.public_url.rstrip("/") + "/readyz"
    try:
        async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as http:
            answer = await http.get(url)
    except httpx.HTTPError as exc:
        note("readiness", Level.fail, f"{url}: {_failure(exc)}")
        return
    if answer.status_code == 200:
        note("readiness", Level.ok, url)
    else:
        note("readiness", Level.fail, f"{url}: HTTP {answer.status_code} {answer.text[:200]}")


async def _database(spec: ServiceSpec, settings: ServiceSettings, today: date, note: Note) -> None:
    db = service_database(spec, settings, pool_size=1)
    try:
        async with db.transaction() as session:
            await session.exec(text("SELECT 1"))
            note("database", Level.ok, db.engine.url.render_as_string(hide_password=True))
            applied = set(
                (await session.exec(text("SELECT version_num FROM alembic_version"))).scalars()
            )
            missing = await asyncio.to_thread(_unapplied, spec, settings, applied)
            if not missing:
                note("migrations", Level.ok, "at head " + ", ".join(sorted(applied)))
            else:
                note(
                    "migrations",
                    Level.fail,
                    f"not at head; run `mineadmin migrate` ({', '.join(missing)})",
                )
            backlog, oldest = await outbox_backlog(session)
            limit = settings.doctor_outbox_max_age_seconds
            note(
                "outbox",
                Level.fail if oldest > limit else Level.ok,
                f"{backlog} unsent, oldest {oldest:.0f} s (limit {limit:.0f} s)",
            )
            count, age = (
                await session.exec(
                    select(
                        func.count(),
                        func.coalesce(
                            func.extract("epoch", func.now() - func.min(dead_letters.c.created_at)),
                            0,
                        ),
                    ).where(dead_letters.c.replayed_at.is_(None))
                )
            ).one()
            note(
                "dead letters",
                Level.fail if count > settings.doctor_max_dead_letters else Level.ok,
                f"{count} not replayed, oldest {float(age):.0f} s"
                + (" (GET /admin/dead-letters, then replay)" if count else ""),
            )
            for year in (today.year, today.year + 1):
                source = await workdays.schedule_source(session, year)
                if source is None:
                    note(
                        "calendar",
                        Level.warn,
                        f"{year}: no holiday schedule, weekends only; load it with "
                        f"PUT /admin/calendar/{year}",
                    )
                else:
                    note("calendar", Level.ok, f"{year}: {source}")
    except Exception as exc:
        note("database", Level.fail, _failure(exc))
    finally:
        await db.dispose()


async def _broker(spec: ServiceSpec, settings: ServiceSettings, note: Note) -> bool:
    broker = kafka_broker(spec, settings)
    try:
        await broker.start()
        await broker.ping()
        note("broker", Level.ok, settings.kafka_bootstrap_servers)
        return True
    except Exception as exc:
        note("broker", Level.fail, f"{settings.kafka_bootstrap_servers}: {_failure(exc)}")
        return False
    finally:
        await broker.stop()


async def _consumer_lag(spec: ServiceSpec, settings: ServiceSettings, note: Note) -> None:
    if not spec.handlers:
        return
    group = settings.topic(spec.name)
    topics = [settings.topic(t) for t in spec.handlers.topics(registry)]
    try:
        lag, members = await asyncio.wait_for(
            asyncio.gather(
                group_lag(settings.kafka_bootstrap_servers, group, topics),
                group_state(settings.kafka_bootstrap_servers, group),
            ),
            timeout=30,
        )
    except Exception as exc:
        note("consumer lag", Level.fail, f"group {group}: {_failure(exc)}")
        return
    limit = settings.doctor_max_consumer_lag
    for topic, behind in lag.items():
        note(
            "consumer lag",
            Level.fail if behind > limit else Level.ok,
            f"group {group}, topic {topic}: {behind} behind (limit {limit})",
        )
    waiting = sum(lag.values())
    if members.members:
        note("consumers", Level.ok, f"group {group}: {members.members} live, {members.state}")
    else:  # a warning: a rolling restart empties the group for a moment; the lag limit fails
        note(
            "consumers",
            Level.warn,
            f"group {group}: no live consumer ({members.state}), {waiting} records waiting; "
            "is the service running?",
        )


async def _topics(spec: ServiceSpec, settings: ServiceSettings, note: Note) -> None:
    """The service's own event and dead-letter topics and those it consumes, against the plan."""
    mine = {settings.topic(f"{spec.name}.events"), f"{settings.topic(spec.name)}.dlq"}
    if spec.handlers:
        mine |= {settings.topic(t) for t in spec.handlers.topics(registry)}
    plan = [t for t in topic_plan(settings) if t.name in mine]
    try:
        async with kafka_admin(settings, TIMEOUT_SECONDS * 1000) as admin:
            states = await asyncio.wait_for(describe(admin, [t.name for t in plan]), timeout=30)
    except Exception as exc:
        note("topics", Level.fail, _failure(exc))
        return
    for topic in plan:
        state = states.get(topic.name)
        if state is None:
            note("topics", Level.fail, f"{topic.name}: missing; run `mineadmin topics apply`")
            continue
        wrong = []
        if state.replication_factor != topic.replication_factor:
            wrong.append(
                f"replication factor {state.replication_factor} (want {topic.replication_factor})"
            )
        want_isr = topic.configs["min.insync.replicas"]
        if state.configs.get("min.insync.replicas") != want_isr:
            wrong.append(
                f"min.insync.replicas {state.configs.get('min.insync.replicas')} (want {want_isr})"
            )
        if wrong:
            note("topics", Level.fail, f"{topic.name}: " + ", ".join(wrong))
        elif state.under_replicated:
            note(
                "topics",
                Level.warn,
                f"{topic.name}: {state.under_replicated} of {state.partitions} partitions "
                "under-replicated (a broker down?)",
            )
        else:
            note(
                "topics",
                Level.ok,
                f"{topic.name}: {state.partitions} partitions, replication factor "
                f"{state.replication_factor}, min.insync.replicas {want_isr}",
            )
