"""Rules for inspections. Functions never commit: the request owns the transaction.

Offline protocol: the app picks a UUID per record and sends ``PUT /inspections/{uuid}`` until
it gets an answer. The same body again is the same record (200, nothing written); a different
body, or another inspector, under a UUID already used is refused with 409: a stored inspection
record is evidence and is never silently replaced. The first store publishes
``rights.inspection.recorded`` (with the out-of-bounds flag); a replay publishes nothing.
Photos follow, one request each, and are deduplicated by content hash.
"""

import hashlib
import json
from decimal import Decimal
from typing import Any
from uuid import UUID

from contracts.rights import InspectionEdited, InspectionRecorded
from pydantic_core import to_jsonable_python
from servicekit import clock
from servicekit.auth import Principal
from servicekit.errors import Conflict, FieldError, Forbidden, validation_error
from servicekit.pagination import Page, PageParams, paginate
from shapely.geometry import Point, shape
from shapely.prepared import prep
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.attachments import service as attachments
from rights_api.attachments.models import Attachment
from rights_api.attachments.schemas import AttachmentPublic
from rights_api.inspections.models import Inspection, InspectionPhoto
from rights_api.inspections.schemas import (
    OUT_OF_BOUNDS,
    OUT_OF_LEVEL,
    InspectionEdit,
    InspectionFilters,
    InspectionPublic,
    InspectionPut,
)
from rights_api.patrols import service as patrols
from rights_api.patrols.models import PatrolDraw
from rights_api.rights import service as rights
from rights_api.rights.models import Right
from rights_api.settings import RightsSettings

PHOTOS = attachments.Links(
    InspectionPhoto, "inspection_id", missing="Inspection {} has no photo {}.", purpose="photo"
)


def body_hash(data: InspectionPut) -> str:
    """Canonical form: key order, spacing and time-zone notation do not matter."""
    body = data.model_dump(mode="json")
    for later in ("working_face_elevation_m", "patrol_draw_id"):
        if body[later] is None:  # a body from before the field is unchanged
            del body[later]
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def outside_boundary(
    boundary: dict[str, Any] | None, points: list[tuple[float, float]]
) -> list[int] | None:
    """Indexes of the points outside the licensed boundary (a point on the edge is inside);
    None without a boundary. Longitude/latitude are compared as planar coordinates, which is
    exact for a containment test at the scale of a mine."""
    if not boundary:
        return None
    area = prep(shape(boundary))
    return [i for i, (lon, lat) in enumerate(points) if not area.covers(Point(lon, lat))]


def out_of_level(right: Right, elevation: Decimal | None) -> bool | None:
    """Whether the working face lies outside the licensed elevation range 超层越界 (the ends
    are inside); None when the range or the face's elevation is not on record."""
    top, bottom = right.elevation_top_m, right.elevation_bottom_m
    if elevation is None or top is None or bottom is None:
        return None
    return not bottom <= elevation <= top


async def record(
    *, session: AsyncSession, client_uuid: UUID, data: InspectionPut, inspector: Principal
) -> tuple[InspectionPublic, bool]:
    """The inspection as the API shows it, and whether this call created it."""
    inspection, created = await _stored(
        session=session, client_uuid=client_uuid, data=data, inspector=inspector
    )
    [shown] = await public(session=session, inspections=[inspection])
    return shown, created


