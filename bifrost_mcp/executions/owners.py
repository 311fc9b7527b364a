"""Which process owns a running execution, told apart from a later process that reuses its pid.

An owner is a pid and that process's start time (clock ticks since boot, from /proc on Linux; None elsewhere,
where only the pid can be checked). A record left Running by an owner that no longer exists is a run of a
killed process; one whose owner lives (another server sharing the data dir) is left alone.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Owner:
    pid: int
    started: int | None


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, or None when it is gone or /proc is not there."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            text = stat.read()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: the fields that follow start after its last ')'.
    fields = text[text.rindex(b")") + 2 :].split()
    return int(fields[19])  # field 22 of stat(5), counted from field 3


def current() -> Owner:
    pid = os.getpid()
    return Owner(pid, start_time(pid))


def alive(owner: Owner) -> bool:
    if owner.started is not None:
        return start_time(owner.pid) == owner.started
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
