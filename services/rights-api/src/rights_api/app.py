"""rights-api: the register of exploration and mining rights and the gate of the city plan."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from servicekit.app import serve
from servicekit.events.consumer import Handlers
from servicekit.jobs import Job
from servicekit.spec import Probe, ServiceSpec

from rights_api.applications import expiry
from rights_api.applications import handlers as applications_handlers
from rights_api.applications import service as applications
from rights_api.applications.router import router as applications_router
from rights_api.assignments.router import router as assignments_router
from rights_api.attachments import store as attachment_store
from rights_api.compliance import service as compliance
from rights_api.compliance.router import router as compliance_router
from rights_api.conformance.router import router as conformance_router
from rights_api.corners.router import router as corners_router
from rights_api.deadlines import handlers as deadlines_handlers
from rights_api.deadlines import service as named_deadlines
from rights_api.deadlines.router import router as deadlines_router
from rights_api.editions.router import router as editions_router
from rights_api.endings import handlers as endings_handlers
from rights_api.endings.router import router as endings_router
from rights_api.evaluations.router import router as evaluations_router
from rights_api.exports.router import router as exports_router
from rights_api.filings import service as filings
from rights_api.filings.router import router as filings_router
from rights_api.grants.router import router as grants_router
from rights_api.holders.router import router as holders_router
from rights_api.holders.service import holder_by_credit_code
from rights_api.indicators.router import router as indicators_router
from rights_api.inspections.router import router as inspections_router
from rights_api.integrity import handlers as integrity_handlers
from rights_api.integrity.router import router as integrity_router
from rights_api.layers.router import router as layers_router
from rights_api.mortgages.router import router as mortgages_router
from rights_api.offerings.router import router as offerings_router
from rights_api.ogc.router import router as ogc_router
from rights_api.patrols.router import router as patrols_router
from rights_api.plan.router import router as plan_router
from rights_api.plan.router import zones_router
from rights_api.reserve_checks import service as reserve_checks
from rights_api.reserve_checks.router import router as reserve_checks_router
from rights_api.rights.hot_reads import HOT_READS
from rights_api.rights.router import router as rights_router
from rights_api.seed import seed
from rights_api.settings import RightsSettings
from rights_api.sync import handlers as sync_handlers
from rights_api.sync import service as offline_sync
from rights_api.sync.router import router as sync_router
from rights_api.uploads import service as photo_uploads
from rights_api.uploads.router import router as uploads_router
from rights_api.utilisation.router import router as utilisation_router

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
        grants_router,
        rights_router,
        applications_router,
        indicators_router,
        filings_router,
        inspections_router,
        compliance_router,
        offerings_router,
        endings_router,
        mortgages_router,
        conformance_router,
        utilisation_router,
        reserve_checks_router,
        deadlines_router,
        patrols_router,
        integrity_router,
        editions_router,
        corners_router,
        assignments_router,
        sync_router,
        uploads_router,
        layers_router,
        exports_router,
        ogc_router,
        evaluations_router,
    ],
    hot_reads=HOT_READS,
    holder_by_credit_code=holder_by_credit_code,
    probes=(Probe("attachment store", attachment_store.probe),),
    handlers=Handlers.combine(
        applications_handlers.handlers,
        endings_handlers.handlers,
        deadlines_handlers.handlers,
        integrity_handlers.handlers,
        sync_handlers.handlers,
    ),
    tags={
        "plan 矿产资源规划": "Plan editions: the numbers and areas the rules read, versioned as "
        "data (第七章).",
        "holders 矿业权人": "Rights holders 采矿权人、探矿权人.",
        "rights 矿业权": "The register of exploration and mining rights.",
        "applications 矿业权申请": "Applications and the plan's admission rules "
        "(第四章, 第五章, 第六章).",
        "indicators 规划指标": "The register against the plan's caps and targets (专栏二, 专栏四).",
        "filings 年度报送": "Annual mining plans 年度采掘计划 and reserve verifications "
        "年度资源储量动态核查 each mining right owes.",
        "inspections 现场检查": "Site inspections from inspectors' (offline) mobile apps; "
        "out-of-bounds mining 越界开采 is flagged automatically.",
        "compliance 限期整改": "Compliance orders with a deadline; overdue suspends the mine.",
        "grant offerings 矿业权出让": "Market grant 市场出让 of the plan's planned blocks "
        "开采规划区块 by tender 招标, auction 拍卖 or listing 挂牌 (第五章第一节, 第五章第二节): "
        "draft → announced → closed → awarded | failed (流拍) | withdrawn; an award signs the "
        "grant contract and registers the right. A new sand mining right is granted only this "
        "way.",
        "conformance 规划符合性": "Existing rights judged against a plan edition, and the "
        "actions the plan prescribes (第五章第三节, 第四章第二节, 第三章第四节).",
        "utilisation 三率": "Yearly three rates 三率 (开采回采率, 选矿回收率, 综合利用率) and "
        "waste-rock use against the edition's thresholds (第四章第三节; fluorite waste rock "
        "≥ 80 %, 第八章第三节).",
        "reserve checks 年度资源储量动态核查": "The bureau's annual reserve verification of each "
        "working mine, owed every year with a deadline (第五章第二节).",
        "plan targets 规划时限目标": "The plan's named deadlines (第二章第三节, 专栏二, 第六章) as "
        "obligations: met, missed or open, with the evidence.",
        "patrols 随机巡查": "Random patrols by hired professionals (第五章第二节): reproducible "
        "draws from a published seed (sha256-rank-v1, as green-mine spot checks), conflicts of "
        "interest excluded; findings are inspections.",
        "integrity 诚信体系": "The mine-enterprise integrity record (第五章第二节), built from "
        "every service's events, append-only; the public 异常名录 and a feed for credit systems "
        "(第六章第一节).",
        "sync 离线同步": "Offline sync for inspection apps: the mines assigned to an inspector, "
        "their open orders and recent inspections as one versioned payload, deltas with "
        "tombstones (issue 20).",
        "planning database 规划数据库": "The spatial layer catalogue and the planning database "
        "export (第七章四): GeoPackage and Shapefile in CGCS2000 or Gauss-Krüger.",
        "OGC API Features 开放地理空间接口": "The same layers as OGC API Features (Part 1 Core, "
        "GeoJSON, OpenAPI 3.0 at /ogc/api; Part 2 CRS by reference) for GIS clients.",
        "evaluation 规划实施评估": "The yearly, mid-term and period evaluation of the plan "
        "(第七章二): every indicator of 专栏二 and 专栏四 as of a year's end, target against "
        "actual with the records behind it and who answers for it (第七章一), gathered from "
        "restoration-api and greenmine-api; as JSON, an HTML or PDF report with charts, or CSV "
        "(第七章三).",
    },
    jobs=[
        Job("application_review_overdue", timedelta(hours=1), applications.mark_reviews_overdue),
        Job("filing_obligations", timedelta(hours=6), filings.create_due_obligations),
        Job("filings_overdue", timedelta(hours=1), filings.mark_overdue),
        Job("compliance_overdue", timedelta(hours=1), compliance.mark_overdue),
        Job("right_expiry", timedelta(days=1), expiry.expire_unrenewed),
        Job(
            "reserve_check_obligations",
            timedelta(hours=6),
            reserve_checks.create_due_obligations,
        ),
        Job("reserve_checks_overdue", timedelta(hours=1), reserve_checks.mark_overdue),
        Job("named_deadlines", timedelta(days=1), named_deadlines.track_all),
        Job("sync_tokens", timedelta(days=1), offline_sync.purge_tokens),
        Job("stale_photo_uploads", timedelta(hours=1), photo_uploads.purge_stale),
    ],
    seed=seed,
)


def create_app() -> FastAPI:
    return serve(SERVICE)
