"""`mineadmin doctor`: the first thing an operator runs."""

import uuid
from datetime import date

import asyncpg
import pytest
from rights_api.app import SERVICE
from servicekit.cli import app
from servicekit.doctor import Level, diagnose
from typer.testing import CliRunner

TODAY = date(2026, 11, 28)
RUN = uuid.uuid4().hex[:8]


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
        "database": [Level.ok],
        "migrations": [Level.ok],
        "outbox": [Level.ok],
        "calendar": [Level.ok, Level.warn],  # 2026 ships with chinesecalendar, 2027 does not
        "broker": [Level.warn],
    }
    assert any("PUT /admin/calendar/2027" in f.detail for f in findings)


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


def test_the_command_exits_1_when_something_fails(monkeypatch):
    monkeypatch.setenv("RIGHTS_DATABASE_URL", "postgresql+asyncpg://nobody:x@127.0.0.1:9/none")
    monkeypatch.setenv("RIGHTS_BROKER", "inprocess")
    result = CliRunner().invoke(app, ["doctor", "--service", "rights"])
    assert result.exit_code == 1
    assert "rights" in result.output and "FAIL" in result.output
