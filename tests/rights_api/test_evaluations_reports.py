"""The evaluation as reports people send (第七章三): an HTML page with the table and charts, a
PDF in Chinese with its fonts embedded (read back with pypdf), a CSV per indicator; who answers
for each indicator (第七章一) set by the bureau and shown in all of them."""

import csv
import io
import uuid

import pytest
from pypdf import PdfReader
from servicekit.auth import Role

from tests.rights_api.evaluation_support import record_the_period, three_services

UNIT = "二连浩特市自然资源局<矿产资源管理科>"


@pytest.fixture
async def services(databases):
    async with three_services(databases) as found:
        await record_the_period(found)
        yield found


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Each font the pages use → whether its glyphs travel in the file."""
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            described = [font, *(d.get_object() for d in font.get("/DescendantFonts", []))]
            descriptor = next(
                (f["/FontDescriptor"].get_object() for f in described if "/FontDescriptor" in f),
                {},
            )
            found[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    return found


async def test_owners_are_set_by_the_bureau_and_shown_in_every_report(services):
    rights, edition = services.rights, services.edition_id
    admin = rights.auth(Role.bureau_admin)
    owners = f"/plan-editions/{edition}/indicator-owners"
    body = {"unit": UNIT, "person": "张伟"}
    first = await rights.client.put(f"{owners}/legacy_restoration_km2", json=body, headers=admin)
    assert first.status_code == 201, first.text
    again = await rights.client.put(
        f"{owners}/legacy_restoration_km2", json={**body, "person": "李娜"}, headers=admin
    )
    assert again.status_code == 200 and again.json()["person"] == "李娜"
    listed = (await rights.client.get(owners, headers=rights.auth(Role.gov_system))).json()
    assert [(o["code"], o["unit"], o["person"]) for o in listed["owners"]] == [
        ("legacy_restoration_km2", UNIT, "李娜")
    ]
    # refusals: a code the edition does not have, a reviewer, an enterprise, anonymous, no edition
    unknown = await rights.client.put(f"{owners}/coal_mines", json=body, headers=admin)
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["path.code"]
    empty = await rights.client.put(f"{owners}/green_mines", json={"unit": "", "person": "张"},
                                    headers=admin)  # fmt: skip
    assert empty.status_code == 422 and "unit" in empty.text
    reviewer = rights.auth(Role.bureau_reviewer)
    assert (
        await rights.client.put(f"{owners}/green_mines", json=body, headers=reviewer)
    ).status_code == 403
    enterprise = rights.auth(Role.enterprise, holder_id=str(uuid.uuid4()))
    assert (await rights.client.get(owners, headers=enterprise)).status_code == 403
    assert (await rights.client.get(owners)).status_code == 401
    nowhere = "/plan-editions/00000000-0000-0000-0000-000000000000/indicator-owners"
    assert (
        await rights.client.put(f"{nowhere}/green_mines", json=body, headers=admin)
    ).status_code == 404

    url = f"/plan-editions/{edition}/evaluations/2023"
    found = (await rights.client.get(url, headers=admin)).json()
    shown = {i["code"]: i["owner"] for i in found["indicators"]}
    assert (shown["legacy_restoration_km2"]["unit"], shown["legacy_restoration_km2"]["person"]) == (
        UNIT,
        "李娜",
    )
    assert shown["green_mines"] is None

    page = await rights.client.get(url, headers={**admin, "Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<table class="indicators">' in html
    assert html.count("<tr id=") == len(found["indicators"])
    assert "历史遗留矿山地质环境治理恢复" in html and "李娜" in html
    assert "&lt;矿产资源管理科&gt;" in html and "<矿产资源管理科>" not in html  # escaped
    assert html.count('<img class="chart"') == 1  # target vs actual; no years in a year's report
    assert "发现的问题" in html and "绿色矿山数量未达到规划目标" in html

    pdf = await rights.client.get(url, headers={**admin, "Accept": "application/pdf"})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf.content))
    text = "".join(page.extract_text() for page in reader.pages)
    for words in ("历史遗留矿山地质环境治理恢复", "绿色矿山数量", "李娜", "约束性", "2023"):
        assert words in text, words
    fonts = embedded_fonts(reader)
    assert any("CJK" in name for name in fonts), fonts
    assert all(fonts.values()), fonts  # every font embedded

    sheet = await rights.client.get(f"{url}.csv", headers=admin)
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == [i["code"] for i in found["indicators"]]
    legacy = next(r for r in rows if r["code"] == "legacy_restoration_km2")
    assert (legacy["target"], legacy["actual"], legacy["unit"], legacy["met"]) == (
        "0.52",
        "0.12",
        "km2",
        "false",
    )
    assert (legacy["attribute"], legacy["owner_unit"], legacy["owner_person"]) == (
        "binding",
        UNIT,
        "李娜",
    )
    assert legacy["source_service"] == "restoration" and legacy["as_of"] == "2023-12-31"


async def test_the_period_report_charts_every_year(services):
    rights = services.rights
    url = f"/plan-editions/{services.edition_id}/evaluations/period"
    page = await rights.client.get(
        url, headers={**rights.auth(Role.gov_system), "Accept": "text/html"}
    )
    assert page.status_code == 200
    assert page.text.count('<img class="chart"') == 2 and "各年度变化" in page.text
    pdf = await rights.client.get(
        url, headers={**rights.auth(Role.bureau_reviewer), "Accept": "application/pdf"}
    )
    assert pdf.status_code == 200
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "规划期评估" in text and "建筑用花岗岩矿山数量" in text
