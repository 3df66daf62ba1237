"""The spatial layers' world: the plan, three rights of two holders, and a restoration-api
stand-in serving part E's GeoJSON contract (``/legacy-sites.geojson``,
``/restoration-areas.geojson``) over real HTTP, until the real one answers it."""

import asyncio
import contextlib
import os
import shutil
from dataclasses import dataclass

import pytest
from rights_api.geometry import square
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.notifier.support import serving
from tests.rights_api.operations_support import rights_service
from tests.rights_api.support import add_right, holder, load_edition

LEGACY = [
    {
        "type": "Feature",
        "id": "6c1f0c1e-1111-4f43-9d0e-0d3c3b6a8e01",
        "geometry": square(111.62, 43.33, 0.10),
        "properties": {
            "code": "LS-01",
            "name": "白音敖包历史遗留采坑",
            "edition": "2021-2025",
            "damaged_area_ha": 10.0,
            "restored_area_ha": 10.0,
            "status": "accepted",
            "accepted_on": "2024-09-30",
        },
    },
    {
        "type": "Feature",
        "id": "6c1f0c1e-2222-4f43-9d0e-0d3c3b6a8e02",
        "geometry": square(112.05, 43.20, 0.20),
        "properties": {
            "code": "LS-02",
            "name": "乌敦花历史遗留砂坑",
            "edition": "2021-2025",
            "damaged_area_ha": 20.0,
            "restored_area_ha": 0.0,
            "status": "planned",
            "accepted_on": None,
        },
    },
]
AREAS = [
    {
        "type": "Feature",
        "id": "7d2f0c1e-3333-4f43-9d0e-0d3c3b6a8e03",
        "geometry": square(111.681, 43.531, 0.01),
        "properties": {
            "code": "RA-01",
            "right_id": "0b6f1c1e-3f5d-4f43-9d0e-0d3c3b6a8e21",
            "kind": "closure",
            "area_ha": 1.0,
            "status": "accepted",
            "accepted_on": "2025-06-30",
        },
    }
]


def restoration_stand_in(seen: list[Request] | None = None) -> Starlette:
    def collection(features):
        async def answer(request: Request) -> JSONResponse:
            if seen is not None:
                seen.append(request)
            return JSONResponse({"type": "FeatureCollection", "features": features})

        return answer

    return Starlette(
        routes=[
            Route("/legacy-sites.geojson", collection(LEGACY)),
            Route("/restoration-areas.geojson", collection(AREAS)),
        ]
    )


# the world's features per layer: the 2021-2025 edition's 4 zones (专栏三), 5 planned blocks
# (第五章第一节) and 3 prohibited areas, 3 rights, the stand-in's 2 legacy sites and 1 area
COUNTS = {
    "zones": 4,
    "planned_blocks": 5,
    "prohibited_areas": 3,
    "rights": 3,
    "legacy_sites": 2,
    "restoration_areas": 1,
}


@dataclass
class SpatialWorld:
    holder_a: str
    holder_b: str
    rights_a: list[dict]
    right_b: dict
    edition_id: str = ""


async def spatial_world(service) -> SpatialWorld:
    await load_edition(service)
    a = await holder(service, 501, "二连浩特市先锋水泥制品有限公司")
    b = await holder(service, 502, "内蒙古源庭矿业有限公司")
    rights_a = [
        await add_right(
            service, a, at=(111.68, 43.53), mine_name="二连浩特市乌希根楚二号建筑用花岗岩矿"
        ),
        await add_right(service, a, at=(111.70, 43.56), status="suspended"),
    ]
    right_b = await add_right(service, b, at=(111.45, 43.70), mineral="fluorite", scale=None)
    edition = (await service.client.get("/plan-editions/current")).json()["id"]
    return SpatialWorld(a, b, rights_a, right_b, edition)


@contextlib.asynccontextmanager
async def world_running(databases, tmp_path):
    """rights-api with the stand-in restoration-api and the spatial world: (service, world)."""
    async with rights_with_restoration(
        databases, tmp_path, rate_limit_anonymous_reads="10000/minute"
    ) as service:
        yield service, await spatial_world(service)


@contextlib.asynccontextmanager
async def rights_with_restoration(databases, tmp_path, **settings):
    """rights-api whose peer restoration-api is the stand-in, served on a real port."""
    async with serving(restoration_stand_in()) as restoration_url:
        settings.setdefault("peers", {"restoration": restoration_url})
        async with rights_service(databases, tmp_path / "attachments", **settings) as service:
            yield service


def ogrinfo() -> str:
    """The path of GDAL's ogrinfo; skips the test without it, unless CI=true (then it fails)."""
    found = shutil.which("ogrinfo")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("ogrinfo (Debian gdal-bin) is missing: `make system-packages` installs it")
        pytest.skip("ogrinfo (gdal-bin) is not installed")
    return found


async def run_ogrinfo(*args: str) -> str:
    """ogrinfo's output (it must succeed), run without blocking the event loop: the service it
    reads may be served by this very loop."""
    process = await asyncio.create_subprocess_exec(
        ogrinfo(), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert "partially supported" not in err.decode(), err.decode()
    return out.decode()
