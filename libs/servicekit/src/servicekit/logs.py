"""Structured logs: JSON lines with the request id and trace id on every line."""

import json as jsonlib
import logging
import sys
from datetime import UTC, datetime

import structlog

ACCESS_LOGGER = "servicekit.access"

_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: str = "INFO", *, json: bool = True) -> None:
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        (JSONLines if json else structlog.stdlib.ProcessorFormatter)(
            foreign_pre_chain=[*_SHARED, structlog.stdlib.ExtraAdder()],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # none of the lines shows where in the source it was logged, nor the thread or process
    logging._srcfile = None  # the logging HOWTO's "Optimization": skip finding the caller
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for noisy in ("aiokafka", "kafka"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn's own lines become JSON lines too
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs each request


class JSONLines(structlog.stdlib.ProcessorFormatter):
    """Every line through structlog's processors, except the access line (``log_request``):
    written once per request, it is made here directly, with the same keys, because the
    processor chain cost more CPU than a hot read's query."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.__dict__.get("fields")
        if record.name != ACCESS_LOGGER or fields is None:
            return super().format(record)
        return jsonlib.dumps(
            {
                **fields,
                "event": record.msg,
                "level": record.levelname.lower(),
                "logger": record.name,
                "timestamp": datetime.fromtimestamp(record.created, UTC)
                .isoformat()
                .replace("+00:00", "Z"),
            },
            ensure_ascii=False,
        )


def log_request(level: int, fields: dict[str, object]) -> None:
    """One access log line: method, path, status, duration and the request and trace ids."""
    _access.log(level, "request", extra={"fields": fields})


_access = logging.getLogger(ACCESS_LOGGER)
