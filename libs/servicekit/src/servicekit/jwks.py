"""The identity provider's signing keys (JWKS), cached and refetched when it rotates them.

Keys are kept by ``kid`` and the set is refetched when it is older than ``max_age`` or when a
token names a ``kid`` the cache does not hold (the provider has rotated its signing key). The
refetch on an unknown ``kid`` is floored at ``min_refetch_interval``: tokens with made-up
``kid`` values cost at most one request to the provider per interval, never one per token.
"""

import json
import time
from typing import Any

import anyio
import httpx
import jwt


class SigningKeyUnavailable(Exception):
    """No key in the provider's set verifies this token, or the set cannot be fetched."""


class JwksCache:
    def __init__(
        self,
        url: str,
        *,
        max_age: float = 3600.0,
        min_refetch_interval: float = 10.0,
        timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.max_age = max_age
        self.min_refetch_interval = min_refetch_interval
        self.timeout = timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = anyio.Lock()
        self.fetches = 0

    async def key_for(self, kid: str | None) -> jwt.PyJWK:
        """The key that signed a token whose header names ``kid``."""
        if self._stale():
            try:
                await self._refresh(force=True)
            except SigningKeyUnavailable:
                if not self._keys:
                    raise  # an outage of the provider keeps the keys already known
        key = self._lookup(kid)
        if key is None:
            await self._refresh(force=False)
            key = self._lookup(kid)
        if key is None:
            raise SigningKeyUnavailable(
                f"no signing key with kid {kid!r} in the identity provider's key set"
            )
        return key

    def _stale(self) -> bool:
        return self._fetched_at is None or time.monotonic() - self._fetched_at > self.max_age

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:  # a provider with a single key may leave kid out
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            if force and not self._stale():
                return  # a concurrent request refreshed the set while this one waited
            if self._attempted_at is not None and (
                now - self._attempted_at < self.min_refetch_interval
            ):
                return
            self._attempted_at = now
            self._keys = await self._fetch()
            self._fetched_at = time.monotonic()

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        self.fetches += 1
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.get(self.url)
            response.raise_for_status()
            document: Any = response.json()
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise SigningKeyUnavailable(f"JWKS at {self.url} unavailable: {exc}") from exc
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []) if isinstance(document, dict) else []:
            if entry.get("use", "sig") != "sig" or entry.get("kty") != "RSA":
                continue  # encryption keys, and key types RS256 cannot use
            try:
                keys[entry.get("kid", "")] = jwt.PyJWK(entry, algorithm="RS256")
            except jwt.PyJWTError:
                continue
        if not keys:
            raise SigningKeyUnavailable(f"JWKS at {self.url} holds no RSA signing key")
        return keys
