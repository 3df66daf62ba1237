"""The one draw implementation (sha256-rank-v1), pinned to known answers: greenmine-api's spot
checks and rights-api's patrols rank with it, and anyone must be able to recompute a draw with
nothing but SHA-256."""

import hashlib

from servicekit.draws import ALGORITHM, inputs_sha256, new_seed, rank, ranked

RIGHT = "0b6f4a52-8d0c-4f59-9a55-3c1f0e7d2a61"


def test_rank_is_sha256_of_seed_and_parts_joined_by_colons():
    assert ALGORITHM == "sha256-rank-v1"
    assert rank("2026-seed", RIGHT) == hashlib.sha256(f"2026-seed:{RIGHT}".encode()).hexdigest()
    assert rank("2026-seed", "a", "b") == (hashlib.sha256(b"2026-seed:a:b").hexdigest())
    assert rank("s", "a") != rank("t", "a")


def test_ranked_orders_by_ascending_rank_within_a_draw():
    items = [f"item-{n}" for n in range(20)]
    order = ranked(items, seed="s", key=str)
    assert order == sorted(items, key=lambda i: hashlib.sha256(f"s:{i}".encode()).hexdigest())
    within = ranked(items, seed="s", key=str, within=("mine",))
    assert within == sorted(items, key=lambda i: hashlib.sha256(f"s:mine:{i}".encode()).hexdigest())
    assert within != order  # another draw, another order (20 items: a tie is ~1/20!)
    assert ranked(list(reversed(items)), seed="s", key=str) == order


def test_inputs_fingerprint_ignores_key_order_and_new_seeds_differ():
    assert inputs_sha256({"a": 1, "b": ["乌", 2]}) == inputs_sha256({"b": ["乌", 2], "a": 1})
    assert inputs_sha256({"a": 1}) != inputs_sha256({"a": 2})
    assert len(new_seed()) == 64 and new_seed() != new_seed()
