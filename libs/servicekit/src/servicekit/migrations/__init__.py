"""Alembic for every service: one shared env.py, two version folders per database.

The ``servicekit`` branch (here) creates the platform tables (outbox, inbox, dead letters,
idempotency keys); each service's own ``migrations/versions`` holds its domain tables, and a
shared read model it keeps (``mining_rights``) brings a branch of its own. ``upgrade heads``
applies them all.
"""

import asyncio
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

HERE = Path(__file__).parent


Versions = Path | Sequence[Path]  # a service's version folders (ServiceSpec.migrations)


def alembic_config(
    *, database_url: str, service_versions: Versions, target_metadata: MetaData | None = None
) -> Config:
    folders = [service_versions] if isinstance(service_versions, Path) else service_versions
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option(
        "version_locations", " ".join(str(f) for f in (HERE / "versions", *folders))
    )
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["target_metadata"] = target_metadata
    return config


def upgrade(*, database_url: str, service_versions: Versions) -> None:
    """Bring the database to the newest revision of every branch. Safe to run repeatedly."""
    command.upgrade(
        alembic_config(database_url=database_url, service_versions=service_versions), "heads"
    )


async def upgrade_async(*, database_url: str, service_versions: Versions) -> None:
    await asyncio.to_thread(upgrade, database_url=database_url, service_versions=service_versions)
