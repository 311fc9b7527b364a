"""HTTP endpoints with the real Starlette app: every method and credential, errors, public endpoints, limits."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest

from bifrost.enums import ExecutionStatus
from bifrost_mcp.app import App
from bifrost_mcp.executions.records import ExecutionRecord
from bifrost_mcp.workspace.registry import DescribedSignature
from tests.support.endpoints import EndpointWorld, endpoint_world, endpoints_app, public_writer
from tests.support.mcp import opened_app
from tests.support.poll import poll
from tests.support.queue import dispatching, finished
from tests.support.workspace import workspace_modules_dropped, write_files


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    async with endpoints_app(tmp_path / "data", rate_limit="3/minute") as opened:
        yield opened


@pytest.fixture
async def world(app: App) -> AsyncIterator[EndpointWorld]:
    async with endpoint_world(app) as opened:
        yield opened


async def record_of(app: App, execution_id: str) -> ExecutionRecord:
    record = await app.host.executions.get(execution_id)
    assert record is not None
    return record


async def call(world: EndpointWorld, method: str, name: str, headers: dict[str, str] | None = None,
               source: str = "127.0.0.1", **request: Any) -> httpx2.Response:  # fmt: skip
    async with world.client(source) as http:
        return await http.request(method, f"/api/workflows/{name}", headers=headers, **request)


async def test_a_post_runs_the_workflow_as_the_tokens_user_and_answers_its_result(world: EndpointWorld) -> None:
    response = await call(world, "POST", "echo", world.bearer(world.ada), json={"text": "hi", "times": 2})

    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["execution_id", "status", "result"] and body["status"] == "Completed"
    assert body["result"] == {
        "text": "hihi", "tags": None, "ticket": None, "user_id": world.ada_id, "scope": world.acme_id,
        "is_platform_admin": False,
    }  # fmt: skip
    record = await record_of(world.app, body["execution_id"])
    assert (record.trigger, record.executed_by, record.status) == ("endpoint", world.ada_id, ExecutionStatus.COMPLETED)
    assert record.input_data == {"text": "hi", "times": 2}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH"])
async def test_body_methods_take_a_json_object_of_arguments_models_included(world: EndpointWorld, method: str) -> None:
    arguments = {"text": "a", "tags": ["x", "y"], "ticket": {"subject": "VPN down", "priority": "high"}}
    response = await call(world, method, "echo", world.bearer(world.ada), json=arguments)

    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert (result["tags"], result["ticket"]) == (["x", "y"], {"subject": "VPN down", "priority": "high"})


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_query_methods_take_text_converted_by_the_schema_lists_repeated_and_objects_as_json(
    world: EndpointWorld, method: str
) -> None:
    params = [("text", "ab"), ("times", "3"), ("tags", "x"), ("tags", "y"), ("ticket", '{"subject": "VPN"}')]
    response = await call(world, method, "echo", world.bearer(world.ada), params=params)

    assert response.status_code == 200, response.text
    result = response.json()["result"]
    assert (result["text"], result["tags"], result["ticket"]) == (
        "ababab",
        ["x", "y"],
        {"subject": "VPN", "priority": "low"},
    )


async def test_a_primitive_result_is_the_value_itself(world: EndpointWorld) -> None:
    response = await call(world, "GET", "next_number", world.key(world.acme_key), params={"n": "41"})
    assert response.json()["result"] == 42


async def test_a_function_key_in_x_bifrost_key_runs_as_the_key_in_its_organization(world: EndpointWorld) -> None:
    org_key = await call(world, "POST", "echo", world.key(world.acme_key), json={"text": "k"})
    global_key = await call(world, "POST", "echo", world.key(world.global_key), json={"text": "k"})
    as_bearer = await call(world, "POST", "echo", world.bearer(world.acme_key), json={"text": "k"})

    assert org_key.status_code == global_key.status_code == as_bearer.status_code == 200
    assert org_key.json()["result"]["scope"] == as_bearer.json()["result"]["scope"] == world.acme_id
    assert org_key.json()["result"]["user_id"].startswith("function-key:")
    assert global_key.json()["result"]["scope"] == "GLOBAL"


@pytest.mark.parametrize(
    ("headers", "status", "description"),
    [
        ({}, 401, "missing credentials: send 'Authorization: Bearer <token>' or 'X-Bifrost-Key: <function key>'"),
        ({"Authorization": "Bearer bft_nope"}, 401, "unknown token"),
        ({"X-Bifrost-Key": "bfk_nope"}, 401, "unknown token"),
        ({"Authorization": "Basic YWRhOnB3"}, 401, "malformed Authorization header: send 'Authorization: Bearer"),
        ({"X-Bifrost-Key": "ADA"}, 401, "X-Bifrost-Key takes a function key (bfk_...); send a personal token as"),
        ({"X-Bifrost-Org": "Acme"}, 401, "X-Bifrost-Org needs credentials"),
        ({"Authorization": "Bearer ADA", "X-Bifrost-Key": "KEY"}, 400, "send one credential, not both"),
        ({"Authorization": "Bearer ADA", "X-Bifrost-Org": "Globex"}, 403, "only platform admins may act in another"),
    ],
)
async def test_credentials_are_refused_with_a_status_a_challenge_and_what_to_send(
    world: EndpointWorld, headers: dict[str, str], status: int, description: str
) -> None:
    stand_in = {"ADA": world.ada, "KEY": world.acme_key}
    headers = {name: " ".join(stand_in.get(part, part) for part in value.split(" ")) for name, value in headers.items()}
    response = await call(world, "POST", "echo", headers, json={"text": "x"})

    assert response.status_code == status
    assert response.json()["error_description"].startswith(description)
    assert response.headers["www-authenticate"].startswith("Bearer error=")


async def test_a_repeated_credential_header_is_refused_before_any_lookup(world: EndpointWorld) -> None:
    headers = [("Authorization", f"Bearer {world.ada}"), ("Authorization", f"Bearer {world.bob}")]
    async with world.client() as http:
        response = await http.post("/api/workflows/echo", headers=headers, json={"text": "x"})
    assert response.status_code == 400
    assert response.json()["error_description"] == "send one Authorization header; this request has 2"


async def test_a_revoked_key_is_refused_on_the_next_call(world: EndpointWorld) -> None:
    keys = await world.app.host.credentials.list("function_key")
    acme = next(k for k in keys if k.name == "acme-hook")
    assert (await call(world, "POST", "echo", world.key(world.acme_key), json={"text": "x"})).status_code == 200
    await world.app.host.credentials.revoke(acme.id, "function_key")
    refused = await call(world, "POST", "echo", world.key(world.acme_key), json={"text": "x"})
    assert (refused.status_code, refused.json()["error_description"]) == (401, "token revoked")


async def test_a_platform_admin_acts_in_an_organization_with_x_bifrost_org(world: EndpointWorld) -> None:
    headers = {**world.bearer(world.owner), "X-Bifrost-Org": "Acme"}
    response = await call(world, "POST", "echo", headers, json={"text": "x"})
    assert response.json()["result"]["scope"] == world.acme_id


async def test_without_credentials_an_unknown_and_a_private_endpoint_answer_alike(world: EndpointWorld) -> None:
    private = await call(world, "POST", "echo", json={"text": "x"})
    unknown = await call(world, "POST", "no_such_thing", json={"text": "x"})
    assert private.status_code == unknown.status_code == 401
    assert private.json() == unknown.json()


async def test_a_hidden_endpoint_answers_exactly_like_an_unknown_one(world: EndpointWorld) -> None:
    ada = world.bearer(world.ada)
    answers = {name: await call(world, "POST", name, ada, json={}) for name in ("close_ticket", "purge", "internal")}
    unknown = await call(world, "POST", "no_such_thing", ada, json={})
    wrong_method_hidden = await call(world, "GET", "close_ticket", ada)

    for name, response in [*answers.items(), ("close_ticket", wrong_method_hidden)]:
        assert response.status_code == unknown.status_code == 404
        assert response.json()["error_description"].replace(name, "X") == unknown.json()["error_description"].replace(
            "no_such_thing", "X"
        )
    tech = await call(world, "POST", "close_ticket", world.bearer(world.tech), json={"ticket": "T-1"})
    admin = await call(world, "POST", "purge", world.bearer(world.owner), json={})
    assert (tech.json()["result"], admin.json()["result"]) == ("closed T-1", "purged")


async def test_a_method_the_workflow_does_not_take_is_405_with_allow(world: EndpointWorld) -> None:
    response = await call(world, "GET", "create_ticket", world.bearer(world.ada), params={"subject": "x"})
    public = await call(world, "DELETE", "status_page")

    assert (response.status_code, response.headers["allow"]) == (405, "POST")
    assert response.json()["error_description"] == "'create_ticket' takes POST, not GET"
    assert (public.status_code, public.headers["allow"]) == (405, "GET, POST")


async def test_bad_arguments_are_400_naming_each_field_and_nothing_runs(world: EndpointWorld) -> None:
    ada = world.bearer(world.ada)
    response = await call(world, "POST", "create_ticket", ada, json={"priority": "urgent", "owner": "ada"})

    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_arguments"
    assert {f["field"]: f["message"] for f in body["fields"]} == {
        "subject": "required argument is missing",
        "priority": "Input should be 'low' or 'high'",
        "owner": "unexpected argument; remove it (see the tool's inputSchema for the accepted arguments)",
    }
    assert body["error_description"].startswith("Invalid arguments for 'create_ticket': subject: required")
    assert await world.app.host.executions.query(limit=10) == []


@pytest.mark.parametrize(
    ("method", "request_options", "description"),
    [
        ("POST", {"content": b"{not json"}, "the body is not JSON (Expecting property name"),
        ("POST", {"json": ["hi"]}, "the body is a JSON list: send the arguments as a JSON object"),
        ("POST", {"params": {"text": "hi"}}, "POST takes its arguments as a JSON object in the body; drop the query"),
        ("GET", {"params": [("text", "a"), ("text", "b")]}, "text: send it once; it is not a list"),
        ("GET", {"params": {"text": "a", "ticket": "{"}}, "ticket: send this object as JSON text (URL-encoded)"),
        ("DELETE", {"content": b'{"text": "a"}'}, "DELETE takes its arguments in the query string; send no body"),
        ("GET", {"params": {"times": "3"}}, "Invalid arguments for 'echo': text: required argument is missing"),
        ("GET", {"params": {"text": "a", "times": "many"}}, "Invalid arguments for 'echo': times: Input should be"),
    ],
)
async def test_a_request_whose_arguments_cannot_be_read_is_400_saying_how_to_send_them(
    world: EndpointWorld, method: str, request_options: dict[str, Any], description: str
) -> None:
    response = await call(world, method, "echo", world.bearer(world.ada), **request_options)
    assert response.status_code == 400
    assert response.json()["error_description"].startswith(description)


@pytest.mark.parametrize(
    ("name", "arguments", "status", "error", "run_status", "message"),
    [
        ("refuses", {"customer": "ACME"}, 422, "workflow_refused", "Failed",
         "Customer 'ACME' has no active contract; ask sales to renew it first."),
        ("crashes", {}, 500, "failed", "Failed", "RuntimeError: disk quota exceeded on /var/spool"),
        ("hangs", {}, 504, "timeout", "Timeout", "'hangs' timed out after 0.2 s"),
    ],
)  # fmt: skip
async def test_a_failed_run_answers_the_status_that_fits_its_message_and_execution_id(
    world: EndpointWorld, name: str, arguments: dict[str, Any], status: int, error: str, run_status: str, message: str
) -> None:
    response = await call(world, "POST", name, world.bearer(world.ada), json=arguments)

    assert response.status_code == status
    body = response.json()
    execution_id = body["execution_id"]
    assert (body["error"], body["status"]) == (error, run_status)
    assert body["error_description"] == f"{message} (execution {execution_id})"
    assert (await record_of(world.app, execution_id)).error_message == message


async def test_success_false_is_a_200_completed_with_errors_carrying_the_result(world: EndpointWorld) -> None:
    response = await call(world, "POST", "soft_fails", world.bearer(world.ada), json={})
    assert response.status_code == 200
    assert response.json()["status"] == "CompletedWithErrors"
    assert response.json()["result"] == {"success": False, "error": "mailbox is on litigation hold"}


async def test_a_public_endpoint_runs_for_anyone_as_the_anonymous_caller_in_global_scope(world: EndpointWorld) -> None:
    anonymous = await call(world, "GET", "status_page")
    signed_in = await call(world, "POST", "status_page", world.bearer(world.ada), json={})

    assert anonymous.status_code == 200
    assert anonymous.json()["result"] == {"up": True, "user_id": "anonymous", "scope": "GLOBAL", "admin": False}
    record = await record_of(world.app, anonymous.json()["execution_id"])
    assert (record.executed_by, record.scope, record.trigger) == ("anonymous", "GLOBAL", "endpoint")
    assert signed_in.json()["result"]["user_id"] == world.ada_id  # credentials, when sent, are used


async def test_the_anonymous_caller_cannot_write_global_scope(world: EndpointWorld) -> None:
    response = await call(world, "POST", "public_writer", json={})
    assert response.status_code == 500
    assert "anonymous caller may not write GLOBAL scope" in response.json()["error_description"]
    assert await world.app.host.config.get("GLOBAL", "banner") is None


async def test_public_calls_are_rate_limited_per_source_with_retry_after(world: EndpointWorld) -> None:
    answered = [(await call(world, "GET", "status_page", source="203.0.113.7")).status_code for _ in range(4)]
    limited = await call(world, "GET", "status_page", source="203.0.113.7")
    other_source = await call(world, "GET", "status_page", source="198.51.100.2")
    signed_in = [await call(world, "GET", "status_page", world.bearer(world.ada), source="203.0.113.7")
                 for _ in range(4)]  # fmt: skip

    assert answered == [200, 200, 200, 429]
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
    assert (
        limited.json()["error_description"]
        == f"too many calls of public endpoints; retry in {limited.headers['retry-after']} s"
    )
    assert other_source.status_code == 200
    assert [r.status_code for r in signed_in] == [200] * 4  # the limit is for calls without credentials


async def test_an_async_workflow_answers_202_with_a_location_to_poll_for_its_result(world: EndpointWorld) -> None:
    headers = world.key(world.acme_key)
    async with dispatching(world.app), world.client() as http:
        response = await http.post("/api/workflows/nightly_report", headers=headers, json={"day": "monday"})
        assert response.status_code == 202
        body = response.json()
        assert body == {"execution_id": body["execution_id"], "status": "Pending"}
        assert response.headers["location"] == f"/api/executions/{body['execution_id']}"
        queued = await record_of(world.app, body["execution_id"])  # committed before the 202
        assert (queued.trigger, queued.workflow_name) == ("endpoint", "nightly_report")

        async def finished() -> dict[str, Any] | None:
            record = (await http.get(response.headers["location"], headers=world.bearer(world.acme_key))).json()
            return record if record["status"] == "Completed" else None

        record = await poll(finished, what="the queued run to complete")
        other_org = await http.get(response.headers["location"], headers=world.bearer(world.bob))
    assert record["result"] == "report for monday"
    assert other_org.status_code == 404  # someone else's run reads as unknown


async def test_a_run_is_read_back_by_its_caller_and_nobody_else(world: EndpointWorld) -> None:
    response = await call(world, "POST", "echo", world.key(world.acme_key), json={"text": "x"})
    execution_id = response.json()["execution_id"]
    async with world.client() as http:
        url = f"/api/executions/{execution_id}"
        own = await http.get(url, headers=world.bearer(world.acme_key))
        other_org = await http.get(url, headers=world.bearer(world.bob))
        same_org_user = await http.get(url, headers=world.bearer(world.ada))
    assert (own.status_code, own.json()["status"], own.json()["result"]["text"]) == (200, "Completed", "x")
    assert other_org.status_code == same_org_user.status_code == 404


def test_public_endpoints_are_announced_loudly_at_load(caplog: pytest.LogCaptureFixture) -> None:
    from bifrost_mcp.workspace.loader import registry_from_functions

    with caplog.at_level(logging.WARNING, logger="bifrost_mcp.workspace.loader"):
        registry_from_functions([public_writer])
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "workflow 'public_writer'" in caplog.text
    assert (
        "is a PUBLIC endpoint: anyone who reaches this server may call POST /api/workflows/public_writer" in caplog.text
    )


async def test_endpoints_and_their_document_live_under_the_servers_prefix(world: EndpointWorld) -> None:
    from bifrost_mcp.server.http import build_asgi

    asgi = build_asgi(world.app, prefix="/bifrost", watch=False)
    transport = httpx2.ASGITransport(app=asgi)
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        ran = await http.post("/bifrost/api/workflows/echo", headers=world.bearer(world.ada), json={"text": "p"})
        doc = await http.get("/bifrost/api/openapi.json")
    assert ran.json()["result"]["text"] == "p"
    assert doc.json()["servers"] == [{"url": "/bifrost"}]


TICKETS_IN_WORKERS = """
from typing import Literal

