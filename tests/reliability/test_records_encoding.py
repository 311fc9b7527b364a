"""Finding 5: one record that cannot be encoded as it stands never costs another record (issue 14).

Each record is encoded on its own before it joins a group commit; whatever cannot be encoded (a log `extra=`
value that is circular, has non-string keys or fails `str()`, text with lone surrogates) is replaced by a
marker, and the batch commits with everyone else's records.
"""

import logging
from pathlib import Path
from typing import Any

import anyio

from bifrost import workflow
from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.runner.runner import RunOutcome
from tests.support.callers import ORG_A, ORG_B, member
from tests.support.data_dir import db_rows
from tests.support.mcp import opened_app
from tests.support.poll import poll

logger = logging.getLogger("workspace.reliability.encoding")
TENANT_B_CALLS = 40


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no text for you")

    def __repr__(self) -> str:
        return "<Unprintable>"


def odd_extras() -> dict[str, Any]:
    cycle: list[Any] = ["start"]
    cycle.append(cycle)
    return {"cycle": cycle, "by_pair": {(1, 2): "pair"}, "unprintable": Unprintable(), "plain": 7}


may_finish = anyio.Event()


@workflow
async def logs_odd_extras(wait: bool = False) -> str:
    if wait:
        await may_finish.wait()
    logger.warning("odd extras", extra=odd_extras())
    logger.info("half a pair: \ud800 (a lone surrogate)")
    return "logged"


@workflow
async def fails_with_a_lone_surrogate() -> None:
    raise ValueError("bad byte \udcff in the export")


@workflow
async def echo(word: str) -> str:
    return word


async def tenant_b_calls(app: App, outcomes: list[RunOutcome]) -> None:
    caller = member(ORG_B)
    for n in range(TENANT_B_CALLS):
        outcomes.append(await app.run(app.registry.workflows["echo"], {"word": f"b-{n}"}, caller))


async def test_an_unencodable_log_extra_costs_no_other_tenant_a_record(tmp_path: Path) -> None:
    outcomes: list[RunOutcome] = []
    odd: list[RunOutcome] = []
    async with opened_app(tmp_path, functions=[logs_odd_extras, fails_with_a_lone_surrogate, echo]) as app:
        caller_a = member(ORG_A)
        async with anyio.create_task_group() as tg:  # every run finishes within one group commit
            for _ in range(TENANT_B_CALLS):
                tg.start_soon(lambda: tenant_b_one(app, outcomes))

            async def tenant_a() -> None:
                odd.append(await app.run(app.registry.workflows["logs_odd_extras"], {}, caller_a))
                odd.append(await app.run(app.registry.workflows["fails_with_a_lone_surrogate"], {}, caller_a))

            tg.start_soon(tenant_a)
        store = app.host.executions
        b_records = await store.query(scope=ORG_B.id, limit=1000)
        assert sorted((r.status, r.result) for r in b_records) == sorted(
            (ExecutionStatus.COMPLETED, o.value) for o in outcomes
        )
        assert len(b_records) == TENANT_B_CALLS
        logged = await store.get(odd[0].execution_id)
        assert logged is not None and logged.status is ExecutionStatus.COMPLETED
        entries = await store.logs(odd[0].execution_id)
        assert [(e.level, e.message) for e in entries] == [
            ("WARNING", "odd extras"),
            ("INFO", "half a pair: \\ud800 (a lone surrogate)"),
        ]
        assert entries[0].metadata == {
            "cycle": ["start", "[circular reference]"],
            "by_pair": {"(1, 2)": "pair"},
            "unprintable": "[unencodable Unprintable: <Unprintable>]",
            "plain": 7,
        }
        failed = await store.get(odd[1].execution_id)
        assert failed is not None and failed.status is ExecutionStatus.FAILED
        assert failed.error_message == "ValueError: bad byte \\udcff in the export"
    assert db_rows(tmp_path, "SELECT id FROM executions WHERE status = 'Running'") == []


async def tenant_b_one(app: App, outcomes: list[RunOutcome]) -> None:
    n = len(outcomes)
    outcomes.append(await app.run(app.registry.workflows["echo"], {"word": f"b-{n}"}, member(ORG_B)))


async def test_a_running_record_whose_final_row_cannot_be_encoded_does_not_stay_running(tmp_path: Path) -> None:
    global may_finish
    may_finish = anyio.Event()
    outcomes: list[RunOutcome] = []
    async with opened_app(tmp_path, functions=[logs_odd_extras, echo]) as app:
        result: list[RunOutcome] = []
        async with anyio.create_task_group() as tg:

            async def tenant_a() -> None:
                result.append(await app.run(app.registry.workflows["logs_odd_extras"], {"wait": True}, member(ORG_A)))

            tg.start_soon(tenant_a)

            def running_on_disk() -> list[Any]:
                return db_rows(tmp_path, "SELECT id FROM executions WHERE status = 'Running'")

            await poll(running_on_disk, what="tenant A's run to be on disk as Running")
            may_finish.set()
            await tenant_b_calls(app, outcomes)
        [outcome] = result
        record = await app.host.executions.get(outcome.execution_id)
        assert record is not None and record.status is ExecutionStatus.COMPLETED
        assert len(await app.host.executions.query(scope=ORG_B.id, limit=1000)) == TENANT_B_CALLS
    rows = db_rows(tmp_path, "SELECT status, COUNT(*) AS n FROM executions GROUP BY status")
    assert [(r["status"], r["n"]) for r in rows] == [("Completed", TENANT_B_CALLS + 1)]
