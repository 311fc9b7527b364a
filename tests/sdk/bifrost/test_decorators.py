"""@workflow and @data_provider: metadata attached, the function itself left alone."""

import re
from typing import Any

import pytest

from bifrost import data_provider, workflow
from bifrost.decorators import DATA_PROVIDER_OPTIONS, WORKFLOW_OPTIONS, WorkflowSpec, get_spec


def spec_of(fn: Any) -> WorkflowSpec:
    spec = get_spec(fn)
    assert spec is not None
    return spec


def test_workflow_without_parentheses_returns_the_same_function_still_callable() -> None:
    async def lookup_customer(customer_id: str) -> dict:
        return {"id": customer_id}

    decorated = workflow(lookup_customer)
    assert decorated is lookup_customer
    assert spec_of(decorated).kind == "workflow"


async def test_a_decorated_async_workflow_runs_as_a_plain_coroutine_in_a_test() -> None:
    @workflow
    async def add(a: int, b: int) -> int:
        return a + b

    assert await add(2, 3) == 5


def test_workflow_with_parentheses_returns_the_same_function_still_callable() -> None:
    def double(n: int) -> int:
        return n * 2

    decorator = workflow(category="Maths")
    assert decorator(double) is double
    assert double(21) == 42
    assert spec_of(double).category == "Maths"


def test_empty_parentheses_work_like_none() -> None:
    @workflow()
    def a() -> None: ...

    @workflow
    def b() -> None: ...

    assert spec_of(a).timeout_seconds == spec_of(b).timeout_seconds == 1800
    assert spec_of(a).category == spec_of(b).category == "General"


def test_every_documented_workflow_option_is_accepted_and_recorded() -> None:
    @workflow(
        name="Create User",
        description="Make an account",
        category="User Management",
        tags=["users", "m365"],
        execution_mode="async",
        timeout_seconds=60,
        schedule="0 9 * * *",
        endpoint_enabled=True,
        allowed_methods=["POST", "GET"],
        public_endpoint=False,
        is_tool=True,
        time_saved=15,
        roles=["helpdesk"],
        admin_only=True,
    )
    async def create_user(email: str) -> None: ...

    spec = spec_of(create_user)
    assert (spec.name, spec.description, spec.category) == ("Create User", "Make an account", "User Management")
    assert spec.tags == ("users", "m365")
    assert (spec.execution_mode, spec.timeout_seconds, spec.schedule) == ("async", 60, "0 9 * * *")
    assert (spec.endpoint_enabled, spec.allowed_methods, spec.public_endpoint) == (True, ("POST", "GET"), False)
    assert (spec.is_tool, spec.time_saved, spec.roles, spec.admin_only) == (True, 15, ("helpdesk",), True)
    assert spec.fn is create_user

    # public_endpoint is for anyone, so it goes without roles and admin_only (see the endpoint option tests)
    @workflow(endpoint_enabled=True, allowed_methods=["get"], public_endpoint=True)
    async def status() -> str: ...

    assert (spec_of(status).allowed_methods, spec_of(status).public_endpoint) == (("GET",), True)


def test_the_workflow_option_list_matches_the_spec() -> None:
    documented = {
        "name",
        "description",
        "category",
        "tags",
        "execution_mode",
        "timeout_seconds",
        "schedule",
        "endpoint_enabled",
        "allowed_methods",
        "public_endpoint",
    }
    assert documented <= set(WORKFLOW_OPTIONS)
    assert {"name", "description", "cache_ttl_seconds"} <= set(DATA_PROVIDER_OPTIONS)


def test_execution_mode_follows_endpoint_enabled_unless_given() -> None:
    @workflow(endpoint_enabled=True)
    def hook() -> None: ...

    @workflow
    def plain() -> None: ...

    assert spec_of(hook).execution_mode == "async"
    assert spec_of(plain).execution_mode == "sync"


def test_execution_mode_auto_resolves_and_an_explicit_mode_wins_over_the_endpoint() -> None:
    @workflow(execution_mode="auto", endpoint_enabled=True)
    def hook() -> None: ...

    @workflow(execution_mode="auto")
    def plain() -> None: ...

    @workflow(execution_mode="sync", endpoint_enabled=True)
    def quick_hook() -> None: ...

    @workflow(execution_mode="async")
    def report() -> None: ...

    modes = [spec_of(fn).execution_mode for fn in (hook, plain, quick_hook, report)]
    assert modes == ["async", "sync", "sync", "async"]


