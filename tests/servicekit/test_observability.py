"""Request ids, W3C trace context, JSON logs and Prometheus metrics, seen through rights-api."""

import json
import logging
import re
import uuid
from typing import Any

import httpx
import pytest
import structlog
from devkit.inprocess import InProcessBroker
from devkit.ports import free_port
from devkit.testing import running_service
from servicekit.auth import Role
from servicekit.logs import configure_logging
from servicekit.metrics_server import MetricsListener

from tests.samples import PETROCHINA
from tests.servicekit.test_problems import CRASH

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
INCOMING_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
INCOMING_SPAN = "00f067aa0ba902b7"


def parts(traceparent: str) -> tuple[str, str, str]:
    match = TRACEPARENT.match(traceparent)
    assert match, traceparent
    return match.group(1), match.group(2), match.group(3)


# --- x-request-id ----------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["req-42", "6f1c2d0e-0a4b-4c1d-9e8f-1234567890ab", "a.b_c:d"])
async def test_a_valid_request_id_is_echoed(rights, given):
    response = await rights.client.get("/healthz", headers={"x-request-id": given})
    assert response.headers["x-request-id"] == given


async def test_a_request_id_is_generated_when_absent(rights):
    first = (await rights.client.get("/healthz")).headers["x-request-id"]
    second = (await rights.client.get("/healthz")).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


@pytest.mark.parametrize(
    "unsafe",
    [
        b"has spaces",
        b"line\nbreak",
        b"trailing-newline\n",
        b"req-1\r\nset-cookie: session=stolen",
        b"<script>alert(1)</script>",
        b"x" * 129,
        "\u8bf7\u6c42".encode(),
        b"",
    ],
    ids=[
        "spaces",
        "newline",
        "trailing-newline",
        "crlf",
        "markup",
        "too-long",
        "non-ascii",
        "empty",
    ],
)
async def test_an_unsafe_request_id_is_replaced(rights, unsafe):
    response = await rights.client.get("/healthz", headers=[(b"x-request-id", unsafe)])
    echoed = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", echoed), echoed
    assert "set-cookie" not in response.headers


async def test_problem_answers_carry_the_request_id_and_traceparent_too(rights):
    headers = {"x-request-id": "req-problem-1"}
    for response in (
        await rights.client.get("/holders", headers=headers),  # 401
        await rights.client.get("/nowhere", headers=headers),  # 404
        await rights.client.post("/holders", json={}, headers={**headers, **admin(rights)}),
    ):
        assert response.status_code >= 400
        assert response.headers["x-request-id"] == "req-problem-1"
        parts(response.headers["traceparent"])


def admin(service) -> dict[str, str]:
    return service.auth(Role.bureau_admin)


# --- traceparent -----------------------------------------------------------------------------


async def test_the_traceparent_keeps_the_trace_and_starts_a_new_span(rights):
    incoming = f"00-{INCOMING_TRACE}-{INCOMING_SPAN}-01"
    response = await rights.client.get("/healthz", headers={"traceparent": incoming})
    trace, span, flags = parts(response.headers["traceparent"])
    assert trace == INCOMING_TRACE
    assert span != INCOMING_SPAN and span != "0" * 16
    assert flags == "01"


async def test_the_sampled_flag_is_kept(rights):
    incoming = f"00-{INCOMING_TRACE}-{INCOMING_SPAN}-00"
    response = await rights.client.get("/healthz", headers={"traceparent": incoming})
    assert parts(response.headers["traceparent"])[2] == "00"


async def test_without_a_traceparent_a_new_trace_starts(rights):
    first = parts((await rights.client.get("/healthz")).headers["traceparent"])
    second = parts((await rights.client.get("/healthz")).headers["traceparent"])
    assert first[0] != second[0]
    assert first[0] != "0" * 32


