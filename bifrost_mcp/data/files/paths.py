r"""The path a workflow names, checked before any store sees it (`bifrost.values.split_path`), and shown.

A path is relative and '/'-separated. Refused, with a message naming the path and the rule: NUL bytes,
absolute paths (`/x`, `C:x`, `\\server`), backslashes, `..` segments and invalid Unicode. Empty segments
and `.` are dropped, so `data//./x.json` is `data/x.json`. Symlinks are a property of a folder store and
are checked there (store.py).
"""

from __future__ import annotations

from bifrost.values import Parts, split_path


def display(label: str, parts: Parts) -> str:
    """How errors name a file: its location and path, never the host's folders (`workspace:/data/x.json`)."""
    return f"{label}:/{'/'.join(parts)}"


__all__ = ["Parts", "display", "split_path"]
