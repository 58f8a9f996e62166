"""Webhook acknowledgement latency through real HTTP: signed Slack events (ack first, reply after)
and Teams messages (answered inside the response), against a loopback stand-in for Slack's API."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import uvicorn

from service.container import Services
from service.http.app import create_app
from service.settings import Settings, SlackSettings, TeamsSettings

from .http_turns import _free_port, _wait_ready

SLACK_SECRET = "bench-slack-secret"
TEAMS_TOKEN = base64.b64encode(b"bench-teams-token-0123456789abcd").decode()
QUESTIONS = ["ask 如何接近技术把关者?", "ask What does FABE stand for?", "help", "ask 团购客户分为哪几种?"]


class _SlackApi(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def webhook_ack_latencies(settings: Settings, services: Services, rounds: int = 5) -> dict[str, list[float]]:
    api = ThreadingHTTPServer(("127.0.0.1", 0), _SlackApi)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        configured = settings.model_copy(update={
            "database_url": f"sqlite:///{tmp}/hooks.db",
            "slack": SlackSettings(signing_secret=SLACK_SECRET, bot_token="xoxb-bench", api_base=f"http://127.0.0.1:{api.server_address[1]}"),
            "teams": TeamsSettings(security_token=TEAMS_TOKEN),
        })  # fmt: skip
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(configured, services), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                _wait_ready(client)
                return {"slack_ack": _slack(client, rounds), "teams_sync_reply": _teams(client, rounds)}
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            api.shutdown()


def _slack(client: httpx.Client, rounds: int) -> list[float]:
    samples = []
    for n in range(rounds * len(QUESTIONS)):
        event = {"type": "event_callback", "team_id": "T", "event_id": f"Ev{n}",
                 "event": {"type": "app_mention", "user": "U", "channel": "C", "ts": f"{n}.1", "text": QUESTIONS[n % len(QUESTIONS)]}}  # fmt: skip
        body = json.dumps(event).encode()
        stamp = str(int(time.time()))
        signature = (
            "v0="
            + hmac.new(SLACK_SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
        )
        headers = {
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
            "content-type": "application/json",
        }
        started = time.perf_counter()
        client.post("/webhooks/slack", content=body, headers=headers).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _teams(client: httpx.Client, rounds: int) -> list[float]:
    samples = []
    for n in range(rounds * len(QUESTIONS)):
        activity = {"type": "message", "id": f"a{n}", "from": {"id": "u"}, "conversation": {"id": "c"},
                    "text": f"<at>Coach</at> {QUESTIONS[n % len(QUESTIONS)]}"}  # fmt: skip
        body = json.dumps(activity).encode()
        digest = hmac.new(base64.b64decode(TEAMS_TOKEN), body, hashlib.sha256).digest()
        headers = {
            "Authorization": "HMAC " + base64.b64encode(digest).decode(),
            "content-type": "application/json",
        }
        started = time.perf_counter()
        client.post("/webhooks/teams", content=body, headers=headers).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return samples
