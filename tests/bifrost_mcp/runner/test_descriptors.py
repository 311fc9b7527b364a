"""The server's file descriptors behind the redacting pump, in a process of their own (they are process-wide)."""

import subprocess
import sys
import textwrap

from tests.support.process import REPO

SCRIPT = textwrap.dedent(
    """
    import os, sys
    from bifrost_mcp.executions.seen import SEEN
    from bifrost_mcp.runner import capture
    from bifrost_mcp.runner.descriptors import redacted

    SEEN.add("pump-secret-93be")
    with redacted(1, 2):
        capture.install()  # as the server does once the guard is up: Python's streams redacted by the routers
        os.write(1, b"fd1 pump-secret-93be\\n")
        os.write(2, b"split pump-se")      # one secret across two writes
        os.write(2, b"cret-93be done\\n")
        sys.stderr.write("python stderr pump-secret-93be\\n")
        sys.stdout.write("python stdout\\n")
        os.system("echo child pump-secret-93be >&2")
        os.write(2, b"no newline at the end pump-secret-93be")
    os.write(2, b"\\nafter: restored\\n")
    """
)


def test_raw_writes_python_writes_and_children_are_redacted_and_the_streams_restored() -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, cwd=REPO, timeout=60, check=True)
    # pumped lines and Python's own lines take different paths, each keeping its own order
    assert sorted(done.stdout.decode().splitlines()) == ["fd1 [REDACTED]", "python stdout"]
    lines = done.stderr.decode().splitlines()
    assert sorted(lines) == sorted([
        "split [REDACTED] done",
        "python stderr [REDACTED]",
        "child [REDACTED]",
        "no newline at the end [REDACTED]",
        "after: restored",
    ])  # fmt: skip
