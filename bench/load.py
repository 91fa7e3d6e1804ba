"""A small HTTP load generator: N concurrent clients, a bounded number of requests and time.

Runs in its own process (so the server under test does not share its interpreter) and
reports requests/s and latency percentiles. Only loopback targets are allowed.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

ALLOWED_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadResult:
    requests: int
    errors: int
    server_errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict[str, float | int]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "server_errors": self.server_errors,
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 1) if self.latencies_ms else 0.0,
        }


def run_load(
    base_url: str,
    make_request: Callable[[int, int], Request],
    *,
    clients: int = 20,
    requests_per_client: int = 50,
    max_seconds: float = 30.0,
    expect: Callable[[int], bool] = lambda status: 200 <= status < 400,
    setup_client: Callable[[http.client.HTTPConnection, int], dict[str, str]] | None = None,
) -> LoadResult:
    """Each client makes up to `requests_per_client` requests (or stops at `max_seconds`).

    `make_request(client_index, n)` builds each request; `setup_client` may log a client in
    and return extra headers (e.g. a session cookie) for its requests.
    """
    parts = urlsplit(base_url)
    host = parts.hostname
    if host is None or host not in ALLOWED_HOSTS:
        raise ValueError("Load is only ever sent to loopback addresses")
    latencies: list[float] = []
    counts = {"requests": 0, "errors": 0, "server_errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + max_seconds
    barrier = threading.Barrier(clients)

    def worker(index: int) -> None:
        conn = http.client.HTTPConnection(host, parts.port, timeout=30)
        extra = setup_client(conn, index) if setup_client else {}
        barrier.wait()
        for n in range(requests_per_client):
            if time.monotonic() > deadline:
                break
            request = make_request(index, n)
            headers = {**extra, **request.headers}
            started = time.perf_counter()
            try:
                conn.request(request.method, request.path, body=request.body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host, parts.port, timeout=30)
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                counts["requests"] += 1
                latencies.append(elapsed)
                if status >= 500 or status == 0:
                    counts["server_errors"] += 1
                if not expect(status):
                    counts["errors"] += 1
        conn.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return LoadResult(counts["requests"], counts["errors"], counts["server_errors"], seconds, latencies)
