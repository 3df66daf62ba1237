"""Writing a transfer in one statement, so a posting costs one round trip and no ORM work.

The statement, in order: reads the fund's holder, finding nothing when the fund is missing or
closed (unless the transfer is one a closed fund takes), locks the accounts the legs move and
any the caller watches (by id, so concurrent postings on the same accounts queue in one order
and never deadlock), checks on the locked rows that no never-negative account would go below
zero, inserts the transfer (only to a fund found; ``ON CONFLICT DO NOTHING``: the id is the
client's idempotency key), and, only when the transfer row was inserted, its entries in leg
order, the outbox event and the balances. It writes everything or nothing; the deferred
triggers still check at commit that the transfer balances. It answers with the locked accounts'
balances after the posting, which no other transaction can change before this one commits, and
with the fund's holder.

The fund's own columns are read with one driver statement too (``FUND``): a posting needs five
of them, not an ORM object. Two of them never change once a fund is open (its kind and its
right), so they are remembered (``known_fund``): a posting to a fund seen before can skip the
read, the statement itself checking that the fund exists and is open and answering its holder.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import asyncpg
from sqlmodel.ext.asyncio.session import AsyncSession

from restoration_api.ledger import driver
from restoration_api.ledger.models import AFTER_CLOSURE, AccountCode, Side
from restoration_api.ledger.schemas import TransferCreate

_POST = text("""
WITH fund AS (
    SELECT holder_id
    FROM funds
    WHERE id = CAST(:fund_id AS uuid)
      AND (status <> 'closed' OR NOT CAST(:open_only AS boolean))
), legs AS (
    SELECT code, side, ord
    FROM unnest(CAST(:codes AS text[]), CAST(:sides AS text[]))
        WITH ORDINALITY AS leg (code, side, ord)
), locked AS MATERIALIZED (
    SELECT id, code, normal, non_negative, balance_fen
    FROM accounts
    WHERE fund_id = CAST(:fund_id AS uuid)
      AND code = ANY (CAST(:codes AS text[]) || CAST(:watched AS text[]))
    ORDER BY id
    FOR UPDATE
), moves AS (
    SELECT legs.ord, legs.side, locked.id AS account_id, locked.non_negative,
           locked.balance_fen,
           CASE WHEN legs.side = locked.normal THEN CAST(:amount AS bigint)
                ELSE -CAST(:amount AS bigint) END AS delta
    FROM legs JOIN locked ON locked.code = legs.code
), posted AS (
    INSERT INTO transfers (id, fund_id, kind, amount_fen, work_id, reverses_id, reference,
                           memo, request_hash, posted_by, posted_at)
    SELECT CAST(:id AS uuid), CAST(:fund_id AS uuid), CAST(:kind AS varchar),
           CAST(:amount AS bigint), CAST(:work_id AS uuid), CAST(:reverses_id AS uuid),
           CAST(:reference AS varchar), CAST(:memo AS varchar), CAST(:request_hash AS varchar),
           CAST(:posted_by AS varchar), CAST(:posted_at AS timestamptz)
    WHERE EXISTS (SELECT FROM fund)
      AND NOT EXISTS (SELECT FROM moves WHERE non_negative AND balance_fen + delta < 0)
    ON CONFLICT (id) DO NOTHING
    RETURNING id
), entries AS (
    INSERT INTO entries (transfer_id, account_id, side, amount_fen)
    SELECT posted.id, moves.account_id, moves.side, CAST(:amount AS bigint)
    FROM posted, moves
    ORDER BY moves.ord
), event AS (
    INSERT INTO outbox (event_id, topic, key, type, headers, value)
    SELECT CAST(:event_id AS uuid), CAST(:topic AS varchar), CAST(:key AS varchar),
           CAST(:type AS varchar), CAST(:headers AS jsonb), CAST(:value AS bytea)
    FROM posted
), balances AS (
    UPDATE accounts SET balance_fen = accounts.balance_fen + moves.delta
    FROM moves, posted
    WHERE accounts.id = moves.account_id
)
SELECT EXISTS (SELECT FROM posted) AS posted,
       (SELECT balance_fen FROM moves WHERE non_negative) AS guarded_balance,
       after.codes, after.balances,
       EXISTS (SELECT FROM fund) AS found, (SELECT holder_id FROM fund) AS holder_id
