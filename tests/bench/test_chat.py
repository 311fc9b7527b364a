"""bench/chat.py runs end to end in a quick mode and prints every figure, so the benchmark cannot rot.

Only that it runs and reports is checked: speed is the benchmark's to measure, never a test's.
"""

from __future__ import annotations

import pytest

from tests.support.bench import run_bench


@pytest.mark.slow
def test_the_chat_benchmark_runs_in_a_quick_mode_and_reports_every_figure() -> None:
    quick = ("--turns", "2", "--rounds", "2", "--warmup", "1")
    done = run_bench("chat.py", *quick)

    assert done.returncode == 0, done.stderr
    apis = ("OpenAI-compatible /v1\n", "OpenAI-compatible /v1, turn 11\n", "AG-UI /api/chat\n")
    assert all(api in done.stdout for api in apis), done.stdout
    assert done.stdout.count("ours - model (target p50 <= 5)") == len(apis)
    assert "tool step / direct runner call:" in done.stdout
    assert "tool call in a turn / direct runner call:" in done.stdout
