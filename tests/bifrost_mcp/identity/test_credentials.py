"""Function keys as callers: each key is an identity of its own, also for history kept under the old naming."""

from __future__ import annotations

from pathlib import Path

from bifrost import context, executions, workflow
from bifrost_mcp.host import all_migrations
from bifrost_mcp.storage import Database
from tests.support.data_dir import db_rows, opened_host
from tests.support.mcp import opened_app

IDENTITY_PER_KEY = 900  # the migration that moves history from "function-key:<name>" to each key's own id


@workflow
async def whoami() -> str:
    """The identity the run acts as."""
    return context.user_id


@workflow
async def my_runs() -> list[str]:
    """The executions the caller may see."""
    return sorted(e.execution_id for e in await executions.list())


async def test_two_function_keys_with_one_name_act_as_two_identities_and_never_see_each_others_runs(
    tmp_path: Path,
) -> None:
    async with opened_app(tmp_path / "data", functions=[whoami, my_runs]) as app:
        org = await app.host.identity.create_org("Acme")
        first = await app.host.credentials.create_function_key(org.id, "RMM")
        second = await app.host.credentials.create_function_key(org.id, "RMM")
        as_first = await app.host.callers.for_token(first.token)
        as_second = await app.host.callers.for_token(second.token)
        assert (as_first.user_id, as_second.user_id) == (f"function-key:{first.id}", f"function-key:{second.id}")
        assert (as_first.name, as_second.name) == ("RMM", "RMM")

        ran = await app.run(app.registry.workflows["whoami"], {}, as_first)
        assert ran.value == f"function-key:{first.id}"
        seen_by_second = await app.run(app.registry.workflows["my_runs"], {}, as_second)
        seen_by_first = await app.run(app.registry.workflows["my_runs"], {}, as_first)
    assert seen_by_second.value == [seen_by_second.execution_id]
    assert seen_by_first.value == sorted([ran.execution_id, seen_by_first.execution_id])


async def test_upgrading_moves_history_to_the_one_key_of_its_name_and_leaves_shared_names_unattributed(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    before = Database(data_dir)  # a data dir as the previous release left it
    await before.open([m for m in all_migrations() if m.version != IDENTITY_PER_KEY])
    try:
        keys = {}
        for cred_id, name in (("k-solo", "Backup"), ("k-twin-1", "RMM"), ("k-twin-2", "RMM")):
            keys[cred_id] = name
            await before.execute(
                "INSERT INTO credentials (id, kind, token_hash, name, created_at) VALUES (?, 'function_key', ?, ?, '')",
                (cred_id, f"hash-{cred_id}", name),
            )
        for run_id, who in (("run-solo", "function-key:Backup"), ("run-twin", "function-key:RMM"), ("run-user", "u1")):
            await before.execute(
                "INSERT INTO executions (id, workflow_name, scope, executed_by, executed_by_name, executed_by_email,"
                " status, input_json, started_at, runner_pid) VALUES (?, 'w', 'GLOBAL', ?, 'n', '', 'Success', '{}',"
                " '2026-01-01T00:00:00+00:00', 1)",
                (run_id, who),
            )
        for conv_id, who in (("conv-solo", "function-key:Backup"), ("conv-twin", "function-key:RMM")):
            await before.execute(
                "INSERT INTO conversations (id, title, agent, user_id, scope, created_at, updated_at)"
                " VALUES (?, '', 'assistant', ?, 'GLOBAL', '', '')",
                (conv_id, who),
            )
        await before.execute(
            "INSERT INTO config_values (id, scope, key, type, value, updated_by, created_at, updated_at)"
            " VALUES ('c1', 'GLOBAL', 'k', 'string', '\"v\"', 'function-key:Backup', '', '')"
        )
    finally:
        await before.close()

    async with opened_host(data_dir):
        pass

    solo = "function-key:k-solo"
    assert [tuple(r) for r in db_rows(data_dir, "SELECT id, executed_by FROM executions ORDER BY id")] == [
        ("run-solo", solo),
        ("run-twin", "function-key:RMM"),
        ("run-user", "u1"),
    ]
    assert [tuple(r) for r in db_rows(data_dir, "SELECT id, user_id FROM conversations ORDER BY id")] == [
        ("conv-solo", solo),
        ("conv-twin", "function-key:RMM"),
    ]
    assert [tuple(r) for r in db_rows(data_dir, "SELECT updated_by FROM config_values")] == [(solo,)]
