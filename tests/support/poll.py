"""Wait, within a bound, for something another task, thread or process does and nobody signals."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

import anyio

T = TypeVar("T")

INTERVAL_SECONDS = 0.02


@overload
async def poll(check: Callable[[], Awaitable[T | None]], *, timeout: float = ..., what: str = ...) -> T: ...


@overload
async def poll(check: Callable[[], T | None], *, timeout: float = ..., what: str = ...) -> T: ...


async def poll(check: Callable[[], object], *, timeout: float = 10.0, what: str = "condition") -> object:
    """Call `check` (plain or async) until it returns something truthy, and return that.

    Fails the test with `what` after `timeout` seconds. An exception from `check` ends the wait at once:
    a check can tell "not yet" (falsy) from "never" (raise).
    """
    try:
        with anyio.fail_after(timeout):
            while True:
                value = check()
                if inspect.isawaitable(value):
                    value = await value
                if value:
                    return value
                await anyio.sleep(INTERVAL_SECONDS)
    except TimeoutError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None
