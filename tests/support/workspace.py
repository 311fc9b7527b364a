"""Workspaces on disk: the repository's examples, and folders of workflow files a test writes."""

from __future__ import annotations

import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> source, dedented) under `root`; returns `root`."""
    for relative, source in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return root


@contextmanager
def workspace_modules_dropped(root: Path) -> Iterator[Path]:
    """Yield `root`; afterwards forget every module imported from it and its sys.path entry.

    Workspaces are imported by module name into the one interpreter; without this, a later test's
    workspace with a file of the same name would find the earlier module.
    """
    try:
        yield root
    finally:
        resolved = str(root.resolve())
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if isinstance(file, str) and file.startswith(resolved + os.sep):
                del sys.modules[name]
        while resolved in sys.path:
            sys.path.remove(resolved)
