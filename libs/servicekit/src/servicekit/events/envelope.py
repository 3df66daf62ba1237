"""CloudEvents 1.0 in Kafka binary content mode: attributes as ``ce_*`` headers, data as value."""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class InvalidEvent(ValueError):
    """The record is not a CloudEvent we can read: it goes to the dead-letter topic."""


def storable(text: str) -> str:
    """Text PostgreSQL can keep (in text and in JSON): NUL becomes U+FFFD. A record from the
    wire may carry anything in its key and headers, and a dead letter must still be storable."""
    return text.replace("\x00", "\ufffd")


def as_text(raw: bytes) -> str:
    """Bytes from the wire as storable text: invalid UTF-8 and NUL become U+FFFD."""
    return storable(raw.decode("utf-8", "replace"))


@dataclass(frozen=True)
class Record:
    """A message as the broker carries it. Header values are bytes, as in Kafka."""

    topic: str
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()
    partition: int | None = None
    offset: int | None = None

    def text_headers(self) -> list[tuple[str, str]]:
        """Headers as text, for storing as JSON (CloudEvents attributes are UTF-8 strings)."""
        return [(storable(name), as_text(raw)) for name, raw in self.headers]

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.text_headers() if key == name), None)

    @staticmethod
    def byte_headers(
        stored: list[list[str]] | list[tuple[str, str]],
    ) -> tuple[tuple[str, bytes], ...]:
        """The inverse of ``text_headers``: stored text headers back to Kafka's bytes."""
        return tuple((name, value.encode()) for name, value in stored)


@dataclass(frozen=True)
class CloudEvent:
    type: str
    source: str
    data: dict[str, Any]
    subject: str | None = None
    id: UUID = field(default_factory=uuid4)
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    traceparent: str | None = None

    def headers(self) -> list[tuple[str, str]]:
        headers = [
            ("ce_specversion", SPEC_VERSION),
            ("ce_id", str(self.id)),
            ("ce_source", self.source),
            ("ce_type", self.type),
            ("ce_time", self.time.isoformat().replace("+00:00", "Z")),
            ("content-type", CONTENT_TYPE),
        ]
        if self.subject is not None:
            headers.append(("ce_subject", self.subject))
        if self.traceparent is not None:
            headers.append(("ce_traceparent", self.traceparent))
        return headers

    def value(self) -> bytes:
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_record(cls, record: Record) -> "CloudEvent":
        headers = {name: raw for name, raw in record.headers}

        def attr(name: str, required: bool = True) -> str | None:
            raw = headers.get(name)
            if raw is None:
                if required:
                    raise InvalidEvent(f"missing header {name}")
                return None
            try:
                return raw.decode()
            except UnicodeDecodeError as exc:
                raise InvalidEvent(f"header {name} is not UTF-8") from exc

        if attr("ce_specversion") != SPEC_VERSION:
            raise InvalidEvent(f"unsupported ce_specversion {headers.get('ce_specversion')!r}")
        content_type = attr("content-type", required=False) or CONTENT_TYPE
        if content_type.split(";")[0].strip() != CONTENT_TYPE:
            raise InvalidEvent(f"unsupported content-type {content_type!r}")
        try:
            data = json.loads(record.value or b"")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidEvent(f"data is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InvalidEvent("data must be a JSON object")
        try:
            return cls(
                id=UUID(attr("ce_id")),
                source=attr("ce_source"),
                type=attr("ce_type"),
                subject=attr("ce_subject", required=False),
                time=_parse_time(attr("ce_time", required=False)),
                traceparent=attr("ce_traceparent", required=False),
                data=data,
            )
        except ValueError as exc:
            raise InvalidEvent(str(exc)) from exc


def _parse_time(raw: str | None) -> datetime:
    if raw is None:
        return datetime.now(UTC)
    parsed = datetime.fromisoformat(raw)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
