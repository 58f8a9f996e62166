"""Prometheus metrics, one registry per app (several apps may live in one test process)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.turn_seconds = Histogram(
            "salescoach_turn_seconds", "Time to answer one chat message", ["mode"], registry=self.registry,
            buckets=(0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )  # fmt: skip
        self.turns = Counter(
            "salescoach_turns_total", "Chat messages answered", ["mode"], registry=self.registry
        )
        self.errors = Counter(
            "salescoach_errors_total", "Requests that ended in an error", ["code"], registry=self.registry
        )
        self.requests = Histogram(
            "salescoach_request_seconds", "HTTP request latency", ["route", "status"], registry=self.registry
        )
