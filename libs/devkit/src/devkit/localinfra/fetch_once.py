"""A download or install done once per input: a marker file records the digest of what was last
fetched, and a file lock lets parallel test processes share one fetch. Maven's jars, Keycloak's
distribution and the ogctests environment are each fetched this way."""

import fcntl
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

_OUTPUT_KEPT = 4000


class ToolFailed(RuntimeError):
    """A fetching tool exited non-zero; the message is the end of its output."""


def fetch_once(marker: Path, digest: str, fetch: Callable[[], None], *, lock: Path) -> None:
    """Call ``fetch`` unless ``marker`` holds ``digest``, then write it there."""
    if _read(marker) == digest:
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # released when the file closes
        if _read(marker) == digest:  # another process fetched while we waited
            return
        fetch()
        marker.write_text(digest)


def run_tool(
    command: list[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
) -> None:
    """Run ``command`` quietly; :class:`ToolFailed` with the end of its output if it fails."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ToolFailed((result.stdout + result.stderr).strip()[-_OUTPUT_KEPT:])


def _read(path: Path) -> str | None:
    try:
        return path.read_text()
    except (FileNotFoundError, NotADirectoryError):
        return None
