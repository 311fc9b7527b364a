"""Every example in examples/, exercised through the official MCP client (in memory, both protocol eras)."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning

from bifrost.enums import ExecutionStatus
from bifrost.testing import TestModel, override_model
from bifrost_mcp.app import App
from tests.support.approvals import APPROVE, DECLINE, Person
from tests.support.examples import ONBOARD_ARGS
from tests.support.mcp import MODES, connected, execution_id_of, opened_app, server_for, text_of
from tests.support.queue import dispatching, finished
from tests.support.workspace import EXAMPLES

# What this module exercises, per example file. A new example fails the coverage test until it has tests here.
COVERED = {
    "alert_triage.py": {"triage_alert", "draft_reply"},
    "departments.py": {"departments", "mailbox_sizes"},
    "heartbeat.py": {"heartbeat"},  # a schedule, exercised in test_heartbeat.py
    "helpdesk_agent.py": {"helpdesk"},  # an agent, exercised in test_helpdesk_agent.py
    "offboarding.py": {"offboard_user"},
    "onboarding.py": {"onboard_user"},
    "patching.py": {"patch_servers"},
    "licensing.py": {"license_report"},
    "charts.py": {"ticket_chart", "publish_summary", "weekly_summary", "ticket"},
    "new_hire_desk.py": {"sync_mailboxes", "place_new_hire", "summarize_ticket"},  # in test_new_hire_desk.py
    "prompts.py": {"welcome_new_hire", "review_policy", "brand_check"},  # exercised in test_prompts.py
    "triage.py": {"triage_ticket"},
}


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with opened_app(tmp_path, workspace=EXAMPLES) as application:
        yield application


def test_every_example_file_loads_and_is_covered_here(tmp_path: Path) -> None:
    from bifrost_mcp.workspace.loader import load_workspace

    registry = load_workspace(EXAMPLES)
    assert registry.errors == []
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(COVERED)
    found: dict[str, set[str]] = {}
    entries = [*registry.workflows.values(), *registry.data_providers.values(), *registry.agents.values()]
    for entry in [*entries, *registry.resources.values(), *registry.prompts.values()]:
        found.setdefault(entry.source, set()).add(entry.name)
    assert found == COVERED


async def read_json(client: Client, uri: str) -> Any:
    result = await client.read_resource(uri)
    return json.loads(result.contents[0].text)  # type: ignore[union-attr]


# triage.py


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"subject": "Password reset", "body": "locked out", "customer": "Acme"},
            {"queue": "service-desk", "priority": "medium", "sla_hours": 24, "customer": "Acme"},
        ),
        ({"subject": "Invoice query", "body": "wrong VAT", "priority": "low"}, {"queue": "billing", "sla_hours": 72}),
        ({"subject": "Site outage", "body": "all down", "priority": "low"}, {"queue": "noc", "priority": "critical"}),
    ],
)
async def test_triage_routes_a_ticket_to_its_queue_and_sla(
    app: App, mode: str, arguments: dict, expected: dict
) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool("triage_ticket", arguments)
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert result.structured_content["success"] is True
    assert expected.items() <= result.structured_content.items()


async def test_triage_reports_an_unroutable_ticket_as_completed_with_errors(app: App) -> None:
    async with connected(app, "auto") as client:
        result = await client.call_tool("triage_ticket", {"subject": "Hello", "body": "Just saying hi"})
    assert result.is_error
    assert "no queue matches this ticket; route it by hand" in text_of(result)
    record = await app.host.executions.get(execution_id_of(result))
    assert record is not None and record.status is ExecutionStatus.COMPLETED_WITH_ERRORS


async def test_triage_rejects_a_priority_outside_its_literal(app: App) -> None:
    async with connected(app, "legacy") as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "triage_ticket")
        assert tool.input_schema["properties"]["priority"]["enum"] == ["low", "medium", "high", "critical"]
        assert tool.input_schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"  # SEP-1613
        assert tool.input_schema["properties"]["subject"]["description"] == "The ticket's subject line."
        result = await client.call_tool("triage_ticket", {"subject": "VPN", "body": "x", "priority": "urgent"})
    assert result.is_error
    assert "priority: Input should be 'low', 'medium', 'high' or 'critical'" in text_of(result)


# offboarding.py

LEAVER = {"email": "dana@example.com", "reason": "left the company"}


@pytest.mark.parametrize("mode", MODES)
async def test_offboarding_runs_only_once_the_person_confirms_its_exact_arguments(app: App, mode: str) -> None:
    person = Person([APPROVE])
    async with connected(app, mode, elicitation_callback=person) as client:
        result = await client.call_tool("offboard_user", LEAVER)
    assert not result.is_error, text_of(result)
    assert result.structured_content == {
        "account": "dana@example.com",
        "checklist": [
            "Disable sign-in for dana@example.com",
            "Revoke all sessions and app passwords",
            "Convert the mailbox to shared for 30 days",
            "Record the reason: left the company",
        ],
    }
    (question,) = person.questions
    assert '"email": "dana@example.com"' in question and '"reason": "left the company"' in question


@pytest.mark.parametrize(("answer", "elicits"), [(DECLINE, True), (None, False)])
async def test_offboarding_declined_or_unconfirmable_never_runs(
    app: App, answer: types.ElicitResult | None, elicits: bool
) -> None:
    options = {"elicitation_callback": Person([answer])} if answer is not None else {}
    async with connected(app, "auto", **options) as client:
        result = await client.call_tool("offboard_user", LEAVER)
    assert result.is_error
    expected = "declined" if elicits else "this MCP client cannot ask for it"
    assert expected in text_of(result)
    records = await app.host.executions.query(workflow_name="offboard_user")
    # declined: on the record as not run (Cancelled); a client that cannot ask asked nobody, so no record
    expected_records = [(ExecutionStatus.CANCELLED, "declined by the person")] if elicits else []
    assert [(r.status, r.error_message) for r in records] == expected_records


# onboarding.py


@pytest.mark.parametrize("mode", MODES)
async def test_onboarding_builds_the_account_groups_and_checklist(app: App, mode: str) -> None:
    hire = {**ONBOARD_ARGS["hire"], "department": "support", "manager_email": "boss@example.org"}
    async with connected(app, mode) as client:
        result = await client.call_tool("onboard_user", {"hire": hire})
    assert not result.is_error, text_of(result)
    assert result.structured_content == {
        "username": "alovelace",
        "work_email": "alovelace@example.com",
        "groups": ["all-staff", "support", "helpdesk-agents"],
        "checklist": [
            "Create account alovelace@example.com",
            "Assign Microsoft 365 Business Premium licence",
            "Add to group all-staff",
            "Add to group support",
            "Add to group helpdesk-agents",
            "Notify manager boss@example.org",
            "Send welcome pack to ada@example.org before 2026-12-01",
        ],
    }
    logs = await app.host.executions.logs(execution_id_of(result))
    assert [(e.level, e.message) for e in logs] == [("INFO", "onboarding alovelace into support")]
    assert logs[0].metadata == {"org_id": None}


async def test_onboarding_in_an_organization_uses_its_domain(app: App) -> None:
    org = await app.host.identity.create_org("Contoso", domain="contoso.example")
    caller = await app.host.callers.acting_in(await app.host.callers.owner(), org.id)
    async with Client(server_for(app, caller).server, mode="auto") as client:
        result = await client.call_tool("onboard_user", {**ONBOARD_ARGS, "send_welcome": False})
    assert result.structured_content is not None
    assert result.structured_content["work_email"] == "alovelace@contoso.example"
    assert not any("welcome pack" in line for line in result.structured_content["checklist"])
    assert (await app.host.executions.logs(execution_id_of(result)))[0].metadata == {"org_id": org.id}


async def test_onboarding_validates_the_nested_hire_model(app: App) -> None:
    bad = {**ONBOARD_ARGS["hire"], "personal_email": "not-an-email", "department": "legal", "start_date": "soon"}
    del bad["first_name"]
    async with connected(app, "auto") as client:
        result = await client.call_tool("onboard_user", {"hire": bad})
    assert result.is_error
    message = text_of(result)
    for problem in (
        "hire.first_name: required argument is missing",
        "hire.personal_email: String should match pattern",
        "hire.department: Input should be 'eng', 'sales', 'support' or 'finance'",
        "hire.start_date:",
    ):
        assert problem in message


# licensing.py


@pytest.mark.parametrize("mode", MODES)
async def test_the_license_report_answers_with_an_execution_id_and_is_read_back_once_it_ran(
    app: App, mode: str
) -> None:
    async with connected(app, mode) as client:
        answer = await client.call_tool("license_report", {"departments": ["sales", "it"], "seconds_per_department": 0})
        execution_id = execution_id_of(answer)
        assert answer.structured_content == {
            "execution_id": execution_id, "status": "Pending", "workflow": "license_report",
        }  # fmt: skip
        pending = await client.call_tool("get_execution", {"execution_id": execution_id})
        assert pending.structured_content is not None and pending.structured_content["finished"] is False
        async with dispatching(app):  # what `serve` runs: the queue's runs, as their callers
            await finished(app, execution_id)
        report = await client.call_tool("get_execution", {"execution_id": execution_id})
    assert report.structured_content is not None
    assert report.structured_content["status"] == "Completed"
    assert report.structured_content["result"] == {"departments": {"sales": 45, "it": 24}, "total": 69}
    assert [line["message"] for line in report.structured_content["logs"]] == [
        "counted sales: 45 licenses",
        "counted it: 24 licenses",
    ]


# patching.py


@pytest.mark.parametrize("mode", MODES)
async def test_patching_logs_each_server_and_captures_the_reboot_prints(app: App, mode: str) -> None:
    async with connected(app, mode) as client:
        result = await client.call_tool(
            "patch_servers", {"servers": ["db-1", "db-2"], "reboot": True, "seconds_per_server": 0}
        )
    execution_id = execution_id_of(result)
    assert result.structured_content == {"success": True, "patched": ["db-1", "db-2"], "rebooted": True}
    logs = await app.host.executions.logs(execution_id)
    assert [e.message for e in logs] == [
        "patching db-1 (1/2)",
        "rebooting db-1",
        "patching db-2 (2/2)",
        "rebooting db-2",
        "patched 2 server(s)",
    ]
    assert logs[0].metadata == {"execution_id": execution_id}


async def test_patching_nothing_is_a_reported_failure(app: App) -> None:
    async with connected(app, "legacy") as client:
        result = await client.call_tool("patch_servers", {"servers": []})
    assert result.is_error
    assert "no servers given" in text_of(result)
    record = await app.host.executions.get(execution_id_of(result))
    assert record is not None and record.status is ExecutionStatus.COMPLETED_WITH_ERRORS


# departments.py


@pytest.mark.parametrize("mode", MODES)
async def test_departments_is_a_resource_and_mailbox_sizes_a_template(app: App, mode: str) -> None:
    async with connected(app, mode) as client:
        resources = {str(r.uri): r for r in (await client.list_resources()).resources}
        templates = {t.uri_template: t for t in (await client.list_resource_templates()).resource_templates}
        assert set(resources) == {"bifrost://data-providers/departments", "reports://weekly/summary"}
        assert resources["bifrost://data-providers/departments"].description == "Departments a new hire can join"
        assert set(templates) == {
            "bifrost://data-providers/mailbox_sizes{?licence}",
            "bifrost://executions/{execution_id}",  # the host's own: a caller's executions
            "reports://tickets/{ticket_id}",  # charts.py: an author's resource template
        }
        departments = await read_json(client, "bifrost://data-providers/departments")
        default_sizes = await read_json(client, "bifrost://data-providers/mailbox_sizes")
        basic = await read_json(client, "bifrost://data-providers/mailbox_sizes?licence=business-basic")
        unknown = await read_json(client, "bifrost://data-providers/mailbox_sizes?licence=nope")
    assert [d["label"] for d in departments] == ["Engineering", "Sales", "Support", "Finance"]
    assert {d["metadata"]["org"] for d in departments} == {"all organizations"}
    assert default_sizes == [{"label": "50 GB", "value": 50}, {"label": "100 GB", "value": 100}]
    assert basic == [{"label": "50 GB", "value": 50}]
    assert unknown == []


async def test_departments_see_the_callers_organization(app: App) -> None:
    org = await app.host.identity.create_org("Fabrikam")
    caller = await app.host.callers.acting_in(await app.host.callers.owner(), org.id)
    async with Client(server_for(app, caller).server, mode="legacy") as client:
        departments = await read_json(client, "bifrost://data-providers/departments")
    assert {d["metadata"]["org"] for d in departments} == {"Fabrikam"}


async def test_an_unknown_resource_is_not_found(app: App) -> None:
    async with connected(app, "auto") as client:
        with pytest.raises(Exception, match="Resource not found"):
            await client.read_resource("bifrost://data-providers/no_such_provider")


# alert_triage.py (answered by bifrost.testing's offline model: no keys, no network)

TRIAGE = {"severity": "critical", "category": "backup", "summary": "Nightly backup failed twice", "page_on_call": True}


@pytest.mark.parametrize("mode", MODES)
async def test_alert_triage_returns_the_models_structured_classification(app: App, mode: str) -> None:
    model = TestModel(data=TRIAGE)
    with override_model(model):
        async with connected(app, mode) as client:
            result = await client.call_tool("triage_alert", {"alert": "Job NIGHTLY failed (2/2)", "source": "backup"})
    assert not result.is_error, text_of(result)
    assert result.structured_content == TRIAGE
    [request] = model.requests
    assert request.system is not None and "triage engineer" in request.system
    assert "Alert from backup:\nJob NIGHTLY failed (2/2)" in request.messages[-1].content
    assert request.response_schema is not None


async def test_alert_triage_rejects_a_classification_outside_its_schema(app: App) -> None:
    with override_model(TestModel(data={**TRIAGE, "severity": "apocalyptic"})):
        async with connected(app, "auto") as client:
            result = await client.call_tool("triage_alert", {"alert": "x"})
    assert result.is_error
    assert "did not match AlertTriage" in text_of(result)
    assert "severity: Input should be 'info', 'warning' or 'critical'" in text_of(result)


@pytest.mark.parametrize("mode", MODES)
async def test_draft_reply_assembles_the_streamed_text_in_the_requested_tone(app: App, mode: str) -> None:
    model = TestModel("Thanks for letting us know - we are looking into the printer now.")
    with override_model(model):
        async with connected(app, mode) as client:
            result = await client.call_tool("draft_reply", {"ticket": "Printer jammed again", "tone": "formal"})
    assert result.structured_content == {"result": "Thanks for letting us know - we are looking into the printer now."}
    [request] = model.requests
    assert request.system is not None and "formal reply" in request.system
    assert request.messages[-1].content == "Printer jammed again"


async def test_ai_examples_without_a_configured_provider_say_what_to_configure(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    async with connected(app, "auto") as client:
        result = await client.call_tool("triage_alert", {"alert": "disk full"})
    assert result.is_error
    assert text_of(result).startswith("ConfigurationError: No AI provider configured")


# charts.py


async def test_reports_chart_resources_and_a_published_change(app: App) -> None:
    told: list[str] = []

    async def on_message(message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            told.append(str(message.params.uri))

    async with connected(app, "legacy", message_handler=on_message) as client:
        chart = await client.call_tool("ticket_chart", {})
        [text, image] = chart.content
        assert isinstance(image, types.ImageContent) and image.mime_type == "image/png"
        assert text.text.startswith("Tickets per day (Mon: 12")  # type: ignore[union-attr]
        [summary] = (await client.read_resource("reports://weekly/summary")).contents
        assert summary.text.startswith("# Weekly tickets for")  # type: ignore[union-attr]
        with pytest.warns(MCPDeprecationWarning):
            await client.subscribe_resource("reports://weekly/summary")
        assert text_of(await client.call_tool("publish_summary", {})) == "published"
        await client.list_tools()  # the notification, sent during the call, has been handled by now
        assert told == ["reports://weekly/summary"]
