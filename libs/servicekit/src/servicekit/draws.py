"""Reproducible random draws 随机抽取 anyone can recompute from what is published: one
implementation for greenmine-api's spot checks 双随机、一公开 (第六章第一节二) and rights-api's
random patrols 随机巡查 (第五章第二节).

Algorithm ``sha256-rank-v1``: every candidate gets the rank ``SHA-256("<seed>:<part>:…")`` as a
lowercase hex string (parts joined with ``:``, UTF-8; UUIDs in their canonical lowercase
8-4-4-4-12 form); candidates are taken in ascending rank. The seed is published with the draw,
so a draw is reproduced from the seed and the published inputs alone, and no one can steer it
without changing the published seed. ``inputs_sha256`` fingerprints the published inputs
(canonical JSON: sorted keys, no spaces, UTF-8).

``draw_panels`` is the two-stage draw both use: mines, then for each drawn mine a panel of
people free of a conflict with it.
"""

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

ALGORITHM = "sha256-rank-v1"

T = TypeVar("T")


def rank(seed: str, *parts: str) -> str:
    """The candidate's place in the draw: ``SHA-256("<seed>:<part>:…")``, lowercase hex."""
    return hashlib.sha256(":".join((seed, *parts)).encode()).hexdigest()


def ranked(
    items: Iterable[T], *, seed: str, key: Callable[[T], str], within: tuple[str, ...] = ()
) -> list[T]:
    """``items`` in draw order: ascending ``rank(seed, *within, key(item))``. ``within`` names
    the draw the ranking belongs to (e.g. the mine a professional is drawn for)."""
    return sorted(items, key=lambda item: rank(seed, *within, key(item)))


def new_seed() -> str:
    """A fresh seed when the caller gives none: 256 bits from the OS, as 64 hex characters."""
    return secrets.token_hex(32)


def inputs_sha256(inputs: Any) -> str:
    """SHA-256 of the inputs in canonical JSON: whoever holds the published inputs can check
    they are the ones the draw used."""
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


Candidate = dict[str, Any]


@dataclass(frozen=True)
class Panel:
    """One drawn mine, the people drawn for it and those excluded (id, reason)."""

    mine: Candidate
    people: list[str]
    excluded: list[tuple[str, str]]


def draw_panels(
    mines: Iterable[Candidate],
    people: Sequence[Candidate],
    *,
    seed: str,
    count: Callable[[int], int],
    per_mine: int,
    conflict: Callable[[Candidate, Candidate], str | None],
) -> list[Panel]:
    """The two-stage draw: ``mines`` ranked by ``rank(seed, right_id)``, the first
    ``count(number of mines)``; for each, ``people`` minus those ``conflict(person, mine)``
    gives a reason for (回避, in their given order), ranked by ``rank(seed, right_id, id)``,
    the first ``per_mine`` (fewer when fewer are free: the caller decides whether that is an
    error)."""
    order = ranked(mines, seed=seed, key=lambda m: m["right_id"])
    panels = []
    for mine in order[: count(len(order))]:
        excluded, eligible = [], []
        for person in people:
            reason = conflict(person, mine)
            if reason:
                excluded.append((person["id"], reason))
            else:
                eligible.append(person["id"])
        chosen = ranked(eligible, seed=seed, key=str, within=(mine["right_id"],))
        panels.append(Panel(mine=mine, people=chosen[:per_mine], excluded=excluded))
    return panels
