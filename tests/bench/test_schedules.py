"""bench/schedules.py runs end to end in a quick mode and prints every figure, so the benchmark cannot rot.

Only that it runs and reports is checked: speed is the benchmark's to measure, never a test's.
"""

from __future__ import annotations

import pytest

from tests.support.bench import run_bench


@pytest.mark.slow
def test_the_schedules_benchmark_runs_in_a_quick_mode_and_reports_every_figure() -> None:
    done = run_bench("schedules.py", "--seconds", "3", "--hosts", "2")

    assert done.returncode == 0, done.stderr
    assert "scheduler drift, schedule '* * * * * *', 2 host(s) on one data dir, 3 s" in done.stdout
    assert "due times run twice 0" in done.stdout, done.stdout
    assert "record start" in done.stdout and "body start" in done.stdout, done.stdout
