"""Which process owns a running execution, told apart from a later process that reuses its pid.

An owner is a pid and that process's start time (clock ticks since boot, from /proc on Linux; None elsewhere,
where only the pid can be checked), a random id naming its lease (`runners`), and the machine where that pid
means that process. A record left Running by an owner that no longer exists is a run of a killed process; one
whose owner lives (another server sharing the data dir, on this machine or another) is left alone.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Owner:
    pid: int
    started: int | None
    id: str | None = None  # the key of its lease; None on records from before leases (migration 111)
    machine: str | None = None


def machine() -> str:
    """Where a pid names the same process: this kernel's boot and pid namespace (Linux), else the host name.

    Not the host name alone: containers on one machine may share a data dir, each with its own pids.
    """
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return socket.gethostname()
    return f"{boot}:{namespace}"


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
    """This process, with a new lease id: two hosts opened in one process are two owners."""
    pid = os.getpid()
    return Owner(pid, start_time(pid), uuid.uuid4().hex, machine())


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
