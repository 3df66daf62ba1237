"""The corner-coordinate text 坐标文本 (the 自然资源部 "国土TXT" layout of 界址点/拐点 files):
reading it into parcels, rings and points, and writing them back. Pure functions; no projection
(``service.py`` turns X/Y into longitude/latitude with ``geometry.py``).

    [属性描述]
    格式版本号=1.01
    数据产生单位=二连浩特市自然资源局
    数据产生日期=2026-12-06
    坐标系=2000国家大地坐标系
    几度分带=3
    投影类型=高斯克吕格
    计量单位=米
    带号=37
    精度=0.01
    转换参数=,,,,,,
    [地块坐标]
    5,3.8593,1,二连浩特市乌希根楚二号建筑用花岗岩矿,面,,采矿权,,@
    J1,1,4835496.25,37564590.11
    J2,1,4835496.25,37564857.70
    J3,1,4835352.01,37564857.70
    J4,1,4835352.01,37564590.11
    J1,1,4835496.25,37564590.11

A parcel 地块 starts with its record line (界址点数, 地块面积 in hectares, 地块编号, 地块名称,
记录图形属性 = 面, 图幅号, 地块用途, 地类编码, then ``@``); its points follow, one a line:
点号, 圈号, X (northing), Y (easting). 圈号 1 is the outer ring, 2, 3, … its holes; a ring closes
by repeating its first point. Several parcels make a multi-part boundary. Line numbers count from
1, blank lines included, so a refusal names the line an editor shows.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

ATTRIBUTES = "[属性描述]"
PARCELS = "[地块坐标]"
EXTENSION = "[扩展信息]"  # optional, before the attributes; its lines are kept, not read
END = "@"
POLYGON = "面"
RECORD_FIELDS = 8  # 界址点数 … 地类编码, then "@"

# the header keys the format defines, in its order; required ones carry the only value accepted
CRS_NAME = "2000国家大地坐标系"
ZONE = "37"  # 3-degree zone 37: central meridian 111°E, Erenhot's zone
REQUIRED = {
    "坐标系": CRS_NAME,
    "几度分带": "3",
    "投影类型": "高斯克吕格",
    "计量单位": "米",
    "带号": ZONE,
}
KEYS = (
    "格式版本号",
    "数据产生单位",
    "数据产生日期",
    "坐标系",
    "几度分带",
    "投影类型",
    "计量单位",
    "带号",
    "精度",
    "转换参数",
)
MIN_RING_LINES = 4  # three corners and the first repeated
MAX_LINES = 100_000
MAX_RINGS = 100  # per parcel, as geometry.BoundaryPolygon takes
MAX_RING_LINES = 10_000  # per ring, geometry.MAX_CORNERS
# plain ASCII decimals only: no exponents, no digit separators, no other scripts' digits
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)
COUNT = re.compile(r"[0-9]{1,9}", re.ASCII)


class FormatError(ValueError):
    """Text that is not a corner file: ``line`` (1-based) and what is wrong there."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Point:
    number: str
    x: float  # northing, metres
    y: float  # easting, metres (with the zone prefix in the 37 form)
    line: int = 0


@dataclass(frozen=True)
class Ring:
    number: int  # 圈号: 1 outer, 2… holes
    points: list[Point]


@dataclass
class Parcel:
    number: str
    name: str
    area_ha: str
    use: str = ""
    rings: list[Ring] = field(default_factory=list)
    line: int = 0  # of its record line


@dataclass
class CornerFile:
    header: dict[str, str]
    parcels: list[Parcel]


# --- reading --------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if number > MAX_LINES:
            raise FormatError(number, f"more than {MAX_LINES} lines")
        line = raw.strip()
        if line:
            yield number, line


def _number(text: str, line: int, what: str) -> float:
    if not NUMBER.fullmatch(text) or len(text) > 40:
        raise FormatError(line, f"{what} {text[:40]!r} is not a number")
    return float(text)


def _header(lines: list[tuple[int, str]]) -> tuple[dict[str, str], int]:
    """The attributes, and the index of the [地块坐标] line in ``lines``."""
    if not lines:
        raise FormatError(1, f"empty: a corner file starts with {ATTRIBUTES}")
    index = 0
    if lines[0][1] == EXTENSION:
        index = next((i for i, (_, text) in enumerate(lines) if text == ATTRIBUTES), len(lines))
        if index == len(lines):
            raise FormatError(lines[0][0], f"{EXTENSION} is not followed by {ATTRIBUTES}")
    number, text = lines[index]
    if text != ATTRIBUTES:
        raise FormatError(number, f"expected {ATTRIBUTES}, found {text[:40]!r}")
    header: dict[str, str] = {}
    seen: dict[str, int] = {}
    section = index
    for index in range(section + 1, len(lines)):  # ends on the [地块坐标] line
        number, text = lines[index]
        if text == PARCELS:
            break
        key, equals, value = text.partition("=")
        key = key.strip()
        if not equals:
            raise FormatError(number, f"header line {text[:40]!r} is not key=value")
        if key not in KEYS:
            raise FormatError(number, f"unknown header field {key!r}; known: {', '.join(KEYS)}")
        if key in header:
            raise FormatError(number, f"header field {key} given twice (line {seen[key]})")
        value = value.strip()
        wanted = REQUIRED.get(key)
        if wanted is not None and value != wanted:
            raise FormatError(number, f"{key}={value!r}: only {key}={wanted} is accepted")
        header[key] = value
        seen[key] = number
    else:
        raise FormatError(lines[-1][0] + 1, f"no {PARCELS} section")
    missing = [key for key in REQUIRED if key not in header]
    if missing:
        raise FormatError(number, f"the header lacks {', '.join(missing)}")
    return header, index


