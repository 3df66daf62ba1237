"""PLACEHOLDER for part B ("endings"): the bureau's policy closure 政策性关闭, in its minimal form
so the conformance actions can call it. Part B's real module replaces this file at merge; keep
the signature. It only moves the right to ``closing`` (the closure path then runs as for a
voluntary closure). Functions never commit: the caller owns the transaction."""

from contracts.mining import RightStatus
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.rights import service as rights
from rights_api.rights.models import Right


async def policy_close(
    *, session: AsyncSession, right: Right, actor: str, reason: str, clause: str
) -> Right:
    """Close ``right`` by policy: it enters ``closing`` until its closure restoration is
    accepted."""
    return await rights.change_status(
        session=session,
        right=right,
        to=RightStatus.closing,
        actor=actor,
        reason=f"{reason}（{clause}）",
    )
