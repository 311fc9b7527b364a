"""`bifrost.Agent`: a declaration checked when built, with instructions filled per caller."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from pathlib import Path
from typing import Any

import pytest

from bifrost import Agent, ExecutionContext, Organization, data_provider, workflow


@workflow(name="Lookup Customer")
async def lookup_customer(customer: str) -> dict[str, str]:
    return {"customer": customer}


@data_provider
async def queues() -> list[dict[str, str]]:
    return []


def context(org: Organization | None) -> ExecutionContext:
    return ExecutionContext(
        user_id="u1",
        email="ada@acme.test",
        name="Ada",
        scope=org.id if org else "GLOBAL",
        organization=org,
        is_platform_admin=False,
        is_function_key=False,
        execution_id="e1",
    )


def test_a_declaration_keeps_its_options_and_stores_a_workflow_function_as_its_name() -> None:
    agent = Agent(
        name="helpdesk",
        description="Answers service-desk questions",
        instructions="You are the service desk of {org_name}.",
        tools=["triage_ticket", lookup_customer, "triage_ticket"],
        knowledge=["runbooks"],
        model="anthropic:claude-sonnet-5-5",
        roles=["Technician"],
        admin_only=False,
        max_steps=5,
    )
    assert agent.tools == ("triage_ticket", "Lookup Customer")
    assert (agent.knowledge, agent.roles, agent.max_steps) == (("runbooks",), ("Technician",), 5)
    assert agent.model == "anthropic:claude-sonnet-5-5"


def test_the_defaults_make_an_open_agent_without_tools_on_the_org_default_model() -> None:
    agent = Agent("plain")
    assert (agent.tools, agent.knowledge, agent.roles) == ((), (), ())
    assert (agent.model, agent.admin_only, agent.max_steps, agent.instructions) == (None, False, 12, "")


def test_a_declaration_is_frozen_and_remembers_the_line_that_built_it() -> None:
    agent = Agent("frozen")
    assert agent.origin is not None
    file, line = agent.origin
    assert file == __file__
    assert 'Agent("frozen")' in Path(file).read_text(encoding="utf-8").splitlines()[line - 1]
    with pytest.raises(FrozenInstanceError):
        agent.name = "other"  # type: ignore[misc]


def test_equal_declarations_compare_equal_wherever_they_were_built() -> None:
    assert Agent("same", tools=["a"]) == Agent("same", tools=["a"])


def test_a_changed_copy_is_checked_like_a_new_declaration() -> None:
    agent = Agent("desk", tools=["a"])
    assert replace(agent, max_steps=3) == Agent("desk", tools=["a"], max_steps=3)
    with pytest.raises(TypeError, match="max_steps"):
        replace(agent, max_steps=0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_step": 3}, r"unknown option\(s\) 'max_step' \(did you mean 'max_steps'\?\); valid options are: name,"),
        ({"temperature": 0.2}, r"unknown option\(s\) 'temperature'; valid options are"),
        ({"name": ""}, r"Agent\(name=...\) must be a non-empty name"),
        ({"name": "help desk"}, r"Agent\(name=...\) must be a non-empty name"),
        ({"max_steps": 0}, r"Agent\(max_steps=...\) must be an integer of at least 1, got 0; write e.g. max_steps=12"),
        ({"max_steps": True}, r"Agent\(max_steps=...\) must be an integer"),
        ({"tools": "triage_ticket"}, r"Agent\(tools=...\) must be a list, got 'triage_ticket'; list workflow names"),
        ({"tools": [42]}, r"Agent\(tools=...\) holds 42, which is neither a workflow name nor an @workflow function"),
        ({"tools": [queues]}, r"Agent\(tools=...\) holds a data provider"),
        ({"tools": [print]}, r"Agent\(tools=...\) holds <built-in function print>"),
        ({"knowledge": "runbooks"}, r"Agent\(knowledge=...\) must be a list of strings, got 'runbooks'; write a list"),
        ({"knowledge": ["runbooks", 3]}, r"Agent\(knowledge=...\) must hold only non-empty strings, got 3"),
        ({"roles": "Technician"}, r"Agent\(roles=...\) must be a list of strings"),
        ({"model": "claude"}, r"Agent\(model=...\) must be 'provider:model' or None, got 'claude'"),
        ({"admin_only": "yes"}, r"Agent\(admin_only=...\) must be True or False"),
        ({"description": 3}, r"Agent\(description=...\) must be a string"),
        ({"instructions": "Hello {customer}"}, r"unknown placeholder\(s\) 'customer'; use only \{org_name\}"),
        ({"instructions": "Hello {}"}, r"unknown placeholder\(s\) '\{\}'"),
        ({"instructions": "Hello {org_name.upper}"}, r"unknown placeholder\(s\) 'org_name.upper'"),
        ({"instructions": "a { b"}, r"is not a valid template .*; write '\{\{' and '\}\}' for literal braces"),
    ],
)
def test_a_bad_option_is_an_error_at_construction_naming_the_option_and_the_fix(
    options: dict[str, Any], message: str
) -> None:
    options = {"name": "helpdesk", **options}
    with pytest.raises(TypeError, match=message):
        Agent(**options)


def test_instructions_are_filled_with_the_callers_organization_and_name() -> None:
    agent = Agent("helpdesk", instructions="Service desk of {org_name} ({org_id}) for {user_name} <{user_email}>.")
    rendered = agent.render_instructions(context(Organization(id="org-acme", name="Acme")))
    assert rendered == "Service desk of Acme (org-acme) for Ada <ada@acme.test>."


def test_without_an_organization_the_org_placeholders_read_global() -> None:
    agent = Agent("helpdesk", instructions="Desk of {org_name} ({org_id}).")
    assert agent.render_instructions(context(None)) == "Desk of GLOBAL (GLOBAL)."


def test_doubled_braces_are_literal_and_a_filled_value_is_not_read_as_a_placeholder() -> None:
    agent = Agent("json", instructions='Answer as {{"user": "{user_name}"}}.')
    ctx = context(Organization(id="o", name="{org_id}"))
    assert agent.render_instructions(ctx) == 'Answer as {"user": "Ada"}.'
    assert Agent("x", instructions="{org_name}").render_instructions(ctx) == "{org_id}"
