"""The whole system under a mixed load: the four services, each a uvicorn process on its own
127.0.0.1 port and database, over the real single-node Kafka and the embedded PostgreSQL the
tests use (tests.e2e.system: relays, consumers and jobs running as deployed), driven by Locust
(bench/mix/locustfile.py, headless, its own process) with what the bureau, enterprises,
inspectors and the public do at once.

First every workflow of the mix alone, at its own share of the concurrency (the single-route
figures); then the mix for ``WHOLE_SYSTEM_SECONDS`` (600 by default; 60 to iterate). Meanwhile
the oldest unsent outbox row of each service is sampled every second. Afterwards: per route
p50/p99 under the mix beside alone, errors, event lag (outbox ``created_at`` → the consumer's
inbox ``processed_at``), the servers' CPU per request (uvicorn + its PostgreSQL backends),
resident memory after warm-up against the end, and a chart of latency over time.

    WHOLE_SYSTEM_SECONDS=60 .venv/bin/python bench/whole_system.py
"""

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from devkit.localinfra.kafka import kafka_node  # noqa: E402
from devkit.localinfra.postgres import postgres_server  # noqa: E402
from servicekit.logs import configure_logging  # noqa: E402
from servicekit.migrations import upgrade_async  # noqa: E402
from servicekit.services import installed_services  # noqa: E402

from bench.cpu import BackendCpu, cpu_seconds, load_note  # noqa: E402
from bench.mix.plan import CLASSES, users  # noqa: E402
from bench.mix.report import report  # noqa: E402
from bench.mix.seed import seed  # noqa: E402
from tests.e2e.system import SERVICES, System  # noqa: E402

MIX_SECONDS = int(os.environ.get("WHOLE_SYSTEM_SECONDS", "600"))
ALONE_SECONDS = int(os.environ.get("WHOLE_SYSTEM_ALONE_SECONDS", "30"))
WARM_UP_SECONDS = 30
LOCUSTFILE = ROOT / "bench" / "mix" / "locustfile.py"
OLDEST_UNSENT = (
    "SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0) FROM outbox"
    " WHERE sent_at IS NULL"
)


class Deployed(System):
    """tests.e2e.system's processes with the relay's and consumers' timings as deployed (the
    tests shorten them to settle faster)."""

    def env(self, name: str) -> dict[str, str]:
        shortened = ("MINEADMIN_RELAY_POLL_SECONDS", "MINEADMIN_CONSUMER_RETRY_BASE_SECONDS")
        return {k: v for k, v in super().env(name).items() if k not in shortened}


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores, /proc/stat: not idle, iowait)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def procs_running() -> int:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("procs_running"):
            return int(line.split()[1])
    return 0


class Meter:
    """CPU each service used (its uvicorn process + its PostgreSQL backends), the Kafka
    broker's, and the machine's, between ``start()`` and ``stop()``."""

    def __init__(self, pids: dict[str, int], dsns: dict[str, str], kafka: int | None) -> None:
        self.pids, self.kafka = pids, kafka
        self.backends = {name: BackendCpu(dsn) for name, dsn in dsns.items()}

    async def start(self) -> None:
        self.runnable: list[int] = []
        self.sampler = asyncio.create_task(self._sample_runnable())
        self.before = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.kafka_before = cpu_seconds(self.kafka) if self.kafka else None
        for meter in self.backends.values():
            await meter.start()
        self.machine_before, self.at = machine_busy(), time.monotonic()

    async def stop(self) -> dict[str, float]:
        used = {name: cpu_seconds(pid) - self.before[name] for name, pid in self.pids.items()}
        for name, meter in self.backends.items():
            used[name] += await meter.stop() or 0.0
        if self.kafka:
            used["kafka"] = cpu_seconds(self.kafka) - self.kafka_before
        used["machine"] = machine_busy() - self.machine_before
        used["seconds"] = time.monotonic() - self.at
        self.sampler.cancel()
        used["runnable"] = statistics.fmean(self.runnable) if self.runnable else 0.0
        return used

    async def _sample_runnable(self) -> None:
        """How many threads want a core, twice a second: busy cores saturate at the core count,
        this shows by how much the machine is oversubscribed."""
        while True:
            self.runnable.append(procs_running())
            await asyncio.sleep(0.5)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def locust(
    workdir: Path, data: Path, name: str, seconds: int, classes: list[str], green_from: int = 0
) -> tuple[Path, float]:
    """One headless Locust run (its own process): the path of its per-request samples and the
    CPU seconds Locust itself used."""
    samples = workdir / f"{name}.samples.csv"
    count = str(users(classes))
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        count,
        "--spawn-rate",
        count,
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "30",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--host",
        "http://127.0.0.1",
        *classes,
    ]
    env = os.environ | {
        "MIX_DATA": str(data),
        "MIX_SAMPLES": str(samples),
        "MIX_RUN": name,
        "MIX_GREEN_FROM": str(green_from),
        "PYTHONPATH": str(ROOT),
    }
    with (workdir / f"{name}.locust.log").open("w") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if not samples.exists():
        raise RuntimeError(f"locust {name}: no samples (exit {process.returncode}), see {log.name}")
    return samples, usage.ru_utime + usage.ru_stime


async def sample_outboxes(dsns: dict[str, str], worst: dict[str, float], stop: asyncio.Event):
    conns = {name: await asyncpg.connect(dsn) for name, dsn in dsns.items()}
    try:
        while not stop.is_set():
            for name, conn in conns.items():
                age = float(await conn.fetchval(OLDEST_UNSENT))
                worst[name] = max(worst.get(name, 0.0), age)
            try:
                await asyncio.wait_for(stop.wait(), 1)
            except TimeoutError:
                pass
    finally:
        for conn in conns.values():
            await conn.close()


