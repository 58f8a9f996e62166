"""Two real uvicorn workers (``salescoach serve --workers 2``) on one database, SQLite and PostgreSQL:
/metrics adds up both workers, and sessions survive ``kill -9`` of a worker in the middle of a burst
with no answered turn lost or doubled. Real processes, real HTTP."""

from __future__ import annotations

import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.servers import alive, uvicorn_process

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SESSIONS = 6
TURNS = 12
BATCH = 60


@pytest.fixture(scope="module")
def server(services, settings, database_url, tmp_path_factory):
    """``services`` first: the session's index is built, the workers only load it."""
    folder = tmp_path_factory.mktemp("workers")
    stale = folder / "metrics"
    stale.mkdir()
    (stale / "counter_999999.db").write_bytes(b"left over from the last run")
    env = {
        "SALESCOACH_DATA_DIR": str(settings.data_dir),
        "SALESCOACH_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "SALESCOACH_DATABASE_URL": database_url,
        "SALESCOACH_EMBEDDER_THREADS": "1",
        "SALESCOACH_LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(stale),
    }
    with uvicorn_process(env, workers=2, cli=True, log=folder / "server.log") as running:
        running.metrics_dir = stale  # type: ignore[attr-defined]
        yield running


def _count(metrics: str, route: str) -> float:
    pattern = rf'salescoach_request_seconds_count\{{route="{re.escape(route)}",status="200"\}} (\S+)'
    return sum(float(value) for value in re.findall(pattern, metrics))


def test_metrics_add_up_across_the_workers(server):
    def classify(n: int) -> int:
        body = {"text": f"你们小区一共有多少户？第{n}期", "framework": "spin"}
        return httpx.post(f"{server.base}/api/classify", json=body, timeout=60).status_code

    def pids() -> set[str]:
        return {name.split("_")[-1].split(".")[0] for name in os.listdir(server.metrics_dir)}

    sent = 0
    with ThreadPoolExecutor(max_workers=8) as pool:
        # until both workers have answered (each writes its own files): on a busy machine the
        # second may still be starting when the first batch is served
        while sent < BATCH * 10 and (sent == 0 or len(pids() - {"999999"}) < 2):
            assert set(pool.map(classify, range(sent, sent + BATCH))) == {200}
            sent += BATCH
    assert "999999" not in pids()  # the folder was emptied at start
    assert len(pids()) >= 2, pids()
    for _ in range(6):  # whichever worker answers /metrics, it counts both
        assert _count(httpx.get(f"{server.base}/metrics", timeout=30).text, "/api/classify") == sent


def test_sessions_survive_kill_9_of_a_worker_mid_burst(server):
    with httpx.Client(base_url=server.base, timeout=60) as client:
        sessions = [
            client.post(
                "/api/sessions", json={"mode": "rehearsal", "scenario": "intercom_gatekeeper"}
            ).json()["session_id"]
            for _ in range(SESSIONS)
        ]
    answered: dict[str, list[str]] = {s: [] for s in sessions}
    sent: dict[str, list[str]] = {s: [] for s in sessions}
    progress = threading.Semaphore(0)

    def talk(session_id: str) -> None:
        for turn in range(TURNS):
            line = f"王工您好，请问{session_id[:6]}项目第{turn}期一共有多少户？"
            sent[session_id].append(line)
            try:
                response = httpx.post(
                    f"{server.base}/api/sessions/{session_id}/messages",
                    json={"text": line},
                    timeout=60,
                    headers={"connection": "close"},
                )
            except httpx.TransportError:
                continue  # in flight on the killed worker: not answered
            if response.status_code == 200:
                answered[session_id].append(line)
            progress.release()

    workers = server.worker_pids()
    assert len(workers) == 2
    victim = workers[0]
    with ThreadPoolExecutor(max_workers=SESSIONS) as pool:
        burst = [pool.submit(talk, s) for s in sessions]
        for _ in range(SESSIONS * 2):  # a couple of turns per session in, then the kill
            progress.acquire(timeout=120)
        os.kill(victim, signal.SIGKILL)
        for future in burst:
            future.result()
    assert sum(map(len, answered.values())) >= SESSIONS * 2
    deadline = time.monotonic() + 120
    with httpx.Client(base_url=server.base, timeout=60) as client:
        for session_id in sessions:
            while True:  # the surviving (or restarted) worker answers
                try:
                    transcript = client.get(f"/api/sessions/{session_id}").json()
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline
                    time.sleep(0.5)
            turns = transcript["turns"]
            assert [t["seq"] for t in turns] == list(range(1, len(turns) + 1))
            assert [t["role"] for t in turns] == ["bot"] + ["user", "bot"] * ((len(turns) - 1) // 2)
            said = [t["text"] for t in turns if t["role"] == "user"]
            assert len(said) == len(set(said)), "a turn was doubled"
            assert set(answered[session_id]) <= set(said), "an answered turn was lost"
            assert set(said) <= set(sent[session_id])
            again = client.post(f"/api/sessions/{session_id}/messages", json={"text": "王工，还有一个问题。"})
            assert again.status_code == 200  # the session goes on after the kill
    assert not alive(victim)
