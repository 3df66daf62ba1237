"""The in-process broker for ``make dev``: every service in one process, no Kafka.

``send`` returns only after every subscribed group's handler has committed the record, so the
relay marks an outbox row sent only then: a restart at any point loses nothing, it repeats at
most, and the inbox absorbs the repeat. Groups named in ``expect`` must have subscribed before
anything is delivered on their topics, as a Kafka group would read from the earliest offset.
"""

import asyncio
from collections import defaultdict
from collections.abc import Sequence

from servicekit.events.broker import BrokerUnavailable, RecordHandler
from servicekit.events.envelope import Record


class InProcessSubscription:
    def __init__(self, broker: "InProcessBroker", group: str, topics: Sequence[str]) -> None:
        self._broker, self.group, self.topics = broker, group, tuple(topics)

    def lag(self) -> dict[tuple[str, int], int]:
        return {}

    async def stop(self) -> None:
        for topic in self.topics:
            self._broker.handlers[topic].pop(self.group, None)


class InProcessBroker:
    def __init__(self) -> None:
        self.handlers: dict[str, dict[str, RecordHandler]] = defaultdict(dict)
        self.expected: dict[str, set[str]] = defaultdict(set)
        self._offsets: dict[str, int] = defaultdict(int)
        self._lock = asyncio.Lock()

    def expect(self, group: str, topics: Sequence[str]) -> None:
        for topic in topics:
            self.expected[topic].add(group)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def subscribe(
        self, group: str, topics: Sequence[str], handler: RecordHandler
    ) -> InProcessSubscription:
        for topic in topics:
            self.handlers[topic][group] = handler
        return InProcessSubscription(self, group, topics)

    async def send(self, records: Sequence[Record]) -> None:
        async with self._lock:  # one delivery at a time keeps each topic in order
            for record in records:
                missing = self.expected[record.topic] - self.handlers[record.topic].keys()
                if missing:
                    raise BrokerUnavailable(f"consumers not attached yet: {sorted(missing)}")
                delivered = Record(
                    record.topic,
                    record.key,
                    record.value,
                    record.headers,
                    partition=0,
                    offset=self._offsets[record.topic],
                )
                self._offsets[record.topic] += 1
                for handler in list(self.handlers[record.topic].values()):
                    await handler(delivered)
