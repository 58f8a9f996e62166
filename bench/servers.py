"""Real servers for the fuzzer, the load test and the multi-worker tests: uvicorn as a separate
process (one or several workers) on a free loopback port, and throw-away PostgreSQL databases."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

PG_ADMIN = os.environ.get("SALESCOACH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
START_TIMEOUT = 240.0  # seconds: each worker loads the model and the index


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres_database(prefix: str = "salescoach_run") -> Iterator[str]:
    """A fresh PostgreSQL database (SQLAlchemy URL), dropped afterwards."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    server = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(kind: str, folder: Path) -> Iterator[str]:
    """``sqlite`` (a file in ``folder``) or ``postgresql`` (a throw-away database)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder}/salescoach.db"
    elif kind == "postgresql":
        with postgres_database() as url:
            yield url
    else:
        raise ValueError(f"unknown database {kind!r}: sqlite or postgresql")


@dataclass
class ServerProcess:
    base: str
    process: subprocess.Popen[bytes]

    def worker_pids(self) -> list[int]:
        """The worker processes (uvicorn's children when it runs several, else uvicorn itself)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        return pids or [self.process.pid]


@contextmanager
def uvicorn_process(
    env: Mapping[str, str], workers: int = 1, log: Path | None = None, ready_path: str = "/readyz"
) -> Iterator[ServerProcess]:
    """``uvicorn service.http.asgi:app`` with ``env`` added to this process's environment, on a free
    loopback port; yields once ``ready_path`` answers 200 (on every worker, as far as we can tell:
    several consecutive answers)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "service.http.asgi:app", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=output, stderr=output, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base + ready_path, process, workers)
        yield ServerProcess(base, process)
    finally:
        stop(process)
        if log:
            output.close()  # type: ignore[union-attr]


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM the server's process group (uvicorn and its workers), SIGKILL if it lingers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout)


def _wait_ready(url: str, process: subprocess.Popen[bytes], workers: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    streak = 0
    while streak < 3 * workers:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode} during start-up")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer within {START_TIMEOUT:g} s")
        try:
            streak = streak + 1 if httpx.get(url, timeout=5).status_code == 200 else 0
        except httpx.HTTPError:
            streak = 0
        time.sleep(0.1 if streak else 0.5)