FROM (
    SELECT array_agg(CAST(locked.code AS text) ORDER BY locked.id) AS codes,
           array_agg(locked.balance_fen + CASE WHEN EXISTS (SELECT FROM posted)
                                               THEN coalesce(moves.delta, 0) ELSE 0 END
                     ORDER BY locked.id) AS balances
    FROM locked LEFT JOIN moves ON moves.account_id = locked.id
) AS after
""").compile(dialect=asyncpg.dialect())
# run as driver SQL: the statement is compiled once here, so a posting pays for no statement
# building and no bind processing (asyncpg converts the values itself, see ``driver``)
POST, POST_PARAMS = str(_POST), _POST.positiontup
_ARGS = itemgetter(*POST_PARAMS)  # the values in the statement's $n order
FUND = "SELECT kind, status, right_id, holder_id FROM funds WHERE id = $1"


@dataclass(frozen=True, slots=True)
class FundHead:
    """The columns of a fund a posting reads; an ORM ``Fund`` has the same attributes."""

    id: UUID
    kind: str
    status: str
    right_id: UUID | None
    holder_id: UUID | None


@dataclass(frozen=True, slots=True)
class FundKeys:
    """What never changes once a fund is open."""

    kind: str
    right_id: UUID | None


_KNOWN: dict[UUID, FundKeys] = {}
_KNOWN_AT_MOST = 10_000  # funds remembered (a city has hundreds); all forgotten past it


def known_fund(fund_id: UUID) -> FundKeys | None:
    """The kind and right of a fund this process has read before; None when it has not."""
    return _KNOWN.get(fund_id)


async def read_fund(session: AsyncSession, fund_id: UUID) -> FundHead | None:
    row = await driver.fetchrow(session, FUND, fund_id)
    if row is None:
        return None
    fund = FundHead(fund_id, *row)
    if len(_KNOWN) >= _KNOWN_AT_MOST:
        _KNOWN.clear()
    _KNOWN[fund_id] = FundKeys(fund.kind, fund.right_id)
    return fund


@dataclass(frozen=True)
class Written:
    # False: the id exists already, a never-negative account would go below 0, or not ``found``
    posted: bool
    found: bool  # False: the fund is missing, or closed to this kind of transfer
    guarded_balance: int | None  # the never-negative account's balance before this posting
    balances: dict[str, int]  # code → balance after it, of the accounts locked (if posted)
    holder_id: UUID | None  # the fund's holder (a program fund has none)


async def write(
    session: AsyncSession,
    *,
    fund_id: UUID,
    data: TransferCreate,
    amount_fen: int,
    request_hash: str,
    posted_by: str,
    posted_at: datetime,
    legs: list[tuple[AccountCode, Side]],
    watched: tuple[AccountCode, ...] = (),
    event: dict[str, Any],
) -> Written:
    """``event`` is the outbox row, as ``servicekit.events.outbox.outbox_row`` makes it;
    ``watched`` accounts are locked with the legs' and their balances returned."""
    params = {
        "id": data.id,
        "fund_id": fund_id,
        "kind": data.kind.value,
        "amount": amount_fen,
        "work_id": data.work_id,
        "reverses_id": data.reverses,
        "reference": data.reference,
        "memo": data.memo,
        "request_hash": request_hash,
        "posted_by": posted_by,
        "posted_at": posted_at,
        "codes": [code.value for code, _ in legs],
        "sides": [side.value for _, side in legs],
        "watched": [code.value for code in watched],
        "open_only": data.kind not in AFTER_CLOSURE,
        **event,
        "headers": json.dumps(event["headers"], ensure_ascii=False),
    }
    row = await driver.fetchrow(session, POST, *_ARGS(params))
    assert row is not None  # the statement answers one row, posted or not
    posted, guarded_balance, codes, balances, found, holder_id = row
    return Written(
        posted=posted,
        found=found,
        guarded_balance=guarded_balance,
        balances=dict(zip(codes or (), balances or (), strict=True)),
        holder_id=holder_id,
    )
