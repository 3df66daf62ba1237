"""Levers the fault tests pull on a running system (see the ``shared_system`` fixture)."""

import asyncpg
from sqlalchemy.engine import make_url

from tests.e2e.system import System


def dsn(url: str) -> str:
    """A SQLAlchemy URL as asyncpg.connect() takes it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def connect(system: System, service: str, *, database: str | None = None):
    """A plain connection to the service's database (or to ``database`` on the same server)."""
    url = make_url(system.database_urls[service])
    if database is not None:
        url = url.set(database=database)
    return await asyncpg.connect(dsn(url.render_as_string(hide_password=False)))
