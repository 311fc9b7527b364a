"""The data dir is for the server's user alone: every tenant's data and the key to their secrets live in it.

What the host creates there is made 0700 (folders) and 0600 (files), whatever the umask; `narrow` takes
group and other access away from what an earlier release or a loose umask left open.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def make_private_dirs(path: Path) -> None:
    """Create `path` and whichever of its parents are missing, each as a 0700 folder."""
    missing = []
    current = path
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another task or process made it meanwhile
            folder.mkdir(mode=PRIVATE_DIR)


def create_private_file(path: Path) -> None:
    """Create `path` empty as a 0600 file unless it exists, so whatever writes it later inherits the mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(fd)


def narrow(path: Path, mode: int) -> bool:
    """Take from `path` any access `mode` does not grant; whether it changed. Symlinks are left alone.

    A file the server's user cannot change (another owner) is logged with the command that fixes it.
    """
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    current = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or not current & ~mode:
        return False
    try:
        os.chmod(path, current & mode)
    except OSError as exc:
        logger.warning("%s is open to other users and cannot be narrowed (%s): run `chmod %o %s`", path,
                       exc.strerror, mode, path)  # fmt: skip
        return False
    return True


def narrow_tree(root: Path) -> int:
    """Narrow every folder under `root` (itself included) to 0700 and every file to 0600; how many changed."""
    changed = 0
    for folder, _dirs, names in os.walk(root):
        changed += narrow(Path(folder), PRIVATE_DIR)
        changed += sum(narrow(Path(folder) / name, PRIVATE_FILE) for name in names)
    return changed
