"""Notifier configuration: reminder lead times, the delivery worker, SMTP, webhook destinations."""

from typing import Annotated

from pydantic import Field, SecretStr
from servicekit.settings import ServiceSettings, service_config

LeadDays = Annotated[int, Field(ge=0, le=3650)]


class NotifierSettings(ServiceSettings):
    model_config = service_config("NOTIFIER_")

    reminder_lead_days: list[LeadDays] = Field(
        [30, 7, 1], description="Days before a deadline when reminders go out (any kind)."
    )
    reminder_lead_days_by_kind: dict[str, list[LeadDays]] = Field(
        default_factory=dict,
        description='Per deadline kind, e.g. {"rectification": [14, 3, 1]}.',
    )
    reminder_hour: int = Field(9, ge=0, le=23, description="Local hour (Asia/Shanghai) they go.")
    sweep_batch: int = Field(5000, ge=1, description="Deadlines one sweep handles at most.")

    delivery_batch: int = Field(50, ge=1, description="Alerts one worker claims at a time.")
    delivery_concurrency: int = Field(10, ge=1)
    delivery_lease_seconds: float = Field(
        300, gt=0, description="A claimed alert whose worker died becomes due again after this."
    )
    delivery_poll_seconds: float = Field(2.0, gt=0)
    delivery_max_attempts: int = Field(12, ge=1)
    delivery_retry_base_seconds: float = Field(30, ge=0)
    delivery_retry_max_seconds: float = Field(7200, ge=0)
    delivery_timeout_seconds: float = Field(10, gt=0)

    webhook_allowed_networks: list[str] = Field(
        default_factory=list,
        description="Private or loopback networks webhooks may still reach (CIDR); public "
        "addresses are always allowed, every other internal address refused.",
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_use_tls: bool = False
    smtp_from: str = "二连浩特市自然资源局 <notify@erenhot.example.gov.cn>"

    inbox_poll_seconds: float = Field(2.0, gt=0, description="How often an SSE stream looks.")

    def lead_days(self, kind: str) -> list[int]:
        return sorted(
            set(self.reminder_lead_days_by_kind.get(kind, self.reminder_lead_days)), reverse=True
        )
