"""Round trips to PostgreSQL, counted by a relay on its Unix socket: a round trip is each time
the client speaks after the server answered (a pipelined batch is one)."""

import asyncio
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url


class RoundTripRelay:
    """A Unix-socket relay in front of PostgreSQL that counts round trips."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.directory = tempfile.mkdtemp(prefix="pg-relay-")
        self.round_trips = 0
        self.server: asyncio.AbstractServer | None = None

    async def start(self) -> str:
        name = Path(self.upstream).name
        self.server = await asyncio.start_unix_server(self._serve, f"{self.directory}/{name}")
        return self.directory

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_unix_connection(self.upstream)
        turn = {"client": False}  # has the client spoken since the server last answered?

        async def pump(reader, writer, from_client: bool) -> None:
            try:
                while data := await reader.read(65536):
                    if from_client and not turn["client"]:
                        self.round_trips += 1
                    turn["client"] = from_client
                    writer.write(data)
                    await writer.drain()
            except (ConnectionError, asyncio.CancelledError):
                pass
            finally:
                writer.close()

        await asyncio.gather(pump(client_r, server_w, True), pump(server_r, client_w, False))


async def relayed_url(url: str) -> tuple[str, RoundTripRelay] | None:
    """``url`` (SQLAlchemy form) through a new relay, started; None unless it is a Unix socket."""
    parsed = make_url(url)
    socket_dir = parsed.query.get("host")
    if not socket_dir:
        return None
    relay = RoundTripRelay(f"{socket_dir}/.s.PGSQL.{parsed.port or 5432}")
    relayed = parsed.set(query={**parsed.query, "host": await relay.start()})
    return relayed.render_as_string(hide_password=False), relay
