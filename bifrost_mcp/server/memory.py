"""Keeping the garbage collector off what lives as long as the server.

A serving host holds a few hundred thousand long-lived objects (the SDKs, Chroma, the workspace). Each full
collection walks them all, and whichever request happens to trigger it pays: in bench/chat.py such pauses
were a quarter of an agent tool step. `gc.freeze()` once start-up is done, and again after each hot reload,
moves what exists then out of the collector's reach; unfreezing first lets the replaced workspace's modules,
which hold reference cycles, be collected. Only the serving process does this: a test process that builds
many apps in turn would keep each one's cycles for good.
"""

from __future__ import annotations

import gc

from bifrost_mcp.app import App
from bifrost_mcp.workspace import Registry


def settle() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def settle_after_reloads(app: App) -> None:
    """Settle now, and after every reload of `app`'s registry."""

    async def reloaded(_registry: Registry) -> None:
        settle()

    settle()
    app.on_registry_change(reloaded)
