"""Walking a collection page by page, as a client does: follow ``next`` until there is none,
checking on every page that the ``Link`` header names the same next page."""

import re

from httpx import AsyncClient

LINK_NEXT = re.compile(r'^<([^>]+)>; rel="next"$')


async def walk(
    client: AsyncClient, path: str, *, headers: dict[str, str], limit: int, **params
) -> list[dict]:
    """Every item of the collection at ``path``, fetched ``limit`` at a time. Fails when a page
    is larger than ``limit``, when ``next``, ``next_cursor`` and ``Link`` disagree, or when
    an item (by ``key``) comes twice."""
    items: list[dict] = []
    url: str | None = path
    query: dict | None = {"limit": limit, **params}
    while url is not None:
        response = await client.get(url, params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        link = response.headers.get("link")
        if body["next"] is None:
            assert body["next_cursor"] is None and link is None
        else:
            assert LINK_NEXT.match(link).group(1) == body["next"]
            assert f"cursor={body['next_cursor']}" in body["next"]
        url, query = body["next"], None
    return items


def once_each(items: list[dict], key: str = "id") -> list:
    keys = [item[key] for item in items]
    assert len(keys) == len(set(keys)), f"an item came twice: {keys}"
    return keys
