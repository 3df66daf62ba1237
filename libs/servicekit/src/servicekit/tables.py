"""Platform tables every service database has. Migrated by the ``servicekit`` Alembic branch."""

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

platform_metadata = MetaData()
JSONType = JSON().with_variant(JSONB(), "postgresql")

# Records waiting for the relay: events, and dead letters bound for `<consumer>.dlq`. Written in
# the caller's transaction; sent_at is set after the broker acknowledged. Unsent rows are found
# through a partial index, never by "id > last id".
outbox = Table(
    "outbox",
    platform_metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("type", String(200), nullable=False),
    # [[name, value]], values as UTF-8 text (CloudEvents attributes are strings)
    Column("headers", JSONType, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
    Index("outbox_unsent", "id", postgresql_where=text("sent_at IS NULL")),
)

# One row per event a consumer has applied: the primary key is the duplicate check.
inbox = Table(
    "inbox",
    platform_metadata,
    Column("consumer", String(200), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("type", String(200), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id"),
    Index("inbox_processed_at", "processed_at"),
)

# Events a consumer gave up on. The raw record is kept so it can be replayed byte for byte.
dead_letters = Table(
    "dead_letters",
    platform_metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("consumer", String(200), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("partition", Integer),
    Column("offset", BigInteger),
    Column("key", LargeBinary),
    Column("headers", JSONType, nullable=False),
    Column("value", LargeBinary),
    Column("event_id", String(200)),
    Column("event_type", String(200)),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("replayed_at", DateTime(timezone=True)),
    Index("dead_letters_open", "consumer", "id", postgresql_where=text("replayed_at IS NULL")),
    UniqueConstraint("consumer", "topic", "partition", "offset", name="dead_letters_once"),
)

# Idempotency-Key records: the first answer to a key. A request's claim on its key is an advisory
# lock in its own transaction (servicekit.idempotency), not a row; the record is written in that
# transaction with the request's own changes, so there is a record exactly when they committed
# (or, for a refusal, when nothing was changed).
idempotency_keys = Table(
    "idempotency_keys",
    platform_metadata,
    Column("scope", String(200), nullable=False),
    Column("key", String(255), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("status", SmallInteger, nullable=False),
    Column("headers", JSONType, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("scope", "key"),
    Index("idempotency_keys_created_at", "created_at"),
)

# Holiday schedules the bureau loaded (servicekit.workdays); a loaded year overrides the
# chinesecalendar package. Days not listed follow the weekday rule.
calendar_years = Table(
    "calendar_years",
    platform_metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

calendar_days = Table(
    "calendar_days",
    platform_metadata,
    Column("day", Date, primary_key=True),
    Column("year", Integer, nullable=False, index=True),
    Column("workday", Boolean, nullable=False),
    Column("name", String(100), nullable=False),
)

# Keys the service makes for itself on first use and shares across its replicas (the pagination
# cursor's HMAC key). Deleting a row rotates the key: outstanding cursors become invalid.
service_keys = Table(
    "service_keys",
    platform_metadata,
    Column("name", String(50), primary_key=True),
    Column("key", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# GCRA state of the shared rate limits (servicekit.rate_limit): theoretical arrival time, in
# epoch seconds of the database's clock. An UNLOGGED table (see migration sk0005).
rate_limits = Table(
    "rate_limits",
    platform_metadata,
    Column("name", String(64), primary_key=True),
    Column("client", String(128), primary_key=True),
    Column("tat", Double, nullable=False),
    prefixes=["UNLOGGED"],
)


# change stamps (servicekit.change_stamps, migration sk0007): one row per (table, writing
# transaction), written by the track_change() trigger; compaction folds them into the totals
change_log = Table(
    "change_log",
    platform_metadata,
    Column("table_name", Text, primary_key=True),
    Column("xid", BigInteger, primary_key=True),
)
change_totals = Table(
    "change_totals",
    platform_metadata,
    Column("table_name", Text, primary_key=True),
    Column("changes", BigInteger, nullable=False),
)
