"""A record's owner: a pid and its start time, so a reused pid is not taken for the process that died."""

import os
import subprocess
import sys

from bifrost_mcp.executions.owners import Owner, alive, current


def test_this_process_is_alive_and_a_wrong_start_time_is_not() -> None:
    me = current()
    assert me.pid == os.getpid() and me.started is not None
    assert alive(me)
    assert not alive(Owner(me.pid, me.started + 1))  # the pid, reused by a later process


def test_a_process_that_ended_is_not_alive() -> None:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)  # fmt: skip
    pid = int(child.stdout)
    assert not alive(Owner(pid, 12345))
