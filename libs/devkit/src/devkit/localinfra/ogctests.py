"""ogctests (PyPI), an outside black-box verifier of OGC API Features Part 1 Core, in an
environment of its own under ``.tools/ogctests``: it pins pytest 8, httpx 0.27 and pyarrow 17,
which conflict with the project's lock, so it never joins ``uv.lock``. Installed once, by the
project's pinned uv, from ``ogctests-requirements.txt`` (exact versions); a changed file
reinstalls it. OGC's own suite (``ets-ogcapi-features10``) is not on Maven Central."""

import hashlib
import os
import shutil
import sys
from pathlib import Path

from devkit.localinfra.fetch_once import ToolFailed, fetch_once, run_tool

REQUIREMENTS = Path(__file__).with_name("ogctests-requirements.txt")


class OgcTestsUnavailable(RuntimeError):
    """ogctests could not be installed (no uv, no registry)."""


def resolve_ogctests(tools_dir: Path, uv: Path) -> Path:
    """The Python of ``tools_dir/ogctests`` with ogctests installed (installing it once)."""
    env = tools_dir / "ogctests"
    python = env / "bin" / "python"

    def install() -> None:
        if not uv.exists():
            raise OgcTestsUnavailable(f"{uv} is missing: run `make bootstrap`")
        shutil.rmtree(env, ignore_errors=True)
        environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        for command in (
            [str(uv), "venv", "-q", "--python", sys.executable, str(env)],
            [str(uv), "pip", "install", "-q", "--python", str(python), "-r", str(REQUIREMENTS)],
        ):
            try:
                run_tool(command, env=environment)
            except ToolFailed as failed:
                raise OgcTestsUnavailable(f"{' '.join(command[:3])} failed:\n{failed}") from None

    # the marker lives in the environment, so a removed environment is installed again
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    fetch_once(env / "requirements.sha256", digest, install, lock=tools_dir / ".ogctests.lock")
    return python
