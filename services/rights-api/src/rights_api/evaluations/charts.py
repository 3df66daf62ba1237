"""Charts of an evaluation, drawn on the server (matplotlib, Agg, no display) with a CJK font so
the indicators' Chinese names render: target against actual per indicator, and for the period
report the actual per year against the target. Each chart is a PNG as a data URI the HTML page
and the PDF embed. Figures are built without pyplot, so renders in worker threads never share
state."""

import base64
import io
from decimal import Decimal

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from rights_api.evaluations.schemas import EvaluatedIndicator, Evaluation

matplotlib.use("Agg")  # no display on a server; figures here never go through pyplot anyway

# Debian's fonts-noto-cjk; the first one installed is used (``fc-list :lang=zh``)
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Noto Sans CJK TC")
COLUMNS = 3


def cjk_family() -> str:
    installed = {f.name for f in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    raise RuntimeError("No CJK font is installed: install fonts-noto-cjk (make system-packages)")


def _figure(panels: int) -> tuple[Figure, list]:
    rows = max(1, -(-panels // COLUMNS))
    figure = Figure(figsize=(3.2 * COLUMNS, 2.6 * rows), dpi=110, layout="constrained")
    axes = figure.subplots(rows, COLUMNS, squeeze=False).flatten().tolist()
    for extra in axes[panels:]:
        extra.set_visible(False)
    return figure, axes


def _title(i: EvaluatedIndicator) -> str:
    name = i.name_zh if len(i.name_zh) <= 14 else i.name_zh[:13] + "…"
    return f"{name}（{i.unit_zh}）"


def _png(figure: Figure) -> str:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def target_vs_actual(evaluation: Evaluation) -> str:
    """One panel per indicator: the target and the actual as of the evaluation's day."""
    family = cjk_family()
    items = evaluation.indicators
    figure, axes = _figure(len(items))
    for ax, i in zip(axes, items, strict=False):
        actual = float(i.actual) if i.actual is not None else 0.0
        colour = "#2e7d32" if i.met else "#c62828"
        bars = ax.bar(["目标", "实际"], [float(i.target), actual], color=["#90a4ae", colour])
        ax.bar_label(bars, labels=[_num(i.target), _num(i.actual)], fontfamily=family, fontsize=8)
        ax.set_title(_title(i), fontfamily=family, fontsize=9)
        for label in ax.get_xticklabels():
            label.set_fontfamily(family)
        ax.margins(y=0.2)
    figure.suptitle(
        f"{evaluation.edition_code} 指标目标与实际（截至 {evaluation.as_of}）", fontfamily=family
    )
    return _png(figure)


def per_year(evaluation: Evaluation) -> str | None:
    """The period report: each indicator's actual at each year's end, the target as a line."""
    if not evaluation.by_year:
        return None
    family = cjk_family()
    years = [y.year for y in evaluation.by_year]
    items = evaluation.indicators
    figure, axes = _figure(len(items))
    for ax, i in zip(axes, items, strict=False):
        values = [float(v) if v is not None else float("nan") for v in
                  (y.actuals.get(i.code) for y in evaluation.by_year)]  # fmt: skip
        ax.plot(years, values, marker="o")
        ax.axhline(float(i.target), color="#c62828", linestyle="--", linewidth=1)
        top = max([float(i.target), *(v for v in values if v == v)])  # v == v: not NaN
        ax.set_ylim(0, top * 1.15 or 1)
        ax.set_xticks(years)
        ax.set_title(_title(i), fontfamily=family, fontsize=9)
    figure.suptitle(f"{evaluation.edition_code} 各年度指标实际值（虚线为目标）", fontfamily=family)
    return _png(figure)


def _num(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f}"
