"""Run a command with a throwaway PostgreSQL and Redis on loopback, then stop them.

    python scripts/with_services.py -- pytest ...

Sets DATABASE_URL and REDIS_URL (and CELERY_BROKER_URL) for the command; exits with
the command's status. Used by `make test` and `make bench`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.services import PostgresServer, RedisServer


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: with_services.py -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    postgres = PostgresServer()
    redis = RedisServer()
    try:
        postgres.start()
        redis.start()
        env = dict(os.environ)
        env.update(
            DATABASE_URL=postgres.url,
            REDIS_URL=redis.url,
            CELERY_BROKER_URL=redis.url,
            TEST_POSTGRES_PORT=str(postgres.port),
            TEST_REDIS_PORT=str(redis.port),
        )
        print(f"PostgreSQL on 127.0.0.1:{postgres.port}, Redis on 127.0.0.1:{redis.port}", flush=True)
        process = subprocess.Popen(argv, env=env)
        try:
            return process.wait()
        except KeyboardInterrupt:
            process.send_signal(signal.SIGINT)
            return process.wait()
    finally:
        redis.stop()
        postgres.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
