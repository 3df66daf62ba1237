"""The process harness under the local Kafka, Keycloak and S3 servers: a server that cannot come
up fails with its owner's error quoting this run's log, and is not left running."""

import time
from pathlib import Path

import pytest
from devkit.localinfra.java_process import JavaProcess, find_java, jvm_command


class ServerError(RuntimeError):
    pass


def _process(tmp_path: Path, command: list[str]) -> JavaProcess:
    return JavaProcess(
        "Test server",
        command,
        cwd=tmp_path,
        log_path=tmp_path / "server.log",
        error=ServerError,
        stop_timeout=0.5,
    )


def test_a_jvm_exiting_at_startup_fails_with_its_log(tmp_path: Path) -> None:
    command = jvm_command(find_java(), ["-Xmx32m"], classpath=tmp_path, main="NoSuchMain")
    process = _process(tmp_path, command)

    with pytest.raises(ServerError, match=r"Test server exited with code 1 during startup") as e:
        process.start(lambda: False, waiting_for="answer", timeout=60)

    assert "NoSuchMain" in str(e.value) and str(process.log_path) in str(e.value)
    assert not process.is_running


def test_a_server_not_ready_in_time_is_killed_and_quotes_only_this_run(tmp_path: Path) -> None:
    (tmp_path / "server.log").write_text("a line of an earlier run\n")
    process = _process(tmp_path, ["sh", "-c", "echo this run; exec sleep 60"])

    with pytest.raises(ServerError, match=r"Test server did not answer HTTP in time") as e:
        process.start(lambda: False, waiting_for="answer HTTP", timeout=2)

    assert "this run" in str(e.value) and "earlier run" not in str(e.value)
    assert not process.is_running and process.pid is None


def test_stop_kills_a_process_ignoring_sigterm(tmp_path: Path) -> None:
    process = _process(tmp_path, ["sh", "-c", "trap '' TERM; echo deaf; exec sleep 60"])
    process.start(lambda: "deaf" in process.log_path.read_text(), waiting_for="trap", timeout=10)
    assert process.is_running

    started = time.monotonic()
    process.stop()
    assert not process.is_running
    assert 0.5 <= time.monotonic() - started < 10
    process.stop()  # idempotent
