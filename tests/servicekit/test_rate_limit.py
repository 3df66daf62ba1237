"""Per-client rate limits: anonymous reads on every service, complaints on greenmine-api."""

import asyncio
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from devkit.inprocess import InProcessBroker
from devkit.testing import RunningService, running_service
from rights_api.app import SERVICE as RIGHTS
from servicekit.auth import Role
from servicekit.rate_limit import UNLIMITED_PATHS
from servicekit.services import installed_services

from tests.conftest import in_process

PUBLIC_READ = "/plan-editions"  # rights-api: the published plan, no token needed


@asynccontextmanager
async def rights_limited(databases, rate: str) -> AsyncIterator[RunningService]:
    async with in_process(databases, "rights", rate_limit_anonymous_reads=rate) as service:
        yield service


@asynccontextmanager
async def client_at(service: RunningService, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client whose connection comes from ``address``."""
    transport = httpx.ASGITransport(app=service.app, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def refused_count(service: RunningService, limit: str) -> float:
    for line in (await service.metrics()).splitlines():
        if line.startswith(f'rate_limited_total{{limit="{limit}"}}'):
            return float(line.split()[-1])
    return 0.0


def assert_refused(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mineadmin:problem:rate-limited"
    retry_after = int(response.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    return retry_after


async def test_the_request_past_the_limit_is_refused_for_that_client_only(databases):
    async with rights_limited(databases, "3/minute") as rights:
        async with (
            client_at(rights, "198.51.100.7") as one,
            client_at(rights, "198.51.100.8") as two,
        ):
            for _ in range(3):
                assert (await one.get(PUBLIC_READ)).status_code == 200
            assert_refused(await one.get(PUBLIC_READ))
            assert_refused(await one.get("/no-such-route"))  # counted before routing
            assert (await two.get(PUBLIC_READ)).status_code == 200  # another client
            assert (await one.post("/holders", json={})).status_code == 401  # reads only
            # probes are never refused
            assert (await one.get("/healthz")).status_code == 200
        assert await refused_count(rights, "anonymous_reads") == 2


async def test_a_valid_token_is_not_counted_and_a_bad_one_is(databases):
    async with rights_limited(databases, "2/minute") as rights:
        async with client_at(rights, "198.51.100.9") as client:
            token = rights.auth(Role.inspector)
            for _ in range(10):
                assert (await client.get(PUBLIC_READ, headers=token)).status_code == 200
            bad = {"Authorization": "Bearer not-a-token"}
            assert (await client.get(PUBLIC_READ)).status_code == 200
            # a bad token is anonymous for the limit (and still refused by a route that reads it)
            assert (await client.get("/holders", headers=bad)).status_code == 401
            assert_refused(await client.get(PUBLIC_READ, headers=bad))
            assert_refused(await client.get(PUBLIC_READ))
            # the limited client's token still works: callers with a token are never throttled
            assert (await client.get(PUBLIC_READ, headers=token)).status_code == 200


async def test_the_window_opens_again_after_retry_after(databases):
    async with rights_limited(databases, "2 per 2 seconds") as rights:
        async with client_at(rights, "198.51.100.10") as client:
            for _ in range(2):
                assert (await client.get(PUBLIC_READ)).status_code == 200
            retry_after = assert_refused(await client.get(PUBLIC_READ))
            assert retry_after <= 2
            await asyncio.sleep(retry_after)
            assert (await client.get(PUBLIC_READ)).status_code == 200


@asynccontextmanager
async def served(service: RunningService, forwarded_allow_ips: str) -> AsyncIterator[str]:
    """The app behind a real uvicorn on a free port, configured as deploy/entrypoint.sh does
    (``--proxy-headers``, trusting X-Forwarded-For only from ``forwarded_allow_ips``)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        service.app,
        lifespan="off",
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips,
        log_config=None,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done(), task
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_a_forged_forwarded_for_from_an_untrusted_peer_does_not_escape(databases):
    async with rights_limited(databases, "3/minute") as rights:
        async with served(rights, forwarded_allow_ips="10.255.0.1") as base:
            async with httpx.AsyncClient(base_url=base) as client:
                for i in range(3):
                    forged = {"X-Forwarded-For": f"203.0.113.{i}"}
                    assert (await client.get(PUBLIC_READ, headers=forged)).status_code == 200
                forged = {"X-Forwarded-For": "203.0.113.99", "X-Real-IP": "203.0.113.98"}
                assert_refused(await client.get(PUBLIC_READ, headers=forged))


async def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit(databases):
    async with rights_limited(databases, "2/minute") as rights:
        async with served(rights, forwarded_allow_ips="127.0.0.1") as proxy:
            async with httpx.AsyncClient(base_url=proxy) as client:
                first = {"X-Forwarded-For": "203.0.113.1"}
                for _ in range(2):
                    assert (await client.get(PUBLIC_READ, headers=first)).status_code == 200
                assert_refused(await client.get(PUBLIC_READ, headers=first))
                # a client cannot escape by prepending its own X-Forwarded-For value: the proxy
                # appends the real address, and that is the one taken
                chained = {"X-Forwarded-For": "192.0.2.50, 203.0.113.1"}
                assert_refused(await client.get(PUBLIC_READ, headers=chained))
                second = {"X-Forwarded-For": "203.0.113.2"}
                assert (await client.get(PUBLIC_READ, headers=second)).status_code == 200


async def test_complaints_are_limited_per_client_before_the_database(databases):
    async with in_process(databases, "greenmine", complaint_request_rate="3/minute") as greenmine:
        body = {"listing_id": str(uuid.uuid4()), "content": "无此矿山的举报内容"}
        async with client_at(greenmine, "198.51.100.20") as one:
            for _ in range(3):  # answered 404, but counted: floods are stopped whatever they send
                assert (await one.post("/complaints", json=body)).status_code == 404
            assert_refused(await one.post("/complaints", json=body))
            objection = {"content": "公示异议内容测试"}
            assert_refused(
                await one.post(f"/publicities/{uuid.uuid4()}/objections", json=objection)
            )
            # the bureau's own reads are unaffected
            listed = await one.get("/complaints", headers=greenmine.auth(Role.bureau_admin))
            assert listed.status_code == 200
        async with client_at(greenmine, "198.51.100.21") as two:
            assert (await two.post("/complaints", json=body)).status_code == 404
        assert await refused_count(greenmine, "complaint_request_rate") == 2


async def test_a_refused_request_may_be_retried_with_its_idempotency_key(databases):
    async with in_process(
        databases, "greenmine", complaint_request_rate="1 per 2 seconds"
    ) as greenmine:
        body = {"listing_id": str(uuid.uuid4()), "content": "重试的举报内容"}
        async with client_at(greenmine, "198.51.100.30") as client:
            first = await client.post("/complaints", json=body, headers={"Idempotency-Key": "a"})
            assert first.status_code == 404
            retry = {"Idempotency-Key": "b"}
            wait = assert_refused(await client.post("/complaints", json=body, headers=retry))
            await asyncio.sleep(wait)
            again = await client.post("/complaints", json=body, headers=retry)
            assert again.status_code == 404, again.text  # answered now, not the 429 replayed
            assert "idempotent-replayed" not in again.headers


@pytest.mark.parametrize("name", sorted(installed_services()))
def test_the_openapi_document_declares_the_429s(name):
    from servicekit.app import build_app

    spec = installed_services()[name]
    app = build_app(spec, spec.settings(broker="inprocess"), broker=InProcessBroker())
    paths = app.openapi()["paths"]
    for path, item in paths.items():
        for method, operation in item.items():
            limited = (method == "get" and path not in UNLIMITED_PATHS) or (
                path in ("/complaints", "/publicities/{publicity_id}/objections")
                and method == "post"
            )
            response = operation["responses"].get("429")
            assert (response is not None) == limited, (method, path)
            if limited:
                assert "Retry-After" in response["headers"], (method, path)
                assert "application/problem+json" in response["content"], (method, path)


async def test_two_replicas_share_one_limit(databases):
    """Two apps on one database, as two replicas behind a load balancer: the limit holds at N
    in all, however the requests are spread, and concurrent requests never overshoot it."""
    url = await databases.create("rights")

    def replica():
        return running_service(
            RIGHTS,
            database_url=url,
            broker=InProcessBroker(),
            background=False,
            rate_limit_anonymous_reads="10/minute",
        )

    async with replica() as a, replica() as b:
        async with client_at(a, "198.51.100.40") as via_a, client_at(b, "198.51.100.40") as via_b:
            answers = [await (via_a, via_b)[i % 2].get(PUBLIC_READ) for i in range(4)]
            answers += await asyncio.gather(
                *((via_a, via_b)[i % 2].get(PUBLIC_READ) for i in range(12))
            )
            statuses = [r.status_code for r in answers]
            assert statuses.count(200) == 10, statuses
            assert statuses.count(429) == 6, statuses
            assert_refused(await via_b.get(PUBLIC_READ))


async def test_without_its_database_the_limit_lets_requests_through(tmp_path):
    """The limit keeps floods from the database; when the database is away, the request meets
    the outage itself (503), not a 500 from the limiter."""
    from servicekit.metrics import ServiceMetrics
    from servicekit.rate_limit import RateLimiter
    from servicekit.read_connections import ReadConnections

    nowhere = ReadConnections(f"postgresql://nobody@/none?host={tmp_path}", size=1)
    limiter = RateLimiter(nowhere, ServiceMetrics("rate-limit-test"))
    for _ in range(3):
        await limiter.hit("anonymous_reads", "1/minute", "198.51.100.50")
