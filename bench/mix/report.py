"""The whole-system run's figures from Locust's per-request samples and the orchestrator's
measurements: recorded with bench/results.py, and the chart of latency over time per route."""

import csv
import os
import statistics
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.mix.plan import CLASSES
from bench.results import Figure, Scenario, commit, record, render

BENCH = Path(__file__).resolve().parents[1]
CHART = BENCH / "whole_system.png"
P99_RATIO = 3.0
LAG_P99_MS = 250.0
RSS_GROWTH = 0.10
WINDOW = 30  # seconds per point of the chart


def read(samples: Path) -> list[tuple[float, str, float, bool]]:
    with samples.open() as source:
        return [
            (float(r["start"]), r["name"], float(r["ms"]), r["ok"] == "1")
            for r in csv.DictReader(source)
        ]


def pct(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


def by_route(rows) -> dict[str, list[float]]:
    routes: dict[str, list[float]] = defaultdict(list)
    for _, name, ms, _ok in rows:
        routes[name].append(ms)
    return routes


def chart(rows, mix_seconds: int) -> None:
    """One panel per service, one colour per route: p99 solid, p50 dashed, per window."""
    start = min(r[0] for r in rows)
    whole = int((max(r[0] for r in rows) - start) // WINDOW)  # the last, partial window left out
    series: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for at, name, ms, _ok in rows:
        if (window := int((at - start) // WINDOW)) < whole:
            series[name][window].append(ms)
    services = sorted({name.split()[0] for name in series})
    figure, axes = plt.subplots(2, 2, figsize=(14, 10), sharex=True)
    for axis, service in zip(axes.flat, services, strict=False):
        for colour, name in enumerate(n for n in sorted(series) if n.split()[0] == service):
            windows = sorted(series[name])
            x = [(w + 0.5) * WINDOW / 60 for w in windows]
            route = name.split(" ", 1)[1]
            for p, style in ((99, "-"), (50, "--")):
                axis.plot(
                    x,
                    [pct(series[name][w], p) for w in windows],
                    style,
                    color=f"C{colour}",
                    linewidth=1.2,
                    label=f"{route} p{p}",
                )
        axis.set_title(service)
        axis.set_yscale("log")
        axis.set_ylabel("latency, ms (log)")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=6, loc="upper left", ncol=2)
    for axis in axes[1]:
        axis.set_xlabel(f"minutes into the mix ({mix_seconds // 60} min)")
    figure.suptitle(
        f"Whole system under the mix: p99 (solid) and p50 (dashed) per route, {WINDOW} s windows"
    )
    figure.tight_layout()
    figure.savefig(CHART, dpi=80)
    plt.close(figure)


def report(
    *,
    alone: dict[str, Path],
    mix: Path,
    mix_seconds: int,
    alone_seconds: int,
    lags: dict[str, list[float]],
    outbox_worst: dict[str, float],
    alone_cpu: dict[str, dict[str, float]],
    mix_cpu: dict[str, float],
    rss_warm: dict[str, float],
    rss_end: dict[str, float],
    seeded: dict,
    seeded_in: float,
    load: str,
) -> bool:
    mixed = read(mix)
    single = by_route(row for path in alone.values() for row in read(path))
    routes = by_route(mixed)
    errors = sum(not r[3] for r in mixed)
    alone_errors = sum(not r[3] for path in alone.values() for r in read(path))
    figures: list[Figure] = []
    over: list[str] = []
    ratios: dict[str, tuple[float, float]] = {}
    for name in sorted(routes):
        under, solo = routes[name], single.get(name, [])
        p50, p99 = pct(under, 50), pct(under, 99)
        s50, s99 = (pct(solo, 50), pct(solo, 99)) if solo else (None, None)
        figures.append(Figure(f"{name} p50", "ms", p50, s50))
        figures.append(Figure(f"{name} p99", "ms", p99, s99))
        if s99:
            ratios[name] = (p99, s99)
        if s99 and p99 > P99_RATIO * s99:
            over.append(f"{name} ({p99 / s99:.1f}×)")
    relayed = lags.pop("relay", [])
    per_consumer = {name: values for name, values in lags.items() if values}
    every_lag = [v for values in per_consumer.values() for v in values]
    lag_p99 = pct(every_lag, 99) if every_lag else float("nan")
    figures.append(Figure("errors (unexpected status or no answer)", "requests", errors))
    figures.append(Figure("event lag outbox → consumer p50", "ms", pct(every_lag, 50)))
    figures.append(Figure("event lag outbox → consumer p99", "ms", lag_p99))
    for name, values in sorted(per_consumer.items()):
        figures.append(Figure(f"event lag → {name} p99", "ms", pct(values, 99)))
    if relayed:
        figures.append(
            Figure("of the lag, outbox row → sent (the relay's part) p50", "ms", pct(relayed, 50))
        )
        figures.append(
            Figure("of the lag, outbox row → sent (the relay's part) p99", "ms", pct(relayed, 99))
        )
    for name, age in sorted(outbox_worst.items()):
        figures.append(Figure(f"{name}: oldest unsent outbox row at worst", "s", age))
    requests = len(mixed)
    served, served_alone = defaultdict(int), defaultdict(int)
    for _, name, _ms, _ok in mixed:
        served[name.split()[0]] += 1
    for path in alone.values():
        for _, name, _ms, _ok in read(path):
            served_alone[name.split()[0]] += 1
    services = sorted(s for s in mix_cpu if s in served or s in served_alone or s == "notifier")
    per_request = {}
    for name in services:
        spent_alone = sum(run.get(name, 0.0) for run in alone_cpu.values())
        per_request[name] = (
            mix_cpu[name] / max(served[name], 1) * 1000,
            spent_alone / max(served_alone[name], 1) * 1000,
        )
        figures.append(
            Figure(f"{name}: CPU per request (uvicorn + its backends)", "ms", *per_request[name])
        )
    ours = ("kafka", "locust", *services)
    alone_seconds_total = sum(run["seconds"] for run in alone_cpu.values())
    busy = (
        mix_cpu["machine"] / mix_cpu["seconds"],
        sum(run["machine"] for run in alone_cpu.values()) / alone_seconds_total,
    )
    own = (
        sum(mix_cpu.get(k, 0.0) for k in ours) / mix_cpu["seconds"],
        sum(run.get(k, 0.0) for run in alone_cpu.values() for k in ours) / alone_seconds_total,
    )
    runnable = (
        mix_cpu.get("runnable", 0.0),
        statistics.fmean(run.get("runnable", 0.0) for run in alone_cpu.values()),
    )
    figures.append(Figure("machine CPU busy, every process on it", "cores", *busy))
    figures.append(Figure("threads wanting a core on the machine (mean)", "threads", *runnable))
    figures.append(
        Figure("of which this benchmark (services, backends, Kafka, Locust)", "cores", *own)
    )
    why = []
    if ratios:
        worst = max(ratios, key=lambda n: ratios[n][0] / ratios[n][1])
        (p99, s99), service = ratios[worst], worst.split()[0]
        mixed_cpu, alone_cpu_ms = per_request[service]
        same = mixed_cpu <= 1.3 * alone_cpu_ms
        why.append(
            f"Worst route: {worst}, p99 {p99:.0f} ms under the mix against {s99:.0f} ms alone "
            f"({p99 / s99:.1f}×). {service}'s CPU per request: {mixed_cpu:.1f} ms mixed, "
            f"{alone_cpu_ms:.1f} ms alone; the machine's {os.cpu_count()} cores were busy "
            f"{busy[0]:.2f} on average during the mix ({own[0]:.2f} of it this benchmark), "
            f"{busy[1]:.2f} ({own[1]:.2f}) during the lone runs, with {runnable[0]:.1f} threads "
            f"wanting a core on average during the mix and {runnable[1]:.1f} alone. "
            + f"{service} itself (uvicorn + backends) used "
            f"{mix_cpu[service] / mix_cpu['seconds']:.2f} of a core in the mix. "
            + (
                "No more work per request than alone: the extra time is waiting, for the "
                "service's one event loop (it interleaves every request in flight, and the mix "
                "sends it the CPU-heavy ones of other workflows at once, e.g. admission rules "
                "beside an offering) and for a core of the shared machine"
                if same
                else "More work per request under the mix: contention inside the service "
                "(locks, pool waits, retries), see its log"
            )
        )
    growth = {}
    for name in sorted(rss_end):
        growth[name] = rss_end[name] / rss_warm[name] - 1
        figures.append(
            Figure(
                f"{name}: resident memory, end vs after warm-up",
                "MiB",
                rss_end[name],
                rss_warm[name],
            )
        )
    lag_ok = lag_p99 <= LAG_P99_MS
    rss_ok = all(g <= RSS_GROWTH for g in growth.values())
    met = not over and errors == 0 and lag_ok and rss_ok
    chart(mixed, mix_seconds)
    misses = []
    if over:
        misses.append(f"p99 over {P99_RATIO:.0f}× alone: {', '.join(over)}")
    if errors:
        misses.append(f"{errors} errors")
    if not lag_ok:
        misses.append(f"event lag p99 {lag_p99:.0f} ms > {LAG_P99_MS:.0f} ms")
    if not rss_ok:
        grown = ", ".join(f"{n} +{g:.0%}" for n, g in growth.items() if g > RSS_GROWTH)
        misses.append(f"memory grew: {grown}")
    mix_users = ", ".join(f"{n} {u}×/{s:g} s" for n, (u, s) in CLASSES.items())
    scenario = Scenario(
        name="whole_system",
        title="Whole system under a mixed load (four services, Kafka, PostgreSQL)",
        baseline="each route measured alone in the same run (its workflow's Locust users "
        "alone, same number and pacing as in the mix), just before the mix",
        figures=figures,
        target=f"every route's p99 under the mix ≤ {P99_RATIO:.0f}× alone; 0 errors; "
        f"event lag p99 ≤ {LAG_P99_MS:.0f} ms; resident memory growth ≤ "
        f"{RSS_GROWTH:.0%}",
        met=met,
        server_cpu_seconds=sum(mix_cpu[name] for name in services),
        load_generator=f"Locust (headless, its own process), {mix_seconds} s of the mix "
        f"({requests} requests, {requests / mix_seconds:.1f}/s); users × pacing: "
        f"{mix_users}; each workflow alone for {alone_seconds} s before",
        notes=[
            "![latency per route over the mix](whole_system.png)",
            *(["Missed: " + "; ".join(misses)] if misses else []),
            f"Seeded in {seeded_in:.0f} s: {seeded['holders']} holders and "
            f"{seeded['rights_through_api']} mining rights through the API (each with its "
            f"fund, obliged mine and deadlines), {seeded['rights_in_register']} rights in "
            "the register in all; the plan's mine caps (four small mines in the city) raised "
            "in place as a 规划调整 may, so offerings and checks are judged on the other rules",
            "Each service one uvicorn process (as deploy/entrypoint.sh), its own database "
            "on the embedded PostgreSQL, one single-node Kafka; relays, consumers and jobs "
            "running as deployed; the reminder sweep also run on request by the mix",
            "Event lag: from the outbox row's created_at (the producing transaction's "
            "start, a little before its commit) to the consumer's inbox processed_at, "
            f"every consumer ({len(every_lag)} deliveries of events made during the mix)",
            "CPU per request: the service's uvicorn process plus its PostgreSQL backends "
            "(/proc) over the mix, divided by the mix's requests to that service (baseline: "
            "the same over all the lone runs); it includes the relay, the consumers and "
            "the jobs (the notifier's mostly consuming every event). Machine CPU: "
            "/proc/stat, all processes of the shared machine, the baseline over the lone "
            "runs",
            *why,
            f"Errors in the lone runs: {alone_errors}",
            load,
            f"Run at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on commit {commit()}",
        ],
    )
    record(scenario)
    write_section(scenario)
    print(
        f"whole system: {requests} requests, {errors} errors, lag p99 {lag_p99:.0f} ms, met={met}"
    )
    return met


def write_section(scenario: Scenario) -> None:
    """This scenario's section of bench/results.md, in place (the last section, as
    bench/results.py orders them), leaving the other scenarios' sections as they are."""
    results = BENCH / "results.md"
    section = "## " + render([scenario]).split("\n## ", 1)[1]
    text = results.read_text() if results.exists() else render([])
    heading = f"## {scenario.title}"
    if heading in text:
        text = text[: text.index(heading)]
    results.write_text(text.rstrip("\n") + "\n\n" + section)
