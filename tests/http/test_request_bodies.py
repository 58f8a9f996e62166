"""Request bodies over real HTTP (uvicorn on loopback): the size limit holds for chunked bodies too,
and a body that does not arrive in time gets a 408 instead of holding the connection."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import httpx
import pytest

from service.http.app import create_app
from service.settings import GenericSettings

from .conftest import serve

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BODY_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def base(services, settings, tmp_path_factory):
    configured = settings.model_copy(
        update={
            "body_timeout": BODY_TIMEOUT,
            "database_url": f"sqlite:///{tmp_path_factory.mktemp('bodies')}/b.db",
            "generic": GenericSettings(secret="generic-secret-for-tests"),
        }
    )
    with serve(create_app(configured, services)) as url:
        yield url


def _chunks(payload: bytes, size: int = 8192):
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


@pytest.mark.parametrize("path", ["/api/ask", "/api/classify", "/api/sessions", "/webhooks/generic"])
def test_a_chunked_body_over_the_limit_is_413(base, path):
    payload = json.dumps({"question": "x" * 70_000}).encode()
    response = httpx.post(
        base + path, content=_chunks(payload), headers={"content-type": "application/json"}, timeout=30
    )
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert response.status_code == 413, response.text
    assert response.json()["error"]["code"] == "too_large"


def test_a_chunked_body_under_the_limit_is_read_whole(base):
    payload = b'{"question": "What is SPIN?"' + b" " * 30_000 + b"}"  # JSON whitespace: 30 KB
    response = httpx.post(
        base + "/api/ask",
        content=_chunks(payload, 1000),
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text


def _raw(base: str, request: bytes, wait: float) -> bytes:
    """Send ``request`` as is and read what comes back until the server closes (or ``wait`` passes)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=wait) as sock:
        sock.sendall(request)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except TimeoutError:
            pass
    return received


def test_a_declared_body_that_never_comes_is_408(base):
    request = (
        b"POST /api/ask HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\n\r\n"  # and then nothing
    )
    answer = _raw(base, request, wait=BODY_TIMEOUT + 15)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b'"code":"timeout"' in answer.replace(b" ", b"")


def test_a_body_sent_too_slowly_is_408(base):
    request = (
        b"POST /api/ask HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b'Content-Length: 30\r\n\r\n{"question": '  # part of it, then silence
    )
    answer = _raw(base, request, wait=BODY_TIMEOUT + 15)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
