"""Turn latency through real HTTP: a uvicorn server on a free loopback port, an httpx client posting
the scripted rehearsals message by message (the store, locking and JSON included)."""

from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

from service.container import Services
from service.http.app import create_app
from service.settings import Settings

SCRIPTS = Path(__file__).parent.parent / "tests" / "dialogue" / "scripts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_turn_latencies(settings: Settings, services: Services, rounds: int = 3) -> list[float]:
    """Milliseconds per POST /api/sessions/{id}/messages over every scripted rehearsal line."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp}/bench.db"}), services)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                _wait_ready(client)
                return _run_scripts(client, rounds)
        finally:
            server.should_exit = True
            thread.join(timeout=10)


def _wait_ready(client: httpx.Client) -> None:
    for _ in range(600):
        try:
            if client.get("/readyz").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("the server did not become ready")


def _run_scripts(client: httpx.Client, rounds: int) -> list[float]:
    samples = []
    for path in sorted(SCRIPTS.glob("*.txt")):
        scenario, _, language, _ = path.name.split(".")
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        for _ in range(rounds):
            body = {"mode": "rehearsal", "scenario": scenario, "lang": language}
            session = client.post("/api/sessions", json=body).json()["session_id"]
            for line in lines:
                started = time.perf_counter()
                response = client.post(f"/api/sessions/{session}/messages", json={"text": line})
                samples.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
    return samples