async def event_lags(dsns: dict[str, str], since: float, until: float) -> dict[str, list[float]]:
    """Per consumer (service): ms from each event's outbox row to its inbox row, for events
    created while the mix ran; and under "relay", ms from each such row to its ``sent_at``
    (the relay's part: the rest of the transaction, the wake-up, Kafka's acknowledgement)."""
    created: dict[uuid.UUID, float] = {}
    lags: dict[str, list[float]] = {"relay": []}
    processed: dict[str, list[tuple[uuid.UUID, float]]] = {}
    for name, dsn in dsns.items():
        conn = await asyncpg.connect(dsn)
        try:
            for row in await conn.fetch(
                "SELECT event_id, extract(epoch FROM created_at) AS at,"
                " extract(epoch FROM sent_at) AS sent FROM outbox"
                " WHERE created_at BETWEEN to_timestamp($1) AND to_timestamp($2)",
                since,
                until,
            ):
                created[row["event_id"]] = float(row["at"])
                if row["sent"] is not None:
                    lags["relay"].append((float(row["sent"]) - float(row["at"])) * 1000)
            processed[name] = [
                (row["event_id"], float(row["at"]))
                for row in await conn.fetch(
                    "SELECT event_id, extract(epoch FROM processed_at) AS at FROM inbox"
                )
            ]
        finally:
            await conn.close()
    for name, rows in processed.items():
        lags[name] = [(at - created[event]) * 1000 for event, at in rows if event in created]
    return lags


async def run(workdir: Path) -> None:
    server = postgres_server(ROOT / ".data" / "test-postgres", env_var="TEST_DATABASE_URL")
    tag = uuid.uuid4().hex[:8]
    specs = installed_services()
    async with AsyncExitStack() as stack:
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not bootstrap:
            node = kafka_node(data_dir=workdir / "kafka")
            node.start()
            stack.callback(node.stop)
            bootstrap = node.bootstrap_servers
        system = Deployed(kafka=bootstrap, topic_prefix=f"ws{tag}.", logs=workdir)
        stack.push_async_callback(system.close)
        dsns = {}
        for name in SERVICES:
            database = f"bench_ws_{name}_{tag}"
            system.database_urls[name] = await server.create_database(database)
            stack.push_async_callback(server.drop_database, database)
            dsns[name] = server.dsn(database)
            await upgrade_async(
                database_url=system.database_urls[name], service_versions=specs[name].migrations
            )
        await system.start_all()
        print("system up; seeding", flush=True)
        started = time.monotonic()
        data = await seed(system, dsns)
        seeded_in = time.monotonic() - started
        data_path = workdir / "mix-data.json"
        data_path.write_text(json.dumps(data))
        pids = {name: system.running(name)[0].process.pid for name in SERVICES}
        if os.environ.get("WHOLE_SYSTEM_HOLD"):  # to run Locust by hand against it
            print(f"holding; MIX_DATA={data_path}", flush=True)
            await asyncio.sleep(3600)
        kafka_pid = node._process.pid if not os.environ.get("KAFKA_BOOTSTRAP_SERVERS") else None
        meter = Meter(pids, dsns, kafka_pid)
        print(f"warm-up: {WARM_UP_SECONDS} s", flush=True)
        locust(workdir, data_path, "warm-up", WARM_UP_SECONDS, list(CLASSES), 10)

        alone, alone_cpu = {}, {}
        for cls in CLASSES:
            print(f"alone: {cls}", flush=True)
            await meter.start()
            alone[cls], locust_cpu = await asyncio.to_thread(
                locust, workdir, data_path, f"alone-{cls}", ALONE_SECONDS, [cls]
            )
            alone_cpu[cls] = await meter.stop() | {"locust": locust_cpu}

        rss_warm = {name: rss_mib(pid) for name, pid in pids.items()}
        await meter.start()
        worst: dict[str, float] = {}
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_outboxes(dsns, worst, stop))
        print(f"mix: {MIX_SECONDS} s", flush=True)
        mix_from = time.time()
        mix, locust_cpu = await asyncio.to_thread(
            locust, workdir, data_path, "mix", MIX_SECONDS, list(CLASSES), 30
        )
        mix_until = time.time()
        mix_cpu = await meter.stop() | {"locust": locust_cpu}
        rss_end = {name: rss_mib(pid) for name, pid in pids.items()}
        await asyncio.sleep(5)  # the last events of the mix reach their consumers
        stop.set()
        await sampler
        lags = await event_lags(dsns, mix_from, mix_until)

    report(
        alone=alone,
        mix=mix,
        mix_seconds=MIX_SECONDS,
        alone_seconds=ALONE_SECONDS,
        lags=lags,
        outbox_worst=worst,
        alone_cpu=alone_cpu,
        mix_cpu=mix_cpu,
        rss_warm=rss_warm,
        rss_end=rss_end,
        seeded=data["summary"],
        seeded_in=seeded_in,
        load=load_note(),
    )


def main() -> None:
    configure_logging("WARNING", json=False)
    with tempfile.TemporaryDirectory(prefix="bench-whole-system-") as workdir:
        try:
            asyncio.run(run(Path(workdir)))
        finally:
            if os.environ.get("WHOLE_SYSTEM_KEEP"):
                kept = Path(tempfile.mkdtemp(prefix="bench-whole-system-kept-"))
                subprocess.run(["cp", "-r", f"{workdir}/.", str(kept)], check=False)
                print(f"logs kept in {kept}")


if __name__ == "__main__":
    main()
