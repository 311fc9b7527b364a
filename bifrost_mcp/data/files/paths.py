r"""Checks on the path a workflow names, before any store sees it: the rules every backend shares.

A path is relative and '/'-separated. Refused, with a message naming the path and the rule: NUL bytes,
absolute paths (`/x`, `C:x`, `\\server`), backslashes, `..` segments and invalid Unicode. Empty segments
and `.` are dropped, so `data//./x.json` is `data/x.json`. Symlinks are a property of a folder store and
are checked there (store.py).
"""

from __future__ import annotations

import re

from bifrost.errors import ValidationError

Parts = tuple[str, ...]

_DRIVE = re.compile(r"[A-Za-z]:")


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


def display(label: str, parts: Parts) -> str:
    """How errors name a file: its location and path, never the host's folders (`workspace:/data/x.json`)."""
    return f"{label}:/{'/'.join(parts)}"
