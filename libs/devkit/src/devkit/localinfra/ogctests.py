"""ogctests (PyPI), an outside black-box verifier of OGC API Features Part 1 Core, in an
environment of its own under ``.tools/ogctests``: it pins pytest 8, httpx 0.27 and pyarrow 17,
which conflict with the project's lock, so it never joins ``uv.lock``. Installed once, by the
project's pinned uv, from ``ogctests-requirements.txt`` (exact versions); a changed file
reinstalls it. OGC's own suite (``ets-ogcapi-features10``) is not on Maven Central."""

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REQUIREMENTS = Path(__file__).with_name("ogctests-requirements.txt")


class OgcTestsUnavailable(RuntimeError):
    """ogctests could not be installed (no uv, no registry)."""


def resolve_ogctests(tools_dir: Path, uv: Path) -> Path:
    """The Python of ``tools_dir/ogctests`` with ogctests installed (installing it once)."""
    env = tools_dir / "ogctests"
    python = env / "bin" / "python"
    marker = env / "requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and marker.exists() and marker.read_text() == digest:
        return python
    if not uv.exists():
        raise OgcTestsUnavailable(f"{uv} is missing: run `make bootstrap`")
    tools_dir.mkdir(parents=True, exist_ok=True)
    with (tools_dir / ".ogctests.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if python.exists() and marker.exists() and marker.read_text() == digest:
            return python
        shutil.rmtree(env, ignore_errors=True)
        environment = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        for command in (
            [str(uv), "venv", "-q", "--python", sys.executable, str(env)],
            [str(uv), "pip", "install", "-q", "--python", str(python), "-r", str(REQUIREMENTS)],
        ):
            result = subprocess.run(
                command,
                env=environment,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                output = (result.stdout + result.stderr).strip()[-4000:]
                raise OgcTestsUnavailable(f"{' '.join(command[:3])} failed:\n{output}")
        marker.write_text(digest)
    return python
