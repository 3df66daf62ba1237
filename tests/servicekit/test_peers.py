"""Calls between services: the peer's answer, or a 502 that names the peer that failed."""

import asyncio
import json

import jwt
import pytest
from servicekit.peers import PeerUnavailable, get_json
from servicekit.settings import ServiceSettings


async def _server(respond: bool) -> tuple[asyncio.Server, int, list[bytes]]:
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        seen.append(await reader.readuntil(b"\r\n\r\n"))
        if not respond:
            await asyncio.sleep(30)
        body = json.dumps({"figure": 3}).encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
            + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], seen


async def test_answer_with_a_service_token() -> None:
    server, port, seen = await _server(respond=True)
    settings = ServiceSettings(peers={"restoration": f"http://127.0.0.1:{port}/"})
    async with server:
        assert await get_json(settings, "restoration", "/figures", params={"year": 2023}) == {
            "figure": 3
        }
    request = seen[0].decode()
    assert request.startswith("GET /figures?year=2023 ")
    headers = dict(line.split(": ", 1) for line in request.split("\r\n")[1:] if line)
    token = {k.lower(): v for k, v in headers.items()}["authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["roles"] == ["gov_system"]


async def test_a_silent_peer_is_named_after_the_timeout() -> None:
    server, port, _ = await _server(respond=False)
    settings = ServiceSettings(
        peers={"greenmine": f"http://127.0.0.1:{port}"}, peer_timeout_seconds=0.3
    )
    async with server:
        with pytest.raises(PeerUnavailable) as caught:
            await get_json(settings, "greenmine", "/figures")
    assert caught.value.status == 502
    assert caught.value.extensions["service"] == "greenmine"
    assert "greenmine service did not answer /figures within 0.3 s" in str(caught.value)


async def test_an_unreachable_peer_is_named() -> None:
    server, port, _ = await _server(respond=True)
    server.close()
    await server.wait_closed()
    settings = ServiceSettings(peers={"restoration": f"http://127.0.0.1:{port}"})
    with pytest.raises(PeerUnavailable) as caught:
        await get_json(settings, "restoration", "/figures")
    assert caught.value.extensions["service"] == "restoration"
    assert "could not be reached" in str(caught.value)
