"""What the relay and the consumers need from a message broker, whichever it is."""

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from servicekit.events.envelope import Record

RecordHandler = Callable[[Record], Awaitable[None]]


class BrokerUnavailable(Exception):
    """The broker did not acknowledge: the relay keeps the rows and tries again."""


class Subscription(Protocol):
    def lag(self) -> dict[tuple[str, int], int]:
        """Records not yet processed, per (topic, partition)."""
        ...

    async def stop(self) -> None: ...


class Broker(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send(self, records: Sequence[Record]) -> None:
        """Return once every record is acknowledged; raise BrokerUnavailable otherwise."""
        ...

    async def subscribe(
        self, group: str, topics: Sequence[str], handler: RecordHandler
    ) -> Subscription:
        """Deliver records to ``handler`` one at a time per partition. The handler returns only
        once the record's effect is committed; the broker then commits the offset."""
        ...

    async def ping(self) -> None:
        """Raise if the broker cannot be reached."""
        ...
