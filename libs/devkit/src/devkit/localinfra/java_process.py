"""A local server run as a ``java`` child process: its log file, the wait until it is ready (or a
failure quoting the log's tail), and its stop, SIGTERM first and SIGKILL when that is ignored.

Kafka, Keycloak (through its ``kc.sh``) and S3Proxy each hold one :class:`JavaProcess` and say
only what differs: the command, and how to tell that the server is ready::

    process = JavaProcess(
        "S3Proxy", jvm_command(java, options, classpath=jars, main=...), cwd=data_dir,
        log_path=data_dir / "s3proxy.log", error=S3ServerError, stop_timeout=15,
    )
    process.start(lambda: answers_http(port), waiting_for="answer HTTP", timeout=60)
    process.stop()
"""

import atexit
import contextlib
import ctypes
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Self

__all__ = [
    "HOST",
    "JavaNotFound",
    "JavaProcess",
    "JavaServer",
    "find_java",
    "jvm_command",
]

logger = logging.getLogger(__name__)

HOST = "127.0.0.1"
_LOG_TAIL_LINES = 40
_STACK_FRAME = re.compile(r"\s+(at |\.\.\. \d+ more)")
_PR_SET_PDEATHSIG = 1


class JavaNotFound(RuntimeError):
    """No ``java`` on PATH nor under JAVA_HOME."""


class JavaProcess:
    """One server process, started and stopped as often as needed; ``error`` is the exception
    class its owner raises when the server does not come up, ``poll_interval`` the pause
    between two readiness checks."""

    def __init__(
        self,
        name: str,
        command: list[str],
        *,
        cwd: Path,
        log_path: Path,
        error: type[Exception],
        stop_timeout: float,
        poll_interval: float = 0.1,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.command = command
        self.cwd = cwd
        self.log_path = log_path
        self.stop_timeout = stop_timeout
        self._error = error
        self._poll_interval = poll_interval
        self._env = env
        self._process: subprocess.Popen[bytes] | None = None
        self._started = 0.0

    @property
    def pid(self) -> int | None:
        """The process's pid while it runs."""
        return self._process.pid if self.is_running else None

    @property
    def is_running(self) -> bool:
        """Whether the process is alive (not whether it serves yet)."""
        return self._process is not None and self._process.poll() is None

    def start(self, ready: Callable[[], bool], *, waiting_for: str, timeout: float) -> None:
        """Launch and block until ``ready()`` (see :meth:`wait_ready`)."""
        deadline = time.monotonic() + timeout
        log_offset = self.launch()
        self.wait_ready(ready, waiting_for=waiting_for, deadline=deadline, log_offset=log_offset)

    def launch(self) -> int:
        """Start the process without waiting; returns the log offset of this run's first line."""
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        self._started = time.monotonic()
        with self.log_path.open("ab") as log:
            process = self._process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=self._env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
            )
        atexit.register(self.stop)
        logger.debug("%s launched (pid %d)", self.name, process.pid)
        return log_offset

    def wait_ready(
        self, ready: Callable[[], bool], *, waiting_for: str, deadline: float, log_offset: int = 0
    ) -> None:
        """Poll ``ready()`` until it holds; killed, and the owner's error raised with the log's
        tail, if the process exits first or ``deadline`` (a ``time.monotonic()``) passes."""
        try:
            self._wait_until_ready(ready, waiting_for, deadline, log_offset)
        except BaseException:
            self.kill()
            raise
        logger.info("%s ready in %.1fs", self.name, time.monotonic() - self._started)

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM, SIGKILL after ``timeout`` (``stop_timeout`` by default); no-op when not
        running."""
        timeout = self.stop_timeout if timeout is None else timeout
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                logger.warning("%s ignored SIGTERM for %.0fs: killing it", self.name, timeout)
                _signal_group(process, signal.SIGKILL)
                process.wait()
            logger.info("%s stopped", self.name)
        self._forget()

    def terminate(self) -> None:
        """SIGTERM without waiting; :meth:`stop` then waits."""
        if self._process is not None:
            _signal_group(self._process, signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL, as a crash would; no-op when not running."""
        process = self._process
        if process is None:
            return
        _signal_group(process, signal.SIGKILL)
        process.wait()
        self._forget()

    def _forget(self) -> None:
        self._process = None
        atexit.unregister(self.stop)

    def _wait_until_ready(
        self, ready: Callable[[], bool], waiting_for: str, deadline: float, log_offset: int
    ) -> None:
        assert self._process is not None
        while True:
            exit_code = self._process.poll()
            if exit_code is not None:
                raise self._error(
                    f"{self.name} exited with code {exit_code} during startup; "
                    f"{self.log_tail(log_offset)}"
                )
            if ready():
                return
            if time.monotonic() > deadline:
                raise self._error(
                    f"{self.name} did not {waiting_for} in time; {self.log_tail(log_offset)}"
                )
            time.sleep(self._poll_interval)

    def log_tail(self, offset: int = 0) -> str:
        """The log's last lines from ``offset`` on, Java stack frames left out."""
        try:
            with self.log_path.open("rb") as log:
                log.seek(offset)
                lines = log.read().decode(errors="replace").splitlines()
        except OSError as error:
            return f"log {self.log_path} unreadable: {error}"
        # Stack frames would push the messages and their "Caused by" lines out of the tail.
        lines = [line for line in lines if not _STACK_FRAME.match(line)]
        tail = "\n".join(lines[-_LOG_TAIL_LINES:]) or "(empty)"
        return f"last lines of {self.log_path} (stack frames left out):\n{tail}"


class JavaServer:
    """What every server on a :class:`JavaProcess` offers: whether it runs, its graceful stop and
    its use as a context manager. A subclass sets ``_process`` and defines :meth:`start`."""

    _process: JavaProcess

    @property
    def is_running(self) -> bool:
        """Whether the server's process is alive (not whether it serves yet)."""
        return self._process.is_running

    def start(self) -> None:
        raise NotImplementedError

    def stop(self, timeout: float | None = None) -> None:
        """Shut down gracefully (SIGTERM), SIGKILL after ``timeout`` (the server's own stop
        timeout by default); no-op when not running."""
        self._process.stop(timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def jvm_command(
    java: Path, options: Iterable[str], *, classpath: Path, main: str, args: Iterable[str] = ()
) -> list[str]:
    """``java <options> -cp <classpath>/* <main> <args>``: every jar of a directory."""
    return [str(java), *options, "-cp", f"{classpath}/*", main, *args]


def find_java() -> Path:
    """``$JAVA_HOME/bin/java``, else ``java`` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    java = str(Path(java_home) / "bin" / "java") if java_home else shutil.which("java")
    if java is None or not os.access(java, os.X_OK):
        raise JavaNotFound("no Java runtime: put 'java' (17+) on PATH or set JAVA_HOME")
    return Path(java)


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """Signal the process group (the child leads one: ``start_new_session``) unless reaped."""
    if process.poll() is None:  # a reaped pid, and so its group id, may have been reused
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` making Linux SIGKILL the child when this process dies.

    PR_SET_PDEATHSIG fires when the *thread* that forked exits, so it is only armed from the
    main thread; from other threads the ``atexit`` stop is the only guard.
    """
    if not sys.platform.startswith("linux") or threading.current_thread() is not (
        threading.main_thread()
    ):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def arm() -> None:
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL))
        if os.getppid() != parent:  # the parent died before prctl took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return arm
