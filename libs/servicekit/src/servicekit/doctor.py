"""``mineadmin doctor``: what an operator checks first, for every service, in one table."""

import asyncio
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from alembic.script import ScriptDirectory
from sqlalchemy import text

from servicekit import workdays
from servicekit.events.outbox import outbox_backlog
from servicekit.migrations import alembic_config
from servicekit.runtime import kafka_broker, service_database
from servicekit.settings import BrokerKind, Mode, ServiceSettings
from servicekit.spec import ServiceSpec

BACKLOG_WARN_SECONDS = 60


class Level(StrEnum):
    ok = "ok"
    warn = "warn"
    fail = "FAIL"


@dataclass(frozen=True)
class Finding:
    service: str
    check: str
    level: Level
    detail: str


def _script_heads(spec: ServiceSpec, settings: ServiceSettings) -> set[str]:
    config = alembic_config(database_url=settings.database_url, service_versions=spec.migrations)
    return set(ScriptDirectory.from_config(config).get_heads())


async def diagnose(spec: ServiceSpec, settings: ServiceSettings, *, today: date) -> list[Finding]:
    found: list[Finding] = []

    def note(check: str, level: Level, detail: str) -> None:
        found.append(Finding(spec.name, check, level, detail))

    if settings.mode is Mode.production and settings.broker is BrokerKind.inprocess:
        note("settings", Level.fail, "production with the in-process broker")
    db = service_database(spec, settings, pool_size=1)
    try:
        async with db.transaction() as session:
            await session.exec(text("SELECT 1"))
            note("database", Level.ok, db.engine.url.render_as_string(hide_password=True))
            applied = set(
                (await session.exec(text("SELECT version_num FROM alembic_version"))).scalars()
            )
            wanted = await asyncio.to_thread(_script_heads, spec, settings)
            if applied == wanted:
                note("migrations", Level.ok, "at head " + ", ".join(sorted(wanted)))
            else:
                missing = ", ".join(sorted(wanted - applied)) or "-"
                note("migrations", Level.fail, f"not at head; run `mineadmin migrate` ({missing})")
            backlog, oldest = await outbox_backlog(session)
            level = Level.warn if oldest > BACKLOG_WARN_SECONDS else Level.ok
            note("outbox", level, f"{backlog} unsent, oldest {oldest:.0f} s")
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
        note("database", Level.fail, f"{type(exc).__name__}: {exc}"[:300])
    finally:
        await db.dispose()

    if settings.broker is BrokerKind.kafka:
        broker = kafka_broker(spec, settings)
        try:
            await broker.start()
            await broker.ping()
            note("broker", Level.ok, settings.kafka_bootstrap_servers)
        except Exception as exc:
            note("broker", Level.fail, f"{settings.kafka_bootstrap_servers}: {exc}"[:300])
        finally:
            await broker.stop()
    else:
        note("broker", Level.warn, "in-process broker (dev only)")
    return found
