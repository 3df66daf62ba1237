"""Prometheus metrics, one registry per service (several services share a process in dev)."""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class ServiceMetrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = {"registry": self.registry}
        self.request_seconds = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route", "status"],
            **labels,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        )
        self.outbox_backlog = Gauge("outbox_backlog", "Outbox rows not yet published", **labels)
        self.outbox_oldest_age = Gauge(
            "outbox_oldest_unsent_age_seconds", "Age of the oldest unpublished outbox row", **labels
        )
        self.relay_leader = Gauge(
            "outbox_relay_leader", "1 when this replica runs the relay", **labels
        )
        self.events_published = Counter(
            "events_published_total", "Events the relay published", ["topic"], **labels
        )
        self.events_consumed = Counter(
            "events_consumed_total",
            "Records consumed, by outcome",
            ["consumer", "topic", "outcome"],
            **labels,
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Records not yet processed",
            ["consumer", "topic", "partition"],
            **labels,
        )
        self.dead_letters = Counter(
            "dead_letters_total", "Records sent to the dead-letter topic", ["consumer"], **labels
        )
        self.dead_letters_open = Gauge(
            "dead_letters_open", "Dead letters not yet replayed", ["consumer"], **labels
        )
        self.job_runs = Counter(
            "job_runs_total", "Periodic job runs, by outcome", ["job", "outcome"], **labels
        )
        self.job_items = Counter(
            "job_items_total", "Items periodic jobs handled", ["job"], **labels
        )
        self.job_seconds = Histogram(
            "job_duration_seconds", "Duration of periodic job runs", ["job"], **labels
        )
        self.calendar_fallback_days = Counter(
            "calendar_fallback_days_total",
            "Working-day questions answered by the weekends-only rule (no schedule loaded)",
            ["year"],
            **labels,
        )
        self.rate_limited = Counter(
            "rate_limited_total", "Requests refused with 429, by limit", ["limit"], **labels
        )
        self.service = service
