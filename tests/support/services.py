"""Throwaway PostgreSQL and Redis servers on loopback, for tests and benchmarks.

Each server lives in its own temporary directory on a free port and is stopped by its
pid, so several can run side by side (fault tests start their own to stop them).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"Nothing listening on 127.0.0.1:{port} after {timeout}s")


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path:
        return path
    raise FileNotFoundError(f"PostgreSQL's {name} was not found: install the postgresql package")


@dataclass
class PostgresServer:
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ph-pg-")))

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/practitioner_health"

    def _as_owner(self, *args: str) -> list[str]:
        # PostgreSQL refuses to run as root: run it as the postgres user when we are root.
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def start(self) -> PostgresServer:
        data = self.directory / "data"
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.directory, pw.pw_uid, pw.pw_gid)
        subprocess.run(
            self._as_owner(
                _pg_bin("initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self._pg_ctl(
            "start",
            "-w",
            "-o",
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
        )
        wait_for_port(self.port)
        subprocess.run(
            self._as_owner(
                _pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "practitioner_health"
            ),
            check=True,
        )
        return self

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(
            self._as_owner(
                _pg_bin("pg_ctl"), "-D", str(self.directory / "data"), "-l", str(self.directory / "log"), *args
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def restart(self) -> None:
        self._pg_ctl("restart", "-w", "-m", "fast")
        wait_for_port(self.port)

    def stop(self) -> None:
        if (self.directory / "data" / "postmaster.pid").exists():
            self._pg_ctl("stop", "-w", "-m", "immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@dataclass
class RedisServer:
    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ph-redis-")))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pidfile(self) -> Path:
        return self.directory / "redis.pid"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server was not found: install the redis-server package")
        subprocess.run(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--daemonize",
                "yes",
                "--save",
                "",
                "--appendonly",
                "no",
                "--databases",
                "64",
                "--pidfile",
                str(self.pidfile),
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            check=True,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            pid = None
        if pid:
            with suppress(ProcessLookupError):  # already gone
                os.kill(pid, 15)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        shutil.rmtree(self.directory, ignore_errors=True)
