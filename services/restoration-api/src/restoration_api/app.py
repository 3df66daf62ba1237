"""restoration-api: restoration funds as a double-entry ledger, restoration plans and works."""

from datetime import timedelta
from pathlib import Path

import mining_rights
from fastapi import FastAPI
from servicekit.app import serve
from servicekit.events.consumer import Handlers
from servicekit.jobs import Job
from servicekit.spec import ServiceSpec

from restoration_api.acceptances.router import router as acceptances_router
from restoration_api.accrual.router import router as accrual_router
from restoration_api.closures import handlers as closures
from restoration_api.closures.router import router as closures_router
from restoration_api.disclosure.router import router as disclosure_router
from restoration_api.land.router import router as land_router
from restoration_api.ledger import handlers as ledger
from restoration_api.ledger.router import router as ledger_router
from restoration_api.ledger.shortfalls import fund_shortfall
from restoration_api.legacy.router import router as legacy_router
from restoration_api.maps.router import router as maps_router
from restoration_api.plans import handlers as plans
from restoration_api.plans.router import router as plans_router
from restoration_api.plans.service import annual_obligations
from restoration_api.rectification import handlers as rectification
from restoration_api.rectification.router import router as rectification_router
from restoration_api.rectification.service import mark_overdue
from restoration_api.seed import seed
from restoration_api.settings import RestorationSettings
from restoration_api.transfers.router import router as transfers_router
from restoration_api.works.router import router as works_router

SERVICE = ServiceSpec(
    name="restoration",
    title="restoration-api 矿山地质环境治理恢复基金",
    description="Each mine's restoration fund 矿山地质环境治理恢复基金 kept as a double-entry "
    "ledger, restoration plans, works, acceptance, legacy sites and rectification orders "
    "(规划第五章第二节、第六章第二节).",
    settings=RestorationSettings,
    package="restoration_api",
    migrations=(
        Path(__file__).resolve().parents[2] / "migrations" / "versions",
        mining_rights.MIGRATIONS,
    ),
    port=8002,
    routers=[
        ledger_router,
        transfers_router,
        accrual_router,
        plans_router,
        works_router,
        acceptances_router,
        closures_router,
        land_router,
        legacy_router,
        rectification_router,
        disclosure_router,
        maps_router,
    ],
    # the read model first: the areas' handlers find the right as the event left it
    handlers=Handlers.combine(
        mining_rights.handlers,
        ledger.handlers,
        plans.handlers,
        rectification.handlers,
        closures.handlers,
    ),
    jobs=[
        Job("annual_obligations", timedelta(hours=6), annual_obligations),
        Job("rectification_overdue", timedelta(hours=1), mark_overdue),
        Job("fund_shortfall", timedelta(hours=6), fund_shortfall),
    ],
    seed=seed,
    tags={
        "funds 治理恢复基金": "Fund accounts and their double-entry ledger.",
        "accrual 基金提取": "Rule sets and yearly accrual (足额提取).",
        "plans 治理方案与年度报送": "Plans, annual plans and reports.",
        "works 治理工程与验收": "Works, acceptance, closure, land.",
        "legacy 历史遗留矿山与指标": "Legacy sites, targets, indicators.",
        "rectifications 限期整改": "Rectification orders.",
        "disclosure 信息公示": "Public disclosure (no token).",
        "maps 治理图层": "Legacy sites and restoration areas as GeoJSON (no token).",
    },
)


def create_app() -> FastAPI:
    return serve(SERVICE)
