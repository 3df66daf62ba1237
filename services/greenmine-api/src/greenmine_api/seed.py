"""Reference data: the 2020 national evaluation form, the 2021-2025 edition's numbers, and the
mines already on the list (第一章第二节三: the PetroChina oilfield of 专栏一, a green mine
since 2021-03-28)."""

import json
from importlib.resources import files

from servicekit import clock
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.editions import service as editions
from greenmine_api.listings.service import apply_reference_listings
from greenmine_api.standards import service as standards
from greenmine_api.standards.models import Standard
from greenmine_api.standards.schemas import StandardCreate

REFERENCE = files("greenmine_api") / "reference"


def reference(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


async def seed(session: AsyncSession) -> None:
    form = StandardCreate.model_validate(reference("national-2020.json"))
    if (await session.exec(select(Standard.id).where(Standard.code == form.code))).first() is None:
        await standards.create(session=session, data=form)
    await editions.load(session=session, data=reference("edition-2021-2025.json"))
    # the oilfield is listed as soon as rights-api's reference grant has arrived (or later,
    # by the handler, when it arrives after this)
    await apply_reference_listings(session=session, today=clock.local_today())
