"""Helpers for the offline-sync tests: assigning mines, syncing as an inspector, restoration's
rectification events."""

import uuid
from datetime import UTC, datetime, timedelta

from contracts.deadline import DeadlineAction
from contracts.restoration import RectificationOrdered
from devkit.testing import RunningService
from servicekit.auth import Role

from tests.rights_api.operations_support import INSIDE
from tests.rights_api.support import restoration_record
from tests.rights_api.test_endings import _deadline as deadline
from tests.rights_api.test_endings import resolved

BATU, SARNA = "inspector-batu", "inspector-sarna"


async def assign(service: RunningService, right_id, inspector: str = BATU, **extra) -> dict:
    response = await service.client.post(
        "/inspector-assignments",
        json={"inspector": inspector, "right_id": str(right_id), **extra},
        headers=service.auth(Role.bureau_admin),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def sync(service: RunningService, inspector: str = BATU, since=None, **headers):
    params = {"since": since} if since else {}
    return await service.client.get(
        "/sync",
        params=params,
        headers={**service.auth(Role.inspector, subject=inspector), **headers},
    )


def record(right_id, findings: str = "东帮采场作业面，挖掘机2台。", **extra) -> dict:
    """An inspection made yesterday (inside the sync window)."""
    yesterday = datetime.now(UTC) - timedelta(days=1)
    return {
        "right_id": str(right_id),
        "inspected_at": yesterday.isoformat(timespec="seconds"),
        "inspector_name": "巴特尔",
        "working_face": [INSIDE],
        "findings": findings,
        **extra,
    }


async def inspect(service: RunningService, right_id, inspector: str = BATU, **extra) -> dict:
    response = await service.client.put(
        f"/inspections/{uuid.uuid4()}",
        json=record(right_id, **extra),
        headers=service.auth(Role.inspector, subject=inspector),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def rectification(service: RunningService, right, *, resolved_id=None) -> uuid.UUID:
    """restoration-api orders (or, given ``resolved_id``, resolves) a rectification of
    ``right``, as its event reaches rights-api's consumer."""
    consumer = service.runtime.consumers["rights"]
    if resolved_id is None:
        rectification_id = uuid.uuid4()
        payload = RectificationOrdered(
            rectification_id=rectification_id,
            right_id=right.id,
            holder_id=right.holder_id,
            reason="2026年度治理任务未完成：采场边坡未按方案削坡",
            deadline=deadline(right.id, rectification_id, right.holder_id, DeadlineAction.set),
        )
    else:
        rectification_id = resolved_id
        payload = resolved(right.id, rectification_id, right.holder_id)
    assert (await consumer.process(restoration_record(payload))).status == "applied"
    return rectification_id
