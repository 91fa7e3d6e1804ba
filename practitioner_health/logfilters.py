"""Log filters for records that can come in floods.

When Redis is down, every cache call logs the same "Exception ignored" with a traceback:
one a request. `RepeatedRecordFilter` lets the first of a run of identical records through,
then at most one a minute, each saying how many were held back since the last.
"""

from __future__ import annotations

import logging
import threading
import time


class RepeatedRecordFilter(logging.Filter):
    def __init__(self, seconds: float = 60.0) -> None:
        super().__init__()
        self.seconds = seconds
        self._lock = threading.Lock()
        # (logger name, message) -> (when one was last let through, how many held back since)
        self._seen: dict[tuple[str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.time()
        with self._lock:
            last, held = self._seen.get(key, (float("-inf"), 0))
            if now - last < self.seconds:
                self._seen[key] = (last, held + 1)
                return False
            self._seen[key] = (now, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like it held back since the last one logged)"
        return True
