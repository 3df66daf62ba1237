"""HTTP for offline sync: parse, authorize, call the service, shape the response (with its
ETag, and gzip when the app accepts it)."""

import gzip
import hashlib
import json
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from servicekit.deps import BureauOrInspector
from servicekit.errors import Forbidden, problem_doc

from rights_api.attachments.http import Settings
from rights_api.sync import service
from rights_api.sync.schemas import SyncPayload, SyncQuery

router = APIRouter(tags=["sync 离线同步"])
# below this a gzip member costs more than it saves
GZIP_FROM_BYTES = 512


def _accepts_gzip(accept_encoding: str | None) -> bool:
    for part in (accept_encoding or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


@router.get(
    "/sync",
    summary="Offline sync for inspection apps 巡查App离线同步",
    responses={
        200: {"headers": {"ETag": {"schema": {"type": "string"}}}},
        304: {"description": "Nothing new since the `If-None-Match` ETag 未变化"},
        403: problem_doc("Not an inspector or bureau staff, or naming another inspector"),
        422: problem_doc("Malformed, expired or another inspector's `since` token"),
    },
)
async def sync(
    request: Request,
    caller: BureauOrInspector,
    config: Settings,
    query: Annotated[SyncQuery, Query()],
    if_none_match: Annotated[str | None, Header()] = None,
    accept_encoding: Annotated[str | None, Header()] = None,
) -> SyncPayload:
    """What the app needs in the field, as one versioned payload (`schema_version`): the mines
    assigned to the inspector (`POST /inspector-assignments`, random patrols 随机巡查 included)
    with their boundaries and licensed elevations 开采标高, their open compliance orders 限期整改
    and restoration rectifications 治理恢复整改, and their inspection records of the last
    `RIGHTS_SYNC_INSPECTION_DAYS` days. Keep the answer's `token` and send it as `since` next
    time: only what changed comes back, and `removed` lists tombstones for what the app holds and
    must delete (an order resolved, a mine taken off the inspector, a record out of the window).
    The token is opaque, survives restarts and reads no clock; it is the inspector's own (another
    inspector's is a 422). The answer carries an `ETag` (send it in `If-None-Match` for a 304) and
    is gzip-compressed when `Accept-Encoding` allows.
    """
    inspector = caller.subject
    if query.inspector is not None and query.inspector != caller.subject:
        if not caller.is_bureau:
            raise Forbidden("An inspector syncs its own mines only.")
        inspector = query.inspector
    # not the GET's read-only session: a sync records what the app was sent (the snapshot its
    # next `since` is compared with), in a transaction of its own on the primary
    async with request.app.state.runtime.db.transaction() as session:
        body = await service.sync(
            session=session, settings=config, inspector=inspector, since=query.since
        )
    raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    etag = f'"{hashlib.sha256(raw).hexdigest()[:32]}"'
    headers = {"ETag": etag, "Vary": "Accept-Encoding", "Cache-Control": "private, no-cache"}
    sent = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",")}
    if etag in sent or "*" in sent:
        return Response(status_code=304, headers=headers)  # type: ignore[return-value]
    if _accepts_gzip(accept_encoding) and len(raw) >= GZIP_FROM_BYTES:
        raw = gzip.compress(raw, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(raw, media_type="application/json", headers=headers)  # type: ignore[return-value]
