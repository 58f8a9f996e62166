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
from contextlib import contextmanager, suppress
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
        """The live worker processes: uvicorn's spawned children when it runs several (not
        multiprocessing's resource tracker), else uvicorn itself."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        workers = [pid for pid in pids if alive(pid) and b"spawn_main" in _cmdline(pid)]
        return workers or [self.process.pid]


def alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


@contextmanager
def uvicorn_process(
    env: Mapping[str, str], workers: int = 1, log: Path | None = None, cli: bool = False
) -> Iterator[ServerProcess]:
    """``uvicorn service.http.asgi:app`` (or, with ``cli``, ``salescoach serve``) with ``env`` added
    to this process's environment, on a free loopback port; yields once /readyz answers 200 several
    times in a row (every worker up, as far as one can tell from outside)."""
    port = free_port()
    if cli:
        command = [sys.executable, "-m", "service.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                   "--workers", str(workers)]  # fmt: skip
    else:
        command = [sys.executable, "-m", "uvicorn", "service.http.asgi:app", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(workers), "--no-access-log", "--log-level", "warning"]  # fmt: skip
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        command, env={**os.environ, **env}, stdout=output, stderr=output, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            _wait_ready(base + "/readyz", process, workers)
        except (RuntimeError, TimeoutError) as error:
            raise type(error)(f"{error}{_tail(log)}") from None
        yield ServerProcess(base, process)
    finally:
        stop(process)
        if log:
            output.close()  # type: ignore[union-attr]


def stop(process: subprocess.Popen[bytes], grace: float = 10) -> None:
    """SIGTERM the server's process group (uvicorn and its workers), SIGKILL what lingers after
    ``grace`` seconds (a worker still loading the model does not stop sooner)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(grace)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group, if any
    process.wait(30)


def _tail(log: Path | None, lines: int = 40) -> str:
    """The end of the server's log, to say why it did not start."""
    if log is None or not log.exists():
        return ""
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "\n--- the end of " + str(log) + " ---\n" + "\n".join(text)


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
