"""notifier: deadlines learned from events, reminders and overdue alerts, the app inbox."""

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from servicekit.app import serve
from servicekit.events.consumer import Handlers
from servicekit.jobs import Job
from servicekit.spec import ServiceSpec

from notifier.alerts import handlers as alerts
from notifier.alerts.router import admin_router as alerts_router
from notifier.alerts.router import inbox_router
from notifier.alerts.service import sweep
from notifier.deadlines import handlers as deadlines
from notifier.deadlines.router import router as deadlines_router
from notifier.deadlines.service import replan
from notifier.delivery.worker import delivery_worker
from notifier.event_subscriptions import handlers as event_subscriptions
from notifier.event_subscriptions.router import router as event_subscriptions_router
from notifier.feed.router import router as feed_router
from notifier.journal import handlers as journal
from notifier.journal.router import router as journal_router
from notifier.right_holders import handlers as right_holders
from notifier.settings import NotifierSettings
from notifier.subscriptions.router import router as subscriptions_router

SWEEP = "reminder-sweep"
REPLAN = "reminder-replan"

SERVICE = ServiceSpec(
    name="notifier",
    title="notifier 期限提醒与通知",
    description="Turns deadlines announced in events into reminders and overdue alerts over "
    "webhooks, e-mail and the in-app inbox 到期提醒、逾期告警. Hands the domain events of every "
    "service to other government systems 领域事件对外提供: pushed as signed CloudEvents "
    "(`POST /event-subscriptions`) or polled (`GET /events`). The event catalogue with JSON "
    "Schemas: [`/event-types`](/event-types); the AsyncAPI document: "
    "[`/asyncapi.yaml`](/asyncapi.yaml).",
    settings=NotifierSettings,
    package="notifier",
    migrations=Path(__file__).resolve().parents[2] / "migrations" / "versions",
    port=8004,
    routers=[
        deadlines_router,
        subscriptions_router,
        inbox_router,
        alerts_router,
        journal_router,
        event_subscriptions_router,
        feed_router,
    ],
    # the alerts' handlers read the deadlines a right owes before the deadlines' own change them
    # the event subscriptions queue what the journal has just logged
    handlers=Handlers.combine(
        journal.handlers,
        event_subscriptions.handlers,
        right_holders.handlers,
        alerts.handlers,
        deadlines.handlers,
    ),
    jobs=[
        Job(SWEEP, every=timedelta(minutes=1), run=sweep),
        Job(REPLAN, every=timedelta(hours=6), run=replan),
    ],
    workers=[delivery_worker],
    tags={
        "deadlines 期限": "Deadlines learned from events.",
        "subscriptions 订阅": "Who hears of which deadlines, how.",
        "inbox 消息": "The caller's in-app alerts and their stream.",
        "alerts 提醒与投递": "Alerts, delivery log, resend, dead letters.",
        "journal 事件记录": "Events received from other services.",
        "event subscriptions 事件订阅": "Domain events pushed to other government systems as "
        "signed CloudEvents over HTTP.",
        "events 领域事件": "The pollable feed of domain events and the catalogue of event types.",
    },
)


def create_app() -> FastAPI:
    return serve(SERVICE)
