"""The development commands of ``mineadmin``, registered through the ``mineadmin.commands``
entry point: servicekit's operator CLI picks them up wherever devkit is installed."""

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from servicekit.auth import Role, mint_dev_token
from servicekit.dev_mode import DevModeOnNetwork
from servicekit.settings import SHARED_PREFIX, ServiceSettings

SECRET_FILE_VARIABLE = f"{SHARED_PREFIX}DEV_SECRET_FILE"


def token(
    role: Annotated[Role, typer.Option(help="Role the token carries.")],
    holder_id: Annotated[str | None, typer.Option(help="Required for enterprise.")] = None,
    org_id: Annotated[str | None, typer.Option(help="Required for evaluator.")] = None,
    subject: Annotated[str | None, typer.Option(help="Token subject (user id).")] = None,
    hours: Annotated[int, typer.Option(help="Validity in hours.")] = 12,
) -> None:
    """Print a dev bearer token (HS256) for the `mineadmin dev` stack: signed with its
    installation's secret (.data/dev-jwt-secret, as .data/dev.env names it), or with
    MINEADMIN_JWT_SECRET when set."""
    if role is Role.enterprise and not holder_id:
        raise typer.BadParameter("an enterprise token needs --holder-id")
    if role is Role.evaluator and not org_id:
        raise typer.BadParameter("an evaluator token needs --org-id")
    from servicekit.cli import DEV_ENV_FILE, read_env_file  # that module loads this one

    # the secret of the stack `mineadmin dev` runs (its data dir may be another than .data)
    secret_file = read_env_file(DEV_ENV_FILE).get(SECRET_FILE_VARIABLE)
    if secret_file and SECRET_FILE_VARIABLE not in os.environ:
        settings = ServiceSettings(dev_secret_file=Path(secret_file))
    else:
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


def dev(
    data_dir: Annotated[Path, typer.Option(help="Where dev data lives (git-ignored).")] = Path(
        ".data"
    ),
    port_offset: Annotated[int, typer.Option(help="Added to every service's port.")] = 0,
    host: Annotated[
        str,
        typer.Option(help="Address to serve: loopback unless MINEADMIN_DEV_MODE_ON_NETWORK=true."),
    ] = "127.0.0.1",
) -> None:
    """Run all services on ports 8001-8004 (metrics 8101-8104) on embedded PostgreSQL and a
    local Kafka broker (127.0.0.1:9092); `mineadmin doctor` then checks this stack."""
    from devkit.devserver import run_dev  # uvicorn and the services load only when dev runs

    try:
        asyncio.run(run_dev(data_dir.resolve(), host=host, port_offset=port_offset))
    except DevModeOnNetwork as exc:
        raise SystemExit(f"mineadmin dev: {exc}") from None
