"""HTTP for corner files 拐点坐标文件: a right's boundary out, any file's boundary in."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from servicekit import clock
from servicekit.deps import Reader, Session
from servicekit.downloads import download
from servicekit.errors import PROBLEM_RESPONSES, ProblemError, problem_doc
from servicekit.request_checks import UnsupportedMediaType
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from rights_api.corners import service
from rights_api.corners.schemas import EXAMPLE_TEXT, CornersParsed, CornersQuery

router = APIRouter(tags=["rights 矿业权"])


class ClientGone(ProblemError):
    """The client left while sending (its answer, if any, is already on its way)."""

    status, slug, title = 400, "client-disconnected", "The client hung up while sending"


@router.get(
    "/rights/{right_id}/corners.txt",
    response_class=Response,
    summary="A right's corner coordinates 矿业权范围拐点坐标文件",
    responses={
        200: {"content": {"text/plain": {"example": EXAMPLE_TEXT}}, "description": "坐标文本"},
        404: problem_doc("No such right (or not yours), or no boundary recorded"),
        **PROBLEM_RESPONSES,
    },
)
async def corners_txt(
    right_id: UUID, session: Session, caller: Reader, query: Annotated[CornersQuery, Query()]
) -> Response:
    """The right's boundary as the corner-coordinate text (拐点坐标, 国土TXT layout): the
    `[属性描述]` header (CGCS2000, 3-degree Gauss-Krüger, zone 37, metres), then per part of the
    boundary a parcel record `界址点数,地块面积,地块编号,地块名称,面,,地块用途,,@` and its points
    `点号,圈号,X,Y` (圈号 1 outer ring, 2… holes; each ring closed by its first point). `crs`
    picks the form: EPSG:4525 (Y with zone prefix 37) or EPSG:4546 (no prefix). Visible as
    `GET /rights/{id}` is.
    """
    right, text = await service.corner_file(
        session=session,
        right_id=right_id,
        caller=caller,
        crs=query.crs,
        today=clock.local_today(),
    )
    filename = f"{right.licence_no}-{query.crs.value.replace(':', '')}.txt"
    return download(
        text.encode(query.encoding),
        media_type=f"text/plain; charset={query.encoding}",
        filename=filename,
    )


@router.post(
    "/rights/corners/parse",
    summary="Read a corner-coordinate file 解析拐点坐标文件",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"type": "string"}, "example": EXAMPLE_TEXT}},
        }
    },
    responses={
        # the body is read here, not by FastAPI, so servicekit cannot see it to document these
        413: problem_doc("Request body too large 请求体过大"),
        415: problem_doc("Not text/plain"),
        422: problem_doc("The file is wrong: `line` names where"),
    },
)
async def parse_corners(request: Request, _: Reader) -> CornersParsed:
    """Send a corner file (`text/plain`, UTF-8 or GB18030) in either Gauss-Krüger form; get its
    boundary as GeoJSON in CGCS2000 longitude/latitude (a Polygon, or a MultiPolygon for several
    parcels) and its geodesic area, ready for `boundary` in an application. A wrong file is a
    422 whose `line` (and message) names the first wrong line: a bad header, a bad number, an
    unclosed ring, a ring of too few points, an unknown ring marker (圈号), a count that does not
    match 界址点数, a point far from Erenhot, a self-intersecting ring.
    """
    declared = request.headers.get("content-type", "")
    if declared.partition(";")[0].strip().lower() != "text/plain":
        raise UnsupportedMediaType(f"This operation takes text/plain, not {declared or 'nothing'}.")
    try:
        raw = await request.body()
    except ClientDisconnect:  # body_limit answered 413 and hung up; nothing to parse
        raise ClientGone() from None
    # a ring of 10 000 corners takes about half a second of CPU: off the event loop
    return await run_in_threadpool(service.parse, raw)
