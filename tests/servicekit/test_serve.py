"""A deployed service, started the way the image starts it, logs JSON lines only."""

import json
import os
import subprocess
import sys

import pytest
from servicekit.services import installed_services


@pytest.mark.parametrize("name", sorted(installed_services()))
def test_create_app_configures_json_logs_for_the_service_and_uvicorn(name):
    package = installed_services()[name].package
    script = (
        f"import logging; from {package}.app import create_app; app = create_app(); "
        "logging.getLogger('uvicorn.error').info('Application startup complete.'); "
        "logging.getLogger('servicekit.test').warning('ready', extra={'x': 1})"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("LOG_JSON")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert [(e["logger"], e["event"]) for e in lines] == [
        ("uvicorn.error", "Application startup complete."),
        ("servicekit.test", "ready"),
    ]
    assert all(e["timestamp"].endswith("Z") for e in lines)
