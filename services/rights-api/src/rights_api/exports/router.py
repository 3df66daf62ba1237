"""HTTP for the planning database export: GeoPackage and zipped Shapefiles of a plan edition."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response
from servicekit.deps import Session, Visitor
from servicekit.downloads import download
from servicekit.errors import problem_doc

from rights_api.exports import service
from rights_api.exports.schemas import GPKG, ZIP, ExportParams

router = APIRouter(prefix="/plan-editions", tags=["planning database 规划数据库"])
RESPONSES = {
    404: problem_doc("No such plan edition 无此规划版本"),
    502: problem_doc("restoration-api did not answer: no partial export"),
}
Params = Annotated[ExportParams, Query()]


async def _file(
    edition_id: UUID,
    params: ExportParams,
    session: Any,
    caller: Any,
    request: Request,
    *,
    shp: bool,
) -> Response:
    export = await service.export(
        session=session,
        settings=request.app.state.settings,
        edition_id=edition_id,
        caller=caller,
        params=params,
        shapefile=shp,
    )
    return download(export.content, media_type=ZIP if shp else GPKG, filename=export.filename)


@router.get(
    "/{edition_id}/export.gpkg",
    summary="Planning database as GeoPackage 规划数据库导出（GeoPackage）",
    response_class=Response,
    responses={200: {"content": {GPKG: {}}, "description": "GeoPackage file"}, **RESPONSES},
)
async def export_geopackage(
    edition_id: UUID, params: Params, session: Session, caller: Visitor, request: Request
) -> Response:
    """The plan edition and the register as one GeoPackage (第七章四): the layers `zones`,
    `planned_blocks`, `prohibited_areas`, `rights`, `legacy_sites`, `restoration_areas`
    (MultiPolygon), attributes named by the catalogue (`GET /layers`), the table
    `layer_fields` mapping each to its Chinese and English name and Shapefile code. CRS
    CGCS2000 (EPSG:4490) or, with `?crs=EPSG:4546|EPSG:4525`, Gauss-Krüger. Anyone may export;
    the content is what the caller may see: the public gets the plan and the register without
    licence numbers, holders, validity or elevations; bureau, inspectors and gov_system get
    everything; an enterprise its own rights in full.
    """
    return await _file(edition_id, params, session, caller, request, shp=False)


@router.get(
    "/{edition_id}/export.shp.zip",
    summary="Planning database as Shapefiles 规划数据库导出（Shapefile）",
    response_class=Response,
    responses={200: {"content": {ZIP: {}}, "description": "zip of Shapefiles"}, **RESPONSES},
)
async def export_shapefiles(
    edition_id: UUID, params: Params, session: Session, caller: Visitor, request: Request
) -> Response:
    """The same layers as the GeoPackage, one Shapefile each (`.shp`, `.shx`, `.dbf`, `.prj`,
    `.cpg` = UTF-8) in a zip, with `layer_fields.csv`: attribute names are the catalogue's
    codes of at most 10 characters (DZ/T 0226's where found, e.g. `GHQBH` 规划区编号).
    """
    return await _file(edition_id, params, session, caller, request, shp=True)
