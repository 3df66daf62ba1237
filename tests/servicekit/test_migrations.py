"""Each service's migrations build exactly the tables its models describe."""

from pathlib import Path

import mining_rights
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from servicekit.services import installed_services
from servicekit.tables import platform_metadata
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

SERVICES = installed_services()


def declared_tables(spec) -> MetaData:
    """The platform tables plus every SQLModel table defined in the service's package and in
    the shared read models it keeps (their migration branch is among its version folders)."""
    folders = [spec.migrations] if isinstance(spec.migrations, Path) else list(spec.migrations)
    packages = [spec.package] + (["mining_rights"] if mining_rights.MIGRATIONS in folders else [])
    metadata = MetaData()
    for table in platform_metadata.tables.values():
        table.to_metadata(metadata)
    for mapper in SQLModel._sa_registry.mappers:
        if mapper.class_.__module__.split(".")[0] in packages:
            mapper.class_.__table__.to_metadata(metadata)
    return metadata


@pytest.mark.parametrize("name", SERVICES)
async def test_migrations_match_the_models(databases, name):
    spec = SERVICES[name]
    __import__(f"{spec.package}.app")  # importing the app imports every model of the service
    engine = create_async_engine(await databases.create(name))
    try:
        async with engine.connect() as conn:
            diffs = await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}),
                    declared_tables(spec),
                )
            )
    finally:
        await engine.dispose()
    assert diffs == [], f"{name}: migrations and models differ; write a migration: {diffs}"
