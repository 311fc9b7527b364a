"""Which folders of the workspace are code, and where the data dir may lie: users must never plant code.

Users write files into the data dir (`files.write`, form uploads), so nothing there may ever be imported. The
loader and the watcher skip hidden and tool folders and never enter the data dir; a host refuses to start
with a data dir the loader would walk into (inside the workspace, not under a skipped folder) or with the
workspace inside the data dir.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from watchfiles import Change, PythonFilter

from bifrost.errors import ConfigurationError

SKIP_DIRS = frozenset(
    {"__pycache__", ".venv", "venv", ".git", ".bifrost", "node_modules", ".mypy_cache", ".ruff_cache"}
)


def skipped_folder(name: str) -> bool:
    """Whether the loader skips a folder of this name: hidden ones and tool folders, never walked into."""
    return name in SKIP_DIRS or name.startswith(".")


def check_layout(workspace: Path | None, data_dir: Path) -> None:
    """Refuse a data dir that the workspace loader would read, saying where to put it instead.

    Raises:
        ConfigurationError: the data dir is the workspace or inside it outside any skipped folder, or the
            workspace is inside the data dir.
    """
    if workspace is None:
        return
    root, data = workspace.resolve(), data_dir.resolve()
    if data.is_relative_to(root) and not any(skipped_folder(part) for part in data.relative_to(root).parts):
        raise ConfigurationError(
            f"the data dir {data} lies inside the workspace {root}, so the workspace loader would import .py files "
            "that users write with files.write: move the data dir out of the workspace (--data-dir / "
            f"BIFROST_DATA_DIR), or into a hidden folder, which the loader skips, such as {root / '.bifrost'}"
        )
    if root.is_relative_to(data):
        raise ConfigurationError(
            f"the workspace {root} lies inside the data dir {data}, where users' files are stored, so the workspace "
            "loader would import what they write: keep the two apart (--workspace / BIFROST_WORKSPACE, --data-dir / "
            "BIFROST_DATA_DIR)"
        )


class WorkspaceChanges(PythonFilter):
    """The file changes that reload the workspace: .py files the loader would import, none under `ignore`."""

    def __init__(self, root: Path, ignore: Sequence[Path] = ()) -> None:
        super().__init__()
        self.roots = {root, root.resolve()}
        self.ignore = [path.resolve() for path in ignore]

    def __call__(self, change: Change, path: str) -> bool:
        if not super().__call__(change, path):
            return False
        changed = Path(path)
        if any(changed.is_relative_to(ignored) for ignored in self.ignore):
            return False
        for root in self.roots:
            if changed.is_relative_to(root):
                return not any(skipped_folder(part) for part in changed.relative_to(root).parts[:-1])
        return False
