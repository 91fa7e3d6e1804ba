"""A fake Twilio REST API on 127.0.0.1 that the real `twilio` client talks to.

Tests point `settings.TWILIO_API_BASE` at it, send through the real library, and then
assert on exactly what arrived. Failures can be scripted: a queue of responses
(e.g. a 500, a timeout, or Twilio error 21211) is served before normal answers resume.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs


@dataclass
class ReceivedRequest:
    method: str
    path: str
    form: dict[str, str]
    headers: dict[str, str]

    @property
    def kind(self) -> str:
        if self.path.endswith("/Messages.json"):
            return "sms"
        if "/Calls" in self.path:
            return "call"
        return "other"


@dataclass
class ScriptedResponse:
    status: int = 500
    twilio_code: int | None = None
    delay: float = 0.0


@dataclass
class FakeTwilio:
    received: list[ReceivedRequest] = field(default_factory=list)
    script: list[ScriptedResponse] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, *responses: ScriptedResponse) -> None:
        with self._lock:
            self.script.extend(responses)

    def messages(self) -> list[ReceivedRequest]:
        return [r for r in self.received if r.kind == "sms"]

    def calls(self) -> list[ReceivedRequest]:
        return [r for r in self.received if r.kind == "call"]

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.script.clear()

    def start(self) -> FakeTwilio:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output quiet
                return

            def _respond(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                form = {k: v[-1] for k, v in parse_qs(body).items()}
                request = ReceivedRequest(self.command, self.path, form, dict(self.headers))
                with fake._lock:
                    scripted = fake.script.pop(0) if fake.script else None
                    if scripted is None or scripted.status < 400:
                        fake.received.append(request)
                if scripted and scripted.delay:
                    time.sleep(scripted.delay)
                if scripted and scripted.status >= 400:
                    payload = {
                        "code": scripted.twilio_code or scripted.status,
                        "message": "Scripted failure",
                        "more_info": "https://www.twilio.com/docs/errors",
                        "status": scripted.status,
                    }
                    self._send(scripted.status, payload)
                    return
                sid_prefix = "SM" if request.kind == "sms" else "CA"
                payload = {
                    "sid": sid_prefix + uuid.uuid4().hex,
                    "status": "queued",
                    "to": form.get("To"),
                    "from": form.get("From"),
                    "body": form.get("Body"),
                    "account_sid": "AC00000000000000000000000000000000",
                }
                self._send(201, payload)

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = _respond
            do_GET = _respond

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
