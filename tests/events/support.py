"""Helpers for event tests: two real services, a plain Kafka client to look at topics."""

import json
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from devkit.testing import RunningService
from servicekit.auth import Role
from sqlalchemy import text

from tests.samples import credit_code


async def register(rights: RunningService, serial: int, name: str | None = None) -> dict:
    response = await rights.client.post(
        "/holders",
        json={"credit_code": credit_code(serial), "name": name or f"测试矿业{serial}"},
        headers=rights.auth(Role.bureau_admin),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def sql(service: RunningService, query: str, **params) -> list:
    async with service.runtime.db.transaction() as session:
        return list((await session.exec(text(query).bindparams(**params))).all())


async def journal(notifier: RunningService) -> list[dict]:
    response = await notifier.client.get(
        "/admin/received-events", params={"limit": 200}, headers=notifier.auth(Role.bureau_admin)
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 30.0) -> list:
    """Read a topic from the start with a plain Kafka client, as any other system would: until
    ``expected`` records arrived (or ``timeout``), then a moment longer to catch any extra."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        metadata_max_age_ms=500,  # the topic may be created while we wait
    )
    await consumer.start()
    try:
        records: list = []
        deadline = time.monotonic() + timeout
        while len(records) < expected and time.monotonic() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                records += messages
        for messages in (await consumer.getmany(timeout_ms=1000)).values():
            records += messages
        return records
    finally:
        await consumer.stop()


async def produce(
    bootstrap: str,
    topic: str,
    *,
    value: bytes,
    key: bytes | None = None,
    headers: list[tuple[str, bytes]] | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=headers or [])
    finally:
        await producer.stop()


def headers_of(record) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


def data_of(record) -> dict:
    return json.loads(record.value)
