"""Runtime jars of a local Java server, copied from Maven Central once per pom into a cache.

The cache is keyed by the pom's SHA-256, so changing a pinned version fetches again; a file
lock lets parallel test processes share one download.
"""

import hashlib
import logging
import os
import shutil
import time
from pathlib import Path

from devkit.localinfra.fetch_once import ToolFailed, fetch_once, run_tool

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
    pom = pom_path.read_bytes()

    def fetch() -> None:
        shutil.rmtree(libs, ignore_errors=True)
        pom_copy = cache_dir / "pom.xml"
        pom_copy.write_bytes(pom)
        started = time.monotonic()
        run_maven(
            [
                "-f",
                str(pom_copy),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={libs}",
            ],
            cwd=cache_dir,
            fetching=f"{pom_path.name}'s jars",
        )
        logger.info("fetched %s's jars in %.1fs", pom_path.name, time.monotonic() - started)

    digest = hashlib.sha256(pom).hexdigest()
    fetch_once(cache_dir / "resolved.sha256", digest, fetch, lock=cache_dir / ".lock")
    return libs


def run_maven(args: list[str], *, cwd: Path, fetching: str) -> None:
    """``mvn -q -B <args>``; :class:`MavenError` naming what it was ``fetching`` if it fails."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MavenError(f"Maven ('mvn') is not on PATH: it fetches {fetching}")
    try:
        run_tool([mvn, "-q", "-B", *args], cwd=cwd)
    except ToolFailed as failed:
        raise MavenError(f"mvn could not fetch {fetching}:\n{failed}") from None
