"""Which mines an inspector works on: the bureau's assignments, a random patrol's or not."""

from datetime import datetime
from uuid import UUID, uuid4

from servicekit import clock
from sqlalchemy import Column, DateTime, ForeignKey, Index, String, Uuid, text
from sqlmodel import Field, SQLModel


class Assignment(SQLModel, table=True):
    """A mine given to one inspector (the token subject of the inspection app) until the bureau
    ends it. The mine is then in that inspector's offline sync; ending it takes it out again."""

    __tablename__ = "inspector_assignments"
    __table_args__ = (
        Index("inspector_assignments_assigned_at_id", "assigned_at", "id"),  # list order
        # one open assignment per inspector and mine
        Index(
            "inspector_assignments_open",
            "inspector",
            "right_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    id: UUID = Field(default_factory=uuid4, sa_column=Column(Uuid, primary_key=True))
    inspector: str = Field(sa_column=Column(String(200), nullable=False))  # token subject
    right_id: UUID = Field(sa_column=Column(Uuid, ForeignKey("rights.id"), nullable=False))
    # the random patrol 随机巡查 this assignment carries out, when it does
    patrol_draw_id: UUID | None = Field(None, sa_column=Column(Uuid, ForeignKey("patrol_draws.id")))
    note: str | None = Field(None, sa_column=Column(String(500)))
    assigned_by: str = Field(sa_column=Column(String(200), nullable=False))
    assigned_at: datetime = Field(
        default_factory=clock.now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    ended_at: datetime | None = Field(None, sa_column=Column(DateTime(timezone=True)))
    ended_by: str | None = Field(None, sa_column=Column(String(200)))
