"""Reading the feed and the catalogue: positions from cursors, the caller's share of the log."""

from functools import cache
from typing import Any

from contracts import asyncapi, registry
from servicekit.auth import Principal
from servicekit.errors import FieldError, validation_error
from sqlmodel.ext.asyncio.session import AsyncSession

from notifier.feed import cursor, privacy
from notifier.feed.cloudevents import structured
from notifier.journal import service as journal


def position_of(value: str | None, *, field: str) -> int:
    """The log position a caller's cursor names (0: the beginning); 422 on ``field`` else."""
    if value is None:
        return 0
    try:
        return cursor.decode(value)
    except cursor.BadCursor as exc:
        raise validation_error([FieldError(field=field, message=str(exc))]) from None


def check_types(types: list[str] | None, *, field: str) -> list[str] | None:
    """422 naming every type the contracts' catalogue does not have."""
    if not types:
        return types
    unknown = [t for t in types if t not in registry]
    if unknown:
        raise validation_error(
            [
                FieldError(field=field, message=f"unknown event type {t!r}; see GET /event-types")
                for t in unknown
            ]
        )
    return types


async def page(
    *,
    session: AsyncSession,
    caller: Principal,
    after: str | None,
    types: list[str] | None,
    limit: int,
) -> dict[str, Any]:
    """The caller's next page of the log: enterprises only their own holder's events, personal
    fields only for those entitled (``privacy``)."""
    start = position_of(after, field="query.after")
    entries = await journal.read_after(
        session=session,
        after=start,
        limit=limit,
        types=check_types(types, field="query.types"),
        holder_id=str(caller.own_holder) if caller.own_holder else None,
    )
    personal_data = privacy.sees_personal(caller)
    events = [structured(entry, personal_data=personal_data) for entry in entries]
    last = entries[-1].id if entries else start
    return {"events": events, "next": cursor.encode(last or 0)}


def catalogue() -> list[dict[str, Any]]:
    return [
        {
            "type": model.event_type,
            "topic": model.topic,
            "source": f"/services/{model.topic.split('.')[0]}",
            "summary": model.summary,
            "personal_fields": sorted(privacy.personal(model.event_type)),
            "schema": model.model_json_schema(),
        }
        for model in registry
    ]


@cache
def asyncapi_document() -> str:
    """The AsyncAPI document, rendered once per process (the registry does not change)."""
    return asyncapi.render()
