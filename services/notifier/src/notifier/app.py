"""notifier: deadlines learned from events, reminders and overdue alerts, the app inbox."""

from pathlib import Path

from fastapi import FastAPI
from servicekit.app import serve
from servicekit.spec import ServiceSpec

from notifier.journal.handlers import handlers
from notifier.journal.router import router as journal_router
from notifier.settings import NotifierSettings

SERVICE = ServiceSpec(
    name="notifier",
    title="notifier 期限提醒与通知",
    description="Turns deadlines announced in events into reminders and overdue alerts over "
    "webhooks, e-mail and the in-app inbox 到期提醒、逾期告警.",
    settings=NotifierSettings,
    package="notifier",
    migrations=Path(__file__).resolve().parents[2] / "migrations" / "versions",
    port=8004,
    routers=[journal_router],
    handlers=handlers,
    tags=[{"name": "journal 事件记录", "description": "Events received from other services."}],
)


def create_app() -> FastAPI:
    return serve(SERVICE)
