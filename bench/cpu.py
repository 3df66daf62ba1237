"""CPU time of the PostgreSQL backends serving a benchmark, and the machine's load, so a figure
can say how much work it took and how busy the machine was."""

import os
from pathlib import Path

import asyncpg


async def database_backends(dsn: str) -> list[int]:
    """Process ids of the other backends connected to the database of ``dsn``."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
    finally:
        await conn.close()
    return [r["pid"] for r in rows]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # ended, or the server is not on this machine
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BackendCpu:
    """CPU the database's backends used between ``start()`` and ``stop()``. A backend that
    connected meanwhile counts from zero; one that ended meanwhile (a short admin connection)
    is left out. None when the server is not on this machine."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.before: dict[int, float | None] = {}

    async def start(self) -> None:
        self.before = {pid: cpu_seconds(pid) for pid in await database_backends(self.dsn)}

    async def stop(self) -> float | None:
        after = {pid: cpu_seconds(pid) for pid in await database_backends(self.dsn)}
        readable = {pid: cpu for pid, cpu in after.items() if cpu is not None}
        if not readable:
            return None
        return sum(cpu - (self.before.get(pid) or 0) for pid, cpu in readable.items())


def load_note() -> str:
    one, five, fifteen = os.getloadavg()
    return (
        f"load average at the end (1, 5, 15 min): {one:.1f}, {five:.1f}, {fifteen:.1f} on "
        f"{os.cpu_count()} cores; wall times stretch with it, CPU times much less"
    )