from bifrost import workflow


@workflow(endpoint_enabled=True, execution_mode="sync")
async def open_ticket(subject: str, priority: Literal["low", "high"] = "low") -> dict:
    return {"subject": subject, "priority": priority}


@workflow(endpoint_enabled=True)  # async: the SDK's default for an endpoint
async def open_ticket_later(subject: str, priority: Literal["low", "high"] = "low") -> dict:
    return {"subject": subject, "priority": priority}
"""
BAD_TICKET = {"priority": "urgent", "owner": "x"}


@asynccontextmanager
async def worker_world(tmp_path: Path) -> AsyncIterator[EndpointWorld]:
    """TICKETS_IN_WORKERS served with isolation "process": the host never imports it, so it holds no types."""
    with workspace_modules_dropped(tmp_path / "ws") as root:
        root.mkdir()
        write_files(root, {"tickets.py": TICKETS_IN_WORKERS})
        async with opened_app(tmp_path / "data", workspace=root, isolation="process", workers=1) as app:
            assert isinstance(app.registry.workflows["open_ticket"].signature, DescribedSignature)
            async with endpoint_world(app) as world, dispatching(app):
                yield world


def assert_refused(response: httpx2.Response, name: str) -> dict[str, Any]:
    """`response` is the 400 refusing BAD_TICKET for `name`, each field named; returns its body."""
    assert response.status_code == 400, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == "invalid_arguments"
    assert {f["field"]: f["message"] for f in body["fields"]} == {
        "subject": "required argument is missing",
        "priority": "Input should be 'low' or 'high'",
        "owner": "unexpected argument; remove it (see the tool's inputSchema for the accepted arguments)",
    }
    assert body["error_description"].startswith(f"Invalid arguments for {name!r}: subject: required")
    return body


async def test_in_worker_processes_the_worker_validates_and_bad_arguments_are_still_400_naming_each_field(
    tmp_path: Path,
) -> None:
    async with worker_world(tmp_path) as world:
        bad = await call(world, "POST", "open_ticket", world.bearer(world.ada), json=BAD_TICKET)
        good = await call(world, "POST", "open_ticket", world.bearer(world.ada), json={"subject": "VPN"})

    body = assert_refused(bad, "open_ticket")
    assert body["status"] == "Failed" and body["execution_id"]  # the run's worker refused it: a run, with a record
    assert (good.status_code, good.json()["result"]) == (200, {"subject": "VPN", "priority": "low"})


async def test_in_worker_processes_an_async_calls_bad_arguments_are_400_and_nothing_is_queued(tmp_path: Path) -> None:
    async with worker_world(tmp_path) as world:  # a worker checks the arguments before the run is queued
        bad = await call(world, "POST", "open_ticket_later", world.bearer(world.ada), json=BAD_TICKET)
        assert await world.app.host.executions.query(limit=10) == []  # refused before anything was queued
        good = await call(world, "POST", "open_ticket_later", world.bearer(world.ada), json={"subject": "VPN"})
        assert good.status_code == 202, good.text
        record = await finished(world.app, good.json()["execution_id"])

    assert "execution_id" not in assert_refused(bad, "open_ticket_later")
    assert record.status is ExecutionStatus.COMPLETED and record.result == {"subject": "VPN", "priority": "low"}
