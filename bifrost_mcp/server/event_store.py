"""The SSE events of recent MCP responses, kept briefly so a client whose stream broke can resume it (SEP-1699).

With an event store, the SDK opens every POST stream of a 2025-11-25 session with a priming event (an id,
empty data and a `retry` delay), and a client that loses the stream reconnects with `Last-Event-ID` and is
sent what it missed. Events live in memory, bounded by count and by age: resuming is for a dropped
connection, not a history.

The SDK hands one store to every session of an endpoint and names streams by JSON-RPC request id, which
each session numbers from 1: a single shared store would mix session A's stream "1" with session B's. So
each session gets its own view (`EventLog.session()`) over one shared, bounded log; an event id is random
(128 bits) and resumes only within the session that was sent it.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.server import Server
from mcp.server.streamable_http import EventCallback, EventId, EventMessage, EventStore, StreamId
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp_types import JSONRPCMessage

# What a client is told to wait before reconnecting a stream the server closed (milliseconds).
RETRY_MILLISECONDS = 1000
MAX_EVENTS = 4096
MAX_AGE_SECONDS = 120.0

_Stream = tuple[str, StreamId]  # (session view key, the SDK's stream id)


@dataclass(slots=True)
class _Event:
    stream: _Stream
    message: JSONRPCMessage | None  # None: a priming event
    at: float


class EventLog:
    """Recent events of every session, oldest first, so eviction and replay are both ordered walks."""

    def __init__(
        self,
        *,
        max_events: int = MAX_EVENTS,
        max_age_seconds: float = MAX_AGE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clock = clock
        self.max_events = max_events
        self.max_age_seconds = max_age_seconds
        self._events: OrderedDict[EventId, _Event] = OrderedDict()
        self._streams: dict[_Stream, deque[EventId]] = {}

    def __len__(self) -> int:
        return len(self._events)

    def session(self) -> SessionEvents:
        """A store for one session: its streams and event ids are its own."""
        return SessionEvents(self, secrets.token_hex(8))

    def store(self, stream: _Stream, message: JSONRPCMessage | None) -> EventId:
        now = self.clock()
        self._evict(now, room=1)
        event_id = secrets.token_urlsafe(16)
        self._events[event_id] = _Event(stream, message, now)
        self._streams.setdefault(stream, deque()).append(event_id)
        return event_id

    async def replay(self, session: str, last_event_id: EventId, send: EventCallback) -> StreamId | None:
        self._evict(self.clock())
        last = self._events.get(last_event_id)
        if last is None or last.stream[0] != session:  # expired, unknown, or another session's: start over
            return None
        later = False
        for event_id in list(self._streams.get(last.stream, ())):
            if later:
                event = self._events.get(event_id)
                if event is not None and event.message is not None:
                    await send(EventMessage(event.message, event_id))
            elif event_id == last_event_id:
                later = True
        return last.stream[1]

    def _evict(self, now: float, room: int = 0) -> None:
        horizon = now - self.max_age_seconds
        while self._events:
            event_id, event = next(iter(self._events.items()))
            if len(self._events) + room <= self.max_events and event.at >= horizon:
                return
            del self._events[event_id]
            stream = self._streams.get(event.stream)
            if stream is not None:
                if stream and stream[0] == event_id:  # the globally oldest event is its stream's oldest
                    stream.popleft()
                if not stream:
                    del self._streams[event.stream]


class SessionEvents(EventStore):
    """One session's view of the shared log."""

    def __init__(self, log: EventLog, key: str) -> None:
        self._log = log
        self._key = key

    async def store_event(self, stream_id: StreamId, message: JSONRPCMessage | None) -> EventId:
        return self._log.store((self._key, stream_id), message)

    async def replay_events_after(self, last_event_id: EventId, send_callback: EventCallback) -> StreamId | None:
        return await self._log.replay(self._key, last_event_id, send_callback)


class ResumableSessionManager(StreamableHTTPSessionManager):
    """The SDK's session manager, each new session given its own view of one event log."""

    def __init__(self, app: Server[Any], log: EventLog, **options: Any) -> None:
        self.log = log
        super().__init__(app, retry_interval=RETRY_MILLISECONDS, **options)

    # The manager reads `event_store` once per session it opens (and passes None in stateless mode itself).
    @property
    def event_store(self) -> EventStore:
        return self.log.session()

    @event_store.setter
    def event_store(self, _value: EventStore | None) -> None:
        """The manager's own assignment at construction; the log stands in for it."""
