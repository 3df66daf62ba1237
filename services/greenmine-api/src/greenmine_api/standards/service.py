"""The pass rule: total at or above the pass mark, every category at or above its share of
points, every mandatory prerequisite met (2020 national form: 800 of 1000, 75 %)."""

from decimal import Decimal
from uuid import UUID

from servicekit.errors import Conflict, FieldError, validation_error
from servicekit.lookup import get_or_404
from servicekit.pagination import Page, PageParams, paginate
from sqlmodel import func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from greenmine_api.queries import save
from greenmine_api.standards.models import Standard
from greenmine_api.standards.schemas import CategoryResult, EvaluationResult, StandardCreate


def evaluate(
    standard: Standard, *, scores: dict[str, Decimal], prerequisites: dict[str, bool]
) -> EvaluationResult:
    """Score an evaluation. Every item and prerequisite must be answered, within its range."""
    errors = []
    items = {
        i["code"]: Decimal(str(i["max_points"])) for c in standard.categories for i in c["items"]
    }
    for code in sorted(set(items) - set(scores)):
        errors.append(FieldError(field=f"scores.{code}", message="no score for this item"))
    for code, value in scores.items():
        if code not in items:
            errors.append(FieldError(field=f"scores.{code}", message="not an item of the standard"))
        elif not Decimal(0) <= value <= items[code]:
            errors.append(
                FieldError(field=f"scores.{code}", message=f"must be between 0 and {items[code]}")
            )
    codes = [p["code"] for p in standard.prerequisites]
    for code in codes:
        if code not in prerequisites:
            errors.append(FieldError(field=f"prerequisites.{code}", message="not answered"))
    for code in set(prerequisites) - set(codes):
        errors.append(FieldError(field=f"prerequisites.{code}", message="not a prerequisite"))
    if errors:
        raise validation_error(errors)

    ratio = Decimal(standard.category_min_ratio)
    categories, reasons = [], []
    for c in standard.categories:
        points = sum((scores[i["code"]] for i in c["items"]), Decimal(0))
        maximum = Decimal(str(c["points"]))
        required = maximum * ratio
        ok = points >= required
        categories.append(
            CategoryResult(
                code=c["code"],
                name_zh=c["name_zh"],
                points=points,
                max_points=maximum,
                min_required=required,
                passed=ok,
            )
        )
        if not ok:
            reasons.append(
                f"{c['name_zh']} {_fmt(points)} < {_fmt(required)} ({ratio:.0%} of {_fmt(maximum)})"
            )
    total = sum((c.points for c in categories), Decimal(0))
    if total < standard.pass_total:
        reasons.append(f"total {_fmt(total)} < {standard.pass_total}")
    failed = [code for code in codes if not prerequisites[code]]
    reasons += [f"prerequisite not met: {code}" for code in failed]
    return EvaluationResult(
        total=total,
        pass_total=standard.pass_total,
        passed=not reasons,
        categories=categories,
        failed_prerequisites=failed,
        reasons=reasons,
    )


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


async def create(*, session: AsyncSession, data: StandardCreate) -> Standard:
    """A new version of the code (1 for a new code); the default moves when asked."""
    latest = await session.scalar(
        select(func.max(Standard.version)).where(Standard.code == data.code)
    )
    if data.is_default:
        await session.exec(update(Standard).values(is_default=False))
    standard = Standard(
        **data.model_dump(mode="json", exclude={"category_min_ratio"}),
        category_min_ratio=data.category_min_ratio,
        version=(latest or 0) + 1,
    )
    return await save(session, standard)


async def get(*, session: AsyncSession, standard_id: UUID) -> Standard:
    return await get_or_404(session, Standard, standard_id, what="standard")


async def default(*, session: AsyncSession) -> Standard:
    standard = (await session.exec(select(Standard).where(Standard.is_default))).first()
    if standard is None:
        raise Conflict("No default evaluation standard is loaded (run mineadmin seed).")
    return standard


async def list_all(*, session: AsyncSession, page: PageParams) -> Page[Standard]:
    """Every version of every standard, by code and version."""
    return await paginate(session, select(Standard), page, order=(Standard.code, Standard.version))
