"""JSON schema adjustments for OpenAI's strict structured output, and the prompt fallback for other servers."""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from bifrost.errors import ValidationError


def strict_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schema` in the subset OpenAI's `strict: true` accepts.

    Objects close (`additionalProperties: false`) and list every property as required (the values pydantic
    would default are then sent explicitly); `default: null` goes; a `$ref` with siblings is inlined.
    """
    root = copy.deepcopy(schema)
    return _strict(root, root)


def _strict(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    for defs_key in ("$defs", "definitions"):
        for name, definition in (node.get(defs_key) or {}).items():
            node[defs_key][name] = _strict(definition, root)
    if node.get("type") == "object":
        node.setdefault("additionalProperties", False)
    properties = node.get("properties")
    if isinstance(properties, dict):
        node["properties"] = {key: _strict(value, root) for key, value in properties.items()}
        node["required"] = list(properties)
    if isinstance(node.get("items"), dict):
        node["items"] = _strict(node["items"], root)
    for union in ("anyOf", "allOf"):
        if isinstance(node.get(union), list):
            node[union] = [_strict(variant, root) for variant in node[union]]
    if "default" in node and node["default"] is None:
        del node["default"]
    ref = node.get("$ref")
    if isinstance(ref, str) and len(node) > 1:
        target = _resolve(root, ref)
        merged = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
        return _strict(merged, root)
    return node


def _resolve(root: dict[str, Any], ref: str) -> dict[str, Any]:
    if not ref.startswith("#/"):
        raise ValidationError(f"cannot resolve $ref {ref!r}: only local references (#/...) are supported")
    target: Any = root
    for part in ref[2:].split("/"):
        target = target[part]
    return copy.deepcopy(target) if isinstance(target, dict) else {}


def schema_name(name: str) -> str:
    """`name` in the form OpenAI accepts for a json_schema: letters, digits, _ and -, at most 64."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "response"


def schema_instructions(schema: dict[str, Any]) -> str:
    """System-prompt text asking for JSON matching `schema`, for servers without native structured output."""
    return (
        "Reply with only one JSON value, with no prose and no code fences, that matches this JSON schema:\n"
        + json.dumps(schema, separators=(",", ":"))
    )
