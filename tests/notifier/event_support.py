"""Helpers for the domain-event tests: a government system's endpoint that verifies each
request with the `standardwebhooks` package and parses it with the CloudEvents SDK
(`cloudevents` from PyPI), the events a mine goes through, and the callers."""

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from cloudevents.core.bindings.http import HTTPMessage, from_structured_event
from contracts.rights import HolderRegistered, MineClosed, RightGranted
from devkit.testing import RunningService
from servicekit.auth import Role
from standardwebhooks.webhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.notifier.support import HOLDER, OTHER_HOLDER

GOV = "gov-xlgl-bigdata"  # the league's big-data platform
OTHER_GOV = "gov-erenhot-emergency"
# two of 专栏一's mines (illustrative ids): No. 6 of 先锋水泥制品 (HOLDER) and No. 7
WUXIGEN = "b2f4c1de-8a1e-4c55-9a3e-1f0f4b1f2a10"  # 乌希根楚二号建筑用花岗岩矿
SANHAO = "c3a5d2ef-9b2f-4d66-8b4f-2a1e5c2a3b21"  # 乌希根楚三号建筑用花岗岩矿
MINE_NAMES = {
    WUXIGEN: "二连浩特市乌希根楚二号建筑用花岗岩矿",
    SANHAO: "二连浩特市乌希根楚三号建筑用花岗岩矿",
}
CONTACT = {
    "contact_name": "王建国",
    "contact_phone": "13904790000",
    "contact_email": "wangjg@xianfeng-erenhot.example.cn",
}


def gov(service: RunningService, subject: str = GOV) -> dict[str, str]:
    return service.auth(Role.gov_system, subject=subject)


def granted(right: str, holder: str = HOLDER, *, mineral="construction_granite") -> RightGranted:
    return RightGranted(
        right_id=right,
        holder_id=holder,
        licence_no="C1500002009062120023456",
        kind="mining",
        mine_name=MINE_NAMES.get(right, "二连浩特市乌希根楚北山建筑用花岗岩矿"),
        mineral=mineral,
        area_km2="0.0386",
        status="producing",
        zone="SCJ001",
        licensing_level="city",
        valid_from=date(2022, 6, 30),
        valid_to=date(2027, 6, 30),
        granted_at=datetime(2022, 6, 30, tzinfo=UTC),
    )


def closed(right: str, holder: str = HOLDER) -> MineClosed:
    return MineClosed(
        right_id=right,
        holder_id=holder,
        licence_no="C1500002009062120023456",
        status="closed",
        closed_at=datetime(2026, 12, 1, tzinfo=UTC),
    )


def registered(holder: str = HOLDER, **contact) -> HolderRegistered:
    return HolderRegistered(
        holder_id=holder,
        credit_code="91152501MA0N1X2Y3Z" if holder == HOLDER else "91152501MA0N9Q8R7S",
        name="二连浩特市先锋水泥制品有限公司" if holder == HOLDER else "内蒙古源庭矿业有限公司",
        registered_at=datetime(2026, 11, 28, 8, tzinfo=UTC),
        **contact,
    )


__all__ = ["HOLDER", "OTHER_HOLDER"]


@dataclass
class Delivered:
    type: str
    subject: str | None
    cursor: str
    data: dict
    webhook_id: str


@dataclass
class GovernmentEndpoint:
    """A government system's receiver: every request must verify against ``secret`` (the
    `standardwebhooks` package) and parse as a structured-mode CloudEvent (the `cloudevents`
    SDK); answers ``statuses`` in turn, then 200."""

    secret: str = ""
    statuses: list[int] = field(default_factory=list)
    events: list[Delivered] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            headers = dict(request.headers)
            try:
                Webhook(self.secret).verify(body, headers)
            except Exception as exc:  # record it: the test asserts there is none
                self.refused.append(f"{type(exc).__name__}: {exc}")
                return Response(status_code=401)
            assert headers["content-type"].startswith("application/cloudevents+json")
            event = from_structured_event(HTTPMessage(headers=headers, body=body))
            status = self.statuses.pop(0) if self.statuses else 200
            if 200 <= status < 300:
                self.events.append(
                    Delivered(
                        type=event.get_type(),
                        subject=event.get_subject(),
                        cursor=event.get_extension("cursor"),
                        data=event.get_data(),
                        webhook_id=headers["webhook-id"],
                    )
                )
            return Response(status_code=status)

        return Starlette(routes=[Route("/ce", hook, methods=["POST"])])

    def seen(self) -> list[tuple[str, str | None]]:
        return [(e.type, e.subject) for e in self.events]

    def per_subject(self) -> dict[str | None, list[str]]:
        """The types each subject received, in the order received (the order promised)."""
        received: dict[str | None, list[str]] = {}
        for event in self.events:
            received.setdefault(event.subject, []).append(event.type)
        return received


async def subscribe_events(service: RunningService, headers: dict[str, str], **body) -> dict:
    response = await service.client.post("/event-subscriptions", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def feed(service: RunningService, headers: dict[str, str], **params) -> dict:
    response = await service.client.get("/events", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def dumped(events: list[dict]) -> str:
    return json.dumps(events, ensure_ascii=False)
