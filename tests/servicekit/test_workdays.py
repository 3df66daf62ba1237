"""The statutory calendar: the package's years, loaded schedules, the weekends-only fallback."""

import uuid
from datetime import date

from servicekit import workdays
from servicekit.auth import Role

NATIONAL_DAY_2027 = {
    "holidays": [{"day": f"2027-10-0{d}", "name": "国庆节"} for d in range(1, 8)],
    "workdays": [{"day": "2027-09-26", "name": "国庆节调休上班"}],
}


async def test_the_package_knows_2025_national_day_and_its_adjusted_sunday(rights):
    async with rights.runtime.db.transaction() as session:
        assert not await workdays.is_workday(session, date(2025, 10, 1))  # a Wednesday off
        assert await workdays.is_workday(session, date(2025, 9, 28))  # a Sunday worked
        # 10-01..08 off, Saturday 10-11 worked: the 5th working day after 09-30 is 10-14
        assert await workdays.previous_workday(session, date(2025, 10, 5)) == date(2025, 9, 30)
        assert await workdays.add_workdays(session, date(2025, 9, 30), 5) == date(2025, 10, 14)
        assert await workdays.add_workdays(session, date(2025, 9, 30), 0) == date(2025, 9, 30)


async def test_a_year_the_package_lacks_falls_back_to_weekends_and_is_counted(rights):
    async with rights.runtime.db.transaction() as session:
        assert await workdays.is_workday(session, date(2027, 10, 1))  # a Friday, no schedule
        assert not await workdays.is_workday(session, date(2027, 10, 2))
    metrics = await rights.metrics()
    assert 'calendar_fallback_days_total{year="2027"} 2.0' in metrics


async def test_a_loaded_schedule_decides_its_year(rights):
    admin = rights.auth(Role.bureau_admin)
    response = await rights.client.put(
        "/admin/calendar/2027", json=NATIONAL_DAY_2027, headers=admin
    )
    assert response.status_code == 204, response.text
    async with rights.runtime.db.transaction() as session:
        assert not await workdays.is_workday(session, date(2027, 10, 1))
        assert await workdays.is_workday(session, date(2027, 9, 26))  # adjusted Sunday
        assert await workdays.is_workday(session, date(2027, 10, 8))  # unlisted Friday
        assert await workdays.previous_workday(session, date(2027, 10, 4)) == date(2027, 9, 30)
    metrics = await rights.metrics()
    assert 'calendar_fallback_days_total{year="2027"}' not in metrics

    # loading again replaces the year: the holiday is gone
    again = await rights.client.put(
        "/admin/calendar/2027", json={"holidays": [], "workdays": []}, headers=admin
    )
    assert again.status_code == 204
    async with rights.runtime.db.transaction() as session:
        assert await workdays.is_workday(session, date(2027, 10, 1))


async def test_a_schedule_with_a_day_of_another_year_is_refused_whole(rights):
    admin = rights.auth(Role.bureau_admin)
    body = {
        "holidays": [{"day": "2027-10-01", "name": "国庆节"}, {"day": "2028-01-01", "name": "元旦"}]
    }
    response = await rights.client.put("/admin/calendar/2027", json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.holidays.1.day", "message": "2028-01-01 is not in 2027"}
    ]
    async with rights.runtime.db.transaction() as session:
        assert await workdays.is_workday(session, date(2027, 10, 1))  # nothing was stored


async def test_only_bureau_admins_load_schedules(rights):
    for headers, status in (
        (rights.auth(Role.enterprise, holder_id=str(uuid.uuid4())), 403),
        ({}, 401),
    ):
        response = await rights.client.put(
            "/admin/calendar/2027", json=NATIONAL_DAY_2027, headers=headers
        )
        assert response.status_code == status
