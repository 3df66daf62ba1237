"""The channels an alert goes out on: webhooks (Standard Webhooks) and e-mail (SMTP); domain
events for event subscriptions leave through the same signed POST (``post_signed``).

Each returns an ``Outcome``; nothing here touches the database."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
import httpx
from standardwebhooks.webhooks import Webhook

from notifier.alerts.models import Outcome
from notifier.settings import NotifierSettings
from notifier.subscriptions.destinations import DestinationRefused, check_destination, pinned


@dataclass(frozen=True)
class Parcel:
    """What one delivery attempt sends, read when the alert was claimed."""

    alert_id: int
    attempt_id: int
    channel: str
    deadline_id: str
    kind: str
    subject: str
    due_at: str
    stage: str
    step: str
    title: str
    body: str
    email: str | None
    url: str | None
    secret: str | None

    @property
    def message_id(self) -> str:
        """Stable across retries: receivers drop a repeat (webhook-id, Message-ID)."""
        return f"alert_{self.alert_id}"

    def webhook_body(self, sent_at: datetime) -> str:
        return json.dumps(
            {
                "type": f"deadline.{self.stage}",
                "timestamp": sent_at.isoformat().replace("+00:00", "Z"),
                "data": {
                    "alert_id": self.alert_id,
                    "deadline_id": self.deadline_id,
                    "kind": self.kind,
                    "subject": self.subject,
                    "due_at": self.due_at,
                    "stage": self.stage,
                    "step": self.step,
                    "title": self.title,
                    "body": self.body,
                },
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )


class Channels:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.http = httpx.AsyncClient(
            follow_redirects=False,  # a redirect could lead anywhere, past the allow-list
            timeout=settings.delivery_timeout_seconds,
            headers={"user-agent": "mineadmin-notifier/0.1"},
            trust_env=False,
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def send(self, parcel: Parcel) -> Outcome:
        if parcel.channel == "webhook":
            return await self.webhook(parcel)
        if parcel.channel == "email":
            return await self.email(parcel)
        return Outcome("refused", error=f"channel {parcel.channel} is not delivered by a worker")

    async def webhook(self, parcel: Parcel) -> Outcome:
        assert parcel.url is not None and parcel.secret is not None
        sent_at = datetime.now(UTC)  # the receiver checks the timestamp against its own clock
        return await self.post_signed(
            url=parcel.url,
            secret=parcel.secret,
            message_id=parcel.message_id,
            body=parcel.webhook_body(sent_at),
            content_type="application/json",
            sent_at=sent_at,
        )

    async def post_signed(
        self,
        *,
        url: str,
        secret: str,
        message_id: str,
        body: str,
        content_type: str,
        sent_at: datetime | None = None,
    ) -> Outcome:
        """POST ``body`` signed per Standard Webhooks to ``url``, through the destination check
        (at every attempt) and to the checked address: the one way anything leaves by HTTP,
        deadline alerts and domain events alike."""
        try:
            # checked again at every attempt: DNS may have changed since the subscription
            address = await check_destination(url, self.settings.webhook_allowed_networks)
        except DestinationRefused as exc:
            return Outcome("refused", error=str(exc))
        target, host, extensions = pinned(url, address)
        sent_at = sent_at or datetime.now(UTC)
        headers = {
            **host,
            "content-type": content_type,
            "webhook-id": message_id,
            "webhook-timestamp": str(int(sent_at.timestamp())),
            "webhook-signature": Webhook(secret).sign(message_id, sent_at, body),
        }
        try:
            response = await self.http.post(
                target, content=body.encode(), headers=headers, extensions=extensions
            )
        except httpx.HTTPError as exc:
            return Outcome("failed", error=f"{type(exc).__name__}: {exc}"[:1000])
        code = response.status_code
        if 200 <= code < 300:
            return Outcome("delivered", code)
        if code == 410:
            return Outcome("gone", code, "the endpoint answered 410 Gone: disabled")
        reason = "redirect not followed" if 300 <= code < 400 else response.text[:500]
        return Outcome("failed", code, f"HTTP {code}: {reason}")

    async def email(self, parcel: Parcel) -> Outcome:
        assert parcel.email is not None
        s = self.settings
        message = EmailMessage()
        message["From"] = s.smtp_from
        message["To"] = parcel.email
        message["Subject"] = parcel.title
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = f"<{parcel.message_id}@notifier.mineadmin>"
        message.set_content(parcel.body, charset="utf-8")
        try:
            await aiosmtplib.send(
                message,
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username,
                password=s.smtp_password.get_secret_value() if s.smtp_password else None,
                start_tls=s.smtp_starttls,
                use_tls=s.smtp_use_tls,
                timeout=s.delivery_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Outcome("refused", error=f"recipient refused: {exc}"[:1000])
        except aiosmtplib.SMTPResponseException as exc:
            result = "refused" if 500 <= exc.code < 600 else "failed"
            return Outcome(result, exc.code, f"SMTP {exc.code}: {exc.message}"[:1000])
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome("failed", error=f"{type(exc).__name__}: {exc}"[:1000])
        return Outcome("delivered", 250)
