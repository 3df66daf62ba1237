"""Working days on the mainland statutory calendar (法定节假日与调休).

Answers, in order of precedence: a holiday schedule the bureau loaded for that year (the State
Council publishes each year's in the preceding November or December); the ``chinesecalendar``
package for the years it ships (2004-2026 in 1.11); otherwise the weekends-only rule, counted in
the ``calendar_fallback_days_total`` metric so operators see a schedule is missing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from pydantic import BaseModel, Field
from sqlalchemy import delete, insert, select
from sqlmodel.ext.asyncio.session import AsyncSession

from servicekit.tables import calendar_days, calendar_years
from servicekit.text import Name

SEARCH_LIMIT = 60  # no statutory break is longer; guards against an absurd loaded schedule


class ScheduledDay(BaseModel):
    day: date
    name: Name = Field(max_length=100, examples=["国庆节"])


class YearSchedule(BaseModel):
    """One year's schedule as the State Council publishes it."""

    holidays: list[ScheduledDay] = Field(
        description="Days off, weekdays included (法定节假日及调休放假).",
        examples=[[{"day": "2027-10-01", "name": "国庆节"}]],
    )
    workdays: list[ScheduledDay] = Field(
        default_factory=list,
        description="Weekend days worked instead (调休上班).",
        examples=[[{"day": "2027-09-26", "name": "国庆节调休上班"}]],
    )


@dataclass
class WorkCalendar:
    """The calendar for a span of years, loaded once; its questions are then synchronous."""

    loaded: dict[int, dict[date, bool]]
    on_fallback: Callable[[int], None] = lambda year: None

    def is_workday(self, day: date) -> bool:
        schedule = self.loaded.get(day.year)
        if schedule is not None:
            return schedule.get(day, day.weekday() < 5)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self.on_fallback(day.year)
            return day.weekday() < 5

    def previous_workday(self, day: date) -> date:
        """``day`` itself when it is a working day, else the last working day before it."""
        for _ in range(SEARCH_LIMIT):
            if self.is_workday(day):
                return day
            day -= timedelta(days=1)
        raise ValueError(f"no working day in the {SEARCH_LIMIT} days up to {day}")

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (``start`` itself when n is 0)."""
        day = start
        for _ in range(n):
            day += timedelta(days=1)
            for _ in range(SEARCH_LIMIT):
                if self.is_workday(day):
                    break
                day += timedelta(days=1)
        return day


async def load(session: AsyncSession, years: Iterable[int]) -> WorkCalendar:
    wanted = sorted(set(years))
    loaded_years = set(
        (
            await session.exec(
                select(calendar_years.c.year).where(calendar_years.c.year.in_(wanted))
            )
        ).scalars()
    )
    loaded: dict[int, dict[date, bool]] = {year: {} for year in loaded_years}
    if loaded_years:
        rows = await session.exec(
            select(calendar_days.c.day, calendar_days.c.workday).where(
                calendar_days.c.year.in_(loaded_years)
            )
        )
        for day, workday in rows:
            loaded[day.year][day] = workday
    metrics = session.info.get("metrics")
    if metrics is None:
        return WorkCalendar(loaded)
    return WorkCalendar(loaded, lambda year: metrics.calendar_fallback_days.labels(str(year)).inc())


def _span(day: date) -> range:
    """Years a question about ``day`` may touch (a break can straddle New Year)."""
    return range(day.year - 1, day.year + 2)


async def schedule_source(session: AsyncSession, year: int) -> str | None:
    """Where the year's working days come from: "loaded", "package", or None (weekends only)."""
    if (await load(session, [year])).loaded:
        return "loaded"
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    return "package"


async def is_workday(session: AsyncSession, day: date) -> bool:
    return (await load(session, [day.year])).is_workday(day)


async def previous_workday(session: AsyncSession, day: date) -> date:
    return (await load(session, _span(day))).previous_workday(day)


async def add_workdays(session: AsyncSession, start: date, n: int) -> date:
    years = range(start.year, start.year + 2 + n // 200)
    return (await load(session, years)).add_workdays(start, n)


async def store_year(session: AsyncSession, year: int, schedule: YearSchedule) -> None:
    """Replace the year's schedule; days of another year are the caller's mistake."""
    await session.exec(delete(calendar_days).where(calendar_days.c.year == year))
    await session.exec(delete(calendar_years).where(calendar_years.c.year == year))
    await session.exec(insert(calendar_years).values(year=year))
    rows = [
        {"day": d.day, "year": year, "workday": False, "name": d.name} for d in schedule.holidays
    ] + [{"day": d.day, "year": year, "workday": True, "name": d.name} for d in schedule.workdays]
    if rows:
        await session.exec(insert(calendar_days).values(rows))
