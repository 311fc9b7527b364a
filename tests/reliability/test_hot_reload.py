"""Finding 3, at import: a workspace file that blocks while it is imported stalls no caller during a hot reload.

The reload imports off the event loop (and, with worker processes, in the new workers too); until it is done
every call is answered by the registry and workers of the version before.
"""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from tests.reliability.conftest import full_pool
from tests.support.mcp import ISOLATIONS, opened_app
from tests.support.poll import poll
from tests.support.signals import Signals
from tests.support.workspace import write_files

SLOW_IMPORT = """
    import os
    import time
    from pathlib import Path

    from bifrost import workflow

    SIGNALS = Path(os.environ["BIFROST_TEST_SIGNALS"])
    (SIGNALS / f"importing-{os.getpid()}").touch()
    while not (SIGNALS / "import.release").exists():
        time.sleep(0.01)


    @workflow(is_tool=True)
    async def arrived_late() -> str:
        return "late"
"""


def importing(signals: Signals) -> list[Path]:
    return sorted(signals.root.glob("importing-*"))


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_a_file_that_blocks_at_import_stalls_no_caller_during_the_reload(
    tmp_path: Path, workspace: Path, signals: Signals, isolation: str
) -> None:
    async with opened_app(tmp_path / "data", workspace=workspace, isolation=isolation) as app:
        owner = await app.host.callers.owner()
        if isolation == "process":
            await full_pool(app)  # the first workers have imported the workspace as it was
        before = app.registry
        reloaded: list[App] = []
        write_files(workspace, {"slow.py": SLOW_IMPORT})
        async with anyio.create_task_group() as tg:

            async def reload() -> None:
                await app.reload()
                reloaded.append(app)

            tg.start_soon(reload)
            await poll(lambda: importing(signals), what="the slow file's import to start")

            echoed = await app.run(app.registry.workflows["echo"], {"text": "during the reload"}, owner)

            assert (echoed.record.status, echoed.value) == (ExecutionStatus.COMPLETED, "during the reload")
            assert reloaded == [] and app.registry is before  # answered while the import was still blocked
            signals.release("import")

        assert app.registry.version == before.version + 1
        late = await app.run(app.registry.workflows["arrived_late"], {}, owner)
        assert (late.record.status, late.value) == (ExecutionStatus.COMPLETED, "late")
        if isolation == "process":  # the host imported it once, then each worker of the new generation
            workers = await full_pool(app)
            assert {w.generation for w in workers} == {app.registry.version}
            assert {p.name for p in importing(signals)} >= {f"importing-{w.pid}" for w in workers}


@pytest.mark.parametrize("isolation", ISOLATIONS)
async def test_a_file_that_raises_keyboard_interrupt_at_import_is_a_load_error_and_the_rest_is_served(
    tmp_path: Path, workspace: Path, signals: Signals, isolation: str
) -> None:
    async with opened_app(tmp_path / "data", workspace=workspace, isolation=isolation) as app:
        owner = await app.host.callers.owner()
        if isolation == "process":
            await full_pool(app)
        before = app.registry
        write_files(workspace, {"interrupts.py": "raise KeyboardInterrupt\n"})

        registry = await app.reload()

        assert registry.version == before.version + 1
        assert [str(e) for e in registry.errors] == ["interrupts.py:1: KeyboardInterrupt: "]
        echoed = await app.run(registry.workflows["echo"], {"text": "still served"}, owner)
        assert (echoed.record.status, echoed.value) == (ExecutionStatus.COMPLETED, "still served")
