"""The delivery worker every replica runs (a ``ServiceSpec`` worker, not a periodic job: jobs
run one replica at a time inside one transaction, while delivery must commit each claim before
the network I/O and should spread over every replica)."""

import asyncio
import logging
import os
import socket
import uuid

from servicekit import clock

from notifier.delivery.channels import Channels
from notifier.delivery.events import deliver_events_due
from notifier.delivery.service import deliver_due

log = logging.getLogger("notifier.delivery")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


async def delivery_worker(runtime) -> None:
    settings, name = runtime.settings, worker_name()
    channels = Channels(settings)
    try:
        while True:
            handled = 0
            try:
                handled = await deliver_due(
                    db=runtime.db,
                    settings=settings,
                    channels=channels,
                    now=clock.now(),
                    worker=name,
                )
                # the domain events of event subscriptions, through the same channels
                handled += await deliver_events_due(
                    db=runtime.db, settings=settings, channels=channels, now=clock.now()
                )
            except Exception:
                log.exception("delivery round failed; trying again shortly")
            if handled == 0:
                await asyncio.sleep(settings.delivery_poll_seconds)
    finally:
        await channels.close()
