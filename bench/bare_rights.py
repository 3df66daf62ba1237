"""The baseline of bench/rights_read.py: a bare ASGI app answering ``GET /rights/{id}`` with the
same SQL the rights-api runs (one SELECT of the row by primary key) through an asyncpg pool,
and the row as JSON. No framework, no auth, no middleware: what the database and uvicorn cost.

    BARE_DSN=postgresql://... uvicorn --factory bench.bare_rights:create_app
"""

import json
import os
import uuid

import asyncpg

SQL = """
SELECT id, licence_no, kind, holder_id, mine_name, mineral, area_km2, computed_area_km2,
    scale_value, scale_unit, method, status, valid_from, valid_to, zone, licensing_level,
    boundary, boundary_illustrative, min_lon, min_lat, max_lon, max_lat, reference, version,
    created_at, updated_at
FROM rights WHERE id = $1
"""
PREFIX = "/rights/"


def create_app():
    pool: asyncpg.Pool | None = None

    async def app(scope, receive, send):
        nonlocal pool
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    pool = await asyncpg.create_pool(os.environ["BARE_DSN"], min_size=1)
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await pool.close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert pool is not None
        row = None
        if scope["path"].startswith(PREFIX):
            try:
                right_id = uuid.UUID(scope["path"][len(PREFIX) :])
            except ValueError:
                right_id = None
            if right_id is not None:
                async with pool.acquire() as conn:
                    row = await conn.fetchrow(SQL, right_id)
        if row is None:
            status, body = 404, b'{"title":"Not Found"}'
        else:
            fields = dict(row)
            fields["boundary"] = json.loads(fields["boundary"])  # jsonb arrives as text
            status, body = 200, json.dumps(fields, default=str, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"etag", f'"{row["version"]}"'.encode() if row else b'"0"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def create_fastapi_app():
    """The same SELECT in the smallest FastAPI app (one route, a UUID path parameter, no
    middleware, auth, ORM or response model): what the framework alone costs on this machine."""
    from contextlib import asynccontextmanager

    from fastapi import FastAPI, Response

    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        pools.append(await asyncpg.create_pool(os.environ["BARE_DSN"], min_size=1))
        yield
        await pools[0].close()

    app = FastAPI(lifespan=lifespan, telemetry={"tracing": False, "metrics": False, "logs": False})

    @app.get("/rights/{right_id}")
    async def get_right(right_id: uuid.UUID) -> Response:
        async with pools[0].acquire() as conn:
            row = await conn.fetchrow(SQL, right_id)
        if row is None:
            return Response(b'{"title":"Not Found"}', status_code=404)
        fields = dict(row)
        fields["boundary"] = json.loads(fields["boundary"])
        body = json.dumps(fields, default=str, ensure_ascii=False)
        return Response(
            body, media_type="application/json", headers={"ETag": f'"{row["version"]}"'}
        )

    return app
