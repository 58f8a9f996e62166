"""Prometheus metrics, one registry per app (several apps may live in one test process).

Several worker processes (``salescoach serve --workers N``, docker-compose) share their metrics
through prometheus-client's multiprocess mode: with ``PROMETHEUS_MULTIPROC_DIR`` set (before the
workers start), every worker writes its values to files there and ``/metrics``, whichever worker
answers, adds them up across all of them. The folder must be emptied when the server starts
(``prepare_multiprocess_dir``), or the last run's counts would carry over.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


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

    def exposition(self) -> bytes:
        """The text format of ``/metrics``: this process's registry, or with several workers the sum
        over all of them."""
        if os.environ.get(MULTIPROCESS_ENV):
            merged = CollectorRegistry()
            MultiProcessCollector(merged)
            return generate_latest(merged)
        return generate_latest(self.registry)


def prepare_multiprocess_dir(path: Path) -> None:
    """Create ``path`` empty and point prometheus-client at it, for the workers started next."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    os.environ[MULTIPROCESS_ENV] = str(path)
