"""bench/protocol_features.py runs end to end in a quick mode and reports every request kind, so it cannot rot.

Only that it runs and reports is checked: speed is the benchmark's to measure, never a test's.
"""

from __future__ import annotations

import pytest

from tests.support.bench import run_bench


@pytest.mark.slow
def test_the_protocol_features_benchmark_runs_in_a_quick_mode_and_reports_each_kind() -> None:
    done = run_bench("protocol_features.py", "--calls", "10", "--rounds", "2")

    assert done.returncode == 0, done.stderr
    rows = [line.split("  ")[0] for line in done.stdout.splitlines()[2:]]
    assert rows == ["prompts/get", "resources/read", "completion/complete", "tools/call (image)"], done.stdout
