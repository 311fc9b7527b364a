r"""Checks every implementation of the platform applies alike: config keys and values, file paths.

The host's stores and `bifrost.testing.InMemoryPlatform` both call these, so a value or path the one refuses
the other refuses too, with the same message.

A path is relative and '/'-separated. Refused, with a message naming the path and the rule: NUL bytes,
absolute paths (`/x`, `C:x`, `\\server`), backslashes, `..` segments and invalid Unicode. Empty segments
and `.` are dropped, so `data//./x.json` is `data/x.json`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from bifrost.enums import ConfigType
from bifrost.errors import ValidationError

MAX_KEY_LENGTH = 200
MAX_VALUE_BYTES = 1_000_000

Parts = tuple[str, ...]

_DRIVE = re.compile(r"[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f]")


def check_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValidationError("config key must be a non-empty string")
    if key != key.strip() or len(key) > MAX_KEY_LENGTH or _CONTROL.search(key):
        raise ValidationError(
            f"config key {key[:50]!r} is invalid: use at most {MAX_KEY_LENGTH} characters, "
            "no leading or trailing spaces and no control characters"
        )
    return key


def encode_value(value: Any) -> tuple[ConfigType, str]:
    """The stored type and JSON text of `value`; a clear ValidationError for anything that cannot round-trip."""
    if isinstance(value, bool):
        kind = ConfigType.BOOL
    elif isinstance(value, int):
        kind = ConfigType.INT
    elif isinstance(value, str):
        kind = ConfigType.STRING
    elif isinstance(value, float | dict | list):
        kind = ConfigType.JSON
    else:
        raise ValidationError(
            f"config values must be str, int, bool, float, dict or list, not {type(value).__name__}; "
            "to remove a key use config.delete"
        )
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            f"config value is not JSON-serializable ({exc}); use plain dicts, lists and numbers"
        ) from None
    if len(text.encode("utf-8")) > MAX_VALUE_BYTES:
        raise ValidationError(f"config value is larger than {MAX_VALUE_BYTES} bytes; store big data in tables or files")
    return kind, text


def split_path(path: str, label: str, *, allow_root: bool = False) -> Parts:
    """The segments of `path` under the `label` root, or a ValidationError saying what to fix."""
    if not isinstance(path, str):
        raise ValidationError(f"path must be a string, got {type(path).__name__}")
    if "\x00" in path:
        raise ValidationError(f"path {path!r} contains a NUL byte; remove it")
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError(f"path {path!r} is not valid Unicode (lone surrogate)") from None
    if path.startswith(("/", "\\")) or _DRIVE.match(path):
        raise ValidationError(
            f"path {path!r} is absolute; give a path relative to the {label} root, e.g. 'data/report.csv'"
        )
    if "\\" in path:
        raise ValidationError(f"path {path!r} contains a backslash; separate folders with '/'")
    parts = tuple(part for part in path.split("/") if part not in ("", "."))
    if ".." in parts:
        raise ValidationError(f"path {path!r} contains '..'; paths cannot leave the {label} root")
    if not parts and not allow_root:
        raise ValidationError(f"path {path!r} names no file; give one, e.g. 'data/report.csv'")
    return parts


__all__ = ["MAX_KEY_LENGTH", "MAX_VALUE_BYTES", "Parts", "check_key", "encode_value", "split_path"]
