"""ogctests (PyPI), an outside black-box verifier of OGC API Features Part 1 Core written from
the standard's abstract test suite, run against rights-api on a real port. OGC's own suite
(ets-ogcapi-features10) is not on Maven Central: see the rights-api README."""

import asyncio
import os
import re
from pathlib import Path

import pytest
from devkit.localinfra.ogctests import OgcTestsUnavailable, resolve_ogctests

from tests.notifier.support import serving
from tests.rights_api.spatial_support import world_running

ROOT = Path(__file__).resolve().parents[2]


async def _ogctests() -> Path:
    try:
        return await asyncio.to_thread(resolve_ogctests, ROOT / ".tools", ROOT / ".tools/bin/uv")
    except OgcTestsUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"ogctests could not be installed: {exc}")
        pytest.skip(f"ogctests could not be installed: {exc}")


async def test_ogctests_features_core_passes(databases, tmp_path):
    python = await _ogctests()
    async with world_running(databases, tmp_path) as (service, _):
        async with serving(service.app) as base:
            process = await asyncio.create_subprocess_exec(
                str(python),
                "-m",
                "ogctests",
                "features/core",
                "-i",
                f"{base}/ogc",
                "-v",
                "True",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                cwd=tmp_path,
            )
            out, _ = await asyncio.wait_for(process.communicate(), timeout=600)
    report = out.decode()
    # ogctests exits 0 whatever its tests found: read pytest's closing line
    summary = [line for line in report.splitlines() if re.match(r"=+ .* in [\d.]+s", line)]
    assert summary, report[-4000:]
    assert re.search(r"\b(2\d|[3-9]\d) passed", summary[-1]), report[-6000:]
    assert not re.search(r"\d+ (failed|error)", summary[-1]), report[-6000:]
