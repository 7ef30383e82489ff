"""Which failures are worth retrying: a lost or refused database connection,
a deadlock, a serialization failure. Bad data or a failed check never are."""

from __future__ import annotations

import re

_TRANSIENT = re.compile(
    "|".join(
        (
            r"could not connect to server",
            r"connection to server .* failed",
            r"server closed the connection unexpectedly",
            r"terminating connection due to administrator command",
            r"the database system is (starting up|shutting down|in recovery mode)",
            r"deadlock detected",
            r"could not serialize access",
            r"SSL SYSCALL error",
            r"connection already closed",
        )
    ),
    re.IGNORECASE,
)

MAX_RETRIES = 2
SECONDS_BETWEEN_RETRIES = 15


def is_transient_database_error(message: str) -> bool:
    return bool(_TRANSIENT.search(message))
