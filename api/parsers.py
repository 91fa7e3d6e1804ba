"""The JSON parser for every API request: bad or absurd bodies get the API's own 400.

Python's JSON reader recurses once per level of nesting, so a body of ten thousand "["
raises RecursionError, which DRF's parser does not catch (a 500). No request the app sends
nests more than a few levels, so anything deeper than MAX_DEPTH is refused before a
serializer, or the error formatter, walks it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.parsers import JSONParser

from .errors import ApiError

MAX_DEPTH = 32


def too_deep() -> ApiError:
    return ApiError(400, "malformed", "The request body is nested too deeply.")


class BoundedJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise too_deep() from exc
        if _depth_exceeds(data, MAX_DEPTH):
            raise too_deep()
        return data


def _depth_exceeds(data: Any, limit: int) -> bool:
    """True if lists and objects nest deeper than `limit`; walked without recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False