@pytest.mark.parametrize("mode", ["background", "ASYNC", "", None, 1])
def test_an_unknown_execution_mode_is_an_error_naming_the_valid_ones(mode: object) -> None:
    def fn() -> None: ...

    expected = r"@workflow\(execution_mode=...\) must be one of 'sync', 'async', 'auto', got "
    with pytest.raises(TypeError, match=expected + re.escape(repr(mode))):
        workflow(execution_mode=mode)
    with pytest.raises(TypeError, match=expected):
        workflow(fn, execution_mode=mode)  # type: ignore[call-overload]
    assert get_spec(fn) is None


@pytest.mark.parametrize("with_function", [True, False], ids=["decorating", "decorator-factory"])
def test_an_unknown_workflow_option_is_an_error_listing_the_valid_ones(with_function: bool) -> None:
    def fn() -> None: ...

    with pytest.raises(TypeError) as caught:
        if with_function:
            workflow(fn, timeout=5)  # type: ignore[call-overload]
        else:
            workflow(timeout=5)
    message = str(caught.value)
    assert "@workflow got unknown parameter(s) 'timeout'" in message
    for option in WORKFLOW_OPTIONS:
        assert option in message
    assert get_spec(fn) is None


def test_an_unknown_data_provider_option_is_an_error_listing_the_valid_ones() -> None:
    with pytest.raises(TypeError) as caught:
        data_provider(ttl=60)
    message = str(caught.value)
    assert "@data_provider got unknown parameter(s) 'ttl'" in message
    for option in DATA_PROVIDER_OPTIONS:
        assert option in message


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        ({"timeout_seconds": 0}, "at least 1"),
        ({"timeout_seconds": -5}, "non-negative integer"),
        ({"timeout_seconds": "60"}, "non-negative integer"),
        ({"tags": "one"}, "list of strings"),
        ({"roles": [1]}, "list of strings"),
        ({"time_saved": True}, "non-negative integer"),
    ],
)
def test_option_values_of_the_wrong_type_are_rejected_naming_the_option(options: dict, complaint: str) -> None:
    def fn() -> None: ...

    with pytest.raises(TypeError, match=complaint):
        workflow(**options)(fn)


@pytest.mark.parametrize("timeout", [0.0, -0.5, float("nan"), float("inf"), True])
def test_a_timeout_that_is_not_a_positive_finite_number_of_seconds_is_rejected(timeout: object) -> None:
    def fn() -> None: ...

    with pytest.raises(TypeError, match=r"timeout_seconds=\.\.\.\) must be a positive number of seconds"):
        workflow(timeout_seconds=timeout)(fn)


@pytest.mark.parametrize("timeout", [0.05, 2.5, 1, 30])
def test_a_timeout_may_be_a_float_or_an_int_and_keeps_its_type(timeout: float) -> None:
    @workflow(timeout_seconds=timeout)
    def fn() -> None: ...

    recorded = spec_of(fn).timeout_seconds
    assert (recorded, type(recorded)) == (timeout, type(timeout))


def test_name_defaults_to_the_function_name_and_description_to_the_first_docstring_paragraph() -> None:
    @workflow
    async def triage_ticket(subject: str) -> None:
        """Route a support ticket
        to the right queue.

        It looks at the subject and body.

        Args:
            subject: The subject line.
        """

    spec = spec_of(triage_ticket)
    assert spec.name == "triage_ticket"
    assert spec.description == "Route a support ticket to the right queue."


def test_explicit_name_and_description_win_over_inference() -> None:
    @workflow(name="Triage", description="Explicit")
    def fn() -> None:
        """From the docstring."""

    assert (spec_of(fn).name, spec_of(fn).description) == ("Triage", "Explicit")


def test_a_function_without_a_docstring_has_no_description() -> None:
    @workflow
    def bare() -> None: ...

    assert spec_of(bare).description is None


