"""`@resource` and the URI templates it serves."""

from __future__ import annotations

import pytest

from bifrost import resource
from bifrost.decorators import get_spec
from bifrost.resources import match_uri, template_variables


def test_a_resource_records_its_uri_and_options() -> None:
    @resource("reports://monthly/{month}", name="monthly", mime_type="text/markdown", roles=["finance"])
    def monthly(month: str) -> str:
        """The month's report."""
        return month

    spec = get_spec(monthly)
    assert spec is not None and spec.kind == "resource"
    assert (spec.name, spec.description, spec.roles) == ("monthly", "The month's report.", ("finance",))
    assert spec.extra == {"uri": "reports://monthly/{month}", "mime_type": "text/markdown"}
    assert template_variables("reports://monthly/{month}") == ["month"]


@pytest.mark.parametrize(
    ("uri", "message"),
    [
        ("bifrost://mine", "bifrost:// URIs are reserved for the host"),
        ("no-scheme", "needs a URI with a scheme"),
        ("x://{a}/{a}", "a variable appears twice"),
        ("x://{?query}", "only {name} and {+name} variables"),
    ],
)
def test_a_uri_a_resource_may_not_use_is_refused_where_it_is_written(uri: str, message: str) -> None:
    with pytest.raises(TypeError, match="@resource") as raised:
        resource(uri)
    assert message in str(raised.value)


def test_unknown_options_and_bad_mime_types_are_refused() -> None:
    with pytest.raises(TypeError, match="unknown parameter"):
        resource("x://a", cache=True)
    with pytest.raises(TypeError, match="MIME type"):
        resource("x://a", mime_type="markdown")(lambda: "")


@pytest.mark.parametrize(
    ("template", "uri", "expected"),
    [
        ("test://template/{id}/data", "test://template/123/data", {"id": "123"}),
        ("test://template/{id}/data", "test://template/1/2/data", None),  # {id} stops at "/"
        ("files://{+path}", "files://a/b%20c.txt", {"path": "a/b c.txt"}),
        ("test://static", "test://static", {}),
        ("test://static", "test://static/x", None),
        ("a://{x}.{y}", "a://1.2", {"x": "1", "y": "2"}),
    ],
)
def test_templates_match_uris_and_give_their_variables(template: str, uri: str, expected: object) -> None:
    assert match_uri(template, uri) == expected
