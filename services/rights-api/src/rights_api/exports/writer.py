"""Writing layers as GIS files with pyogrio (GDAL): a GeoPackage with one layer per kind, or a
zip of Shapefiles. The catalogue gives each attribute its name: the English key in the
GeoPackage, the short code in the Shapefile (10 characters at most); both files carry the
mapping to the Chinese and English names (``layer_fields``)."""

import io
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from pyogrio.raw import write
from servicekit.csv_export import csv_text
from shapely.geometry import MultiPolygon, shape

from rights_api.layers.catalogue import FieldType, Layer, LayerField
from rights_api.layers.query import Feature

CGCS2000 = "EPSG:4490"
GEOMETRY_TYPE = "MultiPolygon"
# GeoPackage 1.2, which the GIS tools in use read without complaint (the GDAL bundled with
# pyogrio would write 1.4, which Debian 12's GDAL 3.6 reads only "partially")
GPKG_VERSION = "1.2"
MAPPING_COLUMNS = ("layer", "layer_zh", "field", "shp_name", "name_zh", "name_en", "type")


@dataclass(frozen=True)
class LayerData:
    layer: Layer
    features: list[Feature]
    fields: tuple[LayerField, ...]  # the fields the caller may read, in the catalogue's order


@cache
def _from_cgcs2000(crs: str) -> pyproj.Transformer:
    # x = easting (or longitude), y = northing (or latitude): the order GIS files store
    return pyproj.Transformer.from_crs(CGCS2000, crs, always_xy=True)


def _wkb(geometry: dict[str, Any] | None, crs: str) -> bytes | None:
    if geometry is None:
        return None
    geom = shape(geometry)
    if geom.geom_type == "Polygon":
        geom = MultiPolygon([geom])
    if crs != CGCS2000:
        geom = shapely.transform(geom, _from_cgcs2000(crs).transform, interleaved=False)
    return shapely.to_wkb(geom)


def _column(field: LayerField, features: list[Feature]) -> np.ndarray:
    values = [f.properties.get(field.key) for f in features]
    if field.type is FieldType.real:
        return np.array([np.nan if v is None else float(v) for v in values], dtype="float64")
    if field.type is FieldType.boolean:
        return np.array([bool(v) for v in values], dtype="bool")
    if field.type is FieldType.date:
        days = [
            np.datetime64("NaT") if not v else np.datetime64(date.fromisoformat(v)) for v in values
        ]
        return np.array(days, dtype="datetime64[D]")
    return np.array([None if v is None else str(v) for v in values], dtype=object)


def _write_layer(path: Path, data: LayerData, crs: str, *, short_names: bool, **options) -> None:
    geometry = np.array([_wkb(f.geometry, crs) for f in data.features], dtype=object)
    write(
        str(path),
        geometry,
        [_column(field, data.features) for field in data.fields],
        [field.code if short_names else field.key for field in data.fields],
        geometry_type=GEOMETRY_TYPE,
        crs=crs,
        encoding="UTF-8",
        **options,
    )


def _mapping(layers: list[LayerData]) -> list[tuple[str, ...]]:
    return [
        (d.layer.id, d.layer.title_zh, f.key, f.code, f.name_zh, f.name_en, f.type.value)
        for d in layers
        for f in d.fields
    ]


def geopackage(layers: list[LayerData], *, crs: str, metadata: dict[str, str]) -> bytes:
    """One GeoPackage: a layer per kind (named by its id, titled in Chinese and English) and the
    table ``layer_fields`` naming every attribute."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "planning.gpkg"
        for data in layers:
            _write_layer(
                path,
                data,
                crs,
                short_names=False,
                layer=data.layer.id,
                driver="GPKG",
                append=path.exists(),
                layer_options={
                    "IDENTIFIER": f"{data.layer.title_zh} {data.layer.title_en}",
                    "DESCRIPTION": data.layer.description,
                },
                dataset_metadata=None if path.exists() else metadata,
                dataset_options=None if path.exists() else {"VERSION": GPKG_VERSION},
            )
        rows = _mapping(layers)
        write(
            str(path),
            None,
            [np.array([row[i] for row in rows], dtype=object) for i in range(len(MAPPING_COLUMNS))],
            list(MAPPING_COLUMNS),
            layer="layer_fields",
            driver="GPKG",
            append=True,
            encoding="UTF-8",
        )
        return path.read_bytes()


def shapefile_zip(layers: list[LayerData], *, crs: str, folder_name: str) -> bytes:
    """A zip of one Shapefile per kind (.shp, .shx, .dbf, .prj, .cpg: UTF-8), with
    ``layer_fields.csv`` mapping each short field name to its Chinese and English names."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(buffer, "w") as archive:
        for data in layers:
            _write_layer(
                Path(folder) / f"{data.layer.id}.shp",
                data,
                crs,
                short_names=True,
                driver="ESRI Shapefile",
            )
        for written in sorted(Path(folder).iterdir()):
            archive.write(written, f"{folder_name}/{written.name}", zipfile.ZIP_DEFLATED)
        table = csv_text(MAPPING_COLUMNS, _mapping(layers))
        archive.writestr(f"{folder_name}/layer_fields.csv", table)
    return buffer.getvalue()
