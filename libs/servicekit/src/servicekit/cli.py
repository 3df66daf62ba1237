"""``mineadmin``: the operator commands every image carries (``migrate``, ``seed``, ``doctor``,
``topics apply``, ``after-restore``).

Development adds its own (``dev``, ``token``) through the ``mineadmin.commands`` entry point
of devkit, which service images do not install."""

import asyncio
import os
from datetime import datetime, timedelta
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from servicekit.migrations import upgrade
from servicekit.services import installed_services

DEV_ENV_FILE = Path(".data/dev.env")


def read_env_file(path: Path) -> dict[str, str]:
    """The ``KEY=value`` lines of ``path`` (none when it does not exist)."""
    if not path.is_file():
        return {}
    found = {}
    for line in path.read_text().splitlines():
        key, sep, value = line.partition("=")
        if sep and not key.lstrip().startswith("#"):
            found[key.strip()] = value.strip()
    return found


def load_env_file(path: Path) -> None:
    """``KEY=value`` lines into the environment, where the environment has no such key."""
    for key, value in read_env_file(path).items():
        os.environ.setdefault(key, value)


app = typer.Typer(
    help="Erenhot mineral-resources administration 二连浩特市矿产资源管理", no_args_is_help=True
)


@app.command()
def migrate(
    service: Annotated[list[str] | None, typer.Option(help="Only these services.")] = None,
) -> None:
    """Apply every pending migration to each service's own database (its *_DATABASE_URL)."""
    for name, spec in installed_services().items():
        if service and name not in service:
            continue
        upgrade(database_url=spec.settings().database_url, service_versions=spec.migrations)
        typer.echo(f"{name}: migrated")


@app.command("seed")
def seed_command(
    service: Annotated[list[str] | None, typer.Option(help="Only these services.")] = None,
) -> None:
    """Load each service's reference data (2021-2025 plan edition, mines of 专栏一); repeatable."""
    from servicekit.runtime import service_database
    from servicekit.seed import seed

    async def run() -> None:
        for name, spec in installed_services().items():
            if service and name not in service:
                continue
            db = service_database(spec, spec.settings(), pool_size=1)
            try:
                await seed(spec, db)
            finally:
                await db.dispose()
            typer.echo(f"{name}: seeded")

    asyncio.run(run())


@app.command()
def doctor(
    service: Annotated[list[str] | None, typer.Option(help="Only these services.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document, for probes.")] = False,
    env_file: Annotated[
        Path,
        typer.Option(
            help="Settings to check with, read when the file exists; the environment wins over "
            "it. `mineadmin dev` writes the default one for the stack it runs."
        ),
    ] = DEV_ENV_FILE,
) -> None:
    """Check each service: readiness, database, migrations, outbox, dead letters, calendar,
    broker, consumer lag. Exits 1 when any check FAILs (thresholds: the DOCTOR_* settings)."""
    import json
    from datetime import date

    from servicekit.doctor import Level, diagnose

    load_env_file(env_file)

    async def run() -> list:
        findings = []
        for name, spec in installed_services().items():
            if not service or name in service:
                findings += await diagnose(spec, spec.settings(), today=date.today())
        return findings

    findings = asyncio.run(run())
    healthy = all(f.level is not Level.fail for f in findings)
    if as_json:
        document = {"healthy": healthy, "findings": [f.as_json() for f in findings]}
        typer.echo(json.dumps(document, ensure_ascii=False))
    else:
        for f in findings:
            typer.echo(f"{f.service:<12} {f.check:<13} {f.level:<5} {f.detail}")
    if not healthy:
        raise typer.Exit(1)


topics_app = typer.Typer(help="The Kafka topics the services need (servicekit.topics).")
app.add_typer(topics_app, name="topics")


@topics_app.command("apply")
def topics_apply(
    dry_run: Annotated[bool, typer.Option(help="Only say what would change.")] = False,
    allow_shrink: Annotated[
        bool, typer.Option(help="Let a shorter retention delete older records.")
    ] = False,
) -> None:
    """Create the missing topics and set their configs (MINEADMIN_KAFKA_* settings); exits 1,
    naming the topic, on a change it refuses (partitions, replication factor, a shorter
    retention). Idempotent: run it at every deploy, before the services start."""
    from servicekit.settings import ServiceSettings
    from servicekit.topics import Action, apply, plan_changes

    settings = ServiceSettings()
    run = plan_changes if dry_run else apply
    changes = asyncio.run(run(settings, allow_shrink=allow_shrink))
    for change in changes:
        typer.echo(f"{change.topic:<32} {change.action:<7} {change.detail}")
    if any(c.action is Action.refuse for c in changes):
        raise typer.Exit(1)


@app.command("after-restore")
def after_restore(
    since: Annotated[
        str, typer.Option(help="The backup point: when the backup started (ISO 8601, with zone).")
    ],
    service: Annotated[list[str] | None, typer.Option(help="Only these services.")] = None,
    rewind: Annotated[
        bool, typer.Option(help="Set each consumer group back to --since (services stopped).")
    ] = True,
    margin_minutes: Annotated[
        float, typer.Option(help="Replay from this long before --since (re-reading is harmless).")
    ] = 10,
) -> None:
    """After restoring the databases from a backup: list the writes each service acknowledged
    after the backup point and lost (events on its topic its outbox lacks), move the change
    stamps past any ETag handed out before, and rewind the consumer groups so the restarted
    services apply what they consumed since, once."""
    from servicekit import change_stamps, restore
    from servicekit.runtime import service_database

    try:
        point = datetime.fromisoformat(since)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {since}") from exc
    if point.tzinfo is None:
        raise typer.BadParameter("give the time zone, e.g. 2026-12-06T03:00:00+08:00")
    # an event produced just before the backup may have been applied only after it
    replay_from = point - timedelta(minutes=margin_minutes)

    async def run() -> None:
        for name, spec in installed_services().items():
            if service and name not in service:
                continue
            settings = spec.settings()
            db = service_database(spec, settings, pool_size=1)
            try:
                lost = await restore.lost_writes(spec, settings, db, point)
                await change_stamps.after_restore(db)
            finally:
                await db.dispose()
            typer.echo(f"{name}: {len(lost)} acknowledged writes since {point.isoformat()} lost")
            for event in lost:
                typer.echo(
                    f"{name}: LOST {event.type} subject={event.subject} id={event.event_id} "
                    f"at={event.time} ({event.topic}/{event.partition}@{event.offset})"
                )
            if rewind:
                for topic, count in (await restore.rewind(spec, settings, replay_from)).items():
                    typer.echo(f"{name}: replays {count} records of {topic}")

    asyncio.run(run())


# Commands other installed packages add (devkit's `dev` and `token`); an image has none.
for _command in entry_points(group="mineadmin.commands"):
    app.command(_command.name)(_command.load())


def main() -> None:
    app()
