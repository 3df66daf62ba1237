"""The one draw implementation (sha256-rank-v1), pinned to known answers: greenmine-api's spot
checks and rights-api's patrols rank with it, and anyone must be able to recompute a draw with
nothing but SHA-256."""

import hashlib

from servicekit.draws import ALGORITHM, draw_panels, inputs_sha256, new_seed, rank, ranked

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


def test_panels_rank_mines_then_the_people_free_of_a_conflict_within_each_mine():
    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    mines = [{"right_id": f"right-{n}", "holder_id": f"holder-{n % 2}"} for n in range(6)]
    people = [{"id": f"person-{n}", "holder_id": f"holder-{n % 2}"} for n in range(8)]

    def conflict(person, mine):
        return "same holder" if person["holder_id"] == mine["holder_id"] else None

    sizes = []
    panels = draw_panels(
        mines,
        people,
        seed="s",
        count=lambda n: sizes.append(n) or 4,
        per_mine=2,
        conflict=conflict,
    )
    assert sizes == [6]  # count() is told how many mines there are
    expected = sorted(mines, key=lambda m: sha(f"s:{m['right_id']}"))[:4]
    assert [p.mine for p in panels] == expected
    for panel in panels:
        free = [p["id"] for p in people if p["holder_id"] != panel.mine["holder_id"]]
        right = panel.mine["right_id"]
        assert panel.people == sorted(free, key=lambda i: sha(f"s:{right}:{i}"))[:2]
        assert panel.excluded == [
            (p["id"], "same holder") for p in people if p["holder_id"] == panel.mine["holder_id"]
        ]
    few = draw_panels(mines, people[:1], seed="s", count=lambda n: n, per_mine=2, conflict=conflict)
    assert len(few) == 6 and all(len(p.people) + len(p.excluded) == 1 for p in few)
