"""``GET /rights/{right_id}`` as a hot read (servicekit.hot_reads): the right most systems ask
for, from one prepared SELECT. It serves only what the route would serve with a 200; anything
else (an id not in canonical form, no such right, another holder's) goes on to the route."""

from uuid import UUID

import asyncpg
from pydantic import TypeAdapter
from servicekit.auth import Principal
from servicekit.concurrency import etag
from servicekit.hot_reads import HotRead
from starlette.responses import Response

from rights_api.rights.schemas import PUBLIC_COLUMNS, RightPublic

SELECT = f"SELECT {', '.join(PUBLIC_COLUMNS)} FROM rights WHERE id = $1"
_JSON = TypeAdapter(RightPublic)


async def right_by_id(conn: asyncpg.Connection, caller: Principal, value: str) -> Response | None:
    try:
        right_id = UUID(value)
    except ValueError:
        return None
    if str(right_id) != value:  # other spellings are the route's to accept or refuse
        return None
    row = await conn.fetchrow(SELECT, right_id)
    if row is None or not caller.sees_holder(row["holder_id"]):
        return None
    return Response(
        _JSON.dump_json(RightPublic.of_columns(row)),
        media_type="application/json",
        headers={"ETag": etag(row["version"])},
    )


HOT_READS = [HotRead("/rights/{right_id}", right_by_id)]