@pytest.mark.parametrize(
    "invalid",
    [
        "garbage",
        f"00-{INCOMING_TRACE}-{INCOMING_SPAN}",  # no flags
        f"00-{INCOMING_TRACE[:-1]}-{INCOMING_SPAN}-01",  # short trace id
        f"00-{INCOMING_TRACE}-{INCOMING_SPAN}x-01",  # long span id
        f"ff-{INCOMING_TRACE}-{INCOMING_SPAN}-01",  # forbidden version
        f"00-{'0' * 32}-{INCOMING_SPAN}-01",  # all-zero trace id
        f"00-{INCOMING_TRACE}-{'0' * 16}-01",  # all-zero parent id
        f"00-{INCOMING_TRACE.replace('4', 'g')}-{INCOMING_SPAN}-01",  # not hex
    ],
)
async def test_an_invalid_traceparent_starts_a_new_trace(rights, invalid):
    response = await rights.client.get("/healthz", headers={"traceparent": invalid})
    trace, span, _ = parts(response.headers["traceparent"])
    assert trace != INCOMING_TRACE
    assert trace != "0" * 32 and span != "0" * 16


# --- JSON logs -------------------------------------------------------------------------------


@pytest.fixture
def json_logs(capfd):
    """Logging set up as a service sets it up, writing to the captured stderr; undone after.

    Call the returned function first thing in the test: the handler must bind the stderr that
    is current while the test body runs."""

    def configure():
        configure_logging("INFO", json=True)
        capfd.readouterr()  # only what the test causes
        return capfd

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    yield configure
    root.handlers[:], level = saved
    root.setLevel(level)
    structlog.reset_defaults()


