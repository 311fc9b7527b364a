"""bifrost.forms.ask's schemas: FormFields (the SDK's and a stored form's), Python types and models, as MCP forms."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

import pytest
from pydantic import BaseModel, Field

from bifrost import FormField, FormFieldType
from bifrost._form_schema import fields_schema, model_schema
from bifrost.errors import ValidationError


class Size(StrEnum):
    S = "s"
    M = "m"


class Order(BaseModel):
    item: str = Field(description="What to order")
    size: Size = Size.M
    quantity: int = 1
    note: str | None = None
    when: date | None = None
    extras: list[Literal["bag", "card"]] = []


def test_a_model_becomes_a_flat_form_with_its_defaults_and_enums_inlined() -> None:
    schema = model_schema(Order)
    assert schema["required"] == ["item"]
    props = schema["properties"]
    assert props["item"] == {"type": "string", "title": "Item", "description": "What to order"}
    assert props["size"] == {"type": "string", "enum": ["s", "m"], "title": "Size", "default": "m"}
    assert props["quantity"] == {"type": "integer", "title": "Quantity", "default": 1}
    assert props["note"] == {"type": "string", "title": "Note"}  # optional: no null branch, no None default
    assert props["when"] == {"type": "string", "format": "date", "title": "When"}
    assert props["extras"] == {
        "type": "array",
        "items": {"type": "string", "enum": ["bag", "card"]},
        "title": "Extras",
        "default": [],
    }


def test_form_field_types_map_to_properties() -> None:
    schema = fields_schema(
        [
            FormField(name="n", type=FormFieldType.NUMBER, minimum=1, maximum=5, default=2),
            FormField(name="i", type=FormFieldType.NUMBER, integer=True, required=True),
            FormField(name="ok", type=FormFieldType.CHECKBOX, label="OK?"),
            FormField(name="d", type=FormFieldType.DATE, description="day"),
            FormField(name="t", type=FormFieldType.TEXT),
            FormField(name="s", type=FormFieldType.SELECT, options=["a", "b"], default="a"),
        ]
    )
    assert schema == {
        "type": "object",
        "properties": {
            "n": {"type": "number", "minimum": 1, "maximum": 5, "default": 2},
            "i": {"type": "integer"},
            "ok": {"type": "boolean", "title": "OK?"},
            "d": {"type": "string", "format": "date", "description": "day"},
            "t": {"type": "string"},
            "s": {"type": "string", "enum": ["a", "b"], "default": "a"},
        },
        "required": ["i"],
    }


def test_a_stored_forms_fields_map_too_and_display_only_ones_are_skipped() -> None:
    stored = [
        {"name": "intro", "type": "markdown", "content": "Hello"},
        {"name": "mail", "label": "Mail", "type": "email", "required": True, "placeholder": "x@y"},
        {"name": "bio", "type": "textarea", "help_text": "A few words"},
        {"name": "tools", "type": "multi_select", "default_value": "git, jira ,",
         "options": [{"value": "git", "label": "Git"}, {"value": "jira", "label": "Jira"}]},
        {"name": "max", "type": "number", "validation": {"min": 1}},
        {"name": "code", "type": "text", "validation": {"pattern": "^[A-Z]+$"}},
    ]  # fmt: skip
    assert fields_schema(stored)["properties"] == {
        "mail": {"type": "string", "format": "email", "title": "Mail"},
        "bio": {"type": "string", "description": "A few words"},
        "tools": {
            "type": "array",
            "items": {"anyOf": [{"const": "git", "title": "Git"}, {"const": "jira", "title": "Jira"}]},
            "default": ["git", "jira"],
        },
        "max": {"type": "number", "minimum": 1},
        "code": {"type": "string", "pattern": "^[A-Z]+$"},
    }


def test_a_dict_by_name_takes_types_form_fields_and_schema_properties() -> None:
    schema = fields_schema(
        {
            "name": str,
            "tier": Literal["gold", "silver"],
            "pick": FormField(type=FormFieldType.SELECT, options=[{"value": "x", "label": "Ex"}]),
            "raw": {"type": "string", "enum": ["a"], "enumNames": ["A"], "required": True},
        }
    )
    assert schema == {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "tier": {"type": "string", "enum": ["gold", "silver"]},
            "pick": {"type": "string", "oneOf": [{"const": "x", "title": "Ex"}]},
            "raw": {"type": "string", "enum": ["a"], "enumNames": ["A"]},
        },
        "required": ["name", "tier", "raw"],
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([FormField(name="f", type="file")], "field 'f' is of type 'file', which an MCP client cannot ask for"),
        ([FormField(name="s", type=FormFieldType.SELECT)], "field 's' is a select without options"),
        ([FormField(type=FormFieldType.TEXT)], "every form field needs a name"),
        ([42], "a form field must be a FormField or a dict, not int"),
    ],
)
def test_what_cannot_be_asked_is_refused_clearly(fields: list[object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        fields_schema(fields)


async def test_under_the_in_memory_platform_a_handler_answers_the_person_and_progress_is_recorded() -> None:
    from bifrost import context, forms
    from bifrost.errors import ClientUnavailableError
    from bifrost.testing import InMemoryPlatform, bound

    def person(message: str, schema: dict[str, object]) -> dict[str, object]:
        return {"action": "accept", "content": {"item": "tea", "quantity": "2"}}

    platform = InMemoryPlatform(handlers={"client.elicit": person})
    with bound(platform):
        await context.report_progress(1, 2)
        answer = await forms.ask("Order?", Order)
    assert answer.accepted and answer.content == Order(item="tea", quantity=2)
    assert [name for name, _ in platform.calls] == ["client.progress", "client.elicit"]
    with bound(InMemoryPlatform()), pytest.raises(ClientUnavailableError, match="no person to ask"):
        await forms.ask("Order?", Order)
