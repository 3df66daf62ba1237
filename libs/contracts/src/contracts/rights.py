"""Events published by rights-api on ``rights.events``."""

from datetime import datetime
from uuid import UUID

from pydantic import Field

from contracts.base import EventPayload

TOPIC = "rights.events"


class HolderRegistered(EventPayload):
    event_type = "rights.holder.registered"
    topic = TOPIC
    summary = "A rights holder was registered 采矿权人已登记"

    holder_id: UUID
    credit_code: str = Field(
        description="Unified social credit code (GB 32100-2015).", examples=["91150000114122592P"]
    )
    name: str = Field(examples=["中国石油天然气股份有限公司"])
    registered_at: datetime


EVENTS = (HolderRegistered,)