def _record(number: int, text: str) -> tuple[Parcel, int]:
    """A parcel's record line, and how many point lines it announces."""
    fields = [f.strip() for f in text.split(",")]
    if fields[-1] != END or len(fields) != RECORD_FIELDS + 1:
        raise FormatError(
            number,
            "a parcel record is 界址点数,地块面积,地块编号,地块名称,记录图形属性,图幅号,"
            f"地块用途,地类编码,@ ({RECORD_FIELDS} fields and @)",
        )
    count, area, parcel_no, name, shape, _, use, _, _ = fields
    if not COUNT.fullmatch(count) or int(count) < MIN_RING_LINES:
        raise FormatError(number, f"界址点数 {count!r} is not a count of at least {MIN_RING_LINES}")
    if area:
        _number(area, number, "地块面积")
    if shape != POLYGON:
        raise FormatError(number, f"记录图形属性 {shape!r}: a boundary is {POLYGON}")
    if not parcel_no:
        raise FormatError(number, "地块编号 is empty")
    return Parcel(number=parcel_no, name=name, area_ha=area, use=use, line=number), int(count)


def _point(number: int, text: str) -> tuple[int, Point]:
    fields = [f.strip() for f in text.split(",")]
    if len(fields) != 4:
        raise FormatError(number, f"a point is 点号,圈号,X,Y (4 fields, found {len(fields)})")
    name, ring, x, y = fields
    if not name:
        raise FormatError(number, "点号 is empty")
    if not COUNT.fullmatch(ring) or int(ring) < 1:
        raise FormatError(
            number, f"unknown ring marker 圈号 {ring!r}: 1 is the outer ring, 2, 3, … its holes"
        )
    return int(ring), Point(name, _number(x, number, "X"), _number(y, number, "Y"), number)


def _rings(parcel: Parcel, points: list[tuple[int, Point]]) -> list[Ring]:
    rings: list[Ring] = []
    for ring_no, point in points:
        if not rings or rings[-1].number != ring_no:
            expected = len(rings) + 1
            if ring_no != expected:
                raise FormatError(
                    point.line,
                    f"unknown ring marker 圈号 {ring_no} in parcel {parcel.number}: "
                    f"ring {expected} comes next (1 outer, then its holes in order)",
                )
            if ring_no > MAX_RINGS:
                raise FormatError(point.line, f"more than {MAX_RINGS} rings in a parcel")
            rings.append(Ring(ring_no, []))
        if len(rings[-1].points) == MAX_RING_LINES:
            raise FormatError(point.line, f"more than {MAX_RING_LINES} points in a ring")
        rings[-1].points.append(point)
    for ring in rings:
        first, last = ring.points[0], ring.points[-1]
        if len(ring.points) < MIN_RING_LINES:
            raise FormatError(
                first.line,
                f"ring {ring.number} of parcel {parcel.number} has {len(ring.points)} points: "
                "a ring needs 3 corners and its first point repeated at the end",
            )
        if (first.x, first.y) != (last.x, last.y):
            raise FormatError(
                last.line,
                f"ring {ring.number} of parcel {parcel.number} is not closed: its last point "
                f"{last.number} ({last.x}, {last.y}) is not its first {first.number} "
                f"({first.x}, {first.y})",
            )
    return rings


def read(text: str) -> CornerFile:
    """The parcels of a corner file; a FormatError names the first line that is wrong."""
    lines = list(_lines(text))
    header, start = _header(lines)
    parcels: list[Parcel] = []
    pending: list[tuple[int, Point]] = []
    announced = 0

    def close() -> None:
        if not parcels:
            return
        parcel = parcels[-1]
        if not pending:
            raise FormatError(parcel.line, f"parcel {parcel.number} has no points")
        if len(pending) != announced:
            raise FormatError(
                parcel.line,
                f"界址点数 says {announced} points, parcel {parcel.number} lists {len(pending)}",
            )
        parcel.rings = _rings(parcel, pending)

    for number, text in lines[start + 1 :]:
        if text.endswith(END):
            close()
            parcel, announced = _record(number, text)
            parcels.append(parcel)
            pending = []
        elif not parcels:
            raise FormatError(number, "a point before any parcel record (…,@)")
        else:
            pending.append(_point(number, text))
    if not parcels:
        last = lines[start][0]
        raise FormatError(last + 1, f"no parcel after {PARCELS}")
    close()
    return CornerFile(header, parcels)


# --- writing --------------------------------------------------------------------------------


def _field(value: str) -> str:
    # the format has no quoting: a comma inside a name would split it
    return value.replace(",", "，").replace("\n", " ").strip()


def write(header: dict[str, str], parcels: list[Parcel], decimals: int = 2) -> str:
    """The corner file of ``parcels``: header in the format's order, CRLF line ends (what the
    registration desktop tools write)."""
    lines = [ATTRIBUTES]
    lines += [f"{key}={header[key]}" for key in KEYS if key in header]
    lines.append(PARCELS)
    for parcel in parcels:
        count = sum(len(r.points) for r in parcel.rings)
        record = [str(count), parcel.area_ha, parcel.number, parcel.name, POLYGON, "",
                  parcel.use, "", END]  # fmt: skip
        lines.append(",".join(_field(f) if f != END else f for f in record))
        for ring in parcel.rings:
            lines += [
                f"{_field(p.number)},{ring.number},{p.x:.{decimals}f},{p.y:.{decimals}f}"
                for p in ring.points
            ]
    return "\r\n".join(lines) + "\r\n"
