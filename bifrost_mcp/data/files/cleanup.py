"""Temp cleanup: files in the temp location older than a given age, across every scope and local mode."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import anyio.to_thread

from bifrost_mcp.data.files.service import LOCAL_RESERVED
from bifrost_mcp.settings import HostSettings

logger = logging.getLogger(__name__)


async def clean_temp(settings: HostSettings, max_age_seconds: float) -> int:
    """Delete temp files last modified more than `max_age_seconds` ago; returns how many were deleted.

    Folders left empty (and themselves older than the age) go too; symlinks are removed, never followed.
    """
    if isinstance(max_age_seconds, bool) or not isinstance(max_age_seconds, int | float) or max_age_seconds < 0:
        raise ValueError(f"max_age_seconds must be a non-negative number, got {max_age_seconds!r}")
    return await anyio.to_thread.run_sync(_clean, settings, float(max_age_seconds))


def temp_roots(settings: HostSettings) -> list[Path]:
    roots: list[Path] = []
    files = settings.data_dir / "files"
    if files.is_dir():
        with os.scandir(files) as scopes:
            roots.extend(Path(entry.path) / "temp" for entry in scopes if entry.is_dir(follow_symlinks=False))
    if settings.workspace is not None:
        roots.append(settings.workspace / LOCAL_RESERVED / "temp")
    return [root for root in roots if root.is_dir() and not root.is_symlink()]


def _clean(settings: HostSettings, max_age_seconds: float) -> int:
    cutoff = time.time() - max_age_seconds
    deleted = 0
    for root in temp_roots(settings):
        for folder, dirnames, filenames in os.walk(root, topdown=False, followlinks=False):
            # os.walk lists symlinks to folders among dirnames; they are entries to remove like files.
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(folder, d))]:
                deleted += _remove_if_old(Path(folder, name), cutoff)
            if folder != str(root):
                _remove_empty_folder(Path(folder), cutoff)
    if deleted:
        logger.info("temp cleanup deleted %d file(s) older than %.0f s", deleted, max_age_seconds)
    return deleted


def _remove_if_old(path: Path, cutoff: float) -> int:
    try:
        if path.lstat().st_mtime >= cutoff:
            return 0
        path.unlink()
    except FileNotFoundError:
        return 0  # deleted meanwhile
    except OSError as exc:
        logger.warning("temp cleanup could not delete %s: %s", path, exc)
        return 0
    return 1


def _remove_empty_folder(folder: Path, cutoff: float) -> None:
    try:
        if folder.lstat().st_mtime < cutoff and not any(folder.iterdir()):
            folder.rmdir()
    except OSError:
        pass  # not empty, or busy: a later run gets it
