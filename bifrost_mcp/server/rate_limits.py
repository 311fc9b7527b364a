"""Per-source rate limits of public endpoints, which anyone may call without credentials (the `limits` library).

A moving window per source address and limit, in this process's memory: a restart forgets them, and each
server process of a scaled-out deployment counts on its own. The source is the connection's peer as the
ASGI server reports it; behind a reverse proxy, that is what uvicorn's proxy-headers setting makes of
X-Forwarded-For (it trusts 127.0.0.1 by default).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

NAMESPACE = "public-endpoint"


class SourceLimits:
    def __init__(self, items: list[RateLimitItem]) -> None:
        self.items = items
        # The in-memory storage is synchronous and never waits on I/O: called on the event loop directly.
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, source: str) -> int | None:
        """Count one call from `source`; None when it is within every limit, else the seconds until it is."""
        refused = [item for item in self.items if not self.limiter.test(item, NAMESPACE, source)]
        if not refused:
            for item in self.items:
                self.limiter.hit(item, NAMESPACE, source)
            return None
        resets = [self.limiter.get_window_stats(item, NAMESPACE, source).reset_time for item in refused]
        return max(1, math.ceil(max(resets) - time.time()))
