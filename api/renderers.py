from __future__ import annotations

import json
from typing import Any

from rest_framework.renderers import BaseRenderer


class CalendarRenderer(BaseRenderer):
    """Lets a client ask for text/calendar; errors on that address still come as JSON text."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data).encode()
