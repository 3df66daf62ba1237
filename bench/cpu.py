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


def backend_cpu_seconds(pids: list[int]) -> float | None:
    """User + system CPU of these PostgreSQL backends (None when the server is not local)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return None
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def load_note() -> str:
    one, five, fifteen = os.getloadavg()
    return (
        f"load average at the end (1, 5, 15 min): {one:.1f}, {five:.1f}, {fifteen:.1f} on "
        f"{os.cpu_count()} cores; wall times stretch with it, CPU times much less"
    )
