"""A loopback HTTP server standing in for the messengers' APIs: it records every call, answers
token requests like the real APIs, and can be told to fail (to test retries and redelivery)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class FakePlatform:
    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.failures = 0  # answer this many next calls with a 503
        self._lock = threading.Lock()
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                with platform._lock:
                    failing = platform.failures > 0
                    platform.failures -= 1 if failing else 0
                    platform.calls.append({
                        "method": self.command, "path": url.path, "query": {k: v[0] for k, v in parse_qs(url.query).items()},
                        "headers": {k.lower(): v for k, v in self.headers.items()}, "json": json.loads(raw) if raw else None,
                        "status": 503 if failing else 200,
                    })  # fmt: skip
                answer = {"ok": True, "code": 0, "errcode": 0}
                if url.path.endswith("/tenant_access_token/internal"):
                    answer = {"code": 0, "tenant_access_token": "t-feishu", "expire": 7200}
                if url.path.endswith("/cgi-bin/gettoken"):
                    answer = {"errcode": 0, "access_token": "w-wecom", "expires_in": 7200}
                body = json.dumps(answer if not failing else {"ok": False}).encode()
                self.send_response(503 if failing else 200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _record

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakePlatform:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()

    def since(self, start: int, path: str | None = None, ok: bool = True) -> list[dict]:
        """The calls after ``start`` (to ``path``, answered 200 when ``ok``)."""
        return [
            c
            for c in self.calls[start:]
            if (path is None or c["path"] == path) and (not ok or c["status"] == 200)
        ]
