"""settle(): what exists is out of the collector's reach until the next settle, which collects it if garbage.

In a subprocess: freezing the test process would keep every later test's cycles for good.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support.process import REPO, hermetic_environment

SCRIPT = textwrap.dedent(
    """
    import gc, weakref
    from bifrost_mcp.server.memory import settle

    class Node:
        pass

    node = Node()
    node.me = node  # a cycle: only the collector frees it
    ref = weakref.ref(node)
    settle()
    frozen = gc.get_freeze_count()
    del node
    gc.collect()
    print(frozen > 0, ref() is not None)
    settle()  # as after a reload: what was replaced is collected
    print(ref() is None)
    """
)


def test_settled_objects_skip_collections_until_the_next_settle_collects_them() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=hermetic_environment(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True"]
