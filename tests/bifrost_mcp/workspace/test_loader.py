"""Loading a workspace folder: packages, imports between files, broken files, duplicates."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bifrost_mcp.workspace.loader import load_workspace, workspace_files
from tests.support.workspace import workspace_modules_dropped, write_files


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        path.mkdir()
        yield path


GOOD = """
from bifrost import workflow


@workflow(is_tool=True)
async def ping() -> str:
    return "pong"
"""


def test_packages_and_imports_between_files_load(root: Path) -> None:
    write_files(
        root,
        {
            "shared/__init__.py": "",
            "shared/text.py": "def slug(value: str) -> str:\n    return value.lower().replace(' ', '-')\n",
            "tickets/__init__.py": "",
            "tickets/common.py": "QUEUE = 'service-desk'\n",
            "tickets/flows.py": """
                from bifrost import workflow
                from shared.text import slug

                from .common import QUEUE


                @workflow(is_tool=True)
                async def file_ticket(subject: str) -> dict:
                    return {"id": slug(subject), "queue": QUEUE}
            """,
            "reports.py": """
                from bifrost import workflow
                from tickets.flows import file_ticket  # imported, so registered by tickets/flows.py only


                @workflow
                async def weekly_report() -> str:
                    return "ok"
            """,
        },
    )
    registry = load_workspace(root)
    assert registry.errors == []
    assert sorted(registry.workflows) == ["file_ticket", "weekly_report"]
    entry = registry.workflows["file_ticket"]
    assert entry.source == "tickets/flows.py"
    assert entry.line == 7
    assert registry.workflows["weekly_report"].source == "reports.py"
    assert list(registry.tools) == ["file_ticket"]


async def test_functions_of_a_package_workspace_run_with_their_imports(root: Path) -> None:
    write_files(
        root,
        {
            "lib/__init__.py": "FACTOR = 3\n",
            "lib/flows.py": """
                from bifrost import workflow
                from lib import FACTOR


                @workflow(is_tool=True)
                async def triple(n: int) -> int:
                    return n * FACTOR
            """,
        },
    )
    registry = load_workspace(root)
    assert await registry.workflows["triple"].spec.fn(4) == 12


def test_a_syntax_error_is_reported_with_path_and_line_and_the_rest_load(root: Path) -> None:
    write_files(root, {"good.py": GOOD, "broken.py": "from bifrost import workflow\n\n\ndef oops(:\n    pass\n"})
    registry = load_workspace(root)
    assert list(registry.workflows) == ["ping"]
    [error] = registry.errors
    assert (error.path, error.line) == ("broken.py", 4)
    assert error.message.startswith("SyntaxError")
    assert str(error).startswith("broken.py:4: SyntaxError")


def test_an_exception_at_import_is_reported_with_path_and_line(root: Path) -> None:
    write_files(
        root,
        {
            "good.py": GOOD,
            "crashes.py": "import os\n\nSETTING = os.environ['BIFROST_TEST_SURELY_UNSET_VARIABLE']\n",
            "missing.py": "import no_such_module_anywhere\n",
        },
    )
    registry = load_workspace(root)
    assert list(registry.workflows) == ["ping"]
    errors = {e.path: e for e in registry.errors}
    assert set(errors) == {"crashes.py", "missing.py"}
    assert errors["crashes.py"].line == 3
    assert "KeyError" in errors["crashes.py"].message
    assert "BIFROST_TEST_SURELY_UNSET_VARIABLE" in errors["crashes.py"].message
    assert errors["missing.py"].line == 1
    assert "ModuleNotFoundError" in errors["missing.py"].message


def test_a_file_that_calls_exit_at_import_is_reported_not_fatal(root: Path) -> None:
    write_files(root, {"good.py": GOOD, "quits.py": "import sys\n\nsys.exit(3)\n"})
    registry = load_workspace(root)
    assert list(registry.workflows) == ["ping"]
    [error] = registry.errors
    assert (error.path, error.line) == ("quits.py", 3)
    assert "SystemExit" in error.message


def test_an_undescribable_signature_is_reported_at_its_line_and_skipped(root: Path) -> None:
    write_files(
        root,
        {
            "flows.py": """
                from bifrost import workflow


                @workflow(is_tool=True)
                async def ok() -> None:
                    pass


                @workflow(is_tool=True)
                async def spread(*hosts: str) -> None:
                    pass
            """
        },
    )
    registry = load_workspace(root)
    assert list(registry.workflows) == ["ok"]
    [error] = registry.errors
    assert (error.path, error.line) == ("flows.py", 9)
    assert "workflow 'spread'" in error.message and "*args" in error.message


def test_an_invalid_schedule_is_reported(root: Path) -> None:
    write_files(
        root,
        {
            "nightly.py": """
                from bifrost import workflow


                @workflow(schedule="every day at nine")
                async def nightly() -> None:
                    pass
            """
        },
    )
    registry = load_workspace(root)
    assert registry.workflows == {}
    [error] = registry.errors
    assert error.path == "nightly.py"
    assert "'every day at nine' is not a valid cron expression" in error.message


def test_a_scheduled_workflow_must_run_without_arguments_and_a_time_zone_must_exist(root: Path) -> None:
    write_files(
        root,
        {
            "jobs.py": """
                from bifrost import workflow


                @workflow(schedule="0 9 * * *")
                async def report(region: str, days: int = 7) -> None:
                    pass


                @workflow(schedule="CRON_TZ=Atlantis/Capital 0 9 * * *")
                async def lost() -> None:
                    pass


                @workflow(schedule="CRON_TZ=Europe/Paris 0 9 * * 1")
                async def weekly(days: int = 7) -> None:
                    pass
            """
        },
    )
    registry = load_workspace(root)
    assert list(registry.workflows) == ["weekly"]
    assert sorted(str(error) for error in registry.errors) == [
        "jobs.py:4: workflow 'report': a scheduled run passes no arguments, but 'region' has no default: give every "
        "parameter a default",
        "jobs.py:9: workflow 'lost': schedule 'CRON_TZ=Atlantis/Capital 0 9 * * *': unknown time zone "
        "'Atlantis/Capital'; use an IANA name such as 'Europe/Paris'",
    ]


def test_an_endpoint_that_needs_approval_is_reported_at_its_line_and_the_rest_load(root: Path) -> None:
    write_files(
        root,
        {
            "good.py": GOOD,
            "hooks.py": """
                from bifrost import workflow


                @workflow(endpoint_enabled=True, requires_approval=True)
                async def wipe_laptop(serial: str) -> None:
                    pass
            """,
        },
    )
    registry = load_workspace(root)
    assert list(registry.workflows) == ["ping"]
    [error] = registry.errors
    assert (error.path, error.line) == ("hooks.py", 4)
    assert "'wipe_laptop': requires_approval=True cannot be an HTTP endpoint" in error.message


def test_duplicate_workflow_names_are_an_error_naming_both_files(root: Path) -> None:
    duplicate = """
        from bifrost import workflow


        @workflow(name="Reset Password")
        async def reset(user: str) -> None:
            pass
    """
    write_files(root, {"a_first.py": duplicate, "b_second.py": duplicate})
    registry = load_workspace(root)
    assert registry.workflows["Reset Password"].source == "a_first.py"
    [error] = registry.errors
    assert error.path == "b_second.py"
    assert "duplicate workflow name 'Reset Password'" in error.message
    assert "already defined in a_first.py:4" in error.message


def test_a_workflow_and_a_data_provider_may_share_a_name(root: Path) -> None:
    write_files(
        root,
        {
            "both.py": """
                from bifrost import data_provider, workflow


                @workflow(name="departments")
                async def list_departments() -> list:
                    return []


                @data_provider(name="departments")
                async def departments() -> list:
                    return []
            """
        },
    )
    registry = load_workspace(root)
    assert registry.errors == []
    assert list(registry.workflows) == ["departments"] and list(registry.data_providers) == ["departments"]


def test_a_file_name_that_is_not_a_module_name_still_loads(root: Path) -> None:
    write_files(root, {"my-flows.py": GOOD})
    registry = load_workspace(root)
    assert registry.errors == []
    assert registry.workflows["ping"].source == "my-flows.py"


def test_tool_and_cache_folders_are_skipped(root: Path) -> None:
    write_files(
        root,
        {
            "flows.py": GOOD,
            ".venv/lib/site.py": "raise RuntimeError('never imported')\n",
            ".hidden/x.py": "raise RuntimeError('never imported')\n",
            "__pycache__/y.py": "raise RuntimeError('never imported')\n",
            "node_modules/z.py": "raise RuntimeError('never imported')\n",
        },
    )
    assert [p.relative_to(root).as_posix() for p in workspace_files(root)] == ["flows.py"]
    assert load_workspace(root).errors == []


def test_a_missing_workspace_folder_is_a_load_error(tmp_path: Path) -> None:
    registry = load_workspace(tmp_path / "nowhere")
    [error] = registry.errors
    assert "workspace folder does not exist" in error.message


def test_a_file_shadowed_by_an_installed_module_is_reported(root: Path) -> None:
    write_files(root, {"json.py": GOOD})
    registry = load_workspace(root)
    [error] = registry.errors
    assert error.path == "json.py"
    assert "taken by an installed package" in error.message


def test_reloading_reimports_a_file_changed_within_the_same_second_at_the_same_size(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # a cached .pyc must not hide the edit
    write_files(root, {"flows.py": GOOD})
    first = load_workspace(root)
    write_files(root, {"flows.py": GOOD.replace("ping", "pong")})
    second = load_workspace(root, version=2)
    assert list(first.workflows) == ["ping"]
    assert list(second.workflows) == ["pong"]
    assert second.version == 2


def test_a_resource_whose_parameters_are_not_its_templates_variables_is_a_load_error(tmp_path: Path) -> None:
    (tmp_path / "monthly.py").write_text(
        "from bifrost import ExecutionContext, resource\n\n"
        "@resource('reports://{month}/{team}')\n"
        "def by_month(month: str, ctx: ExecutionContext) -> str:\n"
        "    return month\n\n"
        "@resource('reports://fine/{month}')\n"
        "def fine(month: str, ctx: ExecutionContext) -> str:\n"
        "    return month\n\n"
        "@resource('reports://fine/{month}', name='again')\n"
        "def again(month: str) -> str:\n"
        "    return month\n"
    )
    registry = load_workspace(tmp_path)
    assert list(registry.resources) == ["fine"]
    messages = [error.message for error in registry.errors]
    assert messages[0] == (
        "resource 'by_month' (by_month): its parameters (month) must be exactly the variables of "
        "'reports://{month}/{team}' (month, team); rename or remove parameters (an ExecutionContext parameter may "
        "be added)"
    )
    assert messages[1].startswith("duplicate resource URI 'reports://fine/{month}': already defined in monthly.py:")
