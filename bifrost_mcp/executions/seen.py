"""Every secret value a run of this process has read: what output that belongs to no run is redacted against.

A thread a workflow started, a library's warning or a raw write to a file descriptor cannot be told apart by
run, so the server's own stdout and stderr are redacted against all of them. Values stay in memory only (where
the runs that read them held them anyway), the most recent `LIMIT` of them.
"""

from __future__ import annotations

import threading

REDACTED = "[REDACTED]"
LIMIT = 4096


class SeenSecrets:
    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._values: dict[str, None] = {}  # insertion order: the oldest is dropped first
        self._lock = threading.Lock()  # the descriptor pump reads from its own thread
        self._text: tuple[str, ...] = ()  # longest first, so a secret inside a longer one cannot split it
        self._bytes: tuple[bytes, ...] = ()

    def add(self, value: str) -> None:
        if value in self._values:
            return
        with self._lock:
            self._values[value] = None
            while len(self._values) > self._limit:
                del self._values[next(iter(self._values))]
            self._text = tuple(sorted(self._values, key=len, reverse=True))
            self._bytes = tuple(v.encode("utf-8", "surrogatepass") for v in self._text)

    def values(self) -> tuple[str, ...]:
        """The secrets remembered, longest first."""
        return self._text

    def redact(self, text: str) -> str:
        for secret in self._text:
            if secret in text:
                text = text.replace(secret, REDACTED)
        return text

    def redact_bytes(self, data: bytes) -> bytes:
        for secret in self._bytes:
            if secret in data:
                data = data.replace(secret, REDACTED.encode())
        return data

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._text, self._bytes = (), ()


SEEN = SeenSecrets()
