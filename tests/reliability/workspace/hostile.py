"""Workflows that try to hurt the host: exit, raise what is not an Exception, block, spin, fork, hog memory.

Each must fail its own run (Failed or Timeout, saying why) while the host keeps serving everyone else. Files
under $BIFROST_TEST_SIGNALS tell the test when a run has started and let it release one.
"""

import asyncio
import os
import sys
import threading
import time
from pathlib import Path
from typing import Literal

from bifrost import config, tables, workflow
from bifrost.platform import call


def _flag(name: str) -> Path:
    return Path(os.environ["BIFROST_TEST_SIGNALS"]) / name


def _started(name: str) -> None:
    _flag(name).parent.mkdir(parents=True, exist_ok=True)
    _flag(name).touch()


class Custom(BaseException):
    """A BaseException of the workflow's own."""


@workflow(is_tool=True)
async def exits() -> str:
    """Call sys.exit."""
    sys.exit(3)


BASE_EXCEPTIONS = {
    "KeyboardInterrupt": KeyboardInterrupt,
    "GeneratorExit": GeneratorExit,
    "SystemExit": lambda: SystemExit("stop"),
    "BaseException": lambda: BaseException("base"),
    "Custom": lambda: Custom("custom stop"),
}


@workflow(is_tool=True)
async def raises(kind: Literal["KeyboardInterrupt", "GeneratorExit", "SystemExit", "BaseException", "Custom"]) -> str:
    """Raise a BaseException that is not an Exception."""
    raise BASE_EXCEPTIONS[kind]()


@workflow(is_tool=True)
def raises_in_sync() -> str:
    """A sync workflow (run on a thread) raising KeyboardInterrupt."""
    raise KeyboardInterrupt


@workflow(is_tool=True)
async def hard_exit() -> str:
    """End the process at once."""
    os._exit(9)


@workflow(is_tool=True, timeout_seconds=0.5)
async def sleeps() -> str:
    """Block the event loop far past the timeout."""
    time.sleep(60)
    return "slept"


@workflow(is_tool=True, timeout_seconds=0.5)
def sleeps_in_sync() -> str:
    """Block a sync workflow's thread far past the timeout."""
    time.sleep(60)
    return "slept"


@workflow(is_tool=True, timeout_seconds=0.5)
async def spins() -> int:
    """A CPU loop that never yields."""
    n = 0
    while True:
        n += 1


@workflow(is_tool=True, timeout_seconds=60)
async def blocks_until_released(name: str, spin: bool = False) -> str:
    """Say it started, then block (sleeping, or spinning the CPU) until the test releases it."""
    _started(name)
    while not _flag(name + ".release").exists():
        if not spin:
            time.sleep(0.01)
    return "released"


@workflow(is_tool=True)
async def forks() -> str:
    """Fork the worker."""
    pid = os.fork()
    if pid == 0:
        time.sleep(60)
    return f"forked {pid}"


@workflow(is_tool=True)
async def hogs(megabytes: int, hold: bool = False) -> int:
    """Allocate (and touch) this much memory; hold it until the run is stopped when asked."""
    block = b"x" * (megabytes * 1024 * 1024)
    while hold:
        await asyncio.sleep(0.01)
    return len(block) // (1024 * 1024)


@workflow(is_tool=True)
async def whoami() -> int:
    """The process the run is in."""
    return os.getpid()


@workflow(is_tool=True)
async def leaves_work_behind() -> int:
    """Return while a thread and a task of this run are still going."""
    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
    asyncio.get_running_loop().create_task(asyncio.sleep(60))
    return os.getpid()


@workflow(is_tool=True)
async def writes_to_the_wire() -> str:
    """Write garbage to the worker's connection to the host, then wait for an answer."""
    for fd in range(3, 64):
        try:
            os.fstat(fd)
            if os.get_inheritable(fd) is False and "socket" in os.readlink(f"/proc/self/fd/{fd}"):
                os.write(fd, b"\x00\x00\x00\x05\xc1\xc1\xc1\xc1\xc1")
        except OSError:
            continue
    await config.get("anything")
    return "still here"


@workflow(is_tool=True)
async def picks_a_scope(scope: str) -> str:
    """Ask for another organization's table as if the worker could choose whom it acts for."""
    await tables.insert("loot", {"taken": True}, scope=scope)
    return "inserted"


@workflow(is_tool=True)
async def calls_unknown(operation: str) -> str:
    """An operation the host has not got."""
    return str(await call(operation))


@workflow(is_tool=True)
async def prints_everywhere(secret_key: str) -> str:
    """Write to stdout and stderr by every channel, including a secret it reads."""
    secret = await config.get(secret_key)
    print(f"print {secret}")
    sys.stdout.buffer.write(b"buffer bytes\n")
    sys.stderr.write("stderr text\n")
    os.write(1, b"raw fd 1\n")
    os.write(2, b"raw fd 2\n")
    sys.__stdout__.write("dunder stdout\n")
    sys.__stdout__.flush()
    return "printed"
