"""What a request's transaction carries: its session and the Idempotency-Key claim it holds.

Shared by ``unit_of_work`` (which opens and commits it) and ``idempotency`` (which claims a key
in it), so that neither imports the other's module for it.
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.db import Database


@dataclass(frozen=True)
class Claim:
    scope: str
    key: str
    fingerprint: str
    retention: timedelta
    idle: timedelta  # see idempotency._TRY_LOCK

    @property
    def lock_key(self) -> int:
        """A signed 64-bit advisory-lock key for the caller's key (jobs.lock_key's scheme)."""
        name = f"mineadmin:idempotency:{self.scope}\n{self.key}"
        return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


@dataclass
class UnitOfWork:
    db: Database
    read_only: bool = False  # GET and HEAD: the read-only pool, no transaction to commit
    session: AsyncSession | None = None
    claim: Claim | None = None

    def get_read_session(self) -> AsyncSession:
        """A read-only session even for a POST (a dry run), unless the request already has a
        session: an Idempotency-Key claim takes the write session first (its lock and record
        need a transaction), so a keyed dry run runs there and its answer is kept."""
        if self.session is None:
            self.read_only = True
        return self.get_session()

    def get_session(self) -> AsyncSession:
        if self.session is None:
            self.session = self.db.read_sessions() if self.read_only else self.db.sessions()
        return self.session

    async def close(self) -> None:
        """Give the connection back; an open transaction rolls back, releasing any claim."""
        if self.session is not None:
            await self.session.close()
            self.session = None
