"""The figures of an evaluation, as of a day, from every service that holds some: the register's
own (``indicators.figures``) and restoration-api's and greenmine-api's over HTTP (``GET
/evaluation-figures``, their service token, a timeout). A peer that fails, or answers something
other than the figures asked for, is named in a 502: no evaluation goes out partial."""

import asyncio
from datetime import date

from contracts.figures import EvaluationFigures
from pydantic import ValidationError
from servicekit import peers
from servicekit.settings import ServiceSettings
from sqlmodel.ext.asyncio.session import AsyncSession

from rights_api.indicators import service as indicators
from rights_api.plan.models import PlanEdition

PEERS = ("restoration", "greenmine")
PATH = "/evaluation-figures"


async def gather(
    *, session: AsyncSession, settings: ServiceSettings, edition: PlanEdition, as_of: date
) -> dict[str, EvaluationFigures]:
    """Every service's figures as of ``as_of``: the register's own, the peers' over HTTP (both
    at once)."""
    params = {"edition": edition.code, "as_of": as_of.isoformat()}
    answers = await asyncio.gather(
        *(peers.get_json(settings, name, PATH, params=params) for name in PEERS),
        return_exceptions=True,
    )
    found = {"rights": await indicators.figures(session=session, edition=edition, as_of=as_of)}
    for name, body in zip(PEERS, answers, strict=True):
        if isinstance(body, BaseException):
            raise body  # the first peer that failed, in PEERS order, is the one named
        found[name] = _figures(name, body, edition.code, as_of)
    return found


def _figures(name: str, body: object, edition: str, as_of: date) -> EvaluationFigures:
    try:
        figures = EvaluationFigures.model_validate(body)
    except ValidationError:
        figures = None
    if figures is None or (figures.edition, figures.as_of) != (edition, as_of):
        raise peers.PeerUnavailable(
            f"The {name} service answered {PATH} with something other than the figures of "
            f"edition {edition} as of {as_of}.",
            service=name,
        )
    return figures
