"""Alembic for every service: one shared env.py, two version folders per database.

The ``servicekit`` branch (here) creates the platform tables (outbox, inbox, dead letters,
idempotency keys); each service's own ``migrations/versions`` holds its domain tables.
``upgrade heads`` applies both.
"""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

HERE = Path(__file__).parent


def alembic_config(
    *, database_url: str, service_versions: Path, target_metadata: MetaData | None = None
) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("version_locations", f"{HERE / 'versions'} {service_versions}")
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["target_metadata"] = target_metadata
    return config


def upgrade(*, database_url: str, service_versions: Path) -> None:
    """Bring the database to the newest revision of both branches. Safe to run repeatedly."""
    command.upgrade(
        alembic_config(database_url=database_url, service_versions=service_versions), "heads"
    )


async def upgrade_async(*, database_url: str, service_versions: Path) -> None:
    await asyncio.to_thread(upgrade, database_url=database_url, service_versions=service_versions)
