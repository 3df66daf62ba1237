"""rights-api: the register of exploration and mining rights and the gate of the city plan."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from servicekit.app import serve
from servicekit.jobs import Job
from servicekit.spec import ServiceSpec

from rights_api.applications import service as applications
from rights_api.applications.handlers import handlers
from rights_api.applications.router import router as applications_router
from rights_api.holders.router import router as holders_router
from rights_api.indicators.router import router as indicators_router
from rights_api.plan.router import router as plan_router
from rights_api.plan.router import zones_router
from rights_api.rights.router import router as rights_router
from rights_api.seed import seed
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
    routers=[
        plan_router,
        zones_router,
        holders_router,
        rights_router,
        applications_router,
        indicators_router,
    ],
    handlers=handlers,
    jobs=[Job("application_review_overdue", timedelta(hours=1), applications.mark_reviews_overdue)],
    tags=[
        {
            "name": "plan 矿产资源规划",
            "description": "Plan editions: the numbers and areas the "
            "rules read, versioned as data (第七章).",
        },
        {"name": "holders 矿业权人", "description": "Rights holders 采矿权人、探矿权人."},
        {"name": "rights 矿业权", "description": "The register of exploration and mining rights."},
        {
            "name": "applications 矿业权申请",
            "description": "Applications and the plan's admission rules (第四章, 第五章, 第六章).",
        },
        {
            "name": "indicators 规划指标",
            "description": "The register against the plan's caps and targets (专栏二, 专栏四).",
        },
    ],
    seed=seed,
)


def create_app() -> FastAPI:
    return serve(SERVICE)
