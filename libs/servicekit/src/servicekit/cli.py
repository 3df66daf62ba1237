"""``mineadmin``: one command for operators and developers."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from servicekit.auth import Role, mint_dev_token
from servicekit.migrations import upgrade
from servicekit.services import installed_services
from servicekit.settings import ServiceSettings

app = typer.Typer(
    help="Erenhot mineral-resources administration 二连浩特市矿产资源管理", no_args_is_help=True
)


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="Role the token carries.")],
    holder_id: Annotated[str | None, typer.Option(help="Required for enterprise.")] = None,
    org_id: Annotated[str | None, typer.Option(help="Required for evaluator.")] = None,
    subject: Annotated[str | None, typer.Option(help="Token subject (user id).")] = None,
    hours: Annotated[int, typer.Option(help="Validity in hours.")] = 12,
) -> None:
    """Print a dev bearer token (HS256, signed with MINEADMIN_JWT_SECRET or the dev default)."""
    if role is Role.enterprise and not holder_id:
        raise typer.BadParameter("an enterprise token needs --holder-id")
    if role is Role.evaluator and not org_id:
        raise typer.BadParameter("an evaluator token needs --org-id")
    settings = ServiceSettings()
    typer.echo(
        mint_dev_token(
            settings,
            role=role,
            holder_id=holder_id,
            org_id=org_id,
            subject=subject,
            ttl_seconds=hours * 3600,
        )
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
) -> None:
    """Check each service: readiness, database, migrations, outbox, dead letters, calendar,
    broker, consumer lag. Exits 1 when any check FAILs (thresholds: the DOCTOR_* settings)."""
    import json
    from datetime import date

    from servicekit.doctor import Level, diagnose

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


@app.command()
def dev(
    data_dir: Annotated[Path, typer.Option(help="Where dev data lives (git-ignored).")] = Path(
        ".data"
    ),
    port_offset: Annotated[int, typer.Option(help="Added to every service's port.")] = 0,
) -> None:
    """Run all services on ports 8001-8004 with embedded PostgreSQL and the in-process broker."""
    from servicekit.devserver import run_dev

    asyncio.run(run_dev(data_dir.resolve(), port_offset=port_offset))


def main() -> None:
    app()
