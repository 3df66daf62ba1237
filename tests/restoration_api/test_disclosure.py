"""Public disclosure per mine and year, and the yearly CSV for the disclosure system."""

import csv
import io
import uuid

from tests.restoration_api.support import admin, grant, transfer, work
from tests.servicekit.test_csv_export import FORMULAS


async def test_the_public_sees_accrual_deposits_spending_and_plan_execution(restoration):
    fund = await grant(restoration)
    await restoration.client.post(
        "/plans",
        json={
            "right_id": fund["right_id"],
            "kind": "protection_reclamation",
            "title": "乌希根楚二号 保护与土地复垦方案",
            "estimated_cost": "120000.00",
            "area_ha": "2",
            "schedule": [{"year": 2026, "cost": "120000.00", "area_ha": "2"}],
        },
        headers=admin(restoration),
    )
    item = await work(restoration, fund["right_id"], area="1.2")
    await transfer(restoration, fund["id"], "accrual", "120000.00")
    deposit = (await transfer(restoration, fund["id"], "deposit", "100000.00")).json()
    await transfer(restoration, fund["id"], "deposit", "30000.00")
    await transfer(restoration, fund["id"], "reversal", "100000.00", reverses=deposit["id"])
    await transfer(restoration, fund["id"], "expenditure", "20000.00", work_id=item["id"])

    response = await restoration.client.get(f"/disclosures/{fund['right_id']}")  # no token
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mine_name"] == "二连浩特市乌希根楚二号建筑用花岗岩矿"
    [year] = body["years"]
    assert year["year"] == 2026
    assert year["accrued"] == "120000.00"
    assert year["deposited"] == "30000.00"  # the reversed deposit nets out
    assert year["spent"] == "20000.00"
    assert year["plan_cost"] == "120000.00"
    assert year["works_area_ha"] == "1.2000"

    export = await restoration.client.get("/disclosures/export.csv", params={"year": 2026})
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["licence_no"] == "C1525012010057130066321"
    assert rows[0]["deposited"] == "30000.00"
    assert rows[0]["spent"] == "20000.00"

    unknown = await restoration.client.get(f"/disclosures/{uuid.uuid4()}")
    assert unknown.status_code == 404
    bad_year = await restoration.client.get("/disclosures/export.csv", params={"year": "x"})
    assert bad_year.status_code == 422


async def test_the_export_writes_formula_like_mine_names_as_text(restoration):
    """CSV injection: a mine name the bureau's spreadsheet would run is quoted (OWASP's rule)."""
    for name in FORMULAS:
        await grant(restoration, mine_name=name, holder_name="@" + name[1:])
    export = await restoration.client.get("/disclosures/export.csv", params={"year": 2026})
    assert export.status_code == 200
    assert export.headers["content-disposition"] == 'attachment; filename="restoration-2026.csv"'
    assert export.headers["x-content-type-options"] == "nosniff"
    rows = list(csv.DictReader(io.StringIO(export.text.lstrip("\ufeff"), newline="")))
    assert sorted(r["mine_name"] for r in rows) == sorted("'" + n for n in FORMULAS)
    assert all(r["holder_name"].startswith("'@") for r in rows)
    assert {r["accrued"] for r in rows} == {"0.00"}  # numbers stay numbers
