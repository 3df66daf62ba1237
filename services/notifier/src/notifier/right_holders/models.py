"""The holder of record of each right the notifier heard was transferred, and its former
holders (not the shared read model of mining rights: this only readdresses deadlines)."""

from sqlalchemy import Column, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel


class RightHolder(SQLModel, table=True):
    """Who holds a right now, and who held it before, as the transfers the notifier read say.
    Another service's event published before a transfer but read after it (topics are not
    ordered against each other) still names the seller: its deadline goes to the holder now."""

    __tablename__ = "right_holders"

    subject: str = Field(primary_key=True, max_length=200)  # the right's id
    holder_id: str = Field(max_length=100)
    former_holders: list[str] = Field(sa_column=Column(ARRAY(String(100)), nullable=False))
