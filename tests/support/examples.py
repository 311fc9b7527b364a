"""The examples/ workspace exercised end to end through an MCP client: every tool, resource and template."""

from __future__ import annotations

import base64
import json
from typing import Any

from mcp import Client

from tests.support.mcp import execution_id_of, text_of

ONBOARD_ARGS = {
    "hire": {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "personal_email": "ada@example.org",
        "department": "eng",
        "start_date": "2026-12-01",
    }
}


def _sample_arguments(tool: Any) -> dict[str, Any]:
    """Arguments for a tool this module has no table entry for: strings for its required string parameters."""
    schema = tool.input_schema
    properties = schema.get("properties", {})
    arguments: dict[str, Any] = {}
    for name in schema.get("required", []):
        kind = properties.get(name, {}).get("type")
        assert kind == "string", f"add a table entry for tool {tool.name!r}: required {name!r} is {kind!r}"
        arguments[name] = "disk full on srv-01"
    return arguments


async def exercise_examples(client: Client) -> None:
    """List and call every tool of examples/, and read its data-provider resource and resource template.

    Tools that need an AI provider are called too; without one configured they fail with a clear message. A
    tool that requires approval is refused, since this client declares no elicitation.
    """
    tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert {"onboard_user", "patch_servers", "triage_ticket"} <= set(tools)
    for tool in tools.values():
        assert tool.input_schema["additionalProperties"] is False, tool.name
        assert tool.description, tool.name

    onboarded = await client.call_tool("onboard_user", ONBOARD_ARGS)
    assert not onboarded.is_error, text_of(onboarded)
    assert onboarded.structured_content is not None
    assert onboarded.structured_content["username"] == "alovelace"
    assert onboarded.structured_content["groups"] == ["all-staff", "engineering", "vpn-users"]

    patched = await client.call_tool(
        "patch_servers", {"servers": ["srv-01", "srv-02"], "reboot": True, "seconds_per_server": 0.01}
    )
    assert not patched.is_error, text_of(patched)
    assert patched.structured_content == {"success": True, "patched": ["srv-01", "srv-02"], "rebooted": True}

    triaged = await client.call_tool("triage_ticket", {"subject": "VPN down", "body": "Nobody can connect"})
    assert not triaged.is_error, text_of(triaged)
    assert triaged.structured_content == {
        "success": True,
        "queue": "network",
        "priority": "critical",
        "sla_hours": 1,
        "customer": None,
    }

    reported = await client.call_tool("license_report", {"departments": ["sales"], "seconds_per_department": 0})
    assert not reported.is_error, text_of(reported)  # an async workflow: answered at once, run by the server
    assert reported.structured_content is not None and reported.structured_content["status"] == "Pending"

    for name in sorted(set(tools) - {"onboard_user", "patch_servers", "triage_ticket", "license_report"}):
        result = await client.call_tool(name, _sample_arguments(tools[name]))
        if name.startswith("agent_"):  # an agent: a chat turn, no run of its own; without a provider a clear error
            assert result.is_error and "No AI provider configured" in text_of(result), text_of(result)
            continue
        if (tools[name].meta or {}).get("bifrost/requiresApproval"):  # this client cannot confirm: never run
            assert result.is_error and "this MCP client cannot ask for it" in text_of(result), text_of(result)
            continue
        execution_id = execution_id_of(result)
        if result.is_error:
            assert f"(execution {execution_id})" in text_of(result)
            assert "Traceback" not in text_of(result)

    resources = (await client.list_resources()).resources
    assert "bifrost://data-providers/departments" in [str(r.uri) for r in resources]
    departments = await client.read_resource("bifrost://data-providers/departments")
    options = json.loads(departments.contents[0].text)  # type: ignore[union-attr]
    assert [o["value"] for o in options] == ["eng", "sales", "support", "finance"]

    templates = (await client.list_resource_templates()).resource_templates
    assert "bifrost://data-providers/mailbox_sizes{?licence}" in [t.uri_template for t in templates]
    sizes = await client.read_resource("bifrost://data-providers/mailbox_sizes?licence=e5")
    assert json.loads(sizes.contents[0].text) == [{"label": "100 GB", "value": 100}]  # type: ignore[union-attr]

    # charts.py: a chart as image content, a resource at the author's URI and a template
    chart = await client.call_tool("ticket_chart", {"counts": {"Mon": 3, "Tue": 5}})
    assert [block.type for block in chart.content] == ["text", "image"], chart.content
    assert chart.content[0].text == "Tickets per day (Mon: 3, Tue: 5)"  # type: ignore[union-attr]
    assert base64.b64decode(chart.content[1].data).startswith(b"\x89PNG\r\n\x1a\n")  # type: ignore[union-attr]
    assert "reports://weekly/summary" in [str(r.uri) for r in resources]
    assert "reports://tickets/{ticket_id}" in [t.uri_template for t in templates]
    summary = (await client.read_resource("reports://weekly/summary")).contents[0]
    assert summary.mime_type == "text/markdown" and "Total: 62" in summary.text  # type: ignore[union-attr]
    ticket = (await client.read_resource("reports://tickets/42")).contents[0]
    assert json.loads(ticket.text) == {"id": 42, "subject": "Ticket 42", "status": "open"}  # type: ignore[union-attr]
