"""list and revoke, shared by `tokens` and `keys`: both groups hold credentials, told apart only by kind."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from bifrost_mcp.cli._common import emit, open_host, run, table

Kind = Literal["token", "function_key"]


def _label(kind: Kind) -> str:
    return "token" if kind == "token" else "function key"


def _global(may_write: bool) -> str:
    return "GLOBAL (writes)" if may_write else "GLOBAL"


def list_credentials(kind: Kind, data_dir: Path | None, as_json: bool) -> None:
    async def body() -> None:
        async with open_host(data_dir) as host:
            items = await host.credentials.list(kind)
            rows = [
                [c.id, c.name, c.user_email or c.organization_id or _global(c.global_write), c.expires_at or "-",
                 "revoked" if c.revoked_at else "active", c.last_used_at or "-"]
                for c in items
            ]  # fmt: skip
            emit(items, as_json, lambda: table(rows, ["ID", "NAME", "FOR", "EXPIRES", "STATUS", "LAST USED"]))

    run(body)


def revoke_credential(kind: Kind, cred_id: str, data_dir: Path | None, as_json: bool) -> None:
    async def body() -> None:
        async with open_host(data_dir) as host:
            await host.credentials.revoke(cred_id, kind)
            emit({"id": cred_id, "revoked": True}, as_json, f"revoked {_label(kind)} {cred_id}")

    run(body)
