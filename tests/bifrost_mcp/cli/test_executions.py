"""`bifrost-mcp executions [show]`, invoked in-process against a temp data dir."""

from pathlib import Path

import anyio
import pytest

from bifrost_mcp.cli.executions import executions
from tests.support.cli import DataCli, WorkspaceCli
from tests.support.mcp import opened_app


@pytest.fixture
def cli(tmp_path: Path) -> WorkspaceCli:
    return WorkspaceCli(tmp_path / "data")


def test_executions_lists_runs_newest_first(cli: WorkspaceCli) -> None:
    first = cli.json("run", "triage_ticket", "--arg", "subject=VPN", "--arg", "body=x")["execution_id"]
    second = cli.json("run", "patch_servers", "--arg", 'servers=["a"]', "--arg", "seconds_per_server=0")
    listed = cli.json("executions", workspace=False)
    assert [e["execution_id"] for e in listed] == [second["execution_id"], first]
    assert [e["workflow_name"] for e in listed] == ["patch_servers", "triage_ticket"]
    assert {e["status"] for e in listed} == {"Completed"}
    assert {e["trigger"] for e in listed} == {"cli"}
    text = cli.ok("executions", workspace=False)
    assert text.splitlines()[0].split() == ["ID", "WORKFLOW", "STATUS", "TRIGGER", "STARTED", "MS"]
    assert first in text and second["execution_id"] in text
    assert cli.json("executions", "--limit", "1", workspace=False)[0]["execution_id"] == second["execution_id"]


def test_executions_show_has_the_logs_in_order(cli: WorkspaceCli) -> None:
    run = cli.json(
        "run", "patch_servers", "--arg", 'servers=["web-1","web-2"]', "--arg", "reboot=true",
        "--arg", "seconds_per_server=0",
    )  # fmt: skip
    shown = cli.json("executions", "show", run["execution_id"], workspace=False)
    assert shown["execution_id"] == run["execution_id"]
    assert shown["status"] == "Completed"
    assert shown["input_data"] == {"servers": ["web-1", "web-2"], "reboot": True, "seconds_per_server": 0}
    assert [(log["level"], log["message"]) for log in shown["logs"]] == [
        ("INFO", "patching web-1 (1/2)"),
        ("INFO", "rebooting web-1"),
        ("INFO", "patching web-2 (2/2)"),
        ("INFO", "rebooting web-2"),
        ("INFO", "patched 2 server(s)"),
    ]
    assert shown["logs"][1]["metadata"] == {"stream": "stdout"}
    assert shown["logs"][0]["metadata"] == {"execution_id": run["execution_id"]}
    text = cli.ok("executions", "show", run["execution_id"], workspace=False)
    assert "status:    Completed" in text and "rebooting web-2" in text


def test_executions_show_of_an_unknown_id_exits_1(cli: WorkspaceCli) -> None:
    result = cli.fails("executions", "show", "no-such-id", workspace=False)
    assert "no execution 'no-such-id'" in result.stderr


def test_the_group_works_on_its_own(tmp_path: Path) -> None:
    history = DataCli(tmp_path / "data", executions)
    assert history.json() == []
    assert history.ok() == "(none)\n"
    assert "no execution 'no-such-id'" in history.fails("show", "no-such-id")


async def test_executions_cancel_cancels_a_queued_run_and_explains_what_it_cannot_cancel(tmp_path: Path) -> None:
    cli = WorkspaceCli(tmp_path / "data")
    async with opened_app(cli.data_dir, workspace=cli.workspace) as app:
        owner = await app.host.callers.owner()
        entry = app.registry.workflows["license_report"]
        waiting = await app.submit(entry, {"departments": ["sales"]}, owner)
        running = await app.submit(entry, {"departments": ["it"]}, owner)
        [claimed] = await app.host.queue.claim(1)  # the oldest, as a serving process claims it
        assert claimed.record.id == waiting.id
        finished = await app.run(entry, {"departments": []}, owner)
        # while the claiming host lives (its lease held): closed, its unfinished run would be marked Failed
        out = await anyio.to_thread.run_sync(lambda: cli.json("executions", "cancel", running.id, workspace=False))
        assert out == {"execution_id": running.id, "cancel": "cancelled"}
        requested = await anyio.to_thread.run_sync(lambda: cli.ok("executions", "cancel", waiting.id, workspace=False))
        assert requested == f"cancel requested for {waiting.id}: the server running it stops it within about 1 s\n"
    again = await anyio.to_thread.run_sync(lambda: cli.fails("executions", "cancel", running.id, workspace=False))
    assert f"execution {running.id} is Cancelled: only a queued (async) run that has not finished" in again.stderr
    done = await anyio.to_thread.run_sync(
        lambda: cli.fails("executions", "cancel", finished.execution_id, workspace=False)
    )
    assert f"execution {finished.execution_id} is Completed" in done.stderr
    unknown = await anyio.to_thread.run_sync(lambda: cli.fails("executions", "cancel", "no-such-id", workspace=False))
    assert "no execution 'no-such-id'" in unknown.stderr
    shown = await anyio.to_thread.run_sync(lambda: cli.json("executions", "show", running.id, workspace=False))
    assert (shown["status"], shown["error_message"]) == ("Cancelled", "cancelled before it started")
