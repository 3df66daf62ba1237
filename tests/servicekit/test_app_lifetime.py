"""An app, once dropped, is freed: nothing process-wide (FastAPI's cache of inspected endpoints,
4096 entries) holds it through an endpoint that closes over it. The test suite builds hundreds
of apps in one process; kept alive, they made garbage collection pauses grow past seconds."""

import gc
import weakref

import pytest
from devkit.inprocess import InProcessBroker
from servicekit.app import build_app
from servicekit.services import installed_services

SERVICES = installed_services()


@pytest.mark.parametrize("name", SERVICES)
def test_a_dropped_app_is_freed(name):
    spec = SERVICES[name]
    settings = spec.settings(database_url="postgresql+asyncpg://u@127.0.0.1:9/none")
    app = build_app(spec, settings, broker=InProcessBroker(), background=False)
    dropped = weakref.ref(app)
    del app
    gc.collect()
    assert dropped() is None, f"{name}: a dropped app is still referenced"
