"""The planning database export 规划数据库 (第七章四): every layer of the catalogue for one plan
edition (its zones, planned blocks and prohibited areas) with the register and restoration-api's
layers as they stand today, shaped for the caller, written as GeoPackage or Shapefiles."""

from dataclasses import dataclass
from uuid import UUID

import anyio
from servicekit import clock
from servicekit.auth import Principal
from servicekit.settings import ServiceSettings
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.exports import writer
from rights_api.exports.schemas import ExportParams
from rights_api.layers import service as layers
from rights_api.layers.catalogue import LAYERS, Layer, LayerField, filterable, is_official
from rights_api.layers.query import Feature
from rights_api.plan import service as plans
from rights_api.plan.models import PlanEdition


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str


def _fields(
    layer: Layer, features: list[Feature], caller: Principal | None
) -> tuple[LayerField, ...]:
    """One schema per file layer: every field any of its features shows this caller (an
    enterprise's own rights in full, the other rights' hidden fields left empty)."""
    if is_official(caller):
        return layer.fields
    shown = {key for f in features for key in f.properties}
    return tuple(f for f in layer.fields if f.key in shown) or filterable(layer, caller)


async def _gather(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    edition: PlanEdition,
    caller: Principal | None,
    chosen: list[str],
) -> list[writer.LayerData]:
    found = []
    for layer in (LAYERS[name] for name in chosen):
        features = await layers.everything(
            session=session, settings=settings, layer=layer, edition=edition, caller=caller
        )
        found.append(writer.LayerData(layer, features, _fields(layer, features, caller)))
    return found


async def export(
    *,
    session: AsyncSession,
    settings: ServiceSettings,
    edition_id: UUID,
    caller: Principal | None,
    params: ExportParams,
    shapefile: bool,
) -> ExportFile:
    edition = await plans.get_edition(session=session, edition_id=edition_id)
    data = await _gather(
        session=session,
        settings=settings,
        edition=edition,
        caller=caller,
        chosen=params.chosen(),
    )
    crs = params.crs
    stem = f"erenhot-planning-{edition.code}-{crs.value.replace(':', '')}"
    if shapefile:
        content = await anyio.to_thread.run_sync(
            lambda: writer.shapefile_zip(data, crs=crs.value, folder_name=stem)
        )
        return ExportFile(content, f"{stem}.shp.zip")
    metadata = {
        "edition": edition.code,
        "title": edition.title,
        "crs": crs.value,
        "exported_at": clock.now().isoformat(),
        "standard": "DZ/T 0226 矿产资源规划数据库 (field codes where found; see layer_fields)",
    }
    content = await anyio.to_thread.run_sync(
        lambda: writer.geopackage(data, crs=crs.value, metadata=metadata)
    )
    return ExportFile(content, f"{stem}.gpkg")
