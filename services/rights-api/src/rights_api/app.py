"""rights-api: the register of exploration and mining rights and the gate of the city plan."""

from pathlib import Path

from fastapi import FastAPI
from servicekit.app import serve
from servicekit.spec import ServiceSpec

from rights_api.holders.router import router as holders_router
from rights_api.rights import models as _rights_models  # noqa: F401  (tables, until the router lands)
from rights_api.settings import RightsSettings

SERVICE = ServiceSpec(
    name="rights",
    title="rights-api 矿业权登记与准入",
    description="Register of exploration and mining rights 探矿权、采矿权登记, and the admission "
    "check of every application against the Erenhot Mineral Resources Master Plan "
    "二连浩特市矿产资源总体规划 (2021-2025).",
    settings=RightsSettings,
    package="rights_api",
    migrations=Path(__file__).resolve().parents[2] / "migrations" / "versions",
    port=8001,
    routers=[holders_router],
    tags=[{"name": "holders 矿业权人", "description": "Rights holders 采矿权人、探矿权人."}],
)


def create_app() -> FastAPI:
    return serve(SERVICE)
