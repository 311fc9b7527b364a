"""Running a bench/ script in its quick mode, as the benches' tests do: it must run and report, nothing more."""

from __future__ import annotations

import subprocess
import sys

from tests.support.process import REPO, hermetic_environment


def run_bench(script: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`bench/<script>` with `arguments`, from the repository root, in a hermetic environment (90 s at most)."""
    return subprocess.run(
        [sys.executable, f"bench/{script}", *arguments],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=REPO,
        env=hermetic_environment(),
        check=False,
    )
