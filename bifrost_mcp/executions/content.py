"""Large content in a run's result (images, audio, files) kept beside its record, the record holding a reference.

A 2 MB chart returned by a workflow is sent to its caller whole, but its execution record keeps only a
reference: MIME type, size, SHA-256 and a URI (`bifrost://executions/<id>/content/<n>`) that whoever may see
the execution can read back. The bytes are written to the run's scope in the file store, under a location
workflows cannot name (`<data_dir>/files/<scope>/executions/<execution id>/<n>`), before the record commits.
Content up to the threshold (`HostSettings.content_inline_bytes`) stays inline.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bifrost.content import CONTENT_KEY, File, from_json, is_content
from bifrost_mcp.data.files.store import FolderStore
from bifrost_mcp.data.files.view import cloud_root
from bifrost_mcp.settings import HostSettings

REFERENCE_KEY = "bifrost_content_ref"
CONTENT_LOCATION = "executions"  # not one of the files module's locations: no workflow reaches it
EXECUTION_URI_PREFIX = "bifrost://executions/"


def content_uri(execution_id: str, n: int) -> str:
    return f"{EXECUTION_URI_PREFIX}{execution_id}/content/{n}"


def _store(settings: HostSettings, scope: str) -> FolderStore:
    return FolderStore(cloud_root(settings, scope, CONTENT_LOCATION), label=CONTENT_LOCATION)


def _body(item: Any) -> bytes | None:
    """The bytes of a content item (a File's text as UTF-8), or None when it is not content."""
    content = from_json(item) if is_content(item) else None
    if content is None:
        return None
    if isinstance(content, File) and content.text is not None:
        return content.text.encode("utf-8")
    return content.data


async def keep_content(settings: HostSettings, execution_id: str, scope: str, value: Any) -> Any:
    """`value` as its record keeps it: content over the threshold written to the store and replaced by a reference."""
    found: list[tuple[int, bytes]] = []

    def replace(item: Any) -> Any:
        if isinstance(item, list):
            return [replace(inner) for inner in item]
        body = _body(item) if isinstance(item, dict) and CONTENT_KEY in item else None
        if body is None or len(body) <= settings.content_inline_bytes:
            return item
        n = len(found)
        found.append((n, body))
        reference = {
            REFERENCE_KEY: item[CONTENT_KEY],
            "mime_type": item.get("mime_type"),
            "size": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
            "uri": content_uri(execution_id, n),
        }
        for kept in ("name", "uri"):  # a File's own name and URI say what it was
            if item.get(kept) is not None:
                reference["file_" + kept if kept == "uri" else kept] = item[kept]
        return reference

    stored = replace(value)
    if found:
        store = _store(settings, scope)
        for n, body in found:
            await store.write((execution_id, str(n)), body)
    return stored


def references(value: Any) -> list[dict[str, Any]]:
    """The content references a record's result holds, in order."""
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    if isinstance(value, dict) and REFERENCE_KEY in value:
        return [value]
    return []


async def read_content(
    settings: HostSettings, scope: str, result: Any, uri: str
) -> tuple[dict[str, Any], bytes] | None:
    """The reference at `uri` in a record's `result` and its bytes; None when the result holds no such reference.

    The caller has checked that the record is the reader's to see (ExecutionsView).
    """
    for reference in references(result):
        if reference.get("uri") == uri:
            n = uri.rsplit("/", 1)[1]
            execution_id = uri[len(EXECUTION_URI_PREFIX) :].split("/", 1)[0]
            return reference, await _store(settings, scope).read((execution_id, n))
    return None
