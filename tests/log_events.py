"""Our log records as the structured events they are (caplog keeps the
record; its ``text`` would be the dictionary's repr)."""

from __future__ import annotations

from typing import Any

import pytest

# on every line: not what a test is about
_EVERY_LINE = {"level", "logger", "timestamp"}


def logged_events(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [
        {
            key: value
            for key, value in record.msg.items()
            if not key.startswith("_") and key not in _EVERY_LINE
        }
        for record in caplog.records
        if isinstance(record.msg, dict)
    ]
