"""Helpers for the config, secrets and integrations tests: a real Host in a temp data dir, callers, disk grep."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio

from bifrost.types import Organization
from bifrost_mcp.caller import Caller
from bifrost_mcp.host import Host
from bifrost_mcp.settings import HostSettings


@asynccontextmanager
async def opened_host(data_dir: Path) -> AsyncIterator[Host]:
    async with Host.opened(HostSettings(data_dir=data_dir)) as host:
        yield host


def caller_in(org: Organization | None, *, admin: bool = False, user_id: str = "user-1") -> Caller:
    return Caller(
        user_id=user_id,
        email=f"{user_id}@example.com",
        name=user_id,
        organization=org,
        is_platform_admin=admin,
    )


def files_containing(data_dir: Path, needle: str) -> list[str]:
    """Every file under `data_dir` (database, -wal, -shm, key file, ...) whose bytes contain `needle`."""
    raw = needle.encode("utf-8")
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file() and raw in p.read_bytes())


def data_files(data_dir: Path) -> list[str]:
    return sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*") if p.is_file())


async def eventually(predicate: Callable[[], bool], what: str, *, bound: float = 20.0, interval: float = 0.005) -> None:
    """Poll `predicate` until it holds, failing after `bound` seconds with `what`."""
    for _ in range(int(bound / interval)):
        if predicate():
            return
        await anyio.sleep(interval)
    raise AssertionError(f"not reached within {bound} s: {what}")
