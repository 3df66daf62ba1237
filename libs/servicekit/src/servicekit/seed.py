"""Reference data: each service loads its own, in one transaction, through its outbox."""

from servicekit.db import Database
from servicekit.spec import ServiceSpec


async def seed(spec: ServiceSpec, db: Database) -> None:
    """Run the service's seed hook; its events leave through the outbox like any other."""
    if spec.seed is None:
        return
    async with db.transaction() as session:
        await spec.seed(session)