def test_data_provider_with_and_without_parentheses() -> None:
    async def departments() -> list[dict]:
        """Departments a hire can join."""
        return [{"label": "Sales", "value": "sales"}]

    assert data_provider(departments) is departments
    spec = spec_of(departments)
    assert (spec.kind, spec.name, spec.description, spec.cache_ttl_seconds) == (
        "data_provider",
        "departments",
        "Departments a hire can join.",
        300,
    )

    @data_provider(name="sizes", description="Mailbox sizes", cache_ttl_seconds=0, roles=["it"], admin_only=True)
    def sizes() -> list[dict]:
        return []

    spec = spec_of(sizes)
    assert (spec.name, spec.description, spec.cache_ttl_seconds, spec.roles, spec.admin_only) == (
        "sizes",
        "Mailbox sizes",
        0,
        ("it",),
        True,
    )
    assert sizes() == []


def test_data_provider_takes_its_name_and_description_positionally_as_the_spec_writes_it() -> None:
    @data_provider("get_departments", "List departments")
    async def departments() -> list[dict]:
        """Not this one."""
        return []

    @data_provider("mailbox_sizes", cache_ttl_seconds=0)
    def sizes() -> list[dict]:
        """Mailbox sizes."""
        return []

    assert (spec_of(departments).name, spec_of(departments).description) == ("get_departments", "List departments")
    assert (spec_of(sizes).name, spec_of(sizes).description, spec_of(sizes).cache_ttl_seconds) == (
        "mailbox_sizes",
        "Mailbox sizes.",
        0,
    )


def test_data_provider_refuses_a_name_given_twice_or_not_a_string() -> None:
    with pytest.raises(TypeError, match="@data_provider got name twice: positionally and as name="):
        data_provider("a", name="b")
    with pytest.raises(TypeError, match=r"@data_provider\(description\) must be a string, got 5"):
        data_provider("a", 5)  # type: ignore[call-overload]


def test_get_spec_ignores_undecorated_objects() -> None:
    def plain() -> None: ...

    assert get_spec(plain) is None
    assert get_spec(42) is None


def test_requires_approval_is_off_by_default_and_takes_only_a_bool() -> None:
    @workflow(is_tool=True, requires_approval=True)
    async def disable_account(account: str) -> str:
        return account

    @workflow
    async def harmless() -> None: ...

    assert (get_spec(disable_account).requires_approval, get_spec(harmless).requires_approval) == (True, False)  # type: ignore[union-attr]
    with pytest.raises(TypeError, match=r"@workflow\(requires_approval=...\) must be True or False, got 'yes'"):
        workflow(requires_approval="yes")(harmless)


@pytest.mark.parametrize(
    ("options", "fix"),
    [
        ({"endpoint_enabled": True, "allowed_methods": ["POST", "FETCH"]}, "takes one or more of GET, POST, PUT"),
        ({"endpoint_enabled": True, "allowed_methods": []}, "takes one or more of GET, POST, PUT"),
        ({"endpoint_enabled": True, "allowed_methods": "GET"}, "must be a list of strings"),
        ({"endpoint_enabled": "yes"}, "endpoint_enabled=...) must be True or False"),
        ({"endpoint_enabled": True, "public_endpoint": 1}, "public_endpoint=...) must be True or False"),
        ({"public_endpoint": True}, "public_endpoint apply to HTTP endpoints; add endpoint_enabled=True"),
        ({"allowed_methods": ["GET"]}, "allowed_methods apply to HTTP endpoints; add endpoint_enabled=True"),
        (
            {"endpoint_enabled": True, "requires_approval": True},
            "requires_approval=True cannot be an HTTP endpoint, which has nobody to ask",
        ),
        (
            {"endpoint_enabled": True, "public_endpoint": True, "roles": ["Technician"]},
            "public_endpoint=True runs for anyone without credentials, so roles/admin_only could never apply",
        ),
        (
            {"endpoint_enabled": True, "public_endpoint": True, "admin_only": True},
            "public_endpoint=True runs for anyone without credentials, so roles/admin_only could never apply",
        ),
    ],
)
def test_endpoint_options_that_could_not_be_honoured_are_errors_saying_what_to_change(
    options: dict[str, object], fix: str
) -> None:
    async def hook() -> None: ...

    with pytest.raises(TypeError) as caught:
        workflow(**options)(hook)
    assert fix in str(caught.value)
    assert get_spec(hook) is None
