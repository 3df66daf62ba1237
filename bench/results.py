"""One format for every benchmark's figures, and the report `make bench` writes from them.

Each scenario script measures itself next to its baseline in the same run and calls
``record(Scenario(...))``; that writes ``bench/out/<name>.json``. ``python bench/results.py``
renders every recorded scenario into ``bench/results.md`` with the machine and the commit.

A ratio is never one measurement: a scenario measures the system and its baseline in at least
``MIN_ROUNDS`` alternating rounds (system, baseline, system, baseline, ...) and records each
round's ratio; the report gives their median and min–max, e.g. ``0.78 (0.71–0.83)``, so a reader
can tell a change from noise.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
MIN_ROUNDS = 5  # alternating rounds behind every ratio


@dataclass
class Figure:
    """One measured quantity, e.g. requests/s or p99 latency, for the system and its baseline.
    ``ratios`` are the per-round ratios (system / baseline, each round's pair measured back to
    back); ``value`` and ``baseline`` are then the medians of the rounds."""

    name: str
    unit: str
    value: float
    baseline: float | None = None
    ratios: list[float] = field(default_factory=list)

    @classmethod
    def rounds(cls, name: str, unit: str, values: list[float], baselines: list[float]) -> "Figure":
        """From alternating rounds: ``values[i]`` and ``baselines[i]`` measured in round i. A
        round whose baseline is 0 (a CPU time below the clock's tick) has no ratio."""
        if len(values) != len(baselines) or not values:
            raise ValueError(f"{name}: {len(values)} rounds against {len(baselines)} baselines")
        return cls(
            name,
            unit,
            statistics.median(values),
            statistics.median(baselines),
            [v / b for v, b in zip(values, baselines, strict=True) if b],
        )

    @property
    def ratio(self) -> float | None:
        """The median of the rounds' ratios (the one ratio there is for a single measurement)."""
        if self.ratios:
            return statistics.median(self.ratios)
        return self.value / self.baseline if self.baseline else None


@dataclass
class Scenario:
    name: str
    title: str
    baseline: str  # what the baseline is, in words
    figures: list[Figure]
    target: str  # the target, in words
    met: bool  # whether the target is met by these figures
    server_cpu_seconds: float | None = None  # CPU the server under test used during the run
    baseline_cpu_seconds: float | None = None
    load_generator: str | None = None  # e.g. "wrk 4.2, 2 threads, 32 connections, 10 s"
    notes: list[str] = field(default_factory=list)


def record(scenario: Scenario) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"{scenario.name}.json"
    path.write_text(json.dumps(asdict(scenario), ensure_ascii=False, indent=2))
    return path


def load(path: Path) -> Scenario:
    data = json.loads(path.read_text())
    data["figures"] = [Figure(**f) for f in data["figures"]]
    return Scenario(**data)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory_gib:.0f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def commit() -> str:
    described = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=BENCH
    )
    return described.stdout.strip() or "unknown"


def _ratio(figure: Figure) -> str:
    if figure.ratio is None:
        return ""
    if not figure.ratios:
        return f"{figure.ratio:.2f} (1 round)"
    low, high = min(figure.ratios), max(figure.ratios)
    spread = f"{figure.ratio:.2f} ({low:.2f}–{high:.2f})"
    return spread if len(figure.ratios) >= MIN_ROUNDS else f"{spread}, {len(figure.ratios)} rounds"


def render(scenarios: list[Scenario]) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"- Machine: {machine()}",
        f"- Commit: {commit()}",
        f"- Run at: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "- Each figure is measured next to its baseline in the same run; compare ratios, not "
        "absolute numbers, across machines.",
        f"- A ratio is the median of at least {MIN_ROUNDS} alternating rounds (system, baseline, "
        "system, ...) with the rounds' min–max in brackets; measured and baseline are the "
        "rounds' medians.",
        "",
    ]
    for s in scenarios:
        lines += [
            f"## {s.title}",
            "",
            f"Baseline: {s.baseline}. Target: {s.target}. **{'met' if s.met else 'NOT met'}**.",
            "",
            "| figure | unit | measured | baseline | ratio (min–max) |",
            "|---|---|---:|---:|---:|",
        ]
        for f in s.figures:
            baseline = "" if f.baseline is None else f"{f.baseline:,.2f}"
            lines.append(f"| {f.name} | {f.unit} | {f.value:,.2f} | {baseline} | {_ratio(f)} |")
        lines.append("")
        if s.load_generator:
            lines.append(f"- Load generator: {s.load_generator}")
        if s.server_cpu_seconds is not None:
            cpu = f"- Server CPU time: {s.server_cpu_seconds:.2f} s"
            if s.baseline_cpu_seconds is not None:
                cpu += f" (baseline server: {s.baseline_cpu_seconds:.2f} s)"
            lines.append(cpu)
        lines += [f"- {note}" for note in s.notes]
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    scenarios = [load(p) for p in sorted(OUT.glob("*.json"))]
    if not scenarios:
        print("no recorded scenarios in bench/out/", file=sys.stderr)
        return 1
    (BENCH / "results.md").write_text(render(scenarios))
    print(f"bench/results.md: {len(scenarios)} scenarios, {sum(s.met for s in scenarios)} met")
    return 0 if all(s.met for s in scenarios) else 2


if __name__ == "__main__":
    sys.exit(main())
