"""Fixtures for tests over real HTTP: a real uvicorn server on a free 127.0.0.1 port, in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from service.settings import Settings


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serve(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve ``app`` with uvicorn on a free loopback port; yields its base URL once /healthz answers."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
        while True:
            if not thread.is_alive():
                raise RuntimeError("the uvicorn server stopped during start-up")
            try:
                if server.started and httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{base}/healthz did not answer within 180 s")
            time.sleep(0.2)
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture(scope="module")
def live_server(services, settings: Settings) -> Iterator[str]:
    """The base URL of ``create_app(settings)`` served by uvicorn. ``services`` comes first so the
    session's index is already built on disk and the app's lifespan only loads it."""
    from service.http.app import create_app

    with serve(create_app(settings)) as base:
        yield base