def log_lines(capfd) -> tuple[list[dict[str, Any]], str]:
    out, err = capfd.readouterr()
    lines = [line for line in err.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except json.JSONDecodeError:
            pytest.fail(f"not a JSON log line: {line!r}")
    return parsed, out + err


async def test_logs_are_json_lines_with_request_and_trace_ids(rights, json_logs):
    capture = json_logs()
    incoming = f"00-{INCOMING_TRACE}-{INCOMING_SPAN}-01"
    response = await rights.client.post(
        "/holders",
        json=PETROCHINA,
        headers={**admin(rights), "x-request-id": "req-log-1", "traceparent": incoming},
    )
    assert response.status_code == 201, response.text
    generated = await rights.client.get("/holders", headers=admin(rights))
    assert generated.status_code == 200

    lines, _ = log_lines(capture)
    access = [entry for entry in lines if entry.get("logger") == "servicekit.access"]
    assert len(access) == 2, lines
    first, second = access
    assert first["request_id"] == "req-log-1"
    assert first["trace_id"] == INCOMING_TRACE
    assert (first["method"], first["path"], first["status"]) == ("POST", "/holders", 201)
    assert first["level"] == "info" and first["timestamp"].endswith("Z")
    assert second["request_id"] == generated.headers["x-request-id"]
    assert second["trace_id"] == parts(generated.headers["traceparent"])[0]
    client_lines = [entry for entry in lines if entry.get("logger") == "httpx"]
    assert client_lines, lines
    for entry in client_lines:  # logged after each request: its ids were unbound
        assert "request_id" not in entry and "trace_id" not in entry


async def test_a_crash_is_logged_as_json_with_the_request_id(databases, json_logs):
    capture = json_logs()
    url = await databases.create("rights")
    async with running_service(
        CRASH, database_url=url, broker=InProcessBroker(), background=False
    ) as service:
        transport = httpx.ASGITransport(app=service.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            response = await client.get("/crash", headers={"x-request-id": "req-crash-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "req-crash-1"
    trace = parts(response.headers["traceparent"])[0]

    lines, _ = log_lines(capture)
    errors = [entry for entry in lines if entry.get("level") == "error"]
    assert errors, lines
    for entry in errors:
        assert entry["request_id"] == "req-crash-1"
        assert entry["trace_id"] == trace
        assert "RuntimeError: unexpected state" in entry["exception"]  # in the log, not the body
    assert "unexpected state" not in response.text
    access = [entry for entry in lines if entry.get("logger") == "servicekit.access"]
    assert [(a["status"], a["level"], a["request_id"]) for a in access] == [
        (500, "warning", "req-crash-1")
    ]


async def test_a_bearer_token_never_appears_in_the_logs(rights, json_logs):
    capture = json_logs()
    good = admin(rights)["Authorization"].removeprefix("Bearer ")
    expired = rights.auth(Role.bureau_admin, ttl_seconds=-60)["Authorization"]
    tampered = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for authorization in (f"Bearer {good}", expired, f"Bearer {tampered}", "Bearer not-a-jwt"):
        headers = {"Authorization": authorization}
        await rights.client.get("/holders", headers=headers)
        await rights.client.post("/holders", json=PETROCHINA, headers=headers)
        await rights.client.post("/holders", content=b"{", headers=headers)
        await rights.client.get(f"/holders/{uuid.uuid4()}", headers=headers)

    lines, everything = log_lines(capture)
    assert len([e for e in lines if e.get("logger") == "servicekit.access"]) == 16
    for token in (good, expired.removeprefix("Bearer "), tampered, "not-a-jwt"):
        assert token not in everything
        for segment in token.split("."):
            if len(segment) > 20:
                assert segment not in everything  # not even the payload or signature
    assert "Bearer" not in everything and "authorization" not in everything.lower()


# --- metrics ---------------------------------------------------------------------------------


async def test_metrics_label_requests_by_route_template_not_raw_path(rights):
    created = await rights.client.post("/holders", json=PETROCHINA, headers=admin(rights))
    holder_id = created.json()["id"]
    missing = uuid.uuid4()
    assert (await rights.client.get(f"/holders/{holder_id}", headers=admin(rights))).is_success
    assert (
        await rights.client.get(f"/holders/{missing}", headers=admin(rights))
    ).status_code == 404
    assert (await rights.client.get(f"/no-such-route/{missing}")).status_code == 404

    # the public port has no /metrics: Prometheus scrapes the metrics port, on a network of
    # its own
    public = await rights.client.get("/metrics")
    assert public.status_code == 404
    assert public.headers["content-type"] == "application/problem+json"
    listener = MetricsListener(rights.runtime, "127.0.0.1", free_port())
    await listener.start()
    try:
        async with httpx.AsyncClient() as scraper:
            response = await scraper.get(f"http://127.0.0.1:{listener.port}/metrics")
    finally:
        await listener.stop()
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "# TYPE http_request_duration_seconds histogram" in text
    counts = {
        (m["method"], m["route"], m["status"]): float(m["value"])
        for m in re.finditer(
            r'^http_request_duration_seconds_count\{method="(?P<method>[^"]+)",'
            r'route="(?P<route>[^"]*)",status="(?P<status>\d+)"\} (?P<value>\S+)$',
            text,
            re.MULTILINE,
        )
    }
    assert counts[("GET", "/holders/{holder_id}", "200")] == 1
    assert counts[("GET", "/holders/{holder_id}", "404")] == 1
    assert counts[("POST", "/holders", "201")] == 1
    assert holder_id not in text and str(missing) not in text
    assert "/no-such-route" not in text
    for _, route, _ in counts:
        assert route == "unmatched" or route.startswith("/"), route
    for name in ("outbox_backlog", "outbox_oldest_unsent_age_seconds"):
        assert re.search(rf"^{name} \S+$", text, re.MULTILINE), name


class Partitions:
    """A subscription's per-partition lag as the group hands partitions out and takes them back."""

    def __init__(self, lag: dict[tuple[str, int], int]) -> None:
        self.now = lag

    def lag(self) -> dict[tuple[str, int], int]:
        return dict(self.now)


async def test_a_partition_moved_to_another_replica_leaves_the_lag_gauge(rights):
    """After a rebalance the partition's lag is the new owner's to report: a figure left here
    kept a replicated system's lag above zero for good (the e2e replicas test caught it)."""
    from prometheus_client import generate_latest

    runtime = rights.runtime
    held = Partitions({("erenhot.restoration", 0): 4, ("erenhot.restoration", 1): 0})
    runtime.subscriptions["probe"] = held
    try:
        await runtime.refresh_metrics()
        held.now = {("erenhot.restoration", 1): 0}  # partition 0 went to the other replica
        await runtime.refresh_metrics()
    finally:
        del runtime.subscriptions["probe"]
    lines = [
        line
        for line in generate_latest(runtime.metrics.registry).decode().splitlines()
        if line.startswith('consumer_lag{consumer="probe"')
    ]
    assert lines == [
        'consumer_lag{consumer="probe",partition="1",topic="erenhot.restoration"} 0.0'
    ], lines
