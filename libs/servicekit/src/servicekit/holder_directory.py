"""Which rights holder a unified social credit code 统一社会信用代码 names, for tokens whose
provider identifies an enterprise by its credit code (``jwt_holder_credit_code_claim``).

rights-api owns the holders and answers from its own database; every other service asks it
(``GET /holders?credit_code=``, through ``servicekit.peers`` with its service token). A holder
found is remembered for ``holder_lookup_cache_seconds`` (a holder's credit code does not change
hands); a code that names no holder is not, so a holder registered a moment ago is found."""

import time
import uuid
from collections.abc import Awaitable, Callable

from servicekit.settings import ServiceSettings

Lookup = Callable[[str], Awaitable[uuid.UUID | None]]


class HolderDirectory:
    SIZE = 4096

    def __init__(self, lookup: Lookup, *, cache_seconds: float) -> None:
        self._lookup, self._cache_seconds = lookup, cache_seconds
        self._found: dict[str, tuple[uuid.UUID, float]] = {}

    async def holder_for(self, credit_code: str) -> uuid.UUID | None:
        cached = self._found.get(credit_code)
        if cached is not None and time.monotonic() < cached[1]:
            return cached[0]
        holder_id = await self._lookup(credit_code)
        if holder_id is not None:
            if len(self._found) >= self.SIZE:
                self._found.clear()
            self._found[credit_code] = (holder_id, time.monotonic() + self._cache_seconds)
        return holder_id


def ask_rights_api(settings: ServiceSettings) -> Lookup:
    """The lookup of a service that does not own the holders."""
    from servicekit.peers import get_json  # peers signs with auth's minting

    async def lookup(credit_code: str) -> uuid.UUID | None:
        page = await get_json(
            settings, "rights", "/holders", params={"credit_code": credit_code, "limit": 1}
        )
        items = page.get("items") or []
        return uuid.UUID(items[0]["id"]) if items else None

    return lookup
