"""bench/endpoints.py runs end to end in a quick mode and prints both figures, so the benchmark cannot rot.

Only that it runs and reports is checked: speed is the benchmark's to measure, never a test's.
"""

from __future__ import annotations

import pytest

from tests.support.bench import run_bench


@pytest.mark.slow
def test_the_endpoint_benchmark_runs_in_a_quick_mode_and_reports_both_figures() -> None:
    quick = ("--calls", "20", "--per-client", "4", "--clients", "2", "--rounds", "2", "--warmup", "2")
    done = run_bench("endpoints.py", *quick, "--isolation", "inline")

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line.split(":")[0].strip() for line in lines] == ["sequential", "2 clients"], done.stdout
    assert all("endpoint/mcp median of per-round ratios" in line for line in lines)
