"""Exploration and mining rights 探矿权、采矿权, and the history of every state change."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from contracts.mining import (
    LicensingLevel,
    Mineral,
    MiningMethod,
    RightKind,
    RightStatus,
    ScaleUnit,
)
from servicekit import clock
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

# The overlap prefilter: a GiST index on the boundary's bounding box as a PostgreSQL box, so
# `bbox_overlaps` finds candidates among 50 000 rights without scanning them (no PostGIS needed).
BBOX_EXPRESSION = "box(point(min_lon, min_lat), point(max_lon, max_lat))"
CLOSED = (RightStatus.closed, RightStatus.closed_by_policy)
# ended by the bureau and waiting for the closure restoration's acceptance; live until closed
# (they still count against the caps and hold their ground), but no application is taken
ENDED = (RightStatus.revoked, RightStatus.expired)


class Right(SQLModel, table=True):
    __tablename__ = "rights"
    __table_args__ = (
        Index("rights_created_at_id", "created_at", "id"),  # list order
        Index("rights_bbox", text(BBOX_EXPRESSION), postgresql_using="gist"),
        CheckConstraint("elevation_top_m > elevation_bottom_m", name="rights_elevation_range"),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    licence_no: str = Field(sa_column=Column(String(32), nullable=False, unique=True))
    kind: RightKind = Field(sa_column=Column(String(16), nullable=False))
    holder_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("holders.id"), nullable=False, index=True)
    )
    mine_name: str = Field(sa_column=Column(String(200), nullable=False))
    mineral: Mineral = Field(sa_column=Column(String(32), nullable=False, index=True))
    area_km2: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))
    # geodesic area of the boundary on the CGCS2000 ellipsoid; None without a boundary
    computed_area_km2: Decimal | None = Field(None, sa_column=Column(Numeric(16, 6)))
    scale_value: Decimal | None = Field(None, sa_column=Column(Numeric(14, 4)))
    scale_unit: ScaleUnit | None = Field(None, sa_column=Column(String(20)))
    method: MiningMethod | None = Field(None, sa_column=Column(String(16)))
    # licensed elevation range 开采标高 (metres above sea level): mining above the top or below
    # the bottom is out-of-level mining 超层越界 (第五章第三节 安全准入条件)
    elevation_top_m: Decimal | None = Field(None, sa_column=Column(Numeric(8, 2)))
    elevation_bottom_m: Decimal | None = Field(None, sa_column=Column(Numeric(8, 2)))
    status: RightStatus = Field(sa_column=Column(String(24), nullable=False, index=True))
    valid_from: date = Field(sa_column=Column(Date, nullable=False))
    valid_to: date = Field(sa_column=Column(Date, nullable=False, index=True))
    zone: str | None = Field(None, sa_column=Column(String(32), index=True))
    licensing_level: LicensingLevel = Field(sa_column=Column(String(16), nullable=False))
    boundary: dict[str, Any] | None = Field(
        None, sa_column=Column(JSONB(none_as_null=True))
    )  # GeoJSON, CGCS2000
    boundary_illustrative: bool = Field(False, sa_column=Column(Boolean, nullable=False))
    min_lon: float | None = Field(None, sa_column=Column(Double))
    min_lat: float | None = Field(None, sa_column=Column(Double))
    max_lon: float | None = Field(None, sa_column=Column(Double))
    max_lat: float | None = Field(None, sa_column=Column(Double))
    # loaded from the plan's 专栏一 (the mines of 2020), not granted through an application
    reference: bool = Field(False, sa_column=Column(Boolean, nullable=False))
    version: int = Field(1, sa_column=Column(Integer, nullable=False))
    created_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )

    @property
    def live(self) -> bool:
        return self.status not in CLOSED


class RightHistory(SQLModel, table=True):
    """Every state change of a right: who, when, what, why."""

    __tablename__ = "right_history"
    __table_args__ = (Index("right_history_right_at", "right_id", "at", "id"),)

    id: int | None = Field(
        None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    actor: str = Field(sa_column=Column(String(200), nullable=False))
    action: str = Field(sa_column=Column(String(40), nullable=False))
    from_status: RightStatus | None = Field(None, sa_column=Column(String(24)))
    to_status: RightStatus | None = Field(None, sa_column=Column(String(24)))
    reason: str | None = Field(None, sa_column=Column(Text))
    changes: dict[str, Any] | None = Field(None, sa_column=Column(JSONB(none_as_null=True)))


class LiveMineTally(SQLModel, table=True):
    """Live mining rights (not closed) per mineral, licensing level and scale unit: the numbers
    the caps of 专栏二 and 专栏四 compare. Kept in step with ``rights`` by a trigger (migration
    r0004) in the same transaction as every write, whichever code path writes, so the admission
    check reads a handful of rows however large the register grows."""

    __tablename__ = "live_mine_tallies"

    mineral: str = Field(sa_column=Column(String(32), primary_key=True))
    licensing_level: str = Field(sa_column=Column(String(16), primary_key=True))
    scale_unit: str = Field(sa_column=Column(String(20), primary_key=True))  # '' for none
    mines: int = Field(sa_column=Column(Integer, nullable=False))
    output: Decimal = Field(sa_column=Column(Numeric(18, 4), nullable=False))


class CapReservation(SQLModel, table=True):
    """A place under the caps of 专栏二 and 专栏四 held by an open market-grant offering 出让
    (draft or announced) of a planned block, until it is awarded (its right then counts in
    ``live_mine_tallies``), fails or is withdrawn. Kept in step with ``grant_offerings`` by a
    trigger (migration r0013), so the admission rules count the same places for an application
    and for an offering without importing the offerings package."""

    __tablename__ = "cap_reservations"

    offering_id: UUID = Field(
        sa_column=Column(
            Uuid, ForeignKey("grant_offerings.id", ondelete="CASCADE"), primary_key=True
        )
    )
    block_id: str = Field(sa_column=Column(String(32), nullable=False))
    mineral: str = Field(sa_column=Column(String(32), nullable=False))
    state: str = Field(sa_column=Column(String(16), nullable=False))  # draft | announced
    scale_unit: str = Field(sa_column=Column(String(20), nullable=False))
    scale_value: Decimal = Field(sa_column=Column(Numeric(14, 4), nullable=False))


class SuspensionHold(SQLModel, table=True):
    """One reason a mine is suspended 停产整治 (the bureau's decision, an overdue restoration
    rectification): a mine resumes only when its last hold is lifted. ``status_before`` is set on
    the hold that suspended the mine (or inherited it): the status to return to. Overdue
    compliance orders keep their own ``suspended_from`` and count as holds too."""

    __tablename__ = "suspension_holds"
    __table_args__ = (
        Index(
            "suspension_holds_right_active",
            "right_id",
            postgresql_where=text("lifted_at IS NULL"),
        ),
        # one hold per cause: a redelivered or repeated overdue never holds the mine twice
        Index("suspension_holds_cause", "cause", "cause_id", unique=True),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    cause: str = Field(sa_column=Column(String(40), nullable=False))  # bureau | rectification
    cause_id: UUID = Field(sa_column=Column(Uuid, nullable=False))  # rectification id; else own id
    status_before: RightStatus | None = Field(None, sa_column=Column(String(24)))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    clause: str | None = Field(None, sa_column=Column(String(80)))
    held_by: str = Field(sa_column=Column(String(200), nullable=False))
    held_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    lifted_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    lifted_by: str | None = Field(None, sa_column=Column(String(200)))


class RightEnding(SQLModel, table=True):
    """The bureau ended the right 吊销 / 政策性关闭 / 有效期届满: it enters the closure path, and
    the mine is closed only when restoration-api reports the closure restoration accepted
    (``closed_at``). One per right."""

    __tablename__ = "right_endings"
    __table_args__ = (Index("right_endings_decided_at_id", "decided_at", "id"),)

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    right_id: UUID = Field(
        sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False, unique=True)
    )
    kind: str = Field(sa_column=Column(String(16), nullable=False))  # revoked|policy_closed|expired
    status_before: RightStatus = Field(sa_column=Column(String(24), nullable=False))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    clause: str | None = Field(None, sa_column=Column(String(80)))
    decided_by: str = Field(sa_column=Column(String(200), nullable=False))
    decided_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    acceptance_id: UUID | None = Field(None, sa_column=Column(Uuid))
    closed_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
