"""Prompts and `options(...)` at load: collected, described for process isolation, and refused when unusable."""

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest

from bifrost_mcp.isolation.wire import decode, encode
from bifrost_mcp.workspace.described import describe, described_registry
from bifrost_mcp.workspace.loader import load_workspace, registry_from_functions
from bifrost_mcp.workspace.registry import DescribedSignature
from tests.support.workspace import workspace_modules_dropped, write_files

PROVIDERS = """
    from bifrost import data_provider


    @data_provider
    async def departments() -> list:
        return [{"label": "Sales", "value": "sales"}]
"""
PROMPTS = """
    from typing import Annotated

    from bifrost import options, prompt, workflow


    @prompt(roles=["hr"])
    async def welcome(department: Annotated[str, options("departments")], days: int = 1) -> str:
        \"\"\"Welcome someone.

        Args:
            department: Where they start.
        \"\"\"
        return department


    @workflow(is_tool=True)
    async def assign(department: Annotated[str, options("departments")]) -> str:
        return department
"""


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    with workspace_modules_dropped(tmp_path / "ws") as path:
        path.mkdir()
        yield path


def test_prompts_load_with_their_options_and_survive_being_described(root: Path) -> None:
    # the provider is defined in a later file than its users: the check runs once every file is loaded
    write_files(root, {"a_prompts.py": PROMPTS, "z_providers.py": PROVIDERS})
    registry = load_workspace(root)
    description = decode(encode(["ready", {"registry": describe(registry)}])[4:])[1]["registry"]  # over the wire
    rebuilt = described_registry(description, 2, root)

    assert registry.errors == []
    assert list(registry.prompts) == ["welcome"] and "welcome" not in registry.workflows
    for loaded in (registry, rebuilt):
        welcome = loaded.prompts["welcome"]
        assert (welcome.spec.kind, welcome.spec.roles, welcome.spec.description) == (
            "prompt",
            ("hr",),
            "Welcome someone.",
        )
        assert welcome.signature.options == {"department": "departments"}
        assert welcome.signature.input_schema["properties"]["department"] == {
            "type": "string",
            "description": "Where they start.",
        }
        assert loaded.workflows["assign"].signature.options == {"department": "departments"}
    assert isinstance(rebuilt.prompts["welcome"].signature, DescribedSignature)


def test_an_unknown_options_provider_is_a_load_error_naming_the_workflow(root: Path) -> None:
    write_files(root, {"starters.py": PROMPTS})
    registry = load_workspace(root)

    assert (registry.prompts, sorted(registry.workflows)) == ({}, [])
    assert sorted(str(error) for error in registry.errors) == [
        f"starters.py:{line}: {kind} {name!r}: parameter 'department' takes its options from the data provider "
        "'departments', which this workspace does not define; define it (@data_provider(name='departments')) or "
        "correct the name in options(...)"
        for line, kind, name in ((16, "workflow", "assign"), (6, "prompt", "welcome"))
    ]


def test_duplicate_prompt_names_are_an_error_naming_both_files(root: Path) -> None:
    duplicate = """
        from bifrost import prompt


        @prompt(name="greet")
        def hello() -> str:
            return "hi"
    """
    write_files(root, {"a_first.py": duplicate, "b_second.py": duplicate})
    registry = load_workspace(root)

    assert registry.prompts["greet"].source == "a_first.py"
    [error] = registry.errors
    assert str(error) == (
        "b_second.py:4: duplicate prompt name 'greet': already defined in a_first.py:4; rename one of them "
        "(@prompt(name=...))"
    )


def test_a_prompt_parameter_a_string_cannot_give_is_a_load_error(root: Path) -> None:
    write_files(
        root,
        {
            "starters.py": """
                from bifrost import prompt


                @prompt
                def fine(a: str, b: int | None = None, c: float = 1.0, d: bool = False) -> str:
                    return a


                @prompt
                def needs_a_list(names: list[str]) -> str:
                    return ", ".join(names)
            """
        },
    )
    registry = load_workspace(root)

    assert list(registry.prompts) == ["fine"]
    assert [str(error) for error in registry.errors] == [
        "starters.py:9: prompt 'needs_a_list': parameter 'names': type list[str] cannot be given as a string (MCP "
        "passes prompt arguments as strings); use str, int, float, bool, a Literal of strings or a str Enum"
    ]


def test_a_prompt_and_a_workflow_may_share_a_name_and_functions_in_code_are_checked_too() -> None:
    from bifrost import options, prompt, workflow

    @prompt(name="report")
    def report_prompt() -> str:
        return "Write the report."

    @workflow(name="report")
    def report_workflow() -> str:
        return "done"

    @prompt
    def orphan(x: Annotated[str, options("nowhere")]) -> str:
        return x

    registry = registry_from_functions([report_prompt, report_workflow, orphan])

    assert (list(registry.prompts), list(registry.workflows)) == (["report"], ["report"])
    [error] = registry.errors
    assert "prompt 'orphan': parameter 'x' takes its options from the data provider 'nowhere'" in error.message
