"""Runtime jars of a local Java server, copied from Maven Central once per pom into a cache.

The cache is keyed by the pom's SHA-256, so changing a pinned version fetches again; a file
lock lets parallel test processes share one download.
"""

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

logger = logging.getLogger(__name__)


class MavenError(RuntimeError):
    """Maven is missing or could not fetch the jars."""


def cache_root() -> Path:
    """``$MINEADMIN_CACHE_DIR``, else ``~/.cache/mineadmin``."""
    root = os.environ.get("MINEADMIN_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "mineadmin"


def resolve_jars(pom_path: Path, cache_dir: Path) -> Path:
    """Copy the pom's runtime dependencies into ``cache_dir/libs``, once; return that dir."""
    libs = cache_dir / "libs"
    marker = cache_dir / "resolved.sha256"
    pom = pom_path.read_bytes()
    digest = hashlib.sha256(pom).hexdigest()
    if _read_text(marker) == digest:
        return libs
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if _read_text(marker) == digest:  # another process resolved while we waited
            return libs
        mvn = shutil.which("mvn")
        if mvn is None:
            raise MavenError(f"Maven ('mvn') is not on PATH: it fetches {pom_path.name}'s jars")
        shutil.rmtree(libs, ignore_errors=True)
        pom_copy = cache_dir / "pom.xml"
        pom_copy.write_bytes(pom)
        started = time.monotonic()
        result = subprocess.run(
            [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom_copy),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={libs}",
            ],
            cwd=cache_dir,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output = (result.stdout + result.stderr).strip()[-4000:]
            raise MavenError(f"mvn could not fetch {pom_path.name}'s jars:\n{output}")
        marker.write_text(digest)
        logger.info("fetched %s's jars in %.1fs", pom_path.name, time.monotonic() - started)
    return libs


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None
