"""`mineadmin doctor`: the first thing an operator runs."""

import asyncio
import json
import uuid
from datetime import date

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from devkit.testing import eventually, running_service
from restoration_api.app import SERVICE as RESTORATION
from rights_api.app import SERVICE
from servicekit.auth import Role
from servicekit.cli import app
from servicekit.doctor import Level, diagnose
from servicekit.topics import apply as apply_topics
from typer.testing import CliRunner

from tests.events.support import produce, sql
from tests.notifier.support import serving
from tests.samples import credit_code

TODAY = date(2026, 11, 28)
RUN = uuid.uuid4().hex[:8]


async def committed(bootstrap: str, group: str, topic: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(group)
        return any(tp.topic == topic and meta.offset > 0 for tp, meta in offsets.items())
    finally:
        await admin.close()


async def sql_url(url: str, statement: str) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def levels(findings) -> dict[str, list[Level]]:
    out: dict[str, list[Level]] = {}
    for f in findings:
        out.setdefault(f.check, []).append(f.level)
    return out


async def test_a_migrated_database_passes_and_a_missing_calendar_year_is_a_warning(databases):
    url = await databases.create("rights")
    settings = SERVICE.settings(database_url=url, broker="inprocess")
    findings = await diagnose(SERVICE, settings, today=TODAY)
    assert levels(findings) == {
        "readiness": [Level.skip],  # no RIGHTS_PUBLIC_URL
        "database": [Level.ok],
        "migrations": [Level.ok],
        "outbox": [Level.ok],
        "dead letters": [Level.ok],
        "calendar": [Level.ok, Level.warn],  # 2026 ships with chinesecalendar, 2027 does not
        "attachment store": [Level.ok],
        "broker": [Level.warn],
    }
    assert any("PUT /admin/calendar/2027" in f.detail for f in findings)


async def test_an_attachment_directory_that_cannot_be_made_fails(databases, tmp_path):
    url = await databases.create("rights")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    settings = SERVICE.settings(
        database_url=url, broker="inprocess", attachments_dir=blocker / "attachments"
    )
    findings = await diagnose(SERVICE, settings, today=TODAY)
    [store] = [f for f in findings if f.check == "attachment store"]
    assert store.level is Level.fail
    assert "a-file is not a writable directory" in store.detail


async def test_an_unmigrated_database_fails(pg):
    url = await pg.create_database(f"doctor_empty_{RUN}", replace=True)
    try:
        settings = SERVICE.settings(database_url=url, broker="inprocess")
        findings = await diagnose(SERVICE, settings, today=TODAY)
        assert Level.fail in levels(findings)["database"]  # no alembic_version table at all
    finally:
        await pg.drop_database(f"doctor_empty_{RUN}")


async def test_a_database_behind_the_code_fails_naming_the_command(databases):
    url = await databases.create("rights")
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    await conn.execute("DELETE FROM alembic_version WHERE version_num LIKE 'r%'")
    await conn.close()
    findings = await diagnose(
        SERVICE, SERVICE.settings(database_url=url, broker="inprocess"), today=TODAY
    )
    [migrations] = [f for f in findings if f.check == "migrations"]
    assert migrations.level is Level.fail
    assert "mineadmin migrate" in migrations.detail


@pytest.mark.kafka
async def test_a_reachable_kafka_broker_passes(databases, kafka):
    url = await databases.create("rights")
    settings = SERVICE.settings(database_url=url, broker="kafka", kafka_bootstrap_servers=kafka)
    findings = await diagnose(SERVICE, settings, today=TODAY)
    assert levels(findings)["broker"] == [Level.ok]


def test_the_command_exits_1_when_the_database_is_unreachable(monkeypatch):
    monkeypatch.setenv("RIGHTS_DATABASE_URL", "postgresql+asyncpg://nobody:x@127.0.0.1:9/none")
    monkeypatch.setenv("RIGHTS_BROKER", "inprocess")
    result = CliRunner().invoke(app, ["doctor", "--service", "rights"])
    assert result.exit_code == 1
    assert "rights" in result.output and "FAIL" in result.output
    result = CliRunner().invoke(app, ["doctor", "--service", "rights", "--json"])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["healthy"] is False
    [database] = [f for f in document["findings"] if f["check"] == "database"]
    assert database["level"] == "FAIL" and "ConnectionRefusedError" in database["detail"]


async def test_an_outbox_backlog_older_than_the_threshold_fails(rights):
    created = await rights.client.post(
        "/holders",
        json={"credit_code": credit_code(31), "name": "积压测试矿业"},
        headers=rights.auth(Role.bureau_admin),
    )
    assert created.status_code == 201  # its event waits in the outbox: no relay runs here
    settings = rights.settings.model_copy(update={"broker": "inprocess"})
    [fresh] = [f for f in await diagnose(SERVICE, settings, today=TODAY) if f.check == "outbox"]
    assert fresh.level is Level.ok and fresh.detail.startswith("1 unsent")
    await sql_url(
        rights.settings.database_url,
        "UPDATE outbox SET created_at = now() - interval '10 minutes'",
    )
    [stale] = [f for f in await diagnose(SERVICE, settings, today=TODAY) if f.check == "outbox"]
    assert stale.level is Level.fail
    assert stale.detail.startswith("1 unsent, oldest 600 s (limit 300 s)")
    patient = settings.model_copy(update={"doctor_outbox_max_age_seconds": 900})
    [ok] = [f for f in await diagnose(SERVICE, patient, today=TODAY) if f.check == "outbox"]
    assert ok.level is Level.ok


def run_doctor(monkeypatch, service: str, env: dict[str, str]) -> tuple[int, dict]:
    prefix = service.upper()
    for field, value in env.items():
        monkeypatch.setenv(f"{prefix}_{field}", value)
    result = CliRunner().invoke(app, ["doctor", "--service", service, "--json"])
    return result.exit_code, json.loads(result.output)


def by_check(document: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in document["findings"]:
        out.setdefault(f["check"], []).append(f)
    return out


@pytest.mark.kafka
async def test_a_healthy_system_exits_0_and_a_stopped_consumer_lagging_fails(
    databases, kafka, topic_prefix, monkeypatch
):
    url = await databases.create("restoration")
    topic = f"{topic_prefix}rights.events"
    settings = {"kafka_bootstrap_servers": kafka, "topic_prefix": topic_prefix}
    env = {"DATABASE_URL": url, "KAFKA_BOOTSTRAP_SERVERS": kafka, "TOPIC_PREFIX": topic_prefix}
    await apply_topics(RESTORATION.settings(**settings))  # as at deploy: doctor checks them
    async with running_service(RESTORATION, database_url=url, **settings) as restoration:
        async with serving(restoration.app) as public_url:
            env["PUBLIC_URL"] = public_url
            code, healthy = await asyncio.to_thread(run_doctor, monkeypatch, "restoration", env)
            assert code == 0, healthy
            assert healthy["healthy"] is True
            checks = by_check(healthy)
            assert checks["readiness"][0]["level"] == "ok"
            [lag] = checks["consumer lag"]
            assert lag["level"] == "ok" and topic in lag["detail"]
            [consumers] = checks["consumers"]
            assert consumers["level"] == "ok", consumers
            assert consumers["detail"].startswith(f"group {topic_prefix}restoration: 1 live")
            # one record the consumer cannot read: dead-lettered, its offset committed
            await produce(kafka, topic, value=b"not json", key=b"k")
            await eventually(
                lambda: sql(restoration, "SELECT id FROM dead_letters"), what="a dead letter"
            )
        await eventually(
            lambda: committed(kafka, f"{topic_prefix}restoration", topic), what="a commit"
        )
    for _ in range(3):  # the consumer is stopped: these wait
        await produce(kafka, topic, value=b"still not json", key=b"k")

    env["PUBLIC_URL"] = public_url  # nothing answers there any more
    code, sick = await asyncio.to_thread(
        run_doctor, monkeypatch, "restoration", {**env, "DOCTOR_MAX_CONSUMER_LAG": "2"}
    )
    assert code == 1
    checks = by_check(sick)
    [lag] = checks["consumer lag"]
    assert lag["level"] == "FAIL", lag
    assert f"group {topic_prefix}restoration, topic {topic}: 3 behind (limit 2)" in lag["detail"]
    [consumers] = checks["consumers"]  # the service stopped: nobody reads what waits
    assert consumers["level"] == "warn", consumers
    assert "no live consumer" in consumers["detail"] and "3 records waiting" in consumers["detail"]
    [letters] = checks["dead letters"]
    assert letters["level"] == "FAIL" and letters["detail"].startswith("1 not replayed")
    assert checks["readiness"][0]["level"] == "FAIL"

    # within the thresholds, with the letter replayed and no URL to probe: healthy again
    await sql_url(url, "UPDATE dead_letters SET replayed_at = now()")
    env.pop("PUBLIC_URL")
    monkeypatch.delenv("RESTORATION_PUBLIC_URL")
    code, calm = await asyncio.to_thread(
        run_doctor, monkeypatch, "restoration", {**env, "DOCTOR_MAX_CONSUMER_LAG": "3"}
    )
    assert code == 0, calm
    checks = by_check(calm)
    assert checks["consumer lag"][0]["detail"].endswith("3 behind (limit 3)")
    assert checks["dead letters"][0]["level"] == "ok"
    assert checks["readiness"][0]["level"] == "-"
    assert checks["consumers"][0]["level"] == "warn"  # still stopped: said, within the limits
