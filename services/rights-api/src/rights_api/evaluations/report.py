"""The evaluation as a report people send (第七章三: to the city government and the regional
bureau): an HTML page, the same page as a PDF in Chinese with its CJK fonts embedded
(WeasyPrint, which subsets the fonts fontconfig finds), and a CSV with one row per indicator.
Rendering is CPU work: the router runs ``html`` and ``pdf`` in a worker thread."""

from jinja2 import Environment, PackageLoader, select_autoescape
from servicekit.csv_export import csv_text
from weasyprint import HTML

from rights_api.evaluations import charts
from rights_api.evaluations.schemas import Evaluation

ENV = Environment(
    loader=PackageLoader("rights_api.evaluations", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
SCOPE_ZH = {"year": "年度评估", "midterm": "中期评估", "period": "规划期评估"}
CSV_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "clause",
    "target",
    "actual",
    "unit",
    "attribute",
    "met",
    "source_service",
    "as_of",
    "owner_unit",
    "owner_person",
    "records",
)


def _num(value) -> str:
    return "—" if value is None else f"{value.normalize():f}"


def html(evaluation: Evaluation) -> str:
    """The report page, its charts inline (PNG data URIs), every value escaped."""
    template = ENV.get_template("evaluation.html")
    return template.render(
        e=evaluation,
        scope_zh=SCOPE_ZH[evaluation.scope],
        num=_num,
        chart=charts.target_vs_actual(evaluation),
        chart_years=charts.per_year(evaluation),
        font=charts.cjk_family(),
    )


def pdf(evaluation: Evaluation) -> bytes:
    return HTML(string=html(evaluation)).write_pdf()


def as_csv(evaluation: Evaluation) -> str:
    """One row per indicator (servicekit's CSV writer: BOM, formula-like text quoted)."""
    return csv_text(
        CSV_COLUMNS,
        (
            [
                i.code,
                i.name_zh,
                i.name_en,
                i.clause,
                i.target.normalize(),  # numbers stay numbers, never quoted as a formula
                None if i.actual is None else i.actual.normalize(),
                i.unit,
                i.attribute.value,
                "true" if i.met else "false",
                i.source_service,
                i.as_of.isoformat(),
                i.owner.unit if i.owner else "",
                i.owner.person if i.owner else "",
                ";".join(f"{r.code or r.id} {r.name}" for r in i.records),
            ]
            for i in evaluation.indicators
        ),
    )
