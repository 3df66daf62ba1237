"""greenmine-api: the official green-mine list and everything that gets a mine on or off it."""

from datetime import timedelta
from pathlib import Path

import mining_rights
from fastapi import FastAPI
from servicekit.app import serve
from servicekit.events.consumer import Handlers
from servicekit.jobs import Job
from servicekit.spec import ServiceSpec

from greenmine_api.applications.handlers import handlers as applications_handlers
from greenmine_api.applications.router import router as applications_router
from greenmine_api.change_requests.router import router as change_requests_router
from greenmine_api.complaints.router import router as complaints_router
from greenmine_api.coverage.router import router as coverage_router
from greenmine_api.dossiers.router import router as dossiers_router
from greenmine_api.editions.router import router as editions_router
from greenmine_api.exits.handlers import handlers as exits_handlers
from greenmine_api.exits.router import router as exits_router
from greenmine_api.exits.service import remove_overdue_rectifications
from greenmine_api.listings.handlers import handlers as listings_handlers
from greenmine_api.listings.router import router as listings_router
from greenmine_api.publicity.handlers import handlers as publicity_handlers
from greenmine_api.publicity.router import router as publicity_router
from greenmine_api.publicity_outcomes.router import router as publicity_outcomes_router
from greenmine_api.publicity_outcomes.service import close_due_publicities
from greenmine_api.rectifications.handlers import handlers as rectifications_handlers
from greenmine_api.rectifications.router import router as rectifications_router
from greenmine_api.reviews.service import mark_overdue_reviews
from greenmine_api.seed import seed
from greenmine_api.settings import GreenmineSettings
from greenmine_api.spotchecks.router import router as spotchecks_router
from greenmine_api.standards.router import router as standards_router
from greenmine_api.submissions.service import purge

# the OpenAPI tags in the order the docs show them, with what each covers
TAGS = {
    "listings 绿色矿山名录": "The public list, history, exit notices, CSV.",
    "indicators 规划指标": "Green mines against the plan's target.",
    "applications 遴选与复查": "Entry and review, third-party evaluation.",
    "evaluators 第三方评估机构": "Registered evaluator organisations.",
    "publicity 公示": "Publicity periods and objections.",
    "standards 评价标准": "Versioned evaluation standards (1000 points).",
    "spot checks 双随机抽查": "Expert pool, reproducible draws, results.",
    "complaints 社会举报": "Complaints from the public.",
    "change requests 信息变更": "Changes to listed information.",
    "rectifications 限期整改": "Six-month rectifications, benefits suspended.",
}

SERVICE = ServiceSpec(
    name="greenmine",
    title="greenmine-api 绿色矿山名录",
    description="The official green-mine list 绿色矿山名录: third-party evaluation, publicity, "
    "reviews every three years, spot checks 双随机一公开, complaints and removal "
    "(规划第六章第一节).",
    settings=GreenmineSettings,
    package="greenmine_api",
    migrations=(
        Path(__file__).resolve().parents[2] / "migrations" / "versions",
        mining_rights.MIGRATIONS,
    ),
    port=8003,
    routers=[
        listings_router,
        coverage_router,
        dossiers_router,
        exits_router,
        change_requests_router,
        rectifications_router,
        editions_router,
        applications_router,
        publicity_router,
        publicity_outcomes_router,
        standards_router,
        spotchecks_router,
        complaints_router,
    ],
    # the read model first: the areas' handlers of the same event find the right up to date;
    # then, on a transfer or closure: the open application cancelled, the publicity ended, the
    # listing removed with its exit notice
    handlers=Handlers.combine(
        mining_rights.handlers,
        listings_handlers,
        applications_handlers,
        publicity_handlers,
        rectifications_handlers,
        exits_handlers,
    ),
    jobs=[
        Job("close_publicities", timedelta(hours=1), close_due_publicities),
        Job("rectifications_overdue", timedelta(hours=1), remove_overdue_rectifications),
        Job("reviews_overdue", timedelta(hours=1), mark_overdue_reviews),
        Job("purge_public_submissions", timedelta(hours=6), purge),
    ],
    seed=seed,
    tags=TAGS,
)


def create_app() -> FastAPI:
    return serve(SERVICE)
