"""Workflows published as HTTP endpoints, and a served App with callers of every kind, for the endpoint tests.

async with endpoints_app(tmp_path) as app:       # a fixture
    async with endpoint_world(app) as world:     # inside the test: callers, and an httpx2 client per source
        response = await world.client().post("/api/workflows/echo", json={...}, headers=world.bearer(world.ada))
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import anyio
import httpx2
from pydantic import BaseModel

from bifrost import ExecutionContext, UserError, config, workflow
from bifrost_mcp.app import App
from bifrost_mcp.server.http import build_asgi
from bifrost_mcp.settings import HostSettings
from bifrost_mcp.workspace.loader import registry_from_functions
from tests.support.callers import user_token

EVERY_METHOD = ["GET", "POST", "PUT", "PATCH", "DELETE"]


class Ticket(BaseModel):
    subject: str
    priority: Literal["low", "high"] = "low"


@workflow(endpoint_enabled=True, execution_mode="sync", allowed_methods=EVERY_METHOD)
async def echo(
    text: str, context: ExecutionContext, times: int = 1, tags: list[str] | None = None, ticket: Ticket | None = None
) -> dict:
    """Say it back, with who asked."""
    return {
        "text": text * times,
        "tags": tags,
        "ticket": ticket.model_dump() if ticket else None,
        "user_id": context.user_id,
        "scope": context.scope,
        "is_platform_admin": context.is_platform_admin,
    }


@workflow(endpoint_enabled=True, execution_mode="sync")
async def create_ticket(subject: str, priority: Literal["low", "high"] = "low") -> Ticket:
    """Open a ticket."""
    return Ticket(subject=subject, priority=priority)


@workflow(endpoint_enabled=True, execution_mode="sync", roles=["Technician"])
async def close_ticket(ticket: str) -> str:
    return f"closed {ticket}"


@workflow(endpoint_enabled=True, execution_mode="sync", admin_only=True)
async def purge() -> str:
    return "purged"


@workflow(is_tool=True)
async def internal() -> str:
    return "not an endpoint"


@workflow(endpoint_enabled=True, execution_mode="sync", public_endpoint=True, allowed_methods=["GET", "POST"])
async def status_page(context: ExecutionContext) -> dict:
    """Whether the service is up; anyone may ask."""
    return {"up": True, "user_id": context.user_id, "scope": context.scope, "admin": context.is_platform_admin}


@workflow(endpoint_enabled=True, execution_mode="sync", public_endpoint=True)
async def public_writer() -> str:
    await config.set("banner", "defaced")
    return "written"


@workflow(endpoint_enabled=True, execution_mode="sync")
async def refuses(customer: str) -> dict:
    raise UserError(f"Customer {customer!r} has no active contract; ask sales to renew it first.")


@workflow(endpoint_enabled=True, execution_mode="sync")
async def crashes() -> dict:
    raise RuntimeError("disk quota exceeded on /var/spool")


@workflow(endpoint_enabled=True, execution_mode="sync", timeout_seconds=0.2)
async def hangs() -> None:
    await anyio.sleep_forever()


@workflow(endpoint_enabled=True, execution_mode="sync")
async def soft_fails() -> dict:
    return {"success": False, "error": "mailbox is on litigation hold"}


@workflow(endpoint_enabled=True, execution_mode="sync", allowed_methods=["GET"])
async def next_number(n: int) -> int:
    return n + 1


@workflow(endpoint_enabled=True)  # async: the SDK's default for an endpoint
async def nightly_report(day: str) -> str:
    return f"report for {day}"


ENDPOINT_WORKFLOWS = [
    echo, create_ticket, close_ticket, purge, internal, status_page, public_writer, refuses, crashes, hangs,
    soft_fails, next_number, nightly_report,
]  # fmt: skip


@asynccontextmanager
async def endpoints_app(data_dir: Path, *, rate_limit: str = "60/minute") -> AsyncIterator[App]:
    settings = HostSettings(data_dir=data_dir, endpoint_rate_limit=rate_limit)
    async with App.opened(settings, registry_from_functions(ENDPOINT_WORKFLOWS)) as app:
        yield app


@dataclass
class EndpointWorld:
    app: App
    asgi: object
    ada: str  # a member of Acme
    tech: str  # a Technician of Acme
    bob: str  # a member of Globex
    owner: str  # the local owner: a platform admin
    acme_key: str  # Acme's function key
    global_key: str  # a GLOBAL function key
    acme_id: str
    ada_id: str

    def client(self, source: str = "127.0.0.1") -> httpx2.AsyncClient:
        """A client of the real Starlette app, its requests coming from `source`."""
        transport = httpx2.ASGITransport(app=self.asgi, client=(source, 40000))  # type: ignore[arg-type]
        return httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")

    @staticmethod
    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    def key(token: str) -> dict[str, str]:
        return {"X-Bifrost-Key": token}


@asynccontextmanager
async def endpoint_world(app: App) -> AsyncIterator[EndpointWorld]:
    identity, credentials = app.host.identity, app.host.credentials
    acme, globex = await identity.create_org("Acme"), await identity.create_org("Globex")
    ada, ada_id = await user_token(app, acme.id, "ada@acme.test")
    tech, _ = await user_token(app, acme.id, "tech@acme.test", "Technician")
    bob, _ = await user_token(app, globex.id, "bob@globex.test")
    owner = (await credentials.reset_owner_token()).token
    acme_key = (await credentials.create_function_key(acme.id, "acme-hook")).token
    global_key = (await credentials.create_function_key(None, "global-hook")).token
    asgi = build_asgi(app, watch=False)
    yield EndpointWorld(app, asgi, ada, tech, bob, owner, acme_key, global_key, acme.id, ada_id)
