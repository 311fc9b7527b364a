"""Wait for something another task, thread or process does, within a bound."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import anyio

T = TypeVar("T")


async def poll(check: Callable[[], Awaitable[T | None]], *, timeout: float = 10.0, what: str = "condition") -> T:
    """Call `check` until it returns something truthy, and return that; fail after `timeout` seconds."""
    try:
        with anyio.fail_after(timeout):
            while True:
                value = await check()
                if value:
                    return value
                await anyio.sleep(0.02)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None


async def eventually(predicate: Callable[[], bool], what: str, *, bound: float = 20.0, interval: float = 0.005) -> None:
    """Poll `predicate` until it holds, failing after `bound` seconds with `what`."""
    for _ in range(int(bound / interval)):
        if predicate():
            return
        await anyio.sleep(interval)
    raise AssertionError(f"not reached within {bound} s: {what}")
