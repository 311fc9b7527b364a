"""The SDK in a worker process behaves exactly as inline: ai (complete and stream, the real vendor SDKs against
loopback servers), files (bytes that are not UTF-8), tables, config and the errors the host raises all come
back the same, and the run's AI usage is recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bifrost import ai, config, executions, files, tables, workflow
from bifrost.enums import ExecutionStatus
from bifrost.errors import NotFoundError
from bifrost_mcp.data.config import ConfigStore
from tests.support.ai import Vendor
from tests.support.loopback import Reply
from tests.support.mcp import ISOLATIONS, opened_app

BLOB = bytes(range(256)) * 3


@workflow
async def uses_the_sdk(note: str) -> dict[str, Any]:
    """One call of each kind the wire carries: plain values, bytes, models, a stream, an error."""
    reply = await ai.complete(f"Summarise {note}")
    chunks = [chunk async for chunk in ai.stream("Tell it in words")]
    await files.write_bytes("blobs/raw.bin", BLOB)
    doc = await tables.insert("tickets", {"subject": note, "amount": 99.5, "tags": ["a", "b"]})
    missing = []
    try:
        await executions.get("no-such-execution")
    except NotFoundError as exc:  # an SDK error, which is also a LookupError and a ValueError
        missing.append([type(exc).__name__, str(exc), isinstance(exc, LookupError)])
    try:
        await files.read_bytes("blobs/missing.bin")
    except FileNotFoundError as exc:  # a builtin one (the host names the file, no errno)
        missing.append([type(exc).__name__, str(exc), exc.errno])
    return {
        "reply": [reply.content, reply.input_tokens, reply.output_tokens],
        "chunks": [(c.content, c.done) for c in chunks],
        "blob": (await files.read_bytes("blobs/raw.bin")) == BLOB,
        "doc": [doc.data, (await tables.query("tickets", where={"amount": {"lt": 100}})).total],
        "default": await config.get("not_set", default={"nested": [1, 2.5, None]}),
        "missing": missing,
    }


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_every_kind_of_sdk_call_answers_the_same_in_a_worker_as_inline(
    tmp_path: Path, vendor: Vendor, isolation: str
) -> None:
    vendor.server.push(Reply("T-42 is a jammed printer.", input_tokens=21, output_tokens=8))
    vendor.server.push(Reply("once upon a time", input_tokens=5, output_tokens=4))
    async with opened_app(tmp_path / "data", functions=[uses_the_sdk], isolation=isolation) as app:
        store = ConfigStore(app.host.db, app.host.secrets)
        for key, value in vendor.settings.items():
            await store.set("GLOBAL", key, value, is_secret=key.endswith("_api_key"))
        owner = await app.host.callers.owner()
        outcome = await app.run(app.registry.workflows["uses_the_sdk"], {"note": "T-42"}, owner)

    assert outcome.record.status is ExecutionStatus.COMPLETED, outcome.message
    assert outcome.value == {
        "reply": ["T-42 is a jammed printer.", 21, 8],
        "chunks": [["once", False], [" upon", False], [" a", False], [" time", False], ["", True]],
        "blob": True,
        "doc": [{"subject": "T-42", "amount": 99.5, "tags": ["a", "b"]}, 1],
        "default": {"nested": [1, 2.5, None]},
        "missing": [
            ["NotFoundError", "execution 'no-such-execution' not found", True],
            ["FileNotFoundError", "no such file or folder: workspace:/blobs/missing.bin", None],
        ],
    }
    assert (outcome.record.input_tokens, outcome.record.output_tokens) == (26, 12)
    assert [r.api_key for r in vendor.server.requests] == [vendor.key, vendor.key]
