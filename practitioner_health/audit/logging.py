import logging

from . import context


class RequestIdFilter(logging.Filter):
    """Stamp each log record with the request id, so a log line can be tied to audit rows."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = context.get()
        record.request_id = current.request_id if current else "-"
        return True
