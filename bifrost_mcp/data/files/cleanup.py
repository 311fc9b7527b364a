"""Temp cleanup: files in the temp location older than a given age, across every scope and local mode."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import anyio.to_thread

from bifrost.errors import ValidationError
from bifrost_mcp.clock import SYSTEM_CLOCK, Clock
from bifrost_mcp.data.files.view import LOCAL_RESERVED
from bifrost_mcp.settings import HostSettings

logger = logging.getLogger(__name__)


async def clean_temp(settings: HostSettings, max_age_seconds: float, *, clock: Clock = SYSTEM_CLOCK) -> int:
    """Delete temp files last modified more than `max_age_seconds` ago; returns how many were deleted.

    Folders this leaves empty go too, as do empty folders older than the age; symlinks are removed, never
    followed.
    """
    if isinstance(max_age_seconds, bool) or not isinstance(max_age_seconds, int | float) or max_age_seconds < 0:
        raise ValidationError(f"max_age_seconds must be a non-negative number, got {max_age_seconds!r}")
    # files' modification times are wall-clock times: the cutoff is one too, from the clock's now()
    cutoff = clock.now().timestamp() - max_age_seconds
    return await anyio.to_thread.run_sync(_clean, settings, cutoff, float(max_age_seconds))


def temp_roots(settings: HostSettings) -> list[Path]:
    roots: list[Path] = []
    files = settings.data_dir / "files"
    if files.is_dir():
        with os.scandir(files) as scopes:
            roots.extend(Path(entry.path) / "temp" for entry in scopes if entry.is_dir(follow_symlinks=False))
    if settings.workspace is not None:
        roots.append(settings.workspace / LOCAL_RESERVED / "temp")
    return [root for root in roots if root.is_dir() and not root.is_symlink()]


def _clean(settings: HostSettings, cutoff: float, max_age_seconds: float) -> int:
    deleted = 0
    for root in temp_roots(settings):
        emptied: set[str] = set()  # folders this run removed something from
        for folder, dirnames, filenames in os.walk(root, topdown=False, followlinks=False):
            # os.walk lists symlinks to folders among dirnames; they are entries to remove like files.
            for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(folder, d))]:
                if _remove_if_old(Path(folder, name), cutoff):
                    deleted += 1
                    emptied.add(folder)
            if folder != str(root) and _remove_empty_folder(Path(folder), cutoff, folder in emptied):
                emptied.add(os.path.dirname(folder))
    if deleted:
        logger.info("temp cleanup deleted %d file(s) older than %.0f s", deleted, max_age_seconds)
    return deleted


def _remove_if_old(path: Path, cutoff: float) -> bool:
    try:
        if path.lstat().st_mtime >= cutoff:
            return False
        path.unlink()
    except FileNotFoundError:
        return False  # deleted meanwhile
    except OSError as exc:
        logger.warning("temp cleanup could not delete %s: %s", path, exc)
        return False
    return True


def _remove_empty_folder(folder: Path, cutoff: float, emptied: bool) -> bool:
    """Remove an empty folder this run emptied, or one untouched for the age; a fresh one may be in use."""
    try:
        if (emptied or folder.lstat().st_mtime < cutoff) and not any(folder.iterdir()):
            folder.rmdir()
            return True
    except OSError:
        pass  # not empty, or busy: a later run gets it
    return False