async def _stored(
    *, session: AsyncSession, client_uuid: UUID, data: InspectionPut, inspector: Principal
) -> tuple[Inspection, bool]:
    digest = body_hash(data)
    existing = await session.get(Inspection, client_uuid)
    if existing is not None:
        return _replayed(existing, digest, inspector), False
    right = await session.get(Right, data.right_id)
    if right is None:
        raise validation_error(
            [FieldError(field="body.right_id", message=f"no right {data.right_id}")]
        )
    if data.patrol_draw_id is not None:
        await _check_patrol(session=session, data=data)
    points = [(p.lon, p.lat) for p in data.working_face]
    outside = outside_boundary(right.boundary, points)
    inserted = await session.scalar(
        insert(Inspection)
        .values(
            id=client_uuid,
            right_id=right.id,
            inspector=inspector.subject,
            inspector_name=data.inspector_name,
            inspected_at=data.inspected_at,
            working_face=[p.model_dump(mode="json") for p in data.working_face],
            findings=data.findings,
            out_of_bounds=None if outside is None else bool(outside),
            outside_points=outside,
            working_face_elevation_m=data.working_face_elevation_m,
            out_of_level=out_of_level(right, data.working_face_elevation_m),
            patrol_draw_id=data.patrol_draw_id,
            body_sha256=digest,
            received_at=clock.now(),
            version=1,
            edits=[],
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(Inspection.id)
    )
    inspection = await session.get(Inspection, client_uuid, populate_existing=True)
    assert inspection is not None
    if inserted is None:  # the same uuid arrived twice at once; the other request stored it
        return _replayed(inspection, digest, inspector), False
    await rights.publish_about(
        session,
        InspectionRecorded,
        right,
        inspection_id=inspection.id,
        inspected_at=inspection.inspected_at,
        out_of_bounds=inspection.out_of_bounds,
        out_of_level=inspection.out_of_level,
        violations=violations(inspection),
        patrol_draw_id=inspection.patrol_draw_id,
    )
    return inspection, True


async def _check_patrol(*, session: AsyncSession, data: InspectionPut) -> None:
    """A patrol's findings are about the mines it drew, and no other."""
    draw = await session.get(PatrolDraw, data.patrol_draw_id)
    if draw is None:
        message = f"no patrol draw {data.patrol_draw_id}"
    elif str(data.right_id) not in patrols.drawn_right_ids(draw):
        message = f"right {data.right_id} was not drawn in patrol {data.patrol_draw_id}"
    else:
        return
    raise validation_error([FieldError(field="body.patrol_draw_id", message=message)])


def violations(inspection: Inspection) -> list[str]:
    flags = [(inspection.out_of_bounds, OUT_OF_BOUNDS), (inspection.out_of_level, OUT_OF_LEVEL)]
    return [code for flagged, code in flags if flagged]


def _replayed(existing: Inspection, digest: str, inspector: Principal) -> Inspection:
    if existing.inspector != inspector.subject:
        raise Conflict(
            f"Inspection {existing.id} was recorded by another inspector; "
            "pick a new client_uuid for a new record.",
        )
    if existing.body_sha256 != digest:
        raise Conflict(
            f"Inspection {existing.id} was already recorded with a different body. A stored "
            "record is not replaced: send a new record with a new client_uuid.",
            body_sha256=existing.body_sha256,
        )
    return existing


async def get(*, session: AsyncSession, inspection_id: UUID, caller: Principal) -> Inspection:
    """404 too when it belongs to another holder's mine: nothing is learned about it (BOLA)."""
    inspection, _ = await rights.on_visible_right(
        session, Inspection, inspection_id, caller=caller, what="inspection"
    )
    return inspection


async def public(*, session: AsyncSession, inspections: list[Inspection]) -> list[InspectionPublic]:
    """The records as the API shows them, each with its photos."""
    photos = await PHOTOS.of(session=session, owner_ids=[i.id for i in inspections])
    return [
        InspectionPublic.model_validate(
            {
                **{name: getattr(inspection, name) for name in Inspection.model_fields},
                "violations": violations(inspection),
                "photos": photos[inspection.id],
            }
        )
        for inspection in inspections
    ]


async def show(
    *, session: AsyncSession, inspection_id: UUID, caller: Principal
) -> InspectionPublic:
    inspection = await get(session=session, inspection_id=inspection_id, caller=caller)
    [shown] = await public(session=session, inspections=[inspection])
    return shown


async def list_inspections(
    *, session: AsyncSession, page: PageParams, caller: Principal, filters: InspectionFilters
) -> Page[InspectionPublic]:
    query = rights.visible(select(Inspection), Inspection.right_id, caller)
    if filters.right_id is not None:
        query = query.where(Inspection.right_id == filters.right_id)
    if filters.out_of_bounds is not None:
        query = query.where(Inspection.out_of_bounds.is_(filters.out_of_bounds))
    if filters.out_of_level is not None:
        query = query.where(Inspection.out_of_level.is_(filters.out_of_level))
    if filters.patrol_draw_id is not None:
        query = query.where(Inspection.patrol_draw_id == filters.patrol_draw_id)
    rows = await paginate(session, query, page, order=(Inspection.received_at, Inspection.id))
    return rows.with_items(await public(session=session, inspections=rows.items))


async def edit(
    *, session: AsyncSession, inspection_id: UUID, data: InspectionEdit, caller: Principal
) -> InspectionPublic:
    """Apply an edit made on ``data.base_version``. A stale base is a 409 showing the edit as
    sent and the record as it is now; the same edit sent again after it was applied answers the
    record (an app retrying after a lost answer is not in conflict with itself)."""
    inspection = await get(session=session, inspection_id=inspection_id, caller=caller)
    if inspection.inspector != caller.subject:
        raise Forbidden("Only the inspector who recorded the inspection edits it.")
    await session.refresh(inspection, with_for_update=True)
    changes = data.changes()
    digest = hashlib.sha256(
        json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()
    ).hexdigest()
    if data.base_version != inspection.version:
        if data.base_version == inspection.version - 1 and digest == inspection.last_edit_sha256:
            return await show(session=session, inspection_id=inspection_id, caller=caller)
        [current] = await public(session=session, inspections=[inspection])
        raise Conflict(
            f"The edit was made on version {data.base_version}; the record is at version "
            f"{inspection.version}. Merge the two and send the edit again with base_version "
            f"{inspection.version}.",
            sent={"base_version": data.base_version, **changes},
            current=current.model_dump(mode="json"),
        )
    before = {name: to_jsonable_python(getattr(inspection, name)) for name in changes}
    for name in changes:
        setattr(inspection, name, getattr(data, name))
    if data.working_face is not None:
        inspection.working_face = [p.model_dump(mode="json") for p in data.working_face]
    right = await session.get(Right, inspection.right_id)
    assert right is not None
    if "working_face" in changes:
        outside = outside_boundary(right.boundary, [(p.lon, p.lat) for p in data.working_face])
        inspection.out_of_bounds = None if outside is None else bool(outside)
        inspection.outside_points = outside
    if "working_face_elevation_m" in changes:
        inspection.out_of_level = out_of_level(right, inspection.working_face_elevation_m)
    inspection.version += 1
    inspection.updated_at = clock.now()
    inspection.last_edit_sha256 = digest
    inspection.edits = [
        *inspection.edits,
        {
            "version": inspection.version,
            "edited_at": inspection.updated_at.isoformat(),
            "edited_by": caller.subject,
            "before": before,
        },
    ]
    session.add(inspection)
    await session.flush()
    await rights.publish_about(
        session,
        InspectionEdited,
        right,
        inspection_id=inspection.id,
        version=inspection.version,
        changed=sorted(changes),
        out_of_bounds=inspection.out_of_bounds,
        out_of_level=inspection.out_of_level,
        violations=violations(inspection),
    )
    [shown] = await public(session=session, inspections=[inspection])
    return shown


async def add_photo(
    *,
    session: AsyncSession,
    settings: RightsSettings,
    inspection_id: UUID,
    data: bytes,
    caller: Principal,
) -> tuple[AttachmentPublic, bool]:
    """Store the photo and link it to the record; the same photo again is one link (False)."""
    inspection = await get(session=session, inspection_id=inspection_id, caller=caller)
    stored = await attachments.store(
        session=session, settings=settings, data=data, allowed=attachments.PHOTO_TYPES
    )
    if inspection.inspector != caller.subject:
        raise Forbidden("Only the inspector who recorded the inspection adds its photos.")
    return await PHOTOS.add(
        session=session, owner_id=inspection.id, attachment=stored, by=caller.subject
    )


async def attach_photo(
    *, session: AsyncSession, settings: RightsSettings, inspection_id: UUID, data: bytes, by: str
) -> tuple[AttachmentPublic, bool]:
    """Store and link a photo whose upload was authorized when it began (a resumable upload
    completing): the same checks on the bytes as ``add_photo``."""
    stored = await attachments.store(
        session=session, settings=settings, data=data, allowed=attachments.PHOTO_TYPES
    )
    return await PHOTOS.add(session=session, owner_id=inspection_id, attachment=stored, by=by)


async def photo(
    *, session: AsyncSession, inspection_id: UUID, sha256: str, caller: Principal
) -> Attachment:
    """Whoever may read the inspection may read its photos; a hash alone opens nothing."""
    inspection = await get(session=session, inspection_id=inspection_id, caller=caller)
    return await PHOTOS.file(session=session, owner_id=inspection.id, sha256=sha256)
