"""HTTP for the feed and the catalogue of event types."""

from typing import Annotated

from fastapi import APIRouter, Query, Response
from servicekit.deps import Reader, Session

from notifier.feed import service
from notifier.feed.schemas import EventPage, EventType, FeedQuery

router = APIRouter(tags=["events 领域事件"])


@router.get("/events", summary="Poll the domain events 领域事件轮询")
async def poll_events(
    session: Session, caller: Reader, query: Annotated[FeedQuery, Query()]
) -> EventPage:
    """The domain events of rights-api, restoration-api and greenmine-api after `after`, in the
    order the notifier logged them (a mine's events in the order they happened), as CloudEvents
    1.0 (structured mode). Keep the answer's `next` and pass it as `after` next time: cursors
    are positions in a database log and stay valid across restarts. Government systems, the
    bureau and inspectors read every event; an enterprise only its own holder's. An
    enterprise's personal contact data is left out for callers not entitled to it (see
    `personal_fields` in `GET /event-types`)."""
    return EventPage.model_validate(
        await service.page(
            session=session,
            caller=caller,
            after=query.after,
            types=query.types,
            limit=query.limit,
        )
    )


@router.get("/event-types", summary="Catalogue of event types 事件类型目录")
async def list_event_types() -> list[EventType]:
    """Every event type with its topic, source, summary, its personal fields and the JSON Schema
    of its `data`. The whole AsyncAPI document is at `/asyncapi.yaml`. Public: it is the
    contract, and holds no data."""
    return [EventType.model_validate(item) for item in service.catalogue()]


@router.get(
    "/asyncapi.yaml",
    summary="AsyncAPI document 事件接口文档",
    response_class=Response,
    responses={200: {"content": {"application/yaml": {}}}},
)
async def asyncapi_document() -> Response:
    """The AsyncAPI 3.0 document of every event (the same as `docs/asyncapi.yaml`). Public."""
    return Response(service.asyncapi_document(), media_type="application/yaml")
